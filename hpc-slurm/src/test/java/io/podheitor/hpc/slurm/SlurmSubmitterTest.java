package io.podheitor.hpc.slurm;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** SlurmSubmitter against fake_slurm.py as sbatch, squeue, scancel and sacct. */
class SlurmSubmitterTest {
    private static final WaitPolicy FAST = new WaitPolicy(Duration.ofSeconds(30), Duration.ofSeconds(60),
            Duration.ofMillis(10), 3);
    private static final String INVALID = "slurm_load_jobs error: Invalid job id specified\n";
    private static final String NO_ACCT = "Slurm accounting storage is disabled\n";

    @TempDir
    Path tmp;
    FakeSlurm fake;
    SlurmSubmitter sub;

    @BeforeEach
    void setUp() throws Exception {
        fake = new FakeSlurm(tmp);
        sub = new SlurmSubmitter(fake.tools());
    }

    private static SbatchRequest request() {
        return SbatchRequest.builder(new JobCommand.Wrap("worker --connect")).partition("backup").cpus(2)
                .env("PHPC_TOKEN", "one-time-7c1a").build();
    }

    @Test
    void submitsAndFollowsToCompleted() throws Exception {
        fake.script("sbatch", "123\n", "", "0");
        fake.script("squeue", "PENDING Priority\n", "", "0", "RUNNING None\n", "", "0", "COMPLETED None\n", "", "0");
        List<JobState> seen = new ArrayList<>();
        List<JobId> ids = new ArrayList<>();
        JobOutcome o = sub.run(request(), FAST, ids::add, seen::add);
        assertInstanceOf(JobOutcome.Completed.class, o, o.message());
        assertTrue(o.ok());
        assertEquals(List.of(new JobId(123, Optional.empty())), ids);
        assertEquals(List.of("PENDING", "RUNNING", "COMPLETED"), seen.stream().map(JobState::name).toList());
        assertEquals("Priority", seen.getFirst().reason());
        // the token: in sbatch's environment, its name in --export, its value on no command line
        String call = fake.calls("sbatch").getFirst();
        assertTrue(call.contains("\"PHPC_TOKEN\": \"one-time-7c1a\""), call);
        assertTrue(call.contains("\"--export=ALL,PHPC_TOKEN\""), call);
        for (String c : fake.calls()) {
            String argv = c.substring(0, c.indexOf("\"env\""));
            assertFalse(argv.contains("one-time-7c1a"), argv);
        }
        String squeue = fake.calls("squeue").getFirst();
        assertTrue(squeue.contains("\"argv\": [\"-h\", \"-t\", \"all\", \"-j\", \"123\", \"-o\", \"%T %r\"]"), squeue);
    }

    @Test
    void rejectedPartitionGivesSbatchsMessage() throws Exception {
        fake.script("sbatch", "", "sbatch: error: invalid partition specified: nosuch\n"
                + "sbatch: error: Batch job submission failed: Invalid partition name specified\n", "1");
        JobOutcome o = sub.run(request(), FAST, j -> { }, s -> { });
        JobOutcome.Rejected r = assertInstanceOf(JobOutcome.Rejected.class, o);
        assertEquals(1, r.exit());
        assertEquals("sbatch: error: invalid partition specified: nosuch; "
                + "sbatch: error: Batch job submission failed: Invalid partition name specified", r.sbatchMessage());
        assertTrue(o.message().contains("Invalid partition name specified"), o.message());
        assertTrue(fake.calls("squeue").isEmpty());
    }

    @Test
    void refusalWithoutMessageGivesTheExitStatus() throws Exception {
        fake.script("sbatch", "", "\n", "3");
        JobOutcome.Rejected r = assertInstanceOf(JobOutcome.Rejected.class, sub.submit(request()));
        assertEquals("exit status 3", r.sbatchMessage());
    }

    @Test
    void malformedSbatchOutput() throws Exception {
        for (String out : List.of("Submitted batch job 12\n", "", "12\n13\n", "x;y\n")) {
            fake.script("sbatch", out, "sbatch: warning: something\n", "0");
            JobOutcome.Malformed m = assertInstanceOf(JobOutcome.Malformed.class, sub.submit(request()), out);
            assertEquals(out, m.stdout());
            assertTrue(m.message().contains("printed no job id"), m.message());
        }
    }

