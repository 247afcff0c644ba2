package io.podheitor.hpc.changelog.state;

/** Where a run starts on one MDT: at a record after the cursor, or with a full walk (and why). */
public sealed interface StartPoint {
    /** Read records from {@code firstRecord} on; the cursor is {@code firstRecord - 1}. */
    record Incremental(String mdt, long firstRecord) implements StartPoint {
    }

    /** Walk the tree; {@code message} is the one job-log line that says why. */
    record FullWalk(String mdt, FullWalkReason reason, String message) implements StartPoint {
    }
}
