package io.podheitor.hpc.ptcomm;

/** The packet status letters of docs/ptcomm.md §1. */
public final class Status {
    /** Command or record (text line, or a FILE record). */
    public static final char COMMAND = 'C';
    /** Data bytes (never empty). */
    public static final char DATA = 'D';
    /** End of data / acknowledgement / no more files (header only). */
    public static final char END = 'F';
    /** Terminate (shim to backend, header only). */
    public static final char TERMINATE = 'T';
    /** Info message (backend to shim). */
    public static final char INFO = 'I';
    /** Warning message (backend to shim). */
    public static final char WARNING = 'W';
    /** Error message; inside a data section it also ends the data with a read error. */
    public static final char ERROR = 'E';
    /** Abort: the job fails. */
    public static final char ABORT = 'A';
    /**
     * Handoff (backend to shim, a whole data section): the file's open descriptor went to the shim over the handoff
     * socket, in a message whose bytes equal this packet's payload, exactly {@link #HANDOFF_LENGTH} bytes
     * (docs/ptcomm.md §4.1c).
     */
    public static final char HANDOFF = 'H';
    /** The payload length of an {@link #HANDOFF} packet: the big-endian handoff number. */
    public static final int HANDOFF_LENGTH = 8;

    private Status() {
    }

    public static boolean isKnown(int letter) {
        return switch (letter) {
            case COMMAND, DATA, END, TERMINATE, INFO, WARNING, ERROR, ABORT, HANDOFF -> true;
            default -> false;
        };
    }

    /** F and T never carry a payload. */
    public static boolean isHeaderOnly(int letter) {
        return letter == END || letter == TERMINATE;
    }
}
