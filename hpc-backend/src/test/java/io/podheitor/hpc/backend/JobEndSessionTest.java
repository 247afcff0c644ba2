package io.podheitor.hpc.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.backend.job.JobEnd;
import io.podheitor.hpc.backend.job.JobEndAction;
import io.podheitor.hpc.backend.job.JobOutcome;
import io.podheitor.hpc.ptcomm.Frame;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The job's outcome through END (docs/ptcomm.md §6) reaches the registered job-end actions. */
@Timeout(60)
class JobEndSessionTest {
    @TempDir
    Path tmp;

    final List<JobOutcome> seen = new CopyOnWriteArrayList<>();

    private ShimSide session(JobEndAction... actions) {
        JobEnd end = new JobEnd(false);
        for (JobEndAction a : actions) {
            end.register(a);
        }
        return new ShimSide(io.podheitor.hpc.backend.backup.FileOpener.POSIX, end);
    }

    /** Hello, the Job block (with EndStatus=1 when asked; the backend confirms it), Params, a backup of tmp. */
    private void backup(ShimSide shim, boolean endStatus) throws Exception {
        Files.writeString(tmp.resolve("f"), "x");
        shim.command(BackendSession.HELLO);
        shim.expectCommand(BackendSession.HELLO_REPLY);
        shim.command("Job");
        for (String l : List.of("Name=t", "JobID=3", "Type=B", "Level=F", "Accurate=0", "FDVersion=14")) {
            shim.command(l);
        }
        if (endStatus) {
            shim.command("EndStatus=1");
        }
        shim.send(Frame.end());
        if (endStatus) {
            shim.expectCommand(BackendSession.END_STATUS_REPLY);
        }
        shim.expect('F');
        shim.command("Params");
        shim.command(("path=" + tmp).getBytes(StandardCharsets.UTF_8));
        shim.send(Frame.end());
        shim.expect('F');
        shim.command("BackupStart");
        shim.expect('F');
        assertEquals(2, shim.readStream().records().size());
    }

    @Test
    void endWithStatusTAndNoErrorsIsOkBeforeTheF() throws Exception {
        try (ShimSide shim = session(seen::add)) {
            backup(shim, true);
            assertEquals(List.of(), seen, "no outcome before END");
            shim.command("END T 0");
            shim.expect('F');
            assertEquals(List.of(JobOutcome.OK), seen, "delivered before the F");
            shim.send(Frame.terminate());
            assertEquals(0, shim.exit.get(10, TimeUnit.SECONDS));
        }
        assertEquals(1, seen.size(), "once");
    }

    @Test
    void aFailedJobIsFailed() throws Exception {
        try (ShimSide shim = session(seen::add)) {
            backup(shim, true);
            shim.command("END f 1");
            shim.expect('F');
            shim.send(Frame.terminate());
            assertEquals(0, shim.exit.get(10, TimeUnit.SECONDS));
        }
        JobOutcome.Failed f = assertInstanceOf(JobOutcome.Failed.class, seen.getFirst());
        assertEquals('f', f.status());
        assertEquals(1, f.errors());
    }

    @Test
    void aBareEndIsUnknown() throws Exception {
        try (ShimSide shim = session(seen::add)) {
            backup(shim, false);
            shim.finish();
        }
        assertEquals(1, seen.size());
        assertInstanceOf(JobOutcome.Unknown.class, seen.getFirst());
    }

    @Test
    void endOfInputWithoutEndIsFailed() throws Exception {
        ShimSide shim = session(seen::add);
        backup(shim, true);
        shim.close(); // the shim killed the backend: stdin EOF
        assertEquals(0, shim.exit.get(10, TimeUnit.SECONDS));
        assertEquals(1, seen.size());
        assertEquals('?', assertInstanceOf(JobOutcome.Failed.class, seen.getFirst()).status());
    }

    @Test
    void terminateWithoutEndIsFailed() throws Exception {
        try (ShimSide shim = session(seen::add)) {
            backup(shim, true);
            shim.send(Frame.terminate());
            assertEquals(0, shim.exit.get(10, TimeUnit.SECONDS));
        }
        assertInstanceOf(JobOutcome.Failed.class, seen.getFirst());
    }

    @Test
    void aFailingActionIsAWarningInTheJobLog() throws Exception {
        JobEndAction broken = new JobEndAction() {
            @Override
            public void onJobEnd(JobOutcome outcome) {
                throw new IllegalStateException("no cursor");
            }

            @Override
            public String name() {
                return "changelog-clear";
            }
        };
        try (ShimSide shim = session(broken, seen::add)) {
            backup(shim, true);
            shim.command("END T 0");
            Frame w = shim.read();
            assertEquals('W', w.status(), w.toString());
            assertEquals("job-end action changelog-clear failed: java.lang.IllegalStateException: no cursor", w.text());
            shim.expect('F');
            shim.send(Frame.terminate());
            assertEquals(0, shim.exit.get(10, TimeUnit.SECONDS));
        }
        assertEquals(List.of(JobOutcome.OK), seen, "the next action still ran");
    }

    @Test
    void restoreEndDeliversTheOutcome() throws Exception {
        try (ShimSide shim = session(seen::add)) {
            shim.command(BackendSession.HELLO);
            shim.expectCommand(BackendSession.HELLO_REPLY);
            shim.command("Job");
            for (String l : List.of("Name=r", "JobID=9", "Type=R", "Replace=a", "Where=" + tmp, "EndStatus=1")) {
                shim.command(l);
            }
            shim.send(Frame.end());
            shim.expectCommand(BackendSession.END_STATUS_REPLY);
            shim.expect('F');
            shim.command("Params");
            shim.command(("path=" + tmp).getBytes(StandardCharsets.UTF_8));
            shim.send(Frame.end());
            shim.expect('F');
            shim.command("RestoreStart");
            shim.expect('F');
            shim.command("FINISH");
            shim.expect('F');
            assertTrue(seen.isEmpty());
            shim.command("END T 0");
            shim.expect('F');
            assertEquals(List.of(JobOutcome.OK), seen);
            shim.send(Frame.terminate());
            assertEquals(0, shim.exit.get(10, TimeUnit.SECONDS));
        }
    }
}
