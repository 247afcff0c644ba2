package io.podheitor.hpc.posix.ffm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ThreadScratchTest {
    private static final ThreadScratch.Buffer SMALL = ThreadScratch.Buffer.of("test small", 16, 8);
    private static final ThreadScratch.Buffer OTHER = ThreadScratch.Buffer.of("test other", 16, 1);
    private static final ThreadScratch.Buffer STRUCT = ThreadScratch.Buffer.of("test struct",
            MemoryLayout.structLayout(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, MemoryLayout.paddingLayout(4)));

    @Test
    void aKeyNamesOneReusedBufferPerThread() throws Exception {
        ThreadScratch s = ThreadScratch.current();
        assertSame(s, ThreadScratch.current());
        MemorySegment a = s.buffer(SMALL);
        assertEquals(16, a.byteSize());
        assertEquals(0, a.address() % 8);
        assertSame(a, s.buffer(SMALL));
        assertNotSame(a, s.buffer(OTHER));
        assertEquals(16, s.buffer(STRUCT).byteSize());
        assertEquals(0, s.buffer(STRUCT).address() % 8);

        AtomicReference<MemorySegment> there = new AtomicReference<>();
        AtomicReference<ThreadScratch> otherScratch = new AtomicReference<>();
        Thread t = new Thread(() -> {
            otherScratch.set(ThreadScratch.current());
            there.set(ThreadScratch.current().buffer(SMALL));
        });
        t.start();
        t.join();
        assertNotSame(s, otherScratch.get());
        assertTrue(there.get().address() != a.address());
    }

    @Test
    void growDoublesAtLeast() {
        ThreadScratch.Buffer key = ThreadScratch.Buffer.of("test grow", 100, 1);
        ThreadScratch s = ThreadScratch.current();
        assertEquals(100, s.buffer(key).byteSize());
        assertEquals(200, s.grow(key, 0).byteSize());
        assertEquals(200, s.buffer(key).byteSize());
        assertEquals(1000, s.grow(key, 1000).byteSize());
        assertSame(s.buffer(key), s.buffer(key));
    }

    @Test
    void cStringIsNulTerminatedGrowsAndRejectsNul() {
        ThreadScratch.Buffer key = ThreadScratch.Buffer.of("test cstring", 4, 1);
        ThreadScratch s = ThreadScratch.current();
        MemorySegment abc = s.cString(key, new byte[] {'a', 'b', 'c'});
        assertEquals(4, abc.byteSize());
        assertArrayEquals(new byte[] {'a', 'b', 'c', 0}, abc.toArray(JAVA_BYTE));
        byte[] odd = {(byte) 0xff, '\n', 'x', 'y', 'z'};
        MemorySegment grown = s.cString(key, odd);
        assertEquals(8, grown.byteSize());
        assertArrayEquals(new byte[] {(byte) 0xff, '\n', 'x', 'y', 'z', 0}, grown.asSlice(0, 6).toArray(JAVA_BYTE));
        assertEquals(0, s.cString(key, new byte[0]).get(JAVA_BYTE, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> s.cString(key, new byte[] {'/', 0, 'x'}));
        assertEquals("NUL byte at index 1", e.getMessage());
    }

    @Test
    void captureStateIsPerThread() throws Exception {
        ThreadScratch s = ThreadScratch.current();
        assertEquals(CallState.LAYOUT.byteSize(), s.capture().byteSize());
        AtomicReference<MemorySegment> other = new AtomicReference<>();
        Thread t = new Thread(() -> other.set(ThreadScratch.current().capture()));
        t.start();
        t.join();
        assertTrue(other.get().address() != s.capture().address());
    }

    @Test
    void badKeysAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ThreadScratch.Buffer.of("zero", 0, 1));
        assertThrows(IllegalArgumentException.class, () -> ThreadScratch.Buffer.of("odd alignment", 8, 3));
        assertThrows(NullPointerException.class, () -> ThreadScratch.Buffer.of(null, 8, 8));
    }
}
