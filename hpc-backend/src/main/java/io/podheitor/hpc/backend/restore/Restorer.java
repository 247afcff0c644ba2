package io.podheitor.hpc.backend.restore;

import io.podheitor.hpc.posix.Errno;
import io.podheitor.hpc.posix.Fcntl;
import io.podheitor.hpc.posix.FileMode;
import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.ptcomm.FileRecord;
import io.podheitor.hpc.ptcomm.FrameWriter;
import io.podheitor.hpc.ptcomm.MetaBlob;
import io.podheitor.hpc.ptcomm.ProtocolException;
import io.podheitor.hpc.ptcomm.Status;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The restore side of docs/ptcomm.md §5: creates what each FILE record describes and answers OK (data
 * follows), DONE, SKIP or E. Regular files get mode, owner and times when their data is closed; symlinks get
 * owner and times with lchown/utimensat NOFOLLOW semantics; directories get theirs at FINISH.
 *
 * <p>Replacing an existing non-directory (replace=a, or w/o when the date test passes) unlinks it first and
 * creates a new inode, so other hard links to the old inode keep their old content.
 * Missing parent directories are created with mode 0700; those that are later restored get their own
 * attributes at FINISH.
 */
public final class Restorer {
    private static final int CREATE_FLAGS =
            Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_TRUNC | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC;

    private final FrameWriter out;
    private final char replace;
    private final DeferredDirectories directories = new DeferredDirectories();
    /** Directories this restore created (as parents or from records): "exists" does not make them SKIP. */
    private final Set<ByteBuffer> createdDirectories = new HashSet<>();
    private byte[] lastParent;
    private OpenFile current;
    private final MetadataApplier metadata;
    /** The entry the last FILE record created (target of a following metadata blob), or null. */
    private byte[] lastCreated;
    private boolean lastCreatedIsDirectory;

    /** The regular file whose data is being received. */
    private static final class OpenFile {
        final FileRecord record;
        final byte[] path;
        final int fd;
        PosixException writeError;
        boolean seeked;

        OpenFile(FileRecord record, byte[] path, int fd) {
            this.record = record;
            this.path = path;
            this.fd = fd;
        }
    }

    public Restorer(FrameWriter out, char replace) {
        this(out, replace, true, true);
    }

    public Restorer(FrameWriter out, char replace, boolean aclSupport, boolean xattrSupport) {
        this.out = out;
        this.replace = replace;
        this.metadata = new MetadataApplier(out, aclSupport, xattrSupport);
    }

    // ------------------------------------------------------------------ createFile

