package io.podheitor.hpc.backend.backup;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.backend.job.JobEndAction;
import io.podheitor.hpc.backend.job.JobInfo;
import io.podheitor.hpc.backend.job.JobOutcome;
import io.podheitor.hpc.backend.job.PluginParams;
import io.podheitor.hpc.changelog.ceph.Rctime;
import io.podheitor.hpc.posix.Errno;
import io.podheitor.hpc.posix.PosixException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * mode=cephfs: what ChangeDriver decides for each level and state (the pruning itself: hpc-changelog's
 * PrunedWalkTest; on a real CephFS: tests/integration t_cephfs.sh).
 */
class CephIncrementalsTest {
    @TempDir
    Path tmp;

    private static JobInfo job(char level, long since, long jobId) {
        return new JobInfo("ceph-job.2026-12-03_10.00.00_07", jobId, 'B', level, since, true, new byte[0], new byte[0],
                'a', 14);
    }

    private PluginParams params(Path root, Path state) throws Exception {
        Files.createDirectories(state);
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx------"));
        return PluginParams.parse(List.of(("path=" + root).getBytes(UTF_8), "mode=cephfs".getBytes(UTF_8),
                ("state_dir=" + state).getBytes(UTF_8), "rctime_margin=30".getBytes(UTF_8)));
    }

    private static final Rctime.Reader CEPH = dir -> 1_000_000_000L;

