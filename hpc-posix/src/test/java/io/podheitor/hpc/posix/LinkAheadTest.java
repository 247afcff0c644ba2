package io.podheitor.hpc.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LinkAheadTest {
    @TempDir
    Path tmp;

    private static long openDescriptors() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    @Test
    void leavesNoDescriptorOpenAndCanRunAgain() throws IOException {
        LinkAhead.backupCalls();                        // the first run may open lazily created JDK descriptors
        long before = openDescriptors();
        for (int i = 0; i < 3; i++) {
            LinkAhead.backupCalls();
        }
        assertEquals(before, openDescriptors(), "descriptors open after LinkAhead.backupCalls()");
    }

    /** Link-ahead threads and a job's thread making the same calls at once: no deadlock, the job's results exact. */
    @Test
    void runsAlongsideTheCallsItLinks() throws Exception {
        byte[] data = "the first file of the job\n".getBytes(StandardCharsets.US_ASCII);
        Path dir = Files.createDirectory(tmp.resolve("d"));
        Files.write(dir.resolve("f"), data);
        byte[] dirPath = dir.toString().getBytes(StandardCharsets.UTF_8);
        byte[] filePath = dir.resolve("f").toString().getBytes(StandardCharsets.UTF_8);

        List<Thread> ahead = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ahead.add(Thread.ofPlatform().daemon().start(LinkAhead::backupCalls));
        }
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicReference<byte[]> read = new AtomicReference<>();
        AtomicReference<List<DirEntry>> listed = new AtomicReference<>();
        Thread job = Thread.ofPlatform().daemon().start(() -> {
            try {
                assertEquals(data.length, Posix.statx(Fcntl.AT_FDCWD, filePath, Fcntl.AT_SYMLINK_NOFOLLOW).size());
                int dfd = Posix.openDirectory(Fcntl.AT_FDCWD, dirPath);
                try {
                    listed.set(Posix.readDirectory(dfd));
                } finally {
                    Posix.close(dfd);
                }
                int fd = Posix.openForReading(Fcntl.AT_FDCWD, filePath);
                try {
                    byte[] buf = new byte[64];
                    int n = Posix.read(fd, buf, 0, buf.length);
                    assertEquals(0, Posix.lseek(fd, 0, Posix.SEEK_SET));
                    read.set(java.util.Arrays.copyOf(buf, n));
                } finally {
                    Posix.close(fd);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        for (Thread t : ahead) {
            assertTrue(t.join(Duration.ofSeconds(30)), "a link-ahead thread did not finish");
        }
        assertTrue(job.join(Duration.ofSeconds(30)), "the job's thread did not finish");
        if (failure.get() != null) {
            throw new AssertionError("the job's calls failed", failure.get());
        }
        assertArrayEquals(data, read.get());
        assertEquals(1, listed.get().size());
        assertArrayEquals(new byte[] {'f'}, listed.get().get(0).name());
    }
}
