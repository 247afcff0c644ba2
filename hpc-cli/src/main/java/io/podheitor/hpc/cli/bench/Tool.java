package io.podheitor.hpc.cli.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One contender of {@code bench walk}: an external command whose output lines are counted (find, fdfind) or
 * our walker (a fresh {@code podheitor-hpc walk} process, JVM start included, whose "entries:" line is read).
 */
record Tool(String name, List<String> command, boolean walker) {
    private static final Pattern ENTRIES = Pattern.compile("(?m)^entries:\\s+(\\d+)");

    /** One timed run: the entries it reported and the wall time in seconds. */
    record Result(long entries, double seconds, int exitStatus, String errorTail) {
    }

    Result run() throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.redirectError(ProcessBuilder.Redirect.PIPE);
        long start = System.nanoTime();
        Process p = pb.start();
        StringBuilder err = new StringBuilder();
        Thread drainErr = Thread.ofPlatform().daemon().start(() -> {
            try (InputStream in = p.getErrorStream()) {
                byte[] b = in.readAllBytes();
                synchronized (err) {
                    err.append(new String(b, 0, b.length, StandardCharsets.UTF_8));
                }
            } catch (IOException ignored) {
                // the process is gone
            }
        });
        long lines = 0;
        StringBuilder text = walker ? new StringBuilder() : null;
        byte[] buf = new byte[1 << 16];
        try (InputStream in = p.getInputStream()) {
            for (int n; (n = in.read(buf)) > 0; ) {
                if (walker) {
                    text.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                } else {
                    for (int i = 0; i < n; i++) {
                        if (buf[i] == '\n') {
                            lines++;
                        }
                    }
                }
            }
        }
        int status = p.waitFor();
        double seconds = (System.nanoTime() - start) / 1e9;
        drainErr.join();
        long entries = lines;
        if (walker) {
            Matcher m = ENTRIES.matcher(text);
            entries = m.find() ? Long.parseLong(m.group(1)) : -1;
        }
        String tail;
        synchronized (err) {
            tail = err.length() > 400 ? err.substring(err.length() - 400) : err.toString();
        }
        return new Result(entries, seconds, status, tail.strip());
    }

    static Tool find(String path) {
        return new Tool("find", List.of("find", path, "-printf", "%s %T@ %m %U %G\\n"), false);
    }

    /**
     * fdfind with a metadata filter: {@code --changed-before 1s} makes fd statx every entry (files and
     * directories, once each; checked with strace), and matches everything older than a second.
     */
    static Tool fdfind(String path, Integer threads) {
        List<String> c = new ArrayList<>(List.of("fdfind", "-u", "-H", "--changed-before", "1s"));
        if (threads != null) {
            c.add("-j");
            c.add(Integer.toString(threads));
        }
        c.add(".");
        c.add(path);
        return new Tool(threads == null ? "fdfind" : "fdfind-j" + threads, c, false);
    }

    static Tool walker(List<String> launcher, String path, int threads, List<String> walkArgs) {
        List<String> c = new ArrayList<>(launcher);
        c.addAll(List.of("walk", "--threads", Integer.toString(threads)));
        c.addAll(walkArgs);
        c.add(path);
        return new Tool("walker-t" + threads, c, true);
    }
}
