package io.podheitor.hpc.backend.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.backend.job.JobInfo;
import io.podheitor.hpc.backend.job.JobOutcome;
import io.podheitor.hpc.backend.job.Mode;
import io.podheitor.hpc.backend.job.PluginParams;
import io.podheitor.hpc.posix.Mounts;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.ptcomm.Frame;
import io.podheitor.hpc.shard.ShardSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The snapshot's life cycle on a local directory that a mount table written by the test calls CephFS: its
 * {@code .snap} is then an ordinary directory the test made, and a "snapshot" an ordinary directory whose content
 * the test puts there, which is all the naming, leftover and relocation logic needs (the real CephFS: the
 * integration test t_cephfs_snapshot.sh).
 */
class CephSnapshotTest {
    @TempDir
    Path tmp;
    Path live;
    Path mountinfo;
    final List<String> jobLog = new ArrayList<>();

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static JobInfo job(String name, long id) {
        return new JobInfo(name, id, 'B', 'F', -1, false, new byte[0], new byte[0], 'a', 14);
    }

    PluginParams params(Mode mode) {
        return new PluginParams(b(live.toString()), mode, 4, 64, null).withSnapshot(true);
    }

    /** A mount table in which the device of {@code dir} is a file system of {@code type}. */
    Path table(Path dir, String type) throws IOException {
        long dev = Posix.lstat(b(dir.toString())).dev();
        Path t = tmp.resolve("mountinfo-" + type);
        Files.writeString(t, "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
                + "50 22 " + StatX.major(dev) + ":" + StatX.minor(dev) + " / " + dir + " rw,relatime - " + type
                + " ceph-fuse rw,user_id=0\n");
        return t;
    }

    @BeforeEach
    void tree() throws IOException {
        live = Files.createDirectory(tmp.resolve("live"));
        Files.createDirectory(live.resolve(".snap"));
        mountinfo = table(live, "fuse.ceph-fuse");
    }

