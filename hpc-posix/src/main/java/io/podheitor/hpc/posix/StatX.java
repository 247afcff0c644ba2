package io.podheitor.hpc.posix;

/**
 * What statx(2) reports for one file (struct statx, STATX_BASIC_STATS). {@code dev} and {@code rdev} are
 * glibc makedev() values of the major/minor pairs; {@code blocks} counts 512-byte units.
 */
public record StatX(
        int mode, long uid, long gid, long size,
        long atimeSec, int atimeNsec, long mtimeSec, int mtimeNsec, long ctimeSec, int ctimeNsec,
        long ino, long dev, long nlink, long rdev, long blocks, int blksize) {

    public int type() {
        return mode & FileMode.S_IFMT;
    }

    public int permissions() {
        return mode & FileMode.PERMISSIONS;
    }

    public boolean isDirectory() {
        return type() == FileMode.S_IFDIR;
    }

    public boolean isRegular() {
        return type() == FileMode.S_IFREG;
    }

    public boolean isSymlink() {
        return type() == FileMode.S_IFLNK;
    }

    public boolean isFifo() {
        return type() == FileMode.S_IFIFO;
    }

    public boolean isCharDevice() {
        return type() == FileMode.S_IFCHR;
    }

    public boolean isBlockDevice() {
        return type() == FileMode.S_IFBLK;
    }

    public boolean isSocket() {
        return type() == FileMode.S_IFSOCK;
    }

    /** glibc's makedev(). */
    public static long makedev(long major, long minor) {
        return ((major & 0x00000fffL) << 8) | ((major & 0xfffff000L) << 32)
                | (minor & 0x000000ffL) | ((minor & 0xffffff00L) << 12);
    }

    public static long major(long dev) {
        return ((dev >>> 8) & 0x00000fffL) | ((dev >>> 32) & 0xfffff000L);
    }

    public static long minor(long dev) {
        return (dev & 0x000000ffL) | ((dev >>> 12) & 0xffffff00L);
    }
}
