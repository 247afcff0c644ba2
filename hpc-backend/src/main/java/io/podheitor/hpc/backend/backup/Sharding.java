package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.backend.job.JobInfo;
import io.podheitor.hpc.backend.job.PluginParams;
import io.podheitor.hpc.shard.MdtLookup;
import io.podheitor.hpc.shard.ShardSpec;
import io.podheitor.hpc.shard.ShardStrategy;
import io.podheitor.hpc.source.EntryFilter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * The shard of one backup or estimate (plugin keys shard, strategy, subtree, mtime_bucket; docs/sharding.md): the
 * walk filter {@link Backup} passes to {@link SourceFactory#open} as its {@code extra} filter, the job-log lines
 * that go with it, and for {@code strategy=lustre-mdt} the MDT lookup of hpc-lustre (liblustreapi through FFM, else
 * {@code lfs}), which stays open for the job and is closed with it.
 */
public final class Sharding implements AutoCloseable {
    private final EntryFilter filter;
    private final List<String> warnings;
    private final LustreMdtLookup lookup;

    private Sharding(EntryFilter filter, List<String> warnings, LustreMdtLookup lookup) {
        this.filter = filter;
        this.warnings = List.copyOf(warnings);
        this.lookup = lookup;
    }

    /** The shard of this job, with this process's Lustre (hpc-lustre's {@code MdtLookup.system()}). */
    public static Sharding of(PluginParams params, JobInfo job, boolean withData) {
        return of(params, job, withData, io.podheitor.hpc.lustre.MdtLookup::system);
    }

    /** The same with the Lustre lookup from {@code lustre}, asked only when the job uses lustre-mdt. */
    static Sharding of(PluginParams params, JobInfo job, boolean withData,
            Supplier<io.podheitor.hpc.lustre.MdtLookup> lustre) {
        ShardSpec spec = params.sharding();
        if (spec == null) {
            return new Sharding(EntryFilter.ALL, List.of(), null);
        }
        List<String> warnings = new ArrayList<>();
        LustreMdtLookup lookup = spec.strategy() == ShardSpec.Kind.LUSTRE_MDT ? new LustreMdtLookup(lustre.get()) : null;
        ShardStrategy s = spec.strategy(params.path(), lookup != null ? lookup : MdtLookup.NONE, warnings::add);
        if (withData && spec.strategy() == ShardSpec.Kind.MTIME_BUCKET && job.isIncremental() && !job.accurate()) {
            warnings.add("strategy=mtime-bucket without Accurate: a file whose mtime moved it to another shard keeps "
                    + "its old copy as the latest in its old shard's catalog; use Accurate = yes (docs/sharding.md)");
        }
        return new Sharding(s, warnings, lookup);
    }

    /** The walk filter ({@link EntryFilter#ALL} when the job is not sharded). */
    public EntryFilter filter() {
        return filter;
    }

    /** The job-log warnings of the start of the job (at most two). */
    public List<String> warnings() {
        return warnings;
    }

    /** The line the job log gets at the start of a sharded job, or null. */
    public String describe() {
        return filter instanceof ShardStrategy s ? "shard: " + s.describe() : null;
    }

    /** The job-log warning at the end of the job (lustre-mdt lookups that failed), or null. */
    public String closingWarning() {
        return lookup == null ? null : lookup.failureSummary();
    }

    @Override
    public void close() {
        if (lookup != null) {
            lookup.close();
        }
    }
}