    @Test
    void notCephfsIsOneWarningAndTheWalk() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        PluginParams p = params(root, tmp.resolve("state"));
        List<JobEndAction> actions = new ArrayList<>();
        for (Rctime.Reader r : List.<Rctime.Reader>of(dir -> -1, dir -> {
            throw new PosixException("lgetxattr", Errno.EOPNOTSUPP, dir);
        })) {
            try (ChangeDriver d = CephIncrementals.decide(p, job('I', 1000, 2), true, actions::add, r, Instant.now())) {
                assertInstanceOf(ChangeDriver.Choice.Walk.class, d.choice());
                assertEquals(1, d.warnings().size());
                assertTrue(d.warnings().getFirst().contains("not CephFS"), d.warnings().getFirst());
            }
        }
        assertTrue(actions.isEmpty(), "no set is kept");
    }

    @Test
    void aFullRecordsTheSetWhichTheNextIncrementalPrunesByOnlyAfterAnOkEnd() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        PluginParams p = params(root, tmp.resolve("state"));
        List<JobEndAction> actions = new ArrayList<>();
        long t0 = Instant.now().getEpochSecond();
        try (ChangeDriver d = CephIncrementals.decide(p, job('F', -1, 1), true, actions::add, CEPH, Instant.now())) {
            ChangeDriver.Choice.PrunedWalk w = assertInstanceOf(ChangeDriver.Choice.PrunedWalk.class, d.choice());
            assertTrue(w.pruner().summary().contains("none pruned"), w.pruner().summary());
        }
        assertEquals(1, actions.size());
        // an Incremental before the Full's set is committed: no set yet, nothing pruned
        try (ChangeDriver d = CephIncrementals.decide(p, job('I', t0, 2), true, actions::add, CEPH, Instant.now())) {
            assertTrue(d.infos().getFirst().contains("no directory set of an earlier job yet"), d.infos().toString());
        }
        actions.get(1).onJobEnd(new JobOutcome.Failed('E', 1, "test"));
        actions.get(0).onJobEnd(new JobOutcome.Ok());
        try (ChangeDriver d = CephIncrementals.decide(p, job('I', t0, 3), true, actions::add, CEPH, Instant.now())) {
            assertInstanceOf(ChangeDriver.Choice.PrunedWalk.class, d.choice());
            assertTrue(d.infos().getFirst().contains("rctime Incremental") && d.infos().getFirst().contains("job 1 (1 "
                    + "directories)") && d.infos().getFirst().contains("rctime_margin 30 s"), d.infos().toString());
        }
        // Since older than the set's job: the set may name what the last good backup did not save there
        try (ChangeDriver d = CephIncrementals.decide(p, job('D', t0 - 3600, 4), true, actions::add, CEPH,
                Instant.now())) {
            assertTrue(d.infos().getFirst().contains("is newer than this Differential's Since"), d.infos().toString());
        }
        assertNotNull(Files.readString(tmp.resolve("state/ceph-job/cephfs-all/CURRENT")));
        assertEquals("gen-1", Files.readString(tmp.resolve("state/ceph-job/cephfs-all/CURRENT")).strip());
        for (int i = 2; i < actions.size(); i++) {
            actions.get(i).onJobEnd(new JobOutcome.Failed('A', 0, "test"));
        }
        assertEquals("gen-1", Files.readString(tmp.resolve("state/ceph-job/cephfs-all/CURRENT")).strip());
    }

    @Test
    void anEstimateJustWalks() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        PluginParams p = params(root, tmp.resolve("state"));
        try (ChangeDriver d = CephIncrementals.decide(p, job('I', 1000, 2), false, a -> { }, CEPH, Instant.now())) {
            assertInstanceOf(ChangeDriver.Choice.Walk.class, d.choice());
        }
    }

    /**
     * mode=cephfs composes with shard=: the pruner is asked after the shard filter, the shard's files below walked
     * directories are delivered (and only those), nothing below a pruned directory is, and the pruned one is KEPT.
     */
    @Test
    void thePrunedWalkComposesWithAShard() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("root"));
        for (String d : List.of("old/deep", "new/sub")) {
            Files.createDirectories(root.resolve(d));
        }
        for (int i = 0; i < 40; i++) {
            Files.writeString(root.resolve("old/deep/f" + i), "o");
            Files.writeString(root.resolve("new/sub/g" + i), "n");
        }
        Path state = Files.createDirectories(tmp.resolve("state"));
        List<JobEndAction> actions = new ArrayList<>();
        PluginParams p = PluginParams.parse(List.of(("path=" + root).getBytes(UTF_8), "mode=cephfs".getBytes(UTF_8),
                ("state_dir=" + state).getBytes(UTF_8), "shard=0/2".getBytes(UTF_8)));
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx------"));
        long now = Instant.now().getEpochSecond();
        // the Full's set, then an Incremental whose Since is an hour ahead: the directories' own times are old then,
        // and the rctimes (from a table) decide: /old and /old/deep old, /new and /new/sub recent
        try (ChangeDriver d = CephIncrementals.decide(p, job('F', -1, 1), true, actions::add, CEPH, Instant.now());
                Sharding sh = Sharding.of(p, job('F', -1, 1), true);
                io.podheitor.hpc.source.EntrySource src = SourceFactory.open(p, job('F', -1, 1),
                        ChangePolicy.of(job('F', -1, 1), true), true, sh.filter(), d.choice())) {
            drain(src);
        }
        actions.getFirst().onJobEnd(new JobOutcome.Ok());
        long since = now + 3600;
        String r = root.toString();
        Rctime.Reader table = dir -> {
            String s = new String(dir, UTF_8);
            return s.startsWith(r + "/new") || s.equals(r) ? (since + 10) * 1_000_000_000L : (now - 3600) * 1_000_000_000L;
        };
        JobInfo incr = new JobInfo("ceph-job.2026-12-03_11.00.00_08", 2, 'B', 'I', since, true, new byte[0],
                new byte[0], 'a', 14);
        java.util.TreeSet<String> got = new java.util.TreeSet<>();
        java.util.TreeSet<String> keeps = new java.util.TreeSet<>();
        try (ChangeDriver d = CephIncrementals.decide(p, incr, true, actions::add, table, Instant.now());
                Sharding sh = Sharding.of(p, incr, true);
                io.podheitor.hpc.source.EntrySource src = SourceFactory.open(p, incr, ChangePolicy.of(incr, true), true,
                        sh.filter(), d.choice())) {
            assertInstanceOf(ChangeDriver.Choice.PrunedWalk.class, d.choice());
            for (io.podheitor.hpc.source.SourceItem i : drain(src)) {
                switch (i) {
                    case io.podheitor.hpc.source.Entry e -> got.add(new String(e.path(), UTF_8).substring(r.length()));
                    case io.podheitor.hpc.source.CatalogVerdict v -> keeps.add(v.kind() + " "
                            + new String(v.path(), UTF_8).substring(r.length()));
                    default -> { }
                }
            }
            // the shard's files below /new, computed with the same filter on a plain listing
            io.podheitor.hpc.source.EntryFilter shard = sh.filter();
            java.util.TreeSet<String> want = new java.util.TreeSet<>(List.of("", "/new", "/new/sub", "/old"));
            try (var files = Files.list(root.resolve("new/sub"))) {
                for (Path f : files.toList()) {
                    long ino = (long) Files.getAttribute(f, "unix:ino");
                    if (shard.admitsName((r + "/new/sub").getBytes(UTF_8), f.getFileName().toString().getBytes(UTF_8),
                            ino, io.podheitor.hpc.posix.FileMode.DT_REG)) {
                        want.add("/new/sub/" + f.getFileName());
                    }
                }
            }
            assertTrue(want.size() > 4 && want.size() < 44, "shard 0/2 of 40 files: " + want.size());
            assertEquals(want, got);
            assertEquals(new java.util.TreeSet<>(List.of("KEEP /old")), keeps);
        }
    }

    private static List<io.podheitor.hpc.source.SourceItem> drain(io.podheitor.hpc.source.EntrySource src)
            throws InterruptedException {
        List<io.podheitor.hpc.source.SourceItem> items = new ArrayList<>();
        while (true) {
            io.podheitor.hpc.source.SourceItem i = src.take();
            if (i instanceof io.podheitor.hpc.source.SourceEnd) {
                return items;
            }
            items.add(i);
        }
    }
}
