package io.podheitor.hpc.ptcomm;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One plugin-string key of {@code plugin-keys.toml} (see {@link PluginKeys}; the TOML's header describes the fields).
 *
 * @param name         the key
 * @param type         how its value is checked
 * @param min          {@link Type#INTEGER}: the smallest value, else 0
 * @param max          {@link Type#INTEGER}: the largest value; {@link Type#K_OF_N}: the largest N; else 0
 * @param unit         {@link Type#INTEGER}: e.g. "seconds" (the shim's messages show it), or null
 * @param values       {@link Type#ONE_OF}: the allowed values in table order, else empty
 * @param required     the plugin string must give it
 * @param defaultValue the value taken when the key is absent, as written in a plugin string, or null
 * @param defaultText  a default computed at run time, in words, or null
 * @param side         who acts on it
 * @param description  the README text (Markdown)
 */
public record KeySpec(String name, Type type, long min, long max, String unit, List<String> values, boolean required,
        String defaultValue, String defaultText, Side side, String description) {

    /** The value checks, the same as the shim's (shim-c/params.c): the {@code type} field of the table. */
    public enum Type {
        /** bytes starting with '/', no NUL: the value is a {@code byte[]} (a copy) */
        ABS_PATH("abs-path"),
        /** an abs-path in printable ASCII (0x20..0x7e), for paths the JDK opens by name: a {@code String} */
        ASCII_PATH("ascii-path"),
        /** decimal digits only, min..max: an {@code Integer} */
        INTEGER("integer"),
        /** "yes" or "no": a {@code Boolean} */
        YES_NO("yes-no"),
        /** one of {@code values}: the {@code String} */
        ONE_OF("one-of"),
        /** "K/N", decimal digits only, 0 <= K < N <= max: the {@code String} as given */
        K_OF_N("k-of-n"),
        /**
         * absolute paths separated by ',', each optionally prefixed by '!'; inside an element "\," is a literal
         * comma and "\\" a literal backslash, any other backslash is an error; no NUL: a {@code byte[]} (a copy)
         */
        ABS_PATH_LIST("abs-path-list"),
        /** 1 to 64 characters of A-Z a-z 0-9 . _ -: the {@code String} */
        WORD("word"),
        /**
         * 1 to 1024 characters: words of A-Z a-z 0-9 . _ - / , = + @ separated by single blanks, none leading or
         * trailing: the words, a {@code List<String>}
         */
        WORDS("words");

        private final String tableName;

        Type(String tableName) {
            this.tableName = tableName;
        }

        /** As written in the table. */
        public String tableName() {
            return tableName;
        }

        static Type of(String tableName) {
            for (Type t : values()) {
                if (t.tableName.equals(tableName)) {
                    return t;
                }
            }
            return null;
        }
    }

    /** Who acts on a key (both sides check every key; the shim passes every given key on). */
    public enum Side {
        SHIM, BACKEND, BOTH;

        public boolean backend() {
            return this != SHIM;
        }

        public boolean shim() {
            return this != BACKEND;
        }
    }

    public KeySpec {
        values = List.copyOf(values);
    }

    /**
     * Checks one raw value (the bytes after '=') against this key's rule.
     *
     * @return the typed value: {@code byte[]} for an abs-path, {@code String} for an ascii-path or a one-of,
     *         {@code Integer} for an integer, {@code Boolean} for a yes-no
     * @throws PluginKeyException naming the key and the rule, e.g.
     *         {@code bad plugin parameter threads="0": expected a number in 1..1024}
     */
    public Object check(byte[] raw) throws PluginKeyException {
        return switch (type) {
            case ABS_PATH -> absolute(raw).clone();
            case ASCII_PATH -> {
                absolute(raw);
                for (byte b : raw) {
                    if (b < 0x20 || b > 0x7e) {
                        throw PluginKeyException.bad(name, raw, "only printable ASCII is supported here");
                    }
                }
                yield new String(raw, StandardCharsets.US_ASCII);
            }
            case INTEGER -> {
                long v = raw.length == 0 ? -1 : 0;
                for (int i = 0; i < raw.length && v >= 0; i++) {
                    byte c = raw[i];
                    v = c >= '0' && c <= '9' && v <= max ? v * 10 + (c - '0') : -1;
                }
                if (v < min || v > max) {
                    throw PluginKeyException.bad(name, raw, "expected a number in " + min + ".." + max);
                }
                yield (int) v;
            }
            case YES_NO -> switch (new String(raw, StandardCharsets.UTF_8)) {
                case "yes" -> Boolean.TRUE;
                case "no" -> Boolean.FALSE;
                default -> throw PluginKeyException.bad(name, raw, "expected yes or no");
            };
            case K_OF_N -> {
                long k = -1;
                long n = -1;
                int slash = -1;
                for (int i = 0; i < raw.length; i++) {
                    if (raw[i] == '/' && slash < 0) {
                        slash = i;
                    }
                }
                if (slash > 0 && slash < raw.length - 1 && slash <= 9 && raw.length - slash - 1 <= 9) {
                    k = digits(raw, 0, slash);
                    n = digits(raw, slash + 1, raw.length);
                }
                if (k < 0 || n < 1 || k >= n || n > max) {
                    throw PluginKeyException.bad(name, raw, "expected K/N with 0 <= K < N <= " + max);
                }
                yield new String(raw, StandardCharsets.US_ASCII);
            }
            case WORD -> {
                boolean ok = raw.length >= 1 && raw.length <= 64;
                for (int i = 0; i < raw.length && ok; i++) {
                    byte c = raw[i];
                    ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.'
                            || c == '_' || c == '-';
                }
                if (!ok) {
                    throw PluginKeyException.bad(name, raw, "expected a word: 1..64 of A-Z a-z 0-9 . _ -");
                }
                yield new String(raw, StandardCharsets.US_ASCII);
            }
            case WORDS -> {
                boolean ok = raw.length >= 1 && raw.length <= 1024 && raw[0] != ' ' && raw[raw.length - 1] != ' ';
                for (int i = 0; i < raw.length && ok; i++) {
                    byte c = raw[i];
                    ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.'
                            || c == '_' || c == '-' || c == '/' || c == ',' || c == '=' || c == '+' || c == '@'
                            || (c == ' ' && raw[i - 1] != ' ');
                }
                if (!ok) {
                    throw PluginKeyException.bad(name, raw,
                            "expected words of A-Z a-z 0-9 . _ - / , = + @ separated by single blanks (1..1024)");
                }
                yield List.of(new String(raw, StandardCharsets.US_ASCII).split(" "));
            }
            case ABS_PATH_LIST -> {
                int element = 1;
                int start = 0;
                for (int i = 0; i <= raw.length; i++) {
                    if (i == raw.length || raw[i] == ',') {
                        int from = start < i && raw[start] == '!' ? start + 1 : start;
                        if (from >= i || raw[from] != '/') {
                            throw PluginKeyException.bad(name, raw, "element " + element
                                    + " is not an absolute path (or !absolute path)");
                        }
                        element++;
                        start = i + 1;
                    } else if (raw[i] == '\\') {
                        if (i + 1 < raw.length && (raw[i + 1] == ',' || raw[i + 1] == '\\')) {
                            i++;
                        } else {
                            throw PluginKeyException.bad(name, raw, "element " + element
                                    + ": bad escape (only \\, and \\\\ are allowed inside a list)");
                        }
                    } else if (raw[i] == 0) {
                        throw PluginKeyException.bad(name, null, "contains a NUL byte");
                    }
                }
                yield raw.clone();
            }
            case ONE_OF -> {
                String s = new String(raw, StandardCharsets.UTF_8);
                if (!values.contains(s)) {
                    throw PluginKeyException.bad(name, raw, "expected " + String.join(", ", values.subList(0,
                            values.size() - 1)) + (values.size() > 1 ? " or " : "") + values.getLast());
                }
                yield s;
            }
        };
    }

    /** Decimal digits [from, to) as a number, or -1 if any byte is not a digit. */
    private static long digits(byte[] raw, int from, int to) {
        long v = 0;
        for (int i = from; i < to; i++) {
            if (raw[i] < '0' || raw[i] > '9') {
                return -1;
            }
            v = v * 10 + (raw[i] - '0');
        }
        return v;
    }

    private byte[] absolute(byte[] raw) throws PluginKeyException {
        if (raw.length == 0 || raw[0] != '/') {
            throw PluginKeyException.bad(name, raw, "not an absolute path");
        }
        for (byte b : raw) {
            if (b == 0) {
                throw PluginKeyException.bad(name, null, "contains a NUL byte");
            }
        }
        return raw;
    }
}
