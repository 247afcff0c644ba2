package io.podheitor.hpc.backend.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.backend.job.JobInfo;
import io.podheitor.hpc.backend.job.Mode;
import io.podheitor.hpc.backend.job.PluginParams;
import io.podheitor.hpc.backend.throttle.ThrottleWatcher;
import io.podheitor.hpc.ptcomm.throttle.ThrottleFile;
import io.podheitor.hpc.ptcomm.throttle.ThrottleValues;
import io.podheitor.hpc.source.Entry;
import io.podheitor.hpc.source.EntryFilter;
import io.podheitor.hpc.source.EntrySource;
import io.podheitor.hpc.source.SourceEnd;
import io.podheitor.hpc.source.SourceItem;
import io.podheitor.hpc.walker.Walk;
import io.podheitor.hpc.walker.WalkOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The throttle through the backend's own wiring (Backup, SourceFactory, the watcher): docs/throttle.md. */
class ThrottledBackupTest {
    /** The job's own read-ahead budget in KiB, which the file lowers (the backend's default). */
    private static final long JOB_KIB = WalkOptions.DEFAULT_READ_AHEAD_BUDGET >> 10;

    @TempDir
    Path tmp;

    private static JobInfo job() {
        return new JobInfo("Throttled", 7, 'B', 'F', -1, false, new byte[0], new byte[0], 'a', 14);
    }

    private Path tree(int files) throws Exception {
        Path root = Files.createDirectory(tmp.resolve("tree"));
        for (int i = 0; i < files; i++) {
            Path d = Files.createDirectories(root.resolve("d" + i % 10));
            Files.writeString(d.resolve("f" + i), "file " + i);
        }
        return root;
    }

    private static PluginParams params(Path root, int threads, int channelDepth, Path throttle) {
        return new PluginParams(root.toString().getBytes(StandardCharsets.UTF_8), Mode.POSIX, threads, channelDepth,
                null).withThrottleFile(throttle);
    }

    private static void waitFor(IntSupplier got, int want) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (got.getAsInt() != want && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(want, got.getAsInt());
    }

    @Test
    void aBackupAppliesTheFileAndSaysSoInTheJobLog() throws Exception {
        Path root = tree(300);
        Path file = tmp.resolve("throttle.toml");
        ThrottleFile.writeAtomically(file, ThrottleFile.format(new ThrottleValues(2, 64, 1), "test"));
        Frames frames = new Frames();
        assertTrue(new Backup(frames.out, millis -> true, () -> false, null, java.time.InstantSource.system())
                .run(params(root, 6, 64, file), job(), true));
        List<String> s = frames.summary();
        assertTrue(s.contains("I throttle: threads 6 -> 2, read buffer " + JOB_KIB + " -> 64 KiB, pause 0 -> 1 ms per 256 "
                + "entries"), s.toString());
        assertEquals("F", s.getLast());
        assertEquals(300, s.stream().filter(l -> l.startsWith("C FILE F ") || l.startsWith("C FILE R ")).count()
                - s.stream().filter(l -> l.startsWith("C FILE F ") && l.endsWith("/")).count(), s.toString());
    }

    @Test
    void aMalformedFileIsOneWarningAndTheBackupRunsUnthrottled() throws Exception {
        Path root = tree(20);
        Path file = tmp.resolve("throttle.toml");
        Files.writeString(file, "threads = eight\n");
        Frames frames = new Frames();
        assertTrue(new Backup(frames.out, millis -> true, () -> false, null, java.time.InstantSource.system())
                .run(params(root, 4, 64, file), job(), true));
        List<String> warnings = frames.summary().stream().filter(l -> l.startsWith("W throttle: ")).toList();
        assertEquals(1, warnings.size(), frames.summary().toString());
        assertTrue(warnings.getFirst().contains(file + " ignored: not valid TOML") && warnings.getFirst()
                .endsWith("; keeping threads 4, read buffer " + JOB_KIB + " KiB, pause 0 ms"), warnings.toString());
        assertEquals("F", frames.summary().getLast());
    }

    /** A running walk of the backend's source follows the file: its thread gate is resized mid-walk. */
    @Test
    @Timeout(60)
    void aRunningWalkFollowsTheFile() throws Exception {
        Path root = tree(400);
        Path file = tmp.resolve("throttle.toml");
        PluginParams p = params(root, 8, 2, file); // channel of 2: the walk waits for this test, so it keeps running
        JobInfo job = job();
        try (ThrottleWatcher w = new ThrottleWatcher(file, p.threads(), 16L << 20).start(20);
                EntrySource src = SourceFactory.open(p, job, ChangePolicy.of(job, true), true, EntryFilter.ALL,
                        new ChangeDriver.Choice.Walk(), w.walkLimits())) {
            Walk walk = (Walk) src;
            assertEquals(8, walk.threadsNow());
            int taken = 0;
            ThrottleFile.writeAtomically(file, ThrottleFile.format(new ThrottleValues(3, 16, 0), null));
            waitFor(walk::threadsNow, 3);
            assertEquals(16 * 1024, walk.budgetNow());
            for (; taken < 100; taken++) {
                assertTrue(src.take() instanceof Entry);
            }
            assertFalse(walk.isTerminated(), "still walking");
            ThrottleFile.writeAtomically(file, ThrottleFile.format(new ThrottleValues(1, 0, 0), null));
            waitFor(walk::threadsNow, 1);
            for (; taken < 200; taken++) {
                Entry e = (Entry) src.take();
                assertTrue(e.data() == null || taken < 110, "read buffer 0: no read-ahead once drained");
            }
            Files.writeString(file, "threads = 5\nread_buffer_kib = 1\npause_ms = 0"); // torn: kept at 1
            Thread.sleep(100);
            assertEquals(1, walk.threadsNow());
            Files.delete(file);
            waitFor(walk::threadsNow, 8);
            SourceItem it;
            while (!((it = src.take()) instanceof SourceEnd)) {
                taken++;
            }
            assertTrue(((SourceEnd) it).completed());
            assertEquals(400 + 10 + 1, taken, "every entry delivered");
            List<String> log = w.pacing().lines().stream().map(l -> (l.warning() ? "W " : "I ") + l.text()).toList();
            assertEquals(4, log.size(), log.toString());
            assertTrue(log.get(0).startsWith("I throttle: threads 8 -> 3, read buffer 16384 -> 16 KiB"), log.toString());
            assertTrue(log.get(1).startsWith("I throttle: threads 3 -> 1, read buffer 16 -> 0 KiB"), log.toString());
            assertTrue(log.get(2).startsWith("W throttle: " + file + " ignored: the file does not end"), log.toString());
            assertTrue(log.get(3).startsWith("I throttle: threads 1 -> 8") && log.get(3).endsWith("is gone: the job's "
                    + "own values)"), log.toString());
        }
    }
}