    /** Handles one FILE record and writes the reply (OK, DONE, SKIP or E). */
    public void create(FileRecord r) throws IOException {
        if (current != null) {
            abandonCurrent();
        }
        byte[] path = stripTrailingSlashes(r.name());
        lastCreated = null;
        try {
            ensureParent(path);
            StatX existing = lstatOrNull(path);
            if (existing != null && skip(r, path, existing)) {
                out.command("SKIP");
                return;
            }
            switch (r.type()) {
                case REGULAR -> {
                    removeExisting(path, existing);
                    int fd = Posix.open(path, CREATE_FLAGS, 0600);
                    current = new OpenFile(r, path, fd);
                    created(path, false);
                    out.command("OK");
                    return;
                }
                case EMPTY -> {
                    removeExisting(path, existing);
                    // OK (CF_EXTRACT) although no data follows: the FD drops the XACL records of CF_CREATED
                    // files, and the metadata blob must reach us; close() applies the attributes
                    int fd = Posix.open(path, CREATE_FLAGS, 0600);
                    current = new OpenFile(r, path, fd);
                    created(path, false);
                    out.command("OK");
                    return;
                }
                case DIRECTORY -> {
                    if (existing == null || !existing.isDirectory()) {
                        removeExisting(path, existing);
                        Posix.mkdirat(Fcntl.AT_FDCWD, path, 0700);
                        createdDirectories.add(ByteBuffer.wrap(path));
                    }
                    directories.add(path, r.mode(), r.uid(), r.gid(), r.atime(), r.mtime());
                    created(path, true);
                }
                case SYMLINK -> {
                    removeExisting(path, existing);
                    Posix.symlinkat(r.link(), Fcntl.AT_FDCWD, path);
                    Posix.fchownat(Fcntl.AT_FDCWD, path, r.uid(), r.gid(), Fcntl.AT_SYMLINK_NOFOLLOW);
                    Posix.utimensat(Fcntl.AT_FDCWD, path, r.atime(), 0, r.mtime(), 0, Fcntl.AT_SYMLINK_NOFOLLOW);
                    extractWithoutData(r, path);
                    return;
                }
                case HARDLINK -> {
                    if (r.link().length == 0) {
                        out.message(Status.ERROR, "hard link \"" + PathText.render(path) + "\" without a target name");
                        return;
                    }
                    if (!link(path, r.link(), existing)) {
                        return;
                    }
                }
                case FIFO, CHAR_DEVICE, BLOCK_DEVICE -> {
                    removeExisting(path, existing);
                    int type = switch (r.type()) {
                        case FIFO -> FileMode.S_IFIFO;
                        case CHAR_DEVICE -> FileMode.S_IFCHR;
                        default -> FileMode.S_IFBLK;
                    };
                    Posix.mknodat(Fcntl.AT_FDCWD, path, type | 0600, r.type() == io.podheitor.hpc.ptcomm.FileType.FIFO ? 0 : r.rdev());
                    Posix.fchownat(Fcntl.AT_FDCWD, path, r.uid(), r.gid(), Fcntl.AT_SYMLINK_NOFOLLOW);
                    Posix.fchmodat(Fcntl.AT_FDCWD, path, r.mode() & FileMode.PERMISSIONS, 0);
                    Posix.utimensat(Fcntl.AT_FDCWD, path, r.atime(), 0, r.mtime(), 0, Fcntl.AT_SYMLINK_NOFOLLOW);
                    extractWithoutData(r, path);
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

    /**
     * An {@code L} record: {@code path} becomes another name of {@code target} (the first name, restored before
     * it). A target that is not on disk (a partial restore whose bootstrap left the first name out) fails this
     * file only, with stock bacula-fd's message; an existing file at {@code path} is then left alone.
     *
     * @return true if linked; false after the E reply
     */
    private boolean link(byte[] path, byte[] target, StatX existing) throws IOException, PosixException {
        if (existing != null) {
            try {
                Posix.lstat(target); // before the existing file goes: a missing target keeps it
            } catch (PosixException e) {
                return linkFailed(path, target, e);
            }
            removeExisting(path, existing);
        }
        try {
            Posix.linkat(Fcntl.AT_FDCWD, target, Fcntl.AT_FDCWD, path, 0);
        } catch (PosixException e) {
            return linkFailed(path, target, e);
        }
        return true;
    }

    private boolean linkFailed(byte[] path, byte[] target, PosixException e) throws IOException {
        out.message(Status.ERROR, "Could not hard link \"" + PathText.render(path) + "\" -> \""
                + PathText.render(target) + "\": " + e.strerror());
        return false;
    }

    /** Created completely; OK anyway so that the FD delivers the metadata blob (no IO_WRITE will come). */
    private void extractWithoutData(FileRecord r, byte[] path) throws IOException {
        current = new OpenFile(r, path, -1);
        created(path, false);
        out.command("OK");
    }

    private void created(byte[] path, boolean directory) {
        lastCreated = path;
        lastCreatedIsDirectory = directory;
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
            out.message(Status.ERROR, (lastCreated == null ? "" : "\"" + PathText.render(lastCreated) + "\": ")
                    + e.getMessage());
            return;
        }
        if (lastCreated != null) {
            metadata.apply(lastCreated, lastCreatedIsDirectory, m, directories);
        }
        out.command("OK");
    }

    /** Bacula's replace rules; a directory this restore created is never skipped. */
    private boolean skip(FileRecord r, byte[] path, StatX existing) {
        if (existing.isDirectory() && createdDirectories.contains(ByteBuffer.wrap(path))) {
            return false;
        }
        return switch (replace) {
            case 'n' -> true;
            case 'w' -> r.mtime() <= existing.mtimeSec();
            case 'o' -> r.mtime() >= existing.mtimeSec();
            default -> false;
        };
    }

    private void removeExisting(byte[] path, StatX existing) throws PosixException {
        if (existing == null) {
            return;
        }
        Posix.unlinkat(Fcntl.AT_FDCWD, path, existing.isDirectory() ? Fcntl.AT_REMOVEDIR : 0);
    }

    /** Creates missing ancestors of {@code path} with mode 0700. */
    private void ensureParent(byte[] path) throws PosixException {
        byte[] parent = parentOf(path);
        if (parent == null || Arrays.equals(parent, lastParent)) {
            return;
        }
        makeDirectories(parent);
        lastParent = parent;
    }

    private void makeDirectories(byte[] dir) throws PosixException {
        StatX st = lstatOrNull(dir);
        if (st != null) {
            return;
        }
        byte[] parent = parentOf(dir);
        if (parent != null) {
            makeDirectories(parent);
        }
        try {
            Posix.mkdirat(Fcntl.AT_FDCWD, dir, 0700);
            createdDirectories.add(ByteBuffer.wrap(dir));
        } catch (PosixException e) {
            if (e.errno() != Errno.EEXIST) {
                throw e;
            }
        }
    }

    // ------------------------------------------------------------------ pluginIO

    /** A D packet of the current file: written; a failure is remembered and reported at close. */
    public void write(byte[] data) {
        OpenFile f = current;
        if (f == null || f.writeError != null) {
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
                failure = "write error on \"" + PathText.render(f.path) + "\": " + f.writeError.strerror();
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
            failure = "cannot set attributes of \"" + PathText.render(f.path) + "\": " + e.strerror();
        } finally {
            try {
                Posix.close(f.fd);
            } catch (PosixException e) {
                if (failure == null) {
                    failure = "close error on \"" + PathText.render(f.path) + "\": " + e.strerror();
                }
            }
        }
        if (failure != null) {
            out.message(Status.ERROR, failure);
        } else {
            out.command("OK");
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

    // ------------------------------------------------------------------ FINISH

    /** Applies directory attributes deepest first; failures are reported as E messages. Then {@code F}. */
    public void finish() throws IOException {
        if (current != null) {
            abandonCurrent();
        }
        List<String> failures = directories.applyAll();
        for (String f : failures) {
            out.message(Status.ERROR, f);
        }
        out.end();
    }

    // ------------------------------------------------------------------ helpers

    private static String describe(PosixException e) {
        return e.operation() + ": " + e.strerror();
    }

    private static StatX lstatOrNull(byte[] path) throws PosixException {
        try {
            return Posix.lstat(path);
        } catch (PosixException e) {
            if (e.errno() == Errno.ENOENT) {
                return null;
            }
            throw e;
        }
    }

    public static byte[] stripTrailingSlashes(byte[] p) {
        int n = p.length;
        while (n > 1 && p[n - 1] == '/') {
            n--;
        }
        return n == p.length ? p : Arrays.copyOf(p, n);
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
