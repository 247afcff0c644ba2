package io.podheitor.hpc.posix;

/**
 * Renders raw path bytes for humans (messages, logs) without losing information:
 * valid, printable UTF-8 is shown as text, every other byte as {@code \xNN}, a backslash as {@code \\}.
 * The result is for display only; paths themselves stay byte arrays everywhere.
 */
public final class PathText {
    private PathText() {
    }

    public static String render(byte[] b) {
        return render(b, 0, b.length);
    }

    public static String render(byte[] b, int off, int len) {
        StringBuilder sb = new StringBuilder(len + 8);
        int end = off + len;
        int i = off;
        while (i < end) {
            int c = b[i] & 0xff;
            if (c < 0x80) {
                if (c == '\\') {
                    sb.append("\\\\");
                } else if (c < 0x20 || c == 0x7f) {
                    hex(sb, c);
                } else {
                    sb.append((char) c);
                }
                i++;
                continue;
            }
            int n = sequenceLength(b, i, end);
            if (n == 0) {
                hex(sb, c);
                i++;
                continue;
            }
            int cp = decode(b, i, n);
            if (Character.isISOControl(cp) || !Character.isDefined(cp)) {
                for (int k = 0; k < n; k++) {
                    hex(sb, b[i + k] & 0xff);
                }
            } else {
                sb.appendCodePoint(cp);
            }
            i += n;
        }
        return sb.toString();
    }

    private static void hex(StringBuilder sb, int c) {
        sb.append("\\x").append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
    }

    /** Length of a well-formed UTF-8 sequence at {@code i} (2..4), or 0 if malformed. */
    private static int sequenceLength(byte[] b, int i, int end) {
        int c = b[i] & 0xff;
        int n;
        int min;
        if (c >= 0xc2 && c <= 0xdf) {
            n = 2;
            min = 0x80;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 3;
            min = 0x800;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 4;
            min = 0x10000;
        } else {
            return 0;
        }
        if (i + n > end) {
            return 0;
        }
        for (int k = 1; k < n; k++) {
            if ((b[i + k] & 0xc0) != 0x80) {
                return 0;
            }
        }
        int cp = decode(b, i, n);
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return 0;
        }
        return n;
    }

    private static int decode(byte[] b, int i, int n) {
        int cp = b[i] & (0xff >> (n + 1));
        for (int k = 1; k < n; k++) {
            cp = (cp << 6) | (b[i + k] & 0x3f);
        }
        return cp;
    }
}
