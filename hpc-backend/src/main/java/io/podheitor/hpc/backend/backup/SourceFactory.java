package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.backend.job.JobInfo;
import io.podheitor.hpc.backend.job.PluginParams;
import io.podheitor.hpc.changelog.ceph.PrunedWalk;
import io.podheitor.hpc.changelog.source.ChangeSetSource;
import io.podheitor.hpc.posix.Xattrs;
import io.podheitor.hpc.source.EntryFilter;
import io.podheitor.hpc.source.EntrySource;
import io.podheitor.hpc.walker.Walk;
import io.podheitor.hpc.walker.WalkLimits;
import io.podheitor.hpc.walker.WalkOptions;

/**
 * Chooses the entry source of a backup or estimate: ONE place that reads the typed {@code mode}, the job's level
 * and its change policy, with what the job's {@link ChangeDriver} decided: the walk, the walk pruned by CephFS
 * rctimes, the walk split over BeeGFS metadata targets, or the paths a change source named (Lustre changelog, GPFS policy scan); drivers fall back to the walk
 * when their state (a cursor, a previous run) is missing.
 *
 * <p>The source delivers only what the {@link ChangePolicy} says the job sends, filtered before the metadata calls
 * ({@link EntryFilter}); {@code extra} is ANDed in (shard strategies will be such filters).
 */
public final class SourceFactory {
    private SourceFactory() {
    }

    public static EntrySource open(PluginParams params, JobInfo job, ChangePolicy policy, boolean withData, EntryFilter extra) {
        return open(params, job, policy, withData, extra, new ChangeDriver.Choice.Walk());
    }

    /**
     * As above, with what the job's {@link ChangeDriver} decided: the walk, or the changes a change source named
     * (stat'ed and delivered by a {@link ChangeSetSource}, renamed directories walked whole, the shard filter
     * applied, the time rule not: a file moved with its directory keeps its old times; first the verdicts on the
     * earlier catalog the change source states: the Lustre changelog the root kept and every deleted path gone, the
     * GPFS policy scan those of its changed directories, docs/changelog.md §5.3).
     */
    static EntrySource open(PluginParams params, JobInfo job, ChangePolicy policy, boolean withData, EntryFilter extra,
            ChangeDriver.Choice choice) {
        return open(params, job, policy, withData, extra, choice, WalkLimits.NONE);
    }

    /** As above, the walks consulting {@code limits} while they run (the throttle, docs/throttle.md). */
    static EntrySource open(PluginParams params, JobInfo job, ChangePolicy policy, boolean withData, EntryFilter extra,
            ChangeDriver.Choice choice, WalkLimits limits) {
        return switch (choice) {
            case ChangeDriver.Choice.Changes c -> ChangeSetSource.start(c.verdicts().get(), c.saves(), extra,
                    walkOptions(params, policy, withData).withLimits(limits), params.threads(), ChangeSetSource.DEFAULT_WINDOW);
            case ChangeDriver.Choice.PrunedWalk p -> PrunedWalk.start(params.path(),
                    walkOptions(params, policy, withData).withLimits(limits).withFilter(policy.delivered().asFilter().and(extra)
                            .and(p.asked())), p.pruner());
            case ChangeDriver.Choice.PerTargetWalk t -> io.podheitor.hpc.changelog.beegfs.PerTargetWalk.start(
                    params.path(), walkOptions(params, policy, withData).withLimits(limits).withFilter(policy.delivered().asFilter()
                            .and(extra)), t.partition(), t.report());
            case ChangeDriver.Choice.Walk w -> {
                EntryFilter filter = policy.delivered().asFilter().and(extra);
                yield switch (params.mode()) {
                    case POSIX, LUSTRE, GPFS, CEPHFS, BEEGFS, WEKA -> Walk.start(params.path(),
                            walkOptions(params, policy, withData).withLimits(limits).withFilter(filter));
                };
            }
        };
    }

    /**
     * The walk of a backup reads small files and every entry's extended attributes in its threads; an estimate
     * sends no data and reads nothing ahead.
     */
    public static WalkOptions walkOptions(PluginParams params, ChangePolicy policy, boolean withData) {
        WalkOptions o = new WalkOptions(params.threads(), params.channelDepth(), false);
        if (!withData) {
            return o;
        }
        return o.withReadAhead(params.readAhead(), WalkOptions.DEFAULT_READ_AHEAD_BUDGET)
                .withXattrs(Xattrs.Scope.of(params.aclSupport(), params.xattrSupport()))
                .withReadAheadWhen(policy.readAhead());
    }
}
