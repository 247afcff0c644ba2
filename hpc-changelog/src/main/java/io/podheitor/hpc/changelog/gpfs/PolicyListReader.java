package io.podheitor.hpc.changelog.gpfs;

import io.podheitor.hpc.changelog.ByteLines;
import io.podheitor.hpc.changelog.ChangelogFormatException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Streams a policy file list written by {@code mmapplypolicy ... -I defer -f PREFIX} (docs/changelog.md §5):
 * one line per path, {@code INODE GEN SNAPID [SHOW...] -- PATH}. The lists this project asks for come from a
 * rule with {@code ESCAPE '%'} ({@link PolicyFile}), so every byte that is not plainly printable arrives as
 * {@code %hh} and is decoded here to the raw byte; paths never go through a String. One line is held at a time.
 */
public final class PolicyListReader implements Closeable {
    private static final int MAX_LINE = 64 * 1024;

    private final InputStream in;
    private final ByteLines lines;

    public PolicyListReader(InputStream in) {
        this.in = in;
        this.lines = new ByteLines(in, MAX_LINE);
    }

    /** The next entry, or null at the end. */
    public PolicyListEntry next() throws IOException {
        while (lines.next()) {
            if (lines.length() > 0) {
                return parse(lines.buffer(), lines.length(), lines.number());
            }
        }
        return null;
    }

    /** Parses one line {@code b[0, len)}. */
    public static PolicyListEntry parse(byte[] b, int len, long line) throws ChangelogFormatException {
        int[] pos = {0};
        long inode = number(b, len, pos, line, "inode number");
        long gen = number(b, len, pos, line, "generation number");
        long snap = number(b, len, pos, line, "snapshot id");
        int sep = -1;
        for (int i = pos[0]; i + 3 <= len; i++) {
            if (b[i] == '-' && b[i + 1] == '-' && b[i + 2] == ' ' && b[i - 1] == ' ') {
                sep = i;
                break;
            }
        }
        if (sep < 0) {
            throw new ChangelogFormatException(line, "policy list: ' -- ' before the path expected");
        }
        byte[] show = Arrays.copyOfRange(b, pos[0], Math.max(pos[0], sep - 1));
        byte[] path = unescape(b, sep + 3, len, line);
        if (path.length == 0) {
            throw new ChangelogFormatException(line, "policy list: empty path");
        }
        return new PolicyListEntry(inode, gen, snap, trim(show), path);
    }

    /** Decodes {@code %hh} to the byte hh; every other byte stands for itself. */
    public static byte[] unescape(byte[] b, int from, int to, long line) throws ChangelogFormatException {
        byte[] out = new byte[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            if (b[i] == '%') {
                int hi = i + 2 < to ? Character.digit(b[i + 1], 16) : -1;
                int lo = i + 2 < to ? Character.digit(b[i + 2], 16) : -1;
                if (hi < 0 || lo < 0) {
                    throw new ChangelogFormatException(line, "policy list: '%' not followed by two hex digits");
                }
                out[n++] = (byte) (hi << 4 | lo);
                i += 2;
            } else {
                out[n++] = b[i];
            }
        }
        return Arrays.copyOf(out, n);
    }

    private static long number(byte[] b, int len, int[] pos, long line, String what)
            throws ChangelogFormatException {
        int i = pos[0];
        while (i < len && b[i] == ' ') {
            i++;
        }
        int start = i;
        long v = 0;
        while (i < len && b[i] >= '0' && b[i] <= '9') {
            int d = b[i] - '0';
            if (Long.compareUnsigned(v, Long.divideUnsigned(-1L - d, 10)) > 0) {
                throw new ChangelogFormatException(line, "policy list: " + what + " too large");
            }
            v = v * 10 + d;
            i++;
        }
        if (i == start || i >= len || b[i] != ' ') {
            throw new ChangelogFormatException(line, "policy list: " + what + " expected");
        }
        pos[0] = i + 1;
        return v;
    }

    private static byte[] trim(byte[] s) {
        int a = 0;
        int z = s.length;
        while (a < z && s[a] == ' ') {
            a++;
        }
        while (z > a && s[z - 1] == ' ') {
            z--;
        }
        return Arrays.copyOfRange(s, a, z);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
