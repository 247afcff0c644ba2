package io.podheitor.hpc.backend.restore;

import io.podheitor.hpc.backend.job.JobInfo;
import io.podheitor.hpc.posix.Errno;
import io.podheitor.hpc.posix.Fcntl;
import io.podheitor.hpc.posix.FileMode;
import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.ptcomm.FileRecord;
import io.podheitor.hpc.ptcomm.FileType;
import io.podheitor.hpc.ptcomm.FrameWriter;
import io.podheitor.hpc.ptcomm.MetaBlob;
import io.podheitor.hpc.ptcomm.ProtocolException;
import io.podheitor.hpc.ptcomm.Status;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The restore side of docs/ptcomm.md §5: creates what each FILE record describes and answers OK (data
 * follows), DONE, SKIP or E. Regular files get mode, owner and times when their data is closed; symlinks get
 * owner and times with lchown/utimensat NOFOLLOW semantics; directories get theirs at FINISH.
 *
 * <p>Every name is reached through {@link RestoreTree}: from one descriptor of the restore directory, never
 * following a symbolic link and never leaving {@code where} (docs/security.md). Each entry is then created relative
 * to its directory's descriptor, a regular file with O_CREAT|O_EXCL|O_NOFOLLOW.
 *
 * <p>Replacing an existing non-directory (replace=a, or w/o when the date test passes) unlinks it first and
 * creates a new inode, so other hard links to the old inode keep their old content.
 * Missing parent directories are created with mode 0700; those that are later restored get their own
 * attributes at FINISH. A file whose data cannot be written completely (a full file system) is removed.
 */
public final class Restorer {
    private static final int CREATE_FLAGS =
            Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_EXCL | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC;

    private final FrameWriter out;
    private final char replace;
    private final byte[] where;
    private final byte[] regexWhere;
    private final DeferredDirectories directories;
    private RestoreTree tree;
    private OpenFile current;
    private final MetadataApplier metadata;
    /** The entry the last FILE record named (its directory stays open until the next record), or null. */
    private RestoreTree.Target last;
    /** Whether {@link #last} was created (a following metadata blob applies to it), and whether it is a directory. */
    private boolean lastCreated;
    private boolean lastIsDirectory;

    /** The regular file whose data is being received. */
    private static final class OpenFile {
        final FileRecord record;
        final RestoreTree.Target target;
        final int fd;
        PosixException writeError;
        boolean seeked;

        OpenFile(FileRecord record, RestoreTree.Target target, int fd) {
            this.record = record;
            this.target = target;
            this.fd = fd;
        }
    }

    public Restorer(FrameWriter out, JobInfo job) {
        this(out, job, true, true, DeferredDirectories.DEFAULT_IN_MEMORY, defaultSpillDir());
    }

    public Restorer(FrameWriter out, JobInfo job, boolean aclSupport, boolean xattrSupport, Path spillDir) {
        this(out, job, aclSupport, xattrSupport, DeferredDirectories.DEFAULT_IN_MEMORY, spillDir);
    }

    /** With the number of directories whose attributes wait on the heap before they spill (tests: small). */
    Restorer(FrameWriter out, JobInfo job, boolean aclSupport, boolean xattrSupport, int directoriesInMemory,
            Path spillDir) {
        this.out = out;
        this.replace = job.replace();
        this.where = job.where();
        this.regexWhere = job.regexWhere();
        this.metadata = new MetadataApplier(out, aclSupport, xattrSupport);
        this.directories = new DeferredDirectories(directoriesInMemory, spillDir);
    }

    private static Path defaultSpillDir() {
        return Path.of(System.getProperty("java.io.tmpdir", "/tmp"));
    }

    private RestoreTree tree() throws PosixException {
        if (tree == null) {
            tree = RestoreTree.open(where, regexWhere);
        }
        return tree;
    }

    // ------------------------------------------------------------------ createFile

