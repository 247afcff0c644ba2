package io.podheitor.hpc.backend.restore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.backend.FakeLustreLib;
import io.podheitor.hpc.backend.job.JobInfo;
import io.podheitor.hpc.backend.job.PluginParams.StripeKeys.Restripe;
import io.podheitor.hpc.lustre.Layout;
import io.podheitor.hpc.lustre.LayoutCodec;
import io.podheitor.hpc.lustre.LayoutComponent;
import io.podheitor.hpc.lustre.Lustre;
import io.podheitor.hpc.ptcomm.FileRecord;
import io.podheitor.hpc.ptcomm.FileType;
import io.podheitor.hpc.ptcomm.Frame;
import io.podheitor.hpc.ptcomm.FrameReader;
import io.podheitor.hpc.ptcomm.FrameWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restripe-on-restore (docs/stripe.md) through the Restorer, on hpc-lustre's fake liblustreapi: a record with
 * rdev "PHLY" whose data starts with the layout header is created with that layout (the fake keeps it in
 * user.lustre_fake.lov, OSTs left to the "MDS"), the rest of the data lands exactly, sparse offsets move back by
 * the header, and the fallbacks warn once.
 */
class LayoutRestoreTest {
    static Lustre lustre;
    static final Layout PFL = new Layout(true, List.of(
            new LayoutComponent(0, 1 << 20, 1, 1 << 20, Layout.RAID0, "", List.of(3L)),
            new LayoutComponent(1 << 20, Layout.EOF, 4, 2 << 20, Layout.RAID0, "flash", List.of(0L, 1L, 2L, 3L))));

    @TempDir
    Path tmp;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final FrameWriter out = new FrameWriter(bytes);

    @BeforeAll
    static void load() throws Exception {
        lustre = Lustre.load(FakeLustreLib.path().toString());
    }

    private Restorer restorer(Restripe mode) {
        JobInfo e = JobInfo.empty();
        Restorer r = new Restorer(out, new JobInfo("r", 1, 'R', (char) 0, -1, false, new byte[0], e.regexWhere(), 'a',
                14), true, true, 4, tmp);
        r.layouts(new LayoutRestore(mode, lustre));
        return r;
    }

    private List<String> replies() throws IOException {
        out.flush();
        FrameReader r = new FrameReader(new ByteArrayInputStream(bytes.toByteArray()));
        List<String> all = new ArrayList<>();
        for (Frame f; (f = r.read()) != null; ) {
            all.add(f.status() == 'F' ? "F" : f.status() + " " + f.text());
        }
        return all;
    }

    private Path lustreDir(String name) throws IOException {
        Path d = Files.createDirectory(tmp.resolve(name));
        FakeLustreLib.xattr(d, "fsname", "testfs");
        FakeLustreLib.xattr(d, "osts", "0-7");
        return d;
    }

    private static FileRecord marked(Path name, long size, long blocks) {
        return new FileRecord(FileType.REGULAR, 0100644, 0, 0, size, 1_600_000_000L, 1_600_000_000L, 1_600_000_000L,
                1, 1, 1, EntryRestorer.LAYOUT_MARK, blocks, 0, 0, name.toString().getBytes(StandardCharsets.UTF_8),
                new byte[0]);
    }

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @Test
    void theFileIsCreatedWithItsLayoutBeforeItsDataAndTheOstsAreNotPinned() throws Exception {
        Path f = lustreDir("lfs").resolve("striped");
        byte[] content = random(3 << 20);
        byte[] header = LayoutCodec.encode(PFL);
        Restorer r = restorer(Restripe.YES);
        r.create(marked(f, content.length, content.length / 512));
        // the header split over packets, the data after it in the same packet
        r.write(Arrays.copyOf(header, 5));
        byte[] rest = new byte[header.length - 5 + 1000];
        System.arraycopy(header, 5, rest, 0, header.length - 5);
        System.arraycopy(content, 0, rest, header.length - 5, 1000);
        r.write(rest);
        r.write(Arrays.copyOfRange(content, 1000, content.length));
        r.close();
        assertEquals(List.of("C OK", "C OK"), replies());
        assertArrayEquals(content, Files.readAllBytes(f));
        assertEquals("extent=0-1048576 count=1 size=1048576 init=yes;"
                + "extent=1048576-EOF count=4 size=2097152 pool=flash init=no", FakeLustreLib.xattr(f, "lov"));
    }

