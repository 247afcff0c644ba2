package io.podheitor.hpc.cli;

import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.walker.Walk;
import io.podheitor.hpc.source.SourceEnd;
import io.podheitor.hpc.source.EntryError;
import io.podheitor.hpc.source.SourceItem;
import io.podheitor.hpc.walker.WalkOptions;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code podheitor-hpc walk PATH}: runs the backend's parallel walker over PATH (not crossing mount points)
 * and reports entries, errors, elapsed time and entries per second.
 * PATH comes from the command line as a Java string and is encoded as UTF-8.
 */
@Command(name = "walk", mixinStandardHelpOptions = true, description = "Walk PATH with the parallel walker and report entries, errors and entries/s.")
public final class WalkCommand implements Callable<Integer> {
    private static final int SHOWN_ERRORS = 20;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PATH", description = "absolute or relative path of the tree to walk")
    String path;

    @Mixin
    WalkerOptions walker;

    @Option(names = "--stat-chunk", paramLabel = "N", description = "names of one directory stat'ed per task (default: 16)")
    Integer statChunk;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        WalkOptions options = WalkOptions.defaults();
        try {
            options = walker.apply(options);
            if (statChunk != null) {
                options = options.withStatChunk(statChunk);
            }
        } catch (IllegalArgumentException e) {
            err.println("podheitor-hpc walk: " + e.getMessage());
            return 2;
        }
        String absolute = path.startsWith("/") ? path : System.getProperty("user.dir") + "/" + path;
        byte[] root = absolute.getBytes(StandardCharsets.UTF_8);
        long start = System.nanoTime();
        SourceEnd end;
        int shown = 0;
        try (Walk walk = Walk.start(root, options)) {
            while (true) {
                SourceItem item = walk.take();
                if (item instanceof EntryError e) {
                    if (shown++ < SHOWN_ERRORS) {
                        err.println("podheitor-hpc walk: " + e.error().getMessage()
                                + (e.error().path().length == 0 ? " (" + PathText.render(e.path()) + ")" : ""));
                    }
                } else if (item instanceof SourceEnd e) {
                    end = e;
                    break;
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf(Locale.ROOT, "path:       %s%n", PathText.render(root));
        out.printf(Locale.ROOT, "threads:    %d, channel depth %d%n", options.threads(), options.channelDepth());
        out.printf(Locale.ROOT, "entries:    %d%n", end.entries());
        out.printf(Locale.ROOT, "errors:     %d%n", end.errors());
        out.printf(Locale.ROOT, "elapsed:    %.3f s%n", seconds);
        out.printf(Locale.ROOT, "entries/s:  %.0f%n", seconds > 0 ? end.entries() / seconds : 0.0);
        out.flush();
        if (end.failure() != null) {
            err.println("podheitor-hpc walk: walk failed: " + end.failure());
            return 1;
        }
        return end.errors() == 0 ? 0 : 1;
    }
}
