package io.podheitor.hpc.walker;

import io.podheitor.hpc.posix.Xattrs;
import io.podheitor.hpc.source.ChangedSince;
import io.podheitor.hpc.source.EntryFilter;

/**
 * Walk settings.
 *
 * @param threads      walker parallelism (ForkJoinPool size), 1..1024
 * @param channelDepth bound of the entry channel, >= 1: at most this many items wait for the consumer
 * @param crossMounts  descend into directories on another device than the root (Bacula's onefs=no). The
 *                     default is false, like Bacula's onefs=yes: a mount point below the root is reported as an
 *                     entry but not descended into.
 * @param statChunk    names of one directory stat'ed per task (1..4096): the chunks of a directory run on any
 *                     worker, so even one large directory keeps up to {@code threads} metadata requests in flight
 * @param readAheadMax regular files of 1..readAheadMax bytes are read by the walker threads and carried in their
 *                     {@link io.podheitor.hpc.source.Entry#data()}, so the single consumer does no blocking I/O for
 *                     them; 0 = off
 * @param readAheadBudget at most this many read-ahead bytes wait in the channel; when it is used up, a walker
 *                     thread waits for the consumer to take some (back-pressure, like the channel depth)
 * @param readAheadWhen only entries this rule counts as changed are read ahead (data and {@code xattrs}): an
 *                     accurate incremental, which is delivered every entry, does not read unchanged files ahead
 * @param xattrs       which extended attributes the walker threads read ahead into
 *                     {@link io.podheitor.hpc.source.Entry#xattrs()}, so that the consumer does no metadata I/O for
 *                     them (NONE = off)
 * @param filter       asked before each stat, before each entry is delivered and before each directory is walked
 * @param limits       consulted while the walk runs, to lower {@code threads} and {@code readAheadBudget} (the
 *                     throttle, docs/throttle.md); {@link WalkLimits#NONE} by default
 */
public record WalkOptions(int threads, int channelDepth, boolean crossMounts, int statChunk, int readAheadMax,
        long readAheadBudget, ChangedSince readAheadWhen, Xattrs.Scope xattrs, EntryFilter filter,
        WalkLimits limits) {
    public static final int DEFAULT_STAT_CHUNK = 16;
    /** The plugin's default read-ahead limit (the walker's own default is off). */
    public static final int DEFAULT_READ_AHEAD = 64 * 1024;
    public static final int MAX_READ_AHEAD = 1 << 20;
    /**
     * The plugin's read-ahead budget: 4 MiB, ~1,000 small files of the 1M benchmark tree, ~40 ms of the emitter's
     * work through Bacula, so the walker stays ahead of it. These bytes live on the Java heap until the emitter
     * has sent them, and must survive young collections there: 16 MiB made the backend's young generation 64 MiB
     * (docs/bench.md §5).
     */
    public static final long DEFAULT_READ_AHEAD_BUDGET = 4L << 20;
    public static final int DEFAULT_CHANNEL_DEPTH = 8192;
    public static final int MAX_THREADS = 1024;

    public WalkOptions {
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("threads must be 1.." + MAX_THREADS + ", not " + threads);
        }
        if (channelDepth < 1) {
            throw new IllegalArgumentException("channel depth must be at least 1, not " + channelDepth);
        }
        if (statChunk < 1 || statChunk > 4096) {
            throw new IllegalArgumentException("stat chunk must be 1..4096, not " + statChunk);
        }
        if (readAheadMax < 0 || readAheadMax > MAX_READ_AHEAD) {
            throw new IllegalArgumentException("read-ahead limit must be 0.." + MAX_READ_AHEAD + ", not " + readAheadMax);
        }
        if (readAheadBudget < 0) {
            throw new IllegalArgumentException("read-ahead budget must be >= 0, not " + readAheadBudget);
        }
        limits = limits == null ? WalkLimits.NONE : limits;
        if (readAheadWhen == null || xattrs == null || filter == null) {
            throw new IllegalArgumentException("read-ahead rule, xattrs scope and filter must not be null");
        }
    }

    public WalkOptions(int threads, int channelDepth, boolean crossMounts) {
        this(threads, channelDepth, crossMounts, DEFAULT_STAT_CHUNK, 0, DEFAULT_READ_AHEAD_BUDGET,
                ChangedSince.EVERYTHING, Xattrs.Scope.NONE, EntryFilter.ALL, WalkLimits.NONE);
    }

    /**
     * max(32, 4 x cores) capped at 64: metadata calls on parallel file systems are latency-bound, not CPU-bound,
     * so the walker keeps many requests in flight even on a small client (measured: docs/bench.md).
     */
    public static int defaultThreads() {
        return Math.min(Math.max(32, 4 * Runtime.getRuntime().availableProcessors()), 64);
    }

    public static WalkOptions defaults() {
        return new WalkOptions(defaultThreads(), DEFAULT_CHANNEL_DEPTH, false);
    }

    public WalkOptions withThreads(int n) {
        return new WalkOptions(n, channelDepth, crossMounts, statChunk, readAheadMax, readAheadBudget, readAheadWhen,
                xattrs, filter, limits);
    }

    public WalkOptions withChannelDepth(int n) {
        return new WalkOptions(threads, n, crossMounts, statChunk, readAheadMax, readAheadBudget, readAheadWhen,
                xattrs, filter, limits);
    }

    public WalkOptions withStatChunk(int n) {
        return new WalkOptions(threads, channelDepth, crossMounts, n, readAheadMax, readAheadBudget, readAheadWhen,
                xattrs, filter, limits);
    }

    /** Read-ahead of regular files up to {@code max} bytes (0 = off), at most {@code budget} bytes queued. */
    public WalkOptions withReadAhead(int max, long budget) {
        return new WalkOptions(threads, channelDepth, crossMounts, statChunk, max, budget, readAheadWhen, xattrs,
                filter, limits);
    }

    /** Read ahead only entries that {@code rule} counts as changed. */
    public WalkOptions withReadAheadWhen(ChangedSince rule) {
        return new WalkOptions(threads, channelDepth, crossMounts, statChunk, readAheadMax, readAheadBudget, rule,
                xattrs, filter, limits);
    }

    /** Extended attributes read ahead by the walker threads (NONE = off). */
    public WalkOptions withXattrs(Xattrs.Scope scope) {
        return new WalkOptions(threads, channelDepth, crossMounts, statChunk, readAheadMax, readAheadBudget,
                readAheadWhen, scope, filter, limits);
    }

    /** The filter the walk consults (replaces the current one). */
    public WalkOptions withFilter(EntryFilter f) {
        return new WalkOptions(threads, channelDepth, crossMounts, statChunk, readAheadMax, readAheadBudget,
                readAheadWhen, xattrs, f, limits);
    }

    /** The limits the walk consults while it runs (replaces the current ones; null = none). */
    public WalkOptions withLimits(WalkLimits l) {
        return new WalkOptions(threads, channelDepth, crossMounts, statChunk, readAheadMax, readAheadBudget, readAheadWhen,
                xattrs, filter, l);
    }
}
