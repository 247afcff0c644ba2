package io.podheitor.hpc.posix;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import io.podheitor.hpc.posix.ffm.ThreadScratch;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * struct statx of linux/stat.h (256 bytes, the same on every 64-bit architecture) as a named layout, and its
 * decoding into {@link StatX} through var handles derived from that layout.
 */
final class StatxStruct {
    /** struct statx_timestamp: seconds since the epoch and nanoseconds. */
    static final StructLayout TIMESTAMP = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"),
            JAVA_INT.withName("tv_nsec"),
            JAVA_INT.withName("__reserved")).withName("statx_timestamp");

    /** struct statx; the fields after stx_mnt_id (kernel 6.1 and later) are left as padding. */
    static final StructLayout LAYOUT = MemoryLayout.structLayout(
            JAVA_INT.withName("stx_mask"),
            JAVA_INT.withName("stx_blksize"),
            JAVA_LONG.withName("stx_attributes"),
            JAVA_INT.withName("stx_nlink"),
            JAVA_INT.withName("stx_uid"),
            JAVA_INT.withName("stx_gid"),
            JAVA_SHORT.withName("stx_mode"),
            MemoryLayout.paddingLayout(2), // __spare0
            JAVA_LONG.withName("stx_ino"),
            JAVA_LONG.withName("stx_size"),
            JAVA_LONG.withName("stx_blocks"),
            JAVA_LONG.withName("stx_attributes_mask"),
            TIMESTAMP.withName("stx_atime"),
            TIMESTAMP.withName("stx_btime"),
            TIMESTAMP.withName("stx_ctime"),
            TIMESTAMP.withName("stx_mtime"),
            JAVA_INT.withName("stx_rdev_major"),
            JAVA_INT.withName("stx_rdev_minor"),
            JAVA_INT.withName("stx_dev_major"),
            JAVA_INT.withName("stx_dev_minor"),
            JAVA_LONG.withName("stx_mnt_id"),
            MemoryLayout.paddingLayout(104)) // stx_dio_mem_align ... __spare3
            .withName("statx");

    /** The per-thread buffer statx(2) fills in. */
    static final ThreadScratch.Buffer BUFFER = ThreadScratch.Buffer.of("statx", LAYOUT);

    /** STATX_BASIC_STATS: every field {@link #decode} reads. */
    static final int BASIC_STATS = 0x7ff;

    private static final VarHandle BLKSIZE = field("stx_blksize");
    private static final VarHandle NLINK = field("stx_nlink");
    private static final VarHandle UID = field("stx_uid");
    private static final VarHandle GID = field("stx_gid");
    private static final VarHandle MODE = field("stx_mode");
    private static final VarHandle INO = field("stx_ino");
    private static final VarHandle SIZE = field("stx_size");
    private static final VarHandle BLOCKS = field("stx_blocks");
    private static final VarHandle ATIME_SEC = field("stx_atime", "tv_sec");
    private static final VarHandle ATIME_NSEC = field("stx_atime", "tv_nsec");
    private static final VarHandle CTIME_SEC = field("stx_ctime", "tv_sec");
    private static final VarHandle CTIME_NSEC = field("stx_ctime", "tv_nsec");
    private static final VarHandle MTIME_SEC = field("stx_mtime", "tv_sec");
    private static final VarHandle MTIME_NSEC = field("stx_mtime", "tv_nsec");
    private static final VarHandle RDEV_MAJOR = field("stx_rdev_major");
    private static final VarHandle RDEV_MINOR = field("stx_rdev_minor");
    private static final VarHandle DEV_MAJOR = field("stx_dev_major");
    private static final VarHandle DEV_MINOR = field("stx_dev_minor");

    private StatxStruct() {
    }

    /** A var handle {@code (MemorySegment, long offset)} on the field at {@code path} (exact types enforced). */
    private static VarHandle field(String... path) {
        MemoryLayout.PathElement[] elements = new MemoryLayout.PathElement[path.length];
        for (int i = 0; i < path.length; i++) {
            elements[i] = groupElement(path[i]);
        }
        return LAYOUT.varHandle(elements).withInvokeExactBehavior();
    }

    /** The fields of STATX_BASIC_STATS in a filled-in struct statx. */
    static StatX decode(MemorySegment b) {
        return new StatX(
                Short.toUnsignedInt((short) MODE.get(b, 0L)),
                Integer.toUnsignedLong((int) UID.get(b, 0L)),
                Integer.toUnsignedLong((int) GID.get(b, 0L)),
                (long) SIZE.get(b, 0L),
                (long) ATIME_SEC.get(b, 0L), (int) ATIME_NSEC.get(b, 0L),
                (long) MTIME_SEC.get(b, 0L), (int) MTIME_NSEC.get(b, 0L),
                (long) CTIME_SEC.get(b, 0L), (int) CTIME_NSEC.get(b, 0L),
                (long) INO.get(b, 0L),
                StatX.makedev(Integer.toUnsignedLong((int) DEV_MAJOR.get(b, 0L)),
                        Integer.toUnsignedLong((int) DEV_MINOR.get(b, 0L))),
                Integer.toUnsignedLong((int) NLINK.get(b, 0L)),
                StatX.makedev(Integer.toUnsignedLong((int) RDEV_MAJOR.get(b, 0L)),
                        Integer.toUnsignedLong((int) RDEV_MINOR.get(b, 0L))),
                (long) BLOCKS.get(b, 0L),
                (int) BLKSIZE.get(b, 0L));
    }
}
