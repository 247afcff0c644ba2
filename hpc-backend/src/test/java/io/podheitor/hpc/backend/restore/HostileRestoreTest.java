package io.podheitor.hpc.backend.restore;

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
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records crafted as a tampered volume or a hostile local user would make them (docs/security.md): the restore
 * never follows a link in the way, never leaves where=, never applies attributes through a swapped directory.
 */
class HostileRestoreTest {
    private static final long MTIME = 1_600_000_000L;
    @TempDir
    Path tmp;
    private Path where;
    private Path outside;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final FrameWriter out = new FrameWriter(bytes);
    private int seen;

    @BeforeEach
    void dirs() throws IOException {
        where = Files.createDirectory(tmp.resolve("where"));
        outside = Files.createDirectory(tmp.resolve("outside"));
        Files.writeString(outside.resolve("passwd"), "root:x:0:0\n");
    }

    private static byte[] b(Object s) {
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    private Restorer restorer(char replace, Path w) {
        JobInfo e = JobInfo.empty();
        return new Restorer(out, new JobInfo("r", 1, 'R', (char) 0, -1, false, w == null ? new byte[0] : b(w),
                e.regexWhere(), replace, 14), true, true, 4, tmp);
    }

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

    private static FileRecord rec(FileType type, int mode, Object name, Object link) {
        return new FileRecord(type, mode, 4321, 4321, 5, MTIME, MTIME, MTIME, 1, 1, 1, 0, 1, 0, 0, b(name),
                link == null ? new byte[0] : b(link));
    }

    /** As the FD does it: createFile, then data and close only after OK. */
    private void restoreFile(Restorer r, Object name, String content) throws IOException {
        r.create(rec(FileType.REGULAR, 0100644, name, null));
        out.flush();
        byte[] all = bytes.toByteArray();
        if (new String(all, StandardCharsets.ISO_8859_1).endsWith("C000002\nOK")) {
            r.write(b(content));
            r.close();
        }
    }

    @Test
    void aParentSwappedForASymlinkIsNeverFollowedInPlace() throws Exception {
        // in place (no where): the user replaced her directory "proj" with a link to a system directory
        Path proj = where.resolve("proj");
        Files.createSymbolicLink(proj, outside);
        Restorer r = restorer('a', null);
        restoreFile(r, proj.resolve("passwd"), "owned");
        assertEquals(List.of("E cannot restore \"" + proj.resolve("passwd") + "\": \"" + proj
                + "\" is a symbolic link (not followed)"), replies());
        assertEquals("root:x:0:0\n", Files.readString(outside.resolve("passwd")), "the target is untouched");
        assertEquals(0, Posix.lstat(b(outside.resolve("passwd"))).uid(), "and not chowned");
        r.release();
    }

    @Test
    void aSymlinkDeeperInTheWayIsRefusedWithWhereToo() throws Exception {
        Path restored = where.resolve(tmp.relativize(tmp.resolve("data/a/b")));
        Files.createDirectories(restored.getParent());
        Files.createSymbolicLink(restored, outside);
        Restorer r = restorer('a', where);
        restoreFile(r, restored.resolve("sub/passwd"), "owned");
        List<String> got = replies();
        assertEquals(1, got.size());
        assertTrue(got.getFirst().endsWith("\"" + restored + "\" is a symbolic link (not followed)"), got.toString());
        assertFalse(Files.exists(outside.resolve("sub")), "no directory created through the link");
        r.release();
    }

    @Test
    void namesWithDotDotAndNamesOutsideWhereAreRefused() throws Exception {
        Restorer r = restorer('a', where);
        restoreFile(r, where + "/a/../../outside/passwd", "owned");
        restoreFile(r, outside.resolve("passwd"), "owned");
        restoreFile(r, where + "/./x", "owned");
        List<String> got = replies();
        assertTrue(got.get(0).endsWith("the name has a \".\" or \"..\" component"), got.toString());
        assertTrue(got.get(1).contains("outside the restore directory \"" + where + "\" (where=)"), got.toString());
        assertTrue(got.get(2).endsWith("the name has a \".\" or \"..\" component"), got.toString());
        assertEquals("root:x:0:0\n", Files.readString(outside.resolve("passwd")));
        r.release();
    }

    @Test
    void hardLinkTargetsMustStayBelowWhere() throws Exception {
        Restorer r = restorer('a', where);
        r.create(rec(FileType.HARDLINK, 0100644, where.resolve("l1"), outside.resolve("passwd")));
        r.create(rec(FileType.HARDLINK, 0100644, where.resolve("l2"), where + "/../outside/passwd"));
        Files.createSymbolicLink(where.resolve("up"), outside);
        r.create(rec(FileType.HARDLINK, 0100644, where.resolve("l3"), where.resolve("up/passwd")));
        List<String> got = replies();
        assertEquals(3, got.size(), got.toString());
        assertTrue(got.get(0).startsWith("E Could not hard link") && got.get(0).contains("outside the restore directory"),
                got.toString());
        assertTrue(got.get(1).endsWith("the name has a \".\" or \"..\" component"), got.toString());
        assertTrue(got.get(2).endsWith("is a symbolic link (not followed)"), got.toString());
        assertEquals(1, Posix.lstat(b(outside.resolve("passwd"))).nlink(), "no new name for a file outside where");
        r.release();
    }

    @Test
    void aDirectorySwappedForASymlinkBeforeFinishKeepsItsTargetUntouched() throws Exception {
        Restorer r = restorer('a', null);
        Path d = where.resolve("d");
        r.create(new FileRecord(FileType.DIRECTORY, 046777, 4321, 4321, 0, MTIME, MTIME, MTIME, 1, 1, 1, 0, 0, 0, 0,
                b(d + "/"), new byte[0]));
        assertEquals(List.of("C DONE"), replies());
        // the user swaps the restored directory for a link to a system directory before the end of the job
        Files.delete(d);
        Files.createSymbolicLink(d, outside);
        int modeBefore = Posix.lstat(b(outside)).permissions();
        r.finish();
        List<String> got = replies();
        assertEquals("F", got.getLast());
        assertTrue(got.getFirst().startsWith("E cannot set attributes of \"" + d + "\": it or a directory above it was"
                + " replaced during the restore"), got.toString());
        StatX st = Posix.lstat(b(outside));
        assertEquals(modeBefore, st.permissions(), "no 06777 on the link's target");
        assertEquals(0, st.uid());
        r.release();
    }

    @Test
    void aDirectorySwappedForAnotherDirectoryIsNotChanged() throws Exception {
        Restorer r = restorer('a', null);
        Path d = where.resolve("d");
        r.create(new FileRecord(FileType.DIRECTORY, 040777, 4321, 4321, 0, MTIME, MTIME, MTIME, 1, 1, 1, 0, 0, 0, 0,
                b(d + "/"), new byte[0]));
        replies();
        Path other = Files.createDirectory(where.resolve("other")); // another inode (a freed one would be reused)
        Files.delete(d);
        Files.move(other, d);
        r.finish();
        List<String> got = replies();
        assertTrue(got.getFirst().contains("it is no longer the directory this restore created"), got.toString());
        assertEquals(0, Posix.lstat(b(d)).uid());
        r.release();
    }

    @Test
    void manyDirectoriesSpillAndAllGetTheirAttributes() throws Exception {
        Restorer r = restorer('a', null); // 4 directories on the heap, the rest spilled
        List<Path> dirs = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Path d = where.resolve("p" + (i % 7)).resolve("d" + i);
            dirs.add(d);
            restoreFile(r, d.resolve("f"), "x");
            r.create(new FileRecord(FileType.DIRECTORY, 040751, 4321, 4322, 0, MTIME, MTIME + i, MTIME, 1, 1, 1, 0, 0,
                    0, 0, b(d + "/"), new byte[0]));
        }
        r.finish();
        List<String> got = replies();
        assertEquals("F", got.getLast());
        assertFalse(got.stream().anyMatch(g -> g.startsWith("E")), got.toString());
        for (int i = 0; i < dirs.size(); i++) {
            StatX st = Posix.lstat(b(dirs.get(i)));
            assertEquals(0751, st.permissions(), dirs.get(i).toString());
            assertEquals(4321, st.uid());
            assertEquals(4322, st.gid());
            assertEquals(MTIME + i, st.mtimeSec());
        }
        r.release();
    }

    @Test
    void aReplacedFileIsCreatedAnewNotWrittenThroughAnExistingLink() throws Exception {
        // an existing symlink at the file's own name is removed and replaced, never written through
        Path f = where.resolve("f");
        Files.createSymbolicLink(f, outside.resolve("passwd"));
        Restorer r = restorer('a', null);
        restoreFile(r, f, "data!");
        assertEquals(List.of("C OK", "C OK"), replies());
        assertEquals("data!", Files.readString(f));
        assertFalse(Files.isSymbolicLink(f));
        assertEquals("root:x:0:0\n", Files.readString(outside.resolve("passwd")));
        r.release();
    }
}
