package io.podheitor.hpc.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import io.podheitor.hpc.source.EntryFilter;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * For random trees (with hard-link groups, listings with and without types and inode numbers), every strategy and
 * N in 1..16: the N shards are disjoint on non-directories and together cover the tree; a hard-link group is never
 * split; inode-hash puts each file where {@link ShardHash} says (whose values the vector file pins).
 */
class ShardProperties {
    private static final byte[] ROOT = ModelTree.b(ModelTree.ROOT);

    /** The delivered paths of each of the N shards. */
    private static List<Set<String>> shards(ModelTree t, int n, java.util.function.IntFunction<ShardStrategy> shard) {
        List<Set<String>> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            out.add(t.walk(shard.apply(k)));
        }
        return out;
    }

    private static ShardStrategy spec(String shard, String strategy, String subtree, Integer bucket, MdtLookup mdt,
            List<String> warnings) {
        return ShardSpec.of(ROOT, shard, strategy, subtree == null ? null : ModelTree.b(subtree), bucket)
                .strategy(ROOT, mdt, warnings::add);
    }

    /** Disjoint and covering on {@code nonDirs}; returns, per non-directory, its shard. */
    private static Map<String, Integer> partition(List<Set<String>> shards, Set<String> nonDirs, String what) {
        Map<String, Integer> owner = new HashMap<>();
        for (int k = 0; k < shards.size(); k++) {
            for (String p : shards.get(k)) {
                if (nonDirs.contains(p)) {
                    Integer was = owner.put(p, k);
                    assertTrue(was == null, what + ": " + p + " in shards " + was + " and " + k);
                }
            }
        }
        assertEquals(nonDirs, owner.keySet(), what + ": the shards together cover the tree");
        return owner;
    }

    /** Every hard-link group (names of one inode) whose names are all in {@code scope} lies in one shard. */
    private static void linkGroupsWhole(ModelTree t, Map<String, Integer> owner, Set<String> scope, String what) {
        Map<Long, Set<Integer>> byIno = new HashMap<>();
        for (ModelTree.Node n : t.all) {
            if (!n.dir() && scope.contains(n.path())) {
                byIno.computeIfAbsent(n.ino(), i -> new HashSet<>()).add(owner.get(n.path()));
            }
        }
        byIno.forEach((ino, in) -> assertEquals(1, in.size(), what + ": inode " + ino + " split over " + in));
    }

    private static Set<String> nonDirs(ModelTree t) {
        return t.all.stream().filter(n -> !n.dir()).map(ModelTree.Node::path).collect(Collectors.toSet());
    }

    private static Set<String> dirs(ModelTree t) {
        return t.all.stream().filter(ModelTree.Node::dir).map(ModelTree.Node::path).collect(Collectors.toSet());
    }

    @Property(tries = 150)
    void inodeHashMtimeBucketAndLustreMdtPartitionTheTree(@ForAll long seed, @ForAll @IntRange(min = 1, max = 16) int n,
            @ForAll @IntRange(min = 1, max = 400) int bucket, @ForAll @IntRange(min = 0, max = 9) int mdts) {
        ModelTree t = ModelTree.random(seed, 80);
        Set<String> files = nonDirs(t);
        // a fake Lustre: the inode's MDT is a function of the inode (as the FID's sequence is); some unknown
        MdtLookup lustre = new MdtLookup() {
            @Override
            public OptionalInt mdtCount(byte[] root) {
                return mdts == 0 ? OptionalInt.empty() : OptionalInt.of(mdts);
            }

            @Override
            public int mdtIndex(byte[] parent, byte[] name, long dIno) {
                return Math.floorMod(dIno, 7) == 3 ? -1 : Math.floorMod(dIno * 31, Math.max(1, mdts));
            }
        };
        Map<String, List<Set<String>>> byStrategy = new HashMap<>();
        List<String> warnings = new ArrayList<>();
        byStrategy.put("inode-hash", shards(t, n, k -> spec(k + "/" + n, null, null, null, null, warnings)));
        byStrategy.put("mtime-bucket", shards(t, n, k -> spec(k + "/" + n, "mtime-bucket", null, bucket, null, warnings)));
        byStrategy.put("lustre-mdt", shards(t, n, k -> spec(k + "/" + n, "lustre-mdt", null, null, lustre, warnings)));
        for (var e : byStrategy.entrySet()) {
            Map<String, Integer> owner = partition(e.getValue(), files, e.getKey());
            linkGroupsWhole(t, owner, files, e.getKey());
            for (Set<String> s : e.getValue()) {
                assertTrue(s.containsAll(dirs(t)), e.getKey() + ": every shard saves every directory");
            }
            if (e.getKey().equals("inode-hash") || (e.getKey().equals("lustre-mdt") && mdts == 0)) {
                for (ModelTree.Node f : t.all) {
                    if (!f.dir()) {
                        assertEquals(ShardHash.shardOf(f.ino(), 0, n), owner.get(f.path()), f.path());
                    }
                }
            }
            if (e.getKey().equals("mtime-bucket")) {
                for (ModelTree.Node f : t.all) {
                    if (!f.dir()) {
                        assertEquals(MtimeBucket.shardOf(f.mtime(), bucket, n), owner.get(f.path()), f.path());
                    }
                }
            }
        }
        long lustreWarnings = warnings.stream().filter(w -> w.contains("lustre-mdt")).count();
        long expected = mdts == 0 || mdts != n ? n : 0; // one per job: without Lustre, or N unequal to the MDTs
        assertEquals(expected, lustreWarnings, warnings.toString());
    }

    @Property(tries = 150)
    void inodeHashStatsEachNonDirectoryOnceOverAllShards(@ForAll long seed, @ForAll @IntRange(min = 1, max = 16) int n) {
        ModelTree t = ModelTree.random(seed, 80);
        long one = t.stats(EntryFilter.ALL);
        long total = 0;
        for (int k = 0; k < n; k++) {
            total += t.stats(spec(k + "/" + n, null, null, null, null, new ArrayList<>()));
        }
        long dirs = dirs(t).size();
        if (t.unknownTypes || t.noInodes) {
            assertEquals(n * one, total, "a listing without types or inodes: every shard stats every name");
        } else {
            // each shard stats the directories (the root's lstat included); the non-directories once over all
            assertEquals(one + (n - 1) * dirs, total);
        }
    }

    @Property(tries = 150)
    void subtreePartitionsCoverTheTreeAndSplitOnlyCrossingLinkGroups(@ForAll long seed,
            @ForAll @IntRange(min = 1, max = 16) int n, @ForAll @IntRange(min = 1, max = 4) int within) {
        ModelTree t = ModelTree.random(seed, 80);
        Random rnd = new Random(seed);
        // the top-level names go to shards 0..n-2; shard n-1 is "the rest" (every other one excluded)
        List<List<String>> lists = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            lists.add(new ArrayList<>());
        }
        Map<String, Integer> part = new HashMap<>();
        for (ModelTree.Node c : t.root.children()) {
            if (n > 1 && rnd.nextInt(3) > 0) {
                int k = rnd.nextInt(n - 1);
                lists.get(k).add(c.path());
                lists.get(n - 1).add("!" + c.path());
                part.put(c.path(), k);
            }
        }
        List<Set<String>> jobs = new ArrayList<>();
        List<String> values = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            List<String> l = lists.get(k);
            String value = k == n - 1 ? (l.isEmpty() ? ModelTree.ROOT : String.join(",", l))
                    : (l.isEmpty() ? ModelTree.ROOT + "/none" + k : String.join(",", l));
            values.add(value);
            // each part is split further over `within` jobs by inode-hash (subtree=...;shard=j/within)
            for (int j = 0; j < within; j++) {
                String shard = within == 1 ? null : j + "/" + within;
                jobs.add(t.walk(spec(shard, null, value, null, null, new ArrayList<>())));
            }
        }
        Set<String> files = nonDirs(t);
        Map<String, Integer> owner = partition(jobs, files, "subtree " + values);
        // which top-level part a path is in (the rest: n-1)
        Map<String, Integer> partOf = new HashMap<>();
        for (String f : files) {
            String top = f.substring(0, f.indexOf('/', ModelTree.ROOT.length() + 1) < 0 ? f.length()
                    : f.indexOf('/', ModelTree.ROOT.length() + 1));
            partOf.put(f, part.getOrDefault(top, n - 1));
        }
        // a link group inside one part is whole; one that crosses parts is split only at the part boundary
        Map<Long, Set<Integer>> byIno = new HashMap<>();
        Map<Long, Set<Integer>> partsOfIno = new HashMap<>();
        for (ModelTree.Node f : t.all) {
            if (!f.dir()) {
                byIno.computeIfAbsent(f.ino(), i -> new HashSet<>()).add(owner.get(f.path()));
                partsOfIno.computeIfAbsent(f.ino(), i -> new HashSet<>()).add(partOf.get(f.path()));
            }
        }
        byIno.forEach((ino, in) -> assertEquals(partsOfIno.get(ino).size(), in.size(),
                "inode " + ino + ": one job per part it has names in"));
        // each job saves the directories on the way to what it owns, and never one it does not own or pass
        for (Set<String> job : jobs) {
            assertTrue(job.contains(ModelTree.ROOT), "the root");
            for (String p : job) {
                String parent = p.equals(ModelTree.ROOT) ? null : p.substring(0, p.lastIndexOf('/'));
                assertTrue(parent == null || job.contains(parent), p + " without its parent " + parent);
            }
        }
        // and every directory is saved by some job
        Set<String> union = new HashSet<>();
        jobs.forEach(union::addAll);
        assertTrue(union.containsAll(dirs(t)));
    }
}
