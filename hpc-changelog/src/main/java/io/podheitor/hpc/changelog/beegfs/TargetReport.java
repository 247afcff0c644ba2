package io.podheitor.hpc.changelog.beegfs;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** What each metadata target's walk did (written by {@link PerTargetWalk}, read for the job log at the end). */
public final class TargetReport {
    private final List<OwnerPartition.Lane> lanes;
    private final long[][] done; // per lane: top directories, entries, errors, nanoseconds; null until it ended

    public TargetReport(OwnerPartition partition) {
        this.lanes = partition.lanes();
        this.done = new long[lanes.size()][];
    }

    synchronized void lane(int index, long directories, long entries, long errors, long nanos) {
        done[index] = new long[] {directories, entries, errors, nanos};
    }

    /** "beegfs: per target: meta01 [ID: 1] 3 top directories, 120 entries in 0.4 s; ...", or null before any. */
    public synchronized String summary() {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < done.length; i++) {
            long[] d = done[i];
            if (d != null) {
                parts.add(String.format(Locale.ROOT, "%s [ID: %d] %d top directories, %d entries%s in %.1f s",
                        lanes.get(i).name(), lanes.get(i).nodeId(), d[0], d[1],
                        d[2] == 0 ? "" : ", " + d[2] + " errors", d[3] / 1e9));
            }
        }
        return parts.isEmpty() ? null : "beegfs: per target: " + String.join("; ", parts);
    }
}
