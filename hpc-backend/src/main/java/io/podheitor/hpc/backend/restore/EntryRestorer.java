package io.podheitor.hpc.backend.restore;

import io.podheitor.hpc.lustre.Layout;
import io.podheitor.hpc.lustre.LayoutCodec;
import io.podheitor.hpc.posix.Errno;
import io.podheitor.hpc.posix.Fcntl;
import io.podheitor.hpc.posix.FileMode;
import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.ptcomm.FileRecord;
import io.podheitor.hpc.ptcomm.FileType;
import io.podheitor.hpc.ptcomm.MetaBlob;
import io.podheitor.hpc.ptcomm.ProtocolException;
import io.podheitor.hpc.ptcomm.Status;
import java.io.IOException;

/**
 * Restores entries one after the other: what one FILE record describes, its data, its close and its metadata blob
 * (docs/ptcomm.md §5). The lock-step {@link Restorer} has one; each worker of a {@link ParallelRestorer} has its own
 * and gets all the calls of a file in their order. The state here (the open file, the entry the last record named)
 * belongs to one thread; what is shared is in the {@link RestoreContext}.
 *
 * <p>Every name is reached through {@link RestoreTree}: from one descriptor of the restore directory, never
 * following a symbolic link and never leaving {@code where} (docs/security.md). Each entry is then created relative
 * to its directory's descriptor, a regular file with O_CREAT|O_EXCL|O_NOFOLLOW. Replacing an existing non-directory
 * (replace=a, or w/o when the date test passes) unlinks it first and creates a new inode, so other hard links to the
 * old inode keep their old content. Missing parent directories are created with mode 0700; those that are later
 * restored get their own attributes at FINISH. A file whose data cannot be written completely is removed.
 *
 * <p>Failures are reported through {@link RestoreOutput#failed} with the file's number; the callers decide what a
 * success answers.
 */
final class EntryRestorer {
    private static final int CREATE_FLAGS =
            Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_EXCL | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC;

    /** The rdev of a regular file whose data starts with its layout (docs/stripe.md; "PHLY"). */
    static final long LAYOUT_MARK = 0x50484C59L;

    /** What the create step did. */
    enum Created {
        /** created; data (maybe none), then the close follow (CF_EXTRACT) */
        EXTRACT,
        /** created completely, no close follows (CF_CREATED) */
        DONE,
        /** not restored (CF_SKIP) */
        SKIP,
        /** failed; reported */
        FAILED
    }

    private final RestoreContext ctx;
    private final RestoreOutput out;
    private OpenFile current;
    /** The file whose create failed: its data and close are dropped (pipelined: the FD sends them anyway). */
    private boolean discarding;
    /** The entry the last FILE record named (its directory stays open until the next record), or null. */
    private RestoreTree.Target last;
    private long lastSeq = -1;
    /** Whether {@link #last} was created (a following metadata blob applies to it), and whether it is a directory. */
    private boolean lastCreated;
    private boolean lastIsDirectory;
    /**
     * A directory just created, not yet handed to the deferred list: its metadata blob (which the FD sends right after
     * its record) may still replace its times with nanosecond ones.
     */
    private DeferredDirectories.Pending pendingDirectory;

    /** The regular file whose data is being received. */
    private static final class OpenFile {
        final FileRecord record;
        final long seq;
        final RestoreTree.Target target;
        int fd;
        PosixException writeError;
        /** a failure that is not an errno (a damaged layout header), reported at close */
        String failure;
        boolean seeked;
        /** the layout header being received (docs/stripe.md): the file is created when it is complete */
        byte[] header;
        int headerHave;
        /** the header's length: the section's offsets are the file's moved up by it */
        long shift;
        boolean replaceAlways;

        OpenFile(FileRecord record, long seq, RestoreTree.Target target, int fd) {
            this.record = record;
            this.seq = seq;
            this.target = target;
            this.fd = fd;
        }
    }

    EntryRestorer(RestoreContext ctx) {
        this.ctx = ctx;
        this.out = ctx.out;
    }

