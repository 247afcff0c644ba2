package io.podheitor.hpc.backend;

import io.podheitor.hpc.posix.Fcntl;
import io.podheitor.hpc.posix.FileMode;
import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.posix.Xattrs;
import io.podheitor.hpc.ptcomm.FileRecord;
import io.podheitor.hpc.ptcomm.FileType;
import io.podheitor.hpc.ptcomm.FrameWriter;
import io.podheitor.hpc.ptcomm.Status;
import io.podheitor.hpc.walker.Entry;
import io.podheitor.hpc.walker.Walk;
import io.podheitor.hpc.walker.WalkEnd;
import io.podheitor.hpc.walker.WalkError;
import io.podheitor.hpc.walker.WalkItem;
import io.podheitor.hpc.walker.WalkOptions;
import java.io.IOException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The single emitter of a backup or estimate (docs/ptcomm.md §4): drains the walk channel and writes one FILE
 * record per entry, with the data section for regular files when backing up. Frames are flushed whenever the
 * channel is momentarily empty, so the shim never waits on a buffered frame.
 */
final class BackupStreamer {
    static final int PACKET = 64 * 1024;
    /**
     * A regular file larger than this that the walker did not read ahead is CHECKed before the emitter reads it
     * (docs/ptcomm.md §3.2), so that a large file the FileSet excludes is never read.
     */
    static final long CHECK_BEFORE_READING = 64 * 1024;

    private final FrameWriter out;
    private final PluginParams params;
    private final JobInfo job;
    private final boolean withData;
    private final BooleanSupplier stop;
    private final Consumer<byte[]> beforeOpen;
    private final boolean hooked;
    private final HardLinkIndex links;
    private final MetadataCollector meta;
    private boolean linkSpillTold;
    private boolean linkDropWarned;
    private final byte[] buffer = new byte[PACKET];
    private long records;
    private final EntryChecks checks; // ask the shim before sending (docs/ptcomm.md §8)
    private final boolean checkEvery; // accurate Incremental/Differential: every entry; else first link names
    private long dataBytes;
    private Xattrs.Read xattrsAhead; // the extended attributes of the entry being emitted, read by the walker, or null
    private long notSaved;   // files that vanished or could not be opened/read: warned once each
    private long changedWhileRead; // files whose size differed from the listing: warned once each

    /**
     * @param withData backup (true) or estimate (false)
     * @param stop     polled between entries: true when the shim went away, which abandons the walk
     * @param beforeOpen called before a file is opened for its data (a test seam), or null
     * @param checks   the CHECK conversation with the shim
     */
    BackupStreamer(FrameWriter out, PluginParams params, JobInfo job, boolean withData, BooleanSupplier stop,
            Consumer<byte[]> beforeOpen, EntryChecks checks) {
        this.checks = checks;
        this.checkEvery = EntryChecks.everyEntry(job, withData);
        this.hooked = beforeOpen != null;
        this.beforeOpen = beforeOpen == null ? p -> { } : beforeOpen;
        this.out = out;
        this.params = params;
        this.job = job;
        this.withData = withData;
        this.stop = stop;
        this.meta = new MetadataCollector(out, params.aclSupport(), params.xattrSupport());
        this.links = new HardLinkIndex(params.hardlinkMemory(), params.spillDir());
    }

    long records() {
        return records;
    }

    long dataBytes() {
        return dataBytes;
    }

