package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.backend.job.JobInfo;
import io.podheitor.hpc.backend.job.PluginParams;
import io.podheitor.hpc.changelog.gpfs.GpfsChangeRun;
import io.podheitor.hpc.changelog.lustre.Tool;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * {@code mode=gpfs} (docs/changelog.md §5): an Incremental saves what a policy scan ({@link GpfsChangeRun}) lists as
 * changed at or after the job's Since time (the previous job's start, from Bacula: no cursor, no job-end action);
 * with Accurate its deletions come from the changed directories. A Full or Differential walks as every mode does.
 * Any failure of the scan: one warning and the walk.
 */
final class GpfsIncrementals {
    /**
     * The shim keeps KEEP/GONE names up to 512 MiB per job (docs/ptcomm.md §8); the scan's verdicts may take this
     * much, the rest stays for the KEEPs of entries that cannot be read.
     */
    static final long VERDICT_LIMIT = 448L << 20;

    private GpfsIncrementals() {
    }

    static ChangeDriver decide(PluginParams params, JobInfo job, Optional<Tool> tool) {
        List<String> infos = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        if (params.changes().changelogUser() != null) {
            warnings.add("changelog_user is read only with mode=lustre (this job: mode=gpfs): ignored");
        }
        if (job.level() != 'I') {
            return ChangeDriver.decided(new ChangeDriver.Choice.Walk(), infos, warnings);
        }
        byte[] root = params.path();
        GpfsChangeRun.Plan plan = GpfsChangeRun.incremental(tool.orElse(null), root, job.since(),
                params.changes().gpfsPolicyArgs(), params.spillDir(), job.accurate() ? VERDICT_LIMIT : 0);
        return switch (plan) {
            case GpfsChangeRun.Plan.FullWalk f -> {
                warnings.add(f.reason());
                yield ChangeDriver.decided(new ChangeDriver.Choice.Walk(), infos, warnings);
            }
            case GpfsChangeRun.Plan.Changes c -> {
                infos.add("gpfs: policy scan of changes since " + Instant.ofEpochSecond(job.since()) + ": "
                        + c.entries() + " listed, " + c.saves().size() + " paths to save, " + c.listed().size()
                        + " changed directories" + (c.walked().isEmpty() ? "" : ", " + c.walked().size()
                        + " renamed or re-permissioned directories saved whole")
                        + (c.skipped() > 0 ? ", " + c.skipped() + " outside this job's path" : "")
                        + (job.accurate() ? "" : "; without Accurate the deletions are not recorded"));
                ChangeDriver.Choice.Changes choice = new ChangeDriver.Choice.Changes(c.saves(),
                        job.accurate() ? () -> c.verdicts(root) : Collections::emptyIterator);
                yield ChangeDriver.decided(choice, infos, warnings);
            }
        };
    }
}
