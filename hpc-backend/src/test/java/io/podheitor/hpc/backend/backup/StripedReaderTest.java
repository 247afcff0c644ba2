package io.podheitor.hpc.backend.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.backend.FakeLustreLib;
import io.podheitor.hpc.backend.job.Mode;
import io.podheitor.hpc.backend.job.PluginParams.StripeKeys;
import io.podheitor.hpc.lustre.Layout;
import io.podheitor.hpc.lustre.LayoutCodec;
import io.podheitor.hpc.lustre.Lustre;
import io.podheitor.hpc.ptcomm.FileRecord;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parallel reader and the layout that travels with the data, on hpc-lustre's fake liblustreapi (layouts in
 * {@code user.lustre_fake.lov}): the section is byte for byte what the file holds, in file order, sparse files keep
 * their holes, and the layout header decodes to the file's layout.
 */
class StripedReaderTest {
    static Lustre lustre;

    @TempDir
    Path tmp;
    Path root;

    @BeforeAll
    static void load() throws Exception {
        lustre = Lustre.load(FakeLustreLib.path().toString());
        assertTrue(lustre.present());
    }

    @BeforeEach
    void lustreRoot() throws Exception {
        root = Files.createDirectory(tmp.resolve("lfs"));
        FakeLustreLib.xattr(root, "fsname", "testfs");
        FakeLustreLib.xattr(root, "osts", "0-7");
    }

    static final StripeKeys KEYS = new StripeKeys(StripeKeys.ParallelReads.AUTO, 4, 1 << 20, StripeKeys.Restripe.YES);

    private Path file(String name, byte[] content, String lov) throws Exception {
        Path f = root.resolve(name);
        Files.write(f, content);
        if (lov != null) {
            FakeLustreLib.xattr(f, "lov", lov);
        }
        return f;
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void aFourStripeFileIsReadInParallelAndSentInFileOrderWithItsLayout() throws Exception {
        byte[] content = random(20 * (1 << 20) + 12345, 1);
        Path f = file("striped", content, "count=4 size=1048576 ost=6,1,3,0");
        FileLayouts layouts = FileLayouts.lustre(lustre);
        LayoutCarrier carrier = new LayoutCarrier(layouts, true);
        try (StripedReader r = new StripedReader(KEYS, Mode.LUSTRE);
                FileToRead file = new FileToRead(Frames.entry(f), FileOpener.POSIX, layouts)) {
            DataReaders readers = new DataReaders(List.of(new PrefetchedReader(), r, new SparseReader(),
                    new SequentialReader()));
            assertInstanceOf(StripedReader.class, readers.choose(file));
            assertEquals(0, r.recordFlags(file));
            byte[] header = carrier.header(file).orElseThrow();
            Layout layout = LayoutCodec.decode(header);
            assertEquals(4, layout.components().getFirst().stripeCount());
            assertEquals(1 << 20, layout.components().getFirst().stripeSize());
            assertEquals(List.of(6L, 1L, 3L, 0L), layout.components().getFirst().ostIndices());
            RecordingSink s = new RecordingSink();
            DataSink sink = LayoutCarrier.prefixed(s, header, false);
            assertEquals(content.length, r.send(file, sink));
            assertEquals(List.of("end"), s.events);
            byte[] all = s.bytes();
            assertArrayEquals(header, Arrays.copyOf(all, header.length), "the header first");
            assertArrayEquals(content, Arrays.copyOfRange(all, header.length, all.length), "then the exact bytes");
            assertTrue(s.packets.stream().skip(1).allMatch(p -> p.length <= SequentialReader.PACKET));
            String summary = r.closingInfo();
            assertNotNull(summary);
            assertTrue(summary.startsWith("1 large file(s) read in parallel (" + content.length + " bytes"), summary);
        }
        assertEquals(null, layouts.closingWarning());
    }

    @Test
    void aSparseStripedFileKeepsItsHolesAndItsOffsetsMoveByTheHeader() throws Exception {
        int size = 16 << 20;
        Path f = root.resolve("sparse");
        byte[] expect = new byte[size];
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(size);
            byte[] a = random(300_000, 2);
            raf.seek(5L << 20);
            raf.write(a);
            System.arraycopy(a, 0, expect, 5 << 20, a.length);
            byte[] z = random(4096, 3);
            raf.seek(size - 4096);
            raf.write(z);
            System.arraycopy(z, 0, expect, size - 4096, 4096);
        }
        FakeLustreLib.xattr(f, "lov", "extent=0-4194304 count=1 size=1048576 ost=2;"
                + "extent=4194304-EOF count=4 size=1048576 pool=flash ost=0,1,2,3");
        FileLayouts layouts = FileLayouts.lustre(lustre);
        try (StripedReader r = new StripedReader(KEYS, Mode.LUSTRE);
                FileToRead file = new FileToRead(Frames.entry(f), FileOpener.POSIX, layouts)) {
            org.junit.jupiter.api.Assumptions.assumeTrue(SparseReader.hasHoles(file.descriptor(), size),
                    "the temporary directory's file system reports no hole");
            assertTrue(r.takes(file));
            assertEquals(FileRecord.FLAG_SPARSE, r.recordFlags(file));
            byte[] header = new LayoutCarrier(layouts, true).header(file).orElseThrow();
            Layout layout = LayoutCodec.decode(header);
            assertTrue(layout.composite());
            assertEquals("flash", layout.components().get(1).pool());
            RecordingSink s = new RecordingSink();
            long sent = r.send(file, LayoutCarrier.prefixed(s, header, true));
            assertTrue(sent < size / 2, "holes are not read: " + sent);
            byte[] first = s.packets.removeFirst();
            assertArrayEquals(header, Arrays.copyOfRange(first, 8, first.length), "the header at offset 0");
            assertArrayEquals(expect, s.sparse(size, header.length));
        }
    }

