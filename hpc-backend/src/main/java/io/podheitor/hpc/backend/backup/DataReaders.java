package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.backend.job.PluginParams;
import java.util.List;

/**
 * The ordered readers of a job: the first that takes a file sends its data (the last takes every file). Closing
 * stops the threads of the readers that have some.
 */
record DataReaders(List<DataReader> inOrder) implements AutoCloseable {
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

    /**
     * The readers of a job: prefetched data, large files in parallel (docs/stripe.md), sparse, large files handed off
     * to the shim when the session has a {@code handoff} channel (docs/ptcomm.md §4.1c; null: none), sequential.
     */
    static DataReaders forJob(PluginParams params, HandoffChannel handoff) {
        return new DataReaders(List.of(new PrefetchedReader(), new StripedReader(params.stripe(), params.mode()),
                new SparseReader(), new HandoffReader(params.handoff(), handoff), new SequentialReader()));
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

    /** Registers every reader's closing line and warning with the job's report, in the readers' order. */
    void reportTo(JobReport report) {
        for (DataReader r : inOrder) {
            report.closingInfo(r::closingInfo);
        }
        for (DataReader r : inOrder) {
            report.closingWarning(r::closingWarning);
        }
    }

    @Override
    public void close() {
        for (DataReader r : inOrder) {
            if (r instanceof AutoCloseable c) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        }
    }
}
