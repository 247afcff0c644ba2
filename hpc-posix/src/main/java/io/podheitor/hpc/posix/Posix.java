package io.podheitor.hpc.posix;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.podheitor.hpc.posix.ffm.ThreadScratch;
import io.podheitor.hpc.posix.ffm.ThreadScratch.Buffer;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * libc on raw byte paths, through FFM. Paths are byte arrays without NUL, passed NUL-terminated in per-thread
 * native buffers (see {@link ThreadScratch}); nothing goes through {@code String}, so any name survives unchanged.
 * Failures throw {@link PosixException} carrying errno; EINTR is retried ({@link Eintr}) except by close and lseek.
 * All methods are thread-safe.
 */
public final class Posix {
    /** Wildcard meaning "leave unchanged" for {@link #fchownat}/{@link #fchown}. */
    public static final long NO_CHANGE_ID = 0xffff_ffffL;
    /** UTIME_OMIT for the nanosecond fields of {@link #utimensat}. */
    public static final int UTIME_OMIT = (1 << 30) - 2;

    private static final byte[] EMPTY = new byte[0];
    private static final int MAX_LINK = 1 << 20;

    // this class's per-thread native buffers (the struct buffers are owned by StatxStruct, TimespecPair, Dirent64)
    private static final Buffer PATH = Buffer.of("path", 4096, 1);
    private static final Buffer PATH2 = Buffer.of("second path", 4096, 1);
    private static final Buffer LINK = Buffer.of("readlink", 4096, 1);
    private static final Buffer XATTR = Buffer.of("xattr", 4096, 1);
    private static final Buffer IO = Buffer.of("io", 256 * 1024, 64);
    private static final Buffer HOW = Buffer.of("open_how", 24, 8);

    private Posix() {
    }

    // ---------------------------------------------------------------- metadata

    /** statx(2) of {@code path} relative to {@code dirfd}; pass {@link Fcntl#AT_SYMLINK_NOFOLLOW} for lstat. */
    public static StatX statx(int dirfd, byte[] path, int flags) throws PosixException {
        ThreadScratch s = ThreadScratch.current();
        MemorySegment p = path(s, PATH, path, "statx");
        MemorySegment buf = s.buffer(StatxStruct.BUFFER);
        int r;
        do {
            r = Libc.statx(s.capture(), dirfd, p, flags, StatxStruct.BASIC_STATS, buf);
        } while (Eintr.interrupted(s, r));
        if (r < 0) {
            throw new PosixException("statx", s.errno(), path);
        }
        return StatxStruct.decode(buf);
    }

    /** lstat semantics: a symlink is reported as itself. */
    public static StatX lstat(byte[] path) throws PosixException {
        return statx(Fcntl.AT_FDCWD, path, Fcntl.AT_SYMLINK_NOFOLLOW);
    }

    /** fstat semantics (statx with AT_EMPTY_PATH). */
    public static StatX fstat(int fd) throws PosixException {
        return statx(fd, EMPTY, Fcntl.AT_EMPTY_PATH | Fcntl.AT_SYMLINK_NOFOLLOW);
    }

