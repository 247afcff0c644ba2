package io.podheitor.hpc.cli.throttle;

import io.podheitor.hpc.ptcomm.throttle.ThrottleValues;
import java.util.List;

/**
 * The throttle daemon's rule (docs/throttle.md §2): from the priorities of the running Slurm jobs to a contention
 * level, and from the level to the values of throttle.toml.
 *
 * <p>load = running jobs + (highWeight - 1) × running jobs whose priority is at least {@code highPriority} (so a
 * high-priority job counts {@code highWeight} times; {@code highPriority} 0 = no job is high-priority). Then
 * level IDLE when load is 0, LIGHT below {@code busyLoad}, BUSY below {@code saturatedLoad}, SATURATED from there.
 *
 * @param busyLoad      the load from which the cluster is BUSY, >= 1
 * @param saturatedLoad the load from which it is SATURATED, > busyLoad
 * @param highPriority  the priority (Slurm's %Q) from which a job is high-priority; 0 = none is
 * @param highWeight    how many jobs a high-priority job counts as, >= 1
 */
public record ContentionRule(long busyLoad, long saturatedLoad, long highPriority, long highWeight) {
    public static final ContentionRule DEFAULT = new ContentionRule(8, 32, 0, 4);

    public ContentionRule {
        if (busyLoad < 1 || saturatedLoad <= busyLoad) {
            throw new IllegalArgumentException("need 1 <= busy load < saturated load, not " + busyLoad + " and "
                    + saturatedLoad);
        }
        if (highPriority < 0 || highWeight < 1) {
            throw new IllegalArgumentException("need high priority >= 0 and high-priority weight >= 1");
        }
    }

    /** The levels and the values each writes. IDLE's are the backend's defaults on a small host: no throttling. */
    public enum Level {
        IDLE(new ThrottleValues(64, 16384, 0)),
        LIGHT(new ThrottleValues(32, 8192, 0)),
        BUSY(new ThrottleValues(8, 2048, 20)),
        SATURATED(new ThrottleValues(2, 512, 200));

        private final ThrottleValues values;

        Level(ThrottleValues values) {
            this.values = values;
        }

        public ThrottleValues throttle() {
            return values;
        }

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** What one poll saw and what it makes of it. */
    public record Assessment(int running, int highPriority, long load, Level level) {
        public String describe() {
            return "level " + level.key() + ": " + running + " running job" + (running == 1 ? "" : "s")
                    + (highPriority > 0 ? " (" + highPriority + " high-priority)" : "") + ", load " + load;
        }
    }

    public Assessment assess(List<Long> priorities) {
        int high = 0;
        if (highPriority > 0) {
            for (long p : priorities) {
                if (p >= highPriority) {
                    high++;
                }
            }
        }
        long load = priorities.size() + (highWeight - 1) * high;
        Level level = load == 0 ? Level.IDLE : load < busyLoad ? Level.LIGHT : load < saturatedLoad ? Level.BUSY
                : Level.SATURATED;
        return new Assessment(priorities.size(), high, load, level);
    }
}
