package io.podheitor.hpc.stripe;

/**
 * Fixed-size units dealt round robin to {@code lanes} lanes: the geometry of a file system without a layout API
 * (CephFS objects of {@code ceph.file.layout.object_size}, BeeGFS chunks, or plain chunks on POSIX).
 *
 * @param unit  bytes per unit, at least 4096
 * @param lanes lanes, at least 1
 */
public record ChunkGeometry(long unit, int lanes) implements StripeGeometry {
    public ChunkGeometry {
        if (unit < 4096) {
            throw new IllegalArgumentException("unit below 4096 bytes: " + unit);
        }
        if (lanes < 1) {
            throw new IllegalArgumentException("lanes below 1: " + lanes);
        }
    }

    @Override
    public int laneOf(long offset) {
        return (int) ((offset / unit) % lanes);
    }

    @Override
    public long unitEnd(long offset) {
        return (offset / unit + 1) * unit;
    }
}
