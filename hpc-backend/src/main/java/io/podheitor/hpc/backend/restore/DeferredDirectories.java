package io.podheitor.hpc.backend.restore;

import io.podheitor.hpc.posix.Fcntl;
import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Restored directories whose mode, owner and times are applied at FINISH, deepest first, so that restoring
 * their contents never disturbs them (and a read-only directory does not block its own restore).
 * TODO(bounded memory, later issue): one small record per restored directory is kept until FINISH.
 */
final class DeferredDirectories {
    record Pending(byte[] path, int mode, long uid, long gid, long atime, long mtime, int atimeNsec, int mtimeNsec) {
        int depth() {
            int d = 0;
            for (byte b : path) {
                if (b == '/') {
                    d++;
                }
            }
            return d;
        }
    }

    private final List<Pending> pending = new ArrayList<>();

    void add(byte[] path, int mode, long uid, long gid, long atime, long mtime) {
        pending.add(new Pending(path, mode, uid, gid, atime, mtime, 0, 0));
    }

    /**
     * Replaces the times of the pending directory {@code path} with nanosecond ones (from its metadata blob, which
     * the FD delivers right after the directory's record, so the last entry is checked first).
     */
    void setTimes(byte[] path, long atime, int atimeNsec, long mtime, int mtimeNsec) {
        for (int i = pending.size() - 1; i >= 0; i--) {
            Pending p = pending.get(i);
            if (java.util.Arrays.equals(p.path(), path)) {
                pending.set(i, new Pending(p.path(), p.mode(), p.uid(), p.gid(), atime, mtime, atimeNsec, mtimeNsec));
                return;
            }
        }
    }

    int size() {
        return pending.size();
    }

    /** Applies everything, deepest first; returns one message per failure (the rest is still applied). */
    List<String> applyAll() {
        List<String> failures = new ArrayList<>();
        pending.sort(Comparator.comparingInt(Pending::depth).reversed());
        for (Pending p : pending) {
            try {
                Posix.fchownat(Fcntl.AT_FDCWD, p.path(), p.uid(), p.gid(), Fcntl.AT_SYMLINK_NOFOLLOW);
            } catch (PosixException e) {
                failures.add("cannot set owner of \"" + PathText.render(p.path()) + "\": " + e.strerror());
            }
            try {
                Posix.fchmodat(Fcntl.AT_FDCWD, p.path(), p.mode() & 07777, 0);
                Posix.utimensat(Fcntl.AT_FDCWD, p.path(), p.atime(), p.atimeNsec(), p.mtime(), p.mtimeNsec(),
                        Fcntl.AT_SYMLINK_NOFOLLOW);
            } catch (PosixException e) {
                failures.add("cannot set attributes of \"" + PathText.render(p.path()) + "\": " + e.strerror());
            }
        }
        pending.clear();
        return failures;
    }
}
