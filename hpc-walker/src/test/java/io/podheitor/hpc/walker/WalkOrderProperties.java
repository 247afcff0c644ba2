package io.podheitor.hpc.walker;

import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.source.Entry;
import io.podheitor.hpc.source.EntryFilter;
import io.podheitor.hpc.source.SourceEnd;
import io.podheitor.hpc.source.SourceItem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterProperty;

/**
 * The walk's contract as an EntrySource, over random trees, thread counts, channel depths and filters: every
 * admitted entry exactly once, nothing else, and every directory after everything below it (Ordering
 * DIRECTORIES_AFTER_CONTENTS).
 */
class WalkOrderProperties {
    private final List<Path> made = new ArrayList<>();

    @AfterProperty
    void cleanUp() throws IOException {
        for (Path p : made) {
            try (Stream<Path> w = Files.walk(p)) {
                for (Path q : w.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(q);
                }
            }
        }
        made.clear();
    }

    /** A random tree from a seed: directories up to depth 4, files and symlinks. */
    private Path tree(long seed, int size) throws IOException {
        Path root = Files.createTempDirectory("walk-prop");
        made.add(root);
        java.util.Random rnd = new java.util.Random(seed);
        List<Path> dirs = new ArrayList<>(List.of(root));
        for (int i = 0; i < size; i++) {
            Path parent = dirs.get(rnd.nextInt(dirs.size()));
            Path p = parent.resolve("n" + i);
            switch (rnd.nextInt(5)) {
                case 0, 1 -> {
                    if (root.relativize(parent).getNameCount() < 4) {
                        dirs.add(Files.createDirectory(p));
                    } else {
                        Files.writeString(p, "d");
                    }
                }
                case 2 -> Files.createSymbolicLink(p, Path.of("n" + rnd.nextInt(size + 1)));
                default -> Files.writeString(p, "x".repeat(rnd.nextInt(100)));
            }
        }
        return root;
    }

    @Property(tries = 40)
    void everyAdmittedEntryOnceAndDirectoriesAfterTheirContents(@ForAll long seed,
            @ForAll @IntRange(min = 0, max = 120) int size, @ForAll @IntRange(min = 1, max = 16) int threads,
            @ForAll @IntRange(min = 1, max = 8) int depth, @ForAll @IntRange(min = 0, max = 3) int dropEvery)
            throws Exception {
        Path root = tree(seed, size);
        // a filter that refuses some names before the stat (whole subtrees for directories) and some regular
        // files after it: what a shard strategy does
        EntryFilter filter = dropEvery == 0 ? EntryFilter.ALL : new EntryFilter() {
            @Override
            public boolean admitsName(byte[] parent, byte[] name, long dIno, int dType) {
                return (dIno % (dropEvery + 3)) != 0;
            }

            @Override
            public boolean admits(byte[] path, StatX st) {
                return !st.isRegular() || st.size() % (dropEvery + 1) == 0 || dropEvery == 1;
            }
        };
        Set<String> expected = new HashSet<>();
        expected.add(root.toString());
        collect(root, filter, expected);

        List<String> order = new ArrayList<>();
        Map<String, Integer> index = new HashMap<>();
        try (Walk w = Walk.start(root.toString().getBytes(StandardCharsets.UTF_8),
                new WalkOptions(threads, depth, false).withFilter(filter))) {
            for (SourceItem it = w.take(); !(it instanceof SourceEnd end && check(end)); it = w.take()) {
                if (it instanceof Entry e) {
                    String p = new String(e.path(), StandardCharsets.UTF_8);
                    if (index.put(p, order.size()) != null) {
                        throw new AssertionError("delivered twice: " + p);
                    }
                    order.add(p);
                } else {
                    throw new AssertionError("unexpected " + it);
                }
            }
        }
        if (!index.keySet().equals(expected)) {
            throw new AssertionError("delivered " + index.keySet() + ", expected " + expected);
        }
        if (!order.getLast().equals(root.toString())) {
            throw new AssertionError("the root is not last");
        }
        for (String p : order) {
            for (Path up = Path.of(p).getParent(); up != null && up.startsWith(root); up = up.getParent()) {
                Integer at = index.get(up.toString());
                if (at != null && at < index.get(p)) {
                    throw new AssertionError(up + " delivered before " + p);
                }
            }
        }
    }

    private static boolean check(SourceEnd end) {
        if (!end.completed() || end.errors() != 0) {
            throw new AssertionError("walk ended " + end);
        }
        return true;
    }

    /** The reference: what the filter admits, by a plain recursive walk with the same questions. */
    private static void collect(Path dir, EntryFilter f, Set<String> out) throws IOException {
        byte[] parent = dir.toString().getBytes(StandardCharsets.UTF_8);
        try (Stream<Path> list = Files.list(dir)) {
            for (Path p : list.toList()) {
                byte[] name = p.getFileName().toString().getBytes(StandardCharsets.UTF_8);
                long ino = (Long) Files.getAttribute(p, "unix:ino", java.nio.file.LinkOption.NOFOLLOW_LINKS);
                if (!f.admitsName(parent, name, ino, 0)) {
                    continue;
                }
                byte[] path = p.toString().getBytes(StandardCharsets.UTF_8);
                StatX st = io.podheitor.hpc.posix.Posix.lstat(path);
                if (f.admits(path, st)) {
                    out.add(p.toString());
                }
                if (st.isDirectory() && f.descends(path, st)) {
                    collect(p, f, out);
                }
            }
        }
    }
}
