package io.podheitor.hpc.backend.relay;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The first line a worker sends when it connects (docs/slurm.md §4.3):
 * <pre>PHPC-RELAY 1 token=HEX64 job=SLURM_JOB_ID host=HOSTNAME lz4=yes|no\n</pre>
 * and the submitter's answer {@code OK lz4=yes|no\n}; a refused worker gets no answer, the connection is closed.
 * Strict: at most {@link #MAX_LINE} bytes, printable ASCII, the fields in this order.
 *
 * @param token the one-time token, 32 bytes
 * @param job   the worker's Slurm job id as its environment gives it ({@code SLURM_JOB_ID}), or "-" outside Slurm
 * @param host  the worker's host name
 * @param lz4   the worker can compress
 */
public record RelayHello(byte[] token, String job, String host, boolean lz4) {
    public static final int MAX_LINE = 256;
    public static final int TOKEN_BYTES = 32;
    private static final Pattern LINE = Pattern.compile(
            "PHPC-RELAY 1 token=([0-9a-f]{64}) job=([0-9]{1,19}|-) host=([A-Za-z0-9._-]{1,64}) lz4=(yes|no)");
    private static final Pattern ANSWER = Pattern.compile("OK lz4=(yes|no)");

    public RelayHello {
        if (token.length != TOKEN_BYTES) {
            throw new IllegalArgumentException("token of " + token.length + " bytes");
        }
        token = token.clone();
    }

    @Override
    public byte[] token() {
        return token.clone();
    }

    /** The line, newline included. */
    public byte[] encode() {
        return ("PHPC-RELAY 1 token=" + HexFormat.of().formatHex(token) + " job=" + job + " host=" + host + " lz4="
                + (lz4 ? "yes" : "no") + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** The hello in LINE (without its newline), or empty when it is not one. */
    public static Optional<RelayHello> parse(String line) {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new RelayHello(HexFormat.of().parseHex(m.group(1)), m.group(2), m.group(3),
                m.group(4).equals("yes")));
    }

    /** The submitter's answer, newline included. */
    public static byte[] answer(boolean lz4) {
        return ("OK lz4=" + (lz4 ? "yes" : "no") + "\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Parses an answer line (without its newline): the agreed LZ4, or empty when it is not an answer. */
    public static Optional<Boolean> parseAnswer(String line) {
        Matcher m = ANSWER.matcher(line);
        return m.matches() ? Optional.of(m.group(1).equals("yes")) : Optional.empty();
    }

    /**
     * One line of at most {@link #MAX_LINE} bytes, read a byte at a time (nothing past the newline is consumed).
     *
     * @return the line without its newline; null at end of input before a newline
     * @throws IOException a read error, or a line too long or not printable ASCII
     */
    public static String readLine(InputStream in) throws IOException {
        byte[] b = new byte[MAX_LINE];
        int n = 0;
        while (true) {
            int c = in.read();
            if (c < 0) {
                return null;
            }
            if (c == '\n') {
                return new String(b, 0, n, StandardCharsets.US_ASCII);
            }
            if (c < 0x20 || c > 0x7e || n == MAX_LINE) {
                throw new IOException(n == MAX_LINE ? "line longer than " + MAX_LINE + " bytes" : "not a text line");
            }
            b[n++] = (byte) c;
        }
    }
}
