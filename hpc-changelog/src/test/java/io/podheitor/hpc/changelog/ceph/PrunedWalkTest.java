package io.podheitor.hpc.changelog.ceph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.posix.Errno;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.source.CatalogVerdict;
import io.podheitor.hpc.source.Entry;
import io.podheitor.hpc.source.SourceEnd;
import io.podheitor.hpc.source.SourceItem;
import io.podheitor.hpc.walker.WalkOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pruning walk on a local tree, with the rctimes from a table (the real ones are tested on CephFS). */
class PrunedWalkTest {
    @TempDir
    Path tmp;

    // the directories' own ctimes are "now" (local ctimes cannot be set back): the threshold lies a day ahead, so
    // that only the rctimes of the table decide
    private static final long NOW = System.currentTimeMillis() * 1_000_000L;
    private static final long DAY = 86_400L * 1_000_000_000L;
    private static final long OLD = NOW - DAY;
    private static final long THRESHOLD = NOW + DAY;
    private static final long NEW = NOW + 2 * DAY;

    private record Walked(TreeSet<String> entries, TreeSet<String> keeps) {
    }

    private Walked walk(Path root, Map<String, Long> rctimes, DirectorySet previous, DirectoryRecorder rec,
            RctimePruner[] out) throws Exception {
        Rctime.Reader reader = p -> {
            String s = new String(p, StandardCharsets.ISO_8859_1);
            Long v = rctimes.get(s.substring(root.toString().length()));
            if (v == null) {
                throw new PosixException("lgetxattr", Errno.EOPNOTSUPP, p);
            }
            return v;
        };
        RctimePruner pruner = new RctimePruner(reader, THRESHOLD, NEW + 1, previous, rec, true);
        out[0] = pruner;
        byte[] r = root.toString().getBytes(StandardCharsets.ISO_8859_1);
        pruner.root(r);
        TreeSet<String> entries = new TreeSet<>();
        TreeSet<String> keeps = new TreeSet<>();
        try (PrunedWalk w = PrunedWalk.start(r, new WalkOptions(3, 4, false).withFilter(pruner), pruner)) {
            while (true) {
                SourceItem i = w.take();
                switch (i) {
                    case Entry e -> entries.add(new String(e.path(), StandardCharsets.ISO_8859_1)
                            .substring(root.toString().length()));
                    case CatalogVerdict v -> keeps.add(v.kind() + " " + new String(v.path(), StandardCharsets.ISO_8859_1)
                            .substring(root.toString().length()));
                    case SourceEnd end -> {
                        return new Walked(entries, keeps);
                    }
                    default -> throw new AssertionError("unexpected " + i);
                }
            }
        }
    }

    @Test
    void prunesOldKnownSubtreesAndWalksNewUnknownZeroAndUnreadableOnes() throws Exception {
        Path root = tmp.resolve("root");
        for (String d : new String[] {"old/a", "changed/x", "zero", "renamed/sub", "unreadable/u"}) {
            Files.createDirectories(root.resolve(d));
        }
        Files.writeString(root.resolve("old/a/f"), "f");
        Files.writeString(root.resolve("changed/x/g"), "g");
        Files.writeString(root.resolve("renamed/sub/h"), "h");
        Path state = tmp.resolve("state");
        Files.createDirectory(state);
        // the previous job knew every directory but /renamed and /renamed/sub (renamed since)
        try (DirectoryRecorder r = DirectoryRecorder.create(state, "1")) {
            for (String d : new String[] {"", "/old", "/old/a", "/changed", "/changed/x", "/zero", "/unreadable",
                    "/unreadable/u", "/before/sub"}) {
                r.record((root + d).getBytes(StandardCharsets.ISO_8859_1));
            }
            r.commit(Optional.empty(), 1000, 1);
        }
        Map<String, Long> rct = new HashMap<>();
        rct.put("/old", OLD);
        rct.put("/old/a", OLD);
        rct.put("/changed", NEW);
        rct.put("/changed/x", OLD);
        rct.put("/zero", 0L);
        rct.put("/renamed", OLD);
        rct.put("/renamed/sub", OLD);
        Walked w;
        RctimePruner[] p = new RctimePruner[1];
        try (DirectorySet prev = DirectorySet.open(state).orElseThrow();
                DirectoryRecorder rec = DirectoryRecorder.create(state, "2")) {
            w = walk(root, rct, prev, rec, p);
            rec.commit(Optional.of(prev), 2000, 2);
        }
        // /old pruned (its /a is not looked at), /changed walked but /changed/x pruned, /zero walked (rctime 0),
        // /renamed and /renamed/sub walked (not in the set), /unreadable walked (no rctime)
        assertEquals(new TreeSet<>(java.util.List.of("KEEP /changed/x", "KEEP /old")), w.keeps());
        assertEquals(new TreeSet<>(java.util.List.of("", "/changed", "/changed/x", "/old", "/renamed", "/renamed/sub",
                "/renamed/sub/h", "/unreadable", "/unreadable/u", "/zero")), w.entries());
        assertEquals(2, p[0].pruned());
        assertTrue(p[0].summary().contains("2 directories pruned"), p[0].summary());
        assertTrue(p[0].warning().contains("could not be read"), p[0].warning());
        try (DirectorySet next = DirectorySet.open(state).orElseThrow()) {
            for (String d : new String[] {"", "/old", "/old/a", "/changed", "/changed/x", "/zero", "/renamed",
                    "/renamed/sub", "/unreadable", "/unreadable/u"}) {
                assertTrue(next.contains((root + d).getBytes(StandardCharsets.ISO_8859_1)), d);
            }
            assertTrue(!next.contains((root + "/before/sub").getBytes(StandardCharsets.ISO_8859_1)));
        }
    }
}
