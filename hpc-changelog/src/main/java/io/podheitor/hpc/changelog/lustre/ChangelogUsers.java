package io.podheitor.hpc.changelog.lustre;

import io.podheitor.hpc.changelog.ChangelogFormatException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Parses {@code lctl get_param [-n] mdd.MDT.changelog_users} (mdd_lproc.c; docs/changelog.md §1.4): per MDT a
 * line {@code mdd.MDT.changelog_users=} (absent with {@code -n}), {@code current index: N} (the last record
 * number issued), a header {@code ID index (idle seconds)}, then one line per registered consumer:
 * {@code ID INDEX (IDLE)}, where ID is {@code clN} or {@code clN-name}, INDEX the last record it cleared, IDLE
 * the seconds since it last cleared (older versions print no idle time; later fields, such as a mask, are
 * ignored).
 */
public final class ChangelogUsers {
    private ChangelogUsers() {
    }

    /** One registered consumer. */
    public record User(String id, long clearedIndex, long idleSeconds) {
        /** Whether this is the consumer {@code wanted}: {@code cl1} matches {@code cl1} and {@code cl1-name}. */
        public boolean is(String wanted) {
            return id.equals(wanted) || id.startsWith(wanted + "-") || wanted.startsWith(id + "-");
        }
    }

    /** The consumers of one MDT and its current index. */
    public record Mdt(String device, long currentIndex, List<User> users) {
        public Mdt {
            users = List.copyOf(users);
        }

        public Optional<User> user(String id) {
            return users.stream().filter(u -> u.is(id)).findFirst();
        }
    }

    /**
     * The MDTs in the output, by device name ({@code lustre-MDT0000}); with {@code -n} output the single MDT is
     * named {@code defaultDevice}.
     */
    public static Map<String, Mdt> parse(byte[] output, String defaultDevice) throws ChangelogFormatException {
        Map<String, Mdt> out = new LinkedHashMap<>();
        String device = defaultDevice;
        long current = -1;
        List<User> users = new ArrayList<>();
        boolean header = false;
        String[] lines = new String(output, StandardCharsets.ISO_8859_1).split("\n");
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            long no = i + 1;
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("mdd.") && line.endsWith(".changelog_users=")) {
                if (current >= 0) {
                    out.put(device, new Mdt(device, current, users));
                }
                device = line.substring(4, line.length() - ".changelog_users=".length());
                current = -1;
                users = new ArrayList<>();
                header = false;
            } else if (line.startsWith("current index:") || line.startsWith("current_index:")) {
                current = number(line.substring(line.indexOf(':') + 1).strip(), no, "current index");
            } else if (line.startsWith("ID ")) {
                if (current < 0) {
                    throw new ChangelogFormatException(no, "consumer header before 'current index:'");
                }
                header = true;
            } else if (header && line.startsWith("cl")) {
                String[] f = line.split("\\s+");
                if (f.length < 2) {
                    throw new ChangelogFormatException(no, "consumer line needs an ID and an index: " + line);
                }
                long idle = -1;
                if (f.length > 2 && f[2].startsWith("(") && f[2].endsWith(")")) {
                    idle = number(f[2].substring(1, f[2].length() - 1), no, "idle seconds");
                }
                users.add(new User(f[0], number(f[1], no, "consumer index"), idle));
            } else {
                throw new ChangelogFormatException(no, "unexpected line in changelog_users: " + line);
            }
        }
        if (current >= 0) {
            out.put(device, new Mdt(device, current, users));
        }
        return out;
    }

    private static long number(String s, long line, String what) throws ChangelogFormatException {
        try {
            long v = Long.parseUnsignedLong(s);
            if (v < 0) {
                throw new NumberFormatException(s);
            }
            return v;
        } catch (NumberFormatException e) {
            throw new ChangelogFormatException(line, what + " is not a number: " + s);
        }
    }
}
