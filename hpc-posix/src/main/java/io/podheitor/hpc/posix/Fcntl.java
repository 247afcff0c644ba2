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

    public static final int AT_FDCWD = -100;
    public static final int AT_SYMLINK_NOFOLLOW = 0x100;
    public static final int AT_REMOVEDIR = 0x200;
    public static final int AT_SYMLINK_FOLLOW = 0x400;
    public static final int AT_EMPTY_PATH = 0x1000;

    private Fcntl() {
    }
}
