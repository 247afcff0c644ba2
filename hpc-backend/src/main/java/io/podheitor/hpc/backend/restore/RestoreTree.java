package io.podheitor.hpc.backend.restore;

import io.podheitor.hpc.posix.Beneath;
import io.podheitor.hpc.posix.Errno;
import io.podheitor.hpc.posix.Fcntl;
import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.posix.StatX;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The directory a restore writes into, and the only way the restore reaches a name below it (docs/security.md):
 * every name is resolved from ONE descriptor of that directory, never by its absolute path, so that
 *
 * <ul>
 *   <li>a symbolic link in the way (a directory of the tree swapped for a link, before or during the restore) is
 *       never followed: that file fails with a message naming the link;
 *   <li>a name with a {@code .} or {@code ..} component is refused, and with {@code where=} every created name and
 *       hard-link target stays below {@code where} (RESOLVE_BENEATH);
 *   <li>missing directories are created one component at a time, each with O_NOFOLLOW.
 * </ul>
 *
 * The root is the job's {@code where} (an administrator's choice, created if missing and opened as given,
 * symbolic links in it included), or {@code /} for an in-place restore or a {@code regexwhere} restore. Below
 * the root nothing is followed. Safe for concurrent use: the root descriptor is only read, and the set of created
 * parents is concurrent.
 */
final class RestoreTree implements AutoCloseable {
    private static final byte[] SLASH = {'/'};

