package io.podheitor.hpc.shard;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * The sharding keys of one job, checked together: {@code shard=K/N}, {@code strategy=}, {@code subtree=},
 * {@code mtime_bucket=} (each value already checked on its own by the key table). The rules:
 *
 * <ul>
 *   <li>none of them: no sharding ({@link #of} returns null);
 *   <li>{@code shard} alone: inode-hash; {@code subtree} (with or without {@code shard}): subtree, split by
 *       inode-hash inside when {@code shard} is given;
 *   <li>inode-hash, mtime-bucket and lustre-mdt need {@code shard}; subtree needs {@code subtree};
 *       {@code subtree} belongs to strategy subtree only and {@code mtime_bucket} to mtime-bucket only;
 *   <li>every subtree path lies at or below {@code path=}.
 * </ul>
 *
 * @param strategy      the strategy's key spelling
 * @param shard         K/N, or null (subtree without a split)
 * @param include       subtree: the included paths (empty: all of {@code path=})
 * @param exclude       subtree: the excluded paths
 * @param bucketSeconds mtime-bucket: the bucket width
 */
public record ShardSpec(Kind strategy, Shard shard, List<byte[]> include, List<byte[]> exclude, long bucketSeconds) {
    /** The values of plugin key {@code strategy}. */
    public enum Kind {
        INODE_HASH("inode-hash"), SUBTREE("subtree"), MTIME_BUCKET("mtime-bucket"), LUSTRE_MDT("lustre-mdt");

        private final String key;

        Kind(String key) {
            this.key = key;
        }

        public String key() {
            return key;
        }

        public static Kind of(String key) {
            for (Kind k : values()) {
                if (k.key.equals(key)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("strategy \"" + key + "\": expected inode-hash, subtree, mtime-bucket"
                    + " or lustre-mdt");
        }
    }

    public ShardSpec {
        include = List.copyOf(include);
        exclude = List.copyOf(exclude);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ShardSpec s && s.strategy == strategy && java.util.Objects.equals(s.shard, shard)
                && samePaths(s.include, include) && samePaths(s.exclude, exclude) && s.bucketSeconds == bucketSeconds;
    }

    private static boolean samePaths(List<byte[]> a, List<byte[]> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!java.util.Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        return strategy.hashCode() * 31 + java.util.Objects.hashCode(shard);
    }

    /** For the job log: the strategy and its parameters. */
    @Override
    public String toString() {
        return strategy.key() + (shard == null ? "" : " " + shard) + (strategy == Kind.SUBTREE ? " (" + include.size()
                + " included, " + exclude.size() + " excluded)" : "") + (strategy == Kind.MTIME_BUCKET ? " ("
                + bucketSeconds + " s buckets)" : "");
    }

    /**
     * The sharding of a job, or null when it has none.
     *
     * @param root        {@code path=} (normalized)
     * @param shard       the {@code shard} value or null
     * @param strategy    the {@code strategy} value or null
     * @param subtree     the {@code subtree} value (raw bytes) or null
     * @param bucket      the {@code mtime_bucket} value or null
     * @throws IllegalArgumentException naming the keys that do not go together
     */
    public static ShardSpec of(byte[] root, String shard, String strategy, byte[] subtree, Integer bucket) {
        if (shard == null && strategy == null && subtree == null && bucket == null) {
            return null;
        }
        Kind kind = strategy != null ? Kind.of(strategy) : subtree != null ? Kind.SUBTREE : Kind.INODE_HASH;
        Shard s = shard == null ? null : Shard.parse(shard);
        if (kind != Kind.SUBTREE && s == null) {
            throw new IllegalArgumentException("strategy=" + kind.key() + " needs shard=K/N");
        }
        if (kind == Kind.SUBTREE && subtree == null) {
            throw new IllegalArgumentException("strategy=subtree needs subtree=PATH,...");
        }
        if (kind != Kind.SUBTREE && subtree != null) {
            throw new IllegalArgumentException("subtree= belongs to strategy=subtree, not " + kind.key());
        }
        if (kind != Kind.MTIME_BUCKET && bucket != null) {
            throw new IllegalArgumentException("mtime_bucket= belongs to strategy=mtime-bucket, not " + kind.key());
        }
        List<byte[]> include = new ArrayList<>();
        List<byte[]> exclude = new ArrayList<>();
        if (subtree != null) {
            List<SubtreeList.Element> elements = SubtreeList.parse(subtree);
            for (int i = 0; i < elements.size(); i++) {
                SubtreeList.Element e = elements.get(i);
                if (!Subtree.atOrBelow(e.path(), root)) {
                    throw new IllegalArgumentException("subtree element " + (i + 1) + " is not at or below path=");
                }
                (e.excluded() ? exclude : include).add(e.path());
            }
        }
        return new ShardSpec(kind, s, include, exclude, bucket == null ? MtimeBucket.DEFAULT_BUCKET_SECONDS : bucket);
    }

    /**
     * The shard 0..N-1 whose filter saves a non-directory with this inode number and mtime (the N filters of this
     * spec with K = 0..N-1 decide alike; lustre-mdt as without Lustre): for tools that assign a whole tree in one
     * walk ({@code podheitor-hpc shard-probe}).
     *
     * @throws IllegalStateException for subtree, whose jobs are given by their lists, not by one N
     */
    public int ownerOf(long ino, long mtimeSec) {
        return switch (strategy) {
            case INODE_HASH, LUSTRE_MDT -> ShardHash.shardOf(ino, InodeHash.ROOT_FILE_SYSTEM, shard.n());
            case MTIME_BUCKET -> MtimeBucket.shardOf(mtimeSec, bucketSeconds, shard.n());
            case SUBTREE -> throw new IllegalStateException("subtree has no single owner per file");
        };
    }

    /**
     * The walk filter of this job.
     *
     * @param root   {@code path=}
     * @param lustre the MDT lookup of lustre-mdt ({@link MdtLookup#NONE} where there is none)
     * @param warn   receives at most one job-log warning (lustre-mdt without Lustre, or N unequal to the MDT count)
     */
    public ShardStrategy strategy(byte[] root, MdtLookup lustre, Consumer<String> warn) {
        return switch (strategy) {
            case INODE_HASH -> new InodeHash(shard);
            case SUBTREE -> new Subtree(root, include, exclude, shard == null ? null : new InodeHash(shard));
            case MTIME_BUCKET -> new MtimeBucket(shard, bucketSeconds);
            case LUSTRE_MDT -> {
                OptionalInt mdts = lustre.mdtCount(root);
                if (mdts.isEmpty() || mdts.getAsInt() < 1) {
                    warn.accept("strategy=lustre-mdt: path= is not on Lustre, or neither liblustreapi nor lfs can "
                            + "tell the MDTs; shard " + shard + " uses inode-hash instead");
                    yield new InodeHash(shard);
                }
                if (mdts.getAsInt() != shard.n()) {
                    warn.accept("strategy=lustre-mdt: the file system has " + mdts.getAsInt() + " MDTs and shard="
                            + shard + " makes " + shard.n() + " shards: MDT i goes to shard i mod " + shard.n());
                }
                yield new LustreMdt(shard, lustre, mdts.getAsInt());
            }
        };
    }
}
