package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.backend.job.JobEndAction;
import io.podheitor.hpc.backend.job.JobInfo;
import io.podheitor.hpc.backend.job.JobOutcome;
import io.podheitor.hpc.backend.job.Mode;
import io.podheitor.hpc.backend.job.PluginParams;
import io.podheitor.hpc.posix.DirEntry;
import io.podheitor.hpc.posix.Errno;
import io.podheitor.hpc.posix.Fcntl;
import io.podheitor.hpc.posix.Mounts;
import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.shard.ShardSpec;
import io.podheitor.hpc.source.Relocation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The CephFS snapshot of a {@code snapshot=yes} backup (docs/ceph.md, "snapshot=yes"): made when the job starts as
 * {@code PATH/.snap/podheitor-JOB-JOBID} ({@link SnapshotName}; a {@code mkdir}, CephFS's way of making one), read
 * by the job instead of the live tree ({@link #relocation()}: its entries are reported at their live paths), and
 * removed ({@code rmdir}) by {@link #onJobEnd} whatever the job's outcome; leftovers of this Job's earlier runs (a
 * backend that was killed) are removed before the new one is made.
 *
 * <p>Anything that keeps the snapshot from being made is {@link Refused}: the job fails, it never backs up the live
 * tree instead.
 */
final class CephSnapshot implements JobEndAction {
    /** The mount types (mountinfo) of CephFS: the kernel client and ceph-fuse. */
    static final Set<String> CEPH_TYPES = Set.of("ceph", "fuse.ceph-fuse");
    private static final byte[] SNAPDIR = {'.', 's', 'n', 'a', 'p'};

    /** Why the snapshot cannot be made: the job's error (an abort), the job backs up nothing. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    private final byte[] path;
    private final byte[] name;
    private final byte[] dir;
    private final int pathFd; // O_PATH of PATH, held until the snapshot is removed
    private final List<String> infos;
    private final List<String> warnings;
    private final Consumer<String> jobLog;
    /* The mkdir and the removal exclude each other: a removal (SIGTERM's job-end action) that comes while the mkdir
       runs waits for it and removes what it made; one that comes before it closes the door, and no mkdir follows. */
    private final Object lock = new Object();
    private boolean made; // guarded by lock
    private boolean closed; // guarded by lock: removed, or never to be made; pathFd is closed

    private CephSnapshot(byte[] path, byte[] name, int pathFd, List<String> infos, List<String> warnings,
            Consumer<String> jobLog) {
        this.path = path;
        this.name = name;
        this.dir = join(join(path, SNAPDIR), name);
        this.pathFd = pathFd;
        this.infos = new ArrayList<>(infos);
        this.warnings = List.copyOf(warnings);
        this.jobLog = jobLog;
    }

    /** {@link #take(PluginParams, JobInfo, Path, Consumer, Consumer)} with no job-end seam to arm. */
    static CephSnapshot take(PluginParams params, JobInfo job, Path mountinfo, Consumer<String> jobLog)
            throws Refused {
        return take(params, job, mountinfo, jobLog, null);
    }

    /**
     * Makes the job's snapshot of {@code params.path()}: checks that snapshot=yes can be honoured (mode=cephfs, a
     * shard strategy that does not split by inode number, PATH on CephFS by the mount table), removes this Job's
     * leftovers in {@code PATH/.snap}, hands the snapshot to {@code arm} (the job-end seam, which removes it at the
     * job's end or on SIGTERM), then {@code mkdir PATH/.snap/NAME}. Armed before it exists: a cancel that comes just
     * as the snapshot is made still removes it (the job-end action waits for a running mkdir).
     *
     * @param mountinfo the mount table ({@link Mounts#SELF}; tests give another)
     * @param jobLog    where the job-end line goes while the job's conversation is open ({@link #onJobEnd})
     * @param arm       registers the snapshot's job-end action before the mkdir; null: the caller removes it
     * @throws Refused the job's error: it must not run
     */
    static CephSnapshot take(PluginParams params, JobInfo job, Path mountinfo, Consumer<String> jobLog,
            Consumer<? super CephSnapshot> arm) throws Refused {
        byte[] path = params.path();
        String shown = PathText.render(path);
        if (params.mode() != Mode.CEPHFS) {
            throw new Refused("snapshot=yes is implemented for mode=cephfs only (this job: mode=" + params.mode().key()
                    + "): " + otherModes(params.mode()) + "; the job does not back up the live tree instead");
        }
        ShardSpec shard = params.sharding();
        if (shard != null && (shard.strategy() == ShardSpec.Kind.INODE_HASH
                || shard.strategy() == ShardSpec.Kind.LUSTRE_MDT
                || shard.strategy() == ShardSpec.Kind.SUBTREE && shard.shard() != null)) {
            throw new Refused("snapshot=yes with strategy=" + shard.strategy().key() + (shard.shard() != null
                    ? " and shard=" + shard.shard() : "") + ": every shard job reads its own snapshot, whose inode "
                    + "numbers are not the live ones (ceph-fuse gives each snapshot its own), so shards split by inode "
                    + "number would not divide the files exactly; use strategy=subtree without shard=, or "
                    + "mtime-bucket");
        }
        long dev;
        try {
            dev = Posix.lstat(path).dev();
        } catch (PosixException e) {
            throw new Refused("snapshot=yes: path \"" + shown + "\": " + e.strerror());
        }
        Optional<Mounts.Mount> mount;
        try {
            mount = Mounts.ofDevice(Mounts.read(mountinfo), dev);
        } catch (IOException | RuntimeException e) {
            throw new Refused("snapshot=yes: cannot read the mount table " + mountinfo + " to check that \"" + shown
                    + "\" is on CephFS: " + e.getMessage());
        }
        if (mount.isEmpty() || !CEPH_TYPES.contains(mount.get().fsType())) {
            throw new Refused("snapshot=yes: \"" + shown + "\" is not on CephFS (" + mount.map(m -> "a "
                    + m.fsType() + " file system mounted at " + m.mountPointText()).orElse("no mount with its device")
                    + "): no snapshot can be made, and the job does not back up the live tree instead");
        }
        int pathFd;
        try {
            pathFd = Posix.openat(Fcntl.AT_FDCWD, path, Fcntl.O_PATH | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC, 0);
        } catch (PosixException e) {
            throw new Refused("snapshot=yes: path \"" + shown + "\": " + e.strerror());
        }
        SnapshotName sn = SnapshotName.of(job);
        byte[] name = sn.name();
        List<String> infos = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        try {
            removeLeftovers(pathFd, path, sn, infos, warnings);
        } catch (Refused e) {
            Posix.closeQuietly(pathFd);
            throw e;
        }
        CephSnapshot snapshot = new CephSnapshot(path, name, pathFd, infos, warnings, jobLog);
        if (arm != null) {
            try {
                arm.accept(snapshot);
            } catch (RuntimeException e) { // e.g. the JVM is already shutting down (SIGTERM): nothing is made
                snapshot.close();
                throw e;
            }
        }
        snapshot.make();
        return snapshot;
    }

    /** The mkdir, unless the snapshot was removed (the job ended) before it. */
    private void make() throws Refused {
        byte[] rel = join(SNAPDIR, name);
        synchronized (lock) {
            if (closed) {
                throw new Refused("snapshot=yes: the job ended before its snapshot was made");
            }
            try {
                Posix.mkdirat(pathFd, rel, 0755);
            } catch (PosixException e) {
                closeLocked();
                throw new Refused("snapshot=yes: cannot make the snapshot \"" + PathText.render(join(path, rel))
                        + "\": " + e.strerror() + " (" + e.errnoName() + ")" + refusedHint(e.errno())
                        + "; the job does not back up the live tree instead");
            }
            made = true;
            infos.add("snapshot: " + PathText.render(dir) + " created; the backup reads it");
        }
    }

    private void close() {
        synchronized (lock) {
            closeLocked();
        }
    }

    private void closeLocked() {
        if (!closed) {
            closed = true;
            Posix.closeQuietly(pathFd);
        }
    }

    /** What the other modes' snapshots would be: the mapping of the same key, documented, not implemented. */
    private static String otherModes(Mode mode) {
        return switch (mode) {
            case GPFS -> "with mode=gpfs it would be a GPFS snapshot (mmcrsnapshot of the file system or of the "
                    + "independent fileset holding PATH, read below its .snapshots directory, mmdelsnapshot at job "
                    + "end), which this version does not make";
            case LUSTRE -> "with mode=lustre it would be a Lustre snapshot (lctl snapshot_create on ZFS-backed "
                    + "targets, mounted read-only with lctl snapshot_mount, lctl snapshot_destroy at job end), which "
                    + "this version does not make";
            default -> "mode=" + mode.key() + " has no snapshot this plugin can make";
        };
    }

    private static String refusedHint(int errno) {
        return switch (errno) {
            case Errno.EPERM, Errno.EACCES -> ": snapshots are not allowed there (the file system's allow_new_snaps "
                    + "is false: ceph fs set FSNAME allow_new_snaps true; or the client's key lacks the 's' "
                    + "capability)";
            case Errno.EROFS -> ": the mount is read-only, or PATH is already inside a snapshot";
            case Errno.ENOENT -> ": no .snap directory (a client mounted with another snapdir name is not "
                    + "supported)";
            case Errno.EMLINK -> ": too many snapshots of this directory (mds_max_snaps_per_dir)";
            case Errno.EOPNOTSUPP -> ": the file system does not support snapshots here";
            default -> "";
        };
    }

    /** Removes the snapshots an earlier run of this Job left in {@code PATH/.snap} (one job-log line each). */
    private static void removeLeftovers(int pathFd, byte[] path, SnapshotName sn, List<String> infos,
            List<String> warnings) throws Refused {
        List<byte[]> leftovers = new ArrayList<>();
        int snapFd;
        try {
            snapFd = Posix.openDirectory(pathFd, SNAPDIR);
        } catch (PosixException e) {
            throw new Refused("snapshot=yes: cannot list \"" + PathText.render(join(path, SNAPDIR)) + "\": "
                    + e.strerror() + " (" + e.errnoName() + ")" + refusedHint(e.errno())
                    + "; the job does not back up the live tree instead");
        }
        try {
            for (List<DirEntry> batch; !(batch = Posix.readDirectory(snapFd)).isEmpty(); ) {
                for (DirEntry d : batch) {
                    if (sn.isLeftover(d.name())) {
                        leftovers.add(d.name());
                    }
                }
            }
        } catch (PosixException e) {
            warnings.add("snapshot: cannot list \"" + PathText.render(join(path, SNAPDIR)) + "\" for leftovers of "
                    + "earlier runs: " + e.getMessage());
        } finally {
            Posix.closeQuietly(snapFd);
        }
        for (byte[] l : leftovers) {
            byte[] shown = join(join(path, SNAPDIR), l);
            try {
                Posix.unlinkat(pathFd, join(SNAPDIR, l), Fcntl.AT_REMOVEDIR);
                infos.add("snapshot: removed " + PathText.render(shown) + ", left by an earlier run of this Job that "
                        + "could not remove it (its backend was killed)");
            } catch (PosixException e) {
                warnings.add("snapshot: cannot remove " + PathText.render(shown) + ", left by an earlier run of this "
                        + "Job: " + e.strerror() + " (" + e.errnoName() + ")");
            }
        }
    }

    /** The snapshot's directory, {@code PATH/.snap/NAME}: what the job walks and reads. */
    byte[] dir() {
        return dir.clone();
    }

    /** The snapshot's entries reported at their live paths: {@code PATH/.snap/NAME/x} as {@code PATH/x}. */
    Relocation relocation() {
        return new Relocation(dir, path);
    }

    /** Job-log lines of the start: leftovers removed, the snapshot made. */
    List<String> infos() {
        synchronized (lock) {
            return List.copyOf(infos);
        }
    }

    /** Job-log warnings of the start: leftovers that could not be removed. */
    List<String> warnings() {
        return warnings;
    }

    /**
     * Removes the snapshot (once; later calls do nothing), then says so: in the job log when the job ended with
     * END (the session thread waits for the job-end actions, so the conversation is free), on stderr when it ended
     * without (end of input, SIGTERM: {@link JobOutcome#noEnd}, status {@code ?}).
     */
    @Override
    public void onJobEnd(JobOutcome outcome) throws IOException {
        boolean conversation = !(outcome instanceof JobOutcome.Failed f && f.status() == '?');
        String text = remove();
        if (text != null) {
            if (conversation) {
                jobLog.accept(text);
            } else {
                System.err.println("podheitor-hpc backend: " + text);
            }
        }
    }

    /**
     * Removes the snapshot if it was not removed yet (waiting for a mkdir that is running); before the mkdir, makes
     * sure none follows.
     *
     * @return the job-log line, or null when it was removed before or never made
     * @throws IOException the rmdir failed (the next run of this Job removes it)
     */
    String remove() throws IOException {
        synchronized (lock) {
            if (closed) {
                return null;
            }
            if (!made) {
                closeLocked();
                return null;
            }
            try {
                Posix.unlinkat(pathFd, join(SNAPDIR, name), Fcntl.AT_REMOVEDIR);
            } catch (PosixException e) {
                throw new IOException("cannot remove the snapshot " + PathText.render(dir) + ": " + e.strerror() + " ("
                        + e.errnoName() + "); the next run of this Job removes it", e);
            } finally {
                closeLocked();
            }
            return "snapshot: " + PathText.render(dir) + " removed";
        }
    }

    @Override
    public String name() {
        return "snapshot";
    }

    /** {@code dir/name} ({@code /name} when dir is {@code /}). */
    static byte[] join(byte[] dir, byte[] name) {
        int slash = dir.length == 1 && dir[0] == '/' ? 0 : 1;
        byte[] p = new byte[dir.length + slash + name.length];
        System.arraycopy(dir, 0, p, 0, dir.length);
        if (slash == 1) {
            p[dir.length] = '/';
        }
        System.arraycopy(name, 0, p, dir.length + slash, name.length);
        return p;
    }
}
