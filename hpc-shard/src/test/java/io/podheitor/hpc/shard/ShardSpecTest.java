package io.podheitor.hpc.shard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.posix.FileMode;
import io.podheitor.hpc.posix.StatX;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class ShardSpecTest {
    private static final byte[] ROOT = b("/data");

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String refused(String shard, String strategy, String subtree, Integer bucket) {
        return assertThrows(IllegalArgumentException.class, () -> ShardSpec.of(ROOT, shard, strategy,
                subtree == null ? null : b(subtree), bucket)).getMessage();
    }

    private static ShardStrategy build(String shard, String strategy, String subtree, Integer bucket) {
        return ShardSpec.of(ROOT, shard, strategy, subtree == null ? null : b(subtree), bucket)
                .strategy(ROOT, MdtLookup.NONE, w -> { });
    }

    @Test
    void noKeysNoSharding() {
        assertNull(ShardSpec.of(ROOT, null, null, null, null));
    }

    @Test
    void theStrategyFollowsTheKeys() {
        assertEquals(new InodeHash(new Shard(2, 4)), build("2/4", null, null, null));
        assertEquals(new InodeHash(new Shard(0, 1)), build("0/1", "inode-hash", null, null));
        assertEquals(new MtimeBucket(new Shard(1, 3), 60), build("1/3", "mtime-bucket", null, null));
        assertEquals(new MtimeBucket(new Shard(1, 3), 86400), build("1/3", "mtime-bucket", null, 86400));
        Subtree s = assertInstanceOf(Subtree.class, build(null, null, "/data/a,!/data/a/tmp", null));
        assertNull(s.within());
        assertArrayEquals(b("/data/a"), s.include().getFirst());
        assertArrayEquals(b("/data/a/tmp"), s.exclude().getFirst());
        Subtree split = assertInstanceOf(Subtree.class, build("3/8", "subtree", "/data/x//y/", null));
        assertEquals(new InodeHash(new Shard(3, 8)), split.within());
        assertArrayEquals(b("/data/x/y"), split.include().getFirst());
        Subtree rest = assertInstanceOf(Subtree.class, build(null, null, "!/data/a", null));
        assertArrayEquals(ROOT, rest.include().getFirst(), "only exclusions: the rest of path=");
        assertEquals(4096, Shard.parse("4095/4096").n());
    }

    @Test
    void keysThatDoNotGoTogetherAreRefusedNamingThem() {
        assertEquals("strategy=mtime-bucket needs shard=K/N", refused(null, "mtime-bucket", null, null));
        assertEquals("strategy=inode-hash needs shard=K/N", refused(null, "inode-hash", null, null));
        assertEquals("strategy=lustre-mdt needs shard=K/N", refused(null, "lustre-mdt", null, null));
        assertEquals("strategy=subtree needs subtree=PATH,...", refused("0/2", "subtree", null, null));
        assertEquals("subtree= belongs to strategy=subtree, not inode-hash", refused("0/2", "inode-hash", "/data/a", null));
        assertEquals("mtime_bucket= belongs to strategy=mtime-bucket, not inode-hash", refused("0/2", null, null, 5));
        assertEquals("subtree element 2 is not at or below path=", refused(null, null, "/data/a,/datax", null));
        assertEquals("subtree element 1 is not at or below path=", refused(null, null, "!/etc", null));
        for (String bad : new String[] {"4/4", "1/0", "0/4097", "-1/2", "1", "/2", "1/", "a/b", "1/2/3", " 1/2"}) {
            assertThrows(IllegalArgumentException.class, () -> Shard.parse(bad), bad);
        }
    }

    @Test
    void lustreMdtWithoutLustreWarnsOnceAndHashesInodes() {
        List<String> warnings = new ArrayList<>();
        ShardStrategy s = ShardSpec.of(ROOT, "1/4", "lustre-mdt", null, null).strategy(ROOT, MdtLookup.NONE,
                warnings::add);
        assertEquals(new InodeHash(new Shard(1, 4)), s);
        assertEquals(1, warnings.size());
        assertTrue(warnings.getFirst().startsWith("strategy=lustre-mdt: path= is not on Lustre"), warnings.getFirst());
        // and the fallback never warns again while it filters
        for (long ino = 1; ino < 1000; ino++) {
            s.admitsName(ROOT, b("f"), ino, FileMode.DT_REG);
        }
        assertEquals(1, warnings.size());
    }

    @Test
    void lustreMdtWithLustreGoesByTheInodesMdt() {
        List<String> warnings = new ArrayList<>();
        MdtLookup fake = new MdtLookup() {
            @Override
            public OptionalInt mdtCount(byte[] root) {
                return OptionalInt.of(4);
            }

            @Override
            public int mdtIndex(byte[] parent, byte[] name, long dIno) {
                return dIno == 99 ? MdtLookup.UNKNOWN : dIno == 98 ? MdtLookup.FAILED : (int) (dIno % 4);
            }
        };
        ShardStrategy s = ShardSpec.of(ROOT, "2/4", "lustre-mdt", null, null).strategy(ROOT, fake, warnings::add);
        assertInstanceOf(LustreMdt.class, s);
        assertTrue(warnings.isEmpty(), warnings.toString());
        assertTrue(s.admitsName(ROOT, b("f"), 6, FileMode.DT_REG));
        assertFalse(s.admitsName(ROOT, b("f"), 7, FileMode.DT_REG));
        assertTrue(s.admitsName(ROOT, b("d"), 7, FileMode.DT_DIR), "directories: every shard");
        assertEquals(new InodeHash(new Shard(2, 4)).owns(99), s.admitsName(ROOT, b("f"), 99, FileMode.DT_REG),
                "MDT unknown: inode-hash");
        for (int k = 0; k < 4; k++) {
            assertTrue(ShardSpec.of(ROOT, k + "/4", "lustre-mdt", null, null).strategy(ROOT, fake, warnings::add)
                    .admitsName(ROOT, b("f"), 98, FileMode.DT_REG), "lookup failed: saved by every shard (" + k + ")");
        }
        ShardSpec.of(ROOT, "0/2", "lustre-mdt", null, null).strategy(ROOT, fake, warnings::add);
        assertEquals(1, warnings.size());
        assertTrue(warnings.getFirst().contains("4 MDTs") && warnings.getFirst().contains("mod 2"), warnings.getFirst());
    }

    @Test
    void ownerOfIsTheOneShardWhoseFilterAdmits() {
        java.util.Random rnd = new java.util.Random(5);
        for (String strategy : new String[] {"inode-hash", "mtime-bucket", "lustre-mdt"}) {
            for (int i = 0; i < 2000; i++) {
                int n = 1 + rnd.nextInt(16);
                long ino = rnd.nextLong() | 1;
                long mtime = rnd.nextInt(2_000_000_000);
                int owner = ShardSpec.of(ROOT, "0/" + n, strategy, null, null).ownerOf(ino, mtime);
                for (int k = 0; k < n; k++) {
                    ShardStrategy s = build(k + "/" + n, strategy, null, null);
                    boolean admits = s.admitsName(ROOT, b("f"), ino, FileMode.DT_REG)
                            && s.admitsListed(b("/data/f"), file(ino, mtime), ino, FileMode.DT_REG);
                    assertEquals(k == owner, admits, strategy + " " + k + "/" + n);
                }
            }
        }
        assertThrows(IllegalStateException.class, () -> ShardSpec.of(ROOT, null, null, b("/data/a"), null).ownerOf(1, 1));
    }

    private static StatX file(long ino, long mtime) {
        return new StatX(FileMode.S_IFREG | 0644, 0, 0, 1, 0, 0, mtime, 0, mtime, 0, ino, 2049, 1, 0, 0, 4096);
    }

    @Test
    void inodeHashDecidesOnceFromTheListingOrElseFromTheStat() {
        // find an inode that shard 0 of 2 does not own and one it owns
        long notMine = 1;
        while (new InodeHash(new Shard(0, 2)).owns(notMine)) {
            notMine++;
        }
        long mine = 1;
        while (!new InodeHash(new Shard(0, 2)).owns(mine)) {
            mine++;
        }
        InodeHash s = new InodeHash(new Shard(0, 2));
        assertFalse(s.admitsName(ROOT, b("f"), notMine, FileMode.DT_REG), "decided before the stat");
        assertTrue(s.admitsName(ROOT, b("f"), mine, FileMode.DT_REG));
        // decided from the listing: the stat does not decide again, even if st_ino differs (overlayfs)
        assertTrue(s.admitsListed(b("/data/f"), file(notMine, 0), mine, FileMode.DT_REG));
        // DT_UNKNOWN: stat'ed, then decided from d_ino
        assertTrue(s.admitsName(ROOT, b("f"), notMine, FileMode.DT_UNKNOWN));
        assertFalse(s.admitsListed(b("/data/f"), file(notMine, 0), notMine, FileMode.DT_UNKNOWN));
        // d_ino 0: from st_ino
        assertTrue(s.admitsName(ROOT, b("f"), 0, FileMode.DT_REG));
        assertFalse(s.admitsListed(b("/data/f"), file(notMine, 0), 0, FileMode.DT_REG));
        assertTrue(s.admitsListed(b("/data/f"), file(mine, 0), 0, FileMode.DT_REG));
    }
}
