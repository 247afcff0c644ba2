package io.podheitor.hpc.changelog.lustre;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The changelog commands of {@code lfs} and {@code lctl}: read records ({@code lfs changelog MDT START}), clear
 * them for a consumer ({@code lfs changelog_clear MDT ID END}), and list consumers
 * ({@code lctl get_param mdd.MDT.changelog_users}, which answers only on a server that holds the MDT).
 */
public final class LustreChangelogTools {
    private final Tool lfs;
    private final Optional<Tool> lctl;

    public LustreChangelogTools(Tool lfs, Optional<Tool> lctl) {
        this.lfs = lfs;
        this.lctl = lctl;
    }

    public Tool lfs() {
        return lfs;
    }

    /** A running {@code lfs changelog MDT START}: read records from {@link #reader()}, then {@link #finish()}. */
    public static final class Stream implements AutoCloseable {
        private final Tool.Running running;
        private final ChangelogReader reader;

        Stream(Tool.Running running) {
            this.running = running;
            this.reader = new ChangelogReader(running.stdout());
        }

        public ChangelogReader reader() {
            return reader;
        }

        /** Waits for lfs; a non-zero exit is an {@link IOException} with its message. */
        public void finish() throws IOException {
            running.stdout().transferTo(java.io.OutputStream.nullOutputStream());
            Tool.Result r = running.finish(new byte[0]);
            if (r.exit() != 0) {
                throw new ToolFailedException("lfs changelog", r.exit(), r.stderr());
            }
        }

        @Override
        public void close() {
            running.close();
        }
    }

    /** Starts {@code lfs changelog MDT START} (records from START on). */
    public Stream changelog(String mdt, long start) throws IOException {
        return new Stream(lfs.start(List.of("changelog", mdt, Long.toUnsignedString(start))));
    }

    /** What a clear answered. */
    public enum ClearResult {
        CLEARED,
        /** lfs said the consumer is not registered (ENOENT): it was deregistered or garbage-collected. */
        NO_SUCH_CONSUMER
    }

    /** {@code lfs changelog_clear MDT ID END}: records up to END are no longer needed by ID. */
    public ClearResult clear(String mdt, String consumer, long end) throws IOException {
        Tool.Result r = lfs.run(List.of("changelog_clear", mdt, consumer, Long.toUnsignedString(end)));
        if (r.exit() == 0) {
            return ClearResult.CLEARED;
        }
        if (r.exit() == 2 || r.stderr().contains("No such file or directory") || r.stderr().contains("no changelog user")) {
            return ClearResult.NO_SUCH_CONSUMER;
        }
        throw new ToolFailedException("lfs changelog_clear", r.exit(), r.stderr());
    }

    /**
     * The consumers of {@code mdt} by {@code lctl get_param}, or empty when lctl is absent or cannot answer here
     * (the parameter exists only where the MDT is served).
     */
    public Optional<ChangelogUsers.Mdt> users(String mdt) throws IOException {
        if (lctl.isEmpty()) {
            return Optional.empty();
        }
        Tool.Result r = lctl.get().run(List.of("get_param", "mdd." + mdt + ".changelog_users"));
        if (r.exit() != 0 || r.stdout().length == 0) {
            return Optional.empty();
        }
        Map<String, ChangelogUsers.Mdt> all = ChangelogUsers.parse(r.stdout(), mdt);
        return Optional.ofNullable(all.get(mdt));
    }

    /** A tool exited non-zero. */
    public static final class ToolFailedException extends IOException {
        private static final long serialVersionUID = 1L;
        private final int exit;

        public ToolFailedException(String what, int exit, String stderr) {
            super(what + " failed (exit " + exit + ")" + (stderr.isEmpty() ? "" : ": " + stderr));
            this.exit = exit;
        }

        public int exit() {
            return exit;
        }
    }

    static String ascii(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }
}
