package io.podheitor.hpc.cli.doctor;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts a backend launcher as the shim does (no arguments, PTCOMM on stdin/stdout) and speaks the first step of
 * every session (docs/ptcomm.md §1-2): {@code C "Hello podheitor-hpc 1"}, expecting {@code C "Hello Bacula 1"},
 * then {@code T} (the backend exits 0 after it).
 */
final class BackendProbe {
    static final String HELLO = "Hello podheitor-hpc 1";
    static final String ANSWER = "Hello Bacula 1";

    /** One daemon thread per task: the common pool may have a single worker (2 cores), and a stderr reader
     * blocked there until the process exits would starve the Hello. */
    static final java.util.concurrent.Executor THREADS = r -> Thread.ofPlatform().daemon().start(r);

    private BackendProbe() {
    }

    /** The result: null problem = it answered; seconds from start to the answer. */
    record Result(String problem, double seconds) {
    }

    static Result hello(Path launcher, long timeoutMs) {
        long start = System.nanoTime();
        Process p;
        try {
            ProcessBuilder pb = new ProcessBuilder(launcher.toString());
            pb.redirectError(ProcessBuilder.Redirect.PIPE);
            p = pb.start();
        } catch (IOException e) {
            return new Result("cannot start " + launcher + ": " + e.getMessage(), 0);
        }
        CompletableFuture<byte[]> err = CompletableFuture.supplyAsync(() -> {
            try (InputStream in = p.getErrorStream()) {
                return in.readAllBytes();
            } catch (IOException e) {
                return new byte[0];
            }
        }, THREADS);
        CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> {
            try {
                OutputStream out = p.getOutputStream();
                out.write(frame('C', HELLO));
                out.flush();
                String f = readFrame(p.getInputStream());
                for (int i = 0; i < 16 && (f.startsWith("I ") || f.startsWith("W ")); i++) {
                    f = readFrame(p.getInputStream());     // info/warning frames are transparent (§1)
                }
                return f;
            } catch (IOException e) {
                return "(" + e.getMessage() + ")";
            }
        }, THREADS);
        String got;
        try {
            got = answer.get(timeoutMs, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            p.destroyForcibly();
            return new Result("no answer to Hello within " + timeoutMs / 1000 + " s" + stderr(err), seconds(start));
        } catch (InterruptedException | ExecutionException e) {
            p.destroyForcibly();
            return new Result("Hello failed: " + e, seconds(start));
        }
        double s = seconds(start);
        try {
            p.getOutputStream().write(frame('T', ""));
            p.getOutputStream().close();
        } catch (IOException ignored) {
            // it may be gone already; the exit status tells
        }
        int status;
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result("answered Hello but did not exit within 10 s of T", s);
            }
            status = p.exitValue();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            return new Result("interrupted", s);
        }
        if (!("C " + ANSWER).equals(got)) {
            return new Result("wrong answer to Hello: " + got + " (exit status " + status + ")" + stderr(err), s);
        }
        if (status != 0) {
            return new Result("answered Hello but exited with status " + status + " after T" + stderr(err), s);
        }
        return new Result(null, s);
    }

    private static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    private static String stderr(CompletableFuture<byte[]> err) {
        try {
            byte[] b = err.get(2, TimeUnit.SECONDS);
            String s = new String(b, StandardCharsets.UTF_8).strip();
            if (s.isEmpty()) {
                return "";
            }
            s = s.replace('\n', ' ');
            return "; its stderr: " + (s.length() > 300 ? s.substring(0, 300) + "..." : s);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            return "";
        }
    }

    static byte[] frame(char status, String payload) {
        byte[] p = payload.getBytes(StandardCharsets.UTF_8);
        byte[] h = String.format("%c%06d\n", status, p.length).getBytes(StandardCharsets.US_ASCII);
        byte[] f = new byte[h.length + p.length];
        System.arraycopy(h, 0, f, 0, h.length);
        System.arraycopy(p, 0, f, h.length, p.length);
        return f;
    }

    /** "LETTER payload" of the next frame, or "(why not)". */
    static String readFrame(InputStream in) throws IOException {
        byte[] h = in.readNBytes(8);
        if (h.length < 8) {
            return "(the backend closed the connection after " + h.length + " bytes)";
        }
        String head = new String(h, StandardCharsets.US_ASCII);
        if (h[7] != '\n' || !head.substring(1, 7).chars().allMatch(Character::isDigit)) {
            return "(not a PTCOMM header: " + head.replace("\n", "\\n") + ")";
        }
        int len = Integer.parseInt(head.substring(1, 7));
        byte[] p = in.readNBytes(Math.min(len, 4096));
        String text = new String(p, StandardCharsets.UTF_8);
        if (text.endsWith("\n")) {
            text = text.substring(0, text.length() - 1);
        }
        return (char) h[0] + " " + text;
    }
}
