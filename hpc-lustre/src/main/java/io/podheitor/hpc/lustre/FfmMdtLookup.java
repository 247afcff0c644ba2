package io.podheitor.hpc.lustre;

import io.podheitor.hpc.posix.Fcntl;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link MdtLookup} through liblustreapi: {@code llapi_obd_fstatfs} over the MDT indices for the list,
 * {@code llapi_file_fget_mdtidx} for an open entry, {@code llapi_fd2fid} + {@code llapi_get_mdt_index_by_fid}
 * for a name in a directory or a path (no open for reading, so no open RPC for the entry). For a path, the FID
 * question goes through a descriptor of the file system's mount point, opened on first use per device and kept
 * until {@link #close()}. Thread-safe.
 */
public final class FfmMdtLookup implements MdtLookup {
    private final Lustre lustre;
    /** st_dev -> an open descriptor of that file system's mount point. */
    private final ConcurrentHashMap<Long, Integer> roots = new ConcurrentHashMap<>();

    public FfmMdtLookup(Lustre lustre) {
        this.lustre = Objects.requireNonNull(lustre, "lustre");
    }

    @Override
    public String source() {
        return "liblustreapi (" + lustre.library() + ")";
    }

    @Override
    public boolean present() {
        return lustre.present();
    }

    @Override
    public List<LustreTarget> mdts(byte[] path) throws PosixException {
        int fd = Posix.open(path, Fcntl.O_RDONLY | Fcntl.O_NONBLOCK | Fcntl.O_CLOEXEC, 0);
        try {
            return lustre.targets(fd, TargetKind.MDT);
        } catch (PosixException e) {
            if (Lustre.notLustre(e)) {
                return List.of();
            }
            throw e.withPath(path);
        } finally {
            Posix.closeQuietly(fd);
        }
    }

    @Override
    public OptionalInt mdtOf(int fd) throws PosixException {
        try {
            return OptionalInt.of(lustre.mdtIndex(fd));
        } catch (PosixException e) {
            if (Lustre.notLustre(e)) {
                return OptionalInt.empty();
            }
            throw e;
        }
    }

    @Override
    public OptionalInt mdtOf(byte[] path) throws PosixException {
        int fd = Posix.open(path, Fcntl.O_PATH | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC, 0);
        try {
            Fid fid = lustre.fid(fd);
            Optional<Integer> root = root(Posix.fstat(fd).dev(), path);
            if (root.isEmpty()) {
                return OptionalInt.empty();
            }
            return OptionalInt.of(lustre.mdtIndexOf(root.get(), fid));
        } catch (PosixException e) {
            if (Lustre.notLustre(e)) {
                return OptionalInt.empty();
            }
            throw e.withPath(path);
        } finally {
            Posix.closeQuietly(fd);
        }
    }

    /** The descriptor of the mount point of the file system {@code dev} that holds {@code path}. */
    private Optional<Integer> root(long dev, byte[] path) throws PosixException {
        Integer fd = roots.get(dev);
        if (fd != null) {
            return Optional.of(fd);
        }
        Optional<LustreMount> mount = lustre.mount(path);
        if (mount.isEmpty()) {
            return Optional.empty();
        }
        int opened = Posix.open(mount.get().mountPoint(), Fcntl.O_RDONLY | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC, 0);
        Integer raced = roots.putIfAbsent(dev, opened);
        if (raced != null) {
            Posix.closeQuietly(opened);
            return Optional.of(raced);
        }
        return Optional.of(opened);
    }

    @Override
    public void close() {
        roots.values().forEach(Posix::closeQuietly);
        roots.clear();
    }

    @Override
    public OptionalInt mdtOf(int dirfd, byte[] name) throws PosixException {
        try {
            return OptionalInt.of(lustre.mdtIndexAt(dirfd, name));
        } catch (PosixException e) {
            if (Lustre.notLustre(e)) {
                return OptionalInt.empty();
            }
            throw e;
        }
    }
}