    private List<String> snapDir() throws IOException {
        try (Stream<Path> s = Files.list(live.resolve(".snap"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void madeAtTheStartAndRemovedAtTheEndWithTheLines() throws Exception {
        CephSnapshot s = CephSnapshot.take(params(Mode.CEPHFS), job("Proj.2026-01-02_03.04.05_06", 7), mountinfo,
                jobLog::add);
        assertEquals(List.of("podheitor-Proj-7"), snapDir());
        assertArrayEquals(b(live + "/.snap/podheitor-Proj-7"), s.dir());
        assertEquals(List.of("snapshot: " + live + "/.snap/podheitor-Proj-7 created; the backup reads it"), s.infos());
        assertEquals(List.of(), s.warnings());
        assertArrayEquals(b(live + "/x/y"), s.relocation().apply(b(live + "/.snap/podheitor-Proj-7/x/y")));
        assertArrayEquals(b(live.toString()), s.relocation().apply(s.dir()));

        s.onJobEnd(JobOutcome.OK);
        assertEquals(List.of(), snapDir());
        assertEquals(List.of("snapshot: " + live + "/.snap/podheitor-Proj-7 removed"), jobLog);
        s.onJobEnd(JobOutcome.OK); // once
        assertNull(s.remove());
        assertEquals(1, jobLog.size());
    }

    @Test
    void armedBeforeTheMkdir() throws Exception {
        List<Boolean> existedWhenArmed = new ArrayList<>();
        List<CephSnapshot> armed = new ArrayList<>();
        CephSnapshot s = CephSnapshot.take(params(Mode.CEPHFS), job("Proj", 20), mountinfo, jobLog::add, a -> {
            existedWhenArmed.add(Files.exists(live.resolve(".snap/podheitor-Proj-20")));
            armed.add(a);
        });
        assertEquals(List.of(false), existedWhenArmed); // the job-end action knew of it before it existed
        assertEquals(List.of(s), armed);
        assertEquals(List.of("podheitor-Proj-20"), snapDir());
        s.onJobEnd(JobOutcome.OK);
        assertEquals(List.of(), snapDir());
    }

    @Test
    void aJobEndBetweenTheArmingAndTheMkdirMeansNoSnapshot() throws Exception {
        // what a cancel's SIGTERM does when it comes right after the arming: the job-end action runs first
        CephSnapshot.Refused r = assertThrows(CephSnapshot.Refused.class, () -> CephSnapshot.take(params(Mode.CEPHFS),
                job("Proj", 21), mountinfo, jobLog::add, a -> {
                    try {
                        a.onJobEnd(new JobOutcome.Failed('?', 0, "terminated (SIGTERM) before END"));
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                }));
        assertEquals("snapshot=yes: the job ended before its snapshot was made", r.getMessage());
        assertEquals(List.of(), snapDir());
        assertEquals(List.of(), jobLog);
    }

    @Test
    void anArmingThatFailsMakesNothing() throws Exception {
        // JobEnd.register during the JVM's shutdown: Runtime.addShutdownHook throws IllegalStateException
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CephSnapshot.take(
                params(Mode.CEPHFS), job("Proj", 22), mountinfo, jobLog::add, a -> {
                    throw new IllegalStateException("Shutdown in progress");
                }));
        assertEquals("Shutdown in progress", e.getMessage());
        assertEquals(List.of(), snapDir());
    }

    @Test
    void removedWhenTheJobFailedToo() throws Exception {
        CephSnapshot s = CephSnapshot.take(params(Mode.CEPHFS), job("Proj", 8), mountinfo, jobLog::add);
        s.onJobEnd(new JobOutcome.Failed('E', 3, "job status E, 3 errors posted by the plugin"));
        assertEquals(List.of(), snapDir());
        assertEquals(List.of("snapshot: " + live + "/.snap/podheitor-Proj-8 removed"), jobLog);
    }

    @Test
    void withoutEndTheLineGoesToStderrNotIntoTheConversation() throws Exception {
        CephSnapshot s = CephSnapshot.take(params(Mode.CEPHFS), job("Proj", 9), mountinfo, jobLog::add);
        java.io.PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            // what JobEnd delivers on SIGTERM (a cancel) or at the end of input without END
            s.onJobEnd(new JobOutcome.Failed('?', 0, "the backend was terminated (SIGTERM) before END"));
        } finally {
            System.setErr(err);
        }
        assertEquals(List.of(), snapDir());
        assertEquals(List.of(), jobLog);
        assertTrue(captured.toString(StandardCharsets.UTF_8).contains("snapshot: " + live
                + "/.snap/podheitor-Proj-9 removed"), captured.toString(StandardCharsets.UTF_8));
    }

    @Test
    void leftoversOfThisJobAreRemovedOthersKept() throws Exception {
        for (String n : List.of("podheitor-Proj-3", "podheitor-Proj-12", "podheitor-Proj-12-1", "podheitor-ProjB-4",
                "podheitor-Proj-shard-5", "hourly")) {
            Files.createDirectory(live.resolve(".snap").resolve(n));
        }
        CephSnapshot s = CephSnapshot.take(params(Mode.CEPHFS), job("Proj.2026-01-02_03.04.05_06", 13), mountinfo,
                jobLog::add);
        assertEquals(List.of("hourly", "podheitor-Proj-12-1", "podheitor-Proj-13", "podheitor-Proj-shard-5",
                "podheitor-ProjB-4"), snapDir());
        List<String> removed = s.infos().stream().filter(i -> i.startsWith("snapshot: removed ")).sorted().toList();
        assertEquals(2, removed.size(), s.infos().toString());
        assertTrue(removed.get(0).startsWith("snapshot: removed " + live + "/.snap/podheitor-Proj-12, left by an "
                + "earlier run of this Job"), removed.get(0));
        assertTrue(removed.get(1).startsWith("snapshot: removed " + live + "/.snap/podheitor-Proj-3,"), removed.get(1));
        assertTrue(s.infos().getLast().endsWith("podheitor-Proj-13 created; the backup reads it"));
        s.onJobEnd(JobOutcome.OK);
    }

    @Test
    void aLeftoverThatCannotBeRemovedIsAWarningAndTheJobGoesOn() throws Exception {
        Files.createDirectories(live.resolve(".snap/podheitor-Proj-3/not-empty"));
        CephSnapshot s = CephSnapshot.take(params(Mode.CEPHFS), job("Proj", 4), mountinfo, jobLog::add);
        assertEquals(1, s.warnings().size());
        assertTrue(s.warnings().getFirst().startsWith("snapshot: cannot remove " + live
                + "/.snap/podheitor-Proj-3, left by an earlier run of this Job: Directory not empty (ENOTEMPTY)"),
                s.warnings().getFirst());
        assertEquals(List.of("podheitor-Proj-3", "podheitor-Proj-4"), snapDir());
        s.onJobEnd(JobOutcome.OK);
    }

    @Test
    void aSnapshotThatCannotBeRemovedIsTheActionsFailureNamingTheNextRun() throws Exception {
        CephSnapshot s = CephSnapshot.take(params(Mode.CEPHFS), job("Proj", 5), mountinfo, jobLog::add);
        Files.createFile(live.resolve(".snap/podheitor-Proj-5/f")); // an ordinary directory: rmdir says ENOTEMPTY
        IOException e = assertThrows(IOException.class, () -> s.onJobEnd(JobOutcome.OK));
        assertEquals("cannot remove the snapshot " + live + "/.snap/podheitor-Proj-5: Directory not empty "
                + "(ENOTEMPTY); the next run of this Job removes it", e.getMessage());
        assertEquals(List.of(), jobLog);
    }

    @Test
    void otherModesAreAJobErrorSayingWhatTheKeyWouldMapTo() {
        CephSnapshot.Refused gpfs = assertThrows(CephSnapshot.Refused.class,
                () -> CephSnapshot.take(params(Mode.GPFS), job("J", 1), mountinfo, jobLog::add));
        assertTrue(gpfs.getMessage().startsWith("snapshot=yes is implemented for mode=cephfs only (this job: "
                + "mode=gpfs): with mode=gpfs it would be a GPFS snapshot (mmcrsnapshot"), gpfs.getMessage());
        assertTrue(gpfs.getMessage().endsWith("the job does not back up the live tree instead"));
        CephSnapshot.Refused lustre = assertThrows(CephSnapshot.Refused.class,
                () -> CephSnapshot.take(params(Mode.LUSTRE), job("J", 1), mountinfo, jobLog::add));
        assertTrue(lustre.getMessage().contains("lctl snapshot_create"), lustre.getMessage());
        CephSnapshot.Refused posix = assertThrows(CephSnapshot.Refused.class,
                () -> CephSnapshot.take(params(Mode.POSIX), job("J", 1), mountinfo, jobLog::add));
        assertTrue(posix.getMessage().contains("mode=posix has no snapshot this plugin can make"), posix.getMessage());
        assertTrue(snapDirQuietly().isEmpty());
    }

    private List<String> snapDirQuietly() {
        try {
            return snapDir();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void shardsThatSplitByInodeNumberAreRefused() throws Exception {
        byte[] root = b(live.toString());
        for (ShardSpec spec : List.of(ShardSpec.of(root, "0/2", null, null, null),
                ShardSpec.of(root, "1/3", "subtree", b(live + "/a"), null))) {
            CephSnapshot.Refused r = assertThrows(CephSnapshot.Refused.class, () -> CephSnapshot.take(
                    params(Mode.CEPHFS).withSharding(spec), job("J", 1), mountinfo, jobLog::add));
            assertTrue(r.getMessage().contains("every shard job reads its own snapshot"), r.getMessage());
        }
        // a subtree without a split by inode, and mtime buckets, are fine
        for (ShardSpec spec : List.of(ShardSpec.of(root, null, "subtree", b(live + "/a"), null),
                ShardSpec.of(root, "0/2", "mtime-bucket", null, 3600))) {
            CephSnapshot s = CephSnapshot.take(params(Mode.CEPHFS).withSharding(spec), job("J", 2), mountinfo,
                    jobLog::add);
            s.onJobEnd(JobOutcome.OK);
        }
        assertTrue(snapDir().isEmpty());
    }

    @Test
    void aPathThatIsNotOnCephfsIsRefused() throws Exception {
        Path other = table(live, "ext4");
        CephSnapshot.Refused r = assertThrows(CephSnapshot.Refused.class,
                () -> CephSnapshot.take(params(Mode.CEPHFS), job("J", 1), other, jobLog::add));
        assertEquals("snapshot=yes: \"" + live + "\" is not on CephFS (a ext4 file system mounted at " + live
                + "): no snapshot can be made, and the job does not back up the live tree instead", r.getMessage());
        // this machine's own table: the temporary directory is on no CephFS
        r = assertThrows(CephSnapshot.Refused.class,
                () -> CephSnapshot.take(params(Mode.CEPHFS), job("J", 1), Mounts.SELF, jobLog::add));
        assertTrue(r.getMessage().contains("is not on CephFS"), r.getMessage());
        assertTrue(snapDir().isEmpty());
    }

    @Test
    void aSnapshotThatCannotBeMadeIsRefusedNamingWhy() throws Exception {
        Files.delete(live.resolve(".snap"));
        CephSnapshot.Refused r = assertThrows(CephSnapshot.Refused.class,
                () -> CephSnapshot.take(params(Mode.CEPHFS), job("J", 1), mountinfo, jobLog::add));
        assertTrue(r.getMessage().startsWith("snapshot=yes: cannot list \"" + live + "/.snap\": No such file or "
                + "directory (ENOENT): no .snap directory"), r.getMessage());
        assertTrue(r.getMessage().endsWith("the job does not back up the live tree instead"), r.getMessage());
        // mkdir refused (on this local file system: a file has the name, which rmdir did not remove either)
        Files.createDirectory(live.resolve(".snap"));
        Files.createFile(live.resolve(".snap/podheitor-J-1"));
        CephSnapshot.Refused mkdir = assertThrows(CephSnapshot.Refused.class,
                () -> CephSnapshot.take(params(Mode.CEPHFS), job("J", 1), mountinfo, jobLog::add));
        assertEquals("snapshot=yes: cannot make the snapshot \"" + live + "/.snap/podheitor-J-1\": File exists "
                + "(EEXIST); the job does not back up the live tree instead", mkdir.getMessage());
        Files.delete(live.resolve(".snap/podheitor-J-1"));
        Files.delete(live.resolve(".snap"));
        CephSnapshot.Refused gone = assertThrows(CephSnapshot.Refused.class,
                () -> CephSnapshot.take(params(Mode.CEPHFS), job("J", 1), tmp.resolve("no-such-table"), jobLog::add));
        assertTrue(gone.getMessage().startsWith("snapshot=yes: cannot read the mount table"), gone.getMessage());
        Files.delete(live);
        CephSnapshot.Refused missing = assertThrows(CephSnapshot.Refused.class,
                () -> CephSnapshot.take(params(Mode.CEPHFS), job("J", 1), mountinfo, jobLog::add));
        assertEquals("snapshot=yes: path \"" + live + "\": No such file or directory", missing.getMessage());
    }

    /**
     * The backup of a snapshot: the walk reads the snapshot's content (here different from the live tree's) and
     * every record names the live path; nothing of {@code .snap} is sent.
     */
    @Test
    void theBackupReadsTheSnapshotAndNamesTheLivePaths() throws Exception {
        Files.writeString(live.resolve("a"), "live content of a");
        Files.writeString(live.resolve("only-live"), "new file");
        CephSnapshot s = CephSnapshot.take(params(Mode.CEPHFS), job("Proj", 21), mountinfo, jobLog::add);
        Path snap = Path.of(new String(s.dir(), StandardCharsets.UTF_8));
        Files.writeString(snap.resolve("a"), "snapshot content of a");
        Files.createDirectories(snap.resolve("d"));
        byte[] big = new byte[300_000]; // read by the emitter through the root's descriptor, not read ahead
        new java.util.Random(5).nextBytes(big);
        Files.write(snap.resolve("d/big"), big);
        Posix.setXattr(b(snap.resolve("d").toString()), b("user.where"), b("snapshot"));
        Posix.setXattr(b(snap.toString()), b("user.root"), b("snapshot root"));
        Posix.setXattr(b(live.toString()), b("user.root"), b("live root"));

        Frames frames = new Frames();
        Backup backup = new Backup(frames.out, millis -> true, () -> false, null, java.time.InstantSource.system());
        assertTrue(backup.run(params(Mode.CEPHFS).withSnapshot(true), job("Proj", 21), true, s));
        Map<String, ByteArrayOutputStream> data = new LinkedHashMap<>();
        Map<String, byte[]> meta = new LinkedHashMap<>();
        String current = null;
        boolean inData = false; // a FILE record, a file's data packets up to F, then one D: its metadata blob
        for (Frame f : frames.written()) {
            if (f.status() == 'C' && f.text().startsWith("FILE ")) {
                String t = new String(f.payload(), StandardCharsets.ISO_8859_1);
                current = t.substring(t.indexOf('\n') + 1, t.indexOf('\0'));
                data.put(current, new ByteArrayOutputStream());
                inData = t.startsWith("FILE F "); // a directory has no data section
            } else if (f.status() == 'F') {
                inData = false;
            } else if (f.status() == 'D' && current != null) {
                if (inData) {
                    data.get(current).write(f.payload());
                } else {
                    meta.put(current, f.payload());
                }
            }
        }
        // (directories are named with a trailing slash, as bacula-fd names them)
        assertEquals(java.util.Set.of(live + "/a", live + "/d/big", live + "/d/", live + "/"), data.keySet());
        assertEquals(live + "/", List.copyOf(data.keySet()).getLast(), "the root comes last");
        assertTrue(new String(data.get(live + "/a").toByteArray(), StandardCharsets.UTF_8)
                .equals("snapshot content of a"), frames.summary().toString());
        byte[] bigSent = data.get(live + "/d/big").toByteArray();
        assertArrayEquals(big, bigSent);
        assertTrue(contains(meta.get(live + "/d/"), b("snapshot")), "the directory's xattr comes from the snapshot");
        assertTrue(contains(meta.get(live + "/"), b("snapshot root")), "the root's xattr comes from the snapshot");
        assertFalse(contains(meta.get(live + "/"), b("live root")));
        for (String name : data.keySet()) {
            assertFalse(name.contains(".snap"), name);
        }
        assertEquals(List.of(), jobLog); // the removal is the job-end action's, not the backup's
        assertEquals(List.of("podheitor-Proj-21"), snapDir());
        Files.delete(snap.resolve("d/big"));
        Files.delete(snap.resolve("d"));
        Files.delete(snap.resolve("a"));
        assertEquals("snapshot: " + snap + " removed", s.remove());
        assertEquals(List.of(), snapDir());
    }

    private static boolean contains(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
