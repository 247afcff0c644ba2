package io.podheitor.hpc.posix;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.PathElement.sequenceElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.posix.ffm.ThreadScratch;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The named struct layouts match the kernel's, and decoding through them gives what the magic offsets gave. */
class StructLayoutsTest {
    private static final ThreadScratch.Buffer PATH = ThreadScratch.Buffer.of("test path", 4096, 1);

    @TempDir
    Path tmp;

    private static long offset(MemoryLayout layout, String... names) {
        MemoryLayout.PathElement[] path = new MemoryLayout.PathElement[names.length];
        for (int i = 0; i < names.length; i++) {
            path[i] = groupElement(names[i]);
        }
        return layout.byteOffset(path);
    }

    @Test
    void statxLayoutHasTheKernelOffsets() {
        MemoryLayout l = StatxStruct.LAYOUT;
        assertEquals(256, l.byteSize());
        assertEquals(8, l.byteAlignment());
        assertEquals(0, offset(l, "stx_mask"));
        assertEquals(4, offset(l, "stx_blksize"));
        assertEquals(8, offset(l, "stx_attributes"));
        assertEquals(16, offset(l, "stx_nlink"));
        assertEquals(20, offset(l, "stx_uid"));
        assertEquals(24, offset(l, "stx_gid"));
        assertEquals(28, offset(l, "stx_mode"));
        assertEquals(32, offset(l, "stx_ino"));
        assertEquals(40, offset(l, "stx_size"));
        assertEquals(48, offset(l, "stx_blocks"));
        assertEquals(56, offset(l, "stx_attributes_mask"));
        assertEquals(64, offset(l, "stx_atime"));
        assertEquals(72, offset(l, "stx_atime", "tv_nsec"));
        assertEquals(80, offset(l, "stx_btime"));
        assertEquals(96, offset(l, "stx_ctime"));
        assertEquals(104, offset(l, "stx_ctime", "tv_nsec"));
        assertEquals(112, offset(l, "stx_mtime"));
        assertEquals(120, offset(l, "stx_mtime", "tv_nsec"));
        assertEquals(128, offset(l, "stx_rdev_major"));
        assertEquals(132, offset(l, "stx_rdev_minor"));
        assertEquals(136, offset(l, "stx_dev_major"));
        assertEquals(140, offset(l, "stx_dev_minor"));
        assertEquals(144, offset(l, "stx_mnt_id"));
        assertEquals(16, StatxStruct.TIMESTAMP.byteSize());
        assertEquals(256, StatxStruct.BUFFER.initialSize());
    }

    @Test
    void timespecPairAndDirentHeaderHaveTheKernelOffsets() {
        assertEquals(32, TimespecPair.LAYOUT.byteSize());
        assertEquals(0, TimespecPair.LAYOUT.byteOffset(sequenceElement(0), groupElement("tv_sec")));
        assertEquals(8, TimespecPair.LAYOUT.byteOffset(sequenceElement(0), groupElement("tv_nsec")));
        assertEquals(16, TimespecPair.LAYOUT.byteOffset(sequenceElement(1), groupElement("tv_sec")));
        assertEquals(24, TimespecPair.LAYOUT.byteOffset(sequenceElement(1), groupElement("tv_nsec")));

        assertEquals(0, offset(Dirent64.HEADER, "d_ino"));
        assertEquals(8, offset(Dirent64.HEADER, "d_off"));
        assertEquals(16, offset(Dirent64.HEADER, "d_reclen"));
        assertEquals(18, offset(Dirent64.HEADER, "d_type"));
        assertEquals(19, Dirent64.NAME_OFFSET);
    }

    /** The decoder of struct statx before the layout existed (magic offsets), kept here as the reference. */
    private static StatX decodeByOffsets(MemorySegment b) {
        return new StatX(
                Short.toUnsignedInt(b.get(JAVA_SHORT_UNALIGNED, 28)),
                Integer.toUnsignedLong(b.get(JAVA_INT, 20)),
                Integer.toUnsignedLong(b.get(JAVA_INT, 24)),
                b.get(JAVA_LONG, 40),
                b.get(JAVA_LONG, 64), b.get(JAVA_INT, 72),
                b.get(JAVA_LONG, 112), b.get(JAVA_INT, 120),
                b.get(JAVA_LONG, 96), b.get(JAVA_INT, 104),
                b.get(JAVA_LONG, 32),
                StatX.makedev(Integer.toUnsignedLong(b.get(JAVA_INT, 136)), Integer.toUnsignedLong(b.get(JAVA_INT, 140))),
                Integer.toUnsignedLong(b.get(JAVA_INT, 16)),
                StatX.makedev(Integer.toUnsignedLong(b.get(JAVA_INT, 128)), Integer.toUnsignedLong(b.get(JAVA_INT, 132))),
                b.get(JAVA_LONG, 48),
                b.get(JAVA_INT, 4));
    }

    /** Raw statx(2) of {@code path} into the thread's statx buffer, as Posix.statx fills it. */
    private static MemorySegment rawStatx(String path) {
        ThreadScratch s = ThreadScratch.current();
        MemorySegment p = s.cString(PATH, path.getBytes(StandardCharsets.UTF_8));
        MemorySegment buf = s.buffer(StatxStruct.BUFFER);
        assertEquals(0, Libc.statx(s.capture(), Fcntl.AT_FDCWD, p, Fcntl.AT_SYMLINK_NOFOLLOW, StatxStruct.BASIC_STATS, buf),
                path);
        return buf;
    }

