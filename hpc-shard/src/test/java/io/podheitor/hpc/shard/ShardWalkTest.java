package io.podheitor.hpc.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.source.Entry;
import io.podheitor.hpc.source.EntryFilter;
import io.podheitor.hpc.source.SourceEnd;
import io.podheitor.hpc.source.SourceItem;
import io.podheitor.hpc.walker.Walk;
import io.podheitor.hpc.walker.WalkOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The strategies in hpc-walker's real walk over a real tree (real d_ino, d_type, hard links): the shards are
 * disjoint on non-directories and cover the tree, hard-link groups stay whole, every shard saves every directory
 * (inode-hash, mtime-bucket), and the N inode-hash shards together stat each non-directory once: the statx count of
 * N shards is one walk's plus (N-1) per directory.
 */
class ShardWalkTest {
    @TempDir
    Path tmp;

    /** What one walk delivered: paths, and per path its inode; the statx calls it made. */
    record Walked(Map<String, Long> entries, Set<String> dirs, long statCalls) {
    }

    static Walked walk(Path root, EntryFilter f) throws InterruptedException {
        Walk w = Walk.start(root.toString().getBytes(StandardCharsets.UTF_8), new WalkOptions(4, 64, false)
                .withFilter(f));
        Map<String, Long> entries = new HashMap<>();
        Set<String> dirs = new HashSet<>();
        for (SourceItem it; !((it = w.take()) instanceof SourceEnd end); ) {
            if (it instanceof Entry e) {
                String p = new String(e.path(), StandardCharsets.UTF_8);
                entries.put(p, e.stat().ino());
                if (e.stat().isDirectory()) {
                    dirs.add(p);
                }
            } else {
                throw new AssertionError("walk error: " + it);
            }
        }
        w.close();
        return new Walked(entries, dirs, w.stats().statCalls());
    }

    /** 9 directories (the root included), 300 non-directories: files, symlinks, hard-link groups across directories. */
    private Path tree() throws IOException {
        Path root = Files.createDirectory(tmp.resolve("t"));
        List<Path> dirs = new ArrayList<>(List.of(root));
        for (int i = 0; i < 8; i++) {
            dirs.add(Files.createDirectory(dirs.get(i / 3).resolve("d" + i)));
        }
        java.util.Random rnd = new java.util.Random(7);
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Path at = dirs.get(rnd.nextInt(dirs.size())).resolve("f" + i);
            switch (files.isEmpty() ? 5 : i % 10) {
                case 0 -> Files.createSymbolicLink(at, Path.of("target" + i));
                case 1, 2 -> Files.createLink(at, files.get(rnd.nextInt(files.size())));
                default -> {
                    Files.writeString(at, "x".repeat(i));
                    Files.setLastModifiedTime(at, FileTime.fromMillis(1_600_000_000_000L
                            + rnd.nextInt(1_000_000) * 1000L));
                    files.add(at);
                }
            }
        }
        return root;
    }

    private static void checkPartition(Walked all, List<Walked> shards, boolean everyShardEveryDir, String what) {
        checkPartition(all, shards, everyShardEveryDir, what, true);
    }

    static void checkPartition(Walked all, List<Walked> shards, boolean everyShardEveryDir, String what,
            boolean hasLinks) {
        Map<String, Integer> owner = new HashMap<>();
        for (int k = 0; k < shards.size(); k++) {
            for (String p : shards.get(k).entries().keySet()) {
                if (!all.dirs().contains(p)) {
                    Integer was = owner.put(p, k);
                    assertTrue(was == null, what + ": " + p + " in shards " + was + " and " + k);
                }
            }
            if (everyShardEveryDir) {
                assertEquals(all.dirs(), shards.get(k).dirs(), what + ": shard " + k + " saves every directory");
            }
        }
        Set<String> nonDirs = new HashSet<>(all.entries().keySet());
        nonDirs.removeAll(all.dirs());
        assertEquals(nonDirs, owner.keySet(), what + ": the shards cover the tree");
        Map<Long, Set<Integer>> byIno = new HashMap<>();
        owner.forEach((p, k) -> byIno.computeIfAbsent(all.entries().get(p), i -> new HashSet<>()).add(k));
        byIno.forEach((ino, ks) -> assertEquals(1, ks.size(), what + ": inode " + ino + " split over " + ks));
        if (hasLinks) {
            assertTrue(byIno.size() < nonDirs.size(), what + ": the tree has hard links");
        }
    }

    private static List<Walked> shards(Path root, int n, IntFunction<ShardStrategy> s) throws InterruptedException {
        List<Walked> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            out.add(walk(root, s.apply(k)));
        }
        return out;
    }

    private static ShardStrategy strategy(Path root, String shard, String strategy, String subtree) {
        byte[] r = root.toString().getBytes(StandardCharsets.UTF_8);
        return ShardSpec.of(r, shard, strategy, subtree == null ? null : subtree.getBytes(StandardCharsets.UTF_8), null)
                .strategy(r, MdtLookup.NONE, w -> { });
    }

    @Test
    void everyStrategyPartitionsARealTreeAndInodeHashStatsEachFileOnce() throws Exception {
        Path root = tree();
        Walked all = walk(root, EntryFilter.ALL);
        assertEquals(9, all.dirs().size());
        assertEquals(1 + 8 + 300, all.statCalls(), "one lstat of the root + one statx per name");
        for (int n : new int[] {1, 2, 4, 7}) {
            List<Walked> ih = shards(root, n, k -> strategy(root, k + "/" + n, null, null));
            checkPartition(all, ih, true, "inode-hash N=" + n);
            long total = ih.stream().mapToLong(Walked::statCalls).sum();
            assertEquals(all.statCalls() + (n - 1) * 9L, total, "inode-hash N=" + n + ": statx over all shards");
            if (n == 4) {
                assertTrue(total <= 1.1 * all.statCalls(), total + " vs " + all.statCalls());
            }
            checkPartition(all, shards(root, n, k -> strategy(root, k + "/" + n, "mtime-bucket", null)), true,
                    "mtime-bucket N=" + n);
            checkPartition(all, shards(root, n, k -> strategy(root, k + "/" + n, "lustre-mdt", null)), true,
                    "lustre-mdt (no Lustre) N=" + n);
        }
        // subtree: d0 and d2 (and below) to one job, the rest to another, each split by inode-hash in 2
        String d0 = root.resolve("d0").toString();
        String d2 = root.resolve("d2").toString();
        List<Walked> parts = new ArrayList<>();
        for (String list : new String[] {d0 + "," + d2, "!" + d0 + ",!" + d2}) {
            for (int k = 0; k < 2; k++) {
                parts.add(walk(root, strategy(root, k + "/2", "subtree", list)));
            }
        }
        Map<String, Integer> owner = new HashMap<>();
        for (int k = 0; k < parts.size(); k++) {
            for (String p : parts.get(k).entries().keySet()) {
                if (!all.dirs().contains(p)) {
                    assertEquals(null, owner.put(p, k), p);
                }
            }
        }
        Set<String> nonDirs = new HashSet<>(all.entries().keySet());
        nonDirs.removeAll(all.dirs());
        assertEquals(nonDirs, owner.keySet(), "subtree: the four jobs cover the tree");
        // the first two jobs never list the rest: fewer stats than a walk
        assertTrue(parts.get(0).statCalls() < all.statCalls());
        assertTrue(parts.get(0).dirs().stream().allMatch(p -> p.equals(root.toString()) || p.startsWith(d0)
                || p.startsWith(d2)), parts.get(0).dirs().toString());
    }
}
