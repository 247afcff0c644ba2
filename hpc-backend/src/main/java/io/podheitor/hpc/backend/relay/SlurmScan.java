package io.podheitor.hpc.backend.relay;

import io.podheitor.hpc.backend.job.SchedulerKeys;
import io.podheitor.hpc.ptcomm.Frame;
import io.podheitor.hpc.ptcomm.FrameReader;
import io.podheitor.hpc.ptcomm.FrameWriter;
import io.podheitor.hpc.ptcomm.ProtocolException;
import io.podheitor.hpc.ptcomm.Status;
import io.podheitor.hpc.slurm.JobCommand;
import io.podheitor.hpc.slurm.JobId;
import io.podheitor.hpc.slurm.JobOutcome;
import io.podheitor.hpc.slurm.JobState;
import io.podheitor.hpc.slurm.SbatchRequest;
import io.podheitor.hpc.slurm.SlurmSubmitter;
import io.podheitor.hpc.slurm.SlurmTools;
import io.podheitor.hpc.slurm.WaitPolicy;
import java.io.BufferedInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A backup or estimate whose scan runs in a Slurm job (plugin key {@code scheduler=slurm}, docs/slurm.md §4).
 * This process, the backend the shim started, becomes the submitter: it opens the relay endpoint, submits the
 * worker (the same backend launcher with {@code --worker}; the token only in the job's environment), follows the
 * job until the worker connects, replays the session's start (Hello, Job, Params) to it, sends the start command,
 * and from then on relays: the worker's bytes to the shim as they come, the shim's frames (CHECK answers, END, T)
 * to the worker. Everything before the relay fails cleanly with an {@code A} frame that names the Slurm job and
 * its state; a worker lost during the relay (cancelled, timed out, node failure) fails the job through stderr and
 * exit status 1, the backend-crash path of the shim. A SIGTERM (Bacula cancel) scancels the job.
 */
public final class SlurmScan {
    /** A worker that runs but has not connected by then is cancelled. */
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(120);
    static final Duration POLL = Duration.ofSeconds(2);
    static final Duration KEEPALIVE = Duration.ofSeconds(60);
    static final Duration WATCH = Duration.ofSeconds(10);
    static final int RELAY_BUFFER = 1 << 20;

    /** What the scan needs of the session it runs in. */
    public interface Shim {
        /** Writes one frame ({@code I}, {@code W}, {@code E} or {@code A}) and flushes. */
        void message(char status, String text) throws IOException;

        /** Writes one frame as it came from the worker, and flushes. */
        void forward(Frame f) throws IOException;

        /** The shim's next frame; null when its input ended. */
        Frame next() throws IOException;

        /** Has the shim closed its side or sent anything? */
        boolean interrupted();

        /** From now on the shim's answers to CHECKs come through {@link #next()} too. */
        void passAnswers();

        /** The protocol output itself, after everything written so far was flushed. */
        OutputStream rawOutput() throws IOException;
    }

    /**
     * @param keys       the scheduler keys
     * @param jobLines   the Job block's lines, as the shim sent them
     * @param paramLines the Params block's lines
     * @param start      {@code BackupStart} or {@code EstimateStart}
     * @param jobName    the Bacula job's name (Job line Name)
     * @param launcher   this backend's launcher (the worker command's default), or null when unknown
     * @param socketDir  where the AF_UNIX endpoint's directory is made (spill_dir)
     */
    public record Request(SchedulerKeys keys, List<byte[]> jobLines, List<byte[]> paramLines, String start,
                          String jobName, Path launcher, Path socketDir) {
    }

    private final Request req;
    private final Shim shim;
    private final SlurmSubmitter slurm;
    private final PrintStream err;
    private final ConcurrentLinkedQueue<String> refusals = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean finished = new AtomicBoolean();
    private JobId job;
    private Thread hook;

    public SlurmScan(Request req, Shim shim, SlurmSubmitter slurm, PrintStream err) {
        this.req = req;
        this.shim = shim;
        this.slurm = slurm;
        this.err = err;
    }

    /** The Slurm commands as the keys say: on PATH, with SLURM_CONF when slurm_conf is given. */
    public static SlurmSubmitter submitter(SchedulerKeys keys) {
        SlurmTools tools = (keys.slurmBin().isPresent() ? SlurmTools.in(keys.slurmBin().get()) : SlurmTools.onPath())
                .withCallTimeout(Duration.ofSeconds(30));
        if (keys.slurmConf().isPresent()) {
            tools = tools.withEnv("SLURM_CONF", keys.slurmConf().get().toString());
        }
        return new SlurmSubmitter(tools);
    }

    /**
     * Runs the scan to its end.
     *
     * @return the backend's exit status: 0 (the session ended normally, or a failure was reported with {@code A}),
     *         1 (the worker was lost during the relay; the reason went to stderr)
     */
    public int run() throws IOException {
        byte[] token = new byte[RelayHello.TOKEN_BYTES];
        new SecureRandom().nextBytes(token);
        RelayEndpoint endpoint;
        try {
            endpoint = openEndpoint(token);
        } catch (IOException | IllegalArgumentException e) {
            shim.message(Status.ABORT, "scheduler=slurm: cannot open the relay endpoint: " + e.getMessage());
            return 0;
        }
        RelayEndpoint.Accepted worker;
        try {
            worker = launchAndWait(endpoint, token);
        } catch (InterruptedException e) {
            cancelJob();
            return 0;
        } finally {
            endpoint.close();
            drainRefusals();
        }
        if (worker == null) {
            finished.set(true);
            removeHook();
            return 0;
        }
        try {
            return relay(worker);
        } finally {
            removeHook();
        }
    }

    /**
     * relay=unix: the socket only; tcp: TCP only; auto: both, or TCP alone (with a warning) when the socket cannot
     * be made (spill_dir too long a path for AF_UNIX, not writable).
     */
    private RelayEndpoint openEndpoint(byte[] token) throws IOException {
        SchedulerKeys k = req.keys();
        Path unixParent = null;
        InetSocketAddress tcp = null;
        if (k.relay() != SchedulerKeys.Relay.TCP && HostIdentity.current().isPresent()) {
            unixParent = req.socketDir();
        }
        if (k.relay() == SchedulerKeys.Relay.UNIX && unixParent == null) {
            throw new IOException("relay=unix, and /proc does not tell this host's identity");
        }
        if (k.relay() != SchedulerKeys.Relay.UNIX) {
            try {
                InetAddress a = k.bind().isPresent() ? InetAddress.getByName(k.bind().get())
                        : RelayEndpoint.defaultBindAddress();
                tcp = new InetSocketAddress(a, k.port());
            } catch (IOException e) {
                if (k.relay() == SchedulerKeys.Relay.TCP || unixParent == null) {
                    throw new IOException("no TCP address to listen on (relay_bind): " + e.getMessage());
                }
                refusals.add("relay: no TCP endpoint (this host's name does not resolve: " + e.getMessage()
                        + "; set relay_bind): only a worker on this host can connect");
            }
        }
        if (unixParent != null && tcp != null) {
            try {
                return RelayEndpoint.open(unixParent, tcp, token, k.lz4(), refusals::add);
            } catch (IOException e) {
                refusals.add("relay: no AF_UNIX endpoint in " + unixParent + " (" + e.getMessage()
                        + "): the worker connects over TCP");
                unixParent = null;
            }
        }
        return RelayEndpoint.open(unixParent, tcp, token, k.lz4(), refusals::add);
    }

    private SbatchRequest request(RelayEndpoint endpoint, byte[] token) throws IOException {
        SchedulerKeys k = req.keys();
        Path worker = k.workerCommand().orElse(req.launcher());
        if (worker == null) {
            throw new IOException("worker_command is not given and this backend's launcher is unknown");
        }
        SbatchRequest.Builder b = SbatchRequest.builder(
                        new JobCommand.Wrap("exec " + shellQuote(worker.toString()) + " --worker"))
                .jobName(slurmJobName(req.jobName()))
                .output(k.output())
                .workDir(Path.of("/"))
                .extraArgs(k.sbatchArgs())
                .env(RelayClient.ENDPOINTS, endpoint.describe())
                .env(RelayClient.TOKEN, HexFormat.of().formatHex(token))
                .env(RelayClient.HOST, HostIdentity.current().map(HostIdentity::text).orElse("-"))
                .env(RelayClient.LZ4, k.lz4() ? "yes" : "no");
        k.partition().ifPresent(b::partition);
        k.cpus().ifPresent(b::cpus);
        k.mem().ifPresent(b::mem);
        k.time().ifPresent(b::time);
        try {
            return b.build();
        } catch (IllegalArgumentException e) {
            throw new IOException(e.getMessage());
        }
    }

    /** The worker, connected; null after a failure reported with A (or the shim went away). */
    private RelayEndpoint.Accepted launchAndWait(RelayEndpoint endpoint, byte[] token)
            throws IOException, InterruptedException {
        SbatchRequest sbatch;
        try {
            sbatch = request(endpoint, token);
        } catch (IOException e) {
            shim.message(Status.ABORT, "scheduler=slurm: " + e.getMessage());
            return null;
        }
        switch (slurm.submit(sbatch)) {
            case JobOutcome.NotSubmitted n -> {
                shim.message(Status.ABORT, "scheduler=slurm: " + n.message());
                return null;
            }
            case JobOutcome.Submitted(JobId id) -> job = id;
        }
        hook = new Thread(this::cancelJob, "podheitor-scancel");
        Runtime.getRuntime().addShutdownHook(hook);
        shim.message(Status.INFO, "scan submitted as Slurm job " + job
                + req.keys().partition().map(p -> " (partition " + p + ")").orElse("")
                + "; relay endpoint " + endpoint.describe());
        long start = System.nanoTime();
        long lastPoll = 0;
        long lastNote = System.nanoTime();
        long runningSince = -1;
        int pollErrors = 0;
        Optional<JobState> last = Optional.empty();
        while (true) {
            RelayEndpoint.Accepted a = endpoint.poll(250);
            drainRefusals();
            if (a != null) {
                return a;
            }
            if (shim.interrupted()) {
                cancelJob(); // the shim went away or ended the job: nothing may stay queued
                return null;
            }
            long now = System.nanoTime();
            if (now - lastPoll < POLL.toNanos()) {
                continue;
            }
            lastPoll = now;
            SlurmSubmitter.Poll p = slurm.poll(job);
            switch (p) {
                case SlurmSubmitter.Poll.Seen(JobState st, String src) -> {
                    pollErrors = 0;
                    if (last.isEmpty() || !last.get().equals(st)) {
                        shim.message(Status.INFO, "Slurm job " + job + " " + st);
                        lastNote = now;
                    }
                    last = Optional.of(st);
                    if (st.ended()) {
                        finished.set(true);
                        shim.message(Status.ABORT, "Slurm job " + job + " ended " + st
                                + " before its worker connected" + outputTail());
                        return null;
                    }
                    if (st.kind() == JobState.Kind.ACTIVE && runningSince < 0) {
                        runningSince = now;
                    }
                    if (runningSince < 0 && Duration.ofNanos(now - start).compareTo(req.keys().pendingTimeout()) >= 0) {
                        Optional<String> why = cancelJobNow();
                        shim.message(Status.ABORT, "Slurm job " + job + " still " + st + " after "
                                + req.keys().pendingTimeout().toSeconds() + " s (slurm_pending_timeout): "
                                + why.map(w -> "scancel failed: " + w).orElse("cancelled"));
                        return null;
                    }
                    if (runningSince >= 0 && Duration.ofNanos(now - runningSince).compareTo(CONNECT_TIMEOUT) >= 0) {
                        Optional<String> why = cancelJobNow();
                        shim.message(Status.ABORT, "Slurm job " + job + " runs, but its worker did not connect to "
                                + endpoint.describe() + " within " + CONNECT_TIMEOUT.toSeconds() + " s (relay_bind "
                                + "must be an address the compute nodes reach): "
                                + why.map(w -> "scancel failed: " + w).orElse("cancelled") + outputTail());
                        return null;
                    }
                }
                case SlurmSubmitter.Poll.Gone(String detail) -> {
                    finished.set(true);
                    shim.message(Status.ABORT, "Slurm job " + job + " left the queue before its worker connected ("
                            + detail + ")" + outputTail());
                    return null;
                }
                case SlurmSubmitter.Poll.Failed(String detail) -> {
                    if (++pollErrors >= 5) {
                        Optional<String> why = cancelJobNow();
                        shim.message(Status.ABORT, "Slurm job " + job + ": its state cannot be read (" + detail
                                + "): " + why.map(w -> "scancel failed: " + w).orElse("cancelled"));
                        return null;
                    }
                }
            }
            if (now - lastNote >= KEEPALIVE.toNanos()) {
                shim.message(Status.INFO, "Slurm job " + job + " still "
                        + last.map(JobState::toString).orElse("unknown"));
                lastNote = now;
            }
        }
    }

    private int relay(RelayEndpoint.Accepted w) throws IOException {
        // unbuffered without LZ4: after the replay the relay reads the channel itself, so no byte may wait in a buffer
        InputStream fromWorker = w.lz4()
                ? new BufferedInputStream(RelayStreams.input(w.in(), true), RELAY_BUFFER) : w.in();
        OutputStream toWorkerRaw = RelayStreams.output(w.out(), w.lz4());
        FrameWriter toWorker = new FrameWriter(toWorkerRaw);
        shim.message(Status.INFO, "scan runs in Slurm job " + job + " on " + w.hello().host() + " (relay "
                + w.kind() + (w.kind().equals("tcp") ? " from " + w.peer() : "")
                + (w.lz4() ? ", lz4: " + Lz4Codec.get().description() : "") + ")");
        // the session's start, replayed: the worker's answers were given to the shim already
        try {
            if (!replay(toWorker, new FrameReader(fromWorker))) {
                finished.set(true);
                w.channel().close();
                return 0;
            }
        } catch (IOException e) {
            return lost(w, 0, "while starting the worker's session: " + e.getMessage());
        }
        shim.passAnswers();
        toWorker.command(req.start());
        toWorker.flush();
        OutputStream out = shim.rawOutput();
        AtomicBoolean shimDone = new AtomicBoolean();
        AtomicReference<JobState> endedBadly = new AtomicReference<>();
        Thread up = Thread.ofPlatform().daemon().name("podheitor-relay-up").start(() -> {
            try {
                for (Frame f; (f = shim.next()) != null; ) {
                    if (f.is(Status.TERMINATE)) {
                        shimDone.set(true); // before the worker can act on it and close
                    }
                    toWorker.write(f);
                    toWorker.flush();
                    if (f.is(Status.TERMINATE)) {
                        break;
                    }
                }
                if (!shimDone.get()) {
                    // end of input without T: a Bacula cancel (its SIGTERM is on the way) or the shim gone. scancel
                    // before the worker's input ends, or the worker ends its session, exits 0 and Slurm records a
                    // cancelled backup as COMPLETED (the SIGTERM hook then finds the job ended)
                    cancelJob();
                }
            } catch (IOException e) {
                // the worker's side closed; the down direction reports it
            } finally {
                shimDone.set(true);
                try {
                    toWorker.flush();
                    RelayStreams.finish(toWorkerRaw); // the LZ4 end mark; the channel stays open for the down direction
                    w.channel().shutdownOutput();
                } catch (IOException ignored) {
                    // the worker is gone: the down direction sees its end
                }
            }
        });
        Thread watch = Thread.ofPlatform().daemon().name("podheitor-relay-watch").start(() -> {
            try {
                while (true) {
                    Thread.sleep(WATCH);
                    if (slurm.poll(job) instanceof SlurmSubmitter.Poll.Seen(JobState st, String src)
                            && st.kind() == JobState.Kind.ENDED_BADLY) {
                        endedBadly.set(st);
                        w.channel().close(); // a node that died never closes its side
                        return;
                    }
                }
            } catch (InterruptedException | IOException e) {
                // the relay ended
            }
        });
        long bytes = 0;
        String failure = null;
        try {
            bytes = w.lz4() ? copy(fromWorker, out) : copy(w.channel(), out);
        } catch (RelayBroken e) {
            bytes = e.bytes;
            failure = e.getMessage();
        }
        watch.interrupt();
        if (shimDone.get() && failure == null && endedBadly.get() == null) {
            finished.set(true); // T went to the worker and it ended its session: the normal end
            w.channel().close();
            return 0;
        }
        up.interrupt();
        return lost(w, bytes, endedBadly.get() != null ? "" : failure == null ? "" : " (" + failure + ")");
    }

    /** The relay's read or write failed after BYTES. */
    private static final class RelayBroken extends Exception {
        final long bytes;

        RelayBroken(long bytes, IOException cause) {
            super(cause.getMessage() == null ? cause.toString() : cause.getMessage(), cause);
            this.bytes = bytes;
        }
    }

    /** The worker's bytes as they come, through one direct buffer: the kernel copies in and out, nothing else. */
    private static long copy(SocketChannel from, OutputStream out) throws RelayBroken {
        WritableByteChannel to = out instanceof FileOutputStream f ? f.getChannel() : Channels.newChannel(out);
        ByteBuffer b = ByteBuffer.allocateDirect(RELAY_BUFFER);
        long bytes = 0;
        try {
            while (from.read(b) > 0) {
                b.flip();
                bytes += b.remaining();
                while (b.hasRemaining()) {
                    to.write(b);
                }
                b.clear();
            }
            return bytes;
        } catch (IOException e) {
            throw new RelayBroken(bytes, e);
        }
    }

    /** The decompressed bytes of an LZ4 relay, as they come. */
    private static long copy(InputStream from, OutputStream out) throws RelayBroken {
        byte[] buf = new byte[RELAY_BUFFER];
        long bytes = 0;
        try {
            for (int n; (n = from.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                bytes += n;
            }
            return bytes;
        } catch (IOException e) {
            throw new RelayBroken(bytes, e);
        }
    }

    /**
     * Sends Hello, Job and Params to the worker and reads its answers; messages it sends meanwhile go to the shim.
     *
     * @return false when the worker refused (its A went to the shim)
     */
    private boolean replay(FrameWriter to, FrameReader from) throws IOException {
        to.command("Hello podheitor-hpc 1");
        to.flush();
        Frame hello = nextAnswer(from);
        if (hello == null || !hello.isCommand("Hello Bacula 1")) {
            throw new ProtocolException("worker answered Hello with " + hello);
        }
        for (String block : List.of("Job", "Params")) {
            to.command(block);
            for (byte[] line : block.equals("Job") ? req.jobLines() : req.paramLines()) {
                to.command(line);
            }
            to.end();
            to.flush();
            while (true) {
                Frame f = nextAnswer(from);
                if (f == null) {
                    throw new ProtocolException("worker closed the connection after " + block);
                }
                if (f.is(Status.END)) {
                    break;
                }
                if (f.is(Status.ABORT)) {
                    shim.forward(f);
                    to.terminate();
                    to.flush();
                    return false;
                }
                // C EndStatus 1: the shim had it from this process already
            }
        }
        return true;
    }

    /** The worker's next frame, its I/W/E messages passed on to the shim. */
    private Frame nextAnswer(FrameReader from) throws IOException {
        while (true) {
            Frame f = from.read();
            if (f == null || !(f.is(Status.INFO) || f.is(Status.WARNING) || f.is(Status.ERROR))) {
                return f;
            }
            shim.forward(f);
        }
    }

    /** The worker is gone before the session's end: the job's state to stderr, exit status 1. */
    private int lost(RelayEndpoint.Accepted w, long bytes, String detail) {
        try {
            w.channel().close();
        } catch (IOException ignored) {
            // closing is all that is left
        }
        String state;
        try {
            JobOutcome o = slurm.await(job, new WaitPolicy(Duration.ZERO, Duration.ofSeconds(20), Duration.ofSeconds(1),
                    5));
            state = o.message();
        } catch (InterruptedException e) {
            cancelJob();
            state = "Slurm job " + job + ": wait interrupted, cancelled";
        }
        finished.set(true);
        err.println("podheitor-hpc backend: the scan's worker was lost after " + bytes + " bytes relayed: " + state
                + detail + outputTail());
        err.flush();
        return 1;
    }

    private void drainRefusals() {
        for (String r; (r = refusals.poll()) != null; ) {
            try {
                shim.message(Status.WARNING, r);
            } catch (IOException e) {
                err.println("podheitor-hpc backend: " + r);
            }
        }
    }

    /** scancel, unless the job ended; for the shutdown hook and the cancel paths. */
    private void cancelJob() {
        try {
            cancelJobNow();
        } catch (RuntimeException ignored) {
            // the hook must end
        }
    }

    private Optional<String> cancelJobNow() {
        if (job == null || !finished.compareAndSet(false, true)) {
            return Optional.empty();
        }
        try {
            return slurm.cancel(job);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted");
        }
    }

    private void removeHook() {
        if (hook != null) {
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // shutting down already: the hook runs
            }
        }
    }

    /** "; worker output (FILE): last lines" when the output file is readable here, else "". */
    private String outputTail() {
        if (job == null) {
            return "";
        }
        Path file = Path.of(req.keys().output().replace("%j", job.arg()));
        try {
            if (!Files.isRegularFile(file) || Files.size(file) > (4 << 20)) {
                return "";
            }
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8).stream()
                    .filter(l -> !l.isBlank()).toList();
            if (lines.isEmpty()) {
                return "";
            }
            return "; worker output (" + file + "): "
                    + String.join(" | ", lines.subList(Math.max(0, lines.size() - 3), lines.size()));
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** The Slurm job's name: {@code podheitor-} and the Bacula job's name, other characters as {@code _}. */
    public static String slurmJobName(String baculaJob) {
        String n = "podheitor-" + (baculaJob == null || baculaJob.isEmpty() ? "job" : baculaJob);
        n = n.replaceAll("[^A-Za-z0-9_.:+@-]", "_");
        return n.length() > 128 ? n.substring(0, 128) : n;
    }

    static String shellQuote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
