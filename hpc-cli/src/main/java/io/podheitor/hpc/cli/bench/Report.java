package io.podheitor.hpc.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Medians and ratios of a {@code bench walk}, as text or JSON. */
final class Report {
    final String path;
    final int runs;
    final int walkerThreads;
    final Map<String, List<Tool.Result>> results;
    final long treeEntries;
    String svg;
    List<double[]> sweep;

    Report(String path, int runs, int walkerThreads, Map<String, List<Tool.Result>> results) {
        this.path = path;
        this.runs = runs;
        this.walkerThreads = walkerThreads;
        this.results = results;
        // find prints every entry (root included): the tree's size; without find, the walker's count
        List<Tool.Result> ref = results.containsKey("find") ? results.get("find") : results.get(walkerName());
        this.treeEntries = ref.get(0).entries();
    }

    String walkerName() {
        return "walker-t" + walkerThreads;
    }

    static double median(List<Double> v) {
        List<Double> s = new ArrayList<>(v);
        s.sort(null);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    double seconds(String tool) {
        return median(results.get(tool).stream().map(Tool.Result::seconds).toList());
    }

    /** Median entries/s: the tree's entry count over the median wall time. */
    double rate(String tool) {
        return treeEntries / seconds(tool);
    }

    String text() {
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "path:         %s%ntree entries: %d (%s count)%nruns:         %d (alternating)%n",
                path, treeEntries, results.containsKey("find") ? "find's" : "the walker's", runs));
        b.append(String.format(Locale.ROOT, "%-16s %12s %12s %14s %10s%n", "tool", "lines", "median s", "entries/s", "walker/x"));
        double w = rate(walkerName());
        for (String t : results.keySet()) {
            b.append(String.format(Locale.ROOT, "%-16s %12d %12.3f %14.0f %9.2fx%n", t, results.get(t).get(0).entries(),
                    seconds(t), rate(t), w / rate(t)));
        }
        if (svg != null) {
            b.append("sweep plot:   ").append(svg).append('\n');
        }
        return b.toString();
    }

    String json() {
        StringBuilder b = new StringBuilder("{");
        b.append("\"path\":").append(Json.str(path)).append(",\"tree_entries\":").append(treeEntries)
                .append(",\"runs\":").append(runs).append(",\"walker\":").append(Json.str(walkerName()))
                .append(",\"tools\":{");
        double w = rate(walkerName());
        boolean first = true;
        for (String t : results.keySet()) {
            b.append(first ? "" : ",").append(Json.str(t)).append(":{\"median_seconds\":").append(Json.num(seconds(t)))
                    .append(",\"median_entries_per_s\":").append(Json.num(rate(t)))
                    .append(",\"walker_ratio\":").append(Json.num(w / rate(t)))
                    .append(",\"lines\":").append(results.get(t).get(0).entries()).append(",\"seconds\":[");
            List<Tool.Result> rs = results.get(t);
            for (int i = 0; i < rs.size(); i++) {
                b.append(i == 0 ? "" : ",").append(Json.num(rs.get(i).seconds()));
            }
            b.append("]}");
            first = false;
        }
        b.append('}');
        if (sweep != null) {
            b.append(",\"sweep\":[");
            for (int i = 0; i < sweep.size(); i++) {
                b.append(i == 0 ? "" : ",").append("{\"threads\":").append((long) sweep.get(i)[0])
                        .append(",\"entries_per_s\":").append(Json.num(sweep.get(i)[1])).append('}');
            }
            b.append("],\"svg\":").append(Json.str(svg));
        }
        return b.append("}\n").toString();
    }
}
