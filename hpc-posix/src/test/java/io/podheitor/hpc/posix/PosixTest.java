package io.podheitor.hpc.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PosixTest {
    @TempDir
    Path tmp;

    private byte[] p(String rel) {
        return (tmp.toString() + "/" + rel).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] p(byte[] rel) {
        byte[] base = (tmp.toString() + "/").getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[base.length + rel.length];
        System.arraycopy(base, 0, out, 0, base.length);
        System.arraycopy(rel, 0, out, base.length, rel.length);
        return out;
    }

    private static final byte[] ODD = {'o', (byte) 0xff, (byte) 0xfe, '\n', 'x'};

    private static void writeFile(byte[] path, byte[] data, int mode) throws PosixException {
        int fd = Posix.open(path, Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_TRUNC | Fcntl.O_CLOEXEC | Fcntl.O_NOFOLLOW, mode);
        try {
            Posix.write(fd, data, 0, data.length);
        } finally {
            Posix.close(fd);
        }
    }

    private static byte[] readFile(byte[] path) throws PosixException {
        int fd = Posix.openForReading(Fcntl.AT_FDCWD, path);
        try {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[7000];
            for (int n; (n = Posix.read(fd, buf, 0, buf.length)) > 0; ) {
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } finally {
            Posix.close(fd);
        }
    }

    @Test
    void fadviseDontneedKeepsTheDataAndReportsErrorsAsNumbers() throws Exception {
        byte[] data = new byte[3 * 4096 + 17];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31);
        }
        writeFile(p("advised"), data, 0644);
        int fd = Posix.openForReading(Fcntl.AT_FDCWD, p("advised"));
        try {
            assertEquals(0, Posix.fadvise(fd, 0, 4096, Posix.POSIX_FADV_DONTNEED));
            assertEquals(0, Posix.fadvise(fd, 0, 0, Posix.POSIX_FADV_DONTNEED));
            assertEquals(Errno.EINVAL, Posix.fadvise(fd, 0, 0, 12345)); // no such advice
        } finally {
            Posix.close(fd);
        }
        assertEquals(Errno.EBADF, Posix.fadvise(fd, 0, 0, Posix.POSIX_FADV_DONTNEED)); // closed: no exception
        assertArrayEquals(data, readFile(p("advised")));
    }

    @Test
    void statMatchesJavaNio() throws Exception {
        Path f = Files.writeString(tmp.resolve("a.txt"), "hello");
        StatX st = Posix.lstat(p("a.txt"));
        assertTrue(st.isRegular());
        assertEquals(5, st.size());
        assertEquals(Files.getAttribute(f, "unix:ino"), st.ino());
        assertEquals(Files.getAttribute(f, "unix:mode"), st.mode());
        assertEquals(Files.getAttribute(f, "unix:dev"), st.dev());
        assertEquals(((Number) Files.getAttribute(f, "unix:nlink")).longValue(), st.nlink());
        assertEquals(((java.nio.file.attribute.FileTime) Files.getAttribute(f, "unix:lastModifiedTime")).toInstant().getEpochSecond(),
                st.mtimeSec());
        StatX dir = Posix.lstat(tmp.toString().getBytes(StandardCharsets.UTF_8));
        assertTrue(dir.isDirectory());
        assertTrue(st.blksize() > 0);
    }

    @Test
    void makedevRoundTrips() {
        long dev = StatX.makedev(0x12345, 0xabcdef);
        assertEquals(0x12345, StatX.major(dev));
        assertEquals(0xabcdef, StatX.minor(dev));
        assertEquals(0x801, StatX.makedev(8, 1));
    }

    @Test
    void fstatOfOpenFile() throws Exception {
        writeFile(p("f"), new byte[123], 0640);
        int fd = Posix.openForReading(Fcntl.AT_FDCWD, p("f"));
        try {
            StatX st = Posix.fstat(fd);
            assertEquals(123, st.size());
            assertEquals(0640, st.permissions());
        } finally {
            Posix.close(fd);
        }
    }

    @Test
    void writeAndReadBackLargeData() throws Exception {
        byte[] data = new byte[1_000_003];
        new java.util.Random(1).nextBytes(data);
        writeFile(p("big"), data, 0600);
        assertArrayEquals(data, readFile(p("big")));
        int fd = Posix.openForReading(Fcntl.AT_FDCWD, p("big"));
        try {
            byte[] buf = new byte[10];
            assertEquals(10, Posix.pread(fd, buf, 0, 10, 500_000));
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 500_000, 500_010), buf);
        } finally {
            Posix.close(fd);
        }
    }

    @Test
    void readDirectoryListsRawNames() throws Exception {
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < 3000; i++) {
            writeFile(p("f" + i), new byte[0], 0644);
            expected.add("f" + i);
        }
        Posix.mkdirat(Fcntl.AT_FDCWD, p("sub"), 0755);
        expected.add("sub");
        writeFile(p(ODD), new byte[] {1}, 0644);
        Posix.symlinkat("f1".getBytes(StandardCharsets.US_ASCII), Fcntl.AT_FDCWD, p("ln"));
        expected.add("ln");

        int fd = Posix.openDirectory(Fcntl.AT_FDCWD, tmp.toString().getBytes(StandardCharsets.UTF_8));
        List<DirEntry> all = new ArrayList<>();
        try {
            for (List<DirEntry> batch; !(batch = Posix.readDirectory(fd)).isEmpty(); ) {
                all.addAll(batch);
            }
        } finally {
            Posix.close(fd);
        }
        Set<String> seen = new HashSet<>();
        boolean sawOdd = false;
        for (DirEntry e : all) {
            if (java.util.Arrays.equals(e.name(), ODD)) {
                sawOdd = true;
                assertEquals(FileMode.DT_REG, e.type());
                continue;
            }
            String n = new String(e.name(), StandardCharsets.UTF_8);
            assertTrue(seen.add(n), "duplicate " + n);
            if (n.equals("sub")) {
                assertEquals(FileMode.DT_DIR, e.type());
            }
            if (n.equals("ln")) {
                assertEquals(FileMode.DT_LNK, e.type());
            }
        }
        assertTrue(sawOdd);
        assertEquals(expected, seen);
        assertEquals(expected.size() + 1, all.size());
    }

    @Test
    void statxRelativeToDirectoryDescriptor() throws Exception {
        writeFile(p(ODD), new byte[] {1, 2}, 0644);
        int dfd = Posix.openDirectory(Fcntl.AT_FDCWD, tmp.toString().getBytes(StandardCharsets.UTF_8));
        try {
            assertEquals(2, Posix.statx(dfd, ODD, Fcntl.AT_SYMLINK_NOFOLLOW).size());
        } finally {
            Posix.close(dfd);
        }
    }

    @Test
    void symlinksAndReadlink() throws Exception {
        byte[] target = {'/', 'n', 'o', (byte) 0xff, '\n', 'w', 'h', 'e', 'r', 'e'};
        Posix.symlinkat(target, Fcntl.AT_FDCWD, p(ODD));
        StatX st = Posix.lstat(p(ODD));
        assertTrue(st.isSymlink());
        assertEquals(target.length, st.size());
        assertArrayEquals(target, Posix.readlinkat(Fcntl.AT_FDCWD, p(ODD)));
        byte[] longTarget = "x/".repeat(2000).getBytes(StandardCharsets.US_ASCII);
        Posix.symlinkat(longTarget, Fcntl.AT_FDCWD, p("long"));
        assertArrayEquals(longTarget, Posix.readlinkat(Fcntl.AT_FDCWD, p("long")));
        PosixException e = assertThrows(PosixException.class, () -> Posix.openForReading(Fcntl.AT_FDCWD, p(ODD)));
        assertEquals(Errno.ELOOP, e.errno());
    }

    @Test
    void ownershipModeAndNanosecondTimes() throws Exception {
        writeFile(p("own"), new byte[] {1}, 0600);
        Posix.fchownat(Fcntl.AT_FDCWD, p("own"), 1234, 5678, Fcntl.AT_SYMLINK_NOFOLLOW);
        Posix.fchmodat(Fcntl.AT_FDCWD, p("own"), 04751, 0);
        Posix.utimensat(Fcntl.AT_FDCWD, p("own"), 1_000_000_000L, 123_456_789, 1_500_000_000L, 987_654_321, 0);
        StatX st = Posix.lstat(p("own"));
        assertEquals(1234, st.uid());
        assertEquals(5678, st.gid());
        assertEquals(04751, st.permissions());
        assertEquals(1_000_000_000L, st.atimeSec());
        assertEquals(123_456_789, st.atimeNsec());
        assertEquals(1_500_000_000L, st.mtimeSec());
        assertEquals(987_654_321, st.mtimeNsec());

        // symlink: lchown and utimensat NOFOLLOW change the link itself, not the target
        Posix.symlinkat("own".getBytes(StandardCharsets.US_ASCII), Fcntl.AT_FDCWD, p("lnk"));
        Posix.fchownat(Fcntl.AT_FDCWD, p("lnk"), 42, 43, Fcntl.AT_SYMLINK_NOFOLLOW);
        Posix.utimensat(Fcntl.AT_FDCWD, p("lnk"), 5, 6, 7, 8, Fcntl.AT_SYMLINK_NOFOLLOW);
        StatX ls = Posix.lstat(p("lnk"));
        assertEquals(42, ls.uid());
        assertEquals(7, ls.mtimeSec());
        assertEquals(8, ls.mtimeNsec());
        assertEquals(1234, Posix.lstat(p("own")).uid());

        int fd = Posix.open(p("own"), Fcntl.O_WRONLY | Fcntl.O_CLOEXEC, 0);
        try {
            Posix.fchown(fd, 7, 8);
            Posix.fchmod(fd, 0640);
            Posix.ftruncate(fd, 4096);
            Posix.futimens(fd, 11, 12, 13, 14);
        } finally {
            Posix.close(fd);
        }
        st = Posix.lstat(p("own"));
        assertEquals(7, st.uid());
        assertEquals(0640, st.permissions());
        assertEquals(13, st.mtimeSec());
        assertEquals(14, st.mtimeNsec());
        assertEquals(4096, st.size());
    }

    @Test
    void hardLinksUnlinkAndRmdir() throws Exception {
        writeFile(p("one"), new byte[] {9}, 0644);
        Posix.linkat(Fcntl.AT_FDCWD, p("one"), Fcntl.AT_FDCWD, p(ODD), 0);
        assertEquals(2, Posix.lstat(p("one")).nlink());
        assertEquals(Posix.lstat(p("one")).ino(), Posix.lstat(p(ODD)).ino());
        Posix.unlinkat(Fcntl.AT_FDCWD, p(ODD), 0);
        assertFalse(Posix.exists(p(ODD)));
        Posix.mkdirat(Fcntl.AT_FDCWD, p("d"), 0700);
        PosixException e = assertThrows(PosixException.class, () -> Posix.mkdirat(Fcntl.AT_FDCWD, p("d"), 0700));
        assertEquals(Errno.EEXIST, e.errno());
        Posix.unlinkat(Fcntl.AT_FDCWD, p("d"), Fcntl.AT_REMOVEDIR);
        assertFalse(Posix.exists(p("d")));
    }

    @Test
    void fifoAndNoBlockingOpen() throws Exception {
        Posix.mknodat(Fcntl.AT_FDCWD, p("fifo"), FileMode.S_IFIFO | 0644, 0);
        assertTrue(Posix.lstat(p("fifo")).isFifo());
        int fd = Posix.openForReading(Fcntl.AT_FDCWD, p("fifo")); // must not block
        Posix.close(fd);
    }

    @Test
    void errnoMapping() throws Exception {
        PosixException e = assertThrows(PosixException.class, () -> Posix.lstat(p(ODD)));
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals("ENOENT", e.errnoName());
        assertTrue(e.isNotFound());
        String rendered = tmp + "/o\\xff\\xfe\\x0ax";
        assertEquals("statx \"" + rendered + "\": No such file or directory (ENOENT)", e.getMessage());
        assertArrayEquals(p(ODD), e.path());

        writeFile(p("file"), new byte[0], 0644);
        PosixException nd = assertThrows(PosixException.class, () -> Posix.lstat(p("file/below")));
        assertEquals(Errno.ENOTDIR, nd.errno());
        PosixException od = assertThrows(PosixException.class, () -> Posix.openDirectory(Fcntl.AT_FDCWD, p("file")));
        assertEquals(Errno.ENOTDIR, od.errno());
        assertEquals("Not a directory", od.strerror());
        PosixException nul = assertThrows(PosixException.class, () -> Posix.lstat(new byte[] {'/', 0, 'x'}));
        assertEquals(Errno.EINVAL, nul.errno());
        PosixException ebadf = assertThrows(PosixException.class, () -> Posix.fstat(987654));
        assertEquals(Errno.EBADF, ebadf.errno());
    }

    @Test
    void aNulByteFailsWithEinvalNamingTheOperationAndTheOffendingBytes() throws Exception {
        byte[] nul = {'a', 0, 'b'};
        writeFile(p("f"), new byte[] {1}, 0644);
        PosixException st = assertThrows(PosixException.class, () -> Posix.statx(Fcntl.AT_FDCWD, nul, 0));
        assertEquals("statx", st.operation());
        assertEquals(Errno.EINVAL, st.errno());
        assertArrayEquals(nul, st.path());
        PosixException sym = assertThrows(PosixException.class, () -> Posix.symlinkat(nul, Fcntl.AT_FDCWD, p("s")));
        assertEquals("symlink", sym.operation());
        assertArrayEquals(nul, sym.path());
        PosixException get = assertThrows(PosixException.class, () -> Posix.getXattr(p("f"), nul));
        assertEquals("lgetxattr", get.operation());
        assertArrayEquals(nul, get.path());
        PosixException link = assertThrows(PosixException.class,
                () -> Posix.linkat(Fcntl.AT_FDCWD, p("f"), Fcntl.AT_FDCWD, nul, 0));
        assertEquals("link", link.operation());
        assertEquals(Errno.EINVAL, link.errno());
        PosixException rm = assertThrows(PosixException.class, () -> Posix.unlinkat(Fcntl.AT_FDCWD, nul, 0));
        assertEquals("unlink", rm.operation());
    }

    @Test
    void closeAndLseekReportTheirOperation() {
        PosixException close = assertThrows(PosixException.class, () -> Posix.close(987654));
        assertEquals("close", close.operation());
        assertEquals(Errno.EBADF, close.errno());
        PosixException seek = assertThrows(PosixException.class, () -> Posix.lseek(987654, 0, Posix.SEEK_DATA));
        assertEquals("lseek", seek.operation());
        assertEquals(Errno.EBADF, seek.errno());
        Posix.closeQuietly(987654);
        Posix.closeQuietly(-1);
    }

    @Test
    void permissionDeniedForUnprivilegedCallerIsCaptured() throws Exception {
        // Running as root we can not provoke EACCES on open; EPERM via O_NOATIME fallback is covered by
        // openForReading; here check that errno from one thread never leaks into another.
        Thread t = new Thread(() -> {
            try {
                Posix.lstat(p("missing"));
            } catch (PosixException e) {
                assertEquals(Errno.ENOENT, e.errno());
            }
        });
        t.start();
        t.join();
        Files.setPosixFilePermissions(Files.createDirectory(tmp.resolve("x")), PosixFilePermissions.fromString("rwx------"));
        assertTrue(Posix.lstat(p("x")).isDirectory());
    }

    @Test
    void pathTextRendering() {
        assertEquals("/plain/é", PathText.render("/plain/é".getBytes(StandardCharsets.UTF_8)));
        assertEquals("a\\xff\\xfeb\\x0a\\\\", PathText.render(new byte[] {'a', (byte) 0xff, (byte) 0xfe, 'b', '\n', '\\'}));
        assertEquals("\\xc3(", PathText.render(new byte[] {(byte) 0xc3, '('}));
        assertEquals("\\xed\\xa0\\x80", PathText.render(new byte[] {(byte) 0xed, (byte) 0xa0, (byte) 0x80})); // surrogate
        assertEquals("\\xc0\\xaf", PathText.render(new byte[] {(byte) 0xc0, (byte) 0xaf})); // overlong
    }

    @Test
    void xattrsRoundTripWithBinaryNamesAndValues() throws Exception {
        byte[] f = p(ODD);
        writeFile(f, new byte[] {1}, 0644);
        byte[] name = "user.b\u00e4d".getBytes(StandardCharsets.UTF_8);
        byte[] value = {0, (byte) 0xff, '\n', 0, 7};
        try {
            Posix.setXattr(f, name, value);
        } catch (PosixException e) {
            org.junit.jupiter.api.Assumptions.assumeTrue(e.errno() != Errno.EOPNOTSUPP, "no user xattrs here");
            throw e;
        }
        byte[] big = new byte[3000]; // ext4 keeps all xattrs of an inode in one block
        java.util.Arrays.fill(big, (byte) 'z');
        Posix.setXattr(f, "user.big".getBytes(StandardCharsets.UTF_8), big);
        List<String> names = new ArrayList<>();
        for (byte[] n : Posix.listXattrs(f)) {
            names.add(new String(n, StandardCharsets.UTF_8));
        }
        assertTrue(names.contains("user.b\u00e4d"), names.toString());
        assertTrue(names.contains("user.big"), names.toString());
        assertArrayEquals(value, Posix.getXattr(f, name));
        assertArrayEquals(big, Posix.getXattr(f, "user.big".getBytes(StandardCharsets.UTF_8)));
        assertEquals(null, Posix.getXattr(f, "user.none".getBytes(StandardCharsets.UTF_8)));
        // the same through an open descriptor (flistxattr/fgetxattr), and Xattrs.readOpen as Xattrs.read
        int fd = Posix.openForReading(Fcntl.AT_FDCWD, f);
        try {
            List<String> viaFd = new ArrayList<>();
            for (byte[] n : Posix.listXattrs(fd, f)) {
                viaFd.add(new String(n, StandardCharsets.UTF_8));
            }
            assertEquals(names, viaFd);
            assertArrayEquals(value, Posix.getXattr(fd, name, f));
            assertArrayEquals(big, Posix.getXattr(fd, "user.big".getBytes(StandardCharsets.UTF_8), f));
            assertEquals(null, Posix.getXattr(fd, "user.none".getBytes(StandardCharsets.UTF_8), f));
            Xattrs.Read byPath = Xattrs.read(f, Xattrs.Scope.ALL);
            Xattrs.Read byFd = Xattrs.readOpen(fd, f, Xattrs.Scope.ALL);
            assertEquals(byPath.attrs().size(), byFd.attrs().size());
            for (int i = 0; i < byPath.attrs().size(); i++) {
                assertArrayEquals(byPath.attrs().get(i).name(), byFd.attrs().get(i).name());
                assertArrayEquals(byPath.attrs().get(i).value(), byFd.attrs().get(i).value());
            }
        } finally {
            Posix.close(fd);
        }
        // a closed descriptor: EBADF, naming the path given
        PosixException bad = assertThrows(PosixException.class, () -> Posix.listXattrs(fd, f));
        assertEquals(Errno.EBADF, bad.errno());
        assertTrue(bad.getMessage().contains(PathText.render(f)), bad.getMessage());
    }

    @Test
    void seekDataAndHoleFindTheDataOfASparseFile() throws Exception {
        byte[] f = p("sparse");
        int fd = Posix.open(f, Fcntl.O_RDWR | Fcntl.O_CREAT | Fcntl.O_TRUNC | Fcntl.O_CLOEXEC, 0644);
        try {
            long mib = 1 << 20;
            Posix.ftruncate(fd, 8 * mib);
            assertEquals(4 * mib, Posix.lseek(fd, 4 * mib, Posix.SEEK_SET));
            Posix.write(fd, new byte[] {1, 2, 3}, 0, 3);
            long data = Posix.lseek(fd, 0, Posix.SEEK_DATA);
            long hole = Posix.lseek(fd, data, Posix.SEEK_HOLE);
            assertTrue(data <= 4 * mib && hole > 4 * mib && hole <= 8 * mib, data + ".." + hole);
            assertEquals(-1, Posix.lseek(fd, hole == 8 * mib ? 8 * mib : 7 * mib + 1, Posix.SEEK_DATA));
        } finally {
            Posix.close(fd);
        }
    }
}
