package io.podheitor.hpc.backend.backup;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Locale;

/**
 * The job's figures as a Prometheus text-format file (plugin key {@code metrics_dir}): {@code
 * podheitor_hpc_<job>.prom}, written to a temporary name in the same directory (created new, never through an
 * existing name) and renamed over the previous one, so a collector (node_exporter's textfile collector) never
 * reads half a file. A directory that cannot be written costs one warning per job, not the job.
 */
final class MetricsFile {
    /** One snapshot. */
    record Figures(long entries, long files, long bytes, long errors, double entriesPerSecond, int threads,
            double seconds, long peakRssBytes, boolean done, long statCalls) {
    }

    /** Something to tell the job log once, when writing fails. */
    interface Warn {
        void warn(String text) throws IOException;
    }

    private final Path dir;
    private final String job;
    private final long jobId;
    private final Warn warn;
    private boolean warned;

    MetricsFile(Path dir, String job, long jobId, Warn warn) {
        this.dir = dir;
        this.job = job;
        this.jobId = jobId;
        this.warn = warn;
    }

    /** The file's name for a Bacula job name (characters other than [A-Za-z0-9_.-] become '_'). */
    Path target() {
        return dir.resolve("podheitor_hpc_" + job.replaceAll("[^A-Za-z0-9_.-]", "_") + ".prom");
    }

    void write(Figures f) throws IOException {
        Path tmp = dir.resolve("." + target().getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.deleteIfExists(tmp);
            Files.writeString(tmp, render(f), StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
            Files.move(tmp, target(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            if (!warned) {
                warned = true;
                warn.warn("metrics_dir: cannot write " + target() + " (" + e + "); no metrics for this job");
            }
        }
    }

    String render(Figures f) {
        String labels = "{job=\"" + job.replace("\\", "\\\\").replace("\"", "\\\"") + "\",jobid=\"" + jobId + "\"}";
        StringBuilder b = new StringBuilder();
        gauge(b, "entries_walked", "Entries the job's source delivered so far.", labels, f.entries());
        gauge(b, "files_sent", "FILE records sent to bacula-fd so far.", labels, f.files());
        gauge(b, "bytes_sent", "File data bytes sent to bacula-fd so far.", labels, f.bytes());
        gauge(b, "errors", "Entries not saved (vanished, unreadable) or changed while read, so far.", labels, f.errors());
        gauge(b, "entries_per_second", "Entries per second over the last progress interval (whole job at the end).",
                labels, f.entriesPerSecond());
        gauge(b, "walker_threads", "Walker threads.", labels, f.threads());
        gauge(b, "stat_calls", "Metadata stat calls of the job's source so far (the walk: one statx per name).",
                labels, f.statCalls());
        gauge(b, "elapsed_seconds", "Seconds since the job's stream started.", labels, f.seconds());
        gauge(b, "backend_peak_rss_bytes", "Peak resident memory of the backend process.", labels, f.peakRssBytes());
        gauge(b, "done", "1 once the job's stream ended.", labels, f.done() ? 1 : 0);
        return b.toString();
    }

    private static void gauge(StringBuilder b, String name, String help, String labels, double v) {
        String n = "podheitor_hpc_" + name;
        b.append("# HELP ").append(n).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(n).append(" gauge\n");
        b.append(n).append(labels).append(' ');
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            b.append((long) v);
        } else {
            b.append(String.format(Locale.ROOT, "%.3f", v));
        }
        b.append('\n');
    }
}
