package io.podheitor.hpc.backend.job;

import java.nio.charset.StandardCharsets;

/**
 * How the Bacula job ended, as the backend learns it from the shim's {@code END} (docs/ptcomm.md §6). Only
 * {@link Ok} means the job's data is safe in Bacula as far as the File Daemon can tell: its job status is
 * {@code T} (terminated) or {@code W} (terminated with warnings) and the shim posted no error for this job. What the
 * Director does after the FD reported its status (e.g. the catalog update) is not known to the FD.
 */
public sealed interface JobOutcome {
    /** The FD's job status is T or W and the shim posted no error or fatal message. */
    record Ok() implements JobOutcome {
    }

    /**
     * Anything else the shim reported, or no END at all.
     *
     * @param status the FD's job status letter ({@code '?'}: the FD gave none, or no END arrived)
     * @param errors the error and fatal messages the shim posted in the job before END
     * @param reason in words, for messages
     */
    record Failed(char status, long errors, String reason) implements JobOutcome {
    }

    /** A bare {@code END} (a shim that does not report the outcome) or one that cannot be read: not OK. */
    record Unknown(String reason) implements JobOutcome {
    }

    JobOutcome OK = new Ok();

    /** Is this an END command ({@code END} or {@code END <status> <errors>})? */
    static boolean isEnd(String text) {
        return text.equals("END") || text.startsWith("END ");
    }

    /** The outcome an END command's text states. */
    static JobOutcome ofEnd(byte[] text) {
        String s = new String(text, StandardCharsets.ISO_8859_1);
        if (s.equals("END")) {
            return new Unknown("the shim sent END without the job's status");
        }
        String[] w = s.split(" ", -1);
        if (w.length != 3 || !w[0].equals("END") || w[1].length() != 1 || w[1].charAt(0) <= ' '
                || w[1].charAt(0) > '~' || !w[2].matches("[0-9]{1,18}")) {
            return new Unknown("unreadable END \"" + s + "\"");
        }
        char status = w[1].charAt(0);
        long errors = Long.parseLong(w[2]);
        if ((status == 'T' || status == 'W') && errors == 0) {
            return OK;
        }
        return new Failed(status, errors, "job status " + status + ", " + errors + " errors posted by the plugin");
    }

    /** The shim ended the session without END (end of input, T, SIGTERM): the job failed or was canceled. */
    static JobOutcome noEnd(String why) {
        return new Failed('?', 0, why);
    }
}
