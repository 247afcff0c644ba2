package io.podheitor.hpc.shard;

import io.podheitor.hpc.posix.FileMode;
import io.podheitor.hpc.posix.StatX;

/**
 * {@code strategy=inode-hash}: a non-directory belongs to shard {@code ShardHash.shardOf(ino, dev, N)}, decided in
 * {@link #admitsName} from the {@code d_ino} the listing returned, before any stat, so the N shards together stat
 * each non-directory once. Directories are walked and saved by every shard (they are what a shard's restore
 * needs around its files). All names of an inode share its number, so a hard-link group never splits.
 *
 * <p>{@code dev} is the file system's number within the walk, not {@code st_dev}: 0 for the file system of
 * {@code path=}, the only one a backup walks (it never descends into a mount point). The device numbers of
 * network file systems (Lustre, NFS, CephFS) are given out at mount time and differ between hosts and remounts;
 * hashing them would move every file to another shard between a Full and its Incremental.
 *
 * <p>When the listing cannot tell (type {@code DT_UNKNOWN}, or {@code d_ino} 0) the name is stat'ed and the
 * decision is taken once, after the stat ({@link #admitsListed}), from {@code d_ino} or else {@code st_ino}.
 */
public record InodeHash(Shard shard) implements ShardStrategy {
    /** The {@code dev} of the hash for the file system of {@code path=}. */
    public static final long ROOT_FILE_SYSTEM = 0;

    /** Does this shard own the non-directory with inode number {@code ino}? */
    public boolean owns(long ino) {
        return owns(shard, ino);
    }

    /** Does {@code shard} own the non-directory with inode number {@code ino} by inode-hash? */
    static boolean owns(Shard shard, long ino) {
        return shard.owns(ShardHash.shardOf(ino, ROOT_FILE_SYSTEM, shard.n()));
    }

    /** True when {@link #admitsName} decided a non-directory from its listing alone. */
    static boolean decidedFromListing(long dIno, int dType) {
        return dIno != 0 && dType != FileMode.DT_UNKNOWN && dType != FileMode.DT_DIR;
    }

    @Override
    public boolean admitsName(byte[] parent, byte[] name, long dIno, int dType) {
        return !decidedFromListing(dIno, dType) || owns(dIno);
    }

    @Override
    public boolean admitsListed(byte[] path, StatX st, long dIno, int dType) {
        if (st.isDirectory() || decidedFromListing(dIno, dType)) {
            return true;
        }
        return owns(dIno != 0 ? dIno : st.ino());
    }

    /** The root, or an entry that was not listed: directories pass, a non-directory by its inode. */
    @Override
    public boolean admits(byte[] path, StatX st) {
        return st.isDirectory() || owns(st.ino());
    }

    @Override
    public String describe() {
        return "inode-hash " + shard;
    }

    @Override
    public boolean decidesBeforeStat() {
        return true;
    }
}
