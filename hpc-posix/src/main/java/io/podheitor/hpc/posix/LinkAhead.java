package io.podheitor.hpc.posix;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;

/**
 * Links, ahead of need, the libc downcalls a backup makes on its first entries. {@link Libc} links each downcall
 * lazily, on its first call, and that first link spins a downcall stub and its lambda forms, which the AOT cache
 * does not keep: a few milliseconds each, and a backup's first entry needs about ten of them. The backend runs
 * {@link #backupCalls()} on a background thread as it starts, while it waits for the shim's first command
 * (bacula-fd starts it while it parses the FileSet, docs/abi.md §7.2), so the walk finds them linked.
 *
 * <p>The calls are harmless ones on {@code /} and {@code /dev/null}, and every failure is ignored: a call that cannot
 * be linked fails again, and is reported, where the job makes it.
 */
public final class LinkAhead {
    private static final byte[] ROOT = {'/'};
    private static final byte[] DEV_NULL = "/dev/null".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NO_SUCH_XATTR = "user.podheitor-link-ahead".getBytes(StandardCharsets.US_ASCII);

    private LinkAhead() {
    }

    /**
     * Links statx, openat, getdents64, close, readlinkat, llistxattr, lgetxattr, read, lseek and posix_fadvise by
     * calling each once. Thread-safe (a holder's class initialization links it once, whichever thread gets there
     * first); never throws.
     */
    public static void backupCalls() {
        try {
            quietly(() -> Posix.statx(Fcntl.AT_FDCWD, ROOT, Fcntl.AT_SYMLINK_NOFOLLOW));
            quietly(() -> Posix.readlinkat(Fcntl.AT_FDCWD, ROOT));          // EINVAL: not a symlink
            quietly(() -> Posix.listXattrs(ROOT));
            quietly(() -> Posix.getXattr(ROOT, NO_SUCH_XATTR));             // ENODATA
            quietly(() -> {
                int fd = Posix.openDirectory(Fcntl.AT_FDCWD, ROOT);
                try {
                    return Posix.readDirectory(fd);
                } finally {
                    Posix.closeQuietly(fd);
                }
            });
            quietly(() -> {
                int fd = Posix.openForReading(Fcntl.AT_FDCWD, DEV_NULL);
                try (Arena arena = Arena.ofConfined()) {
                    MemorySegment buf = arena.allocate(64);
                    Posix.read(fd, buf);
                    Posix.lseek(fd, 0, Posix.SEEK_SET);
                    return Posix.fadvise(fd, 0, 0, Posix.POSIX_FADV_DONTNEED);
                } finally {
                    Posix.close(fd);
                }
            });
        } catch (RuntimeException | LinkageError e) {
            // an optimization only: the job's own call reports what is wrong
        }
    }

    private interface Call {
        Object run() throws PosixException;
    }

    private static void quietly(Call c) {
        try {
            c.run();
        } catch (PosixException e) {
            // the expected errno of a probe, or one the job's own call will meet and report
        }
    }
}
