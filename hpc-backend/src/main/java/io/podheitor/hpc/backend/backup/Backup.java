package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.backend.job.JobInfo;
import io.podheitor.hpc.backend.throttle.ThrottleWatcher;
import io.podheitor.hpc.walker.WalkLimits;
import io.podheitor.hpc.walker.WalkOptions;
import io.podheitor.hpc.backend.job.Mode;
import io.podheitor.hpc.lustre.Lustre;
import io.podheitor.hpc.backend.job.PluginParams;
import io.podheitor.hpc.posix.Mounts;
import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.ptcomm.FrameWriter;
import io.podheitor.hpc.ptcomm.Status;
import io.podheitor.hpc.source.EntryFilter;
import io.podheitor.hpc.source.EntrySource;
import io.podheitor.hpc.source.Relocation;
import java.io.IOException;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import io.podheitor.hpc.backend.job.JobEndAction;
import io.podheitor.hpc.lustre.MdtLookup;

/**
 * One backup or estimate, assembled: entry source (from {@link SourceFactory}) -> checks -> writer with its data
 * readers -> frames. The session calls {@link #run} after it answered BackupStart/EstimateStart with F.
 *
 * @param out     frames to the shim
 * @param answers the shim's answers to CHECKs (read by the session's input thread)
 * @param stop    true once the shim went away or sent something unexpected (cancels the backup)
 * @param opener  how regular files are opened for their data: null = below the {@code path=} root's descriptor,
 *                never through a link (production); tests inject another
 * @param clock   the time of progress lines and the summary ({@link InstantSource#system()}; tests inject)
 * @param onJobEnd registers what must happen once the job's outcome is known (the changelog cursor's commit), or
 *                null
 * @param handoff the handoff socket the shim offered (large files' descriptors go over it, docs/ptcomm.md §4.1c), or
 *                null (every byte as D packets)
 */
