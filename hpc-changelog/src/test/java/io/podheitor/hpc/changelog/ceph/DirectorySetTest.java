package io.podheitor.hpc.changelog.ceph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectorySetTest {
    @TempDir
    Path dir;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void noCurrentMeansNoSet() throws Exception {
        assertTrue(DirectorySet.open(dir).isEmpty());
    }

    @Test
    void aCommittedSetKnowsItsPathsAndMeta() throws Exception {
        try (DirectoryRecorder r = DirectoryRecorder.create(dir, "7", 3)) { // runs of 3: the merge is exercised
            for (String p : List.of("/m", "/m/a", "/m/b", "/m/a/x", "/m/odd\377\376", "/m/b/y", "/m/b/y/z")) {
                r.record(b(p));
            }
            assertEquals(7, r.commit(Optional.empty(), 1000, 7));
        }
        try (DirectorySet s = DirectorySet.open(dir).orElseThrow()) {
            assertEquals(new DirectorySet.Meta(1000, 7, 7), s.meta());
            for (String p : List.of("/m", "/m/a", "/m/b", "/m/a/x", "/m/odd\377\376", "/m/b/y", "/m/b/y/z")) {
                assertTrue(s.contains(b(p)), p);
            }
            assertFalse(s.contains(b("/m/c")));
            assertFalse(s.contains(b("/m/odd\377")));
            assertFalse(s.contains(b("/m/a/")));
        }
        assertEquals("gen-7\n", Files.readString(dir.resolve("CURRENT")));
    }

    @Test
    void theNextSetCarriesOverTheDirectoriesBelowPrunedOnesOnly() throws Exception {
        try (DirectoryRecorder r = DirectoryRecorder.create(dir, "1")) {
            for (String p : List.of("/m", "/m/keep", "/m/keep/deep", "/m/keep/deep/er", "/m/keeper", "/m/gone",
                    "/m/gone/sub", "/m/walked", "/m/walked/old")) {
                r.record(b(p));
            }
            r.commit(Optional.empty(), 1000, 1);
        }
        Optional<DirectorySet> first = DirectorySet.open(dir);
        try (DirectoryRecorder r = DirectoryRecorder.create(dir, "2", 2)) {
            // the second job walked /m and /m/walked, pruned /m/keep and /m/keeper; /m/gone was deleted,
            // /m/walked/old renamed to /m/walked/new
            for (String p : List.of("/m", "/m/keep", "/m/keeper", "/m/walked", "/m/walked/new")) {
                r.record(b(p));
            }
            r.pruned(b("/m/keep"));
            r.pruned(b("/m/keeper"));
            assertEquals(7, r.commit(first, 2000, 2));
        } finally {
            first.orElseThrow().close();
        }
        try (DirectorySet s = DirectorySet.open(dir).orElseThrow()) {
            assertEquals(new DirectorySet.Meta(2000, 2, 7), s.meta());
            for (String p : List.of("/m", "/m/keep", "/m/keep/deep", "/m/keep/deep/er", "/m/keeper", "/m/walked",
                    "/m/walked/new")) {
                assertTrue(s.contains(b(p)), p);
            }
            for (String p : List.of("/m/gone", "/m/gone/sub", "/m/walked/old")) {
                assertFalse(s.contains(b(p)), p);
            }
        }
        assertFalse(Files.exists(dir.resolve("gen-1")), "the previous generation is deleted");
    }

    @Test
    void anAbandonedSetLeavesThePreviousOneCurrent() throws Exception {
        try (DirectoryRecorder r = DirectoryRecorder.create(dir, "1")) {
            r.record(b("/m"));
            r.commit(Optional.empty(), 1000, 1);
        }
        try (DirectoryRecorder r = DirectoryRecorder.create(dir, "2")) {
            r.record(b("/m"));
            r.record(b("/m/new"));
            r.abandon();
        }
        try (DirectorySet s = DirectorySet.open(dir).orElseThrow()) {
            assertEquals(1, s.meta().jobId());
            assertFalse(s.contains(b("/m/new")));
        }
        assertFalse(Files.exists(dir.resolve("gen-2.tmp")));
    }

    @Test
    void belowAnyLooksAtProperAncestorsOnly() {
        long[] frontier = {DirectorySet.hash(b("/m/a"))};
        java.util.Arrays.sort(frontier);
        byte[] p = b("/m/a/x");
        assertTrue(DirectoryRecorder.belowAny(p, p.length, frontier));
        byte[] self = b("/m/a");
        assertFalse(DirectoryRecorder.belowAny(self, self.length, frontier));
        byte[] sibling = b("/m/ab/x");
        assertFalse(DirectoryRecorder.belowAny(sibling, sibling.length, frontier));
    }
}
