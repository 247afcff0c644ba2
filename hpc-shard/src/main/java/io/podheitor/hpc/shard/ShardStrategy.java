package io.podheitor.hpc.shard;

import io.podheitor.hpc.source.EntryFilter;

/**
 * A sharding strategy: a walk filter ({@link EntryFilter}) that lets through what one shard saves. The rules
 * every strategy keeps (docs/sharding.md): every shard walks and saves the directories it needs to reach what it
 * owns; every non-directory below them is saved by exactly one shard of the set; all names of one inode go to the
 * same shard (subtree: within the listed subtrees, see {@link Subtree}).
 */
public sealed interface ShardStrategy extends EntryFilter permits InodeHash, Subtree, MtimeBucket, LustreMdt {
    /** The strategy's plugin-key spelling and its parameters, for the job log (e.g. "inode-hash 2/4"). */
    String describe();

    /** Whether the shard of a non-directory is decided from the listing, before any stat (N shards, ~1 stat each). */
    boolean decidesBeforeStat();
}
