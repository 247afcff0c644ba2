package io.podheitor.hpc.source;

import io.podheitor.hpc.posix.StatX;

/**
 * The time rule of an Incremental or Differential without a change log: an entry counts as changed when its
 * mtime or its ctime is at or after {@code since} (unix seconds; ctime catches a chmod, a chown, a rename and
 * an mtime set back by a copy tool). Directories follow the same rule, as stock bacula-fd's (find_one.c sends an
 * unchanged directory as FT_DIRNOCHG, which is not saved): a directory changes when a name in it is added, removed
 * or renamed, or its own attributes change. A restore of the latest state takes an unchanged directory from the
 * earlier job that saved it.
 */
public record ChangedSince(long since) {
    /** Everything counts as changed (a Full backup, or no Since). */
    public static final ChangedSince EVERYTHING = new ChangedSince(Long.MIN_VALUE);

    public boolean changed(StatX st) {
        return st.mtimeSec() >= since || st.ctimeSec() >= since;
    }

    public boolean isEverything() {
        return since == Long.MIN_VALUE;
    }

    /** As a walk filter: only changed entries are delivered (everything is still stat'ed and walked, the root too). */
    public EntryFilter asFilter() {
        if (isEverything()) {
            return EntryFilter.ALL;
        }
        return new EntryFilter() {
            @Override
            public boolean admits(byte[] path, StatX st) {
                return changed(st);
            }

            @Override
            public String toString() {
                return "changed since " + since;
            }
        };
    }
}
