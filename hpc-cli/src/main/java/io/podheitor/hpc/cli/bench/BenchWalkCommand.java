package io.podheitor.hpc.cli.bench;

import io.podheitor.hpc.cli.WalkerOptions;
import io.podheitor.hpc.walker.WalkOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code podheitor-hpc bench walk PATH}: our walker (a fresh {@code podheitor-hpc walk} process per run, JVM
 * start included) against {@code find -printf} (stats every entry) and {@code fdfind} with a metadata filter
 * (also stats every entry), alternating, {@code --runs} times; reports median entries/s and ratios.
 * Entries/s of every tool = the tree's entry count (find's line count: every entry including the root) divided
 * by the tool's wall time, so tools that print fewer lines are not penalised.
 */
@Command(name = "walk", mixinStandardHelpOptions = true, description = "Walker vs find -printf vs fdfind (metadata filter) on PATH: median entries/s and ratios.")
public final class BenchWalkCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PATH", description = "tree to walk (e.g. a latencyfs mount)")
    String path;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "3", description = "repetitions of each tool (default 3)")
    int runs;

    @Mixin
    WalkerOptions walker;

    @Option(names = "--fdfind-threads", paramLabel = "N", description = "-j for the first fdfind (default: fdfind's own default)")
    Integer fdfindThreads;

    @Option(names = "--no-fdfind-j64", description = "do not also run fdfind -j64")
    boolean noJ64;

    @Option(names = "--no-find", description = "do not run find (it is slow on a latency-bound mount)")
    boolean noFind;

    @Option(names = "--sweep-threads", paramLabel = "LIST", split = ",",
            description = "walker thread counts to sweep, e.g. 1,2,4,8,16,32,64; writes an SVG plot (see --svg)")
    List<Integer> sweep;

    @Option(names = "--svg", paramLabel = "FILE", defaultValue = "bench-walk-threads.svg",
            description = "the sweep plot (default: ${DEFAULT-VALUE})")
    Path svg;

    @Option(names = "--json", description = "print one JSON object instead of text")
    boolean json;

    @Option(names = "--latency-us", paramLabel = "N",
            description = "run every tool against a latencyfs mount of PATH that delays each metadata operation by N µs (e.g. 150, a Lustre MDT round trip)")
    Integer latencyUs;

    @Option(names = "--launcher", paramLabel = "CMD", hidden = true, description = "the podheitor-hpc launcher to run the walker with")
    String launcher;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (runs < 1) {
            err.println("podheitor-hpc bench walk: --runs must be >= 1");
            return 2;
        }
        Path root = Path.of(path).toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            err.println("podheitor-hpc bench walk: " + root + " is not a directory");
            return 2;
        }
        String p = root.toString();
        List<String> launch = launcherCommand();
        if (latencyUs != null) {
            return underLatency(launch, root, out, err);
        }
        Integer threads = walker.threads();
        int walkerThreads = threads != null ? threads : WalkOptions.defaultThreads();
        List<String> walkArgs = walker.argsWithoutThreads();

        List<Tool> tools = new ArrayList<>();
        tools.add(Tool.walker(launch, p, walkerThreads, walkArgs));
        if (!noFind) {
            tools.add(Tool.find(p));
        }
        tools.add(Tool.fdfind(p, fdfindThreads));
        if (!noJ64 && (fdfindThreads == null || fdfindThreads != 64)) {
            tools.add(Tool.fdfind(p, 64));
        }
        List<Tool> sweepTools = new ArrayList<>();
        if (sweep != null) {
            for (int t : sweep) {
                if (t < 1 || t > WalkOptions.MAX_THREADS) {
                    err.println("podheitor-hpc bench walk: bad --sweep-threads value " + t);
                    return 2;
                }
                if (t != walkerThreads) {
                    sweepTools.add(Tool.walker(launch, p, t, walkArgs));
                }
            }
        }
        Progress progress = new Progress(err, json);
        Map<String, List<Tool.Result>> results = new LinkedHashMap<>();
        List<Tool> all = new ArrayList<>(tools);
        all.addAll(sweepTools);
        int total = all.size() * runs;
        int done = 0;
        for (int r = 1; r <= runs; r++) {
            for (Tool t : all) {
                progress.start(r, runs, t.name(), done, total);
                Tool.Result res = t.run();
                done++;
                if (res.entries() < 0 || (res.exitStatus() != 0 && !t.walker())) {
                    progress.clear();
                    err.println("podheitor-hpc bench walk: " + t.name() + " failed (exit " + res.exitStatus() + "): "
                            + res.errorTail());
                    return 1;
                }
                results.computeIfAbsent(t.name(), k -> new ArrayList<>()).add(res);
                progress.finished(r, runs, t.name(), res);
            }
        }
        progress.clear();

        Report report = new Report(p, runs, walkerThreads, results);
        if (sweep != null) {
            List<double[]> points = new ArrayList<>();
            for (int t : sweep) {
                points.add(new double[] {t, report.rate("walker-t" + t)});
            }
            Map<String, Double> refs = new LinkedHashMap<>();
            for (Tool t : tools) {
                if (!t.walker()) {
                    refs.put(t.name(), report.rate(t.name()));
                }
            }
            Files.writeString(svg, ThroughputSvg.render("podheitor-hpc walker on " + p, points, refs));
            report.svg = svg.toAbsolutePath().toString();
            report.sweep = points;
        }
        out.print(json ? report.json() : report.text());
        out.flush();
        return 0;
    }

    /** The same bench walk, re-run by scripts/with-latencyfs.sh against a delayed mount of root. */
    private int underLatency(List<String> launch, Path root, PrintWriter out, PrintWriter err)
            throws IOException, InterruptedException {
        Path wrapper = LatencyWrap.script();
        if (latencyUs < 0 || latencyUs > 1_000_000) {
            err.println("podheitor-hpc bench walk: --latency-us must be 0..1000000");
            return 2;
        }
        if (wrapper == null) {
            err.println("podheitor-hpc bench walk: --latency-us needs scripts/with-latencyfs.sh (run from a checkout)");
            return 2;
        }
        List<String> inner = new ArrayList<>(launch);
        inner.addAll(List.of("bench", "walk", "--runs", Integer.toString(runs), "--svg", svg.toAbsolutePath().toString()));
        if (walker.threads() != null) {
            inner.addAll(List.of("--threads", walker.threads().toString()));
        }
        inner.addAll(walker.argsWithoutThreads());
        if (fdfindThreads != null) {
            inner.addAll(List.of("--fdfind-threads", fdfindThreads.toString()));
        }
        if (noJ64) {
            inner.add("--no-fdfind-j64");
        }
        if (noFind) {
            inner.add("--no-find");
        }
        if (sweep != null) {
            inner.add("--sweep-threads");
            inner.add(String.join(",", sweep.stream().map(String::valueOf).toList()));
        }
        if (json) {
            inner.add("--json");
        }
        inner.add(LatencyWrap.MNT);
        err.flush();
        return LatencyWrap.run(LatencyWrap.wrap(wrapper, latencyUs, root, inner), out);
    }

    /** The command that starts {@code podheitor-hpc}: the launcher that started us, else this JVM's java -cp. */
    private List<String> launcherCommand() {
        String l = launcher != null ? launcher : System.getProperty("podheitor.launcher");
        if (l != null && Files.isExecutable(Path.of(l))) {
            return List.of(l);
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        return List.of(java, "-XX:+UseSerialGC", "-XX:-UsePerfData", "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), "io.podheitor.hpc.cli.PodheitorCli");
    }

    /** A progress line on a terminal (rewritten in place), plain lines otherwise (none with --json). */
    static final class Progress {
        private final PrintWriter err;
        private final boolean quiet;
        private final boolean tty = System.console() != null && System.console().isTerminal();

        Progress(PrintWriter err, boolean json) {
            this.err = err;
            this.quiet = json;
        }

        void start(int run, int runs, String tool, int done, int total) {
            if (tty && !quiet) {
                err.printf(Locale.ROOT, "\r\033[K[%d/%d] run %d/%d: %s ...", done + 1, total, run, runs, tool);
                err.flush();
            }
        }

        void finished(int run, int runs, String tool, Tool.Result r) {
            if (!tty && !quiet) {
                err.printf(Locale.ROOT, "run %d/%d %-14s %10d entries %9.3f s %12.0f lines/s%n", run, runs, tool,
                        r.entries(), r.seconds(), r.entries() / r.seconds());
                err.flush();
            }
        }

        void clear() {
            if (tty && !quiet) {
                err.print("\r\033[K");
                err.flush();
            }
        }
    }
}
