package io.podheitor.hpc.backend.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class JobEndTest {
    record Named(String name, JobEndAction body) implements JobEndAction {
        @Override
        public void onJobEnd(JobOutcome outcome) throws Exception {
            body.onJobEnd(outcome);
        }
    }

    @Test
    void everyActionGetsTheOutcomeOnceInOrder() {
        JobEnd end = new JobEnd(false);
        List<String> got = new ArrayList<>();
        end.register(o -> got.add("a " + o));
        end.register(o -> got.add("b " + o));
        List<String> reports = new ArrayList<>();
        assertEquals(List.of(), end.deliver(JobOutcome.OK, JobEnd.LIMIT, reports::add));
        assertEquals(List.of("a Ok[]", "b Ok[]"), got);
        assertTrue(end.delivered());
        // a second delivery (e.g. end of input after END) does nothing
        end.deliver(JobOutcome.noEnd("EOF"), JobEnd.LIMIT, reports::add);
        end.deliverWithoutEnd("EOF");
        assertEquals(2, got.size());
        assertEquals(List.of(), reports);
    }

    @Test
    void aFailingActionIsReportedAndTheNextOneStillRuns() {
        JobEnd end = new JobEnd(false);
        List<JobOutcome> got = new ArrayList<>();
        end.register(new Named("clear", o -> {
            throw new IllegalStateException("lfs changelog_clear: exit status 1");
        }));
        end.register(got::add);
        List<String> reports = new ArrayList<>();
        JobOutcome failed = JobOutcome.noEnd("EOF");
        end.deliver(failed, JobEnd.LIMIT, reports::add);
        assertEquals(List.of(failed), got);
        assertEquals(List.of("job-end action clear failed: java.lang.IllegalStateException: "
                + "lfs changelog_clear: exit status 1"), reports);
    }

    @Test
    void aHangingActionIsLeftBehindAtTheLimit() throws Exception {
        JobEnd end = new JobEnd(false);
        CountDownLatch never = new CountDownLatch(1);
        List<String> ran = new ArrayList<>();
        end.register(new Named("hang", o -> never.await()));
        end.register(new Named("later", o -> ran.add("later")));
        List<String> reports = new ArrayList<>();
        long t0 = System.nanoTime();
        end.deliver(JobOutcome.OK, Duration.ofMillis(300), reports::add);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 250 && ms < 5000, ms + " ms");
        assertEquals(List.of(), ran);
        assertEquals(List.of(
                "job-end action hang did not finish within the job-end time limit of 300 ms; the backend ends without "
                        + "waiting for it",
                "job-end action later not run: the job-end actions' time limit of 300 ms was reached"), reports);
        never.countDown();
    }

    /** SIGTERM's hook while the session delivers: the hook returns only when the session's actions are done. */
    @Test
    void aSecondDeliveryWaitsForTheFirstOne() throws Exception {
        JobEnd end = new JobEnd(false);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> ran = new java.util.concurrent.CopyOnWriteArrayList<>();
        end.register(new Named("rmdir", o -> {
            started.countDown();
            release.await();
            ran.add("rmdir " + o);
        }));
        Thread session = Thread.ofPlatform().start(() -> end.deliverWithoutEnd("EOF"));
        started.await();
        java.util.concurrent.atomic.AtomicLong returnedAt = new java.util.concurrent.atomic.AtomicLong();
        Thread hook = Thread.ofPlatform().start(() -> {
            end.deliver(JobOutcome.noEnd("SIGTERM"), Duration.ofSeconds(20), s -> { });
            returnedAt.set(System.nanoTime());
        });
        Thread.sleep(300);
        assertTrue(hook.isAlive(), "the second delivery returned while the first one's action was running");
        long releasedAt = System.nanoTime();
        release.countDown();
        hook.join();
        session.join();
        assertTrue(returnedAt.get() >= releasedAt);
        assertEquals(1, ran.size());
        assertTrue(ran.get(0).startsWith("rmdir Failed[status=?"), ran.get(0));
    }

    /** ... but no longer than its own limit (the shim's SIGKILL comes 5 s after its SIGTERM). */
    @Test
    void aSecondDeliveryWaitsAtMostItsLimit() throws Exception {
        JobEnd end = new JobEnd(false);
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch never = new CountDownLatch(1);
        end.register(new Named("hang", o -> {
            started.countDown();
            never.await();
        }));
        Thread session = Thread.ofPlatform().daemon().start(() -> end.deliverWithoutEnd("EOF"));
        started.await();
        long t0 = System.nanoTime();
        assertEquals(List.of(), end.deliver(JobOutcome.noEnd("SIGTERM"), Duration.ofMillis(300), s -> { }));
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ms >= 250 && ms < 5000, ms + " ms");
        never.countDown();
        session.join();
    }
}
