package io.podheitor.hpc.cli.genfileset;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code podheitor-hpc gen-fileset --path P --shards N}: the Director resources of N shard jobs over P (a FileSet
 * and a Job per shard, the Pools of the topology) in {@code DIR/podheitor-shards.conf}, and {@code DIR/README.md}
 * saying what else to configure, how to run them together and how to restore them (docs/sharding.md §8).
 */
@Command(name = "gen-fileset", mixinStandardHelpOptions = true,
        description = {"Write the Bacula Director resources of N concurrent shard jobs over PATH "
                + "(FileSet + Job per shard, Pools) and a README that says how to configure and run them.",
                "Exit status: 0 written, 1 files exist (without --force) or cannot be written, 2 bad options."})
public final class GenFilesetCommand implements Callable<Integer> {
    /** The configuration file, to @-include in bacula-dir.conf. */
    public static final String CONF = "podheitor-shards.conf";
    /** The README beside it. */
    public static final String README = "README.md";

    @Spec
    CommandSpec spec;

    @Option(names = "--path", required = true, paramLabel = "P", description = "the tree (plugin key path), absolute")
    String path;

    @Option(names = "--shards", required = true, paramLabel = "N", description = "number of shards (jobs), 1..4096")
    int shards;

    @Option(names = "--strategy", paramLabel = "S", defaultValue = "inode-hash",
            description = "inode-hash (default), subtree, mtime-bucket or lustre-mdt (docs/sharding.md)")
    String strategy;

    @Option(names = "--mtime-bucket", paramLabel = "SECONDS", description = "mtime-bucket: the bucket width")
    Integer mtimeBucket;

    @Option(names = "--subtree", paramLabel = "LIST",
            description = "subtree: one shard's subtree= list (paths separated by ',', \\, for a comma in a path, "
                    + "!/path excludes); give it N times, or N-1 times and the last shard takes the rest")
    List<String> subtrees = new ArrayList<>();

    @Option(names = "--mode", paramLabel = "M", description = "plugin key mode: posix, lustre, gpfs, cephfs, beegfs, weka")
    String mode;

    @Option(names = "--topology", paramLabel = "T", defaultValue = "per-shard-pool",
            description = "per-shard-pool (default: a Pool per shard), max-volume-jobs (one Pool, Maximum Volume "
                    + "Jobs = 1) or multi-storage (--storage round-robin, a Pool per Storage)")
    String topology;

    @Option(names = "--storage", paramLabel = "S1,S2,...", split = ",", defaultValue = "File1",
            description = "the Director's Storage(s), assigned round-robin to the shards (default File1)")
    List<String> storages;

    @Option(names = "--client", paramLabel = "C1,C2,...", split = ",",
            description = "the Director's Client(s), assigned round-robin to the shards (default HOSTNAME-fd)")
    List<String> clients;

    @Option(names = "--schedule", paramLabel = "NAME", description = "a Schedule for every Job (they then start together)")
    String schedule;

    @Option(names = "--name", paramLabel = "PREFIX", defaultValue = "Shard",
            description = "prefix of the names: Jobs PREFIX-K, FileSets PREFIX-K-fs, Pools PREFIX-K-pool, Volumes "
                    + "PREFIX-K-NNNN (default Shard); give every sharded tree its own")
    String name;

    @Option(names = "--jobdefs", paramLabel = "NAME", description = "a JobDefs for every Job")
    String jobDefs;

    @Option(names = "--messages", paramLabel = "NAME", defaultValue = "Standard",
            description = "the Jobs' Messages resource (default Standard)")
    String messages;

    @Option(names = "--signature", paramLabel = "ALG", defaultValue = "MD5",
            description = "the FileSet's signature option: MD5 (default), SHA1, SHA256, SHA512 or none")
    String signature;

    @Option(names = "--accurate", paramLabel = "yes|no", defaultValue = "yes", arity = "1",
            description = "Accurate in every Job (default yes: a file that moves between shards is then recorded "
                    + "deleted in the old one)")
    String accurate;

    @Option(names = "--priority", paramLabel = "P", defaultValue = "10", description = "the Jobs' Priority (default 10)")
    int priority;

    @Option(names = "--key", paramLabel = "KEY=VALUE",
            description = "a further plugin key for every shard, e.g. threads=64 or progress=5 (repeatable)")
    List<String> keys = new ArrayList<>();

    @Option(names = "--restore-where", paramLabel = "DIR", defaultValue = "/tmp/bacula-restores",
            description = "the restore directory of the README's examples (default /tmp/bacula-restores)")
    String restoreWhere;

    @Option(names = {"--output", "-o"}, paramLabel = "DIR", defaultValue = ".",
            description = "where to write " + CONF + " and " + README + " (default: the current directory)")
    Path output;

    @Option(names = "--changelog-users", paramLabel = "ID,...", split = ",",
            description = "--mode lustre: the Lustre changelog consumer of each shard (plugin key changelog_user), "
                    + "one per shard, all different (docs/changelog.md §7.1: a consumer shared by shards makes "
                    + "their clears purge each other's records)")
    List<String> changelogUsers = new ArrayList<>();

    @Option(names = "--force", description = "overwrite existing files")
    boolean force;

