package io.podheitor.hpc.cli.shard;

import io.podheitor.hpc.posix.FileMode;
import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.shard.ShardHash;
import io.podheitor.hpc.source.EntryFilter;

/**
 * shard-probe's {@code --sample F}: a fraction F of the non-directories is stat'ed, chosen by the hash of the
 * listed inode number with file-system slot 1 (independent of the shard hash, which uses slot 0), before the stat
 * as inode-hash decides. Every directory is walked.
 */
record SampleFilter(double fraction) implements EntryFilter {
    boolean sampled(long ino) {
        if (fraction >= 1) {
            return true;
        }
        // the hash's top 53 bits as a number in [0, 1)
        return (ShardHash.hash(ino, 1) >>> 11) * 0x1.0p-53 < fraction;
    }

    private static boolean decidedFromListing(long dIno, int dType) {
        return dIno != 0 && dType != FileMode.DT_UNKNOWN && dType != FileMode.DT_DIR;
    }

    @Override
    public boolean admitsName(byte[] parent, byte[] name, long dIno, int dType) {
        return !decidedFromListing(dIno, dType) || sampled(dIno);
    }

    @Override
    public boolean admitsListed(byte[] path, StatX st, long dIno, int dType) {
        return st.isDirectory() || decidedFromListing(dIno, dType) || sampled(dIno != 0 ? dIno : st.ino());
    }
}
