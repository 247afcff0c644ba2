package io.podheitor.hpc.lustre;

import io.podheitor.hpc.posix.Fcntl;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * {@link MdtLookup} through liblustreapi: {@code llapi_obd_fstatfs} over the MDT indices for the list,
 * {@code llapi_file_fget_mdtidx} for an open entry, {@code llapi_fd2fid} + {@code llapi_get_mdt_index_by_fid}
 * for a name in a directory (no open for reading, so no open RPC for the entry).
 */
public final class FfmMdtLookup implements MdtLookup {
    private final Lustre lustre;

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
