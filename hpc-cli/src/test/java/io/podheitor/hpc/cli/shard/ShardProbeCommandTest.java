package io.podheitor.hpc.cli.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.podheitor.hpc.cli.PodheitorCli;
import io.podheitor.hpc.shard.MtimeBucket;
import io.podheitor.hpc.shard.ShardHash;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ShardProbeCommandTest {
    @TempDir
    Path tmp;

    private record Run(int status, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new PodheitorCli());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        return new Run(cl.execute(args), out.toString(), err.toString());
    }

    @BeforeEach
    void tree() throws Exception {
        for (int d = 0; d < 5; d++) {
            Path dir = Files.createDirectories(tmp.resolve("d" + d));
            for (int i = 0; i < 40; i++) {
                Path f = dir.resolve("f" + i);
                Files.writeString(f, "x".repeat(i + d));
                Files.setLastModifiedTime(f, FileTime.fromMillis((1_650_000_000L + 97L * i + 1000L * d) * 1000));
            }
        }
    }

    /** Per shard: the files and bytes computed here from each file's inode (or mtime) and size. */
    private long[][] expected(int n, boolean byMtime) throws Exception {
        long[][] e = new long[2][n];
        try (Stream<Path> w = Files.walk(tmp)) {
            for (Path p : w.filter(Files::isRegularFile).toList()) {
                long ino = (Long) Files.getAttribute(p, "unix:ino");
                long mtime = Files.getLastModifiedTime(p).toMillis() / 1000;
                int k = byMtime ? MtimeBucket.shardOf(mtime, 60, n) : ShardHash.shardOf(ino, 0, n);
                e[0][k]++;
                e[1][k] += Files.size(p);
            }
        }
        return e;
    }

    @Test
    void jsonGivesFilesAndBytesPerShardAsTheHashSays() throws Exception {
        for (String strategy : List.of("inode-hash", "mtime-bucket")) {
            Run r = run("shard-probe", "--path", tmp.toString(), "--shards", "4", "--strategy", strategy, "--json",
                    "--threads", "2");
            assertEquals(0, r.status(), r.err());
            JsonNode j = new ObjectMapper().readTree(r.out());
            long[][] want = expected(4, strategy.equals("mtime-bucket"));
            assertEquals(strategy, j.get("strategy").asText());
            assertEquals(4, j.get("shards").asInt());
            assertEquals(206, j.get("entries").asLong());
            assertEquals(6, j.get("directories").asLong());
            assertEquals(206, j.get("statCalls").asLong());
            assertEquals(strategy.equals("inode-hash") ? 206 + 3 * 6 : 4 * 206, j.get("shardStatCalls").asLong());
            long max = 0;
            for (int k = 0; k < 4; k++) {
                JsonNode s = j.get("perShard").get(k);
                assertEquals(k, s.get("shard").asInt());
                assertEquals(want[0][k], s.get("files").asLong(), strategy + " shard " + k);
                assertEquals(want[1][k], s.get("bytes").asLong(), strategy + " shard " + k);
                max = Math.max(max, want[0][k]);
            }
            assertEquals(max / 50.0, j.get("imbalance").get("files").asDouble(), 1e-9);
            assertTrue(j.get("seconds").asDouble() >= 0);
        }
    }

    @Test
    void textAndSampling() throws Exception {
        Run r = run("shard-probe", "--path", tmp.toString(), "--shards", "3");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("strategy:    inode-hash, 3 shards"), r.out());
        assertTrue(r.out().contains("imbalance:   files "), r.out());
        assertTrue(r.out().contains("walked:      206 entries (6 directories), 0 errors, 206 statx"), r.out());
        // a sample stats fewer names, and scales its counts back up
        Run s = run("shard-probe", "--path", tmp.toString(), "--shards", "3", "--sample", "0.25", "--json");
        assertEquals(0, s.status(), s.err());
        JsonNode j = new ObjectMapper().readTree(s.out());
        assertTrue(j.get("statCalls").asLong() < 206, s.out());
        long files = 0;
        for (JsonNode n : j.get("perShard")) {
            files += n.get("files").asLong();
        }
        assertTrue(files > 100 && files < 300, "estimated files: " + files);
    }

    @Test
    void badArgumentsAreRefused() {
        assertEquals(2, run("shard-probe", "--path", tmp.toString(), "--shards", "0").status());
        assertEquals(2, run("shard-probe", "--path", tmp.toString(), "--shards", "4097").status());
        assertEquals(2, run("shard-probe", "--path", tmp.toString(), "--shards", "2", "--sample", "0").status());
        assertEquals(2, run("shard-probe", "--path", tmp.toString(), "--shards", "2", "--strategy", "subtree").status());
        Run r = run("shard-probe", "--path", tmp.toString(), "--shards", "2", "--strategy", "nope");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("strategy \"nope\""), r.err());
    }
}
