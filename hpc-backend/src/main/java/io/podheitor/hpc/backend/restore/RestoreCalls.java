package io.podheitor.hpc.backend.restore;

import io.podheitor.hpc.ptcomm.FileRecord;
import java.io.IOException;

/**
 * The restore conversation as the session hands it over, frame by frame (docs/ptcomm.md §5): the lock-step
 * {@link Restorer}, or the {@link ParallelRestorer} of a pipelined restore (§5.1).
 */
public sealed interface RestoreCalls permits Restorer, ParallelRestorer {
    /** A FILE record. */
    void create(FileRecord r) throws IOException;

    /** A FILE record that could not be decoded: it still counts as a file (its number), and fails. */
    void undecodable(String why) throws IOException;

    void write(byte[] data) throws IOException;

    void seek(long offset) throws IOException;

    void close() throws IOException;

    void metadata(byte[] blob) throws IOException;

    /** An error not tied to a file (an unknown command, a bad SEEK): {@code E}. */
    void error(String text) throws IOException;

    /** FINISH: directory attributes, then {@code F}. */
    void finish() throws IOException;

    void release();

    /** How files saved with a Lustre layout are created (key restripe); before the first file. */
    void layouts(LayoutRestore layouts);
}
