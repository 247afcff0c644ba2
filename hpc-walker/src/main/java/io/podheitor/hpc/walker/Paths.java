package io.podheitor.hpc.walker;

import java.util.Arrays;

/** Byte-path helpers (no String, no charset). */
public final class Paths {
    private Paths() {
    }

    /** Drops trailing slashes, except for "/" itself. */
    public static byte[] normalize(byte[] p) {
        int n = p.length;
        while (n > 1 && p[n - 1] == '/') {
            n--;
        }
        return n == p.length ? p : Arrays.copyOf(p, n);
    }

    /** {@code path} is {@code root} or lies below it, by whole components (trailing slashes of root ignored). */
    public static boolean isAtOrBelow(byte[] root, byte[] path) {
        byte[] r = normalize(root);
        if (r.length == 1 && r[0] == '/') {
            return path.length > 0 && path[0] == '/';
        }
        if (path.length < r.length || !Arrays.equals(path, 0, r.length, r, 0, r.length)) {
            return false;
        }
        return path.length == r.length || path[r.length] == '/';
    }

    /** parent + "/" + name (no doubled slash after "/"). */
    public static byte[] join(byte[] parent, byte[] name) {
        boolean slash = parent.length > 0 && parent[parent.length - 1] == '/';
        byte[] out = new byte[parent.length + (slash ? 0 : 1) + name.length];
        System.arraycopy(parent, 0, out, 0, parent.length);
        int at = parent.length;
        if (!slash) {
            out[at++] = '/';
        }
        System.arraycopy(name, 0, out, at, name.length);
        return out;
    }
}
