package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.posix.Errno;
import io.podheitor.hpc.posix.FileMode;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.ptcomm.FileRecord;
import io.podheitor.hpc.ptcomm.FileType;
import io.podheitor.hpc.ptcomm.Frame;
import io.podheitor.hpc.ptcomm.FrameWriter;
import io.podheitor.hpc.source.Entry;
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
 * bRC_Seen), so an unreadable file or directory is never recorded as deleted. A source that does not walk states
 * {@code KEEP} and {@code GONE} itself ({@link DeletionSink}).
 *
 * <p>Pipelined: up to {@link #WINDOW} entries wait here, checked ones and, behind them, unchecked ones (so the send
 * order stays the walk order); answers arrive in order on the {@link Inbound} reader thread and are matched to
 * the checked entries first in, first out. Only the emitter thread calls this class.
 */
public final class EntryChecks implements DeletionSink {
    public static final String SEEN = "SEEN";
    public static final String CHANGED = "CHANGED";
    public static final byte[] PREFIX = "CHECK ".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] KEEP_PREFIX = "KEEP ".getBytes(StandardCharsets.US_ASCII);
    public static final byte[] GONE_PREFIX = "GONE ".getBytes(StandardCharsets.US_ASCII);
    /**
     * A regular file larger than this that the source did not read ahead is CHECKed before it is read
     * (docs/ptcomm.md §3.2), so that a large file the FileSet excludes is never read.
     */
    public static final long CHECK_BEFORE_READING = 64 * 1024;
    /** Entries waiting at most: enough to hide the round trip, small enough for the pipes. */
    public static final int WINDOW = 256;
    private static final long POLL_MS = 200;

    /** Where answers come from: waits at most the given milliseconds; true CHANGED, false SEEN, null none. */
    public interface Answers {
        Boolean answer(long millis) throws InterruptedException;
    }

    /** What to do with an entry that may be sent (answer CHANGED, or not checked). */
    interface Sender {
        void send(Entry e) throws IOException;
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
    private long keptBySource;
    private long goneBySource;

    EntryChecks(FrameWriter out, Answers answers, BooleanSupplier stop) {
        this.out = out;
        this.answers = answers;
        this.stop = stop;
    }

    /** Is f an answer to a CHECK (read by the session's input thread, kept apart from commands)? */
    public static boolean isAnswer(Frame f) {
        return f.isCommand(SEEN) || f.isCommand(CHANGED);
    }

    long checked() {
        return checked;
    }

    /** Checked entries answered SEEN. */
    long notSent() {
        return notSent;
    }

    /** Unreadable entries named in KEEP. */
    long kept() {
        return kept;
    }

    /** KEEPs a source stated ({@link #keep}). */
    long keptBySource() {
        return keptBySource;
    }

    /** GONEs a source stated ({@link #gone}). */
    long goneBySource() {
        return goneBySource;
    }

    @Override
    public void keep(byte[] path) throws IOException {
        out.command(prefixed(KEEP_PREFIX, path));
        keptBySource++;
    }

    @Override
    public void gone(byte[] path) throws IOException {
        out.command(prefixed(GONE_PREFIX, path));
        goneBySource++;
    }

    private static byte[] prefixed(byte[] prefix, byte[] path) {
        byte[] p = Arrays.copyOf(prefix, prefix.length + path.length);
        System.arraycopy(path, 0, p, prefix.length, path.length);
        return p;
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
        out.command(prefixed(KEEP_PREFIX, path));
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
    boolean submit(Entry e, boolean ask, Sender sender) throws IOException, InterruptedException {
        FileRecord r = ask ? checkRecord(e) : null;
        if (r == null) { // not asked (or never saved at all, like sockets)
            if (pending.isEmpty()) {
                sender.send(e);
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
            if (!resolve(sender)) {
                return false;
            }
        }
        resolveReady(sender);
        return true;
    }

    /** Settles the waiting entries at the head that need no answer or whose answers have arrived. */
    void resolveReady(Sender sender) throws IOException, InterruptedException {
        while (!pending.isEmpty()) {
            Waiting w = pending.peek();
            Boolean changed = true;
            if (w.asked() && (changed = answers.answer(0)) == null) {
                return;
            }
            pending.poll();
            settle(w, changed, sender);
        }
    }

    /**
     * Settles the oldest waiting entry, flushing and waiting for its answer if it has one.
     *
     * @return false if the shim went away
     */
    boolean resolve(Sender sender) throws IOException, InterruptedException {
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
        settle(w, changed, sender);
        return true;
    }

    private void settle(Waiting w, boolean changed, Sender sender) throws IOException {
        if (changed) {
            sender.send(w.entry());
        } else {
            notSent++;
        }
    }

    /** Settles every waiting entry. @return false if the shim went away */
    boolean drain(Sender sender) throws IOException, InterruptedException {
        while (!pending.isEmpty()) {
            if (!resolve(sender)) {
                return false;
            }
        }
        return true;
    }

    /** The record the shim compares (no data flag), or null for entries that are never saved. */
    static FileRecord checkRecord(Entry e) {
        StatX st = e.stat();
        FileType type = switch (st.type()) {
            case FileMode.S_IFDIR -> FileType.DIRECTORY;
            case FileMode.S_IFLNK -> FileType.SYMLINK;
            case FileMode.S_IFREG -> st.size() == 0 ? FileType.EMPTY : FileType.REGULAR;
            case FileMode.S_IFIFO -> FileType.FIFO;
            case FileMode.S_IFCHR -> FileType.CHAR_DEVICE;
            case FileMode.S_IFBLK -> FileType.BLOCK_DEVICE;
            default -> null;
        };
        if (type == null) {
            return null;
        }
        byte[] name = type == FileType.DIRECTORY ? EntryWriter.directoryName(e.path()) : e.path();
        return EntryWriter.record(type, st, name, type == FileType.SYMLINK ? e.linkTarget() : null, 0, 0);
    }
}
