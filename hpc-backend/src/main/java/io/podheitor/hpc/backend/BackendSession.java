package io.podheitor.hpc.backend;

import io.podheitor.hpc.backend.restore.LayoutRestore;
import io.podheitor.hpc.lustre.Lustre;
import io.podheitor.hpc.backend.backup.Backup;
import io.podheitor.hpc.backend.backup.FileOpener;
import io.podheitor.hpc.backend.backup.HandoffChannel;
import io.podheitor.hpc.backend.job.BadRequestException;
import io.podheitor.hpc.backend.job.JobEnd;
import io.podheitor.hpc.backend.job.JobInfo;
import io.podheitor.hpc.backend.job.JobOutcome;
import io.podheitor.hpc.backend.job.PluginParams;
import io.podheitor.hpc.backend.job.SchedulerKeys;
import io.podheitor.hpc.backend.relay.SlurmScan;
import io.podheitor.hpc.backend.restore.ParallelRestorer;
import io.podheitor.hpc.backend.restore.RestoreCalls;
import io.podheitor.hpc.backend.restore.Restorer;
import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.ptcomm.FileRecord;
import io.podheitor.hpc.ptcomm.Frame;
import io.podheitor.hpc.ptcomm.FrameWriter;
import io.podheitor.hpc.ptcomm.ProtocolException;
import io.podheitor.hpc.ptcomm.Status;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * One backend process's conversation with the shim (docs/ptcomm.md): Hello, Job, Params, then one of
 * BackupStart / EstimateStart / RestoreStart, then END and T. Reads frames from {@code in}, writes frames to
 * {@code out}; nothing else is written anywhere (the shim turns stderr lines into job errors).
 */
public final class BackendSession {
    static final String HELLO = "Hello podheitor-hpc 1";
    static final String HELLO_REPLY = "Hello Bacula 1";
    /** Before the F to RestoreStart, when the Job block asked for the pipelined restore (docs/ptcomm.md §5.1). */
    static final String PIPELINE_REPLY = "Pipeline 1";
    /** Before the F to the Job block, when it asked for the job's outcome with END (docs/ptcomm.md §6). */
    static final String END_STATUS_REPLY = "EndStatus 1";
    /** The launcher's own path (bin/podheitor-hpc-backend sets it): the default worker command of scheduler=slurm. */
    public static final String LAUNCHER_PROPERTY = "podheitor.launcher";

    private final Inbound in;
    private final FrameWriter out;
    private final OutputStream rawOut;
    /** A Slurm worker's session (docs/slurm.md §4): scheduler keys are not acted on again. */
    private final boolean worker;
    private List<byte[]> jobLines = List.of();
    private List<byte[]> paramLines = List.of();
    private SchedulerKeys scheduler = SchedulerKeys.LOCAL;
    private int exitStatus;
    private JobInfo job = JobInfo.empty();
    private PluginParams params;
    private String paramsError = "no Params block received";
    private final FileOpener opener;
    private final JobEnd jobEnd;

    public BackendSession(InputStream in, OutputStream out) {
        this(in, out, null, new JobEnd(true));
    }

    /**
     * With the opener of regular files a backup reads (tests inject one that changes the tree as it opens); null:
     * the production opener, below the root's descriptor.
     */
    BackendSession(InputStream in, OutputStream out, FileOpener opener, JobEnd jobEnd) {
        this(in, out, opener, jobEnd, false);
    }

    /** A session; WORKER: the session of a Slurm worker, whose frames go through the relay. */
    BackendSession(InputStream in, OutputStream out, FileOpener opener, JobEnd jobEnd, boolean worker) {
        this.in = new Inbound(in);
        this.rawOut = out;
        this.out = new FrameWriter(out);
        this.opener = opener;
        this.jobEnd = jobEnd;
        this.worker = worker;
    }

    /** The session of a Slurm worker (BackendMain --worker). */
    static BackendSession worker(InputStream in, OutputStream out) {
        return new BackendSession(in, out, null, new JobEnd(true), true);
    }

    /** Where the job's {@link io.podheitor.hpc.backend.job.JobEndAction}s are registered (docs/ptcomm.md §6). */
    public JobEnd jobEnd() {
        return jobEnd;
    }

    /**
     * Runs until T or the end of the input.
     *
     * @return the exit status: 0 after T or EOF
     * @throws ProtocolException the shim broke the framing rules
     * @throws IOException       the output failed (the shim is gone)
     */
    public int run() throws IOException {
        try {
            for (Frame f; (f = in.next()) != null; ) {
                switch (f.status()) {
                    case Status.TERMINATE -> {
                        return exitStatus;
                    }
                    case Status.COMMAND -> {
                        if (!command(f)) {
                            return exitStatus;
                        }
                    }
                    default -> unexpected(f, "a command");
                }
                out.flush();
            }
            return 0;
        } finally {
            // no END (end of input, T first, a protocol error): the job failed or was canceled
            jobEnd.deliverWithoutEnd("the shim ended the session without END (job failed or canceled)");
        }
    }

