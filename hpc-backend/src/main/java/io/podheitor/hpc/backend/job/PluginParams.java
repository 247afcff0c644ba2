package io.podheitor.hpc.backend.job;

import io.podheitor.hpc.changelog.gpfs.GpfsChangeRun;
import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.ptcomm.KeySpec;
import io.podheitor.hpc.ptcomm.PluginKeyException;
import io.podheitor.hpc.ptcomm.PluginKeys;
import io.podheitor.hpc.shard.ShardSpec;
import io.podheitor.hpc.walker.Paths;
import io.podheitor.hpc.walker.WalkOptions;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The plugin-string keys of the Params block, typed and validated (the shim validated them already; the
 * backend checks again and answers {@code A} naming the key). The keys and their checks are the table
 * plugin-keys.toml ({@link PluginKeys}), shared with the shim and the README.
 *
 * @param path         absolute root of the backup, raw bytes, trailing slashes removed
 * @param mode         the file system driver (mode=posix, lustre, gpfs, cephfs, beegfs or weka)
 * @param threads      walker parallelism, 1..1024
 * @param channelDepth walker channel bound, 1..1048576
 * @param backend      the backend launcher the shim was told to use (informational), or null
 * @param aclSupport   aclsupport=yes|no: save/restore POSIX ACLs (system.posix_acl_* xattrs)
 * @param xattrSupport xattrsupport=yes|no: save/restore the other extended attributes
 * @param readAhead    backup: regular files up to this many bytes are read by the walker threads (0 = off)
 * @param hardlinkMemory multiply linked inodes kept on the heap before the hard-link index spills to disk
 * @param spillDir     where the hard-link index spills (unlinked temporary files)
 * @param progressMinutes a progress line in the job log every this many minutes (0 = off)
 * @param metricsDir   where the job's Prometheus text-format metrics file goes, or null (none)
 * @param restoreThreads restore: the workers of the pipelined restore (docs/ptcomm.md §5.1), 1..256
 * @param sharding     backup and estimate: which shard of the tree this job saves (keys shard, strategy, subtree,
 *                     mtime_bucket; docs/sharding.md), or null (the whole tree)
 * @param changes      change-driven Incrementals (keys changelog_user, state_dir; docs/changelog.md)
 * @param snapshot     backup: read a snapshot of {@code path} made for the job, catalog the live paths
 *                     (snapshot=yes; docs/ceph.md, "snapshot=yes")
 * @param stripe       parallel reads of large files and restripe-on-restore (docs/stripe.md)
 * @param throttleFile backup and estimate: the throttle file the job checks while it runs (throttle_file,
 *                     docs/throttle.md)
 * @param handoff      backup: large files' descriptors handed to the shim instead of their bytes (keys handoff,
 *                     handoff_min; docs/ptcomm.md §4.1c)
 */
