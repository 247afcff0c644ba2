package io.podheitor.hpc.changelog.source;

import io.podheitor.hpc.changelog.source.ChangeSetSource.Change;
import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.source.Entry;
import io.podheitor.hpc.source.EntryError;
import io.podheitor.hpc.source.EntryFilter;
import io.podheitor.hpc.source.SourceEnd;
import io.podheitor.hpc.source.SourceItem;
import io.podheitor.hpc.walker.WalkOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChangeSetSourceTest {
    @TempDir
    Path tmp;

    private static byte[] b(Path p) {
        return p.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] p) {
        return new String(p, StandardCharsets.UTF_8);
    }

    private record Delivered(List<String> paths, List<SourceItem> errors, SourceEnd end) {
    }

    private static Delivered drain(ChangeSetSource src, boolean polling) throws InterruptedException {
        List<String> paths = new ArrayList<>();
        List<SourceItem> errors = new ArrayList<>();
        while (true) {
            SourceItem item = polling ? src.poll() : src.take();
            if (item == null) {
                Thread.sleep(1);
                continue;
            }
            switch (item) {
                case Entry e -> paths.add(s(e.path()));
                case EntryError e -> errors.add(e);
                case io.podheitor.hpc.source.CatalogVerdict v -> errors.add(v);
                case SourceEnd e -> {
                    return new Delivered(paths, errors, e);
                }
            }
        }
    }

    /** Every directory after everything below it (among what was delivered). */
    private static void assertPostOrder(List<String> paths) {
        for (int i = 0; i < paths.size(); i++) {
            for (int j = i + 1; j < paths.size(); j++) {
                assertFalse(paths.get(j).startsWith(paths.get(i) + "/"),
                        paths.get(j) + " (below) came after " + paths.get(i));
            }
        }
    }

    @Test
    void changedPathsComeStattedInPostOrderOnceEachAndRenamedDirectoriesWhole() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("r"));
        Path a = Files.createDirectories(root.resolve("a/b"));
        Files.writeString(a.resolve("f1"), "1");
        Files.writeString(a.resolve("f 2"), "2");
        Path moved = Files.createDirectories(root.resolve("moved/in/deep"));
        Files.writeString(moved.resolve("x"), "x");
        Files.writeString(root.resolve("moved/y"), "y");
        Files.createSymbolicLink(root.resolve("link"), Path.of("a/b/f1"));
        Path odd = root.resolve(new String(new byte[] {'o', (byte) 0xe9}, StandardCharsets.ISO_8859_1));
        Files.writeString(odd, "odd");

        List<Change> changes = new ArrayList<>(List.of(
                new Change(b(a.resolve("f1")), false),
                new Change(b(a.resolve("f 2")), false),
                new Change(b(a), false),
                new Change(b(a.resolve("f1")), false), // twice
                new Change(b(root.resolve("moved")), true), // renamed in: walked whole
                new Change(b(moved.resolve("x")), false), // below the walked one: once
                new Change(b(root.resolve("moved/in")), true), // a subtree inside the walked one
                new Change(b(root.resolve("gone")), false), // removed after the record
                new Change(b(root.resolve("a/nodir/f")), false), // ENOTDIR-like: gone
                new Change(b(root.resolve("link")), false),
                new Change(b(odd), false),
                new Change(b(root), false)));
        Collections.shuffle(changes, new Random(7));

        for (boolean polling : new boolean[] {false, true}) {
            try (ChangeSetSource src = ChangeSetSource.start(changes, EntryFilter.ALL, WalkOptions.defaults(), 4, 3)) {
                Delivered d = drain(src, polling);
                assertTrue(d.end().completed(), d.end().toString());
                assertTrue(d.errors().isEmpty(), d.errors().toString());
                assertPostOrder(d.paths());
                assertEquals(d.paths().size(), new HashSet<>(d.paths()).size(), "delivered twice: " + d.paths());
                Set<String> expected = Set.of(
                        a.resolve("f1").toString(), a.resolve("f 2").toString(), a.toString(),
                        root.resolve("moved").toString(), root.resolve("moved/in").toString(), moved.toString(),
                        moved.resolve("x").toString(), root.resolve("moved/y").toString(),
                        root.resolve("link").toString(), odd.toString(), root.toString());
                assertEquals(expected, new HashSet<>(d.paths()));
                assertEquals(root.toString(), d.paths().getLast(), "the root of the changes last");
                assertEquals(2, src.vanished());
                assertEquals(11, d.end().entries());
            }
        }
    }

    @Test
    void theFilterDecidesAsForAListedNameAndPrunesAWalkedSubtree() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("r"));
        Files.writeString(root.resolve("keep1"), "k");
        Files.writeString(root.resolve("drop1"), "d");
        Path sub = Files.createDirectories(root.resolve("sub"));
        Files.writeString(sub.resolve("keep2"), "k");
        Files.writeString(sub.resolve("drop2"), "d");
        Path pruned = Files.createDirectories(root.resolve("pruned"));
        Files.writeString(pruned.resolve("keep3"), "k");
        List<String> askedNames = Collections.synchronizedList(new ArrayList<>());
        EntryFilter f = new EntryFilter() {
            @Override
            public boolean admitsName(byte[] parent, byte[] name, long dIno, int dType) {
                askedNames.add(s(name) + ":" + (dIno != 0) + ":" + dType);
                return !s(name).startsWith("drop");
            }

            @Override
            public boolean descends(byte[] path, StatX dir) {
                return !s(path).endsWith("/pruned");
            }
        };
        List<Change> changes = List.of(new Change(b(root.resolve("keep1")), false),
                new Change(b(root.resolve("drop1")), false), new Change(b(sub), true),
                new Change(b(pruned), true));
        try (ChangeSetSource src = ChangeSetSource.start(changes, f, WalkOptions.defaults(), 2, 16)) {
            Delivered d = drain(src, false);
            assertTrue(d.end().completed());
            assertEquals(Set.of(root.resolve("keep1").toString(), sub.toString(), sub.resolve("keep2").toString(),
                    pruned.toString()), new HashSet<>(d.paths()));
            assertPostOrder(d.paths());
        }
        assertTrue(askedNames.contains("keep1:true:8"), askedNames.toString()); // inode and DT_REG from the stat
        assertTrue(askedNames.contains("sub:true:4"), askedNames.toString());
    }

    @Test
    void anUnreadablePathIsAnErrorNotAnAbort() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("r"));
        Path loop = Files.createSymbolicLink(root.resolve("loop"), Path.of("loop"));
        byte[] tooLong = (loop + "/x").getBytes(StandardCharsets.UTF_8); // ELOOP: exists, cannot be stat'ed
        Files.writeString(root.resolve("ok"), "ok");
        try (ChangeSetSource src = ChangeSetSource.start(List.of(new Change(tooLong, false),
                new Change(b(root.resolve("ok")), false)), EntryFilter.ALL, WalkOptions.defaults(), 2, 16)) {
            Delivered d = drain(src, false);
            assertTrue(d.end().completed());
            assertEquals(List.of(root.resolve("ok").toString()), d.paths());
            assertEquals(1, d.errors().size());
            assertEquals(1, d.end().errors());
        }
    }

    @Test
    void cancelEndsAConsumerThatWaits() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("r"));
        List<Change> many = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            Path p = root.resolve("f" + i);
            Files.writeString(p, "");
            many.add(new Change(b(p), false));
        }
        try (ChangeSetSource src = ChangeSetSource.start(many, EntryFilter.ALL, WalkOptions.defaults(), 2, 8)) {
            assertTrue(src.take() instanceof Entry);
            src.cancel();
            SourceItem last;
            int n = 0;
            do {
                last = src.take();
                n++;
            } while (!(last instanceof SourceEnd) && n < 100);
            assertTrue(last instanceof SourceEnd e && e.cancelled(), String.valueOf(last));
        }
    }

    @Test
    void postOrderPutsEveryDirectoryAfterItsContentsAndKeepsSiblingsTogether() throws IOException {
        List<byte[]> paths = new ArrayList<>();
        for (String p : List.of("/a", "/a/b", "/a/b/c", "/a/bz", "/a/b-c", "/a/b/c/d", "/", "/ab", "/a/b\u0001x")) {
            paths.add(p.getBytes(StandardCharsets.UTF_8));
        }
        paths.sort(PostOrder.PATHS);
        List<String> out = paths.stream().map(ChangeSetSourceTest::s).toList();
        assertPostOrder(out);
        assertEquals("/", out.getLast());
        // the subtree of /a/b (itself included) is contiguous
        int first = out.indexOf("/a/b/c/d");
        int last = out.indexOf("/a/b");
        assertEquals(List.of("/a/b/c/d", "/a/b/c", "/a/b"), out.subList(first, last + 1));
    }

    @Test
    void smallChangedFilesComeWithTheirContentAndXattrsLikeTheWalk() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("r"));
        Files.writeString(root.resolve("small"), "small content");
        Files.write(root.resolve("large"), new byte[200_000]);
        WalkOptions o = WalkOptions.defaults().withReadAhead(65536, 1 << 20)
                .withXattrs(io.podheitor.hpc.posix.Xattrs.Scope.ALL);
        java.util.Map<String, Entry> got = new java.util.HashMap<>();
        try (ChangeSetSource src = ChangeSetSource.start(List.of(new Change(b(root.resolve("small")), false),
                new Change(b(root.resolve("large")), false)), EntryFilter.ALL, o, 2, 16)) {
            for (SourceItem i = src.take(); !(i instanceof SourceEnd); i = src.take()) {
                Entry e = (Entry) i;
                got.put(s(e.path()), e);
            }
        }
        Entry small = got.get(root.resolve("small").toString());
        assertEquals("small content", new String(small.data(), StandardCharsets.UTF_8));
        assertTrue(small.xattrs() != null, "xattrs read ahead");
        assertEquals(null, got.get(root.resolve("large").toString()).data(), "above readAheadMax: the consumer reads it");
    }

    /** Counts the stat threads inside the filter at once (the filter runs inside the gate, after the stat). */
    private static final class Concurrency implements EntryFilter {
        final java.util.concurrent.atomic.AtomicInteger inside = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger max = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.CountDownLatch two = new java.util.concurrent.CountDownLatch(2);

        @Override
        public boolean admitsName(byte[] parent, byte[] name, long dIno, int dType) {
            max.accumulateAndGet(inside.incrementAndGet(), Math::max);
            two.countDown();
            try {
                two.await(300, java.util.concurrent.TimeUnit.MILLISECONDS); // a second thread gets in, if it may
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inside.decrementAndGet();
            return true;
        }
    }

    private static io.podheitor.hpc.walker.WalkLimits limits(java.util.function.IntSupplier threads, long budget) {
        return new io.podheitor.hpc.walker.WalkLimits() {
            @Override
            public int threads() {
                return threads.getAsInt();
            }

            @Override
            public long readAheadBudget() {
                return budget;
            }
        };
    }

    @Test
    void theThrottlesThreadLimitBoundsTheStatThreadsWhileTheSourceRuns() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("t"));
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            changes.add(new Change(b(Files.writeString(root.resolve("f" + i), "x")), false));
        }
        // no limit: the 4 stat threads overlap
        Concurrency free = new Concurrency();
        try (ChangeSetSource src = ChangeSetSource.start(changes, free, WalkOptions.defaults(), 4, 16)) {
            Delivered d = drain(src, false);
            assertTrue(d.end().completed(), d.end().toString());
            assertEquals(40, d.paths().size());
        }
        assertTrue(free.max.get() >= 2, "without a limit the stat threads should overlap: " + free.max.get());
        // the throttle's threads = 1: one stat thread at a time, every change still delivered
        Concurrency one = new Concurrency();
        WalkOptions o = WalkOptions.defaults().withLimits(limits(() -> 1, Long.MAX_VALUE));
        try (ChangeSetSource src = ChangeSetSource.start(changes, one, o, 4, 16)) {
            Delivered d = drain(src, false);
            assertTrue(d.end().completed(), d.end().toString());
            assertEquals(40, d.paths().size());
        }
        assertEquals(1, one.max.get(), "stat threads inside at once under threads = 1");
    }

    @Test
    void theThrottlesReadBufferStopsReadAheadButNotTheEntries() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("rb"));
        List<Change> changes = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            changes.add(new Change(b(Files.writeString(root.resolve("f" + i), "content " + i)), false));
        }
        WalkOptions base = WalkOptions.defaults().withReadAhead(65536, 1 << 20);
        for (long budget : new long[] {0, 1 << 20}) {
            int withData = 0;
            int entries = 0;
            try (ChangeSetSource src = ChangeSetSource.start(changes, EntryFilter.ALL,
                    base.withLimits(limits(() -> 4, budget)), 2, 16)) {
                for (SourceItem item; !((item = src.take()) instanceof SourceEnd); ) {
                    if (item instanceof Entry e) {
                        entries++;
                        if (e.data() != null) {
                            withData++;
                            assertEquals(Files.readString(Path.of(s(e.path()))),
                                    new String(e.data(), StandardCharsets.UTF_8), s(e.path()));
                        }
                    }
                }
            }
            assertEquals(8, entries, "every change delivered under a read buffer of " + budget);
            if (budget == 0) {
                assertEquals(0, withData, "read ahead under a read buffer of 0");
            } else {
                assertEquals(8, withData, "read ahead with a 1 MiB read buffer");
            }
        }
    }
}
