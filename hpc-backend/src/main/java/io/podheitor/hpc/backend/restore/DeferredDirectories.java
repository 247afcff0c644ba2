package io.podheitor.hpc.backend.restore;

import io.podheitor.hpc.posix.Beneath;
import io.podheitor.hpc.posix.Errno;
import io.podheitor.hpc.posix.Fcntl;
import io.podheitor.hpc.posix.FileMode;
import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.posix.UnnamedFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Restored directories whose mode, owner and times are applied at FINISH, so that restoring their contents never
 * disturbs them (and a read-only directory does not block its own restore).
 *
 * <ul>
 *   <li>Safe: each directory is reopened at FINISH from the restore root without following links
 *       ({@link Beneath}) and its device and inode are compared with those of the directory the restore
 *       created; a directory swapped for a symbolic link or another directory meanwhile is reported and left
 *       alone, never changed through the link.
 *   <li>Bounded: at most {@code inMemory} entries stay on the heap; older ones spill, in arrival order, to an
 *       {@link UnnamedFile} (O_TMPFILE) in the spill directory, so memory stays flat whatever the number of
 *       directories (about 60 bytes + the name per spilled directory on disk).
 *   <li>Order: arrival order. The FD restores in backup order, in which a directory comes after its contents
 *       (docs/ptcomm.md §4.5), so children get their attributes before their parents.
 * </ul>
 */
final class DeferredDirectories implements AutoCloseable {
    /** Directories kept on the heap before the oldest spill (~200 B each with a 100-byte name). */
    static final int DEFAULT_IN_MEMORY = 50_000;
    private static final int HEADER = 4 + 4 + 8 * 8 + 4 + 4;

    record Pending(byte[] relative, int mode, long uid, long gid, long atime, int atimeNsec, long mtime,
            int mtimeNsec, long dev, long ino) {
    }

    private final int inMemory;
    private final Path spillDir;
    private final ArrayList<Pending> pending = new ArrayList<>();
    private UnnamedFile spill;
    private long spillEnd;
    private long spilled;
    private PosixException spillFailure;

    DeferredDirectories(int inMemory, Path spillDir) {
        this.inMemory = Math.max(2, inMemory);
        this.spillDir = spillDir;
    }

    void add(byte[] relative, int mode, long uid, long gid, long atime, long mtime, long dev, long ino) {
        pending.add(new Pending(relative, mode, uid, gid, atime, 0, mtime, 0, dev, ino));
        if (pending.size() > inMemory) {
            spillOldest(pending.size() / 2);
        }
    }

    /**
     * Replaces the times of the pending directory {@code relative} with nanosecond ones (from its metadata blob, which
     * the FD delivers right after the directory's record: it is the newest entry, always on the heap).
     */
    void setTimes(byte[] relative, long atime, int atimeNsec, long mtime, int mtimeNsec) {
        for (int i = pending.size() - 1; i >= 0 && i >= pending.size() - 8; i--) {
            Pending p = pending.get(i);
            if (java.util.Arrays.equals(p.relative(), relative)) {
                pending.set(i, new Pending(p.relative(), p.mode(), p.uid(), p.gid(), atime, atimeNsec, mtime, mtimeNsec,
                        p.dev(), p.ino()));
                return;
            }
        }
    }

    int size() {
        return (int) (pending.size() + spilled);
    }

    long spilled() {
        return spilled;
    }

