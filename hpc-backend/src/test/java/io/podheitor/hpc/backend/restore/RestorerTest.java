package io.podheitor.hpc.backend.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.backend.job.JobInfo;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.ptcomm.FileRecord;
import io.podheitor.hpc.ptcomm.FileType;
import io.podheitor.hpc.ptcomm.Frame;
import io.podheitor.hpc.ptcomm.FrameReader;
import io.podheitor.hpc.ptcomm.FrameWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Restorer on its own: records in, files on disk and replies out (docs/ptcomm.md §5). */
class RestorerTest {
    private static final long MTIME = 1_600_000_000L;
    @TempDir
    Path tmp;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final FrameWriter out = new FrameWriter(bytes);
    private int seen;

    private Restorer restorer(char replace) {
        return restorer(replace, new byte[0]);
    }

    private Restorer restorer(char replace, byte[] where) {
        JobInfo e = JobInfo.empty();
        return new Restorer(out, new JobInfo("r", 1, 'R', (char) 0, -1, false, where, e.regexWhere(), replace, 14),
                true, true, 4, tmp);
    }

    /** The replies written since the last call, as "C OK", "E text", "F". */
    private List<String> replies() throws IOException {
        out.flush();
        FrameReader r = new FrameReader(new ByteArrayInputStream(bytes.toByteArray()));
        List<String> all = new ArrayList<>();
        for (Frame f; (f = r.read()) != null; ) {
            all.add(f.status() == 'F' ? "F" : f.status() + " " + f.text());
        }
        List<String> fresh = all.subList(seen, all.size());
        seen = all.size();
        return fresh;
    }

