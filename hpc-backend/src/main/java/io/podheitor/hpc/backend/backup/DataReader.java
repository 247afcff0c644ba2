package io.podheitor.hpc.backend.backup;

import java.io.IOException;

/**
 * One way to produce the data section of a regular file. The {@link EntryWriter} asks its readers in order
 * ({@link DataReaders}); the first that {@link #takes} a file sends its data. Today: data the source already read
 * ({@link PrefetchedReader}), sparse files ({@link SparseReader}), everything else ({@link SequentialReader}); a
 * stripe-parallel reader slots in before the sparse one.
 */
interface DataReader {
    /** Does this reader send the data of {@code file}? May open the file ({@link FileToRead#descriptor()}). */
    boolean takes(FileToRead file) throws CannotRead;

    /** The FILE record flags its section needs besides FLAG_DATA (e.g. FLAG_SPARSE); 0 for a plain section. */
    int recordFlags();

    /**
     * Sends the data section into {@code sink}: D packets then end(), or readError().
     *
     * @return the data bytes sent (holes excluded)
     */
    long send(FileToRead file, DataSink sink) throws IOException;
}
