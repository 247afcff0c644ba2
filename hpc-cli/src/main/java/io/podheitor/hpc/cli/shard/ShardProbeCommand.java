package io.podheitor.hpc.cli.shard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.podheitor.hpc.cli.WalkerOptions;
import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.shard.ShardSpec;
import io.podheitor.hpc.source.Entry;
import io.podheitor.hpc.source.EntryError;
import io.podheitor.hpc.source.SourceEnd;
import io.podheitor.hpc.source.SourceItem;
import io.podheitor.hpc.walker.Walk;
import io.podheitor.hpc.walker.WalkOptions;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code podheitor-hpc shard-probe --path P --shards N}: one walk of P that assigns every non-directory to the
 * shard that {@code shard=K/N} (with {@code strategy=}) would save it in, and reports per shard files and bytes,
 * the imbalance (max/mean), the walk's time and the statx calls the N jobs would make (docs/sharding.md).
 */
@Command(name = "shard-probe", mixinStandardHelpOptions = true,
        description = "Show how shard=K/N would split PATH: files and bytes per shard, imbalance (max/mean), time.")
public final class ShardProbeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--path", required = true, paramLabel = "P", description = "the tree (the plugin key path)")
    String path;

    @Option(names = "--shards", required = true, paramLabel = "N", description = "number of shards, 1..4096")
    int shards;

    @Option(names = "--strategy", paramLabel = "S", defaultValue = "inode-hash",
            description = "inode-hash (default), mtime-bucket or lustre-mdt (probed as inode-hash, its fallback)")
    String strategy;

    @Option(names = "--mtime-bucket", paramLabel = "SECONDS", description = "mtime-bucket: the bucket width (default 60)")
    Integer bucket;

    @Option(names = "--sample", paramLabel = "F", defaultValue = "1",
            description = "stat only this fraction (0 < F <= 1) of the non-directories, chosen by inode; the counts "
                    + "are scaled up by 1/F")
    double sample;

    @Option(names = "--json", description = "print the report as JSON")
    boolean json;

    @Mixin
    WalkerOptions walker;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String absolute = path.startsWith("/") ? path : System.getProperty("user.dir") + "/" + path;
        byte[] root = absolute.getBytes(StandardCharsets.UTF_8);
        ShardSpec shard;
        WalkOptions options;
        try {
            if (!(sample > 0 && sample <= 1)) {
                throw new IllegalArgumentException("--sample must be in (0, 1], not " + sample);
            }
            if (strategy.equals("subtree")) {
                throw new IllegalArgumentException("--strategy subtree: the split is the subtree lists; walk each "
                        + "job's part instead");
            }
            shard = ShardSpec.of(root, "0/" + shards, strategy, null, bucket);
            options = walker.apply(WalkOptions.defaults()).withFilter(new SampleFilter(sample));
        } catch (IllegalArgumentException e) {
            err.println("podheitor-hpc shard-probe: " + e.getMessage());
            return 2;
        }
        long[] files = new long[shards];
        long[] bytes = new long[shards];
        long directories = 0;
        long errors = 0;
        long start = System.nanoTime();
        Progress progress = System.console() != null ? new Progress(err, start) : null;
        Walk walk = Walk.start(root, options);
        SourceEnd end;
        try (walk) {
            for (long n = 0; ; n++) {
                SourceItem item = walk.take();
                if (item instanceof Entry e) {
                    if (e.stat().isDirectory()) {
                        directories++;
                    } else {
                        int k = shard.ownerOf(e.stat().ino(), e.stat().mtimeSec());
                        files[k]++;
                        bytes[k] += e.stat().size();
                    }
                } else if (item instanceof EntryError e) {
                    errors++;
                    if (errors <= 10) {
                        err.println("podheitor-hpc shard-probe: " + e.error().getMessage());
                    }
                } else if (item instanceof SourceEnd e) {
                    end = e;
                    break;
                }
                if (progress != null && (n & 1023) == 0) {
                    progress.show(walk.entriesSoFar());
                }
            }
        }
        if (progress != null) {
            progress.clear();
        }
        if (end.failure() != null) {
            err.println("podheitor-hpc shard-probe: walk failed: " + end.failure());
            return 1;
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        List<ProbeReport.Shard> per = new ArrayList<>();
        for (int k = 0; k < shards; k++) {
            files[k] = Math.round(files[k] / sample);
            bytes[k] = Math.round(bytes[k] / sample);
            per.add(new ProbeReport.Shard(k, files[k], bytes[k]));
        }
        long statCalls = walk.stats().statCalls();
        long names = Math.round((statCalls - 1 - (directories - 1)) / sample) + directories; // as if not sampled
        long shardStats = shard.strategy() == ShardSpec.Kind.MTIME_BUCKET ? (long) shards * names
                : names + (shards - 1L) * directories;
        ProbeReport r = new ProbeReport(PathText.render(root), shard.strategy().key(), shards, sample,
                end.entries(), directories, errors, statCalls, shardStats, seconds, per,
                new ProbeReport.Imbalance(ProbeReport.maxOverMean(files), ProbeReport.maxOverMean(bytes)));
        if (json) {
            out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(r));
        } else {
            text(out, r);
        }
        out.flush();
        return errors == 0 ? 0 : 1;
    }

    private static void text(PrintWriter out, ProbeReport r) {
        out.printf(Locale.ROOT, "path:        %s%n", r.path());
        out.printf(Locale.ROOT, "strategy:    %s, %d shards%s%n", r.strategy(), r.shards(),
                r.sample() < 1 ? String.format(Locale.ROOT, ", sample %.4g (counts scaled by 1/sample)", r.sample()) : "");
        out.printf(Locale.ROOT, "%7s %12s %16s%n", "shard", "files", "bytes");
        for (ProbeReport.Shard s : r.perShard()) {
            out.printf(Locale.ROOT, "%7d %12d %16d%n", s.shard(), s.files(), s.bytes());
        }
        out.printf(Locale.ROOT, "imbalance:   files %.3f, bytes %.3f (max/mean)%n", r.imbalance().files(),
                r.imbalance().bytes());
        out.printf(Locale.ROOT, "walked:      %d entries (%d directories), %d errors, %d statx, %.3f s%n", r.entries(),
                r.directories(), r.errors(), r.statCalls(), r.seconds());
        out.printf(Locale.ROOT, "statx of the %d shard jobs together: ~%d%n", r.shards(), r.shardStatCalls());
    }

    /** The progress line on a terminal: entries so far, at most twice a second, on stderr. */
    private static final class Progress {
        private final PrintWriter err;
        private final long start;
        private long last;

        Progress(PrintWriter err, long start) {
            this.err = err;
            this.start = start;
            this.last = start;
        }

        void show(long entries) {
            long now = System.nanoTime();
            if (now - last >= 500_000_000L) {
                last = now;
                err.printf(Locale.ROOT, "\r%d entries walked, %.1f s", entries, (now - start) / 1e9);
                err.flush();
            }
        }

        void clear() {
            err.print("\r\033[K");
            err.flush();
        }
    }
}
