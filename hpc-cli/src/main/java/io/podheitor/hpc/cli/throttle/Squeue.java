package io.podheitor.hpc.cli.throttle;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code squeue -h -t R -o %Q}: the priorities of the running jobs, one decimal integer a line. Anything else
 * (a failed or hung squeue, a line that is not a priority) is a {@link Failed} with one line saying why.
 *
 * @param program the squeue program (a name looked up on PATH, or a path)
 * @param timeoutSeconds how long squeue may take
 */
record Squeue(String program, long timeoutSeconds) {
    static final List<String> ARGS = List.of("-h", "-t", "R", "-o", "%Q");
    private static final int MAX_OUTPUT = 64 << 20;

    static final class Failed extends Exception {
        private static final long serialVersionUID = 1L;

        Failed(String message) {
            super(message);
        }
    }

    List<Long> runningPriorities() throws Failed, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(program);
        cmd.addAll(ARGS);
        Process p;
        try {
            p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new Failed("cannot run " + program + ": " + e.getMessage());
        }
        try {
            // stderr drained by its own thread, so a chatty squeue never blocks on a full pipe
            ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
            Thread errReader = Thread.ofVirtual().start(() -> drain(p.getErrorStream(), errBytes, 4096));
            ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
            Thread outReader = Thread.ofVirtual().start(() -> drain(p.getInputStream(), outBytes, MAX_OUTPUT));
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new Failed(program + " did not answer within " + timeoutSeconds + " s");
            }
            outReader.join();
            errReader.join();
            if (p.exitValue() != 0) {
                String why = firstLine(errBytes.toString(StandardCharsets.UTF_8));
                throw new Failed(program + " exited with status " + p.exitValue() + (why.isEmpty() ? "" : ": " + why));
            }
            if (outBytes.size() >= MAX_OUTPUT) {
                throw new Failed(program + " printed more than " + MAX_OUTPUT + " bytes");
            }
            return parse(outBytes.toString(StandardCharsets.UTF_8));
        } finally {
            p.destroyForcibly();
        }
    }

    /** The priorities in squeue's output; blank lines are skipped, anything else that is not a number fails. */
    static List<Long> parse(String output) throws Failed {
        List<Long> out = new ArrayList<>();
        int lineNo = 0;
        for (String line : output.split("\n", -1)) {
            lineNo++;
            String t = line.strip();
            if (t.isEmpty()) {
                continue;
            }
            if (t.length() > 18 || !t.chars().allMatch(c -> c >= '0' && c <= '9')) {
                throw new Failed("squeue line " + lineNo + " is not a priority: \"" + abbreviate(t) + "\"");
            }
            out.add(Long.parseLong(t));
        }
        return out;
    }

    private static void drain(InputStream in, ByteArrayOutputStream to, int max) {
        byte[] buf = new byte[8192];
        try (in) {
            for (int n; (n = in.read(buf)) > 0; ) {
                if (to.size() < max) {
                    to.write(buf, 0, Math.min(n, max - to.size()));
                }
            }
        } catch (IOException e) {
            // the process was killed: what was read is what there is
        }
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return abbreviate(nl < 0 ? t : t.substring(0, nl));
    }

    private static String abbreviate(String s) {
        String clean = s.codePoints().map(c -> c < 0x20 || c == 0x7f ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return clean.length() <= 80 ? clean : clean.substring(0, 77) + "...";
    }
}
