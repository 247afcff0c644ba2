package io.podheitor.hpc.backend.backup;

import java.util.List;

/** The ordered readers of a job: the first that takes a file sends its data (the last takes every file). */
record DataReaders(List<DataReader> inOrder) {
    DataReaders {
        inOrder = List.copyOf(inOrder);
        if (inOrder.isEmpty()) {
            throw new IllegalArgumentException("no data reader");
        }
    }

    /** Prefetched data, then sparse files, then sequential reads in 64 KiB packets. */
    static DataReaders standard() {
        return new DataReaders(List.of(new PrefetchedReader(), new SparseReader(), new SequentialReader()));
    }

    /** The reader for {@code file}. */
    DataReader choose(FileToRead file) throws CannotRead {
        for (DataReader r : inOrder) {
            if (r.takes(file)) {
                return r;
            }
        }
        throw new IllegalStateException("no data reader takes " + file);
    }
}
