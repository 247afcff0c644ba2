package io.podheitor.hpc.lustre;

import java.util.Objects;

/**
 * One MDT or OST of a file system, as {@code lfs df -i} lists it or {@code llapi_obd_fstatfs} reports it.
 *
 * @param kind MDT or OST
 * @param index the target index (decimal in {@code [MDT:10]}, hex in the name {@code MDT000a})
 * @param uuid the target UUID, e.g. {@code testfs-MDT0000_UUID}; for an inactive target only its short name
 *     ({@code MDT0003}), as lfs prints it
 * @param state active, inactive (the client deactivated it) or failing (any other error)
 * @param detail the error text of a failing target, else empty
 * @param inodes total inodes (objects on an OST), or -1 when not known
 * @param inodesUsed inodes in use, or -1
 * @param inodesFree free inodes, or -1
 * @param flags the state letters lfs prints after the mount point ({@code D} degraded, {@code R} read-only,
 *     {@code N} no-create, {@code S} out of space, {@code I} out of inodes), or empty
 */
public record LustreTarget(TargetKind kind, int index, String uuid, State state, String detail, long inodes,
        long inodesUsed, long inodesFree, String flags) {
    public enum State {
        ACTIVE,
        INACTIVE,
        FAILING
    }

    public LustreTarget {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(uuid, "uuid");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(flags, "flags");
        if (index < 0) {
            throw new IllegalArgumentException("target index " + index);
        }
    }

    /** The short name as Lustre builds it: kind and the index as four or more hex digits ({@code MDT000a}). */
    public String name() {
        return kind + String.format("%04x", index);
    }

    public boolean active() {
        return state == State.ACTIVE;
    }
}
