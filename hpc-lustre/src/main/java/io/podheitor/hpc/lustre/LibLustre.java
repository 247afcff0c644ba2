package io.podheitor.hpc.lustre;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.podheitor.hpc.posix.Errno;
import io.podheitor.hpc.posix.Fcntl;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.posix.ffm.NativeLibrary;
import io.podheitor.hpc.posix.ffm.ThreadScratch;
import io.podheitor.hpc.posix.ffm.ThreadScratch.Buffer;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link Lustre} over liblustreapi through FFM. The signatures are those of {@code include/lustre/lustreapi.h}
 * (docs/lustre.md lists them). Two return conventions: the MDT, FID, target and mount functions return 0 (or a
 * non-negative value) on success and a negative errno on failure; the layout functions return NULL or -1 and set
 * errno, read here through the capture segment of each downcall. A function the loaded version lacks fails with
 * ENOSYS when called, the others keep working.
 *
 * <p>Native memory comes from the calling thread's {@link ThreadScratch} under this class's own buffer keys, so a
 * call allocates none; the layout object the library allocates is freed with {@code llapi_layout_free} before the
 * call returns.
 */
public final class LibLustre implements Lustre {
    private static final Buffer PATH = Buffer.of("lustre path", LustreStructs.PATH_MAX, 1);
    private static final Buffer MNTDIR = Buffer.of("lustre mntdir", LustreStructs.PATH_MAX, 1);
    private static final Buffer FSNAME = Buffer.of("lustre fsname", LustreStructs.PATH_MAX, 1);
    private static final Buffer FID = Buffer.of("lustre fid", LustreStructs.LU_FID);
    private static final Buffer OUT = Buffer.of("lustre out", 16, 8);
    private static final Buffer OUT2 = Buffer.of("lustre out2", 16, 8);
    private static final Buffer STATFS = Buffer.of("lustre statfs", LustreStructs.OBD_STATFS);
    private static final Buffer UUID = Buffer.of("lustre uuid", LustreStructs.OBD_UUID);
    private static final Buffer POOL = Buffer.of("lustre pool", LustreStructs.POOL_NAME_SIZE, 1);

    /** {@code enum llapi_layout_comp_use}. */
    private static final int COMP_USE_FIRST = 1;
    private static final int COMP_USE_NEXT = 3;
    /** The most components walked (Lustre allows far fewer; a bound against a library that never says "last"). */
    private static final int MAX_COMPONENTS = 1024;
    /** Target indices tried by {@link #targets} before giving up when the library never answers ENODEV. */
    private static final int MAX_TARGET_INDEX = 65536;

