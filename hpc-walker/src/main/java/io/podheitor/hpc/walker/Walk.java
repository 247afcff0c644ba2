package io.podheitor.hpc.walker;

import io.podheitor.hpc.posix.Beneath;
import io.podheitor.hpc.posix.DirEntry;
import io.podheitor.hpc.posix.Fcntl;
import io.podheitor.hpc.posix.FileMode;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.posix.Xattrs;
import io.podheitor.hpc.source.CatalogVerdict;
import io.podheitor.hpc.source.Entry;
import io.podheitor.hpc.source.EntryError;
import io.podheitor.hpc.source.EntryFilter;
import io.podheitor.hpc.source.EntrySource;
import io.podheitor.hpc.source.Ordering;
import io.podheitor.hpc.source.SourceEnd;
import io.podheitor.hpc.source.SourceItem;
import io.podheitor.hpc.source.SourceStats;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * A running parallel walk, the first {@link EntrySource}. One ForkJoin task per directory lists it (getdents64 +
 * statx relative to the directory descriptor) and forks one task per subdirectory; idle workers steal. Items go
 * into a bounded channel drained by ONE consumer ({@link #take()}/{@link #poll()}); producers block while it is
 * full, so memory stays bounded by the channel depth plus the directories still to be listed.
 *
 * <p>The walk asks its {@link WalkOptions#filter()} about every listed name before the stat
 * ({@link EntryFilter#admitsName}), about every stat'ed entry before it is delivered or read ahead
 * ({@link EntryFilter#admits}), and about every directory before it is walked into ({@link EntryFilter#descends}).
 *
 * <p>{@link Ordering#DIRECTORIES_AFTER_CONTENTS}: each directory has a pending counter (1 for its own listing + 1
 * per subdirectory). When it drops to zero, every item below the directory is already in the channel; the
 * directory's Entry is put then and its parent's counter is decremented. The root is therefore the last Entry,
 * followed by {@link SourceEnd}.
 */
public final class Walk implements EntrySource {
    private static final AtomicInteger POOLS = new AtomicInteger();
    private static final Consumer<byte[]> NO_HOOK = p -> { };

    private final byte[] root;
    private final WalkOptions options;
    private final EntryFilter filter;
    private final Consumer<byte[]> beforeOpenDirectory;
    private final BlockingQueue<SourceItem> channel;
    private final ForkJoinPool pool;
    private final AtomicLong entries = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final LongAdder statCalls = new LongAdder();
    private final AtomicLong largestEntries = new AtomicLong(-1);
    private volatile byte[] largestDirectory;
    private final AtomicBoolean ended = new AtomicBoolean();
    private final AtomicInteger queuedChunks = new AtomicInteger();
    private final Budget readAheadSpace; // free read-ahead budget in bytes; walker threads wait for it
    private volatile int readAheadBudget; // the budget now: the options' lowered by the limits (resizeBudget)
    private final WalkLimits limits;
    private final ThreadGate gate; // how many workers may be in a metadata call now (the limits' threads)
    private final int maxQueuedChunks;
    private volatile boolean cancelled;
    private final String threadPrefix;
    /** The root directory (O_PATH), from which every other directory is opened without following links. */
    private volatile int rootFd = -1;
    private SourceEnd end;

    Walk(byte[] root, WalkOptions options, Consumer<byte[]> beforeOpenDirectory) {
        this.root = root;
        this.options = options;
        this.filter = options.filter();
        this.beforeOpenDirectory = beforeOpenDirectory == null ? NO_HOOK : beforeOpenDirectory;
        this.channel = new ArrayBlockingQueue<>(options.channelDepth());
        this.maxQueuedChunks = Math.max(64, options.threads() * 16);
        this.limits = options.limits();
        this.readAheadBudget = budgetNow();
        this.readAheadSpace = new Budget(readAheadBudget);
        this.gate = new ThreadGate(options.threads(), limits::threads);
        this.threadPrefix = "podheitor-walk-" + POOLS.incrementAndGet() + "-";
        AtomicInteger workers = new AtomicInteger();
        // A fixed set of workers: no compensation threads when a worker blocks on the full channel (each new
        // thread would bring its own native scratch buffers, freed only by a GC), and idle workers are kept for
        // the whole walk instead of being retired and re-created.
        this.pool = new ForkJoinPool(options.threads(), p -> {
            ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(p);
            t.setName(threadPrefix + workers.incrementAndGet());
            t.setDaemon(true);
            return t;
        }, null, false, 0, options.threads(), 1, pool -> true, 1, TimeUnit.HOURS);
    }

    /** Starts walking {@code root} (an absolute path; trailing slashes are ignored). */
    public static Walk start(byte[] root, WalkOptions options) {
        return start(root, options, null);
    }

    /** As {@link #start(byte[], WalkOptions)}, calling {@code beforeOpenDirectory} before each directory is opened (tests). */
    static Walk start(byte[] root, WalkOptions options, Consumer<byte[]> beforeOpenDirectory) {
        Walk w = new Walk(Paths.normalize(root), options, beforeOpenDirectory);
        w.pool.execute(w::walkRoot);
        return w;
    }

    // ------------------------------------------------------------------ consumer side

    @Override
    public Ordering ordering() {
        return Ordering.DIRECTORIES_AFTER_CONTENTS;
    }

    /** The next item, waiting for it; after the {@link SourceEnd} it returns that end again. */
    @Override
    public SourceItem take() throws InterruptedException {
        if (end != null) {
            return end;
        }
        return remember(channel.take());
    }

    /** The next item if one is queued right now, else null (the consumer may flush its output, then take()). */
    @Override
    public SourceItem poll() {
        if (end != null) {
            return end;
        }
        SourceItem item = channel.poll();
        return item == null ? null : remember(item);
    }

    private SourceItem remember(SourceItem item) {
        if (item instanceof SourceEnd e) {
            end = e;
        } else if (item instanceof Entry e && e.data() != null) {
            readAheadSpace.release(e.data().length);
        }
        return item;
    }

    /** Items waiting in the channel (never more than the channel depth). */
    public int queued() {
        return channel.size();
    }

    public long entriesSoFar() {
        return entries.get();
    }

    public long errorsSoFar() {
        return errors.get();
    }

    /** statx calls so far (one per name stat'ed, and the root's lstat). */
    public long statCallsSoFar() {
        return statCalls.sum();
    }

    @Override
    public SourceStats stats() {
        long n = largestEntries.get();
        return new SourceStats(entries.get(), errors.get(), n < 0 ? null : largestDirectory, Math.max(0, n),
                options.threads(), statCalls.sum());
    }

    /** Remembers the directory with the most names (one compare per listed directory). */
    private void listed(byte[] dir, long names) {
        long cur;
        while (names > (cur = largestEntries.get())) {
            if (largestEntries.compareAndSet(cur, names)) {
                largestDirectory = dir; // a race with a larger one may pair them briefly: a report, not a proof
                return;
            }
        }
    }

    /** Stops all walker tasks promptly; queued items are dropped and a cancelled {@link SourceEnd} is queued. */
    @Override
    public void cancel() {
        cancelled = true;
        pool.shutdownNow();
        finish(null, true);
    }

    /** Waits for the walker threads to exit (after completion or {@link #cancel()}). */
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return pool.awaitTermination(timeout, unit);
    }

    /** Name prefix of this walk's worker threads. */
    String threadPrefix() {
        return threadPrefix;
    }

    public boolean isTerminated() {
        return pool.isTerminated();
    }

    @Override
    public void close() {
        if (!ended.get() || !pool.isShutdown()) {
            cancel();
        }
    }

    // ------------------------------------------------------------------ producer side

    private static final class DirNode {
        final byte[] path;
        final StatX stat;
        final DirNode parent;
        final boolean delivered; // the filter admits the directory's own entry
        final Xattrs.Read xattrs; // read when the directory was stat'ed, through its parent's descriptor
        final AtomicInteger pending = new AtomicInteger(1);
        volatile boolean unreadable;

        DirNode(byte[] path, StatX stat, DirNode parent, boolean delivered, Xattrs.Read xattrs) {
            this.path = path;
            this.stat = stat;
            this.parent = parent;
            this.delivered = delivered;
            this.xattrs = xattrs;
        }
    }

    private final class DirTask extends RecursiveAction {
        private static final long serialVersionUID = 1L;
        private final transient DirNode dir;

        DirTask(DirNode dir) {
            this.dir = dir;
        }

        @Override
        protected void compute() {
            try {
                list(dir);
                release(dir);
            } catch (InterruptedException e) {
                // cancelled while waiting for channel space
            } catch (Throwable t) {
                fail(t);
            }
        }
    }

    private void walkRoot() {
        try {
            StatX st;
            try {
                statCalls.increment();
                st = Posix.lstat(root);
            } catch (PosixException e) {
                put(new EntryError(root, e, false));
                finish(null, false);
                return;
            }
            if (!st.isDirectory()) {
                if (filter.admits(root, st)) {
                    put(new Entry(root, st, st.isSymlink() ? Posix.readlinkat(Fcntl.AT_FDCWD, root) : null));
                }
                finish(null, false);
                return;
            }
            try {
                rootFd = Posix.openat(Fcntl.AT_FDCWD, root, Fcntl.O_PATH | Fcntl.O_DIRECTORY | Fcntl.O_NOFOLLOW
                        | Fcntl.O_CLOEXEC, 0);
            } catch (PosixException e) {
                put(new EntryError(root, e, true));
                finish(null, false);
                return;
            }
            boolean delivered = filter.admits(root, st);
            new DirTask(new DirNode(root, st, null, delivered, delivered ? xattrs(root, st) : null)).invoke();
        } catch (InterruptedException e) {
            // cancelled
        } catch (Throwable t) {
            fail(t);
        }
    }

    private void list(DirNode d) throws InterruptedException {
        if (cancelled) {
            throw new InterruptedException();
        }
        int fd;
        boolean permit = gate.enter(); // the hook runs inside the gate: a test's hook stands for the open's latency
        try {
            beforeOpenDirectory.accept(d.path);
            // below the root, by its path relative to the root's descriptor: a directory swapped for a symbolic
            // link after it was listed is never followed out of the tree (ELOOP, reported like any error)
            fd = d.parent == null ? Posix.openat(rootFd, new byte[] {'.'}, Fcntl.O_RDONLY | Fcntl.O_DIRECTORY
                    | Fcntl.O_CLOEXEC, 0) : Beneath.open(rootFd, relative(d.path), Fcntl.O_RDONLY | Fcntl.O_DIRECTORY, 0);
        } catch (PosixException e) {
            gate.exit(permit);
            permit = false;
            d.unreadable = true;
            put(new EntryError(d.path, e, true));
            return;
        } finally {
            gate.exit(permit);
        }
        OpenDir dir = new OpenDir(fd);
        long names = 0;
        try {
            for (List<DirEntry> batch; !(batch = readDirectory(fd)).isEmpty(); ) {
                names += batch.size();
                if (cancelled) {
                    throw new InterruptedException();
                }
                // The names are stat'ed in chunks by any worker (relative to the still open directory), so a
                // single large directory keeps many metadata requests in flight, not just one per directory.
                int n = batch.size();
                for (int from = 0; from < n; from += options.statChunk()) {
                    List<DirEntry> chunk = batch.subList(from, Math.min(n, from + options.statChunk()));
                    d.pending.incrementAndGet();
                    dir.users.incrementAndGet();
                    StatTask t = new StatTask(d, dir, chunk);
                    if (queuedChunks.incrementAndGet() > maxQueuedChunks) {
                        t.compute(); // caller runs: bounds the names waiting in memory for huge directories
                    } else {
                        t.fork();
                    }
                }
            }
        } catch (PosixException e) {
            put(new EntryError(d.path, e.withPath(d.path), true));
        } finally {
            dir.release();
            listed(d.path, names);
        }
    }

    /** A directory descriptor shared by the chunks that stat its names; closed by the last user. */
    private static final class OpenDir {
        final int fd;
        final AtomicInteger users = new AtomicInteger(1);

        OpenDir(int fd) {
            this.fd = fd;
        }

        void release() {
            if (users.decrementAndGet() == 0) {
                Posix.closeQuietly(fd);
            }
        }
    }

    private final class StatTask extends RecursiveAction {
        private static final long serialVersionUID = 1L;
        private final transient DirNode dir;
        private final transient OpenDir open;
        private final transient List<DirEntry> names;

        StatTask(DirNode dir, OpenDir open, List<DirEntry> names) {
            this.dir = dir;
            this.open = open;
            this.names = names;
        }

        @Override
        protected void compute() {
            queuedChunks.decrementAndGet();
            try {
                for (DirEntry de : names) {
                    if (cancelled) {
                        throw new InterruptedException();
                    }
                    if (filter.admitsName(dir.path, de.name(), de.ino(), de.type())) {
                        boolean permit = gate.enter();
                        try {
                            visit(dir, open.fd, de);
                        } finally {
                            gate.exit(permit);
                        }
                    }
                }
                release(dir);
            } catch (InterruptedException e) {
                // cancelled while waiting for channel space
            } catch (Throwable t) {
                fail(t);
            } finally {
                open.release();
            }
        }
    }

    private void visit(DirNode d, int dirfd, DirEntry de) throws InterruptedException {
        byte[] name = de.name();
        byte[] path = Paths.join(d.path, name);
        StatX st;
        try {
            statCalls.increment();
            st = Posix.statx(dirfd, name, Fcntl.AT_SYMLINK_NOFOLLOW);
        } catch (PosixException e) {
            put(new EntryError(path, e.withPath(path), false));
            return;
        }
        boolean delivered = filter.admitsListed(path, st, de.ino(), de.type());
        if (st.isDirectory()) {
            boolean mountPoint = !options.crossMounts() && st.dev() != d.stat.dev();
            if (!mountPoint && filter.descends(path, st)) {
                d.pending.incrementAndGet();
                new DirTask(new DirNode(path, st, d, delivered, delivered ? xattrsAt(dirfd, name, st) : null)).fork();
            } else if (delivered) {
                put(new Entry(path, st, null, null, xattrsAt(dirfd, name, st))); // a mount point: not descended into
            }
            return;
        }
        if (!delivered) {
            return;
        }
        boolean changed = options.readAheadWhen().changed(st);
        if (st.isSymlink()) {
            byte[] target;
            try {
                target = Posix.readlinkat(dirfd, name);
            } catch (PosixException e) {
                put(new EntryError(path, e.withPath(path), false));
                return;
            }
            put(new Entry(path, st, target, null, changed ? xattrsAt(dirfd, name, st) : null));
        } else if (st.isRegular() && st.size() > 0 && st.size() <= options.readAheadMax() && changed) {
            WholeFile.WithXattrs read = readAhead(dirfd, name, st, path);
            // the attributes from the descriptor the content was read through; else by the name in the directory
            Xattrs.Read xattrs = read != null && read.xattrs() != null ? read.xattrs() : xattrsAt(dirfd, name, st);
            put(new Entry(path, st, null, read == null ? null : read.data(), xattrs));
        } else {
            put(new Entry(path, st, null, null, changed ? xattrsAt(dirfd, name, st) : null));
        }
    }

    /** The root's extended attributes (by its path, as given), or null when not asked for. */
    private Xattrs.Read xattrs(byte[] path, StatX st) {
        if (options.xattrs() == Xattrs.Scope.NONE || st.type() == FileMode.S_IFSOCK) {
            return null;
        }
        return Xattrs.read(path, options.xattrs());
    }

    /**
     * The extended attributes of {@code name} in the open directory {@code dirfd}, read here in the walker thread
     * (never through the entry's absolute path), or null when not asked for (sockets).
     */
    private Xattrs.Read xattrsAt(int dirfd, byte[] name, StatX st) {
        if (options.xattrs() == Xattrs.Scope.NONE || st.type() == FileMode.S_IFSOCK) {
            return null;
        }
        return Xattrs.readAt(dirfd, name, options.xattrs());
    }

    /** {@code path} relative to the root (the root's own descendants only). */
    private byte[] relative(byte[] path) {
        int skip = root.length == 1 ? 1 : root.length + 1; // "/" or "<root>/"
        return java.util.Arrays.copyOfRange(path, skip, path.length);
    }

    /**
     * The whole content of a small regular file, or null (no budget left, or anything unexpected: the consumer
     * then opens and reads the file itself and reports any error). Reserves budget for the bytes returned; the
     * budget is given back when the Entry leaves the channel.
     */
    private WholeFile.WithXattrs readAhead(int dirfd, byte[] name, StatX st, byte[] path)
            throws InterruptedException {
        int size = (int) st.size();
        if (size > budgetNow()) {
            return null;
        }
        // back-pressure: the consumer gives budget back as it takes entries; the budget may shrink meanwhile
        // (the limits), below this file's size: then the consumer reads it
        while (!readAheadSpace.tryAcquire(size, 50, TimeUnit.MILLISECONDS)) {
            if (cancelled) {
                throw new InterruptedException();
            }
            if (size > budgetNow()) {
                return null;
            }
        }
        Xattrs.Scope scope = st.type() == FileMode.S_IFSOCK ? Xattrs.Scope.NONE : options.xattrs();
        WholeFile.WithXattrs read = WholeFile.read(dirfd, name, st, scope, path);
        if (read.data() == null) {
            readAheadSpace.release(size);
        }
        return read;
    }

    /** Read-ahead bytes now waiting in the channel. */
    public long readAheadQueuedBytes() {
        synchronized (readAheadSpace) {
            return readAheadBudget - readAheadSpace.availablePermits();
        }
    }

    /** How many walker threads may be in a metadata call now (the options' threads, lowered by the limits). */
    public int threadsNow() {
        return gate.current();
    }

    /** The read-ahead budget now (the options', lowered by the limits); resizes the budget when they changed. */
    public int budgetNow() {
        int b = (int) Math.max(0, Math.min(Integer.MAX_VALUE, Math.min(options.readAheadBudget(),
                limits.readAheadBudget())));
        if (readAheadSpace != null && b != readAheadBudget) {
            resizeBudget(b);
        }
        return b;
    }

    private void resizeBudget(int b) {
        synchronized (readAheadSpace) {
            int delta = b - readAheadBudget;
            if (delta > 0) {
                readAheadSpace.release(delta);
            } else if (delta < 0) {
                readAheadSpace.shrink(-delta); // may go below zero: bytes already queued drain first
            }
            readAheadBudget = b;
        }
    }

    /** A semaphore of bytes whose total can shrink while permits are out. */
    private static final class Budget extends Semaphore {
        private static final long serialVersionUID = 1L;

        Budget(int permits) {
            super(permits);
        }

        void shrink(int n) {
            reducePermits(n);
        }
    }

    /** One getdents64 of {@code fd}, inside the thread gate. */
    private List<DirEntry> readDirectory(int fd) throws InterruptedException, PosixException {
        boolean permit = gate.enter();
        try {
            return Posix.readDirectory(fd);
        } finally {
            gate.exit(permit);
        }
    }

    /** One unit of pending work of {@code d} is done; emits every directory whose subtree is now complete. */
    private void release(DirNode d) throws InterruptedException {
        while (d != null && d.pending.decrementAndGet() == 0) {
            if (!d.unreadable && d.delivered) {
                put(new Entry(d.path, d.stat, null, null, d.xattrs));
            }
            if (d.parent == null) {
                finish(null, false);
            }
            d = d.parent;
        }
    }

    private void put(SourceItem item) throws InterruptedException {
        if (cancelled) {
            throw new InterruptedException();
        }
        channel.put(item);
        switch (item) {
            case Entry _ -> entries.incrementAndGet();
            case EntryError _ -> errors.incrementAndGet();
            case CatalogVerdict _, SourceEnd _ -> { } // the walk states no verdicts: it sends what exists
        }
    }

    private void fail(Throwable t) {
        cancelled = true;
        pool.shutdownNow();
        finish(t, false);
    }

    private void finish(Throwable failure, boolean cancel) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        SourceEnd e = new SourceEnd(entries.get(), errors.get(), cancel, failure);
        if (cancel || failure != null) {
            // the walk is abandoned: drop what is queued so the end marker always fits
            while (!channel.offer(e)) {
                channel.poll();
            }
            closeRootWhenTerminated();
            return;
        }
        closeRoot(); // every directory has been listed: nothing opens below the root any more
        try {
            channel.put(e);
        } catch (InterruptedException ie) {
            Thread.currentThread().interrupt();
        }
        pool.shutdown();
    }

    private void closeRoot() {
        int fd = rootFd;
        rootFd = -1;
        Posix.closeQuietly(fd);
    }

    /**
     * After a cancel or a failure, tasks may still be running: the root descriptor is closed only once they have
     * all stopped, so its number is never reused under a task that still opens relative to it.
     */
    private void closeRootWhenTerminated() {
        Thread.ofVirtual().name(threadPrefix + "close-root").start(() -> {
            try {
                while (!pool.awaitTermination(1, TimeUnit.HOURS)) {
                    // a task stuck in a hung file system: keep waiting, the descriptor stays valid
                }
                closeRoot();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
        });
    }
}
