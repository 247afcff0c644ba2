package io.podheitor.hpc.slurm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * One {@code sbatch} submission from typed options. {@link #arguments()} is its command line after {@code sbatch}:
 * <pre>
 * --parsable [--partition=P] [--cpus-per-task=N] [--mem=M] [--time=MINUTES] [--job-name=NAME] [--output=FILE]
 *   [--chdir=DIR] --export=ALL,NAME,...  EXTRA...  (SCRIPT ARGS... | --wrap=COMMAND)
 * </pre>
 * The variables of {@link #environment()} go into sbatch's own environment and only their NAMES onto its command
 * line ({@code --export}): a value (a one-time token) never shows in {@code ps}, {@code squeue} or
 * {@code scontrol show job}, which print the command line of the job, not its environment.
 * With {@code exportAll} false the job gets only the named variables (and Slurm's own); Slurm then also sets up the
 * user's login environment ({@code --get-user-env} is implied), which costs seconds on a busy node.
 */
public record SbatchRequest(Optional<String> partition, OptionalInt cpus, Optional<String> mem,
                            Optional<Duration> time, Optional<String> jobName, Optional<String> output,
                            Optional<Path> workDir, List<String> extraArgs, Map<String, String> environment,
                            boolean exportAll, JobCommand command) {

    private static final Pattern PARTITION = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern JOB_NAME = Pattern.compile("[A-Za-z0-9_.:+@-]{1,128}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

    public SbatchRequest {
        Objects.requireNonNull(partition, "partition");
        Objects.requireNonNull(cpus, "cpus");
        Objects.requireNonNull(mem, "mem");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(jobName, "jobName");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(workDir, "workDir");
        Objects.requireNonNull(command, "command");
        partition.ifPresent(p -> check("partition", p, PARTITION));
        cpus.ifPresent(c -> {
            if (c < 1 || c > 100_000) {
                throw new IllegalArgumentException("cpus " + c + " (1..100000)");
            }
        });
        mem.ifPresent(m -> check("mem", m, SlurmValues.MEM));
        time.ifPresent(t -> {
            if (t.isNegative() || t.isZero() || t.toDays() > 365) {
                throw new IllegalArgumentException("time " + t + " (more than 0, at most 365 days)");
            }
        });
        jobName.ifPresent(n -> check("job name", n, JOB_NAME));
        output.ifPresent(o -> {
            noNul("output", o);
            if (!o.startsWith("/")) {
                throw new IllegalArgumentException("output must be an absolute path: " + o);
            }
        });
        workDir.ifPresent(d -> {
            if (!d.isAbsolute()) {
                throw new IllegalArgumentException("workDir must be absolute: " + d);
            }
        });
        extraArgs = List.copyOf(extraArgs);
        for (String a : extraArgs) {
            noNul("extra argument", a);
            SlurmValues.submitterOption(a).ifPresent(o -> {
                throw new IllegalArgumentException("extra argument " + a + ": " + o + " is the submitter's own");
            });
        }
        Map<String, String> env = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : environment.entrySet()) {
            check("environment variable name", e.getKey(), ENV_NAME);
            noNul("environment variable " + e.getKey(), e.getValue());
            env.put(e.getKey(), e.getValue());
        }
        environment = java.util.Collections.unmodifiableMap(env);
    }

    static void noNul(String what, String s) {
        Objects.requireNonNull(s, what);
        if (s.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " contains a NUL byte");
        }
    }

    private static void check(String what, String value, Pattern p) {
        if (!p.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " '" + value + "' does not match " + p.pattern());
        }
    }

    public static Builder builder(JobCommand command) {
        return new Builder(command);
    }

    /** Slurm's {@code --time} in whole minutes, rounded up (Slurm's granularity is the minute). */
    static long minutes(Duration d) {
        long s = d.toSeconds() + (d.toNanosPart() > 0 ? 1 : 0);
        return Math.max(1, (s + 59) / 60);
    }

    /** The command line after {@code sbatch}. No value of {@link #environment()} is in it. */
    public List<String> arguments() {
        List<String> a = new ArrayList<>();
        a.add("--parsable");
        partition.ifPresent(p -> a.add("--partition=" + p));
        cpus.ifPresent(c -> a.add("--cpus-per-task=" + c));
        mem.ifPresent(m -> a.add("--mem=" + m));
        time.ifPresent(t -> a.add("--time=" + minutes(t)));
        jobName.ifPresent(n -> a.add("--job-name=" + n));
        output.ifPresent(o -> a.add("--output=" + o));
        workDir.ifPresent(d -> a.add("--chdir=" + d));
        StringBuilder export = new StringBuilder("--export=");
        if (exportAll) {
            export.append("ALL");
        }
        for (String name : environment.keySet()) {
            if (export.length() > "--export=".length()) {
                export.append(',');
            }
            export.append(name);
        }
        if (export.length() == "--export=".length()) {
            export.append("NONE");
        }
        a.add(export.toString());
        a.addAll(extraArgs);
        switch (command) {
            case JobCommand.Wrap w -> a.add("--wrap=" + w.command());
            case JobCommand.Script s -> {
                a.add(s.file().toString());
                a.addAll(s.args());
            }
        }
        return List.copyOf(a);
    }

    /** Builds a request; everything but the command is optional. */
    public static final class Builder {
        private final JobCommand command;
        private String partition;
        private Integer cpus;
        private String mem;
        private Duration time;
        private String jobName;
        private String output;
        private Path workDir;
        private final List<String> extra = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private boolean exportAll = true;

        private Builder(JobCommand command) {
            this.command = Objects.requireNonNull(command, "command");
        }

        public Builder partition(String p) { this.partition = p; return this; }

        public Builder cpus(int n) { this.cpus = n; return this; }

        /** Memory per node as sbatch takes it: a number and K, M, G or T (default M). */
        public Builder mem(String m) { this.mem = m; return this; }

        public Builder time(Duration t) { this.time = t; return this; }

        public Builder jobName(String n) { this.jobName = n; return this; }

        /** The job's standard output (and error) file; sbatch expands %j (job id), %x (name), %N (node). */
        public Builder output(String file) { this.output = file; return this; }

        public Builder workDir(Path d) { this.workDir = d; return this; }

        /** sbatch arguments added as they are, each a list element (e.g. "-w", "node2"). */
        public Builder extraArgs(List<String> args) { this.extra.addAll(args); return this; }

        /** A variable the job gets; its value travels in sbatch's environment, never on a command line. */
        public Builder env(String name, String value) { this.env.put(name, value); return this; }

        /** false: the job gets only the named variables (see the class comment); default true. */
        public Builder exportAll(boolean all) { this.exportAll = all; return this; }

        public SbatchRequest build() {
            return new SbatchRequest(Optional.ofNullable(partition),
                    cpus == null ? OptionalInt.empty() : OptionalInt.of(cpus), Optional.ofNullable(mem),
                    Optional.ofNullable(time), Optional.ofNullable(jobName), Optional.ofNullable(output),
                    Optional.ofNullable(workDir), extra, env, exportAll, command);
        }
    }
}
