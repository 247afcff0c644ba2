package io.podheitor.hpc.changelog.beegfs;

import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.source.CatalogVerdict;
import io.podheitor.hpc.source.Entry;
import io.podheitor.hpc.source.EntryError;
import io.podheitor.hpc.source.EntryFilter;
import io.podheitor.hpc.source.EntrySource;
import io.podheitor.hpc.source.Ordering;
import io.podheitor.hpc.source.SourceEnd;
import io.podheitor.hpc.source.SourceItem;
import io.podheitor.hpc.source.SourceStats;
import io.podheitor.hpc.walker.Paths;
import io.podheitor.hpc.walker.Walk;
import io.podheitor.hpc.walker.WalkOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The walk of a {@code mode=beegfs} job (docs/changelog.md §6): one lane per metadata target, each walking the top
 * directories its target owns ({@link OwnerPartition}) with its own {@link Walk} and threads, so a slow metadata
 * server holds up only its own lane; a walk of the root itself lists the root, delivers its other children and
 * walks any top directory the partition does not name (made since), and hands each named top directory to its
 * lane at the moment it lists it, with the filter's decisions for it taken exactly as the plain walk takes them
 * ({@code admitsName}, {@code admitsListed}, the mount check, {@code descends}).
 *
 * <p>Every item goes through one bounded channel. Order: each top directory's items come in its own walk's
 * post-order (the directory last); the root's entry, the only item held back, goes after every lane ended, so
 * {@link Ordering#DIRECTORIES_AFTER_CONTENTS} holds. Memory: the channel, each walk's own bounded channel (the
 * depth split over the walks) and read-ahead budget (split too), and one more budget for read-ahead data waiting
 * in the merged channel.
 */
public final class PerTargetWalk implements EntrySource {
    private static final Unit NO_MORE = new Unit(new byte[0], false);

    /** A top directory handed to a lane, with whether the plain walk would have delivered its entry. */
    private record Unit(byte[] path, boolean delivered) {
    }

    private final byte[] root;
    private final EntryFilter filter;
    private final boolean crossMounts;
    private final OwnerPartition partition;
    private final TargetReport report;
    private final WalkOptions sub;
    private final int threads;
    private final BlockingQueue<SourceItem> out;
    private final int mergedBudget;
    private final Semaphore mergedSpace;
    private final List<BlockingQueue<Unit>> queues = new ArrayList<>();
    private final Set<Walk> active = ConcurrentHashMap.newKeySet();
    private final List<Thread> producers = new ArrayList<>();
    private final AtomicInteger remaining;
    private final AtomicLong entries = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final LongAdder finishedStatCalls = new LongAdder();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile long rootDev = Long.MIN_VALUE;
    private volatile Entry heldRoot;
    private volatile boolean cancelled;
    private volatile Walk rootWalk;
    private volatile byte[] largestDirectory;
    private volatile long largestEntries = -1;
    private SourceEnd end;

    private PerTargetWalk(byte[] root, WalkOptions options, OwnerPartition partition, TargetReport report) {
        this.root = Paths.normalize(root);
        this.filter = options.filter();
        this.crossMounts = options.crossMounts();
        this.partition = partition;
        this.report = report;
        int lanes = partition.lanes().size();
        int per = Math.max(2, options.threads() / Math.max(1, lanes));
        this.threads = per * (lanes + 1);
        this.sub = options.withThreads(per).withChannelDepth(Math.max(64, options.channelDepth() / (lanes + 1)))
                .withReadAhead(options.readAheadMax(), options.readAheadBudget() / (lanes + 1));
        this.out = new ArrayBlockingQueue<>(options.channelDepth());
        this.mergedBudget = (int) Math.min(Integer.MAX_VALUE, options.readAheadBudget());
        this.mergedSpace = new Semaphore(mergedBudget);
        this.remaining = new AtomicInteger(lanes + 1);
        for (int i = 0; i < lanes; i++) {
            queues.add(new LinkedBlockingQueue<>());
        }
    }

