package io.podheitor.hpc.cli.throttle;

import io.podheitor.hpc.ptcomm.throttle.ThrottleFile;
import io.podheitor.hpc.ptcomm.throttle.ThrottleValues;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code podheitor-hpc throttle-daemon}: polls the running Slurm jobs' priorities, turns them into a contention
 * level ({@link ContentionRule}) and keeps throttle.toml at that level's values, which every running backend
 * applies within 5 s (docs/throttle.md). The file is rewritten only when its content would change, always
 * atomically ({@link ThrottleFile#writeAtomically}); when squeue fails or prints something that is not a
 * priority the file keeps its last values and one line says why.
 */
@Command(name = "throttle-daemon", mixinStandardHelpOptions = true,
        description = {"Keep throttle.toml (threads, read_buffer_kib, pause_ms of the running backups) at the "
                + "level the Slurm cluster's load calls for: polls squeue -h -t R -o %%Q.",
                "Rule (docs/throttle.md): load = running jobs + (weight - 1) x high-priority ones; idle at 0, light "
                        + "below --busy-load, busy below --saturated-load, saturated from there."})
public final class ThrottleDaemonCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--file", paramLabel = "FILE", description = "the throttle file (default: ${DEFAULT-VALUE})",
            defaultValue = "/var/lib/podheitor-hpc/throttle.toml")
    Path file;

    @Option(names = "--interval", paramLabel = "SECONDS", defaultValue = "10",
            description = "seconds between polls, 1..3600 (default: ${DEFAULT-VALUE})")
    int interval;

    @Option(names = "--once", description = "poll once, write the file if needed, and exit (1: squeue failed)")
    boolean once;

    @Option(names = "--squeue", paramLabel = "PROGRAM", defaultValue = "squeue",
            description = "the squeue program, a name looked up on PATH or a path (default: ${DEFAULT-VALUE})")
    String squeue;

    @Option(names = "--squeue-timeout", paramLabel = "SECONDS", defaultValue = "30",
            description = "how long one squeue may take (default: ${DEFAULT-VALUE})")
    int squeueTimeout;

    @Option(names = "--busy-load", paramLabel = "N", defaultValue = "8",
            description = "the load from which the cluster is busy (default: ${DEFAULT-VALUE})")
    long busyLoad;

    @Option(names = "--saturated-load", paramLabel = "N", defaultValue = "32",
            description = "the load from which it is saturated (default: ${DEFAULT-VALUE})")
    long saturatedLoad;

    @Option(names = "--high-priority", paramLabel = "P", defaultValue = "0",
            description = "jobs with a priority (%%Q) of at least P are high-priority; 0 = none (default)")
    long highPriority;

    @Option(names = "--high-priority-weight", paramLabel = "W", defaultValue = "4",
            description = "a high-priority job counts as W jobs (default: ${DEFAULT-VALUE})")
    long highWeight;

    private ContentionRule.Level lastLevel;
    private String lastProblem;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        ContentionRule rule;
        try {
            rule = new ContentionRule(busyLoad, saturatedLoad, highPriority, highWeight);
            if (interval < 1 || interval > 3600 || squeueTimeout < 1) {
                throw new IllegalArgumentException("--interval must be 1..3600 and --squeue-timeout >= 1");
            }
        } catch (IllegalArgumentException e) {
            err.println("podheitor-hpc throttle-daemon: " + e.getMessage());
            return 2;
        }
        Squeue source = new Squeue(squeue, squeueTimeout);
        if (once) {
            return poll(rule, source, err) ? 0 : 1;
        }
        log(err, "polling " + squeue + " every " + interval + " s, writing " + file);
        while (true) {
            poll(rule, source, err);
            Thread.sleep(interval * 1000L);
        }
    }

    /**
     * One poll: squeue, the rule, the file when its content differs. False when squeue failed or the file could
     * not be written (it then keeps its last content).
     */
    boolean poll(ContentionRule rule, Squeue source, PrintWriter err) throws InterruptedException {
        List<Long> priorities;
        try {
            priorities = source.runningPriorities();
        } catch (Squeue.Failed e) {
            problem(err, e.getMessage() + "; " + file + " keeps its last values");
            return false;
        }
        ContentionRule.Assessment a = rule.assess(priorities);
        ThrottleValues v = a.level().throttle();
        byte[] content = ThrottleFile.format(v, "written by podheitor-hpc throttle-daemon (docs/throttle.md): level "
                + a.level().key());
        try {
            if (!Arrays.equals(content, current())) {
                ThrottleFile.writeAtomically(file, content);
            }
        } catch (IOException e) {
            problem(err, "cannot write " + file + ": " + e.getMessage());
            return false;
        }
        if (lastProblem != null) {
            log(err, "recovered: " + a.describe());
            lastProblem = null;
        } else if (a.level() != lastLevel) {
            log(err, a.describe() + " -> threads " + v.threads() + ", read_buffer_kib " + v.readBufferKib()
                    + ", pause_ms " + v.pauseMs());
        }
        lastLevel = a.level();
        return true;
    }

    private byte[] current() throws IOException {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** One line per distinct problem (a lasting failure does not fill the log every interval). */
    private void problem(PrintWriter err, String text) {
        if (!text.equals(lastProblem)) {
            log(err, text);
        }
        lastProblem = text;
    }

    private static void log(PrintWriter err, String text) {
        err.println(Instant.now().truncatedTo(ChronoUnit.SECONDS) + " podheitor-hpc throttle-daemon: " + text);
        err.flush();
    }
}
