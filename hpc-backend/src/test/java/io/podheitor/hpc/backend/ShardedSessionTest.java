package io.podheitor.hpc.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.ptcomm.FileRecord;
import io.podheitor.hpc.ptcomm.Frame;
import io.podheitor.hpc.shard.MtimeBucket;
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
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sharded jobs through the whole backend session (docs/sharding.md): for Full, Incremental, Differential,
 * Accurate Incremental and Differential, and estimate, the N shards send disjoint sets of non-directories whose
 * union is what one unsharded job sends, and each inode-hash shard sends every directory the unsharded job sends;
 * an Accurate shard is asked (CHECK) only about its own entries, so a file that moved to another shard is
 * recorded deleted in the old one by bacula-fd.
 */
@Timeout(120)
class ShardedSessionTest {
    @TempDir
    Path tmp;
    Path root;

    @BeforeEach
    void tree() throws Exception {
        root = Files.createDirectory(tmp.resolve("src"));
        for (String d : List.of("a", "b", "c", "c/deep")) {
            Files.createDirectories(root.resolve(d));
        }
        String[] dirs = {"", "a/", "b/", "c/", "c/deep/"};
        for (int i = 0; i < 60; i++) {
            Files.writeString(root.resolve(dirs[i % dirs.length] + "f" + i), "content " + i);
        }
        Files.writeString(root.resolve("a/h1"), "linked");
        Files.createLink(root.resolve("b/h2"), root.resolve("a/h1"));
        Files.createLink(root.resolve("c/deep/h3"), root.resolve("a/h1"));
        Files.createSymbolicLink(root.resolve("c/sym"), Path.of("../a/h1"));
    }

    /** What one job sent and was asked about. */
    record Run(Set<String> sent, List<String> checked, List<String> messages) {
        Set<String> sentFiles() {
            return files(sent);
        }

        Set<String> sentDirs() {
            Set<String> d = new HashSet<>(sent);
            d.removeAll(sentFiles());
            return d;
        }

        static Set<String> files(java.util.Collection<String> names) {
            Set<String> f = new HashSet<>();
            for (String n : names) {
                if (!n.endsWith("/")) {
                    f.add(n);
                }
            }
            return f;
        }
    }

    private Run run(String type, String level, long since, boolean accurate, List<String> shardKeys,
            Predicate<FileRecord> changed) throws Exception {
        try (ShimSide shim = new ShimSide()) {
            List<String> job = new ArrayList<>(List.of("Name=shard.test", "JobID=9", "Type=" + type, "Level=" + level,
                    "Accurate=" + (accurate ? 1 : 0), "FDVersion=14"));
            if (since >= 0) {
                job.add("Since=" + since);
            }
            List<String> params = new ArrayList<>(List.of("path=" + root, "threads=3", "channel_depth=16"));
            params.addAll(shardKeys);
            Frame answer = shim.handshake(job, ShimSide.params(params.toArray(String[]::new)));
            assertEquals('F', answer.status(), answer.toString());
            shim.command(type.equals("B") ? "BackupStart" : "EstimateStart");
            shim.expect('F');
            ShimSide.Stream s = shim.readStream(changed);
            Set<String> sent = new HashSet<>();
            for (ShimSide.Received r : s.records()) {
                assertTrue(sent.add(r.name()), "sent twice: " + r.name());
            }
            List<String> checked = new ArrayList<>(shim.checked);
            shim.finish();
            return new Run(sent, checked, s.messages());
        }
    }

