package io.podheitor.hpc.stripe;

/**
 * Puts items completed in any order back into sequence order, holding at most {@code window} of them: item
 * {@code seq} may be put only while {@code seq < next + window} ({@link #awaitRoom} waits for that before the
 * producer even reads, so memory is bounded by the window, not by how far a fast lane runs ahead), and
 * {@link #take} returns item {@code next} once it is there. Producers that each put their own items in increasing
 * order can never deadlock: the item {@code take} waits for is the next of some producer, and it always has room.
 * {@link #close} wakes and stops everyone.
 */
public final class ReorderBuffer<T> {
    private final Object[] slots;
    private long next;
    private boolean closed;
    private int held;
    private int maxHeld;

    public ReorderBuffer(int window) {
        if (window < 1) {
            throw new IllegalArgumentException("window below 1: " + window);
        }
        slots = new Object[window];
    }

    public int window() {
        return slots.length;
    }

    /**
     * Waits until item {@code seq} may be put.
     *
     * @return false when the buffer was closed meanwhile (the producer stops)
     */
    public synchronized boolean awaitRoom(long seq) throws InterruptedException {
        while (!closed && seq >= next + slots.length) {
            wait();
        }
        return !closed;
    }

    /** Puts item {@code seq} ({@link #awaitRoom} first); false (and the item not kept) after {@link #close}. */
    public synchronized boolean put(long seq, T item) {
        if (closed) {
            return false;
        }
        if (seq < next || seq >= next + slots.length) {
            throw new IllegalStateException("item " + seq + " outside the window [" + next + ", "
                    + (next + slots.length) + ")");
        }
        int i = (int) (seq % slots.length);
        if (slots[i] != null) {
            throw new IllegalStateException("item " + seq + " put twice");
        }
        slots[i] = item;
        held++;
        maxHeld = Math.max(maxHeld, held);
        notifyAll();
        return true;
    }

    /** The next item in sequence order, waiting for it; null after {@link #close}. */
    @SuppressWarnings("unchecked")
    public synchronized T take() throws InterruptedException {
        int i = (int) (next % slots.length);
        while (!closed && slots[i] == null) {
            wait();
        }
        if (closed) {
            return null;
        }
        T item = (T) slots[i];
        slots[i] = null;
        held--;
        next++;
        notifyAll();
        return item;
    }

    /** The sequence number {@link #take} returns next. */
    public synchronized long next() {
        return next;
    }

    /** The most items held at once so far (never above the window). */
    public synchronized int maxHeld() {
        return maxHeld;
    }

    /** Stops producers and the consumer; items still held are dropped. */
    public synchronized void close() {
        closed = true;
        java.util.Arrays.fill(slots, null);
        held = 0;
        notifyAll();
    }
}
