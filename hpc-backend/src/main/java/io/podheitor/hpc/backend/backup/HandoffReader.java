package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.backend.job.PluginParams.HandoffKeys;
import io.podheitor.hpc.posix.PosixException;
import java.io.IOException;

/**
 * Large regular files whose bytes do not pass through the backend (docs/ptcomm.md §4.1c): the file is opened here as
 * every file is (below the root's descriptor, no symlink followed, {@link FileToRead}), its descriptor goes to the
 * shim over the {@link HandoffChannel}, and the section is one H packet; the shim read(2)s the file into
 * bacula-fd's buffer, drops what it read from the page cache and reports a file changed while it read it, as
 * {@link SequentialReader} does. Taken: a file of at least {@code handoff_min} bytes (when listed and at open), not
 * sparse, without a Lustre layout header, and only when the session has a channel (a Slurm worker never has one)
 * and {@code handoff=auto}. A send that fails falls back to D packets for that file and turns the handoff off for
 * the rest of the job (one warning at its end).
 */
final class HandoffReader implements DataReader {
    private final HandoffKeys keys;
    private final SequentialReader fallback = new SequentialReader();
    private HandoffChannel channel;
    private String failure;
    private long handed;
    private long handedBytes;

    /** @param channel the session's channel, or null (none offered): then no file is taken */
    HandoffReader(HandoffKeys keys, HandoffChannel channel) {
        this.keys = keys;
        this.channel = channel;
    }

    @Override
    public boolean takes(FileToRead file) throws CannotRead {
        if (channel == null || !keys.enabled() || !file.listed().isRegular() || file.listed().size() < keys.minBytes()
                || file.entry().data() != null) {
            return false;
        }
        int fd = file.descriptor();
        long size = file.atOpen().size();
        if (size < keys.minBytes() || SparseReader.hasHoles(fd, size)) {
            return false;
        }
        return file.layout().isEmpty();
    }

    @Override
    public int recordFlags(FileToRead file) {
        return 0;
    }

    @Override
    public long send(FileToRead file, DataSink sink) throws IOException {
        int fd = file.openedDescriptor();
        long size = file.atOpen().size();
        if (channel != null) {
            long number;
            try {
                number = channel.send(fd, sink::flush);
            } catch (PosixException e) {
                failure = "handing a file's descriptor to the shim failed (" + e.getMessage()
                        + "); the rest of the job's data went through the backend";
                channel.close();
                channel = null;
                return fallback.send(file, sink);
            }
            file.close(); // the shim has its own descriptor now
            sink.handoff(number);
            handed++;
            handedBytes += size;
            return size;
        }
        return fallback.send(file, sink);
    }

    /** The job-end warning after a failed send, or null. */
    @Override
    public String closingWarning() {
        return failure;
    }

    /** The job-end line: files handed off and their bytes at open, or null when none was. */
    @Override
    public String closingInfo() {
        return handed == 0 ? null : "handoff: " + handed + " files (" + handedBytes
                + " bytes) read by the shim from descriptors the backend opened";
    }

    /** Files handed off so far. */
    long handedOff() {
        return handed;
    }
}