    @Test
    void decodingRealFilesGivesWhatTheOffsetsGave() throws Exception {
        Path file = Files.writeString(tmp.resolve("f"), "hello");
        Path link = Files.createSymbolicLink(tmp.resolve("l"), file);
        byte[] fifo = tmp.resolve("p").toString().getBytes(StandardCharsets.UTF_8);
        Posix.mknodat(Fcntl.AT_FDCWD, fifo, FileMode.S_IFIFO | 0600, 0);
        Posix.utimensat(Fcntl.AT_FDCWD, file.toString().getBytes(StandardCharsets.UTF_8),
                1_000_000_000L, 123_456_789, 1_600_000_000L, 987_654_321, 0);
        for (String path : List.of(file.toString(), link.toString(), tmp.resolve("p").toString(), tmp.toString(),
                "/dev/null", "/")) {
            MemorySegment buf = rawStatx(path);
            StatX byOffsets = decodeByOffsets(buf);
            assertEquals(byOffsets, StatxStruct.decode(buf), path);
            assertEquals(byOffsets, Posix.lstat(path.getBytes(StandardCharsets.UTF_8)), path);
        }
        StatX devNull = Posix.lstat("/dev/null".getBytes(StandardCharsets.UTF_8));
        assertTrue(devNull.isCharDevice());
        assertEquals(1, StatX.major(devNull.rdev()));
        assertEquals(3, StatX.minor(devNull.rdev()));
        StatX f = Posix.lstat(file.toString().getBytes(StandardCharsets.UTF_8));
        assertEquals(987_654_321, f.mtimeNsec());
        assertEquals(1_000_000_000L, f.atimeSec());
    }

    @Test
    void decodingArbitraryBytesGivesWhatTheOffsetsGave() {
        Random random = new Random(7);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(StatxStruct.LAYOUT);
            byte[] bytes = new byte[256];
            for (int round = 0; round < 100; round++) {
                random.nextBytes(bytes);
                MemorySegment.copy(bytes, 0, buf, JAVA_BYTE, 0, bytes.length);
                assertEquals(decodeByOffsets(buf), StatxStruct.decode(buf));
            }
        }
    }

    @Test
    void timesAreStoredAtTheTimespecOffsets() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment t = arena.allocate(TimespecPair.LAYOUT);
            TimespecPair.set(t, 1, 2, 3, Posix.UTIME_OMIT);
            assertEquals(1, t.get(JAVA_LONG, 0));
            assertEquals(2, t.get(JAVA_LONG, 8));
            assertEquals(3, t.get(JAVA_LONG, 16));
            assertEquals(Posix.UTIME_OMIT, t.get(JAVA_LONG, 24));
        }
    }

    /** Appends one linux_dirent64 record (8-byte aligned, as the kernel writes them) at {@code off}. */
    private static long putDirent(MemorySegment buf, long off, long ino, int type, byte[] name) {
        int reclen = (int) ((19 + name.length + 1 + 7) & ~7L);
        buf.set(JAVA_LONG_UNALIGNED, off, ino);
        buf.set(JAVA_LONG_UNALIGNED, off + 8, off + reclen);
        buf.set(JAVA_SHORT_UNALIGNED, off + 16, (short) reclen);
        buf.set(JAVA_BYTE, off + 18, (byte) type);
        MemorySegment.copy(name, 0, buf, JAVA_BYTE, off + 19, name.length);
        buf.set(JAVA_BYTE, off + 19 + name.length, (byte) 0);
        return off + reclen;
    }

    @Test
    void direntRecordsAreParsedThroughTheHeaderLayout() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buf = arena.allocate(4096, 8);
            byte[] odd = {'o', (byte) 0xff, '\n'};
            byte[] longName = "n".repeat(255).getBytes(StandardCharsets.US_ASCII);
            long n = 0;
            n = putDirent(buf, n, 2, FileMode.DT_DIR, new byte[] {'.'});
            n = putDirent(buf, n, 1, FileMode.DT_DIR, new byte[] {'.', '.'});
            n = putDirent(buf, n, 0xffff_ffff_0000_0001L, FileMode.DT_REG, odd);
            n = putDirent(buf, n, 42, FileMode.DT_LNK, longName);
            n = putDirent(buf, n, 43, FileMode.DT_DIR, new byte[] {'.', 'x'});
            List<DirEntry> entries = Dirent64.parse(buf, n);
            assertEquals(3, entries.size());
            assertArrayEquals(odd, entries.get(0).name());
            assertEquals(0xffff_ffff_0000_0001L, entries.get(0).ino());
            assertEquals(FileMode.DT_REG, entries.get(0).type());
            assertArrayEquals(longName, entries.get(1).name());
            assertEquals(FileMode.DT_LNK, entries.get(1).type());
            assertArrayEquals(new byte[] {'.', 'x'}, entries.get(2).name());
            assertEquals(43, entries.get(2).ino());
        }
    }
}
