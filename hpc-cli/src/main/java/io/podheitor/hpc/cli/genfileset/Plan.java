package io.podheitor.hpc.cli.genfileset;

import java.util.List;

/**
 * The resources {@code gen-fileset} writes: one FileSet and Job per shard, and the Pools of the topology.
 *
 * @param request the checked request
 * @param root    {@code path=} normalized (repeated and trailing slashes removed)
 * @param jobs    the shards' jobs, shard 0 first
 * @param pools   the Pools, each with the shards that write to it
 * @param scheduler the scheduler keys of every shard's plugin string, in the key table's order (key -> value, as
 *                written before the plugin-string escapes); empty for --scheduler local
 */
public record Plan(GenRequest request, String root, List<ShardJob> jobs, List<PoolDef> pools,
        java.util.Map<String, String> scheduler) {
    public Plan {
        jobs = List.copyOf(jobs);
        pools = List.copyOf(pools);
        scheduler = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(scheduler));
    }

    /**
     * One shard's Job and FileSet.
     *
     * @param k       the shard, 0..N-1
     * @param job     the Job's name
     * @param fileSet the FileSet's name
     * @param pool    the Pool's name
     * @param client  the Client's name
     * @param storage the Storage's name
     * @param plugin  the plugin string (plugin-string escapes applied, configuration-string escapes not yet)
     */
    public record ShardJob(int k, String job, String fileSet, String pool, String client, String storage,
            String plugin) {
    }

    /**
     * A Pool.
     *
     * @param name            its name
     * @param storage         its Storage
     * @param labelFormat     its Label Format
     * @param oneJobPerVolume {@code Maximum Volume Jobs = 1}
     * @param shards          the shards that write to it
     */
    public record PoolDef(String name, String storage, String labelFormat, boolean oneJobPerVolume,
            List<Integer> shards) {
        public PoolDef {
            shards = List.copyOf(shards);
        }
    }

    /** How many shards run on each of these names (Clients or Storages), in the order given. */
    public java.util.LinkedHashMap<String, Integer> countBy(java.util.function.Function<ShardJob, String> f) {
        java.util.LinkedHashMap<String, Integer> m = new java.util.LinkedHashMap<>();
        for (ShardJob j : jobs) {
            m.merge(f.apply(j), 1, Integer::sum);
        }
        return m;
    }
}
