package io.podheitor.hpc.backend.relay;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What makes two processes "on the same host" for the relay: the same running kernel (its boot id) and the same
 * network namespace. A socket path is reachable only there: another host has another boot id, and a process in
 * another network namespace is treated as another host (the test cluster's second node runs in one).
 *
 * @param bootId  {@code /proc/sys/kernel/random/boot_id}
 * @param netns   the link of {@code /proc/self/ns/net} ({@code net:[4026531840]})
 */
public record HostIdentity(String bootId, String netns) {
    private static final Pattern TEXT = Pattern.compile("[A-Za-z0-9:\\[\\]-]{1,64}");

    public HostIdentity {
        if (!TEXT.matcher(bootId).matches() || !TEXT.matcher(netns).matches()) {
            throw new IllegalArgumentException("bad host identity " + bootId + " " + netns);
        }
    }

    /** This process's identity, or empty when /proc does not tell (then only TCP is offered). */
    public static Optional<HostIdentity> current() {
        try {
            String boot = Files.readString(Path.of("/proc/sys/kernel/random/boot_id"), StandardCharsets.US_ASCII).strip();
            String net = Files.readSymbolicLink(Path.of("/proc/self/ns/net")).toString();
            return Optional.of(new HostIdentity(boot, net));
        } catch (IOException | IllegalArgumentException | UnsupportedOperationException e) {
            return Optional.empty();
        }
    }

    /** One word for an environment variable: {@code BOOTID/NETNS}. */
    public String text() {
        return bootId + "/" + netns;
    }

    /** The inverse of {@link #text()}; empty when malformed. */
    public static Optional<HostIdentity> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        int slash = text.indexOf('/');
        if (slash <= 0) {
            return Optional.empty();
        }
        try {
            return Optional.of(new HostIdentity(text.substring(0, slash), text.substring(slash + 1)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
