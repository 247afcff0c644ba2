package io.podheitor.hpc.ptcomm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The plugin-string keys of the Params block (docs/ptcomm.md), from the one table {@code plugin-keys.toml} next to
 * this class, which the shim (shim-c/params.c, through scripts/gen-plugin-keys.py) and the README's key table are
 * generated from too. {@link #table()} loads it once, on first use; {@link #check(byte[], byte[])} validates one
 * key=value exactly as the shim does.
 */
public final class PluginKeys {
    /** The table, a resource next to this class. */
    public static final String RESOURCE = "plugin-keys.toml";
    /** The largest integer a table may allow (9 digits: a Java int, a C long). */
    public static final long INT_MAX = 999_999_999;

    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9_]*");
    private static final Pattern WORD = Pattern.compile("[A-Za-z0-9_.+-]+");
    private static final Set<String> COMMON = Set.of("name", "type", "side", "description", "required", "default",
            "default_text");

    private final List<KeySpec> keys;
    private final Map<String, KeySpec> byName;
    private final String known;

    private PluginKeys(List<KeySpec> keys) {
        this.keys = List.copyOf(keys);
        Map<String, KeySpec> m = new LinkedHashMap<>();
        for (KeySpec k : keys) {
            m.put(k.name(), k);
        }
        this.byName = m;
        this.known = keys.stream().map(KeySpec::name).collect(Collectors.joining(", "));
    }

    private static final class Bundled {
        static final PluginKeys TABLE = loadBundled();

        private static PluginKeys loadBundled() {
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
    }

    /** The bundled table (loaded on first use; a broken table is a build error, thrown as an unchecked one). */
    public static PluginKeys table() {
        return Bundled.TABLE;
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
        JsonNode root;
        try {
            root = new TomlMapper().readTree(in);
        } catch (IOException e) {
            throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
        }
        JsonNode entries = root == null ? null : root.get("key");
        if (entries == null || !entries.isArray() || entries.isEmpty() || root.size() != 1) {
            throw new IllegalArgumentException(source + ": expected only [[key]] entries");
        }
        List<KeySpec> keys = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int i = 0;
        for (JsonNode e : entries) {
            i++;
            String where = source + ": [[key]] #" + i + " (" + (e.path("name").isTextual() ? e.get("name").asText()
                    : "?") + ")";
            KeySpec k = entry(e, where);
            if (!seen.add(k.name())) {
                throw new IllegalArgumentException(where + ": name given twice");
            }
            keys.add(k);
        }
        return new PluginKeys(keys);
    }

    private static KeySpec entry(JsonNode e, String where) {
        if (!e.isObject()) {
            throw new IllegalArgumentException(where + ": not a table");
        }
        String name = text(e, "name", where);
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(where + ": name must match [a-z][a-z0-9_]*");
        }
        String typeName = text(e, "type", where);
        KeySpec.Type type = KeySpec.Type.of(typeName);
        if (type == null) {
            throw new IllegalArgumentException(where + ": type must be one of " + java.util.Arrays
                    .stream(KeySpec.Type.values()).map(KeySpec.Type::tableName).collect(Collectors.joining(", ")));
        }
        Set<String> need = switch (type) {
            case INTEGER -> Set.of("min", "max");
            case ONE_OF -> Set.of("values");
            case ABS_PATH, ASCII_PATH, YES_NO -> Set.of();
        };
        Set<String> may = type == KeySpec.Type.INTEGER ? Set.of("unit") : Set.of();
        for (Iterator<String> it = e.fieldNames(); it.hasNext();) {
            String f = it.next();
            if (!COMMON.contains(f) && !need.contains(f) && !may.contains(f)) {
                throw new IllegalArgumentException(where + ": field " + f + " does not belong to type " + typeName);
            }
        }
        for (String f : need) {
            if (!e.has(f)) {
                throw new IllegalArgumentException(where + ": type " + typeName + " needs " + f);
            }
        }
        long min = 0;
        long max = 0;
        if (type == KeySpec.Type.INTEGER) {
            JsonNode lo = e.get("min");
            JsonNode hi = e.get("max");
            if (!lo.isIntegralNumber() || !hi.isIntegralNumber() || !lo.canConvertToLong() || !hi.canConvertToLong()
                    || lo.asLong() < 0 || lo.asLong() > hi.asLong() || hi.asLong() > INT_MAX) {
                throw new IllegalArgumentException(where + ": needs integers 0 <= min <= max <= " + INT_MAX);
            }
            min = lo.asLong();
            max = hi.asLong();
        }
        List<String> values = new ArrayList<>();
        if (type == KeySpec.Type.ONE_OF) {
            JsonNode v = e.get("values");
            for (JsonNode x : v) {
                values.add(x.isTextual() && WORD.matcher(x.asText()).matches() ? x.asText() : null);
            }
            if (!v.isArray() || values.isEmpty() || values.contains(null) || new HashSet<>(values).size()
                    != values.size()) {
                throw new IllegalArgumentException(where + ": values must be distinct words ([A-Za-z0-9_.+-]+)");
            }
        }
        KeySpec.Side side;
        try {
            side = KeySpec.Side.valueOf(String.valueOf(text(e, "side", where)).toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException x) {
            throw new IllegalArgumentException(where + ": side must be one of shim, backend, both");
        }
        String description = text(e, "description", where);
        if (description == null || description.isBlank()) {
            throw new IllegalArgumentException(where + ": needs a description");
        }
        JsonNode req = e.get("required");
        if (req != null && !req.isBoolean()) {
            throw new IllegalArgumentException(where + ": required must be true or false");
        }
        boolean required = req != null && req.asBoolean();
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

    /** A string field, or null if absent. */
    private static String text(JsonNode e, String field, String where) {
        JsonNode v = e.get(field);
        if (v == null) {
            return null;
        }
        if (!v.isTextual()) {
            throw new IllegalArgumentException(where + ": " + field + " must be a string");
        }
        return v.asText();
    }
}
