package io.podheitor.hpc.backend.throttle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.backend.backup.Pacing;
import io.podheitor.hpc.ptcomm.throttle.ThrottleFile;
import io.podheitor.hpc.ptcomm.throttle.ThrottleValues;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThrottleWatcherTest {
    @TempDir
    Path tmp;

    private static void write(Path f, ThrottleValues v) throws Exception {
        ThrottleFile.writeAtomically(f, ThrottleFile.format(v, null));
    }

    /** Writes {@code text} in place (as a careless editor or a torn write would), with a new mtime. */
    private static void scribble(Path f, String text, long mtimeSec) throws Exception {
        Files.writeString(f, text);
        Files.setLastModifiedTime(f, FileTime.fromMillis(mtimeSec * 1000));
    }

    @Test
    void goodValuesAreAppliedBadOnesKeepTheLastGoodWithOneWarningEachAndADeletedFileRestoresTheDefaults()
            throws Exception {
        Path f = tmp.resolve("throttle.toml");
        ThrottleWatcher w = new ThrottleWatcher(f, 32, 16L << 20);
        Pacing p = w.pacing();
        w.check();
        assertNull(w.current(), "no file: the job's own values");
        assertEquals(List.of(), p.lines());
        assertEquals(Integer.MAX_VALUE, w.walkLimits().threads());

        write(f, new ThrottleValues(8, 2048, 20));
        w.check();
        assertEquals(new ThrottleValues(8, 2048, 20), w.current());
        assertEquals(8, w.walkLimits().threads());
        assertEquals(2048L * 1024, w.walkLimits().readAheadBudget());
        assertEquals(List.of(new Pacing.Line(false, "throttle: threads 32 -> 8, read buffer 16384 -> 2048 KiB, "
                + "pause 0 -> 20 ms per 256 entries")), p.lines());
        w.check();
        assertEquals(List.of(), p.lines(), "unchanged file: nothing");

        // torn (cut inside the last number), then malformed, then out of range: the last good values stay
        scribble(f, "threads = 2\nread_buffer_kib = 512\npause_ms = 2", 1_000_000);
        w.check();
        assertEquals(new ThrottleValues(8, 2048, 20), w.current());
        assertEquals(List.of(new Pacing.Line(true, "throttle: " + f + " ignored: the file does not end with a newline "
                + "(cut short while it was written?); keeping threads 8, read buffer 2048 KiB, pause 20 ms")), p.lines());
        scribble(f, "threads = 2\nread_buffer_kib = 512\npause_ms = 2", 1_000_001); // same content, new mtime
        w.check();
        assertEquals(List.of(), p.lines(), "one warning per distinct content");
        scribble(f, "threads = [\n", 1_000_002);
        w.check();
        List<Pacing.Line> l = p.lines();
        assertEquals(1, l.size());
        assertTrue(l.getFirst().warning() && l.getFirst().text().contains("ignored: not valid TOML"), l.toString());
        scribble(f, "threads = 0\nread_buffer_kib = 512\npause_ms = 2\n", 1_000_003);
        w.check();
        assertEquals(List.of(new Pacing.Line(true, "throttle: " + f + " ignored: threads = 0 is out of range 1..1024; "
                + "keeping threads 8, read buffer 2048 KiB, pause 20 ms")), p.lines());
        assertEquals(new ThrottleValues(8, 2048, 20), w.current());

        // a good file again: applied; values above the job's own are capped at them
        write(f, new ThrottleValues(64, 65536, 0));
        w.check();
        assertEquals(List.of(new Pacing.Line(false, "throttle: threads 8 -> 32, read buffer 2048 -> 16384 KiB, "
                + "pause 20 -> 0 ms per 256 entries")), p.lines());
        write(f, new ThrottleValues(4, 64, 0));
        w.check();
        p.lines();

        Files.delete(f);
        w.check();
        assertNull(w.current());
        assertEquals(List.of(new Pacing.Line(false, "throttle: threads 4 -> 32, read buffer 64 -> 16384 KiB, "
                + "pause 0 -> 0 ms per 256 entries (" + f + " is gone: the job's own values)")), p.lines());
        assertEquals(Long.MAX_VALUE, w.walkLimits().readAheadBudget());
    }

    @Test
    void thePauseComesOncePerBatch() throws Exception {
        Path f = tmp.resolve("throttle.toml");
        write(f, new ThrottleValues(4, 64, 150));
        try (ThrottleWatcher w = new ThrottleWatcher(f, 8, 1 << 20).start(10_000)) {
            Pacing p = w.pacing();
            long t0 = System.nanoTime();
            for (int i = 0; i < ThrottleWatcher.PAUSE_BATCH - 1; i++) {
                p.entryDone();
            }
            long firstBatch = System.nanoTime() - t0;
            p.entryDone();
            long withPause = System.nanoTime() - t0;
            assertTrue(firstBatch < 100_000_000L, "no pause before the batch is full: " + firstBatch / 1_000_000 + " ms");
            assertTrue(withPause >= 150_000_000L, "150 ms after 256 entries: " + withPause / 1_000_000 + " ms");
        }
    }

    @Test
    void theTimerPicksUpChanges() throws Exception {
        Path f = tmp.resolve("throttle.toml");
        try (ThrottleWatcher w = new ThrottleWatcher(f, 16, 1 << 20).start(20)) {
            write(f, new ThrottleValues(3, 64, 0));
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (w.walkLimits().threads() != 3 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertEquals(3, w.walkLimits().threads());
        }
    }
}
