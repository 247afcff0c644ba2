package io.podheitor.hpc.changelog.source;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The order of {@link io.podheitor.hpc.source.Ordering#DIRECTORIES_AFTER_CONTENTS} for a set of absolute paths:
 * a path comes after every path below it, and the paths below one directory stay together. Compared byte by
 * byte (unsigned), with the separator {@code /} lower than any other byte; when one path is a prefix of the other,
 * the longer one comes first if it continues with {@code /} or the shorter one is {@code /} (it lies below the
 * shorter one), else last (a longer name in the same directory). Paths are normalized (no trailing {@code /}).
 */
public final class PostOrder {
    private PostOrder() {
    }

    public static final Comparator<byte[]> PATHS = PostOrder::compare;

    public static int compare(byte[] a, byte[] b) {
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) {
            if (a[i] != b[i]) {
                return Integer.compare(rank(a[i]), rank(b[i]));
            }
        }
        if (a.length == b.length) {
            return 0;
        }
        if (a.length < b.length) {
            return b[n] == '/' || a[n - 1] == '/' ? 1 : -1; // b below a ("/" is above everything)
        }
        return a[n] == '/' || b[n - 1] == '/' ? -1 : 1;
    }

    private static int rank(byte c) {
        return c == '/' ? 0 : (c & 0xff) + 1;
    }

    /** The changes in post-order, each path once (given twice: a subtree if either says so). */
    public static List<ChangeSetSource.Change> sortedUnique(Collection<ChangeSetSource.Change> changes) {
        List<ChangeSetSource.Change> sorted = new ArrayList<>(changes);
        sorted.sort(Comparator.comparing(ChangeSetSource.Change::path, PATHS));
        List<ChangeSetSource.Change> out = new ArrayList<>(sorted.size());
        for (ChangeSetSource.Change c : sorted) {
            int last = out.size() - 1;
            if (last >= 0 && compare(out.get(last).path(), c.path()) == 0) {
                if (c.subtree() && !out.get(last).subtree()) {
                    out.set(last, c);
                }
                continue;
            }
            out.add(c);
        }
        return out;
    }
}
