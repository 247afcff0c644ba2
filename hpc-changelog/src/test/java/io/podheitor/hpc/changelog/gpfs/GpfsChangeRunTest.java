package io.podheitor.hpc.changelog.gpfs;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.changelog.lustre.Tool;
import io.podheitor.hpc.changelog.source.ChangeSetSource;
import io.podheitor.hpc.changelog.source.ChangedDirectories;
import io.podheitor.hpc.posix.DirEntry;
import io.podheitor.hpc.posix.Fcntl;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.source.CatalogVerdict;
import io.podheitor.hpc.source.Entry;
import io.podheitor.hpc.source.EntryFilter;
import io.podheitor.hpc.source.SourceEnd;
import io.podheitor.hpc.source.SourceItem;
import io.podheitor.hpc.walker.WalkOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GpfsChangeRun against the fake mmapplypolicy on a real tree: a "Full" (the catalog: every name of the tree), then
 * changes, then the run; the job's entries (a ChangeSetSource over the saves) and its verdicts go through the shim's
 * rule (docs/ptcomm.md §8, simulated here), and the catalog after the Incremental must equal the live tree.
 */
class GpfsChangeRunTest {
    private static final long LIMIT = 1L << 30;

    @TempDir
    Path tmp;
    private Path root;
    private Path scratch;

    @BeforeEach
    void tree() throws IOException {
        root = Files.createDirectories(tmp.resolve("fs1/data"));
        scratch = Files.createDirectories(tmp.resolve("scratch"));
    }

    private String r(String rel) {
        return root + "/" + rel;
    }

    private void write(String rel, String text) throws IOException {
        Files.writeString(Path.of(r(rel)), text);
    }

    private static byte[] b(String s) {
        return s.getBytes(ISO_8859_1);
    }

    private static String s(byte[] b) {
        return new String(b, ISO_8859_1);
    }

    /** Every name below {@code top} (and top), directories with a trailing '/', as the catalog names them. */
    private static Set<String> names(byte[] top) throws IOException {
        Set<String> out = new TreeSet<>();
        out.add(s(top) + "/");
        list(top, out);
        return out;
    }

    private static void list(byte[] dir, Set<String> out) throws IOException {
        int fd = Posix.openDirectory(Fcntl.AT_FDCWD, dir);
        try {
            for (List<DirEntry> batch = Posix.readDirectory(fd); !batch.isEmpty(); batch = Posix.readDirectory(fd)) {
                for (DirEntry e : batch) {
                    byte[] p = io.podheitor.hpc.walker.Paths.join(dir, e.name());
                    if (Posix.lstat(p).isDirectory()) {
                        out.add(s(p) + "/");
                        list(p, out);
                    } else {
                        out.add(s(p));
                    }
                }
            }
        } finally {
            Posix.close(fd);
        }
    }

    /** Waits until the next whole second has begun (plus a margin for the file system's coarse clock). */
    private static long nextSecond() throws InterruptedException {
        long since = System.currentTimeMillis() / 1000 + 1;
        long wait = since * 1000 + 50 - System.currentTimeMillis();
        Thread.sleep(Math.max(0, wait));
        return since;
    }

    private Tool fake(Map<String, String> env) throws IOException {
        return FakeMmapplypolicy.in(tmp.resolve("bin"), env);
    }

    /** The job: what it sends (its entries, named as the catalog names them) and its verdicts. */
    private record Job(Set<String> sent, List<CatalogVerdict> verdicts) {
    }

    private Job job(GpfsChangeRun.Plan.Changes plan) throws Exception {
        Set<String> sent = new HashSet<>();
        List<CatalogVerdict> verdicts = new ArrayList<>();
        try (ChangedDirectories v = plan.verdicts(b(root.toString()));
                ChangeSetSource src = ChangeSetSource.start(v, plan.saves(), EntryFilter.ALL, WalkOptions.defaults(),
                        2, 16)) {
            for (SourceItem i = src.take(); !(i instanceof SourceEnd); i = src.take()) {
                switch (i) {
                    case Entry e -> sent.add(s(e.path()) + (e.stat().isDirectory() ? "/" : ""));
                    case CatalogVerdict c -> verdicts.add(c);
                    default -> throw new AssertionError("unexpected " + i);
                }
            }
        }
        return new Job(sent, verdicts);
    }

    /**
     * The shim's checkFile for a name nobody marked seen: the deepest KEEP or GONE naming it or an ancestor decides,
     * KEEP wins on the same path; none: deleted.
     */
    static boolean deleted(String catalogName, List<CatalogVerdict> verdicts) {
        Set<String> keep = new HashSet<>();
        Set<String> gone = new HashSet<>();
        for (CatalogVerdict v : verdicts) {
            (v.kind() == CatalogVerdict.Kind.KEEP ? keep : gone).add(s(io.podheitor.hpc.walker.Paths.normalize(v.path())));
        }
        String p = catalogName.length() > 1 && catalogName.endsWith("/")
                ? catalogName.substring(0, catalogName.length() - 1) : catalogName;
        while (!p.isEmpty()) {
            if (keep.contains(p)) {
                return false;
            }
            if (gone.contains(p)) {
                return true;
            }
            int slash = p.lastIndexOf('/');
            p = slash > 0 ? p.substring(0, slash) : slash == 0 && p.length() > 1 ? "/" : "";
        }
        return true;
    }

