package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.posix.Beneath;
import io.podheitor.hpc.posix.Errno;
import io.podheitor.hpc.posix.Fcntl;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.posix.Xattrs;
import java.util.Arrays;

/**
 * The {@code path=} root of a backup, held open, through which the emitter reaches the files it reads itself: a
 * regular file is opened and an entry's attributes are read below this descriptor without following a link
 * ({@link Beneath}), so a parent directory swapped for a symbolic link after the walk listed it cannot pull data
 * from outside {@code path=} (docs/security.md).
 *
 * <p>With {@code snapshot=yes} the descriptor is the snapshot's ({@link #of(byte[], byte[])}) while the entries keep
 * their live paths: every read goes through the descriptor with the path relative to the root, never through the
 * absolute path, so it reads the snapshot.
 */
final class BackupRoot implements AutoCloseable, FileOpener {
    private static final byte[] DOT = {'.'};

    private final byte[] root;
    private final int fd;

    private BackupRoot(byte[] root, int fd) {
        this.root = root;
        this.fd = fd;
    }

    /** Opens the root (the administrator's path, as given). */
    static BackupRoot of(byte[] root) throws PosixException {
        return of(root, root);
    }

    /**
     * The entries' paths are below {@code root}; their files are read below {@code readFrom} (a snapshot of it),
     * at the same relative paths.
     */
    static BackupRoot of(byte[] root, byte[] readFrom) throws PosixException {
        return new BackupRoot(root, Posix.openat(Fcntl.AT_FDCWD, readFrom, Fcntl.O_PATH | Fcntl.O_DIRECTORY
                | Fcntl.O_CLOEXEC, 0));
    }

    /** {@code path} (an entry the source delivered, below the root) relative to the root; empty for the root. */
    byte[] relative(byte[] path) {
        if (path.length <= root.length) {
            return new byte[0];
        }
        int skip = root.length == 1 ? 1 : root.length + 1;
        return Arrays.copyOfRange(path, skip, path.length);
    }

    /**
     * O_RDONLY|O_NONBLOCK with O_NOATIME when permitted (as {@link Posix#openForReading}), below the root,
     * never through a link.
     */
    @Override
    public int open(byte[] path) throws PosixException {
        byte[] rel = relative(path);
        if (rel.length == 0) {
            try {
                return Posix.openForReading(fd, DOT);
            } catch (PosixException e) {
                throw e.withPath(path);
            }
        }
        int flags = Fcntl.O_RDONLY | Fcntl.O_NONBLOCK;
        try {
            try {
                return Beneath.open(fd, rel, flags | Fcntl.O_NOATIME, 0);
            } catch (PosixException e) {
                if (e.errno() != Errno.EPERM) {
                    throw e;
                }
                return Beneath.open(fd, rel, flags, 0);
            }
        } catch (PosixException e) {
            throw e.withPath(path);
        }
    }

    /** The extended attributes of the entry at {@code path}, read through its directory's descriptor. */
    Xattrs.Read readXattrs(byte[] path, Xattrs.Scope scope) {
        byte[] rel = relative(path);
        if (scope == Xattrs.Scope.NONE) {
            return Xattrs.Read.EMPTY;
        }
        if (rel.length == 0) {
            return Xattrs.readAt(fd, DOT, scope);
        }
        int slash = rel.length - 1;
        while (slash >= 0 && rel[slash] != '/') {
            slash--;
        }
        byte[] leaf = Arrays.copyOfRange(rel, slash + 1, rel.length);
        int dir;
        try {
            dir = slash < 0 ? Posix.openat(fd, DOT, Fcntl.O_PATH | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC, 0)
                    : Beneath.open(fd, Arrays.copyOf(rel, slash), Fcntl.O_PATH | Fcntl.O_DIRECTORY, 0);
        } catch (PosixException e) {
            return e.errno() == Errno.ENOENT ? Xattrs.Read.EMPTY
                    : new Xattrs.Read(java.util.List.of(), java.util.List.of(new Xattrs.Failure(null, e.withPath(path))));
        }
        try {
            return Xattrs.readAt(dir, leaf, scope);
        } finally {
            Posix.closeQuietly(dir);
        }
    }

    @Override
    public void close() {
        Posix.closeQuietly(fd);
    }
}
