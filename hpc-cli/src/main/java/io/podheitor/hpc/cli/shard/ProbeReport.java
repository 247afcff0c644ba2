package io.podheitor.hpc.cli.shard;

import java.util.List;

/**
 * What {@code shard-probe} found, as printed and as its JSON (Jackson writes the record components in order).
 *
 * @param path        the tree (rendered: bytes that are not UTF-8 as \xNN)
 * @param strategy    inode-hash, mtime-bucket or lustre-mdt
 * @param shards      N
 * @param sample      the fraction of non-directories stat'ed (1 = all)
 * @param entries     entries the probe walk delivered (directories included)
 * @param directories directories among them
 * @param errors      entries that could not be read
 * @param statCalls   statx calls of the probe walk
 * @param shardStatCalls the statx calls the N shard jobs would make together (inode-hash: one walk's names plus
 *                    N-1 per directory; mtime-bucket: N walks' names), estimated from this walk
 * @param seconds     time the walk took
 * @param perShard    per shard: files and bytes (estimates, scaled by 1/sample, when sampling)
 * @param imbalance   max/mean over the shards of files and of bytes (1 = even)
 */
public record ProbeReport(String path, String strategy, int shards, double sample, long entries, long directories,
        long errors, long statCalls, long shardStatCalls, double seconds, List<Shard> perShard, Imbalance imbalance) {
    /** One shard's share. */
    public record Shard(int shard, long files, long bytes) {
    }

    /** max/mean of files and bytes over the shards (0 when there is nothing). */
    public record Imbalance(double files, double bytes) {
    }

    static double maxOverMean(long[] v) {
        long max = 0;
        double sum = 0;
        for (long x : v) {
            max = Math.max(max, x);
            sum += x;
        }
        return sum == 0 ? 0 : max / (sum / v.length);
    }
}
