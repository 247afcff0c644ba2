package io.podheitor.hpc.backend;

import io.podheitor.hpc.posix.Errno;
import io.podheitor.hpc.posix.FileMode;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.ptcomm.FileRecord;
import io.podheitor.hpc.ptcomm.FileType;
import io.podheitor.hpc.ptcomm.Frame;
import io.podheitor.hpc.ptcomm.FrameWriter;
import io.podheitor.hpc.walker.Entry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.function.BooleanSupplier;

/**
 * Accurate-mode change checks (docs/ptcomm.md §8): before an entry is sent, the backend asks the shim with
 * {@code C "CHECK " FILE-record} (no data section); the shim runs the FD's checkChanges and answers
 * {@code C SEEN} (unchanged: already marked seen, never sent) or {@code C CHANGED} (send it as usual).
 *
 * <p>An entry that exists but cannot be read is named in {@code C "KEEP " path} instead: the shim then keeps its
 * catalog entries and all below it (checkFile answers bRC_Seen), so an unreadable file or directory is never
 * recorded as deleted.
 *
 * <p>Pipelined: up to {@link #WINDOW} checks are in flight; answers arrive in order on the {@link Inbound}
 * reader thread and are matched to the pending entries first in, first out. Only the emitter thread calls this
 * class.
 */
final class AccurateChecks {
    static final String SEEN = "SEEN";
    static final String CHANGED = "CHANGED";
    static final byte[] PREFIX = "CHECK ".getBytes(StandardCharsets.US_ASCII);
    static final byte[] KEEP_PREFIX = "KEEP ".getBytes(StandardCharsets.US_ASCII);
    /** Checks in flight at most: enough to hide the round trip, small enough for the pipes. */
    static final int WINDOW = 256;
    private static final long POLL_MS = 200;

    /** Where answers come from: waits at most the given milliseconds; true CHANGED, false SEEN, null none. */
    interface Answers {
        Boolean answer(long millis) throws InterruptedException;
    }

    /** What to do with an entry whose answer was CHANGED. */
    interface Emitter {
        void emit(Entry e) throws IOException;
    }

    private final FrameWriter out;
    private final Answers answers;
    private final BooleanSupplier stop;
    private final ArrayDeque<Entry> pending = new ArrayDeque<>();
    private long checked;
    private long unchanged;
    private long kept;

    AccurateChecks(FrameWriter out, Answers answers, BooleanSupplier stop) {
        this.out = out;
        this.answers = answers;
        this.stop = stop;
    }

    /** Checks apply to accurate Incremental/Differential backups (a Full has no previous state to compare). */
    static boolean applies(JobInfo job, boolean withData) {
        return withData && job.accurate() && (job.level() == 'I' || job.level() == 'D');
    }

    static boolean isAnswer(Frame f) {
        return f.isCommand(SEEN) || f.isCommand(CHANGED);
    }

    long checked() {
        return checked;
    }

    long unchanged() {
        return unchanged;
    }

    long kept() {
        return kept;
    }

    /**
     * The entry at {@code path} (and whatever is below it) could not be saved for a reason other than being gone:
     * tells the shim to keep its catalog entries. Sent only between records, like a CHECK.
     *
     * @return true if sent; false when the error says the entry no longer exists (then it is recorded deleted)
     */
    boolean keepUnlessGone(byte[] path, PosixException error) throws IOException {
        if (gone(error)) {
            return false;
        }
        byte[] p = Arrays.copyOf(KEEP_PREFIX, KEEP_PREFIX.length + path.length);
        System.arraycopy(path, 0, p, KEEP_PREFIX.length, path.length);
        out.command(p);
        kept++;
        return true;
    }

    /** The entry is no longer there: vanished (ENOENT), a parent replaced by a non-directory, a stale NFS handle. */
    static boolean gone(PosixException e) {
        return e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR || e.errno() == Errno.ESTALE;
    }

    boolean hasPending() {
        return !pending.isEmpty();
    }

    /**
     * Sends a CHECK for e and resolves answers that are already there; waits while the window is full.
     *
     * @return false if the shim went away
     */
    boolean submit(Entry e, Emitter emitter) throws IOException, InterruptedException {
        FileRecord r = checkRecord(e);
        if (r == null) {
            emitter.emit(e); // not saved at all (sockets): nothing to ask
            return true;
        }
        byte[] rec = r.encode();
        byte[] p = Arrays.copyOf(PREFIX, PREFIX.length + rec.length);
        System.arraycopy(rec, 0, p, PREFIX.length, rec.length);
        out.command(p);
        pending.add(e);
        checked++;
        while (pending.size() >= WINDOW) {
            if (!resolve(emitter)) {
                return false;
            }
        }
        resolveReady(emitter);
        return true;
    }

    /** Resolves the pending entries whose answers have already arrived, without waiting. */
    void resolveReady(Emitter emitter) throws IOException, InterruptedException {
        Boolean changed;
        while (!pending.isEmpty() && (changed = answers.answer(0)) != null) {
            settle(changed, emitter);
        }
    }

    /**
     * Flushes, then waits for the oldest pending entry's answer and settles it.
     *
     * @return false if the shim went away
     */
    boolean resolve(Emitter emitter) throws IOException, InterruptedException {
        if (pending.isEmpty()) {
            return true;
        }
        out.flush();
        Boolean changed;
        while ((changed = answers.answer(POLL_MS)) == null) {
            if (stop.getAsBoolean()) {
                return false;
            }
        }
        settle(changed, emitter);
        return true;
    }

    private void settle(boolean changed, Emitter emitter) throws IOException {
        Entry e = pending.poll();
        if (changed) {
            emitter.emit(e);
        } else {
            unchanged++;
        }
    }

    /** Waits for every outstanding answer. @return false if the shim went away */
    boolean drain(Emitter emitter) throws IOException, InterruptedException {
        while (!pending.isEmpty()) {
            if (!resolve(emitter)) {
                return false;
            }
        }
        return true;
    }

    /** The record the shim compares (no data flag), or null for entries that are never saved. */
    static FileRecord checkRecord(Entry e) {
        StatX st = e.stat();
        return switch (st.type()) {
            case FileMode.S_IFDIR -> record(FileType.DIRECTORY, st, directoryName(e.path()), null);
            case FileMode.S_IFLNK -> record(FileType.SYMLINK, st, e.path(), e.linkTarget());
            case FileMode.S_IFREG -> record(st.size() == 0 ? FileType.EMPTY : FileType.REGULAR, st, e.path(), null);
            case FileMode.S_IFIFO -> record(FileType.FIFO, st, e.path(), null);
            case FileMode.S_IFCHR -> record(FileType.CHAR_DEVICE, st, e.path(), null);
            case FileMode.S_IFBLK -> record(FileType.BLOCK_DEVICE, st, e.path(), null);
            default -> null;
        };
    }

    private static byte[] directoryName(byte[] path) {
        if (path.length > 0 && path[path.length - 1] == '/') {
            return path;
        }
        byte[] n = Arrays.copyOf(path, path.length + 1);
        n[path.length] = '/';
        return n;
    }

    private static FileRecord record(FileType type, StatX st, byte[] name, byte[] link) {
        return new FileRecord(type, st.mode(), st.uid(), st.gid(), st.size(), st.atimeSec(), st.mtimeSec(),
                st.ctimeSec(), st.ino(), st.dev(), st.nlink(), st.rdev(), st.blocks(), 0, 0, name, link);
    }
}
