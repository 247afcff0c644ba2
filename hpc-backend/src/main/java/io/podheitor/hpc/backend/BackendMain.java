package io.podheitor.hpc.backend;

import io.podheitor.hpc.ptcomm.ProtocolException;
import java.io.BufferedInputStream;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileNotFoundException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;

/**
 * The backend process. Frames from the shim arrive on stdin; frames to the shim go to the stream named by the
 * system property {@code podheitor.ptcomm.out} (the launcher passes /dev/fd/3), or to the original stdout.
 * System.out is redirected to stderr first, so a stray print can never corrupt the protocol; stderr carries
 * only real errors, because the shim turns each stderr line into a job error.
 * Exits 0 after T or end of input, 1 after a protocol or I/O error. SIGTERM exits at once, except that once a job-end
 * action is registered a shutdown hook gives it the failed outcome first, for at most 2 s ({@code JobEnd}).
 */
public final class BackendMain {
    public static final String OUTPUT_PROPERTY = "podheitor.ptcomm.out";

    private BackendMain() {
    }

    public static void main(String[] args) {
        PrintStream err = System.err;
        int status;
        try {
            OutputStream protocol = openProtocolOutput();
            System.setOut(err);
            BackendSession session = new BackendSession(
                    new BufferedInputStream(new FileInputStream(FileDescriptor.in), 256 * 1024), protocol);
            status = session.run();
        } catch (ProtocolException e) {
            err.println("podheitor-hpc backend: protocol error: " + e.getMessage());
            status = 1;
        } catch (IOException e) {
            err.println("podheitor-hpc backend: " + e.getMessage());
            status = 1;
        } catch (RuntimeException | Error e) {
            err.println("podheitor-hpc backend: internal error: " + e);
            status = 1;
        }
        err.flush();
        System.exit(status);
    }

    private static OutputStream openProtocolOutput() throws FileNotFoundException {
        String path = System.getProperty(OUTPUT_PROPERTY);
        if (path == null || path.isEmpty()) {
            return new FileOutputStream(FileDescriptor.out);
        }
        return new FileOutputStream(path);
    }
}
