package io.podheitor.hpc.walker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.source.Entry;
import io.podheitor.hpc.source.EntryError;
import io.podheitor.hpc.source.SourceEnd;
import io.podheitor.hpc.source.SourceItem;
import io.podheitor.hpc.posix.Errno;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class WalkTest {
    @TempDir
    Path tmp;

    private static byte[] b(Path p) {
        return p.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] p) {
        return new String(p, StandardCharsets.UTF_8);
    }

    /** A tree of dirs (fan-out 4, depth 4 = 340 dirs) with files and symlinks: about 3500 entries. */
    static int generate(Path root, int fanout, int depth, int filesPerDir) throws IOException {
        int count = 0;
        for (int f = 0; f < filesPerDir; f++) {
            Files.writeString(root.resolve("file" + f), "x".repeat(f));
            count++;
        }
        Files.createSymbolicLink(root.resolve("link"), root.resolve("file0"));
        Files.createSymbolicLink(root.resolve("dangling"), root.resolve("nowhere"));
        count += 2;
        if (depth > 0) {
            for (int d = 0; d < fanout; d++) {
                Path sub = Files.createDirectory(root.resolve("dir" + d));
                count += 1 + generate(sub, fanout, depth - 1, filesPerDir);
            }
        }
        return count;
    }

    private static List<SourceItem> drain(Walk w) throws InterruptedException {
        List<SourceItem> items = new ArrayList<>();
        while (true) {
            SourceItem it = w.take();
            items.add(it);
            if (it instanceof SourceEnd) {
                return items;
            }
        }
    }

    @Test
    void everyEntryExactlyOnceInPostOrder() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("root"));
        int generated = generate(root, 4, 4, 8);
        Set<String> reference = new HashSet<>();
        try (Stream<Path> st = Files.walk(root)) {
            st.forEach(p -> reference.add(p.toString()));
        }
        assertEquals(generated + 1, reference.size());

        Walk w = Walk.start(b(root), new WalkOptions(8, 64, false));
        List<SourceItem> items = drain(w);
        SourceEnd end = (SourceEnd) items.getLast();
        assertTrue(end.completed());
        assertEquals(0, end.errors());
        assertEquals(reference.size(), end.entries());

        List<String> order = new ArrayList<>();
        Map<String, Integer> index = new HashMap<>();
        for (SourceItem it : items.subList(0, items.size() - 1)) {
            Entry e = assertInstanceOf(Entry.class, it);
            String p = s(e.path());
            assertNull(index.put(p, order.size()), "twice: " + p);
            order.add(p);
            if (e.stat().isSymlink()) {
                assertArrayEquals(b(Files.readSymbolicLink(Path.of(p))), e.linkTarget());
            } else {
                assertNull(e.linkTarget());
            }
        }
        assertEquals(reference, index.keySet());
        assertEquals(root.toString(), order.getLast(), "root last");
        // post-order: every entry comes before the directory that contains it, at every level
        for (int i = 0; i < order.size(); i++) {
            String p = order.get(i);
            for (Path parent = Path.of(p).getParent(); parent != null && parent.startsWith(root); parent = parent.getParent()) {
                assertTrue(index.get(parent.toString()) > i, p + " after its ancestor " + parent);
            }
        }
        assertTrue(w.awaitTermination(10, TimeUnit.SECONDS));
        assertEquals(end, w.take(), "take() after the end repeats the end");
    }

    @Test
    void rawNonUtf8NamesSurvive() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("raw"));
        byte[] odd = {'/', 'a', (byte) 0xff, '\n', (byte) 0xfe};
        byte[] rootBytes = b(root);
        byte[] full = new byte[rootBytes.length + odd.length];
        System.arraycopy(rootBytes, 0, full, 0, rootBytes.length);
        System.arraycopy(odd, 0, full, rootBytes.length, odd.length);
        io.podheitor.hpc.posix.Posix.mkdirat(io.podheitor.hpc.posix.Fcntl.AT_FDCWD, full, 0755);
        List<SourceItem> items = drain(Walk.start(rootBytes, new WalkOptions(2, 8, false)));
        assertEquals(3, items.size());
        assertArrayEquals(full, ((Entry) items.get(0)).path());
        assertArrayEquals(rootBytes, ((Entry) items.get(1)).path());
    }

    @Test
    void trailingSlashOnRootIsIgnored() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("r"));
        Files.writeString(root.resolve("f"), "1");
        List<SourceItem> items = drain(Walk.start((root + "//").getBytes(StandardCharsets.UTF_8), WalkOptions.defaults()));
        assertEquals(root + "/f", s(((Entry) items.get(0)).path()));
        assertEquals(root.toString(), s(((Entry) items.get(1)).path()));
    }

    /** A directory swapped for a symbolic link between its stat and its listing is not followed out of the tree. */
    @Test
    void aDirectorySwappedForASymlinkIsNeverListed() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("swap"));
        Path sub = Files.createDirectory(root.resolve("sub"));
        Files.writeString(sub.resolve("mine"), "m");
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Files.writeString(outside.resolve("secret"), "s");
        Walk w = Walk.start(b(root), new WalkOptions(2, 16, false).withXattrs(io.podheitor.hpc.posix.Xattrs.Scope.ALL),
                p -> {
                    if (s(p).equals(sub.toString())) {
                        try {
                            Files.delete(sub.resolve("mine"));
                            Files.delete(sub);
                            Files.createSymbolicLink(sub, outside);
                        } catch (IOException e) {
                            throw new RuntimeException(e);
                        }
                    }
                });
        List<SourceItem> items = drain(w);
        assertTrue(items.stream().noneMatch(i -> i instanceof Entry e && s(e.path()).contains("secret")), items.toString());
        EntryError err = items.stream().filter(EntryError.class::isInstance).map(EntryError.class::cast).findFirst()
                .orElseThrow();
        assertEquals(sub.toString(), s(err.path()));
        assertTrue(err.error().errno() == Errno.ENOTDIR || err.error().errno() == Errno.ELOOP, err.toString());
        assertTrue(err.directory());
    }

    @Test
    void vanishedDirectoryIsReportedNotDropped() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("v"));
        Path gone = Files.createDirectory(root.resolve("gone"));
        Files.createDirectory(root.resolve("stays"));
        Walk w = Walk.start(b(root), new WalkOptions(4, 16, false), p -> {
            if (s(p).equals(gone.toString())) {
                try {
                    Files.delete(gone);
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }
        });
        List<SourceItem> items = drain(w);
        SourceEnd end = (SourceEnd) items.getLast();
        assertTrue(end.completed());
        assertEquals(1, end.errors());
        assertEquals(2, end.entries()); // stays + root
        EntryError err = items.stream().filter(EntryError.class::isInstance).map(EntryError.class::cast).findFirst().orElseThrow();
        assertEquals(gone.toString(), s(err.path()));
        assertTrue(err.directory());
        assertEquals(Errno.ENOENT, err.error().errno());
        assertTrue(items.stream().noneMatch(i -> i instanceof Entry e && s(e.path()).equals(gone.toString())));
    }

    @Test
    void missingRootIsAnErrorThenEnd() throws Exception {
        List<SourceItem> items = drain(Walk.start(b(tmp.resolve("nope")), WalkOptions.defaults()));
        assertEquals(2, items.size());
        assertEquals(Errno.ENOENT, ((EntryError) items.get(0)).error().errno());
        assertEquals(1, ((SourceEnd) items.get(1)).errors());
    }

    @Test
    void rootThatIsAFileIsOneEntry() throws Exception {
        Path f = Files.writeString(tmp.resolve("single"), "abc");
        List<SourceItem> items = drain(Walk.start(b(f), WalkOptions.defaults()));
        assertEquals(2, items.size());
        assertEquals(3, ((Entry) items.get(0)).stat().size());
    }

    @Test
    void slowConsumerSeesBoundedChannelAndBackPressure() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("bp"));
        int generated = generate(root, 3, 3, 10);
        int depth = 16;
        Walk w = Walk.start(b(root), new WalkOptions(8, depth, false));
        int maxQueued = 0;
        long count = 0;
        while (true) {
            int q = w.queued();
            maxQueued = Math.max(maxQueued, q);
            assertTrue(q <= depth, "queued " + q);
            SourceItem it = w.take();
            if (it instanceof SourceEnd end) {
                assertTrue(end.completed());
                break;
            }
            count++;
            if (count % 50 == 0) {
                Thread.sleep(5); // producers fill the channel meanwhile and must block
            }
        }
        assertEquals(generated + 1, count);
        assertEquals(depth, maxQueued, "producers filled the channel up to its bound, never beyond");
    }

    @Test
    void blockedProducersNeverGrowThePoolBeyondThreads() throws Exception {
        // Producers blocked on a full channel must not make the ForkJoinPool add compensation threads: each new
        // thread brings its own native scratch buffers (the cause of a direct-memory OutOfMemoryError at 100k files).
        Path root = Files.createDirectory(tmp.resolve("noextra"));
        int generated = generate(root, 4, 3, 3);
        int threads = 3;
        Walk w = Walk.start(b(root), new WalkOptions(threads, 1, false));
        long maxWorkers = 0;
        long count = 0;
        while (true) {
            maxWorkers = Math.max(maxWorkers, liveWorkers(w));
            SourceItem it = w.take();
            if (it instanceof SourceEnd) {
                break;
            }
            count++;
            if (count % 20 == 0) {
                Thread.sleep(2);
            }
        }
        assertEquals(generated + 1, count);
        assertTrue(maxWorkers <= threads, "live workers " + maxWorkers + " > threads " + threads);
    }

    @Test
    void cancelStopsAllWalkerThreads() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("c"));
        generate(root, 4, 3, 5);
        Walk w = Walk.start(b(root), new WalkOptions(6, 4, false));
        while (w.queued() < 4) {
            Thread.sleep(1);
        }
        assertInstanceOf(Entry.class, w.take());
        w.cancel();
        assertTrue(w.awaitTermination(5, TimeUnit.SECONDS), "threads stopped");
        SourceItem last;
        do {
            last = w.take();
        } while (!(last instanceof SourceEnd));
        assertTrue(((SourceEnd) last).cancelled());
        assertTrue(w.isTerminated());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (liveWorkers(w) > 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(0, liveWorkers(w), "no walker thread of this walk is alive");
    }

    private static long liveWorkers(Walk w) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(w.threadPrefix()) && t.isAlive())
                .count();
    }

    @Test
    void singleThreadWalkCompletes() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("one"));
        int generated = generate(root, 2, 3, 3);
        List<SourceItem> items = drain(Walk.start(b(root), new WalkOptions(1, 1, false)));
        assertEquals(generated + 1, ((SourceEnd) items.getLast()).entries());
    }
}
