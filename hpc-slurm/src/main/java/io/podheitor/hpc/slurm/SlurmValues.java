package io.podheitor.hpc.slurm;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rules for the values a user gives for a worker's Slurm job (plugin keys {@code mem}, {@code time},
 * {@code sbatch_args}, {@code relay_bind}; the same options of {@code gen-fileset --scheduler slurm}): one home, so
 * the backend and the CLI refuse the same values with the same words. Each check throws
 * {@link IllegalArgumentException} whose message is the rule; the caller names the key or option.
 */
public final class SlurmValues {
    /** sbatch options the submitter sets itself: never repeated or overridden by extra arguments. */
    public static final List<String> SUBMITTER_OPTIONS = List.of("--parsable", "--export", "--export-file", "--wrap");
    static final Pattern MEM = Pattern.compile("[0-9]{1,12}[KMGT]?");
    private static final Pattern TIME = Pattern.compile("([0-9]{1,9})([smhd])");
    private static final Pattern BIND = Pattern.compile("[A-Za-z0-9.-]{1,64}");

    private SlurmValues() {
    }

    /** A time limit: a number and s, m, h or d ({@code 90m}, {@code 1h}, {@code 2d}), more than 0, at most 365 days. */
    public static Duration time(String text) {
        Matcher m = TIME.matcher(text);
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a number and s, m, h or d (90m, 1h, 2d)");
        }
        long n = Long.parseLong(m.group(1));
        Duration d = switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
        if (n == 0 || d.toDays() > 365) {
            throw new IllegalArgumentException("more than 0, at most 365 days");
        }
        return d;
    }

    /** Memory as {@code sbatch --mem} takes it: a number and K, M, G or T (default M). */
    public static String mem(String text) {
        if (!MEM.matcher(text).matches()) {
            throw new IllegalArgumentException("expected a number and K, M, G or T (16G)");
        }
        return text;
    }

    /** The relay's bind address: an IPv4 address or a host name. */
    public static String bindAddress(String text) {
        if (!BIND.matcher(text).matches()) {
            throw new IllegalArgumentException("expected an IPv4 address or a host name (A-Z a-z 0-9 . -, at most 64)");
        }
        return text;
    }

    /** The submitter's own option that ARG sets ({@code --export=ALL} -> {@code --export}), or empty. */
    public static Optional<String> submitterOption(String arg) {
        return SUBMITTER_OPTIONS.stream().filter(o -> arg.equals(o) || arg.startsWith(o + "=")).findFirst();
    }
}
