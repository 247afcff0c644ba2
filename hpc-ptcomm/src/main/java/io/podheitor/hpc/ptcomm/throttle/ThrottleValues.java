package io.podheitor.hpc.ptcomm.throttle;

/**
 * The three values of throttle.toml (docs/throttle.md §1): what a running backend may use at most.
 *
 * @param threads       the walker's concurrent metadata calls, {@value #MIN_THREADS}..{@value #MAX_THREADS}
 * @param readBufferKib the walker's read-ahead budget (file data held ahead of the emitter) in KiB,
 *                      0..{@value #MAX_READ_BUFFER_KIB}; 0 = no read-ahead
 * @param pauseMs       the emitter's pause after every {@code pause_batch} entries, in milliseconds,
 *                      0..{@value #MAX_PAUSE_MS}
 */
public record ThrottleValues(int threads, int readBufferKib, int pauseMs) {
    public static final int MIN_THREADS = 1;
    public static final int MAX_THREADS = 1024;
    public static final int MAX_READ_BUFFER_KIB = 1 << 20;
    public static final int MAX_PAUSE_MS = 10_000;

    public ThrottleValues {
        String why = check(threads, readBufferKib, pauseMs);
        if (why != null) {
            throw new IllegalArgumentException(why);
        }
    }

    /** What is out of range, or null when all three values are valid. */
    public static String check(long threads, long readBufferKib, long pauseMs) {
        if (threads < MIN_THREADS || threads > MAX_THREADS) {
            return "threads = " + threads + " is out of range " + MIN_THREADS + ".." + MAX_THREADS;
        }
        if (readBufferKib < 0 || readBufferKib > MAX_READ_BUFFER_KIB) {
            return "read_buffer_kib = " + readBufferKib + " is out of range 0.." + MAX_READ_BUFFER_KIB;
        }
        if (pauseMs < 0 || pauseMs > MAX_PAUSE_MS) {
            return "pause_ms = " + pauseMs + " is out of range 0.." + MAX_PAUSE_MS;
        }
        return null;
    }

    /** The read-ahead budget in bytes. */
    public long readBufferBytes() {
        return readBufferKib * 1024L;
    }
}
