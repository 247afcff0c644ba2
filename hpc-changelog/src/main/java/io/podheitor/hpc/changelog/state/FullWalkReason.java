package io.podheitor.hpc.changelog.state;

/** Why a changelog cannot say what changed since the last backup, so this run must walk. */
public enum FullWalkReason {
    /** No cursor for this MDT yet (first run, or a new state directory). */
    NO_CURSOR,
    /** The state was written for another consumer id (the configuration changed). */
    CONSUMER_CHANGED,
    /** The consumer is no longer registered (deregistered, or garbage-collected by the MDS after idling). */
    CONSUMER_GONE,
    /** Records after the cursor are missing (purged): the first record read is not the one after the cursor. */
    GAP,
    /** The MDT's record numbers went back below the cursor (a reformatted or restored MDT). */
    RESET,
    /** More distinct changes than the collapse holds in memory. */
    TOO_MANY_CHANGES,
    /** The changelog could not be read (lfs failed). */
    CHANGELOG_FAILED
}
