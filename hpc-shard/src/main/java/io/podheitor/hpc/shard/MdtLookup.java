package io.podheitor.hpc.shard;

import java.util.OptionalInt;

/**
 * What {@code strategy=lustre-mdt} needs from Lustre: how many MDTs the file system has and on which MDT an
 * entry's inode lives. The real implementation (liblustreapi over FFM, or {@code lfs}) lives in module
 * {@code hpc-lustre}; the backend hands it to {@link ShardSpec#strategy} (see {@code Sharding.lustreLookup} in
 * hpc-backend). Implementations are called from many walker threads at once.
 */
public interface MdtLookup {
    /** No Lustre here: the strategy warns once and falls back to inode-hash. */
    MdtLookup NONE = new MdtLookup() {
        @Override
        public OptionalInt mdtCount(byte[] root) {
            return OptionalInt.empty();
        }

        @Override
        public int mdtIndex(byte[] parent, byte[] name, long dIno) {
            return -1;
        }

        @Override
        public String toString() {
            return "none";
        }
    };

    /**
     * The number of MDTs of the Lustre file system holding {@code root} (e.g. from {@code lfs df -i}), or empty when
     * {@code root} is not on Lustre or nothing can answer (no liblustreapi, no {@code lfs}). Called once per job.
     */
    OptionalInt mdtCount(byte[] root);

    /**
     * The index of the MDT that holds the inode of {@code name} in directory {@code parent} ({@code dIno} from the
     * listing), or -1 when it cannot be told (that entry then goes by inode-hash). It must name the MDT of the
     * inode, not of the name, so that all names of a hard-linked inode answer alike.
     */
    int mdtIndex(byte[] parent, byte[] name, long dIno);
}
