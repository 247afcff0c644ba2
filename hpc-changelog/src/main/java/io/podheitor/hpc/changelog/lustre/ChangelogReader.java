package io.podheitor.hpc.changelog.lustre;

import io.podheitor.hpc.changelog.ByteLines;
import io.podheitor.hpc.changelog.ChangelogFormatException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Streams the records of {@code lfs changelog} output, one at a time: only the current record's line is held,
 * never the whole output. A physical line that does not start like a record ({@code digits, blank, two digits, a
 * capital}) continues the previous record's line: a name may contain a newline, which lfs prints as it is.
 * Malformed input is a {@link ChangelogFormatException} naming the line.
 */
public final class ChangelogReader implements Closeable {
    /** Longest record line accepted: names are at most 255 bytes, so a real record is far shorter. */
    public static final int MAX_LINE = 64 * 1024;

    private final InputStream in;
    private final ByteLines lines;
    private byte[] pending;
    private int pendingLength;
    private long pendingLine;
    private boolean started;
    private boolean done;

    public ChangelogReader(InputStream in) {
        this.in = in;
        this.lines = new ByteLines(in, MAX_LINE);
    }

    /** The next record, or null at the end. */
    public ChangelogRecord next() throws IOException {
        if (done) {
            return null;
        }
        if (!started) {
            started = true;
            if (!readPhysical()) {
                done = true;
                return null;
            }
        }
        // pending holds the first physical line of the next record
        byte[] logical = Arrays.copyOf(pending, pendingLength);
        int length = pendingLength;
        long lineNo = pendingLine;
        if (!ChangelogLine.startsRecord(logical, length)) {
            throw new ChangelogFormatException(lineNo, "not a changelog record");
        }
        while (true) {
            if (!readPhysical()) {
                done = true;
                break;
            }
            if (ChangelogLine.startsRecord(pending, pendingLength)) {
                break;
            }
            if (length + 1 + pendingLength > MAX_LINE) {
                throw new ChangelogFormatException(pendingLine, "record longer than " + MAX_LINE + " bytes");
            }
            logical = Arrays.copyOf(logical, length + 1 + pendingLength);
            logical[length] = '\n';
            System.arraycopy(pending, 0, logical, length + 1, pendingLength);
            length += 1 + pendingLength;
        }
        return ChangelogLine.parse(logical, length, lineNo);
    }

    private boolean readPhysical() throws IOException {
        if (!lines.next()) {
            return false;
        }
        pending = lines.buffer();
        pendingLength = lines.length();
        pendingLine = lines.number();
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
