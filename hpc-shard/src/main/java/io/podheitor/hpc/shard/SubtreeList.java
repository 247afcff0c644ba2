package io.podheitor.hpc.shard;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * The value of plugin key {@code subtree}: absolute paths separated by ',', each optionally prefixed with '!'
 * (excluded). Inside an element {@code \,} is a literal comma and {@code \\} a literal backslash; any other
 * backslash is an error. These escapes apply to the value after the plugin string's own ({@code \;}, {@code \\}),
 * so a comma inside a path is written {@code \\,} in the FileSet (docs/sharding.md §3). Paths are bytes.
 */
public final class SubtreeList {
    /** One element: an absolute path (repeated slashes collapsed, trailing slashes dropped), and whether it is excluded. */
    public record Element(boolean excluded, byte[] path) {
    }

    private SubtreeList() {
    }

    /** Parses a value; IllegalArgumentException with the reason (the shim's check is the same, shim-c/params.c). */
    public static List<Element> parse(byte[] value) {
        List<Element> out = new ArrayList<>();
        ByteArrayOutputStream cur = new ByteArrayOutputStream();
        for (int i = 0; i <= value.length; i++) {
            if (i == value.length || value[i] == ',') {
                out.add(element(cur.toByteArray(), out.size() + 1));
                cur.reset();
            } else if (value[i] == '\\') {
                if (i + 1 < value.length && (value[i + 1] == ',' || value[i + 1] == '\\')) {
                    cur.write(value[++i]);
                } else {
                    throw new IllegalArgumentException("element " + (out.size() + 1)
                            + ": bad escape (only \\, and \\\\ are allowed inside a subtree list)");
                }
            } else if (value[i] == 0) {
                throw new IllegalArgumentException("element " + (out.size() + 1) + ": contains a NUL byte");
            } else {
                cur.write(value[i]);
            }
        }
        return out;
    }

    private static Element element(byte[] e, int index) {
        boolean excluded = e.length > 0 && e[0] == '!';
        int from = excluded ? 1 : 0;
        if (e.length <= from || e[from] != '/') {
            throw new IllegalArgumentException("element " + index + " is not an absolute path (or !absolute path)");
        }
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        int compStart = 0;
        for (int i = from; i <= e.length; i++) {
            if (i == e.length || e[i] == '/') {
                int len = p.size() - compStart;
                byte[] sofar = p.toByteArray();
                if ((len == 1 && sofar[compStart] == '.') || (len == 2 && sofar[compStart] == '.'
                        && sofar[compStart + 1] == '.')) {
                    throw new IllegalArgumentException("element " + index + " has a . or .. component");
                }
                if (i < e.length && (p.size() == 0 || sofar[p.size() - 1] != '/')) {
                    p.write('/');
                }
                compStart = p.size();
            } else {
                p.write(e[i]);
            }
        }
        byte[] path = p.toByteArray();
        int n = path.length;
        while (n > 1 && path[n - 1] == '/') {
            n--;
        }
        return new Element(excluded, java.util.Arrays.copyOf(path, n));
    }
}
