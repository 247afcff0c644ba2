package io.podheitor.hpc.shard;

import java.util.OptionalInt;

/**
 * What {@code strategy=lustre-mdt} needs from Lustre: how many MDTs the file system has and on which MDT an
 * entry's inode lives. The real implementation (liblustreapi over FFM, or {@code lfs}) lives in module
 * {@code hpc-lustre}; the backend hands it to {@link ShardSpec#strategy} (see {@code Sharding} and
 * {@code LustreMdtLookup} in hpc-backend's {@code backup} package). Implementations are called from many walker
 * threads at once.
 */
public interface MdtLookup {
    /** {@link #mdtIndex}: the entry's MDT cannot be told (not on Lustre, or gone): it goes by inode-hash. */
    int UNKNOWN = -1;
    /**
     * {@link #mdtIndex}: asking failed (an I/O error on Lustre). Another shard's job may have got an answer for
     * the same entry, so no shard can safely leave it to another: every shard saves it (it is never lost, and may
     * be in more than one shard's catalog); the lookup reports such entries in its job's log.
     */
    int FAILED = -2;

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
     * listing), {@link #UNKNOWN} when it cannot be told (that entry then goes by inode-hash), or {@link #FAILED}.
     * It must name the MDT of the inode, not of the name, so that all names of a hard-linked inode answer alike.
     */
    int mdtIndex(byte[] parent, byte[] name, long dIno);
}