    private static final FunctionDescriptor INT_INT_PTR = FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS);
    private static final FunctionDescriptor INT_PTR_PTR = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);

    private final NativeLibrary library;
    private final Optional<MethodHandle> fgetMdtidx;
    private final Optional<MethodHandle> fd2fid;
    private final Optional<MethodHandle> path2fid;
    private final Optional<MethodHandle> mdtIndexByFid;
    private final Optional<MethodHandle> obdCount;
    private final Optional<MethodHandle> searchMounts;
    private final Optional<MethodHandle> obdFstatfs;
    private final Optional<MethodHandle> layoutGetByFd;
    private final Optional<MethodHandle> layoutFree;
    private final Optional<MethodHandle> stripeCountGet;
    private final Optional<MethodHandle> stripeSizeGet;
    private final Optional<MethodHandle> patternGet;
    private final Optional<MethodHandle> ostIndexGet;
    private final Optional<MethodHandle> poolNameGet;
    private final Optional<MethodHandle> compUse;
    private final Optional<MethodHandle> compExtentGet;
    private final Optional<MethodHandle> layoutGetByPath;
    private final Optional<MethodHandle> layoutAlloc;
    private final Optional<MethodHandle> stripeCountSet;
    private final Optional<MethodHandle> stripeSizeSet;
    private final Optional<MethodHandle> patternSet;
    private final Optional<MethodHandle> poolNameSet;
    private final Optional<MethodHandle> compExtentSet;
    private final Optional<MethodHandle> compAdd;
    private final Optional<MethodHandle> fileCreate;

    /** Binds the functions of {@code library} (each one optional: an older library may lack some). */
    public LibLustre(NativeLibrary library) {
        this.library = Objects.requireNonNull(library, "library");
        // int llapi_file_fget_mdtidx(int fd, int *mdtidx)
        fgetMdtidx = library.findDowncall("llapi_file_fget_mdtidx", INT_INT_PTR);
        // int llapi_fd2fid(int fd, struct lu_fid *fid)
        fd2fid = library.findDowncall("llapi_fd2fid", INT_INT_PTR);
        // int llapi_path2fid(const char *path, struct lu_fid *fid)
        path2fid = library.findDowncall("llapi_path2fid", INT_PTR_PTR);
        // int llapi_get_mdt_index_by_fid(int fd, const struct lu_fid *fid, int *mdt_index)
        mdtIndexByFid = library.findDowncall("llapi_get_mdt_index_by_fid",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        // int llapi_get_obd_count(char *mnt, int *count, int is_mdt)
        obdCount = library.findDowncall("llapi_get_obd_count",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
        // int llapi_search_mounts(const char *pathname, int index, char *mntdir, char *fsname)
        searchMounts = library.findDowncall("llapi_search_mounts",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
        // int llapi_obd_fstatfs(int fd, __u32 type, __u32 index, struct obd_statfs *, struct obd_uuid *)
        obdFstatfs = library.findDowncall("llapi_obd_fstatfs",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        // struct llapi_layout *llapi_layout_get_by_fd(int fd, enum llapi_layout_get_flags flags)
        layoutGetByFd = library.findDowncall("llapi_layout_get_by_fd",
                FunctionDescriptor.of(ADDRESS, JAVA_INT, JAVA_INT));
        // void llapi_layout_free(struct llapi_layout *layout)
        layoutFree = library.findDowncall("llapi_layout_free", FunctionDescriptor.ofVoid(ADDRESS));
        // int llapi_layout_stripe_count_get(const struct llapi_layout *, uint64_t *count), and size, pattern
        stripeCountGet = library.findDowncall("llapi_layout_stripe_count_get", INT_PTR_PTR);
        stripeSizeGet = library.findDowncall("llapi_layout_stripe_size_get", INT_PTR_PTR);
        patternGet = library.findDowncall("llapi_layout_pattern_get", INT_PTR_PTR);
        // int llapi_layout_ost_index_get(const struct llapi_layout *, uint64_t stripe_number, uint64_t *index):
        // stripe_number was an int before Lustre 2.16; a 64-bit argument fills the same register, so one
        // descriptor serves both (x86_64 and aarch64)
        ostIndexGet = library.findDowncall("llapi_layout_ost_index_get",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS));
        // int llapi_layout_pool_name_get(const struct llapi_layout *, char *dest, size_t n)
        poolNameGet = library.findDowncall("llapi_layout_pool_name_get",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
        // int llapi_layout_comp_use(struct llapi_layout *, enum llapi_layout_comp_use pos)
        compUse = library.findDowncall("llapi_layout_comp_use", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT));
        // int llapi_layout_comp_extent_get(const struct llapi_layout *, uint64_t *start, uint64_t *end)
        compExtentGet = library.findDowncall("llapi_layout_comp_extent_get",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        // struct llapi_layout *llapi_layout_get_by_path(const char *path, enum llapi_layout_get_flags flags)
        layoutGetByPath = library.findDowncall("llapi_layout_get_by_path",
                FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT));
        // struct llapi_layout *llapi_layout_alloc(void)
        layoutAlloc = library.findDowncall("llapi_layout_alloc", FunctionDescriptor.of(ADDRESS));
        // int llapi_layout_stripe_count_set(struct llapi_layout *, uint64_t count), and size, pattern
        FunctionDescriptor setU64 = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG);
        stripeCountSet = library.findDowncall("llapi_layout_stripe_count_set", setU64);
        stripeSizeSet = library.findDowncall("llapi_layout_stripe_size_set", setU64);
        patternSet = library.findDowncall("llapi_layout_pattern_set", setU64);
        // int llapi_layout_pool_name_set(struct llapi_layout *, const char *pool_name)
        poolNameSet = library.findDowncall("llapi_layout_pool_name_set", INT_PTR_PTR);
        // int llapi_layout_comp_extent_set(struct llapi_layout *, uint64_t start, uint64_t end)
        compExtentSet = library.findDowncall("llapi_layout_comp_extent_set",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
        // int llapi_layout_comp_add(struct llapi_layout *)
        compAdd = library.findDowncall("llapi_layout_comp_add", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        // int llapi_layout_file_create(const char *path, int open_flags, int mode, const struct llapi_layout *)
        fileCreate = library.findDowncall("llapi_layout_file_create",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    }

    @Override
    public boolean present() {
        return true;
    }

    @Override
    public String library() {
        return library.name();
    }

    private MethodHandle need(Optional<MethodHandle> handle, String function, byte[] path) throws PosixException {
        if (handle.isEmpty()) {
            throw new PosixException(function + " (not in " + library.name() + ")", Errno.ENOSYS, path);
        }
        return handle.get();
    }

    /** A 0 / -errno result as an exception. */
    private static int check(int rc, String function, byte[] path) throws PosixException {
        if (rc < 0) {
            throw new PosixException(function, -rc, path);
        }
        return rc;
    }

    // ------------------------------------------------------------------ MDTs and FIDs

    @Override
    public int mdtIndex(int fd) throws PosixException {
        MethodHandle h = need(fgetMdtidx, "llapi_file_fget_mdtidx", null);
        ThreadScratch s = ThreadScratch.current();
        MemorySegment out = s.buffer(OUT);
        int rc;
        try {
            rc = (int) h.invokeExact(s.capture(), fd, out);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
        check(rc, "llapi_file_fget_mdtidx", null);
        return out.get(JAVA_INT, 0);
    }

    @Override
    public Fid fid(int fd) throws PosixException {
        MethodHandle h = need(fd2fid, "llapi_fd2fid", null);
        ThreadScratch s = ThreadScratch.current();
        MemorySegment fid = s.buffer(FID);
        int rc;
        try {
            rc = (int) h.invokeExact(s.capture(), fd, fid);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
        check(rc, "llapi_fd2fid", null);
        return readFid(fid);
    }

    @Override
    public Fid fid(byte[] path) throws PosixException {
        MethodHandle h = need(path2fid, "llapi_path2fid", path);
        ThreadScratch s = ThreadScratch.current();
        MemorySegment p = cPath(s, PATH, path, "llapi_path2fid");
        MemorySegment fid = s.buffer(FID);
        int rc;
        try {
            rc = (int) h.invokeExact(s.capture(), p, fid);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
        check(rc, "llapi_path2fid", path);
        return readFid(fid);
    }

    @Override
    public int mdtIndexOf(int fd, Fid fid) throws PosixException {
        MethodHandle h = need(mdtIndexByFid, "llapi_get_mdt_index_by_fid", null);
        ThreadScratch s = ThreadScratch.current();
        MemorySegment f = s.buffer(FID);
        f.set(JAVA_LONG, LustreStructs.offset(LustreStructs.LU_FID, "f_seq"), fid.seq());
        f.set(JAVA_INT, LustreStructs.offset(LustreStructs.LU_FID, "f_oid"), fid.oid());
        f.set(JAVA_INT, LustreStructs.offset(LustreStructs.LU_FID, "f_ver"), fid.ver());
        MemorySegment out = s.buffer(OUT);
        out.set(JAVA_INT, 0, -1);
        int rc;
        try {
            rc = (int) h.invokeExact(s.capture(), fd, f, out);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
        check(rc, "llapi_get_mdt_index_by_fid", null);
        return out.get(JAVA_INT, 0);
    }

    @Override
    public int mdtIndexAt(int dirfd, byte[] name) throws PosixException {
        int fd = Posix.openat(dirfd, name, Fcntl.O_PATH | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC, 0);
        try {
            return mdtIndexOf(dirfd, fid(fd));
        } catch (PosixException e) {
            throw e.withPath(name);
        } finally {
            Posix.closeQuietly(fd);
        }
    }

    private static Fid readFid(MemorySegment fid) {
        return new Fid(fid.get(JAVA_LONG, LustreStructs.offset(LustreStructs.LU_FID, "f_seq")),
                fid.get(JAVA_INT, LustreStructs.offset(LustreStructs.LU_FID, "f_oid")),
                fid.get(JAVA_INT, LustreStructs.offset(LustreStructs.LU_FID, "f_ver")));
    }

    // ------------------------------------------------------------------ targets and mounts

    @Override
    public int targetCount(byte[] dir, TargetKind kind) throws PosixException {
        MethodHandle h = need(obdCount, "llapi_get_obd_count", dir);
        ThreadScratch s = ThreadScratch.current();
        MemorySegment p = cPath(s, PATH, dir, "llapi_get_obd_count");
        MemorySegment out = s.buffer(OUT);
        int rc;
        try {
            rc = (int) h.invokeExact(s.capture(), p, out, kind == TargetKind.MDT ? 1 : 0);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
        check(rc, "llapi_get_obd_count", dir);
        return out.get(JAVA_INT, 0);
    }

    @Override
    public Optional<LustreMount> mount(byte[] path) throws PosixException {
        MethodHandle h = need(searchMounts, "llapi_search_mounts", path);
        if (path.length >= LustreStructs.PATH_MAX) {
            throw new PosixException("llapi_search_mounts", Errno.ENAMETOOLONG, path);
        }
        ThreadScratch s = ThreadScratch.current();
        MemorySegment p = cPath(s, PATH, path, "llapi_search_mounts");
        MemorySegment mntdir = s.buffer(MNTDIR);
        MemorySegment fsname = s.buffer(FSNAME);
        mntdir.set(JAVA_BYTE, 0, (byte) 0);
        fsname.set(JAVA_BYTE, 0, (byte) 0);
        int rc;
        try {
            rc = (int) h.invokeExact(s.capture(), p, 0, mntdir, fsname);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
        if (rc == -Errno.ENODEV) {
            return Optional.empty();
        }
        check(rc, "llapi_search_mounts", path);
        return Optional.of(new LustreMount(cBytes(mntdir), new String(cBytes(fsname), StandardCharsets.ISO_8859_1)));
    }

    @Override
    public List<LustreTarget> targets(int fd, TargetKind kind) throws PosixException {
        MethodHandle h = need(obdFstatfs, "llapi_obd_fstatfs", null);
        ThreadScratch s = ThreadScratch.current();
        MemorySegment st = s.buffer(STATFS);
        MemorySegment uuid = s.buffer(UUID);
        List<LustreTarget> targets = new ArrayList<>();
        for (int index = 0; index < MAX_TARGET_INDEX; index++) {
            st.fill((byte) 0);
            uuid.fill((byte) 0);
            int rc;
            try {
                rc = (int) h.invokeExact(s.capture(), fd, kind.statfsType(), index, st, uuid);
            } catch (Throwable t) {
                throw NativeLibrary.unchecked(t);
            }
            if (rc == -Errno.ENODEV) {
                return targets;
            }
            if (rc == -Errno.EAGAIN) {
                continue;
            }
            if (index == 0 && (rc == -Errno.ENOTTY || rc == -Errno.EBADF)) {
                throw new PosixException("llapi_obd_fstatfs", -rc, null);
            }
            String name = cString(uuid);
            if (name.isEmpty()) {
                name = kind + String.format("%04x", index); // as lfs df names a target that gave no UUID
            }
            if (rc == -Errno.ENODATA) {
                targets.add(new LustreTarget(kind, index, name, LustreTarget.State.INACTIVE, "", -1, -1, -1, ""));
            } else if (rc < 0) {
                targets.add(new LustreTarget(kind, index, name, LustreTarget.State.FAILING, Errno.message(-rc), -1,
                        -1, -1, ""));
            } else {
                long files = st.get(JAVA_LONG, LustreStructs.offset(LustreStructs.OBD_STATFS, "os_files"));
                long ffree = st.get(JAVA_LONG, LustreStructs.offset(LustreStructs.OBD_STATFS, "os_ffree"));
                int state = st.get(JAVA_INT, LustreStructs.offset(LustreStructs.OBD_STATFS, "os_state"));
                targets.add(new LustreTarget(kind, index, name, LustreTarget.State.ACTIVE, "", files, files - ffree,
                        ffree, StateFlags.letters(state)));
            }
        }
        return targets;
    }

    // ------------------------------------------------------------------ layouts

    @Override
    public Layout layout(int fd) throws PosixException {
        MethodHandle get = need(layoutGetByFd, "llapi_layout_get_by_fd", null);
        MethodHandle free = need(layoutFree, "llapi_layout_free", null);
        ThreadScratch s = ThreadScratch.current();
        MemorySegment layout;
        try {
            layout = (MemorySegment) get.invokeExact(s.capture(), fd, 0);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
        if (layout.equals(MemorySegment.NULL)) {
            throw new PosixException("llapi_layout_get_by_fd", s.errno(), null);
        }
        try {
            return readLayout(s, layout);
        } finally {
            free(s, free, layout);
        }
    }

    @Override
    public Layout layout(byte[] path) throws PosixException {
        MethodHandle get = need(layoutGetByPath, "llapi_layout_get_by_path", path);
        MethodHandle free = need(layoutFree, "llapi_layout_free", path);
        ThreadScratch s = ThreadScratch.current();
        MemorySegment p = cPath(s, PATH, path, "llapi_layout_get_by_path");
        MemorySegment layout;
        try {
            layout = (MemorySegment) get.invokeExact(s.capture(), p, 0);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
        if (layout.equals(MemorySegment.NULL)) {
            throw new PosixException("llapi_layout_get_by_path", s.errno(), path);
        }
        try {
            return readLayout(s, layout);
        } catch (PosixException e) {
            throw e.withPath(path);
        } finally {
            free(s, free, layout);
        }
    }

    private static void free(ThreadScratch s, MethodHandle free, MemorySegment layout) {
        try {
            free.invokeExact(s.capture(), layout);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    @Override
    public int createFile(int dirfd, byte[] name, int openFlags, int mode, Layout layout) throws PosixException {
        MethodHandle alloc = need(layoutAlloc, "llapi_layout_alloc", name);
        MethodHandle free = need(layoutFree, "llapi_layout_free", name);
        MethodHandle create = need(fileCreate, "llapi_layout_file_create", name);
        ThreadScratch s = ThreadScratch.current();
        MemorySegment l;
        try {
            l = (MemorySegment) alloc.invokeExact(s.capture());
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
        if (l.equals(MemorySegment.NULL)) {
            throw new PosixException("llapi_layout_alloc", s.errno(), name);
        }
        try {
            List<LayoutComponent> components = layout.components();
            for (int i = 0; i < components.size(); i++) {
                LayoutComponent c = components.get(i);
                if (i > 0) {
                    call(s, need(compAdd, "llapi_layout_comp_add", name), l, "llapi_layout_comp_add", name);
                }
                if (layout.composite()) {
                    setExtent(s, l, c, name);
                }
                set(s, need(stripeCountSet, "llapi_layout_stripe_count_set", name), l, c.stripeCount(),
                        "llapi_layout_stripe_count_set", name);
                set(s, need(stripeSizeSet, "llapi_layout_stripe_size_set", name), l, c.stripeSize(),
                        "llapi_layout_stripe_size_set", name);
                set(s, need(patternSet, "llapi_layout_pattern_set", name), l, c.pattern(),
                        "llapi_layout_pattern_set", name);
                if (!c.pool().isEmpty()) {
                    setPool(s, l, c.pool(), name);
                }
            }
            // a path for a descriptor-relative create: the directory's magic link, then the name's own bytes
            byte[] prefix = ("/proc/self/fd/" + dirfd + "/").getBytes(StandardCharsets.US_ASCII);
            byte[] path = new byte[prefix.length + name.length];
            System.arraycopy(prefix, 0, path, 0, prefix.length);
            System.arraycopy(name, 0, path, prefix.length, name.length);
            MemorySegment p = cPath(s, PATH, path, "llapi_layout_file_create");
            int fd;
            try {
                fd = (int) create.invokeExact(s.capture(), p, openFlags, mode, l);
            } catch (Throwable t) {
                throw NativeLibrary.unchecked(t);
            }
            if (fd < 0) {
                throw new PosixException("llapi_layout_file_create", s.errno(), name);
            }
            return fd;
        } finally {
            free(s, free, l);
        }
    }

    private void setExtent(ThreadScratch s, MemorySegment l, LayoutComponent c, byte[] name) throws PosixException {
        MethodHandle h = need(compExtentSet, "llapi_layout_comp_extent_set", name);
        int rc;
        try {
            rc = (int) h.invokeExact(s.capture(), l, c.start(), c.end());
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
        if (rc != 0) {
            throw new PosixException("llapi_layout_comp_extent_set", s.errno(), name);
        }
    }

    private void setPool(ThreadScratch s, MemorySegment l, String pool, byte[] name) throws PosixException {
        MethodHandle h = need(poolNameSet, "llapi_layout_pool_name_set", name);
        MemorySegment p = cPath(s, POOL, pool.getBytes(StandardCharsets.ISO_8859_1), "llapi_layout_pool_name_set");
        int rc;
        try {
            rc = (int) h.invokeExact(s.capture(), l, p);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
        if (rc != 0) {
            throw new PosixException("llapi_layout_pool_name_set", s.errno(), name);
        }
    }

    private static void set(ThreadScratch s, MethodHandle h, MemorySegment l, long value, String function,
            byte[] name) throws PosixException {
        int rc;
        try {
            rc = (int) h.invokeExact(s.capture(), l, value);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
        if (rc != 0) {
            throw new PosixException(function, s.errno(), name);
        }
    }

    private static void call(ThreadScratch s, MethodHandle h, MemorySegment l, String function, byte[] name)
            throws PosixException {
        int rc;
        try {
            rc = (int) h.invokeExact(s.capture(), l);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
        if (rc != 0) {
            throw new PosixException(function, s.errno(), name);
        }
    }

    private Layout readLayout(ThreadScratch s, MemorySegment layout) throws PosixException {
        MethodHandle use = need(compUse, "llapi_layout_comp_use", null);
        List<LayoutComponent> components = new ArrayList<>();
        int rc = compUse(s, use, layout, COMP_USE_FIRST);
        if (rc != 0) {
            throw new PosixException("llapi_layout_comp_use", s.errno(), null);
        }
        do {
            components.add(readComponent(s, layout));
            rc = compUse(s, use, layout, COMP_USE_NEXT);
            if (rc < 0) {
                throw new PosixException("llapi_layout_comp_use", s.errno(), null);
            }
        } while (rc == 0 && components.size() < MAX_COMPONENTS);
        LayoutComponent first = components.getFirst();
        boolean composite = components.size() > 1 || first.start() != 0 || first.end() != Layout.EOF;
        return new Layout(composite, components);
    }

    private static int compUse(ThreadScratch s, MethodHandle use, MemorySegment layout, int pos) {
        try {
            return (int) use.invokeExact(s.capture(), layout, pos);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    private LayoutComponent readComponent(ThreadScratch s, MemorySegment layout) throws PosixException {
        long start = 0;
        long end = Layout.EOF;
        if (compExtentGet.isPresent()) {
            MemorySegment a = s.buffer(OUT);
            MemorySegment b = s.buffer(OUT2);
            int rc;
            try {
                rc = (int) compExtentGet.get().invokeExact(s.capture(), layout, a, b);
            } catch (Throwable t) {
                throw NativeLibrary.unchecked(t);
            }
            if (rc != 0) {
                throw new PosixException("llapi_layout_comp_extent_get", s.errno(), null);
            }
            start = a.get(JAVA_LONG, 0);
            end = b.get(JAVA_LONG, 0);
        }
        long count = getU64(s, need(stripeCountGet, "llapi_layout_stripe_count_get", null), layout,
                "llapi_layout_stripe_count_get");
        long size = getU64(s, need(stripeSizeGet, "llapi_layout_stripe_size_get", null), layout,
                "llapi_layout_stripe_size_get");
        long pattern = getU64(s, need(patternGet, "llapi_layout_pattern_get", null), layout,
                "llapi_layout_pattern_get");
        String pool = pool(s, layout);
        List<Long> osts = new ArrayList<>();
        if (ostIndexGet.isPresent() && count > 0 && count < Layout.INVALID) {
            MemorySegment out = s.buffer(OUT);
            for (long i = 0; i < count; i++) {
                int rc;
                try {
                    rc = (int) ostIndexGet.get().invokeExact(s.capture(), layout, i, out);
                } catch (Throwable t) {
                    throw NativeLibrary.unchecked(t);
                }
                if (rc != 0) {
                    if (i == 0 && s.errno() == Errno.EINVAL) {
                        break; // no objects: a component not instantiated, or data on the MDT
                    }
                    throw new PosixException("llapi_layout_ost_index_get", s.errno(), null);
                }
                long idx = out.get(JAVA_LONG, 0);
                if (idx == Layout.DEFAULT) {
                    break; // no OST assigned yet
                }
                osts.add(idx);
            }
        }
        return new LayoutComponent(start, end, count, size, pattern, pool, osts);
    }

    private static long getU64(ThreadScratch s, MethodHandle h, MemorySegment layout, String function)
            throws PosixException {
        MemorySegment out = s.buffer(OUT);
        int rc;
        try {
            rc = (int) h.invokeExact(s.capture(), layout, out);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
        if (rc != 0) {
            throw new PosixException(function, s.errno(), null);
        }
        return out.get(JAVA_LONG, 0);
    }

    private String pool(ThreadScratch s, MemorySegment layout) throws PosixException {
        if (poolNameGet.isEmpty()) {
            return "";
        }
        MemorySegment dest = s.buffer(POOL);
        dest.fill((byte) 0);
        int rc;
        try {
            rc = (int) poolNameGet.get().invokeExact(s.capture(), layout, dest, dest.byteSize());
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
        if (rc != 0) {
            if (s.errno() == Errno.EINVAL) {
                return ""; // a foreign layout has no pool
            }
            throw new PosixException("llapi_layout_pool_name_get", s.errno(), null);
        }
        return cString(dest);
    }

    // ------------------------------------------------------------------ C strings

    private static MemorySegment cPath(ThreadScratch s, Buffer key, byte[] path, String function)
            throws PosixException {
        try {
            return s.cString(key, path);
        } catch (IllegalArgumentException nul) {
            throw new PosixException(function, Errno.EINVAL, path);
        }
    }

    /** The bytes of a NUL-terminated string at the start of {@code seg}. */
    private static byte[] cBytes(MemorySegment seg) {
        long n = 0;
        while (n < seg.byteSize() && seg.get(JAVA_BYTE, n) != 0) {
            n++;
        }
        return seg.asSlice(0, n).toArray(JAVA_BYTE);
    }

    /** A C string of ASCII names (UUIDs, pools), byte for byte. */
    private static String cString(MemorySegment seg) {
        return new String(cBytes(seg), StandardCharsets.ISO_8859_1);
    }

    @Override
    public String toString() {
        return "LibLustre[" + library.name() + "]";
    }
}
