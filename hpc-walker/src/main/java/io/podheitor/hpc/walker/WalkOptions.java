package io.podheitor.hpc.walker;

/**
 * Walk settings.
 *
 * @param threads      walker parallelism (ForkJoinPool size), 1..1024
 * @param channelDepth bound of the entry channel, >= 1: at most this many items wait for the consumer
 * @param crossMounts  descend into directories on another device than the root (Bacula's onefs=no). The
 *                     default is false, like Bacula's onefs=yes: a mount point below the root is reported as an
 *                     entry but not descended into.
 */
public record WalkOptions(int threads, int channelDepth, boolean crossMounts) {
    public static final int DEFAULT_CHANNEL_DEPTH = 8192;
    public static final int MAX_THREADS = 1024;

    public WalkOptions {
        if (threads < 1 || threads > MAX_THREADS) {
            throw new IllegalArgumentException("threads must be 1.." + MAX_THREADS + ", not " + threads);
        }
        if (channelDepth < 1) {
            throw new IllegalArgumentException("channel depth must be at least 1, not " + channelDepth);
        }
    }

    /** min(4 * cores, 64): metadata calls on parallel file systems are latency-bound, not CPU-bound. */
    public static int defaultThreads() {
        return Math.min(4 * Runtime.getRuntime().availableProcessors(), 64);
    }

    public static WalkOptions defaults() {
        return new WalkOptions(defaultThreads(), DEFAULT_CHANNEL_DEPTH, false);
    }

    public WalkOptions withThreads(int n) {
        return new WalkOptions(n, channelDepth, crossMounts);
    }

    public WalkOptions withChannelDepth(int n) {
        return new WalkOptions(threads, n, crossMounts);
    }
}
