package io.podheitor.hpc.ptcomm;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads PTCOMM frames: exactly 8 header bytes, checked, then exactly the announced payload.
 * Not thread-safe; one reader per stream.
 */
public final class FrameReader {
    private final InputStream in;
    private final byte[] header = new byte[Frame.HEADER_LENGTH];

    public FrameReader(InputStream in) {
        this.in = in;
    }

    /**
     * Reads the next frame.
     *
     * @return the frame, or {@code null} on a clean end of stream at a frame boundary
     * @throws ProtocolException on a malformed header or an end of stream inside a frame
     */
    public Frame read() throws IOException {
        int got = readFully(header, 0, Frame.HEADER_LENGTH);
        if (got == 0) {
            return null;
        }
        if (got < Frame.HEADER_LENGTH) {
            throw new ProtocolException("peer closed the connection in the middle of a header (got "
                    + got + " bytes: \"" + ProtocolException.escape(header, 0, got) + "\")");
        }
        int length = checkHeader(header);
        char status = (char) header[0];
        byte[] payload = new byte[length];
        int n = readFully(payload, 0, length);
        if (n < length) {
            throw new ProtocolException("peer closed the connection in the middle of a " + status
                    + " payload (" + n + " of " + length + " bytes)");
        }
        return new Frame(status, payload);
    }

    /** Validates an 8-byte header and returns its payload length. */
    static int checkHeader(byte[] h) throws ProtocolException {
        if (h[7] != '\n') {
            throw bad(h, "byte 7 is not a newline");
        }
        int length = 0;
        for (int i = 1; i <= 6; i++) {
            int d = h[i];
            if (d < '0' || d > '9') {
                throw bad(h, "length is not 6 decimal digits");
            }
            length = length * 10 + (d - '0');
        }
        int letter = h[0] & 0xff;
        if (!Status.isKnown(letter)) {
            throw bad(h, "unknown status letter");
        }
        if (Status.isHeaderOnly(letter) && length != 0) {
            throw bad(h, "'" + (char) letter + "' must not carry a payload");
        }
        if (letter == Status.DATA && length == 0) {
            throw bad(h, "empty 'D' packet");
        }
        if (letter == Status.HANDOFF && length != Status.HANDOFF_LENGTH) {
            throw bad(h, "an 'H' packet carries exactly " + Status.HANDOFF_LENGTH + " bytes");
        }
        return length;
    }

    private static ProtocolException bad(byte[] h, String why) {
        return new ProtocolException("bad PTCOMM header \"" + ProtocolException.escape(h) + "\": " + why);
    }

    private int readFully(byte[] buf, int off, int len) throws IOException {
        int total = 0;
        while (total < len) {
            int n = in.read(buf, off + total, len - total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        return total;
    }
}
