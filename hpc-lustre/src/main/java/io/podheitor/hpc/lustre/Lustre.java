package io.podheitor.hpc.lustre;

import io.podheitor.hpc.posix.Errno;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.posix.ffm.NativeLibrary;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * liblustreapi as this project uses it: where an entry's metadata lives (its MDT), the targets of a file system,
 * and file layouts. Backed by the library through FFM when it loads ({@link LibLustre}), otherwise the empty
 * {@link NoLustre}, whose every call fails with ENOSYS; check {@link #present()} to choose another way.
 *
 * <p>On a file system that is not Lustre the calls fail as the library does: ENOTTY from the ioctls and the
 * layout call, EOPNOTSUPP from the FID call, and {@link #mount} is empty; {@link #notLustre} recognises them.
 * Other failures carry the library's errno in a {@link PosixException}.
 */
public sealed interface Lustre permits LibLustre, NoLustre {
    /** System property naming the library to load (a path or a soname), for tests and unusual installs. */
    String LIBRARY_PROPERTY = "podheitor.lustre.library";
    /** Environment variable with the same meaning, read when the property is unset. */
    String LIBRARY_ENV = "PHPC_LIBLUSTREAPI";

    /** Whether liblustreapi was loaded. */
    boolean present();

    /** The name or path the library was loaded from, or {@code "absent"}. */
    String library();

    /** {@code llapi_file_fget_mdtidx}: the MDT index of the open entry {@code fd} (not an O_PATH descriptor). */
    int mdtIndex(int fd) throws PosixException;

    /** {@code llapi_fd2fid}: the FID of the entry {@code fd} (O_PATH descriptors work). */
    Fid fid(int fd) throws PosixException;

    /** {@code llapi_path2fid}: the FID of {@code path}, not following a final symlink. */
    Fid fid(byte[] path) throws PosixException;

    /**
     * {@code llapi_get_mdt_index_by_fid}: the MDT serving {@code fid}, asked through {@code fd}, any open (not
     * O_PATH) descriptor on the same file system.
     */
    int mdtIndexOf(int fd, Fid fid) throws PosixException;

    /**
     * The MDT of entry {@code name} in the open directory {@code dirfd}, without opening the entry for reading:
     * an O_PATH open of the name, {@code llapi_fd2fid}, then {@code llapi_get_mdt_index_by_fid} through
     * {@code dirfd}. Right for every entry type (a symlink itself, a striped directory's shard).
     */
    int mdtIndexAt(int dirfd, byte[] name) throws PosixException;

    /** {@code llapi_get_obd_count}: how many targets of {@code kind} the file system at {@code dir} has. */
    int targetCount(byte[] dir, TargetKind kind) throws PosixException;

    /** {@code llapi_search_mounts}: the Lustre mount holding {@code path}, or empty when it is not on Lustre. */
    Optional<LustreMount> mount(byte[] path) throws PosixException;

    /**
     * The targets of {@code kind}, in index order, as {@code lfs df -i -v} lists them: {@code llapi_obd_fstatfs}
     * for index 0, 1, ... until ENODEV; EAGAIN (no target with that index) is skipped, ENODATA is an inactive
     * target, other errors a failing one.
     *
     * @param fd any open (not O_PATH) descriptor on the file system
     */
    List<LustreTarget> targets(int fd, TargetKind kind) throws PosixException;

    /** {@code llapi_layout_get_by_fd} and its getters: the layout of the open file {@code fd}. */
    Layout layout(int fd) throws PosixException;

    /** {@code llapi_layout_get_by_path}: the layout of {@code path} (opened for reading by the library). */
    Layout layout(byte[] path) throws PosixException;

    /**
     * {@code llapi_layout_file_create}: creates {@code name} in the directory {@code dirfd} (O_CREAT|O_EXCL added
     * to {@code openFlags}) with the stripe count, stripe size, pattern, pool and component extents of
     * {@code layout}, and returns the open descriptor. OST indices are not replayed: the MDS chooses the OSTs
     * (copying them would pile every restored file's first stripe onto the same OSTs). Not on Lustre: ENOTTY,
     * and, as the real library opens before it sets the layout, the empty file stays behind for the caller to
     * remove or reuse.
     */
    int createFile(int dirfd, byte[] name, int openFlags, int mode, Layout layout) throws PosixException;

    /** Whether {@code e} says "not on Lustre" (ENOTTY, EOPNOTSUPP, ENODEV) rather than a failure on Lustre. */
    static boolean notLustre(PosixException e) {
        return e.errno() == Errno.ENOTTY || e.errno() == Errno.EOPNOTSUPP || e.errno() == Errno.ENODEV;
    }

    /** The process's Lustre access, chosen once: see {@link #load()}. */
    static Lustre get() {
        return LustreHolder.INSTANCE;
    }

    /**
     * Loads liblustreapi: the library named by {@link #LIBRARY_PROPERTY} or {@link #LIBRARY_ENV} when set (and
     * only that one), else {@code liblustreapi.so.1} or {@code liblustreapi.so} from the library path.
     */
    static Lustre load() {
        String named = System.getProperty(LIBRARY_PROPERTY);
        if (named == null || named.isEmpty()) {
            named = System.getenv(LIBRARY_ENV);
        }
        List<String> names = new ArrayList<>();
        if (named != null && !named.isEmpty()) {
            names.add(named);
        } else {
            names.add("liblustreapi.so.1");
            names.add("liblustreapi.so");
        }
        return load(names.toArray(String[]::new));
    }

    /** The first of {@code names} that loads, or {@link NoLustre} when none does. */
    static Lustre load(String... names) {
        return NativeLibrary.find(names).<Lustre>map(LibLustre::new).orElse(NoLustre.INSTANCE);
    }
}