    /**
     * Starts: the root's walk and one lane per entry of the partition.
     *
     * @param options the plain walk's options (its threads are split over the lanes, at least 2 each; its filter is
     *                asked exactly as the plain walk asks it)
     */
    public static PerTargetWalk start(byte[] root, WalkOptions options, OwnerPartition partition, TargetReport report) {
        PerTargetWalk w = new PerTargetWalk(root, options, partition, report);
        w.rootWalk = Walk.start(w.root, w.sub.withFilter(w.new RootFilter()));
        w.producers.add(Thread.ofPlatform().daemon().name("podheitor-beegfs-root").unstarted(w::runRoot));
        for (int i = 0; i < partition.lanes().size(); i++) {
            int lane = i;
            w.producers.add(Thread.ofPlatform().daemon().name("podheitor-beegfs-" + partition.lanes().get(i).name())
                    .unstarted(() -> w.runLane(lane)));
        }
        w.producers.forEach(Thread::start);
        return w;
    }

    // ------------------------------------------------------------------ consumer side

    @Override
    public Ordering ordering() {
        return Ordering.DIRECTORIES_AFTER_CONTENTS;
    }

    @Override
    public SourceItem take() throws InterruptedException {
        if (end != null) {
            return end;
        }
        return remember(out.take());
    }

    @Override
    public SourceItem poll() {
        if (end != null) {
            return end;
        }
        SourceItem item = out.poll();
        return item == null ? null : remember(item);
    }

    private SourceItem remember(SourceItem item) {
        if (item instanceof SourceEnd e) {
            end = e;
        } else if (item instanceof Entry e && e.data() != null) {
            mergedSpace.release(Math.min(e.data().length, mergedBudget));
        }
        return item;
    }

    @Override
    public SourceStats stats() {
        long stats = finishedStatCalls.sum();
        Walk r = rootWalk;
        byte[] largest = largestDirectory;
        long most = largestEntries;
        if (r != null) {
            stats += r.statCallsSoFar();
            SourceStats rs = r.stats();
            if (rs.largestDirectory() != null && rs.largestEntries() > most) {
                largest = rs.largestDirectory();
                most = rs.largestEntries();
            }
        }
        for (Walk w : active) {
            stats += w.statCallsSoFar();
        }
        return new SourceStats(entries.get(), errors.get(), largest, Math.max(0, most), threads, stats);
    }

    @Override
    public void cancel() {
        stop();
        finish(null, true);
    }

    @Override
    public void close() {
        if (!ended.get()) {
            cancel();
        }
        Walk r = rootWalk;
        if (r != null) {
            r.close();
        }
    }

    // ------------------------------------------------------------------ producers

    private void runRoot() {
        try {
            SourceEnd e = forward(rootWalk, true);
            for (BlockingQueue<Unit> q : queues) {
                q.add(NO_MORE);
            }
            if (!e.completed()) {
                if (e.failure() != null) {
                    fail(e.failure());
                }
                return;
            }
            done();
        } catch (InterruptedException e) {
            // cancelled
        } catch (Throwable t) {
            fail(t);
        }
    }

    private void runLane(int lane) {
        long t0 = System.nanoTime();
        long dirs = 0;
        long delivered = 0;
        long failed = 0;
        try {
            for (Unit u; (u = queues.get(lane).take()) != NO_MORE; ) {
                Walk w = Walk.start(u.path(), sub.withFilter(new UnitFilter(u)));
                active.add(w);
                try {
                    if (cancelled) {
                        return;
                    }
                    SourceEnd e = forward(w, false);
                    delivered += e.entries();
                    failed += e.errors();
                    if (!e.completed()) {
                        if (e.failure() != null) {
                            fail(e.failure());
                        }
                        return;
                    }
                    dirs++;
                } finally {
                    active.remove(w);
                    absorb(w);
                    w.close();
                }
            }
            report.lane(lane, dirs, delivered, failed, System.nanoTime() - t0);
            done();
        } catch (InterruptedException e) {
            // cancelled
        } catch (Throwable t) {
            fail(t);
        }
    }

    /** Moves one walk's items into the channel until its end (the root's entry is held back). */
    private SourceEnd forward(Walk w, boolean isRoot) throws InterruptedException {
        while (true) {
            SourceItem item = w.take();
            if (item instanceof SourceEnd e) {
                return e;
            }
            if (isRoot && item instanceof Entry e && Arrays.equals(e.path(), root)) {
                heldRoot = e;
                continue;
            }
            put(item);
        }
    }

    private void absorb(Walk w) {
        SourceStats s = w.stats();
        finishedStatCalls.add(s.statCalls());
        synchronized (this) {
            if (s.largestDirectory() != null && s.largestEntries() > largestEntries) {
                largestDirectory = s.largestDirectory();
                largestEntries = s.largestEntries();
            }
        }
    }

