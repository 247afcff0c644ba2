package io.podheitor.hpc.changelog.ceph;

import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.source.CatalogVerdict;
import io.podheitor.hpc.source.EntryFilter;
import java.time.Instant;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The walk filter of a CephFS rctime job (docs/ceph.md §7): before the walk goes into a directory it reads the
 * directory's {@code ceph.dir.rctime} and leaves the subtree out when nothing below it changed since the threshold
 * (the Since time of the job minus the safety margin). A directory is walked when any of these holds:
 *
 * <ul>
 *   <li>its rctime is at or after the threshold, or 0 (a new empty directory reports 0 until something changes in
 *       it), or cannot be read;
 *   <li>its own ctime or mtime is at or after the threshold (cheap: from the stat the walk already made);
 *   <li>its path is not in the previous job's {@link DirectorySet} (a renamed subtree keeps its old rctimes).
 * </ul>
 *
 * A pruned directory's entry is still delivered (stat'ed, CHECKed in an Accurate job: SEEN); in an Accurate job a
 * {@link CatalogVerdict#keep KEEP} of it tells the FD that everything below it still exists (deletions below it
 * cannot have happened: they would have moved its rctime). Every directory the walk reaches goes to the
 * {@link DirectoryRecorder} for the next job's set. Without a previous set ({@code previous} null) nothing is
 * pruned: the job walks as a POSIX walk and records the set.
 *
 * <p>Called from many walker threads: counters are atomic, verdicts go to a concurrent queue the source drains.
 */
public final class RctimePruner implements EntryFilter {
    private final Rctime.Reader reader;
    private final long thresholdNanos;
    private final long futureNanos;
    private final DirectorySet previous;
    private final DirectoryRecorder recorder;
    private final boolean verdicts;
    private final Queue<CatalogVerdict> keeps = new ConcurrentLinkedQueue<>();
    private final AtomicLong pruned = new AtomicLong();
    private final AtomicLong walked = new AtomicLong();
    private final AtomicLong zero = new AtomicLong();
    private final AtomicLong unknownPath = new AtomicLong();
    private final AtomicLong unreadable = new AtomicLong();
    private final AtomicLong future = new AtomicLong();
    private final AtomicLong xattrCalls = new AtomicLong();
    private final AtomicReference<byte[]> firstFuture = new AtomicReference<>();
    private final AtomicReference<String> firstUnreadable = new AtomicReference<>();

    /**
     * @param thresholdNanos a subtree whose rctime is before this is left out
     * @param futureNanos    an rctime after this is "in the future" (counted, reported once)
     * @param previous       the previous job's directories, or null: record only, prune nothing
     * @param recorder       where this job's directories go, or null (an estimate: nothing recorded)
     * @param verdicts       queue a KEEP for each pruned directory (an Accurate job)
     */
    public RctimePruner(Rctime.Reader reader, long thresholdNanos, long futureNanos, DirectorySet previous,
            DirectoryRecorder recorder, boolean verdicts) {
        this.reader = reader;
        this.thresholdNanos = thresholdNanos;
        this.futureNanos = futureNanos;
        this.previous = previous;
        this.recorder = recorder;
        this.verdicts = verdicts;
    }

    /**
     * The root is always walked; the pruner's owner records it here (the walk asks {@link #descends} below the root
     * only; with a snapshot the walk's root is not the path the set must name).
     */
    public void root(byte[] root) {
        if (recorder != null) {
            recorder.record(root);
        }
    }

    @Override
    public boolean descends(byte[] path, StatX dir) {
        if (recorder != null) {
            recorder.record(path);
        }
        if (previous == null) {
            walked.incrementAndGet();
            return true;
        }
        long rctime;
        try {
            xattrCalls.incrementAndGet();
            rctime = reader.nanos(path);
        } catch (PosixException | IllegalArgumentException e) {
            unreadable.incrementAndGet();
            firstUnreadable.compareAndSet(null, PathText.render(path) + ": " + e.getMessage());
            walked.incrementAndGet();
            return true;
        }
        if (rctime > futureNanos) {
            future.incrementAndGet();
            firstFuture.compareAndSet(null, path);
        }
        boolean descend;
        if (rctime <= 0) {
            zero.incrementAndGet();
            descend = true;
        } else if (rctime >= thresholdNanos || nanos(dir.ctimeSec(), dir.ctimeNsec()) >= thresholdNanos
                || nanos(dir.mtimeSec(), dir.mtimeNsec()) >= thresholdNanos) {
            descend = true;
        } else if (!previous.contains(path)) {
            unknownPath.incrementAndGet();
            descend = true;
        } else {
            descend = false;
        }
        if (descend) {
            walked.incrementAndGet();
            return true;
        }
        pruned.incrementAndGet();
        if (recorder != null) {
            recorder.pruned(path);
        }
        if (verdicts) {
            keeps.add(CatalogVerdict.keep(path));
        }
        return false;
    }

    private static long nanos(long sec, long nsec) {
        return sec * 1_000_000_000L + nsec;
    }

    /** The next KEEP of a pruned directory, or null. */
    public CatalogVerdict pollVerdict() {
        return keeps.poll();
    }

    /** Directories left out so far. */
    public long pruned() {
        return pruned.get();
    }

    /** Directories walked into so far (below the root). */
    public long walked() {
        return walked.get();
    }

    /** getxattr calls made so far (one per directory asked about, when pruning). */
    public long xattrCalls() {
        return xattrCalls.get();
    }

    /** The job-log line at the end of the job. */
    public String summary() {
        if (previous == null) {
            return String.format(Locale.ROOT, "cephfs: %,d directories walked, none pruned (no usable directory set "
                    + "of an earlier job); %,d directories recorded for the next job",
                    walked.get(), recorder == null ? 0 : recorder.recorded());
        }
        return String.format(Locale.ROOT, "cephfs: %,d directories pruned (nothing below them changed since %s), "
                + "%,d walked (%,d with rctime 0, %,d not in the earlier job's set, %,d unreadable rctime); %,d rctime "
                + "reads", pruned.get(), Instant.ofEpochSecond(Math.floorDiv(thresholdNanos, 1_000_000_000L)),
                walked.get(), zero.get(), unknownPath.get(), unreadable.get(), xattrCalls.get());
    }

    /** The job-log warning at the end of the job (future rctimes, unreadable rctimes), or null. */
    public String warning() {
        StringBuilder b = new StringBuilder();
        if (future.get() > 0) {
            b.append(String.format(Locale.ROOT, "cephfs: %,d directories have an rctime in the future (first: \"%s\"): "
                    + "a file with a future ctime pins its ancestors' rctime, and they are walked by every "
                    + "Incremental until then", future.get(), PathText.render(firstFuture.get())));
        }
        if (unreadable.get() > 0) {
            if (!b.isEmpty()) {
                b.append("; ");
            }
            b.append(String.format(Locale.ROOT, "cephfs: the rctime of %,d directories could not be read, they were "
                    + "walked (first: %s)", unreadable.get(), firstUnreadable.get()));
        }
        return b.isEmpty() ? null : b.toString();
    }
}
