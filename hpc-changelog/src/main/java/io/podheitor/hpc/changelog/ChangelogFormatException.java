package io.podheitor.hpc.changelog;

import java.io.IOException;

/** Output of a Lustre tool that does not have the expected format; the message names the line. */
public final class ChangelogFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long line;

    public ChangelogFormatException(long line, String message) {
        super("line " + line + ": " + message);
        this.line = line;
    }

    /** The 1-based line number of the offending line. */
    public long line() {
        return line;
    }
}