    @Test
    void poolOnlyKeepsThePoolAndNoStripesNoKeepsNothingWithOneWarning() throws Exception {
        Path d = lustreDir("lfs");
        byte[] content = random(100_000);
        byte[] header = LayoutCodec.encode(PFL);
        Restorer pool = restorer(Restripe.POOL_ONLY);
        pool.create(marked(d.resolve("p"), content.length, 200));
        pool.write(header);
        pool.write(content);
        pool.close();
        assertArrayEquals(content, Files.readAllBytes(d.resolve("p")));
        assertEquals("pool=flash init=yes", FakeLustreLib.xattr(d.resolve("p"), "lov"));
        Restorer no = restorer(Restripe.NO);
        for (String n : List.of("n1", "n2")) {
            no.create(marked(d.resolve(n), content.length, 200));
            no.write(header);
            no.write(content);
            no.close();
            assertArrayEquals(content, Files.readAllBytes(d.resolve(n)));
            assertFalse(new String(FakeLustreLib.xattrNames(d.resolve(n))).contains("lov"));
        }
        List<String> replies = replies();
        assertEquals(1, replies.stream().filter(s -> s.startsWith("W restripe=no")).count(), replies.toString());
    }

    @Test
    void aTargetThatIsNotLustreGetsThePlainCreateAndOneWarning() throws Exception {
        Path d = Files.createDirectory(tmp.resolve("plain"));
        byte[] content = random(70_000);
        byte[] header = LayoutCodec.encode(PFL);
        Restorer r = restorer(Restripe.YES);
        for (String n : List.of("a", "b")) {
            r.create(marked(d.resolve(n), content.length, 200));
            r.write(header);
            r.write(content);
            r.close();
            assertArrayEquals(content, Files.readAllBytes(d.resolve(n)));
        }
        List<String> warnings = replies().stream().filter(s -> s.startsWith("W ")).toList();
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.getFirst().contains("the target is not Lustre"), warnings.toString());
    }

    /** A sparse section: the header at offset 0, the data offsets moved up by its length. */
    @Test
    void sparseSeeksAreMovedBackByTheHeader() throws Exception {
        Path f = lustreDir("lfs").resolve("sparse");
        byte[] header = LayoutCodec.encode(PFL);
        byte[] a = random(5000);
        Restorer r = restorer(Restripe.YES);
        r.create(marked(f, 8 << 20, 16));
        r.write(header);
        r.seek(header.length + (3L << 20));
        r.write(a);
        r.close();
        byte[] expect = new byte[8 << 20];
        System.arraycopy(a, 0, expect, 3 << 20, a.length);
        assertArrayEquals(expect, Files.readAllBytes(f), "the hole before, the data, the trailing hole");
        assertEquals(List.of("C OK", "C OK"), replies());
    }

    @Test
    void aDamagedOrMissingHeaderFailsTheFileAndLeavesNothing() throws Exception {
        Path d = lustreDir("lfs");
        Restorer r = restorer(Restripe.YES);
        r.create(marked(d.resolve("nomagic"), 10, 1));
        r.write("plain data, no header".getBytes(StandardCharsets.US_ASCII));
        r.close();
        byte[] header = LayoutCodec.encode(PFL);
        header[8] = 9; // version
        r.create(marked(d.resolve("version"), 10, 1));
        r.write(header);
        r.write(new byte[10]);
        r.close();
        r.create(marked(d.resolve("short"), 10, 1));
        r.write(Arrays.copyOf(LayoutCodec.encode(PFL), 20));
        r.close();
        List<String> replies = replies();
        assertEquals(6, replies.size(), replies.toString());
        assertTrue(replies.get(1).startsWith("E \"" + d.resolve("nomagic") + "\": its data does not start with the "
                + "layout header"), replies.toString());
        assertTrue(replies.get(3).contains("damaged layout header: layout header version 9"), replies.toString());
        assertTrue(replies.get(5).contains("its data ended inside its layout header"), replies.toString());
        for (String n : List.of("nomagic", "version", "short")) {
            assertFalse(Files.exists(d.resolve(n)), n + " left behind");
        }
    }
}
