package io.podheitor.hpc.lustre;

import static io.podheitor.hpc.lustre.FakeLustre.bytes;
import static io.podheitor.hpc.lustre.FakeLustre.set;
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
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The lookup the lustre-mdt sharding strategy uses: library, lfs or absent, giving the same answers. */
class MdtLookupTest {
    @TempDir
    Path tmp;

    private Path root;
    private Path outside;
    private MdtLookup ffm;
    private MdtLookup lfs;

    @BeforeEach
    void tree() throws Exception {
        root = FakeLustre.mount(tmp.resolve("lustre"), "testfs", "0-1,3,10", "0-3");
        set(root, "inactive", "MDT0001");
        set(root, "inodes", "1000/10");
        outside = Files.createDirectories(tmp.resolve("ext4"));
        Files.writeString(outside.resolve("plain"), "");
        ffm = MdtLookup.choose(FakeLustre.load(), Optional.empty());
        lfs = MdtLookup.choose(NoLustre.INSTANCE, Lfs.at(FakeLustre.lfsExecutable()));
    }

    @Test
    void theBestAvailableSourceIsChosen() throws Exception {
        assertInstanceOf(FfmMdtLookup.class, ffm);
        assertTrue(ffm.source().startsWith("liblustreapi ("), ffm.source());
        assertInstanceOf(LfsMdtLookup.class, lfs);
        assertEquals("lfs (" + FakeLustre.lfsExecutable() + ")", lfs.source());
        assertInstanceOf(FfmMdtLookup.class,
                MdtLookup.choose(FakeLustre.load(), Lfs.at(FakeLustre.lfsExecutable())), "the library first");
        MdtLookup none = MdtLookup.choose(NoLustre.INSTANCE, Optional.empty());
        assertSame(NoMdtLookup.INSTANCE, none);
        assertFalse(none.present());
        assertEquals(List.of(), none.mdts(bytes(root)));
        assertEquals(OptionalInt.empty(), none.mdtCount(bytes(root)));
        assertEquals(OptionalInt.empty(), none.mdtOf(0));
        assertEquals(OptionalInt.empty(), none.mdtOf(0, new byte[] {'x'}));
    }

    @Test
    void lfsIsFoundOnASearchPath() throws Exception {
        Path bin = FakeLustre.lfsExecutable().getParent();
        assertEquals(Optional.of(FakeLustre.lfsExecutable()),
                Lfs.onPath(tmp + ":" + bin + ":/nonexistent").map(Lfs::executable));
        assertEquals(Optional.empty(), Lfs.onPath(tmp.toString()).map(Lfs::executable));
        assertEquals(Optional.empty(), Lfs.onPath(null).map(Lfs::executable));
    }

    @Test
    void bothSourcesListTheSameMdts() throws Exception {
        Path deep = Files.createDirectories(root.resolve("a/b"));
        for (MdtLookup m : List.of(ffm, lfs)) {
            List<LustreTarget> mdts = m.mdts(bytes(deep));
            assertEquals(List.of(0, 1, 3, 10), mdts.stream().map(LustreTarget::index).toList(), m.source());
            assertEquals(LustreTarget.State.INACTIVE, mdts.get(1).state(), m.source());
            assertEquals(OptionalInt.of(4), m.mdtCount(bytes(root)), m.source());
            assertEquals(List.of(), m.mdts(bytes(outside)), m.source() + ": not Lustre");
            assertEquals(OptionalInt.empty(), m.mdtCount(bytes(outside.resolve("plain"))), m.source());
        }
        assertEquals(ffm.mdts(bytes(root)), lfs.mdts(bytes(root)));
    }

