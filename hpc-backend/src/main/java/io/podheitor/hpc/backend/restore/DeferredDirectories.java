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
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * Restored directories whose mode, owner and times are applied at FINISH, so that restoring their contents never
 * disturbs them (and a read-only directory does not block its own restore).
 *
 * <ul>
 *   <li>Safe: each directory is reopened at FINISH from the restore root without following links
 *       ({@link Beneath}) and its device and inode are compared with those of the directory the restore
 *       created; a directory swapped for a symbolic link or another directory meanwhile is reported and left
 *       alone, never changed through the link.
 *   <li>Order: deepest first (a directory after everything below it), whatever order the directories arrived in:
 *       the workers of a pipelined restore add them concurrently.
 *   <li>Bounded: at most {@code inMemory} entries stay on the heap; past that the older half is sorted (deepest
 *       first) and spilled as one run to an {@link UnnamedFile} (O_TMPFILE) in the spill directory. FINISH merges
 *       the runs and the heap part (one 64 KiB buffer per run), so memory stays flat whatever the number of
 *       directories (about 60 bytes + the name per spilled directory on disk).
 *   <li>Thread-safe: {@link #add} may be called from any thread; {@link #applyAll} once every adder is done.
 * </ul>
 */
final class DeferredDirectories implements AutoCloseable {
    /** Directories kept on the heap before the oldest spill (~200 B each with a 100-byte name). */
    static final int DEFAULT_IN_MEMORY = 50_000;
    private static final int HEADER = 4 + 4 + 8 * 8 + 4 + 4;
    private static final int RUN_BUFFER = 64 * 1024;

    /** One directory's attributes, with the device and inode of the directory the restore created or found. */
    record Pending(byte[] relative, int mode, long uid, long gid, long atime, int atimeNsec, long mtime,
            int mtimeNsec, long dev, long ino) {
        /** With the nanosecond times of the directory's metadata blob. */
        Pending withTimes(long a, int aNsec, long m, int mNsec) {
            return new Pending(relative, mode, uid, gid, a, aNsec, m, mNsec, dev, ino);
        }

        /** Components below the root ("" is 0, "a" 1, "a/b" 2). */
        int depth() {
            if (relative.length == 0) {
                return 0;
            }
            int d = 1;
            for (byte c : relative) {
                if (c == '/') {
                    d++;
                }
            }
            return d;
        }
    }

    /** Deepest first; the same depth in arrival order (the sorts and the merge below are stable). */
    private static final Comparator<Pending> DEEPEST_FIRST = Comparator.comparingInt(Pending::depth).reversed();

    private final int inMemory;
    private final Path spillDir;
    private final ArrayList<Pending> pending = new ArrayList<>();
    /** Spilled runs: [start, end) byte ranges of the spill file, each sorted deepest first. */
    private final List<long[]> runs = new ArrayList<>();
    private UnnamedFile spill;
    private long spillEnd;
    private long spilled;
    private PosixException spillFailure;

    DeferredDirectories(int inMemory, Path spillDir) {
        this.inMemory = Math.max(2, inMemory);
        this.spillDir = spillDir;
    }

    synchronized void add(Pending p) {
        pending.add(p);
        if (pending.size() > inMemory) {
            spillOldest(pending.size() / 2);
        }
    }

    void add(byte[] relative, int mode, long uid, long gid, long atime, long mtime, long dev, long ino) {
        add(new Pending(relative, mode, uid, gid, atime, 0, mtime, 0, dev, ino));
    }

    synchronized int size() {
        return (int) (pending.size() + spilled);
    }

    synchronized long spilled() {
        return spilled;
    }

    synchronized int runs() {
        return runs.size();
    }

    private void spillOldest(int n) {
        if (spillFailure != null) {
            return; // keep them on the heap: correct, if not bounded (reported at FINISH)
        }
        try {
            if (spill == null) {
                spill = UnnamedFile.create(spillDir.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            }
            List<Pending> run = new ArrayList<>(pending.subList(0, n));
            run.sort(DEEPEST_FIRST);
            long start = spillEnd;
            ByteBuffer b = ByteBuffer.allocate(RUN_BUFFER);
            for (Pending p : run) {
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
            runs.add(new long[] {start, spillEnd});
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

    /** One source of the merge: a spilled run, read through a small buffer, or the sorted heap part. */
    private interface Source {
        /** The next entry, or null at the end. */
        Pending next() throws PosixException;
    }

    private final class RunReader implements Source {
        private byte[] buf = new byte[RUN_BUFFER];
        private long pos;
        private final long end;
        private int have;
        private int at;

        RunReader(long start, long end) {
            this.pos = start;
            this.end = end;
        }

        @Override
        public Pending next() throws PosixException {
            if (!ensure(HEADER)) {
                return null;
            }
            int len = ByteBuffer.wrap(buf, at, 4).getInt();
            if (!ensure(HEADER + len)) {
                throw new PosixException("read", Errno.EIO, spillDir.toString().getBytes());
            }
            ByteBuffer b = ByteBuffer.wrap(buf, at, HEADER + len);
            b.getInt();
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
            return new Pending(rel, mode, uid, gid, atime, atimeNsec, mtime, mtimeNsec, dev, ino);
        }

        /** At least n bytes buffered from at; false at the end of the run. */
        private boolean ensure(int n) throws PosixException {
            if (have - at >= n) {
                return true;
            }
            byte[] target = n > buf.length ? new byte[n] : buf; // a name longer than the buffer
            System.arraycopy(buf, at, target, 0, have - at);
            buf = target;
            have -= at;
            at = 0;
            int want = (int) Math.min(target.length - have, end - pos);
            if (want > 0) {
                spill.readFully(target, have, want, pos);
                pos += want;
                have += want;
            }
            return have - at >= n;
        }
    }

    /**
     * Applies every pending directory below {@code tree}'s root, deepest first; returns one message per failure (the
     * rest is still applied). Call it once every thread that adds is done.
     */
    synchronized List<String> applyAll(RestoreTree tree) {
        return applyAll(tree, p -> {
        });
    }

    /** As {@link #applyAll(RestoreTree)}, telling {@code applied} each directory in the order it is applied (tests). */
    synchronized List<String> applyAll(RestoreTree tree, java.util.function.Consumer<Pending> applied) {
        List<String> failures = new ArrayList<>();
        if (spillFailure != null) {
            failures.add("the list of restored directories could not spill to " + spillDir + " ("
                    + spillFailure.strerror() + "); it was kept in memory");
        }
        List<Pending> heap = new ArrayList<>(pending);
        heap.sort(DEEPEST_FIRST);
        List<Source> sources = new ArrayList<>();
        for (long[] r : runs) {
            sources.add(new RunReader(r[0], r[1]));
        }
        int[] heapAt = {0};
        sources.add(() -> heapAt[0] < heap.size() ? heap.get(heapAt[0]++) : null);
        // k-way merge by depth; ties by source order (older runs first: arrival order)
        PriorityQueue<Head> queue = new PriorityQueue<>(Comparator.comparing(Head::p, DEEPEST_FIRST)
                .thenComparingInt(Head::source));
        for (int i = 0; i < sources.size(); i++) {
            advance(sources, i, queue, failures);
        }
        while (!queue.isEmpty()) {
            Head h = queue.poll();
            applied.accept(h.p());
            apply(tree, h.p(), failures);
            advance(sources, h.source(), queue, failures);
        }
        pending.clear();
        runs.clear();
        spilled = 0;
        spillEnd = 0; // applied: a second FINISH applies nothing again
        return failures;
    }

    /** The next entry of one merge source. */
    private record Head(Pending p, int source) {
    }

    /** Puts the next entry of source i into the queue (nothing at its end or after a read failure). */
    private static void advance(List<Source> sources, int i, PriorityQueue<Head> queue, List<String> failures) {
        Source s = sources.get(i);
        if (s == null) {
            return;
        }
        try {
            Pending p = s.next();
            if (p == null) {
                sources.set(i, null);
            } else {
                queue.add(new Head(p, i));
            }
        } catch (PosixException e) {
            failures.add("cannot read the spilled list of restored directories: " + e.strerror()
                    + "; their attributes are not applied");
            sources.set(i, null);
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
    public synchronized void close() {
        if (spill != null) {
            spill.close();
            spill = null;
        }
    }
}
