package io.podheitor.hpc.backend.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HardLinkIndexTest {
    @TempDir
    Path tmp;

    private static byte[] name(long i) {
        // not UTF-8 on purpose: bytes must come back unchanged from the spill files
        return ("/t/d" + (i % 97) + "/\u0001f" + i).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    @Test
    void memoryFirstThenDisk() throws IOException {
        try (HardLinkIndex x = new HardLinkIndex(2, tmp)) {
            assertEquals(HardLinkIndex.Placed.MEMORY, x.remember(1, 10, 0, new byte[] {'a'}));
            assertEquals(HardLinkIndex.Placed.MEMORY, x.remember(1, 11, 1, new byte[] {'b'}));
            assertEquals(HardLinkIndex.Placed.DISK, x.remember(1, 12, 2, new byte[] {'c', (byte) 0xff, '\n'}));
            assertEquals(HardLinkIndex.Placed.KNOWN, x.remember(1, 10, 5, new byte[] {'z'}));
            assertEquals(HardLinkIndex.Placed.KNOWN, x.remember(1, 12, 6, new byte[] {'y'}));
            assertEquals(3, x.size());
            assertEquals(1, x.spilled());
            assertEquals(0, x.lookup(1, 10).recordNumber(), "the first record stays");
            HardLinkIndex.First c = x.lookup(1, 12);
            assertEquals(2, c.recordNumber());
            assertArrayEquals(new byte[] {'c', (byte) 0xff, '\n'}, c.name());
            assertNull(x.lookup(2, 12), "same inode number, other device");
            try (Stream<Path> s = Files.list(tmp)) {
                assertEquals(0, s.count(), "the spill files are unlinked at once");
            }
        }
    }

    @Test
    void manySpilledInodesAllResolveThroughGrowth() throws IOException {
        int n = 200_000; // > 2 * DiskLinkTable.INITIAL_SLOTS: the table doubles several times
        try (HardLinkIndex x = new HardLinkIndex(1000, tmp)) {
            for (long i = 0; i < n; i++) {
                long dev = i % 3;
                x.remember(dev, i * 7919, i, name(i));
            }
            assertEquals(n, x.size());
            assertEquals(n - 1000, x.spilled());
            Random r = new Random(42);
            for (int k = 0; k < 20_000; k++) {
                long i = r.nextInt(n);
                HardLinkIndex.First f = x.lookup(i % 3, i * 7919);
                assertNotNull(f, "inode " + i);
                assertEquals(i, f.recordNumber());
                assertArrayEquals(name(i), f.name());
            }
            for (long i = n; i < n + 1000; i++) {
                assertNull(x.lookup(i % 3, i * 7919), "never remembered");
            }
            assertTrue(x.spillBytes() > 0);
        }
    }

    @Test
    void unusableSpillDirectoryForgetsFurtherInodesButKeepsTheFirst() throws IOException {
        try (HardLinkIndex x = new HardLinkIndex(1, tmp.resolve("missing"))) {
            assertEquals(HardLinkIndex.Placed.MEMORY, x.remember(1, 10, 0, new byte[] {'a'}));
            assertEquals(HardLinkIndex.Placed.DROPPED, x.remember(1, 11, 1, new byte[] {'b'}));
            assertNotNull(x.spillFailure());
            assertNull(x.lookup(1, 11));
            assertEquals(0, x.lookup(1, 10).recordNumber());
            assertEquals(HardLinkIndex.Placed.DROPPED, x.remember(1, 12, 2, new byte[] {'c'}));
        }
    }

    @Test
    void zeroMemoryMeansEverythingOnDisk() throws IOException {
        try (HardLinkIndex x = new HardLinkIndex(0, tmp)) {
            assertEquals(HardLinkIndex.Placed.DISK, x.remember(5, 0, 0, new byte[0]));
            assertEquals(0, x.lookup(5, 0).recordNumber());
            assertArrayEquals(new byte[0], x.lookup(5, 0).name());
        }
    }
}
