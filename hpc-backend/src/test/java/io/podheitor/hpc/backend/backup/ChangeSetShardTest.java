package io.podheitor.hpc.backend.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.backend.job.JobInfo;
import io.podheitor.hpc.backend.job.Mode;
import io.podheitor.hpc.backend.job.PluginParams;
import io.podheitor.hpc.changelog.source.ChangeSetSource;
import io.podheitor.hpc.shard.ShardSpec;
import io.podheitor.hpc.source.Entry;
import io.podheitor.hpc.source.SourceEnd;
import io.podheitor.hpc.source.SourceItem;
import io.podheitor.hpc.walker.WalkOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A change source composes with sharding: each shard keeps exactly its own changed non-directories (the same
 * shard function as its walk), every shard keeps the changed directories, and a renamed directory's subtree is
 * split the same way.
 */
class ChangeSetShardTest {
    @TempDir
    Path tmp;

    @Test
    void eachChangedFileIsKeptByExactlyTheShardItsWalkWouldSaveItIn() throws Exception {
        Path root = Files.createDirectory(tmp.resolve("root"));
        Path moved = Files.createDirectories(root.resolve("moved/sub"));
        List<ChangeSetSource.Change> changes = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            Path f = root.resolve("f" + i);
            Files.writeString(f, "x");
            changes.add(new ChangeSetSource.Change(b(f), false));
            Files.writeString(moved.resolve("m" + i), "m");
        }
        changes.add(new ChangeSetSource.Change(b(root.resolve("moved")), true));
        changes.add(new ChangeSetSource.Change(b(root), false));
        int n = 4;
        Map<String, List<Integer>> owners = new HashMap<>();
        Map<String, Integer> walkOwners = new HashMap<>();
        for (int k = 0; k < n; k++) {
            PluginParams p = new PluginParams(b(root), Mode.LUSTRE, 4, 1024, null)
                    .withSharding(ShardSpec.of(b(root), k + "/" + n, "inode-hash", null, null));
            JobInfo job = JobInfo.empty();
            try (Sharding sharding = Sharding.of(p, job, true);
                    ChangeSetSource src = ChangeSetSource.start(changes, sharding.filter(), WalkOptions.defaults(), 4,
                            64);
                    var walk = SourceFactory.open(p, job, ChangePolicy.of(job, true), true, sharding.filter())) {
                for (String path : drain(src)) {
                    owners.computeIfAbsent(path, x -> new ArrayList<>()).add(k);
                }
                for (String path : drain(walk)) {
                    if (!Files.isDirectory(Path.of(path))) {
                        walkOwners.put(path, k);
                    }
                }
            }
        }
        // every changed non-directory in exactly one shard, the same one as the walk's
        int files = 0;
        for (Map.Entry<String, List<Integer>> e : owners.entrySet()) {
            if (Files.isDirectory(Path.of(e.getKey()))) {
                assertEquals(n, e.getValue().size(), "a directory is kept by every shard: " + e.getKey());
            } else {
                files++;
                assertEquals(List.of(walkOwners.get(e.getKey())), e.getValue(),
                        "kept by exactly the shard whose walk saves it: " + e.getKey());
            }
        }
        assertEquals(400, files);
    }

    private static List<String> drain(io.podheitor.hpc.source.EntrySource src) throws InterruptedException {
        List<String> out = new ArrayList<>();
        while (true) {
            SourceItem i = src.take();
            if (i instanceof SourceEnd e) {
                assertTrue(e.completed(), e.toString());
                return out;
            }
            if (i instanceof Entry e) {
                out.add(new String(e.path(), StandardCharsets.UTF_8));
            }
        }
    }

    private static byte[] b(Path p) {
        return p.toString().getBytes(StandardCharsets.UTF_8);
    }
}