    private List<Run> shards(int n, String type, String level, long since, boolean accurate, String strategyKeys,
            Predicate<FileRecord> changed) throws Exception {
        List<Run> out = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            List<String> keys = new ArrayList<>(List.of("shard=" + k + "/" + n));
            if (!strategyKeys.isEmpty()) {
                keys.addAll(List.of(strategyKeys.split(";")));
            }
            out.add(run(type, level, since, accurate, keys, changed));
        }
        return out;
    }

    /** Disjoint on non-directories, their union the unsharded job's; with {@code dirsEverywhere} every shard's dirs too. */
    private static void partitions(Run whole, List<Run> shards, Set<String> wholeFiles, boolean dirsEverywhere,
            String what) {
        Map<String, Integer> owner = new HashMap<>();
        for (int k = 0; k < shards.size(); k++) {
            for (String f : shards.get(k).sentFiles()) {
                Integer was = owner.put(f, k);
                assertEquals(null, was, what + ": " + f + " sent by shards " + was + " and " + k);
            }
            if (dirsEverywhere) {
                assertEquals(whole.sentDirs(), shards.get(k).sentDirs(), what + ": shard " + k + "'s directories");
            }
        }
        assertEquals(wholeFiles, owner.keySet(), what + ": the union of the shards");
    }

    private static long nextSecond() throws InterruptedException {
        long created = System.currentTimeMillis() / 1000;
        long since;
        do {
            Thread.sleep(50);
            since = System.currentTimeMillis() / 1000;
        } while (since <= created);
        Thread.sleep(30); // file times come from the kernel's coarse clock
        return since;
    }

    @Test
    void fullIncrementalAndEstimatePartitionPerShard() throws Exception {
        for (String strategy : List.of("", "strategy=mtime-bucket;mtime_bucket=1", "strategy=lustre-mdt")) {
            int n = 3;
            Run full = run("B", "F", -1, false, List.of(), null);
            assertTrue(full.sentFiles().size() >= 64, "files: " + full.sentFiles().size());
            List<Run> fulls = shards(n, "B", "F", -1, false, strategy, null);
            partitions(full, fulls, full.sentFiles(), true, "Full " + strategy);
            for (Run r : fulls) {
                assertTrue(r.messages().stream().anyMatch(m -> m.startsWith("I shard: ")),
                        r.messages().toString());
            }
            if (strategy.contains("lustre")) {
                for (Run r : fulls) {
                    assertEquals(1, r.messages().stream().filter(m -> m.contains("strategy=lustre-mdt")).count(),
                            "one warning per job: " + r.messages());
                }
            }
            // the hard-link group a/h1, b/h2, c/deep/h3 in one shard
            long holding = fulls.stream().filter(r -> r.sentFiles().contains(root + "/a/h1")).count();
            assertEquals(1, holding);
            for (Run r : fulls) {
                boolean h1 = r.sentFiles().contains(root + "/a/h1");
                assertEquals(h1, r.sentFiles().contains(root + "/b/h2"), strategy);
                assertEquals(h1, r.sentFiles().contains(root + "/c/deep/h3"), strategy);
            }
            List<Run> estimates = shards(n, "E", "F", -1, false, strategy, null);
            partitions(full, estimates, full.sentFiles(), true, "estimate " + strategy);

            long since = nextSecond();
            Files.writeString(root.resolve("f0"), "changed " + strategy);
            Files.writeString(root.resolve("c/deep/f4"), "changed");
            Files.writeString(root.resolve("b/new" + strategy.length()), "new");
            Files.writeString(root.resolve("a/h1"), "linked, changed");
            Run incr = run("B", "I", since, false, List.of(), null);
            assertTrue(incr.sentFiles().size() >= 4 && incr.sentFiles().size() < full.sentFiles().size(),
                    incr.sentFiles().toString());
            partitions(incr, shards(n, "B", "I", since, false, strategy, null), incr.sentFiles(), false,
                    "Incremental " + strategy);
            // Accurate: every entry of the shard is asked about; the shim answers CHANGED for the changed ones
            Predicate<FileRecord> changed = r -> incr.sent().contains(new String(r.name(), StandardCharsets.UTF_8));
            for (String level : List.of("I", "D")) { // Differential: the same rule against the Full's time
                Run acc = run("B", level, since, true, List.of(), changed);
                List<Run> accs = shards(n, "B", level, since, true, strategy, changed);
                partitions(acc, accs, acc.sentFiles(), false, "Accurate level " + level + " " + strategy);
                Map<String, Integer> checkedBy = new HashMap<>();
                for (int k = 0; k < n; k++) {
                    for (String c : Run.files(accs.get(k).checked())) {
                        assertEquals(null, checkedBy.put(c, k), "checked by two shards: " + c);
                    }
                    assertTrue(accs.get(k).sentFiles().stream().allMatch(accs.get(k).checked()::contains));
                }
                assertEquals(Run.files(acc.checked()), checkedBy.keySet(), "Accurate: each file asked about once");
                assertTrue(acc.checked().size() > incr.sent().size(), "Accurate asks about unchanged entries too");
            }
            partitions(incr, shards(n, "B", "D", since, false, strategy, null), incr.sentFiles(), false,
                    "Differential " + strategy);
        }
    }

    @Test
    void subtreeJobsCoverTheTreeAndWalkOnlyTheirPart() throws Exception {
        Run full = run("B", "F", -1, false, List.of(), null);
        String a = root + "/a";
        String c = root + "/c";
        List<Run> jobs = new ArrayList<>();
        for (int k = 0; k < 2; k++) {
            jobs.add(run("B", "F", -1, false, List.of("subtree=" + a + "," + c, "shard=" + k + "/2"), null));
        }
        jobs.add(run("B", "F", -1, false, List.of("subtree=!" + a + ",!" + c), null));
        Map<String, Integer> owner = new HashMap<>();
        for (int k = 0; k < jobs.size(); k++) {
            for (String f : jobs.get(k).sentFiles()) {
                assertEquals(null, owner.put(f, k), f);
            }
        }
        assertEquals(full.sentFiles(), owner.keySet());
        // the rest job never saw a/ or c/; the subtree jobs saw no b/ and no file of the root
        assertTrue(jobs.get(2).sent().stream().noneMatch(p -> p.startsWith(a + "/") || p.startsWith(c + "/")));
        for (int k = 0; k < 2; k++) {
            assertTrue(jobs.get(k).sent().stream().noneMatch(p -> p.startsWith(root + "/b/")));
            assertTrue(jobs.get(k).sent().contains(root + "/"), "the root, the way to the subtrees");
            assertFalse(jobs.get(k).sent().contains(root + "/f0"));
        }
        // the link group a/h1, b/h2, c/deep/h3 crosses the boundary: a/h1 and c/deep/h3 in one subtree job, b/h2 in the rest
        assertEquals(owner.get(root + "/a/h1"), owner.get(root + "/c/deep/h3"));
        assertEquals(2, owner.get(root + "/b/h2"));
    }

    @Test
    void aFileWhoseMtimeMovesItToAnotherShardIsLeftByTheOldAndSavedByTheNew() throws Exception {
        Path f = root.resolve("c/mover");
        Files.writeString(f, "moves");
        long t1 = 1_700_000_000L;
        int from = MtimeBucket.shardOf(t1, 1, 2);
        long t2 = t1 + 1;
        while (MtimeBucket.shardOf(t2, 1, 2) == from) {
            t2++;
        }
        int to = 1 - from;
        Files.setLastModifiedTime(f, FileTime.fromMillis(t1 * 1000));
        String name = f.toString();
        List<Run> fulls = shards(2, "B", "F", -1, false, "strategy=mtime-bucket;mtime_bucket=1", null);
        assertTrue(fulls.get(from).sentFiles().contains(name));
        assertFalse(fulls.get(to).sentFiles().contains(name));

        long since = nextSecond();
        Files.setLastModifiedTime(f, FileTime.fromMillis(t2 * 1000)); // its ctime is now: changed since the Full
        Predicate<FileRecord> changed = r -> new String(r.name(), StandardCharsets.UTF_8).equals(name);
        List<Run> accs = shards(2, "B", "I", since, true, "strategy=mtime-bucket;mtime_bucket=1", changed);
        // the old shard no longer asks about it: bacula-fd finds it unseen in that shard's catalog and records it
        // deleted there; the new shard asks, finds it new (not in its catalog) and saves it
        assertFalse(accs.get(from).checked().contains(name), accs.get(from).checked().toString());
        assertTrue(accs.get(to).checked().contains(name));
        assertTrue(accs.get(to).sentFiles().contains(name));
        assertFalse(accs.get(from).sentFiles().contains(name));
        // without Accurate the job log says what that means
        List<Run> plain = shards(2, "B", "I", since, false, "strategy=mtime-bucket;mtime_bucket=1", null);
        for (Run r : plain) {
            assertEquals(1, r.messages().stream().filter(m -> m.contains("without Accurate")).count(), r.messages().toString());
        }
        assertTrue(plain.get(to).sentFiles().contains(name));
    }
}