    @Test
    void smallSingleStripeOrPlainPosixFilesAreNotReadInParallel() throws Exception {
        FileLayouts layouts = FileLayouts.lustre(lustre);
        Path one = file("one", random(3 << 20, 4), "count=1 size=1048576 ost=5");
        Path small = file("small", random(1000, 5), "count=4 size=1048576 ost=0,1,2,3");
        Path plain = Files.write(tmp.resolve("plain"), random(3 << 20, 6)); // not on the fake Lustre
        try (StripedReader r = new StripedReader(KEYS, Mode.LUSTRE);
                StripedReader posix = new StripedReader(KEYS, Mode.POSIX);
                StripedReader yes = new StripedReader(new StripeKeys(StripeKeys.ParallelReads.YES, 3, 1 << 20,
                        StripeKeys.Restripe.YES), Mode.POSIX);
                StripedReader off = new StripedReader(new StripeKeys(StripeKeys.ParallelReads.NO, 4, 1 << 20,
                        StripeKeys.Restripe.YES), Mode.LUSTRE)) {
            try (FileToRead f = new FileToRead(Frames.entry(one), FileOpener.POSIX, layouts)) {
                assertFalse(r.takes(f), "one stripe: sequential");
                assertFalse(new LayoutCarrier(layouts, true).header(f).isPresent(), "nothing worth carrying");
            }
            try (FileToRead f = new FileToRead(Frames.entry(small), FileOpener.POSIX, layouts)) {
                assertFalse(r.takes(f), "below stripe_min");
            }
            try (FileToRead f = new FileToRead(Frames.entry(plain), FileOpener.POSIX, layouts)) {
                assertTrue(r.takes(f), "mode=lustre without a layout: by 1 MiB chunks");
                assertFalse(new LayoutCarrier(layouts, true).header(f).isPresent(), "not on Lustre: no header");
            }
            try (FileToRead f = new FileToRead(Frames.entry(plain), FileOpener.POSIX, FileLayouts.NONE)) {
                assertFalse(posix.takes(f), "mode=posix: off unless asked");
            }
            try (FileToRead f = new FileToRead(Frames.entry(plain), FileOpener.POSIX, FileLayouts.NONE)) {
                assertTrue(yes.takes(f), "parallel_reads=yes: by chunks");
                RecordingSink s = new RecordingSink();
                yes.send(f, s);
                assertArrayEquals(Files.readAllBytes(plain), s.bytes());
            }
            try (FileToRead f = new FileToRead(Frames.entry(one), FileOpener.POSIX, layouts)) {
                assertFalse(off.takes(f), "parallel_reads=no");
            }
        }
        assertEquals(null, layouts.closingWarning(), "not Lustre is not a failure");
    }

    @Test
    void aLayoutThatCannotBeReadIsCountedAndTheFileStillSaved() throws Exception {
        byte[] content = random(2 << 20, 7);
        Path f = file("broken", content, "count=4 size=1048576 ost=0,1,2,3");
        FakeLustreLib.xattr(f, "errno", "5"); // EIO from every library call about this file
        FileLayouts layouts = FileLayouts.lustre(lustre);
        try (StripedReader r = new StripedReader(KEYS, Mode.LUSTRE);
                FileToRead file = new FileToRead(Frames.entry(f), FileOpener.POSIX, layouts)) {
            DataReaders readers = new DataReaders(List.of(r, new SequentialReader()));
            DataReader chosen = readers.choose(file);
            assertFalse(new LayoutCarrier(layouts, true).header(file).isPresent());
            RecordingSink s = new RecordingSink();
            chosen.send(file, s);
            assertArrayEquals(content, s.bytes());
        }
        String w = layouts.closingWarning();
        assertNotNull(w);
        assertTrue(w.startsWith("the Lustre layout of 1 file(s) could not be read (first: \"" + f + "\": "), w);
    }
}
