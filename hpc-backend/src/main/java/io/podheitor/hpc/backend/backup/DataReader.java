package io.podheitor.hpc.backend.backup;

import java.io.IOException;

/**
 * One way to produce the data section of a regular file. The {@link EntryWriter} asks its readers in order
 * ({@link DataReaders}); the first that {@link #takes} a file sends its data. Today: data the source already read
 * ({@link PrefetchedReader}), large files read by several threads ({@link StripedReader}), sparse files
 * ({@link SparseReader}), everything else ({@link SequentialReader}).
 */
interface DataReader {
    /** Does this reader send the data of {@code file}? May open the file ({@link FileToRead#descriptor()}). */
    boolean takes(FileToRead file) throws CannotRead;

    /** The FILE record flags the section of {@code file} (taken) needs besides FLAG_DATA (e.g. FLAG_SPARSE). */
    int recordFlags(FileToRead file);

    /**
     * Sends the data section into {@code sink}: D packets then end(), or readError().
     *
     * @return the data bytes sent (holes excluded)
     */
    long send(FileToRead file, DataSink sink) throws IOException;

    /** A line for the job's closing messages (what this reader did), asked for at the end; null: nothing. */
    default String closingInfo() {
        return null;
    }

    /** A warning for the job's closing messages, asked for at the end; null: nothing. */
    default String closingWarning() {
        return null;
    }
}
