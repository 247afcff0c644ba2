package io.podheitor.hpc.backend.restore;

import io.podheitor.hpc.posix.Errno;
import io.podheitor.hpc.posix.Fcntl;
import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.posix.Xattrs;
import io.podheitor.hpc.ptcomm.MetaBlob;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Restore side of the metadata blob (docs/ptcomm.md §3.1, §5): sets the extended attributes (the other ones
 * first, then the POSIX ACLs, which also fix the mode's group bits to the saved mask) and then the nanosecond
 * atime/mtime of a non-directory; a directory's times are the caller's (they go to {@link DeferredDirectories},
 * applied at FINISH).
 * Everything is applied through the entry's directory descriptor (the l*xattr calls by
 * {@code /proc/self/fd/<dirfd>/<name>}, times by utimensat on the descriptor), never through the entry's absolute
 * path, so a parent directory swapped for a link meanwhile is not followed.
 * A target without xattr/ACL support (EOPNOTSUPP) gets one warning per restore, not one per file; other
 * failures are one warning per attribute. None of them fails the file. Shared by the workers of a pipelined
 * restore (the output is synchronized, the one warning is an atomic flag).
 */
final class MetadataApplier {
    private final RestoreOutput out;
    private final boolean acl;
    private final boolean xattr;
    private final AtomicBoolean warnedUnsupported = new AtomicBoolean();

    MetadataApplier(RestoreOutput out, boolean acl, boolean xattr) {
        this.out = out;
        this.acl = acl;
        this.xattr = xattr;
    }

    /** Applies {@code m} to the entry {@code t} names; a directory's times are left to the caller. */
    void apply(RestoreTree.Target t, boolean directory, MetaBlob m) throws IOException {
        byte[] leaf = t.leaf().length == 0 ? new byte[] {'.'} : t.leaf();
        byte[] viaFd = Posix.inDirectory(t.dirFd(), leaf);
        for (int pass = 0; pass < 2; pass++) {
            for (MetaBlob.Xattr x : m.xattrs()) {
                boolean isAcl = Xattrs.isAcl(x.name());
                if (isAcl != (pass == 1) || (isAcl ? !acl : !xattr)) {
                    continue;
                }
                try {
                    Posix.setXattr(viaFd, x.name(), x.value());
                } catch (PosixException e) {
                    failed(t.path(), x.name(), e);
                }
            }
        }
        if (!m.hasTimes() || directory) {
            return;
        }
        try {
            Posix.utimensat(t.dirFd(), leaf, m.atimeSec(), m.atimeNsec(), m.mtimeSec(), m.mtimeNsec(),
                    Fcntl.AT_SYMLINK_NOFOLLOW);
        } catch (PosixException e) {
            out.warning("cannot set times of \"" + PathText.render(t.path()) + "\": " + e.strerror());
        }
    }

    private void failed(byte[] path, byte[] name, PosixException e) throws IOException {
        if (e.errno() == Errno.EOPNOTSUPP) {
            if (warnedUnsupported.compareAndSet(false, true)) {
                out.warning("the restore target does not support extended attributes or ACLs ("
                        + PathText.render(name) + " on \"" + PathText.render(path)
                        + "\"); they are not restored (reported once)");
            }
            return;
        }
        out.warning("cannot restore extended attribute " + PathText.render(name) + " of \""
                + PathText.render(path) + "\": " + e.strerror());
    }
}
