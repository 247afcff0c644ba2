package io.podheitor.hpc.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.ptcomm.Frame;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code strategy=lustre-mdt} through the backend process as the launcher starts it, with hpc-lustre's fake
 * liblustreapi.so (hpc-lustre/src/test/c, the real signatures; its "Lustre" is a local tree described by
 * {@code user.lustre_fake.*} xattrs) named by {@code PHPC_LIBLUSTREAPI}: each shard saves the files of its MDTs
 * (MDT i to shard i mod N), every shard saves the directories, a file whose MDT cannot be read is saved by every
 * shard with one closing warning, and without Lustre the job warns and goes by inode-hash.
 */
@Timeout(180)
class LustreMdtShardProcessTest {
    static Path fakeLibrary;

    @TempDir
    Path tmp;
    Path root;

    @BeforeAll
    static void buildFake() throws Exception {
        fakeLibrary = FakeLustreLib.path();
    }

    static void xattr(Path p, String name, String value) throws IOException {
        FakeLustreLib.xattr(p, name, value);
    }

    /** The MDT of each file of the tree, as the fake places them. */
    final Map<String, Integer> mdtOf = new HashMap<>();

    @BeforeEach
    void lustreTree() throws IOException {
        root = Files.createDirectory(tmp.resolve("lfs"));
        xattr(root, "fsname", "testfs");
        xattr(root, "mdts", "0-2");
        // top: on the root's MDT 0; on1/ (lfs mkdir -i 1) and on2/ with their files; striped/ over 3 MDTs
        Files.createDirectories(root.resolve("on1/deep"));
        xattr(root.resolve("on1"), "mdt", "1");
        Files.createDirectory(root.resolve("on2"));
        xattr(root.resolve("on2"), "mdt", "2");
        for (int i = 0; i < 6; i++) {
            file("t" + i, 0);
            file("on1/f" + i, 1);
            file("on1/deep/g" + i, 1);
            file("on2/h" + i, 2);
        }
        // a hard link across directories: one inode, one MDT (its own xattr, as the inode's MDT is on the inode)
        file("on1/linked", 1);
        xattr(root.resolve("on1/linked"), "mdt", "1");
        Files.createLink(root.resolve("on2/linked2"), root.resolve("on1/linked"));
        mdtOf.put("on2/linked2", 1);
        Files.createSymbolicLink(root.resolve("on2/sym"), Path.of("h0"));
        mdtOf.put("on2/sym", 2);
    }

    private void file(String rel, int mdt) throws IOException {
        Files.writeString(root.resolve(rel), "content of " + rel + "\n");
        mdtOf.put(rel, mdt);
    }

    record Run(Set<String> files, Set<String> dirs, List<String> messages) {
    }

    private Run backup(Path path, String shard, Map<String, String> extraEnv) throws Exception {
        Map<String, String> env = BackendProcessTest.cLocale();
        env.putAll(extraEnv);
        try (ShimSide shim = ShimSide.process(BackendProcessTest.javaCommand(), env)) {
            Frame answer = shim.handshake(List.of("Name=mdt.test", "JobID=7", "Type=B", "Level=F", "Accurate=0"),
                    ShimSide.params("path=" + path, "threads=3", "shard=" + shard, "strategy=lustre-mdt"));
            assertEquals('F', answer.status(), answer.toString());
            shim.command("BackupStart");
            shim.expect('F');
            ShimSide.Stream s = shim.readStream();
            shim.finish();
            assertEquals(List.of(), shim.stderr);
            Set<String> files = new HashSet<>();
            Set<String> dirs = new HashSet<>();
            String prefix = path + "/";
            for (ShimSide.Received r : s.records()) {
                String n = r.name();
                String rel = n.equals(prefix) ? "" : n.substring(prefix.length());
                assertTrue(rel.isEmpty() || rel.endsWith("/") ? dirs.add(rel) : files.add(rel), "sent twice: " + n);
            }
            List<String> messages = new ArrayList<>(s.messages());
            return new Run(files, dirs, messages);
        }
    }

    private Map<String, String> withFake() {
        return Map.of("PHPC_LIBLUSTREAPI", fakeLibrary.toString());
    }

    @Test
    void eachShardSavesTheFilesOfItsMdts() throws Exception {
        Set<String> allDirs = Set.of("", "on1/", "on1/deep/", "on2/");
        for (int n : new int[] {3, 2}) {
            Set<String> union = new HashSet<>();
            for (int k = 0; k < n; k++) {
                Run r = backup(root, k + "/" + n, withFake());
                Set<String> want = new HashSet<>();
                for (Map.Entry<String, Integer> e : mdtOf.entrySet()) {
                    if (e.getValue() % n == k) {
                        want.add(e.getKey());
                    }
                }
                assertEquals(want, r.files(), "shard " + k + "/" + n + ": the files of MDTs i with i mod " + n + " = " + k);
                assertEquals(allDirs, r.dirs(), "shard " + k + "/" + n + ": every directory");
                String info = "shard: lustre-mdt " + k + "/" + n + " (3 MDTs, liblustreapi (" + fakeLibrary + "))";
                assertTrue(r.messages().stream().anyMatch(m -> m.contains(info)), info + " in " + r.messages());
                assertEquals(n != 3, r.messages().stream().anyMatch(m -> m.contains("the file system has 3 MDTs")),
                        "the N != MDT count warning: " + r.messages());
                union.addAll(r.files());
            }
            assertEquals(mdtOf.keySet(), union, "the union of the " + n + " shards");
        }
    }

    @Test
    void aFileWhoseMdtCannotBeReadIsSavedByEveryShard() throws Exception {
        xattr(root.resolve("on2/h3"), "errno", "5"); // EIO on every call about it
        for (int k = 0; k < 3; k++) {
            Run r = backup(root, k + "/3", withFake());
            assertTrue(r.files().contains("on2/h3"), "shard " + k + " saved on2/h3: " + r.files());
            assertEquals(1, r.messages().stream().filter(m -> m.contains("could not be read")).count(), r.messages().toString());
            String w = r.messages().stream().filter(m -> m.contains("could not be read")).findFirst().orElseThrow();
            assertTrue(w.contains("the MDT of 1 entry") && w.contains("on2/h3") && w.contains("Input/output error"), w);
            assertEquals(k == 2, r.files().contains("on2/h0"), "the other files of MDT 2 go by their MDT");
        }
    }

    @Test
    void withoutLustreTheShardWarnsAndGoesByInodeHash() throws Exception {
        Path plain = Files.createDirectory(tmp.resolve("plain"));
        Set<String> union = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            Files.writeString(plain.resolve("p" + i), "p" + i);
        }
        for (int shard = 0; shard < 2; shard++) {
            int k = shard;
            for (Map<String, String> env : List.of(withFake(), Map.of("PHPC_LIBLUSTREAPI", "/nonexistent/liblustreapi.so"))) {
                Run r = backup(plain, k + "/2", env);
                assertTrue(r.messages().stream().anyMatch(m -> m.contains("is not on Lustre")), r.messages().toString());
                assertTrue(r.messages().stream().anyMatch(m -> m.contains("shard: inode-hash " + k + "/2")),
                        r.messages().toString());
                union.addAll(r.files());
            }
        }
        assertEquals(20, union.size(), union.toString());
    }
}