    /** A name the restore must not touch, with the reason (a job message). */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String reason) {
            super(reason);
        }
    }

    /**
     * A resolved name: its directory, open (the caller closes it with {@link #close()}), and its last component.
     * An empty {@code leaf} is the root itself.
     */
    record Target(byte[] path, byte[] relative, int dirFd, byte[] leaf) implements AutoCloseable {
        /** The entry's lstat, or null when there is nothing at that name. */
        StatX lstat() throws PosixException {
            try {
                return Posix.statx(dirFd, leaf.length == 0 ? new byte[] {'.'} : leaf, Fcntl.AT_SYMLINK_NOFOLLOW);
            } catch (PosixException e) {
                if (e.errno() == Errno.ENOENT) {
                    return null;
                }
                throw e;
            }
        }

        @Override
        public void close() {
            Posix.closeQuietly(dirFd);
        }
    }

    private final byte[] root;
    private final int rootFd;
    /**
     * Directories this restore created as missing parents whose own record has not come yet (by relative path).
     * Concurrent: the workers of a pipelined restore resolve and create at the same time. Two of them creating the
     * same missing parent is race-free: one mkdirat wins, the other gets EEXIST and opens what is there with the
     * same no-symlink rule (O_NOFOLLOW | O_DIRECTORY), so a link put there meanwhile is refused, never followed.
     */
    private final Set<ByteBuffer> createdParents = ConcurrentHashMap.newKeySet();

    private RestoreTree(byte[] root, int rootFd) {
        this.root = root;
        this.rootFd = rootFd;
    }

    /**
     * The tree of a restore job: {@code where} when set (and no {@code regexwhere}), else {@code /}.
     *
     * @throws PosixException where cannot be created or opened
     */
    static RestoreTree open(byte[] where, byte[] regexWhere) throws PosixException {
        byte[] root = where.length > 0 && regexWhere.length == 0 ? stripTrailingSlashes(where) : SLASH;
        if (root.length == 0 || root[0] != '/') {
            root = SLASH; // Bacula sends an absolute where; anything else restores in place, confined to /
        }
        if (root.length > 1) {
            makeWhere(root);
        }
        int fd = Posix.openat(Fcntl.AT_FDCWD, root, Fcntl.O_PATH | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC, 0);
        return new RestoreTree(root, fd);
    }

    /** mkdir -p of the where directory itself (the administrator's path: followed as given). */
    private static void makeWhere(byte[] dir) throws PosixException {
        try {
            if (Posix.statx(Fcntl.AT_FDCWD, dir, 0).isDirectory()) {
                return;
            }
        } catch (PosixException e) {
            if (e.errno() != Errno.ENOENT) {
                throw e;
            }
        }
        byte[] parent = Restorer.parentOf(dir);
        if (parent != null) {
            makeWhere(parent);
        }
        try {
            Posix.mkdirat(Fcntl.AT_FDCWD, dir, 0700);
        } catch (PosixException e) {
            if (e.errno() != Errno.EEXIST) {
                throw e;
            }
        }
    }

    byte[] root() {
        return root;
    }

    int rootFd() {
        return rootFd;
    }

    /** The name relative to the root, checked: below the root, no {@code .} or {@code ..} component. */
    byte[] relative(byte[] name) throws Refused {
        byte[] rel;
        if (root.length == 1) {
            if (name.length == 0 || name[0] != '/') {
                throw new Refused("not an absolute name");
            }
            rel = Arrays.copyOfRange(name, 1, name.length);
        } else {
            boolean below = name.length >= root.length && Arrays.equals(name, 0, root.length, root, 0, root.length)
                    && (name.length == root.length || name[root.length] == '/');
            if (!below) {
                throw new Refused("outside the restore directory \"" + PathText.render(root) + "\" (where=)");
            }
            rel = Arrays.copyOfRange(name, Math.min(name.length, root.length + 1), name.length);
        }
        int start = 0;
        for (int i = 0; i <= rel.length; i++) {
            if (i == rel.length || rel[i] == '/') {
                int len = i - start;
                if ((len == 1 && rel[start] == '.') || (len == 2 && rel[start] == '.' && rel[start + 1] == '.')) {
                    throw new Refused("the name has a \".\" or \"..\" component");
                }
                start = i + 1;
            }
        }
        return stripTrailingSlashes(rel);
    }

    /**
     * Resolves {@code name} for creating it: its directory is opened from the root without following any link, and
     * created (0700, one component at a time) when missing.
     */
    Target forCreate(byte[] name) throws Refused, PosixException {
        return resolve(name, true);
    }

    /** Resolves an existing name (a hard link's target): nothing is created. */
    Target existing(byte[] name) throws Refused, PosixException {
        return resolve(name, false);
    }

    private Target resolve(byte[] name, boolean create) throws Refused, PosixException {
        byte[] rel = relative(name);
        int slash = lastSlash(rel);
        byte[] leaf = Arrays.copyOfRange(rel, slash + 1, rel.length);
        if (slash < 0) {
            int fd = Posix.openat(rootFd, new byte[] {'.'}, Fcntl.O_PATH | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC, 0);
            return new Target(name, rel, fd, leaf);
        }
        byte[] dir = Arrays.copyOf(rel, slash);
        try {
            return new Target(name, rel, Beneath.open(rootFd, dir, Fcntl.O_PATH | Fcntl.O_DIRECTORY, 0), leaf);
        } catch (PosixException e) {
            if (e.errno() == Errno.ENOENT && create) {
                return new Target(name, rel, makeDirectories(dir), leaf);
            }
            throw explain(dir, e);
        }
    }

    /** Opens (creating what is missing, 0700) each component of {@code dir} below the root; never follows. */
    private int makeDirectories(byte[] dir) throws Refused, PosixException {
        int cur = Posix.openat(rootFd, new byte[] {'.'}, Fcntl.O_PATH | Fcntl.O_DIRECTORY | Fcntl.O_CLOEXEC, 0);
        int start = 0;
        try {
            for (int i = 0; i <= dir.length; i++) {
                if (i < dir.length && dir[i] != '/') {
                    continue;
                }
                if (i == start) {
                    start = i + 1;
                    continue;
                }
                byte[] comp = Arrays.copyOfRange(dir, start, i);
                int next;
                try {
                    next = openComponent(cur, comp);
                } catch (PosixException e) {
                    if (e.errno() != Errno.ENOENT) {
                        throw explain(Arrays.copyOf(dir, i), e);
                    }
                    try {
                        Posix.mkdirat(cur, comp, 0700);
                        createdParents.add(ByteBuffer.wrap(Arrays.copyOf(dir, i)));
                    } catch (PosixException m) {
                        if (m.errno() != Errno.EEXIST) {
                            throw m.withPath(join(root, Arrays.copyOf(dir, i)));
                        }
                    }
                    try {
                        next = openComponent(cur, comp);
                    } catch (PosixException again) {
                        throw explain(Arrays.copyOf(dir, i), again);
                    }
                }
                Posix.closeQuietly(cur);
                cur = next;
                start = i + 1;
            }
            int done = cur;
            cur = -1;
            return done;
        } finally {
            Posix.closeQuietly(cur);
        }
    }

    private static int openComponent(int dirFd, byte[] comp) throws PosixException {
        return Posix.openat(dirFd, comp, Fcntl.O_PATH | Fcntl.O_DIRECTORY | Fcntl.O_NOFOLLOW | Fcntl.O_CLOEXEC, 0);
    }

    /** Which component of {@code dir} is in the way, and why (a symbolic link, not a directory), as a Refused. */
    private Refused explain(byte[] dir, PosixException e) throws PosixException {
        if (e.errno() != Errno.ELOOP && e.errno() != Errno.ENOTDIR && e.errno() != Errno.EXDEV) {
            throw e.withPath(join(root, dir));
        }
        // find the first component that is not a directory (the kernel does not say which)
        for (int i = 0; i <= dir.length; i++) {
            if (i < dir.length && dir[i] != '/') {
                continue;
            }
            byte[] prefix = Arrays.copyOf(dir, i);
            StatX st;
            try {
                st = Posix.statx(rootFd, prefix, Fcntl.AT_SYMLINK_NOFOLLOW);
            } catch (PosixException gone) {
                break;
            }
            if (st.isSymlink()) {
                return new Refused("\"" + PathText.render(join(root, prefix)) + "\" is a symbolic link (not followed)");
            }
            if (!st.isDirectory()) {
                return new Refused("\"" + PathText.render(join(root, prefix)) + "\" is not a directory");
            }
        }
        return new Refused("a directory in its path was replaced during the restore (" + e.strerror() + ")");
    }

    /** Did this restore create that directory (as a missing parent) before its own record came? Forgets it. */
    boolean createdAsParent(byte[] relative) {
        return createdParents.remove(ByteBuffer.wrap(relative));
    }

    /** Directories created as parents whose record has not come yet (bounded by the directories in progress). */
    int pendingParents() {
        return createdParents.size();
    }

    static byte[] join(byte[] root, byte[] rel) {
        if (rel.length == 0) {
            return root;
        }
        boolean slash = root.length > 0 && root[root.length - 1] == '/';
        byte[] p = Arrays.copyOf(root, root.length + (slash ? 0 : 1) + rel.length);
        if (!slash) {
            p[root.length] = '/';
        }
        System.arraycopy(rel, 0, p, root.length + (slash ? 0 : 1), rel.length);
        return p;
    }

    private static int lastSlash(byte[] p) {
        for (int i = p.length - 1; i >= 0; i--) {
            if (p[i] == '/') {
                return i;
            }
        }
        return -1;
    }

    static byte[] stripTrailingSlashes(byte[] p) {
        int n = p.length;
        while (n > 1 && p[n - 1] == '/') {
            n--;
        }
        if (n == 1 && p.length > 0 && p[0] == '/' && p.length > 1) {
            return SLASH;
        }
        return n == p.length ? p : Arrays.copyOf(p, n);
    }

    @Override
    public void close() {
        Posix.closeQuietly(rootFd);
    }
}
