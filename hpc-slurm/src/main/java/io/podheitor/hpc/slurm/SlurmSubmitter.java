package io.podheitor.hpc.slurm;

import io.podheitor.hpc.slurm.JobOutcome.SubmitResult;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Submits a batch job ({@code sbatch --parsable}), follows its state and cancels it (docs/slurm.md).
 *
 * <p>The state comes from {@code squeue -h -t all -j ID -o "%T %r"} (slurmctld's view: pending, running and, for
 * {@code MinJobAge} seconds after the end, the final state; without {@code -t all} squeue leaves out ended jobs
 * even when asked for one by id). A job squeue no longer knows ({@code Invalid job id},
 * or nothing printed) is looked up in the accounting ({@code sacct -n -X -P -j ID -o State}); without accounting
 * (sacct fails or prints nothing) the outcome is {@link JobOutcome.Vanished}. {@code scontrol show job} is not used:
 * it reads the same slurmctld table as squeue, so it knows nothing squeue does not.
 */
public final class SlurmSubmitter {

    private final SlurmTools tools;

    public SlurmSubmitter(SlurmTools tools) {
        this.tools = Objects.requireNonNull(tools, "tools");
    }

    public SlurmTools tools() {
        return tools;
    }

    /** Submits; the request's environment goes into sbatch's environment only (names on the command line). */
    public SubmitResult submit(SbatchRequest request) throws InterruptedException {
        SlurmTools.Result r;
        try {
            r = tools.run("sbatch", request.arguments(), request.environment());
        } catch (SlurmTools.CallFailed e) {
            return new JobOutcome.ToolFailed(e.getMessage());
        }
        if (r.exit() != 0) {
            return new JobOutcome.Rejected(r.exit(), r.errorText());
        }
        return JobId.parseParsable(r.stdout())
                .<SubmitResult>map(JobOutcome.Submitted::new)
                .orElseGet(() -> new JobOutcome.Malformed(r.stdout(), r.stderr()));
    }

    /** One look at a job's state. */
    public sealed interface Poll {
        /** squeue (or sacct) printed this state. */
        record Seen(JobState state, String source) implements Poll {
        }

        /** Neither squeue nor sacct knows the job (left slurmctld's table, no accounting record). */
        record Gone(String detail) implements Poll {
        }

        /** The state could not be read this time. */
        record Failed(String detail) implements Poll {
        }
    }

    private List<String> clusterArgs(JobId job) {
        return job.cluster().map(c -> List.of("--clusters=" + c)).orElse(List.of());
    }

    /** Polls once: squeue, then sacct when squeue no longer lists the job. */
    public Poll poll(JobId job) throws InterruptedException {
        List<String> args = new ArrayList<>(List.of("-h", "-t", "all", "-j", job.arg(), "-o", "%T %r"));
        args.addAll(clusterArgs(job));
        SlurmTools.Result r;
        try {
            r = tools.run("squeue", args, Map.of());
        } catch (SlurmTools.CallFailed e) {
            return new Poll.Failed(e.getMessage());
        }
        String squeueGone;
        if (r.exit() == 0) {
            List<String> lines = r.stdout().lines().filter(l -> !l.isBlank()).toList();
            if (lines.size() == 1) {
                return seen(lines.getFirst(), "squeue");
            }
            if (!lines.isEmpty()) {
                return new Poll.Failed("squeue printed " + lines.size() + " lines for job " + job.arg() + ": "
                        + String.join(" | ", lines));
            }
            squeueGone = "squeue lists no job " + job.arg();
        } else if (r.stderr().contains("Invalid job id")) {
            squeueGone = "squeue: " + r.errorText();
        } else {
            return new Poll.Failed("squeue: " + r.errorText());
        }
        List<String> sargs = new ArrayList<>(List.of("-n", "-X", "-P", "-j", job.arg(), "-o", "State"));
        sargs.addAll(clusterArgs(job));
        SlurmTools.Result s;
        try {
            s = tools.run("sacct", sargs, Map.of());
        } catch (SlurmTools.CallFailed e) {
            return new Poll.Gone(squeueGone + "; " + e.getMessage());
        }
        List<String> lines = s.stdout().lines().filter(l -> !l.isBlank()).toList();
        if (s.exit() != 0 || lines.isEmpty()) {
            return new Poll.Gone(squeueGone + "; sacct: " + (s.exit() != 0 ? s.errorText() : "no record"));
        }
        return seen(lines.getFirst(), "sacct");
    }

