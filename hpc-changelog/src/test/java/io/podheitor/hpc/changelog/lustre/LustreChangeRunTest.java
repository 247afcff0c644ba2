package io.podheitor.hpc.changelog.lustre;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.changelog.source.ChangeSetSource;
import io.podheitor.hpc.changelog.state.CursorStore;
import io.podheitor.hpc.source.Entry;
import io.podheitor.hpc.source.EntryFilter;
import io.podheitor.hpc.source.SourceEnd;
import io.podheitor.hpc.source.SourceItem;
import io.podheitor.hpc.walker.WalkOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A job's changelog run against the fake lfs/lctl, its change set delivered by {@link ChangeSetSource}. */
class LustreChangeRunTest {
    @TempDir
    Path base;

    private ScriptedLustre fs;
    private LustreChangelogTools tools;
    private String consumer;
    private byte[] root;

    @BeforeEach
    void setUp() throws Exception {
        fs = new ScriptedLustre(base, "testfs");
        fs.mkdir("proj");
        fs.mkdir("proj/sub");
        fs.create("proj/sub/f1", "1");
        fs.create("proj/gone", "g");
        fs.mkdir("other");
        fs.create("other/x", "x");
        tools = fs.tools();
        consumer = fs.register();
        root = fs.path("proj").toString().getBytes(StandardCharsets.UTF_8);
    }

    private CursorStore store() throws IOException {
        return CursorStore.open(base.resolve("state"), "all", Duration.ofSeconds(5));
    }

    private LustreChangeRun.Plan incremental() throws IOException {
        try (CursorStore s = store()) {
            return LustreChangeRun.incremental(tools, new LfsFid2Path(tools.lfs(), fs.fsname, 100, true), s,
                    List.of(fs.mdt), consumer, root, 1000, Instant.now());
        }
    }

    private void commit() throws IOException {
        try (CursorStore s = store()) {
            s.commit((m, c, e) -> tools.clear(m, c, e) == LustreChangelogTools.ClearResult.CLEARED);
        }
    }

    private void abandon() throws IOException {
        try (CursorStore s = store()) {
            s.abandon();
        }
    }

    private List<String> delivered(LustreChangeRun.Plan.Changes c) throws InterruptedException {
        List<String> out = new ArrayList<>();
        try (ChangeSetSource src = ChangeSetSource.start(c.saves(), EntryFilter.ALL, WalkOptions.defaults(), 4, 64)) {
            while (true) {
                SourceItem i = src.take();
                if (i instanceof SourceEnd e) {
                    assertTrue(e.completed(), e.toString());
                    return out;
                }
                if (i instanceof Entry e) {
                    out.add(rel(e.path()));
                }
            }
        }
    }

    private String rel(byte[] p) {
        return new String(p, StandardCharsets.UTF_8).substring(fs.mount.toString().length());
    }

    @Test
    void firstRunWalksThenOnlyTheChangesUnderTheRootAndAFailedJobReadsThemAgain() throws Exception {
        // no cursor yet: a full walk, the cursor taken before it
        LustreChangeRun.Plan first = incremental();
        assertTrue(assertInstanceOf(LustreChangeRun.Plan.FullWalk.class, first).reasons().get(0).contains("full walk"));
        commit();

        fs.create("proj/sub/new file", "n");
        fs.write("proj/sub/f1", "11");
        fs.unlink("proj/gone");
        fs.rename("proj/sub", "proj/sub2");
        fs.create("other/y", "y"); // another tree of the same file system
        long last = fs.lastRecord();

        LustreChangeRun.Plan.Changes c = assertInstanceOf(LustreChangeRun.Plan.Changes.class, incremental());
        assertEquals(last, c.lastRecords().get(fs.mdt));
        List<String> got = delivered(c);
        assertEquals(List.of("/proj/sub2/f1", "/proj/sub2/new file", "/proj/sub2", "/proj"), got);
        List<String> deleted = c.deletions().stream().map(this::rel).sorted().toList();
        assertEquals(List.of("/proj/gone", "/proj/sub"), deleted);
        assertTrue(c.skipped() >= 1, "other/y is not this job's");

        // the job failed: the next run reads the same records
        abandon();
        LustreChangeRun.Plan.Changes again = assertInstanceOf(LustreChangeRun.Plan.Changes.class, incremental());
        assertEquals(c.records(), again.records());
        assertEquals(got, delivered(again));
        commit();

        // ended OK: nothing new, nothing to do
        LustreChangeRun.Plan.Changes none = assertInstanceOf(LustreChangeRun.Plan.Changes.class, incremental());
        assertEquals(0, none.records());
        assertTrue(none.saves().isEmpty() && none.deletions().isEmpty());
    }

    @Test
    void underIsByPathComponents() {
        byte[] r = "/lustre/proj".getBytes();
        assertTrue(io.podheitor.hpc.walker.Paths.isAtOrBelow(r, "/lustre/proj".getBytes()));
        assertTrue(io.podheitor.hpc.walker.Paths.isAtOrBelow(r, "/lustre/proj/a".getBytes()));
        assertTrue(!io.podheitor.hpc.walker.Paths.isAtOrBelow(r, "/lustre/project".getBytes()));
        assertTrue(!io.podheitor.hpc.walker.Paths.isAtOrBelow(r, "/lustre".getBytes()));
        assertTrue(io.podheitor.hpc.walker.Paths.isAtOrBelow("/".getBytes(), "/x".getBytes()));
        assertTrue(io.podheitor.hpc.walker.Paths.isAtOrBelow("/lustre/proj/".getBytes(), "/lustre/proj/a".getBytes()));
    }
}
