package io.podheitor.hpc.changelog.gpfs;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.regex.Pattern;

/**
 * Writes the policy that lists what changed since a time, for {@code mmapplypolicy PATH -P FILE -I defer -f
 * PREFIX}: an external list with an empty EXEC (with {@code -I defer} the list is only written, to
 * {@code PREFIX.list.NAME}), {@code ESCAPE '%'} so names arrive as {@code %hh} escapes, and one LIST rule for
 * entries whose modification or change time is after {@code since}. Times are given in UTC
 * ({@code TIMESTAMP('YYYY-MM-DD HH:MM:SS')}; the policy engine compares in the cluster's time, so the caller passes
 * a {@code since} already moved back by any clock slack it wants).
 */
public final class PolicyFile {
    private static final Pattern LIST_NAME = Pattern.compile("[A-Za-z0-9_]{1,64}");
    private static final DateTimeFormatter TS = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")
            .withZone(ZoneOffset.UTC);

    private PolicyFile() {
    }

    /** The policy text for list {@code listName} of entries changed after {@code since}. */
    public static String changedSince(String listName, Instant since) {
        if (!LIST_NAME.matcher(listName).matches()) {
            throw new IllegalArgumentException("list name must be letters, digits or '_': " + listName);
        }
        String ts = TS.format(since);
        return "RULE EXTERNAL LIST '" + listName + "' EXEC '' ESCAPE '%'\n"
                + "RULE 'changed' LIST '" + listName + "'\n"
                + "  WHERE MODIFICATION_TIME > TIMESTAMP('" + ts + "')\n"
                + "     OR CHANGE_TIME > TIMESTAMP('" + ts + "')\n";
    }

    /** The list of directories whose contents changed (a name added, removed or renamed in them). */
    public static final String DIRECTORIES = "dirs";
    /** The list of directories of which only the inode changed (renamed, moved, chmod, chown): walked whole. */
    public static final String MOVED = "moved";
    /** The list of every other changed entry (files, symbolic links, specials). */
    public static final String OTHERS = "files";

    /**
     * The policy of a change-driven Incremental (docs/changelog.md §5): three lists, one LIST rule each with
     * {@code DIRECTORIES_PLUS} (without it a LIST rule selects only files), in this order, and the engine puts an
     * entry in the list of the first rule whose WHERE holds: {@link #DIRECTORIES} (a directory modified at or after
     * {@code since}), {@link #MOVED} (a directory changed at or after {@code since}, not modified), {@link #OTHERS}
     * (anything else modified or changed at or after {@code since}). At or after: as the stock FD, which saves what
     * changed at {@code since} too.
     */
    public static String incremental(Instant since, ZoneId zone) {
        String ts = "TIMESTAMP('" + wallClock(since, zone) + "')";
        StringBuilder b = new StringBuilder();
        for (String list : new String[] {DIRECTORIES, MOVED, OTHERS}) {
            b.append("RULE EXTERNAL LIST '").append(list).append("' EXEC '' ESCAPE '%'\n");
        }
        b.append("RULE 'dirs' LIST '").append(DIRECTORIES).append("' DIRECTORIES_PLUS\n")
                .append("  WHERE MISC_ATTRIBUTES LIKE '%D%' AND MODIFICATION_TIME >= ").append(ts).append('\n');
        b.append("RULE 'moved' LIST '").append(MOVED).append("' DIRECTORIES_PLUS\n")
                .append("  WHERE MISC_ATTRIBUTES LIKE '%D%' AND CHANGE_TIME >= ").append(ts).append('\n');
        b.append("RULE 'files' LIST '").append(OTHERS).append("' DIRECTORIES_PLUS\n")
                .append("  WHERE MODIFICATION_TIME >= ").append(ts).append(" OR CHANGE_TIME >= ").append(ts)
                .append('\n');
        return b.toString();
    }

    /**
     * The time written in the policy: the earlier of {@code since} in UTC and in {@code zone} (the zone of the node
     * that runs the engine), so the list is complete whether the engine reads a TIMESTAMP literal in UTC or in its
     * local time (the documentation found does not say); in a zone with daylight saving time the local reading is
     * taken one hour earlier, for the hour that occurs twice. Costs at most the zone's offset of extra entries.
     */
    public static String wallClock(Instant since, ZoneId zone) {
        String utc = TS.format(since);
        Instant at = zone.getRules().isFixedOffset() ? since : since.minusSeconds(3600);
        String local = TS.withZone(zone).format(at);
        return local.compareTo(utc) < 0 ? local : utc;
    }

    /** The file mmapplypolicy writes the list to. */
    public static String listFile(String prefix, String listName) {
        return prefix + ".list." + listName;
    }
}
