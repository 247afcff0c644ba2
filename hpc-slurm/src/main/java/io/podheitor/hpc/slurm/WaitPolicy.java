package io.podheitor.hpc.slurm;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link SlurmSubmitter#await} waits.
 *
 * @param pendingTimeout a job that has not started running by then is cancelled ({@code PendingTooLong})
 * @param deadline       a job that has not ended by then is cancelled ({@code GaveUp}); the submitter never hangs
 * @param pollInterval   time between two polls
 * @param maxPollErrors  this many failed polls in a row end the wait ({@code Unobservable})
 */
public record WaitPolicy(Duration pendingTimeout, Duration deadline, Duration pollInterval, int maxPollErrors) {
    public WaitPolicy {
        Objects.requireNonNull(pendingTimeout, "pendingTimeout");
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(pollInterval, "pollInterval");
        if (pendingTimeout.isNegative() || deadline.isNegative() || pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("durations must not be negative, the poll interval positive");
        }
        if (maxPollErrors < 1) {
            throw new IllegalArgumentException("maxPollErrors must be at least 1");
        }
    }

    /** 5 min pending, 24 h in all, a poll every 2 s, 5 failed polls in a row. */
    public static WaitPolicy defaults() {
        return new WaitPolicy(Duration.ofMinutes(5), Duration.ofHours(24), Duration.ofSeconds(2), 5);
    }
}
