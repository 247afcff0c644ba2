package io.podheitor.hpc.changelog.beegfs;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.source.Entry;
import io.podheitor.hpc.source.EntryFilter;
import io.podheitor.hpc.source.EntrySource;
import io.podheitor.hpc.source.SourceEnd;
import io.podheitor.hpc.source.SourceItem;
import io.podheitor.hpc.walker.Walk;
import io.podheitor.hpc.walker.WalkOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-target walk against the plain walk on a local tree, owners from a table. */
class PerTargetWalkTest {
    @TempDir
    Path tmp;

    private String lastReport;

    private Path tree() throws IOException {
        Path root = tmp.resolve("fs");
        for (int t = 0; t < 6; t++) {
            for (int s = 0; s < 3; s++) {
                Path d = Files.createDirectories(root.resolve("top" + t).resolve("sub" + s).resolve("deep"));
                for (int f = 0; f < 5; f++) {
                    Files.writeString(d.resolve("f" + f), "x".repeat(f * 10));
                    Files.writeString(d.getParent().resolve("g" + f), "y");
                }
            }
        }
        Files.writeString(root.resolve("rootfile"), "r");
        Files.createSymbolicLink(root.resolve("link"), root.resolve("top0"));
        Files.createDirectories(root.resolve("empty"));
        return root;
    }

    private static byte[] bytes(Path p) {
        return p.toString().getBytes(ISO_8859_1);
    }

    /** top0, top2, top4 to node 1; top1, top3, empty to node 2; top5 left out (made "after" the partition). */
    private static OwnerPartition partition() throws InterruptedException {
        Map<String, Integer> owners = new HashMap<>();
        for (String n : List.of("top0", "top2", "top4")) {
            owners.put(n, 1);
        }
        for (String n : List.of("top1", "top3", "empty")) {
            owners.put(n, 2);
        }
        List<byte[]> names = owners.keySet().stream().sorted().map(s -> s.getBytes(ISO_8859_1)).toList();
        return OwnerPartition.of(names, List.of(new MetaTarget(1, "Online", "Good", 1),
                new MetaTarget(2, "Online", "Good", 2)), n -> {
                    int id = owners.get(new String(n, ISO_8859_1));
                    return new BeegfsEntryInfo("directory", "x", "meta0" + id, id, -1);
                }, 100);
    }

    private static List<String> drain(EntrySource s, Path root) throws InterruptedException {
        List<String> out = new ArrayList<>();
        int cut = root.toString().length();
        for (SourceItem i = s.take(); ; i = s.take()) {
            switch (i) {
                case Entry e -> out.add("/" + new String(e.path(), ISO_8859_1).substring(Math.min(cut + 1,
                        e.path().length)));
                case SourceEnd end -> {
                    assertTrue(end.completed(), String.valueOf(end));
                    assertEquals(out.size(), end.entries());
                    return out;
                }
                default -> throw new AssertionError(String.valueOf(i));
            }
        }
    }

    /** Every entry comes before its parent directory's entry; the root ("/") is last. */
    private static void assertPostOrder(List<String> order) {
        Map<String, Integer> at = new HashMap<>();
        for (int i = 0; i < order.size(); i++) {
            at.put(order.get(i), i);
        }
        for (int i = 0; i < order.size(); i++) {
            String p = order.get(i);
            if (p.equals("/")) {
                continue;
            }
            int slash = p.lastIndexOf('/');
            String parent = slash == 0 ? "/" : p.substring(0, slash);
            Integer pi = at.get(parent);
            assertNotNull(pi, "parent of " + p);
            assertTrue(pi > i, p + " at " + i + " but its directory at " + pi);
        }
        assertEquals("/", order.getLast());
    }

