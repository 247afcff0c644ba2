package io.podheitor.hpc.cli.genfileset;

import java.util.List;

/**
 * What {@code gen-fileset} was asked for, as given (checked by {@link Planner#plan}).
 *
 * @param path         the tree (plugin key {@code path})
 * @param shards       N, 1..4096
 * @param strategy     plugin key {@code strategy}
 * @param mtimeBucket  plugin key {@code mtime_bucket}, or null
 * @param subtrees     strategy subtree: one {@code subtree=} value per shard (N, or N-1: the last shard then
 *                     gets "the rest")
 * @param mode         plugin key {@code mode}, or null
 * @param topology     how Volumes are kept apart
 * @param storages     Director Storage names, assigned round-robin
 * @param clients      Director Client names, assigned round-robin
 * @param schedule     a Schedule name for every Job, or null
 * @param name         prefix of every resource name
 * @param jobDefs      a JobDefs for every Job, or null
 * @param messages     the Messages resource of the Jobs
 * @param restoreWhere where the README's restore examples restore to
 * @param signature    the FileSet {@code signature} option, or "none"
 * @param accurate     Accurate = yes|no in every Job
 * @param priority     the Jobs' Priority (the same for all: Bacula runs jobs of different priorities one after the
 *                     other)
 * @param changelogUsers mode=lustre: one changelog consumer id per shard (plugin key {@code changelog_user}), or
 *                     none
 * @param extraKeys    further plugin keys, {@code key=value} each
 * @param scheduler    where the scans run: {@code --scheduler} and the Slurm options
 * @param commandLine  the command line, for the header comment
 */
public record GenRequest(String path, int shards, String strategy, Integer mtimeBucket, List<String> subtrees,
        String mode, Topology topology, List<String> storages, List<String> clients, String schedule, String name,
        String jobDefs, String messages, String restoreWhere, String signature, boolean accurate, int priority,
        List<String> changelogUsers, List<String> extraKeys, SchedulerRequest scheduler, String commandLine) {
    public GenRequest {
        changelogUsers = List.copyOf(changelogUsers);
        subtrees = List.copyOf(subtrees);
        storages = List.copyOf(storages);
        clients = List.copyOf(clients);
        extraKeys = List.copyOf(extraKeys);
        java.util.Objects.requireNonNull(scheduler, "scheduler");
    }
}
