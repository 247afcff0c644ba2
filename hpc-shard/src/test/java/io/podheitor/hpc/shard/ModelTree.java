package io.podheitor.hpc.shard;

import io.podheitor.hpc.posix.FileMode;
import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.source.EntryFilter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * A tree in memory (directories, files, hard-link groups: names in several directories sharing an inode and its
 * mtime) and a walk over it that asks an {@link EntryFilter} exactly as hpc-walker's Walk does: admitsName before
 * the stat, admitsListed after it, descends before a directory is listed; the root always walked.
 */
final class ModelTree {
    static final String ROOT = "/r";

    record Node(String path, boolean dir, long ino, long mtime, List<Node> children) {
        StatX stat() {
            return new StatX((dir ? FileMode.S_IFDIR : FileMode.S_IFREG) | 0644, 0, 0, 1, 0, 0, mtime, 0, mtime, 0,
                    ino, 2049, 1, 0, 0, 4096);
        }
    }

    final Node root;
    final boolean unknownTypes; // the listing says DT_UNKNOWN (some file systems)
    final boolean noInodes;     // the listing's d_ino is 0
    final List<Node> all = new ArrayList<>();

    private ModelTree(Node root, boolean unknownTypes, boolean noInodes) {
        this.root = root;
        this.unknownTypes = unknownTypes;
        this.noInodes = noInodes;
        collect(root);
    }

    private void collect(Node n) {
        all.add(n);
        for (Node c : n.children()) {
            collect(c);
        }
    }

    /** A random tree: up to {@code size} names, a few hard-link groups across directories. */
    static ModelTree random(long seed, int size) {
        Random rnd = new Random(seed);
        long[] nextIno = {2};
        Node root = new Node(ROOT, true, nextIno[0]++, 1_700_000_000L, new ArrayList<>());
        List<Node> dirs = new ArrayList<>(List.of(root));
        List<Node> files = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            Node parent = dirs.get(rnd.nextInt(dirs.size()));
            String path = parent.path() + "/n" + i;
            int kind = rnd.nextInt(10);
            Node n;
            if (kind < 3 && depth(path) < 6) {
                n = new Node(path, true, nextIno[0]++, 1_700_000_000L + rnd.nextInt(100_000), new ArrayList<>());
                dirs.add(n);
            } else if (kind < 5 && !files.isEmpty()) {
                Node target = files.get(rnd.nextInt(files.size())); // another name of an existing inode
                n = new Node(path, false, target.ino(), target.mtime(), List.of());
            } else {
                long ino = rnd.nextInt(4) == 0 ? rnd.nextLong() & Long.MAX_VALUE | 1 : nextIno[0]++;
                n = new Node(path, false, ino, 1_600_000_000L + rnd.nextInt(50_000_000), List.of());
                files.add(n);
            }
            parent.children().add(n);
        }
        return new ModelTree(root, rnd.nextInt(5) == 0, rnd.nextInt(8) == 0);
    }

    private static int depth(String path) {
        return (int) path.chars().filter(c -> c == '/').count();
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The paths the filter lets a walk deliver. */
    Set<String> walk(EntryFilter f) {
        Set<String> out = new HashSet<>();
        if (f.admits(b(root.path()), root.stat())) {
            out.add(root.path());
        }
        list(root, f, out);
        return out;
    }

    /** How many names the walk stat'ed (the root's lstat included). */
    long stats(EntryFilter f) {
        long[] n = {1};
        statCount(root, f, n);
        return n[0];
    }

    private void statCount(Node d, EntryFilter f, long[] n) {
        for (Node c : d.children()) {
            if (f.admitsName(b(d.path()), b(name(c)), dIno(c), dType(c))) {
                n[0]++;
                if (c.dir() && f.descends(b(c.path()), c.stat())) {
                    statCount(c, f, n);
                }
            }
        }
    }

    private void list(Node d, EntryFilter f, Set<String> out) {
        for (Node c : d.children()) {
            if (!f.admitsName(b(d.path()), b(name(c)), dIno(c), dType(c))) {
                continue;
            }
            StatX st = c.stat();
            if (f.admitsListed(b(c.path()), st, dIno(c), dType(c))) {
                out.add(c.path());
            }
            if (c.dir() && f.descends(b(c.path()), st)) {
                list(c, f, out);
            }
        }
    }

    private static String name(Node c) {
        return c.path().substring(c.path().lastIndexOf('/') + 1);
    }

    private long dIno(Node c) {
        return noInodes ? 0 : c.ino();
    }

    private int dType(Node c) {
        return unknownTypes ? FileMode.DT_UNKNOWN : c.dir() ? FileMode.DT_DIR : FileMode.DT_REG;
    }
}
