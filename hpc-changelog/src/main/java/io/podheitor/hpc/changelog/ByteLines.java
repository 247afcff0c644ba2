package io.podheitor.hpc.changelog;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Lines of bytes from a stream, one at a time into a reusable buffer (no charset, no String). A line ends at
 * {@code '\n'} (not part of it); a last line without one is returned too. A line longer than the limit is an
 * error, so a broken producer cannot make the reader buffer without bound.
 */
public final class ByteLines {
    private final InputStream in;
    private final int maxLine;
    private final byte[] chunk = new byte[64 * 1024];
    private int pos;
    private int end;
    private boolean eof;
    private byte[] line = new byte[256];
    private int length;
    private long number;

    public ByteLines(InputStream in, int maxLine) {
        this.in = in;
        this.maxLine = maxLine;
    }

    /** Reads the next line; false at the end of the stream. */
    public boolean next() throws IOException {
        length = 0;
        boolean any = false;
        while (true) {
            if (pos == end) {
                if (eof || !fill()) {
                    if (any) {
                        number++;
                    }
                    return any;
                }
            }
            any = true;
            int nl = -1;
            for (int i = pos; i < end; i++) {
                if (chunk[i] == '\n') {
                    nl = i;
                    break;
                }
            }
            int stop = nl < 0 ? end : nl;
            append(stop - pos);
            pos = nl < 0 ? end : nl + 1;
            if (nl >= 0) {
                number++;
                return true;
            }
        }
    }

    private boolean fill() throws IOException {
        int n = in.read(chunk, 0, chunk.length);
        if (n <= 0) {
            eof = n < 0;
            if (n == 0) {
                int b = in.read();
                if (b < 0) {
                    eof = true;
                    return false;
                }
                chunk[0] = (byte) b;
                pos = 0;
                end = 1;
                return true;
            }
            return false;
        }
        pos = 0;
        end = n;
        return true;
    }

    private void append(int n) throws ChangelogFormatException {
        if (length + n > maxLine) {
            throw new ChangelogFormatException(number + 1, "line longer than " + maxLine + " bytes");
        }
        if (length + n > line.length) {
            line = Arrays.copyOf(line, Math.min(maxLine, Math.max(line.length * 2, length + n)));
        }
        System.arraycopy(chunk, pos, line, length, n);
        length += n;
    }

    public byte[] buffer() {
        return line;
    }

    public int length() {
        return length;
    }

    /** The 1-based number of the line last returned. */
    public long number() {
        return number;
    }
}
