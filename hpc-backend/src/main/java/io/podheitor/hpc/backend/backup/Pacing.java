package io.podheitor.hpc.backend.backup;

import java.util.List;

/**
 * What the {@link Emitter} consults between entries (the throttle, docs/throttle.md §3): a pause, and job-log lines
 * to send. Called by the emitter thread only; the implementation never sees the emitter or its output.
 */
public interface Pacing {
    /** One entry was handed on; may sleep (the pause between batches). */
    void entryDone() throws InterruptedException;

    /** Job-log lines to send now, in order (usually none: must be cheap). */
    List<Line> lines();

    /** A job-log line: an {@code I} message, or a {@code W} when {@code warning}. */
    record Line(boolean warning, String text) {
    }

    Pacing NONE = new Pacing() {
        @Override
        public void entryDone() {
        }

        @Override
        public List<Line> lines() {
            return List.of();
        }
    };
}
