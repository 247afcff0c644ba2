package io.podheitor.hpc.backend.backup;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.backend.job.JobInfo;
import io.podheitor.hpc.backend.job.PluginParams;
import io.podheitor.hpc.changelog.lustre.Tool;
import io.podheitor.hpc.source.CatalogVerdict;
import io.podheitor.hpc.source.Entry;
import io.podheitor.hpc.source.EntryFilter;
import io.podheitor.hpc.source.EntrySource;
import io.podheitor.hpc.source.SourceEnd;
import io.podheitor.hpc.source.SourceItem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mode=gpfs through ChangeDriver's decision and SourceFactory's source, with hpc-changelog's fake mmapplypolicy. */
class GpfsIncrementalsTest {
    @TempDir
    Path tmp;

    private Tool fake() throws Exception {
        Path script = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize()
                .resolve("../hpc-changelog/src/test/python/fake_mmapplypolicy.py").normalize();
        Path w = Files.createDirectories(tmp.resolve("bin")).resolve("mmapplypolicy");
        Files.writeString(w, "#!/bin/sh\nexec python3 '" + script + "' \"$@\"\n");
        Files.setPosixFilePermissions(w, PosixFilePermissions.fromString("rwxr-xr-x"));
        return Tool.at(w);
    }

    private static JobInfo job(char level, long since, boolean accurate) {
        return new JobInfo("gpfs-job", 7, 'B', level, since, accurate, new byte[0], new byte[0], 'a', 14);
    }

    private PluginParams params(Path root, Path spill) throws Exception {
        return PluginParams.parse(List.of(("path=" + root).getBytes(UTF_8), "mode=gpfs".getBytes(UTF_8),
                ("spill_dir=" + spill).getBytes(UTF_8), "gpfs_policy_args=-L 0".getBytes(UTF_8)));
    }

    @Test
    void anAccurateIncrementalIsTheScansChangesWithTheChangedDirectoriesVerdicts() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("gpfs/fs1"));
        Path spill = Files.createDirectories(tmp.resolve("spill"));
        Files.createDirectories(root.resolve("d"));
        Files.writeString(root.resolve("d/old"), "1");
        Files.writeString(root.resolve("same"), "1");
        long since = System.currentTimeMillis() / 1000 + 1;
        Thread.sleep(Math.max(0, since * 1000 + 50 - System.currentTimeMillis()));
        Files.delete(root.resolve("d/old"));
        Files.writeString(root.resolve("d/new"), "2");

        PluginParams p = params(root, spill);
        ChangeDriver d = GpfsIncrementals.decide(p, job('I', since, true), Optional.of(fake()));
        ChangeDriver.Choice.Changes c = assertInstanceOf(ChangeDriver.Choice.Changes.class, d.choice(),
                d.warnings().toString());
        assertEquals(List.of(), d.warnings());
        assertTrue(d.infos().getFirst().startsWith("gpfs: policy scan of changes since "), d.infos().toString());
        List<String> verdicts = new ArrayList<>();
        Set<String> sent = new TreeSet<>();
        JobInfo j = job('I', since, true);
        try (EntrySource src = SourceFactory.open(p, j, ChangePolicy.of(j, true), true, EntryFilter.ALL, c)) {
            for (SourceItem i = src.take(); !(i instanceof SourceEnd); i = src.take()) {
                switch (i) {
                    case CatalogVerdict v -> verdicts.add(v.kind() + " " + new String(v.path(), UTF_8));
                    case Entry e -> sent.add(new String(e.path(), UTF_8));
                    default -> throw new AssertionError(i.toString());
                }
            }
        }
        assertEquals(List.of("KEEP " + root, "GONE " + root + "/d", "GONE " + root + "/d/new"), verdicts);
        assertEquals(Set.of(root + "/d", root + "/d/new"), sent);
        try (var left = Files.list(spill)) {
            assertEquals(0, left.count(), "the scan's scratch directory is removed");
        }
    }

    @Test
    void fullDifferentialAndAFailedScanWalkAndWithoutAccurateThereAreNoVerdicts() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("gpfs/fs2"));
        PluginParams p = params(root, tmp);
        for (char level : new char[] {'F', 'D'}) {
            ChangeDriver d = GpfsIncrementals.decide(p, job(level, 1, true), Optional.of(fake()));
            assertInstanceOf(ChangeDriver.Choice.Walk.class, d.choice());
            assertEquals(List.of(), d.warnings());
        }
        ChangeDriver none = GpfsIncrementals.decide(p, job('I', 1, true), Optional.empty());
        assertInstanceOf(ChangeDriver.Choice.Walk.class, none.choice());
        assertTrue(none.warnings().getFirst().startsWith("gpfs: no mmapplypolicy"), none.warnings().toString());
        ChangeDriver plain = GpfsIncrementals.decide(p, job('I', 1, false), Optional.of(fake()));
        ChangeDriver.Choice.Changes c = assertInstanceOf(ChangeDriver.Choice.Changes.class, plain.choice());
        assertTrue(plain.infos().getFirst().endsWith("without Accurate the deletions are not recorded"));
        assertTrue(!c.verdicts().get().hasNext());
    }
}
