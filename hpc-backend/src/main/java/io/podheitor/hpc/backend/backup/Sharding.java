package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.backend.job.JobInfo;
import io.podheitor.hpc.backend.job.PluginParams;
import io.podheitor.hpc.shard.MdtLookup;
import io.podheitor.hpc.shard.ShardSpec;
import io.podheitor.hpc.shard.ShardStrategy;
import io.podheitor.hpc.source.EntryFilter;
import java.util.function.Consumer;

/**
 * The shard of a backup or estimate (plugin keys shard, strategy, subtree, mtime_bucket; docs/sharding.md) as the
 * walk filter {@link Backup} passes to {@link SourceFactory#open} as its {@code extra} filter, and the seam where
 * the Lustre MDT lookup of {@code strategy=lustre-mdt} plugs in ({@link #lustreLookup}).
 */
public final class Sharding {
    private Sharding() {
    }

    /**
     * THE SEAM for hpc-lustre: the {@link MdtLookup} of {@code strategy=lustre-mdt} (liblustreapi over FFM, or
     * {@code lfs}). Until it is plugged in this is {@link MdtLookup#NONE}: lustre-mdt jobs warn once and use
     * inode-hash. Called once per job that asks for lustre-mdt.
     */
    static MdtLookup lustreLookup(PluginParams params) {
        return MdtLookup.NONE;
    }

    /**
     * The walk filter of this job's shard ({@link EntryFilter#ALL} when it is not sharded); warnings (at most two
     * per job) go to {@code warn}, the job log.
     */
    public static EntryFilter filter(PluginParams params, JobInfo job, boolean withData, Consumer<String> warn) {
        ShardSpec spec = params.sharding();
        if (spec == null) {
            return EntryFilter.ALL;
        }
        MdtLookup lustre = spec.strategy() == ShardSpec.Kind.LUSTRE_MDT ? lustreLookup(params) : MdtLookup.NONE;
        ShardStrategy s = spec.strategy(params.path(), lustre, warn);
        if (withData && spec.strategy() == ShardSpec.Kind.MTIME_BUCKET && job.isIncremental() && !job.accurate()) {
            warn.accept("strategy=mtime-bucket without Accurate: a file whose mtime moved it to another shard keeps "
                    + "its old copy as the latest in its old shard's catalog; use Accurate = yes (docs/sharding.md)");
        }
        return s;
    }

    /** The line the job log gets at the start of a sharded job, or null. */
    public static String describe(EntryFilter f) {
        return f instanceof ShardStrategy s ? "shard: " + s.describe() : null;
    }
}