    private static byte[] b(Object s) {
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static FileRecord rec(FileType type, int mode, Path name, String link, long size, long mtime) {
        return new FileRecord(type, mode, 1234, 5678, size, mtime, mtime, mtime, 1, 1, 1, 0, (size + 511) / 512, 0, 0,
                b(name), link == null ? new byte[0] : b(link));
    }

    @Test
    void aRegularFileGetsItsDataThenOwnerModeAndTimesAtTheClose() throws Exception {
        Restorer r = restorer('a');
        Path f = tmp.resolve("sub/dir/f"); // missing parents are created
        r.create(rec(FileType.REGULAR, 0100640, f, null, 5, MTIME));
        assertEquals(List.of("C OK"), replies());
        r.write(b("hello"));
        r.close();
        assertEquals(List.of("C OK"), replies());
        assertEquals("hello", Files.readString(f));
        StatX st = Posix.lstat(b(f));
        assertEquals(0640, st.permissions());
        assertEquals(1234, st.uid());
        assertEquals(5678, st.gid());
        assertEquals(MTIME, st.mtimeSec());
        assertEquals(0700, Posix.lstat(b(tmp.resolve("sub"))).permissions(), "a created parent is 0700");
    }

    @Test
    void directoryAttributesWaitForFinish() throws Exception {
        Restorer r = restorer('a');
        Path d = tmp.resolve("d");
        r.create(rec(FileType.DIRECTORY, 040555, d, null, 0, MTIME));
        assertEquals(List.of("C DONE"), replies());
        r.create(rec(FileType.EMPTY, 0100600, d.resolve("inside"), null, 0, MTIME));
        r.close();
        assertEquals(List.of("C OK", "C OK"), replies());
        assertEquals(0700, Posix.lstat(b(d)).permissions(), "still writable for its contents");
        r.finish();
        assertEquals(List.of("F"), replies());
        StatX st = Posix.lstat(b(d));
        assertEquals(0555, st.permissions());
        assertEquals(MTIME, st.mtimeSec(), "set after the contents were created");
    }

    @Test
    void replaceModesDecideOverAnExistingFile() throws Exception {
        Path f = tmp.resolve("f");
        Files.writeString(f, "old");
        Files.setLastModifiedTime(f, java.nio.file.attribute.FileTime.from(MTIME, java.util.concurrent.TimeUnit.SECONDS));
        restorer('n').create(rec(FileType.REGULAR, 0100644, f, null, 3, MTIME + 10));
        restorer('w').create(rec(FileType.REGULAR, 0100644, f, null, 3, MTIME - 10));
        restorer('o').create(rec(FileType.REGULAR, 0100644, f, null, 3, MTIME + 10));
        assertEquals(List.of("C SKIP", "C SKIP", "C SKIP"), replies());
        assertEquals("old", Files.readString(f));
        Restorer w = restorer('w');
        w.create(rec(FileType.REGULAR, 0100644, f, null, 3, MTIME + 10));
        w.write(b("new"));
        w.close();
        assertEquals(List.of("C OK", "C OK"), replies());
        assertEquals("new", Files.readString(f));
    }

    @Test
    void replacingUnlinksSoOtherHardLinksKeepTheirContent() throws Exception {
        Path f = tmp.resolve("f");
        Files.writeString(f, "old");
        Path other = Files.createLink(tmp.resolve("other"), f);
        Restorer r = restorer('a');
        r.create(rec(FileType.REGULAR, 0100644, f, null, 3, MTIME));
        r.write(b("new"));
        r.close();
        assertEquals("new", Files.readString(f));
        assertEquals("old", Files.readString(other));
    }

    @Test
    void aHardLinkWhoseFirstNameIsMissingFailsOnlyThatFile() throws Exception {
        Restorer r = restorer('a');
        Path link = tmp.resolve("link");
        Files.writeString(link, "kept");
        r.create(rec(FileType.HARDLINK, 0100644, link, tmp.resolve("first").toString(), 0, MTIME));
        assertEquals(List.of("E Could not hard link \"" + link + "\" -> \"" + tmp.resolve("first")
                + "\": No such file or directory"), replies());
        assertEquals("kept", Files.readString(link), "an existing file is left alone");
        Path first = tmp.resolve("first");
        Files.writeString(first, "data");
        r.create(rec(FileType.HARDLINK, 0100644, tmp.resolve("link2"), first.toString(), 0, MTIME));
        assertEquals(List.of("C DONE"), replies());
        assertEquals(Posix.lstat(b(first)).ino(), Posix.lstat(b(tmp.resolve("link2"))).ino());
    }

    @Test
    void aSymlinkIsCreatedWholeAtItsRecord() throws Exception {
        Restorer r = restorer('a');
        Path l = tmp.resolve("l");
        r.create(rec(FileType.SYMLINK, 0120777, l, "../somewhere", 12, MTIME));
        assertEquals(List.of("C OK"), replies(), "OK so that the FD delivers its metadata blob");
        r.close();
        assertEquals(List.of("C OK"), replies());
        assertEquals(Path.of("../somewhere"), Files.readSymbolicLink(l));
        assertEquals(MTIME, Posix.lstat(b(l)).mtimeSec());
    }

    @Test
    void aSparseFileKeepsItsHolesAndItsSize() throws Exception {
        Restorer r = restorer('a');
        Path f = tmp.resolve("sparse");
        long size = 4L << 20;
        FileRecord sparse = new FileRecord(FileType.REGULAR, 0100600, 0, 0, size, MTIME, MTIME, MTIME, 1, 1, 1, 0, 8,
                0, 0, b(f), new byte[0]);
        r.create(sparse);
        r.seek(1L << 20);
        r.write(b("x"));
        r.close();
        assertEquals(List.of("C OK", "C OK"), replies());
        StatX st = Posix.lstat(b(f));
        assertEquals(size, st.size(), "the trailing hole is restored by ftruncate");
        assertTrue(st.blocks() * 512 < size, "holes stay holes: " + st.blocks() + " blocks");
        byte[] back = Files.readAllBytes(f);
        assertEquals('x', back[1 << 20]);
        assertEquals(0, back[0]);
    }

    @Test
    void aFifoIsCreatedWithItsMode() throws Exception {
        Restorer r = restorer('a');
        Path p = tmp.resolve("fifo");
        r.create(rec(FileType.FIFO, 010640, p, null, 0, MTIME));
        r.close();
        assertEquals(List.of("C OK", "C OK"), replies());
        StatX st = Posix.lstat(b(p));
        assertTrue(st.isFifo());
        assertEquals(0640, st.permissions());
        assertEquals(1234, st.uid());
    }

    @Test
    void endOfDataWithoutAnOpenFileIsAnError() throws Exception {
        restorer('a').close();
        assertEquals(List.of("E end of data received but no file is open"), replies());
    }
}
