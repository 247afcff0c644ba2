package io.podheitor.hpc.backend.restore;

import io.podheitor.hpc.ptcomm.FrameWriter;
import io.podheitor.hpc.ptcomm.Status;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Where a restore writes its answers (docs/ptcomm.md §5): one {@link FrameWriter}, shared by the reader thread and
 * the workers of a pipelined restore, so every method is synchronized and writes whole frames.
 *
 * <ul>
 *   <li>Classic (lock-step) restore: a file's failure is {@code E text}, the reply to the call that failed.
 *   <li>Pipelined restore (§5.1): a file's failure is {@code C FAILED <seq> <text>}, {@code seq} being the file's
 *       number (the 0-based count of FILE records of the session), sent whenever it happens; nothing is sent for a
 *       success unless the shim waits for the answer (replace modes other than always). Every message is flushed
 *       at once: the shim reads whenever it can and holds the failures until the end of the job.
 * </ul>
 */
final class RestoreOutput {
    /** The command of an asynchronous failure: {@code FAILED <seq> <text>}. */
    static final String FAILED = "FAILED";

    private final FrameWriter out;
    private final boolean pipelined;
    private IOException broken;

    RestoreOutput(FrameWriter out, boolean pipelined) {
        this.out = out;
        this.pipelined = pipelined;
    }

    boolean pipelined() {
        return pipelined;
    }

    /** A reply to the shim's call ({@code C OK}, {@code C DONE}, {@code C SKIP}). */
    synchronized void reply(String text) throws IOException {
        check();
        out.command(text);
        flush();
    }

    /** File number {@code seq} failed: {@code E text} (classic) or {@code C FAILED seq text} (pipelined). */
    synchronized void failed(long seq, String text) throws IOException {
        check();
        if (pipelined) {
            byte[] t = text.getBytes(StandardCharsets.UTF_8);
            byte[] head = (FAILED + " " + seq + " ").getBytes(StandardCharsets.US_ASCII);
            int n = Math.min(t.length, io.podheitor.hpc.ptcomm.Frame.MAX_PAYLOAD - head.length);
            byte[] p = new byte[head.length + n];
            System.arraycopy(head, 0, p, 0, head.length);
            System.arraycopy(t, 0, p, head.length, n);
            out.command(p);
        } else {
            out.message(Status.ERROR, text);
        }
        flush();
    }

    /** A message not tied to one file: {@code E}, {@code W} or {@code I}. */
    synchronized void message(char status, String text) throws IOException {
        check();
        out.message(status, text);
        flush();
    }

    synchronized void warning(String text) throws IOException {
        message(Status.WARNING, text);
    }

    /** The end of a block ({@code F}). */
    synchronized void end() throws IOException {
        check();
        out.end();
        flush();
    }

    private void flush() throws IOException {
        try {
            out.flush();
        } catch (IOException e) {
            broken = e;
            throw e;
        }
    }

    private void check() throws IOException {
        if (broken != null) {
            throw broken;
        }
    }
}
