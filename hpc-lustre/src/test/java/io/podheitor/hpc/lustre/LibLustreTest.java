package io.podheitor.hpc.lustre;

import static io.podheitor.hpc.lustre.FakeLustre.bytes;
import static io.podheitor.hpc.lustre.FakeLustre.set;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.posix.Errno;
import io.podheitor.hpc.posix.Fcntl;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The FFM binding against the fake liblustreapi.so: values, the two error conventions, and not-Lustre answers. */
class LibLustreTest {
    private static Lustre lustre;

    @TempDir
    Path tmp;

    private Path root;
    private Path outside;

    @BeforeAll
    static void load() throws Exception {
        lustre = FakeLustre.load();
    }

    @BeforeEach
    void tree() throws IOException {
        root = FakeLustre.mount(tmp.resolve("lustre"), "testfs", "0-1,3,10", "0-7");
        outside = Files.createDirectories(tmp.resolve("ext4"));
        Files.writeString(outside.resolve("plain"), "not on Lustre");
    }

    private static int open(Path p) throws PosixException {
        return Posix.open(bytes(p), Fcntl.O_RDONLY | Fcntl.O_NONBLOCK | Fcntl.O_CLOEXEC, 0);
    }

    private int mdtOf(Path p) throws PosixException {
        int fd = open(p);
        try {
            return lustre.mdtIndex(fd);
        } finally {
            Posix.closeQuietly(fd);
        }
    }

    @Test
    void theFakeLoadsAsTheLibrary() throws Exception {
        assertInstanceOf(LibLustre.class, lustre);
        assertTrue(lustre.present());
        assertEquals(FakeLustre.library().toString(), lustre.library());
    }

    @Test
    void anAbsentLibraryIsTheEmptyImplementationAndSaysENOSYS() {
        Lustre none = Lustre.load("libpodheitor-no-such-lustreapi.so.1");
        assertSame(NoLustre.INSTANCE, none);
        assertFalse(none.present());
        assertEquals("absent", none.library());
        PosixException e = assertThrows(PosixException.class, () -> none.mdtIndex(0));
        assertEquals(Errno.ENOSYS, e.errno());
        assertEquals(Errno.ENOSYS, assertThrows(PosixException.class, () -> none.layout(0)).errno());
        assertEquals(Errno.ENOSYS, assertThrows(PosixException.class, () -> none.mount(new byte[] {'/'})).errno());
    }

    @Test
    void thePropertyNamesTheLibraryToLoad() throws Exception {
        String before = System.getProperty(Lustre.LIBRARY_PROPERTY);
        try {
            System.setProperty(Lustre.LIBRARY_PROPERTY, FakeLustre.library().toString());
            Lustre l = Lustre.load();
            assertTrue(l.present());
            assertEquals(FakeLustre.library().toString(), l.library());
            System.setProperty(Lustre.LIBRARY_PROPERTY, tmp.resolve("missing.so").toString());
            assertSame(NoLustre.INSTANCE, Lustre.load(), "a named library that does not load is not replaced");
        } finally {
            if (before == null) {
                System.clearProperty(Lustre.LIBRARY_PROPERTY);
            } else {
                System.setProperty(Lustre.LIBRARY_PROPERTY, before);
            }
        }
    }

    @Test
    void mdtIndexFollowsTheDirectoryAnEntryWasCreatedIn() throws Exception {
        Path remote = Files.createDirectories(root.resolve("remote"));
        set(remote, "mdt", "3");
        Path file = Files.writeString(remote.resolve("f"), "x");
        Path sub = Files.createDirectories(remote.resolve("sub"));
        Path local = Files.writeString(root.resolve("g"), "y");

        assertEquals(0, mdtOf(root), "the root is on the first MDT");
        assertEquals(3, mdtOf(remote));
        assertEquals(3, mdtOf(file));
        assertEquals(3, mdtOf(sub));
        assertEquals(0, mdtOf(local));
        set(sub, "mdt", "10");
        assertEquals(10, mdtOf(sub), "a directory moved with lfs migrate -m");
    }

