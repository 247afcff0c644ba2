package io.podheitor.hpc.cli.genfileset;

import io.podheitor.hpc.ptcomm.KeySpec;
import io.podheitor.hpc.ptcomm.PluginKeyException;
import io.podheitor.hpc.ptcomm.PluginKeys;
import io.podheitor.hpc.slurm.SlurmValues;
import io.podheitor.hpc.shard.Shard;
import io.podheitor.hpc.shard.ShardSpec;
import io.podheitor.hpc.shard.SubtreeList;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a {@link GenRequest} and turns it into a {@link Plan}: names, the round-robin of Clients and Storages,
 * the Pools of the topology, and each shard's plugin string, every key of which is checked against the plugin-key
 * table exactly as the shim checks it, and the sharding keys together as the backend does ({@code ShardSpec.of}).
 */
public final class Planner {
    /** The name of the plugin, before the first ':' of the string. */
    public static final String PLUGIN = "podheitor-hpc";
    /** Keys gen-fileset writes itself; {@code --key} may not give them. */
    static final Set<String> OWN_KEYS = Set.of("path", "mode", "shard", "strategy", "subtree", "mtime_bucket",
            "changelog_user");
    /** A resource-name prefix: the longest generated name is PREFIX-4095-pool. */
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_.-]{1,100}");
    /** A Bacula resource name (Bacula allows letters, digits and " _.:-", up to 127 characters). */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-][A-Za-z0-9 _.:-]{0,126}");
    /**
     * The longest plugin string written: Bacula 9.6's configuration parser overruns its buffer on a quoted string
     * of 5000 bytes (bacula-dir -t aborts; 4999 passes, measured), so with a margin.
     */
    static final int MAX_CONF_STRING = 4000;
    private static final Set<String> SIGNATURES = Set.of("MD5", "SHA1", "SHA256", "SHA512", "none");
    /** The scheduler keys gen-fileset writes from an option of its own (key -> option); {@code --key} may not. */
    static final Map<String, String> SCHEDULER_OPTIONS = schedulerOptions();
    /** The {@code scheduler=slurm} keys without an option: {@code --key} gives them, with --scheduler slurm only. */
    static final Set<String> SLURM_KEYS = Set.of("slurm_output", "slurm_pending_timeout", "worker_command",
            "relay_port");
    /** What --one-node-per-shard adds to sbatch_args. */
    static final String EXCLUSIVE = "--exclusive";

    private Planner() {
    }

    private static Map<String, String> schedulerOptions() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("scheduler", "--scheduler");
        m.put("partition", "--partition");
        m.put("cpus", "--cpus");
        m.put("mem", "--mem");
        m.put("time", "--time");
        m.put("sbatch_args", "--sbatch-args (and --one-node-per-shard)");
        m.put("slurm_conf", "--slurm-conf");
        m.put("relay", "--relay");
        m.put("relay_bind", "--relay-bind");
        m.put("relay_lz4", "--relay-lz4");
        return java.util.Collections.unmodifiableMap(m);
    }

    /** The plan; IllegalArgumentException with a message for the operator when an input is wrong. */
    public static Plan plan(GenRequest r) {
        if (r.shards() < 1 || r.shards() > Shard.MAX_SHARDS) {
            throw new IllegalArgumentException("--shards " + r.shards() + ": expected 1.." + Shard.MAX_SHARDS);
        }
        int n = r.shards();
        String root = normalize(r.path());
        byte[] rootBytes = Escaping.utf8(root);
        ShardSpec.Kind kind = ShardSpec.Kind.of(r.strategy());
        if (kind != ShardSpec.Kind.MTIME_BUCKET && r.mtimeBucket() != null) {
            throw new IllegalArgumentException("--mtime-bucket belongs to --strategy mtime-bucket, not " + kind.key());
        }
        if (kind != ShardSpec.Kind.SUBTREE && !r.subtrees().isEmpty()) {
            throw new IllegalArgumentException("--subtree belongs to --strategy subtree, not " + kind.key());
        }
        List<String> subtrees = kind == ShardSpec.Kind.SUBTREE ? subtreeLists(rootBytes, r.subtrees(), n) : List.of();
        if (!PREFIX.matcher(r.name()).matches()) {
            throw new IllegalArgumentException("--name \"" + r.name() + "\": 1..100 letters, digits, '_', '.', '-'");
        }
        name("--schedule", r.schedule());
        name("--jobdefs", r.jobDefs());
        name("--messages", r.messages());
        if (r.storages().isEmpty() || r.clients().isEmpty()) {
            throw new IllegalArgumentException((r.storages().isEmpty() ? "--storage" : "--client") + " names none");
        }
        r.storages().forEach(s -> name("--storage", s));
        r.clients().forEach(c -> name("--client", c));
        if (r.topology() == Topology.MULTI_STORAGE && new LinkedHashSet<>(r.storages()).size() < 2) {
            throw new IllegalArgumentException("--topology multi-storage needs at least two Storages in --storage "
                    + "(with one, use per-shard-pool or max-volume-jobs)");
        }
        if (!SIGNATURES.contains(r.signature())) {
            throw new IllegalArgumentException("--signature \"" + r.signature() + "\": expected " + String.join(", ",
                    SIGNATURES.stream().sorted().toList()));
        }
        if (r.priority() < 1 || r.priority() > 1000) {
            throw new IllegalArgumentException("--priority " + r.priority() + ": expected 1..1000");
        }
        if (!r.restoreWhere().startsWith("/")) {
            throw new IllegalArgumentException("--restore-where \"" + r.restoreWhere() + "\": not an absolute path");
        }
        Escaping.checkConfText("--restore-where", r.restoreWhere());
        if (r.restoreWhere().contains("\"")) {
            throw new IllegalArgumentException("--restore-where: a '\"' cannot be written in a bconsole command");
        }

        // the common part of every shard's plugin string
        StringBuilder common = new StringBuilder(PLUGIN).append(':');
        key(common, "path", root);
        if (r.mode() != null) {
            key(common, "mode", r.mode());
        }
        Map<String, String> scheduler = schedulerKeys(r.scheduler());
        List<String> extra = extraKeys(r.extraKeys(), r.scheduler().slurm());
        if (!r.changelogUsers().isEmpty()) {
            if (!"lustre".equals(r.mode())) {
                throw new IllegalArgumentException("--changelog-users belongs to --mode lustre");
            }
            if (r.changelogUsers().size() != n) {
                throw new IllegalArgumentException("--changelog-users names " + r.changelogUsers().size()
                        + " consumers for " + n + " shards: give one per shard (register each on every MDT with "
                        + "lctl --device FSNAME-MDTnnnn changelog_register)");
            }
            if (new LinkedHashSet<>(r.changelogUsers()).size() != n) {
                throw new IllegalArgumentException("--changelog-users: each shard needs its own consumer; a consumer "
                        + "shared by shards lets one shard's clear purge records another has not read yet");
            }
        }

        List<Plan.ShardJob> jobs = new ArrayList<>();
        for (int k = 0; k < n; k++) {
            StringBuilder p = new StringBuilder(common);
            String shard = kind == ShardSpec.Kind.SUBTREE ? null : k + "/" + n;
            String subtree = kind == ShardSpec.Kind.SUBTREE ? subtrees.get(k) : null;
            try {
                ShardSpec.of(rootBytes, shard, kind.key(), subtree == null ? null : Escaping.utf8(subtree),
                        r.mtimeBucket());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("shard " + k + ": " + e.getMessage(), e);
            }
            if (shard != null) {
                key(p, "shard", shard);
            }
            key(p, "strategy", kind.key());
            if (subtree != null) {
                key(p, "subtree", subtree);
            }
            if (r.mtimeBucket() != null) {
                key(p, "mtime_bucket", Integer.toString(r.mtimeBucket()));
            }
            if (!r.changelogUsers().isEmpty()) {
                key(p, "changelog_user", r.changelogUsers().get(k));
            }
            scheduler.forEach((key, value) -> key(p, key, value));
            for (String kv : extra) {
                int eq = kv.indexOf('=');
                key(p, kv.substring(0, eq), kv.substring(eq + 1));
            }
            p.setLength(p.length() - 1);   // the last ';'
            int bytes = Escaping.utf8(p.toString()).length;
            if (bytes > MAX_CONF_STRING) {
                throw new IllegalArgumentException("shard " + k + ": the plugin string is " + bytes + " bytes; Bacula's "
                        + "configuration parser takes strings of at most " + MAX_CONF_STRING + " (a shorter --path, "
                        + "shorter --subtree lists, fewer --key)");
            }
            String client = r.clients().get(k % r.clients().size());
            String storage = r.storages().get(k % r.storages().size());
            String pool = switch (r.topology()) {
                case PER_SHARD_POOL -> r.name() + "-" + k + "-pool";
                case MAX_VOLUME_JOBS -> r.name() + "-pool";
                case MULTI_STORAGE -> r.name() + "-" + storageIndex(r.storages(), storage) + "-pool";
            };
            jobs.add(new Plan.ShardJob(k, r.name() + "-" + k, r.name() + "-" + k + "-fs", pool, client, storage,
                    p.toString()));
        }
        return new Plan(r, root, jobs, pools(r, jobs), scheduler);
    }

    private static List<Plan.PoolDef> pools(GenRequest r, List<Plan.ShardJob> jobs) {
        List<Plan.PoolDef> pools = new ArrayList<>();
        switch (r.topology()) {
            case PER_SHARD_POOL -> {
                for (Plan.ShardJob j : jobs) {
                    pools.add(new Plan.PoolDef(j.pool(), j.storage(), r.name() + "-" + j.k() + "-", false,
                            List.of(j.k())));
                }
            }
            case MAX_VOLUME_JOBS -> pools.add(new Plan.PoolDef(r.name() + "-pool", r.storages().get(0),
                    r.name() + "-", true, jobs.stream().map(Plan.ShardJob::k).toList()));
            case MULTI_STORAGE -> {
                for (String s : new LinkedHashSet<>(r.storages())) {
                    int i = storageIndex(r.storages(), s);
                    List<Integer> on = jobs.stream().filter(j -> j.storage().equals(s)).map(Plan.ShardJob::k).toList();
                    if (!on.isEmpty()) {
                        pools.add(new Plan.PoolDef(r.name() + "-" + i + "-pool", s, r.name() + "-s" + i + "-", true, on));
                    }
                }
            }
        }
        return pools;
    }

    private static int storageIndex(List<String> storages, String s) {
        return storages.indexOf(s);
    }

    /** path=: absolute, no control characters, repeated slashes collapsed, trailing slashes dropped. */
    static String normalize(String path) {
        if (path.isEmpty() || path.charAt(0) != '/') {
            throw new IllegalArgumentException("--path \"" + path + "\": not an absolute path");
        }
        Escaping.checkConfText("--path", path);
        String p = path.replaceAll("/{2,}", "/");
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    private static void name(String option, String value) {
        if (value != null && (!NAME.matcher(value).matches() || value.endsWith(" "))) {
            throw new IllegalArgumentException(option + " \"" + value + "\": not a Bacula resource name (letters, "
                    + "digits, ' ', '_', '.', ':', '-'; at most 127)");
        }
    }

    /** Appends key=value; (value plugin-escaped) after checking the value as the shim does. */
    private static void key(StringBuilder b, String key, String value) {
        KeySpec spec = PluginKeys.table().find(key);
        if (spec == null) {
            throw new IllegalArgumentException("plugin key \"" + key + "\" is not a key of the plugin (known: "
                    + PluginKeys.table().known() + ")");
        }
        try {
            spec.check(Escaping.utf8(value));
        } catch (PluginKeyException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        b.append(key).append('=').append(Escaping.text(Escaping.pluginValue(Escaping.utf8(value)))).append(';');
    }

    /**
     * --key K=V: known keys, not one gen-fileset writes (nor a scheduler key with an option of its own), the other
     * scheduler=slurm keys only with --scheduler slurm, each once; "K=V" as given (checked by key()).
     */
    private static List<String> extraKeys(List<String> given, boolean slurm) {
        Set<String> seen = new LinkedHashSet<>();
        for (String kv : given) {
            int eq = kv.indexOf('=');
            if (eq <= 0 || eq == kv.length() - 1) {
                throw new IllegalArgumentException("--key \"" + kv + "\": expected KEY=VALUE");
            }
            String k = kv.substring(0, eq);
            if (OWN_KEYS.contains(k)) {
                throw new IllegalArgumentException("--key " + k + "=...: gen-fileset writes " + k
                        + " itself (use --path, --mode, --shards, --strategy, --subtree, --mtime-bucket, "
                        + "--changelog-users)");
            }
            if (SCHEDULER_OPTIONS.containsKey(k)) {
                throw new IllegalArgumentException("--key " + k + "=...: gen-fileset writes " + k + " itself from "
                        + SCHEDULER_OPTIONS.get(k) + "; give that option instead");
            }
            if (SLURM_KEYS.contains(k) && !slurm) {
                throw new IllegalArgumentException("--key " + k + "=...: a key of scheduler=slurm; it belongs to "
                        + "--scheduler slurm");
            }
            if (!seen.add(k)) {
                throw new IllegalArgumentException("--key " + k + " is given twice");
            }
            Escaping.checkConfText("--key " + k, kv);
        }
        return given;
    }

    /**
     * The scheduler keys of every shard's plugin string, in the key table's order, each value checked against the
     * key table as the shim checks it and against the backend's further rules (SchedulerKeys: mem, time,
     * relay_bind, the submitter's own sbatch arguments), the message naming the option. None for --scheduler local
     * (whose plugin strings are those of a gen-fileset without the option); the Slurm options are refused there.
     */
    static Map<String, String> schedulerKeys(SchedulerRequest s) {
        Map<String, String> keys = new LinkedHashMap<>();
        option(keys, "--scheduler", "scheduler", s.scheduler());
        if (!s.slurm()) {
            Map<String, Boolean> slurmOnly = new LinkedHashMap<>();
            slurmOnly.put("--partition", s.partition() != null);
            slurmOnly.put("--cpus", s.cpus() != null);
            slurmOnly.put("--mem", s.mem() != null);
            slurmOnly.put("--time", s.time() != null);
            slurmOnly.put("--sbatch-args", s.sbatchArgs() != null);
            slurmOnly.put("--slurm-conf", s.slurmConf() != null);
            slurmOnly.put("--relay", s.relay() != null);
            slurmOnly.put("--relay-bind", s.relayBind() != null);
            slurmOnly.put("--relay-lz4", s.relayLz4());
            slurmOnly.put("--one-node-per-shard", s.oneNodePerShard());
            List<String> given = slurmOnly.entrySet().stream().filter(Map.Entry::getValue).map(Map.Entry::getKey)
                    .toList();
            if (!given.isEmpty()) {
                throw new IllegalArgumentException(String.join(", ", given) + (given.size() == 1 ? " belongs" : " belong")
                        + " to --scheduler slurm, not --scheduler " + s.scheduler());
            }
            return Map.of();
        }
        option(keys, "--partition", "partition", s.partition());
        option(keys, "--cpus", "cpus", s.cpus());
        option(keys, "--mem", "mem", s.mem());
        rule("--mem", s.mem(), SlurmValues::mem);
        option(keys, "--time", "time", s.time());
        rule("--time", s.time(), SlurmValues::time);
        List<String> words = new ArrayList<>();
        if (s.sbatchArgs() != null) {
            option(keys, "--sbatch-args", "sbatch_args", s.sbatchArgs());
            words.addAll(List.of(s.sbatchArgs().split(" ")));
            for (String a : words) {
                SlurmValues.submitterOption(a).ifPresent(own -> {
                    throw new IllegalArgumentException("--sbatch-args: " + own + " is the submitter's own (the "
                            + "backend gives it and refuses it in sbatch_args)");
                });
                if (s.oneNodePerShard() && a.startsWith(EXCLUSIVE + "=")) {
                    throw new IllegalArgumentException("--sbatch-args " + a + " and --one-node-per-shard (which "
                            + "adds " + EXCLUSIVE + ") contradict each other: give one");
                }
            }
        }
        if (s.oneNodePerShard() && !words.contains(EXCLUSIVE)) {
            words.addFirst(EXCLUSIVE);
            keys.remove("sbatch_args");
            option(keys, "--one-node-per-shard", "sbatch_args", String.join(" ", words));
        }
        option(keys, "--slurm-conf", "slurm_conf", s.slurmConf());
        option(keys, "--relay", "relay", s.relay());
        option(keys, "--relay-bind", "relay_bind", s.relayBind());
        rule("--relay-bind", s.relayBind(), SlurmValues::bindAddress);
        if ("unix".equals(s.relay()) && (s.relayBind() != null || s.relayLz4())) {
            throw new IllegalArgumentException((s.relayBind() != null ? "--relay-bind" : "--relay-lz4")
                    + " is for the TCP relay; --relay unix never uses it");
        }
        if (s.relayLz4()) {
            option(keys, "--relay-lz4", "relay_lz4", "yes");
        }
        return keys;
    }

    /** One option's value as its plugin key: checked against the key table, the message naming the option. */
    private static void option(Map<String, String> keys, String option, String key, String value) {
        if (value == null) {
            return;
        }
        Escaping.checkConfText(option, value);
        try {
            PluginKeys.table().check(Escaping.utf8(key), Escaping.utf8(value));
        } catch (PluginKeyException e) {
            throw new IllegalArgumentException(option + " \"" + value + "\": " + e.rule() + " (plugin key " + key
                    + ")", e);
        }
        keys.put(key, value);
    }

    /** A value checked by its rule (hpc-slurm's SlurmValues, the backend's too), the message naming the option. */
    private static void rule(String option, String value, java.util.function.Function<String, ?> rule) {
        if (value == null) {
            return;
        }
        try {
            rule.apply(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + " \"" + value + "\": " + e.getMessage(), e);
        }
    }

    /**
     * strategy subtree: the N {@code subtree=} values, each as the plugin key's value (elements separated by ',',
     * {@code \,} and {@code \\} inside one); with N-1 given, the last shard's list is "the rest": every included
     * path of the others, excluded.
     */
    private static List<String> subtreeLists(byte[] root, List<String> given, int n) {
        if (given.size() != n && given.size() != n - 1) {
            throw new IllegalArgumentException("--strategy subtree with --shards " + n + " needs " + n + " --subtree "
                    + "lists (or " + (n - 1) + ": the last shard then takes the rest), not " + given.size());
        }
        List<String> out = new ArrayList<>(given);
        if (given.size() == n - 1) {
            ByteArrayOutputStream rest = new ByteArrayOutputStream();
            for (int i = 0; i < given.size(); i++) {
                for (SubtreeList.Element e : parseList(given.get(i), i)) {
                    if (e.excluded()) {
                        throw new IllegalArgumentException("--subtree list " + (i + 1) + " excludes a path: the rest "
                                + "cannot be generated from it; give all " + n + " lists");
                    }
                    if (rest.size() > 0) {
                        rest.write(',');
                    }
                    rest.write('!');
                    rest.writeBytes(Escaping.subtreeElement(e.path()));
                }
            }
            if (rest.size() == 0) {
                throw new IllegalArgumentException("--subtree: the lists name no path");
            }
            out.add(Escaping.text(rest.toByteArray()));
        }
        for (int i = 0; i < out.size(); i++) {
            Escaping.checkConfText("--subtree", out.get(i));
            parseList(out.get(i), i);
        }
        return out;
    }

    private static List<SubtreeList.Element> parseList(String list, int i) {
        try {
            return SubtreeList.parse(Escaping.utf8(list));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--subtree list " + (i + 1) + " \"" + list + "\": " + e.getMessage(), e);
        }
    }
}
