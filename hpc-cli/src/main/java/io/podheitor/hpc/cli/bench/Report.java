package io.podheitor.hpc.cli.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.DecimalNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Medians and ratios of a {@code bench walk}, as text or JSON. */
final class Report {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(StreamWriteFeature.WRITE_BIGDECIMAL_AS_PLAIN).build();

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

    /** The report as one line of JSON (Jackson): numbers with 3 decimals, NaN and infinities as null. */
    String json() {
        ObjectNode root = JSON.createObjectNode();
        root.put("path", path).put("tree_entries", treeEntries).put("runs", runs).put("walker", walkerName());
        ObjectNode tools = root.putObject("tools");
        double w = rate(walkerName());
        for (String t : results.keySet()) {
            ObjectNode o = tools.putObject(t);
            o.set("median_seconds", num(seconds(t)));
            o.set("median_entries_per_s", num(rate(t)));
            o.set("walker_ratio", num(w / rate(t)));
            o.put("lines", results.get(t).get(0).entries());
            ArrayNode secs = o.putArray("seconds");
            results.get(t).forEach(r -> secs.add(num(r.seconds())));
        }
        if (sweep != null) {
            ArrayNode a = root.putArray("sweep");
            for (double[] s : sweep) {
                a.addObject().put("threads", (long) s[0]).set("entries_per_s", num(s[1]));
            }
            root.put("svg", svg);
        }
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A number rounded half-up to 3 decimals and written so ("12.500"), or null for NaN and infinities. */
    static JsonNode num(double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            return JsonNodeFactory.instance.nullNode();
        }
        return DecimalNode.valueOf(BigDecimal.valueOf(v).setScale(3, RoundingMode.HALF_UP));   // as is: "8.000", not "8"
    }
}