    private List<String> both(Path root, WalkOptions o, List<String> plainOut) throws Exception {
        OwnerPartition p = partition();
        TargetReport report = new TargetReport(p);
        List<String> lanes;
        try (PerTargetWalk w = PerTargetWalk.start(bytes(root), o, p, report)) {
            lanes = drain(w, root);
            assertTrue(w.stats().statCalls() >= lanes.size(), w.stats().toString());
        }
        try (Walk w = Walk.start(bytes(root), o)) {
            plainOut.addAll(drain(w, root));
        }
        String summary = report.summary();
        lastReport = summary;
        assertNotNull(summary);
        assertTrue(summary.matches("beegfs: per target: meta01 \\[ID: 1\\] \\d top directories, \\d+ entries in "
                + "[0-9.]+ s; meta02 \\[ID: 2\\] \\d top directories, \\d+ entries in [0-9.]+ s"), summary);
        return lanes;
    }

    @Test
    void deliversWhatThePlainWalkDeliversInPostOrder() throws Exception {
        Path root = tree();
        List<String> plain = new ArrayList<>();
        List<String> lanes = both(root, new WalkOptions(4, 16, false), plain);
        assertTrue(lastReport.contains("meta01 [ID: 1] 3 top directories") && lastReport.contains("meta02 [ID: 2] 3 "
                + "top directories"), lastReport);
        assertEquals(new TreeSet<>(plain), new TreeSet<>(lanes));
        assertEquals(plain.size(), lanes.size(), "no entry twice");
        assertPostOrder(lanes);
        assertTrue(lanes.contains("/top5/sub2/deep/f4") && lanes.contains("/empty") && lanes.contains("/link"));
    }

    @Test
    void aChannelOfOneAndReadAheadStillCompletes() throws Exception {
        Path root = tree();
        List<String> plain = new ArrayList<>();
        WalkOptions o = new WalkOptions(2, 1, false).withReadAhead(64, 100);
        List<String> lanes = both(root, o, plain);
        assertEquals(new TreeSet<>(plain), new TreeSet<>(lanes));
        assertPostOrder(lanes);
    }

    /** A filter as a shard or a time rule: names refused before the stat, entries not delivered, subtrees pruned. */
    @Test
    void theJobsFilterDecidesExactlyAsInThePlainWalk() throws Exception {
        Path root = tree();
        EntryFilter f = new EntryFilter() {
            @Override
            public boolean admitsName(byte[] parent, byte[] name, long dIno, int dType) {
                return !new String(name, ISO_8859_1).equals("g1") && !new String(name, ISO_8859_1).equals("top3");
            }

            @Override
            public boolean admits(byte[] path, StatX st) {
                String s = new String(path, ISO_8859_1);
                return !s.endsWith("/top2") && !s.endsWith("/f0");
            }

            @Override
            public boolean descends(byte[] path, StatX dir) {
                String s = new String(path, ISO_8859_1);
                return !s.endsWith("/top4") && !s.endsWith("/top1/sub1");
            }
        };
        List<String> plain = new ArrayList<>();
        List<String> lanes = both(root, new WalkOptions(3, 8, false).withFilter(f), plain);
        assertEquals(new TreeSet<>(plain), new TreeSet<>(lanes));
        assertEquals(plain.size(), lanes.size());
        assertTrue(lanes.contains("/top4") && !lanes.contains("/top4/sub0"), "top4 delivered, not walked");
        assertTrue(!lanes.contains("/top2") && lanes.contains("/top2/sub0"), "top2 walked, not delivered");
        assertTrue(lanes.stream().noneMatch(s -> s.startsWith("/top3")));
        // order still holds for everything delivered
        int top0 = lanes.indexOf("/top0");
        assertTrue(top0 > lanes.indexOf("/top0/sub0/deep/f1"));
        assertEquals("/", lanes.getLast());
    }

    @Test
    void cancelEndsWithACancelledEnd() throws Exception {
        Path root = tree();
        OwnerPartition p = partition();
        try (PerTargetWalk w = PerTargetWalk.start(bytes(root), new WalkOptions(2, 1, false), p, new TargetReport(p))) {
            assertTrue(w.take() instanceof Entry);
            w.cancel();
            SourceItem i;
            do {
                i = w.take();
            } while (!(i instanceof SourceEnd));
            assertTrue(((SourceEnd) i).cancelled());
            assertTrue(w.take() instanceof SourceEnd, "the end again");
        }
    }
}