    // ------------------------------------------------------------------ createFile

    /** Handles FILE record number {@code seq}; a failure is reported, a success is only returned. */
    Created create(FileRecord r, long seq) throws IOException {
        if (current != null) {
            abandonCurrent();
        }
        releaseLast();
        discarding = false;
        lastSeq = seq;
        byte[] path = RestoreTree.stripTrailingSlashes(r.name());
        RestoreTree tree;
        RestoreTree.Target t;
        try {
            tree = ctx.tree();
            t = tree.forCreate(path);
        } catch (RestoreTree.Refused e) {
            return refuse(seq, path, e.getMessage());
        } catch (PosixException e) {
            return fail(seq, "cannot restore \"" + PathText.render(path) + "\": " + describe(e));
        }
        last = t;
        try {
            if (t.leaf().length == 0 && r.type() != FileType.DIRECTORY) {
                return refuse(seq, path, "it names the restore directory itself");
            }
            // replace=always: create first and look at what is there only when the name is taken (EEXIST): a
            // restore into an empty tree then costs no lstat (and no exception) per entry. The other modes decide
            // on the existing entry first.
            boolean always = ctx.replace == 'a';
            StatX existing = always ? null : t.lstat();
            if (existing != null && skip(tree, r, t, existing)) {
                return Created.SKIP;
            }
            switch (r.type()) {
                case REGULAR, EMPTY -> {
                    // EMPTY: OK (CF_EXTRACT) although no data follows: the FD drops the XACL records of CF_CREATED
                    // files, and the metadata blob must reach us; close() applies the attributes
                    removeExisting(t, existing);
                    if (r.type() == FileType.REGULAR && r.rdev() == LAYOUT_MARK) {
                        // saved with its Lustre layout, which starts the data: created when the header is in
                        current = new OpenFile(r, seq, t, -1);
                        current.header = new byte[LayoutCodec.PREFIX];
                        current.replaceAlways = always;
                        created(false);
                        return Created.EXTRACT;
                    }
                    int fd;
                    try {
                        fd = Posix.openat(t.dirFd(), t.leaf(), CREATE_FLAGS, 0600);
                    } catch (PosixException e) {
                        if (!always || e.errno() != Errno.EEXIST) {
                            throw e;
                        }
                        removeExisting(t, t.lstat());
                        fd = Posix.openat(t.dirFd(), t.leaf(), CREATE_FLAGS, 0600);
                    }
                    current = new OpenFile(r, seq, t, fd);
                    created(false);
                    return Created.EXTRACT;
                }
                case DIRECTORY -> {
                    directory(tree, r, t, always ? t.lstat() : existing);
                    created(true);
                    return Created.DONE;
                }
                case SYMLINK -> {
                    removeExisting(t, existing);
                    try {
                        Posix.symlinkat(r.link(), t.dirFd(), t.leaf());
                    } catch (PosixException e) {
                        if (!always || e.errno() != Errno.EEXIST) {
                            throw e;
                        }
                        removeExisting(t, t.lstat());
                        Posix.symlinkat(r.link(), t.dirFd(), t.leaf());
                    }
                    Posix.fchownat(t.dirFd(), t.leaf(), r.uid(), r.gid(), Fcntl.AT_SYMLINK_NOFOLLOW);
                    Posix.utimensat(t.dirFd(), t.leaf(), r.atime(), 0, r.mtime(), 0, Fcntl.AT_SYMLINK_NOFOLLOW);
                    return extractWithoutData(r, seq, t);
                }
                case HARDLINK -> {
                    if (r.link().length == 0) {
                        return fail(seq, "hard link \"" + PathText.render(path) + "\" without a target name");
                    }
                    if (!link(tree, seq, t, r.link(), always ? t.lstat() : existing)) {
                        return Created.FAILED;
                    }
                    return Created.DONE;
                }
                case FIFO, CHAR_DEVICE, BLOCK_DEVICE -> {
                    int type = switch (r.type()) {
                        case FIFO -> FileMode.S_IFIFO;
                        case CHAR_DEVICE -> FileMode.S_IFCHR;
                        default -> FileMode.S_IFBLK;
                    };
                    removeExisting(t, existing);
                    long dev = r.type() == FileType.FIFO ? 0 : r.rdev();
                    try {
                        Posix.mknodat(t.dirFd(), t.leaf(), type | 0600, dev);
                    } catch (PosixException e) {
                        if (!always || e.errno() != Errno.EEXIST) {
                            throw e;
                        }
                        removeExisting(t, t.lstat());
                        Posix.mknodat(t.dirFd(), t.leaf(), type | 0600, dev);
                    }
                    Posix.fchownat(t.dirFd(), t.leaf(), r.uid(), r.gid(), Fcntl.AT_SYMLINK_NOFOLLOW);
                    // NOFOLLOW: a node swapped for a symlink meanwhile is refused, its target never chmod'ed
                    Posix.fchmodat(t.dirFd(), t.leaf(), r.mode() & FileMode.PERMISSIONS, Fcntl.AT_SYMLINK_NOFOLLOW);
                    Posix.utimensat(t.dirFd(), t.leaf(), r.atime(), 0, r.mtime(), 0, Fcntl.AT_SYMLINK_NOFOLLOW);
                    return extractWithoutData(r, seq, t);
                }
                case SOCKET -> {
                    return Created.SKIP;
                }
                default -> throw new IllegalStateException("unknown file type " + r.type());
            }
        } catch (PosixException e) {
            return fail(seq, "cannot restore \"" + PathText.render(path) + "\": " + describe(e));
        }
    }

