package io.podheitor.hpc.posix;

/**
 * Opening a path below a directory descriptor without ever following a symbolic link or leaving the directory:
 * the guarantee a restore into a tree that other users can change needs (docs/security.md). With openat2 (Linux
 * 5.6+) the kernel resolves the whole path with {@code RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
 * RESOLVE_NO_MAGICLINKS}; on older kernels (ENOSYS) every component is opened on its own with
 * {@code O_PATH | O_DIRECTORY | O_NOFOLLOW} from the previous one, which gives the same answers.
 *
 * <p>The relative path must not contain {@code .} or {@code ..} components (callers reject them first; here they
 * fail with EXDEV, as RESOLVE_BENEATH reports an escape). A symbolic link in a directory component fails with
 * ELOOP; in the last component with ELOOP, or ENOTDIR when {@code flags} has O_DIRECTORY (the kernel's answer);
 * a non-directory where a directory is needed with ENOTDIR.
 */
public final class Beneath {
    private static volatile boolean noOpenat2;

    private Beneath() {
    }

    /** Resolves {@code relative} below {@code dirfd} and opens it with {@code flags} (O_NOFOLLOW is added). */
    public static int open(int dirfd, byte[] relative, int flags, int mode) throws PosixException {
        int f = flags | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC;
        if (!noOpenat2) {
            try {
                return Posix.openat2(dirfd, relative, f, mode,
                        Fcntl.RESOLVE_BENEATH | Fcntl.RESOLVE_NO_SYMLINKS | Fcntl.RESOLVE_NO_MAGICLINKS);
            } catch (PosixException e) {
                if (e.errno() != Errno.ENOSYS) {
                    throw e;
                }
                noOpenat2 = true; // an old kernel (or a seccomp filter): one component at a time from now on
            }
        }
        return componentWise(dirfd, relative, f, mode);
    }

    /** The fallback (package-private for its test): one openat per component, never following a link. */
    static int componentWise(int dirfd, byte[] relative, int flags, int mode) throws PosixException {
        flags |= Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC;
        int start = 0;
        int n = relative.length;
        while (start < n && relative[start] == '/') {
            start++; // a leading slash stays below dirfd, as with RESOLVE_BENEATH
        }
        int cur = dirfd;
        try {
            while (true) {
                int end = start;
                while (end < n && relative[end] != '/') {
                    end++;
                }
                int next = end;
                while (next < n && relative[next] == '/') {
                    next++;
                }
                byte[] comp = java.util.Arrays.copyOfRange(relative, start, end);
                if (isDotOrDotDot(comp)) {
                    throw new PosixException("open", Errno.EXDEV, relative);
                }
                boolean last = next >= n;
                if (last) {
                    try {
                        return Posix.openat(cur, comp.length == 0 ? new byte[] {'.'} : comp, flags, mode);
                    } catch (PosixException e) {
                        throw e.withPath(relative);
                    }
                }
                int fd;
                try {
                    fd = Posix.openat(cur, comp, Fcntl.O_PATH | Fcntl.O_DIRECTORY | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC, 0);
                } catch (PosixException e) {
                    throw symlinkAsLoop(cur, comp, e).withPath(relative);
                }
                if (cur != dirfd) {
                    Posix.closeQuietly(cur);
                }
                cur = fd;
                start = next;
            }
        } finally {
            if (cur != dirfd) {
                Posix.closeQuietly(cur);
            }
        }
    }

    /** O_DIRECTORY|O_NOFOLLOW on a symlink reports ENOTDIR; say ELOOP as openat2 does. */
    private static PosixException symlinkAsLoop(int dirfd, byte[] comp, PosixException e) {
        if (e.errno() == Errno.ENOTDIR) {
            try {
                if (Posix.statx(dirfd, comp, Fcntl.AT_SYMLINK_NOFOLLOW).isSymlink()) {
                    return new PosixException(e.operation(), Errno.ELOOP, null);
                }
            } catch (PosixException ignored) {
                // gone meanwhile: report the first failure
            }
        }
        return e;
    }

    static boolean isDotOrDotDot(byte[] c) {
        return (c.length == 1 && c[0] == '.') || (c.length == 2 && c[0] == '.' && c[1] == '.');
    }
}
