package io.podheitor.hpc.stripe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class StripeReadersTest {
    static final int K = 1024;

    static byte[] content(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** pread over an array, each call delayed at random (so the lanes complete in random order). */
    static PositionalInput slowArray(byte[] data, long seed, Set threads) {
        Random r = new Random(seed);
        return (buf, off, len, pos) -> {
            threads.seen.add(Thread.currentThread().getName());
            int delay;
            synchronized (r) {
                delay = r.nextInt(300_000);
            }
            try {
                Thread.sleep(0, delay);
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            if (pos >= data.length) {
                return 0;
            }
            int n = (int) Math.min(len, Math.min(data.length - pos, 7 * K + 3)); // short reads too
            System.arraycopy(data, (int) pos, buf, off, n);
            return n;
        };
    }

    static final class Set {
        final java.util.Set<String> seen = ConcurrentHashMap.newKeySet();
    }

    /** Collects the delivered bytes, checking the file order. */
    static final class Collector implements StripeReaders.Consumer {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final List<Piece> kinds = new ArrayList<>();
        long expect;

        @Override
        public boolean accept(Piece p) {
            assertEquals(expect, p.offset(), "file order");
            switch (p) {
                case Piece.Data d -> {
                    out.write(d.buf(), d.off(), d.length());
                    expect += d.length();
                }
                case Piece.Hole h -> {
                    out.write(new byte[(int) h.length()], 0, (int) h.length());
                    expect += h.length();
                }
                case Piece.Failed f -> {
                }
            }
            kinds.add(p instanceof Piece.Data d ? new Piece.Data(d.offset(), null, 0, d.length(), d.shortRead()) : p);
            return true;
        }
    }

    @Property(tries = 40)
    void randomGeometriesAndCompletionOrdersGiveTheExactBytesWithinTheMemoryBound(
            @ForAll @IntRange(min = 0, max = 300_000) int size, @ForAll @IntRange(min = 1, max = 6) int readers,
            @ForAll @IntRange(min = 1, max = 8) int lanes, @ForAll @IntRange(min = 1, max = 5) int unitKib,
            @ForAll @IntRange(min = 0, max = 4) int extraWindow, @ForAll long seed) throws IOException {
        byte[] data = content(size, seed);
        int chunk = 4096 * (1 + (int) Math.floorMod(seed, 4L));
        try (StripeReaders sr = new StripeReaders(readers, chunk, 8, readers + extraWindow)) {
            Collector c = new Collector();
            StripeReaders.Outcome o = sr.read(slowArray(data, seed, new Set()), size,
                    new ChunkGeometry(unitKib * 4096L, lanes), HoleMap.NONE, c);
            assertArrayEquals(data, c.out.toByteArray());
            assertEquals(size, o.bytesRead());
            assertFalse(o.endedEarly());
            assertNull(o.failure());
            assertTrue(sr.bufferBytesAllocated() <= sr.bufferBytesLimit());
            assertTrue(sr.peakWaiting() <= readers + extraWindow);
            for (Piece p : c.kinds) {
                Piece.Data d = assertInstanceOf(Piece.Data.class, p);
                assertTrue(d.length() <= chunk, "a piece is at most one chunk");
                assertTrue(d.offset() / (unitKib * 4096L) == (d.offset() + d.length() - 1) / (unitKib * 4096L),
                        "a piece never crosses a unit");
            }
        }
    }

    /** 64 MiB over 4 lanes, 4 readers: every reader ran, memory stayed at the bound, reused for a second file. */
    @Test
    void aLargeFileUsesEveryReaderAndBoundedMemory() throws IOException {
        byte[] data = content(64 << 20, 1);
        Set threads = new Set();
        try (StripeReaders sr = new StripeReaders(4, 1 << 20, 8, 8)) {
            for (int round = 0; round < 2; round++) {
                Collector c = new Collector();
                sr.read(slowArray(data, round, threads), data.length, new ChunkGeometry(1 << 20, 4), HoleMap.NONE, c);
                assertArrayEquals(data, c.out.toByteArray());
            }
            assertEquals(4, threads.seen.size(), threads.seen.toString());
            assertEquals((8 + 4 + 1) * ((1L << 20) + 8), sr.bufferBytesLimit());
            assertTrue(sr.bufferBytesAllocated() <= sr.bufferBytesLimit(), sr.bufferBytesAllocated() + " bytes");
        }
    }

    /** More readers than lanes: each lane gets readers / lanes of them, taking its chunks in turn. */
    @Test
    void moreReadersThanLanesShareEachLane() throws IOException {
        byte[] data = content(24 << 20, 2);
        Set threads = new Set();
        java.util.Map<Long, String> readerOf = new ConcurrentHashMap<>();
        PositionalInput slow = slowArray(data, 3, threads);
        PositionalInput in = (buf, off, len, pos) -> {
            readerOf.putIfAbsent(pos / (1 << 20), Thread.currentThread().getName());
            return slow.read(buf, off, len, pos);
        };
        try (StripeReaders sr = new StripeReaders(8, 1 << 20, 0, 16)) {
            Collector c = new Collector();
            sr.read(in, data.length, new ChunkGeometry(1 << 20, 4), HoleMap.NONE, c);
            assertArrayEquals(data, c.out.toByteArray());
            assertEquals(8, threads.seen.size(), threads.seen.toString());
            // lane 0 holds chunks 0, 4, 8, ...: two readers take them in turn
            assertTrue(!readerOf.get(0L).equals(readerOf.get(4L)) && readerOf.get(0L).equals(readerOf.get(8L)),
                    readerOf.toString());
        }
        assertEquals(0, StripeReaders.owner(0, 0, 8, 4, 2));
        assertEquals(4, StripeReaders.owner(0, 1, 8, 4, 2));
        assertEquals(7, StripeReaders.owner(3, 5, 8, 4, 2));
        assertEquals(1, StripeReaders.owner(5, 0, 4, 8, 1));
    }

    /** Units wholly in a hole are delivered as holes, never read; a unit with any data is read whole. */
    @Test
    void holesAreNotRead() throws IOException {
        int size = 40 * 4096;
        byte[] data = new byte[size];
        // data only in units 3 and 17 (4 KiB units)
        new Random(3).nextBytes(java.util.Arrays.copyOfRange(data, 0, 0));
        for (int i = 3 * 4096; i < 4 * 4096; i++) {
            data[i] = (byte) i;
        }
        for (int i = 17 * 4096 + 100; i < 17 * 4096 + 200; i++) {
            data[i] = (byte) (i * 7);
        }
        AtomicInteger reads = new AtomicInteger();
        PositionalInput in = (buf, off, len, pos) -> {
            reads.incrementAndGet();
            int n = (int) Math.min(len, size - pos);
            System.arraycopy(data, (int) pos, buf, off, n);
            return n;
        };
        HoleMap holes = (start, end) -> !(start < 4 * 4096 && end > 3 * 4096) && !(start < 18 * 4096 && end > 17 * 4096);
        try (StripeReaders sr = new StripeReaders(3, 4096, 8, 6)) {
            Collector c = new Collector();
            StripeReaders.Outcome o = sr.read(in, size, new ChunkGeometry(4096, 3), holes, c);
            assertArrayEquals(data, c.out.toByteArray());
            assertEquals(2 * 4096, o.bytesRead());
            assertEquals(2, reads.get());
            assertEquals(38, c.kinds.stream().filter(p -> p instanceof Piece.Hole).count());
        }
    }

    /** A failing read: the pieces before it, then the failure, nothing after; the readers stop. */
    @Test
    void aReadErrorEndsThePiecesAtItsOffset() throws IOException {
        byte[] data = content(1 << 20, 4);
        long bad = 300 * K;
        PositionalInput in = (buf, off, len, pos) -> {
            if (pos <= bad && bad < pos + len) {
                throw new IOException("EIO at " + pos);
            }
            System.arraycopy(data, (int) pos, buf, off, len);
            return len;
        };
        try (StripeReaders sr = new StripeReaders(4, 16 * K, 8, 4)) {
            Collector c = new Collector();
            StripeReaders.Outcome o = sr.read(in, data.length, new ChunkGeometry(16 * K, 4), HoleMap.NONE, c);
            assertTrue(o.failure() != null && o.failure().getMessage().startsWith("EIO"));
            Piece last = c.kinds.getLast();
            assertInstanceOf(Piece.Failed.class, last);
            assertEquals(bad / (16 * K) * (16 * K), last.offset());
            assertArrayEquals(java.util.Arrays.copyOf(data, (int) last.offset()), c.out.toByteArray());
            // the same readers serve the next file
            Collector again = new Collector();
            sr.read((buf, off, len, pos) -> {
                System.arraycopy(data, (int) pos, buf, off, len);
                return len;
            }, data.length, new ChunkGeometry(16 * K, 4), HoleMap.NONE, again);
            assertArrayEquals(data, again.out.toByteArray());
        }
    }

    /** A file that ends before its size (it shrank): the bytes up to the end, marked as ended early. */
    @Test
    void aFileThatShrankEndsEarly() throws IOException {
        byte[] data = content(100 * K + 17, 5);
        try (StripeReaders sr = new StripeReaders(2, 8 * K, 0, 4)) {
            Collector c = new Collector();
            StripeReaders.Outcome o = sr.read(slowArray(data, 9, new Set()), 400 * K, new ChunkGeometry(8 * K, 2),
                    HoleMap.NONE, c);
            assertTrue(o.endedEarly());
            assertArrayEquals(data, c.out.toByteArray());
        }
    }

    /** The consumer stops (the shim went away): the read returns, the readers stop. */
    @Test
    void theConsumerCanStop() throws IOException {
        byte[] data = content(1 << 20, 6);
        try (StripeReaders sr = new StripeReaders(4, 8 * K, 0, 4)) {
            AtomicInteger n = new AtomicInteger();
            StripeReaders.Outcome o = sr.read(slowArray(data, 1, new Set()), data.length,
                    new ChunkGeometry(8 * K, 4), HoleMap.NONE, p -> n.incrementAndGet() < 5);
            assertTrue(o.stopped());
            assertEquals(5, n.get());
            assertEquals(5 * 8 * K, o.bytesRead());
        }
    }
}
