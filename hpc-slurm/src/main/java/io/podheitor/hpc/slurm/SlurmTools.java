package io.podheitor.hpc.slurm;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Where the Slurm client commands ({@code sbatch}, {@code squeue}, {@code scancel}, {@code sacct}) are and what they
 * run with: a directory (else the names as they are, found on this process's {@code PATH}), variables added to
 * their environment (e.g. {@code SLURM_CONF} of a private cluster) and the longest one call may take. Each call is
 * one {@link ProcessBuilder} with the arguments as a list (never a shell), standard input closed, both outputs read.
 *
 * @param directory   where the commands are, or empty (found on {@code PATH})
 * @param environment added to each command's environment (over the inherited one)
 * @param callTimeout a call still running after this is killed and reported as failed
 */
public record SlurmTools(Optional<Path> directory, Map<String, String> environment, Duration callTimeout) {

    public SlurmTools {
        Objects.requireNonNull(directory, "directory");
        environment = Map.copyOf(environment);
        Objects.requireNonNull(callTimeout, "callTimeout");
        if (callTimeout.isNegative() || callTimeout.isZero()) {
            throw new IllegalArgumentException("callTimeout must be positive");
        }
    }

    /** The commands on {@code PATH}, the inherited environment, 60 s a call. */
    public static SlurmTools onPath() {
        return new SlurmTools(Optional.empty(), Map.of(), Duration.ofSeconds(60));
    }

    /** The commands in this directory. */
    public static SlurmTools in(Path directory) {
        return new SlurmTools(Optional.of(directory), Map.of(), Duration.ofSeconds(60));
    }

    /** The same, with one more variable in each command's environment. */
    public SlurmTools withEnv(String name, String value) {
        Map<String, String> env = new LinkedHashMap<>(environment);
        env.put(name, value);
        return new SlurmTools(directory, env, callTimeout);
    }

    public SlurmTools withCallTimeout(Duration timeout) {
        return new SlurmTools(directory, environment, timeout);
    }

    /** One finished call: exit status, standard output and standard error as text. */
    public record Result(int exit, String stdout, String stderr) {
        /**
         * Standard error's non-blank lines joined by "; " (sbatch's messages, e.g. "sbatch: error: invalid partition
         * specified: x; sbatch: error: Batch job submission failed: Invalid partition name specified"), else the
         * exit status.
         */
        public String errorText() {
            String e = String.join("; ", stderr.lines().map(String::strip).filter(l -> !l.isEmpty()).toList());
            return e.isEmpty() ? "exit status " + exit : e;
        }
    }

    /** A call that could not run or did not end in time. */
    public static final class CallFailed extends Exception {
        private static final long serialVersionUID = 1L;

        public CallFailed(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** The command line of one call: the tool's path or name, then the arguments. */
    public List<String> commandLine(String tool, List<String> args) {
        List<String> cmd = new ArrayList<>(args.size() + 1);
        cmd.add(directory.map(d -> d.resolve(tool).toString()).orElse(tool));
        cmd.addAll(args);
        return cmd;
    }

    /** Runs TOOL ARGS with EXTRA added to its environment (after {@link #environment()}). */
    public Result run(String tool, List<String> args, Map<String, String> extra) throws CallFailed, InterruptedException {
        List<String> cmd = commandLine(tool, args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(environment);
        pb.environment().putAll(extra);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new CallFailed(tool + " could not be started: " + e.getMessage(), e);
        }
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> drain(p.getInputStream()),
                Thread::startVirtualThread);
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()),
                Thread::startVirtualThread);
        try {
            if (!p.waitFor(callTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
                throw new CallFailed(tool + " did not end within " + callTimeout.toSeconds() + " s (killed)", null);
            }
            return new Result(p.exitValue(), out.get(5, TimeUnit.SECONDS), err.get(5, TimeUnit.SECONDS));
        } catch (InterruptedException e) {
            p.destroyForcibly();
            throw e;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            p.destroyForcibly();
            throw new CallFailed(tool + ": its output could not be read: " + e.getMessage(), e);
        }
    }

    private static String drain(InputStream in) {
        try (in) {
            // a client command prints a line or a few; a runaway one is cut at 1 MiB
            byte[] b = in.readNBytes(1 << 20);
            in.transferTo(java.io.OutputStream.nullOutputStream());
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
