package io.podheitor.hpc.walker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.posix.FileMode;
import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.source.ChangedSince;
import io.podheitor.hpc.source.Entry;
import io.podheitor.hpc.source.EntryFilter;
import io.podheitor.hpc.source.SourceEnd;
import io.podheitor.hpc.source.SourceItem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The walk consults its EntryFilter before it stats, delivers or descends (the seam shards plug into). */
@Timeout(60)
class WalkFilterTest {
    @TempDir
    Path tmp;
    private Path root;

    private static String s(byte[] p) {
        return new String(p, StandardCharsets.UTF_8);
    }

    /** root/{a/{x,y,deep/z}, b/{x}, skip/{x}, f1, f2} */
    @BeforeEach
    void tree() throws IOException {
        root = Files.createDirectory(tmp.resolve("root"));
        for (String d : List.of("a", "a/deep", "b", "skip")) {
            Files.createDirectory(root.resolve(d));
        }
        for (String f : List.of("a/x", "a/y", "a/deep/z", "b/x", "skip/x", "f1", "f2")) {
            Files.writeString(root.resolve(f), f);
        }
    }

    private record Drained(List<String> delivered, SourceEnd end) {
    }

    private Drained walk(EntryFilter filter, Set<String> opened) throws InterruptedException {
        WalkOptions o = new WalkOptions(4, 8, false).withFilter(filter);
        List<String> got = new ArrayList<>();
        try (Walk w = Walk.start(root.toString().getBytes(StandardCharsets.UTF_8), o,
                p -> opened.add(s(p)))) {
            for (SourceItem it; ; ) {
                it = w.take();
                switch (it) {
                    case Entry e -> got.add(root.relativize(Path.of(s(e.path()))).toString());
                    case SourceEnd end -> {
                        return new Drained(got, end);
                    }
                    default -> throw new AssertionError("unexpected " + it);
                }
            }
        }
    }

    @Test
    void aNameRefusedBeforeTheStatIsNeverStattedNorWalked() throws Exception {
        Set<String> statted = ConcurrentHashMap.newKeySet();
        Set<String> opened = ConcurrentHashMap.newKeySet();
        EntryFilter f = new EntryFilter() {
            @Override
            public boolean admitsName(byte[] parent, byte[] name, long dIno, int dType) {
                assertTrue(dIno > 0, "d_ino from the listing");
                return !s(name).equals("skip") && !s(name).equals("f2");
            }

            @Override
            public boolean admits(byte[] path, StatX st) {
                statted.add(s(path));
                return true;
            }
        };
        Drained d = walk(f, opened);
        assertTrue(d.end().completed());
        assertEquals(Set.of("a", "a/deep", "a/x", "a/y", "a/deep/z", "b", "b/x", "f1", ""), new HashSet<>(d.delivered()));
        assertFalse(statted.contains(root + "/skip"), "not statted: " + statted);
        assertFalse(statted.contains(root + "/f2"));
        assertFalse(opened.contains(root + "/skip"), "not listed");
        assertEquals(9, d.end().entries());
    }

    @Test
    void aDirectoryNotDescendedIsDeliveredWithoutItsContents() throws Exception {
        Set<String> opened = ConcurrentHashMap.newKeySet();
        Drained d = walk(new EntryFilter() {
            @Override
            public boolean descends(byte[] path, StatX dir) {
                return !s(path).endsWith("/a");
            }
        }, opened);
        assertEquals(Set.of("a", "b", "b/x", "skip", "skip/x", "f1", "f2", ""), new HashSet<>(d.delivered()));
        assertFalse(opened.contains(root + "/a"), "a is not listed");
        assertFalse(opened.contains(root + "/a/deep"));
        assertEquals("", d.delivered().getLast(), "the root is still last");
    }

    @Test
    void aDirectoryNotAdmittedIsWalkedButNotDelivered() throws Exception {
        Drained d = walk(new EntryFilter() {
            @Override
            public boolean admits(byte[] path, StatX st) {
                return !(st.isDirectory() && s(path).endsWith("/a"));
            }
        }, ConcurrentHashMap.newKeySet());
        Set<String> got = new HashSet<>(d.delivered());
        assertTrue(got.containsAll(Set.of("a/x", "a/y", "a/deep", "a/deep/z")), got.toString());
        assertFalse(got.contains("a"));
    }

    @Test
    void theRootIsAlwaysWalkedAndDeliveredOnlyWhenAdmitted() throws Exception {
        EntryFilter filesOnly = new EntryFilter() {
            @Override
            public boolean admits(byte[] path, StatX st) {
                return !st.isDirectory();
            }

            @Override
            public boolean descends(byte[] path, StatX dir) {
                return false;
            }
        };
        Drained d = walk(filesOnly, ConcurrentHashMap.newKeySet());
        assertEquals(Set.of("f1", "f2"), new HashSet<>(d.delivered()), "walked, not delivered");
        Drained all = walk(EntryFilter.ALL, ConcurrentHashMap.newKeySet());
        assertEquals("", all.delivered().getLast(), "the root, when delivered, is last");
    }

    @Test
    void filtersCombineWithAnd() throws Exception {
        EntryFilter noF2 = new EntryFilter() {
            @Override
            public boolean admitsName(byte[] parent, byte[] name, long dIno, int dType) {
                return !s(name).equals("f2");
            }
        };
        EntryFilter onlyFilesAndDirs = new EntryFilter() {
            @Override
            public boolean admitsName(byte[] parent, byte[] name, long dIno, int dType) {
                return dType == FileMode.DT_DIR || s(name).startsWith("f");
            }
        };
        Drained d = walk(noF2.and(onlyFilesAndDirs), ConcurrentHashMap.newKeySet());
        assertEquals(Set.of("a", "a/deep", "b", "skip", "f1", ""), new HashSet<>(d.delivered()));
        assertEquals(noF2, noF2.and(EntryFilter.ALL));
        assertEquals(noF2, EntryFilter.ALL.and(noF2));
    }

    /** As stock bacula-fd: an unchanged directory is not sent (FT_DIRNOCHG), the root neither. */
    @Test
    void changedSinceDeliversChangedEntriesOnlyDirectoriesToo() throws Exception {
        long old = 1_000_000_000L;
        try (var st = Files.walk(root)) {
            for (Path p : st.toList()) {
                Files.setLastModifiedTime(p, FileTime.from(old, java.util.concurrent.TimeUnit.SECONDS));
            }
        }
        // setting an mtime changes the ctime: with since in the past, ctime makes everything changed
        Drained all = walk(new ChangedSince(old + 1).asFilter(), ConcurrentHashMap.newKeySet());
        assertEquals(12, all.delivered().size(), "ctime counts: " + all.delivered());
        long future = System.currentTimeMillis() / 1000 + 3600;
        Drained none = walk(new ChangedSince(future).asFilter(), ConcurrentHashMap.newKeySet());
        assertEquals(List.of(), none.delivered(), "nothing changed since then, no directory either");
        assertTrue(none.end().completed());
        assertEquals(EntryFilter.ALL, ChangedSince.EVERYTHING.asFilter());
    }
}
