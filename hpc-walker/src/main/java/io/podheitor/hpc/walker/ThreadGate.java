package io.podheitor.hpc.walker;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.IntSupplier;

/**
 * Bounds how many walker threads are inside a metadata call at once, to a limit that may change while the walk
 * runs ({@link WalkLimits#threads()}). The pool keeps its workers; when the limit is below the pool's size, the
 * others wait here (blocked, holding nothing) before their next call. At or above the pool's size the gate costs
 * one volatile read and no lock.
 *
 * <p>Deadlock-free as used by {@link Walk}: a thread holds at most one permit, never while it waits for another,
 * and a holder waits only for the consumer (channel space, read-ahead budget), which needs no permit. Other entry
 * sources whose own threads make the metadata calls (the change-set source's stats) use it the same way, so the
 * throttle's thread limit reaches them too.
 */
public final class ThreadGate {
    private final int poolSize;
    private final IntSupplier limit;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition freed = lock.newCondition();
    private int inside; // permits held through the locked path

    /**
     * @param poolSize the threads that may call {@link #enter}
     * @param limit    how many of them may be inside at once now (read on every entry)
     */
    public ThreadGate(int poolSize, IntSupplier limit) {
        this.poolSize = poolSize;
        this.limit = limit;
    }

    /** The limit now: the supplier's, at least 1, at most the pool's size. */
    public int current() {
        return Math.max(1, Math.min(poolSize, limit.getAsInt()));
    }

    /**
     * Waits for a permit when the limit is below the pool's size.
     *
     * @return whether a permit was taken (pass it to {@link #exit})
     */
    public boolean enter() throws InterruptedException {
        if (current() >= poolSize) {
            return false;
        }
        lock.lockInterruptibly();
        try {
            // re-read on every wake-up: the limit is pulled, so a raised limit is seen within the wait slice
            while (inside >= current()) {
                freed.await(50, TimeUnit.MILLISECONDS);
            }
            inside++;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Gives back the permit {@link #enter} took, if it took one. */
    public void exit(boolean taken) {
        if (!taken) {
            return;
        }
        lock.lock();
        try {
            inside--;
            freed.signal();
        } finally {
            lock.unlock();
        }
    }
}
