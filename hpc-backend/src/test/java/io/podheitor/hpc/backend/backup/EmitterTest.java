package io.podheitor.hpc.backend.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.posix.Errno;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.source.CatalogVerdict;
import io.podheitor.hpc.source.Entry;
import io.podheitor.hpc.source.EntryError;
import io.podheitor.hpc.source.SourceItem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The emit loop on its own: a list source, a scripted shim, real files for the data. */
@Timeout(30)
class EmitterTest {
    @TempDir
    Path tmp;
    private final Frames frames = new Frames();
    private final List<String> opened = new ArrayList<>();
    private final AtomicBoolean stop = new AtomicBoolean();
    private final ArrayList<Boolean> answers = new ArrayList<>();

    private Emitter emitter(ListSource source, boolean withData, boolean checkEvery) {
        JobReport report = new JobReport();
        EntryChecks checks = new EntryChecks(frames.out,
                millis -> answers.isEmpty() ? null : answers.removeFirst(), stop::get);
        HardLinks links = new HardLinks(1000, tmp, frames.out);
        FileOpener opener = p -> {
            opened.add(new String(p));
            return FileOpener.POSIX.open(p);
        };
        EntryWriter writer = new EntryWriter(frames.out, withData, links,
                new MetadataCollector(frames.out, false, false, null), DataReaders.standard(), opener, report,
                checkEvery ? checks::keepUnlessGone : (p, f) -> { }, stop::get);
        return new Emitter(frames.out, source, checks, writer, report, links, checkEvery, stop::get,
                Frames.b(tmp), new Progress(frames.out, java.time.InstantSource.fixed(java.time.Instant.EPOCH), 10, null));
    }

