package io.podheitor.hpc.backend;

import io.podheitor.hpc.backend.relay.RelayClient;
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
 * With {@code --worker} it is the scan of a {@code scheduler=slurm} job, in its Slurm job, and speaks over the relay
 * instead (docs/slurm.md §4).
 * Exits 0 after T or end of input, 1 after a protocol or I/O error or a lost Slurm worker. SIGTERM exits at once, except that once a job-end
 * action is registered a shutdown hook gives it the failed outcome first, for at most 2 s ({@code JobEnd}).
 */
public final class BackendMain {
    public static final String OUTPUT_PROPERTY = "podheitor.ptcomm.out";

    /** How long a worker waits, after its session, for the submitter to end its side of the relay. */
    static final long WORKER_END_MS = 10_000;

    private BackendMain() {
    }

    public static void main(String[] args) {
        PrintStream err = System.err;
        int status;
        try {
            BackendSession session;
            RelayClient.Connected relay = null;
            if (args.length == 1 && args[0].equals("--worker")) {
                System.setOut(err);
                relay = worker(err);
                session = BackendSession.worker(new BufferedInputStream(relay.in(), 256 * 1024), relay.out());
            } else if (args.length == 0) {
                OutputStream protocol = openProtocolOutput();
                System.setOut(err);
                session = new BackendSession(
                        new BufferedInputStream(new FileInputStream(FileDescriptor.in), 256 * 1024), protocol);
            } else {
                err.println("podheitor-hpc backend: usage: podheitor-hpc-backend [--worker]");
                err.flush();
                System.exit(2);
                return;
            }
            status = session.run();
            if (relay != null) {
                try {
                    relay.end(WORKER_END_MS);
                } catch (IOException e) {
                    // the session is over (T, or the submitter's end); the submitter sees the channel's end either way
                }
            }
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

    /**
     * {@code --worker}: the scan of a {@code scheduler=slurm} job inside its Slurm job (docs/slurm.md §4). The
     * session's frames go over the relay the submitter's environment variables name; stdout and stderr are the job's
     * output file.
     */
    private static RelayClient.Connected worker(PrintStream err) throws IOException {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            host = System.getenv().getOrDefault("SLURMD_NODENAME", "unknown");
        }
        RelayClient.Connected c = RelayClient.connect(System.getenv(), host);
        err.println("podheitor-hpc worker: connected to the submitter (" + c.description() + ")");
        err.flush();
        return c;
    }

    private static OutputStream openProtocolOutput() throws FileNotFoundException {
        String path = System.getProperty(OUTPUT_PROPERTY);
        if (path == null || path.isEmpty()) {
            return new FileOutputStream(FileDescriptor.out);
        }
        return new FileOutputStream(path);
    }
}
