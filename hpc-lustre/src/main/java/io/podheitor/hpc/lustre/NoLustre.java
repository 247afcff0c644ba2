package io.podheitor.hpc.lustre;

import io.podheitor.hpc.posix.Errno;
import io.podheitor.hpc.posix.PosixException;
import java.util.List;
import java.util.Optional;

/** liblustreapi is absent: {@link #present()} is false and every call fails with ENOSYS. */
public enum NoLustre implements Lustre {
    INSTANCE;

    private static PosixException absent(String function, byte[] path) {
        return new PosixException(function + " (liblustreapi absent)", Errno.ENOSYS, path);
    }

    @Override
    public boolean present() {
        return false;
    }

    @Override
    public String library() {
        return "absent";
    }

    @Override
    public int mdtIndex(int fd) throws PosixException {
        throw absent("llapi_file_fget_mdtidx", null);
    }

    @Override
    public Fid fid(int fd) throws PosixException {
        throw absent("llapi_fd2fid", null);
    }

    @Override
    public Fid fid(byte[] path) throws PosixException {
        throw absent("llapi_path2fid", path);
    }

    @Override
    public int mdtIndexOf(int fd, Fid fid) throws PosixException {
        throw absent("llapi_get_mdt_index_by_fid", null);
    }

    @Override
    public int mdtIndexAt(int dirfd, byte[] name) throws PosixException {
        throw absent("llapi_get_mdt_index_by_fid", name);
    }

    @Override
    public int targetCount(byte[] dir, TargetKind kind) throws PosixException {
        throw absent("llapi_get_obd_count", dir);
    }

    @Override
    public Optional<LustreMount> mount(byte[] path) throws PosixException {
        throw absent("llapi_search_mounts", path);
    }

    @Override
    public List<LustreTarget> targets(int fd, TargetKind kind) throws PosixException {
        throw absent("llapi_obd_fstatfs", null);
    }

    @Override
    public Layout layout(int fd) throws PosixException {
        throw absent("llapi_layout_get_by_fd", null);
    }

    @Override
    public Layout layout(byte[] path) throws PosixException {
        throw absent("llapi_layout_get_by_path", path);
    }

    @Override
    public int createFile(int dirfd, byte[] name, int openFlags, int mode, Layout layout) throws PosixException {
        throw absent("llapi_layout_file_create", name);
    }
}
