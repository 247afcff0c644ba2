package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.backend.job.JobEndAction;
import io.podheitor.hpc.backend.job.JobInfo;
import io.podheitor.hpc.backend.job.JobOutcome;
import io.podheitor.hpc.backend.job.PluginParams;
import io.podheitor.hpc.changelog.ceph.DirectoryRecorder;
import io.podheitor.hpc.changelog.ceph.DirectorySet;
import io.podheitor.hpc.changelog.ceph.Rctime;
import io.podheitor.hpc.changelog.ceph.RctimePruner;
import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.posix.PosixException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code mode=cephfs} (docs/ceph.md §7): every backup walks with an {@link RctimePruner}, which records the job's
 * directories for the next job and, in an Incremental or Differential that has a usable set of an earlier job,
 * leaves out the directories whose {@code ceph.dir.rctime} is older than Since minus {@code rctime_margin}. The new
 * set becomes the Job's only when the job ended OK ({@link JobEndAction}); any other outcome keeps the previous one.
 *
 * <p>The earlier set is usable when the job that wrote it started no later than this job's Since (plus
 * {@link #SINCE_SLACK}): a set newer than the last good backup (the FD finished but Bacula failed the job) could
 * name a directory renamed after that backup, which would then be pruned and never saved under its new name.
 */
final class CephIncrementals {
    /** How much later than Since the set's job may have started (Bacula's start time vs. the backend's clock). */
    static final long SINCE_SLACK = 60;
    /** An rctime more than this beyond now is "in the future" (reported once per job). */
    static final long FUTURE_TOLERANCE = 300;

    private CephIncrementals() {
    }

    static ChangeDriver decide(PluginParams params, JobInfo job, boolean withData, Consumer<JobEndAction> onJobEnd,
            Rctime.Reader reader, Instant now) {
        List<String> infos = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        if (!withData) {
            return ChangeDriver.walk();
        }
        byte[] root = params.path();
        String why = null;
        try {
            if (reader.nanos(root) < 0) {
                why = "has no ceph.dir.rctime";
            }
        } catch (PosixException | IllegalArgumentException e) {
            why = "has no readable ceph.dir.rctime (" + e.getMessage() + ")";
        }
        if (why != null) {
            warnings.add("mode=cephfs: \"" + PathText.render(root) + "\" " + why + ": not CephFS? The job walks the "
                    + "tree by time and keeps no directory set");
            return ChangeDriver.decided(new ChangeDriver.Choice.Walk(), infos, warnings);
        }
        if (onJobEnd == null) {
            warnings.add("mode=cephfs: this backend session cannot learn the job's outcome, so no directory set is "
                    + "kept: the job walks the tree by time");
            return ChangeDriver.decided(new ChangeDriver.Choice.Walk(), infos, warnings);
        }
        Path dir;
        Optional<DirectorySet> previous;
        try {
            dir = ChangeDriver.stateDirectory(params.changes().stateDir(), job.name())
                    .resolve("cephfs-" + ChangeDriver.shardName(params));
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            }
            try {
                previous = DirectorySet.open(dir);
            } catch (IOException e) {
                warnings.add("mode=cephfs: the directory set of an earlier job cannot be read (" + e.getMessage()
                        + "): this job prunes nothing and writes a new one");
                previous = Optional.empty();
            }
        } catch (IOException | RuntimeException e) {
            warnings.add("mode=cephfs: state directory: " + e.getMessage() + ": the job walks the tree by time and "
                    + "keeps no directory set");
            return ChangeDriver.decided(new ChangeDriver.Choice.Walk(), infos, warnings);
        }
        DirectorySet prune = null;
        long threshold = Long.MIN_VALUE;
        long margin = params.changes().rctimeMargin();
        if (job.isIncremental() && job.since() >= 0) {
            String level = job.level() == 'D' ? "Differential" : "Incremental";
            if (previous.isEmpty()) {
                infos.add("cephfs: no directory set of an earlier job yet: this " + level + " walks the tree by time "
                        + "and records the set for the next one");
            } else if (previous.get().meta().started() > job.since() + SINCE_SLACK) {
                infos.add("cephfs: the directory set (of job " + previous.get().meta().jobId() + ", started "
                        + Instant.ofEpochSecond(previous.get().meta().started()) + ") is newer than this " + level
                        + "'s Since (" + Instant.ofEpochSecond(job.since()) + "): the job walks the tree by time and "
                        + "records a new set");
            } else {
                prune = previous.get();
                threshold = (job.since() - margin) * 1_000_000_000L;
                infos.add("cephfs: rctime " + level + ": directories whose ceph.dir.rctime is before "
                        + Instant.ofEpochSecond(job.since() - margin) + " (Since " + Instant.ofEpochSecond(job.since())
                        + " minus rctime_margin " + margin + " s) are left out; directory set of job "
                        + prune.meta().jobId() + " (" + prune.meta().count() + " directories)");
            }
        }
        DirectoryRecorder recorder;
        try {
            recorder = DirectoryRecorder.create(dir, Long.toString(job.jobId()));
        } catch (IOException | RuntimeException e) {
            previous.ifPresent(DirectorySet::close);
            warnings.add("mode=cephfs: cannot start the directory set in " + dir + " (" + e.getMessage() + "): the "
                    + "job walks the tree by time");
            return ChangeDriver.decided(new ChangeDriver.Choice.Walk(), infos, warnings);
        }
        long futureNanos = (now.getEpochSecond() + FUTURE_TOLERANCE) * 1_000_000_000L;
        boolean verdicts = job.accurate() && job.isIncremental();
        RctimePruner pruner = new RctimePruner(reader, threshold, futureNanos, prune, recorder, verdicts);
        pruner.root(root);
        onJobEnd.accept(new CommitSet(recorder, previous, now.getEpochSecond(), job.jobId()));
        return ChangeDriver.decided(new ChangeDriver.Choice.PrunedWalk(pruner), infos, warnings);
    }

    /** The set's second phase: the new generation becomes CURRENT when the job ended OK, else it is dropped. */
    private record CommitSet(DirectoryRecorder recorder, Optional<DirectorySet> previous, long started, long jobId)
            implements JobEndAction {
        @Override
        public void onJobEnd(JobOutcome outcome) throws Exception {
            try (recorder) {
                if (outcome instanceof JobOutcome.Ok) {
                    recorder.commit(previous, started, jobId);
                } else {
                    recorder.abandon();
                }
            } finally {
                previous.ifPresent(DirectorySet::close);
            }
        }

        @Override
        public String name() {
            return "cephfs directory set";
        }
    }
}
