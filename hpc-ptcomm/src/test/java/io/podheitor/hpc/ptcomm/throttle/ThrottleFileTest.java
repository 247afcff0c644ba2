package io.podheitor.hpc.ptcomm.throttle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ThrottleFileTest {
    @TempDir
    Path tmp;

    private static ThrottleValues parse(String s) throws ThrottleFile.BadThrottleFile {
        return ThrottleFile.parse(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String bad(String s) {
        return assertThrows(ThrottleFile.BadThrottleFile.class, () -> parse(s)).getMessage();
    }

    private static void refused(String content, String expected) {
        String m = bad(content);
        assertTrue(m.contains(expected), "\"" + m + "\" does not say \"" + expected + "\"");
    }

    @Test
    void formatThenParseGivesTheValuesBack() throws Exception {
        ThrottleValues v = new ThrottleValues(8, 2048, 10);
        byte[] b = ThrottleFile.format(v, "level 2 (busy): 12 running jobs");
        String text = new String(b, StandardCharsets.UTF_8);
        assertTrue(text.startsWith("# level 2 (busy): 12 running jobs\n"), text);
        assertTrue(text.contains("threads = 8\n") && text.contains("read_buffer_kib = 2048\n")
                && text.endsWith("pause_ms = 10\n"), text);
        assertEquals(v, ThrottleFile.parse(b));
        assertEquals(v, ThrottleFile.parse(ThrottleFile.format(v, null)));
    }

    @Test
    void acceptsAHandWrittenFileWithCommentsInAnyOrder() throws Exception {
        assertEquals(new ThrottleValues(1, 0, 10_000),
                parse("# quiet\npause_ms = 10000 # the most\n\nthreads=1\nread_buffer_kib = 0\n"));
    }

    @Test
    void refusesMalformedTornAndOutOfRangeFiles() {
        refused("", "empty");
        refused("threads = 8\nread_buffer_kib = 2048\npause_ms = 1", "newline");
        refused("threads = 8\nread_buffer_kib = 2048\n", "missing key pause_ms");
        refused("threads = 8\nread_buf", "newline");
        refused("threads = 8\nread_buf\n", "not valid TOML");
        refused("threads = \"8\"\nread_buffer_kib = 1\npause_ms = 1\n", "threads must be an integer");
        refused("threads = 8.5\nread_buffer_kib = 1\npause_ms = 1\n", "threads must be an integer");
        refused("threads = 8\nread_buffer_kib = 1\npause_ms = 1\nlevel = 2\n", "unknown key level");
        refused("threads = 8\nread_buffer_kib = 1\npause_ms = 1\n[more]\nx = 1\n", "unknown key more");
        refused("threads = 8\nthreads = 9\nread_buffer_kib = 1\npause_ms = 1\n", "Duplicate key");
        refused("threads = 0\nread_buffer_kib = 1\npause_ms = 1\n", "threads = 0 is out of range 1..1024");
        refused("threads = 1025\nread_buffer_kib = 1\npause_ms = 1\n", "out of range");
        refused("threads = 4\nread_buffer_kib = -1\npause_ms = 1\n", "read_buffer_kib = -1");
        refused("threads = 4\nread_buffer_kib = 1048577\npause_ms = 1\n", "read_buffer_kib");
        refused("threads = 4\nread_buffer_kib = 1\npause_ms = 10001\n", "pause_ms = 10001");
        refused("threads = 99999999999999999999999\nread_buffer_kib = 1\npause_ms = 1\n", "threads");
        refused("\0\0\0\n", "not valid TOML");
    }

    @Test
    void everyCutOfAWrittenFileIsRefusedOrIsTheWholeFile() throws Exception {
        byte[] whole = ThrottleFile.format(new ThrottleValues(32, 16384, 100), "a comment");
        ThrottleValues v = ThrottleFile.parse(whole);
        for (int n = 0; n < whole.length; n++) {
            byte[] cut = java.util.Arrays.copyOf(whole, n);
            try {
                ThrottleValues got = ThrottleFile.parse(cut);
                throw new AssertionError("a cut at " + n + " bytes parsed as " + got);
            } catch (ThrottleFile.BadThrottleFile expected) {
                // refused
            }
        }
        assertEquals(new ThrottleValues(32, 16384, 100), v);
    }

    @Test
    void writeAtomicallyReplacesTheFileAndLeavesNoTemporaryFile() throws Exception {
        Path f = tmp.resolve("throttle.toml");
        byte[] a = ThrottleFile.format(new ThrottleValues(8, 1, 2), null);
        ThrottleFile.writeAtomically(f, a);
        assertArrayEquals(a, Files.readAllBytes(f));
        byte[] b = ThrottleFile.format(new ThrottleValues(9, 1, 2), null);
        ThrottleFile.writeAtomically(f, b);
        assertArrayEquals(b, Files.readAllBytes(f));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(f)));
        try (var s = Files.list(tmp)) {
            assertEquals(List.of(f), s.toList());
        }
    }

    @Test
    void aConcurrentReaderNeverSeesATornFile() throws Exception {
        Path f = tmp.resolve("throttle.toml");
        List<byte[]> versions = new ArrayList<>();
        for (int i = 1; i <= 50; i++) { // different lengths, so a mix of two versions would show
            versions.add(ThrottleFile.format(new ThrottleValues(i, i * 1000, i * 7), "version " + i + " "
                    + "x".repeat(i * 13)));
        }
        ThrottleFile.writeAtomically(f, versions.get(0));
        AtomicBoolean done = new AtomicBoolean();
        AtomicLong reads = new AtomicLong();
        AtomicReference<String> problem = new AtomicReference<>();
        Thread reader = Thread.ofPlatform().start(() -> {
            while (!done.get() && problem.get() == null) {
                try {
                    byte[] got = Files.readAllBytes(f);
                    reads.incrementAndGet();
                    if (versions.stream().noneMatch(v -> java.util.Arrays.equals(v, got))) {
                        problem.set("read a file that is no version: " + new String(got, StandardCharsets.UTF_8));
                    }
                    ThrottleFile.parse(got);
                } catch (NoSuchFileException e) {
                    problem.set("the file was missing during a rename");
                } catch (Exception e) {
                    problem.set(e.toString());
                }
            }
        });
        for (int round = 0; round < 10; round++) {
            for (byte[] v : versions) {
                ThrottleFile.writeAtomically(f, v);
            }
        }
        done.set(true);
        reader.join();
        assertEquals(null, problem.get());
        assertTrue(reads.get() > 0, "the reader read " + reads.get() + " times");
    }
}
