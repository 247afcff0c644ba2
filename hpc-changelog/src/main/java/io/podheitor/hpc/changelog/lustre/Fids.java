package io.podheitor.hpc.changelog.lustre;

import io.podheitor.hpc.lustre.Fid;

/**
 * FIDs as Lustre prints them ({@code DFID}, {@code "[%#llx:0x%x:0x%x]"}): a zero sequence prints as {@code 0}, so
 * the absent FID is {@code [0:0x0:0x0]}. Parsed from bytes without a String.
 */
public final class Fids {
    /** The all-zero FID: "no such object" in a changelog record. */
    public static final Fid ZERO = new Fid(0, 0, 0);

    private Fids() {
    }

    public static boolean isZero(Fid fid) {
        return fid.seq() == 0 && fid.oid() == 0 && fid.ver() == 0;
    }

    /**
     * The FID in {@code b[from, to)}: with or without the brackets, each number hex with an optional {@code 0x}
     * (lfs accepts both); null when the bytes are not a FID.
     */
    public static Fid parse(byte[] b, int from, int to) {
        if (to - from >= 2 && b[from] == '[' && b[to - 1] == ']') {
            from++;
            to--;
        }
        long[] parts = new long[3];
        int part = 0;
        int i = from;
        while (part < 3) {
            if (i < to - 1 && b[i] == '0' && (b[i + 1] == 'x' || b[i + 1] == 'X')) {
                i += 2;
            }
            int digits = 0;
            long v = 0;
            while (i < to && b[i] != ':') {
                int d = Character.digit(b[i], 16);
                if (d < 0 || digits == 16) {
                    return null;
                }
                v = (v << 4) | d;
                digits++;
                i++;
            }
            if (digits == 0) {
                return null;
            }
            parts[part++] = v;
            if (part < 3) {
                if (i >= to) {
                    return null;
                }
                i++; // ':'
            }
        }
        if (i != to || (parts[1] >>> 32) != 0 || (parts[2] >>> 32) != 0) {
            return null;
        }
        return new Fid(parts[0], (int) parts[1], (int) parts[2]);
    }

    public static Fid parse(String s) {
        byte[] b = s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return parse(b, 0, b.length);
    }

    /** As lfs prints it (the same text as {@link Fid#toString()}). */
    public static String format(Fid fid) {
        return fid.toString();
    }
}
