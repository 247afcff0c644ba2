package io.podheitor.hpc.ptcomm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class PluginKeysTest {
    private static final PluginKeys T = PluginKeys.table();

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String refused(String key, byte[] raw) {
        return assertThrows(PluginKeyException.class, () -> T.check(b(key), raw)).getMessage();
    }

    private static String refused(String key, String raw) {
        return refused(key, b(raw));
    }

    @Test
    void theCompiledInTableEqualsTheToml() {
        // BundledKeys.java is generated (scripts/gen-plugin-keys.py --java); a table changed without regenerating
        // it fails here, key by key
        List<KeySpec> toml = PluginKeys.fromResource().keys();
        List<KeySpec> compiled = PluginKeys.table().keys();
        for (int i = 0; i < Math.max(toml.size(), compiled.size()); i++) {
            assertEquals(i < toml.size() ? toml.get(i) : null, i < compiled.size() ? compiled.get(i) : null,
                    "key #" + (i + 1) + ": run scripts/gen-plugin-keys.py --java "
                            + "hpc-ptcomm/src/main/java/io/podheitor/hpc/ptcomm/BundledKeys.java");
        }
        assertEquals(toml.size(), compiled.size());
    }

    @Test
    void theBundledTableLoadsInItsOrder() {
        assertEquals("path, mode, threads, channel_depth, backend, timeout, aclsupport, xattrsupport, readahead, "
                + "hardlink_memory, spill_dir, progress, metrics_dir, restore_threads, shard, strategy, subtree, "
                + "mtime_bucket, changelog_user, state_dir, rctime_margin, gpfs_policy_args, snapshot, parallel_reads, stripe_readers, stripe_min, handoff, handoff_min, restripe, throttle_file, "
                + "scheduler, partition, cpus, mem, time, sbatch_args, slurm_conf, slurm_bin, slurm_output, slurm_pending_timeout, "
                + "worker_command, relay, relay_bind, relay_port, relay_lz4", T.known());
        assertEquals(T.known(), String.join(", ", T.keys().stream().map(KeySpec::name).toList()));
        KeySpec threads = T.find("threads");
        assertEquals(KeySpec.Type.INTEGER, threads.type());
        assertEquals(1, threads.min());
        assertEquals(1024, threads.max());
        assertNull(threads.defaultValue());
        assertTrue(threads.defaultText().contains("cores"));
        assertEquals(KeySpec.Side.BACKEND, threads.side());
        assertEquals("seconds", T.find("timeout").unit());
        assertEquals(List.of("posix", "lustre", "gpfs", "cephfs", "beegfs", "weka"), T.find("mode").values());
        assertEquals("posix", T.find("mode").defaultValue());
        assertTrue(T.find("path").required());
        assertNull(T.find("foo"));
        for (KeySpec k : T.keys()) {
            assertFalse(k.description().isBlank(), k.name());
        }
    }

    @Test
    void typedValues() throws Exception {
        assertArrayEquals(b("/a b/\u00e9\u0001/"), (byte[]) T.check(b("path"), b("/a b/\u00e9\u0001/")));
        assertEquals("/var/tmp", T.check(b("spill_dir"), b("/var/tmp")));
        assertEquals(1024, T.check(b("threads"), b("1024")));
        assertEquals(7, T.check(b("threads"), b("0007")));
        assertEquals(0, T.check(b("readahead"), b("0")));
        assertEquals(Boolean.FALSE, T.check(b("aclsupport"), b("no")));
        assertEquals(Boolean.TRUE, T.check(b("xattrsupport"), b("yes")));
        assertEquals("weka", T.check(b("mode"), b("weka")));
        assertEquals("4095/4096", T.check(b("shard"), b("4095/4096")));
        assertEquals("003/0004", T.check(b("shard"), b("003/0004")));
        assertEquals(4096, T.find("shard").max());
        assertArrayEquals(b("/a\\,b,!/c\\\\,/\u00e9"), (byte[]) T.check(b("subtree"), b("/a\\,b,!/c\\\\,/\u00e9")),
                "the list's escapes are kept for the backend's parser");
        assertEquals(List.of("inode-hash", "subtree", "mtime-bucket", "lustre-mdt"), T.find("strategy").values());
    }

    @Test
    void shardingValuesAreCheckedByTheirType() {
        for (String bad : new String[] {"4096/4096", "0/4097", "1/0", "-1/2", "1", "/2", "1/", "1/2/3", " 1/2",
                "1/2 ", "a/b", "9999999999/2", ""}) {
            assertEquals("bad plugin parameter shard=\"" + bad + "\": expected K/N with 0 <= K < N <= 4096",
                    refused("shard", bad), bad);
        }
        assertEquals("bad plugin parameter subtree=\"/a,b\": element 2 is not an absolute path (or !absolute path)",
                refused("subtree", "/a,b"));
        assertEquals("bad plugin parameter subtree=\"/a,\": element 2 is not an absolute path (or !absolute path)",
                refused("subtree", "/a,"));
        assertEquals("bad plugin parameter subtree=\"!\": element 1 is not an absolute path (or !absolute path)",
                refused("subtree", "!"));
        assertEquals("bad plugin parameter subtree=\"/a\\\\n\": element 1: bad escape (only \\, and \\\\ are allowed "
                + "inside a list)", refused("subtree", "/a\\n"));
        assertEquals("bad plugin parameter subtree=\"/a\\\\\": element 1: bad escape (only \\, and \\\\ are allowed "
                + "inside a list)", refused("subtree", "/a\\"));
        assertEquals("bad plugin parameter subtree: contains a NUL byte", refused("subtree", b("/a\0b")));
        assertEquals("bad plugin parameter strategy=\"random\": expected inode-hash, subtree, mtime-bucket or "
                + "lustre-mdt", refused("strategy", "random"));
    }

    @Test
    void messagesNameTheKeyAndTheRule() {
        assertEquals("bad plugin parameter threads=\"0\": expected a number in 1..1024", refused("threads", "0"));
        assertEquals("bad plugin parameter threads=\"1025\": expected a number in 1..1024", refused("threads", "1025"));
        assertEquals("bad plugin parameter threads=\"-1\": expected a number in 1..1024", refused("threads", "-1"));
        assertEquals("bad plugin parameter threads=\"\": expected a number in 1..1024", refused("threads", ""));
        assertEquals("bad plugin parameter threads=\"99999999999999999999\": expected a number in 1..1024",
                refused("threads", "99999999999999999999"));
        assertEquals("bad plugin parameter timeout=\"5s\": expected a number in 1..86400", refused("timeout", "5s"));
        assertEquals("bad plugin parameter mode=\"zfs\": expected posix, lustre, gpfs, cephfs, beegfs or weka",
                refused("mode", "zfs"));
        assertEquals("bad plugin parameter aclsupport=\"Yes\": expected yes or no", refused("aclsupport", "Yes"));
        assertEquals("bad plugin parameter path=\"rel/x\": not an absolute path", refused("path", "rel/x"));
        assertEquals("bad plugin parameter backend=\"\": not an absolute path", refused("backend", ""));
        assertEquals("bad plugin parameter path: contains a NUL byte", refused("path", b("/a\0b")));
        assertEquals("bad plugin parameter spill_dir=\"tmp\": not an absolute path", refused("spill_dir", "tmp"));
        assertEquals("bad plugin parameter spill_dir=\"/t\\xc3\\xa9\": only printable ASCII is supported here",
                refused("spill_dir", "/t\u00e9"));
        assertEquals("unknown plugin parameter \"foo\" (known: " + T.known() + ")", refused("foo", "1"));
        assertEquals("unknown plugin parameter \"Path\" (known: " + T.known() + ")", refused("Path", "/x"));
    }

    @Test
    void theCallerRendersTheBytes() {
        PluginKeyException e = assertThrows(PluginKeyException.class, () -> T.check(b("spill_dir"), b("/t\u00e9")));
        assertEquals("bad plugin parameter spill_dir=\"</t\u00e9>\": only printable ASCII is supported here",
                e.message(raw -> "<" + new String(raw, StandardCharsets.UTF_8) + ">"));
        assertEquals("spill_dir", e.key());
        assertFalse(e.unknownKey());
        PluginKeyException u = assertThrows(PluginKeyException.class, () -> T.check(b("f\u00f6o"), b("1")));
        assertTrue(u.unknownKey());
        assertEquals("unknown plugin parameter \"f\\xc3\\xb6o\" (known: " + T.known() + ")", u.getMessage());
    }

    private static String broken(String toml) {
        return assertThrows(IllegalArgumentException.class,
                () -> PluginKeys.parse(new ByteArrayInputStream(b(toml)), "t.toml")).getMessage();
    }

    private static final String OK = "[[key]]\nname = \"path\"\ntype = \"abs-path\"\nrequired = true\n"
            + "side = \"both\"\ndescription = \"d\"\n";

    @Test
    void brokenTablesAreRefusedNamingTheEntry() {
        assertEquals(1, PluginKeys.parse(new ByteArrayInputStream(b(OK)), "t.toml").keys().size());
        assertTrue(broken(OK + OK).endsWith("#2 (path): name given twice"), broken(OK + OK));
        assertTrue(broken(OK.replace("abs-path", "float")).contains("#1 (path): type must be one of abs-path"));
        assertTrue(broken(OK.replace("required = true\n", "")).contains("needs exactly one of required"));
        assertTrue(broken(OK.replace("required = true\n", "dafault = \"/x\"\n"))
                .contains("field dafault does not belong to type abs-path"));
        assertTrue(broken(OK.replace("\"both\"", "\"fd\"")).contains("side must be one of"));
        assertTrue(broken(OK.replace("description = \"d\"\n", "")).contains("needs a description"));
        String integer = OK.replace("abs-path", "integer").replace("\"path\"", "\"n\"");
        assertTrue(broken(integer).contains("type integer needs"));
        assertTrue(broken(integer.replace("required = true", "min = 5\nmax = 4\nrequired = true"))
                .contains("0 <= min <= max <= 999999999"));
        assertTrue(broken(integer.replace("required = true", "min = 1.5\nmax = 4\nrequired = true"))
                .contains("0 <= min <= max <= 999999999"));
        assertTrue(broken(integer.replace("required = true", "min = 0\nmax = 1000000000\nrequired = true"))
                .contains("0 <= min <= max <= 999999999"));
        assertTrue(broken(integer.replace("required = true", "min = 1\nmax = 9\ndefault = \"10\""))
                .contains("default \"10\" is not a valid integer"));
        String oneOf = OK.replace("abs-path", "one-of").replace("\"path\"", "\"m\"");
        assertTrue(broken(oneOf.replace("required = true", "values = [\"a\", \"a\"]\nrequired = true"))
                .contains("values must be distinct words"));
        assertTrue(broken("key = 1\n").contains("expected only [[key]] entries"));
        assertTrue(broken("[[key]\n").startsWith("t.toml: "));
    }
}