    /** Is there anything (even a dangling symlink) at {@code path}? */
    public static boolean exists(byte[] path) throws PosixException {
        try {
            lstat(path);
            return true;
        } catch (PosixException e) {
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR) {
                return false;
            }
            throw e;
        }
    }

    /** readlinkat(2): the complete target bytes, however long. */
    public static byte[] readlinkat(int dirfd, byte[] path) throws PosixException {
        ThreadScratch s = ThreadScratch.current();
        MemorySegment p = path(s, PATH, path, "readlink");
        MemorySegment buf = s.buffer(LINK);
        while (true) {
            long n;
            do {
                n = Libc.readlinkat(s.capture(), dirfd, p, buf, buf.byteSize());
            } while (Eintr.interrupted(s, n));
            if (n < 0) {
                throw new PosixException("readlink", s.errno(), path);
            }
            if (n < buf.byteSize()) {
                return buf.asSlice(0, n).toArray(JAVA_BYTE);
            }
            if (buf.byteSize() >= MAX_LINK) {
                throw new PosixException("readlink", Errno.ENAMETOOLONG, path);
            }
            buf = s.grow(LINK, 0);
        }
    }

    // ---------------------------------------------------------------- descriptors

    /** openat(2); {@code mode} is used with O_CREAT. */
    public static int openat(int dirfd, byte[] path, int flags, int mode) throws PosixException {
        ThreadScratch s = ThreadScratch.current();
        MemorySegment p = path(s, PATH, path, "open");
        int fd;
        do {
            fd = Libc.openat(s.capture(), dirfd, p, flags, mode);
        } while (Eintr.interrupted(s, fd));
        if (fd < 0) {
            throw new PosixException("open", s.errno(), path);
        }
        return fd;
    }

    /**
     * openat2(2): {@code path} relative to {@code dirfd} with {@code flags}/{@code mode} as for openat and the
     * {@code resolve} flags of struct open_how (e.g. {@link Fcntl#RESOLVE_BENEATH}). Fails with ENOSYS on kernels
     * before 5.6 ({@link Beneath} falls back to one component at a time then).
     */
    public static int openat2(int dirfd, byte[] path, int flags, int mode, long resolve) throws PosixException {
        ThreadScratch s = ThreadScratch.current();
        MemorySegment p = path(s, PATH, path, "open");
        MemorySegment how = s.buffer(HOW);
        how.set(JAVA_LONG, 0, Integer.toUnsignedLong(flags));
        boolean creates = (flags & Fcntl.O_CREAT) != 0 || (flags & Fcntl.O_TMPFILE) == Fcntl.O_TMPFILE;
        how.set(JAVA_LONG, 8, creates ? Integer.toUnsignedLong(mode) : 0); // any other mode is EINVAL
        how.set(JAVA_LONG, 16, resolve);
        long fd;
        do {
            fd = Libc.openat2(s.capture(), dirfd, p, how, 24);
        } while (Eintr.interrupted(s, fd));
        if (fd < 0) {
            throw new PosixException("open", s.errno(), path);
        }
        return (int) fd;
    }

    public static int open(byte[] path, int flags, int mode) throws PosixException {
        return openat(Fcntl.AT_FDCWD, path, flags, mode);
    }

    /** A directory, for getdents64: O_RDONLY|O_DIRECTORY|O_NOFOLLOW|O_CLOEXEC. */
    public static int openDirectory(int dirfd, byte[] path) throws PosixException {
        return openat(dirfd, path, Fcntl.O_RDONLY | Fcntl.O_DIRECTORY | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC, 0);
    }

    /**
     * A file for reading its data: O_RDONLY|O_NOFOLLOW|O_CLOEXEC|O_NONBLOCK, with O_NOATIME when permitted
     * (EPERM: not the owner and no CAP_FOWNER -> retried without). O_NONBLOCK keeps a fifo that replaced the
     * file from blocking the open; it does not change reads of regular files.
     */
    public static int openForReading(int dirfd, byte[] path) throws PosixException {
        int flags = Fcntl.O_RDONLY | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC | Fcntl.O_NONBLOCK;
        try {
            return openat(dirfd, path, flags | Fcntl.O_NOATIME, 0);
        } catch (PosixException e) {
            if (e.errno() != Errno.EPERM) {
                throw e;
            }
            return openat(dirfd, path, flags, 0);
        }
    }

    /** close(2). EINTR is not retried (Linux always releases the descriptor). */
    public static void close(int fd) throws PosixException {
        ThreadScratch s = ThreadScratch.current();
        if (Libc.close(s.capture(), fd) < 0 && s.errno() != Errno.EINTR) {
            throw new PosixException("close", s.errno(), null);
        }
    }

    /** Closes and ignores errors (for cleanup paths after another failure). */
    public static void closeQuietly(int fd) {
        if (fd >= 0) {
            Libc.close(ThreadScratch.current().capture(), fd);
        }
    }

    /**
     * One getdents64(2) batch from an open directory, "." and ".." left out.
     *
     * @return the entries of this batch; an empty list only at the end of the directory
     */
    public static List<DirEntry> readDirectory(int fd) throws PosixException {
        ThreadScratch s = ThreadScratch.current();
        MemorySegment buf = s.buffer(Dirent64.BUFFER);
        while (true) {
            long n;
            do {
                n = Libc.getdents64(s.capture(), fd, buf, buf.byteSize());
            } while (Eintr.interrupted(s, n));
            if (n < 0) {
                throw new PosixException("getdents64", s.errno(), null);
            }
            if (n == 0) {
                return List.of();
            }
            List<DirEntry> entries = Dirent64.parse(buf, n);
            if (!entries.isEmpty()) {
                return entries;
            }
            // a batch holding only "." and "..": read on
        }
    }

    /** read(2) into {@code buf[off, off+len)}; returns 0 at end of file. Reads at most 256 KiB per call. */
    public static int read(int fd, byte[] buf, int off, int len) throws PosixException {
        ThreadScratch s = ThreadScratch.current();
        MemorySegment io = s.buffer(IO);
        long want = Math.min(len, io.byteSize());
        long n;
        do {
            n = Libc.read(s.capture(), fd, io, want);
        } while (Eintr.interrupted(s, n));
        if (n < 0) {
            throw new PosixException("read", s.errno(), null);
        }
        MemorySegment.copy(io, JAVA_BYTE, 0, buf, off, (int) n);
        return (int) n;
    }

    /** read(2) straight into native memory; returns 0 at end of file. */
    public static long read(int fd, MemorySegment buf) throws PosixException {
        ThreadScratch s = ThreadScratch.current();
        long n;
        do {
            n = Libc.read(s.capture(), fd, buf, buf.byteSize());
        } while (Eintr.interrupted(s, n));
        if (n < 0) {
            throw new PosixException("read", s.errno(), null);
        }
        return n;
    }

    /** pread(2) into {@code buf[off, off+len)} at file position {@code position}. */
    public static int pread(int fd, byte[] buf, int off, int len, long position) throws PosixException {
        ThreadScratch s = ThreadScratch.current();
        MemorySegment io = s.buffer(IO);
        long want = Math.min(len, io.byteSize());
        long n;
        do {
            n = Libc.pread(s.capture(), fd, io, want, position);
        } while (Eintr.interrupted(s, n));
        if (n < 0) {
            throw new PosixException("pread", s.errno(), null);
        }
        MemorySegment.copy(io, JAVA_BYTE, 0, buf, off, (int) n);
        return (int) n;
    }

    /** write(2) of all of {@code buf[off, off+len)}, looping on short writes. */
    public static void write(int fd, byte[] buf, int off, int len) throws PosixException {
        ThreadScratch s = ThreadScratch.current();
        MemorySegment io = s.buffer(IO);
        int done = 0;
        while (done < len) {
            int chunk = (int) Math.min(len - done, io.byteSize());
            MemorySegment.copy(buf, off + done, io, JAVA_BYTE, 0, chunk);
            long pos = 0;
            while (pos < chunk) {
                long n;
                do {
                    n = Libc.write(s.capture(), fd, io.asSlice(pos, chunk - pos), chunk - pos);
                } while (Eintr.interrupted(s, n));
                if (n < 0) {
                    throw new PosixException("write", s.errno(), null);
                }
                pos += n;
            }
            done += chunk;
        }
    }

    /** pwrite(2) of all of {@code buf[off, off+len)} at file position {@code position}, looping on short writes. */
    public static void pwrite(int fd, byte[] buf, int off, int len, long position) throws PosixException {
        ThreadScratch s = ThreadScratch.current();
        MemorySegment io = s.buffer(IO);
        int done = 0;
        while (done < len) {
            int chunk = (int) Math.min(len - done, io.byteSize());
            MemorySegment.copy(buf, off + done, io, JAVA_BYTE, 0, chunk);
            long pos = 0;
            while (pos < chunk) {
                long n = Libc.pwrite(s.capture(), fd, io.asSlice(pos, chunk - pos), chunk - pos, position + done + pos);
                if (n < 0) {
                    if (s.errno() == Errno.EINTR) {
                        continue;
                    }
                    throw new PosixException("pwrite", s.errno(), null);
                }
                pos += n;
            }
            done += chunk;
        }
    }

    public static void ftruncate(int fd, long length) throws PosixException {
        ThreadScratch s = ThreadScratch.current();
        int r;
        do {
            r = Libc.ftruncate(s.capture(), fd, length);
        } while (Eintr.interrupted(s, r));
        if (r < 0) {
            throw new PosixException("ftruncate", s.errno(), null);
        }
    }

    public static final int SEEK_SET = 0;
    public static final int SEEK_DATA = 3;
    public static final int SEEK_HOLE = 4;

    /**
     * lseek(2). For {@link #SEEK_DATA} / {@link #SEEK_HOLE} past the last data, Linux fails with ENXIO; this
     * method returns -1 then instead of throwing.
     */
    public static long lseek(int fd, long offset, int whence) throws PosixException {
        ThreadScratch s = ThreadScratch.current();
        long r = Libc.lseek(s.capture(), fd, offset, whence); // not retried: lseek does not fail with EINTR
        if (r < 0) {
            if (s.errno() == Errno.ENXIO && (whence == SEEK_DATA || whence == SEEK_HOLE)) {
                return -1;
            }
            throw new PosixException("lseek", s.errno(), null);
        }
        return r;
    }

    /** POSIX_FADV_DONTNEED (Linux): the page cache of the range may be dropped (clean pages are, at once). */
    public static final int POSIX_FADV_DONTNEED = 4;

    /**
     * posix_fadvise(2) of {@code [offset, offset+len)} ({@code len} 0: to the end of the file). It is advice: the
     * result is the error number (0 on success), never an exception; EINTR cannot happen.
     */
    public static int fadvise(int fd, long offset, long len, int advice) {
        return Libc.posixFadvise(ThreadScratch.current().capture(), fd, offset, len, advice);
    }

    // ---------------------------------------------------------------- extended attributes

    /** The largest xattr value Linux accepts (XATTR_SIZE_MAX) and the largest name list (XATTR_LIST_MAX). */
    public static final int XATTR_MAX = 65536;

    /**
     * llistxattr(2): the attribute names of {@code path} itself (a symlink is not followed), raw bytes, in the
     * order the file system reports them. EOPNOTSUPP (no xattr support) is thrown like any other failure.
     */
    public static List<byte[]> listXattrs(byte[] path) throws PosixException {
        ThreadScratch s = ThreadScratch.current();
        MemorySegment p = path(s, PATH, path, "llistxattr");
        return names(xattrBytes(s, (cs, buf) -> Libc.llistxattr(cs, p, buf, buf.byteSize()), 2L * XATTR_MAX,
                "llistxattr", path));
    }

    /**
     * flistxattr(2): as {@link #listXattrs(byte[])} for the file open as {@code fd} (no path is looked up);
     * {@code path} only names it in a failure.
     */
    public static List<byte[]> listXattrs(int fd, byte[] path) throws PosixException {
        ThreadScratch s = ThreadScratch.current();
        return names(xattrBytes(s, (cs, buf) -> Libc.flistxattr(cs, fd, buf, buf.byteSize()), 2L * XATTR_MAX,
                "flistxattr", path));
    }

    /**
     * lgetxattr(2): the value of attribute {@code name} of {@code path} itself, or null when the attribute
     * vanished meanwhile (ENODATA).
     */
    public static byte[] getXattr(byte[] path, byte[] name) throws PosixException {
        ThreadScratch s = ThreadScratch.current();
        MemorySegment p = path(s, PATH, path, "lgetxattr");
        MemorySegment nm = path(s, PATH2, name, "lgetxattr");
        return xattrBytes(s, (cs, buf) -> Libc.lgetxattr(cs, p, nm, buf, buf.byteSize()), XATTR_MAX, "lgetxattr",
                path);
    }

    /** fgetxattr(2): as {@link #getXattr(byte[], byte[])} for the file open as {@code fd}; {@code path} names it. */
    public static byte[] getXattr(int fd, byte[] name, byte[] path) throws PosixException {
        ThreadScratch s = ThreadScratch.current();
        MemorySegment nm = path(s, PATH2, name, "fgetxattr");
        return xattrBytes(s, (cs, buf) -> Libc.fgetxattr(cs, fd, nm, buf, buf.byteSize()), XATTR_MAX, "fgetxattr",
                path);
    }

    /** One xattr call that fills {@code buf}: its result, or -1 with errno captured in {@code cs}. */
    private interface XattrCall {
        long call(MemorySegment cs, MemorySegment buf);
    }

    /**
     * Runs CALL into the thread's xattr buffer (EINTR retried; ERANGE: once more with {@code grown} bytes): the
     * bytes it returned, null on ENODATA (an attribute that vanished meanwhile).
     */
    private static byte[] xattrBytes(ThreadScratch s, XattrCall call, long grown, String op, byte[] path)
            throws PosixException {
        MemorySegment buf = s.buffer(XATTR);
        while (true) {
            long n;
            do {
                n = call.call(s.capture(), buf);
            } while (Eintr.interrupted(s, n));
            if (n < 0 && s.errno() == Errno.ERANGE && buf.byteSize() < grown) {
                buf = s.grow(XATTR, grown);
                continue;
            }
            if (n < 0 && s.errno() == Errno.ENODATA) {
                return null;
            }
            if (n < 0) {
                throw new PosixException(op, s.errno(), path);
            }
            return buf.asSlice(0, n).toArray(JAVA_BYTE);
        }
    }

    /** The names of a NUL-separated list (empty names skipped); null (ENODATA) reads as none. */
    private static List<byte[]> names(byte[] list) {
        List<byte[]> names = new ArrayList<>();
        if (list == null) {
            return names;
        }
        int start = 0;
        for (int i = 0; i < list.length; i++) {
            if (list[i] == 0) {
                if (i > start) {
                    names.add(java.util.Arrays.copyOfRange(list, start, i));
                }
                start = i + 1;
            }
        }
        return names;
    }

    /** lsetxattr(2) with flags 0 (create or replace) on {@code path} itself. */
    public static void setXattr(byte[] path, byte[] name, byte[] value) throws PosixException {
        ThreadScratch s = ThreadScratch.current();
        MemorySegment p = path(s, PATH, path, "lsetxattr");
        MemorySegment nm = path(s, PATH2, name, "lsetxattr");
        MemorySegment buf = s.buffer(XATTR);
        if (buf.byteSize() < value.length) {
            buf = s.grow(XATTR, value.length);
        }
        MemorySegment.copy(value, 0, buf, JAVA_BYTE, 0, value.length);
        int r;
        do {
            r = Libc.lsetxattr(s.capture(), p, nm, buf, value.length, 0);
        } while (Eintr.interrupted(s, r));
        if (r < 0) {
            throw new PosixException("lsetxattr", s.errno(), path);
        }
    }

    /**
     * A path naming {@code name} inside the directory open as {@code dirfd}, for calls that take only a path
     * (the l*xattr family): {@code /proc/self/fd/<dirfd>/<name>}. The kernel resolves the descriptor's directory
     * itself, so no component of the directory's own path is looked up again (a directory swapped for a symlink
     * after it was opened is not followed); {@code name} must be one component.
     */
    public static byte[] inDirectory(int dirfd, byte[] name) {
        if (dirfd < 0) {
            throw new IllegalArgumentException("not a descriptor: " + dirfd);
        }
        // built in place (called for every walked entry's xattrs): no String, no charset encoder
        int digits = 1;
        for (int v = dirfd; v >= 10; v /= 10) {
            digits++;
        }
        int slash = PROC_SELF_FD.length + digits;
        byte[] p = new byte[slash + 1 + name.length];
        System.arraycopy(PROC_SELF_FD, 0, p, 0, PROC_SELF_FD.length);
        int i = slash;
        int v = dirfd;
        do {
            p[--i] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v > 0);
        p[slash] = '/';
        System.arraycopy(name, 0, p, slash + 1, name.length);
        return p;
    }

    private static final byte[] PROC_SELF_FD = {'/', 'p', 'r', 'o', 'c', '/', 's', 'e', 'l', 'f', '/', 'f', 'd', '/'};

    // ---------------------------------------------------------------- namespace changes

    public static void mkdirat(int dirfd, byte[] path, int mode) throws PosixException {
        ThreadScratch s = ThreadScratch.current();
        MemorySegment p = path(s, PATH, path, "mkdir");
        int r;
        do {
            r = Libc.mkdirat(s.capture(), dirfd, p, mode);
        } while (Eintr.interrupted(s, r));
        if (r < 0) {
            throw new PosixException("mkdir", s.errno(), path);
        }
    }

    /** mknodat(2): fifos ({@code S_IFIFO}), character and block devices ({@code dev} as makedev). */
    public static void mknodat(int dirfd, byte[] path, int mode, long dev) throws PosixException {
        ThreadScratch s = ThreadScratch.current();
        MemorySegment p = path(s, PATH, path, "mknod");
        int r;
        do {
            r = Libc.mknodat(s.capture(), dirfd, p, mode, dev);
        } while (Eintr.interrupted(s, r));
        if (r < 0) {
            throw new PosixException("mknod", s.errno(), path);
        }
    }

    /** symlinkat(2): creates {@code path} pointing at {@code target}. */
    public static void symlinkat(byte[] target, int dirfd, byte[] path) throws PosixException {
        ThreadScratch s = ThreadScratch.current();
        MemorySegment t = path(s, PATH, target, "symlink");
        MemorySegment p = path(s, PATH2, path, "symlink");
        int r;
        do {
            r = Libc.symlinkat(s.capture(), t, dirfd, p);
        } while (Eintr.interrupted(s, r));
        if (r < 0) {
            throw new PosixException("symlink", s.errno(), path);
        }
    }

    /** linkat(2): a new name {@code newPath} for the inode at {@code oldPath}. */
    public static void linkat(int oldDirfd, byte[] oldPath, int newDirfd, byte[] newPath, int flags)
            throws PosixException {
        ThreadScratch s = ThreadScratch.current();
        MemorySegment o = path(s, PATH, oldPath, "link");
        MemorySegment n = path(s, PATH2, newPath, "link");
        int r;
        do {
            r = Libc.linkat(s.capture(), oldDirfd, o, newDirfd, n, flags);
        } while (Eintr.interrupted(s, r));
        if (r < 0) {
            throw new PosixException("link", s.errno(), newPath);
        }
    }

    /** unlinkat(2); {@link Fcntl#AT_REMOVEDIR} removes an empty directory. */
    public static void unlinkat(int dirfd, byte[] path, int flags) throws PosixException {
        ThreadScratch s = ThreadScratch.current();
        MemorySegment p = path(s, PATH, path, "unlink");
        int r;
        do {
            r = Libc.unlinkat(s.capture(), dirfd, p, flags);
        } while (Eintr.interrupted(s, r));
        if (r < 0) {
            throw new PosixException((flags & Fcntl.AT_REMOVEDIR) != 0 ? "rmdir" : "unlink", s.errno(), path);
        }
    }

    // ---------------------------------------------------------------- attributes

    /** fchmodat(2); with AT_SYMLINK_NOFOLLOW glibc refuses symlinks (EOPNOTSUPP), which have no mode anyway. */
    public static void fchmodat(int dirfd, byte[] path, int mode, int flags) throws PosixException {
        ThreadScratch s = ThreadScratch.current();
        MemorySegment p = path(s, PATH, path, "chmod");
        int r;
        do {
            r = Libc.fchmodat(s.capture(), dirfd, p, mode, flags);
        } while (Eintr.interrupted(s, r));
        if (r < 0) {
            throw new PosixException("chmod", s.errno(), path);
        }
    }

    public static void fchmod(int fd, int mode) throws PosixException {
        ThreadScratch s = ThreadScratch.current();
        int r;
        do {
            r = Libc.fchmod(s.capture(), fd, mode);
        } while (Eintr.interrupted(s, r));
        if (r < 0) {
            throw new PosixException("chmod", s.errno(), null);
        }
    }

    /** fchownat(2); with AT_SYMLINK_NOFOLLOW it is lchown. {@link #NO_CHANGE_ID} leaves an id unchanged. */
    public static void fchownat(int dirfd, byte[] path, long uid, long gid, int flags) throws PosixException {
        ThreadScratch s = ThreadScratch.current();
        MemorySegment p = path(s, PATH, path, "chown");
        int r;
        do {
            r = Libc.fchownat(s.capture(), dirfd, p, (int) uid, (int) gid, flags);
        } while (Eintr.interrupted(s, r));
        if (r < 0) {
            throw new PosixException("chown", s.errno(), path);
        }
    }

    public static void fchown(int fd, long uid, long gid) throws PosixException {
        ThreadScratch s = ThreadScratch.current();
        int r;
        do {
            r = Libc.fchown(s.capture(), fd, (int) uid, (int) gid);
        } while (Eintr.interrupted(s, r));
        if (r < 0) {
            throw new PosixException("chown", s.errno(), null);
        }
    }

    /** utimensat(2) with nanosecond atime and mtime; AT_SYMLINK_NOFOLLOW sets a symlink's own times. */
    public static void utimensat(int dirfd, byte[] path, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec,
            int flags) throws PosixException {
        ThreadScratch s = ThreadScratch.current();
        MemorySegment p = path(s, PATH, path, "utimensat");
        MemorySegment times = s.buffer(TimespecPair.BUFFER);
        TimespecPair.set(times, atimeSec, atimeNsec, mtimeSec, mtimeNsec);
        int r;
        do {
            r = Libc.utimensat(s.capture(), dirfd, p, times, flags);
        } while (Eintr.interrupted(s, r));
        if (r < 0) {
            throw new PosixException("utimensat", s.errno(), path);
        }
    }

    public static void futimens(int fd, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec)
            throws PosixException {
        ThreadScratch s = ThreadScratch.current();
        MemorySegment times = s.buffer(TimespecPair.BUFFER);
        TimespecPair.set(times, atimeSec, atimeNsec, mtimeSec, mtimeNsec);
        int r;
        do {
            r = Libc.futimens(s.capture(), fd, times);
        } while (Eintr.interrupted(s, r));
        if (r < 0) {
            throw new PosixException("futimens", s.errno(), null);
        }
    }

    /** {@code path} NUL-terminated in buffer {@code key}; a NUL inside it fails {@code operation} with EINVAL. */
    private static MemorySegment path(ThreadScratch s, Buffer key, byte[] path, String operation)
            throws PosixException {
        try {
            return s.cString(key, path);
        } catch (IllegalArgumentException nul) {
            throw new PosixException(operation, Errno.EINVAL, path);
        }
    }
}
