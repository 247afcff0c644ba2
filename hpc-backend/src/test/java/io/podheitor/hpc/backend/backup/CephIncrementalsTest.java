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
}
