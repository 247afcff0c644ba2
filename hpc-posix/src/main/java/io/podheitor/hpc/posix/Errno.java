package io.podheitor.hpc.posix;

import java.util.Map;

/**
 * errno names and messages (Linux asm-generic numbers, shared by x86_64 and aarch64). The messages are glibc's
 * English texts, so they do not depend on the process locale; unknown numbers fall back to "errno N".
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EEXIST = 17;
    public static final int EXDEV = 18;
    public static final int ENODEV = 19;
    public static final int ENOTDIR = 20;
    public static final int EISDIR = 21;
    public static final int EINVAL = 22;
    /** "Inappropriate ioctl for device": what a Lustre ioctl answers on another file system. */
    public static final int ENOTTY = 25;
    public static final int ENOSPC = 28;
    public static final int EPIPE = 32;
    public static final int EROFS = 30;
    public static final int EMLINK = 31;
    public static final int ENAMETOOLONG = 36;
    public static final int ERANGE = 34;
    public static final int ENOTEMPTY = 39;
    public static final int ENOSYS = 38;
    public static final int ELOOP = 40;
    public static final int ENODATA = 61;
    /** Also ENOTSUP on Linux. */
    public static final int EOPNOTSUPP = 95;
    public static final int ENOTSOCK = 88;
    public static final int EMSGSIZE = 90;
    public static final int ECONNRESET = 104;
    public static final int ESTALE = 116;

    private record Info(String name, String message) {
    }

    private static final Map<Integer, Info> TABLE = Map.ofEntries(
            Map.entry(1, new Info("EPERM", "Operation not permitted")),
            Map.entry(2, new Info("ENOENT", "No such file or directory")),
            Map.entry(3, new Info("ESRCH", "No such process")),
            Map.entry(4, new Info("EINTR", "Interrupted system call")),
            Map.entry(5, new Info("EIO", "Input/output error")),
            Map.entry(6, new Info("ENXIO", "No such device or address")),
            Map.entry(7, new Info("E2BIG", "Argument list too long")),
            Map.entry(9, new Info("EBADF", "Bad file descriptor")),
            Map.entry(11, new Info("EAGAIN", "Resource temporarily unavailable")),
            Map.entry(12, new Info("ENOMEM", "Cannot allocate memory")),
            Map.entry(13, new Info("EACCES", "Permission denied")),
            Map.entry(14, new Info("EFAULT", "Bad address")),
            Map.entry(16, new Info("EBUSY", "Device or resource busy")),
            Map.entry(17, new Info("EEXIST", "File exists")),
            Map.entry(18, new Info("EXDEV", "Invalid cross-device link")),
            Map.entry(19, new Info("ENODEV", "No such device")),
            Map.entry(20, new Info("ENOTDIR", "Not a directory")),
            Map.entry(21, new Info("EISDIR", "Is a directory")),
            Map.entry(22, new Info("EINVAL", "Invalid argument")),
            Map.entry(23, new Info("ENFILE", "Too many open files in system")),
            Map.entry(24, new Info("EMFILE", "Too many open files")),
            Map.entry(25, new Info("ENOTTY", "Inappropriate ioctl for device")),
            Map.entry(26, new Info("ETXTBSY", "Text file busy")),
            Map.entry(27, new Info("EFBIG", "File too large")),
            Map.entry(28, new Info("ENOSPC", "No space left on device")),
            Map.entry(30, new Info("EROFS", "Read-only file system")),
            Map.entry(31, new Info("EMLINK", "Too many links")),
            Map.entry(32, new Info("EPIPE", "Broken pipe")),
            Map.entry(34, new Info("ERANGE", "Numerical result out of range")),
            Map.entry(36, new Info("ENAMETOOLONG", "File name too long")),
            Map.entry(38, new Info("ENOSYS", "Function not implemented")),
            Map.entry(39, new Info("ENOTEMPTY", "Directory not empty")),
            Map.entry(40, new Info("ELOOP", "Too many levels of symbolic links")),
            Map.entry(61, new Info("ENODATA", "No data available")),
            Map.entry(75, new Info("EOVERFLOW", "Value too large for defined data type")),
            Map.entry(88, new Info("ENOTSOCK", "Socket operation on non-socket")),
            Map.entry(90, new Info("EMSGSIZE", "Message too long")),
            Map.entry(95, new Info("EOPNOTSUPP", "Operation not supported")),
            Map.entry(104, new Info("ECONNRESET", "Connection reset by peer")),
            Map.entry(107, new Info("ENOTCONN", "Transport endpoint is not connected")),
            Map.entry(110, new Info("ETIMEDOUT", "Connection timed out")),
            Map.entry(116, new Info("ESTALE", "Stale file handle")),
            Map.entry(121, new Info("EREMOTEIO", "Remote I/O error")),
            Map.entry(122, new Info("EDQUOT", "Disk quota exceeded")));

    private Errno() {
    }

    /** The symbolic name, e.g. "ENOENT", or "errno N" when unknown. */
    public static String name(int errno) {
        Info i = TABLE.get(errno);
        return i != null ? i.name : "errno " + errno;
    }

    /** The strerror text, e.g. "No such file or directory". */
    public static String message(int errno) {
        Info i = TABLE.get(errno);
        return i != null ? i.message : "Unknown error " + errno;
    }
}
