package io.podheitor.hpc.source;

/**
 * What a source has done so far, for progress lines and the job summary.
 *
 * @param entries           entries delivered
 * @param errors            errors delivered
 * @param largestDirectory  the directory with the most names listed so far (raw bytes), or null
 * @param largestEntries    how many names it had
 * @param threads           the source's parallelism (walker threads), 0 when it has none of its own
 */
public record SourceStats(long entries, long errors, byte[] largestDirectory, long largestEntries, int threads) {
}
