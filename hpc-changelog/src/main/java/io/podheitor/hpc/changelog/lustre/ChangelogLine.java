package io.podheitor.hpc.changelog.lustre;

import io.podheitor.hpc.changelog.ChangelogFormatException;
import io.podheitor.hpc.lustre.Fid;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Parses one record line of {@code lfs changelog} (lfs.c {@code lfs_changelog()}; docs/changelog.md §1):
 *
 * <pre>
 * INDEX NNTYPE HH:MM:SS.NANOS YYYY.MM.DD 0xFLAGS t=[FID] [key=value ...] [p=[FID]] [NAME] [s=[FID] sp=[FID] OLDNAME]
 * </pre>
 *
 * The type name is left-aligned in five columns, so short names are followed by more than one blank. Everything
 * after {@code p=[FID] } is the name, blanks and any other bytes included; for a rename (RENME, MIGRT) the name
 * ends at the first {@code " s=[FID] sp=[FID] "}, and the old name is the rest. A {@code key=value} field before
 * {@code p=} is kept as an extra (any key, so fields a newer lfs adds are tolerated).
 */
public final class ChangelogLine {
    private static final byte[] SOURCE = " s=[".getBytes(StandardCharsets.US_ASCII);

    private ChangelogLine() {
    }

    /** Whether the bytes start like a record ({@code digits blank two-digits LETTER}): a new record, not a name's continuation. */
    static boolean startsRecord(byte[] b, int len) {
        int i = 0;
        while (i < len && isDigit(b[i])) {
            i++;
        }
        return i > 0 && i + 3 < len && b[i] == ' ' && isDigit(b[i + 1]) && isDigit(b[i + 2])
                && b[i + 3] >= 'A' && b[i + 3] <= 'Z';
    }

    /** Parses {@code b[0, len)}; {@code line} is the line number for errors. */
    public static ChangelogRecord parse(byte[] b, int len, long line) throws ChangelogFormatException {
        Cursor c = new Cursor(b, len, line);
        long index = c.unsigned("record number");
        c.blanks();
        int typeNumber = (int) c.digits(2, "record type number");
        int typeStart = c.pos;
        while (c.pos < len && b[c.pos] >= 'A' && b[c.pos] <= 'Z') {
            c.pos++;
        }
        if (c.pos == typeStart) {
            throw c.error("record type name expected");
        }
        RecordType type = RecordType.of(typeNumber);
        if (type != RecordType.UNKNOWN
                && !type.name().equals(new String(b, typeStart, c.pos - typeStart, StandardCharsets.US_ASCII))) {
            throw c.error("record type " + typeNumber + " is " + type + ", not "
                    + new String(b, typeStart, c.pos - typeStart, StandardCharsets.US_ASCII));
        }
        c.blanks();
        int hh = (int) c.digits(2, "hour");
        c.expect(':');
        int mm = (int) c.digits(2, "minute");
        c.expect(':');
        int ss = (int) c.digits(2, "second");
        c.expect('.');
        int fracStart = c.pos;
        long frac = c.unsigned("fraction of a second");
        int fracDigits = c.pos - fracStart;
        if (fracDigits > 9) {
            throw c.error("more than 9 digits of a second");
        }
        for (int i = fracDigits; i < 9; i++) {
            frac *= 10;
        }
        c.blanks();
        int year = (int) c.digits(4, "year");
        c.expect('.');
        int month = (int) c.digits(2, "month");
        c.expect('.');
        int day = (int) c.digits(2, "day");
        Instant time;
        try {
            time = LocalDateTime.of(year, month, day, hh, mm, ss, (int) frac).toInstant(ZoneOffset.UTC);
        } catch (DateTimeException e) {
            throw c.error("not a time: " + e.getMessage());
        }
        c.blanks();
        c.expect('0');
        c.expect('x');
        int flagsStart = c.pos;
        while (c.pos < len && Character.digit(b[c.pos], 16) >= 0) {
            c.pos++;
        }
        if (c.pos == flagsStart || c.pos - flagsStart > 8) {
            throw c.error("flags expected as 0x followed by up to 8 hex digits");
        }
        int flags = (int) Long.parseLong(new String(b, flagsStart, c.pos - flagsStart, StandardCharsets.US_ASCII), 16);
        c.blanks();
        Fid target = c.fidField("t=");

        List<ChangelogRecord.Extra> extras = new ArrayList<>(4);
        Fid parent = null;
        byte[] name = null;
        Fid sourceFid = null;
        Fid sourceParent = null;
        byte[] sourceName = null;
        while (c.pos < len) {
            c.expect(' ');
            if (c.startsWith("p=[")) {
                parent = c.fidField("p=");
                if (c.pos < len) {
                    c.expect(' ');
                    int nameStart = c.pos;
                    int nameEnd = len;
                    if (type == RecordType.RENME || type == RecordType.MIGRT) {
                        int s = findSource(b, nameStart, len);
                        if (s >= 0) {
                            nameEnd = s;
                            c.pos = s + 1;
                            sourceFid = c.fidField("s=");
                            c.expect(' ');
                            sourceParent = c.fidField("sp=");
                            if (c.pos < len) {
                                c.expect(' ');
                                sourceName = Arrays.copyOfRange(b, c.pos, len);
                            } else {
                                sourceName = new byte[0];
                            }
                        }
                    }
                    name = Arrays.copyOfRange(b, nameStart, nameEnd);
                    if (name.length == 0) {
                        throw c.error("empty name after p=");
                    }
                }
                break;
            }
            int key = c.keyLength();
            if (key > 0 && !c.startsWith("s=[")) {
                String k = new String(b, c.pos, key, StandardCharsets.US_ASCII);
                c.pos += key + 1;
                int v = c.pos;
                while (c.pos < len && b[c.pos] != ' ') {
                    c.pos++;
                }
                extras.add(new ChangelogRecord.Extra(k, Arrays.copyOfRange(b, v, c.pos)));
                continue;
            }
            // a name without a parent (a zero p= is not printed)
            name = Arrays.copyOfRange(b, c.pos, len);
            if (name.length == 0) {
                throw c.error("empty field");
            }
            break;
        }
        return new ChangelogRecord(index, typeNumber, type, time, flags, target, parent, name, sourceFid,
                sourceParent, sourceName, extras);
    }

