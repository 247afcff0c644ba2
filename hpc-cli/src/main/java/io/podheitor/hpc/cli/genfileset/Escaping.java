package io.podheitor.hpc.cli.genfileset;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The three layers of quoting between a path and the Director's configuration file, innermost first:
 * <ol>
 *   <li>a {@code subtree} element: {@code ,} and {@code \} escaped with {@code \} (docs/sharding.md §3);</li>
 *   <li>a plugin-string value: {@code ;} and {@code \} escaped with {@code \} (shim-c/params.c);</li>
 *   <li>a Bacula configuration string {@code "..."}: {@code "} and {@code \} escaped with {@code \} (Bacula's
 *       lexer; the harness's {@code conf_quote} does the same).</li>
 * </ol>
 * A ':' needs no escape: only the first one ends the plugin name. Control characters cannot be written into a
 * Bacula configuration string at all (its lexer ends or drops them), so {@link #checkConfText} refuses them.
 */
public final class Escaping {
    private Escaping() {
    }

    /** A plugin-string value: {@code \} becomes {@code \\}, {@code ;} becomes {@code \;}. */
    public static byte[] pluginValue(byte[] value) {
        return escape(value, (byte) ';');
    }

    /** One element of a {@code subtree} list (before {@link #pluginValue}): {@code \} and {@code ,} escaped. */
    public static byte[] subtreeElement(byte[] path) {
        return escape(path, (byte) ',');
    }

    /** The text between the quotes of a Bacula configuration string: {@code \} and {@code "} escaped. */
    public static String confString(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** Refuses text that a Bacula configuration file cannot carry: a control character (newline, tab, NUL...). */
    public static void checkConfText(String what, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw new IllegalArgumentException(what + " contains a control character (0x"
                        + Integer.toHexString(c) + "), which a Bacula configuration string cannot hold");
            }
        }
    }

    private static byte[] escape(byte[] value, byte special) {
        ByteArrayOutputStream b = new ByteArrayOutputStream(value.length + 8);
        for (byte c : value) {
            if (c == '\\' || c == special) {
                b.write('\\');
            }
            b.write(c);
        }
        return b.toByteArray();
    }

    /** UTF-8 bytes of a command-line string (paths come from the command line as text). */
    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
