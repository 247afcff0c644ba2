package io.podheitor.hpc.walker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.source.Entry;
import io.podheitor.hpc.source.SourceEnd;
import io.podheitor.hpc.source.SourceItem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The throttle's seam: {@link WalkLimits} changed while a walk runs (docs/throttle.md §3). */
class WalkLimitsTest {
    @TempDir
    Path tmp;

    private static byte[] b(Path p) {
        return p.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Limits a test sets. */
    static final class Knob implements WalkLimits {
        final AtomicInteger threads = new AtomicInteger(Integer.MAX_VALUE);
        final AtomicLong budget = new AtomicLong(Long.MAX_VALUE);

        @Override
        public int threads() {
            return threads.get();
        }

        @Override
        public long readAheadBudget() {
            return budget.get();
        }
    }

    /** Counts the hooks (directory opens, each taking 8 ms: a latency-bound file system) in flight at once. */
    static final class Concurrency {
        final AtomicInteger inside = new AtomicInteger();
        final AtomicInteger peak = new AtomicInteger();
        final AtomicInteger opened = new AtomicInteger();

        void open() {
            int n = inside.incrementAndGet();
            peak.accumulateAndGet(n, Math::max);
            try {
                Thread.sleep(8);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                inside.decrementAndGet();
                opened.incrementAndGet();
            }
        }

        /** Waits until {@code n} more directories were opened, then returns the peak since the call and resets it. */
        int peakOver(int n) throws InterruptedException {
            peak.set(inside.get());
            int until = opened.get() + n;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (opened.get() < until && System.nanoTime() < deadline) {
                Thread.sleep(2);
            }
            assertTrue(opened.get() >= until, "the walk stalled at " + opened.get() + " directories");
            return peak.get();
        }
    }

    @Test
    @Timeout(120)
    void threadsChangeWhileTheWalkRuns() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("t"));
        for (int i = 0; i < 30; i++) {
            for (int j = 0; j < 30; j++) {
                Files.createDirectories(root.resolve("d" + i).resolve("e" + j));
            }
        }
        Knob knob = new Knob();
        Concurrency c = new Concurrency();
        Walk w = Walk.start(b(root), new WalkOptions(8, 1 << 16, false).withLimits(knob), p -> c.open());
        Thread consumer = Thread.ofPlatform().start(() -> {
            try {
                while (!(w.take() instanceof SourceEnd)) {
                    // drain
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        int before = c.peakOver(120);
        knob.threads.set(2);
        assertEquals(2, w.threadsNow());
        c.peakOver(16); // the opens that started before the change finish
        int throttled = c.peakOver(150);
        knob.threads.set(3);
        c.peakOver(16);
        int three = c.peakOver(150);
        knob.threads.set(Integer.MAX_VALUE);
        assertEquals(8, w.threadsNow(), "never above the walk's own threads");
        c.peakOver(16);
        int after = c.peakOver(150);
        consumer.join();
        assertTrue(before > 3, "8 workers, no limit: " + before + " opens at once");
        assertEquals(2, throttled, "limit 2: at most 2 opens at once, and the walk used both");
        assertEquals(3, three, "limit 3");
        assertTrue(after > 3, "limit lifted: " + after + " opens at once");
        assertTrue(w.awaitTermination(10, TimeUnit.SECONDS));
    }

    @Test
    @Timeout(60)
    void theReadAheadBudgetShrinksAndGrowsWhileTheWalkRuns() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("r"));
        int files = 300;
        for (int i = 0; i < files; i++) {
            Files.write(root.resolve("f" + i), new byte[100]);
        }
        Knob knob = new Knob();
        Walk w = Walk.start(b(root), new WalkOptions(4, 4096, false).withReadAhead(4096, 2000).withLimits(knob));
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (w.readAheadQueuedBytes() < 2000 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertEquals(2000, w.readAheadQueuedBytes(), "the options' budget, used up");
        knob.budget.set(500); // below what is queued: nothing more is read ahead until it drained below 500
        assertEquals(500, w.budgetNow());
        int withData = 0;
        int taken = 0;
        boolean grown = false;
        for (SourceItem it; !((it = w.take()) instanceof SourceEnd); ) {
            Entry e = (Entry) it;
            taken++;
            if (e.data() != null) {
                withData++;
            }
            if (taken > 25 && !grown) {
                assertTrue(w.readAheadQueuedBytes() <= 500, "after the drain: " + w.readAheadQueuedBytes());
            }
            if (taken == 100) {
                knob.budget.set(0); // read-ahead off: the walkers leave files to the consumer
                w.budgetNow();
            }
            if (taken == 200) {
                knob.budget.set(Long.MAX_VALUE); // back to the options' 2000
                assertEquals(2000, w.budgetNow());
                grown = true;
            }
        }
        assertEquals(files + 1, taken);
        assertTrue(withData < files, "with budget 0 for a while some files were left to the consumer: " + withData);
        assertEquals(0, w.readAheadQueuedBytes(), "budget returned as entries leave the channel");
    }
}