    /**
     * Streams everything, then the final {@code F}.
     *
     * @return false if stopped early (the shim went away; no final F sent)
     */
    boolean run() throws IOException {
        // read-ahead only when data is sent, and not when a test hooks the opening of files
        WalkOptions options = withData && !hooked ? params.backupWalkOptions() : params.walkOptions();
        if (job.sinceApplies()) {
            options = options.withReadAheadSince(job.since()); // an incremental reads no unchanged file
        }
        try (HardLinkIndex closeLinks = links; Walk walk = Walk.start(params.path(), options)) {
            while (true) {
                if (stop.getAsBoolean()) {
                    walk.cancel();
                    return false;
                }
                WalkItem item = walk.poll();
                if (item == null) {
                    out.flush();
                    if (checks.hasPending()) {
                        if (!checks.resolve(this::emit)) {
                            walk.cancel();
                            return false;
                        }
                        continue;
                    }
                    item = walk.take();
                }
                switch (item) {
                    case Entry e -> {
                        if (!checks.submit(e, checkEvery || firstLinkName(e) || largeUnread(e), this::emit)) {
                            walk.cancel();
                            return false;
                        }
                    }
                    case WalkError e -> report(e);
                    case WalkEnd end -> {
                        if (end.failure() != null) {
                            out.message(Status.ABORT, "walk of \"" + PathText.render(params.path()) + "\" failed: "
                                    + end.failure());
                            out.flush();
                            return false;
                        }
                        if (!checks.drain(this::emit)) {
                            return false;
                        }
                        if (checkEvery) {
                            out.message(Status.INFO, "accurate: " + checks.checked() + " entries checked, "
                                    + checks.notSent() + " not sent (unchanged or excluded by the FileSet)"
                                    + (checks.kept() > 0 ? ", " + checks.kept()
                                            + " unreadable kept (not recorded deleted)" : ""));
                        }
                        if (links.spilled() > 0) {
                            out.message(Status.INFO, "hard-link index: " + links.size() + " multiply linked inodes, "
                                    + links.spilled() + " of them spilled to disk (" + links.spillBytes() / 1024
                                    + " KiB)");
                        }
                        if (notSaved + changedWhileRead > 0) {
                            out.message(Status.WARNING, notSaved + " files not saved (vanished or unreadable), "
                                    + changedWhileRead + " changed while being saved");
                        }
                        out.end();
                        out.flush();
                        return true;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void report(WalkError e) throws IOException {
        PosixException x = e.error();
        String what = switch (x.operation()) {
            case "open" -> e.directory() ? "cannot open directory" : "cannot open";
            case "getdents64" -> "cannot read directory";
            case "statx" -> "cannot stat";
            case "readlink" -> "cannot read symlink";
            default -> "cannot " + x.operation();
        };
        // listed but not saved (vanished before its stat, unreadable): a non-fatal error, as stock bacula-fd
        // reports "Could not stat" -- the job then ends "Backup OK -- with warnings"
        notSaved++;
        out.message(Status.ERROR, what + " \"" + PathText.render(e.path()) + "\": " + x.strerror());
        keep(e.path(), x);
    }

    /** Accurate mode: an entry that exists but could not be saved keeps its catalog entries (docs/ptcomm.md §8). */
    private void keep(byte[] path, PosixException x) throws IOException {
        if (checkEvery) {
            checks.keepUnlessGone(path, x);
        }
    }

    private boolean changedSince(StatX st) {
        return checkEvery || !job.sinceApplies() || st.mtimeSec() >= job.since() || st.ctimeSec() >= job.since();
    }

    /**
     * Would e, if sent now, become the first name of a multiply linked inode (the name later L records refer
     * to)? Then the shim is asked first (docs/ptcomm.md §3.2): it answers SEEN when the FileSet excludes the name,
     * and the next name that is not excluded becomes the first name, with the data.
     */
    private boolean largeUnread(Entry e) throws IOException {
        StatX st = e.stat();
        return withData && st.isRegular() && e.data() == null && st.size() > CHECK_BEFORE_READING
                && changedSince(st) && (st.nlink() <= 1 || links.lookup(st.dev(), st.ino()) == null);
    }

    private boolean firstLinkName(Entry e) throws IOException {
        StatX st = e.stat();
        if (st.nlink() <= 1 || !changedSince(st)) {
            return false;
        }
        return switch (st.type()) {
            case FileMode.S_IFREG, FileMode.S_IFIFO, FileMode.S_IFCHR, FileMode.S_IFBLK ->
                    links.lookup(st.dev(), st.ino()) == null;
            default -> false;
        };
    }

    private void emit(Entry e) throws IOException {
        xattrsAhead = e.xattrs();
        StatX st = e.stat();
        if (!st.isDirectory() && !changedSince(st)) {
            return;
        }
        switch (st.type()) {
            case FileMode.S_IFDIR -> sendWithMeta(record(FileType.DIRECTORY, st, directoryName(e.path()), null, 0, 0), e.path(), st);
            case FileMode.S_IFLNK -> sendWithMeta(record(FileType.SYMLINK, st, e.path(), e.linkTarget(), 0, 0), e.path(), st);
            case FileMode.S_IFREG -> {
                if (e.data() != null && withData) {
                    readAhead(e);
                } else {
                    regular(e.path(), st);
                }
            }
            case FileMode.S_IFIFO -> special(FileType.FIFO, e.path(), st);
            case FileMode.S_IFCHR -> special(FileType.CHAR_DEVICE, e.path(), st);
            case FileMode.S_IFBLK -> special(FileType.BLOCK_DEVICE, e.path(), st);
            default -> {
                // sockets (and unknown types) are not saved, as Bacula does
            }
        }
    }

    /** Fifos and devices: a record without data; hard-linked ones as L like regular files. */
    private void special(FileType type, byte[] path, StatX st) throws IOException {
        if (sentAsHardLink(path, st)) {
            return;
        }
        rememberIfLinked(path, st);
        sendWithMeta(record(type, st, path, null, 0, 0), path, st);
    }

    private void regular(byte[] path, StatX st) throws IOException {
        if (sentAsHardLink(path, st)) {
            return;
        }
        if (st.size() == 0) {
            rememberIfLinked(path, st);
            sendWithMeta(record(FileType.EMPTY, st, path, null, 0, 0), path, st);
            return;
        }
        if (!withData) {
            rememberIfLinked(path, st);
            send(record(FileType.REGULAR, st, path, null, 0, 0));
            return;
        }
        beforeOpen.accept(path);
        int fd;
        try {
            fd = Posix.openForReading(Fcntl.AT_FDCWD, path);
        } catch (PosixException x) {
            out.message(Status.ERROR, "cannot open \"" + PathText.render(path) + "\": " + x.strerror());
            notSaved++;
            keep(path, x);
            return;
        }
        StatX now;
        try {
            now = Posix.fstat(fd);
        } catch (PosixException x) {
            Posix.closeQuietly(fd);
            out.message(Status.ERROR, "cannot stat \"" + PathText.render(path) + "\": " + x.strerror());
            notSaved++;
            keep(path, x);
            return;
        }
        try {
            if (!now.isRegular()) {
                out.message(Status.ERROR, "\"" + PathText.render(path) + "\" is no longer a regular file; not saved");
                notSaved++;
                return;
            }
            rememberIfLinked(path, st);
            byte[] blob = meta.collect(path, st, xattrsAhead);
            boolean sparse = SparseSection.hasHoles(fd, now.size());
            send(record(FileType.REGULAR, st, path, null, FileRecord.FLAG_DATA | FileRecord.FLAG_XATTR
                    | (sparse ? FileRecord.FLAG_SPARSE : 0), 0));
            if (sparse) {
                dataBytes += SparseSection.send(out, fd, path, buffer);
            } else {
                sendData(fd, path, st.size(), now.size());
            }
            out.data(blob, 0, blob.length); // the metadata blob follows the data section (docs/ptcomm.md §4)
        } finally {
            Posix.closeQuietly(fd);
        }
    }

    /** A small file the walker already read (Entry.data, exactly stat.size bytes): no I/O here. */
    private void readAhead(Entry e) throws IOException {
        StatX st = e.stat();
        if (sentAsHardLink(e.path(), st)) {
            return;
        }
        rememberIfLinked(e.path(), st);
        byte[] blob = meta.collect(e.path(), st, xattrsAhead);
        send(record(FileType.REGULAR, st, e.path(), null, FileRecord.FLAG_DATA | FileRecord.FLAG_XATTR, 0));
        byte[] d = e.data();
        for (int off = 0; off < d.length; off += PACKET) {
            out.data(d, off, Math.min(PACKET, d.length - off));
        }
        dataBytes += d.length;
        out.end();
        out.data(blob, 0, blob.length); // the metadata blob follows the data section, as for other files
    }

    /** The data section: 64 KiB D packets then F; a read error ends it with E (docs/ptcomm.md §4.2). */
    private void sendData(int fd, byte[] path, long walkedSize, long sizeAtOpen) throws IOException {
        long total = 0;
        while (true) {
            int filled = 0;
            boolean eof = false;
            try {
                // a file that grows while read is saved up to its size at open (never chased forever)
                int want = (int) Math.min(PACKET, sizeAtOpen - total);
                while (filled < want) {
                    int n = Posix.read(fd, buffer, filled, want - filled);
                    if (n == 0) {
                        eof = true;
                        break;
                    }
                    filled += n;
                }
                eof |= total + filled >= sizeAtOpen;
            } catch (PosixException x) {
                if (filled > 0) {
                    out.data(buffer, 0, filled);
                }
                out.message(Status.ERROR, "read error on \"" + PathText.render(path) + "\": " + x.strerror());
                dataBytes += total + filled;
                return;
            }
            if (filled > 0) {
                out.data(buffer, 0, filled);
                total += filled;
            }
            if (eof) {
                break;
            }
            if (stop.getAsBoolean()) {
                break; // the shim is gone; end the section cleanly, the caller stops at the next entry
            }
        }
        dataBytes += total;
        if (total != walkedSize) {
            changedWhileRead++;
            out.message(Status.WARNING, "\"" + PathText.render(path) + "\" changed while being saved: size "
                    + walkedSize + " when listed, " + total + " bytes read");
        }
        out.end();
    }

    private boolean sentAsHardLink(byte[] path, StatX st) throws IOException {
        if (st.nlink() <= 1) {
            return false;
        }
        HardLinkIndex.First first = links.lookup(st.dev(), st.ino());
        if (first == null) {
            return false;
        }
        send(record(FileType.HARDLINK, st, path, first.name(), 0, first.recordNumber()));
        return true;
    }

    /** Called just before the first record of an inode is sent: that record's number is the link target id. */
    private void rememberIfLinked(byte[] path, StatX st) throws IOException {
        if (st.nlink() <= 1) {
            return;
        }
        switch (links.remember(st.dev(), st.ino(), records, path)) {
            case DISK -> {
                if (!linkSpillTold) {
                    linkSpillTold = true;
                    out.message(Status.INFO, "more than " + links.memoryCapacity() + " multiply linked inodes:"
                            + " the hard-link index spills to " + links.spillDir() + " (plugin keys hardlink_memory,"
                            + " spill_dir)");
                }
            }
            case DROPPED -> {
                if (!linkDropWarned) {
                    linkDropWarned = true;
                    out.message(Status.WARNING, "hard-link index cannot spill to " + links.spillDir() + " ("
                            + links.spillFailure().getMessage() + "): further hard links are saved as separate"
                            + " files (first: \"" + PathText.render(path) + "\")");
                }
            }
            case MEMORY, KNOWN -> { }
        }
    }

    private static byte[] directoryName(byte[] path) {
        if (path.length > 0 && path[path.length - 1] == '/') {
            return path;
        }
        byte[] n = java.util.Arrays.copyOf(path, path.length + 1);
        n[path.length] = '/';
        return n;
    }

    private static FileRecord record(FileType type, StatX st, byte[] name, byte[] link, int flags, long linkid) {
        return new FileRecord(type, st.mode(), st.uid(), st.gid(), st.size(), st.atimeSec(), st.mtimeSec(),
                st.ctimeSec(), st.ino(), st.dev(), st.nlink(), st.rdev(), st.blocks(), flags, linkid, name, link);
    }

    /** A record without data, followed by its metadata blob when backing up (estimates carry none). */
    private void sendWithMeta(FileRecord r, byte[] path, StatX st) throws IOException {
        if (!withData) {
            send(r);
            return;
        }
        byte[] blob = meta.collect(path, st, xattrsAhead);
        send(r.withFlags(r.flags() | FileRecord.FLAG_XATTR));
        out.data(blob, 0, blob.length);
    }

    private void send(FileRecord r) throws IOException {
        out.command(r.encode());
        records++;
    }
}