    private Created refuse(long seq, byte[] path, String why) throws IOException {
        return fail(seq, "cannot restore \"" + PathText.render(path) + "\": " + why);
    }

    private Created fail(long seq, String text) throws IOException {
        discarding = true;
        out.failed(seq, text);
        return Created.FAILED;
    }

    /**
     * A directory record: created if missing (0700 until FINISH), and remembered with its device and inode, which
     * FINISH checks before it applies the attributes. Another worker may create the same directory at the same
     * moment as a missing parent of an entry below it: EEXIST is then fine when the name, looked at again without
     * following links, is a directory.
     */
    private void directory(RestoreTree tree, FileRecord r, RestoreTree.Target t, StatX existing)
            throws PosixException {
        if (t.leaf().length > 0 && (existing == null || !existing.isDirectory())) {
            removeExisting(t, existing);
            try {
                Posix.mkdirat(t.dirFd(), t.leaf(), 0700);
            } catch (PosixException e) {
                StatX now = e.errno() == Errno.EEXIST ? t.lstat() : null;
                if (now == null || !now.isDirectory()) {
                    throw e;
                }
            }
        }
        tree.createdAsParent(t.relative());
        byte[] leaf = t.leaf().length == 0 ? new byte[] {'.'} : t.leaf();
        int fd = Posix.openat(t.dirFd(), leaf, Fcntl.O_PATH | Fcntl.O_DIRECTORY | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC, 0);
        StatX st;
        try {
            st = Posix.fstat(fd);
        } finally {
            Posix.closeQuietly(fd);
        }
        flushDirectory();
        pendingDirectory = new DeferredDirectories.Pending(t.relative(), r.mode(), r.uid(), r.gid(), r.atime(), 0,
                r.mtime(), 0, st.dev(), st.ino());
    }

    /** Hands the directory created last to the deferred list (its metadata blob, if any, has been applied). */
    void flushDirectory() {
        if (pendingDirectory != null) {
            ctx.directories.add(pendingDirectory);
            pendingDirectory = null;
        }
    }

