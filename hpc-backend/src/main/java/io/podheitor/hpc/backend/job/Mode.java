package io.podheitor.hpc.backend.job;

import io.podheitor.hpc.posix.PathText;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The file system driver a job asked for (plugin key {@code mode}). The source factory
 * ({@code backup.SourceFactory}) chooses the job's entry source from it, the level and the state; today every
 * mode walks the tree through POSIX calls, and the change-log, rctime and policy-scan drivers plug in per mode.
 */
public enum Mode {
    POSIX, LUSTRE, GPFS, CEPHFS, BEEGFS, WEKA;

    /** The value in the plugin string, e.g. "lustre". */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The mode named by a plugin-string value. */
    public static Mode parse(byte[] raw) throws BadRequestException {
        String v = new String(raw, StandardCharsets.UTF_8);
        for (Mode m : values()) {
            if (m.key().equals(v)) {
                return m;
            }
        }
        throw new BadRequestException("bad plugin parameter mode=\"" + PathText.render(raw) + "\": expected "
                + Arrays.stream(values()).map(Mode::key).collect(Collectors.joining(", ")).replaceFirst(", (\\w+)$", " or $1"));
    }
}