    private void put(SourceItem item) throws InterruptedException {
        if (cancelled) {
            throw new InterruptedException();
        }
        if (item instanceof Entry e && e.data() != null) {
            mergedSpace.acquire(Math.min(e.data().length, mergedBudget));
        }
        out.put(item);
        switch (item) {
            case Entry _ -> entries.incrementAndGet();
            case EntryError _ -> errors.incrementAndGet();
            case CatalogVerdict _, SourceEnd _ -> { }
        }
    }

    /** One producer (the root's walk or a lane) ended; the last one delivers the root's entry and the end. */
    private void done() throws InterruptedException {
        if (remaining.decrementAndGet() != 0) {
            return;
        }
        Entry r = heldRoot;
        if (r != null) {
            put(r);
        }
        finish(null, false);
    }

    private void fail(Throwable t) {
        stop();
        finish(t, false);
    }

    private void stop() {
        cancelled = true;
        Walk r = rootWalk;
        if (r != null) {
            r.cancel();
        }
        for (Walk w : active) {
            w.cancel();
        }
        for (Thread t : producers) {
            if (t != Thread.currentThread()) {
                t.interrupt();
            }
        }
    }

    private void finish(Throwable failure, boolean cancel) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        SourceEnd e = new SourceEnd(entries.get(), errors.get(), cancel, failure);
        if (cancel || failure != null) {
            while (!out.offer(e)) {
                out.poll();
            }
            return;
        }
        try {
            out.put(e);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
    }

    // ------------------------------------------------------------------ filters

    /** The lane of {@code path} when it is a top directory the partition names, else -1. */
    private int topLane(byte[] path) {
        int from = root.length == 1 ? 1 : root.length + 1;
        if (path.length <= from || !Paths.isAtOrBelow(root, path)) {
            return -1;
        }
        for (int i = from; i < path.length; i++) {
            if (path[i] == '/') {
                return -1;
            }
        }
        return partition.laneOf(Arrays.copyOfRange(path, from, path.length));
    }

    /**
     * The root walk's filter: a top directory of the partition that the plain walk would walk into goes to its
     * lane instead (not delivered, not walked here); everything else is decided by the job's filter.
     */
    private final class RootFilter implements EntryFilter {
        @Override
        public boolean admitsName(byte[] parent, byte[] name, long dIno, int dType) {
            return filter.admitsName(parent, name, dIno, dType);
        }

        @Override
        public boolean admits(byte[] path, StatX st) {
            if (Arrays.equals(path, root)) {
                rootDev = st.dev();
            }
            return filter.admits(path, st);
        }

        @Override
        public boolean admitsListed(byte[] path, StatX st, long dIno, int dType) {
            int lane = st.isDirectory() ? topLane(path) : -1;
            if (lane < 0) {
                return filter.admitsListed(path, st, dIno, dType);
            }
            boolean delivered = filter.admitsListed(path, st, dIno, dType);
            boolean mountPoint = !crossMounts && st.dev() != rootDev;
            if (!mountPoint && filter.descends(path, st)) {
                queues.get(lane).add(new Unit(path, delivered));
                return false;
            }
            return delivered; // delivered here as the plain walk does: an entry that is not walked into
        }

        @Override
        public boolean descends(byte[] path, StatX dir) {
            return topLane(path) < 0 && filter.descends(path, dir);
        }
    }

    /** A lane's walk of one top directory: its own entry as the root walk decided, the rest by the job's filter. */
    private final class UnitFilter implements EntryFilter {
        private final Unit unit;

        UnitFilter(Unit unit) {
            this.unit = unit;
        }

        @Override
        public boolean admitsName(byte[] parent, byte[] name, long dIno, int dType) {
            return filter.admitsName(parent, name, dIno, dType);
        }

        @Override
        public boolean admits(byte[] path, StatX st) {
            return Arrays.equals(path, unit.path()) ? unit.delivered() : filter.admits(path, st);
        }

        @Override
        public boolean admitsListed(byte[] path, StatX st, long dIno, int dType) {
            return filter.admitsListed(path, st, dIno, dType);
        }

        @Override
        public boolean descends(byte[] path, StatX dir) {
            return filter.descends(path, dir);
        }
    }
}
