package io.podheitor.hpc.changelog.lustre;

import static io.podheitor.hpc.changelog.lustre.Records.fid;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.lustre.Fid;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ChangeCollapserTest {
    private static final Fid ROOT = new Fid(0x200000007L, 1, 0);
    private final Records r = new Records();

    private static ChangeSet collapse(ChangelogRecord... records) {
        ChangeCollapser c = new ChangeCollapser(1000);
        for (ChangelogRecord rec : records) {
            c.accept(rec);
        }
        return assertInstanceOf(ChangeCollapser.Outcome.Collapsed.class, c.finish()).changes();
    }

    private static Map<String, NameChange> byName(ChangeSet s) {
        return s.names().stream().collect(Collectors.toMap(n -> n.key().toString(), Function.identity()));
    }

    private static String key(Fid dir, String name) {
        return new NameKey(dir, Records.n(name)).toString();
    }

    @Test
    void repeatedRecordsOfOneFileCollapse() {
        Fid f = fid(10);
        ChangeSet s = collapse(r.create(f, ROOT, "a"), r.of(RecordType.CLOSE, f), r.of(RecordType.SATTR, f),
                r.of(RecordType.CLOSE, f), r.of(RecordType.MTIME, f), r.of(RecordType.ATIME, f));
        assertEquals(1, s.names().size());
        NameChange a = s.names().get(0);
        assertTrue(a.present());
        assertFalse(a.removed());
        assertFalse(a.renamedIn());
        assertEquals(Set.of(), s.changedFids(), "a file created in the run is saved by its name: no fid2path");
        assertEquals(6, s.records());
        assertEquals(1, s.firstIndex());
        assertEquals(6, s.lastIndex());
    }

    @Test
    void metadataChangesOfOldFilesAreChangedFidsOnce() {
        Fid f = fid(11);
        Fid g = fid(12);
        ChangeSet s = collapse(r.of(RecordType.SATTR, f), r.of(RecordType.XATTR, f), r.of(RecordType.TRUNC, g),
                r.of(RecordType.CTIME, g), r.of(RecordType.LYOUT, f), r.of(RecordType.OPEN, fid(13)),
                r.of(RecordType.GXATR, fid(13)), r.of(RecordType.HSM, fid(14)), r.of(RecordType.ATIME, fid(15)),
                r.of(RecordType.CLOSE, Fids.ZERO));
        assertEquals(Set.of(f, g), s.changedFids());
        assertTrue(s.names().isEmpty());
    }

    @Test
    void deleteAndRecreateKeepsBothTheDeletionAndTheSave() {
        Fid old = fid(20);
        Fid neu = fid(21);
        ChangeSet s = collapse(r.unlink(old, ROOT, "x", true), r.create(neu, ROOT, "x"));
        NameChange x = byName(s).get(key(ROOT, "x"));
        assertTrue(x.removed());
        assertTrue(x.present());
    }

    @Test
    void createThenDeleteIsADeletion() {
        // the Full's walk may have seen the file between the two records: the catalog may hold it
        Fid f = fid(22);
        ChangeSet s = collapse(r.create(f, ROOT, "tmp"), r.of(RecordType.CLOSE, f), r.unlink(f, ROOT, "tmp", true));
        NameChange t = byName(s).get(key(ROOT, "tmp"));
        assertTrue(t.removed());
        assertFalse(t.present());
        assertEquals(Set.of(), s.changedFids(), "a destroyed object is not looked up");
    }

    @Test
    void renameRemovesTheOldNameAndWalksTheNewOne() {
        Fid dir = fid(30);
        Fid d2 = fid(31);
        ChangeSet s = collapse(r.rename(dir, ROOT, "old dir", d2, "new dir", null));
        Map<String, NameChange> m = byName(s);
        NameChange from = m.get(key(ROOT, "old dir"));
        NameChange to = m.get(key(d2, "new dir"));
        assertTrue(from.removed());
        assertFalse(from.present());
        assertTrue(to.present());
        assertTrue(to.renamedIn());
        assertFalse(to.removed(), "nothing was overwritten");
    }

    @Test
    void renameOverAnExistingNameRemovesWhatItNamed() {
        Fid f = fid(40);
        Fid victim = fid(41);
        ChangeSet s = collapse(r.of(RecordType.SATTR, victim), r.rename(f, ROOT, "a", ROOT, "b", victim));
        NameChange b = byName(s).get(key(ROOT, "b"));
        assertTrue(b.removed());
        assertTrue(b.present());
        assertEquals(Set.of(), s.changedFids(), "the overwritten object is gone");
    }

    @Test
    void renameThenRenameBackEndsPresentAndRemoved() {
        Fid f = fid(42);
        ChangeSet s = collapse(r.rename(f, ROOT, "a", ROOT, "b", null), r.rename(f, ROOT, "b", ROOT, "a", null));
        Map<String, NameChange> m = byName(s);
        assertTrue(m.get(key(ROOT, "a")).present());
        assertTrue(m.get(key(ROOT, "a")).renamedIn());
        assertFalse(m.get(key(ROOT, "b")).present());
        assertTrue(m.get(key(ROOT, "b")).removed());
    }

    @Test
    void legacyRenamePair() {
        Fid f = fid(43);
        ChangeSet s = collapse(r.legacyRename(f, ROOT, "from"), r.legacyRenameTo(f, ROOT, "to"));
        Map<String, NameChange> m = byName(s);
        assertTrue(m.get(key(ROOT, "from")).removed());
        assertFalse(m.get(key(ROOT, "from")).present());
        assertTrue(m.get(key(ROOT, "to")).present());
        assertTrue(m.get(key(ROOT, "to")).renamedIn());
    }

    @Test
    void aHardLinkDoesNotCoverItsObjectsOtherNames() {
        Fid f = fid(50);
        ChangeSet s = collapse(r.hlink(f, ROOT, "second"), r.of(RecordType.SATTR, f));
        assertEquals(Set.of(f), s.changedFids(), "chmod changes every name of the object: look them up");
        NameChange second = byName(s).get(key(ROOT, "second"));
        assertTrue(second.present());
    }

    @Test
    void unlinkOfOneOfSeveralLinksKeepsTheObject() {
        Fid f = fid(51);
        ChangeSet s = collapse(r.of(RecordType.SATTR, f), r.unlink(f, ROOT, "one", false));
        assertEquals(Set.of(f), s.changedFids());
        ChangeSet gone = collapse(r.of(RecordType.SATTR, f), r.unlink(f, ROOT, "one", true));
        assertEquals(Set.of(), gone.changedFids());
    }

    @Test
    void rmdirAfterItsContentsWereRemoved() {
        Fid d = fid(60);
        Fid f = fid(61);
        ChangeSet s = collapse(r.mkdir(d, ROOT, "d"), r.create(f, d, "f"), r.unlink(f, d, "f", true),
                r.rmdir(d, ROOT, "d"));
        Map<String, NameChange> m = byName(s);
        assertTrue(m.get(key(ROOT, "d")).removed());
        assertFalse(m.get(key(ROOT, "d")).present());
        assertTrue(m.get(key(d, "f")).removed());
    }

    /** Memory follows distinct changes: 200,000 records about 10 files hold 10 entries. */
    @Test
    void entriesGrowWithDistinctChangesNotRecords() {
        ChangeCollapser c = new ChangeCollapser(100);
        for (int i = 0; i < 200_000; i++) {
            Fid f = fid(1000 + i % 10);
            c.accept(i % 20 < 10 ? r.create(f, ROOT, "f" + (i % 10)) : r.of(RecordType.CLOSE, f));
            assertTrue(c.entries() <= 20, "entries " + c.entries());
        }
        ChangeSet s = assertInstanceOf(ChangeCollapser.Outcome.Collapsed.class, c.finish()).changes();
        assertEquals(10, s.names().size());
        assertEquals(Set.of(), s.changedFids());
        assertEquals(200_000, s.records());
    }

    @Test
    void pastTheBoundItStopsCollectingAndAsksForAWalk() {
        ChangeCollapser c = new ChangeCollapser(50);
        boolean accepted = true;
        int taken = 0;
        for (int i = 0; i < 1000; i++) {
            boolean ok = c.accept(r.create(fid(2000 + i), ROOT, "n" + i));
            if (ok) {
                taken++;
            }
            accepted &= ok || i >= 50;
            assertTrue(c.entries() <= 50);
        }
        assertTrue(accepted);
        assertEquals(50, taken);
        ChangeCollapser.Outcome.TooManyChanges t = assertInstanceOf(ChangeCollapser.Outcome.TooManyChanges.class,
                c.finish());
        assertEquals(50, t.limit());
        assertEquals(1000, t.records());
    }
}
