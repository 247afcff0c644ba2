package io.podheitor.hpc.walker;

import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.posix.StatX;

/**
 * The whole content of a small regular file, read ahead by a source's worker (the walk, a change source) so that
 * the single consumer does not open it: only exactly {@code st.size()} bytes followed by end of file, from a
 * descriptor whose fstat is still the stat'ed inode with that size. Anything else gives null, and the consumer then
 * reads the file itself and reports any error.
 */
public final class WholeFile {
    private WholeFile() {
    }

    /** {@code name} relative to {@code dirfd} (or an absolute path with {@code AT_FDCWD}); never follows a link. */
    public static byte[] read(int dirfd, byte[] name, StatX st) {
        int size = (int) st.size();
        int fd = -1;
        try {
            fd = Posix.openForReading(dirfd, name);
            StatX now = Posix.fstat(fd);
            if (!now.isRegular() || now.ino() != st.ino() || now.dev() != st.dev() || now.size() != size) {
                return null;
            }
            byte[] buf = new byte[size];
            int filled = 0;
            for (int n; filled < size && (n = Posix.read(fd, buf, filled, size - filled)) > 0; ) {
                filled += n;
            }
            return filled == size && Posix.read(fd, new byte[1], 0, 1) == 0 ? buf : null; // the size, then EOF
        } catch (PosixException e) {
            return null;
        } finally {
            Posix.closeQuietly(fd);
        }
    }
}