    /**
     * An {@code L} record: the entry becomes another name of {@code target} (the first name, restored before it),
     * which must lie below the restore directory and is reached without following links. A target that is not on
     * disk (a partial restore whose bootstrap left the first name out) fails this file only, with stock
     * bacula-fd's message; an existing file at the name is then left alone.
     *
     * @return true if linked; false after the failure was reported
     */
    private boolean link(RestoreTree tree, long seq, RestoreTree.Target t, byte[] target, StatX existing)
            throws IOException, PosixException {
        byte[] name = RestoreTree.stripTrailingSlashes(target);
        try (RestoreTree.Target first = tree.existing(name)) {
            if (first.leaf().length == 0) {
                return linkFailed(seq, t.path(), target, "it names the restore directory");
            }
            StatX st;
            try {
                st = Posix.statx(first.dirFd(), first.leaf(), Fcntl.AT_SYMLINK_NOFOLLOW);
            } catch (PosixException e) {
                return linkFailed(seq, t.path(), target, e.strerror()); // before the existing file goes
            }
            if (st.isDirectory()) {
                return linkFailed(seq, t.path(), target, Errno.message(Errno.EPERM));
            }
            removeExisting(t, existing);
            try {
                Posix.linkat(first.dirFd(), first.leaf(), t.dirFd(), t.leaf(), 0);
            } catch (PosixException e) {
                return linkFailed(seq, t.path(), target, e.strerror());
            }
            return true;
        } catch (RestoreTree.Refused e) {
            return linkFailed(seq, t.path(), target, e.getMessage());
        } catch (PosixException e) {
            return linkFailed(seq, t.path(), target, e.strerror());
        }
    }

    private boolean linkFailed(long seq, byte[] path, byte[] target, String why) throws IOException {
        fail(seq, "Could not hard link \"" + PathText.render(path) + "\" -> \"" + PathText.render(target) + "\": " + why);
        return false;
    }

    /** Created completely; EXTRACT anyway so that the FD delivers the metadata blob (no IO_WRITE will come). */
    private Created extractWithoutData(FileRecord r, long seq, RestoreTree.Target t) {
        current = new OpenFile(r, seq, t, -1);
        created(false);
        return Created.EXTRACT;
    }

    private void created(boolean directory) {
        lastCreated = true;
        lastIsDirectory = directory;
    }

    /** Bacula's replace rules; a directory this restore created (a missing parent) is never skipped. */
    private boolean skip(RestoreTree tree, FileRecord r, RestoreTree.Target t, StatX existing) {
        if (existing.isDirectory() && r.type() == FileType.DIRECTORY && tree.createdAsParent(t.relative())) {
            return false;
        }
        return switch (ctx.replace) {
            case 'n' -> true;
            case 'w' -> r.mtime() <= existing.mtimeSec();
            case 'o' -> r.mtime() >= existing.mtimeSec();
            default -> false;
        };
    }

    private static void removeExisting(RestoreTree.Target t, StatX existing) throws PosixException {
        if (existing == null) {
            return;
        }
        Posix.unlinkat(t.dirFd(), t.leaf(), existing.isDirectory() ? Fcntl.AT_REMOVEDIR : 0);
    }

    // ------------------------------------------------------------------ metadata blob

    /**
     * {@code C ACL} / {@code C XATTR} and its D blob: applied to the entry the last FILE record created.
     *
     * @return false when the blob could not be decoded (reported)
     */
    boolean metadata(byte[] blob) throws IOException {
        MetaBlob m;
        try {
            m = MetaBlob.decode(blob);
        } catch (ProtocolException e) {
            out.failed(lastSeq, (last == null ? "" : "\"" + PathText.render(last.path()) + "\": ") + e.getMessage());
            return false;
        }
        if (last != null && lastCreated) {
            ctx.metadata.apply(last, lastIsDirectory, m);
            if (lastIsDirectory && m.hasTimes() && pendingDirectory != null
                    && java.util.Arrays.equals(pendingDirectory.relative(), last.relative())) {
                pendingDirectory = pendingDirectory.withTimes(m.atimeSec(), m.atimeNsec(), m.mtimeSec(),
                        m.mtimeNsec());
            }
        }
        return true;
    }