    /** Handles one FILE record and writes the reply (OK, DONE, SKIP or E). */
    public void create(FileRecord r) throws IOException {
        if (current != null) {
            abandonCurrent();
        }
        releaseLast();
        byte[] path = RestoreTree.stripTrailingSlashes(r.name());
        RestoreTree.Target t;
        try {
            t = tree().forCreate(path);
        } catch (RestoreTree.Refused e) {
            refuse(path, e.getMessage());
            return;
        } catch (PosixException e) {
            out.message(Status.ERROR, "cannot restore \"" + PathText.render(path) + "\": " + describe(e));
            return;
        }
        last = t;
        try {
            if (t.leaf().length == 0 && r.type() != FileType.DIRECTORY) {
                refuse(path, "it names the restore directory itself");
                return;
            }
            StatX existing = t.lstat();
            if (existing != null && skip(r, t, existing)) {
                out.command("SKIP");
                return;
            }
            switch (r.type()) {
                case REGULAR, EMPTY -> {
                    // EMPTY: OK (CF_EXTRACT) although no data follows: the FD drops the XACL records of CF_CREATED
                    // files, and the metadata blob must reach us; close() applies the attributes
                    removeExisting(t, existing);
                    int fd = Posix.openat(t.dirFd(), t.leaf(), CREATE_FLAGS, 0600);
                    current = new OpenFile(r, t, fd);
                    created(false);
                    out.command("OK");
                    return;
                }
                case DIRECTORY -> {
                    directory(r, t, existing);
                    created(true);
                }
                case SYMLINK -> {
                    removeExisting(t, existing);
                    Posix.symlinkat(r.link(), t.dirFd(), t.leaf());
                    Posix.fchownat(t.dirFd(), t.leaf(), r.uid(), r.gid(), Fcntl.AT_SYMLINK_NOFOLLOW);
                    Posix.utimensat(t.dirFd(), t.leaf(), r.atime(), 0, r.mtime(), 0, Fcntl.AT_SYMLINK_NOFOLLOW);
                    extractWithoutData(r, t);
                    return;
                }
                case HARDLINK -> {
                    if (r.link().length == 0) {
                        out.message(Status.ERROR, "hard link \"" + PathText.render(path) + "\" without a target name");
                        return;
                    }
                    if (!link(t, r.link(), existing)) {
                        return;
                    }
                }
                case FIFO, CHAR_DEVICE, BLOCK_DEVICE -> {
                    removeExisting(t, existing);
                    int type = switch (r.type()) {
                        case FIFO -> FileMode.S_IFIFO;
                        case CHAR_DEVICE -> FileMode.S_IFCHR;
                        default -> FileMode.S_IFBLK;
                    };
                    Posix.mknodat(t.dirFd(), t.leaf(), type | 0600, r.type() == FileType.FIFO ? 0 : r.rdev());
                    Posix.fchownat(t.dirFd(), t.leaf(), r.uid(), r.gid(), Fcntl.AT_SYMLINK_NOFOLLOW);
                    // NOFOLLOW: a node swapped for a symlink meanwhile is refused, its target never chmod'ed
                    Posix.fchmodat(t.dirFd(), t.leaf(), r.mode() & FileMode.PERMISSIONS, Fcntl.AT_SYMLINK_NOFOLLOW);
                    Posix.utimensat(t.dirFd(), t.leaf(), r.atime(), 0, r.mtime(), 0, Fcntl.AT_SYMLINK_NOFOLLOW);
                    extractWithoutData(r, t);
                    return;
                }
                case SOCKET -> {
                    out.command("SKIP");
                    return;
                }
            }
            out.command("DONE");
        } catch (PosixException e) {
            out.message(Status.ERROR, "cannot restore \"" + PathText.render(path) + "\": " + describe(e));
        }
    }

    private void refuse(byte[] path, String why) throws IOException {
        out.message(Status.ERROR, "cannot restore \"" + PathText.render(path) + "\": " + why);
    }

