package io.podheitor.hpc.backend.job;

import java.util.regex.Pattern;

/**
 * The Job resource's name from the job's unique name: Bacula's Job line {@code Name=} is the resource name with a
 * unique suffix {@code .YYYY-MM-DD_HH.MM.SS_NN} (e.g. {@code BackupProj.2026-01-02_03.04.05_06}); state kept per
 * Job (a changelog cursor, a snapshot's name) is keyed by the resource name, which every run of the Job shares.
 */
public final class JobName {
    private static final Pattern UNIQUE_SUFFIX = Pattern.compile("\\.\\d{4}-\\d{2}-\\d{2}_\\d{2}\\.\\d{2}\\.\\d{2}_\\d+$");

    private JobName() {
    }

    /** {@code uniqueJobName} without Bacula's unique suffix (unchanged when it has none). */
    public static String of(String uniqueJobName) {
        return UNIQUE_SUFFIX.matcher(uniqueJobName).replaceFirst("");
    }
}
