package io.podheitor.hpc.source;

/**
 * What a source has done so far, for progress lines and the job summary.
 *
 * @param entries           entries delivered
 * @param errors            errors delivered
 * @param largestDirectory  the directory with the most names listed so far (raw bytes), or null
 * @param largestEntries    how many names it had
 * @param threads           the source's parallelism (walker threads), 0 when it has none of its own
 * @param statCalls         metadata calls on names so far (the walk: one statx per name it stat'ed, the root's
 *                          lstat included; the fstat of a file it opened is not counted), 0 when not counted
 */
public record SourceStats(long entries, long errors, byte[] largestDirectory, long largestEntries, int threads,
        long statCalls) {
    public SourceStats(long entries, long errors, byte[] largestDirectory, long largestEntries, int threads) {
        this(entries, errors, largestDirectory, largestEntries, threads, 0);
    }
}
