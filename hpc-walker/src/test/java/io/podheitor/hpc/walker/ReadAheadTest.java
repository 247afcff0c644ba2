package io.podheitor.hpc.walker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.source.Entry;
import io.podheitor.hpc.source.SourceEnd;
import io.podheitor.hpc.source.SourceItem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Small-file read-ahead by the walker threads, its byte budget, and chunked stats of large directories. */
@Timeout(60)
class ReadAheadTest {
    @TempDir
    Path tmp;

    private static byte[] b(Path p) {
        return p.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static Map<String, Entry> drain(Walk w) throws InterruptedException {
        Map<String, Entry> out = new HashMap<>();
        for (SourceItem it; !((it = w.take()) instanceof SourceEnd); ) {
            if (it instanceof Entry e) {
                assertNull(out.put(new String(e.path(), StandardCharsets.UTF_8), e), "twice");
            }
        }
        return out;
    }

    @Test
    void smallRegularFilesCarryTheirExactContent() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("r"));
        byte[] small = "hello read-ahead".getBytes(StandardCharsets.UTF_8);
        byte[] limit = new byte[4096];
        byte[] big = new byte[4097];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) i;
            if (i < limit.length) {
                limit[i] = (byte) (i * 7);
            }
        }
        Files.write(root.resolve("small"), small);
        Files.write(root.resolve("limit"), limit);
        Files.write(root.resolve("big"), big);
        Files.write(root.resolve("empty"), new byte[0]);
        Files.createSymbolicLink(root.resolve("link"), root.resolve("small"));
        Files.createDirectory(root.resolve("dir"));
        Map<String, Entry> got = drain(Walk.start(b(root),
                new WalkOptions(4, 16, false).withReadAhead(4096, 1 << 20)));
        assertArrayEquals(small, got.get(root + "/small").data());
        assertArrayEquals(limit, got.get(root + "/limit").data(), "size == limit is read ahead");
        assertNull(got.get(root + "/big").data(), "above the limit: the consumer reads it");
        assertNull(got.get(root + "/empty").data());
        assertNull(got.get(root + "/link").data());
        assertNull(got.get(root + "/dir").data());
        assertNull(got.get(root.toString()).data());
    }

    @Test
    void onlyFilesChangedSinceAreReadAhead() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("since"));
        Path old = Files.writeString(root.resolve("old"), "old");
        Path fresh = Files.writeString(root.resolve("new"), "new");
        // ctime cannot be set back, so "since" is placed after both ctimes and only mtime decides
        long since = System.currentTimeMillis() / 1000 + 100;
        Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.fromMillis(1000));
        Files.setLastModifiedTime(fresh, java.nio.file.attribute.FileTime.fromMillis((since + 10) * 1000));
        Map<String, Entry> got = drain(Walk.start(b(root),
                new WalkOptions(2, 8, false).withReadAhead(64, 1024).withReadAheadWhen(new io.podheitor.hpc.source.ChangedSince(since))));
        assertNull(got.get(old.toString()).data(), "unchanged: not read");
        assertArrayEquals("new".getBytes(StandardCharsets.UTF_8), got.get(fresh.toString()).data());
    }

    @Test
    void offByDefault() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("off"));
        Files.writeString(root.resolve("f"), "x");
        assertNull(drain(Walk.start(b(root), new WalkOptions(2, 4, false))).get(root + "/f").data());
    }

    @Test
    void unreadableFilesArePassedOnWithoutData() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("unreadable"));
        Path f = Files.writeString(root.resolve("secret"), "x");
        Path fifo = root.resolve("fifo");
        new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor();
        Map<String, Entry> got = drain(Walk.start(b(root), new WalkOptions(2, 4, false).withReadAhead(64, 1024)));
        // as root the file is readable: the point is that no error item appears and the fifo is never opened
        assertEquals(3, got.size());
        assertNull(got.get(fifo.toString()).data());
        assertTrue(got.containsKey(f.toString()));
    }

    @Test
    void theBudgetBoundsQueuedBytesAndWalkersWaitForIt() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("budget"));
        int files = 200;
        for (int i = 0; i < files; i++) {
            Files.write(root.resolve("f" + i), new byte[100]);
        }
        long budget = 1000; // ten files' worth
        Walk w = Walk.start(b(root), new WalkOptions(4, 1024, false).withReadAhead(4096, budget));
        // nothing consumed yet: the walkers stop once the budget is used up (back-pressure), not skip read-ahead
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (w.readAheadQueuedBytes() < budget && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        Thread.sleep(100);
        assertEquals(budget, w.readAheadQueuedBytes(), "the budget is used up");
        assertTrue(w.queued() <= 10, "walkers wait for budget: " + w.queued() + " items queued");
        int withData = 0;
        int entries = 0;
        for (SourceItem it; !((it = w.take()) instanceof SourceEnd); ) {
            assertTrue(w.readAheadQueuedBytes() <= budget, "queued read-ahead bytes " + w.readAheadQueuedBytes());
            Entry e = (Entry) it;
            entries++;
            if (e.data() != null) {
                withData++;
                assertEquals(100, e.data().length);
            }
        }
        assertEquals(files + 1, entries);
        assertEquals(files, withData, "every file was read ahead, the budget only paced the walkers");
        assertEquals(0, w.readAheadQueuedBytes(), "budget returned as entries leave the channel");
    }

    @Test
    void aFileLargerThanTheBudgetIsPassedOnWithoutData() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("huge"));
        Files.write(root.resolve("big"), new byte[2000]);
        Map<String, Entry> got = drain(Walk.start(b(root), new WalkOptions(2, 16, false).withReadAhead(4096, 1000)));
        assertNull(got.get(root.resolve("big").toString()).data());
    }

    @Test
    void extendedAttributesAreReadAheadInScope() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("xa"));
        Path f = Files.writeString(root.resolve("f"), "x");
        Path d = Files.createDirectory(root.resolve("d"));
        Path l = Files.createSymbolicLink(root.resolve("l"), Path.of("f"));
        byte[] name = "user.podheitor".getBytes(StandardCharsets.US_ASCII);
        byte[] value = {0, 1, (byte) 0xff};
        try {
            io.podheitor.hpc.posix.Posix.setXattr(b(f), name, value);
            io.podheitor.hpc.posix.Posix.setXattr(b(d), name, value);
        } catch (io.podheitor.hpc.posix.PosixException e) {
            org.junit.jupiter.api.Assumptions.assumeTrue(false, "no user xattrs here: " + e.getMessage());
        }
        Map<String, Entry> all = drain(Walk.start(b(root), new WalkOptions(2, 16, false).withReadAhead(4096, 1 << 20)
                .withXattrs(io.podheitor.hpc.posix.Xattrs.Scope.ALL)));
        for (Path p : List.of(f, d)) {
            var read = all.get(p.toString()).xattrs();
            assertNotNull(read, p.toString());
            assertEquals(1, read.attrs().size(), p.toString());
            assertArrayEquals(name, read.attrs().get(0).name());
            assertArrayEquals(value, read.attrs().get(0).value());
        }
        assertEquals(0, all.get(l.toString()).xattrs().attrs().size(), "a symlink's own (none), not its target's");
        Map<String, Entry> acls = drain(Walk.start(b(root), new WalkOptions(2, 16, false)
                .withXattrs(io.podheitor.hpc.posix.Xattrs.Scope.ACLS)));
        assertEquals(0, acls.get(f.toString()).xattrs().attrs().size(), "user.* is not an ACL");
        Map<String, Entry> none = drain(Walk.start(b(root), new WalkOptions(2, 16, false)));
        assertNull(none.get(f.toString()).xattrs(), "not read ahead by default");
    }

    @Test
    void largeDirectoryInSmallChunksEveryEntryOnceDirectoryLast() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("large"));
        Set<String> expected = new HashSet<>();
        expected.add(root.toString());
        for (int i = 0; i < 3000; i++) {
            expected.add(Files.writeString(root.resolve("f" + i), "").toString());
        }
        for (int d = 0; d < 20; d++) {
            Path sub = Files.createDirectory(root.resolve("d" + d));
            expected.add(sub.toString());
            for (int i = 0; i < 50; i++) {
                expected.add(Files.writeString(sub.resolve("g" + i), "y").toString());
            }
        }
        Walk w = Walk.start(b(root), new WalkOptions(8, 32, false).withStatChunk(3).withReadAhead(16, 64));
        Set<String> seen = new HashSet<>();
        String last = null;
        for (SourceItem it; !((it = w.take()) instanceof SourceEnd end && end.completed()); ) {
            assertTrue(it instanceof Entry, "unexpected " + it);
            Entry e = (Entry) it;
            last = new String(e.path(), StandardCharsets.UTF_8);
            assertTrue(seen.add(last), "twice: " + last);
            if (e.stat().isDirectory() && !last.equals(root.toString())) {
                for (int i = 0; i < 50; i++) {
                    assertTrue(seen.contains(last + "/g" + i), "directory before its content " + last);
                }
            }
        }
        assertEquals(expected, seen);
        assertEquals(root.toString(), last, "root last");
    }
}
