package io.podheitor.hpc.ptcomm;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes PTCOMM frames through a buffer. Nothing reaches the peer before {@link #flush()} (or a full buffer):
 * callers flush whenever they are about to wait for the peer or for input.
 * Not thread-safe; one writer (one emitter thread) per stream.
 */
public final class FrameWriter implements Closeable {
    /**
     * Several 64 KiB data packets with their headers: one write(2) carries about 7 of them into the 1 MiB pipe the
     * shim sets up (shim-c/backend.c), instead of one write per packet (STRESS_RESULTS.md, "Large files: the bytes
     * path").
     */
    private static final int BUFFER = 512 * 1024;

    private final OutputStream out;
    private final byte[] header = new byte[Frame.HEADER_LENGTH];

    public FrameWriter(OutputStream out) {
        this.out = new BufferedOutputStream(out, BUFFER);
    }

    public void write(Frame frame) throws IOException {
        write(frame.status(), frame.payload(), 0, frame.payload().length);
    }

    /** Writes one frame whose payload is {@code buf[off, off+len)}. */
    public void write(char status, byte[] buf, int off, int len) throws IOException {
        if (!Status.isKnown(status)) {
            throw new IllegalArgumentException("unknown PTCOMM status letter '" + status + "'");
        }
        if (len < 0 || len > Frame.MAX_PAYLOAD) {
            throw new IllegalArgumentException("PTCOMM payload of " + len + " bytes (maximum " + Frame.MAX_PAYLOAD + ")");
        }
        if (Status.isHeaderOnly(status) && len != 0) {
            throw new IllegalArgumentException("'" + status + "' packets never carry a payload");
        }
        if (status == Status.DATA && len == 0) {
            throw new IllegalArgumentException("a 'D' packet is never empty");
        }
        if (status == Status.HANDOFF && len != Status.HANDOFF_LENGTH) {
            throw new IllegalArgumentException("an 'H' packet carries exactly " + Status.HANDOFF_LENGTH + " bytes");
        }
        header[0] = (byte) status;
        int v = len;
        for (int i = 6; i >= 1; i--) {
            header[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        header[7] = '\n';
        out.write(header);
        out.write(buf, off, len);
    }

    public void command(String text) throws IOException {
        command(text.getBytes(StandardCharsets.UTF_8));
    }

    public void command(byte[] payload) throws IOException {
        write(Status.COMMAND, payload, 0, payload.length);
    }

    public void data(byte[] buf, int off, int len) throws IOException {
        write(Status.DATA, buf, off, len);
    }

    /** An H packet (docs/ptcomm.md §4.1c): the handoff number, big-endian, as in the socket message. */
    public void handoff(long number) throws IOException {
        byte[] b = new byte[Status.HANDOFF_LENGTH];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (number >>> (56 - 8 * i));
        }
        write(Status.HANDOFF, b, 0, b.length);
    }

    public void end() throws IOException {
        write(Status.END, header, 0, 0);
    }

    public void terminate() throws IOException {
        write(Status.TERMINATE, header, 0, 0);
    }

    /** A message packet (I, W, E or A); text longer than a packet is cut. */
    public void message(char status, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        write(status, b, 0, Math.min(b.length, Frame.MAX_PAYLOAD));
    }

    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
