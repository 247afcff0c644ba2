package io.podheitor.hpc.shard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.posix.FileMode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import net.openhft.hashing.LongHashFunction;
import org.junit.jupiter.api.Test;

/**
 * The hash of inode-hash equals the vectors that scripts/gen-shard-vectors.py wrote with the reference xxHash
 * library: the same shard for the same inode on every host, JVM and run (docs/sharding.md §2).
 */
class InodeHashVectorsTest {
    @Test
    void theHashAndTheShardEqualTheVectorFile() throws IOException {
        int rows = 0;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(Objects.requireNonNull(
                getClass().getResourceAsStream("inode-hash-vectors.tsv")), StandardCharsets.US_ASCII))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("#") || line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\t");
                long ino = Long.parseUnsignedLong(f[0]);
                long dev = Long.parseUnsignedLong(f[1]);
                long hash = Long.parseUnsignedLong(f[2], 16);
                int n = Integer.parseInt(f[3]);
                int shard = Integer.parseInt(f[4]);
                assertEquals(hash, ShardHash.hash(ino, dev), line);
                assertEquals(shard, ShardHash.shardOf(ino, dev, n), line);
                if (dev == 0 && ino != 0) { // d_ino 0 is "no inode number": decided after the stat
                    for (int k = 0; k < n && n <= 16; k++) {
                        InodeHash s = new InodeHash(new Shard(k, n));
                        assertEquals(k == shard, s.owns(ino), line + " shard " + k);
                        assertEquals(k == shard, s.admitsName(new byte[] {'/'}, new byte[] {'f'}, ino,
                                FileMode.DT_REG), line + " shard " + k);
                    }
                }
                rows++;
            }
        }
        assertTrue(rows >= 300, "vectors read: " + rows);
    }

    @Test
    void theLibraryIsXxh3() {
        // XXH3_64bits("", seed 0), the reference implementation's known value
        assertEquals(0x2D06800538D394C2L, LongHashFunction.xx3().hashBytes(new byte[0]));
        assertEquals(0x7068706373687264L, ShardHash.SEED);
        assertEquals("phpcshrd", new String(java.nio.ByteBuffer.allocate(8).putLong(ShardHash.SEED).array(),
                StandardCharsets.US_ASCII));
    }
}
