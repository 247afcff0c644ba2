package io.podheitor.hpc.backend.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** The bounds of a worker's queue: the reader blocks at either, and goes on when the worker takes a task. */
class TaskQueueTest {
    private static CompletableFuture<Void> putAsync(TaskQueue<String> q, String t, long size) {
        return CompletableFuture.runAsync(() -> {
            try {
                q.put(t, size);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private static boolean blocked(CompletableFuture<Void> f) throws Exception {
        try {
            f.get(300, TimeUnit.MILLISECONDS);
            return false;
        } catch (TimeoutException e) {
            return true;
        }
    }

    @Test
    void theReaderBlocksAtTheTaskBound() throws Exception {
        TaskQueue<String> q = new TaskQueue<>(3, 1 << 20);
        for (int i = 0; i < 3; i++) {
            q.put("t" + i, 10);
        }
        CompletableFuture<Void> fourth = putAsync(q, "t3", 10);
        assertTrue(blocked(fourth), "the 4th task waits");
        assertEquals("t0", q.take());
        fourth.get(5, TimeUnit.SECONDS);
        assertEquals(3, q.size());
        assertEquals("t1", q.take());
        assertEquals("t2", q.take());
        assertEquals("t3", q.take());
    }

    @Test
    void theReaderBlocksAtTheByteBound() throws Exception {
        TaskQueue<String> q = new TaskQueue<>(100, 1000);
        q.put("a", 600);
        q.put("b", 400);
        assertEquals(1000, q.bytes());
        CompletableFuture<Void> c = putAsync(q, "c", 1);
        assertTrue(blocked(c), "1 more byte waits");
        assertEquals("a", q.take());
        c.get(5, TimeUnit.SECONDS);
        assertEquals(401, q.bytes());
    }

    @Test
    void aTaskLargerThanTheByteBoundIsAdmittedIntoAnEmptyQueueOnly() throws Exception {
        TaskQueue<String> q = new TaskQueue<>(100, 1000);
        q.put("small", 1);
        CompletableFuture<Void> big = putAsync(q, "big", 5000);
        assertTrue(blocked(big), "not while something is queued");
        assertEquals("small", q.take());
        big.get(5, TimeUnit.SECONDS);
        assertEquals(5000, q.bytes());
        assertEquals("big", q.take());
        assertEquals(0, q.bytes());
        assertFalse(blocked(putAsync(q, "x", 1)));
    }
}
