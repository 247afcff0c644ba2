package io.podheitor.hpc.cli.doctor;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code path=} of every {@code Plugin = "podheitor-hpc:..."} line of a Director configuration (a FileSet):
 * the config string's escapes undone, then the plugin string's ({@code \;} and {@code \\}, README "Plugin string").
 */
final class PluginStrings {
    private static final Pattern PLUGIN = Pattern.compile("(?im)^\\s*plugin\\s*=\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");

    private PluginStrings() {
    }

    static List<String> paths(String config) {
        List<String> out = new ArrayList<>();
        Matcher m = PLUGIN.matcher(FdConf.stripComments(config));
        while (m.find()) {
            String s = m.group(1).replaceAll("\\\\(.)", "$1");
            if (!s.startsWith("podheitor-hpc:")) {
                continue;
            }
            String p = value(s.substring("podheitor-hpc:".length()), "path");
            if (p != null) {
                out.add(p);
            }
        }
        return out;
    }

    /** The unescaped value of KEY in "k=v;k=v" (\; and \\ escaped), or null. */
    static String value(String items, String key) {
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i <= items.length(); i++) {
            char c = i < items.length() ? items.charAt(i) : ';';
            if (c == '\\' && i + 1 < items.length()) {
                cur.append(items.charAt(++i));
                continue;
            }
            if (c == ';') {
                int eq = cur.indexOf("=");
                if (eq > 0 && cur.substring(0, eq).strip().equals(key)) {
                    return cur.substring(eq + 1);
                }
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        return null;
    }
}
