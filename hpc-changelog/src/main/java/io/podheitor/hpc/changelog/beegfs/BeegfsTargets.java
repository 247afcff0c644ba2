package io.podheitor.hpc.changelog.beegfs;

import io.podheitor.hpc.changelog.ChangelogFormatException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses {@code beegfs-ctl --listtargets --nodetype=meta [--state]} (BeeGFS 7.x; docs/changelog.md §6): a header
 * line of column names ({@code TargetID NodeID}, or {@code TargetID Reachability Consistency NodeID} with
 * {@code --state}), a line of {@code =} underlines, then one right-aligned row per target. Reachability may be
 * two words ({@code Probably Offline}).
 */
public final class BeegfsTargets {
    private static final Pattern PLAIN = Pattern.compile("\\s*(\\d+)\\s+(\\d+)\\s*");
    private static final Pattern STATE = Pattern.compile(
            "\\s*(\\d+)\\s+(Online|Probably Offline|Offline|Unknown)\\s+(\\S+)\\s+(\\d+)\\s*");

    private BeegfsTargets() {
    }

    public static List<MetaTarget> parse(byte[] output) throws ChangelogFormatException {
        String[] lines = new String(output, StandardCharsets.UTF_8).split("\n");
        List<MetaTarget> out = new ArrayList<>();
        Boolean withState = null;
        boolean underline = false;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank()) {
                continue;
            }
            if (withState == null) {
                String[] cols = line.trim().split("\\s+");
                if (cols.length == 2 && cols[0].equals("TargetID") && cols[1].equals("NodeID")) {
                    withState = false;
                } else if (cols.length == 4 && cols[0].equals("TargetID") && cols[1].equals("Reachability")
                        && cols[2].equals("Consistency") && cols[3].equals("NodeID")) {
                    withState = true;
                } else {
                    throw new ChangelogFormatException(i + 1, "beegfs-ctl --listtargets: unknown header: " + line);
                }
                continue;
            }
            if (!underline) {
                if (!line.trim().matches("[= ]+")) {
                    throw new ChangelogFormatException(i + 1, "beegfs-ctl --listtargets: '====' line expected");
                }
                underline = true;
                continue;
            }
            Matcher m = (withState ? STATE : PLAIN).matcher(line);
            if (!m.matches()) {
                throw new ChangelogFormatException(i + 1, "beegfs-ctl --listtargets: not a target row: " + line);
            }
            out.add(withState
                    ? new MetaTarget(Integer.parseInt(m.group(1)), m.group(2), m.group(3), Integer.parseInt(m.group(4)))
                    : new MetaTarget(Integer.parseInt(m.group(1)), null, null, Integer.parseInt(m.group(2))));
        }
        if (withState == null) {
            throw new ChangelogFormatException(1, "beegfs-ctl --listtargets: empty output");
        }
        return out;
    }
}
