package io.podheitor.hpc.ptcomm;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.toml.TomlFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The plugin-string keys of the Params block (docs/ptcomm.md), from the one table {@code plugin-keys.toml} next to
 * this class, which the shim (shim-c/params.c, through scripts/gen-plugin-keys.py) and the README's key table are
 * generated from too ({@link #table()} is its compiled-in copy); {@link #check(byte[], byte[])} validates one
 * key=value exactly as the shim does.
 */
public final class PluginKeys {
    /** The table, a resource next to this class. */
    public static final String RESOURCE = "plugin-keys.toml";
    /** The largest integer a table may allow (9 digits: a Java int, a C long). */
    public static final long INT_MAX = 999_999_999;

    private static final Set<String> COMMON = Set.of("name", "type", "side", "description", "required", "default",
            "default_text");

    private final List<KeySpec> keys;
    private final Map<String, KeySpec> byName;
    private final String known;

    private PluginKeys(List<KeySpec> keys) {
        this.keys = List.copyOf(keys);
        Map<String, KeySpec> m = new LinkedHashMap<>();
        StringBuilder names = new StringBuilder();
        for (KeySpec k : keys) {
            m.put(k.name(), k);
            names.append(names.isEmpty() ? "" : ", ").append(k.name());
        }
        this.byName = m;
        this.known = names.toString();
    }

    private static final class Bundled {
        static final PluginKeys TABLE = new PluginKeys(BundledKeys.keys());
    }

    /**
     * The table as compiled in ({@code BundledKeys}, generated from {@code plugin-keys.toml} by
     * scripts/gen-plugin-keys.py --java; PluginKeysTest checks the two are equal). The backend parses no TOML at
     * run time: that kept Jackson's TOML parser and data binding (about 4 MiB) in every backend.
     */
    public static PluginKeys table() {
        return Bundled.TABLE;
    }

    /** The table read from the {@code plugin-keys.toml} resource next to this class (what the generator reads). */
    public static PluginKeys fromResource() {
        try (InputStream in = PluginKeys.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the class path next to "
                        + PluginKeys.class.getName());
            }
            return parse(in, RESOURCE);
        } catch (IOException e) {
            throw new UncheckedIOException(RESOURCE + ": " + e.getMessage(), e);
        }
    }

    /** The keys in table order. */
    public List<KeySpec> keys() {
        return keys;
    }

    /** The spec of name, or null if it is not a key. */
    public KeySpec find(String name) {
        return byName.get(name);
    }

    /** The keys in table order, as the unknown-key message lists them: "path, mode, ...". */
    public String known() {
        return known;
    }

    /** The spec of the raw key; an unknown key is refused with the list of the known ones. */
    public KeySpec spec(byte[] key) throws PluginKeyException {
        KeySpec k = byName.get(new String(key, StandardCharsets.UTF_8));
        if (k == null) {
            throw PluginKeyException.unknown(key, known);
        }
        return k;
    }

    /** Validates one key=value (raw bytes): the typed value of {@link KeySpec#check(byte[])}. */
    public Object check(byte[] key, byte[] raw) throws PluginKeyException {
        return spec(key).check(raw);
    }

    /**
     * Reads and validates a table (the format: the header of plugin-keys.toml).
     *
     * @throws IllegalArgumentException naming the entry and what is wrong with it
     */
    public static PluginKeys parse(InputStream in, String source) {
        Object root;
        // Jackson's streaming parser, not a TomlMapper: building an ObjectMapper costs the backend ~3x the
        // start-up time of reading the tokens (measured: docs/bench.md §5)
        try (JsonParser p = new TomlFactory().createParser(in)) {
            root = p.nextToken() == null ? null : value(p);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?> doc) || doc.size() != 1 || !(doc.get("key") instanceof List<?> entries)
                || entries.isEmpty()) {
            throw new IllegalArgumentException(source + ": expected only [[key]] entries");
        }
        List<KeySpec> keys = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int i = 0;
        for (Object e : entries) {
            i++;
            Object n = e instanceof Map<?, ?> m ? m.get("name") : null;
            String where = source + ": [[key]] #" + i + " (" + (n instanceof String s ? s : "?") + ")";
            KeySpec k = entry(e, where);
            if (!seen.add(k.name())) {
                throw new IllegalArgumentException(where + ": name given twice");
            }
            keys.add(k);
        }
        return new PluginKeys(keys);
    }

    /** The value at the current token: a Map (a table, in order), List, String, Number or Boolean. */
    private static Object value(JsonParser p) throws IOException {
        switch (p.currentToken()) {
            case START_OBJECT -> {
                Map<String, Object> m = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String f = p.currentName();
                    p.nextToken();
                    m.put(f, value(p));
                }
                return m;
            }
            case START_ARRAY -> {
                List<Object> l = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    l.add(value(p));
                }
                return l;
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                return p.getNumberValue();
            }
            case VALUE_TRUE -> {
                return Boolean.TRUE;
            }
            case VALUE_FALSE -> {
                return Boolean.FALSE;
            }
            default -> {
                return p.getText();
            }
        }
    }

    private static KeySpec entry(Object o, String where) {
        if (!(o instanceof Map<?, ?> e)) {
            throw new IllegalArgumentException(where + ": not a table");
        }
        String name = text(e, "name", where);
        if (!word(name, true)) {
            throw new IllegalArgumentException(where + ": name must match [a-z][a-z0-9_]*");
        }
        String typeName = text(e, "type", where);
        KeySpec.Type type = KeySpec.Type.of(typeName);
        if (type == null) {
            StringBuilder types = new StringBuilder();
            for (KeySpec.Type t : KeySpec.Type.values()) {
                types.append(types.isEmpty() ? "" : ", ").append(t.tableName());
            }
            throw new IllegalArgumentException(where + ": type must be one of " + types);
        }
        Set<String> need = switch (type) {
            case INTEGER -> Set.of("min", "max");
            case K_OF_N -> Set.of("max");
            case ONE_OF -> Set.of("values");
            case ABS_PATH, ASCII_PATH, ABS_PATH_LIST, YES_NO, WORD, WORDS -> Set.of();
        };
        Set<String> may = type == KeySpec.Type.INTEGER ? Set.of("unit") : Set.of();
        for (Object f : e.keySet()) {
            if (!COMMON.contains(f) && !need.contains(f) && !may.contains(f)) {
                throw new IllegalArgumentException(where + ": field " + f + " does not belong to type " + typeName);
            }
        }
        for (String f : need) {
            if (!e.containsKey(f)) {
                throw new IllegalArgumentException(where + ": type " + typeName + " needs " + f);
            }
        }
        long min = 0;
        long max = 0;
        if (type == KeySpec.Type.INTEGER) {
            if (!(e.get("min") instanceof Number lo) || !(e.get("max") instanceof Number hi) || !integral(lo)
                    || !integral(hi) || lo.longValue() < 0 || lo.longValue() > hi.longValue()
                    || hi.longValue() > INT_MAX) {
                throw new IllegalArgumentException(where + ": needs integers 0 <= min <= max <= " + INT_MAX);
            }
            min = lo.longValue();
            max = hi.longValue();
        }
        if (type == KeySpec.Type.K_OF_N) {
            if (!(e.get("max") instanceof Number hi) || !integral(hi) || hi.longValue() < 1
                    || hi.longValue() > INT_MAX) {
                throw new IllegalArgumentException(where + ": needs an integer 1 <= max <= " + INT_MAX);
            }
            max = hi.longValue();
        }
        List<String> values = new ArrayList<>();
        if (type == KeySpec.Type.ONE_OF) {
            boolean ok = e.get("values") instanceof List<?> l && !l.isEmpty();
            if (ok) {
                for (Object x : (List<?>) e.get("values")) {
                    ok &= x instanceof String v && word(v, false) && !values.contains(v);
                    values.add(String.valueOf(x));
                }
            }
            if (!ok) {
                throw new IllegalArgumentException(where + ": values must be distinct words ([A-Za-z0-9_.+-]+)");
            }
        }
        KeySpec.Side side = switch (String.valueOf(text(e, "side", where))) {
            case "shim" -> KeySpec.Side.SHIM;
            case "backend" -> KeySpec.Side.BACKEND;
            case "both" -> KeySpec.Side.BOTH;
            default -> throw new IllegalArgumentException(where + ": side must be one of shim, backend, both");
        };
        String description = text(e, "description", where);
        if (description == null || description.isBlank()) {
            throw new IllegalArgumentException(where + ": needs a description");
        }
        Object req = e.get("required");
        if (req != null && !(req instanceof Boolean)) {
            throw new IllegalArgumentException(where + ": required must be true or false");
        }
        boolean required = Boolean.TRUE.equals(req);
        String dflt = text(e, "default", where);
        String dfltText = text(e, "default_text", where);
        if (required == (dflt != null || dfltText != null) || (dflt != null && dfltText != null)) {
            throw new IllegalArgumentException(where + ": needs exactly one of required = true, default, default_text");
        }
        if ("".equals(dflt) || "".equals(dfltText)) {
            throw new IllegalArgumentException(where + ": an empty default");
        }
        KeySpec k = new KeySpec(name, type, min, max, text(e, "unit", where), values, required, dflt, dfltText, side,
                description);
        if (dflt != null) {
            try {
                k.check(dflt.getBytes(StandardCharsets.UTF_8));
            } catch (PluginKeyException x) {
                throw new IllegalArgumentException(where + ": default \"" + dflt + "\" is not a valid " + typeName, x);
            }
        }
        return k;
    }

    private static boolean integral(Number n) {
        return n instanceof Integer || n instanceof Long;
    }

    /** A key name ([a-z][a-z0-9_]*), or else a one-of value ([A-Za-z0-9_.+-]+). */
    private static boolean word(String s, boolean keyName) {
        if (s == null || s.isEmpty() || (keyName && !(s.charAt(0) >= 'a' && s.charAt(0) <= 'z'))) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
                    || !keyName && (c >= 'A' && c <= 'Z' || c == '.' || c == '+' || c == '-');
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** A string field, or null if absent. */
    private static String text(Map<?, ?> e, String field, String where) {
        Object v = e.get(field);
        if (v != null && !(v instanceof String)) {
            throw new IllegalArgumentException(where + ": " + field + " must be a string");
        }
        return (String) v;
    }
}
