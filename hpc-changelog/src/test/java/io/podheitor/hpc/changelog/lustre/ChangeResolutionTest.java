package io.podheitor.hpc.changelog.lustre;

import static io.podheitor.hpc.changelog.lustre.Records.fid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.lustre.Fid;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChangeResolutionTest {
    private static final Fid ROOT = new Fid(0x200000007L, 1, 0);

    /** A resolver over a fixed map, counting its calls. */
    static final class MapResolver implements FidResolver {
        final Map<Fid, List<byte[]>> paths = new HashMap<>();
        final List<Collection<Fid>> calls = new ArrayList<>();

        MapResolver put(Fid f, String... p) {
            List<byte[]> l = new ArrayList<>();
            for (String s : p) {
                l.add(s.getBytes(StandardCharsets.UTF_8));
            }
            paths.put(f, l);
            return this;
        }

        @Override
        public Resolution resolve(Collection<Fid> fids) {
            calls.add(List.copyOf(fids));
            Map<Fid, List<byte[]>> found = new HashMap<>();
            Set<Fid> missing = new LinkedHashSet<>();
            for (Fid f : fids) {
                if (paths.containsKey(f)) {
                    found.put(f, paths.get(f));
                } else {
                    missing.add(f);
                }
            }
            return new Resolution(found, missing);
        }
    }

    private static List<String> strings(List<byte[]> l) {
        return l.stream().map(b -> new String(b, StandardCharsets.UTF_8)).toList();
    }

    @Test
    void namesBecomePathsInOneBatchedLookup() throws Exception {
        Records r = new Records();
        Fid dir = fid(5);
        Fid gone = fid(6);
        Fid moved = fid(7);
        Fid chmodded = fid(8);
        Fid linked = fid(9);
        ChangeCollapser c = new ChangeCollapser(100);
        c.accept(r.create(fid(10), dir, "new file"));
        c.accept(r.unlink(fid(11), dir, "old", true));
        c.accept(r.rename(moved, ROOT, "a dir", dir, "b dir", null));
        c.accept(r.create(fid(12), gone, "orphan"));
        c.accept(r.of(RecordType.SATTR, chmodded));
        c.accept(r.of(RecordType.SATTR, linked));
        c.accept(r.of(RecordType.SATTR, fid(13)));
        ChangeSet set = assertInstanceOf(ChangeCollapser.Outcome.Collapsed.class, c.finish()).changes();
        MapResolver res = new MapResolver().put(ROOT, "/mnt/fs").put(dir, "/mnt/fs/d")
                .put(chmodded, "/mnt/fs/c").put(linked, "/mnt/fs/l1", "/mnt/fs/d/l2");
        ResolvedChanges out = ChangeResolution.resolve(set, res);
        assertEquals(1, res.calls.size(), "one batched call");
        assertEquals(Set.of(dir, ROOT, gone, chmodded, linked, fid(13)), Set.copyOf(res.calls.get(0)));
        // the directories the names changed in are saved again too (their mtime changed)
        assertEquals(List.of("/mnt/fs", "/mnt/fs/c", "/mnt/fs/d", "/mnt/fs/d/b dir", "/mnt/fs/d/l2",
                "/mnt/fs/d/new file", "/mnt/fs/l1"), strings(out.saves().stream().map(ResolvedChanges.Save::path).toList()));
        assertTrue(out.saves().get(3).walkIfDirectory());
        assertTrue(!out.saves().get(2).walkIfDirectory(), "a parent is saved itself, not walked");
        assertEquals(1, out.saves().stream().filter(ResolvedChanges.Save::walkIfDirectory).count());
        assertEquals(List.of("/mnt/fs/a dir", "/mnt/fs/d/old"), strings(out.deletions()));
        assertEquals(2, out.unresolved().size());
        assertTrue(out.unresolved().contains(new ResolvedChanges.Unresolved.Object(fid(13))));
        assertTrue(out.unresolved().stream().anyMatch(u -> u instanceof ResolvedChanges.Unresolved.Name n
                && n.change().key().parent().equals(gone)));
    }

    @Test
    void joinDoesNotDoubleTheRootSlash() {
        assertEquals("/x", new String(io.podheitor.hpc.walker.Paths.join("/".getBytes(), "x".getBytes())));
        assertEquals("/m/x", new String(io.podheitor.hpc.walker.Paths.join("/m".getBytes(), "x".getBytes())));
    }

    @Test
    void nothingChangedAsksNothing() throws Exception {
        MapResolver res = new MapResolver();
        ResolvedChanges out = ChangeResolution.resolve(new ChangeSet(List.of(), Set.of(), 0, -1, -1), res);
        assertTrue(res.calls.isEmpty());
        assertTrue(out.saves().isEmpty());
    }
}
