package io.podheitor.hpc.backend.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.ptcomm.KeySpec;
import io.podheitor.hpc.ptcomm.PluginKeys;
import io.podheitor.hpc.shard.ShardSpec;
import io.podheitor.hpc.walker.WalkOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * PluginParams.parse against the key table (plugin-keys.toml): every key of the table is accepted with valid
 * values and refused with bad ones, naming the key, so the table, the shim (test_params.c does the same from the
 * generated header) and the backend cannot drift apart.
 */
class PluginParamsTest {
    private static final List<KeySpec> KEYS = PluginKeys.table().keys();

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Valid values of a key, from its type (a new type does not compile here until it has samples). */
    private static List<byte[]> good(KeySpec k) {
        List<String> v = switch (k.type()) {
            case ABS_PATH -> List.of("/", "/a b/\u00e9\u0001/", "/x//");
            case ASCII_PATH -> List.of("/", "/var/tmp/a b~", "/x/");
            case INTEGER -> List.of(Long.toString(k.min()), Long.toString(k.max()), "00" + k.max());
            case YES_NO -> List.of("yes", "no");
            case ONE_OF -> k.values();
            case K_OF_N -> List.of("0/1", (k.max() - 1) + "/" + k.max(), "003/0004");
            case ABS_PATH_LIST -> List.of("/", "/a b,!/a b/tmp,/\u00e9", "!/only", "/x\\,y\\\\");
            case WORD -> List.of("cl1", "cl12-backup_x.y", "a".repeat(64));
            case WORDS -> List.of("-N nsd1,nsd2 -g /gpfs/fs1/.tmp --scope inodespace", "-M a=b+c@d -L 1", "x",
                    "a ".repeat(511) + "bc");
        };
        List<byte[]> out = new ArrayList<>();
        for (String s : v) {
            out.add(b(s));
        }
        if (k.type() == KeySpec.Type.ABS_PATH) {
            out.add(new byte[] {'/', (byte) 0xff, (byte) 0xfe}); // any bytes but NUL
        }
        return out;
    }

    /** Bad values of a key, from its type. */
    private static List<byte[]> bad(KeySpec k) {
        List<String> v = switch (k.type()) {
            case ABS_PATH -> List.of("", "rel/x", " /x", "/a\0b");
            case ASCII_PATH -> List.of("", "rel/x", "/t\u00e9", "/t\u007f", "/t\u0001", "/a\0b");
            case INTEGER -> {
                List<String> l = new ArrayList<>(List.of(Long.toString(k.max() + 1), "-" + k.max(), "+" + k.min(),
                        k.min() + " ", "abc", "", "99999999999999999999999"));
                if (k.min() > 0) {
                    l.add(Long.toString(k.min() - 1));
                }
                yield l;
            }
            case YES_NO -> List.of("Yes", "1", "true", "");
            case ONE_OF -> List.of(k.values().getFirst() + " ", "x" + k.values().getFirst(), "");
            case K_OF_N -> List.of(k.max() + "/" + k.max(), "0/" + (k.max() + 1), "1/0", "-1/2", "1", "/2", "1/2/3",
                    " 1/2", "");
            case ABS_PATH_LIST -> List.of("", "rel/x", "/a,", "/a,,/b", "!", "/a\\n", "/a\\", "/a\0b");
            case WORD -> List.of("", "a".repeat(65), "cl 1", "cl1/x", "cl\u00e9", "cl1;");
            case WORDS -> List.of("", " -N n", "-N n ", "-N  n", "-N\tn", "-N 'n'", "a*b", "a$(x)", "a:b", "\u00e9",
                    "a ".repeat(512) + "b");
        };
        List<byte[]> out = new ArrayList<>();
        for (String s : v) {
            out.add(b(s));
        }
        if (k.type() == KeySpec.Type.ASCII_PATH) {
            out.add(new byte[] {'/', (byte) 0xff});
        }
        return out;
    }

