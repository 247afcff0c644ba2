package io.podheitor.hpc.posix.ffm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per-thread native memory reused by every downcall of that thread, so a call allocates no native memory: the
 * errno {@linkplain #capture() capture state} and any number of growable buffers, each named by a {@link Buffer}
 * key. A key is created once (a {@code static final} of the code that owns it) and only that code can reach its
 * buffer, so two libraries sharing a thread never clobber each other's buffers. A buffer is valid until the next
 * use of the same key on the same thread; the memory is freed once the thread is gone.
 * A {@code ThreadScratch} belongs to its thread: never hand it, or a segment from it, to another thread.
 */
public final class ThreadScratch {
    private static final ThreadLocal<ThreadScratch> CURRENT = ThreadLocal.withInitial(ThreadScratch::new);

    private final Arena arena = Arena.ofAuto();
    private final MemorySegment capture = CallState.allocate(arena);
    private MemorySegment[] buffers = new MemorySegment[Buffer.COUNT.get()];

    private ThreadScratch() {
    }

    /** The calling thread's scratch (created on its first use). */
    public static ThreadScratch current() {
        return CURRENT.get();
    }

    /** The capture-state segment to pass as first argument of this thread's downcalls. */
    public MemorySegment capture() {
        return capture;
    }

    /** errno of this thread's last downcall that was passed {@link #capture()}. */
    public int errno() {
        return CallState.errno(capture);
    }

    /** The buffer of {@code key}: {@link Buffer#initialSize()} bytes on first use, or larger after {@link #grow}. */
    public MemorySegment buffer(Buffer key) {
        MemorySegment[] b = buffers;
        int i = key.index;
        if (i < b.length) {
            MemorySegment seg = b[i];
            if (seg != null) {
                return seg;
            }
        }
        return replace(key, key.initialSize);
    }

    /**
     * Replaces the buffer of {@code key} with one of at least {@code atLeast} bytes and at least twice the current
     * size. The content is not carried over.
     */
    public MemorySegment grow(Buffer key, long atLeast) {
        return replace(key, Math.max(atLeast, buffer(key).byteSize() * 2));
    }

    /**
     * {@code bytes} followed by a NUL in the buffer of {@code key}, grown when needed: a C string for a downcall.
     *
     * @throws IllegalArgumentException when {@code bytes} contains a NUL (C would see a shorter string)
     */
    public MemorySegment cString(Buffer key, byte[] bytes) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == 0) {
                throw new IllegalArgumentException("NUL byte at index " + i);
            }
        }
        MemorySegment seg = buffer(key);
        if (seg.byteSize() < bytes.length + 1L) {
            seg = grow(key, bytes.length + 1L);
        }
        MemorySegment.copy(bytes, 0, seg, JAVA_BYTE, 0, bytes.length);
        seg.set(JAVA_BYTE, bytes.length, (byte) 0);
        return seg;
    }

    private MemorySegment replace(Buffer key, long size) {
        if (key.index >= buffers.length) {
            buffers = Arrays.copyOf(buffers, Math.max(key.index + 1, Buffer.COUNT.get()));
        }
        MemorySegment seg = arena.allocate(size, key.alignment);
        buffers[key.index] = seg;
        return seg;
    }

    /**
     * Names one per-thread buffer of {@link ThreadScratch}: its initial size and alignment. Keep keys in
     * {@code static final} fields; each key made is one slot in every thread's scratch.
     */
    public static final class Buffer {
        private static final AtomicInteger COUNT = new AtomicInteger();

        private final int index;
        private final String name;
        private final long initialSize;
        private final long alignment;

        private Buffer(String name, long initialSize, long alignment) {
            this.name = Objects.requireNonNull(name, "name");
            if (initialSize <= 0 || alignment <= 0 || Long.bitCount(alignment) != 1) {
                throw new IllegalArgumentException(
                        "buffer " + name + ": size " + initialSize + " / alignment " + alignment);
            }
            this.initialSize = initialSize;
            this.alignment = alignment;
            this.index = COUNT.getAndIncrement();
        }

        /** A key for a buffer of {@code initialSize} bytes aligned to {@code alignment} (a power of two). */
        public static Buffer of(String name, long initialSize, long alignment) {
            return new Buffer(name, initialSize, alignment);
        }

        /** A key for a buffer holding one {@code layout} (e.g. a struct filled in by the kernel). */
        public static Buffer of(String name, MemoryLayout layout) {
            return new Buffer(name, layout.byteSize(), layout.byteAlignment());
        }

        public String name() {
            return name;
        }

        public long initialSize() {
            return initialSize;
        }

        public long alignment() {
            return alignment;
        }

        @Override
        public String toString() {
            return "Buffer[" + name + ", " + initialSize + " bytes]";
        }
    }
}
