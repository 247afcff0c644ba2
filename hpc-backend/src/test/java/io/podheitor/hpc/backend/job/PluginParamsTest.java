package io.podheitor.hpc.backend.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.ptcomm.KeySpec;
import io.podheitor.hpc.ptcomm.PluginKeys;
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

    private static List<byte[]> with(KeySpec k, byte[] value) {
        List<byte[]> lines = base(k);
        lines.add(line(k, value));
        return lines;
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
                assertEquals(defaults, PluginParams.parse(with(k, b(k.defaultValue()))), k.name());
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
            for (byte[] v : good(k)) {
                changed |= !defaults.equals(PluginParams.parse(with(k, v)));
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
