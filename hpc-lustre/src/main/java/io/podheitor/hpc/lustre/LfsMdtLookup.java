package io.podheitor.hpc.lustre;

import io.podheitor.hpc.posix.Fcntl;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * {@link MdtLookup} through the {@code lfs} tool: {@code lfs df -i -v PATH} for the MDT list ({@link LfsDf}),
 * {@code lfs getstripe -m -d PATH} for an entry ({@link LfsMdtIndex}). Each path reaches lfs as
 * {@code /proc/<pid>/fd/<n>} of a descriptor this process holds (an O_PATH descriptor for a name), so raw byte
 * names need no String; lfs resolves it ({@code realpath} for df, {@code open} for getstripe). A symlink cannot be
 * asked about through lfs (its open follows the link): its directory's MDT is given, which is where a symlink
 * lives unless the directory is striped.
 */
public final class LfsMdtLookup implements MdtLookup {
    private final Lfs lfs;

    public LfsMdtLookup(Lfs lfs) {
        this.lfs = Objects.requireNonNull(lfs, "lfs");
    }

    @Override
    public String source() {
        return lfs.toString();
    }

    @Override
    public boolean present() {
        return true;
    }

    private static String procPath(int fd) {
        return "/proc/" + ProcessHandle.current().pid() + "/fd/" + fd;
    }

    @Override
    public List<LustreTarget> mdts(byte[] path) throws IOException {
        int fd = Posix.open(path, Fcntl.O_PATH | Fcntl.O_CLOEXEC, 0);
        try {
            Lfs.Result r = lfs.run("df", "-i", "-v", procPath(fd));
            if (r.exit() != 0 && r.notLustre()) {
                return List.of();
            }
            List<LfsDf.FileSystem> fss = LfsDf.parse(r.stdout());
            if (fss.isEmpty()) {
                if (r.exit() != 0) {
                    throw new IOException("lfs df -i failed (exit " + r.exit() + "): " + r.stderr());
                }
                return List.of();
            }
            return fss.getFirst().mdts();
        } finally {
            Posix.closeQuietly(fd);
        }
    }

    @Override
    public OptionalInt mdtOf(int fd) throws IOException {
        Lfs.Result r = lfs.run("getstripe", "-m", "-d", procPath(fd));
        if (r.exit() != 0) {
            if (r.notLustre()) {
                return OptionalInt.empty();
            }
            throw new IOException("lfs getstripe -m failed (exit " + r.exit() + "): " + r.stderr());
        }
        return LfsMdtIndex.parse(r.stdout());
    }

    @Override
    public OptionalInt mdtOf(byte[] path) throws IOException {
        int fd = Posix.open(path, Fcntl.O_PATH | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC, 0);
        try {
            if (Posix.fstat(fd).isSymlink()) {
                int slash = lastSlash(path);
                byte[] parent = slash == 0 ? new byte[] {'/'} : slash < 0 ? new byte[] {'.'} : Arrays.copyOf(path, slash);
                return mdtOf(parent);
            }
            return mdtOf(fd);
        } catch (PosixException e) {
            throw e.withPath(path);
        } finally {
            Posix.closeQuietly(fd);
        }
    }

    private static int lastSlash(byte[] path) {
        int end = path.length;
        while (end > 1 && path[end - 1] == '/') {
            end--;
        }
        for (int i = end - 1; i >= 0; i--) {
            if (path[i] == '/') {
                return i;
            }
        }
        return -1;
    }

    @Override
    public OptionalInt mdtOf(int dirfd, byte[] name) throws IOException {
        int fd = Posix.openat(dirfd, name, Fcntl.O_PATH | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC, 0);
        try {
            if (Posix.fstat(fd).isSymlink()) {
                return mdtOf(dirfd);
            }
            return mdtOf(fd);
        } catch (PosixException e) {
            throw e.withPath(name);
        } finally {
            Posix.closeQuietly(fd);
        }
    }
}
