package io.podheitor.hpc.cli.doctor;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The FileDaemon resource of a bacula-fd.conf, as far as doctor needs it: its directives, keys folded the way
 * Bacula folds them (case and spaces ignored: "Plugin Directory" = "PluginDirectory"), values unquoted. Comments
 * ({@code #} outside quotes) are skipped; {@code @include} files are not followed.
 */
record FdConf(Map<String, String> fileDaemon) {
    static String key(String k) {
        return k.replaceAll("[\\s_]", "").toLowerCase(Locale.ROOT);
    }

    String get(String directive) {
        return fileDaemon.get(key(directive));
    }

    /** Null when the text has no FileDaemon (alias: Client) resource. */
    static FdConf parse(String text) {
        String t = stripComments(text);
        int i = 0;
        while (i < t.length()) {
            int brace = t.indexOf('{', i);
            if (brace < 0) {
                return null;
            }
            String name = key(t.substring(lastSeparator(t, brace), brace));
            int end = matching(t, brace);
            if (name.equals("filedaemon") || name.equals("client")) {
                return new FdConf(directives(t.substring(brace + 1, end < 0 ? t.length() : end)));
            }
            if (end < 0) {
                return null;
            }
            i = end + 1;
        }
        return null;
    }

    private static int lastSeparator(String t, int brace) {
        int j = brace;
        while (j > 0 && t.charAt(j - 1) != '\n' && t.charAt(j - 1) != ';' && t.charAt(j - 1) != '}') {
            j--;
        }
        return j;
    }

    private static int matching(String t, int open) {
        int depth = 0;
        boolean quoted = false;
        for (int i = open; i < t.length(); i++) {
            char c = t.charAt(i);
            if (c == '\\' && quoted) {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == '{') {
                depth++;
            } else if (!quoted && c == '}' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    private static Map<String, String> directives(String body) {
        Map<String, String> out = new LinkedHashMap<>();
        StringBuilder item = new StringBuilder();
        boolean quoted = false;
        int depth = 0;
        for (int i = 0; i <= body.length(); i++) {
            char c = i < body.length() ? body.charAt(i) : '\n';
            if (c == '"') {
                quoted = !quoted;
            }
            if (!quoted && c == '{') {
                depth++;
            } else if (!quoted && c == '}') {
                depth--;
            }
            if (!quoted && depth == 0 && (c == '\n' || c == ';')) {
                int eq = item.indexOf("=");
                if (eq > 0) {
                    String v = item.substring(eq + 1).strip();
                    if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
                        v = v.substring(1, v.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
                    }
                    out.putIfAbsent(key(item.substring(0, eq)), v);
                }
                item.setLength(0);
            } else {
                item.append(c);
            }
        }
        return out;
    }

    static String stripComments(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        boolean quoted = false;
        boolean comment = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (comment) {
                if (c == '\n') {
                    comment = false;
                    sb.append(c);
                }
                continue;
            }
            if (c == '\\' && quoted && i + 1 < text.length()) {
                sb.append(c).append(text.charAt(++i));
                continue;
            }
            if (c == '"') {
                quoted = !quoted;
            } else if (c == '#' && !quoted) {
                comment = true;
                continue;
            } else if (c == '\n') {
                quoted = false;
            }
            sb.append(c);
        }
        return sb.toString();
    }
}
