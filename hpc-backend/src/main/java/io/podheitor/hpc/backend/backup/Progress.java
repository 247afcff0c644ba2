package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.ptcomm.FrameWriter;
import io.podheitor.hpc.ptcomm.Status;
import io.podheitor.hpc.source.SourceStats;
import java.io.IOException;
import java.time.InstantSource;
import java.util.Locale;

/**
 * What an operator sees of a long job (plugin keys {@code progress}, {@code metrics_dir}): every {@code interval}
 * one job-log line with the entries walked, files and bytes sent, errors so far, entries/s over the last
 * interval and the walker's threads; at the end one summary line (time, entries/s, files and bytes, the largest
 * directory, the backend's peak memory, what was not saved). The same figures go to the metrics file when there
 * is one. Time comes from an injected {@link InstantSource} (tests use a fake clock).
 */
final class Progress {
    private final FrameWriter out;
    private final InstantSource clock;
    private final long intervalMillis; // 0 = no progress lines
    private final MetricsFile metrics; // or null
    private final long start;
    private long lastAt;
    private long lastEntries;
    private int calls;

    Progress(FrameWriter out, InstantSource clock, int intervalMinutes, MetricsFile metrics) {
        this.out = out;
        this.clock = clock;
        this.intervalMillis = intervalMinutes * 60_000L;
        this.metrics = metrics;
        this.start = clock.millis();
        this.lastAt = start;
    }

    /** Called for every item the emitter takes; looks at the clock every 256 calls. */
    void tick(SourceStats stats, JobReport report) throws IOException {
        if ((++calls & 255) != 0 || intervalMillis == 0) {
            return;
        }
        long now = clock.millis();
        if (now - lastAt < intervalMillis) {
            return;
        }
        double rate = (stats.entries() - lastEntries) * 1000.0 / Math.max(1, now - lastAt);
        out.message(Status.INFO, String.format(Locale.ROOT,
                "progress: %,d entries walked, %,d files and %s sent, %,d errors, %,.0f entries/s over the last %s,"
                        + " %d threads", stats.entries(), report.records(), bytes(report.dataBytes()),
                errors(stats, report), rate, minutes(now - lastAt), stats.threads()));
        out.flush();
        if (metrics != null) {
            metrics.write(figures(stats, report, now, rate, false));
        }
        lastAt = now;
        lastEntries = stats.entries();
    }

    /** The closing line (and the last metrics file), after the source ended. */
    void summary(SourceStats stats, JobReport report, long peakRssBytes) throws IOException {
        long now = clock.millis();
        double seconds = Math.max(1, now - start) / 1000.0;
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT,
                "summary: %,d entries in %.1f s (%,.0f entries/s), %,d files and %s sent", stats.entries(), seconds,
                stats.entries() / seconds, report.records(), bytes(report.dataBytes())));
        if (stats.statCalls() > 0) {
            b.append(String.format(Locale.ROOT, ", %,d statx", stats.statCalls()));
        }
        if (stats.largestDirectory() != null) {
            b.append(String.format(Locale.ROOT, ", largest directory \"%s\" (%,d entries)",
                    PathText.render(stats.largestDirectory()), stats.largestEntries()));
        }
        if (peakRssBytes > 0) {
            b.append(", backend peak memory ").append(bytes(peakRssBytes));
        }
        b.append(String.format(Locale.ROOT, "; not saved: %,d (vanished or unreadable), %,d changed while read",
                report.notSavedCount(), report.changedWhileReadCount()));
        out.message(Status.INFO, b.toString());
        if (metrics != null) {
            metrics.write(figures(stats, report, now, stats.entries() / seconds, true));
        }
    }

    private static long errors(SourceStats stats, JobReport report) {
        return report.notSavedCount() + report.changedWhileReadCount();
    }

    private MetricsFile.Figures figures(SourceStats stats, JobReport report, long now, double rate, boolean done) {
        return new MetricsFile.Figures(stats.entries(), report.records(), report.dataBytes(), errors(stats, report),
                rate, stats.threads(), (now - start) / 1000.0, PeakMemory.bytes(), done, stats.statCalls());
    }

    static String bytes(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    private static String minutes(long millis) {
        long m = Math.round(millis / 60_000.0);
        return m == 1 ? "minute" : m + " minutes";
    }
}
