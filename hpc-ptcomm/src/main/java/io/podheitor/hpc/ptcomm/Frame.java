package io.podheitor.hpc.ptcomm;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One PTCOMM packet: a status letter and a binary-safe payload (0..999999 bytes).
 * Validation of the wire rules happens in {@link FrameReader} and {@link FrameWriter}.
 */
public record Frame(char status, byte[] payload) {
    public static final int MAX_PAYLOAD = 999_999;
    public static final int HEADER_LENGTH = 8;
    private static final byte[] EMPTY = new byte[0];

    public Frame {
        payload = payload == null ? EMPTY : payload;
    }

    public static Frame command(String text) {
        return new Frame(Status.COMMAND, text.getBytes(StandardCharsets.UTF_8));
    }

    public static Frame command(byte[] payload) {
        return new Frame(Status.COMMAND, payload);
    }

    public static Frame data(byte[] payload) {
        return new Frame(Status.DATA, payload);
    }

    public static Frame end() {
        return new Frame(Status.END, EMPTY);
    }

    public static Frame terminate() {
        return new Frame(Status.TERMINATE, EMPTY);
    }

    public boolean is(char letter) {
        return status == letter;
    }

    /** The payload as a text line: one trailing newline is stripped (docs/ptcomm.md §2). */
    public byte[] textBytes() {
        int n = payload.length;
        if (n > 0 && payload[n - 1] == '\n') {
            return Arrays.copyOf(payload, n - 1);
        }
        return payload;
    }

    /** The text line decoded as UTF-8 (for commands and messages; never use this for names). */
    public String text() {
        return new String(textBytes(), StandardCharsets.UTF_8);
    }

    /** Is this a command packet whose text line equals {@code command}? */
    public boolean isCommand(String command) {
        return status == Status.COMMAND && Arrays.equals(textBytes(), command.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Frame f && f.status == status && Arrays.equals(f.payload, payload);
    }

    @Override
    public int hashCode() {
        return 31 * status + Arrays.hashCode(payload);
    }

    @Override
    public String toString() {
        int shown = Math.min(payload.length, 64);
        return "Frame[" + status + ", " + payload.length + " bytes: \""
                + ProtocolException.escape(payload, 0, shown) + (shown < payload.length ? "...\"]" : "\"]");
    }
}
