package io.podheitor.hpc.backend.job;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The backend's job-end seam (docs/ptcomm.md §6): the {@link JobEndAction}s registered during the job receive the
 * {@link JobOutcome} exactly once: when END arrives (before the backend answers it, so their problems can still
 * be job-log warnings), or, without END, when the input ends, at T, or on SIGTERM (then as {@link JobOutcome.Failed}
 * and their problems go to stderr).
 *
 * <p>Bounded: the actions run one after the other, each on its own daemon thread, within one time limit for all;
 * an action still running at the limit is reported and left behind (the process exits without waiting for it), and
 * the ones after it do not run. A second delivery while the first one runs (SIGTERM's shutdown hook while the
 * session delivers the end of its input) waits for it, within its own limit: the JVM must not halt under it.
 */
public final class JobEnd {
    /** All actions of a job together, at END. The shim's {@code timeout} (default 300 s) must be larger. */
    public static final Duration LIMIT = Duration.ofSeconds(10);
    /** On SIGTERM: the shim SIGKILLs 5 s after its SIGTERM. */
    static final Duration TERM_LIMIT = Duration.ofSeconds(2);

    private final List<JobEndAction> actions = new CopyOnWriteArrayList<>();
    private final AtomicBoolean delivered = new AtomicBoolean();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final boolean onSigterm;
    private final AtomicBoolean hooked = new AtomicBoolean();

    /** @param onSigterm deliver {@link JobOutcome#noEnd} on SIGTERM (a shutdown hook, added with the first action) */
    public JobEnd(boolean onSigterm) {
        this.onSigterm = onSigterm;
    }

    public void register(JobEndAction action) {
        actions.add(action);
        if (onSigterm && hooked.compareAndSet(false, true)) {
            Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("podheitor-job-end").unstarted(
                    () -> deliver(JobOutcome.noEnd("the backend was terminated (SIGTERM) before END"), TERM_LIMIT,
                            JobEnd::toStderr)));
        }
    }

    public boolean delivered() {
        return delivered.get();
    }

    /**
     * Runs every registered action with the outcome, once per job (later calls do nothing).
     *
     * @param report receives one text per problem (an action that failed or did not finish in time)
     * @return the problems reported
     */
    public List<String> deliver(JobOutcome outcome, Duration limit, Consumer<String> report) {
        List<String> problems = new ArrayList<>();
        if (!delivered.compareAndSet(false, true)) {
            awaitFirst(limit);
            return problems;
        }
        try {
            runAll(outcome, limit, problems);
            problems.forEach(report);
        } finally {
            finished.countDown();
        }
        return problems;
    }

    /**
     * A later delivery waits for the one that runs the actions (at most {@code limit}): when SIGTERM's shutdown hook
     * finds the session delivering (the shim closed the input and signalled at once), returning at once would let
     * the JVM halt while an action, e.g. a snapshot's rmdir, has not run yet.
     */
    private void awaitFirst(Duration limit) {
        try {
            finished.await(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void runAll(JobOutcome outcome, Duration limit, List<String> problems) {
        long deadline = System.nanoTime() + limit.toNanos();
        for (JobEndAction a : actions) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                problems.add("job-end action " + a.name() + " not run: the job-end actions' time limit of "
                        + text(limit) + " was reached");
                continue;
            }
            Throwable[] failure = new Throwable[1];
            Thread t = Thread.ofPlatform().daemon().name("podheitor-job-end-" + a.name()).start(() -> {
                try {
                    a.onJobEnd(outcome);
                } catch (Throwable e) {
                    failure[0] = e;
                }
            });
            boolean done;
            try {
                done = t.join(Duration.ofNanos(left));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                done = false;
            }
            if (!done) {
                problems.add("job-end action " + a.name() + " did not finish within the job-end time limit of "
                        + text(limit) + "; the backend ends without waiting for it");
            } else if (failure[0] != null) {
                problems.add("job-end action " + a.name() + " failed: " + failure[0]);
            }
        }
    }

    private static String text(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    static void toStderr(String text) {
        System.err.println("podheitor-hpc backend: " + text);
        System.err.flush();
    }

    /** For the session: deliver a missing END's outcome, problems to stderr. */
    public void deliverWithoutEnd(String why) {
        deliver(JobOutcome.noEnd(why), LIMIT, JobEnd::toStderr);
    }
}
