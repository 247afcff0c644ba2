package io.podheitor.hpc.changelog.source;

import io.podheitor.hpc.posix.DirEntry;
import io.podheitor.hpc.posix.Errno;
import io.podheitor.hpc.posix.Fcntl;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.source.CatalogVerdict;
import io.podheitor.hpc.source.EntryError;
import io.podheitor.hpc.source.SourceItem;
import io.podheitor.hpc.walker.Paths;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Deletions without a change log (docs/changelog.md §5.3): a change source that lists what changed (a GPFS policy
 * scan, a POSIX or BeeGFS time filter) cannot list what was removed. But removing or renaming a name changes its
 * directory's modification time, so a directory that did not change lost no name. For an Accurate job this turns
 * the changed directories into the verdicts the shim decides deletions with (docs/ptcomm.md §8: the deepest KEEP
 * or GONE naming an entry or one of its ancestors decides; KEEP wins on the same path), lazily, one directory
 * listing at a time:
 *
 * <ol>
 *   <li>{@code KEEP root}, unless the root is itself one of the directories below (then its own verdicts say it);
 *   <li>{@code GONE W} for each directory walked whole by this job ({@code walked}: everything below it is sent,
 *       so what the catalog has below it and is not sent is gone);
 *   <li>per directory D whose contents changed ({@code listed}): {@code GONE D}, then, for each name N now in D
 *       (one getdents listing, no stat): nothing when D/N is one of the changed directories (its own verdicts
 *       come), {@code GONE D/N} when D/N is a changed non-directory (sent by this job, so itself seen; what the
 *       catalog had below that name, when it was a directory, is gone), else {@code KEEP D/N}.
 * </ol>
 *
 * A listed directory that no longer exists (ENOENT, ENOTDIR, ELOOP, ESTALE) gets no verdict: its parent changed
 * too. One that cannot be opened or read is an {@link EntryError} (a directory): the emitter reports it and keeps
 * its catalog entries ({@code KEEP D}, which wins over a {@code GONE D} already sent).
 *
 * <p>Memory: the three path sets (proportional to the changes) and one getdents batch. Cost: one listing per
 * changed directory; in the shim, the name bytes plus 32 per verdict ({@link #shimBytes}).
 */
public final class ChangedDirectories implements Iterator<SourceItem>, AutoCloseable {
    /** What the shim keeps per verdict besides the name (docs/ptcomm.md §8). */
    public static final long SHIM_BYTES_PER_NAME = 32;

    private final byte[] root;
    private final Iterator<byte[]> walked;
    private final Iterator<byte[]> listed;
    private final PathSet changedDirectories = new PathSet();
    private final PathSet changedOthers = new PathSet();
    private final Deque<SourceItem> ready = new ArrayDeque<>();
    private boolean rootDone;
    private byte[] dir;
    private int fd = -1;
    private long verdicts;
    private long names;

    /**
     * @param root   the job's root (absolute)
     * @param listed the directories whose contents changed, at or below the root
     * @param walked the directories this job walks whole, at or below the root
     * @param others the other changed paths (non-directories) at or below the root
     */
    public ChangedDirectories(byte[] root, Collection<byte[]> listed, Collection<byte[]> walked,
            Collection<byte[]> others) {
        this.root = Paths.normalize(root);
        List<byte[]> l = normalized(listed);
        List<byte[]> w = normalized(walked);
        l.forEach(changedDirectories::add);
        w.forEach(changedDirectories::add);
        normalized(others).forEach(changedOthers::add);
        this.listed = l.iterator();
        this.walked = w.iterator();
    }

    private static List<byte[]> normalized(Collection<byte[]> paths) {
        List<byte[]> out = new ArrayList<>(paths.size());
        for (byte[] p : paths) {
            out.add(Paths.normalize(p));
        }
        return out;
    }

    @Override
    public boolean hasNext() {
        while (ready.isEmpty()) {
            if (!advance()) {
                return false;
            }
        }
        return true;
    }

    @Override
    public SourceItem next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        SourceItem item = ready.poll();
        if (item instanceof CatalogVerdict) {
            verdicts++;
        }
        return item;
    }

    /** Verdicts delivered so far. */
    public long verdicts() {
        return verdicts;
    }

    /** Names listed in changed directories so far. */
    public long names() {
        return names;
    }

    /** Queues the next items; false at the end. */
    private boolean advance() {
        if (!rootDone) {
            rootDone = true;
            if (!changedDirectories.contains(root)) {
                ready.add(CatalogVerdict.keep(root));
                return true;
            }
        }
        if (walked.hasNext()) {
            ready.add(CatalogVerdict.gone(walked.next()));
            return true;
        }
        if (fd >= 0) {
            readBatch();
            return true;
        }
        if (!listed.hasNext()) {
            return false;
        }
        dir = listed.next();
        try {
            fd = Posix.openDirectory(Fcntl.AT_FDCWD, dir);
            ready.add(CatalogVerdict.gone(dir));
        } catch (PosixException e) {
            if (!vanished(e)) {
                ready.add(new EntryError(dir, e.withPath(dir), true));
            }
        }
        return true;
    }

    private void readBatch() {
        List<DirEntry> batch;
        try {
            batch = Posix.readDirectory(fd);
        } catch (PosixException e) {
            ready.add(new EntryError(dir, e.withPath(dir), true)); // the emitter keeps D: KEEP wins over GONE D
            closeDirectory();
            return;
        }
        if (batch.isEmpty()) {
            closeDirectory();
            return;
        }
        for (DirEntry d : batch) {
            names++;
            byte[] path = Paths.join(dir, d.name());
            if (changedDirectories.contains(path)) {
                continue;
            }
            ready.add(changedOthers.contains(path) ? CatalogVerdict.gone(path) : CatalogVerdict.keep(path));
        }
    }

    private void closeDirectory() {
        Posix.closeQuietly(fd);
        fd = -1;
        dir = null;
    }

    private static boolean vanished(PosixException e) {
        int n = e.errno();
        return n == Errno.ENOENT || n == Errno.ENOTDIR || n == Errno.ELOOP || n == Errno.ESTALE;
    }

    /**
     * What the verdicts of these directories would cost the shim (name bytes plus {@link #SHIM_BYTES_PER_NAME}
     * each), listing each changed directory once more; stops counting past {@code limit} and answers a number
     * above it. Directories that cannot be listed count nothing (they get no KEEP per name).
     */
    public static long shimBytes(byte[] root, Collection<byte[]> listed, Collection<byte[]> walked, long limit) {
        long total = root.length + SHIM_BYTES_PER_NAME;
        for (byte[] w : walked) {
            total += w.length + SHIM_BYTES_PER_NAME;
        }
        for (byte[] d : listed) {
            if (total > limit) {
                return total;
            }
            total += d.length + SHIM_BYTES_PER_NAME;
            int fd;
            try {
                fd = Posix.openDirectory(Fcntl.AT_FDCWD, d);
            } catch (PosixException e) {
                continue;
            }
            try {
                for (List<DirEntry> b = Posix.readDirectory(fd); !b.isEmpty() && total <= limit;
                        b = Posix.readDirectory(fd)) {
                    for (DirEntry e : b) {
                        total += d.length + 1 + e.name().length + SHIM_BYTES_PER_NAME;
                    }
                }
            } catch (PosixException e) {
                // counted so far; the verdicts will stop at the same place
            } finally {
                Posix.closeQuietly(fd);
            }
        }
        return total;
    }

    @Override
    public void close() {
        if (fd >= 0) {
            closeDirectory();
        }
    }
}
