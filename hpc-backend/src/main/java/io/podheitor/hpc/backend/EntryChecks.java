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
 * Asking the shim before an entry is sent (docs/ptcomm.md §8): {@code C "CHECK " FILE-record} (no data section);
 * the shim answers {@code C CHANGED} (send it as usual) or {@code C SEEN} (do not send it).
 *
 * <ul>
 *   <li>Accurate Incremental/Differential backups check every entry: the shim applies the FileSet options and the
 *       FD's checkChanges; SEEN = unchanged (already marked seen) or excluded.
 *   <li>Otherwise (docs/ptcomm.md §3.2) the name that would become the first name of a multiply linked inode
 *       (SEEN = the FileSet excludes it, so an excluded name never becomes the name that {@code L} records refer
 *       to, and the next name that is not excluded goes with the data), and a large regular file before the
 *       emitter reads it (SEEN = excluded: it is never read).
 * </ul>
 *
 * <p>In accurate Incremental/Differential backups an entry that exists but cannot be read is named in
 * {@code C "KEEP " path} instead: the shim then keeps its catalog entries and all below it (checkFile answers
 * bRC_Seen), so an unreadable file or directory is never recorded as deleted.
 *
 * <p>Pipelined: up to {@link #WINDOW} entries wait here, checked ones and, behind them, unchecked ones (so the send
 * order stays the walk order); answers arrive in order on the {@link Inbound} reader thread and are matched to
 * the checked entries first in, first out. Only the emitter thread calls this class.
 */
final class EntryChecks {
    static final String SEEN = "SEEN";
    static final String CHANGED = "CHANGED";
    static final byte[] PREFIX = "CHECK ".getBytes(StandardCharsets.US_ASCII);
    static final byte[] KEEP_PREFIX = "KEEP ".getBytes(StandardCharsets.US_ASCII);
    /** Entries waiting at most: enough to hide the round trip, small enough for the pipes. */
    static final int WINDOW = 256;
    private static final long POLL_MS = 200;

    /** Where answers come from: waits at most the given milliseconds; true CHANGED, false SEEN, null none. */
    interface Answers {
        Boolean answer(long millis) throws InterruptedException;
    }

    /** What to do with an entry that may be sent (answer CHANGED, or not checked). */
    interface Emitter {
        void emit(Entry e) throws IOException;
    }

    private record Waiting(Entry entry, boolean asked) {
    }

    private final FrameWriter out;
    private final Answers answers;
    private final BooleanSupplier stop;
    private final ArrayDeque<Waiting> pending = new ArrayDeque<>();
    private long checked;
    private long notSent;
    private long kept;

    EntryChecks(FrameWriter out, Answers answers, BooleanSupplier stop) {
        this.out = out;
        this.answers = answers;
        this.stop = stop;
    }

    /** Every entry is checked in accurate Incremental/Differential backups (a Full has no previous state). */
    static boolean everyEntry(JobInfo job, boolean withData) {
        return withData && job.accurate() && (job.level() == 'I' || job.level() == 'D');
    }

    static boolean isAnswer(Frame f) {
        return f.isCommand(SEEN) || f.isCommand(CHANGED);
    }

    long checked() {
        return checked;
    }

    /** Checked entries answered SEEN. */
    long notSent() {
        return notSent;
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
     * Queues e, with a CHECK when {@code ask}; emits what can be emitted without waiting; waits while the window is
     * full.
     *
     * @return false if the shim went away
     */
    boolean submit(Entry e, boolean ask, Emitter emitter) throws IOException, InterruptedException {
        FileRecord r = ask ? checkRecord(e) : null;
        if (r == null) { // not asked (or never saved at all, like sockets)
            if (pending.isEmpty()) {
                emitter.emit(e);
                return true;
            }
            pending.add(new Waiting(e, false));
        } else {
            byte[] rec = r.encode();
            byte[] p = Arrays.copyOf(PREFIX, PREFIX.length + rec.length);
            System.arraycopy(rec, 0, p, PREFIX.length, rec.length);
            out.command(p);
            pending.add(new Waiting(e, true));
            checked++;
        }
        while (pending.size() >= WINDOW) {
            if (!resolve(emitter)) {
                return false;
            }
        }
        resolveReady(emitter);
        return true;
    }

    /** Settles the waiting entries at the head that need no answer or whose answers have arrived. */
    void resolveReady(Emitter emitter) throws IOException, InterruptedException {
        while (!pending.isEmpty()) {
            Waiting w = pending.peek();
            Boolean changed = true;
            if (w.asked() && (changed = answers.answer(0)) == null) {
                return;
            }
            pending.poll();
            settle(w, changed, emitter);
        }
    }

    /**
     * Settles the oldest waiting entry, flushing and waiting for its answer if it has one.
     *
     * @return false if the shim went away
     */
    boolean resolve(Emitter emitter) throws IOException, InterruptedException {
        Waiting w = pending.poll();
        if (w == null) {
            return true;
        }
        Boolean changed = true;
        if (w.asked()) {
            out.flush();
            while ((changed = answers.answer(POLL_MS)) == null) {
                if (stop.getAsBoolean()) {
                    return false;
                }
            }
        }
        settle(w, changed, emitter);
        return true;
    }

    private void settle(Waiting w, boolean changed, Emitter emitter) throws IOException {
        if (changed) {
            emitter.emit(w.entry());
        } else {
            notSent++;
        }
    }

    /** Settles every waiting entry. @return false if the shim went away */
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