    @Test
    void aStripedDirectoryPlacesNamesByTheirHash() throws Exception {
        Path striped = Files.createDirectories(root.resolve("striped"));
        set(striped, "mdt", "1");
        set(striped, "dirstripe", "3");
        List<Integer> mdts = List.of(0, 1, 3, 10);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 24; i++) {
            String name = "file-" + i;
            Path f = Files.writeString(striped.resolve(name), "");
            long stripe = Long.remainderUnsigned(FakeLustre.fnv1a64(name.getBytes()), 3);
            int expected = mdts.get((1 + (int) stripe) % mdts.size()); // stripe i on the i-th MDT after MDT1
            assertEquals(expected, mdtOf(f), name);
            seen.add(expected);
        }
        assertEquals(Set.of(1, 3, 10), seen, "24 names spread over the three stripes");
    }

    @Test
    void notLustreIsENOTTYAndOtherFailuresKeepTheirErrno() throws Exception {
        PosixException e = assertThrows(PosixException.class, () -> mdtOf(outside.resolve("plain")));
        assertEquals(Errno.ENOTTY, e.errno());
        assertTrue(Lustre.notLustre(e));
        assertTrue(e.getMessage().contains("llapi_file_fget_mdtidx"), e.getMessage());

        Path broken = Files.writeString(root.resolve("broken"), "");
        set(broken, "errno", String.valueOf(Errno.EIO));
        PosixException io = assertThrows(PosixException.class, () -> mdtOf(broken));
        assertEquals(Errno.EIO, io.errno());
        assertFalse(Lustre.notLustre(io));

        int opath = Posix.open(bytes(root), Fcntl.O_PATH | Fcntl.O_CLOEXEC, 0);
        try {
            assertEquals(Errno.EBADF, assertThrows(PosixException.class, () -> lustre.mdtIndex(opath)).errno(),
                    "an ioctl on an O_PATH descriptor");
        } finally {
            Posix.close(opath);
        }
        assertEquals(Errno.EBADF, assertThrows(PosixException.class, () -> lustre.mdtIndex(-1)).errno());
    }

    @Test
    void fidsNameTheirMdtAndTheRoot() throws Exception {
        int rootFd = open(root);
        try {
            assertEquals(new Fid(0x200000007L, 1, 0), lustre.fid(rootFd));
            assertEquals("[0x200000007:0x1:0x0]", lustre.fid(rootFd).toString());
            Path remote = Files.createDirectories(root.resolve("remote"));
            set(remote, "mdt", "10");
            Path f = Files.writeString(remote.resolve("f"), "");
            Fid fid = lustre.fid(bytes(f));
            long ino = Posix.lstat(bytes(f)).ino();
            assertEquals(0x200000400L + 10 * 0x40000000L + (ino >>> 32), fid.seq());
            assertEquals((int) ino, fid.oid());
            assertEquals(0, fid.ver());
            int fd = open(f);
            try {
                assertEquals(fid, lustre.fid(fd));
            } finally {
                Posix.close(fd);
            }
            assertEquals(10, lustre.mdtIndexOf(rootFd, fid));
            assertEquals(0, lustre.mdtIndexOf(rootFd, new Fid(0x200000007L, 1, 0)));
            PosixException unknown = assertThrows(PosixException.class,
                    () -> lustre.mdtIndexOf(rootFd, new Fid(0x200000400L + 2 * 0x40000000L, 5, 0)));
            assertEquals(Errno.ENOENT, unknown.errno(), "no MDT2 serves that sequence");
        } finally {
            Posix.close(rootFd);
        }
        PosixException e = assertThrows(PosixException.class, () -> lustre.fid(bytes(outside.resolve("plain"))));
        assertEquals(Errno.EOPNOTSUPP, e.errno());
        assertTrue(Lustre.notLustre(e));
        assertEquals(Errno.ENOENT,
                assertThrows(PosixException.class, () -> lustre.fid(bytes(root.resolve("missing")))).errno());
    }

    @Test
    void mdtIndexAtANameAgreesWithTheOpenEntryForEveryType() throws Exception {
        Path striped = Files.createDirectories(root.resolve("striped"));
        set(striped, "dirstripe", "4");
        byte[] odd = {'o', 'd', 'd', (byte) 0xff, (byte) 0xfe};
        int dirfd = Posix.openDirectory(Fcntl.AT_FDCWD, bytes(striped));
        try {
            Posix.close(Posix.openat(dirfd, odd, Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_CLOEXEC, 0644));
            Files.createDirectories(striped.resolve("dir"));
            Files.writeString(striped.resolve("file"), "");
            Files.createSymbolicLink(striped.resolve("link"), Path.of("file"));
            for (String name : List.of("dir", "file")) {
                assertEquals(mdtOf(striped.resolve(name)), lustre.mdtIndexAt(dirfd, name.getBytes()), name);
            }
            int fd = Posix.openat(dirfd, odd, Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0);
            try {
                assertEquals(lustre.mdtIndex(fd), lustre.mdtIndexAt(dirfd, odd), "a name that is not UTF-8");
            } finally {
                Posix.close(fd);
            }
            long stripe = Long.remainderUnsigned(FakeLustre.fnv1a64("link".getBytes()), 4);
            assertEquals(List.of(0, 1, 3, 10).get((int) stripe), lustre.mdtIndexAt(dirfd, "link".getBytes()),
                    "the symlink itself, not its target");
            PosixException e = assertThrows(PosixException.class, () -> lustre.mdtIndexAt(dirfd, "nope".getBytes()));
            assertEquals(Errno.ENOENT, e.errno());
            assertArrayEquals("nope".getBytes(), e.path());
        } finally {
            Posix.close(dirfd);
        }
        int ext = Posix.openDirectory(Fcntl.AT_FDCWD, bytes(outside));
        try {
            PosixException e = assertThrows(PosixException.class, () -> lustre.mdtIndexAt(ext, "plain".getBytes()));
            assertTrue(Lustre.notLustre(e), e.getMessage());
        } finally {
            Posix.close(ext);
        }
    }

    @Test
    void targetCountsAndTheMount() throws Exception {
        assertEquals(4, lustre.targetCount(bytes(root), TargetKind.MDT));
        assertEquals(8, lustre.targetCount(bytes(root), TargetKind.OST));
        Path deep = Files.createDirectories(root.resolve("a/b"));
        assertEquals(4, lustre.targetCount(bytes(deep), TargetKind.MDT), "any directory of the file system");
        assertEquals(Errno.ENOTTY,
                assertThrows(PosixException.class, () -> lustre.targetCount(bytes(outside), TargetKind.MDT)).errno());
        assertEquals(Errno.ENOTDIR, assertThrows(PosixException.class,
                () -> lustre.targetCount(bytes(outside.resolve("plain")), TargetKind.MDT)).errno());

        Optional<LustreMount> m = lustre.mount(bytes(deep.resolve("not-yet-created")));
        assertEquals(Optional.of(new LustreMount(bytes(root), "testfs")), m);
        assertEquals(Optional.empty(), lustre.mount(bytes(outside)));
    }

    @Test
    void targetsListSparseIndicesInactiveOnesAndStateFlags() throws Exception {
        set(root, "inactive", "MDT0003,OST0005");
        set(root, "state", "OST0001=D,MDT000a=RN");
        int fd = open(root);
        try {
            List<LustreTarget> mdts = lustre.targets(fd, TargetKind.MDT);
            assertEquals(List.of(0, 1, 3, 10), mdts.stream().map(LustreTarget::index).toList());
            assertEquals("testfs-MDT0000_UUID", mdts.get(0).uuid());
            assertEquals("testfs-MDT000a_UUID", mdts.get(3).uuid());
            assertEquals("MDT000a", mdts.get(3).name());
            assertEquals(LustreTarget.State.INACTIVE, mdts.get(2).state());
            assertEquals("MDT0003", mdts.get(2).uuid(), "an inactive target has no UUID, lfs names it");
            assertEquals("RN", mdts.get(3).flags());
            LustreTarget m0 = mdts.get(0);
            assertTrue(m0.inodes() > 0 && m0.inodesFree() >= 0);
            assertEquals(m0.inodes() - m0.inodesFree(), m0.inodesUsed());

            List<LustreTarget> osts = lustre.targets(fd, TargetKind.OST);
            assertEquals(8, osts.size());
            assertEquals("D", osts.get(1).flags());
            assertEquals(LustreTarget.State.INACTIVE, osts.get(5).state());
        } finally {
            Posix.close(fd);
        }
        int ext = open(outside);
        try {
            assertEquals(Errno.ENOTTY,
                    assertThrows(PosixException.class, () -> lustre.targets(ext, TargetKind.MDT)).errno());
        } finally {
            Posix.close(ext);
        }
    }

    private Layout layoutOf(Path p) throws PosixException {
        int fd = open(p);
        try {
            return lustre.layout(fd);
        } finally {
            Posix.close(fd);
        }
    }

    @Test
    void aRegularFileHasTheDefaultLayoutPlacedRoundRobin() throws Exception {
        Path f = Files.writeString(root.resolve("f"), "data");
        long ino = Posix.lstat(bytes(f)).ino();
        Layout l = layoutOf(f);
        assertFalse(l.composite());
        LayoutComponent c = l.components().getFirst();
        assertEquals(0, c.start());
        assertEquals(Layout.EOF, c.end());
        assertEquals(1, c.stripeCount());
        assertEquals(1 << 20, c.stripeSize());
        assertEquals(Layout.RAID0, c.pattern());
        assertEquals("", c.pool());
        assertEquals(List.of(ino % 8), c.ostIndices());
    }

    @Test
    void aStripedFileWithAPool() throws Exception {
        Path f = Files.writeString(root.resolve("wide"), "data");
        set(f, "lov", "count=4 size=4194304 pool=flash ost=6,7,0,1");
        Layout l = layoutOf(f);
        assertEquals(new Layout(false, List.of(new LayoutComponent(0, Layout.EOF, 4, 4 << 20, Layout.RAID0,
                "flash", List.of(6L, 7L, 0L, 1L)))), l);
        assertEquals(l.components().getFirst(), l.componentAt(123_456_789L));
    }

    @Test
    void aPflLayoutIsWalkedComponentByComponent() throws Exception {
        Path f = Files.writeString(root.resolve("pfl"), "data");
        set(f, "lov", "extent=0-1048576 count=1 size=1048576 ost=2;"
                + "extent=1048576-268435456 count=4 size=1048576 ost=3,4,5,6;"
                + "extent=268435456-EOF count=-1 size=4194304 init=no");
        Layout l = layoutOf(f);
        assertTrue(l.composite());
        assertEquals(3, l.components().size());
        assertEquals(new LayoutComponent(0, 1 << 20, 1, 1 << 20, Layout.RAID0, "", List.of(2L)),
                l.components().get(0));
        assertEquals(List.of(3L, 4L, 5L, 6L), l.components().get(1).ostIndices());
        LayoutComponent last = l.components().get(2);
        assertEquals(268435456L, last.start());
        assertEquals(Layout.EOF, last.end());
        assertEquals(Layout.WIDE, last.stripeCount());
        assertFalse(last.instantiated(), "not instantiated: no OST objects yet");
        assertEquals(l.components().get(1), l.componentAt(200L << 20));
        assertEquals(last, l.componentAt(1L << 40));
    }

    @Test
    void aDirectoryWithoutDefaultStripingHasDefaultValues() throws Exception {
        Path d = Files.createDirectories(root.resolve("d"));
        LayoutComponent c = layoutOf(d).components().getFirst();
        assertEquals(Layout.DEFAULT, c.stripeCount());
        assertEquals(Layout.DEFAULT, c.stripeSize());
        assertEquals(Layout.DEFAULT, c.pattern());
        assertFalse(c.instantiated());
    }

    @Test
    void layoutErrorsComeThroughErrno() throws Exception {
        PosixException e = assertThrows(PosixException.class, () -> layoutOf(outside.resolve("plain")));
        assertEquals(Errno.ENOTTY, e.errno());
        assertTrue(Lustre.notLustre(e));
        Path bad = Files.writeString(root.resolve("bad"), "");
        set(bad, "lov", "count=2 ost=1");
        assertEquals(Errno.EINVAL, assertThrows(PosixException.class, () -> layoutOf(bad)).errno(),
                "a layout whose objects do not match its stripe count");
        Path stale = Files.writeString(root.resolve("stale"), "");
        set(stale, "errno", String.valueOf(Errno.ESTALE));
        assertEquals(Errno.ESTALE, assertThrows(PosixException.class, () -> layoutOf(stale)).errno());
        int opath = Posix.open(bytes(root), Fcntl.O_PATH | Fcntl.O_CLOEXEC, 0);
        try {
            assertEquals(Errno.EBADF, assertThrows(PosixException.class, () -> lustre.layout(opath)).errno());
        } finally {
            Posix.close(opath);
        }
    }
}
