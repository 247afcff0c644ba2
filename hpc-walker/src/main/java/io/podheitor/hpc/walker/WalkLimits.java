package io.podheitor.hpc.walker;

/**
 * Limits a running walk consults as it goes (the throttle, docs/throttle.md §3): they may change at any time and
 * take effect from the walk's next metadata call or read-ahead. A walk never goes above its {@link WalkOptions}:
 * the limits only lower them. Implementations must be cheap and thread-safe (called by every walker thread, once
 * per name); typically a volatile read.
 */
public interface WalkLimits {
    /** At most this many walker threads in a metadata call (open, getdents64, statx, ...) at once, >= 1. */
    int threads();

    /** At most this many read-ahead bytes waiting for the consumer, >= 0 (0 = no read-ahead). */
    long readAheadBudget();

    /** No limits beyond the walk's options. */
    WalkLimits NONE = new WalkLimits() {
        @Override
        public int threads() {
            return Integer.MAX_VALUE;
        }

        @Override
        public long readAheadBudget() {
            return Long.MAX_VALUE;
        }

        @Override
        public String toString() {
            return "WalkLimits.NONE";
        }
    };
}
