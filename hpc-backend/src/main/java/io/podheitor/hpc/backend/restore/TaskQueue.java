package io.podheitor.hpc.backend.restore;

import java.util.ArrayDeque;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A worker's FIFO of a pipelined restore, bounded by the number of tasks and by the bytes they carry (file data,
 * metadata blobs): {@link #put} blocks while either bound is reached, which stops the reader of the shim's frames,
 * which stops the shim's writes, which stops bacula-fd (back-pressure instead of memory). A task larger than the
 * byte bound is admitted into an empty queue, so a bound never deadlocks.
 */
final class TaskQueue<T> {
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notEmpty = lock.newCondition();
    private final Condition notFull = lock.newCondition();
    private final ArrayDeque<T> tasks = new ArrayDeque<>();
    private final ArrayDeque<Long> sizes = new ArrayDeque<>();
    private final int maxTasks;
    private final long maxBytes;
    private long bytes;

    TaskQueue(int maxTasks, long maxBytes) {
        if (maxTasks < 1 || maxBytes < 1) {
            throw new IllegalArgumentException("queue bounds must be positive");
        }
        this.maxTasks = maxTasks;
        this.maxBytes = maxBytes;
    }

    /** Appends a task of {@code size} bytes, waiting while the queue is full. */
    void put(T task, long size) throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (tasks.size() >= maxTasks || (!tasks.isEmpty() && bytes + size > maxBytes)) {
                notFull.await();
            }
            tasks.addLast(task);
            sizes.addLast(size);
            bytes += size;
            notEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Removes the oldest task, waiting for one. */
    T take() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (tasks.isEmpty()) {
                notEmpty.await();
            }
            bytes -= sizes.removeFirst();
            notFull.signalAll();
            return tasks.removeFirst();
        } finally {
            lock.unlock();
        }
    }

    /** How busy the queue is: tasks plus queued bytes in 64 KiB units (the reader picks the least loaded worker). */
    long load() {
        lock.lock();
        try {
            return tasks.size() + (bytes >> 16);
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return tasks.size();
        } finally {
            lock.unlock();
        }
    }

    long bytes() {
        lock.lock();
        try {
            return bytes;
        } finally {
            lock.unlock();
        }
    }
}
