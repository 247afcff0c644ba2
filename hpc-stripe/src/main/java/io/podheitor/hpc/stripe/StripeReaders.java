package io.podheitor.hpc.stripe;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Reads one large file with several threads at a time, one per lane group of its {@link StripeGeometry}, and
 * hands its pieces to one consumer in file order.
 *
 * <p>The file is cut into chunks: at most {@code chunk} bytes, never across a unit boundary, so a chunk is on one
 * lane. With {@code R} readers and {@code L} lanes: when {@code R <= L}, reader {@code r} reads the chunks whose
 * lane is {@code r} modulo {@code R}; when {@code R > L}, each lane has {@code D = R / L} readers that take its
 * chunks in turn (the {@code k}-th chunk of lane {@code l} is reader {@code l + L * (k mod D)}'s), so a lane always
 * has a read waiting while the previous one is being delivered, as a Lustre client keeps several RPCs in flight
 * per OST. Each reader reads its chunks in file order and waits for room in a {@link ReorderBuffer} of
 * {@code window} chunks before it reads. Memory is therefore
 * bounded by the buffers: at most {@code window} chunks waiting, one being filled per reader and one with the
 * consumer, {@code (window + R + 1) * (chunk + headroom)} bytes in all ({@link #bufferBytesLimit()}), allocated on
 * first use and reused for every later file. Units entirely inside a hole ({@link HoleMap}) are not read.
 *
 * <p>One instance serves one job: {@link #read} is called by one thread at a time; {@link #close} stops the
 * threads.
 */
public final class StripeReaders implements AutoCloseable {
    private final int readers;
    private final int chunk;
    private final int headroom;
    private final int window;
    private final ExecutorService pool;
    private final ArrayBlockingQueue<byte[]> free;
    private final int maxBuffers;
    private final AtomicInteger allocated = new AtomicInteger();
    private int peakHeld;

    /**
     * @param readers  threads reading at once (1..256)
     * @param chunk    bytes per read piece (4 KiB .. 64 MiB)
     * @param headroom bytes left free in front of every piece's data in its buffer (room for a packet header)
     * @param window   pieces that may wait for the consumer (at least {@code readers})
     */
    public StripeReaders(int readers, int chunk, int headroom, int window) {
        if (readers < 1 || readers > 256) {
            throw new IllegalArgumentException("readers outside 1..256: " + readers);
        }
        if (chunk < 4096 || chunk > (64 << 20)) {
            throw new IllegalArgumentException("chunk outside 4 KiB..64 MiB: " + chunk);
        }
        if (window < readers) {
            throw new IllegalArgumentException("window " + window + " below the readers " + readers);
        }
        this.readers = readers;
        this.chunk = chunk;
        this.headroom = headroom;
        this.window = window;
        this.maxBuffers = window + readers + 1;
        this.free = new ArrayBlockingQueue<>(maxBuffers);
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(readers, r -> {
            Thread t = new Thread(r, "stripe-reader-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    public int readers() {
        return readers;
    }

    public int chunk() {
        return chunk;
    }

    /** The most buffer memory these readers can ever hold: {@code (window + readers + 1) * (chunk + headroom)}. */
    public long bufferBytesLimit() {
        return (long) maxBuffers * (chunk + headroom);
    }

    /** Buffer memory allocated so far (never above {@link #bufferBytesLimit()}). */
    public long bufferBytesAllocated() {
        return (long) allocated.get() * (chunk + headroom);
    }

    /** The most pieces that waited for the consumer at once, over every read so far. */
    public int peakWaiting() {
        return peakHeld;
    }

    /** What one {@link #read} did. */
    public record Outcome(long bytesRead, boolean endedEarly, IOException failure, boolean stopped) {
    }

    /** The consumer of a read's pieces, called on the thread that called {@link #read}. */
    @FunctionalInterface
    public interface Consumer {
        /** Takes a piece (a Data piece's buffer only for the call); false stops the read. */
        boolean accept(Piece piece) throws IOException;
    }

    /**
     * Reads {@code [0, size)} of {@code in} and gives every piece to {@code consumer} in file order: a
     * {@link Piece.Failed} ends the pieces (it is given too), so does a short read (the file ended early).
     */
    public Outcome read(PositionalInput in, long size, StripeGeometry geometry, HoleMap holes, Consumer consumer)
            throws IOException {
        int lanes = geometry.lanes();
        int depth = readers > lanes ? Math.min(readers / lanes, 8) : 1;
        int r = readers > lanes ? lanes * depth : readers;
        ReorderBuffer<Piece> order = new ReorderBuffer<>(window);
        List<Future<?>> tasks = new ArrayList<>(r);
        for (int i = 0; i < r; i++) {
            int me = i;
            tasks.add(pool.submit(() -> {
                produce(me, r, lanes, depth, in, size, geometry, holes, order);
                return null;
            }));
        }
        long bytes = 0;
        boolean early = false;
        IOException failure = null;
        boolean stopped = false;
        try {
            long pos = 0;
            while (pos < size) {
                Piece p;
                try {
                    p = order.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while reading stripes");
                }
                if (p == null) {
                    break;
                }
                switch (p) {
                    case Piece.Data d -> {
                        try {
                            if (!consumer.accept(d)) {
                                stopped = true;
                            }
                        } finally {
                            free.offer(d.buf());
                        }
                        bytes += d.length();
                        pos = d.offset() + d.length();
                        if (d.shortRead()) {
                            early = true;
                        }
                    }
                    case Piece.Hole h -> {
                        if (!consumer.accept(h)) {
                            stopped = true;
                        }
                        pos = h.offset() + h.length();
                    }
                    case Piece.Failed f -> {
                        consumer.accept(f);
                        failure = f.error();
                    }
                }
                if (early || stopped || failure != null) {
                    break;
                }
            }
        } finally {
            peakHeld = Math.max(peakHeld, order.maxHeld());
            order.close();
            for (Future<?> t : tasks) {
                awaitQuietly(t);
            }
        }
        return new Outcome(bytes, early, failure, stopped);
    }

    private static void awaitQuietly(Future<?> t) {
        boolean interrupted = false;
        while (true) {
            try {
                t.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (java.util.concurrent.ExecutionException e) {
                break; // a producer's own failure was delivered as a Failed piece, or the read ended before it
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The reader of the {@code k}-th chunk of {@code lane} ({@code r} readers, {@code depth} per lane). */
    static int owner(int lane, long k, int r, int lanes, int depth) {
        return depth == 1 ? lane % r : lane + lanes * (int) (k % depth);
    }

    /** Reader {@code me} of {@code r}: its chunks, in file order. */
    private void produce(int me, int r, int lanes, int depth, PositionalInput in, long size, StripeGeometry g,
            HoleMap holes, ReorderBuffer<Piece> order) throws InterruptedException {
        long seq = 0;
        long pos = 0;
        long[] perLane = depth == 1 ? null : new long[lanes];
        while (pos < size) {
            long end = Math.min(Math.min(g.unitEnd(pos), pos + chunk), size);
            if (end <= pos) {
                end = Math.min(pos + chunk, size); // a geometry that does not advance: plain chunks
            }
            int lane = g.laneOf(pos);
            long k = perLane == null ? 0 : perLane[lane]++;
            if (owner(lane, k, r, lanes, depth) == me) {
                if (!order.awaitRoom(seq)) {
                    return;
                }
                int len = (int) (end - pos);
                Piece p;
                try {
                    if (holes.isHole(pos, end)) {
                        p = new Piece.Hole(pos, len);
                    } else {
                        byte[] buf = buffer(order);
                        if (buf == null) {
                            return;
                        }
                        int n = 0;
                        try {
                            while (n < len) {
                                int got = in.read(buf, headroom + n, len - n, pos + n);
                                if (got <= 0) {
                                    break;
                                }
                                n += got;
                            }
                        } catch (IOException | RuntimeException e) {
                            free.offer(buf);
                            throw e;
                        }
                        p = new Piece.Data(pos, buf, headroom, n, n < len);
                    }
                } catch (IOException e) {
                    p = new Piece.Failed(pos, e);
                } catch (RuntimeException e) { // a bug must not leave the consumer waiting for this piece
                    p = new Piece.Failed(pos, new IOException(e.toString(), e));
                }
                if (!order.put(seq, p)) {
                    if (p instanceof Piece.Data d) {
                        free.offer(d.buf());
                    }
                    return;
                }
                if (p instanceof Piece.Failed || p instanceof Piece.Data d && d.shortRead()) {
                    return; // failed or ended early: the consumer stops at this piece
                }
            }
            pos = end;
            seq++;
        }
    }

    /** A free buffer: a reused one, a new one while under the limit, else wait for one (null once closed). */
    private byte[] buffer(ReorderBuffer<Piece> order) throws InterruptedException {
        while (true) {
            byte[] b = free.poll();
            if (b != null) {
                return b;
            }
            int a = allocated.get();
            if (a < maxBuffers && allocated.compareAndSet(a, a + 1)) {
                return new byte[chunk + headroom];
            }
            b = free.poll(50, TimeUnit.MILLISECONDS);
            if (b != null) {
                return b;
            }
            if (!order.awaitRoom(0)) {
                return null; // closed (awaitRoom(0) returns at once: 0 is always below next + window)
            }
        }
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}