    /**
     * A directory record: created if missing (0700 until FINISH), and remembered with its device and inode, which
     * FINISH checks before it applies the attributes.
     */
    private void directory(FileRecord r, RestoreTree.Target t, StatX existing) throws PosixException {
        if (t.leaf().length > 0 && (existing == null || !existing.isDirectory())) {
            removeExisting(t, existing);
            Posix.mkdirat(t.dirFd(), t.leaf(), 0700);
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
        directories.add(t.relative(), r.mode(), r.uid(), r.gid(), r.atime(), r.mtime(), st.dev(), st.ino());
    }

    /**
     * An {@code L} record: the entry becomes another name of {@code target} (the first name, restored before it),
     * which must lie below the restore directory and is reached without following links. A target that is not on
     * disk (a partial restore whose bootstrap left the first name out) fails this file only, with stock
     * bacula-fd's message; an existing file at the name is then left alone.
     *
     * @return true if linked; false after the E reply
     */
    private boolean link(RestoreTree.Target t, byte[] target, StatX existing) throws IOException, PosixException {
        byte[] name = RestoreTree.stripTrailingSlashes(target);
        try (RestoreTree.Target first = tree.existing(name)) {
            if (first.leaf().length == 0) {
                return linkFailed(t.path(), target, "it names the restore directory");
            }
            StatX st;
            try {
                st = Posix.statx(first.dirFd(), first.leaf(), Fcntl.AT_SYMLINK_NOFOLLOW);
            } catch (PosixException e) {
                return linkFailed(t.path(), target, e.strerror()); // before the existing file goes
            }
            if (st.isDirectory()) {
                return linkFailed(t.path(), target, Errno.message(Errno.EPERM));
            }
            removeExisting(t, existing);
            try {
                Posix.linkat(first.dirFd(), first.leaf(), t.dirFd(), t.leaf(), 0);
            } catch (PosixException e) {
                return linkFailed(t.path(), target, e.strerror());
            }
            return true;
        } catch (RestoreTree.Refused e) {
            return linkFailed(t.path(), target, e.getMessage());
        } catch (PosixException e) {
            return linkFailed(t.path(), target, e.strerror());
        }
    }

    private boolean linkFailed(byte[] path, byte[] target, String why) throws IOException {
        out.message(Status.ERROR, "Could not hard link \"" + PathText.render(path) + "\" -> \""
                + PathText.render(target) + "\": " + why);
        return false;
    }

    /** Created completely; OK anyway so that the FD delivers the metadata blob (no IO_WRITE will come). */
    private void extractWithoutData(FileRecord r, RestoreTree.Target t) throws IOException {
        current = new OpenFile(r, t, -1);
        created(false);
        out.command("OK");
    }

    private void created(boolean directory) {
        lastCreated = true;
        lastIsDirectory = directory;
    }

    /**
     * {@code C ACL} / {@code C XATTR} and its D blob (docs/ptcomm.md §5): applied to the entry the last FILE record
     * created; replies OK, or E for a blob that cannot be decoded.
     */
    public void metadata(byte[] blob) throws IOException {
        MetaBlob m;
        try {
            m = MetaBlob.decode(blob);
        } catch (ProtocolException e) {
            out.message(Status.ERROR, (last == null ? "" : "\"" + PathText.render(last.path()) + "\": ")
                    + e.getMessage());
            return;
        }
        if (last != null && lastCreated) {
            metadata.apply(last, lastIsDirectory, m, directories);
        }
        out.command("OK");
    }

    /** Bacula's replace rules; a directory this restore created (a missing parent) is never skipped. */
    private boolean skip(FileRecord r, RestoreTree.Target t, StatX existing) {
        if (existing.isDirectory() && r.type() == FileType.DIRECTORY && tree.createdAsParent(t.relative())) {
            return false;
        }
        return switch (replace) {
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

    // ------------------------------------------------------------------ pluginIO

    /** A D packet of the current file: written; a failure is remembered and reported at close. */
    public void write(byte[] data) {
        OpenFile f = current;
        if (f == null || f.fd < 0 || f.writeError != null) {
            return;
        }
        try {
            Posix.write(f.fd, data, 0, data.length);
        } catch (PosixException e) {
            f.writeError = e;
        }
    }

    /**
     * {@code C SEEK <offset>} (sparse data, docs/ptcomm.md §5): the next D packets go to that offset; the hole
     * before it is never written. No reply; a failure is reported at close like a write error.
     */
    public void seek(long offset) {
        OpenFile f = current;
        if (f == null || f.fd < 0 || f.writeError != null) {
            return;
        }
        try {
            Posix.lseek(f.fd, offset, Posix.SEEK_SET);
            f.seeked = true;
        } catch (PosixException e) {
            f.writeError = e;
        }
    }

    /** F after the data: owner, mode and times from the record, close, reply OK or E. */
    public void close() throws IOException {
        OpenFile f = current;
        current = null;
        if (f == null) {
            out.message(Status.ERROR, "end of data received but no file is open");
            return;
        }
        if (f.fd < 0) {
            out.command("OK"); // created completely at FILE time
            return;
        }
        String failure = null;
        try {
            if (f.writeError != null) {
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
            out.message(Status.ERROR, failure);
        } else {
            out.command("OK");
        }
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

    // ------------------------------------------------------------------ FINISH

    /** Applies directory attributes; failures are reported as E messages. Then {@code F}. */
    public void finish() throws IOException {
        if (current != null) {
            abandonCurrent();
        }
        releaseLast();
        if (tree != null) {
            List<String> failures = directories.applyAll(tree);
            for (String f : failures) {
                out.message(Status.ERROR, f);
            }
        }
        out.end();
    }

    /** Releases the descriptors (the session calls it when the restore conversation ends). */
    public void release() {
        if (current != null) {
            abandonCurrent();
        }
        releaseLast();
        directories.close();
        if (tree != null) {
            tree.close();
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String describe(PosixException e) {
        return e.operation() + ": " + e.strerror();
    }

    public static byte[] stripTrailingSlashes(byte[] p) {
        return RestoreTree.stripTrailingSlashes(p);
    }

    /** The parent directory of an absolute or relative path, or null when there is none ("/x" -> null). */
    static byte[] parentOf(byte[] p) {
        int i = p.length - 1;
        while (i >= 0 && p[i] != '/') {
            i--;
        }
        if (i <= 0) {
            return null;
        }
        return Arrays.copyOf(p, i);
    }
}
