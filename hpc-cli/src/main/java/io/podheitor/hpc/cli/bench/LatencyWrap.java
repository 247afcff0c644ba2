package io.podheitor.hpc.cli.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --latency-us N} of the bench commands: the same benchmark, run against a latencyfs passthrough mount of
 * PATH (every metadata operation delayed by N µs; latencyfs/README.md) through {@code scripts/with-latencyfs.sh},
 * which mounts it, substitutes the mount point for {@code @MNT@} and always unmounts it.
 */
final class LatencyWrap {
    static final String MNT = "@MNT@";

    private LatencyWrap() {
    }

    /** scripts/with-latencyfs.sh of the checkout this CLI runs from, or null. */
    static Path script() {
        String home = System.getProperty("podheitor.home");
        if (home == null) {
            return null;
        }
        Path s = Path.of(home, "scripts", "with-latencyfs.sh");
        return Files.isExecutable(s) ? s : null;
    }

    /** The wrapper command line: mount {@code source} with the delay, then run {@code inner} (using @MNT@). */
    static List<String> wrap(Path script, int delayUs, Path source, List<String> inner) {
        List<String> c = new ArrayList<>(List.of(script.toString(), "--delay-us=" + delayUs, "--source",
                source.toString(), "--"));
        c.addAll(inner);
        return c;
    }

    /** Runs cmd, copying its stdout to out, its stderr to ours; returns its exit status. */
    static int run(List<String> cmd, PrintWriter out) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.redirectInput(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        try (InputStream in = p.getInputStream()) {
            byte[] buf = new byte[8192];
            for (int n; (n = in.read(buf)) > 0; ) {
                out.print(new String(buf, 0, n, StandardCharsets.UTF_8));
                out.flush();
            }
        }
        return p.waitFor();
    }
}
