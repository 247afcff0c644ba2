package io.podheitor.hpc.lustre;

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
 * The {@code lfs} tool, run as a child process: the fallback when liblustreapi cannot be loaded but the Lustre
 * client tools are installed. Output is kept as bytes (mount points are raw bytes); paths are passed as
 * {@code /proc/<pid>/fd/<n>} of a descriptor this process holds (see {@link LfsMdtLookup}), so no path goes
 * through a String.
 */
public final class Lfs {
    /** How long one lfs run may take before it is killed. */
    private static final long TIMEOUT_SECONDS = 60;

    private final Path executable;

    private Lfs(Path executable) {
        this.executable = executable;
    }

    /** The {@code lfs} found first on {@code PATH} (an executable regular file), or empty. */
    public static Optional<Lfs> onPath() {
        return onPath(System.getenv("PATH"));
    }

    /** The {@code lfs} found first on the given search path, or empty. */
    public static Optional<Lfs> onPath(String searchPath) {
        if (searchPath == null) {
            return Optional.empty();
        }
        for (String dir : searchPath.split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, "lfs");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(new Lfs(candidate));
            }
        }
        return Optional.empty();
    }

    /** This executable, when it is one. */
    public static Optional<Lfs> at(Path executable) {
        return Files.isRegularFile(executable) && Files.isExecutable(executable)
                ? Optional.of(new Lfs(executable)) : Optional.empty();
    }

    public Path executable() {
        return executable;
    }

    /** One run's outcome: the exit status, standard output as bytes, standard error as text. */
    public record Result(int exit, byte[] stdout, String stderr) {
        public Result {
            Objects.requireNonNull(stdout, "stdout");
            Objects.requireNonNull(stderr, "stderr");
        }

        /** Whether lfs said the path is not on Lustre (ENOTTY or EOPNOTSUPP, or its messages for them). */
        public boolean notLustre() {
            return exit == 25 || exit == 95 || stderr.contains("not on a Lustre")
                    || stderr.contains("Not a Lustre filesystem");
        }
    }

    /** Runs {@code lfs args...} with standard input closed. */
    public Result run(String... args) throws IOException {
        List<String> command = new ArrayList<>(args.length + 1);
        command.add(executable.toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Process p = pb.start();
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> readAll(p.getErrorStream()),
                Thread::startVirtualThread);
        byte[] out;
        try (InputStream in = p.getInputStream()) {
            out = in.readAllBytes();
        }
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(executable + " " + String.join(" ", args) + ": no answer in "
                        + TIMEOUT_SECONDS + " s");
            }
            return new Result(p.exitValue(), out, new String(err.join(), StandardCharsets.UTF_8).strip());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + executable, e);
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    @Override
    public String toString() {
        return "lfs (" + executable + ")";
    }
}
