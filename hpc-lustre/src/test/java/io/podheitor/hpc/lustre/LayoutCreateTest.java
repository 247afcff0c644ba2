package io.podheitor.hpc.lustre;

import static io.podheitor.hpc.lustre.FakeLustre.bytes;
import static io.podheitor.hpc.lustre.FakeLustre.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.posix.Errno;
import io.podheitor.hpc.posix.Fcntl;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restripe on restore: a layout read from one file recreates the next through llapi_layout_file_create. */
class LayoutCreateTest {
    private static Lustre lustre;

    @TempDir
    Path tmp;

    private Path root;
    private int dirfd;

    @BeforeAll
    static void load() throws Exception {
        lustre = FakeLustre.load();
    }

    @BeforeEach
    void tree() throws Exception {
        root = FakeLustre.mount(tmp.resolve("lustre"), "testfs", "0", "0-7");
        dirfd = Posix.openDirectory(Fcntl.AT_FDCWD, bytes(root));
    }

    @org.junit.jupiter.api.AfterEach
    void close() throws PosixException {
        Posix.close(dirfd);
    }

    private Layout create(byte[] name, Layout layout) throws PosixException {
        int fd = lustre.createFile(dirfd, name, Fcntl.O_WRONLY | Fcntl.O_CLOEXEC, 0640, layout);
        try {
            Posix.write(fd, new byte[] {1, 2, 3}, 0, 3);
            return lustre.layout(fd);
        } finally {
            Posix.close(fd);
        }
    }

    @Test
    void aPlainStripedLayoutIsRecreatedWithoutPinningOsts() throws Exception {
        Path original = Files.writeString(root.resolve("original"), "x");
        set(original, "lov", "count=4 size=4194304 pool=flash ost=7,0,1,2");
        Layout read = lustre.layout(bytes(original));
        byte[] name = {'c', 'o', 'p', 'y', (byte) 0xff};
        Layout made = create(name, read);
        LayoutComponent c = made.components().getFirst();
        assertFalse(made.composite());
        assertEquals(4, c.stripeCount());
        assertEquals(4L << 20, c.stripeSize());
        assertEquals("flash", c.pool());
        assertEquals(4, c.ostIndices().size(), "objects allocated by the (fake) MDS");
        long ino = Posix.statx(dirfd, name, Fcntl.AT_SYMLINK_NOFOLLOW).ino();
        assertEquals(ino % 8, c.ostIndices().getFirst(), "the MDS's choice, not the original's OST 7");
        assertEquals(0640, Posix.statx(dirfd, name, Fcntl.AT_SYMLINK_NOFOLLOW).mode() & 07777);
    }

    @Test
    void aPflLayoutIsRecreatedComponentByComponent() throws Exception {
        Layout pfl = new Layout(true, List.of(
                new LayoutComponent(0, 1 << 20, 1, 1 << 20, Layout.RAID0, "", List.of()),
                new LayoutComponent(1 << 20, 256L << 20, 4, 1 << 20, Layout.RAID0, "", List.of()),
                new LayoutComponent(256L << 20, Layout.EOF, Layout.WIDE, 4 << 20, Layout.RAID0, "", List.of())));
        Layout made = create("pfl".getBytes(), pfl);
        assertTrue(made.composite());
        assertEquals(3, made.components().size());
        for (int i = 0; i < 3; i++) {
            LayoutComponent want = pfl.components().get(i);
            LayoutComponent got = made.components().get(i);
            assertEquals(want.start(), got.start());
            assertEquals(want.end(), got.end());
            assertEquals(want.stripeCount(), got.stripeCount(), "component " + i);
            assertEquals(want.stripeSize(), got.stripeSize());
        }
        assertTrue(made.components().get(0).instantiated(), "the first component is instantiated at create");
        assertFalse(made.components().get(2).instantiated());
    }

    @Test
    void creationErrors() throws Exception {
        Layout plain = new Layout(false, List.of(new LayoutComponent(0, Layout.EOF, 2, 1 << 20, Layout.RAID0, "",
                List.of())));
        create("exists".getBytes(), plain);
        assertEquals(Errno.EEXIST, assertThrows(PosixException.class, () -> create("exists".getBytes(), plain)).errno());

        Layout badSize = new Layout(false, List.of(new LayoutComponent(0, Layout.EOF, 2, 1000, Layout.RAID0, "",
                List.of())));
        PosixException e = assertThrows(PosixException.class, () -> create("bad".getBytes(), badSize));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage().startsWith("llapi_layout_stripe_size_set"), e.getMessage());
        assertFalse(Files.exists(root.resolve("bad")), "refused before anything was created");

        Layout gap = new Layout(true, List.of(
                new LayoutComponent(0, 1 << 20, 1, 1 << 20, Layout.RAID0, "", List.of()),
                new LayoutComponent(2 << 20, Layout.EOF, 1, 1 << 20, Layout.RAID0, "", List.of())));
        assertEquals(Errno.EINVAL, assertThrows(PosixException.class, () -> create("gap".getBytes(), gap)).errno());

        Path plainDir = Files.createDirectories(tmp.resolve("ext4"));
        int ext = Posix.openDirectory(Fcntl.AT_FDCWD, bytes(plainDir));
        try {
            PosixException notLustre = assertThrows(PosixException.class,
                    () -> lustre.createFile(ext, "f".getBytes(), Fcntl.O_WRONLY, 0600, plain));
            assertEquals(Errno.ENOTTY, notLustre.errno());
            assertTrue(Lustre.notLustre(notLustre));
            assertTrue(Files.exists(plainDir.resolve("f")), "as the real library: the open created the file");
        } finally {
            Posix.close(ext);
        }
    }

    @Test
    void layoutByPathEqualsLayoutByDescriptor() throws Exception {
        Path f = Files.writeString(root.resolve("f"), "x");
        set(f, "lov", "extent=0-1048576 count=1 ost=3;extent=1048576-EOF count=2 size=2097152 ost=4,5");
        int fd = Posix.open(bytes(f), Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0);
        try {
            assertEquals(lustre.layout(fd), lustre.layout(bytes(f)));
        } finally {
            Posix.close(fd);
        }
        PosixException e = assertThrows(PosixException.class, () -> lustre.layout(bytes(root.resolve("missing"))));
        assertEquals(Errno.ENOENT, e.errno());
    }
}
