package io.podheitor.hpc.cli.throttle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.cli.PodheitorCli;
import io.podheitor.hpc.ptcomm.throttle.ThrottleFile;
import io.podheitor.hpc.ptcomm.throttle.ThrottleValues;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ThrottleDaemonCommandTest {
    @TempDir
    Path tmp;

    record Run(int rc, String out, String err) {
    }

    private static Run cli(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new PodheitorCli());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return new Run(cl.execute(args), out.toString(), err.toString());
    }

    /** A fake squeue that checks its arguments, prints {@code output} and exits {@code rc}. */
    private Path fakeSqueue(Path dir, String output, int rc) throws Exception {
        Files.createDirectories(dir);
        Path data = dir.resolve("squeue.out");
        Files.writeString(data, output);
        Path script = dir.resolve("squeue");
        Files.writeString(script, "#!/bin/sh\n"
                + "[ \"$*\" = \"-h -t R -o %Q\" ] || { echo \"unexpected arguments: $*\" >&2; exit 9; }\n"
                + "cat '" + data + "'\n"
                + (rc == 0 ? "" : "echo 'squeue: error: Unable to contact slurm controller' >&2\n")
                + "exit " + rc + "\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        return script;
    }

    private static String lines(int n, long priority) {
        return (String.valueOf(priority) + "\n").repeat(n);
    }

    // ------------------------------------------------------------------ the rule

    @Test
    void theRuleCountsRunningJobsAndWeighsHighPriorityOnes() {
        ContentionRule r = new ContentionRule(8, 32, 1000, 4);
        assertEquals(ContentionRule.Level.IDLE, r.assess(List.of()).level());
        assertEquals(ContentionRule.Level.LIGHT, r.assess(Collections.nCopies(7, 10L)).level());
        assertEquals(ContentionRule.Level.BUSY, r.assess(Collections.nCopies(8, 10L)).level());
        assertEquals(ContentionRule.Level.BUSY, r.assess(Collections.nCopies(31, 10L)).level());
        assertEquals(ContentionRule.Level.SATURATED, r.assess(Collections.nCopies(32, 10L)).level());
        // 2 high-priority jobs count 4 each: load 8 -> busy, where 2 ordinary jobs are light
        ContentionRule.Assessment a = r.assess(List.of(1000L, 5000L));
        assertEquals(8, a.load());
        assertEquals(2, a.highPriority());
        assertEquals(ContentionRule.Level.BUSY, a.level());
        assertEquals(ContentionRule.Level.LIGHT, r.assess(List.of(999L, 5L)).level());
        // highPriority 0: priorities do not count
        assertEquals(2, ContentionRule.DEFAULT.assess(List.of(Long.MAX_VALUE, 1L)).load());
        assertThrows(IllegalArgumentException.class, () -> new ContentionRule(8, 8, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> new ContentionRule(0, 8, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> new ContentionRule(1, 8, 0, 0));
    }

    @Test
    void theLevelsGetLessTheBusierTheCluster() {
        ThrottleValues prev = null;
        for (ContentionRule.Level l : ContentionRule.Level.values()) {
            ThrottleValues v = l.throttle();
            if (prev != null) {
                assertTrue(v.threads() < prev.threads() && v.readBufferKib() < prev.readBufferKib()
                        && v.pauseMs() >= prev.pauseMs(), l + " " + v + " after " + prev);
            }
            prev = v;
        }
    }

    @Test
    void squeueOutputIsPrioritiesOrAFailure() throws Exception {
        assertEquals(List.of(1L, 4294901759L), Squeue.parse("1\n  4294901759 \n\n"));
        assertEquals(List.of(), Squeue.parse(""));
        assertTrue(assertThrows(Squeue.Failed.class, () -> Squeue.parse("12\nPRIORITY\n")).getMessage()
                .contains("line 2 is not a priority: \"PRIORITY\""));
        assertThrows(Squeue.Failed.class, () -> Squeue.parse("-5\n"));
        assertThrows(Squeue.Failed.class, () -> Squeue.parse("99999999999999999999\n"));
        assertThrows(Squeue.Failed.class, () -> Squeue.parse("1.5\n"));
    }

    // ------------------------------------------------------------------ the command

    @Test
    void onceWritesTheLevelsValuesAtomically() throws Exception {
        Path file = tmp.resolve("throttle.toml");
        Path squeue = fakeSqueue(tmp.resolve("bin"), lines(10, 100), 0);
        Run r = cli("throttle-daemon", "--once", "--file", file.toString(), "--squeue", squeue.toString());
        assertEquals(0, r.rc(), r.err());
        assertEquals(ContentionRule.Level.BUSY.throttle(), ThrottleFile.parse(Files.readAllBytes(file)));
        assertTrue(r.err().contains("level busy: 10 running jobs, load 10 -> threads 8, read_buffer_kib 2048, "
                + "pause_ms 20"), r.err());
        assertTrue(Files.readString(file).startsWith("# written by podheitor-hpc throttle-daemon"));
        try (var s = Files.list(tmp)) {
            assertEquals(2, s.count(), "no temporary file left beside it");
        }
    }

    @Test
    void aFailingOrGarbledSqueueKeepsTheLastValues() throws Exception {
        Path file = tmp.resolve("throttle.toml");
        Path bin = tmp.resolve("bin");
        Path squeue = fakeSqueue(bin, "", 0);
        assertEquals(0, cli("throttle-daemon", "--once", "--file", file.toString(), "--squeue", squeue.toString())
                .rc());
        byte[] idle = Files.readAllBytes(file);
        assertEquals(ContentionRule.Level.IDLE.throttle(), ThrottleFile.parse(idle));

        fakeSqueue(bin, lines(40, 1), 1);
        Run failed = cli("throttle-daemon", "--once", "--file", file.toString(), "--squeue", squeue.toString());
        assertEquals(1, failed.rc());
        assertTrue(failed.err().contains("exited with status 1: squeue: error: Unable to contact slurm controller; "
                + file + " keeps its last values"), failed.err());
        assertArrayEquals(idle, Files.readAllBytes(file));

        fakeSqueue(bin, "12\n<html>proxy error</html>\n", 0);
        Run garbled = cli("throttle-daemon", "--once", "--file", file.toString(), "--squeue", squeue.toString());
        assertEquals(1, garbled.rc());
        assertTrue(garbled.err().contains("squeue line 2 is not a priority"), garbled.err());
        assertArrayEquals(idle, Files.readAllBytes(file));

        Run missing = cli("throttle-daemon", "--once", "--file", file.toString(), "--squeue",
                tmp.resolve("nope").toString());
        assertEquals(1, missing.rc());
        assertTrue(missing.err().contains("cannot run"), missing.err());
        assertArrayEquals(idle, Files.readAllBytes(file));
    }

    @Test
    void badOptionsAreRefused() {
        Run r = cli("throttle-daemon", "--once", "--busy-load", "40", "--saturated-load", "32");
        assertEquals(2, r.rc());
        assertTrue(r.err().contains("busy load < saturated load"), r.err());
    }

    /** The daemon's poll loop rewriting the file between levels while a reader parses it: never torn. */
    @Test
    void aReaderNeverSeesATornFileWhileTheDaemonRewritesIt() throws Exception {
        Path file = tmp.resolve("throttle.toml");
        Path bin = tmp.resolve("bin");
        Path squeue = fakeSqueue(bin, "", 0);
        ThrottleDaemonCommand d = new ThrottleDaemonCommand();
        d.file = file;
        StringWriter log = new StringWriter();
        Squeue source = new Squeue(squeue.toString(), 30);
        assertTrue(d.poll(ContentionRule.DEFAULT, source, new PrintWriter(log)));
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<String> problem = new AtomicReference<>();
        AtomicInteger reads = new AtomicInteger();
        List<ThrottleValues> seen = Collections.synchronizedList(new ArrayList<>());
        Thread reader = Thread.ofPlatform().start(() -> {
            while (!done.get() && problem.get() == null) {
                try {
                    ThrottleValues v = ThrottleFile.parse(Files.readAllBytes(file));
                    reads.incrementAndGet();
                    if (seen.isEmpty() || !seen.getLast().equals(v)) {
                        seen.add(v);
                    }
                } catch (Exception e) {
                    problem.set(e.toString());
                }
            }
        });
        int[] jobs = {0, 3, 12, 50};
        for (int i = 0; i < 24; i++) {
            fakeSqueue(bin, lines(jobs[i % 4], 7), 0);
            assertTrue(d.poll(ContentionRule.DEFAULT, source, new PrintWriter(log)));
        }
        done.set(true);
        reader.join(TimeUnit.SECONDS.toMillis(30));
        assertEquals(null, problem.get());
        assertTrue(reads.get() > 0);
        for (ThrottleValues v : seen) {
            assertTrue(java.util.Arrays.stream(ContentionRule.Level.values()).anyMatch(l -> l.throttle().equals(v)), v
                    + " is no level's values");
        }
        assertEquals(ContentionRule.Level.SATURATED.throttle(), ThrottleFile.parse(Files.readAllBytes(file)));
        assertTrue(log.toString().contains("level saturated: 50 running jobs"), log.toString());
    }

    /** squeue found on PATH (the default --squeue), in a separate JVM whose PATH starts with the fake's directory. */
    @Test
    void theDefaultSqueueIsLookedUpOnPath() throws Exception {
        Path bin = tmp.resolve("bin");
        fakeSqueue(bin, lines(3, 1), 0);
        Path file = tmp.resolve("throttle.toml");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), PodheitorCli.class.getName(), "throttle-daemon",
                "--once", "--file", file.toString());
        pb.environment().put("PATH", bin + ":" + System.getenv("PATH"));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertEquals(ContentionRule.Level.LIGHT.throttle(), ThrottleFile.parse(Files.readAllBytes(file)));
        assertTrue(out.contains("level light: 3 running jobs"), out);
        assertFalse(out.contains("unexpected arguments"), out);
    }
}
