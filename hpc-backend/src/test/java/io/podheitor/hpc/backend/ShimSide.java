package io.podheitor.hpc.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

import io.podheitor.hpc.backend.backup.EntryChecks;
import io.podheitor.hpc.backend.backup.FileOpener;
import io.podheitor.hpc.ptcomm.FileRecord;
import io.podheitor.hpc.ptcomm.FileType;
import io.podheitor.hpc.ptcomm.Frame;
import io.podheitor.hpc.ptcomm.FrameReader;
import io.podheitor.hpc.ptcomm.FrameWriter;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Plays the C shim against a backend: an in-process {@link BackendSession} over in-memory pipes, or (see
 * {@link #process}) a backend process over its stdin and stdout.
 */
final class ShimSide implements AutoCloseable {
    private final OutputStream toBackend;
    private final FrameWriter writer;
    private final FrameReader reader;
    final CompletableFuture<Integer> exit = new CompletableFuture<>();
    /** Lines the backend process wrote on stderr (the shim turns each into a job error); empty in-process. */
    final List<String> stderr = Collections.synchronizedList(new ArrayList<>());
    private final Process process;

    /** One received FILE record with its data section and the messages seen while it was streamed. */
    record Received(FileRecord record, byte[] data, boolean readError, List<String> messages, byte[] blob) {
        String name() {
            return new String(record.name(), StandardCharsets.UTF_8);
        }
    }

    /** A whole backup/estimate stream. */
    /**
     * {@code messages}: every I/W/E of the stream but the closing summary line, which is {@code summary} (null when
     * the backend sent none; every completed stream has one).
     */
    record Stream(List<Received> records, List<String> messages, String summary) {
    }

    ShimSide() {
        this(FileOpener.POSIX);
    }

    /** An in-process backend whose backups open regular files through {@code opener}. */
    ShimSide(FileOpener opener) {
        this(opener, new io.podheitor.hpc.backend.job.JobEnd(false));
    }

    /** An in-process backend whose job-end actions are those of {@code jobEnd} (tests register some). */
    ShimSide(FileOpener opener, io.podheitor.hpc.backend.job.JobEnd jobEnd) {
        this(opener, jobEnd, false);
    }

    /** An in-process backend; {@code worker}: the session of a Slurm worker (BackendMain --worker). */
    ShimSide(FileOpener opener, io.podheitor.hpc.backend.job.JobEnd jobEnd, boolean worker) {
        BytePipe in = new BytePipe();
        BytePipe out = new BytePipe();
        toBackend = in.out;
        writer = new FrameWriter(in.out);
        reader = new FrameReader(out.in);
        process = null;
        Thread t = new Thread(() -> {
            try {
                exit.complete(new BackendSession(in.in, out.out, opener, jobEnd, worker).run());
            } catch (Throwable e) {
                exit.completeExceptionally(e);
            } finally {
                out.closeWriter();
            }
        }, "test-backend-session");
        t.setDaemon(true);
        t.start();
    }

    /** An opener that calls {@code before} with the path, then opens the file for real (tests change the tree there). */
    static FileOpener openingAfter(java.util.function.Consumer<byte[]> before) {
        return path -> {
            before.accept(path);
            return FileOpener.POSIX.open(path);
        };
    }

    private ShimSide(Process p) {
        process = p;
        toBackend = p.getOutputStream();
        writer = new FrameWriter(p.getOutputStream());
        reader = new FrameReader(p.getInputStream());
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(),
                    StandardCharsets.ISO_8859_1))) {
                for (String l; (l = r.readLine()) != null; ) {
                    stderr.add(l);
                }
            } catch (IOException e) {
                stderr.add("(stderr: " + e + ")");
            }
        }, "test-backend-stderr");
        t.setDaemon(true);
        t.start();
        p.onExit().thenAccept(x -> exit.complete(x.exitValue()));
    }

    /**
     * A backend process: {@code command} (e.g. java ... BackendMain, possibly behind setpriv) with exactly the
     * environment {@code env}; frames go to its stdin and come from its stdout.
     */
    static ShimSide process(List<String> command, Map<String, String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().putAll(env);
        return new ShimSide(pb.start());
    }

    void send(Frame f) throws IOException {
        writer.write(f);
        writer.flush();
    }

    void command(String text) throws IOException {
        send(Frame.command(text));
    }

    void command(byte[] payload) throws IOException {
        send(Frame.command(payload));
    }

    Frame read() throws IOException {
        Frame f = reader.read();
        assertNotNull(f, "backend closed its output");
        return f;
    }

    void expect(char status) throws IOException {
        Frame f = read();
        assertEquals(status, f.status(), "got " + f);
    }

    void expectCommand(String text) throws IOException {
        Frame f = read();
        assertEquals("C:" + text, f.status() + ":" + f.text());
    }

    /** Hello, Job block, Params block; returns the backend's answer to Params (F or A). */
    Frame handshake(List<String> jobLines, List<byte[]> paramLines) throws IOException {
        command(BackendSession.HELLO);
        expectCommand(BackendSession.HELLO_REPLY);
        command("Job");
        for (String l : jobLines) {
            command(l);
        }
        send(Frame.end());
        expect('F');
        command("Params");
        for (byte[] l : paramLines) {
            command(l);
        }
        send(Frame.end());
        return read();
    }

    static List<byte[]> params(String... lines) {
        List<byte[]> out = new ArrayList<>();
        for (String l : lines) {
            out.add(l.getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    /**
     * The shim's end of a handoff socket (docs/ptcomm.md §4.1c) when the Job block offered one, else -1: an H section
     * is read through the descriptor received on it, as the shim does.
     */
    int handoffSocket = -1;
    /** H sections seen by readStream. */
    int handoffs;

    /** Names of the CHECK records seen by {@link #readStream(java.util.function.Predicate)}, in order. */
    final List<String> checked = new ArrayList<>();
    /** The paths of the KEEP notices (docs/ptcomm.md §8) seen by readStream, in order. */
    final List<byte[]> kept = new ArrayList<>();

    /**
     * Reads a backup/estimate stream without accurate checks up to its final F: only the would-be first names of
     * multiply linked inodes and large regular files may be CHECKed (docs/ptcomm.md §3.2; answered CHANGED), any
     * other CHECK fails the test.
     */
    Stream readStream() throws IOException {
        return readStream(null);
    }

    /**
     * Reads a backup/estimate stream up to its final F, answering CHECKs (docs/ptcomm.md §8) with CHANGED where
     * {@code changed} says so, SEEN otherwise; {@code changed} null: as {@link #readStream()}.
     */
    Stream readStream(java.util.function.Predicate<FileRecord> changed) throws IOException {
        List<Received> records = new ArrayList<>();
        List<String> messages = new ArrayList<>();
        List<String> pending = new ArrayList<>();
        String summary = null;
        while (true) {
            Frame f = read();
            switch (f.status()) {
                case 'F' -> {
                    return new Stream(records, messages, summary);
                }
                case 'I', 'W', 'E' -> {
                    if (f.status() == 'I' && f.text().startsWith("summary: ")) {
                        summary = f.text();
                        continue;
                    }
                    messages.add(f.status() + " " + f.text());
                    pending.add(f.status() + " " + f.text());
                }
                case 'A' -> fail("abort: " + f.text());
                case 'C' -> {
                    byte[] pl = f.payload();
                    byte[] kp = EntryChecks.KEEP_PREFIX;
                    if (pl.length > kp.length && java.util.Arrays.equals(pl, 0, kp.length, kp, 0, kp.length)) {
                        if (changed == null) {
                            fail("KEEP in a stream without accurate checks");
                        }
                        kept.add(java.util.Arrays.copyOfRange(pl, kp.length, pl.length));
                        continue;
                    }
                    byte[] prefix = EntryChecks.PREFIX;
                    if (pl.length > prefix.length
                            && java.util.Arrays.equals(pl, 0, prefix.length, prefix, 0, prefix.length)) {
                        FileRecord c = FileRecord.decode(java.util.Arrays.copyOfRange(pl, prefix.length, pl.length));
                        assertEquals(0, c.flags(), "CHECK records carry no flags");
                        String name = new String(c.name(), StandardCharsets.UTF_8);
                        if (changed == null && (c.nlink() < 2 || c.type() == FileType.DIRECTORY)
                                && !(c.type() == FileType.REGULAR && c.size() > EntryChecks.CHECK_BEFORE_READING)) {
                            fail("CHECK of " + name + " (nlink " + c.nlink() + ", size " + c.size()
                                    + ") in a stream without accurate checks");
                        }
                        checked.add(name);
                        command(changed == null || changed.test(c) ? EntryChecks.CHANGED : EntryChecks.SEEN);
                        continue;
                    }
                    FileRecord r = FileRecord.decode(pl);
                    List<String> own = new ArrayList<>(pending);
                    pending.clear();
                    ByteArrayOutputStream data = new ByteArrayOutputStream();
                    boolean readError = false;
                    if (r.hasData()) {
                        while (true) {
                            Frame d = read();
                            if (d.is('D')) {
                                data.writeBytes(d.payload());
                            } else if (d.is('H')) {
                                data.writeBytes(handedOff(d.payload()));
                                handoffs++;
                                break;
                            } else if (d.is('F')) {
                                break;
                            } else if (d.is('E')) {
                                readError = true;
                                messages.add("E " + d.text());
                                break;
                            } else if (d.is('W') || d.is('I')) {
                                messages.add(d.status() + " " + d.text());
                                own.add(d.status() + " " + d.text());
                            } else {
                                fail("unexpected in data section: " + d);
                            }
                        }
                    }
                    byte[] blob = null;
                    if ((r.flags() & FileRecord.FLAG_XATTR) != 0) {
                        Frame d = read();
                        while (d.is('W') || d.is('I')) {
                            messages.add(d.status() + " " + d.text());
                            own.add(d.status() + " " + d.text());
                            d = read();
                        }
                        if (!d.is('D')) {
                            fail("expected the metadata blob, got " + d);
                        }
                        blob = d.payload();
                    }
                    records.add(new Received(r, data.toByteArray(), readError, own, blob));
                }
                default -> fail("unexpected " + f);
            }
        }
    }

    /** The file of an H packet: one message with exactly its tag and one descriptor, read to its end. */
    private byte[] handedOff(byte[] tag) throws IOException {
        if (handoffSocket < 0) {
            fail("an H packet without a handoff socket");
        }
        io.podheitor.hpc.posix.UnixSockets.Received m = io.podheitor.hpc.posix.UnixSockets.receive(handoffSocket, 16,
                4, io.podheitor.hpc.posix.UnixSockets.MSG_DONTWAIT);
        try {
            org.junit.jupiter.api.Assertions.assertArrayEquals(tag, m.data(), "the message's number is the H packet's");
            assertEquals(1, m.descriptors().length, m.toString());
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[65536];
            for (int n; (n = io.podheitor.hpc.posix.Posix.read(m.descriptors()[0], buf, 0, buf.length)) > 0; ) {
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } finally {
            m.closeDescriptors();
        }
    }

    /** END, F, T, exit status 0. */
    void finish() throws Exception {
        command("END");
        expect('F');
        send(Frame.terminate());
        assertEquals(0, exit.get(10, TimeUnit.SECONDS));
    }

    @Override
    public void close() {
        try {
            toBackend.close();
        } catch (IOException e) {
            // the backend is gone already
        }
        if (process != null) {
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
