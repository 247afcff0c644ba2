package io.podheitor.hpc.changelog.beegfs;

/**
 * One metadata target of BeeGFS as {@code beegfs-ctl --listtargets --nodetype=meta --state} lists it.
 *
 * @param targetId the target id
 * @param reachability {@code Online}, {@code Probably Offline}, {@code Offline} (null without {@code --state})
 * @param consistency {@code Good}, {@code Needs-resync}, ... (null without {@code --state})
 * @param nodeId the node serving it
 */
public record MetaTarget(int targetId, String reachability, String consistency, int nodeId) {
    /** Whether a walker can use it now (online and consistent, or no state was asked for). */
    public boolean usable() {
        return reachability == null || ("Online".equals(reachability) && "Good".equals(consistency));
    }
}
