package io.podheitor.hpc.backend.backup;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A {@link DataSink} for the reader tests: the D packets as they came, and the other calls as text. */
final class RecordingSink implements DataSink {
    final List<byte[]> packets = new ArrayList<>();
    final List<String> events = new ArrayList<>();
    boolean stopped;
    int flushes;
    Runnable onFlush = () -> { };

    @Override
    public void data(byte[] buf, int off, int len) {
        packets.add(Arrays.copyOfRange(buf, off, off + len));
    }

    @Override
    public void end() {
        events.add("end");
    }

    @Override
    public void readError(String text) {
        events.add("E " + text);
    }

    @Override
    public void changedWhileRead(String text) {
        events.add("W " + text);
    }

    @Override
    public boolean stopped() {
        return stopped;
    }

    @Override
    public void handoff(long number) {
        events.add("H " + number);
    }

    @Override
    public void flush() {
        flushes++;
        onFlush.run();
    }

    /** The packets' bytes one after the other (a dense section). */
    byte[] bytes() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        packets.forEach(b::writeBytes);
        return b.toByteArray();
    }

    /** A sparse section's bytes placed at their offsets, less {@code shift}, in a file of {@code size}. */
    byte[] sparse(int size, long shift) {
        byte[] f = new byte[size];
        for (byte[] p : packets) {
            long off = 0;
            for (int i = 0; i < 8; i++) {
                off = (off << 8) | (p[i] & 0xff);
            }
            System.arraycopy(p, 8, f, (int) (off - shift), p.length - 8);
        }
        return f;
    }
}
