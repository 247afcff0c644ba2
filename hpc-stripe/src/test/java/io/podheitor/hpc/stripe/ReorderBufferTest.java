package io.podheitor.hpc.stripe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ReorderBufferTest {
    /** Four producers with random delays, each putting its own items (seq % 4) in order: taken in sequence. */
    @Test
    void randomCompletionOrderComesOutInSequenceAndWithinTheWindow() throws Exception {
        int producers = 4;
        int items = 4000;
        ReorderBuffer<Long> rb = new ReorderBuffer<>(6);
        AtomicReference<Throwable> failed = new AtomicReference<>();
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            int me = p;
            Thread t = new Thread(() -> {
                Random r = new Random(me);
                try {
                    for (long seq = me; seq < items; seq += producers) {
                        if (!rb.awaitRoom(seq)) {
                            return;
                        }
                        if (r.nextInt(10) == 0) {
                            Thread.sleep(0, r.nextInt(200_000));
                        }
                        rb.put(seq, seq);
                    }
                } catch (Throwable e) {
                    failed.set(e);
                }
            });
            t.start();
            threads.add(t);
        }
        for (long i = 0; i < items; i++) {
            assertEquals(i, rb.take());
        }
        for (Thread t : threads) {
            t.join();
        }
        assertNull(failed.get());
        assertTrue(rb.maxHeld() <= 6, "held " + rb.maxHeld());
        assertTrue(rb.maxHeld() >= 2, "the producers never ran ahead: " + rb.maxHeld());
    }

    @Test
    void anItemOutsideTheWindowIsRefused() throws Exception {
        ReorderBuffer<String> rb = new ReorderBuffer<>(2);
        assertThrows(IllegalStateException.class, () -> rb.put(2, "x"));
        rb.put(1, "b");
        assertThrows(IllegalStateException.class, () -> rb.put(1, "again"));
        rb.put(0, "a");
        assertEquals("a", rb.take());
        assertEquals("b", rb.take());
        assertThrows(IllegalStateException.class, () -> rb.put(1, "late"));
    }

    @Test
    void closeWakesAWaitingProducerAndConsumer() throws Exception {
        ReorderBuffer<String> rb = new ReorderBuffer<>(1);
        AtomicReference<Boolean> room = new AtomicReference<>();
        AtomicReference<String> taken = new AtomicReference<>("unset");
        Thread producer = new Thread(() -> {
            try {
                room.set(rb.awaitRoom(5));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        Thread consumer = new Thread(() -> {
            try {
                taken.set(rb.take());
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        producer.start();
        consumer.start();
        Thread.sleep(100);
        assertTrue(producer.isAlive() && consumer.isAlive());
        rb.close();
        producer.join(5000);
        consumer.join(5000);
        assertFalse(room.get());
        assertNull(taken.get());
        assertFalse(rb.put(0, "after close"));
    }
}