    /** Every required key but except, with a valid value. */
    private static List<byte[]> base(KeySpec except) {
        List<byte[]> lines = new ArrayList<>();
        for (KeySpec k : KEYS) {
            if (k.required() && k != except) {
                lines.add(line(k, good(k).getFirst()));
            }
        }
        return lines;
    }

    private static byte[] line(KeySpec k, byte[] value) {
        byte[] name = b(k.name() + "=");
        byte[] l = new byte[name.length + value.length];
        System.arraycopy(name, 0, l, 0, name.length);
        System.arraycopy(value, 0, l, name.length, value.length);
        return l;
    }

    /**
     * The other keys a key needs (the sharding keys go together: docs/sharding.md): strategy needs shard (subtree:
     * subtree), mtime_bucket needs strategy=mtime-bucket and shard.
     */
    private static List<byte[]> companions(KeySpec k, byte[] value) {
        return switch (k.name()) {
            case "strategy" -> List.of(new String(value, StandardCharsets.UTF_8).equals("subtree") ? b("subtree=/")
                    : b("shard=0/2"));
            case "mtime_bucket" -> List.of(b("shard=0/2"), b("strategy=mtime-bucket"));
            default -> List.of();
        };
    }

    private static List<byte[]> with(KeySpec k, byte[] value) {
        List<byte[]> lines = base(k);
        lines.addAll(companions(k, value));
        lines.add(line(k, value));
        return lines;
    }

    /** What {@link #with} gives besides the key itself: the parameters the key's value is compared with. */
    private static PluginParams without(KeySpec k, byte[] value) throws BadRequestException {
        List<byte[]> lines = base(null);
        lines.addAll(companions(k, value));
        return PluginParams.parse(lines);
    }

    private static String refused(List<byte[]> lines) {
        return assertThrows(BadRequestException.class, () -> PluginParams.parse(lines)).getMessage();
    }

    @Test
    void everyKeyOfTheTableIsAcceptedWithValidValues() throws Exception {
        for (KeySpec k : KEYS) {
            for (byte[] v : good(k)) {
                PluginParams p = PluginParams.parse(with(k, v));
                // the ranges of the table fit what the walker accepts
                for (boolean withData : new boolean[] {false, true}) {
                    assertDoesNotThrow(() -> io.podheitor.hpc.backend.backup.SourceFactory.walkOptions(p,
                            io.podheitor.hpc.backend.backup.ChangePolicy.of(JobInfo.empty(), withData), withData),
                            k.name());
                }
            }
        }
    }

    @Test
    void everyKeyOfTheTableIsRefusedWithBadValuesNamingTheKey() {
        for (KeySpec k : KEYS) {
            for (byte[] v : bad(k)) {
                String m = refused(with(k, v));
                assertTrue(m.startsWith("bad plugin parameter " + k.name() + "=\"")
                        || m.startsWith("bad plugin parameter " + k.name() + ": "), k.name() + ": " + m);
            }
            List<byte[]> twice = with(k, good(k).getFirst());
            twice.add(line(k, good(k).getFirst()));
            assertEquals("plugin parameter " + k.name() + " given twice", refused(twice));
            if (k.required()) {
                assertTrue(refused(base(k)).contains(k.name()), k.name());
            }
        }
    }

    @Test
    void theUnknownKeyMessageListsExactlyTheTablesKeys() {
        List<byte[]> lines = base(null);
        lines.add(b("foo=1"));
        assertEquals("unknown plugin parameter \"foo\" (known: "
                + KEYS.stream().map(KeySpec::name).collect(Collectors.joining(", ")) + ")", refused(lines));
        assertEquals("unknown plugin parameter \"Path\" (known: " + PluginKeys.table().known() + ")",
                refused(List.of(b("Path=/x"))));
        assertEquals("unknown plugin parameter \"f\u00f6\\xff\" (known: " + PluginKeys.table().known() + ")",
                refused(List.of(b("path=/x"), new byte[] {'f', (byte) 0xc3, (byte) 0xb6, (byte) 0xff, '=', '1'})));
    }