    // ------------------------------------------------------------------ pluginIO

    /** A D packet of the current file: written; a failure is remembered and reported at close. */
    void write(byte[] data) throws IOException {
        OpenFile f = current;
        if (f == null || f.writeError != null || f.failure != null) {
            return;
        }
        int from = 0;
        if (f.header != null) {
            from = takeHeader(f, data);
            if (f.header != null || f.fd < 0) {
                return; // more header to come, or the create failed
            }
        }
        if (f.fd < 0 || from == data.length) {
            return;
        }
        try {
            Posix.write(f.fd, data, from, data.length - from);
        } catch (PosixException e) {
            f.writeError = e;
        }
    }

    /**
     * Takes the layout header's bytes from {@code data} (docs/stripe.md); once it is complete, creates the file with
     * the layout.
     *
     * @return where the file's own bytes start in {@code data}
     */
    private int takeHeader(OpenFile f, byte[] data) throws IOException {
        int used = 0;
        while (f.header != null && used < data.length) {
            int n = Math.min(f.header.length - f.headerHave, data.length - used);
            System.arraycopy(data, used, f.header, f.headerHave, n);
            f.headerHave += n;
            used += n;
            if (f.headerHave < f.header.length) {
                break;
            }
            if (f.header.length == LayoutCodec.PREFIX) {
                int len = LayoutCodec.announcedLength(f.header);
                if (len < 0) {
                    f.failure = "\"" + PathText.render(f.target.path()) + "\": its data does not start with the "
                            + "layout header its attributes announce; not restored";
                    f.header = null;
                    return data.length;
                }
                f.header = java.util.Arrays.copyOf(f.header, len);
                continue;
            }
            Layout layout;
            try {
                layout = LayoutCodec.decode(f.header);
            } catch (IllegalArgumentException e) {
                f.failure = "\"" + PathText.render(f.target.path()) + "\": damaged layout header: " + e.getMessage()
                        + "; not restored";
                f.header = null;
                return data.length;
            }
            f.shift = f.header.length;
            f.header = null;
            try {
                f.fd = createWithLayout(f, layout);
            } catch (PosixException e) {
                f.writeError = e;
                return data.length;
            }
        }
        return used;
    }

    private int createWithLayout(OpenFile f, Layout layout) throws PosixException, IOException {
        RestoreTree.Target t = f.target;
        try {
            return ctx.layouts().create(t, layout, CREATE_FLAGS, out);
        } catch (PosixException e) {
            if (!f.replaceAlways || e.errno() != Errno.EEXIST) {
                throw e;
            }
            removeExisting(t, t.lstat());
            return ctx.layouts().create(t, layout, CREATE_FLAGS, out);
        }
    }

    /** {@code C SEEK <offset>}: the next D packets go to that offset; a failure is reported at close. */
    void seek(long offset) {
        OpenFile f = current;
        if (f == null || f.writeError != null || f.failure != null) {
            return;
        }
        if (f.header != null || offset < f.shift) {
            f.failure = "\"" + PathText.render(f.target.path()) + "\": a seek to " + offset
                    + " inside its layout header; not restored";
            return;
        }
        if (f.fd < 0) {
            return;
        }
        try {
            Posix.lseek(f.fd, offset - f.shift, Posix.SEEK_SET);
            f.seeked = true;
        } catch (PosixException e) {
            f.writeError = e;
        }
    }

    /** The close step ({@code F} after the data). */
    enum Closed {
        OK,
        /** failed; reported */
        FAILED,
        /** no file open: the create failed (its data is dropped) */
        DROPPED,
        /** no file open and none failed: a protocol slip of the shim */
        NONE
    }