    /** The catalog after the job: the earlier names minus those recorded deleted, plus what the job sent. */
    private static Set<String> after(Set<String> catalog, Job job, Set<String> deletedOut) {
        Set<String> out = new TreeSet<>(job.sent());
        for (String n : catalog) {
            if (job.sent().contains(n)) {
                continue;
            }
            if (deleted(n, job.verdicts())) {
                deletedOut.add(n);
            } else {
                out.add(n);
            }
        }
        return out;
    }

    @Test
    void anIncrementalSavesWhatChangedAndItsVerdictsLeaveTheCatalogEqualToTheLiveTree() throws Exception {
        for (String d : List.of("a b", "dir_del/sub", "dir_ren/inner", "chdir", "stable", "u")) {
            Files.createDirectories(Path.of(r(d)));
        }
        for (String f : List.of("keep.txt", "mod.txt", "del.txt", "ren_from.txt", "a b/x y", "dir_del/f1",
                "dir_del/sub/f2", "dir_ren/inner/deep.txt", "chmod.txt", "chdir/c.txt", "stable/s.txt", "u/k", "t")) {
            write(f, "v1 " + f);
        }
        Set<String> catalog = names(b(root.toString()));
        long since = nextSecond();

        Files.writeString(Path.of(r("mod.txt")), " more", StandardOpenOption.APPEND);
        Files.delete(Path.of(r("del.txt")));
        Files.move(Path.of(r("ren_from.txt")), Path.of(r("ren_to.txt")));
        write("a b/new\nline", "nl");
        byte[] raw = b(r("a b/\u00ff\u00fe name %41"));
        Posix.close(Posix.open(raw, Fcntl.O_CREAT | Fcntl.O_WRONLY | Fcntl.O_EXCL, 0644));
        for (String f : List.of("dir_del/sub/f2", "dir_del/f1")) {
            Files.delete(Path.of(r(f)));
        }
        Files.delete(Path.of(r("dir_del/sub")));
        Files.delete(Path.of(r("dir_del")));
        Files.move(Path.of(r("dir_ren")), Path.of(r("dir_renamed")));
        Files.setPosixFilePermissions(Path.of(r("chmod.txt")), PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(Path.of(r("chdir")), PosixFilePermissions.fromString("rwx------"));
        // a directory replaced by a file, a file by a directory
        Files.delete(Path.of(r("u/k")));
        Files.delete(Path.of(r("u")));
        write("u", "now a file");
        Files.delete(Path.of(r("t")));
        Files.createDirectory(Path.of(r("t")));
        write("t/n", "below");

        Path args = tmp.resolve("args");
        Tool tool = fake(Map.of("FAKE_MMAPPLYPOLICY_ARGS", args.toString()));
        GpfsChangeRun.Plan plan = GpfsChangeRun.incremental(tool, b(root.toString()), since,
                List.of("-N", "nsd1,nsd2", "--scope", "inodespace", "-g", "/gpfs/fs1/.policytmp"), scratch, LIMIT,
                ZoneOffset.UTC);
        GpfsChangeRun.Plan.Changes c = assertInstanceOf(GpfsChangeRun.Plan.Changes.class, plan, plan.toString());

        List<String> a = Files.readAllLines(args);
        assertEquals(List.of(root.toString(), "-P"), a.subList(0, 2));
        assertEquals(List.of("-I", "defer", "-f"), a.subList(3, 6));
        assertEquals(List.of("-N", "nsd1,nsd2", "--scope", "inodespace", "-g", "/gpfs/fs1/.policytmp"),
                a.subList(7, a.size()), "the pass-through arguments come last, as given");
        try (var left = Files.list(scratch)) {
            assertEquals(0, left.count(), "the policy and the lists are deleted");
        }

        Set<String> saves = new TreeSet<>();
        for (ChangeSetSource.Change ch : c.saves()) {
            saves.add(s(ch.path()).substring(root.toString().length()) + (ch.subtree() ? " (walk)" : ""));
        }
        assertEquals(new TreeSet<>(List.of("", "/mod.txt", "/ren_to.txt", "/a b", "/a b/new\nline",
                "/a b/\u00ff\u00fe name %41", "/dir_renamed (walk)", "/chmod.txt", "/chdir (walk)", "/u", "/t",
                "/t/n")), saves);
        assertEquals(List.of(), c.others().stream().filter(GpfsChangeRunTest::isDir).toList(),
                "the other list holds no directory");

        Job job = job(c);
        Set<String> deleted = new TreeSet<>();
        Set<String> afterwards = after(catalog, job, deleted);
        assertEquals(names(b(root.toString())), afterwards, "restore of the latest state == the live tree");
        assertEquals(new TreeSet<>(List.of(r("del.txt"), r("ren_from.txt"), r("dir_del/"), r("dir_del/f1"),
                r("dir_del/sub/"), r("dir_del/sub/f2"), r("dir_ren/"), r("dir_ren/inner/"),
                r("dir_ren/inner/deep.txt"), r("u/"), r("u/k"), r("t"))), deleted);
        assertTrue(job.sent().contains(r("dir_renamed/inner/deep.txt")), "a renamed directory is sent whole");
        assertTrue(job.sent().contains(r("chdir/c.txt")), "a directory that only changed its inode is walked");
        assertTrue(!job.sent().contains(r("stable/s.txt")) && !job.sent().contains(r("keep.txt")),
                "unchanged entries are not sent");
        assertEquals(CatalogVerdict.Kind.GONE, job.verdicts().get(0).kind(),
                "the root changed: no KEEP root, its own GONE + KEEP per name");
    }

    private static boolean isDir(byte[] p) {
        try {
            return Posix.lstat(p).isDirectory();
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void anUnchangedRootIsKeptAndAChangeDeepDownListsOnlyItsDirectory() throws Exception {
        Files.createDirectories(Path.of(r("p/q")));
        write("p/q/old", "1");
        write("top", "1");
        Set<String> catalog = names(b(root.toString()));
        long since = nextSecond();
        Files.delete(Path.of(r("p/q/old")));
        write("p/q/new", "2");

        GpfsChangeRun.Plan.Changes c = assertInstanceOf(GpfsChangeRun.Plan.Changes.class,
                GpfsChangeRun.incremental(fake(Map.of()), b(root.toString()), since, List.of(), scratch, LIMIT,
                        ZoneOffset.UTC));
        // p/q/new is a changed file: GONE (it is sent, so itself seen; nothing the catalog had below the name stays)
        assertEquals(List.of(r("p/q")), c.listed().stream().map(GpfsChangeRunTest::s).toList());
        Job job = job(c);
        assertEquals(List.of("KEEP " + root, "GONE " + r("p/q"), "GONE " + r("p/q/new")),
                job.verdicts().stream().map(v -> v.kind() + " " + s(v.path())).toList());
        Set<String> deleted = new TreeSet<>();
        assertEquals(names(b(root.toString())), after(catalog, job, deleted));
        assertEquals(Set.of(r("p/q/old")), deleted);
    }

    @Test
    void everyFailureIsAFullWalkWithOneReasonAndLeavesNoScratch() throws Exception {
        write("f", "1");
        long since = nextSecond();
        write("g", "2");
        byte[] rt = b(root.toString());
        Map<String, GpfsChangeRun.Plan> cases = new java.util.LinkedHashMap<>();
        cases.put("no mmapplypolicy", GpfsChangeRun.incremental(null, rt, since, List.of(), scratch, LIMIT));
        cases.put("no Since", GpfsChangeRun.incremental(fake(Map.of()), rt, -1, List.of(), scratch, LIMIT));
        cases.put("status 2", GpfsChangeRun.incremental(fake(Map.of("FAKE_MMAPPLYPOLICY_FAIL", "2")), rt, since,
                List.of(), scratch, LIMIT));
        cases.put("Invalid option: --bogus", GpfsChangeRun.incremental(fake(Map.of()), rt, since,
                List.of("--bogus"), scratch, LIMIT));
        cases.put("are set by the plugin", GpfsChangeRun.incremental(fake(Map.of()), rt, since,
                List.of("-I", "yes"), scratch, LIMIT));
        cases.put("policy list: line", GpfsChangeRun.incremental(fake(Map.of("FAKE_MMAPPLYPOLICY_GARBAGE", "1")), rt,
                since, List.of(), scratch, LIMIT));
        cases.put("more names than the plugin can state", GpfsChangeRun.incremental(fake(Map.of()), rt, since,
                List.of(), scratch, 40));
        for (Map.Entry<String, GpfsChangeRun.Plan> e : cases.entrySet()) {
            GpfsChangeRun.Plan.FullWalk f = assertInstanceOf(GpfsChangeRun.Plan.FullWalk.class, e.getValue(),
                    e.getKey());
            assertTrue(f.reason().contains(e.getKey()) && f.reason().endsWith("the job walks the tree")
                    && !f.reason().contains("\n"), e.getKey() + ": " + f.reason());
        }
        try (var left = Files.list(scratch)) {
            assertEquals(0, left.count());
        }
        // without Accurate (limit 0) the same scan is a change set
        assertInstanceOf(GpfsChangeRun.Plan.Changes.class,
                GpfsChangeRun.incremental(fake(Map.of()), rt, since, List.of(), scratch, 0));
    }

    @Test
    void aListedDirectoryThatVanishedGetsNoVerdict() throws Exception {
        Files.createDirectories(Path.of(r("gone")));
        byte[] gone = b(r("gone"));
        List<String> seen = new ArrayList<>();
        try (ChangedDirectories v = new ChangedDirectories(b(root.toString()), List.of(b(r("nothere")), gone),
                List.of(), List.of())) {
            Files.delete(Path.of(r("gone")));
            v.forEachRemaining(i -> seen.add(((CatalogVerdict) i).kind() + " " + s(((CatalogVerdict) i).path())));
        }
        assertEquals(List.of("KEEP " + root), seen);
    }
}
