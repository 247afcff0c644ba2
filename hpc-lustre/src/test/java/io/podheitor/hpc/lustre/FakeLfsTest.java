package io.podheitor.hpc.lustre;

import static io.podheitor.hpc.lustre.FakeLustre.bytes;
import static io.podheitor.hpc.lustre.FakeLustre.set;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.posix.Fcntl;
import io.podheitor.hpc.posix.Posix;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fake lfs prints the real formats (checked against the patterns of docs/lustre.md and lfs.c's columns) and
 * agrees with the fake library about the same tree.
 */
class FakeLfsTest {
    /** The MDT line of lfs df -i, as docs/lustre.md gives it. */
    private static final Pattern MDT_LINE = Pattern.compile(
            "^(\\S+)-MDT([0-9a-f]{4})_UUID\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)%\\s+(\\S+)\\[MDT:(\\d+)\\](\\s+\\S+)?$");

    @TempDir
    Path tmp;

    private Path root;
    private Lfs lfs;

    @BeforeEach
    void tree() throws Exception {
        root = FakeLustre.mount(tmp.resolve("lustre"), "testfs", "0-1,3,10", "0-3");
        lfs = Lfs.at(FakeLustre.lfsExecutable()).orElseThrow();
    }

    private String run(String... args) throws Exception {
        Lfs.Result r = lfs.run(args);
        assertEquals(0, r.exit(), r.stderr());
        return new String(r.stdout(), StandardCharsets.UTF_8);
    }

    @Test
    void dfInodesHasTheRealColumnsAndAgreesWithTheLibrary() throws Exception {
        set(root, "inactive", "MDT0003");
        set(root, "state", "OST0001=D");
        set(root, "inodes", "932180/884600"); // fixed counts: the local statvfs moves between two runs
        String out = run("df", "-i", root.toString());
        List<String> lines = out.lines().toList();
        assertEquals("UUID                      Inodes       IUsed       IFree IUse% Mounted on", lines.getFirst());
        List<String> mdtLines = lines.stream().filter(l -> l.contains("-MDT")).toList();
        assertEquals(3, mdtLines.size(), "the inactive MDT only shows with -v");
        for (String l : mdtLines) {
            assertTrue(MDT_LINE.matcher(l).matches(), l);
        }
        assertTrue(out.contains("testfs-MDT000a_UUID"), out);
        assertTrue(out.contains(root + "[MDT:10]\n"), out);
        assertTrue(out.contains("\ntestfs-MDT0000_UUID       932180      884600       47580  95% " + root + "[MDT:0]\n"), out);
        assertTrue(out.contains(root + "[OST:1] D\n"), out);
        assertTrue(Pattern.compile("\nfilesystem_summary: +\\d+ +\\d+ +\\d+ +\\d+% " + Pattern.quote(root.toString())
                + "\n\n$").matcher(out).find(), out);

        String verbose = run("df", "-i", "-v", root.toString());
        assertTrue(verbose.contains("\nMDT0003             : inactive device\n"), verbose);

        LfsDf.FileSystem parsed = LfsDf.parse(verbose.getBytes(StandardCharsets.UTF_8)).getFirst();
        Lustre lib = FakeLustre.load();
        int fd = Posix.open(bytes(root), Fcntl.O_RDONLY | Fcntl.O_CLOEXEC, 0);
        try {
            assertEquals(lib.targets(fd, TargetKind.MDT), parsed.mdts(), "lfs and the library give the same MDTs");
            assertEquals(lib.targets(fd, TargetKind.OST), parsed.osts());
        } finally {
            Posix.close(fd);
        }
        long used = parsed.mdts().stream().filter(LustreTarget::active).mapToLong(LustreTarget::inodesUsed).sum();
        assertEquals(used, parsed.summary().orElseThrow().inodesUsed(), "the summary sums the active MDTs");
    }

    @Test
    void dfWithoutAPathListsEveryMount() throws Exception {
        Path second = FakeLustre.mount(tmp.resolve("scratch"), "scratch2", "0-2", "0-1");
        ProcessBuilder pb = new ProcessBuilder(FakeLustre.lfsExecutable().toString(), "df", "-i");
        pb.environment().put("LUSTRE_FAKE_MOUNTS", root + ":" + tmp.resolve("not-a-mount") + ":" + second);
        Process p = pb.redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertEquals(0, p.waitFor(), new String(out, StandardCharsets.UTF_8));
        List<LfsDf.FileSystem> fss = LfsDf.parse(out);
        assertEquals(List.of("testfs", "scratch2"), fss.stream().map(LfsDf.FileSystem::fsname).toList());
        assertEquals(List.of(0, 1, 2), fss.get(1).mdts().stream().map(LustreTarget::index).toList());
        assertEquals(second.toString(), new String(fss.get(1).mountPoint(), StandardCharsets.UTF_8));
    }

    @Test
    void dfOfAPathNotOnLustre() throws Exception {
        Path plain = Files.createDirectories(tmp.resolve("plain"));
        Lfs.Result r = lfs.run("df", "-i", plain.toString());
        assertTrue(r.notLustre(), r.stderr());
        assertEquals(95, r.exit(), "EOPNOTSUPP, as lfs df returns it");
        assertTrue(r.stderr().contains(plain + " Not a Lustre filesystem"), r.stderr());
    }

    @Test
    void getstripeMdtIndex() throws Exception {
        Path d = Files.createDirectories(root.resolve("d"));
        set(d, "mdt", "10");
        Files.writeString(d.resolve("a"), "");
        Files.writeString(d.resolve("b"), "");
        assertEquals("10\n", run("getstripe", "-m", "-d", d.toString()));
        assertEquals("10\n", run("getstripe", "--mdt-index", d.resolve("a").toString()));
        assertEquals("10\n10\n10\n", run("getstripe", "-m", d.toString()), "without -d: the directory and each entry");
        Path plain = Files.writeString(tmp.resolve("plain"), "");
        Lfs.Result r = lfs.run("getstripe", "-m", plain.toString());
        assertEquals(25, r.exit());
        assertTrue(r.notLustre());
        assertTrue(r.stderr().contains("not on a Lustre fs"), r.stderr());
    }

    @Test
    void getstripeCountSizeAndYaml() throws Exception {
        Path f = Files.writeString(root.resolve("f"), "x");
        set(f, "lov", "count=4 size=4194304 pool=flash ost=3,0,1,2");
        assertEquals("4\n", run("getstripe", "-c", f.toString()));
        assertEquals("4194304\n", run("getstripe", "-S", f.toString()));
        assertEquals("lmm_stripe_count:  4\nlmm_stripe_size:   4194304\n", run("getstripe", "-c", "-S", f.toString()));
        String yaml = run("getstripe", "-y", f.toString());
        assertTrue(yaml.startsWith("""
                lmm_stripe_count:  4
                lmm_stripe_size:   4194304
                lmm_pattern:       raid0
                lmm_layout_gen:    0
                lmm_stripe_offset: 3
                lmm_pool:          flash
                lmm_objects:
                      - l_ost_idx: 3
                """), yaml);

        Path pfl = Files.writeString(root.resolve("pfl"), "x");
        set(pfl, "lov", "extent=0-1048576 count=1 size=1048576 ost=2;extent=1048576-EOF count=-1 size=4194304 init=no");
        String comp = run("getstripe", "--yaml", pfl.toString());
        assertTrue(comp.startsWith("lcm_layout_gen:    2\nlcm_mirror_count:  1\nlcm_entry_count:   2\ncomponents:\n"),
                comp);
        assertTrue(comp.contains("    lcme_extent.e_end:   1048576\n"), comp);
        assertTrue(comp.contains("    lcme_extent.e_end:   EOF\n    sub_layout:\n      lmm_stripe_count:  -1\n"), comp);
    }
}
