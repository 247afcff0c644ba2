package io.podheitor.hpc.ptcomm;

import java.io.IOException;

/** A PTCOMM framing or record violation (docs/ptcomm.md): the conversation cannot continue. */
public final class ProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(message);
    }

    /** Renders bytes for a message: printable ASCII as is, {@code \n} as "\n", everything else as \xNN. */
    public static String escape(byte[] bytes, int off, int len) {
        StringBuilder sb = new StringBuilder(len + 8);
        for (int i = off; i < off + len; i++) {
            int b = bytes[i] & 0xff;
            if (b == '\n') {
                sb.append("\\n");
            } else if (b == '\\' || b == '"') {
                sb.append('\\').append((char) b);
            } else if (b >= 0x20 && b < 0x7f) {
                sb.append((char) b);
            } else {
                sb.append(String.format("\\x%02x", b));
            }
        }
        return sb.toString();
    }

    public static String escape(byte[] bytes) {
        return escape(bytes, 0, bytes.length);
    }
}