public record PluginParams(byte[] path, Mode mode, int threads, int channelDepth, byte[] backend,
        boolean aclSupport, boolean xattrSupport, int readAhead, int hardlinkMemory, Path spillDir,
        int progressMinutes, Path metricsDir, int restoreThreads, ShardSpec sharding, ChangeKeys changes,
        boolean snapshot, StripeKeys stripe, Path throttleFile, HandoffKeys handoff) {
    /** The default of plugin key throttle_file. */
    public static final Path DEFAULT_THROTTLE_FILE = Path.of("/var/lib/podheitor-hpc/throttle.toml");

    public PluginParams(byte[] path, Mode mode, int threads, int channelDepth, byte[] backend, boolean aclSupport,
            boolean xattrSupport, int readAhead, int hardlinkMemory, Path spillDir, int progressMinutes,
            Path metricsDir, int restoreThreads, ShardSpec sharding, ChangeKeys changes, boolean snapshot,
            StripeKeys stripe) {
        this(path, mode, threads, channelDepth, backend, aclSupport, xattrSupport, readAhead, hardlinkMemory, spillDir,
                progressMinutes, metricsDir, restoreThreads, sharding, changes, snapshot, stripe, DEFAULT_THROTTLE_FILE);
    }

    public PluginParams(byte[] path, Mode mode, int threads, int channelDepth, byte[] backend, boolean aclSupport,
            boolean xattrSupport, int readAhead, int hardlinkMemory, Path spillDir, int progressMinutes,
            Path metricsDir, int restoreThreads, ShardSpec sharding, ChangeKeys changes, boolean snapshot,
            StripeKeys stripe, Path throttleFile) {
        this(path, mode, threads, channelDepth, backend, aclSupport, xattrSupport, readAhead, hardlinkMemory, spillDir,
                progressMinutes, metricsDir, restoreThreads, sharding, changes, snapshot, stripe, throttleFile,
                HandoffKeys.DEFAULT);
    }

    /**
     * The keys of the descriptor handoff of large files (docs/ptcomm.md §4.1c).
     *
     * @param enabled  handoff=auto (true: whenever the shim offers the socket) or no
     * @param minBytes handoff_min, in bytes: smaller files are sent as D packets
     */
    public record HandoffKeys(boolean enabled, long minBytes) {
        public static final HandoffKeys DEFAULT = new HandoffKeys(true, 1L << 20);
    }

    /**
     * The keys of parallel reads and restripe-on-restore (docs/stripe.md).
     *
     * @param parallelReads parallel_reads: AUTO (by layout on Lustre, by chunks on the other parallel file systems),
     *                      YES (by chunks everywhere too) or NO
     * @param readers       stripe_readers: threads reading one large file
     * @param minBytes      stripe_min, in bytes: smaller files are read sequentially
     * @param restripe      restripe: YES, NO or POOL_ONLY
     */
    public record StripeKeys(ParallelReads parallelReads, int readers, long minBytes, Restripe restripe) {
        public static final StripeKeys DEFAULT = new StripeKeys(ParallelReads.AUTO, 8, 64L << 20, Restripe.YES);

        public enum ParallelReads { AUTO, YES, NO }

        public enum Restripe { YES, NO, POOL_ONLY }
    }

    public PluginParams(byte[] path, Mode mode, int threads, int channelDepth, byte[] backend, boolean aclSupport,
            boolean xattrSupport, int readAhead, int hardlinkMemory, Path spillDir, int progressMinutes,
            Path metricsDir, int restoreThreads, ShardSpec sharding, ChangeKeys changes, boolean snapshot) {
        this(path, mode, threads, channelDepth, backend, aclSupport, xattrSupport, readAhead, hardlinkMemory, spillDir,
                progressMinutes, metricsDir, restoreThreads, sharding, changes, snapshot, StripeKeys.DEFAULT);
    }

    /**
     * The keys of change-driven Incrementals.
     *
     * @param changelogUser the Lustre changelog consumer id, or null (Incrementals walk)
     * @param stateDir      where the cursors live (a directory per Job below it)
     * @param gpfsPolicyArgs mode=gpfs: the arguments added to mmapplypolicy (key gpfs_policy_args), maybe empty
     * @param rctimeMargin  mode=cephfs: seconds before Since from which a directory's rctime counts as changed
     */
    public record ChangeKeys(String changelogUser, Path stateDir, List<String> gpfsPolicyArgs, int rctimeMargin) {
        public static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/podheitor-hpc/state");
        public static final int DEFAULT_RCTIME_MARGIN = 120;
        public static final ChangeKeys NONE = new ChangeKeys(null, DEFAULT_STATE_DIR);

        public ChangeKeys {
            gpfsPolicyArgs = gpfsPolicyArgs == null ? List.of() : List.copyOf(gpfsPolicyArgs);
        }

        public ChangeKeys(String changelogUser, Path stateDir, List<String> gpfsPolicyArgs) {
            this(changelogUser, stateDir, gpfsPolicyArgs, DEFAULT_RCTIME_MARGIN);
        }

        public ChangeKeys(String changelogUser, Path stateDir) {
            this(changelogUser, stateDir, List.of());
        }
    }

    public PluginParams {
        changes = changes == null ? ChangeKeys.NONE : changes;
        stripe = stripe == null ? StripeKeys.DEFAULT : stripe;
        throttleFile = throttleFile == null ? DEFAULT_THROTTLE_FILE : throttleFile;
        handoff = handoff == null ? HandoffKeys.DEFAULT : handoff;
    }

    public PluginParams(byte[] path, Mode mode, int threads, int channelDepth, byte[] backend, boolean aclSupport,
            boolean xattrSupport, int readAhead, int hardlinkMemory, Path spillDir, int progressMinutes,
            Path metricsDir, int restoreThreads, ShardSpec sharding, ChangeKeys changes) {
        this(path, mode, threads, channelDepth, backend, aclSupport, xattrSupport, readAhead, hardlinkMemory, spillDir,
                progressMinutes, metricsDir, restoreThreads, sharding, changes, false);
    }

    public PluginParams(byte[] path, Mode mode, int threads, int channelDepth, byte[] backend, boolean aclSupport,
            boolean xattrSupport, int readAhead, int hardlinkMemory, Path spillDir, int progressMinutes,
            Path metricsDir, int restoreThreads, ShardSpec sharding) {
        this(path, mode, threads, channelDepth, backend, aclSupport, xattrSupport, readAhead, hardlinkMemory, spillDir,
                progressMinutes, metricsDir, restoreThreads, sharding, ChangeKeys.NONE);
    }

    /** The default of plugin key progress (minutes). */
    public static final int DEFAULT_PROGRESS_MINUTES = 10;
    public static final int MAX_HARDLINK_MEMORY = (int) PluginKeys.table().find("hardlink_memory").max();
    /** Multiply linked inodes whose first name is kept on the heap before the index spills (~250 B each). */
    public static final int DEFAULT_HARDLINK_MEMORY = 100_000;
    public static final int MAX_CHANNEL_DEPTH = (int) PluginKeys.table().find("channel_depth").max();
    /** The default of plugin key restore_threads. */
    public static final int DEFAULT_RESTORE_THREADS = 8;

    public PluginParams(byte[] path, Mode mode, int threads, int channelDepth, byte[] backend, boolean aclSupport,
            boolean xattrSupport, int readAhead, int hardlinkMemory, Path spillDir, int progressMinutes,
            Path metricsDir) {
        this(path, mode, threads, channelDepth, backend, aclSupport, xattrSupport, readAhead, hardlinkMemory, spillDir,
                progressMinutes, metricsDir, DEFAULT_RESTORE_THREADS, null);
    }

    /** The same parameters, saving {@code shard} of the tree (tests and tools). */
    public PluginParams withSharding(ShardSpec shard) {
        return new PluginParams(path, mode, threads, channelDepth, backend, aclSupport, xattrSupport, readAhead,
                hardlinkMemory, spillDir, progressMinutes, metricsDir, restoreThreads, shard, changes, snapshot, stripe, throttleFile, handoff);
    }

    /** The same parameters with these change-source keys (tests and tools). */
    public PluginParams withChanges(ChangeKeys c) {
        return new PluginParams(path, mode, threads, channelDepth, backend, aclSupport, xattrSupport, readAhead,
                hardlinkMemory, spillDir, progressMinutes, metricsDir, restoreThreads, sharding, c, snapshot, stripe, throttleFile, handoff);
    }

    /** The same parameters for another root: a snapshot of {@code path} the job reads instead (snapshot=yes). */
    public PluginParams withPath(byte[] root) {
        return new PluginParams(root, mode, threads, channelDepth, backend, aclSupport, xattrSupport, readAhead,
                hardlinkMemory, spillDir, progressMinutes, metricsDir, restoreThreads, sharding, changes, snapshot, stripe, throttleFile, handoff);
    }

    /** The same parameters with snapshot=yes or no (tests and tools). */
    public PluginParams withSnapshot(boolean yes) {
        return new PluginParams(path, mode, threads, channelDepth, backend, aclSupport, xattrSupport, readAhead,
                hardlinkMemory, spillDir, progressMinutes, metricsDir, restoreThreads, sharding, changes, yes, stripe, throttleFile, handoff);
    }

    /** The same parameters with these stripe keys (tests and tools). */
    public PluginParams withStripe(StripeKeys k) {
        return new PluginParams(path, mode, threads, channelDepth, backend, aclSupport, xattrSupport, readAhead,
                hardlinkMemory, spillDir, progressMinutes, metricsDir, restoreThreads, sharding, changes, snapshot, k, throttleFile, handoff);
    }

    /** The same parameters with this throttle file (tests and tools). */
    public PluginParams withThrottleFile(Path f) {
        return new PluginParams(path, mode, threads, channelDepth, backend, aclSupport, xattrSupport, readAhead,
                hardlinkMemory, spillDir, progressMinutes, metricsDir, restoreThreads, sharding, changes, snapshot, stripe,
                f, handoff);
    }

    /** The same parameters with these handoff keys (tests and tools). */
    public PluginParams withHandoff(HandoffKeys k) {
        return new PluginParams(path, mode, threads, channelDepth, backend, aclSupport, xattrSupport, readAhead,
                hardlinkMemory, spillDir, progressMinutes, metricsDir, restoreThreads, sharding, changes, snapshot, stripe,
                throttleFile, k);
    }

    public PluginParams(byte[] path, Mode mode, int threads, int channelDepth, byte[] backend) {
        this(path, mode, threads, channelDepth, backend, true, true, WalkOptions.DEFAULT_READ_AHEAD,
                DEFAULT_HARDLINK_MEMORY, defaultSpillDir(), DEFAULT_PROGRESS_MINUTES, null);
    }

    public static PluginParams parse(List<byte[]> lines) throws BadRequestException {
        byte[] path = null;
        Mode mode = Mode.POSIX;
        int threads = WalkOptions.defaultThreads();
        int channelDepth = WalkOptions.DEFAULT_CHANNEL_DEPTH;
        byte[] backend = null;
        boolean acl = true;
        boolean xattr = true;
        int readAhead = WalkOptions.DEFAULT_READ_AHEAD;
        int hardlinkMemory = DEFAULT_HARDLINK_MEMORY;
        Path spillDir = defaultSpillDir();
        int progress = DEFAULT_PROGRESS_MINUTES;
        Path metricsDir = null;
        int restoreThreads = DEFAULT_RESTORE_THREADS;
        String shard = null;
        String strategy = null;
        byte[] subtree = null;
        Integer bucket = null;
        String changelogUser = null;
        Path stateDir = ChangeKeys.DEFAULT_STATE_DIR;
        List<String> gpfsArgs = List.of();
        int rctimeMargin = ChangeKeys.DEFAULT_RCTIME_MARGIN;
        boolean snapshot = false;
        StripeKeys.ParallelReads parallelReads = StripeKeys.DEFAULT.parallelReads();
        int stripeReaders = StripeKeys.DEFAULT.readers();
        long stripeMin = StripeKeys.DEFAULT.minBytes();
        StripeKeys.Restripe restripe = StripeKeys.DEFAULT.restripe();
        Path throttleFile = DEFAULT_THROTTLE_FILE;
        boolean handoff = HandoffKeys.DEFAULT.enabled();
        long handoffMin = HandoffKeys.DEFAULT.minBytes();
        Set<String> seen = new HashSet<>();
        for (byte[] line : lines) {
            int eq = JobInfo.indexOf(line, (byte) '=');
            if (eq <= 0) {
                throw new BadRequestException("bad plugin parameter \"" + PathText.render(line) + "\": expected key=value");
            }
            String key = new String(line, 0, eq, java.nio.charset.StandardCharsets.UTF_8);
            byte[] raw = Arrays.copyOfRange(line, eq + 1, line.length);
            if (!seen.add(key)) {
                throw new BadRequestException("plugin parameter " + key + " given twice");
            }
            Object value;
            try {
                value = PluginKeys.table().check(Arrays.copyOf(line, eq), raw);
            } catch (PluginKeyException e) {
                throw new BadRequestException(e.message(PathText::render));
            }
            switch (key) {
                case "path" -> path = Paths.normalize((byte[]) value);
                case "mode" -> mode = Mode.of((String) value);
                case "threads" -> threads = (int) value;
                case "channel_depth" -> channelDepth = (int) value;
                case "backend" -> backend = Paths.normalize((byte[]) value);
                case "aclsupport" -> acl = (boolean) value;
                case "xattrsupport" -> xattr = (boolean) value;
                case "readahead" -> readAhead = (int) value;
                case "hardlink_memory" -> hardlinkMemory = (int) value;
                case "spill_dir" -> spillDir = Path.of((String) value); // ASCII: no locale can change its bytes
                case "progress" -> progress = (int) value;
                case "metrics_dir" -> metricsDir = Path.of((String) value);
                case "restore_threads" -> restoreThreads = (int) value;
                case "shard" -> shard = (String) value;
                case "strategy" -> strategy = (String) value;
                case "subtree" -> subtree = (byte[]) value;
                case "mtime_bucket" -> bucket = (int) value;
                case "changelog_user" -> changelogUser = (String) value;
                case "state_dir" -> stateDir = Path.of((String) value);
                case "rctime_margin" -> rctimeMargin = (int) value;
                case "snapshot" -> snapshot = (boolean) value;
                case "parallel_reads" -> parallelReads = StripeKeys.ParallelReads.valueOf(
                        ((String) value).toUpperCase(java.util.Locale.ROOT));
                case "stripe_readers" -> stripeReaders = (int) value;
                case "stripe_min" -> stripeMin = ((int) value) * (1L << 20);
                case "restripe" -> restripe = StripeKeys.Restripe.valueOf(
                        ((String) value).toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
                case "throttle_file" -> throttleFile = Path.of((String) value);
                case "handoff" -> handoff = value.equals("auto");
                case "handoff_min" -> handoffMin = ((int) value) * 1024L;
                case "gpfs_policy_args" -> {
                    @SuppressWarnings("unchecked")
                    List<String> words = (List<String>) value;
                    String why = GpfsChangeRun.checkPassThrough(words);
                    if (why != null) {
                        throw new BadRequestException("bad plugin parameter gpfs_policy_args: " + why);
                    }
                    gpfsArgs = words;
                }
                default -> {
                    if (SchedulerKeys.NAMES.contains(key)) {
                        break; // SchedulerKeys.parse reads them
                    }
                    // a valid key that only the shim acts on (timeout: its IO timeout); nothing to do here
                    if (PluginKeys.table().find(key).side() != KeySpec.Side.SHIM) {
                        throw new IllegalStateException("plugin-keys.toml has key " + key
                                + " for the backend, and PluginParams.parse does not handle it");
                    }
                }
            }
        }
        if (path == null) {
            throw new BadRequestException("plugin parameter path is missing");
        }
        ShardSpec sharding;
        try {
            sharding = ShardSpec.of(path, shard, strategy, subtree, bucket);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("bad sharding parameters: " + e.getMessage());
        }
        return new PluginParams(path, mode, threads, channelDepth, backend, acl, xattr, readAhead, hardlinkMemory,
                spillDir, progress, metricsDir, restoreThreads, sharding, new ChangeKeys(changelogUser, stateDir, gpfsArgs,
                rctimeMargin), snapshot, new StripeKeys(parallelReads, stripeReaders, stripeMin, restripe),
                throttleFile, new HandoffKeys(handoff, handoffMin));
    }

    /** The hard-link index spills to java.io.tmpdir unless spill_dir says otherwise. */
    public static Path defaultSpillDir() {
        return Path.of(System.getProperty("java.io.tmpdir", "/tmp"));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PluginParams p && Arrays.equals(p.path, path) && p.mode == mode
                && p.threads == threads && p.channelDepth == channelDepth && Arrays.equals(p.backend, backend)
                && p.aclSupport == aclSupport && p.xattrSupport == xattrSupport && p.readAhead == readAhead
                && p.hardlinkMemory == hardlinkMemory && p.spillDir.equals(spillDir)
                && p.progressMinutes == progressMinutes && java.util.Objects.equals(p.metricsDir, metricsDir)
                && p.restoreThreads == restoreThreads && java.util.Objects.equals(p.sharding, sharding)
                && p.changes.equals(changes) && p.snapshot == snapshot && p.stripe.equals(stripe)
                && p.throttleFile.equals(throttleFile) && p.handoff.equals(handoff);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(path) * 31 + mode.hashCode();
    }

    @Override
    public String toString() {
        return "PluginParams[path=" + PathText.render(path) + ", mode=" + mode.key() + ", threads=" + threads
                + ", channel_depth=" + channelDepth + ", readahead=" + readAhead
                + (sharding == null ? "" : ", shard=" + sharding) + (snapshot ? ", snapshot=yes" : "") + "]";
    }
}