public record Backup(FrameWriter out, EntryChecks.Answers answers, BooleanSupplier stop, FileOpener opener,
        InstantSource clock, Consumer<JobEndAction> onJobEnd, HandoffChannel handoff) {
    /** Without a handoff socket. */
    public Backup(FrameWriter out, EntryChecks.Answers answers, BooleanSupplier stop, FileOpener opener,
            InstantSource clock, Consumer<JobEndAction> onJobEnd) {
        this(out, answers, stop, opener, clock, onJobEnd, null);
    }

    /** Without job-end actions (no cursor of a change source is kept: Incrementals walk). */
    public Backup(FrameWriter out, EntryChecks.Answers answers, BooleanSupplier stop, FileOpener opener,
            InstantSource clock) {
        this(out, answers, stop, opener, clock, null);
    }

    /**
     * Streams the records of the job (docs/ptcomm.md §4) and the final F.
     *
     * @param withData backup (true) or estimate (false)
     * @return false if stopped early (no final F sent)
     */
    public boolean run(PluginParams params, JobInfo job, boolean withData) throws IOException {
        if (!params.snapshot() || !withData) {
            return run(params, job, withData, null);
        }
        // snapshot=yes (docs/ceph.md, "snapshot=yes"): made before anything is read, removed at job end whatever
        // the outcome (with a job-end seam, armed before the mkdir: a cancel just then removes it); an estimate
        // lists the live tree
        CephSnapshot snapshot;
        try {
            snapshot = CephSnapshot.take(params, job, Mounts.SELF, this::jobLogInfo, onJobEnd);
        } catch (CephSnapshot.Refused e) {
            out.message(Status.ABORT, e.getMessage());
            out.flush();
            return false;
        }
        if (onJobEnd != null) {
            return run(params, job, withData, snapshot);
        }
        try { // no job-end actions in this session: removed when the backup is done
            return run(params, job, withData, snapshot);
        } finally {
            try {
                snapshot.remove();
            } catch (IOException e) {
                System.err.println("podheitor-hpc backend: " + e.getMessage());
            }
        }
    }

    private void jobLogInfo(String text) {
        try {
            out.message(Status.INFO, text);
        } catch (IOException e) {
            System.err.println("podheitor-hpc backend: " + text);
        }
    }

    /** The backup or estimate, reading {@code snapshot} instead of the live tree when it is not null. */
    boolean run(PluginParams params, JobInfo job, boolean withData, CephSnapshot snapshot) throws IOException {
        ChangePolicy policy = ChangePolicy.of(job, withData);
        EntryChecks checks = new EntryChecks(out, answers, stop);
        JobReport report = new JobReport();
        EntryWriter.Keeper keeper = policy.checkEvery() ? checks::keepUnlessGone : (path, failure) -> { };
        BackupRoot root;
        try {
            root = BackupRoot.of(params.path(), snapshot == null ? params.path() : snapshot.dir());
        } catch (PosixException e) {
            out.message(Status.ABORT, "path \"" + PathText.render(params.path()) + "\": " + e.strerror());
            out.flush();
            return false;
        }
        String rootWarning = withData ? fileSystemRootWarning(Mounts.SELF, params.path()) : null;
        MetadataCollector meta = new MetadataCollector(out, params.aclSupport(), params.xattrSupport(), root);
        // the throttle (docs/throttle.md): checked once before the walk starts, then every 5 s on its own thread
        try (root; ThrottleWatcher throttle = new ThrottleWatcher(params.throttleFile(), params.threads(),
                        withData ? WalkOptions.DEFAULT_READ_AHEAD_BUDGET : 0).start(ThrottleWatcher.PERIOD_MS);
                Sharding sharding = Sharding.of(params, job, withData);
                ChangeDriver changes = ChangeDriver.of(params, job, withData, onJobEnd, MdtLookup::system);
                HardLinks links = new HardLinks(params.hardlinkMemory(), params.spillDir(), out);
                EntrySource source = openSource(params, job, policy, withData, sharding, changes, snapshot,
                        throttle.walkLimits());
                DataReaders readers = DataReaders.forJob(params, withData ? handoff : null)) {
            if (snapshot != null) {
                for (String i : snapshot.infos()) {
                    out.message(Status.INFO, i);
                }
                for (String w : snapshot.warnings()) {
                    out.message(Status.WARNING, w);
                }
                if (source == null) {
                    out.message(Status.ABORT, "snapshot=yes: this job's change source names live paths, which "
                            + "cannot be read in the snapshot; the job does not back up the live tree instead");
                    out.flush();
                    return false;
                }
            }
            for (String i : changes.infos()) {
                out.message(Status.INFO, i);
            }
            for (String w : changes.warnings()) {
                out.message(Status.WARNING, w);
            }
            if (rootWarning != null) {
                out.message(Status.WARNING, rootWarning);
            }
            if (sharding.describe() != null) {
                out.message(Status.INFO, sharding.describe());
            }
            for (String w : sharding.warnings()) {
                out.message(Status.WARNING, w);
            }
            report.closingWarning(sharding::closingWarning);
            if (changes.choice() instanceof ChangeDriver.Choice.PerTargetWalk t) {
                report.closingInfo(t.report()::summary);
            }
            if (changes.choice() instanceof ChangeDriver.Choice.PrunedWalk p) {
                report.closingInfo(p.pruner()::summary);
                report.closingWarning(p.pruner()::warning);
            }
            FileLayouts layouts = params.mode() == Mode.LUSTRE && withData ? FileLayouts.lustre(Lustre.get())
                    : FileLayouts.NONE;
            report.closingWarning(layouts::closingWarning);
            readers.reportTo(report);
            EntryWriter writer = new EntryWriter(out, withData, links, meta, readers,
                    opener != null ? opener : root, report, keeper, stop,
                    new LayoutCarrier(layouts, params.mode() == Mode.LUSTRE));
            MetricsFile metrics = params.metricsDir() == null ? null : new MetricsFile(params.metricsDir(), job.name(),
                    job.jobId(), text -> out.message(Status.WARNING, text));
            Progress progress = new Progress(out, clock, params.progressMinutes(), metrics);
            return new Emitter(out, source, checks, writer, report, links, policy.checkEvery(), stop, params.path(),
                    progress, throttle.pacing()).run();
        }
    }

    /**
     * The job's entry source ({@link SourceFactory}); with a snapshot, the walk of the snapshot, its filter and its
     * items seeing the live paths ({@link CephSnapshot#relocation()}); null when the job's change source is not a
     * walk (its paths are live ones). A CephFS rctime walk prunes by the live directories' rctimes.
     */
    private static EntrySource openSource(PluginParams params, JobInfo job, ChangePolicy policy, boolean withData,
            Sharding sharding, ChangeDriver changes, CephSnapshot snapshot, WalkLimits limits) {
        if (snapshot == null) {
            return SourceFactory.open(params, job, policy, withData, sharding.filter(), changes.choice(), limits);
        }
        Relocation r = snapshot.relocation();
        ChangeDriver.Choice choice = switch (changes.choice()) {
            case ChangeDriver.Choice.Walk w -> w;
            // the rctime of the live directory: at least the snapshot's, so a subtree it leaves out is unchanged in
            // the snapshot too; the directory set and the KEEPs name live paths
            case ChangeDriver.Choice.PrunedWalk p -> p.relocated(r);
            // the partition names live top directories: the snapshot is walked plainly
            case ChangeDriver.Choice.PerTargetWalk t -> new ChangeDriver.Choice.Walk();
            case ChangeDriver.Choice.Changes c -> null;
        };
        if (choice == null) {
            return null;
        }
        return r.source(SourceFactory.open(params.withPath(snapshot.dir()), job, policy, withData,
                r.filter(sharding.filter()), choice, limits));
    }

    /**
     * The whitepaper's first anti-pattern: {@code path=} is exactly the mount point of a parallel file system (the
     * whole file system in one job). One job-log warning at backup time, the text of docs/doctor.md; null when
     * PATH is anything else or the mount table cannot be read.
     */
    static String fileSystemRootWarning(Path mountinfo, byte[] path) {
        try {
            return Mounts.parallelRootAt(Mounts.read(mountinfo), path).map(m -> Mounts.rootWarning(path, m))
                    .orElse(null);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
