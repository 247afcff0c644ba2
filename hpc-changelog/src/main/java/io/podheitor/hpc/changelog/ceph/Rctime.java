package io.podheitor.hpc.changelog.ceph;

import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import java.nio.charset.StandardCharsets;

/**
 * CephFS's recursive ctime of a directory: the virtual extended attribute {@code ceph.dir.rctime}, the newest ctime
 * in the directory's subtree, as {@code "%ld.%09ld"} (seconds, a dot, exactly nine digits of nanoseconds, no NUL;
 * docs/ceph.md §1). It is not listed by listxattr; it is read by its exact name with lgetxattr on the raw path.
 */
public final class Rctime {
    /** The attribute's name. */
    static final byte[] NAME = "ceph.dir.rctime".getBytes(StandardCharsets.US_ASCII);

    /** How a directory's rctime is read (the file system, or a test's table). */
    @FunctionalInterface
    public interface Reader {
        /**
         * @return the rctime in nanoseconds since the epoch, or -1 when the directory has no such attribute
         *         (ENODATA: not CephFS, or a file)
         * @throws PosixException the call failed (EOPNOTSUPP: the file system has no extended attributes at all)
         */
        long nanos(byte[] dir) throws PosixException;
    }

    /** lgetxattr of {@code ceph.dir.rctime} through FFM. */
    public static final Reader XATTR = dir -> {
        byte[] v = Posix.getXattr(dir, NAME);
        return v == null ? -1 : parse(v);
    };

    private Rctime() {
    }

    /**
     * The value in nanoseconds. Strict: digits, one dot, exactly nine digits; anything else is an
     * {@link IllegalArgumentException} (a format change must not be guessed at).
     */
    public static long parse(byte[] v) {
        int dot = -1;
        for (int i = 0; i < v.length; i++) {
            if (v[i] == '.') {
                if (dot >= 0) {
                    throw bad(v);
                }
                dot = i;
            } else if (v[i] < '0' || v[i] > '9') {
                throw bad(v);
            }
        }
        if (dot < 1 || dot > 12 || v.length - dot - 1 != 9) {
            throw bad(v);
        }
        long s = 0;
        for (int i = 0; i < dot; i++) {
            s = s * 10 + (v[i] - '0');
        }
        long ns = 0;
        for (int i = dot + 1; i < v.length; i++) {
            ns = ns * 10 + (v[i] - '0');
        }
        return Math.multiplyExact(s, 1_000_000_000L) + ns;
    }

    private static IllegalArgumentException bad(byte[] v) {
        return new IllegalArgumentException("ceph.dir.rctime \"" + new String(v, StandardCharsets.ISO_8859_1)
                + "\" is not seconds.nanoseconds (\"%ld.%09ld\")");
    }
}
