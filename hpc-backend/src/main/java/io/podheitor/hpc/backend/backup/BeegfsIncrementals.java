package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.backend.job.PluginParams;
import io.podheitor.hpc.changelog.beegfs.BeegfsCtl;
import io.podheitor.hpc.changelog.beegfs.MetaTarget;
import io.podheitor.hpc.changelog.beegfs.OwnerPartition;
import io.podheitor.hpc.changelog.beegfs.TargetReport;
import io.podheitor.hpc.changelog.beegfs.TopDirectories;
import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.walker.Paths;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code mode=beegfs} (docs/changelog.md §6): BeeGFS has no change log a backup can read, so every backup (Full,
 * Incremental, Differential) walks by time as every mode does; what changes is how: one walk per metadata target
 * over the top directories it owns ({@link OwnerPartition}, {@code beegfs-ctl --getentryinfo}), in parallel
 * ({@link io.podheitor.hpc.changelog.beegfs.PerTargetWalk}). No {@code beegfs-ctl}, or any failure to list the
 * targets: one warning and the plain walk. An estimate walks plainly.
 */
final class BeegfsIncrementals {
    /** Top directories whose owner is asked at most (one process each); the rest are spread by name. */
    static final int MAX_LOOKUPS = 1024;

    private BeegfsIncrementals() {
    }

    static ChangeDriver decide(PluginParams params, boolean withData, Optional<BeegfsCtl> ctl) {
        List<String> infos = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        if (params.changes().changelogUser() != null) {
            warnings.add("changelog_user is read only with mode=lustre (this job: mode=beegfs): ignored");
        }
        if (!withData) {
            return ChangeDriver.decided(new ChangeDriver.Choice.Walk(), infos, warnings);
        }
        if (ctl.isEmpty()) {
            warnings.add("beegfs: no beegfs-ctl on the backend's PATH (BeeGFS 8's beegfs tool is not supported yet): "
                    + "the job walks the tree with one pool of walker threads");
            return ChangeDriver.decided(new ChangeDriver.Choice.Walk(), infos, warnings);
        }
        byte[] root = params.path();
        List<MetaTarget> targets;
        try {
            targets = ctl.get().metaTargets();
        } catch (IOException e) {
            warnings.add("beegfs: cannot list the metadata targets (" + e.getMessage() + "): the job walks the tree "
                    + "with one pool of walker threads");
            return ChangeDriver.decided(new ChangeDriver.Choice.Walk(), infos, warnings);
        }
        if (targets.isEmpty()) {
            warnings.add("beegfs: beegfs-ctl lists no metadata target: the job walks the tree with one pool of "
                    + "walker threads");
            return ChangeDriver.decided(new ChangeDriver.Choice.Walk(), infos, warnings);
        }
        List<byte[]> tops;
        try {
            tops = TopDirectories.of(root);
        } catch (PosixException e) {
            return ChangeDriver.decided(new ChangeDriver.Choice.Walk(), infos, warnings); // the walk reports it
        }
        if (tops.isEmpty()) {
            infos.add("beegfs: \"" + PathText.render(root) + "\" has no directory below it: one walk");
            return ChangeDriver.decided(new ChangeDriver.Choice.Walk(), infos, warnings);
        }
        OwnerPartition partition;
        try {
            partition = OwnerPartition.of(tops, targets, name -> ctl.get().entryInfo(Paths.join(root, name)),
                    MAX_LOOKUPS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            warnings.add("beegfs: interrupted while asking for the owners of the top directories: the job walks the "
                    + "tree with one pool of walker threads");
            return ChangeDriver.decided(new ChangeDriver.Choice.Walk(), infos, warnings);
        }
        warnings.addAll(partition.warnings());
        if (partition.lanes().isEmpty()) {
            warnings.add("beegfs: no metadata target to walk for: the job walks the tree with one pool of walker "
                    + "threads");
            return ChangeDriver.decided(new ChangeDriver.Choice.Walk(), infos, warnings);
        }
        List<String> listed = new ArrayList<>();
        for (MetaTarget t : targets) {
            listed.add(t.targetId() + (t.reachability() == null ? "" : " " + t.reachability() + "/" + t.consistency()));
        }
        int lanes = partition.lanes().size();
        infos.add("beegfs: " + targets.size() + " metadata targets (" + String.join(", ", listed) + "); the tree's "
                + tops.size() + " top directories walked per target: " + partition.describe()
                + (tops.size() > MAX_LOOKUPS ? " (the owners of the " + (tops.size() - MAX_LOOKUPS)
                        + " beyond the first " + MAX_LOOKUPS + " are not asked: spread by name)" : "")
                + "; " + Math.max(2, params.threads() / lanes) + " walker threads per target; no change log: every "
                + "entry is stat'ed, the time rule decides what is saved");
        return ChangeDriver.decided(new ChangeDriver.Choice.PerTargetWalk(partition, new TargetReport(partition)),
                infos, warnings);
    }
}
