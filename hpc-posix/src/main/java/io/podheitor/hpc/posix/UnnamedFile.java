package io.podheitor.hpc.posix;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * A scratch file that never has a name another user could see, pre-create or swap: O_TMPFILE in the given
 * directory (the file exists only through its descriptor and is gone when it is closed, even if the process is
 * killed). On a file system without O_TMPFILE (EOPNOTSUPP, EISDIR on old kernels) it is created in one call with
 * O_CREAT|O_EXCL|O_NOFOLLOW under a random name and unlinked at once. Positional reads and writes only; the
 * spill files of the backup's hard-link index and the restore's directory list use it.
 */
public final class UnnamedFile implements AutoCloseable {
    private static final SecureRandom RANDOM = new SecureRandom();
    private int fd;

    private UnnamedFile(int fd) {
        this.fd = fd;
    }

    /** A new empty file in {@code dir} (an absolute path), readable and writable by its owner only. */
    public static UnnamedFile create(byte[] dir) throws PosixException {
        try {
            return new UnnamedFile(Posix.openat(Fcntl.AT_FDCWD, dir, Fcntl.O_TMPFILE | Fcntl.O_RDWR | Fcntl.O_CLOEXEC,
                    0600));
        } catch (PosixException e) {
            if (e.errno() != Errno.EOPNOTSUPP && e.errno() != Errno.EISDIR) {
                throw e;
            }
        }
        int dirfd = Posix.openat(Fcntl.AT_FDCWD, dir, Fcntl.O_PATH | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC, 0);
        try {
            for (int attempt = 0; ; attempt++) {
                byte[] name = ("podheitor-hpc-" + Long.toHexString(RANDOM.nextLong()) + ".tmp")
                        .getBytes(StandardCharsets.US_ASCII);
                int fd;
                try {
                    fd = Posix.openat(dirfd, name, Fcntl.O_RDWR | Fcntl.O_CREAT | Fcntl.O_EXCL | Fcntl.O_NOFOLLOW
                            | Fcntl.O_CLOEXEC, 0600);
                } catch (PosixException e) {
                    if (e.errno() == Errno.EEXIST && attempt < 16) {
                        continue;
                    }
                    throw e;
                }
                Posix.unlinkat(dirfd, name, 0);
                return new UnnamedFile(fd);
            }
        } finally {
            Posix.closeQuietly(dirfd);
        }
    }

    /** Reads {@code len} bytes at {@code pos}; bytes past the end of the file read as zeros (never written). */
    public void readFully(byte[] b, int off, int len, long pos) throws PosixException {
        int done = 0;
        while (done < len) {
            int n = Posix.pread(fd, b, off + done, len - done, pos + done);
            if (n == 0) {
                java.util.Arrays.fill(b, off + done, off + len, (byte) 0);
                return;
            }
            done += n;
        }
    }

    public void writeFully(byte[] b, int off, int len, long pos) throws PosixException {
        Posix.pwrite(fd, b, off, len, pos);
    }

    @Override
    public void close() {
        Posix.closeQuietly(fd);
        fd = -1;
    }
}
