package io.podheitor.hpc.stripe;

import java.io.IOException;

/** A file read by position (pread(2)): safe to call from several threads at once. */
@FunctionalInterface
public interface PositionalInput {
    /** Reads up to {@code len} bytes at {@code position} into {@code buf[off, ...)}; 0 at the end of the file. */
    int read(byte[] buf, int off, int len, long position) throws IOException;
}
