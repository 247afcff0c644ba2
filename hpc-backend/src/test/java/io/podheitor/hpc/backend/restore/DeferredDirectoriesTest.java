package io.podheitor.hpc.backend.restore;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.StatX;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Directory attributes: added concurrently and in any order, spilled, applied deepest first. */
class DeferredDirectoriesTest {
    @TempDir
    Path tmp;

    @Test
    void addedConcurrentlyInAnyOrderAndSpilledTheyAreAppliedDeepestFirst() throws Exception {
        // directories a/b/c... of random depth, added from 4 threads in a shuffled order, 8 kept on the heap
        Path root = Files.createDirectory(tmp.resolve("root"));
        List<String> rels = new ArrayList<>();
        Random rnd = new Random(3);
        for (int i = 0; i < 300; i++) {
            StringBuilder sb = new StringBuilder("d" + rnd.nextInt(5));
            for (int d = rnd.nextInt(6); d > 0; d--) {
                sb.append("/d").append(rnd.nextInt(3));
            }
            if (!rels.contains(sb.toString())) {
                rels.add(sb.toString());
            }
        }
        for (String r : rels) {
            Files.createDirectories(root.resolve(r));
        }
        Collections.shuffle(rels, rnd);
        DeferredDirectories dd = new DeferredDirectories(8, tmp);
        try (RestoreTree tree = RestoreTree.open(root.toString().getBytes(StandardCharsets.UTF_8), new byte[0])) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            for (String r : rels) {
                pool.execute(() -> {
                    try {
                        StatX st = Posix.lstat(root.resolve(r).toString().getBytes(StandardCharsets.UTF_8));
                        dd.add(r.getBytes(StandardCharsets.UTF_8), 0751, 0, 0, 1_600_000_000L, 1_600_000_000L, st.dev(),
                                st.ino());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
            pool.shutdown();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
            assertEquals(rels.size(), dd.size());
            assertTrue(dd.runs() > 1, "spilled in several runs: " + dd.runs());
            List<String> order = new ArrayList<>();
            List<String> failures = dd.applyAll(tree, p -> order.add(new String(p.relative(), StandardCharsets.UTF_8)));
            assertEquals(List.of(), failures);
            assertEquals(rels.size(), order.size());
            for (int i = 1; i < order.size(); i++) {
                assertTrue(depth(order.get(i - 1)) >= depth(order.get(i)), order.get(i - 1) + " before " + order.get(i));
            }
            for (String r : rels) {
                assertEquals(0751, Posix.lstat(root.resolve(r).toString().getBytes(StandardCharsets.UTF_8)).permissions());
            }
        } finally {
            dd.close();
        }
    }

    private static int depth(String rel) {
        return rel.split("/").length;
    }
}
