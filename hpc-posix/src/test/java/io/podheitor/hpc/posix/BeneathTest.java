package io.podheitor.hpc.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** Both resolvers (openat2 and the component-wise fallback) give the same answers. */
class BeneathTest {
    @TempDir
    Path tmp;
    private int root;

    interface Opener {
        int open(int dirfd, byte[] rel, int flags, int mode) throws PosixException;
    }

    private static Opener opener(boolean fallback) {
        return fallback ? Beneath::componentWise : Beneath::open;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @BeforeEach
    void tree() throws Exception {
        Path r = Files.createDirectory(tmp.resolve("root"));
        Files.createDirectories(r.resolve("a/b"));
        Files.writeString(r.resolve("a/b/f"), "inside");
        Files.writeString(tmp.resolve("secret"), "outside");
        Files.createSymbolicLink(r.resolve("a/up"), tmp);             // a directory symlink leading out
        Files.createSymbolicLink(r.resolve("a/flink"), r.resolve("a/b/f")); // a file symlink inside
        root = Posix.openat(Fcntl.AT_FDCWD, b(r.toString()), Fcntl.O_PATH | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC, 0);
    }

    @AfterEach
    void close() {
        Posix.closeQuietly(root);
    }

    private int errno(Opener o, String rel, int flags) {
        return assertThrows(PosixException.class, () -> o.open(root, b(rel), flags, 0)).errno();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void opensWhatIsBelowWithoutLinks(boolean fallback) throws Exception {
        int fd = opener(fallback).open(root, b("a/b/f"), Fcntl.O_RDONLY, 0);
        try {
            byte[] buf = new byte[16];
            assertEquals("inside", new String(buf, 0, Posix.read(fd, buf, 0, 16), StandardCharsets.UTF_8));
        } finally {
            Posix.close(fd);
        }
        int d = opener(fallback).open(root, b("a/b"), Fcntl.O_RDONLY | Fcntl.O_DIRECTORY, 0);
        assertEquals(true, Posix.fstat(d).isDirectory());
        Posix.close(d);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aSymlinkInAnyComponentIsRefusedWithEloop(boolean fallback) {
        Opener o = opener(fallback);
        assertEquals(Errno.ELOOP, errno(o, "a/up/secret", Fcntl.O_RDONLY), "a parent symlink");
        assertEquals(Errno.ENOTDIR, errno(o, "a/up", Fcntl.O_RDONLY | Fcntl.O_DIRECTORY), "last, as a directory");
        assertEquals(Errno.ELOOP, errno(o, "a/up", Fcntl.O_RDONLY), "the last component");
        assertEquals(Errno.ELOOP, errno(o, "a/flink", Fcntl.O_RDONLY), "a symlink to a file below");
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void dotDotNeverLeavesTheRoot(boolean fallback) {
        assertEquals(Errno.EXDEV, errno(opener(fallback), "../secret", Fcntl.O_RDONLY));
        assertEquals(Errno.EXDEV, errno(opener(fallback), "a/../../secret", Fcntl.O_RDONLY));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aFileWhereADirectoryIsNeededIsEnotdir(boolean fallback) {
        assertEquals(Errno.ENOTDIR, errno(opener(fallback), "a/b/f/x", Fcntl.O_RDONLY));
        assertEquals(Errno.ENOENT, errno(opener(fallback), "a/none/x", Fcntl.O_RDONLY));
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void createsBelowWithoutFollowing(boolean fallback) throws Exception {
        int fd = opener(fallback).open(root, b("a/b/new"), Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_EXCL, 0640);
        Posix.write(fd, b("x"), 0, 1);
        Posix.close(fd);
        assertEquals("x", Files.readString(tmp.resolve("root/a/b/new")));
        assertEquals(0640, Posix.lstat(b(tmp.resolve("root/a/b/new").toString())).permissions() & ~0);
    }

    @org.junit.jupiter.api.Test
    void inDirectoryNamesAnEntryThroughTheDescriptor() throws Exception {
        int d = Beneath.open(root, b("a/b"), Fcntl.O_RDONLY | Fcntl.O_DIRECTORY, 0);
        try {
            byte[] p = Posix.inDirectory(d, b("f"));
            assertEquals("/proc/self/fd/" + d + "/f", new String(p, StandardCharsets.US_ASCII));
            Posix.setXattr(p, b("user.k"), b("v"));
            assertEquals("v", new String(Posix.getXattr(b(tmp.resolve("root/a/b/f").toString()), b("user.k")),
                    StandardCharsets.UTF_8));
        } catch (PosixException e) {
            org.junit.jupiter.api.Assumptions.assumeTrue(e.errno() != Errno.EOPNOTSUPP, "no user xattrs on /tmp");
            throw e;
        } finally {
            Posix.closeQuietly(d);
        }
    }

    @org.junit.jupiter.api.Test
    void inDirectorySpellsEveryDescriptorNumber() {
        for (int fd : new int[] {0, 7, 9, 10, 99, 100, 4096, 65535, 1048575, Integer.MAX_VALUE}) {
            assertEquals("/proc/self/fd/" + fd + "/n\u00ff", new String(Posix.inDirectory(fd, new byte[] {'n', (byte) 0xff}),
                    StandardCharsets.ISO_8859_1));
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Posix.inDirectory(-1, b("x")));
    }

    @org.junit.jupiter.api.Test
    void pwriteWritesAtTheOffset() throws Exception {
        Path f = tmp.resolve("p");
        int fd = Posix.open(b(f.toString()), Fcntl.O_RDWR | Fcntl.O_CREAT, 0600);
        try {
            Posix.pwrite(fd, b("abc"), 0, 3, 5);
            byte[] back = new byte[8];
            assertEquals(8, Posix.pread(fd, back, 0, 8, 0));
            assertEquals('a', back[5]);
            assertEquals(0, back[0]);
        } finally {
            Posix.close(fd);
        }
    }

    @org.junit.jupiter.api.Test
    void aTmpfileHasNoName() throws Exception {
        int fd = Posix.openat(Fcntl.AT_FDCWD, b(tmp.toString()), Fcntl.O_TMPFILE | Fcntl.O_RDWR | Fcntl.O_CLOEXEC, 0600);
        try {
            Posix.pwrite(fd, b("spill"), 0, 5, 0);
            assertEquals(0, Posix.fstat(fd).nlink(), "unlinked from the start");
            try (var s = Files.list(tmp)) {
                assertEquals(java.util.List.of(tmp.resolve("root"), tmp.resolve("secret")), s.sorted().toList());
            }
        } finally {
            Posix.close(fd);
        }
    }
}
