package io.podheitor.hpc.cli.genfileset;

/** How {@code gen-fileset} keeps the N shards' jobs on separate Volumes (docs/sharding.md §8). */
public enum Topology {
    /** One Pool per shard ({@code Label Format = "NAME-K-"}): a Volume only ever holds one shard's jobs. */
    PER_SHARD_POOL("per-shard-pool"),
    /** One Pool for all shards with {@code Maximum Volume Jobs = 1}: every job gets a Volume of its own. */
    MAX_VOLUME_JOBS("max-volume-jobs"),
    /** Shards assigned round-robin to the Storages of {@code --storage}, one Pool per Storage with
     *  {@code Maximum Volume Jobs = 1}. */
    MULTI_STORAGE("multi-storage");

    private final String key;

    Topology(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    /** The topology spelled {@code key}; IllegalArgumentException listing the names otherwise. */
    public static Topology of(String key) {
        for (Topology t : values()) {
            if (t.key.equals(key)) {
                return t;
            }
        }
        throw new IllegalArgumentException("--topology \"" + key
                + "\": expected per-shard-pool, max-volume-jobs or multi-storage");
    }
}
