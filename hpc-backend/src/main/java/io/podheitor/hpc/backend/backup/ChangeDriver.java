package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.backend.job.JobEndAction;
import io.podheitor.hpc.backend.job.JobInfo;
import io.podheitor.hpc.backend.job.JobOutcome;
import io.podheitor.hpc.backend.job.Mode;
import io.podheitor.hpc.backend.job.PluginParams;
import io.podheitor.hpc.changelog.gpfs.GpfsChangeRun;
import io.podheitor.hpc.changelog.lustre.LfsFid2Path;
import io.podheitor.hpc.changelog.lustre.LustreChangeRun;
import io.podheitor.hpc.changelog.lustre.LustreChangelogTools;
import io.podheitor.hpc.changelog.lustre.Tool;
import io.podheitor.hpc.changelog.state.CursorStore;
import io.podheitor.hpc.lustre.LustreTarget;
import io.podheitor.hpc.lustre.MdtLookup;
import io.podheitor.hpc.changelog.source.ChangeSetSource;
import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.source.CatalogVerdict;
import io.podheitor.hpc.source.SourceItem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Per backup job: does a change source (today the Lustre changelog, key {@code changelog_user}) decide what this
 * job saves, or does it walk? One place that reads the level, the mode, the keys and the cursor state; the
 * {@link SourceFactory} turns its {@link #choice()} into the entry source. Its decisions go to the job log
 * ({@link #infos()}, {@link #warnings()}).
 *
 * <ul>
 *   <li>No {@code changelog_user}, an estimate, or a mode other than lustre: walk, nothing recorded.
 *   <li>Full: walk; the MDTs' current last records become the pending cursor before the walk starts.
 *   <li>Incremental: the changelogs after the committed cursor ({@link LustreChangeRun}); any MDT that cannot be
 *       trusted: a full walk, with one warning per MDT.
 *   <li>Differential: walk by time, cursor untouched (it belongs to the Incrementals: a Differential saves
 *       everything since the Full, the changelog only what changed since the last run).
 * </ul>
 *
 * A pending cursor is committed ({@code lfs changelog_clear}) by a {@link JobEndAction} only when the job ended OK,
 * and dropped otherwise, so that a failed or cancelled job's changes are read again.
 */
final class ChangeDriver implements AutoCloseable {
    /** What the job's entry source is. */
    sealed interface Choice {
        /** The walk (with the job's time rule). */
        record Walk() implements Choice {
        }

        /**
         * The walk, with a filter that leaves out unchanged subtrees and states KEEP for each (mode=cephfs: the
         * rctime of each directory, {@link CephIncrementals}).
         */
        record PrunedWalk(io.podheitor.hpc.changelog.ceph.RctimePruner pruner, io.podheitor.hpc.source.EntryFilter asked)
                implements Choice {
            PrunedWalk(io.podheitor.hpc.changelog.ceph.RctimePruner pruner) {
                this(pruner, pruner);
            }

            /** The walk of a snapshot: the pruner is asked about (and records, and KEEPs) the live paths. */
            PrunedWalk relocated(io.podheitor.hpc.source.Relocation r) {
                return new PrunedWalk(pruner, r.filter(pruner));
            }
        }

        /**
         * The walk split over BeeGFS metadata targets: one walk per target over the top directories it owns, with
         * the job's time rule and filter (mode=beegfs, {@link BeegfsIncrementals}); {@code report} collects what
         * each target's walk did, for the job log.
         */
        record PerTargetWalk(io.podheitor.hpc.changelog.beegfs.OwnerPartition partition,
                io.podheitor.hpc.changelog.beegfs.TargetReport report) implements Choice {
        }

        /**
         * The changes a change source named: the paths to save, and what it states about the earlier catalog
         * (KEEP/GONE verdicts, made when the source opens, maybe lazily; they matter in an Accurate job only).
         */
        record Changes(List<ChangeSetSource.Change> saves, Supplier<Iterator<? extends SourceItem>> verdicts)
                implements Choice {
            /** The Lustre changelog's: KEEP the root, GONE every deleted path. */
            Changes(LustreChangeRun.Plan.Changes plan, byte[] root) {
                this(plan.saves(), () -> {
                    List<CatalogVerdict> v = new ArrayList<>(plan.deletions().size() + 1);
                    v.add(CatalogVerdict.keep(root));
                    for (byte[] d : plan.deletions()) {
                        v.add(CatalogVerdict.gone(d));
                    }
                    return v.iterator();
                });
            }
        }
    }

    private static final Pattern UNIQUE_SUFFIX = Pattern.compile("\\.\\d{4}-\\d{2}-\\d{2}_\\d{2}\\.\\d{2}\\.\\d{2}_\\d+$");
    private static final Duration LOCK_WAIT = Duration.ofSeconds(30);
    private static final int FID2PATH_BATCH = 512;

    private final Choice choice;
    private final List<String> infos;
    private final List<String> warnings;
    private final CursorStore store; // open until the job-end action ran (or closed at once when none)
    private final boolean actionRegistered;

    private ChangeDriver(Choice choice, List<String> infos, List<String> warnings, CursorStore store,
            boolean actionRegistered) {
        this.choice = choice;
        this.infos = List.copyOf(infos);
        this.warnings = List.copyOf(warnings);
        this.store = store;
        this.actionRegistered = actionRegistered;
    }

    /** A decision made elsewhere (a driver without cursor state: {@link GpfsIncrementals}). */
    static ChangeDriver decided(Choice choice, List<String> infos, List<String> warnings) {
        return new ChangeDriver(choice, infos, warnings, null, false);
    }

    static ChangeDriver walk() {
        return new ChangeDriver(new Choice.Walk(), List.of(), List.of(), null, false);
    }

    Choice choice() {
        return choice;
    }

    List<String> infos() {
        return infos;
    }

    List<String> warnings() {
        return warnings;
    }

    /**
     * Decides for one job.
     *
     * @param onJobEnd registers the commit/abandon of the cursor (null: no job-end actions in this session; then no
     *                 cursor is ever recorded, and Incrementals walk)
     */
    static ChangeDriver of(PluginParams params, JobInfo job, boolean withData, Consumer<JobEndAction> onJobEnd,
            Supplier<MdtLookup> lookups) {
        if (params.mode() == Mode.GPFS && withData) {
            return GpfsIncrementals.decide(params, job, GpfsChangeRun.findTool());
        }
        if (params.mode() == Mode.BEEGFS) {
            return BeegfsIncrementals.decide(params, withData,
                    withData ? io.podheitor.hpc.changelog.beegfs.BeegfsCtl.onPath() : Optional.empty());
        }
        if (params.mode() == Mode.CEPHFS && withData) {
            return CephIncrementals.decide(params, job, withData, onJobEnd,
                    io.podheitor.hpc.changelog.ceph.Rctime.XATTR, Instant.now());
        }
        String consumer = params.changes().changelogUser();
        if (consumer == null || !withData) {
            return walk();
        }
        List<String> infos = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        if (params.mode() != Mode.LUSTRE) {
            warnings.add("changelog_user is read only with mode=lustre (this job: mode=" + params.mode().key()
                    + "): the job walks the tree");
            return decided(new Choice.Walk(), infos, warnings);
        }
        if (onJobEnd == null) {
            warnings.add("changelog: this backend session cannot learn the job's outcome, so no cursor is kept: "
                    + "the job walks the tree");
            return decided(new Choice.Walk(), infos, warnings);
        }
        if (job.level() == 'D') {
            infos.add("changelog: a Differential walks the tree by time (the changelog cursor belongs to the "
                    + "Incrementals and is left as it is)");
            return decided(new Choice.Walk(), infos, warnings);
        }
        Optional<Tool> lfs = Tool.onPath("lfs");
        if (lfs.isEmpty()) {
            warnings.add("changelog: no lfs on the backend's PATH: the job walks the tree and no cursor is kept");
            return decided(new Choice.Walk(), infos, warnings);
        }
        LustreChangelogTools tools = new LustreChangelogTools(lfs.get(), Tool.onPath("lctl"));
        List<String> mdts;
        String fsname;
        try (MdtLookup lookup = lookups.get()) {
            List<LustreTarget> targets = lookup.mdts(params.path());
            mdts = new ArrayList<>();
            fsname = null;
            for (LustreTarget t : targets) {
                String device = t.uuid().endsWith("_UUID") ? t.uuid().substring(0, t.uuid().length() - 5) : t.uuid();
                mdts.add(device);
                int dash = device.lastIndexOf("-MDT");
                if (fsname == null && dash > 0) {
                    fsname = device.substring(0, dash);
                }
            }
        } catch (Exception e) {
            warnings.add("changelog: cannot list the MDTs of \"" + PathText.render(params.path()) + "\" ("
                    + e.getMessage() + "): the job walks the tree and no cursor is kept");
            return decided(new Choice.Walk(), infos, warnings);
        }
        if (mdts.isEmpty() || fsname == null) {
            warnings.add("changelog: \"" + PathText.render(params.path()) + "\" is not on Lustre (no MDT found): "
                    + "the job walks the tree and no cursor is kept");
            return decided(new Choice.Walk(), infos, warnings);
        }
        CursorStore store;
        Path dir;
        try {
            dir = stateDirectory(params.changes().stateDir(), job.name());
            store = CursorStore.open(dir, shardName(params), LOCK_WAIT);
        } catch (IOException | RuntimeException e) {
            warnings.add("changelog: state directory: " + e.getMessage() + ": the job walks the tree and no "
                    + "cursor is kept");
            return decided(new Choice.Walk(), infos, warnings);
        }
        try {
            Choice choice;
            Map<String, Long> pending;
            if (job.level() == 'F') {
                pending = LustreChangeRun.full(tools, store, mdts, consumer, Instant.now());
                infos.add("changelog: a Full walks; cursor " + pending + " (consumer " + consumer + ") taken before "
                        + "the walk, kept when the job ends OK (" + store.file() + ")");
                choice = new Choice.Walk();
            } else {
                long t0 = System.nanoTime();
                LustreChangeRun.Plan plan = LustreChangeRun.incremental(tools,
                        new LfsFid2Path(lfs.get(), fsname, FID2PATH_BATCH, true), store, mdts, consumer,
                        params.path(), io.podheitor.hpc.changelog.lustre.ChangeCollapser.DEFAULT_MAX_ENTRIES,
                        Instant.now());
                switch (plan) {
                    case LustreChangeRun.Plan.FullWalk f -> {
                        warnings.addAll(f.reasons());
                        choice = new Choice.Walk();
                        pending = f.lastRecords();
                    }
                    case LustreChangeRun.Plan.Changes c -> {
                        infos.add("changelog: " + c.records() + " records of " + mdts.size() + " MDT(s) read up to "
                                + c.lastRecords() + " (consumer " + consumer + "): " + c.saves().size()
                                + " paths to save, " + c.deletions().size() + " deleted"
                                + (c.skipped() > 0 ? ", " + c.skipped() + " outside this job's path" : "")
                                + (c.unresolved() > 0 ? ", " + c.unresolved() + " no longer there" : "")
                                + String.format(java.util.Locale.ROOT, " (read and placed in %.1f s)",
                                        (System.nanoTime() - t0) / 1e9)
                                + (job.accurate() ? "" : "; without Accurate the deletions are not recorded"));
                        choice = new Choice.Changes(c, params.path());
                        pending = c.lastRecords();
                    }
                }
            }
            onJobEnd.accept(new CommitCursor(store, tools, consumer, pending));
            return new ChangeDriver(choice, infos, warnings, store, true);
        } catch (IOException | RuntimeException e) {
            try {
                store.abandon();
                store.close();
            } catch (IOException ignored) {
                // the state stays as it was: the next run decides again
            }
            warnings.add("changelog: " + e.getMessage() + ": the job walks the tree and no cursor is kept");
            return decided(new Choice.Walk(), infos, warnings);
        }
    }

    /** The cursor's second phase: commit and clear when the job ended OK, else forget what it read. */
    private record CommitCursor(CursorStore store, LustreChangelogTools tools, String consumer,
            Map<String, Long> pending) implements JobEndAction {
        @Override
        public void onJobEnd(JobOutcome outcome) throws Exception {
            try (store) {
                if (!(outcome instanceof JobOutcome.Ok)) {
                    store.abandon();
                    return;
                }
                List<String> problems = new ArrayList<>();
                for (CursorStore.Cleared c : store.commit((mdt, user, end) ->
                        tools.clear(mdt, user, end) != LustreChangelogTools.ClearResult.NO_SUCH_CONSUMER)) {
                    if (c.status() != CursorStore.Cleared.Status.CLEARED) {
                        problems.add(c.mdt() + ": " + c.message());
                    }
                }
                if (!problems.isEmpty()) {
                    throw new IOException("changelog records not cleared (" + String.join("; ", problems)
                            + "); the cursor is kept and the next job retries");
                }
            }
        }

        @Override
        public String name() {
            return "changelog cursor";
        }
    }

    /** Where one Job's state lives: {@code base/JOB}, JOB the Job resource's name (made safe for a file name). */
    static Path stateDirectory(Path base, String uniqueJobName) throws IOException {
        String job = UNIQUE_SUFFIX.matcher(uniqueJobName).replaceFirst("");
        StringBuilder safe = new StringBuilder();
        for (char c : job.toCharArray()) {
            safe.append(Character.isLetterOrDigit(c) && c < 128 || c == '-' || c == '_' || c == '.' ? c : '_');
        }
        if (safe.isEmpty() || safe.toString().startsWith(".")) {
            safe.insert(0, "job");
        }
        if (!safe.toString().equals(job)) {
            safe.append('-').append(Integer.toHexString(job.hashCode()));
        }
        trusted(base, true);
        Path dir = base.resolve(safe.toString());
        trusted(dir, true);
        return dir;
    }

    /** Root's own (the backend's uid), a directory, not a link, not writable by group or others; created 0700. */
    private static void trusted(Path dir, boolean create) throws IOException {
        if (create && !Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        PosixFileAttributes a = Files.readAttributes(dir, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        if (!a.isDirectory()) {
            throw new IOException(dir + " is not a directory");
        }
        Object uid = Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        Object me = Files.getAttribute(Path.of("/proc/self"), "unix:uid"); // this process's uid
        if (!uid.equals(me)) {
            throw new IOException(dir + " is not owned by uid " + me);
        }
        if (a.permissions().contains(PosixFilePermission.GROUP_WRITE)
                || a.permissions().contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new IOException(dir + " is writable by group or others");
        }
    }

    static String shardName(PluginParams params) {
        if (params.sharding() == null) {
            return "all";
        }
        var spec = params.sharding();
        String name = spec.strategy().key() + (spec.shard() == null ? "" : "-" + spec.shard().k() + "-of-" + spec.shard().n());
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    @Override
    public void close() {
        if (store != null && !actionRegistered) {
            try {
                store.close();
            } catch (IOException ignored) {
                // nothing was recorded by this job
            }
        }
    }
}