    /** F after the data: owner, mode and times from the record, close. */
    Closed close() throws IOException {
        OpenFile f = current;
        current = null;
        if (f == null) {
            boolean dropped = discarding;
            discarding = false;
            return dropped ? Closed.DROPPED : Closed.NONE;
        }
        if (f.header != null && f.failure == null) {
            f.failure = "\"" + PathText.render(f.target.path()) + "\": its data ended inside its layout header; "
                    + "not restored";
        }
        if (f.fd < 0 && (f.failure != null || f.writeError != null)) {
            lastCreated = false;
            out.failed(f.seq, f.failure != null ? f.failure : "cannot create \"" + PathText.render(f.target.path())
                    + "\": " + f.writeError.strerror());
            return Closed.FAILED;
        }
        if (f.fd < 0) {
            return Closed.OK; // created completely at FILE time
        }
        String failure = f.failure == null ? null : f.failure + removePartial(f);
        try {
            if (failure != null) {
                // a damaged header: reported below
            } else if (f.writeError != null) {
                failure = "write error on \"" + PathText.render(f.target.path()) + "\": " + f.writeError.strerror()
                        + removePartial(f);
            } else {
                // a trailing hole (or a file that is all hole): the FD seeks only before data, so a sparse
                // source -- sought over, or fewer allocated blocks than its size -- is extended to its size.
                // A dense file that shrank while being saved is not padded.
                boolean sparseSource = f.seeked || f.record.blocks() * 512 < f.record.size();
                if (sparseSource && Posix.fstat(f.fd).size() < f.record.size()) {
                    Posix.ftruncate(f.fd, f.record.size());
                }
                applyToDescriptor(f.fd, f.record);
            }
        } catch (PosixException e) {
            failure = "cannot set attributes of \"" + PathText.render(f.target.path()) + "\": " + e.strerror();
        } finally {
            try {
                Posix.close(f.fd);
            } catch (PosixException e) {
                if (failure == null) {
                    failure = "close error on \"" + PathText.render(f.target.path()) + "\": " + e.strerror();
                }
            }
        }
        if (failure != null) {
            lastCreated = false;
            out.failed(f.seq, failure);
            return Closed.FAILED;
        }
        return Closed.OK;
    }

    /**
     * A file whose data could not be written completely is removed, so no truncated file is left looking like a
     * restored one: only when its name still holds the inode this restore created.
     */
    private static String removePartial(OpenFile f) {
        try {
            StatX mine = Posix.fstat(f.fd);
            StatX there = Posix.statx(f.target.dirFd(), f.target.leaf(), Fcntl.AT_SYMLINK_NOFOLLOW);
            if (mine.dev() == there.dev() && mine.ino() == there.ino()) {
                Posix.unlinkat(f.target.dirFd(), f.target.leaf(), 0);
                return " (the partial file was removed)";
            }
            return " (the partial file was replaced meanwhile and is left as it is)";
        } catch (PosixException e) {
            return " (the partial file could not be removed: " + e.strerror() + ")";
        }
    }

    /** Owner first (chown clears setuid bits), then mode, then times. */
    private static void applyToDescriptor(int fd, FileRecord r) throws PosixException {
        Posix.fchown(fd, r.uid(), r.gid());
        Posix.fchmod(fd, r.mode() & FileMode.PERMISSIONS);
        Posix.futimens(fd, r.atime(), 0, r.mtime(), 0);
    }

    /** Is a file open (created, its close not yet received)? */
    boolean hasOpenFile() {
        return current != null;
    }

    private void abandonCurrent() {
        Posix.closeQuietly(current.fd);
        current = null;
    }

    private void releaseLast() {
        if (last != null) {
            last.close();
            last = null;
        }
        lastCreated = false;
    }

    /** The end of the files (FINISH, END, the end of input): closes what is open, hands over the last directory. */
    void finishEntries() {
        if (current != null) {
            abandonCurrent();
        }
        releaseLast();
        discarding = false;
        flushDirectory();
    }

    static String describe(PosixException e) {
        return e.operation() + ": " + e.strerror();
    }

    /** For messages of a lock-step restore that name no file ("end of data received but no file is open"). */
    void error(String text) throws IOException {
        out.message(Status.ERROR, text);
    }
}
