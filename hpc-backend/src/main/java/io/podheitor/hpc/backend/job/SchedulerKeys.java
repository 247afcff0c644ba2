package io.podheitor.hpc.backend.job;

import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.ptcomm.PluginKeyException;
import io.podheitor.hpc.ptcomm.PluginKeys;
import io.podheitor.hpc.slurm.SlurmValues;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Where a backup's scan runs (plugin key {@code scheduler}, docs/slurm.md §4) and, for {@code scheduler=slurm}, the
 * worker's Slurm job and relay. Parsed from the same Params lines as {@link PluginParams}, which checks every key
 * and leaves these to this record.
 *
 * @param slurm          true for {@code scheduler=slurm}
 * @param partition      {@code partition}
 * @param cpus           {@code cpus}
 * @param mem            {@code mem}, as sbatch takes it (a number and K, M, G or T)
 * @param time           {@code time}
 * @param sbatchArgs     {@code sbatch_args}
 * @param slurmConf      {@code slurm_conf}: the client commands' SLURM_CONF
 * @param slurmBin       {@code slurm_bin}: where the client commands are (else PATH)
 * @param output         {@code slurm_output}
 * @param pendingTimeout {@code slurm_pending_timeout}
 * @param workerCommand  {@code worker_command}
 * @param relay          {@code relay}
 * @param bind           {@code relay_bind}
 * @param port           {@code relay_port} (0: any)
 * @param lz4            {@code relay_lz4}
 */
public record SchedulerKeys(boolean slurm, Optional<String> partition, OptionalInt cpus, Optional<String> mem,
                            Optional<Duration> time, List<String> sbatchArgs, Optional<Path> slurmConf,
                            Optional<Path> slurmBin, String output, Duration pendingTimeout, Optional<Path> workerCommand, Relay relay,
                            Optional<String> bind, int port, boolean lz4) {

    /** How the worker connects back. */
    public enum Relay { AUTO, UNIX, TCP }

    /** The keys this record reads; PluginParams leaves them alone. */
    public static final Set<String> NAMES = Set.of("scheduler", "partition", "cpus", "mem", "time", "sbatch_args",
            "slurm_conf", "slurm_bin", "slurm_output", "slurm_pending_timeout", "worker_command", "relay", "relay_bind",
            "relay_port", "relay_lz4");

    public static final String DEFAULT_OUTPUT = "/tmp/podheitor-hpc-worker-%j.out";
    public static final SchedulerKeys LOCAL = new SchedulerKeys(false, Optional.empty(), OptionalInt.empty(),
            Optional.empty(), Optional.empty(), List.of(), Optional.empty(), Optional.empty(), DEFAULT_OUTPUT, Duration.ofSeconds(600),
            Optional.empty(), Relay.AUTO, Optional.empty(), 0, false);


    public SchedulerKeys {
        sbatchArgs = List.copyOf(sbatchArgs);
    }

    /**
     * The scheduler keys of a Params block (the lines {@code key=value}); the other keys are skipped (PluginParams
     * checks them).
     */
    public static SchedulerKeys parse(List<byte[]> lines) throws BadRequestException {
        boolean slurm = false;
        String partition = null;
        Integer cpus = null;
        String mem = null;
        Duration time = null;
        List<String> extra = List.of();
        Path conf = null;
        Path bin = null;
        String output = DEFAULT_OUTPUT;
        Duration pending = LOCAL.pendingTimeout();
        Path worker = null;
        Relay relay = Relay.AUTO;
        String bind = null;
        int port = 0;
        boolean lz4 = false;
        for (byte[] line : lines) {
            int eq = JobInfo.indexOf(line, (byte) '=');
            if (eq <= 0) {
                continue; // PluginParams reports it
            }
            String key = new String(line, 0, eq, StandardCharsets.UTF_8);
            if (!NAMES.contains(key)) {
                continue;
            }
            Object value;
            try {
                value = PluginKeys.table().check(Arrays.copyOf(line, eq), Arrays.copyOfRange(line, eq + 1, line.length));
            } catch (PluginKeyException e) {
                throw new BadRequestException(e.message(PathText::render));
            }
            switch (key) {
                case "scheduler" -> slurm = value.equals("slurm");
                case "partition" -> partition = (String) value;
                case "cpus" -> cpus = (int) value;
                case "mem" -> mem = rule(key, (String) value, SlurmValues::mem);
                case "time" -> time = rule(key, (String) value, SlurmValues::time);
                case "sbatch_args" -> {
                    @SuppressWarnings("unchecked")
                    List<String> words = (List<String>) value;
                    extra = words;
                }
                case "slurm_conf" -> conf = Path.of((String) value);
                case "slurm_bin" -> bin = Path.of((String) value);
                case "slurm_output" -> output = (String) value;
                case "slurm_pending_timeout" -> pending = Duration.ofSeconds((int) value);
                case "worker_command" -> worker = Path.of((String) value);
                case "relay" -> relay = Relay.valueOf(((String) value).toUpperCase(java.util.Locale.ROOT));
                case "relay_bind" -> bind = rule(key, (String) value, SlurmValues::bindAddress);
                case "relay_port" -> port = (int) value;
                case "relay_lz4" -> lz4 = (boolean) value;
                default -> throw new IllegalStateException("SchedulerKeys.NAMES has " + key + " and parse does not");
            }
        }
        for (String a : extra) {
            Optional<String> owned = SlurmValues.submitterOption(a);
            if (owned.isPresent()) {
                throw new BadRequestException("bad plugin parameter sbatch_args: " + owned.get()
                        + " is the submitter's own");
            }
        }
        return new SchedulerKeys(slurm, Optional.ofNullable(partition),
                cpus == null ? OptionalInt.empty() : OptionalInt.of(cpus), Optional.ofNullable(mem),
                Optional.ofNullable(time), extra, Optional.ofNullable(conf),
                Optional.ofNullable(bin), output, pending,
                Optional.ofNullable(worker), relay, Optional.ofNullable(bind), port, lz4);
    }

    /** VALUE checked by RULE (hpc-slurm's SlurmValues), its message naming the key. */
    private static <T> T rule(String key, String value, java.util.function.Function<String, T> rule)
            throws BadRequestException {
        try {
            return rule.apply(value);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("bad plugin parameter " + key + "=\"" + value + "\": " + e.getMessage());
        }
    }
}
