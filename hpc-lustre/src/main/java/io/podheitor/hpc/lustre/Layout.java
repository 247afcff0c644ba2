package io.podheitor.hpc.lustre;

import java.util.List;

/**
 * A file's layout as liblustreapi describes it ({@code llapi_layout_get_by_fd} walked component by component with
 * {@code llapi_layout_comp_use}): one component for a plain layout, several for PFL.
 *
 * @param composite whether it is a composite (PFL) layout
 * @param components the components in extent order
 */
public record Layout(boolean composite, List<LayoutComponent> components) {
    /** {@code LLAPI_LAYOUT_INVALID}. */
    public static final long INVALID = 0x1000000000000001L;
    /** {@code LLAPI_LAYOUT_DEFAULT}: unspecified, the file system default applies. */
    public static final long DEFAULT = INVALID + 1;
    /** {@code LLAPI_LAYOUT_WIDE}: a stripe count of all OSTs (-1 in lfs). */
    public static final long WIDE = DEFAULT + 1;
    /** {@code LUSTRE_EOF}: the end of a last component's extent. */
    public static final long EOF = -1L;
    /** Patterns ({@code LLAPI_LAYOUT_RAID0}, {@code _MDT}, {@code _OVERSTRIPING}, {@code _FOREIGN}). */
    public static final long RAID0 = 0;
    public static final long MDT = 2;
    public static final long OVERSTRIPING = 4;
    public static final long FOREIGN = 8;

    public Layout {
        components = List.copyOf(components);
        if (components.isEmpty()) {
            throw new IllegalArgumentException("a layout has at least one component");
        }
    }

    /** The component holding byte {@code offset} of the file, or the last one. */
    public LayoutComponent componentAt(long offset) {
        for (LayoutComponent c : components) {
            if (Long.compareUnsigned(offset, c.start()) >= 0 && Long.compareUnsigned(offset, c.end()) < 0) {
                return c;
            }
        }
        return components.getLast();
    }
}
