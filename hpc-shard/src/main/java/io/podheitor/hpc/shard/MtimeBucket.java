package io.podheitor.hpc.shard;

import io.podheitor.hpc.posix.StatX;

/**
 * {@code strategy=mtime-bucket}: a non-directory belongs to shard {@code ShardHash.shardOf(floor(mtime / W), 0, N)}
 * with W = {@code mtime_bucket} seconds, so the files an Incremental finds changed, spread over time, are
 * spread over the shards. The mtime needs the stat: every shard stats every name (N stats per file, unlike
 * inode-hash). Directories are walked and saved by every shard. All names of an inode share its mtime, so a
 * hard-link group never splits.
 *
 * <p>A file whose mtime changes may move to another shard: the new shard finds it new and saves it; the old shard
 * no longer sends it, so an Accurate Incremental of the old shard records it deleted there. Nothing is lost, and
 * the latest state of all shards holds it exactly once. Without Accurate the old shard's catalog keeps the old
 * copy as its latest (docs/sharding.md §5).
 */
public record MtimeBucket(Shard shard, long bucketSeconds) implements ShardStrategy {
    /** The default of plugin key {@code mtime_bucket}. */
    public static final long DEFAULT_BUCKET_SECONDS = 60;

    public MtimeBucket {
        if (bucketSeconds < 1) {
            throw new IllegalArgumentException("mtime bucket must be at least 1 second, not " + bucketSeconds);
        }
    }

    /** The shard 0..n-1 of a file with this mtime (unix seconds). */
    public static int shardOf(long mtimeSec, long bucketSeconds, int n) {
        return ShardHash.shardOf(Math.floorDiv(mtimeSec, bucketSeconds), 0, n);
    }

    @Override
    public boolean admitsListed(byte[] path, StatX st, long dIno, int dType) {
        return admits(path, st);
    }

    @Override
    public boolean admits(byte[] path, StatX st) {
        return st.isDirectory() || shard.owns(shardOf(st.mtimeSec(), bucketSeconds, shard.n()));
    }

    @Override
    public String describe() {
        return "mtime-bucket " + shard + " (" + bucketSeconds + " s buckets)";
    }

    @Override
    public boolean decidesBeforeStat() {
        return false;
    }
}
