package io.podheitor.hpc.backend.throttle;

import io.podheitor.hpc.backend.backup.Pacing;
import io.podheitor.hpc.ptcomm.throttle.ThrottleFile;
import io.podheitor.hpc.ptcomm.throttle.ThrottleValues;
import io.podheitor.hpc.walker.WalkLimits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Watches throttle.toml for one job (docs/throttle.md §3): checks it every {@code period} (5 s in a job; mtime,
 * size and inode first, then a SHA-256 of the content), parses it strictly ({@link ThrottleFile#parse}) and
 * publishes the values the job applies: the walk reads them through {@link #walkLimits()}, the emitter through
 * {@link #pacing()}. A malformed, torn or out-of-range file keeps the last good values, with one warning per
 * distinct content; a missing file means the job's own values (no throttling). Every change of the values applied
 * is one job-log line, handed to the emitter (which alone writes frames) through {@link Pacing#lines()}.
 */
public final class ThrottleWatcher implements AutoCloseable {
    /** The check interval of a job. */
    public static final long PERIOD_MS = 5000;
    /** The emitter pauses after every this many entries. */
    public static final int PAUSE_BATCH = 256;

    private final Path file;
    private final int jobThreads;
    private final long jobReadBuffer;
    private final ConcurrentLinkedQueue<Pacing.Line> lines = new ConcurrentLinkedQueue<>();
    private final Set<String> warned = new HashSet<>();
    private volatile ThrottleValues good; // null: the file is missing (or was never good): the job's own values
    private Object lastKey; // mtime, size, inode of the content last read
    private String lastHash;
    private ScheduledExecutorService timer;

    /**
     * @param file          the throttle file (plugin key throttle_file)
     * @param jobThreads    the walker threads of the job (plugin key threads): the file only lowers them
     * @param jobReadBuffer the job's read-ahead budget in bytes: the file only lowers it
     */
    public ThrottleWatcher(Path file, int jobThreads, long jobReadBuffer) {
        this.file = file;
        this.jobThreads = jobThreads;
        this.jobReadBuffer = jobReadBuffer;
    }

    /** Checks now, then every {@code periodMs} on a daemon thread until {@link #close()}. */
    public ThrottleWatcher start(long periodMs) {
        check();
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "podheitor-throttle");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(this::check, periodMs, periodMs, TimeUnit.MILLISECONDS);
        return this;
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
    }

    /** One check of the file (the timer's, or a test's). */
    public synchronized void check() {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            lastKey = null;
            lastHash = null;
            apply(null, file + " is gone: the job's own values");
            return;
        } catch (IOException | RuntimeException e) {
            warnOnce("stat:" + e.getMessage(), "cannot read " + file + ": " + e.getMessage());
            return;
        }
        Object key = List.of(a.lastModifiedTime(), a.size(), Objects.toString(a.fileKey()));
        if (key.equals(lastKey)) {
            return;
        }
        byte[] content;
        try (InputStream in = Files.newInputStream(file)) {
            content = in.readNBytes(ThrottleFile.MAX_BYTES + 1);
        } catch (NoSuchFileException e) {
            return; // renamed away between the stat and the open: the next check sees what replaced it
        } catch (IOException e) {
            warnOnce("read:" + e.getMessage(), "cannot read " + file + ": " + e.getMessage());
            return;
        }
        lastKey = key;
        String hash = sha256(content);
        if (hash.equals(lastHash)) {
            return;
        }
        lastHash = hash;
        try {
            apply(ThrottleFile.parse(content), null);
        } catch (ThrottleFile.BadThrottleFile e) {
            warnOnce(hash, file + " ignored: " + e.getMessage());
        }
    }

    private void apply(ThrottleValues v, String why) {
        ThrottleValues before = good;
        good = v;
        String a = describe(before);
        String b = describe(v);
        if (!a.equals(b)) {
            lines.add(new Pacing.Line(false, "throttle: " + change(before, v) + (why == null ? "" : " (" + why + ")")));
        }
    }

    private void warnOnce(String what, String text) {
        if (warned.add(what)) {
            lines.add(new Pacing.Line(true, "throttle: " + text + "; keeping " + describe(good)));
        }
    }

    /** The values applied now: threads, read buffer, pause. */
    private String describe(ThrottleValues v) {
        return "threads " + threads(v) + ", read buffer " + readBufferKib(v) + " KiB, pause " + pauseMs(v) + " ms";
    }

    private String change(ThrottleValues from, ThrottleValues to) {
        return "threads " + threads(from) + " -> " + threads(to) + ", read buffer " + readBufferKib(from) + " -> "
                + readBufferKib(to) + " KiB, pause " + pauseMs(from) + " -> " + pauseMs(to) + " ms per "
                + PAUSE_BATCH + " entries";
    }

    private int threads(ThrottleValues v) {
        return v == null ? jobThreads : Math.min(jobThreads, v.threads());
    }

    private long readBufferKib(ThrottleValues v) {
        return (v == null ? jobReadBuffer : Math.min(jobReadBuffer, v.readBufferBytes())) / 1024;
    }

    private static int pauseMs(ThrottleValues v) {
        return v == null ? 0 : v.pauseMs();
    }

    /** The last good values, or null (the job's own). */
    public ThrottleValues current() {
        return good;
    }

    /** What the walk consults: the file's threads and read buffer, or no limit. */
    public WalkLimits walkLimits() {
        return new WalkLimits() {
            @Override
            public int threads() {
                ThrottleValues v = good;
                return v == null ? Integer.MAX_VALUE : v.threads();
            }

            @Override
            public long readAheadBudget() {
                ThrottleValues v = good;
                return v == null ? Long.MAX_VALUE : v.readBufferBytes();
            }
        };
    }

    /** What the emitter consults: the pause after every {@value #PAUSE_BATCH} entries and the job-log lines. */
    public Pacing pacing() {
        return new Pacing() {
            private int count;

            @Override
            public void entryDone() throws InterruptedException {
                if (++count < PAUSE_BATCH) {
                    return;
                }
                count = 0;
                ThrottleValues v = good;
                if (v != null && v.pauseMs() > 0) {
                    Thread.sleep(v.pauseMs());
                }
            }

            @Override
            public List<Pacing.Line> lines() {
                if (lines.isEmpty()) {
                    return List.of();
                }
                List<Pacing.Line> out = new ArrayList<>();
                for (Pacing.Line l; (l = lines.poll()) != null; ) {
                    out.add(l);
                }
                return out;
            }
        };
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
