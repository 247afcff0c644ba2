package io.podheitor.hpc.ptcomm;

import java.util.function.Function;

/**
 * A plugin-string key=value that {@link PluginKeys} refuses: an unknown key, or a value that breaks its key's rule.
 * The message quotes the raw bytes; {@link #message(Function)} renders them with the caller's renderer (the
 * backend's {@code PathText::render}), {@link #getMessage()} with a plain one (printable ASCII, else {@code \xNN}).
 */
public final class PluginKeyException extends Exception {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final byte[] keyBytes;  // unknown key: the key as given, else null
    private final byte[] value;     // the value to quote, or null
    private final String rule;      // what was expected; unknown key: the known keys

    private PluginKeyException(String key, byte[] keyBytes, byte[] value, String rule) {
        super(format(key, keyBytes, value, rule, PluginKeyException::escape));
        this.key = key;
        this.keyBytes = keyBytes;
        this.value = value;
        this.rule = rule;
    }

    /** A value that breaks the rule of key; value null: not quoted. */
    static PluginKeyException bad(String key, byte[] value, String rule) {
        return new PluginKeyException(key, null, value == null ? null : value.clone(), rule);
    }

    static PluginKeyException unknown(byte[] key, String known) {
        return new PluginKeyException(escape(key), key.clone(), null, known);
    }

    /** The key as named in the message (an unknown key: rendered plainly). */
    public String key() {
        return key;
    }

    public boolean unknownKey() {
        return keyBytes != null;
    }

    /** The rule that was broken, e.g. "expected a number in 1..1024" (an unknown key: the known keys). */
    public String rule() {
        return rule;
    }

    /**
     * The message with the raw bytes rendered by render, e.g.
     * {@code bad plugin parameter threads="0": expected a number in 1..1024} or
     * {@code unknown plugin parameter "foo" (known: path, mode, ...)}.
     */
    public String message(Function<byte[], String> render) {
        return format(key, keyBytes, value, rule, render);
    }

    private static String format(String key, byte[] keyBytes, byte[] value, String rule,
            Function<byte[], String> render) {
        if (keyBytes != null) {
            return "unknown plugin parameter \"" + render.apply(keyBytes) + "\" (known: " + rule + ")";
        }
        if (value == null) {
            return "bad plugin parameter " + key + ": " + rule;
        }
        return "bad plugin parameter " + key + "=\"" + render.apply(value) + "\": " + rule;
    }

    /** Printable ASCII as is, a backslash doubled, every other byte as {@code \xNN}. */
    static String escape(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length + 8);
        for (byte x : b) {
            int c = x & 0xff;
            if (c == '\\') {
                sb.append("\\\\");
            } else if (c >= 0x20 && c < 0x7f) {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        return sb.toString();
    }
}