    @Test
    void clusterSuffixIsKeptAndPassedOn() throws Exception {
        fake.script("sbatch", "55;lab2\n", "", "0");
        fake.script("squeue", "COMPLETED None\n", "", "0");
        JobOutcome o = sub.run(request(), FAST, j -> { }, s -> { });
        JobOutcome.Completed c = assertInstanceOf(JobOutcome.Completed.class, o);
        assertEquals(Optional.of("lab2"), c.job().cluster());
        assertTrue(fake.calls("squeue").getFirst().contains("\"--clusters=lab2\""));
    }

    @Test
    void missingSbatchIsAToolFailure() throws Exception {
        SlurmSubmitter none = new SlurmSubmitter(SlurmTools.in(tmp.resolve("nowhere")));
        JobOutcome.ToolFailed t = assertInstanceOf(JobOutcome.ToolFailed.class, none.submit(request()));
        assertTrue(t.message().contains("could not be started"), t.message());
    }

    @Test
    void hungSbatchIsKilledAtTheCallTimeout() throws Exception {
        java.nio.file.Files.writeString(tmp.resolve("sbatch.json"), "[{\"out\":\"1\\n\",\"sleep\":30}]");
        SlurmSubmitter s = new SlurmSubmitter(fake.tools().withCallTimeout(Duration.ofMillis(700)));
        long t0 = System.nanoTime();
        JobOutcome.ToolFailed t = assertInstanceOf(JobOutcome.ToolFailed.class, s.submit(request()));
        assertTrue(t.message().contains("did not end within"), t.message());
        assertTrue(System.nanoTime() - t0 < 10_000_000_000L);
    }

    @Test
    void pendingPastTheTimeoutIsCancelled() throws Exception {
        fake.script("squeue", "PENDING Resources\n", "", "0");
        fake.scriptAfterCancel("squeue", "CANCELLED None\n", "", "0");
        JobId id = new JobId(9, Optional.empty());
        JobOutcome o = sub.await(id, new WaitPolicy(Duration.ofMillis(200), Duration.ofSeconds(60),
                Duration.ofMillis(20), 3));
        JobOutcome.PendingTooLong p = assertInstanceOf(JobOutcome.PendingTooLong.class, o);
        assertTrue(p.cancelled());
        assertEquals("PENDING", p.state().name());
        assertTrue(o.message().startsWith("Slurm job 9 still PENDING (Resources) after "), o.message());
        assertEquals(1, fake.calls("scancel").size());
        assertTrue(fake.calls("scancel").getFirst().contains("\"argv\": [\"9\"]"));
    }

    @Test
    void failedCancelledTimeoutStates() throws Exception {
        for (String st : List.of("FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY")) {
            fake.script("squeue", "RUNNING None\n", "", "0", st + " None\n", "", "0");
            JobOutcome o = sub.await(new JobId(3, Optional.empty()), FAST);
            JobOutcome.EndedBadly e = assertInstanceOf(JobOutcome.EndedBadly.class, o, st);
            assertEquals(st, e.state().name());
            assertEquals("Slurm job 3 ended " + st, o.message());
            assertFalse(o.ok());
        }
        assertTrue(fake.calls("scancel").isEmpty());
    }

    @Test
    void leftTheQueueThenAccountingHasTheState() throws Exception {
        fake.script("squeue", "RUNNING None\n", "", "0", "", INVALID, "1");
        fake.script("sacct", "CANCELLED by 0\n", "", "0");
        JobOutcome o = sub.await(new JobId(4, Optional.empty()), FAST);
        JobOutcome.EndedBadly e = assertInstanceOf(JobOutcome.EndedBadly.class, o);
        assertEquals("CANCELLED", e.state().name());
        assertTrue(fake.calls("sacct").getFirst().contains("\"argv\": [\"-n\", \"-X\", \"-P\", \"-j\", \"4\", \"-o\", \"State\"]"));
        // an empty squeue (the job no longer listed) also goes to sacct
        fake.script("squeue", "", "", "0");
        fake.script("sacct", "COMPLETED\n", "", "0");
        assertInstanceOf(JobOutcome.Completed.class, sub.await(new JobId(5, Optional.empty()), FAST));
    }