    @Option(names = "--scheduler", paramLabel = "local|slurm", defaultValue = "local",
            description = "where each shard's scan runs (plugin key scheduler): local (default: in the backend "
                    + "bacula-fd starts) or slurm (one Slurm batch job per Bacula job: N shards, N Slurm jobs; "
                    + "bacula-fd stays on the Client; docs/sharding.md §8)")
    String scheduler;

    @Option(names = "--partition", paramLabel = "P", description = "--scheduler slurm: the workers' partition")
    String partition;

    @Option(names = "--cpus", paramLabel = "N", description = "--scheduler slurm: CPUs of each worker's job, 1..4096")
    String cpus;

    @Option(names = "--mem", paramLabel = "M", description = "--scheduler slurm: memory of each worker's job: a number "
            + "and K, M, G or T (16G)")
    String mem;

    @Option(names = "--time", paramLabel = "T", description = "--scheduler slurm: time limit of each worker's job: a "
            + "number and s, m, h or d (90m, 1h, 2d)")
    String time;

    @Option(names = "--sbatch-args", paramLabel = "WORDS", description = "--scheduler slurm: more sbatch arguments, "
            + "separated by single blanks (\"--account=hpc --qos=low\"); not --parsable, --export, --export-file, "
            + "--wrap")
    String sbatchArgs;

    @Option(names = "--slurm-conf", paramLabel = "PATH", description = "--scheduler slurm: the slurm.conf of the "
            + "Slurm commands (SLURM_CONF)")
    String slurmConf;

    @Option(names = "--relay", paramLabel = "auto|unix|tcp", description = "--scheduler slurm: how a worker "
            + "connects back to the Client (default auto)")
    String relay;

    @Option(names = "--relay-bind", paramLabel = "ADDR", description = "--scheduler slurm: the Client's address "
            + "(IPv4 or host name) the compute nodes reach, for the TCP relay")
    String relayBind;

    @Option(names = "--relay-lz4", description = "--scheduler slurm: compress the TCP relay with LZ4")
    boolean relayLz4;

    @Option(names = "--one-node-per-shard", description = "--scheduler slurm: --exclusive in every shard's "
            + "sbatch_args, so each shard's worker has a node of its own")
    boolean oneNodePerShard;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Plan plan;
        try {
            if (!accurate.equals("yes") && !accurate.equals("no")) {
                throw new IllegalArgumentException("--accurate \"" + accurate + "\": expected yes or no");
            }
            GenRequest r = new GenRequest(path, shards, strategy, mtimeBucket, subtrees, mode,
                    Topology.of(topology), storages, clients != null ? clients : List.of(defaultClient()), schedule,
                    name, jobDefs, messages, restoreWhere, signature, accurate.equals("yes"), priority,
                    changelogUsers, keys, new SchedulerRequest(scheduler, partition, cpus, mem, time, sbatchArgs,
                            slurmConf, relay, relayBind, relayLz4, oneNodePerShard), commandLine());
            plan = Planner.plan(r);
        } catch (IllegalArgumentException e) {
            err.println("podheitor-hpc gen-fileset: " + e.getMessage());
            err.flush();
            return 2;
        }
        Path dir = output.toAbsolutePath().normalize();
        Path conf = dir.resolve(CONF);
        LinkedHashMap<String, String> files = new LinkedHashMap<>();
        files.put(CONF, ConfWriter.render(plan));
        files.put(README, ReadmeWriter.render(plan, conf.toString()));
        try {
            OutputFiles.write(dir, files, force);
        } catch (FileAlreadyExistsException e) {
            err.println("podheitor-hpc gen-fileset: " + e.getFile() + " " + e.getReason());
            err.flush();
            return 1;
        } catch (IOException e) {
            err.println("podheitor-hpc gen-fileset: cannot write into " + dir + ": " + e);
            err.flush();
            return 1;
        }
        if (!conf.toString().matches("[A-Za-z0-9_./+=,:@%-]+")) {
            err.println("podheitor-hpc gen-fileset: warning: Bacula's @-include takes the path up to a blank: move "
                    + conf + " to a path without blanks or quotes before you include it");
        }
        out.printf("wrote %s (%d Jobs, %d FileSets, %d Pools) and %s%n", conf, plan.jobs().size(),
                plan.jobs().size(), plan.pools().size(), dir.resolve(README));
        out.printf("next: add '@%s' to bacula-dir.conf and raise Maximum Concurrent Jobs as %s says%n", conf,
                dir.resolve(README));
        out.flush();
        return 0;
    }

    /** The command line as given (the parse result of the subcommand holds the whole line, "gen-fileset" too). */
    private String commandLine() {
        StringBuilder b = new StringBuilder("podheitor-hpc");
        for (String a : spec.commandLine().getParseResult().originalArgs()) {
            b.append(' ').append(shellWord(a));
        }
        return b.toString();
    }

    /** A word as a shell would need it, control characters shown as '?' (the line goes into comments). */
    static String shellWord(String a) {
        String s = a.replaceAll("\\p{Cntrl}", "?");
        return !s.isEmpty() && s.matches("[A-Za-z0-9_./=,:@%+-]+") ? s : "'" + s.replace("'", "'\\''") + "'";
    }

    private static String defaultClient() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = "localhost";
        }
        int dot = host.indexOf('.');
        return (dot > 0 ? host.substring(0, dot) : host) + "-fd";
    }
}
