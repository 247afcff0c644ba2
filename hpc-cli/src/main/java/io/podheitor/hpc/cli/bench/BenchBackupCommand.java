package io.podheitor.hpc.cli.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code podheitor-hpc bench backup PATH}: runs {@code scripts/bench-backup.sh --tree PATH} of the checkout or
 * install (plugin Full backup vs stock bacula-fd Full backup of the same tree through a private real Bacula,
 * page cache warmed before each job) and prints its result: files/s, MB/s, ratios, backend peak RSS. The script's
 * progress goes to stderr; with --json its JSON result is printed unchanged on stdout.
 * Environment (passed through): PHPC_STATE, PHPC_{DIR,FD,SD}_PORT, PHPC_SKIP_BUILD.
 */
@Command(name = "backup", mixinStandardHelpOptions = true, description = "Plugin vs stock bacula-fd backup of PATH through real Bacula (scripts/bench-backup.sh).")
public final class BenchBackupCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PATH", description = "the tree to back up")
    String path;

    @Option(names = "--runs", paramLabel = "N", defaultValue = "3", description = "jobs of each kind (default 3)")
    int runs;

    @Option(names = "--plugin-opts", paramLabel = "K=V;...", description = "extra plugin-string keys, e.g. threads=16")
    String pluginOpts;

    @Option(names = "--verify", description = "restore the last plugin backup, verify it and check catalog-vs-find parity")
    boolean verify;

    @Option(names = "--json", description = "print the result as JSON")
    boolean json;

    @Option(names = "--latency-us", paramLabel = "N",
            description = "back up a latencyfs mount of PATH that delays each metadata operation by N µs (both jobs)")
    Integer latencyUs;

    @Option(names = "--script", paramLabel = "FILE", hidden = true, description = "bench-backup.sh to run")
    Path script;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Path s = script != null ? script : locate();
        if (s == null || !Files.isExecutable(s)) {
            err.println("podheitor-hpc bench backup: scripts/bench-backup.sh not found (run from a checkout; set -Dpodheitor.home)");
            return 2;
        }
        Path tree = Path.of(path).toAbsolutePath().normalize();
        List<String> cmd = new ArrayList<>(List.of(s.toString(), "--tree",
                latencyUs != null ? LatencyWrap.MNT : tree.toString(), "--runs", Integer.toString(runs)));
        if (pluginOpts != null) {
            cmd.add("--plugin-opts");
            cmd.add(pluginOpts);
        }
        if (verify) {
            cmd.add("--verify");
        }
        if (json) {
            cmd.add("--json");
        }
        if (latencyUs != null) {
            Path wrapper = LatencyWrap.script();
            if (wrapper == null || latencyUs < 0 || latencyUs > 1_000_000) {
                err.println("podheitor-hpc bench backup: --latency-us needs 0..1000000 and scripts/with-latencyfs.sh (a checkout)");
                return 2;
            }
            cmd = LatencyWrap.wrap(wrapper, latencyUs, tree, cmd);
        }
        return LatencyWrap.run(cmd, out);
    }

    private static Path locate() {
        String home = System.getProperty("podheitor.home");
        if (home == null) {
            return null;
        }
        Path s = Path.of(home, "scripts", "bench-backup.sh");
        return Files.exists(s) ? s : null;
    }
}