    /** The first {@code " s=[FID] sp=[FID]"} followed by a blank or the end, at or after {@code from}; -1 if none. */
    private static int findSource(byte[] b, int from, int len) {
        for (int i = from; i + SOURCE.length <= len; i++) {
            if (!regionMatches(b, i, SOURCE)) {
                continue;
            }
            int close = indexOf(b, i + 4, len, (byte) ']');
            if (close < 0 || Fids.parse(b, i + 3, close + 1) == null) {
                continue;
            }
            int sp = close + 1;
            if (sp + 5 > len || !regionMatches(b, sp, " sp=[".getBytes(StandardCharsets.US_ASCII))) {
                continue;
            }
            int close2 = indexOf(b, sp + 5, len, (byte) ']');
            if (close2 < 0 || Fids.parse(b, sp + 4, close2 + 1) == null) {
                continue;
            }
            if (close2 + 1 == len || b[close2 + 1] == ' ') {
                return i;
            }
        }
        return -1;
    }

    private static boolean regionMatches(byte[] b, int at, byte[] what) {
        if (at + what.length > b.length) {
            return false;
        }
        for (int j = 0; j < what.length; j++) {
            if (b[at + j] != what[j]) {
                return false;
            }
        }
        return true;
    }

    private static int indexOf(byte[] b, int from, int len, byte x) {
        for (int i = from; i < len; i++) {
            if (b[i] == x) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isDigit(byte x) {
        return x >= '0' && x <= '9';
    }

    private static final class Cursor {
        final byte[] b;
        final int len;
        final long line;
        int pos;

        Cursor(byte[] b, int len, long line) {
            this.b = b;
            this.len = len;
            this.line = line;
        }

        ChangelogFormatException error(String what) {
            return new ChangelogFormatException(line, what + " at byte " + pos);
        }

        long unsigned(String what) throws ChangelogFormatException {
            int start = pos;
            long v = 0;
            while (pos < len && isDigit(b[pos])) {
                int d = b[pos] - '0';
                if (v > (Long.MAX_VALUE - d) / 10) {
                    throw error(what + " too large");
                }
                v = v * 10 + d;
                pos++;
            }
            if (pos == start) {
                throw error(what + " expected");
            }
            return v;
        }

        long digits(int n, String what) throws ChangelogFormatException {
            long v = 0;
            for (int i = 0; i < n; i++) {
                if (pos >= len || !isDigit(b[pos])) {
                    throw error(what + " expected (" + n + " digits)");
                }
                v = v * 10 + (b[pos++] - '0');
            }
            return v;
        }

        void blanks() throws ChangelogFormatException {
            if (pos >= len || b[pos] != ' ') {
                throw error("blank expected");
            }
            while (pos < len && b[pos] == ' ') {
                pos++;
            }
        }

        void expect(char ch) throws ChangelogFormatException {
            if (pos >= len || b[pos] != ch) {
                throw error("'" + ch + "' expected");
            }
            pos++;
        }

        boolean startsWith(String s) {
            if (pos + s.length() > len) {
                return false;
            }
            for (int i = 0; i < s.length(); i++) {
                if (b[pos + i] != s.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        /** The length of a {@code [a-z]+} key followed by '=' at pos, else 0. */
        int keyLength() {
            int i = pos;
            while (i < len && b[i] >= 'a' && b[i] <= 'z') {
                i++;
            }
            return i > pos && i < len && b[i] == '=' ? i - pos : 0;
        }

        Fid fidField(String key) throws ChangelogFormatException {
            if (!startsWith(key + "[")) {
                throw error(key + "[FID] expected");
            }
            pos += key.length();
            int close = indexOf(b, pos, len, (byte) ']');
            Fid fid = close < 0 ? null : Fids.parse(b, pos, close + 1);
            if (fid == null) {
                throw error("malformed FID after " + key);
            }
            pos = close + 1;
            return fid;
        }
    }
}