    /**
     * END (docs/ptcomm.md §6): the job's outcome goes to the job-end actions (their problems become warnings in the
     * job log), then F.
     */
    private void end(Frame f) throws IOException {
        JobOutcome outcome = JobOutcome.ofEnd(f.textBytes());
        jobEnd.deliver(outcome, JobEnd.LIMIT, text -> {
            try {
                out.message(Status.WARNING, text);
            } catch (IOException e) {
                System.err.println("podheitor-hpc backend: " + text);
            }
        });
    }

    /** @return false when the input ended inside the command */
    private boolean command(Frame f) throws IOException {
        String cmd = f.text();
        switch (cmd) {
            case HELLO -> out.command(HELLO_REPLY);
            case "Job" -> {
                List<byte[]> lines = readBlock("Job");
                if (lines == null) {
                    return false;
                }
                jobLines = lines;
                try {
                    job = JobInfo.parse(lines);
                    if (job.endStatus()) {
                        out.command(END_STATUS_REPLY);
                    }
                    out.end();
                } catch (BadRequestException e) {
                    out.message(Status.ABORT, e.getMessage());
                }
            }
            case "Params" -> {
                List<byte[]> lines = readBlock("Params");
                if (lines == null) {
                    return false;
                }
                paramLines = lines;
                try {
                    params = PluginParams.parse(lines);
                    scheduler = SchedulerKeys.parse(lines);
                    paramsError = null;
                    out.end();
                } catch (BadRequestException e) {
                    params = null;
                    paramsError = e.getMessage();
                    out.message(Status.ABORT, e.getMessage());
                }
            }
            case "BackupStart", "EstimateStart" -> {
                if (params != null && scheduler.slurm() && !worker) {
                    exitStatus = slurmScan(cmd);
                    return false; // the relay ran the rest of the session
                }
                backup(cmd.equals("BackupStart"));
            }
            case "RestoreStart" -> {
                return restore();
            }
            default -> {
                if (JobOutcome.isEnd(cmd)) {
                    end(f);
                    out.end();
                } else if (cmd.startsWith("Hello ")) {
                    out.message(Status.ABORT, "unsupported protocol greeting \"" + cmd + "\" (this backend speaks \""
                            + HELLO + "\")");
                } else {
                    out.message(Status.ERROR, "unknown command \"" + PathText.render(f.textBytes()) + "\"");
                }
            }
        }
        return true;
    }

    /** scheduler=slurm: the scan runs in a Slurm job, relayed (docs/slurm.md §4); returns the exit status. */
    private int slurmScan(String start) throws IOException {
        String launcher = System.getProperty(LAUNCHER_PROPERTY);
        SlurmScan.Request r = new SlurmScan.Request(scheduler, jobLines, paramLines, start, job.name(),
                launcher == null || launcher.isEmpty() ? null : java.nio.file.Path.of(launcher), params.spillDir());
        SlurmScan.Shim side = new SlurmScan.Shim() {
            @Override
            public void message(char status, String text) throws IOException {
                out.message(status, text);
                out.flush();
            }

            @Override
            public void forward(Frame f) throws IOException {
                out.write(f);
                out.flush();
            }

            @Override
            public Frame next() throws IOException {
                return in.next();
            }

            @Override
            public boolean interrupted() {
                return in.interrupted();
            }

            @Override
            public void passAnswers() {
                in.passAnswers();
            }

            @Override
            public OutputStream rawOutput() throws IOException {
                out.flush();
                return rawOut;
            }
        };
        return new SlurmScan(r, side, SlurmScan.submitter(scheduler), System.err).run();
    }

    /** The C lines of a Job or Params block up to its F; null if the input ended. */
    private List<byte[]> readBlock(String name) throws IOException {
        List<byte[]> lines = new ArrayList<>();
        for (Frame f; (f = in.next()) != null; ) {
            if (f.is(Status.END)) {
                return lines;
            }
            if (!f.is(Status.COMMAND)) {
                unexpected(f, "a " + name + " line or F");
            }
            lines.add(f.textBytes());
        }
        return null;
    }

