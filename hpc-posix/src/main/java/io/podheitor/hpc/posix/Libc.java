package io.podheitor.hpc.posix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The raw glibc downcalls (FFM). Every call takes a capture-state segment first, into which the linker stores
 * errno right after the call. Requires glibc >= 2.33 (statx, getdents64 and mknodat as real symbols).
 * Callers go through {@link Posix}, which adds EINTR retries, buffers and exceptions.
 */
final class Libc {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LOOKUP = LINKER.defaultLookup();
    static final StructLayout CAPTURE_LAYOUT = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CAPTURE_LAYOUT.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle STATX = downcall("statx",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle OPENAT = downcall("openat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(3));
    private static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    private static final MethodHandle GETDENTS64 = downcall("getdents64",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle READLINKAT = downcall("readlinkat",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle READ = downcall("read",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle PREAD = downcall("pread64",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    private static final MethodHandle WRITE = downcall("write",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    private static final MethodHandle MKDIRAT = downcall("mkdirat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle MKNODAT = downcall("mknodat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG));
    private static final MethodHandle SYMLINKAT = downcall("symlinkat",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
    private static final MethodHandle LINKAT = downcall("linkat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FCHMODAT = downcall("fchmodat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    private static final MethodHandle FCHMOD = downcall("fchmod", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle FCHOWNAT = downcall("fchownat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle FCHOWN = downcall("fchown",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle UTIMENSAT = downcall("utimensat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle FUTIMENS = downcall("futimens",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    private static final MethodHandle UNLINKAT = downcall("unlinkat",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle FTRUNCATE = downcall("ftruncate",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));

    private static final MethodHandle LSEEK = downcall("lseek",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    private static final MethodHandle LLISTXATTR = downcall("llistxattr",
            FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle LGETXATTR = downcall("lgetxattr",
            FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
    private static final MethodHandle LSETXATTR = downcall("lsetxattr",
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));

    private Libc() {
    }

    @SuppressWarnings("restricted") // native access is enabled by the launchers (--enable-native-access)
    private static MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... more) {
        MemorySegment symbol = LOOKUP.find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name + " (glibc >= 2.33 needed)"));
        Linker.Option[] options = new Linker.Option[more.length + 1];
        options[0] = CAPTURE_ERRNO;
        System.arraycopy(more, 0, options, 1, more.length);
        return LINKER.downcallHandle(symbol, fd, options);
    }

    static int errno(MemorySegment capture) {
        return (int) ERRNO.get(capture, 0L);
    }

    private static RuntimeException unexpected(Throwable t) {
        if (t instanceof RuntimeException r) {
            return r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        return new IllegalStateException("native call failed", t);
    }

    static int statx(MemorySegment cs, int dirfd, MemorySegment path, int flags, int mask, MemorySegment buf) {
        try {
            return (int) STATX.invokeExact(cs, dirfd, path, flags, mask, buf);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int openat(MemorySegment cs, int dirfd, MemorySegment path, int flags, int mode) {
        try {
            return (int) OPENAT.invokeExact(cs, dirfd, path, flags, mode);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int close(MemorySegment cs, int fd) {
        try {
            return (int) CLOSE.invokeExact(cs, fd);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static long getdents64(MemorySegment cs, int fd, MemorySegment buf, long count) {
        try {
            return (long) GETDENTS64.invokeExact(cs, fd, buf, count);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static long readlinkat(MemorySegment cs, int dirfd, MemorySegment path, MemorySegment buf, long size) {
        try {
            return (long) READLINKAT.invokeExact(cs, dirfd, path, buf, size);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static long read(MemorySegment cs, int fd, MemorySegment buf, long count) {
        try {
            return (long) READ.invokeExact(cs, fd, buf, count);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static long pread(MemorySegment cs, int fd, MemorySegment buf, long count, long offset) {
        try {
            return (long) PREAD.invokeExact(cs, fd, buf, count, offset);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static long write(MemorySegment cs, int fd, MemorySegment buf, long count) {
        try {
            return (long) WRITE.invokeExact(cs, fd, buf, count);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int mkdirat(MemorySegment cs, int dirfd, MemorySegment path, int mode) {
        try {
            return (int) MKDIRAT.invokeExact(cs, dirfd, path, mode);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int mknodat(MemorySegment cs, int dirfd, MemorySegment path, int mode, long dev) {
        try {
            return (int) MKNODAT.invokeExact(cs, dirfd, path, mode, dev);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int symlinkat(MemorySegment cs, MemorySegment target, int dirfd, MemorySegment path) {
        try {
            return (int) SYMLINKAT.invokeExact(cs, target, dirfd, path);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int linkat(MemorySegment cs, int olddirfd, MemorySegment oldpath, int newdirfd, MemorySegment newpath,
            int flags) {
        try {
            return (int) LINKAT.invokeExact(cs, olddirfd, oldpath, newdirfd, newpath, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int fchmodat(MemorySegment cs, int dirfd, MemorySegment path, int mode, int flags) {
        try {
            return (int) FCHMODAT.invokeExact(cs, dirfd, path, mode, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int fchmod(MemorySegment cs, int fd, int mode) {
        try {
            return (int) FCHMOD.invokeExact(cs, fd, mode);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int fchownat(MemorySegment cs, int dirfd, MemorySegment path, int uid, int gid, int flags) {
        try {
            return (int) FCHOWNAT.invokeExact(cs, dirfd, path, uid, gid, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int fchown(MemorySegment cs, int fd, int uid, int gid) {
        try {
            return (int) FCHOWN.invokeExact(cs, fd, uid, gid);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int utimensat(MemorySegment cs, int dirfd, MemorySegment path, MemorySegment times, int flags) {
        try {
            return (int) UTIMENSAT.invokeExact(cs, dirfd, path, times, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int futimens(MemorySegment cs, int fd, MemorySegment times) {
        try {
            return (int) FUTIMENS.invokeExact(cs, fd, times);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int unlinkat(MemorySegment cs, int dirfd, MemorySegment path, int flags) {
        try {
            return (int) UNLINKAT.invokeExact(cs, dirfd, path, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int ftruncate(MemorySegment cs, int fd, long length) {
        try {
            return (int) FTRUNCATE.invokeExact(cs, fd, length);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static long lseek(MemorySegment cs, int fd, long offset, int whence) {
        try {
            return (long) LSEEK.invokeExact(cs, fd, offset, whence);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static long llistxattr(MemorySegment cs, MemorySegment path, MemorySegment list, long size) {
        try {
            return (long) LLISTXATTR.invokeExact(cs, path, list, size);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static long lgetxattr(MemorySegment cs, MemorySegment path, MemorySegment name, MemorySegment value, long size) {
        try {
            return (long) LGETXATTR.invokeExact(cs, path, name, value, size);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }

    static int lsetxattr(MemorySegment cs, MemorySegment path, MemorySegment name, MemorySegment value, long size,
            int flags) {
        try {
            return (int) LSETXATTR.invokeExact(cs, path, name, value, size, flags);
        } catch (Throwable t) {
            throw unexpected(t);
        }
    }
}
