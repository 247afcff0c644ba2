package io.podheitor.hpc.cli.doctor;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Is this host a storage server of a parallel file system (the whitepaper's second anti-pattern: the FD belongs on
 * a client)? Parses the tools' own output.
 */
final class StorageServer {
    private StorageServer() {
    }

    // "  5 UP obdfilter lfs1-OST0000 lfs1-OST0000_UUID 5": index, state, type, name, uuid, refcount
    private static final Pattern LCTL_DL = Pattern.compile("^\\s*\\d+\\s+\\S+\\s+(\\S+)\\s+(\\S+)\\s+\\S+\\s+\\d+\\s*$");

    /** Lustre server devices in {@code lctl dl} output: "OSS obdfilter lfs1-OST0000", "MDS mdt lfs1-MDT0000", .... */
    static List<String> lustreServerDevices(String lctlDl) {
        List<String> out = new ArrayList<>();
        for (String line : lctlDl.split("\n")) {
            Matcher m = LCTL_DL.matcher(line);
            if (!m.matches()) {
                continue;
            }
            String role = switch (m.group(1)) {
                case "obdfilter", "ost" -> "OSS";
                case "mdt", "mds" -> "MDS";
                case "mgs" -> "MGS";
                default -> null;
            };
            if (role != null) {
                out.add(role + " (" + m.group(1) + " " + m.group(2) + ")");
            }
        }
        return out;
    }

    // " gpfs1         nsd1         node1.example.com,node2.example.com"; the file system column may be "(free disk)"
    private static final Pattern NSD_ROW = Pattern.compile("^\\s*(\\(free disk\\)|\\S+)\\s+(\\S+)\\s+(\\S.*?)\\s*$");

    /** The NSDs of {@code mmlsnsd} output whose server list names HOST (full or short name): "gpfs1/nsd1", .... */
    static List<String> nsdsServedBy(String mmlsnsd, String host) {
        Set<String> me = names(host);
        List<String> out = new ArrayList<>();
        boolean table = false;
        for (String line : mmlsnsd.split("\n")) {
            if (line.strip().startsWith("---")) {
                table = true;
                continue;
            }
            Matcher m = NSD_ROW.matcher(line);
            if (!table || !m.matches()) {
                continue;
            }
            for (String server : m.group(3).split(",")) {
                if (!names(server).isEmpty() && me.stream().anyMatch(names(server)::contains)) {
                    out.add(m.group(1) + "/" + m.group(2));
                    break;
                }
            }
        }
        return out;
    }

    /** A host name and its short form, lower case ("(directly attached)" is no host). */
    private static Set<String> names(String host) {
        Set<String> s = new LinkedHashSet<>();
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.isEmpty() || h.startsWith("(")) {
            return s;
        }
        s.add(h);
        int dot = h.indexOf('.');
        if (dot > 0) {
            s.add(h.substring(0, dot));
        }
        return s;
    }
}
