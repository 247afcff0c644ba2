package io.podheitor.hpc.stripe;

import java.io.IOException;

/** One unit of a file as {@link StripeReaders} delivers it, in file order. */
public sealed interface Piece {
    /** The file offset of the piece's first byte. */
    long offset();

    /**
     * Bytes read: {@code buf[off, off + length)} hold the file's bytes from {@link #offset()}. {@code buf} is lent
     * for the duration of the consumer's call. {@code shortRead}: fewer bytes than asked (the file ended early).
     */
    record Data(long offset, byte[] buf, int off, int length, boolean shortRead) implements Piece {
    }

    /** A unit entirely inside a hole of a sparse file: nothing was read. */
    record Hole(long offset, long length) implements Piece {
    }

    /** The read at {@code offset} failed; no piece follows. */
    record Failed(long offset, IOException error) implements Piece {
    }
}