    private void backup(boolean withData) throws IOException {
        if (params == null) {
            out.message(Status.ABORT, paramsError);
            return;
        }
        StatX root;
        try {
            root = Posix.lstat(params.path());
        } catch (PosixException e) {
            out.message(Status.ABORT, "path \"" + PathText.render(params.path()) + "\": " + e.strerror());
            return;
        }
        if (!root.isDirectory()) {
            out.message(Status.ABORT, "path \"" + PathText.render(params.path()) + "\" is not a directory");
            return;
        }
        HandoffChannel handoff = withData ? handoffChannel() : null;
        out.end();
        out.flush();
        try {
            new Backup(out, in::answer, in::interrupted, opener, java.time.InstantSource.system(), jobEnd::register,
                    handoff).run(params, job, withData);
        } finally {
            if (handoff != null) {
                handoff.close();
            }
        }
    }

    /**
     * The handoff socket the shim offered (Job line {@code Handoff=<fd>}, docs/ptcomm.md §4.1c) when plugin key
     * handoff allows it; null when none was offered, in a Slurm worker (its Job lines are the submitter's: the
     * descriptor number means nothing in this process), or when the descriptor is not an AF_UNIX SOCK_SEQPACKET
     * socket (one warning; the data then goes as D packets).
     */
    private HandoffChannel handoffChannel() throws IOException {
        if (worker || job.handoffFd() < 0 || !params.handoff().enabled()) {
            return null;
        }
        try {
            return HandoffChannel.offered(job.handoffFd());
        } catch (PosixException e) {
            out.message(Status.WARNING, "handoff socket " + job.handoffFd() + " unusable (" + e.getMessage()
                    + "): large files' data goes through the backend");
            return null;
        }
    }

    /**
     * RestoreStart: {@code F}, then the restore conversation. A shim that asked for the pipelined restore (Job line
     * {@code Pipeline=1}, docs/ptcomm.md §5.1) gets {@code C Pipeline 1} before the {@code F} and a
     * {@link ParallelRestorer}; any other shim the lock-step {@link Restorer}.
     *
     * @return false when the input ended
     */
    private boolean restore() throws IOException {
        RestoreCalls restorer;
        if (job.pipeline()) {
            out.command(PIPELINE_REPLY);
            restorer = params == null
                    ? new ParallelRestorer(out, job, true, true, PluginParams.defaultSpillDir(),
                            PluginParams.DEFAULT_RESTORE_THREADS)
                    : new ParallelRestorer(out, job, params.aclSupport(), params.xattrSupport(), params.spillDir(),
                            params.restoreThreads());
        } else {
            restorer = params == null ? new Restorer(out, job)
                    : new Restorer(out, job, params.aclSupport(), params.xattrSupport(), params.spillDir());
        }
        if (params != null) {
            restorer.layouts(new LayoutRestore(params.stripe().restripe(), Lustre.get()));
        }
        out.end();
        out.flush();
        try {
            return restoreLoop(restorer);
        } finally {
            restorer.release();
        }
    }

    /**
     * The restore's frames, each handed to the restorer (which writes its own answers, through one synchronized
     * output: a pipelined restore's workers write too).
     *
     * @return false when the input ended
     */
    private boolean restoreLoop(RestoreCalls restorer) throws IOException {
        for (Frame f; (f = in.next()) != null; ) {
            switch (f.status()) {
                case Status.DATA -> restorer.write(f.payload());
                case Status.END -> restorer.close();
                case Status.TERMINATE -> {
                    return false;
                }
                case Status.COMMAND -> {
                    byte[] p = f.textBytes();
                    if (f.text().startsWith("SEEK ")) {
                        try {
                            restorer.seek(Long.parseLong(f.text().substring(5)));
                        } catch (NumberFormatException e) {
                            restorer.error("bad SEEK offset \"" + PathText.render(p) + "\"");
                        }
                    } else if (FileRecord.isFileRecord(f.payload())) {
                        FileRecord r;
                        try {
                            r = FileRecord.decode(f.payload());
                        } catch (ProtocolException e) {
                            restorer.undecodable(e.getMessage());
                            break;
                        }
                        restorer.create(r);
                    } else if (f.isCommand("FINISH")) {
                        restorer.finish();
                    } else if (f.status() == Status.COMMAND && JobOutcome.isEnd(f.text())) {
                        end(f);
                        restorer.finish(); // answers F; nothing pending normally; never leave a file open
                        return true;
                    } else if (f.isCommand("ACL") || f.isCommand("XATTR")) {
                        Frame blob = in.next(); // both carry the metadata blob format (docs/ptcomm.md §3.1)
                        if (blob == null) {
                            return false;
                        }
                        if (!blob.is(Status.DATA)) {
                            unexpected(blob, "the D packet of " + f.text());
                        }
                        restorer.metadata(blob.payload());
                    } else {
                        restorer.error("unknown restore command \"" + PathText.render(p) + "\"");
                    }
                }
                default -> unexpected(f, "a restore packet");
            }
        }
        return false;
    }

    private static void unexpected(Frame f, String expected) throws ProtocolException {
        throw new ProtocolException("unexpected " + f + " from the shim, expected " + expected);
    }
}
