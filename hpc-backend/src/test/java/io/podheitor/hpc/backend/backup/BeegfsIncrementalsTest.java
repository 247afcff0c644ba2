package io.podheitor.hpc.backend.backup;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.backend.job.JobInfo;
import io.podheitor.hpc.backend.job.PluginParams;
import io.podheitor.hpc.changelog.beegfs.BeegfsCtl;
import io.podheitor.hpc.changelog.lustre.Tool;
import io.podheitor.hpc.source.Entry;
import io.podheitor.hpc.source.EntryFilter;
import io.podheitor.hpc.source.EntrySource;
import io.podheitor.hpc.source.SourceEnd;
import io.podheitor.hpc.source.SourceItem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** mode=beegfs through ChangeDriver's decision and SourceFactory's source, with hpc-changelog's fake beegfs-ctl. */
class BeegfsIncrementalsTest {
    @TempDir
    Path tmp;

    private Optional<BeegfsCtl> fake(String env) throws Exception {
        Path script = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize()
                .resolve("../hpc-changelog/src/test/python/fake_beegfs_ctl.py").normalize();
        Path w = Files.createDirectories(tmp.resolve("bin")).resolve("beegfs-ctl");
        Files.writeString(w, "#!/bin/sh\n" + env + " exec python3 '" + script + "' \"$@\"\n");
        Files.setPosixFilePermissions(w, PosixFilePermissions.fromString("rwxr-xr-x"));
        return Optional.of(new BeegfsCtl(Tool.at(w)));
    }

    private static JobInfo job(char level, long since) {
        return new JobInfo("beegfs-job", 9, 'B', level, since, false, new byte[0], new byte[0], 'a', 14);
    }

    private static PluginParams params(Path root) throws Exception {
        return PluginParams.parse(List.of(("path=" + root).getBytes(UTF_8), "mode=beegfs".getBytes(UTF_8)));
    }

    private static Set<String> entries(EntrySource src) throws Exception {
        Set<String> out = new TreeSet<>();
        for (SourceItem i = src.take(); !(i instanceof SourceEnd); i = src.take()) {
            out.add(new String(((Entry) i).path(), UTF_8));
        }
        return out;
    }

    @Test
    void anIncrementalWalksPerTargetWithTheTimeRuleOfThePlainWalk() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("beegfs/fs"));
        for (String d : List.of("a/x", "b/y", "c/z", "d")) {
            Files.createDirectories(root.resolve(d));
        }
        Files.writeString(root.resolve("a/x/old"), "1");
        Files.writeString(root.resolve("b/y/old"), "1");
        Files.writeString(root.resolve("top"), "1");
        long since = System.currentTimeMillis() / 1000 + 1;
        Thread.sleep(Math.max(0, since * 1000 + 50 - System.currentTimeMillis()));
        Files.writeString(root.resolve("c/z/new"), "2");
        Files.writeString(root.resolve("top2"), "2");

        PluginParams p = params(root);
        JobInfo j = job('I', since);
        ChangeDriver d = BeegfsIncrementals.decide(p, true, fake(""));
        ChangeDriver.Choice.PerTargetWalk c = assertInstanceOf(ChangeDriver.Choice.PerTargetWalk.class, d.choice(),
                d.warnings().toString());
        assertEquals(List.of(), d.warnings());
        assertTrue(d.infos().getFirst().startsWith("beegfs: 2 metadata targets (1 Online/Good, 2 Online/Good); the "
                + "tree's 4 top directories walked per target: meta0"), d.infos().toString());
        Set<String> lanes;
        try (EntrySource src = SourceFactory.open(p, j, ChangePolicy.of(j, true), true, EntryFilter.ALL, c)) {
            lanes = entries(src);
        }
        Set<String> plain;
        try (EntrySource src = SourceFactory.open(p, j, ChangePolicy.of(j, true), true, EntryFilter.ALL,
                new ChangeDriver.Choice.Walk())) {
            plain = entries(src);
        }
        assertEquals(plain, lanes);
        assertTrue(lanes.contains(root + "/c/z/new") && lanes.contains(root + "/top2")
                && !lanes.contains(root + "/a/x/old"), lanes.toString());
        assertTrue(c.report().summary().startsWith("beegfs: per target: meta0"), c.report().summary());
    }

    @Test
    void noToolAFailingToolAnEstimateAndAnOfflineTarget() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("beegfs/fs2"));
        Files.createDirectories(root.resolve("a"));
        Files.createDirectories(root.resolve("b"));
        PluginParams p = params(root);
        ChangeDriver none = BeegfsIncrementals.decide(p, true, Optional.empty());
        assertInstanceOf(ChangeDriver.Choice.Walk.class, none.choice());
        assertTrue(none.warnings().getFirst().startsWith("beegfs: no beegfs-ctl on the backend's PATH"));

        ChangeDriver failing = BeegfsIncrementals.decide(p, true, fake("FAKE_BEEGFS_FAIL=listtargets"));
        assertInstanceOf(ChangeDriver.Choice.Walk.class, failing.choice());
        assertTrue(failing.warnings().getFirst().startsWith("beegfs: cannot list the metadata targets (beegfs-ctl "
                + "--listtargets --nodetype=meta --state: exit 1: Communication"), failing.warnings().toString());

        ChangeDriver estimate = BeegfsIncrementals.decide(p, false, fake(""));
        assertInstanceOf(ChangeDriver.Choice.Walk.class, estimate.choice());
        assertEquals(List.of(), estimate.warnings());

        Path owners = Files.writeString(tmp.resolve("owners"), "a 1\nb 2\n");
        ChangeDriver offline = BeegfsIncrementals.decide(p, true, fake("FAKE_BEEGFS_OWNERS='" + owners
                + "' FAKE_BEEGFS_TARGETS=1:meta01:Online:Good,2:meta02:Offline:Needs-resync"));
        ChangeDriver.Choice.PerTargetWalk c = assertInstanceOf(ChangeDriver.Choice.PerTargetWalk.class,
                offline.choice());
        assertEquals(List.of("beegfs: metadata node meta02 [ID: 2] is Offline/Needs-resync: its 1 top directories "
                + "are walked by the other targets' walks"), offline.warnings());
        assertEquals(1, c.partition().lanes().size());
        assertEquals(2, c.partition().lanes().getFirst().names().size());

        ChangeDriver lookupsFail = BeegfsIncrementals.decide(p, true, fake("FAKE_BEEGFS_FAIL=getentryinfo"));
        ChangeDriver.Choice.PerTargetWalk spread = assertInstanceOf(ChangeDriver.Choice.PerTargetWalk.class,
                lookupsFail.choice());
        assertEquals(2, spread.partition().unknownOwner());
        assertTrue(lookupsFail.warnings().getFirst().startsWith("beegfs: the owner of 2 top directories could not "
                + "be asked"), lookupsFail.warnings().toString());
    }
}
