package io.podheitor.hpc.posix;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * libc on raw byte paths, through FFM. Paths are byte arrays without NUL, passed NUL-terminated in per-thread
 * native buffers (see {@link Scratch}); nothing goes through {@code String}, so any name survives unchanged.
 * Failures throw {@link PosixException} carrying errno; EINTR is retried.
 * All methods are thread-safe.
 */
public final class Posix {
    /** Wildcard meaning "leave unchanged" for {@link #fchownat}/{@link #fchown}. */
    public static final long NO_CHANGE_ID = 0xffff_ffffL;
    /** UTIME_OMIT for the nanosecond fields of {@link #utimensat}. */
    public static final int UTIME_OMIT = (1 << 30) - 2;

    private static final int STATX_BASIC_STATS = 0x7ff;
    private static final byte[] EMPTY = new byte[0];
    private static final int MAX_LINK = 1 << 20;

    private Posix() {
    }

    // ---------------------------------------------------------------- metadata

    /** statx(2) of {@code path} relative to {@code dirfd}; pass {@link Fcntl#AT_SYMLINK_NOFOLLOW} for lstat. */
    public static StatX statx(int dirfd, byte[] path, int flags) throws PosixException {
        Scratch s = Scratch.get();
        MemorySegment p = s.path(0, path, "statx");
        int r;
        do {
            r = Libc.statx(s.capture, dirfd, p, flags, STATX_BASIC_STATS, s.statx);
        } while (r < 0 && s.errno() == Errno.EINTR);
        if (r < 0) {
            throw new PosixException("statx", s.errno(), path);
        }
        return decodeStatx(s.statx);
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

    static StatX decodeStatx(MemorySegment b) {
        return new StatX(
                Short.toUnsignedInt(b.get(JAVA_SHORT_UNALIGNED, 28)),
                Integer.toUnsignedLong(b.get(JAVA_INT, 20)),
                Integer.toUnsignedLong(b.get(JAVA_INT, 24)),
                b.get(JAVA_LONG, 40),
                b.get(JAVA_LONG, 64), b.get(JAVA_INT, 72),
                b.get(JAVA_LONG, 112), b.get(JAVA_INT, 120),
                b.get(JAVA_LONG, 96), b.get(JAVA_INT, 104),
                b.get(JAVA_LONG, 32),
                StatX.makedev(Integer.toUnsignedLong(b.get(JAVA_INT, 136)), Integer.toUnsignedLong(b.get(JAVA_INT, 140))),
                Integer.toUnsignedLong(b.get(JAVA_INT, 16)),
                StatX.makedev(Integer.toUnsignedLong(b.get(JAVA_INT, 128)), Integer.toUnsignedLong(b.get(JAVA_INT, 132))),
                b.get(JAVA_LONG, 48),
                b.get(JAVA_INT, 4));
    }

    /** readlinkat(2): the complete target bytes, however long. */
    public static byte[] readlinkat(int dirfd, byte[] path) throws PosixException {
        Scratch s = Scratch.get();
        MemorySegment p = s.path(0, path, "readlink");
        MemorySegment buf = s.link();
        while (true) {
            long n = Libc.readlinkat(s.capture, dirfd, p, buf, buf.byteSize());
            if (n < 0) {
                if (s.errno() == Errno.EINTR) {
                    continue;
                }
                throw new PosixException("readlink", s.errno(), path);
            }
            if (n < buf.byteSize()) {
                return buf.asSlice(0, n).toArray(JAVA_BYTE);
            }
            if (buf.byteSize() >= MAX_LINK) {
                throw new PosixException("readlink", Errno.ENAMETOOLONG, path);
            }
            buf = s.growLink();
        }
    }

    // ---------------------------------------------------------------- descriptors

    /** openat(2); {@code mode} is used with O_CREAT. */
    public static int openat(int dirfd, byte[] path, int flags, int mode) throws PosixException {
        Scratch s = Scratch.get();
        MemorySegment p = s.path(0, path, "open");
        int fd;
        do {
            fd = Libc.openat(s.capture, dirfd, p, flags, mode);
        } while (fd < 0 && s.errno() == Errno.EINTR);
        if (fd < 0) {
            throw new PosixException("open", s.errno(), path);
        }
        return fd;
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
        Scratch s = Scratch.get();
        if (Libc.close(s.capture, fd) < 0 && s.errno() != Errno.EINTR) {
            throw new PosixException("close", s.errno(), null);
        }
    }

    /** Closes and ignores errors (for cleanup paths after another failure). */
    public static void closeQuietly(int fd) {
        if (fd >= 0) {
            Libc.close(Scratch.get().capture, fd);
        }
    }

    /**
     * One getdents64(2) batch from an open directory, "." and ".." left out.
     *
     * @return the entries of this batch; an empty list only at the end of the directory
     */
    public static List<DirEntry> readDirectory(int fd) throws PosixException {
        Scratch s = Scratch.get();
        MemorySegment buf = s.dirents();
        while (true) {
            long n;
            do {
                n = Libc.getdents64(s.capture, fd, buf, buf.byteSize());
            } while (n < 0 && s.errno() == Errno.EINTR);
            if (n < 0) {
                throw new PosixException("getdents64", s.errno(), null);
            }
            if (n == 0) {
                return List.of();
            }
            List<DirEntry> entries = parseDirents(buf, n);
            if (!entries.isEmpty()) {
                return entries;
            }
            // a batch holding only "." and "..": read on
        }
    }

    /** Parses struct linux_dirent64 records: d_ino u64, d_off s64, d_reclen u16, d_type u8, d_name NUL-terminated. */
    static List<DirEntry> parseDirents(MemorySegment buf, long n) {
        List<DirEntry> out = new ArrayList<>((int) Math.min(n / 24 + 1, 4096));
        long off = 0;
        while (off < n) {
            long ino = buf.get(JAVA_LONG_UNALIGNED, off);
            int reclen = Short.toUnsignedInt(buf.get(JAVA_SHORT_UNALIGNED, off + 16));
            int type = Byte.toUnsignedInt(buf.get(JAVA_BYTE, off + 18));
            long nameStart = off + 19;
            long nameMax = reclen - 19L;
            int len = 0;
            while (len < nameMax && buf.get(JAVA_BYTE, nameStart + len) != 0) {
                len++;
            }
            boolean dot = len == 1 && buf.get(JAVA_BYTE, nameStart) == '.';
            boolean dotdot = len == 2 && buf.get(JAVA_BYTE, nameStart) == '.' && buf.get(JAVA_BYTE, nameStart + 1) == '.';
            if (!dot && !dotdot) {
                byte[] name = new byte[len];
                MemorySegment.copy(buf, JAVA_BYTE, nameStart, name, 0, len);
                out.add(new DirEntry(name, ino, type));
            }
            if (reclen <= 0) {
                break;
            }
            off += reclen;
        }
        return out;
    }

    /** read(2) into {@code buf[off, off+len)}; returns 0 at end of file. Reads at most 256 KiB per call. */
    public static int read(int fd, byte[] buf, int off, int len) throws PosixException {
        Scratch s = Scratch.get();
        MemorySegment io = s.io();
        long want = Math.min(len, io.byteSize());
        long n;
        do {
            n = Libc.read(s.capture, fd, io, want);
        } while (n < 0 && s.errno() == Errno.EINTR);
        if (n < 0) {
            throw new PosixException("read", s.errno(), null);
        }
        MemorySegment.copy(io, JAVA_BYTE, 0, buf, off, (int) n);
        return (int) n;
    }

    /** read(2) straight into native memory; returns 0 at end of file. */
    public static long read(int fd, MemorySegment buf) throws PosixException {
        Scratch s = Scratch.get();
        long n;
        do {
            n = Libc.read(s.capture, fd, buf, buf.byteSize());
        } while (n < 0 && s.errno() == Errno.EINTR);
        if (n < 0) {
            throw new PosixException("read", s.errno(), null);
        }
        return n;
    }

    /** pread(2) into {@code buf[off, off+len)} at file position {@code position}. */
    public static int pread(int fd, byte[] buf, int off, int len, long position) throws PosixException {
        Scratch s = Scratch.get();
        MemorySegment io = s.io();
        long want = Math.min(len, io.byteSize());
        long n;
        do {
            n = Libc.pread(s.capture, fd, io, want, position);
        } while (n < 0 && s.errno() == Errno.EINTR);
        if (n < 0) {
            throw new PosixException("pread", s.errno(), null);
        }
        MemorySegment.copy(io, JAVA_BYTE, 0, buf, off, (int) n);
        return (int) n;
    }

    /** write(2) of all of {@code buf[off, off+len)}, looping on short writes. */
    public static void write(int fd, byte[] buf, int off, int len) throws PosixException {
        Scratch s = Scratch.get();
        MemorySegment io = s.io();
        int done = 0;
        while (done < len) {
            int chunk = (int) Math.min(len - done, io.byteSize());
            MemorySegment.copy(buf, off + done, io, JAVA_BYTE, 0, chunk);
            long pos = 0;
            while (pos < chunk) {
                long n = Libc.write(s.capture, fd, io.asSlice(pos, chunk - pos), chunk - pos);
                if (n < 0) {
                    if (s.errno() == Errno.EINTR) {
                        continue;
                    }
                    throw new PosixException("write", s.errno(), null);
                }
                pos += n;
            }
            done += chunk;
        }
    }

    public static void ftruncate(int fd, long length) throws PosixException {
        Scratch s = Scratch.get();
        int r;
        do {
            r = Libc.ftruncate(s.capture, fd, length);
        } while (r < 0 && s.errno() == Errno.EINTR);
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
        Scratch s = Scratch.get();
        long r = Libc.lseek(s.capture, fd, offset, whence);
        if (r < 0) {
            if (s.errno() == Errno.ENXIO && (whence == SEEK_DATA || whence == SEEK_HOLE)) {
                return -1;
            }
            throw new PosixException("lseek", s.errno(), null);
        }
        return r;
    }

    // ---------------------------------------------------------------- extended attributes

    /** The largest xattr value Linux accepts (XATTR_SIZE_MAX) and the largest name list (XATTR_LIST_MAX). */
    public static final int XATTR_MAX = 65536;

    /**
     * llistxattr(2): the attribute names of {@code path} itself (a symlink is not followed), raw bytes, in the
     * order the file system reports them. EOPNOTSUPP (no xattr support) is thrown like any other failure.
     */
    public static List<byte[]> listXattrs(byte[] path) throws PosixException {
        Scratch s = Scratch.get();
        MemorySegment p = s.path(0, path, "llistxattr");
        MemorySegment buf = s.xattr();
        while (true) {
            long n;
            do {
                n = Libc.llistxattr(s.capture, p, buf, buf.byteSize());
            } while (n < 0 && s.errno() == Errno.EINTR);
            if (n < 0 && s.errno() == Errno.ERANGE && buf.byteSize() < 2L * XATTR_MAX) {
                buf = s.growXattr(2L * XATTR_MAX);
                continue;
            }
            if (n < 0) {
                throw new PosixException("llistxattr", s.errno(), path);
            }
            List<byte[]> names = new ArrayList<>();
            long start = 0;
            for (long i = 0; i < n; i++) {
                if (buf.get(JAVA_BYTE, i) == 0) {
                    if (i > start) {
                        names.add(buf.asSlice(start, i - start).toArray(JAVA_BYTE));
                    }
                    start = i + 1;
                }
            }
            return names;
        }
    }

    /**
     * lgetxattr(2): the value of attribute {@code name} of {@code path} itself, or null when the attribute
     * vanished meanwhile (ENODATA).
     */
    public static byte[] getXattr(byte[] path, byte[] name) throws PosixException {
        Scratch s = Scratch.get();
        MemorySegment p = s.path(0, path, "lgetxattr");
        MemorySegment nm = s.path(1, name, "lgetxattr");
        MemorySegment buf = s.xattr();
        while (true) {
            long n;
            do {
                n = Libc.lgetxattr(s.capture, p, nm, buf, buf.byteSize());
            } while (n < 0 && s.errno() == Errno.EINTR);
            if (n < 0 && s.errno() == Errno.ERANGE && buf.byteSize() < XATTR_MAX) {
                buf = s.growXattr(XATTR_MAX);
                continue;
            }
            if (n < 0 && s.errno() == Errno.ENODATA) {
                return null;
            }
            if (n < 0) {
                throw new PosixException("lgetxattr", s.errno(), path);
            }
            return buf.asSlice(0, n).toArray(JAVA_BYTE);
        }
    }

    /** lsetxattr(2) with flags 0 (create or replace) on {@code path} itself. */
    public static void setXattr(byte[] path, byte[] name, byte[] value) throws PosixException {
        Scratch s = Scratch.get();
        MemorySegment p = s.path(0, path, "lsetxattr");
        MemorySegment nm = s.path(1, name, "lsetxattr");
        MemorySegment buf = s.xattr();
        if (buf.byteSize() < value.length) {
            buf = s.growXattr(value.length);
        }
        MemorySegment.copy(value, 0, buf, JAVA_BYTE, 0, value.length);
        int r;
        do {
            r = Libc.lsetxattr(s.capture, p, nm, buf, value.length, 0);
        } while (r < 0 && s.errno() == Errno.EINTR);
        if (r < 0) {
            throw new PosixException("lsetxattr", s.errno(), path);
        }
    }

    // ---------------------------------------------------------------- namespace changes

    public static void mkdirat(int dirfd, byte[] path, int mode) throws PosixException {
        Scratch s = Scratch.get();
        MemorySegment p = s.path(0, path, "mkdir");
        int r;
        do {
            r = Libc.mkdirat(s.capture, dirfd, p, mode);
        } while (r < 0 && s.errno() == Errno.EINTR);
        if (r < 0) {
            throw new PosixException("mkdir", s.errno(), path);
        }
    }

    /** mknodat(2): fifos ({@code S_IFIFO}), character and block devices ({@code dev} as makedev). */
    public static void mknodat(int dirfd, byte[] path, int mode, long dev) throws PosixException {
        Scratch s = Scratch.get();
        MemorySegment p = s.path(0, path, "mknod");
        int r;
        do {
            r = Libc.mknodat(s.capture, dirfd, p, mode, dev);
        } while (r < 0 && s.errno() == Errno.EINTR);
        if (r < 0) {
            throw new PosixException("mknod", s.errno(), path);
        }
    }

    /** symlinkat(2): creates {@code path} pointing at {@code target}. */
    public static void symlinkat(byte[] target, int dirfd, byte[] path) throws PosixException {
        Scratch s = Scratch.get();
        MemorySegment t = s.path(0, target, "symlink");
        MemorySegment p = s.path(1, path, "symlink");
        int r;
        do {
            r = Libc.symlinkat(s.capture, t, dirfd, p);
        } while (r < 0 && s.errno() == Errno.EINTR);
        if (r < 0) {
            throw new PosixException("symlink", s.errno(), path);
        }
    }

    /** linkat(2): a new name {@code newPath} for the inode at {@code oldPath}. */
    public static void linkat(int oldDirfd, byte[] oldPath, int newDirfd, byte[] newPath, int flags)
            throws PosixException {
        Scratch s = Scratch.get();
        MemorySegment o = s.path(0, oldPath, "link");
        MemorySegment n = s.path(1, newPath, "link");
        int r;
        do {
            r = Libc.linkat(s.capture, oldDirfd, o, newDirfd, n, flags);
        } while (r < 0 && s.errno() == Errno.EINTR);
        if (r < 0) {
            throw new PosixException("link", s.errno(), newPath);
        }
    }

    /** unlinkat(2); {@link Fcntl#AT_REMOVEDIR} removes an empty directory. */
    public static void unlinkat(int dirfd, byte[] path, int flags) throws PosixException {
        Scratch s = Scratch.get();
        MemorySegment p = s.path(0, path, "unlink");
        int r;
        do {
            r = Libc.unlinkat(s.capture, dirfd, p, flags);
        } while (r < 0 && s.errno() == Errno.EINTR);
        if (r < 0) {
            throw new PosixException((flags & Fcntl.AT_REMOVEDIR) != 0 ? "rmdir" : "unlink", s.errno(), path);
        }
    }

    // ---------------------------------------------------------------- attributes

    /** fchmodat(2); with AT_SYMLINK_NOFOLLOW glibc refuses symlinks (EOPNOTSUPP), which have no mode anyway. */
    public static void fchmodat(int dirfd, byte[] path, int mode, int flags) throws PosixException {
        Scratch s = Scratch.get();
        MemorySegment p = s.path(0, path, "chmod");
        int r;
        do {
            r = Libc.fchmodat(s.capture, dirfd, p, mode, flags);
        } while (r < 0 && s.errno() == Errno.EINTR);
        if (r < 0) {
            throw new PosixException("chmod", s.errno(), path);
        }
    }

    public static void fchmod(int fd, int mode) throws PosixException {
        Scratch s = Scratch.get();
        int r;
        do {
            r = Libc.fchmod(s.capture, fd, mode);
        } while (r < 0 && s.errno() == Errno.EINTR);
        if (r < 0) {
            throw new PosixException("chmod", s.errno(), null);
        }
    }

    /** fchownat(2); with AT_SYMLINK_NOFOLLOW it is lchown. {@link #NO_CHANGE_ID} leaves an id unchanged. */
    public static void fchownat(int dirfd, byte[] path, long uid, long gid, int flags) throws PosixException {
        Scratch s = Scratch.get();
        MemorySegment p = s.path(0, path, "chown");
        int r;
        do {
            r = Libc.fchownat(s.capture, dirfd, p, (int) uid, (int) gid, flags);
        } while (r < 0 && s.errno() == Errno.EINTR);
        if (r < 0) {
            throw new PosixException("chown", s.errno(), path);
        }
    }

    public static void fchown(int fd, long uid, long gid) throws PosixException {
        Scratch s = Scratch.get();
        int r;
        do {
            r = Libc.fchown(s.capture, fd, (int) uid, (int) gid);
        } while (r < 0 && s.errno() == Errno.EINTR);
        if (r < 0) {
            throw new PosixException("chown", s.errno(), null);
        }
    }

    /** utimensat(2) with nanosecond atime and mtime; AT_SYMLINK_NOFOLLOW sets a symlink's own times. */
    public static void utimensat(int dirfd, byte[] path, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec,
            int flags) throws PosixException {
        Scratch s = Scratch.get();
        MemorySegment p = s.path(0, path, "utimensat");
        setTimes(s.times, atimeSec, atimeNsec, mtimeSec, mtimeNsec);
        int r;
        do {
            r = Libc.utimensat(s.capture, dirfd, p, s.times, flags);
        } while (r < 0 && s.errno() == Errno.EINTR);
        if (r < 0) {
            throw new PosixException("utimensat", s.errno(), path);
        }
    }

    public static void futimens(int fd, long atimeSec, long atimeNsec, long mtimeSec, long mtimeNsec)
            throws PosixException {
        Scratch s = Scratch.get();
        setTimes(s.times, atimeSec, atimeNsec, mtimeSec, mtimeNsec);
        int r;
        do {
            r = Libc.futimens(s.capture, fd, s.times);
        } while (r < 0 && s.errno() == Errno.EINTR);
        if (r < 0) {
            throw new PosixException("futimens", s.errno(), null);
        }
    }

    private static void setTimes(MemorySegment t, long aSec, long aNsec, long mSec, long mNsec) {
        t.set(JAVA_LONG, 0, aSec);
        t.set(JAVA_LONG, 8, aNsec);
        t.set(JAVA_LONG, 16, mSec);
        t.set(JAVA_LONG, 24, mNsec);
    }
}
