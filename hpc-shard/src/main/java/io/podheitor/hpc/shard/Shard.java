package io.podheitor.hpc.shard;

/**
 * Which part of a sharded tree a job saves: shard {@code k} of {@code n} (plugin key {@code shard=K/N}).
 *
 * @param k this job's shard, 0..n-1
 * @param n the number of shards, 1..{@link #MAX_SHARDS}
 */
public record Shard(int k, int n) {
    /** The largest N of {@code shard=K/N} (the key table's {@code max}). */
    public static final int MAX_SHARDS = 4096;

    public Shard {
        if (n < 1 || n > MAX_SHARDS || k < 0 || k >= n) {
            throw new IllegalArgumentException("shard " + k + "/" + n + ": expected K/N with 0 <= K < N <= "
                    + MAX_SHARDS);
        }
    }

    /** Parses "K/N": decimal digits only on both sides (the key table's {@code k-of-n} check). */
    public static Shard parse(String text) {
        int slash = text.indexOf('/');
        if (slash <= 0 || slash == text.length() - 1 || slash > 5 || text.length() - slash - 1 > 5) {
            throw new IllegalArgumentException("shard \"" + text + "\": expected K/N with 0 <= K < N <= " + MAX_SHARDS);
        }
        return new Shard(digits(text, 0, slash), digits(text, slash + 1, text.length()));
    }

    private static int digits(String s, int from, int to) {
        int v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new IllegalArgumentException("shard \"" + s + "\": expected K/N with 0 <= K < N <= "
                        + MAX_SHARDS);
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** Does this shard own the item that {@code owner} (0..n-1) names? */
    public boolean owns(int owner) {
        return owner == k;
    }

    @Override
    public String toString() {
        return k + "/" + n;
    }
}
