package io.podheitor.hpc.backend.job;

import java.util.Locale;

/**
 * The file system driver a job asked for (plugin key {@code mode}; its values are the table's,
 * plugin-keys.toml, and a test keeps the two equal). The source factory ({@code backup.SourceFactory}) chooses the
 * job's entry source from it, the level and the change policy; today every mode walks the tree through POSIX
 * calls, and the change-log, rctime and policy-scan drivers plug in per mode.
 */
public enum Mode {
    POSIX, LUSTRE, GPFS, CEPHFS, BEEGFS, WEKA;

    /** The value in the plugin string, e.g. "lustre". */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The mode of a value the key table already accepted. */
    static Mode of(String key) {
        for (Mode m : values()) {
            if (m.key().equals(key)) {
                return m;
            }
        }
        throw new IllegalStateException("plugin-keys.toml allows mode=" + key + ", which has no driver here");
    }
}
