package io.podheitor.hpc.source;

import io.podheitor.hpc.posix.StatX;

/**
 * What a source consults BEFORE it spends a metadata call, so that a filter saves metadata-server work instead of
 * dropping entries after the fact (N shards must not mean N full stat walks). Three questions, asked in this
 * order for each name a directory listing returns:
 *
 * <ol>
 *   <li>{@link #admitsName}: from the listing alone (parent path, name, {@code d_ino}, {@code d_type}), before
 *       the stat. false = the name is not stat'ed, not delivered and, for a directory, not walked.
 *   <li>{@link #admitsListed} (a listed name) or {@link #admits} (the root): after the stat: is the entry
 *       delivered? For a directory this is its own entry (which comes after its contents); it does not decide
 *       whether the directory is walked.
 *   <li>{@link #descends}: after the stat of a directory: is it walked (listed, its names asked again)?
 * </ol>
 *
 * The source's root is always walked, and delivered when {@link #admits} says so. Implementations are called
 * from many walker threads at once and must be thread-safe and cheap; they must not block.
 */
public interface EntryFilter {
    /** Admits everything (the default of a Full backup). */
    EntryFilter ALL = new EntryFilter() {
        @Override
        public EntryFilter and(EntryFilter other) {
            return other;
        }

        @Override
        public String toString() {
            return "all";
        }
    };

    /**
     * Before the stat of {@code name} in directory {@code parent}.
     *
     * @param dIno  the inode number from the listing (0 when the file system does not report one)
     * @param dType the listing's type, a {@code FileMode.DT_*} value ({@code DT_UNKNOWN} on some file systems)
     */
    default boolean admitsName(byte[] parent, byte[] name, long dIno, int dType) {
        return true;
    }

    /** After the stat: deliver the entry at {@code path}? */
    default boolean admits(byte[] path, StatX st) {
        return true;
    }

    /**
     * After the stat of a name a directory listing returned, with what the listing said about it (the same
     * {@code dIno} and {@code dType} {@link #admitsName} was given). The default is {@link #admits}; a filter that
     * decides from the listing (a shard) overrides it so that the decision is taken exactly once per name, from
     * the listing when it could be taken there and from the stat only when it could not ({@code DT_UNKNOWN},
     * {@code d_ino} 0).
     */
    default boolean admitsListed(byte[] path, StatX st, long dIno, int dType) {
        return admits(path, st);
    }

    /** After the stat of a directory below the root: walk into it? */
    default boolean descends(byte[] path, StatX dir) {
        return true;
    }

    /** Both filters: an entry passes when it passes both. */
    default EntryFilter and(EntryFilter other) {
        if (other == ALL) {
            return this;
        }
        EntryFilter first = this;
        return new EntryFilter() {
            @Override
            public boolean admitsName(byte[] parent, byte[] name, long dIno, int dType) {
                return first.admitsName(parent, name, dIno, dType) && other.admitsName(parent, name, dIno, dType);
            }

            @Override
            public boolean admits(byte[] path, StatX st) {
                return first.admits(path, st) && other.admits(path, st);
            }

            @Override
            public boolean admitsListed(byte[] path, StatX st, long dIno, int dType) {
                return first.admitsListed(path, st, dIno, dType) && other.admitsListed(path, st, dIno, dType);
            }

            @Override
            public boolean descends(byte[] path, StatX dir) {
                return first.descends(path, dir) && other.descends(path, dir);
            }

            @Override
            public String toString() {
                return first + " and " + other;
            }
        };
    }
}