    private static Poll seen(String line, String source) {
        String l = line.strip();
        int sp = l.indexOf(' ');
        String state = sp < 0 ? l : l.substring(0, sp);
        String reason = sp < 0 ? "" : l.substring(sp + 1).strip();
        if (!state.matches("[A-Za-z_]{1,32}")) {
            return new Poll.Failed(source + " printed '" + l + "', not a job state");
        }
        if (source.equals("sacct")) {
            reason = ""; // "CANCELLED by 0": who, not why
        }
        return new Poll.Seen(JobState.of(state, reason), source);
    }

    /** {@code scancel ID}: empty when done, else why not. A job that already ended is not an error. */
    public Optional<String> cancel(JobId job) throws InterruptedException {
        List<String> args = new ArrayList<>(clusterArgs(job));
        args.add(job.arg());
        try {
            SlurmTools.Result r = tools.run("scancel", args, Map.of());
            if (r.exit() == 0 || r.stderr().contains("already completing or completed")) {
                return Optional.empty();
            }
            return Optional.of(r.errorText());
        } catch (SlurmTools.CallFailed e) {
            return Optional.of(e.getMessage());
        }
    }

    /** {@link #await(JobId, WaitPolicy, Consumer)} without an observer. */
    public JobOutcome await(JobId job, WaitPolicy policy) throws InterruptedException {
        return await(job, policy, s -> { });
    }

    /**
     * Polls until the job ended, is gone, has waited too long or the deadline passed; cancels it in the last cases
     * and when interrupted (the interrupt flag is set again). ON_CHANGE sees each new state.
     */
    public JobOutcome await(JobId job, WaitPolicy policy, Consumer<JobState> onChange) throws InterruptedException {
        long start = System.nanoTime();
        Optional<JobState> last = Optional.empty();
        boolean ran = false;
        int errors = 0;
        String lastError = "";
        try {
            while (true) {
                Poll p = poll(job);
                Duration waited = Duration.ofNanos(System.nanoTime() - start);
                switch (p) {
                    case Poll.Seen(JobState st, String src) -> {
                        errors = 0;
                        if (last.isEmpty() || !last.get().equals(st)) {
                            onChange.accept(st);
                        }
                        last = Optional.of(st);
                        if (st.kind() == JobState.Kind.DONE) {
                            return new JobOutcome.Completed(job, st);
                        }
                        if (st.kind() == JobState.Kind.ENDED_BADLY) {
                            return new JobOutcome.EndedBadly(job, st);
                        }
                        if (st.kind() == JobState.Kind.ACTIVE) {
                            ran = true;
                        }
                        if (!ran && st.kind() == JobState.Kind.WAITING
                                && waited.compareTo(policy.pendingTimeout()) >= 0) {
                            Optional<String> err = cancel(job);
                            return new JobOutcome.PendingTooLong(job, st, waited, err.isEmpty(), err.orElse(""));
                        }
                    }
                    case Poll.Gone(String detail) -> {
                        return new JobOutcome.Vanished(job, last, detail);
                    }
                    case Poll.Failed(String detail) -> {
                        errors++;
                        lastError = detail;
                        if (errors >= policy.maxPollErrors()) {
                            Optional<String> err = cancel(job);
                            return new JobOutcome.Unobservable(job, errors + " polls in a row: " + lastError,
                                    err.isEmpty());
                        }
                    }
                }
                if (waited.compareTo(policy.deadline()) >= 0) {
                    Optional<String> err = cancel(job);
                    return new JobOutcome.GaveUp(job, last, waited, err.isEmpty(), err.orElse(""));
                }
                Thread.sleep(policy.pollInterval());
            }
        } catch (InterruptedException e) {
            boolean cancelled = cancelAfterInterrupt(job);
            Thread.currentThread().interrupt();
            return new JobOutcome.Interrupted(job, cancelled);
        }
    }

    // scancel with the interrupt flag cleared (ProcessBuilder waits are interruptible), then the flag restored
    private boolean cancelAfterInterrupt(JobId job) {
        try {
            return cancel(job).isEmpty();
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** Submit and await: the outcome of the whole job (a refusal included). */
    public JobOutcome run(SbatchRequest request, WaitPolicy policy, Consumer<JobId> onSubmitted,
                          Consumer<JobState> onChange) throws InterruptedException {
        return switch (submit(request)) {
            case JobOutcome.NotSubmitted n -> n;
            case JobOutcome.Submitted(JobId id) -> {
                onSubmitted.accept(id);
                yield await(id, policy, onChange);
            }
        };
    }
}
