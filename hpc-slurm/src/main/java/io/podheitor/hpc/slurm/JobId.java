package io.podheitor.hpc.slurm;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Slurm job id as {@code sbatch --parsable} prints it: {@code jobid} or {@code jobid;cluster} (the cluster only in
 * a multi-cluster setup, {@code --clusters}).
 *
 * @param id      the numeric job id (1 and up)
 * @param cluster the cluster name, or empty
 */
public record JobId(long id, Optional<String> cluster) {
    private static final Pattern PARSABLE = Pattern.compile("([0-9]{1,19})(?:;([A-Za-z0-9_.-]{1,64}))?");

    public JobId {
        Objects.requireNonNull(cluster, "cluster");
        if (id < 1) {
            throw new IllegalArgumentException("job id " + id + " (must be 1 or more)");
        }
    }

    /**
     * Parses the standard output of {@code sbatch --parsable}: exactly one line (trailing newline optional) that is
     * {@code jobid} or {@code jobid;cluster}; anything else, blank lines and blanks included, is malformed.
     */
    public static Optional<JobId> parseParsable(String stdout) {
        String s = stdout;
        if (s.endsWith("\n")) {
            s = s.substring(0, s.length() - 1);
        }
        Matcher m = PARSABLE.matcher(s);
        if (!m.matches()) {
            return Optional.empty();
        }
        long id;
        try {
            id = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (id < 1) {
            return Optional.empty();
        }
        return Optional.of(new JobId(id, Optional.ofNullable(m.group(2))));
    }

    /** The id the client commands take ({@code -j}, {@code scancel}): the number alone. */
    public String arg() {
        return Long.toString(id);
    }

    @Override
    public String toString() {
        return cluster.map(c -> id + " (cluster " + c + ")").orElse(Long.toString(id));
    }
}
