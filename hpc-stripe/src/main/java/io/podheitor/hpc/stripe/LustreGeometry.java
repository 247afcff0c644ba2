package io.podheitor.hpc.stripe;

import io.podheitor.hpc.lustre.Layout;
import io.podheitor.hpc.lustre.LayoutComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The lanes of a Lustre file: its RAID0 components' stripes, a lane per distinct OST (a PFL file whose components
 * reuse an OST reads it on one lane), so two readers never share an OST. In a component, byte {@code o} is in
 * stripe {@code ((o - start) / stripeSize) % stripeCount}. A component without OST indices (not instantiated:
 * no data there) counts its stripes as lanes of their own; data on the MDT is one lane.
 */
public final class LustreGeometry implements StripeGeometry {
    private final List<Comp> comps;
    private final int lanes;

    private record Comp(long start, long end, long count, long size, int[] lane) {
    }

    private LustreGeometry(List<Comp> comps, int lanes) {
        this.comps = comps;
        this.lanes = lanes;
    }

    /**
     * The geometry of {@code layout}, or empty when it gives no parallelism to use: one lane in all, a foreign
     * layout, or a stripe size or count the library left unspecified (LLAPI_LAYOUT_DEFAULT/WIDE: a file that has
     * data always has them set).
     */
    public static Optional<LustreGeometry> of(Layout layout) {
        Map<Long, Integer> laneOfTarget = new LinkedHashMap<>();
        List<Comp> comps = new ArrayList<>();
        for (LayoutComponent c : layout.components()) {
            if ((c.pattern() & Layout.FOREIGN) != 0) {
                return Optional.empty();
            }
            if ((c.pattern() & Layout.MDT) != 0) {
                int lane = laneOfTarget.computeIfAbsent(Long.MIN_VALUE, k -> laneOfTarget.size());
                comps.add(new Comp(c.start(), c.end(), 1, Long.MAX_VALUE, new int[] {lane}));
                continue;
            }
            long count = c.stripeCount();
            long size = c.stripeSize();
            if (count <= 0 || count > 65536 || size <= 0 || size > (1L << 40)) {
                return Optional.empty(); // DEFAULT / WIDE / INVALID: nothing to read by
            }
            int[] lane = new int[(int) count];
            for (int s = 0; s < count; s++) {
                // a target of its own per stripe when the component has no objects yet
                long target = c.instantiated() && s < c.ostIndices().size() ? c.ostIndices().get(s)
                        : -1_000_000L * (comps.size() + 1) - s;
                lane[s] = laneOfTarget.computeIfAbsent(target, k -> laneOfTarget.size());
            }
            comps.add(new Comp(c.start(), c.end(), count, size, lane));
        }
        if (laneOfTarget.size() < 2) {
            return Optional.empty();
        }
        return Optional.of(new LustreGeometry(List.copyOf(comps), laneOfTarget.size()));
    }

    @Override
    public int lanes() {
        return lanes;
    }

    private Comp at(long offset) {
        for (Comp c : comps) {
            if (offset >= c.start && Long.compareUnsigned(offset, c.end) < 0) {
                return c;
            }
        }
        return comps.getLast();
    }

    @Override
    public int laneOf(long offset) {
        Comp c = at(offset);
        long rel = Math.max(0, offset - c.start);
        return c.lane[(int) ((rel / c.size) % c.count)];
    }

    @Override
    public long unitEnd(long offset) {
        Comp c = at(offset);
        long rel = Math.max(0, offset - c.start);
        long end = c.size == Long.MAX_VALUE ? Long.MAX_VALUE : c.start + (rel / c.size + 1) * c.size;
        return Long.compareUnsigned(c.end, end) < 0 ? c.end : end;
    }
}
