package io.podheitor.hpc.changelog.ceph;

import io.podheitor.hpc.source.CatalogVerdict;
import io.podheitor.hpc.source.EntrySource;
import io.podheitor.hpc.source.Ordering;
import io.podheitor.hpc.source.SourceEnd;
import io.podheitor.hpc.source.SourceItem;
import io.podheitor.hpc.source.SourceStats;
import io.podheitor.hpc.walker.Walk;
import io.podheitor.hpc.walker.WalkOptions;

/**
 * The walk of a CephFS rctime job: {@link Walk} with the {@link RctimePruner} in its filter, and the pruner's KEEP
 * verdicts delivered between the walk's items (before the walk's end, so every KEEP reaches the shim). A KEEP is
 * queued when the pruner leaves a directory out, which is before that directory's entry enters the walk's channel,
 * so the queue holds at most about as many verdicts as the channel holds entries.
 */
public final class PrunedWalk implements EntrySource {
    private final Walk walk;
    private final RctimePruner pruner;

    private PrunedWalk(Walk walk, RctimePruner pruner) {
        this.walk = walk;
        this.pruner = pruner;
    }

    /**
     * @param options the walk's options, whose filter already asks {@code pruner} (last, so that it is asked only
     *                about directories the other filters walk; the root is recorded by whoever made the pruner)
     */
    public static PrunedWalk start(byte[] root, WalkOptions options, RctimePruner pruner) {
        return new PrunedWalk(Walk.start(root, options), pruner);
    }

    @Override
    public Ordering ordering() {
        return walk.ordering();
    }

    @Override
    public SourceItem take() throws InterruptedException {
        CatalogVerdict v = pruner.pollVerdict();
        if (v != null) {
            return v;
        }
        SourceItem item = walk.take();
        return ahead(item);
    }

    @Override
    public SourceItem poll() {
        CatalogVerdict v = pruner.pollVerdict();
        if (v != null) {
            return v;
        }
        SourceItem item = walk.poll();
        return item == null ? null : ahead(item);
    }

    /**
     * The walk's end waits until the verdicts queued before it are out (the walk returns its end again to the
     * next call); other items go as they come.
     */
    private SourceItem ahead(SourceItem item) {
        if (item instanceof SourceEnd end && !end.cancelled()) {
            CatalogVerdict v = pruner.pollVerdict();
            if (v != null) {
                return v;
            }
        }
        return item;
    }

    @Override
    public SourceStats stats() {
        return walk.stats();
    }

    @Override
    public void cancel() {
        walk.cancel();
    }

    @Override
    public void close() {
        walk.close();
    }
}