    @Test
    void theTablesLiteralDefaultsAreTheBackendsDefaults() throws Exception {
        PluginParams defaults = PluginParams.parse(base(null));
        for (KeySpec k : KEYS) {
            if (k.defaultValue() != null) {
                assertEquals(without(k, b(k.defaultValue())), PluginParams.parse(with(k, b(k.defaultValue()))),
                        k.name());
            }
        }
        // the run-time defaults the table describes in words
        assertEquals(Math.min(64, Math.max(32, 4 * Runtime.getRuntime().availableProcessors())), defaults.threads());
        assertEquals(Path.of(System.getProperty("java.io.tmpdir")), defaults.spillDir());
    }

    @Test
    void everyBackendKeyChangesTheResult() throws Exception {
        PluginParams defaults = PluginParams.parse(base(null));
        for (KeySpec k : KEYS) {
            if (!k.side().backend() || k.required()) {
                continue;
            }
            boolean changed = false;
            if (SchedulerKeys.NAMES.contains(k.name())) {
                // read by SchedulerKeys from the same lines; PluginParams accepts them and leaves them alone
                SchedulerKeys none = SchedulerKeys.parse(base(null));
                List<byte[]> values = new ArrayList<>(good(k));
                if (k.name().equals("mem") || k.name().equals("time")) {
                    values.add(b(k.name().equals("mem") ? "16G" : "90m")); // their own rules narrow the word type
                }
                for (byte[] v : values) {
                    assertEquals(without(k, v), PluginParams.parse(with(k, v)), k.name());
                    try {
                        changed |= !none.equals(SchedulerKeys.parse(with(k, v)));
                    } catch (BadRequestException e) {
                        // a value the table takes and the key's own rule refuses (mem=a): another value shows it
                    }
                }
                assertTrue(changed, k.name() + " is accepted but used by neither PluginParams nor SchedulerKeys");
                continue;
            }
            for (byte[] v : good(k)) {
                changed |= !without(k, v).equals(PluginParams.parse(with(k, v)));
            }
            assertTrue(changed, k.name() + " (side " + k.side() + ") is accepted but not used by PluginParams.parse");
        }
    }

    @Test
    void typedValues() throws Exception {
        PluginParams p = PluginParams.parse(List.of(b("path=/data//"), b("mode=lustre"), b("threads=0007"),
                b("channel_depth=1048576"), b("backend=/opt/be"), b("timeout=86400"), b("aclsupport=no"),
                b("xattrsupport=yes"), b("readahead=0"), b("hardlink_memory=10000000"), b("spill_dir=/var/tmp/")));
        assertArrayEquals(b("/data"), p.path());
        assertEquals(Mode.LUSTRE, p.mode());
        assertEquals(7, p.threads());
        assertEquals(1 << 20, p.channelDepth());
        assertArrayEquals(b("/opt/be"), p.backend());
        assertEquals(false, p.aclSupport());
        assertEquals(true, p.xattrSupport());
        assertEquals(0, p.readAhead());
        assertEquals(10_000_000, p.hardlinkMemory());
        assertEquals(Path.of("/var/tmp"), p.spillDir());
        assertEquals(WalkOptions.MAX_THREADS, PluginKeys.table().find("threads").max());
        assertEquals(java.util.Arrays.stream(Mode.values()).map(Mode::key).toList(),
                PluginKeys.table().find("mode").values(), "every mode of the table has a Mode, in the same order");
    }

    @Test
    void gpfsPolicyArgsAreWordsAndThePluginsOwnOptionsAreRefused() throws Exception {
        assertEquals(List.of(), PluginParams.parse(List.of(b("path=/gpfs"))).changes().gpfsPolicyArgs());
        PluginParams p = PluginParams.parse(List.of(b("path=/gpfs"), b("mode=gpfs"),
                b("gpfs_policy_args=-N nsd1,nsd2 -g /gpfs/fs1/.tmp --scope inodespace")));
        assertEquals(List.of("-N", "nsd1,nsd2", "-g", "/gpfs/fs1/.tmp", "--scope", "inodespace"),
                p.changes().gpfsPolicyArgs());
        for (String own : List.of("-I yes", "-P /tmp/other.pol", "-f/tmp/x", "-N n -Iyes")) {
            assertTrue(refused(List.of(b("path=/gpfs"), b("gpfs_policy_args=" + own)))
                    .startsWith("bad plugin parameter gpfs_policy_args: \""), own);
        }
    }

