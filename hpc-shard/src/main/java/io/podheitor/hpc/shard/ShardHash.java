package io.podheitor.hpc.shard;

import net.openhft.hashing.LongHashFunction;

/**
 * The one hash of sharding (docs/sharding.md §2): XXH3-64 with seed {@link #SEED} over 16 bytes, two unsigned
 * 64-bit values in little-endian order, through zero-allocation-hashing's {@code LongHashFunction.xx3(SEED)}.
 * The bytes are written explicitly, so the result is the same on every host, JVM and byte order; the shard of a
 * key is the hash as an unsigned 64-bit number modulo N. The test-vector file
 * {@code src/test/resources/io/podheitor/hpc/shard/inode-hash-vectors.tsv} pins it.
 */
public final class ShardHash {
    /** The seed: the ASCII bytes "phpcshrd" read as a big-endian 64-bit number. */
    public static final long SEED = 0x7068706373687264L;

    private static final LongHashFunction XXH3 = LongHashFunction.xx3(SEED);

    private ShardHash() {
    }

    /** XXH3-64(seed {@link #SEED}, LE64(a) || LE64(b)). */
    public static long hash(long a, long b) {
        byte[] in = new byte[16];
        for (int i = 0; i < 8; i++) {
            in[i] = (byte) (a >>> (8 * i));
            in[8 + i] = (byte) (b >>> (8 * i));
        }
        return XXH3.hashBytes(in);
    }

    /** The shard 0..n-1 of the key (a, b): {@code hash(a, b)} unsigned, modulo n. */
    public static int shardOf(long a, long b, int n) {
        return (int) Long.remainderUnsigned(hash(a, b), n);
    }
}
