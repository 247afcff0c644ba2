package io.podheitor.hpc.posix;

/**
 * open(2) and *at(2) flag values for the running architecture (x86_64 and aarch64 differ in O_DIRECTORY and
 * O_NOFOLLOW). Only 64-bit Linux is supported.
 */
public final class Fcntl {
    private static final boolean AARCH64 = switch (System.getProperty("os.arch")) {
        case "aarch64", "arm64" -> true;
        default -> false;
    };

    public static final int O_RDONLY = 0;
    public static final int O_WRONLY = 1;
    public static final int O_RDWR = 2;
    public static final int O_CREAT = 0100;
    public static final int O_EXCL = 0200;
    public static final int O_TRUNC = 01000;
    public static final int O_APPEND = 02000;
    public static final int O_NONBLOCK = 04000;
    public static final int O_DIRECTORY = AARCH64 ? 040000 : 0200000;
    public static final int O_NOFOLLOW = AARCH64 ? 0100000 : 0400000;
    public static final int O_NOATIME = 01000000;
    public static final int O_CLOEXEC = 02000000;
    /** An fd that only names the file (no read or write); usable as the dirfd of *at calls. */
    public static final int O_PATH = 010000000;
    /** An unnamed regular file in the given directory (with O_RDWR or O_WRONLY; never visible, gone on close). */
    public static final int O_TMPFILE = 020000000 | O_DIRECTORY;

    /** openat2(2) resolve flags (linux/openat2.h). */
    public static final long RESOLVE_NO_MAGICLINKS = 0x02;
    public static final long RESOLVE_NO_SYMLINKS = 0x04;
    public static final long RESOLVE_BENEATH = 0x08;

    public static final int AT_FDCWD = -100;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    public static final int AT_REMOVEDIR = 0x200;
    public static final int AT_SYMLINK_FOLLOW = 0x400;
    public static final int AT_EMPTY_PATH = 0x1000;

    private Fcntl() {
    }
}
