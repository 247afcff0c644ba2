package io.podheitor.hpc.lustre;

import java.util.List;
import java.util.Objects;

/**
 * One component of a file layout (the whole file for a plain layout; one extent of a PFL layout). Values are as
 * liblustreapi returns them, including its special values: {@link Layout#DEFAULT} (not specified: the file system
 * default applies), {@link Layout#WIDE} (stripe count: all OSTs).
 *
 * @param start first byte of the extent
 * @param end end of the extent, exclusive; {@link Layout#EOF} for the end of file
 * @param stripeCount stripes (OST objects) of this component
 * @param stripeSize bytes per stripe before the next OST
 * @param pattern {@link Layout#RAID0}, {@link Layout#MDT} (data on MDT), {@link Layout#OVERSTRIPING}, ...
 * @param pool the OST pool name, or empty (pool names are ASCII; kept byte for byte in ISO-8859-1)
 * @param ostIndices the OST of each stripe, in stripe order; empty when the component has no objects yet (a PFL
 *     component not instantiated) or keeps its data on the MDT
 */
public record LayoutComponent(long start, long end, long stripeCount, long stripeSize, long pattern, String pool,
        List<Long> ostIndices) {
    public LayoutComponent {
        Objects.requireNonNull(pool, "pool");
        ostIndices = List.copyOf(ostIndices);
    }

    /** Whether the component has its OST objects (what a stripe-parallel reader can use). */
    public boolean instantiated() {
        return !ostIndices.isEmpty();
    }
}
