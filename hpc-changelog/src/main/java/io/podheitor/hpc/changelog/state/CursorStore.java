package io.podheitor.hpc.changelog.state;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The changelog cursors of one FileSet + shard in its state directory (docs/changelog.md §3): the file
 * {@code changelog-SHARD.cursor}, guarded by an exclusive lock on {@code changelog-SHARD.lock} held from
 * {@link #open} to {@link #close}. Different shards use different files, so their jobs run at once; a second
 * job of the same shard waits for the lock, up to a limit.
 *
 * <p>Two phases: {@link #markPending} records what a run has read; {@link #commit} (only once the Bacula job is
 * known to have ended OK) moves pending to committed, then clears the records on the MDS; {@link #abandon}
 * (a failed or cancelled job) drops pending, so the next run reads the same records again. Committed is written
 * before the clear: a crash between the two leaves records the MDS still holds, never a cursor behind purged
 * records.
 */
public final class CursorStore implements AutoCloseable {
    private static final Pattern SHARD = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

    private final Path file;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private CursorState state;

    private CursorStore(Path file, FileChannel lockChannel, FileLock lock) throws IOException {
        this.file = file;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.state = CursorFile.read(file);
    }

    /**
     * Opens the cursor of {@code shard} (e.g. {@code all}, {@code 2of8}) in {@code dir} (created if missing),
     * waiting up to {@code wait} for another job of the same shard to release it.
     */
    public static CursorStore open(Path dir, String shard, Duration wait) throws IOException {
        CursorFile.checked(SHARD, shard, "shard name");
        Files.createDirectories(dir);
        Path lockFile = dir.resolve("changelog-" + shard + ".lock");
        FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            while (true) {
                FileLock l = null;
                try {
                    l = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    // held by this process (another store of the same shard): wait like for another process
                }
                if (l != null) {
                    return new CursorStore(dir.resolve("changelog-" + shard + ".cursor"), ch, l);
                }
                if (System.nanoTime() >= deadline) {
                    throw new IOException("changelog state of shard " + shard + " in " + dir
                            + " is in use by another job (waited " + wait.toSeconds() + " s)");
                }
                Thread.sleep(50);
            }
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        } catch (InterruptedException e) {
            ch.close();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for the changelog state lock", e);
        }
    }

    public Path file() {
        return file;
    }

    public CursorState state() {
        return state;
    }

    /**
     * Where the run on {@code mdt} starts for {@code consumer}: after the committed cursor, or a full walk when
     * there is none, it belongs to another consumer, a clear found the consumer gone, or (when the consumer list
     * can be read here) the consumer is not listed or the MDT's current index is below the cursor.
     */
    public StartPoint start(String mdt, String consumer, Optional<ChangelogUsersView> users) throws IOException {
        CursorFile.checked(CursorFile.MDT, mdt, "MDT");
        CursorFile.checked(CursorFile.CONSUMER, consumer, "consumer id");
        Long committed = state.committed().get(mdt);
        if (state.consumer() != null && !state.consumer().equals(consumer)) {
            return new StartPoint.FullWalk(mdt, FullWalkReason.CONSUMER_CHANGED, "changelog consumer changed from "
                    + state.consumer() + " to " + consumer + ": full walk of " + mdt);
        }
        if (state.consumerLost().contains(mdt)) {
            return new StartPoint.FullWalk(mdt, FullWalkReason.CONSUMER_GONE, "changelog consumer " + consumer
                    + " is no longer registered on " + mdt + " (a clear failed): register a new one; full walk");
        }
        if (users.isPresent()) {
            ChangelogUsersView u = users.get();
            if (!u.listed(consumer)) {
                return new StartPoint.FullWalk(mdt, FullWalkReason.CONSUMER_GONE, "changelog consumer " + consumer
                        + " is not registered on " + mdt + " (garbage-collected after idling?): full walk");
            }
            if (committed != null && u.currentIndex() < committed) {
                return new StartPoint.FullWalk(mdt, FullWalkReason.RESET, mdt + " changelog index "
                        + u.currentIndex() + " is below the cursor " + committed + ": full walk");
            }
        }
        if (committed == null) {
            return new StartPoint.FullWalk(mdt, FullWalkReason.NO_CURSOR,
                    "no changelog cursor for " + mdt + " yet: full walk");
        }
        return new StartPoint.Incremental(mdt, committed + 1);
    }

    /** What {@link #start} needs from the MDS's consumer list ({@code lctl get_param mdd.MDT.changelog_users}). */
    public interface ChangelogUsersView {
        boolean listed(String consumer);

        long currentIndex();
    }

    /**
     * Records that this run has read {@code mdt} up to {@code lastRecord} (for a full walk: the MDT's last record
     * before the walk began), for {@code consumer}. Written to disk at once; committed only by {@link #commit}.
     */
    public void markPending(String consumer, Map<String, Long> lastRecords, Instant now) throws IOException {
        CursorFile.checked(CursorFile.CONSUMER, consumer, "consumer id");
        Map<String, Long> committed = new HashMap<>(state.committed());
        Set<String> lost = new HashSet<>(state.consumerLost());
        if (state.consumer() != null && !state.consumer().equals(consumer)) {
            committed.clear();
            lost.clear();
        }
        Map<String, Long> pending = new HashMap<>();
        for (Map.Entry<String, Long> e : lastRecords.entrySet()) {
            CursorFile.checked(CursorFile.MDT, e.getKey(), "MDT");
            if (e.getValue() < 0) {
                throw new IllegalArgumentException("negative record number for " + e.getKey());
            }
            pending.put(e.getKey(), e.getValue());
            lost.remove(e.getKey());
        }
        replace(new CursorState(consumer, now, committed, pending, lost));
    }

    /** The outcome of a commit on one MDT. */
    public record Cleared(String mdt, long record, Status status, String message) {
        public enum Status {
            CLEARED,
            /** The consumer is gone: the cursor is kept, the next run walks. */
            CONSUMER_GONE,
            /** The clear failed otherwise: the records stay on the MDS, the next commit clears them. */
            FAILED
        }
    }

    /**
     * The job ended OK: pending becomes committed (written first), then each MDT's records up to it are cleared.
     * Nothing pending: nothing happens.
     */
    public List<Cleared> commit(Clearer clearer) throws IOException {
        if (state.pending().isEmpty()) {
            return List.of();
        }
        Map<String, Long> committed = new HashMap<>(state.committed());
        committed.putAll(state.pending());
        Map<String, Long> cleared = new HashMap<>(state.pending());
        replace(new CursorState(state.consumer(), state.lastRun(), committed, Map.of(), state.consumerLost()));
        List<Cleared> out = new ArrayList<>();
        Set<String> lost = new HashSet<>(state.consumerLost());
        for (Map.Entry<String, Long> e : new java.util.TreeMap<>(cleared).entrySet()) {
            if (e.getValue() == 0) {
                // nothing to clear, and to lfs a clear up to 0 means "up to the last record": never sent
                out.add(new Cleared(e.getKey(), 0, Cleared.Status.CLEARED, "nothing to clear"));
                continue;
            }
            try {
                if (clearer.clear(e.getKey(), state.consumer(), e.getValue())) {
                    out.add(new Cleared(e.getKey(), e.getValue(), Cleared.Status.CLEARED, ""));
                } else {
                    lost.add(e.getKey());
                    out.add(new Cleared(e.getKey(), e.getValue(), Cleared.Status.CONSUMER_GONE, "changelog consumer "
                            + state.consumer() + " is not registered on " + e.getKey()));
                }
            } catch (IOException ex) {
                out.add(new Cleared(e.getKey(), e.getValue(), Cleared.Status.FAILED, ex.getMessage()));
            }
        }
        if (!lost.equals(state.consumerLost())) {
            replace(new CursorState(state.consumer(), state.lastRun(), state.committed(), Map.of(), lost));
        }
        return out;
    }

    /** The job failed or was cancelled: forget what it read, so the next run reads it again. */
    public void abandon() throws IOException {
        if (!state.pending().isEmpty()) {
            replace(new CursorState(state.consumer(), state.lastRun(), state.committed(), Map.of(),
                    state.consumerLost()));
        }
    }

    private void replace(CursorState next) throws IOException {
        CursorFile.write(file, next);
        state = next;
    }

    @Override
    public void close() throws IOException {
        try {
            lock.release();
        } finally {
            lockChannel.close();
        }
    }
}
