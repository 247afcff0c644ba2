package io.podheitor.hpc.source;

import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.posix.Xattrs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Paths read below one directory reported as if they were below another: a snapshot {@code PATH/.snap/NAME} is
 * walked and read, and its entries are cataloged as {@code PATH}, where the files live and where a restore puts
 * them. {@link #apply} maps one path; {@link #filter} gives a filter the mapped paths; {@link #source} a source
 * that delivers them.
 *
 * @param from the directory read (absolute, normalized: no trailing slash)
 * @param to   the directory reported instead (absolute, normalized)
 */
public record Relocation(byte[] from, byte[] to) {
    public Relocation {
        from = from.clone();
        to = to.clone();
    }

    /**
     * {@code path} with {@code from} replaced by {@code to} when {@code path} is {@code from} or below it (at a
     * {@code /}); any other path unchanged (the same array).
     */
    public byte[] apply(byte[] path) {
        if (path == null || !atOrBelow(path)) {
            return path;
        }
        if (path.length == from.length) {
            return to.clone();
        }
        int skip = from.length == 1 ? 0 : from.length; // from "/": keep the path's own '/'
        byte[] out;
        if (to.length == 1) { // to "/": "/x/y" stays "/x/y" after the prefix
            out = Arrays.copyOfRange(path, skip, path.length);
        } else {
            out = new byte[to.length + path.length - skip];
            System.arraycopy(to, 0, out, 0, to.length);
            System.arraycopy(path, skip, out, to.length, path.length - skip);
        }
        return out;
    }

    private boolean atOrBelow(byte[] path) {
        if (path.length < from.length || !Arrays.equals(path, 0, from.length, from, 0, from.length)) {
            return false;
        }
        return path.length == from.length || from.length == 1 || path[from.length] == '/';
    }

    /** The failure reported against the mapped path (the same exception when its path is not below {@code from}). */
    public PosixException apply(PosixException e) {
        if (e == null) {
            return null;
        }
        byte[] p = e.path();
        byte[] q = apply(p);
        return q == p ? e : e.withPath(q);
    }

    /** The item with every path in it mapped: entries, errors (and their failures), verdicts; the end as it is. */
    public SourceItem apply(SourceItem item) {
        return switch (item) {
            case Entry e -> new Entry(apply(e.path()), e.stat(), e.linkTarget(), e.data(), apply(e.xattrs()));
            case EntryError e -> new EntryError(apply(e.path()), apply(e.error()), e.directory());
            case CatalogVerdict v -> new CatalogVerdict(v.kind(), apply(v.path()));
            case SourceEnd end -> end;
        };
    }

    private Xattrs.Read apply(Xattrs.Read read) {
        if (read == null || read.failures().isEmpty()) {
            return read;
        }
        List<Xattrs.Failure> failures = new ArrayList<>(read.failures().size());
        for (Xattrs.Failure f : read.failures()) {
            failures.add(new Xattrs.Failure(f.name(), apply(f.error())));
        }
        return new Xattrs.Read(read.attrs(), failures);
    }

    /** {@code filter} asked with the mapped paths (the walk of {@code from} asks a filter made for {@code to}). */
    public EntryFilter filter(EntryFilter filter) {
        if (filter == EntryFilter.ALL) {
            return filter;
        }
        return new EntryFilter() {
            @Override
            public boolean admitsName(byte[] parent, byte[] name, long dIno, int dType) {
                return filter.admitsName(apply(parent), name, dIno, dType);
            }

            @Override
            public boolean admits(byte[] path, StatX st) {
                return filter.admits(apply(path), st);
            }

            @Override
            public boolean admitsListed(byte[] path, StatX st, long dIno, int dType) {
                return filter.admitsListed(apply(path), st, dIno, dType);
            }

            @Override
            public boolean descends(byte[] path, StatX dir) {
                return filter.descends(apply(path), dir);
            }

            @Override
            public String toString() {
                return filter + " (relocated)";
            }
        };
    }

    /** {@code source}, delivering every item with its paths mapped ({@link RelocatedSource}). */
    public EntrySource source(EntrySource source) {
        return new RelocatedSource(source, this);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Relocation r && Arrays.equals(r.from, from) && Arrays.equals(r.to, to);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(from) * 31 + Arrays.hashCode(to);
    }

    @Override
    public String toString() {
        return "Relocation[" + io.podheitor.hpc.posix.PathText.render(from) + " -> "
                + io.podheitor.hpc.posix.PathText.render(to) + "]";
    }
}
