package io.podheitor.hpc.shard;

import io.podheitor.hpc.posix.FileMode;
import io.podheitor.hpc.posix.StatX;
import java.util.List;

/**
 * {@code strategy=subtree} ({@code subtree=/a,/b,!/a/tmp}): the job owns what lies at or below one of the
 * {@code include} paths (all of {@code path=} when there are none) and not at or below one of the {@code exclude}
 * paths (written with a leading {@code !}). It walks only the directories on the way to what it owns (and saves
 * them, so that its restore alone has its parents) and what it owns; a directory of another shard is never
 * listed nor stat'ed beyond its own name.
 *
 * <p>With {@code shard=K/N} ({@code within} not null) the owned part is split further by {@link InodeHash}:
 * the N jobs with the same subtree list and K = 0..N-1 together save it once.
 *
 * <p>Hard links: inside the owned part, all names of an inode are saved by this job (with {@code within}: by the
 * one shard of the inode). A link group with names both inside and outside the owned part is split at its
 * boundary, as for any job whose FileSet holds only part of a link group: each job saves its names as one group
 * (the first name with the data), so a restore of all jobs gives one inode per job (docs/sharding.md §4).
 */
public record Subtree(byte[] root, List<byte[]> include, List<byte[]> exclude, InodeHash within)
        implements ShardStrategy {
    /** How a path relates to the owned part. */
    enum Place {
        /** at or below an included path, not excluded */
        OWNED,
        /** a directory on the way from the root to an included path */
        ANCESTOR,
        /** neither */
        OUTSIDE
    }

    public Subtree {
        include = List.copyOf(include.isEmpty() ? List.of(root) : include);
        exclude = List.copyOf(exclude);
    }

    Place place(byte[] path) {
        for (byte[] e : exclude) {
            if (atOrBelow(path, e)) {
                return Place.OUTSIDE;
            }
        }
        for (byte[] i : include) {
            if (atOrBelow(path, i)) {
                return Place.OWNED;
            }
        }
        for (byte[] i : include) {
            if (atOrBelow(i, path)) {
                return Place.ANCESTOR;
            }
        }
        return Place.OUTSIDE;
    }

    /** {@code p} equals {@code top} or lies below it (byte-wise, whole components). */
    static boolean atOrBelow(byte[] p, byte[] top) {
        if (top.length == 1 && top[0] == '/') {
            return p.length > 0 && p[0] == '/';
        }
        if (p.length < top.length || (p.length > top.length && p[top.length] != '/')) {
            return false;
        }
        for (int i = top.length - 1; i >= 0; i--) {
            if (p[i] != top[i]) {
                return false;
            }
        }
        return true;
    }

    private static byte[] join(byte[] parent, byte[] name) {
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

    @Override
    public boolean admitsName(byte[] parent, byte[] name, long dIno, int dType) {
        return switch (place(join(parent, name))) {
            case OUTSIDE -> false;
            case ANCESTOR -> dType == FileMode.DT_DIR || dType == FileMode.DT_UNKNOWN;
            case OWNED -> within == null || within.admitsName(parent, name, dIno, dType);
        };
    }

    @Override
    public boolean admitsListed(byte[] path, StatX st, long dIno, int dType) {
        return switch (place(path)) {
            case OUTSIDE -> false;
            case ANCESTOR -> st.isDirectory();
            case OWNED -> within == null || within.admitsListed(path, st, dIno, dType);
        };
    }

    @Override
    public boolean admits(byte[] path, StatX st) {
        return switch (place(path)) {
            case OUTSIDE -> false;
            case ANCESTOR -> st.isDirectory();
            case OWNED -> within == null || within.admits(path, st);
        };
    }

    @Override
    public boolean descends(byte[] path, StatX dir) {
        return place(path) != Place.OUTSIDE;
    }

    @Override
    public String describe() {
        return "subtree (" + include.size() + " included, " + exclude.size() + " excluded)"
                + (within == null ? "" : ", inode-hash " + within.shard() + " inside");
    }

    @Override
    public boolean decidesBeforeStat() {
        return true;
    }
}
