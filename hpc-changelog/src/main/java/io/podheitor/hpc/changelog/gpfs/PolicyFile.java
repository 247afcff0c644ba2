package io.podheitor.hpc.changelog.gpfs;

import java.time.Instant;
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

    /** The file mmapplypolicy writes the list to. */
    public static String listFile(String prefix, String listName) {
        return prefix + ".list." + listName;
    }
}