    private Path write(String name, int size) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, new byte[size]);
        return p;
    }

    @Test
    void recordsFollowTheSourceOrderAndEndWithF() throws Exception {
        Path a = write("a", 3);
        Path d = Files.createDirectory(tmp.resolve("d"));
        Path big = write("d/big", 200_000);
        ListSource src = new ListSource(List.of(Frames.entry(big), Frames.entry(d), Frames.entry(a)));
        answers.add(true); // big is CHECKed before it is read (docs/ptcomm.md §3.2)
        assertTrue(emitter(src, false, false).run());
        assertEquals(List.of(
                "C FILE F " + big,
                "C FILE D " + d + "/",
                "C FILE F " + a,
                "F"), frames.summary(), "an estimate: records only, no CHECK, nothing opened");
        assertEquals(List.of(), opened);
    }

    @Test
    void aLargeFileTheShimExcludesIsNeverOpened() throws Exception {
        Path big = write("big", 200_000);
        Path small = write("small", 10);
        answers.add(false); // SEEN
        assertTrue(emitter(new ListSource(List.of(Frames.entry(big), Frames.entry(small))), true, false).run());
        List<String> wire = frames.summary();
        assertEquals("C CHECK " + big, wire.getFirst());
        assertFalse(wire.contains("C FILE F " + big));
        assertTrue(wire.contains("C FILE F " + small));
        assertEquals(List.of(small.toString()), opened);
    }

    @Test
    void dataSectionsAreSentInPacketsThenTheBlob() throws Exception {
        Path f = write("f", 150_000);
        answers.add(true);
        assertTrue(emitter(new ListSource(List.of(Frames.entry(f))), true, false).run());
        assertEquals(List.of("C CHECK " + f, "C FILE F " + f, "D 65536", "D 65536", "D 18928", "F", "D 36", "F"),
                frames.summary());
    }

    @Test
    void prefetchedDataIsSentWithoutOpeningTheFile() throws Exception {
        Path f = write("f", 5);
        Entry listed = Frames.entry(f);
        Entry ahead = new Entry(listed.path(), listed.stat(), null, new byte[] {1, 2, 3, 4, 5}, null);
        assertTrue(emitter(new ListSource(List.of(ahead)), true, false).run());
        assertEquals(List.of("C FILE F " + f, "D 5", "F", "D 36", "F"), frames.summary());
        assertEquals(List.of(), opened);
    }

    @Test
    void laterNamesOfAnInodeBecomeLinksToTheFirst() throws Exception {
        Path first = write("first", 4);
        Path second = Files.createLink(tmp.resolve("second"), first);
        answers.add(true); // the would-be first name is CHECKed
        assertTrue(emitter(new ListSource(List.of(Frames.entry(first), Frames.entry(second))), true, false).run());
        List<String> wire = frames.summary();
        assertEquals(List.of("C CHECK " + first, "C FILE F " + first, "D 4", "F", "D 36", "C FILE L " + second, "F"),
                wire);
    }

    @Test
    void sourceErrorsAreErrorsCountedAtTheEnd() throws Exception {
        byte[] gone = Frames.b(tmp.resolve("gone"));
        List<SourceItem> items = List.of(new EntryError(gone, new PosixException("statx", Errno.ENOENT, gone), false));
        assertTrue(emitter(new ListSource(items), true, false).run());
        assertEquals(List.of("E cannot stat \"" + tmp.resolve("gone") + "\": No such file or directory",
                "W 1 files not saved (vanished or unreadable), 0 changed while being saved", "F"), frames.summary());
    }

    @Test
    void accurateKeepsAnUnreadableEntryButNotAVanishedOne() throws Exception {
        byte[] locked = Frames.b(tmp.resolve("locked"));
        byte[] gone = Frames.b(tmp.resolve("gone"));
        List<SourceItem> items = List.of(
                new EntryError(locked, new PosixException("open", Errno.EACCES, locked), true),
                new EntryError(gone, new PosixException("open", Errno.ENOENT, gone), false));
        assertTrue(emitter(new ListSource(items), true, true).run());
        List<String> wire = frames.summary();
        assertTrue(wire.contains("C KEEP " + tmp.resolve("locked")), wire.toString());
        assertFalse(wire.contains("C KEEP " + tmp.resolve("gone")), wire.toString());
        assertTrue(wire.contains("I accurate: 0 entries checked, 0 not sent (unchanged or excluded by the FileSet), 1"
                + " unreadable kept (not recorded deleted)"), wire.toString());
    }

    @Test
    void accurateSendsTheSourcesKeepAndGoneInItsOrderAndCountsThem() throws Exception {
        Path changed = write("changed", 3);
        byte[] root = Frames.b(tmp);
        byte[] odd = {'/', 'x', (byte) 0xff, '\n', 'y'}; // any bytes but NUL
        List<SourceItem> items = List.of(
                CatalogVerdict.keep(root),
                CatalogVerdict.gone(Frames.b(tmp.resolve("old.txt"))),
                Frames.entry(changed),
                CatalogVerdict.gone(odd));
        answers.add(true); // the changed file: CHANGED
        assertTrue(emitter(new ListSource(items), true, true).run());
        List<String> wire = frames.summary();
        int keep = wire.indexOf("C KEEP " + tmp);
        int gone = wire.indexOf("C GONE " + tmp.resolve("old.txt"));
        assertTrue(keep >= 0 && gone > keep, wire.toString());
        assertTrue(frames.written().stream().anyMatch(f -> java.util.Arrays.equals(f.payload(),
                cat("GONE ".getBytes(), odd))), "GONE with the path's bytes unchanged");
        assertTrue(wire.contains("I accurate: 1 entries checked, 0 not sent (unchanged or excluded by the FileSet), 1"
                + " kept by the source (KEEP), 2 named deleted (GONE)"), wire.toString());
    }

    @Test
    void verdictsHaveNoEffectOutsideAccurateIncrementals() throws Exception {
        List<SourceItem> items = List.of(CatalogVerdict.keep(Frames.b(tmp)),
                CatalogVerdict.gone(Frames.b(tmp.resolve("old"))));
        assertTrue(emitter(new ListSource(items), true, false).run());
        List<String> wire = frames.summary();
        assertFalse(wire.stream().anyMatch(l -> l.startsWith("C KEEP") || l.startsWith("C GONE")), wire.toString());
    }

    private static byte[] cat(byte[] a, byte[] b) {
        byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void aFileThatVanishedBeforeItsOpenIsNotSaved() throws Exception {
        Path f = write("f", 200_000);
        Entry e = Frames.entry(f);
        Files.delete(f);
        answers.add(true);
        assertTrue(emitter(new ListSource(List.of(e)), true, false).run());
        assertEquals(List.of("C CHECK " + f, "E cannot open \"" + f + "\": No such file or directory",
                "W 1 files not saved (vanished or unreadable), 0 changed while being saved", "F"), frames.summary());
    }

    @Test
    void aFailedSourceAbortsWithoutTheFinalF() throws Exception {
        ListSource src = new ListSource(List.of(), new IllegalStateException("boom"));
        assertFalse(emitter(src, true, false).run());
        assertEquals(List.of("A walk of \"" + tmp + "\" failed: java.lang.IllegalStateException: boom"),
                frames.summary());
    }

    @Test
    void aShimThatWentAwayCancelsTheSource() throws Exception {
        ListSource src = new ListSource(List.of(Frames.entry(write("a", 1))));
        stop.set(true);
        assertFalse(emitter(src, true, false).run());
        assertTrue(src.cancelled);
        assertEquals(List.of(), frames.summary());
    }
}
