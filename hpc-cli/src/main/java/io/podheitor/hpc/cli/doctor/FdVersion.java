package io.podheitor.hpc.cli.doctor;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A bacula-fd release and the FD plugin interface version it offers (docs/abi.md §0.2): 9.0.0-9.0.5 -> 13,
 * 9.0.6-9.6.x -> 14, 11.0.x -> 21, 11.3.x and 13.0.x -> 22, 15.0.x -> 23; anything else unknown (0).
 */
record FdVersion(int major, int minor, int patch, String text) {
    private static final Pattern VERSION = Pattern.compile("(?m)^\\s*Version:\\s*((\\d+)\\.(\\d+)\\.(\\d+)[^\\n]*)");

    /** From the banner {@code bacula-fd -?} prints ("Version: 15.0.3 (25 March 2025)"), or null. */
    static FdVersion fromBanner(String banner) {
        Matcher m = VERSION.matcher(banner);
        if (!m.find()) {
            return null;
        }
        return new FdVersion(Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)), Integer.parseInt(m.group(4)),
                m.group(1).strip());
    }

    String release() {
        return major + "." + minor + "." + patch;
    }

    /** The interface version, 0 when this release is not in the table. */
    int pluginInterface() {
        return switch (major) {
            case 9 -> minor == 0 && patch < 6 ? 13 : 14;
            case 11 -> minor == 3 ? 22 : minor == 0 ? 21 : 0;
            case 13 -> minor == 0 ? 22 : 0;
            case 15 -> minor == 0 ? 23 : 0;
            default -> 0;
        };
    }
}