    private void spillOldest(int n) {
        if (spillFailure != null) {
            return; // keep them on the heap: correct, if not bounded (reported at FINISH)
        }
        try {
            if (spill == null) {
                spill = UnnamedFile.create(spillDir.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
            ByteBuffer b = ByteBuffer.allocate(64 * 1024);
            for (int i = 0; i < n; i++) {
                Pending p = pending.get(i);
                int need = HEADER + p.relative().length;
                if (b.remaining() < need) {
                    flush(b);
                    if (b.capacity() < need) {
                        b = ByteBuffer.allocate(need);
                    }
                }
                b.putInt(p.relative().length).putInt(p.mode()).putLong(p.uid()).putLong(p.gid()).putLong(p.atime())
                        .putLong(p.mtime()).putLong(p.dev()).putLong(p.ino()).putLong(0).putLong(0)
                        .putInt(p.atimeNsec()).putInt(p.mtimeNsec()).put(p.relative());
            }
            flush(b);
            pending.subList(0, n).clear();
            spilled += n;
        } catch (PosixException e) {
            spillFailure = e;
        }
    }

    private void flush(ByteBuffer b) throws PosixException {
        b.flip();
        if (b.hasRemaining()) {
            spill.writeFully(b.array(), 0, b.limit(), spillEnd);
            spillEnd += b.limit();
        }
        b.clear();
    }

    /**
     * Applies every pending directory below {@code tree}'s root, spilled ones first; returns one message per
     * failure (the rest is still applied).
     */
    List<String> applyAll(RestoreTree tree) {
        List<String> failures = new ArrayList<>();
        if (spillFailure != null) {
            failures.add("the list of restored directories could not spill to " + spillDir + " ("
                    + spillFailure.strerror() + "); it was kept in memory");
        }
        if (spill != null) {
            try {
                readSpilled(tree, failures);
            } catch (PosixException e) {
                failures.add("cannot read the spilled list of restored directories: " + e.strerror()
                        + "; their attributes are not applied");
            }
        }
        for (Pending p : pending) {
            apply(tree, p, failures);
        }
        pending.clear();
        spilled = 0;
        spillEnd = 0; // applied: a second FINISH applies nothing again
        return failures;
    }

    private void readSpilled(RestoreTree tree, List<String> failures) throws PosixException {
        byte[] buf = new byte[256 * 1024];
        long pos = 0;
        int have = 0;
        int at = 0;
        while (pos < spillEnd || at < have) {
            if (have - at < HEADER || have - at < HEADER + ByteBuffer.wrap(buf, at, 4).getInt()) {
                System.arraycopy(buf, at, buf, 0, have - at);
                have -= at;
                at = 0;
                int n = (int) Math.min(buf.length - have, spillEnd - pos);
                if (n <= 0) {
                    break;
                }
                spill.readFully(buf, have, n, pos);
                pos += n;
                have += n;
                continue;
            }
            ByteBuffer b = ByteBuffer.wrap(buf, at, have - at);
            int len = b.getInt();
            int mode = b.getInt();
            long uid = b.getLong();
            long gid = b.getLong();
            long atime = b.getLong();
            long mtime = b.getLong();
            long dev = b.getLong();
            long ino = b.getLong();
            b.getLong();
            b.getLong();
            int atimeNsec = b.getInt();
            int mtimeNsec = b.getInt();
            byte[] rel = new byte[len];
            b.get(rel);
            at += HEADER + len;
            apply(tree, new Pending(rel, mode, uid, gid, atime, atimeNsec, mtime, mtimeNsec, dev, ino), failures);
        }
    }

    /** Owner first (chown clears setuid bits), then mode, then times, all on a descriptor of the checked directory. */
    private static void apply(RestoreTree tree, Pending p, List<String> failures) {
        byte[] shown = RestoreTree.join(tree.root(), p.relative());
        int fd;
        try {
            fd = p.relative().length == 0
                    ? Posix.openat(tree.rootFd(), new byte[] {'.'}, Fcntl.O_RDONLY | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC, 0)
                    : Beneath.open(tree.rootFd(), p.relative(), Fcntl.O_RDONLY | Fcntl.O_DIRECTORY, 0);
        } catch (PosixException e) {
            String why = e.errno() == Errno.ELOOP || e.errno() == Errno.ENOTDIR || e.errno() == Errno.EXDEV
                    ? "it or a directory above it was replaced during the restore (" + e.strerror() + ")"
                    : e.strerror();
            failures.add("cannot set attributes of \"" + PathText.render(shown) + "\": " + why
                    + "; its attributes are not applied");
            return;
        }
        try {
            StatX st = Posix.fstat(fd);
            if (st.dev() != p.dev() || st.ino() != p.ino()) {
                failures.add("cannot set attributes of \"" + PathText.render(shown) + "\": it is no longer the directory"
                        + " this restore created (replaced during the restore); its attributes are not applied");
                return;
            }
            try {
                Posix.fchown(fd, p.uid(), p.gid());
            } catch (PosixException e) {
                failures.add("cannot set owner of \"" + PathText.render(shown) + "\": " + e.strerror());
            }
            try {
                Posix.fchmod(fd, p.mode() & FileMode.PERMISSIONS);
                Posix.futimens(fd, p.atime(), p.atimeNsec(), p.mtime(), p.mtimeNsec());
            } catch (PosixException e) {
                failures.add("cannot set attributes of \"" + PathText.render(shown) + "\": " + e.strerror());
            }
        } catch (PosixException e) {
            failures.add("cannot set attributes of \"" + PathText.render(shown) + "\": " + e.strerror());
        } finally {
            Posix.closeQuietly(fd);
        }
    }

    @Override
    public void close() {
        if (spill != null) {
            spill.close();
            spill = null;
        }
    }
}
