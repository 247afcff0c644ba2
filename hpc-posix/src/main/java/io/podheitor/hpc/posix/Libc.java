package io.podheitor.hpc.posix;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.podheitor.hpc.posix.ffm.NativeLibrary;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/**
 * The raw glibc downcalls, bound through {@link NativeLibrary#libc()}: every call takes a capture-state segment
 * first, into which the linker stores errno right after the call. Requires glibc >= 2.33 (statx, getdents64 and
 * mknodat as real symbols). Callers go through {@link Posix}, which adds EINTR retries ({@link Eintr}), buffers
 * and exceptions.
 */
final class Libc {
    // One lazy holder class per function: a downcall handle is linked (its stub and lambda forms spun) only when
    // the function is first called. The CLI's walk needs 5 of these 24, and every handle linked at start-up costs
    // class generation and JIT work (measured on a 1M-entry walk: 273 generated classes when all were linked
    // eagerly, 99 now, and about 0.3 s less user CPU; STRESS_RESULTS.md).
    private static final class Statx {
        static final MethodHandle HANDLE = downcall("statx",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
    }

    private static final class Openat {
        static final MethodHandle HANDLE = downcall("openat",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), Linker.Option.firstVariadicArg(3));
    }

    /** syscall(2) with three arguments after the number (openat2 has no glibc wrapper before 2.42). */
    private static final class Syscall4 {
        static final MethodHandle HANDLE = downcall("syscall",
                FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG),
                Linker.Option.firstVariadicArg(1));
    }

    private static final class Pwrite {
        static final MethodHandle HANDLE = downcall("pwrite64",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    }

    private static final class Close {
        static final MethodHandle HANDLE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
    }

    private static final class Getdents64 {
        static final MethodHandle HANDLE = downcall("getdents64",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    }

    private static final class Readlinkat {
        static final MethodHandle HANDLE = downcall("readlinkat",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    }

    private static final class Read {
        static final MethodHandle HANDLE = downcall("read",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    }

    private static final class Pread {
        static final MethodHandle HANDLE = downcall("pread64",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
    }

    private static final class Write {
        static final MethodHandle HANDLE = downcall("write",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    }

    private static final class Mkdirat {
        static final MethodHandle HANDLE = downcall("mkdirat",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }

    private static final class Mknodat {
        static final MethodHandle HANDLE = downcall("mknodat",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG));
    }

    private static final class Symlinkat {
        static final MethodHandle HANDLE = downcall("symlinkat",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS));
    }

    private static final class Linkat {
        static final MethodHandle HANDLE = downcall("linkat",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT));
    }

    private static final class Fchmodat {
        static final MethodHandle HANDLE = downcall("fchmodat",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
    }

    private static final class Fchmod {
        static final MethodHandle HANDLE = downcall("fchmod", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    }

    private static final class Fchownat {
        static final MethodHandle HANDLE = downcall("fchownat",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, JAVA_INT));
    }

    private static final class Fchown {
        static final MethodHandle HANDLE = downcall("fchown",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    }

    private static final class Utimensat {
        static final MethodHandle HANDLE = downcall("utimensat",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    }

    private static final class Futimens {
        static final MethodHandle HANDLE = downcall("futimens",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
    }

    private static final class Unlinkat {
        static final MethodHandle HANDLE = downcall("unlinkat",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    }

    private static final class Ftruncate {
        static final MethodHandle HANDLE = downcall("ftruncate",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG));
    }

    private static final class Lseek {
        static final MethodHandle HANDLE = downcall("lseek",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
    }

    private static final class PosixFadvise {
        static final MethodHandle HANDLE = downcall("posix_fadvise",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT));
    }

    private static final class Llistxattr {
        static final MethodHandle HANDLE = downcall("llistxattr",
                FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, JAVA_LONG));
    }

    private static final class Lgetxattr {
        static final MethodHandle HANDLE = downcall("lgetxattr",
                FunctionDescriptor.of(JAVA_LONG, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
    }

    private static final class Flistxattr {
        static final MethodHandle HANDLE = downcall("flistxattr",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG));
    }

    private static final class Fgetxattr {
        static final MethodHandle HANDLE = downcall("fgetxattr",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG));
    }

    private static final class Lsetxattr {
        static final MethodHandle HANDLE = downcall("lsetxattr",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT));
    }

    private static final class Socketpair {
        static final MethodHandle HANDLE = downcall("socketpair",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS));
    }

    private static final class Sendmsg {
        static final MethodHandle HANDLE = downcall("sendmsg",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    }

    private static final class Recvmsg {
        static final MethodHandle HANDLE = downcall("recvmsg",
                FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    }

    private static final class Getsockopt {
        static final MethodHandle HANDLE = downcall("getsockopt",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    }

    private Libc() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... more) {
        return NativeLibrary.libc().findDowncall(name, fd, more)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name + " (glibc >= 2.33 needed)"));
    }

    static int statx(MemorySegment cs, int dirfd, MemorySegment path, int flags, int mask, MemorySegment buf) {
        try {
            return (int) Statx.HANDLE.invokeExact(cs, dirfd, path, flags, mask, buf);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    static int openat(MemorySegment cs, int dirfd, MemorySegment path, int flags, int mode) {
        try {
            return (int) Openat.HANDLE.invokeExact(cs, dirfd, path, flags, mode);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    /** The openat2 syscall number: 437 on every architecture (the unified table of Linux 5.x). */
    static final long SYS_OPENAT2 = 437;

    static long openat2(MemorySegment cs, int dirfd, MemorySegment path, MemorySegment how, long size) {
        try {
            return (long) Syscall4.HANDLE.invokeExact(cs, SYS_OPENAT2, dirfd, path, how, size);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    static long pwrite(MemorySegment cs, int fd, MemorySegment buf, long count, long offset) {
        try {
            return (long) Pwrite.HANDLE.invokeExact(cs, fd, buf, count, offset);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    static int close(MemorySegment cs, int fd) {
        try {
            return (int) Close.HANDLE.invokeExact(cs, fd);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    static long getdents64(MemorySegment cs, int fd, MemorySegment buf, long count) {
        try {
            return (long) Getdents64.HANDLE.invokeExact(cs, fd, buf, count);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    static long readlinkat(MemorySegment cs, int dirfd, MemorySegment path, MemorySegment buf, long size) {
        try {
            return (long) Readlinkat.HANDLE.invokeExact(cs, dirfd, path, buf, size);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    static long read(MemorySegment cs, int fd, MemorySegment buf, long count) {
        try {
            return (long) Read.HANDLE.invokeExact(cs, fd, buf, count);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    static long pread(MemorySegment cs, int fd, MemorySegment buf, long count, long offset) {
        try {
            return (long) Pread.HANDLE.invokeExact(cs, fd, buf, count, offset);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    static long write(MemorySegment cs, int fd, MemorySegment buf, long count) {
        try {
            return (long) Write.HANDLE.invokeExact(cs, fd, buf, count);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    static int mkdirat(MemorySegment cs, int dirfd, MemorySegment path, int mode) {
        try {
            return (int) Mkdirat.HANDLE.invokeExact(cs, dirfd, path, mode);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    static int mknodat(MemorySegment cs, int dirfd, MemorySegment path, int mode, long dev) {
        try {
            return (int) Mknodat.HANDLE.invokeExact(cs, dirfd, path, mode, dev);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    static int symlinkat(MemorySegment cs, MemorySegment target, int dirfd, MemorySegment path) {
        try {
            return (int) Symlinkat.HANDLE.invokeExact(cs, target, dirfd, path);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    static int linkat(MemorySegment cs, int olddirfd, MemorySegment oldpath, int newdirfd, MemorySegment newpath,
            int flags) {
        try {
            return (int) Linkat.HANDLE.invokeExact(cs, olddirfd, oldpath, newdirfd, newpath, flags);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    static int fchmodat(MemorySegment cs, int dirfd, MemorySegment path, int mode, int flags) {
        try {
            return (int) Fchmodat.HANDLE.invokeExact(cs, dirfd, path, mode, flags);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    static int fchmod(MemorySegment cs, int fd, int mode) {
        try {
            return (int) Fchmod.HANDLE.invokeExact(cs, fd, mode);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    static int fchownat(MemorySegment cs, int dirfd, MemorySegment path, int uid, int gid, int flags) {
        try {
            return (int) Fchownat.HANDLE.invokeExact(cs, dirfd, path, uid, gid, flags);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    static int fchown(MemorySegment cs, int fd, int uid, int gid) {
        try {
            return (int) Fchown.HANDLE.invokeExact(cs, fd, uid, gid);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    static int utimensat(MemorySegment cs, int dirfd, MemorySegment path, MemorySegment times, int flags) {
        try {
            return (int) Utimensat.HANDLE.invokeExact(cs, dirfd, path, times, flags);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    static int futimens(MemorySegment cs, int fd, MemorySegment times) {
        try {
            return (int) Futimens.HANDLE.invokeExact(cs, fd, times);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    static int unlinkat(MemorySegment cs, int dirfd, MemorySegment path, int flags) {
        try {
            return (int) Unlinkat.HANDLE.invokeExact(cs, dirfd, path, flags);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    static int ftruncate(MemorySegment cs, int fd, long length) {
        try {
            return (int) Ftruncate.HANDLE.invokeExact(cs, fd, length);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    static long lseek(MemorySegment cs, int fd, long offset, int whence) {
        try {
            return (long) Lseek.HANDLE.invokeExact(cs, fd, offset, whence);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    /** posix_fadvise(3): returns 0 or the error number itself (errno is not set). */
    static int posixFadvise(MemorySegment cs, int fd, long offset, long len, int advice) {
        try {
            return (int) PosixFadvise.HANDLE.invokeExact(cs, fd, offset, len, advice);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    static long llistxattr(MemorySegment cs, MemorySegment path, MemorySegment list, long size) {
        try {
            return (long) Llistxattr.HANDLE.invokeExact(cs, path, list, size);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    static long lgetxattr(MemorySegment cs, MemorySegment path, MemorySegment name, MemorySegment value, long size) {
        try {
            return (long) Lgetxattr.HANDLE.invokeExact(cs, path, name, value, size);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    static long flistxattr(MemorySegment cs, int fd, MemorySegment list, long size) {
        try {
            return (long) Flistxattr.HANDLE.invokeExact(cs, fd, list, size);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    static long fgetxattr(MemorySegment cs, int fd, MemorySegment name, MemorySegment value, long size) {
        try {
            return (long) Fgetxattr.HANDLE.invokeExact(cs, fd, name, value, size);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    static int lsetxattr(MemorySegment cs, MemorySegment path, MemorySegment name, MemorySegment value, long size,
            int flags) {
        try {
            return (int) Lsetxattr.HANDLE.invokeExact(cs, path, name, value, size, flags);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    static int socketpair(MemorySegment cs, int domain, int type, int protocol, MemorySegment sv) {
        try {
            return (int) Socketpair.HANDLE.invokeExact(cs, domain, type, protocol, sv);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    static long sendmsg(MemorySegment cs, int fd, MemorySegment msg, int flags) {
        try {
            return (long) Sendmsg.HANDLE.invokeExact(cs, fd, msg, flags);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    static long recvmsg(MemorySegment cs, int fd, MemorySegment msg, int flags) {
        try {
            return (long) Recvmsg.HANDLE.invokeExact(cs, fd, msg, flags);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    static int getsockopt(MemorySegment cs, int fd, int level, int name, MemorySegment value, MemorySegment len) {
        try {
            return (int) Getsockopt.HANDLE.invokeExact(cs, fd, level, name, value, len);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }
}
