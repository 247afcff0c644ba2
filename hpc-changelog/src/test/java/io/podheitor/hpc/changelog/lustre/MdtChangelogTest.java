package io.podheitor.hpc.changelog.lustre;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.changelog.state.CursorStore;
import io.podheitor.hpc.changelog.state.FullWalkReason;
import io.podheitor.hpc.lustre.Fid;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Lustre changelog path end to end against the fake lfs/lctl: real operations on a local tree, the records
 * they write, the cursor, the collapse, fid2path, and the traps (zero FIDs, a record gap, a garbage-collected
 * consumer, a failed job).
 */
class MdtChangelogTest {
    @TempDir
    Path base;

    private ScriptedLustre fs;
    private LustreChangelogTools tools;
    private Path stateDir;
    private String consumer;

    @BeforeEach
    void setUp() throws Exception {
        fs = new ScriptedLustre(base, "testfs");
        fs.mkdir("docs");
        fs.create("docs/a.txt", "a");
        fs.create("docs/b.txt", "b");
        fs.create("docs/old.txt", "old");
        fs.create("docs/with space.txt", "w");
        fs.mkdir("proj");
        fs.mkdir("proj/sub");
        fs.create("proj/sub/f1", "1");
        tools = fs.tools();
        stateDir = base.resolve("phpc-state");
        consumer = fs.register();
        assertEquals("cl1", consumer);
        fullBackup();
    }

    private CursorStore store() throws IOException {
        return CursorStore.open(stateDir, "all", Duration.ofSeconds(5));
    }

    /** What the first job does: a full walk, with the cursor taken before it, committed when the job ends OK. */
    private void fullBackup() throws IOException {
        try (CursorStore s = store()) {
            MdtChangelog.Outcome o = MdtChangelog.read(tools, s, fs.mdt, consumer, 1000);
            assertEquals(FullWalkReason.NO_CURSOR, assertInstanceOf(MdtChangelog.Outcome.FullWalk.class, o).why()
                    .reason());
            s.markPending(consumer, Map.of(fs.mdt, MdtChangelog.lastRecord(tools, fs.mdt)), Instant.now());
            List<CursorStore.Cleared> cleared = s.commit((m, c, e) ->
                    tools.clear(m, c, e) == LustreChangelogTools.ClearResult.CLEARED);
            assertEquals(CursorStore.Cleared.Status.CLEARED, cleared.get(0).status());
            assertEquals(fs.lastRecord(), cleared.get(0).record());
        }
    }

