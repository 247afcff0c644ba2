package io.podheitor.hpc.posix;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.MemoryLayout.PathElement.sequenceElement;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.podheitor.hpc.posix.ffm.ThreadScratch;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * {@code struct timespec times[2]} of utimensat(2)/futimens(2) (element 0 the access time, 1 the modification
 * time) as a named layout, filled in through var handles derived from it.
 */
final class TimespecPair {
    /** struct timespec on 64-bit Linux: time_t tv_sec, long tv_nsec. */
    static final StructLayout TIMESPEC = MemoryLayout.structLayout(
            JAVA_LONG.withName("tv_sec"),
            JAVA_LONG.withName("tv_nsec")).withName("timespec");

    static final SequenceLayout LAYOUT = MemoryLayout.sequenceLayout(2, TIMESPEC);

    /** The per-thread buffer passed to utimensat/futimens. */
    static final ThreadScratch.Buffer BUFFER = ThreadScratch.Buffer.of("timespec[2]", LAYOUT);

    // fixed element indices: constant offsets, so plain var handles without an index coordinate
    private static final VarHandle ATIME_SEC = field(0, "tv_sec");
    private static final VarHandle ATIME_NSEC = field(0, "tv_nsec");
    private static final VarHandle MTIME_SEC = field(1, "tv_sec");
    private static final VarHandle MTIME_NSEC = field(1, "tv_nsec");

    private TimespecPair() {
    }

    private static VarHandle field(long element, String name) {
        return LAYOUT.varHandle(sequenceElement(element), groupElement(name)).withInvokeExactBehavior();
    }

    /** Stores the access and modification times (a nanosecond field may be {@link Posix#UTIME_OMIT}). */
    static void set(MemorySegment times, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec) {
        ATIME_SEC.set(times, 0L, atimeSec);
        ATIME_NSEC.set(times, 0L, atimeNsec);
        MTIME_SEC.set(times, 0L, mtimeSec);
        MTIME_NSEC.set(times, 0L, mtimeNsec);
    }
}
