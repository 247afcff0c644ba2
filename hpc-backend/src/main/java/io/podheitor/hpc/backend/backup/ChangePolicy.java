package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.backend.job.JobInfo;
import io.podheitor.hpc.source.ChangedSince;

/**
 * The one home of "which entries does this job send": the Incremental/Differential time rule and Accurate mode
 * (docs/ptcomm.md §4.6, §8).
 *
 * <ul>
 *   <li>Full (or no Since): everything.
 *   <li>Incremental/Differential without Accurate (and every estimate): the source delivers only entries changed
 *       since Since ({@link ChangedSince}: mtime or ctime, directories always).
 *   <li>Accurate Incremental/Differential backup: the source delivers every entry and each one is CHECKed
 *       ({@link #checkEvery}); the shim's checkChanges decides. The time rule then only says which files are
 *       worth reading ahead: one whose times are old is most likely unchanged.
 * </ul>
 *
 * @param checkEvery every entry is CHECKed before it is sent (accurate Incremental/Differential backup)
 * @param delivered  what the entry source delivers at all
 * @param readAhead  which delivered entries the walker reads ahead (data and extended attributes)
 */
public record ChangePolicy(boolean checkEvery, ChangedSince delivered, ChangedSince readAhead) {
    /** The policy of a job: its level, Since and Accurate flag; {@code withData} false for an estimate. */
    public static ChangePolicy of(JobInfo job, boolean withData) {
        ChangedSince rule = job.isIncremental() && job.since() >= 0 ? new ChangedSince(job.since())
                : ChangedSince.EVERYTHING;
        boolean checkEvery = withData && job.accurate() && job.isIncremental();
        return new ChangePolicy(checkEvery, checkEvery ? ChangedSince.EVERYTHING : rule, rule);
    }
}
