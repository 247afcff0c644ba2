package io.podheitor.hpc.backend.restore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.backend.job.JobInfo;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.ptcomm.FileRecord;
import io.podheitor.hpc.ptcomm.FileType;
import io.podheitor.hpc.ptcomm.Frame;
import io.podheitor.hpc.ptcomm.FrameReader;
import io.podheitor.hpc.ptcomm.FrameWriter;
import io.podheitor.hpc.ptcomm.MetaBlob;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pipelined restore (docs/ptcomm.md §5.1) on its own: records in, files on disk and only failures out. The
 * random trees check the order the workers must keep (a parent before its children, a hard link after its target,
 * a file's data after its create, its blob after its close, directory attributes after all contents) by the
 * result: any of them broken leaves a missing entry, a wrong content, a second inode or a directory mtime that
 * its contents changed.
 */
class ParallelRestorerTest {
    private static final long MTIME = 1_600_000_000L;
    @TempDir
    Path tmp;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final FrameWriter out = new FrameWriter(bytes);

    private ParallelRestorer restorer(char replace, int threads, int maxTasks, long maxBytes) {
        JobInfo e = JobInfo.empty();
        return new ParallelRestorer(out, new JobInfo("r", 1, 'R', (char) 0, -1, false, new byte[0], e.regexWhere(),
                replace, 14, true), true, true, 4, tmp, threads, maxTasks, maxBytes);
    }

    /** Everything written, as "C text", "E text", "F". */
    private List<String> frames() throws IOException {
        synchronized (bytes) {
            out.flush();
        }
        FrameReader r = new FrameReader(new ByteArrayInputStream(bytes.toByteArray()));
        List<String> all = new ArrayList<>();
        for (Frame f; (f = r.read()) != null; ) {
            all.add(f.status() == 'F' ? "F" : f.status() + " " + f.text());
        }
        return all;
    }

    private static byte[] b(Object s) {
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static FileRecord rec(FileType type, int mode, Object name, Object link, long size, long mtime) {
        return new FileRecord(type, mode, 1234, 5678, size, mtime, mtime, mtime, 1, 1, 1, 0, (size + 511) / 512, 0, 0,
                b(name), link == null ? new byte[0] : b(link));
    }

    // ------------------------------------------------------------------ random trees

    /** One entry of a generated tree, in the order the FD sends the records. */
    private record Entry(FileType type, String rel, byte[] data, String link, long mtime) {
    }

    /**
     * A random tree below "t": directories (post-order: after their contents, as a plugin backup sends them, or
     * pre-order: before them, as a later job of a multi-job restore may), files with random data (some large, in
     * many D packets), empty files, symlinks, and hard links (after their target, which is sometimes large).
     */
    private static List<Entry> tree(Random rnd, boolean preOrder) {
        List<Entry> out = new ArrayList<>();
        List<String> files = new ArrayList<>();
        addDir(rnd, out, files, "t", 0, preOrder);
        return out;
    }

    private static void addDir(Random rnd, List<Entry> out, List<String> files, String dir, int depth,
            boolean preOrder) {
        long mtime = MTIME + rnd.nextInt(1_000_000);
        if (preOrder) {
            out.add(new Entry(FileType.DIRECTORY, dir, null, null, mtime));
        }
        int n = 1 + rnd.nextInt(6);
        for (int i = 0; i < n; i++) {
            String name = dir + "/e" + i;
            int kind = rnd.nextInt(10);
            if (kind < 2 && depth < 4) {
                addDir(rnd, out, files, name, depth + 1, preOrder);
            } else if (kind < 6) {
                byte[] data = new byte[rnd.nextInt(5) == 0 ? 100_000 + rnd.nextInt(300_000) : rnd.nextInt(3000)];
                rnd.nextBytes(data);
                out.add(new Entry(data.length == 0 ? FileType.EMPTY : FileType.REGULAR, name, data, null,
                        MTIME + rnd.nextInt(1_000_000)));
                files.add(name);
            } else if (kind < 8) {
                out.add(new Entry(FileType.SYMLINK, name, null, "target-" + i, MTIME));
            } else if (!files.isEmpty()) {
                out.add(new Entry(FileType.HARDLINK, name, null, files.get(rnd.nextInt(files.size())), MTIME));
            }
        }
        if (!preOrder) {
            out.add(new Entry(FileType.DIRECTORY, dir, null, null, mtime));
        }
    }

    /** Sends the tree as the shim does: FILE, D packets of at most 64 KiB, F, the blob (directories: right after). */
    private void send(ParallelRestorer r, Path where, List<Entry> tree, Random rnd) throws IOException {
        for (Entry e : tree) {
            Path p = where.resolve(e.rel());
            switch (e.type()) {
                case DIRECTORY -> {
                    r.create(rec(FileType.DIRECTORY, 040750, p + "/", null, 0, e.mtime()));
                    r.metadata(MetaBlob.withTimes(e.mtime(), 0, e.mtime(), 250_000_000, List.of()).encode());
                }
                case REGULAR, EMPTY -> {
                    r.create(rec(e.type(), 0100640, p, null, e.data().length, e.mtime()));
                    for (int off = 0; off < e.data().length; ) {
                        int len = Math.min(e.data().length - off, 1 + rnd.nextInt(65536));
                        byte[] chunk = new byte[len];
                        System.arraycopy(e.data(), off, chunk, 0, len);
                        r.write(chunk);
                        off += len;
                    }
                    r.close();
                    r.metadata(MetaBlob.withTimes(e.mtime(), 0, e.mtime(), 123_000_000, List.of()).encode());
                }
                case SYMLINK -> {
                    r.create(rec(FileType.SYMLINK, 0120777, p, e.link(), 0, e.mtime()));
                    r.close();
                }
                case HARDLINK -> r.create(rec(FileType.HARDLINK, 0100640, p, where.resolve(e.link()), 0, e.mtime()));
                default -> throw new IllegalStateException();
            }
        }
    }

    private static void verify(Path where, List<Entry> tree) throws Exception {
        Map<String, Entry> last = new LinkedHashMap<>();
        for (Entry e : tree) {
            last.put(e.rel(), e);
        }
        for (Entry e : last.values()) {
            Path p = where.resolve(e.rel());
            StatX st = Posix.lstat(b(p));
            switch (e.type()) {
                case DIRECTORY -> {
                    assertTrue(st.isDirectory(), p.toString());
                    assertEquals(0750, st.permissions(), p.toString());
                    // applied after everything below it was created: no later create changed it
                    assertEquals(e.mtime(), st.mtimeSec(), "mtime of " + p);
                    assertEquals(250_000_000, st.mtimeNsec(), "ns mtime of " + p);
                    assertEquals(1234, st.uid());
                }
                case REGULAR, EMPTY -> {
                    assertArrayEquals(e.data(), Files.readAllBytes(p), p.toString());
                    assertEquals(0640, st.permissions());
                    assertEquals(e.mtime(), st.mtimeSec(), "mtime of " + p);
                    assertEquals(123_000_000, st.mtimeNsec(), "the blob after the close: " + p);
                }
                case SYMLINK -> assertEquals(e.link(), Files.readSymbolicLink(p).toString());
                case HARDLINK -> {
                    Path target = where.resolve(e.link());
                    assertEquals(Posix.lstat(b(target)).ino(), st.ino(), p + " is a name of " + target);
                }
                default -> throw new IllegalStateException();
            }
        }
    }

    @Test
    void randomTreesPostOrderRestoreExactly() throws Exception {
        for (int seed = 1; seed <= 25; seed++) {
            randomTree(seed, false, 1 + seed % 8);
        }
    }

    @Test
    void randomTreesWithDirectoriesBeforeTheirContentsRestoreExactly() throws Exception {
        // a directory record first, replacing a file at its name: its children must wait for it (ancestor in flight)
        for (int seed = 101; seed <= 125; seed++) {
            randomTree(seed, true, 2 + seed % 7);
        }
    }

    private void randomTree(int seed, boolean preOrder, int threads) throws Exception {
        Random rnd = new Random(seed);
        List<Entry> tree = tree(rnd, preOrder);
        Path where = Files.createDirectory(tmp.resolve("w" + seed));
        if (preOrder) {
            Files.writeString(where.resolve("t"), "a file where the tree's root directory goes");
        }
        bytes.reset();
        // small queues: the reader blocks often (back-pressure), the order must hold anyway
        ParallelRestorer r = restorer('a', threads, 3 + rnd.nextInt(8), 1 + rnd.nextInt(200_000));
        try {
            send(r, where, tree, rnd);
            r.finish();
        } finally {
            r.release();
        }
        // a hard link's answer (the shim waits for it), then FINISH's F: no failure
        List<String> got = frames().stream().filter(f -> !f.equals("C DONE")).toList();
        long links = tree.stream().filter(e -> e.type() == FileType.HARDLINK).count();
        assertEquals(List.of("F"), got, "seed " + seed + ": only FINISH's F, no failure");
        assertEquals(links + 1, frames().size(), "seed " + seed + ": one DONE per hard link");
        verify(where, tree);
    }

    // ------------------------------------------------------------------ order, specifically

    @Test
    void aHardLinkToALargeFileStillBeingWrittenIsLinkedAfterItsClose() throws Exception {
        ParallelRestorer r = restorer('a', 8, 1024, 8L << 20);
        byte[] data = new byte[3 << 20];
        new Random(7).nextBytes(data);
        Path big = tmp.resolve("d/big");
        r.create(rec(FileType.REGULAR, 0100600, big, null, data.length, MTIME));
        for (int off = 0; off < data.length; off += 65536) {
            r.write(java.util.Arrays.copyOfRange(data, off, Math.min(data.length, off + 65536)));
        }
        r.close();
        for (int i = 0; i < 50; i++) { // other files keep the other workers busy meanwhile
            r.create(rec(FileType.EMPTY, 0100600, tmp.resolve("d/o" + i), null, 0, MTIME));
            r.close();
        }
        r.create(rec(FileType.HARDLINK, 0100600, tmp.resolve("d/link"), big, 0, MTIME));
        r.finish();
        r.release();
        assertEquals(List.of("C DONE", "F"), frames()); // the shim waits for a hard link's answer
        assertEquals(Posix.lstat(b(big)).ino(), Posix.lstat(b(tmp.resolve("d/link"))).ino());
        assertArrayEquals(data, Files.readAllBytes(tmp.resolve("d/link")));
        assertEquals(0600, Posix.lstat(b(big)).permissions(), "closed (attributes applied) before linking");
    }

    @Test
    void manyFilesBelowOneMissingParentAreCreatedRaceFree() throws Exception {
        ParallelRestorer r = restorer('a', 8, 64, 1 << 20);
        for (int i = 0; i < 400; i++) {
            r.create(rec(FileType.REGULAR, 0100644, tmp.resolve("x/y/z/f" + i), null, 1, MTIME));
            r.write(b(i % 10));
            r.close();
        }
        r.finish();
        r.release();
        assertEquals(List.of("F"), frames());
        for (int i = 0; i < 400; i++) {
            assertEquals(String.valueOf(i % 10), Files.readString(tmp.resolve("x/y/z/f" + i)));
        }
        assertEquals(0700, Posix.lstat(b(tmp.resolve("x/y"))).permissions(), "a missing parent: 0700");
    }

    // ------------------------------------------------------------------ failures

    @Test
    void aFileThatCannotBeCreatedFailsAloneByItsNumberAndItsDataIsDropped() throws Exception {
        Files.writeString(tmp.resolve("plain"), "a file, not a directory");
        ParallelRestorer r = restorer('a', 4, 16, 1 << 20);
        r.create(rec(FileType.REGULAR, 0100644, tmp.resolve("ok0"), null, 2, MTIME)); // file 0
        r.write(b("ok"));
        r.close();
        r.create(rec(FileType.REGULAR, 0100644, tmp.resolve("plain/below"), null, 5, MTIME)); // file 1
        r.write(b("lost!"));
        r.close();
        r.metadata(MetaBlob.withTimes(MTIME, 0, MTIME, 0, List.of()).encode());
        r.create(rec(FileType.REGULAR, 0100644, tmp.resolve("ok2"), null, 2, MTIME)); // file 2
        r.write(b("ok"));
        r.close();
        r.metadata(new byte[] {'b', 'a', 'd'}); // file 2's blob cannot be decoded
        r.create(rec(FileType.HARDLINK, 0100644, tmp.resolve("l3"), tmp.resolve("nothing"), 0, MTIME)); // file 3
        r.finish();
        r.release();
        List<String> got = frames();
        assertEquals(4, got.size(), got.toString());
        assertEquals("C FAILED 1 cannot restore \"" + tmp + "/plain/below\": \"" + tmp + "/plain\" is not a directory",
                got.stream().filter(s -> s.startsWith("C FAILED 1 ")).findFirst().orElse(""));
        assertTrue(got.stream().anyMatch(s -> s.startsWith("C FAILED 2 \"" + tmp + "/ok2\": ")), got.toString());
        // the hard link's answer is this file's own failure (the shim waits for it)
        assertTrue(got.stream().anyMatch(s -> s.startsWith("C FAILED 3 Could not hard link \"" + tmp + "/l3\"")),
                got.toString());
        assertEquals("F", got.getLast());
        assertFalse(got.stream().anyMatch(s -> s.startsWith("E")), "the failed file's data and close are dropped");
        assertEquals("ok", Files.readString(tmp.resolve("ok0")));
        assertEquals("ok", Files.readString(tmp.resolve("ok2")));
    }

    @Test
    void aDirectoryRecordWaitsForTheEntriesBelowItThatCameFirst() throws Exception {
        // as in the lock-step order: the files below "blk" (a regular file in the target) all fail, and only then
        // does the directory's own record replace the file by a directory
        Files.writeString(tmp.resolve("blk"), "a file where a directory goes");
        ParallelRestorer r = restorer('a', 8, 16, 1 << 20);
        for (int i = 0; i < 200; i++) {
            r.create(rec(FileType.REGULAR, 0100644, tmp.resolve("blk/f" + i), null, 1, MTIME));
            r.write(b("x"));
            r.close();
        }
        r.create(rec(FileType.DIRECTORY, 040755, tmp.resolve("blk") + "/", null, 0, MTIME));
        r.finish();
        r.release();
        List<String> got = frames();
        assertEquals(201, got.size(), "200 failures, then F");
        for (int i = 0; i < 200; i++) {
            assertTrue(got.contains("C FAILED " + i + " cannot restore \"" + tmp + "/blk/f" + i + "\": \"" + tmp
                    + "/blk\" is not a directory"), "file " + i + ": " + got.get(Math.min(i, got.size() - 1)));
        }
        assertTrue(Posix.lstat(b(tmp.resolve("blk"))).isDirectory());
        try (var list = Files.list(tmp.resolve("blk"))) {
            assertEquals(0, list.count());
        }
    }

    @Test
    void otherReplaceModesAnswerEachFileInOrder() throws Exception {
        Files.writeString(tmp.resolve("exists"), "old");
        Files.writeString(tmp.resolve("plain"), "x");
        ParallelRestorer r = restorer('n', 4, 16, 1 << 20);
        r.create(rec(FileType.REGULAR, 0100644, tmp.resolve("new"), null, 1, MTIME));
        r.write(b("n"));
        r.close();
        r.create(rec(FileType.REGULAR, 0100644, tmp.resolve("exists"), null, 1, MTIME));
        r.create(rec(FileType.REGULAR, 0100644, tmp.resolve("plain/x"), null, 1, MTIME));
        r.create(rec(FileType.DIRECTORY, 040755, tmp.resolve("dir") + "/", null, 0, MTIME));
        r.finish();
        r.release();
        List<String> got = frames();
        assertEquals(List.of("C OK", "C SKIP", "C FAILED 2 cannot restore \"" + tmp + "/plain/x\": \"" + tmp
                + "/plain\" is not a directory", "C DONE", "F"), got);
        assertEquals("old", Files.readString(tmp.resolve("exists")));
        assertEquals("n", Files.readString(tmp.resolve("new")));
    }
}
