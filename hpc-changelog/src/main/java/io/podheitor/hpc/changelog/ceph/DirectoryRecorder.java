package io.podheitor.hpc.changelog.ceph;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Writes the next {@link DirectorySet} while a job walks: every directory the walk reached ({@link #record}), and
 * the ones it pruned ({@link #pruned}), whose subtrees it did not see. {@link #commit} (after the job ended OK) adds
 * the previous set's directories below a pruned one (unchanged, since the pruned directory's rctime did not move),
 * builds the sorted hashes and makes the new generation CURRENT; {@link #abandon} (any other outcome) deletes it, so
 * that the next job works from the set of the last good job.
 *
 * <p>Memory: the paths go to a file as they come; only the pruned directories' hashes (the walk's frontier, 8
 * bytes each) are kept; the hashes are sorted in runs of {@link #RUN} and merged.
 */
public final class DirectoryRecorder implements AutoCloseable {
    /** Hashes sorted in memory at once (32 MiB). */
    static final int RUN = 4 << 20;

    private final Path dir;
    private final Path work;
    private final String generation;
    private final DataOutputStream paths;
    private final int runSize;
    private final AtomicLong recorded = new AtomicLong();
    private long[] pruned = new long[1024];
    private int prunedCount;
    private IOException failure;
    private boolean finished;

    private DirectoryRecorder(Path dir, Path work, String generation, DataOutputStream paths, int runSize) {
        this.runSize = runSize;
        this.dir = dir;
        this.work = work;
        this.generation = generation;
        this.paths = paths;
    }

    /**
     * Starts generation {@code gen-ID} in the state directory {@code dir} (its files in {@code gen-ID.tmp} until
     * the commit; a leftover of that name from a crashed job is replaced).
     */
    public static DirectoryRecorder create(Path dir, String id) throws IOException {
        return create(dir, id, RUN);
    }

    static DirectoryRecorder create(Path dir, String id, int runSize) throws IOException {
        if (!id.matches("[0-9A-Za-z_-]+")) {
            throw new IllegalArgumentException("generation id " + id);
        }
        String gen = "gen-" + id;
        Path work = dir.resolve(gen + ".tmp");
        deleteTree(work);
        Files.createDirectory(work);
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(
                Files.newOutputStream(work.resolve(DirectorySet.PATHS), StandardOpenOption.CREATE_NEW), 1 << 16));
        return new DirectoryRecorder(dir, work, gen, out, runSize);
    }

    /** A directory the walk reached (called from walker threads). */
    public void record(byte[] path) {
        synchronized (paths) {
            if (failure != null) {
                return;
            }
            try {
                paths.writeInt(path.length);
                paths.write(path);
                recorded.incrementAndGet();
            } catch (IOException e) {
                failure = e;
            }
        }
    }

    /** A directory whose subtree the walk left out (its path was {@link #record}ed too). */
    public synchronized void pruned(byte[] path) {
        if (prunedCount == pruned.length) {
            pruned = Arrays.copyOf(pruned, pruned.length * 2);
        }
        pruned[prunedCount++] = DirectorySet.hash(path);
    }

    /** Directories recorded so far. */
    public long recorded() {
        return recorded.get();
    }

    /**
     * Makes this job's set CURRENT.
     *
     * @param previous the set this job pruned by (its directories below a pruned one are carried over), or empty
     * @param started  the epoch second this job started
     * @return the new set's size
     * @throws IOException the set could not be written (the previous one stays CURRENT)
     */
    public long commit(Optional<DirectorySet> previous, long started, long jobId) throws IOException {
        finished = true;
        try {
            synchronized (paths) {
                paths.flush();
                if (failure != null) {
                    throw new IOException("the directory list could not be written: " + failure.getMessage(), failure);
                }
                long carried = 0;
                if (previous.isPresent() && prunedCount > 0) {
                    carried = carryOver(previous.get().generation().resolve(DirectorySet.PATHS));
                }
                paths.flush();
                paths.close();
                long count = recorded.get() + carried;
                writeHashes(count);
                Files.writeString(work.resolve(DirectorySet.META), "started=" + started + "\njobid=" + jobId
                        + "\ncount=" + count + "\n", StandardCharsets.US_ASCII);
                for (String f : List.of(DirectorySet.PATHS, DirectorySet.HASHES, DirectorySet.META)) {
                    fsync(work.resolve(f));
                }
                Path gen = dir.resolve(generation);
                deleteTree(gen);
                Files.move(work, gen, StandardCopyOption.ATOMIC_MOVE);
                Path tmp = dir.resolve(DirectorySet.CURRENT + ".tmp");
                Files.writeString(tmp, generation + "\n", StandardCharsets.US_ASCII);
                fsync(tmp);
                Files.move(tmp, dir.resolve(DirectorySet.CURRENT), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
                fsync(dir);
                if (previous.isPresent() && !previous.get().generation().equals(gen)) {
                    deleteTree(previous.get().generation());
                }
                return count;
            }
        } catch (IOException | RuntimeException e) {
            abandon();
            throw e;
        }
    }

    /** Drops this job's set (the job did not end OK, or the set could not be completed). */
    public void abandon() {
        finished = true;
        synchronized (paths) {
            try {
                paths.close();
            } catch (IOException ignored) {
                // deleted below
            }
        }
        try {
            deleteTree(work);
        } catch (IOException ignored) {
            // a leftover the next job of this id replaces
        }
    }

    /** Appends the previous set's directories that lie below a pruned directory; returns how many. */
    private long carryOver(Path previousPaths) throws IOException {
        long[] frontier = Arrays.copyOf(pruned, prunedCount);
        Arrays.sort(frontier);
        long n = 0;
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(previousPaths), 1 << 16))) {
            byte[] buf = new byte[4096];
            while (true) {
                int len;
                try {
                    len = in.readInt();
                } catch (EOFException e) {
                    break;
                }
                if (len < 0 || len > 1 << 20) {
                    throw new IOException(previousPaths + ": bad record length " + len);
                }
                if (buf.length < len) {
                    buf = new byte[Math.max(len, buf.length * 2)];
                }
                in.readFully(buf, 0, len);
                if (belowAny(buf, len, frontier)) {
                    paths.writeInt(len);
                    paths.write(buf, 0, len);
                    n++;
                }
            }
        }
        return n;
    }

    /** Whether a proper ancestor of {@code path[0..len)} (a prefix ending before a '/') hashes into {@code frontier}. */
    static boolean belowAny(byte[] path, int len, long[] frontier) {
        for (int i = len - 1; i > 0; i--) {
            if (path[i] == '/' && Arrays.binarySearch(frontier, DirectorySet.hash(path, 0, i)) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** The sorted hashes of every path of the paths file: runs of {@code runSize}, merged. */
    private void writeHashes(long count) throws IOException {
        List<Path> runs = new ArrayList<>();
        long[] run = new long[(int) Math.min(runSize, Math.max(1, count))];
        int fill = 0;
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(
                Files.newInputStream(work.resolve(DirectorySet.PATHS)), 1 << 16))) {
            byte[] buf = new byte[4096];
            for (long i = 0; i < count; i++) {
                int len = in.readInt();
                if (buf.length < len) {
                    buf = new byte[Math.max(len, buf.length * 2)];
                }
                in.readFully(buf, 0, len);
                run[fill++] = DirectorySet.hash(buf, 0, len);
                if (fill == run.length) {
                    runs.add(writeRun(run, fill, runs.size()));
                    fill = 0;
                }
            }
        }
        if (fill > 0 || runs.isEmpty()) {
            runs.add(writeRun(run, fill, runs.size()));
        }
        Path out = work.resolve(DirectorySet.HASHES);
        if (runs.size() == 1) {
            Files.move(runs.getFirst(), out);
            return;
        }
        merge(runs, out);
        for (Path r : runs) {
            Files.deleteIfExists(r);
        }
    }

    private Path writeRun(long[] run, int n, int index) throws IOException {
        Arrays.sort(run, 0, n);
        Path p = work.resolve("run-" + index);
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(p), 1 << 16))) {
            for (int i = 0; i < n; i++) {
                out.writeLong(run[i]);
            }
        }
        return p;
    }

    private record Head(long value, DataInputStream in, long left) {
    }

    private static void merge(List<Path> runs, Path out) throws IOException {
        PriorityQueue<Head> heap = new PriorityQueue<>(Comparator.comparingLong(Head::value));
        List<DataInputStream> open = new ArrayList<>();
        try (DataOutputStream o = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(out), 1 << 16))) {
            for (Path r : runs) {
                DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(r), 1 << 16));
                open.add(in);
                long n = Files.size(r) / Long.BYTES;
                if (n > 0) {
                    heap.add(new Head(in.readLong(), in, n - 1));
                }
            }
            while (!heap.isEmpty()) {
                Head h = heap.poll();
                o.writeLong(h.value());
                if (h.left() > 0) {
                    heap.add(new Head(h.in().readLong(), h.in(), h.left() - 1));
                }
            }
        } finally {
            for (DataInputStream in : open) {
                in.close();
            }
        }
    }

    private static void fsync(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }

    static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path x : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(x);
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    @Override
    public void close() {
        if (!finished) {
            abandon();
        }
    }
}
