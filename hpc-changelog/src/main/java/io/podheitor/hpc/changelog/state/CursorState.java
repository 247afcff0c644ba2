package io.podheitor.hpc.changelog.state;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The changelog state of one FileSet + shard (docs/changelog.md §3).
 *
 * @param consumer the changelog consumer id the cursors belong to ({@code cl1}, {@code cl2-backup}), or null
 * @param lastRun when the last run read records (or null)
 * @param committed per MDT, the last record a job that ended OK has saved
 * @param pending per MDT, the last record read by the run whose end is not yet known
 * @param consumerLost MDTs where a clear said the consumer is gone (the next run walks)
 */
public record CursorState(String consumer, Instant lastRun, Map<String, Long> committed, Map<String, Long> pending,
        Set<String> consumerLost) {
    public CursorState {
        committed = java.util.Collections.unmodifiableMap(new TreeMap<>(committed));
        pending = java.util.Collections.unmodifiableMap(new TreeMap<>(pending));
        consumerLost = java.util.Collections.unmodifiableSet(new TreeSet<>(consumerLost));
    }

    public static CursorState empty() {
        return new CursorState(null, null, Map.of(), Map.of(), Set.of());
    }
}
