package io.podheitor.hpc.cli.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A self-contained SVG line plot of throughput (entries/s) vs walker threads: x on a log2 scale, y linear from
 * 0, the walker as a polyline with dots, each reference tool (find, fdfind...) as a dashed horizontal line.
 */
public final class ThroughputSvg {
    private static final int W = 720;
    private static final int H = 440;
    private static final int L = 80;
    private static final int R = 170;
    private static final int T = 50;
    private static final int B = 60;
    private static final String[] COLORS = {"#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2"};

    private ThroughputSvg() {
    }

    /** @param points {threads, entries/s} in sweep order; refs: name -> entries/s */
    public static String render(String title, List<double[]> points, Map<String, Double> refs) {
        double xmin = Double.MAX_VALUE;
        double xmax = 0;
        double ymax = 1;
        for (double[] p : points) {
            xmin = Math.min(xmin, p[0]);
            xmax = Math.max(xmax, p[0]);
            ymax = Math.max(ymax, p[1]);
        }
        for (double v : refs.values()) {
            ymax = Math.max(ymax, v);
        }
        if (points.isEmpty()) {
            xmin = 1;
            xmax = 2;
        }
        double lx0 = log2(xmin);
        double lx1 = Math.max(log2(xmax), lx0 + 1);
        double ytop = niceCeiling(ymax * 1.05);
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
                + "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n", W, H, W, H));
        s.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", W, H));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"25\" font-size=\"14\" font-weight=\"bold\">%s</text>%n", L, esc(title)));
        int pw = W - L - R;
        int ph = H - T - B;
        // y grid and labels
        for (int i = 0; i <= 5; i++) {
            double v = ytop * i / 5;
            double y = T + ph - ph * v / ytop;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", L, y, L + pw, y));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n", L - 6, y + 4, human(v)));
        }
        // x ticks at the swept thread counts
        for (double[] p : points) {
            double x = L + pw * (log2(p[0]) - lx0) / (lx1 - lx0);
            s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>%n", x, T, x, T + ph));
            s.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n", x, T + ph + 18, (long) p[0]));
        }
        s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#333\"/>%n", L, T, pw, ph));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">walker threads (log scale)</text>%n", L + pw / 2, H - 15));
        s.append(String.format(Locale.ROOT, "<text x=\"18\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 18 %d)\">entries/s (median)</text>%n",
                T + ph / 2, T + ph / 2));
        // reference tools
        int c = 0;
        int ly = T + 10;
        for (Map.Entry<String, Double> r : refs.entrySet()) {
            String color = COLORS[c++ % COLORS.length];
            double y = T + ph - ph * r.getValue() / ytop;
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" stroke-dasharray=\"6 4\" stroke-width=\"1.5\"/>%n",
                    L, y, L + pw, y, color));
            s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-dasharray=\"6 4\" stroke-width=\"1.5\"/>%n",
                    L + pw + 10, ly + 20, L + pw + 30, ly + 20, color));
            s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s %s</text>%n", L + pw + 35, ly + 24, esc(r.getKey()), human(r.getValue())));
            ly += 20;
        }
        // the walker
        StringBuilder poly = new StringBuilder();
        for (double[] p : points) {
            double x = L + pw * (log2(p[0]) - lx0) / (lx1 - lx0);
            double y = T + ph - ph * p[1] / ytop;
            poly.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
            s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"#1f77b4\"><title>%d threads: %s entries/s</title></circle>%n",
                    x, y, (long) p[0], human(p[1])));
        }
        s.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\"/>%n", poly.toString().strip()));
        s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#1f77b4\" stroke-width=\"2\"/>%n",
                L + pw + 10, T + 10, L + pw + 30, T + 10));
        s.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">walker</text>%n", L + pw + 35, T + 14));
        return s.append("</svg>\n").toString();
    }

    private static double log2(double v) {
        return Math.log(Math.max(v, 1e-9)) / Math.log(2);
    }

    static double niceCeiling(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    static String human(double v) {
        if (v >= 1e6) {
            return String.format(Locale.ROOT, "%.2fM", v / 1e6);
        }
        if (v >= 1e3) {
            return String.format(Locale.ROOT, "%.1fk", v / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", v);
    }

    private static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