    private MdtChangelog.Outcome read(LustreChangelogTools t) throws IOException {
        try (CursorStore s = store()) {
            return MdtChangelog.read(t, s, fs.mdt, consumer, 1000);
        }
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private List<String> rel(List<byte[]> paths) {
        String m = fs.mount.toString();
        return paths.stream().map(p -> s(p).substring(m.length())).toList();
    }

    @Test
    void incrementalAfterCreateModifyDeleteRenameAndChmod() throws Exception {
        long before = fs.lastRecord();
        fs.create("docs/new file.txt", "n");
        fs.write("docs/a.txt", "more");
        fs.unlink("docs/old.txt");
        fs.rename("docs/with space.txt", "docs/renamed  with space.txt");
        fs.rename("proj", "project");
        fs.create("project/sub/f2", "2");
        fs.chmod("docs/b.txt", "rw-------");
        fs.raw(RecordType.CLOSE, 0x242, Fids.ZERO);
        fs.raw(RecordType.ATIME, 0, fs.fid(fs.path("docs/b.txt")));
        byte[] odd = {'r', 'a', 'w', ' ', (byte) 0xff, (byte) 0xfe};
        fs.createRaw("docs", odd);

        MdtChangelog.Outcome.Changes c = changes(read(tools));
        assertEquals(before + 1, c.changes().firstIndex());
        assertEquals(fs.lastRecord(), c.lastRecord());
        ResolvedChanges r = ChangeResolution.resolve(c.changes(), new LfsFid2Path(tools.lfs(), fs.fsname, 2, true));

        List<String> saves = rel(r.saves().stream().map(ResolvedChanges.Save::path).toList());
        assertEquals(10, saves.size(), saves.toString());
        // "" is the mount (the root directory: proj was renamed in it), /docs and /project/sub: names changed in them
        assertTrue(saves.containsAll(List.of("", "/docs", "/project/sub", "/docs/a.txt", "/docs/b.txt", "/docs/new file.txt",
                "/docs/renamed  with space.txt", "/project", "/project/sub/f2")), saves.toString());
        assertTrue(r.saves().stream().anyMatch(v -> java.util.Arrays.equals(v.path(),
                io.podheitor.hpc.walker.Paths.join(fs.path("docs").toString().getBytes(), odd))), "the raw name, byte for byte");
        for (ResolvedChanges.Save v : r.saves()) {
            assertEquals(s(v.path()).endsWith("/project") || s(v.path()).endsWith("/renamed  with space.txt"),
                    v.walkIfDirectory(), s(v.path()));
        }
        assertEquals(List.of("/docs/old.txt", "/docs/with space.txt", "/proj"), rel(r.deletions()));
        assertEquals(List.of(), r.unresolved());
    }

    private static MdtChangelog.Outcome.Changes changes(MdtChangelog.Outcome o) {
        return assertInstanceOf(MdtChangelog.Outcome.Changes.class, o);
    }

    @Test
    void aFailedJobReadsTheSameRecordsAgainAndAnOkJobClearsThem() throws Exception {
        fs.create("docs/c.txt", "c");
        fs.chmod("docs/a.txt", "rwx------");
        MdtChangelog.Outcome.Changes first = changes(read(tools));
        try (CursorStore s = store()) {
            s.markPending(consumer, Map.of(fs.mdt, first.lastRecord()), Instant.now());
            s.abandon(); // the Bacula job failed
        }
        MdtChangelog.Outcome.Changes again = changes(read(tools));
        assertEquals(first.changes().firstIndex(), again.changes().firstIndex());
        assertEquals(first.lastRecord(), again.lastRecord());
        assertEquals(first.changes().names().size(), again.changes().names().size());
        assertEquals(first.changes().changedFids(), again.changes().changedFids());
        try (CursorStore s = store()) {
            s.markPending(consumer, Map.of(fs.mdt, again.lastRecord()), Instant.now());
            s.commit((m, c, e) -> tools.clear(m, c, e) == LustreChangelogTools.ClearResult.CLEARED);
        }
        MdtChangelog.Outcome.Changes none = changes(read(tools));
        assertEquals(0, none.changes().records());
        assertEquals(again.lastRecord(), none.lastRecord(), "nothing new: the cursor stays");
        assertEquals(again.lastRecord(), tools.users(fs.mdt).orElseThrow().user(consumer).orElseThrow()
                .clearedIndex());
    }

    @Test
    void aGapInRecordNumbersMeansAFullWalk() throws Exception {
        long cursor = fs.lastRecord();
        fs.create("docs/g1", "1");
        fs.create("docs/g2", "2");
        fs.purge(cursor + 1); // record cursor+1 is gone although nobody cleared it
        MdtChangelog.Outcome.FullWalk w = assertInstanceOf(MdtChangelog.Outcome.FullWalk.class, read(tools));
        assertEquals(FullWalkReason.GAP, w.why().reason());
        assertTrue(w.why().message().contains("record " + (cursor + 2)), w.why().message());
        // the same without lctl (a client node): the first record read tells
        LustreChangelogTools clientOnly = new LustreChangelogTools(tools.lfs(), Optional.empty());
        assertEquals(FullWalkReason.GAP, assertInstanceOf(MdtChangelog.Outcome.FullWalk.class, read(clientOnly))
                .why().reason());
        // every record purged: none to read, but the MDT's index moved on
        fs.purge(fs.lastRecord());
        assertEquals(FullWalkReason.GAP, assertInstanceOf(MdtChangelog.Outcome.FullWalk.class, read(tools))
                .why().reason());
    }

    @Test
    void aGarbageCollectedConsumerMeansAFullWalk() throws Exception {
        fs.create("docs/later", "l");
        fs.garbageCollect(consumer);
        MdtChangelog.Outcome.FullWalk w = assertInstanceOf(MdtChangelog.Outcome.FullWalk.class, read(tools));
        assertEquals(FullWalkReason.CONSUMER_GONE, w.why().reason());
        assertTrue(w.why().message().contains(consumer), w.why().message());
        // on a client (no consumer list) every record is purged, so no gap shows: the probing clear tells
        LustreChangelogTools clientOnly = new LustreChangelogTools(tools.lfs(), Optional.empty());
        assertEquals(FullWalkReason.CONSUMER_GONE, assertInstanceOf(MdtChangelog.Outcome.FullWalk.class,
                read(clientOnly)).why().reason());
        assertEquals(LustreChangelogTools.ClearResult.NO_SUCH_CONSUMER, tools.clear(fs.mdt, consumer, 0));
    }

    @Test
    void aConsumerLostAtClearTimeMakesTheNextRunWalk() throws Exception {
        fs.create("docs/x", "x");
        MdtChangelog.Outcome.Changes c = changes(read(tools));
        // deregistered while the job ran: the records were read completely, the clear finds no consumer
        java.nio.file.Files.writeString(fs.state.resolve(fs.mdt + ".users"), "");
        try (CursorStore s = store()) {
            s.markPending(consumer, Map.of(fs.mdt, c.lastRecord()), Instant.now());
            List<CursorStore.Cleared> out = s.commit((m, cons, e) ->
                    tools.clear(m, cons, e) == LustreChangelogTools.ClearResult.CLEARED);
            assertEquals(CursorStore.Cleared.Status.CONSUMER_GONE, out.get(0).status());
        }
        LustreChangelogTools clientOnly = new LustreChangelogTools(tools.lfs(), Optional.empty());
        assertEquals(FullWalkReason.CONSUMER_GONE, assertInstanceOf(MdtChangelog.Outcome.FullWalk.class,
                read(clientOnly)).why().reason());
    }

    @Test
    void fid2pathReportsGoneObjectsAndFindsEveryLink() throws Exception {
        Fid a = fs.fid(fs.path("docs/a.txt"));
        Fid old = fs.fid(fs.path("docs/old.txt"));
        fs.unlink("docs/old.txt");
        java.nio.file.Files.createLink(fs.path("a-link"), fs.path("docs/a.txt"));
        LfsFid2Path resolver = new LfsFid2Path(tools.lfs(), fs.mount.toString(), 10, false);
        FidResolver.Resolution r = resolver.resolve(List.of(a, old, ScriptedLustre.ROOT));
        assertEquals(Set.of(old), r.missing());
        assertEquals(Set.of("/a-link", "/docs/a.txt"), Set.copyOf(rel(r.paths().get(a))));
        assertArrayEquals(fs.mount.toString().getBytes(), r.paths().get(ScriptedLustre.ROOT).get(0));
    }

    @Test
    void aMalformedRecordMeansAFullWalkNamingTheLine() throws Exception {
        fs.create("docs/m", "m");
        // the next record number, then not a record: a truncated or foreign line
        java.nio.file.Files.write(fs.state.resolve(fs.mdt + ".log"), ((fs.lastRecord() + 1)
                + " 01CREAT 10:00 broken\0").getBytes(), java.nio.file.StandardOpenOption.APPEND);
        MdtChangelog.Outcome.FullWalk w = assertInstanceOf(MdtChangelog.Outcome.FullWalk.class, read(tools));
        assertEquals(FullWalkReason.CHANGELOG_FAILED, w.why().reason());
        assertTrue(w.why().message().contains("line 2"), w.why().message());
    }

    @Test
    void aFailingLfsChangelogMeansAFullWalk() throws Exception {
        Path script = base.resolve("failing-lfs");
        java.nio.file.Files.writeString(script, "#!/bin/sh\nif [ \"$1\" = changelog ]; then\n"
                + "  echo 'lfs changelog: cannot access changelog: Input/output error' >&2; exit 5\nfi\n"
                + "exec '" + tools.lfs().executable() + "' \"$@\"\n");
        java.nio.file.Files.setPosixFilePermissions(script,
                java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        LustreChangelogTools failing = new LustreChangelogTools(Tool.at(script), Optional.empty());
        MdtChangelog.Outcome.FullWalk w = assertInstanceOf(MdtChangelog.Outcome.FullWalk.class, read(failing));
        assertEquals(FullWalkReason.CHANGELOG_FAILED, w.why().reason());
        assertTrue(w.why().message().contains("Input/output error"), w.why().message());
    }

    @Test
    void tooManyChangesMeansAFullWalk() throws Exception {
        for (int i = 0; i < 20; i++) {
            fs.create("docs/many" + i, "m");
        }
        try (CursorStore s = store()) {
            MdtChangelog.Outcome o = MdtChangelog.read(tools, s, fs.mdt, consumer, 10);
            assertEquals(FullWalkReason.TOO_MANY_CHANGES, assertInstanceOf(MdtChangelog.Outcome.FullWalk.class, o)
                    .why().reason());
        }
    }
}