    @Test
    void shardingKeysAreTypedAndCheckedTogether() throws Exception {
        PluginParams p = PluginParams.parse(List.of(b("path=/data/"), b("shard=2/4")));
        assertEquals(ShardSpec.of(b("/data"), "2/4", null, null, null), p.sharding());
        assertEquals(ShardSpec.Kind.INODE_HASH, p.sharding().strategy());
        assertEquals(null, PluginParams.parse(List.of(b("path=/data"))).sharding());
        PluginParams s = PluginParams.parse(List.of(b("path=/data"), b("subtree=/data/a\\,b,!/data/a\\,b/tmp"),
                b("shard=0/3")));
        assertEquals(ShardSpec.Kind.SUBTREE, s.sharding().strategy());
        assertArrayEquals(b("/data/a,b"), s.sharding().include().getFirst());
        assertArrayEquals(b("/data/a,b/tmp"), s.sharding().exclude().getFirst());
        PluginParams m = PluginParams.parse(List.of(b("path=/data"), b("shard=1/2"), b("strategy=mtime-bucket"),
                b("mtime_bucket=3600")));
        assertEquals(3600, m.sharding().bucketSeconds());
        assertEquals("bad sharding parameters: strategy=mtime-bucket needs shard=K/N",
                refused(List.of(b("path=/x"), b("strategy=mtime-bucket"))));
        assertEquals("bad sharding parameters: subtree element 1 is not at or below path=",
                refused(List.of(b("path=/x"), b("subtree=/y"))));
        assertEquals("bad sharding parameters: mtime_bucket= belongs to strategy=mtime-bucket, not inode-hash",
                refused(List.of(b("path=/x"), b("shard=0/2"), b("mtime_bucket=5"))));
        assertEquals("bad sharding parameters: strategy=subtree needs subtree=PATH,...",
                refused(List.of(b("path=/x"), b("strategy=subtree"))));
        assertEquals("bad sharding parameters: element 1 has a . or .. component",
                refused(List.of(b("path=/x"), b("subtree=/x/../y"))));
        assertEquals("bad plugin parameter shard=\"4/4\": expected K/N with 0 <= K < N <= 4096",
                refused(List.of(b("path=/x"), b("shard=4/4"))));
    }

    @Test
    void messagesKeepTheirTexts() {
        assertEquals("bad plugin parameter threads=\"0\": expected a number in 1..1024",
                refused(List.of(b("path=/x"), b("threads=0"))));
        assertEquals("bad plugin parameter mode=\"zfs\": expected posix, lustre, gpfs, cephfs, beegfs or weka",
                refused(List.of(b("path=/x"), b("mode=zfs"))));
        assertEquals("bad plugin parameter path=\"relative/x\": not an absolute path",
                refused(List.of(b("path=relative/x"))));
        assertEquals("bad plugin parameter path: contains a NUL byte", refused(List.of(b("path=/a\0b"))));
        assertEquals("bad plugin parameter spill_dir=\"/t\u00e9\": only printable ASCII is supported here",
                refused(List.of(b("path=/x"), b("spill_dir=/t\u00e9"))));
        assertEquals("bad plugin parameter xattrsupport=\"1\": expected yes or no",
                refused(List.of(b("path=/x"), b("xattrsupport=1"))));
        assertEquals("bad plugin parameter \"novalue\": expected key=value", refused(List.of(b("novalue"))));
        assertEquals("plugin parameter path is missing", refused(List.of(b("threads=4"))));
        assertNotEquals(0, PluginParams.MAX_CHANNEL_DEPTH);
    }
}
