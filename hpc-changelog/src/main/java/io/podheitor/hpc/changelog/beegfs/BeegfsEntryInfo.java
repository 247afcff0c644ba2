package io.podheitor.hpc.changelog.beegfs;

import io.podheitor.hpc.changelog.ChangelogFormatException;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the project reads of {@code beegfs-ctl --getentryinfo [--verbose] PATH} (BeeGFS 7.x; docs/changelog.md §6):
 * the entry's type ({@code Entry type: directory}), its id ({@code EntryID: 0-5D285750-1}) and the metadata node
 * that owns it: {@code Metadata node: NAME [ID: N]}, or, with mirrored metadata, {@code Metadata buddy group: G}
 * followed by {@code Current primary metadata node: NAME [ID: N]} (the primary serves the directory now). Every
 * other line (stripe pattern, storage targets, the {@code --verbose} paths) is ignored.
 *
 * @param type        as printed: {@code directory}, {@code file}, ...
 * @param entryId     the BeeGFS entry id
 * @param nodeName    the owning (or primary) metadata node's name
 * @param nodeId      its numeric id
 * @param buddyGroup  the metadata buddy group, or -1 when the metadata is not mirrored
 */
public record BeegfsEntryInfo(String type, String entryId, String nodeName, int nodeId, int buddyGroup) {
    private static final Pattern NODE = Pattern.compile("(.*\\S)\\s+\\[ID:\\s*(\\d+)\\]");

    public boolean isDirectory() {
        return "directory".equals(type);
    }

    public static BeegfsEntryInfo parse(byte[] output) throws ChangelogFormatException {
        String[] lines = new String(output, StandardCharsets.UTF_8).split("\n");
        String type = null;
        String id = null;
        String node = null;
        String primary = null;
        int group = -1;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            int colon = line.indexOf(':');
            if (colon < 0 || line.startsWith("+")) {
                continue;
            }
            String key = line.substring(0, colon);
            String value = line.substring(colon + 1).strip();
            switch (key) {
                case "Entry type" -> type = value;
                case "EntryID" -> id = value;
                case "Metadata node" -> node = value;
                case "Current primary metadata node" -> primary = value;
                case "Metadata buddy group" -> {
                    try {
                        group = Integer.parseInt(value);
                    } catch (NumberFormatException e) {
                        throw new ChangelogFormatException(i + 1, "beegfs-ctl --getentryinfo: buddy group: " + line);
                    }
                }
                default -> { } // stripe details, --verbose paths: not used
            }
        }
        if (type == null || id == null || type.isEmpty() || id.isEmpty()) {
            throw new ChangelogFormatException(1, "beegfs-ctl --getentryinfo: no 'Entry type:' and 'EntryID:' lines");
        }
        String owner = primary != null ? primary : node;
        if (owner == null) {
            throw new ChangelogFormatException(1, "beegfs-ctl --getentryinfo: no 'Metadata node:' line");
        }
        Matcher m = NODE.matcher(owner);
        if (!m.matches()) {
            throw new ChangelogFormatException(1, "beegfs-ctl --getentryinfo: metadata node not 'NAME [ID: N]': "
                    + owner);
        }
        return new BeegfsEntryInfo(type, id, m.group(1), Integer.parseInt(m.group(2)), group);
    }
}