    @Test
    void leftTheQueueWithoutAccountingVanishes() throws Exception {
        fake.script("squeue", "RUNNING None\n", "", "0", "", INVALID, "1");
        fake.script("sacct", "", NO_ACCT, "1");
        JobOutcome o = sub.await(new JobId(6, Optional.empty()), FAST);
        JobOutcome.Vanished v = assertInstanceOf(JobOutcome.Vanished.class, o);
        assertEquals("RUNNING", v.lastState().orElseThrow().name());
        assertTrue(o.message().contains("accounting storage is disabled"), o.message());
    }

    @Test
    void malformedSqueueOutputsCountAsFailedPolls() throws Exception {
        // garbage, several lines, a failing squeue (slurmctld down), then a good answer: three in a row would end it
        fake.script("squeue", "%%%\n", "", "0", "RUNNING None\nPENDING None\n", "", "0",
                "", "slurm_load_jobs error: Unable to contact slurm controller (connect failure)\n", "1",
                "COMPLETED None\n", "", "0");
        WaitPolicy p = new WaitPolicy(Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofMillis(10), 4);
        assertInstanceOf(JobOutcome.Completed.class, sub.await(new JobId(8, Optional.empty()), p));
        fake.script("squeue", "", "slurm_load_jobs error: Unable to contact slurm controller\n", "1");
        JobOutcome o = sub.await(new JobId(8, Optional.empty()), FAST);
        JobOutcome.Unobservable u = assertInstanceOf(JobOutcome.Unobservable.class, o);
        assertTrue(u.detail().startsWith("3 polls in a row: squeue: slurm_load_jobs error: Unable to contact"),
                u.detail());
        assertEquals(1, fake.calls("scancel").size());
    }

    @Test
    void unknownStatesArePolledAgainAndTheDeadlineCancels() throws Exception {
        fake.script("squeue", "RUNNING None\n", "", "0", "SOMETHING_NEW None\n", "", "0");
        JobOutcome o = sub.await(new JobId(10, Optional.empty()), new WaitPolicy(Duration.ofSeconds(30),
                Duration.ofMillis(300), Duration.ofMillis(20), 3));
        JobOutcome.GaveUp g = assertInstanceOf(JobOutcome.GaveUp.class, o);
        assertEquals("SOMETHING_NEW", g.lastState().orElseThrow().name());
        assertTrue(g.cancelled());
        assertEquals(1, fake.calls("scancel").size());
    }

    @Test
    void aRunningJobIsNotCancelledForThePendingTimeout() throws Exception {
        fake.script("squeue", "RUNNING None\n", "", "0", "RUNNING None\n", "", "0", "RUNNING None\n", "", "0",
                "RUNNING None\n", "", "0", "RUNNING None\n", "", "0", "COMPLETED None\n", "", "0");
        JobOutcome o = sub.await(new JobId(11, Optional.empty()), new WaitPolicy(Duration.ZERO,
                Duration.ofSeconds(60), Duration.ofMillis(20), 3));
        assertInstanceOf(JobOutcome.Completed.class, o);
        assertTrue(fake.calls("scancel").isEmpty());
    }

    @Test
    void interruptCancels() throws Exception {
        fake.script("squeue", "RUNNING None\n", "", "0");
        JobOutcome[] out = new JobOutcome[1];
        boolean[] flag = new boolean[1];
        Thread t = Thread.ofPlatform().start(() -> {
            try {
                out[0] = sub.await(new JobId(12, Optional.empty()), new WaitPolicy(Duration.ofSeconds(30),
                        Duration.ofSeconds(60), Duration.ofMillis(50), 3));
                flag[0] = Thread.currentThread().isInterrupted();
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        Thread.sleep(400);
        t.interrupt();
        t.join(20_000);
        JobOutcome.Interrupted i = assertInstanceOf(JobOutcome.Interrupted.class, out[0]);
        assertTrue(i.cancelled());
        assertTrue(flag[0]);
        assertEquals(1, fake.calls("scancel").size());
    }

    @Test
    void cancelOfAnEndedJobIsNoError() throws Exception {
        fake.script("scancel", "", "scancel: error: Kill job error on job id 13: Job/step already completing or completed\n", "1");
        assertEquals(Optional.empty(), sub.cancel(new JobId(13, Optional.empty())));
        fake.script("scancel", "", "scancel: error: Kill job error on job id 14: Access/permission denied\n", "1");
        assertEquals(Optional.of("scancel: error: Kill job error on job id 14: Access/permission denied"),
                sub.cancel(new JobId(14, Optional.empty())));
    }
}
