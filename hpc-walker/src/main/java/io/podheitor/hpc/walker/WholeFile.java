package io.podheitor.hpc.walker;

import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.posix.Xattrs;

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
        return read(dirfd, name, st, Xattrs.Scope.NONE, null).data();
    }

    /**
     * The content and, through the same descriptor, the extended attributes in {@code scope}.
     *
     * @param data   the whole content, or null (see the class)
     * @param xattrs the attributes read from the open file, or null when it was not opened as the stat'ed inode
     *               (the caller then reads them its own way) or none were asked for
     */
    public record WithXattrs(byte[] data, Xattrs.Read xattrs) {
    }

    /**
     * As {@link #read(int, byte[], StatX)}, and the attributes in {@code scope} read from the open descriptor
     * (flistxattr/fgetxattr: the name is not looked up again); {@code path} names the file in their failures.
     */
    public static WithXattrs read(int dirfd, byte[] name, StatX st, Xattrs.Scope scope, byte[] path) {
        int size = (int) st.size();
        int fd = -1;
        try {
            fd = Posix.openForReading(dirfd, name);
            StatX now = Posix.fstat(fd);
            if (!now.isRegular() || now.ino() != st.ino() || now.dev() != st.dev() || now.size() != size) {
                return new WithXattrs(null, null);
            }
            Xattrs.Read xattrs = scope == Xattrs.Scope.NONE ? null : Xattrs.readOpen(fd, path, scope);
            byte[] buf = new byte[size];
            int filled = 0;
            for (int n; filled < size && (n = Posix.read(fd, buf, filled, size - filled)) > 0; ) {
                filled += n;
            }
            boolean whole = filled == size && Posix.read(fd, new byte[1], 0, 1) == 0; // the size, then EOF
            return new WithXattrs(whole ? buf : null, xattrs);
        } catch (PosixException e) {
            return new WithXattrs(null, null);
        } finally {
            Posix.closeQuietly(fd);
        }
    }
}
