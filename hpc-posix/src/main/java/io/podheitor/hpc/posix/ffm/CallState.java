package io.podheitor.hpc.posix.ffm;

import java.lang.foreign.Arena;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;

/**
 * The errno capture of a downcall: every handle bound by {@link NativeLibrary} takes a capture-state segment as its
 * first argument, into which the linker stores errno right after the native function returns (before the JVM can
 * clobber it). This class reads errno back from such a segment.
 */
public final class CallState {
    /** The layout of a capture-state segment (the platform's {@link Linker.Option#captureStateLayout()}). */
    public static final StructLayout LAYOUT = Linker.Option.captureStateLayout();

    /** The linker option that makes a downcall store errno into its leading capture-state segment. */
    static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final VarHandle ERRNO =
            LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno")).withInvokeExactBehavior();

    private CallState() {
    }

    /** A new capture-state segment in {@code arena}; {@link ThreadScratch#capture()} is the per-thread one. */
    public static MemorySegment allocate(Arena arena) {
        return arena.allocate(LAYOUT);
    }

    /** The errno stored by the last downcall that was passed {@code capture}. */
    public static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }
}
