package io.podheitor.hpc.slurm;

import java.time.Duration;
import java.util.Optional;

/**
 * How a submitted (or refused) job ended, as the submitter saw it. {@link #message()} is one line for a job log,
 * naming the Slurm job id and its state whenever there is a job.
 */
public sealed interface JobOutcome {

    String message();

    /** True only for {@link Completed}. */
    default boolean ok() {
        return this instanceof Completed;
    }

    /** The job ended in {@code COMPLETED}. */
    record Completed(JobId job, JobState state) implements JobOutcome {
        public String message() {
            return "Slurm job " + job + " " + state.name();
        }
    }

    /** The job ended in another state: FAILED, CANCELLED, TIMEOUT, NODE_FAIL, OUT_OF_MEMORY, PREEMPTED, ... */
    record EndedBadly(JobId job, JobState state) implements JobOutcome {
        public String message() {
            return "Slurm job " + job + " ended " + state;
        }
    }

    /** The job was still waiting (never ran) after the pending timeout; the submitter cancelled it. */
    record PendingTooLong(JobId job, JobState state, Duration waited, boolean cancelled, String cancelError)
            implements JobOutcome {
        public String message() {
            return "Slurm job " + job + " still " + state + " after " + waited.toSeconds() + " s: "
                    + (cancelled ? "cancelled" : "scancel failed: " + cancelError);
        }
    }

    /** The overall wait limit passed while the job was in STATE; the submitter cancelled it. */
    record GaveUp(JobId job, Optional<JobState> lastState, Duration waited, boolean cancelled, String cancelError)
            implements JobOutcome {
        public String message() {
            return "Slurm job " + job + " not ended after " + waited.toSeconds() + " s (last state "
                    + lastState.map(JobState::toString).orElse("unknown") + "): "
                    + (cancelled ? "cancelled" : "scancel failed: " + cancelError);
        }
    }

    /** The job left the queue and neither squeue nor sacct (no accounting) knows how it ended. */
    record Vanished(JobId job, Optional<JobState> lastState, String detail) implements JobOutcome {
        public String message() {
            return "Slurm job " + job + " left the queue in an unknown state (last seen "
                    + lastState.map(JobState::toString).orElse("never") + "; " + detail + ")";
        }
    }

    /** The state could not be read (squeue or sacct failed or printed something else) several times in a row. */
    record Unobservable(JobId job, String detail, boolean cancelled) implements JobOutcome {
        public String message() {
            return "Slurm job " + job + ": its state cannot be read (" + detail + ")"
                    + (cancelled ? "; cancelled" : "; scancel failed too");
        }
    }

    /** The wait was interrupted (e.g. the Bacula job was cancelled); the submitter cancelled the Slurm job. */
    record Interrupted(JobId job, boolean cancelled) implements JobOutcome {
        public String message() {
            return "Slurm job " + job + ": wait interrupted, " + (cancelled ? "cancelled" : "scancel failed");
        }
    }

    /** What {@link SlurmSubmitter#submit} gives back when no job was made: also an outcome. */
    sealed interface NotSubmitted extends JobOutcome, SubmitResult {
    }

    /** sbatch refused the job (exit status not 0): its own message, e.g. an invalid partition. */
    record Rejected(int exit, String sbatchMessage) implements NotSubmitted {
        public String message() {
            return "Slurm refused the job: " + sbatchMessage;
        }
    }

    /** sbatch exited 0 but did not print {@code jobid[;cluster]}: the job may exist; its id is unknown. */
    record Malformed(String stdout, String stderr) implements NotSubmitted {
        public String message() {
            return "sbatch --parsable printed no job id: '" + stdout.strip() + "'"
                    + (stderr.isBlank() ? "" : " (stderr: " + stderr.strip() + ")");
        }
    }

    /** sbatch could not be run or did not end in time. */
    record ToolFailed(String detail) implements NotSubmitted {
        public String message() {
            return "sbatch failed: " + detail;
        }
    }

    /** What a submission gives: the job, or why there is none. */
    sealed interface SubmitResult permits Submitted, NotSubmitted {
    }

    /** The job was made. */
    record Submitted(JobId job) implements SubmitResult {
    }
}