    @Test
    void bothSourcesPlaceEntriesAlike() throws Exception {
        Path striped = Files.createDirectories(root.resolve("striped"));
        set(striped, "mdt", "3");
        set(striped, "dirstripe", "3");
        Path remote = Files.createDirectories(root.resolve("remote"));
        set(remote, "mdt", "10");
        byte[] odd = {'n', (byte) 0xc3, (byte) 0x28, ' ', 'x'};
        for (Path dir : List.of(root, striped, remote)) {
            for (int i = 0; i < 6; i++) {
                Files.writeString(dir.resolve("f" + i), "");
            }
            Files.createDirectories(dir.resolve("sub"));
            Files.createSymbolicLink(dir.resolve("link"), Path.of("f0"));
            int dirfd = Posix.openDirectory(Fcntl.AT_FDCWD, bytes(dir));
            try {
                Posix.close(Posix.openat(dirfd, odd, Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_CLOEXEC, 0644));
                assertEquals(ffm.mdtOf(dirfd), lfs.mdtOf(dirfd), dir.toString());
                for (byte[] name : List.of("f0".getBytes(), "f1".getBytes(), "f2".getBytes(), "f3".getBytes(),
                        "f4".getBytes(), "f5".getBytes(), "sub".getBytes(), odd)) {
                    OptionalInt a = ffm.mdtOf(dirfd, name);
                    assertTrue(a.isPresent());
                    assertEquals(a, lfs.mdtOf(dirfd, name), dir + "/" + new String(name));
                    byte[] path = join(dir, name);
                    assertEquals(a, ffm.mdtOf(path), "by path");
                    assertEquals(a, lfs.mdtOf(path), "by path through lfs");
                    int fd = Posix.openat(dirfd, name, Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0);
                    try {
                        assertEquals(a, ffm.mdtOf(fd));
                        assertEquals(a, lfs.mdtOf(fd));
                    } finally {
                        Posix.close(fd);
                    }
                }
                assertEquals(ffm.mdtOf(dirfd, "link".getBytes()), ffm.mdtOf(join(dir, "link".getBytes())));
                if (!dir.equals(striped)) {
                    // through lfs a symlink is placed with its directory: right unless the directory is striped
                    assertEquals(ffm.mdtOf(dirfd, "link".getBytes()), lfs.mdtOf(dirfd, "link".getBytes()));
                    assertEquals(ffm.mdtOf(dirfd, "link".getBytes()), lfs.mdtOf(join(dir, "link".getBytes())));
                }
            } finally {
                Posix.close(dirfd);
            }
        }
        int remotefd = Posix.openDirectory(Fcntl.AT_FDCWD, bytes(remote));
        try {
            assertEquals(OptionalInt.of(10), ffm.mdtOf(remotefd));
            assertEquals(OptionalInt.of(10), lfs.mdtOf(remotefd));
        } finally {
            Posix.close(remotefd);
        }
    }

    private static byte[] join(Path dir, byte[] name) {
        byte[] d = bytes(dir);
        byte[] p = java.util.Arrays.copyOf(d, d.length + 1 + name.length);
        p[d.length] = '/';
        System.arraycopy(name, 0, p, d.length + 1, name.length);
        return p;
    }

    @Test
    void manyThreadsAskByPathThroughOneLookup() throws Exception {
        Path striped = Files.createDirectories(root.resolve("striped"));
        set(striped, "dirstripe", "4");
        List<Path> files = new java.util.ArrayList<>();
        for (int i = 0; i < 64; i++) {
            files.add(Files.writeString(striped.resolve("f" + i), ""));
        }
        List<OptionalInt> expected = new java.util.ArrayList<>();
        for (Path f : files) {
            expected.add(lfs.mdtOf(bytes(f)));
        }
        try (MdtLookup shared = MdtLookup.choose(FakeLustre.load(), Optional.empty());
                var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            List<java.util.concurrent.Future<Boolean>> results = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(pool.submit(() -> {
                    for (int round = 0; round < 20; round++) {
                        for (int i = 0; i < files.size(); i++) {
                            if (!expected.get(i).equals(shared.mdtOf(bytes(files.get(i))))) {
                                return false;
                            }
                        }
                    }
                    return true;
                }));
            }
            for (var r : results) {
                assertTrue(r.get());
            }
        }
        assertEquals(4, expected.stream().distinct().count(), "64 names spread over the four stripes");
    }

    @Test
    void notLustreIsEmptyAndRealFailuresThrow() throws Exception {
        for (MdtLookup m : List.of(ffm, lfs)) {
            assertEquals(OptionalInt.empty(), m.mdtOf(bytes(outside.resolve("plain"))), m.source());
            assertEquals(Errno.ENOENT, assertThrows(PosixException.class,
                    () -> m.mdtOf(bytes(root.resolve("missing")))).errno(), m.source());
        }
        int dirfd = Posix.openDirectory(Fcntl.AT_FDCWD, bytes(outside));
        try {
            for (MdtLookup m : List.of(ffm, lfs)) {
                assertEquals(OptionalInt.empty(), m.mdtOf(dirfd), m.source());
                assertEquals(OptionalInt.empty(), m.mdtOf(dirfd, "plain".getBytes()), m.source());
                PosixException missing = assertThrows(PosixException.class,
                        () -> m.mdtOf(dirfd, "missing".getBytes()), m.source());
                assertEquals(Errno.ENOENT, missing.errno());
            }
        } finally {
            Posix.close(dirfd);
        }
        Path broken = Files.writeString(root.resolve("broken"), "");
        set(broken, "errno", String.valueOf(Errno.EIO));
        int rootfd = Posix.openDirectory(Fcntl.AT_FDCWD, bytes(root));
        try {
            PosixException e = assertThrows(PosixException.class, () -> ffm.mdtOf(rootfd, "broken".getBytes()));
            assertEquals(Errno.EIO, e.errno());
            IOException viaLfs = assertThrows(IOException.class, () -> lfs.mdtOf(rootfd, "broken".getBytes()));
            assertTrue(viaLfs.getMessage().contains("Input/output error"), viaLfs.getMessage());
        } finally {
            Posix.close(rootfd);
        }
    }
}
