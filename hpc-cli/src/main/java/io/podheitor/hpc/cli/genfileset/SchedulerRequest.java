package io.podheitor.hpc.cli.genfileset;

/**
 * Where the shards' scans run, as given to {@code gen-fileset} (checked by {@link Planner#plan}): {@code --scheduler}
 * and the options of {@code scheduler=slurm}, each written as the plugin key of the same meaning into every shard's
 * plugin string (docs/sharding.md §8, docs/slurm.md). A null value or a false flag: not given.
 *
 * @param scheduler       {@code local} or {@code slurm} (plugin key {@code scheduler})
 * @param partition       {@code partition}
 * @param cpus            {@code cpus}, as given (the key table checks the number)
 * @param mem             {@code mem}
 * @param time            {@code time}
 * @param sbatchArgs      {@code sbatch_args}, blank-separated words
 * @param slurmConf       {@code slurm_conf}
 * @param relay           {@code relay}: auto, unix or tcp
 * @param relayBind       {@code relay_bind}
 * @param relayLz4        {@code relay_lz4=yes}
 * @param oneNodePerShard {@code --exclusive} in every shard's {@code sbatch_args}
 */
public record SchedulerRequest(String scheduler, String partition, String cpus, String mem, String time,
        String sbatchArgs, String slurmConf, String relay, String relayBind, boolean relayLz4,
        boolean oneNodePerShard) {
    /** The default: the scan runs in the backend bacula-fd started, no scheduler key is written. */
    public static final SchedulerRequest LOCAL = new SchedulerRequest("local", null, null, null, null, null, null,
            null, null, false, false);

    /** {@code --scheduler slurm}. */
    public boolean slurm() {
        return "slurm".equals(scheduler);
    }
}
