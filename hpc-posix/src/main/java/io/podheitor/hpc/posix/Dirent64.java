package io.podheitor.hpc.posix;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import io.podheitor.hpc.posix.ffm.ThreadScratch;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

/**
 * The fixed header of struct linux_dirent64 (d_ino u64, d_off s64, d_reclen u16, d_type u8; d_name follows,
 * NUL-terminated, up to d_reclen) as a named layout, and the parsing of a getdents64(2) batch through var handles
 * derived from it. The fields are read unaligned, as before the layout existed: the kernel aligns records to 8
 * bytes, but nothing here depends on it.
 */
final class Dirent64 {
    static final StructLayout HEADER = MemoryLayout.structLayout(
            JAVA_LONG_UNALIGNED.withName("d_ino"),
            JAVA_LONG_UNALIGNED.withName("d_off"),
            JAVA_SHORT_UNALIGNED.withName("d_reclen"),
            JAVA_BYTE.withName("d_type")).withName("linux_dirent64");

    /** The per-thread buffer getdents64(2) fills in: 128 KiB, a few thousand entries per call. */
    static final ThreadScratch.Buffer BUFFER = ThreadScratch.Buffer.of("getdents64", 128 * 1024, 8);

    /** Where d_name starts in a record (19). */
    static final long NAME_OFFSET = HEADER.byteSize();

    private static final VarHandle INO = field("d_ino");
    private static final VarHandle RECLEN = field("d_reclen");
    private static final VarHandle TYPE = field("d_type");

    private Dirent64() {
    }

    private static VarHandle field(String name) {
        return HEADER.varHandle(groupElement(name)).withInvokeExactBehavior();
    }

    /** The entries of the first {@code n} bytes of {@code buf} as filled by getdents64, "." and ".." left out. */
    static List<DirEntry> parse(MemorySegment buf, long n) {
        List<DirEntry> out = new ArrayList<>((int) Math.min(n / 24 + 1, 4096));
        long off = 0;
        while (off < n) {
            long ino = (long) INO.get(buf, off);
            int reclen = Short.toUnsignedInt((short) RECLEN.get(buf, off));
            int type = Byte.toUnsignedInt((byte) TYPE.get(buf, off));
            long nameStart = off + NAME_OFFSET;
            long nameMax = reclen - NAME_OFFSET;
            int len = 0;
            while (len < nameMax && buf.get(JAVA_BYTE, nameStart + len) != 0) {
                len++;
            }
            boolean dot = len == 1 && buf.get(JAVA_BYTE, nameStart) == '.';
            boolean dotdot = len == 2 && buf.get(JAVA_BYTE, nameStart) == '.' && buf.get(JAVA_BYTE, nameStart + 1) == '.';
            if (!dot && !dotdot) {
                byte[] name = new byte[len];
                MemorySegment.copy(buf, JAVA_BYTE, nameStart, name, 0, len);
                out.add(new DirEntry(name, ino, type));
            }
            if (reclen <= 0) {
                break;
            }
            off += reclen;
        }
        return out;
    }
}
