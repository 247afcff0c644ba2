package io.podheitor.hpc.changelog.source;

import io.podheitor.hpc.posix.Errno;
import io.podheitor.hpc.posix.Fcntl;
import io.podheitor.hpc.posix.FileMode;
import io.podheitor.hpc.posix.Xattrs;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
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
import io.podheitor.hpc.walker.ThreadGate;
import io.podheitor.hpc.walker.Walk;
import io.podheitor.hpc.walker.WalkOptions;
import io.podheitor.hpc.walker.WholeFile;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The entry source of an Incremental that a change source (a changelog, a policy scan) drives: it is given the
 * paths that changed, not a tree to walk. It brings them into the order every source keeps
 * ({@link Ordering#DIRECTORIES_AFTER_CONTENTS}, {@link PostOrder}), stats them on worker threads (in parallel,
 * delivered in that order through a bounded window), and walks the whole subtree of a changed path marked
 * {@link Change#subtree()} that is a directory (a renamed directory: one record moves a whole tree), with the
 * walk's own threads and filter.
 *
 * <p>Each path is asked of the filter as the walk would ask it of a listed name: {@code admitsName} (with the
 * inode and type from the stat, as a listing would give them), then {@code admitsListed}; a subtree is walked
 * only when {@code descends} says so too. So a shard keeps only its own changed entries, by the same function as
 * its full walk. A path that no longer exists (ENOENT, ENOTDIR, ESTALE: removed after the change was recorded)
 * is skipped and counted; any other stat failure is an {@link EntryError}. A path given twice, or lying below a
 * walked subtree, is delivered once.
 *
 * <p>Like the walk, a worker reads a changed entry's extended attributes and a small file's whole content ahead
 * (the walk options' {@code readAheadMax}, {@code readAheadWhen} and {@code xattrs}), so that the single consumer
 * does no metadata round trip for it; the bytes read ahead and not yet taken stay within the options'
 * {@code readAheadBudget} (a worker that finds no budget free leaves the file to the consumer).
 *
 * <p>Memory: the change list (given, proportional to the changes), one stat result per slot of the window, the
 * read-ahead budget, and the walks' own bounded channels; never the namespace.
 */
public final class ChangeSetSource implements EntrySource {
    /**
     * One changed path.
     *
     * @param path    absolute, raw bytes
     * @param subtree when it is a directory, everything below it changed too (walk it)
     */
    public record Change(byte[] path, boolean subtree) {
        public Change {
            if (path.length == 0 || path[0] != '/') {
                throw new IllegalArgumentException("not an absolute path");
            }
            path = Paths.normalize(path);
        }
    }

    /** Default number of stats in flight (delivered in order). */
    public static final int DEFAULT_WINDOW = 4096;

    private sealed interface Slot permits VerdictSlot, StatSlot, WalkSlot, EndSlot {
    }

    private record VerdictSlot(SourceItem verdict) implements Slot {
    }

    private record StatSlot(CompletableFuture<SourceItem> item) implements Slot {
    }

    private record WalkSlot(byte[] root, StatX stat) implements Slot {
    }

    private record EndSlot(Throwable failure) implements Slot {
    }

    private final EntryFilter filter;
    private final WalkOptions options;
    private final java.util.concurrent.Semaphore readAheadSpace;
    private final int readAheadTotal;
    private final Function<byte[], Walk> walks;
    private final BlockingQueue<Slot> slots;
    private final ExecutorService stats;
    /** The throttle's thread limit over the stat threads (docs/throttle.md §3), as the walk's own gate. */
    private final ThreadGate gate;
    private final Thread producer;
    private final AtomicLong entries = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong vanished = new AtomicLong();
    private final AtomicLong statCalls = new AtomicLong();
    private final int threads;
    private volatile boolean cancelled;
    private volatile Walk current;
    private volatile long walkEntries;
    private volatile long walkErrors;
    private volatile long walkStatCalls;
    private volatile SourceEnd end;

    private ChangeSetSource(EntryFilter filter, WalkOptions options, Function<byte[], Walk> walks, int threads,
            int window) {
        this.filter = filter;
        this.options = options;
        this.readAheadTotal = (int) Math.min(Integer.MAX_VALUE, options.readAheadBudget());
        this.readAheadSpace = new java.util.concurrent.Semaphore(readAheadTotal);
        this.walks = walks;
        this.threads = threads;
        this.gate = new ThreadGate(threads, options.limits()::threads);
        this.slots = new ArrayBlockingQueue<>(window);
        AtomicInteger n = new AtomicInteger();
        this.stats = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "podheitor-changes-stat-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.producer = new Thread(this::produce, "podheitor-changes");
        this.producer.setDaemon(true);
    }

    private volatile List<Change> changes;
    private volatile Iterator<? extends SourceItem> verdicts = java.util.Collections.emptyIterator();

    /**
     * Starts delivering {@code changes}.
     *
     * @param filter      the job's filter (shard, changed-since): asked as for a listed name
     * @param walkOptions how a changed subtree is walked (its filter is replaced by {@code filter})
     * @param threads     stat threads
     * @param window      stats in flight at most (memory bound)
     */
    public static ChangeSetSource start(Collection<Change> changes, EntryFilter filter, WalkOptions walkOptions,
            int threads, int window) {
        return start(List.of(), changes, filter, walkOptions, threads, window);
    }

    /**
     * As {@link #start(Collection, EntryFilter, WalkOptions, int, int)}, delivering {@code verdicts} first: what the
     * change source states about the earlier backups' catalog (the root kept, the deleted paths gone), for an
     * Accurate job.
     */
    public static ChangeSetSource start(List<CatalogVerdict> verdicts, Collection<Change> changes,
            EntryFilter filter, WalkOptions walkOptions, int threads, int window) {
        return start(List.copyOf(verdicts).iterator(), changes, filter, walkOptions, threads, window);
    }

    /**
     * As {@link #start(List, Collection, EntryFilter, WalkOptions, int, int)}, with the leading items produced lazily
     * ({@link CatalogVerdict}s, and {@link io.podheitor.hpc.source.EntryError}s of directories the verdicts could
     * not be made for, e.g. by {@link ChangedDirectories}): taken one at a time by the producer thread through the
     * same bounded window, so they need not fit in memory. An {@link AutoCloseable} iterator is closed when the
     * source has taken it all or ends.
     */
    public static ChangeSetSource start(Iterator<? extends SourceItem> leading, Collection<Change> changes,
            EntryFilter filter, WalkOptions walkOptions, int threads, int window) {
        WalkOptions o = walkOptions.withFilter(filter);
        ChangeSetSource s = new ChangeSetSource(filter, o, root -> Walk.start(root, o), Math.max(1, threads),
                Math.max(1, window));
        s.changes = new ArrayList<>(changes);
        s.verdicts = leading;
        s.producer.start();
        return s;
    }

    // ------------------------------------------------------------------ producer

    private void produce() {
        Throwable failure = null;
        try {
            try {
                for (Iterator<? extends SourceItem> it = verdicts; it.hasNext() && !cancelled; ) {
                    SourceItem v = it.next();
                    if (!(v instanceof CatalogVerdict || v instanceof EntryError)) {
                        throw new IllegalArgumentException("not a verdict: " + v);
                    }
                    slots.put(new VerdictSlot(v));
                }
            } finally {
                closeVerdicts();
            }
            List<Change> ordered = PostOrder.sortedUnique(changes);
            changes = null;
            // the subtree roots that are directories now: everything below them comes from their walk
            PathSet walked = new PathSet();
            // in reverse (ancestors before descendants), so a subtree inside a walked one is not walked again
            java.util.Map<Change, StatX> rootStats = new java.util.IdentityHashMap<>();
            for (int i = ordered.size() - 1; i >= 0 && !cancelled; i--) {
                Change c = ordered.get(i);
                if (!c.subtree() || walked.hasAncestorOrSelf(c.path())) {
                    continue;
                }
                StatX st = statOrNull(c.path());
                if (st != null && st.isDirectory() && admitted(c.path(), st) && filter.descends(c.path(), st)) {
                    walked.add(c.path());
                    rootStats.put(c, st);
                }
            }
            for (Change c : ordered) {
                if (cancelled) {
                    break;
                }
                StatX rootStat = rootStats.get(c);
                if (rootStat != null) {
                    slots.put(new WalkSlot(c.path(), rootStat));
                    continue;
                }
                if (walked.hasProperAncestor(c.path())) {
                    continue;
                }
                byte[] p = c.path();
                slots.put(new StatSlot(CompletableFuture.supplyAsync(() -> statItem(p), stats)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            failure = t;
        } finally {
            try {
                if (!cancelled) {
                    slots.put(new EndSlot(failure));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                slots.offer(new EndSlot(null)); // cancelled while the window was full: cancel() made room
            }
        }
    }

    private void closeVerdicts() {
        Iterator<? extends SourceItem> it = verdicts;
        verdicts = java.util.Collections.emptyIterator();
        if (it instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                // a listing left open: nothing more is read from it
            }
        }
    }

    private StatX statOrNull(byte[] path) {
        try {
            statCalls.incrementAndGet();
            return Posix.lstat(path);
        } catch (PosixException e) {
            return null;
        }
    }

    private boolean admitted(byte[] path, StatX st) {
        int slash = lastSlash(path);
        if (slash <= 0 && path.length == 1) {
            return filter.admits(path, st); // the file system's root
        }
        byte[] parent = slash == 0 ? new byte[] {'/'} : java.util.Arrays.copyOf(path, slash);
        byte[] name = java.util.Arrays.copyOfRange(path, slash + 1, path.length);
        int dType = (st.mode() >> 12) & 0xF;
        return filter.admitsName(parent, name, st.ino(), dType) && filter.admitsListed(path, st, st.ino(), dType);
    }

    private static int lastSlash(byte[] path) {
        for (int i = path.length - 1; i >= 0; i--) {
            if (path[i] == '/') {
                return i;
            }
        }
        return -1;
    }

    /**
     * The item of one changed path, or null when it is gone, not admitted or the source was cancelled; at most
     * as many stat threads at once as the throttle allows now ({@link WalkOptions#limits()}).
     */
    private SourceItem statItem(byte[] path) {
        if (cancelled) {
            return null;
        }
        boolean permit;
        try {
            permit = gate.enter();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // shutdownNow of a cancelled source
            return null;
        }
        try {
            return statItemInside(path);
        } finally {
            gate.exit(permit);
        }
    }

    private SourceItem statItemInside(byte[] path) {
        StatX st;
        try {
            statCalls.incrementAndGet();
            st = Posix.lstat(path);
        } catch (PosixException e) {
            return failed(path, e);
        }
        if (!admitted(path, st)) {
            return null;
        }
        byte[] target = null;
        if (st.isSymlink()) {
            try {
                target = Posix.readlinkat(Fcntl.AT_FDCWD, path);
            } catch (PosixException e) {
                return failed(path, e);
            }
        }
        entries.incrementAndGet();
        // as the walk does: a changed entry's xattrs, and a small file's content, read here on a worker thread
        boolean changed = options.readAheadWhen().changed(st);
        Xattrs.Read xattrs = changed && st.type() != FileMode.S_IFSOCK ? Xattrs.read(path, options.xattrs()) : null;
        byte[] data = st.isRegular() && st.size() > 0 && st.size() <= options.readAheadMax() && changed
                ? readAhead(path, st) : null;
        return new Entry(path, st, target, data, xattrs);
    }

    /**
     * The whole content of a small regular file, or null (no budget free right now, or anything unexpected: the
     * consumer then reads the file itself and reports any error). Never waits for budget: a worker holding a later
     * slot must not block the slot the consumer waits for. The budget comes back when the consumer takes the entry.
     */
    private byte[] readAhead(byte[] path, StatX st) {
        int size = (int) st.size();
        // the throttle's read buffer lowers the budget while the job runs: nothing more is read ahead past it
        long held = readAheadTotal - readAheadSpace.availablePermits();
        if (held + size > options.limits().readAheadBudget() || !readAheadSpace.tryAcquire(size)) {
            return null;
        }
        byte[] data = WholeFile.read(Fcntl.AT_FDCWD, path, st);
        if (data == null) {
            readAheadSpace.release(size);
        }
        return data;
    }

    /** An item leaves the source: the read-ahead budget of its data comes back. */
    private SourceItem handedOut(SourceItem item) {
        if (item instanceof Entry e && e.data() != null) {
            readAheadSpace.release(e.data().length);
        }
        return item;
    }

    /** A path that is gone is skipped (null, counted); any other failure is the entry's error. */
    private SourceItem failed(byte[] path, PosixException e) {
        if (gone(e)) {
            vanished.incrementAndGet();
            return null;
        }
        errors.incrementAndGet();
        return new EntryError(path, e.withPath(path), false);
    }

    private static boolean gone(PosixException e) {
        return e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR || e.errno() == Errno.ESTALE;
    }

    // ------------------------------------------------------------------ consumer

    @Override
    public Ordering ordering() {
        return Ordering.DIRECTORIES_AFTER_CONTENTS;
    }

    @Override
    public SourceItem take() throws InterruptedException {
        while (end == null) {
            if (cancelled) {
                finish(null, true);
                break;
            }
            if (current != null) {
                SourceItem item = fromWalk(current.take());
                if (item != null) {
                    return item;
                }
                continue;
            }
            SourceItem item = fromSlot(slots.take(), true);
            if (item != null) {
                return item;
            }
        }
        return end;
    }

    @Override
    public SourceItem poll() {
        while (end == null) {
            if (cancelled) {
                finish(null, true);
                break;
            }
            if (current != null) {
                SourceItem raw = current.poll();
                if (raw == null) {
                    return null;
                }
                SourceItem item = fromWalk(raw);
                if (item != null) {
                    return item;
                }
                continue;
            }
            Slot s = slots.peek();
            if (s == null || (s instanceof StatSlot st && !st.item().isDone())) {
                return null;
            }
            slots.poll();
            try {
                SourceItem item = fromSlot(s, false);
                if (item != null) {
                    return item;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return end;
    }

    private SourceItem fromWalk(SourceItem item) {
        if (item instanceof SourceEnd e) {
            SourceStats ws = current.stats();
            walkEntries += ws.entries();
            walkErrors += ws.errors();
            walkStatCalls += ws.statCalls();
            current.close();
            current = null;
            if (!e.completed()) {
                finish(e.failure(), e.cancelled());
            }
            return null;
        }
        return item;
    }

    private SourceItem fromSlot(Slot s, boolean block) throws InterruptedException {
        return switch (s) {
            case VerdictSlot v -> v.verdict();
            case StatSlot st -> {
                try {
                    yield handedOut(block ? st.item().get() : st.item().getNow(null));
                } catch (java.util.concurrent.ExecutionException e) {
                    finish(e.getCause(), false);
                    yield null;
                }
            }
            case WalkSlot w -> {
                current = walks.apply(w.root());
                yield null;
            }
            case EndSlot e -> {
                finish(e.failure(), false);
                yield null;
            }
        };
    }

    private synchronized void finish(Throwable failure, boolean wasCancelled) {
        if (end == null) {
            SourceStats s = stats();
            end = new SourceEnd(s.entries(), s.errors(), wasCancelled || cancelled, failure);
            stats.shutdownNow();
        }
    }

    /** Changed paths that no longer existed when stat'ed (removed after the change was recorded). */
    public long vanished() {
        return vanished.get();
    }

    @Override
    public SourceStats stats() {
        long we = walkEntries;
        long wr = walkErrors;
        long wx = walkStatCalls;
        Walk w = current;
        if (w != null) {
            SourceStats ws = w.stats();
            we += ws.entries();
            wr += ws.errors();
            wx += ws.statCalls();
        }
        return new SourceStats(entries.get() + we, errors.get() + wr, null, 0, threads, statCalls.get() + wx);
    }

    @Override
    public void cancel() {
        cancelled = true;
        producer.interrupt();
        Walk w = current;
        if (w != null) {
            w.cancel();
        }
        stats.shutdownNow();
        slots.clear();
        slots.offer(new EndSlot(null)); // wakes a consumer waiting in take()
    }

    @Override
    public void close() {
        if (end == null || !end.completed()) {
            cancel();
        }
        if (current != null) {
            current.close();
            current = null;
        }
        stats.shutdownNow();
    }
}
