package io.podheitor.hpc.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.podheitor.hpc.source.EntryFilter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link ShardProperties} on real random trees walked by hpc-walker (real d_ino and d_type, hard links across
 * directories): every strategy and N in 1..16 partitions the non-directories, keeps link groups whole and saves
 * every directory in every shard; inode-hash stats one walk's names plus (N-1) per directory.
 */
class ShardWalkProperties {
    private static Path tree(long seed) throws IOException {
        Path root = Files.createTempDirectory("shard-prop");
        Random rnd = new Random(seed);
        List<Path> dirs = new ArrayList<>(List.of(root));
        List<Path> files = new ArrayList<>();
        int size = 20 + rnd.nextInt(120);
        for (int i = 0; i < size; i++) {
            Path p = dirs.get(rnd.nextInt(dirs.size())).resolve("n" + i);
            switch (files.isEmpty() ? 4 : rnd.nextInt(8)) {
                case 0 -> dirs.add(Files.createDirectory(p));
                case 1 -> Files.createLink(p, files.get(rnd.nextInt(files.size())));
                case 2 -> Files.createSymbolicLink(p, Path.of("n" + rnd.nextInt(size)));
                default -> {
                    Files.writeString(p, "x");
                    Files.setLastModifiedTime(p, FileTime.fromMillis(1_500_000_000_000L + rnd.nextInt(100_000) * 1000L));
                    files.add(p);
                }
            }
        }
        return root;
    }

    private static void delete(Path root) throws IOException {
        try (Stream<Path> w = Files.walk(root)) {
            for (Path q : w.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(q);
            }
        }
    }

    @Property(tries = 12)
    void everyStrategyPartitionsARandomRealTree(@ForAll long seed, @ForAll @IntRange(min = 1, max = 16) int n,
            @ForAll @IntRange(min = 1, max = 1000) int bucket) throws Exception {
        Path root = tree(seed);
        try {
            byte[] r = root.toString().getBytes(StandardCharsets.UTF_8);
            ShardWalkTest.Walked all = ShardWalkTest.walk(root, EntryFilter.ALL);
            for (String strategy : List.of("inode-hash", "mtime-bucket", "lustre-mdt")) {
                List<ShardWalkTest.Walked> shards = new ArrayList<>();
                for (int k = 0; k < n; k++) {
                    shards.add(ShardWalkTest.walk(root, ShardSpec.of(r, k + "/" + n, strategy, null,
                            strategy.equals("mtime-bucket") ? bucket : null).strategy(r, MdtLookup.NONE, w -> { })));
                }
                ShardWalkTest.checkPartition(all, shards, true, strategy + " N=" + n, false);
                if (strategy.equals("inode-hash")) {
                    assertEquals(all.statCalls() + (n - 1L) * all.dirs().size(),
                            shards.stream().mapToLong(ShardWalkTest.Walked::statCalls).sum());
                }
            }
        } finally {
            delete(root);
        }
    }
}
