package io.podheitor.hpc.backend.backup;

import java.io.IOException;

/**
 * Where a {@link DataReader} writes the data section of one regular file (docs/ptcomm.md §4.1): D packets, then
 * {@link #end()}, or {@link #readError} instead of it. Nothing else: the FILE record and the metadata blob around
 * the section belong to the {@link EntryWriter}.
 */
interface DataSink {
    /** One D packet of 1..999999 bytes. */
    void data(byte[] buf, int off, int len) throws IOException;

    /** The section is complete (F). */
    void end() throws IOException;

    /** The section ends with a read error (E text); the data sent so far stays. */
    void readError(String text) throws IOException;

    /** The file changed while it was read (a W message; counted once per file in the job report). */
    void changedWhileRead(String text) throws IOException;

    /** True when the shim went away: a reader ends its section at the next packet boundary. */
    boolean stopped();

    /**
     * The whole section is handoff {@code number} (docs/ptcomm.md §4.1c): the H packet, whose descriptor went to the
     * shim over the handoff socket just before. Only the job's frame sink can; a layout prefix never is handed off.
     */
    default void handoff(long number) throws IOException {
        throw new UnsupportedOperationException("this data sink cannot hand a section off");
    }

    /** Writes what is buffered on to the shim (before a call that may wait for the shim to read). */
    default void flush() throws IOException {
    }
}
