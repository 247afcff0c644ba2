package io.podheitor.hpc.changelog.lustre;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A Lustre command-line tool ({@code lfs}, {@code lctl}) run as a child process with standard input closed:
 * either to completion (output as bytes) or streamed (the caller reads standard output while it runs).
 */
public final class Tool {
    private static final long TIMEOUT_SECONDS = 600;

    private final Path executable;

    private Tool(Path executable) {
        this.executable = executable;
    }

    /** The tool at this path. */
    public static Tool at(Path executable) {
        return new Tool(Objects.requireNonNull(executable, "executable"));
    }

    /** The first executable {@code name} on {@code PATH}, or empty. */
    public static Optional<Tool> onPath(String name) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path p = Path.of(dir, name);
                if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                    return Optional.of(new Tool(p));
                }
            }
        }
        return Optional.empty();
    }

    public Path executable() {
        return executable;
    }

    /** One finished run. */
    public record Result(int exit, byte[] stdout, String stderr) {
    }

    /** Runs to completion. */
    public Result run(List<String> args) throws IOException {
        try (Running r = start(args)) {
            byte[] out = r.stdout().readAllBytes();
            return r.finish(out);
        }
    }

    /** Starts a run whose standard output the caller reads; {@link Running#finish} collects the rest. */
    public Running start(List<String> args) throws IOException {
        List<String> command = new ArrayList<>(args.size() + 1);
        command.add(executable.toString());
        command.addAll(args);
        Process p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> drain(p.getErrorStream()),
                Thread::startVirtualThread);
        return new Running(p, err, executable.getFileName() + " " + String.join(" ", args));
    }

    /** A started run. Closing it kills the process if it still runs. */
    public static final class Running implements AutoCloseable {
        private final Process process;
        private final CompletableFuture<byte[]> stderr;
        private final String what;

        Running(Process process, CompletableFuture<byte[]> stderr, String what) {
            this.process = process;
            this.stderr = stderr;
            this.what = what;
        }

        public InputStream stdout() {
            return process.getInputStream();
        }

        /** Waits for the exit; {@code out} is what the caller read (returned in the result). */
        public Result finish(byte[] out) throws IOException {
            try {
                if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    throw new IOException(what + ": no answer in " + TIMEOUT_SECONDS + " s");
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for " + what, e);
            }
            return new Result(process.exitValue(), out, new String(stderr.join(), StandardCharsets.UTF_8).strip());
        }

        @Override
        public void close() {
            if (process.isAlive()) {
                process.destroyForcibly();
            }
            try {
                process.getInputStream().close();
            } catch (IOException e) {
                // nothing more to read
            }
        }
    }

    private static byte[] drain(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
