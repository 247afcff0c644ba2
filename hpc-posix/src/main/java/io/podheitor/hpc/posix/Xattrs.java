package io.podheitor.hpc.posix;

import java.util.ArrayList;
import java.util.List;

/**
 * Reading all extended attributes of one entry (symlinks not followed), shared by the walker threads (which read
 * them in parallel ahead of the emitter) and the backend (which reads them itself when they were not read ahead).
 */
public final class Xattrs {
    /** Which attributes to read: POSIX ACLs ({@code system.posix_acl_*}), the others, both or none. */
    public enum Scope {
        NONE, ACLS, OTHERS, ALL;

        public static Scope of(boolean acls, boolean others) {
            return acls ? (others ? ALL : ACLS) : (others ? OTHERS : NONE);
        }

        public boolean wants(byte[] name) {
            return switch (this) {
                case NONE -> false;
                case ALL -> true;
                case ACLS -> isAcl(name);
                case OTHERS -> !isAcl(name);
            };
        }
    }

    /** One attribute: raw name and value bytes. */
    public record Attr(byte[] name, byte[] value) {
    }

    /** A failure to list the attributes ({@code name} null) or to read one of them. */
    public record Failure(byte[] name, PosixException error) {
    }

    /** What was read: the attributes in the file system's order, and the failures (each worth one warning). */
    public record Read(List<Attr> attrs, List<Failure> failures) {
        public static final Read EMPTY = new Read(List.of(), List.of());
    }

    private static final byte[] ACL_PREFIX = "system.posix_acl_".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private Xattrs() {
    }

    public static boolean isAcl(byte[] name) {
        if (name.length < ACL_PREFIX.length) {
            return false;
        }
        for (int i = 0; i < ACL_PREFIX.length; i++) {
            if (name[i] != ACL_PREFIX[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * As {@link #read(byte[], Scope)} for the entry {@code name} (one component) of the directory open as
     * {@code dirfd}: the directory's own path is not looked up again, so a parent swapped for a symbolic link
     * after it was opened is not followed ({@link Posix#inDirectory}). Failures carry that
     * {@code /proc/self/fd/...} path; callers report the entry's real path.
     */
    public static Read readAt(int dirfd, byte[] name, Scope scope) {
        if (scope == Scope.NONE) {
            return Read.EMPTY;
        }
        return read(Posix.inDirectory(dirfd, name), scope);
    }

    /**
     * Lists the attributes of {@code path} and reads the values of those in {@code scope}. No support for
     * attributes (EOPNOTSUPP) and a vanished entry (ENOENT) read as none, without a failure; an attribute removed
     * meanwhile is skipped.
     */
    public static Read read(byte[] path, Scope scope) {
        if (scope == Scope.NONE) {
            return Read.EMPTY;
        }
        return read(() -> Posix.listXattrs(path), name -> Posix.getXattr(path, name), scope);
    }

    /**
     * As {@link #read(byte[], Scope)} for the file open as {@code fd} (flistxattr/fgetxattr: no path is looked up,
     * which costs less than the {@code /proc/self/fd/...} path of {@link #readAt}); {@code path} names it in
     * failures. The descriptor must be open for reading (not {@code O_PATH}).
     */
    public static Read readOpen(int fd, byte[] path, Scope scope) {
        if (scope == Scope.NONE) {
            return Read.EMPTY;
        }
        return read(() -> Posix.listXattrs(fd, path), name -> Posix.getXattr(fd, name, path), scope);
    }

    private interface Lister {
        List<byte[]> list() throws PosixException;
    }

    private interface Getter {
        byte[] get(byte[] name) throws PosixException;
    }

    private static Read read(Lister lister, Getter getter, Scope scope) {
        List<byte[]> names;
        try {
            names = lister.list();
        } catch (PosixException e) {
            if (e.errno() == Errno.EOPNOTSUPP || e.errno() == Errno.ENOENT) {
                return Read.EMPTY;
            }
            return new Read(List.of(), List.of(new Failure(null, e)));
        }
        if (names.isEmpty()) {
            return Read.EMPTY;
        }
        List<Attr> attrs = new ArrayList<>(names.size());
        List<Failure> failures = List.of();
        for (byte[] name : names) {
            if (!scope.wants(name)) {
                continue;
            }
            byte[] value;
            try {
                value = getter.get(name);
            } catch (PosixException e) {
                if (e.errno() == Errno.ENOENT) {
                    break; // the entry vanished
                }
                if (failures.isEmpty()) {
                    failures = new ArrayList<>(1);
                }
                failures.add(new Failure(name, e));
                continue;
            }
            if (value != null) {
                attrs.add(new Attr(name, value));
            }
        }
        return new Read(attrs, failures);
    }
}
