package io.podheitor.hpc.backend.restore;

import io.podheitor.hpc.backend.job.JobInfo;
import io.podheitor.hpc.ptcomm.FileRecord;
import io.podheitor.hpc.ptcomm.FileType;
import io.podheitor.hpc.ptcomm.FrameWriter;
import io.podheitor.hpc.ptcomm.Status;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;

/**
 * The pipelined restore of docs/ptcomm.md §5.1: the session's thread (the reader) hands each file's calls to one of
 * {@code threads} workers, each with its own {@link EntryRestorer} and a bounded {@link TaskQueue}, and answers
 * nothing for a success: a failure is sent by the worker as {@code C FAILED <seq> <text>} when it happens. With a
 * replace mode other than {@code always} the reader waits for the create step of each file (the shim needs the
 * skip decision) and answers it, and so it does for every hard link; data, close and metadata stay asynchronous.
 *
 * <p>The order that matters is kept by routing, never by a global lock:
 *
 * <ul>
 *   <li>a file's data, seeks, close and metadata blob go to the worker that created it, in their order (FIFO);
 *   <li>an entry whose name, one of whose parent directories, anything below whose name, or (a hard link) whose
 *       target is still in flight (dispatched, not yet complete) goes to the worker of the first of those, after it;
 *       it waits for the others (on other workers) before it starts. Every wait is for an entry dispatched earlier, and each worker runs its
 *       queue in dispatch order, so the oldest unfinished entry can always run: no deadlock;
 *   <li>anything else goes to the least loaded worker. Missing parent directories are created on demand, race-free
 *       ({@link RestoreTree});
 *   <li>directory attributes: FINISH waits until every worker has drained its queue, then applies them deepest
 *       first ({@link DeferredDirectories}).
 * </ul>
 *
 * <p>Memory: each queue holds at most {@code maxTasks} tasks and {@code maxBytes} bytes of data; the reader blocks
 * at the bound (back-pressure on the shim and bacula-fd). Large files stream through in the FD's blocks.
 */
public final class ParallelRestorer implements RestoreCalls {
    /** Default bounds of one worker's queue: tasks, and bytes of data and blobs. */
    public static final int DEFAULT_QUEUE_TASKS = 1024;
    public static final long DEFAULT_QUEUE_BYTES = 2L * 1024 * 1024;

    private static final int SMALL_TASK = 64;

    private final RestoreContext ctx;
    private final boolean waitForCreate;
    private final List<Worker> workers = new ArrayList<>();
    /** Entries dispatched and not yet complete, by name (no trailing slash). */
    private final ConcurrentHashMap<ByteBuffer, Inflight> inflight = new ConcurrentHashMap<>();
    /**
     * For each directory with entries in flight below it: per worker, the last of them dispatched to that worker
     * (FIFO: when it is done, so are the earlier ones there). A record at that directory's name waits for them.
     */
    private final ConcurrentHashMap<ByteBuffer, Inflight[]> below = new ConcurrentHashMap<>();
    private long seq = -1;
    private int rr;
    /** The worker of the file the last FILE record named: its data, close and blob go there. */
    private Worker current;
    /** The last FILE record could not be decoded: its data and close are dropped. */
    private boolean dropping;
    private boolean released;

    /** An entry in flight: its worker, and a future completed when it is done (created, or closed). */
    record Inflight(Worker worker, CompletableFuture<Void> done) {
        // identity: two entries are never equal
        @Override
        public boolean equals(Object o) {
            return this == o;
        }

        @Override
        public int hashCode() {
            return System.identityHashCode(this);
        }
    }

    /** What the reader hands a worker. */
    sealed interface Task permits Create, Data, Seek, Close, Meta, Drain, Stop {
    }

    record Create(FileRecord record, long seq, ByteBuffer key, Inflight self, List<CompletableFuture<Void>> waits,
            CompletableFuture<EntryRestorer.Created> reply) implements Task {
    }

    record Data(byte[] bytes) implements Task {
    }

    record Seek(long offset) implements Task {
    }

    record Close() implements Task {
    }

    record Meta(byte[] blob) implements Task {
    }

    record Drain(CountDownLatch done) implements Task {
    }

    record Stop() implements Task {
    }

    public ParallelRestorer(FrameWriter out, JobInfo job, boolean aclSupport, boolean xattrSupport, Path spillDir,
            int threads) {
        this(out, job, aclSupport, xattrSupport, DeferredDirectories.DEFAULT_IN_MEMORY, spillDir, threads,
                DEFAULT_QUEUE_TASKS, DEFAULT_QUEUE_BYTES);
    }

    ParallelRestorer(FrameWriter out, JobInfo job, boolean aclSupport, boolean xattrSupport, int directoriesInMemory,
            Path spillDir, int threads, int maxTasks, long maxBytes) {
        this.ctx = new RestoreContext(job, new RestoreOutput(out, true), aclSupport, xattrSupport,
                directoriesInMemory, spillDir);
        this.waitForCreate = job.replace() != 'a';
        for (int i = 0; i < Math.max(1, threads); i++) {
            Worker w = new Worker(i, new TaskQueue<>(maxTasks, maxBytes));
            workers.add(w);
            w.thread.start();
        }
    }

    int threads() {
        return workers.size();
    }

    // ------------------------------------------------------------------ the reader's side

    /**
     * FILE record: dispatched to a worker. Nothing is answered, unless the shim waits for the create step (a replace
     * mode other than always): then {@code C OK}, {@code C DONE} or {@code C SKIP}, or the worker's
     * {@code C FAILED <seq> ...}.
     */
    @Override
    public void create(FileRecord r) throws IOException {
        long n = ++seq;
        byte[] name = RestoreTree.stripTrailingSlashes(r.name());
        ByteBuffer key = ByteBuffer.wrap(name);
        List<Inflight> deps = new ArrayList<>(2);
        addDep(deps, inflight.get(key));
        if (r.type() == FileType.HARDLINK && r.link().length > 0) {
            addDep(deps, inflight.get(ByteBuffer.wrap(RestoreTree.stripTrailingSlashes(r.link()))));
        }
        // what is still in flight below this name (its contents, before a directory's own record) comes first:
        // in the lock-step order they were all done before this record, whose replace may change the parent
        Inflight[] under = below.get(key);
        if (under != null) {
            below.computeIfPresent(key, (k, arr) -> {
                for (Inflight d : arr) {
                    addDep(deps, d);
                }
                return arr;
            });
        }
        if (!inflight.isEmpty()) {
            for (int i = name.length - 1; i > 0; i--) {
                if (name[i] == '/') {
                    addDep(deps, inflight.get(ByteBuffer.wrap(name, 0, i)));
                }
            }
        }
        Worker w = deps.isEmpty() ? leastLoaded() : deps.getFirst().worker();
        List<CompletableFuture<Void>> waits = List.of();
        for (Inflight d : deps) {
            if (d.worker() != w) {
                if (waits.isEmpty()) {
                    waits = new ArrayList<>(2);
                }
                waits.add(d.done());
            }
        }
        Inflight self = new Inflight(w, new CompletableFuture<>());
        inflight.put(key, self);
        for (int i = name.length - 1; i > 0; i--) {
            if (name[i] == '/') {
                int wi = w.index;
                below.compute(ByteBuffer.wrap(name, 0, i), (k, arr) -> {
                    Inflight[] a = arr != null ? arr : new Inflight[workers.size()];
                    a[wi] = self;
                    return a;
                });
            }
        }
        // the shim waits for the answer with a replace mode other than always, and for every hard link (docs/ptcomm.md
        // §5.1: its usual failure, a first name that was not restored, then fails the file as in the lock-step restore)
        CompletableFuture<EntryRestorer.Created> reply =
                waitForCreate || r.type() == FileType.HARDLINK ? new CompletableFuture<>() : null;
        current = w;
        dropping = false;
        w.put(new Create(r, n, key, self, waits, reply), SMALL_TASK + name.length + r.link().length);
        if (reply != null) {
            EntryRestorer.Created c;
            try {
                c = reply.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for the create of file " + n);
            } catch (ExecutionException e) {
                throw new IOException("worker failed: " + e.getCause(), e.getCause());
            }
            switch (c) {
                case EXTRACT -> ctx.out.reply("OK");
                case DONE -> ctx.out.reply("DONE");
                case SKIP -> ctx.out.reply("SKIP");
                case FAILED -> {
                    // C FAILED <n> written by the worker
                }
            }
        }
    }

    @Override
    public void undecodable(String why) throws IOException {
        ctx.out.failed(++seq, why);
        current = null; // its data and close are dropped
        dropping = true;
    }

    @Override
    public void error(String text) throws IOException {
        ctx.out.message(Status.ERROR, text);
    }

    private static void addDep(List<Inflight> deps, Inflight d) {
        if (d != null && !d.done().isDone() && !deps.contains(d)) {
            deps.add(d);
        }
    }

    private Worker leastLoaded() {
        int n = workers.size();
        Worker best = null;
        long bestLoad = Long.MAX_VALUE;
        for (int k = 0; k < n; k++) {
            Worker w = workers.get((rr + k) % n);
            long l = w.queue.load();
            if (l < bestLoad) {
                best = w;
                bestLoad = l;
                if (l == 0) {
                    break;
                }
            }
        }
        rr = (rr + 1) % n;
        return best;
    }

    /** A D packet of the current file. */
    @Override
    public void write(byte[] data) throws IOException {
        if (current != null) {
            current.put(new Data(data), data.length);
        }
    }

    /** {@code C SEEK <offset>} of the current file. */
    @Override
    public void seek(long offset) throws IOException {
        if (current != null) {
            current.put(new Seek(offset), SMALL_TASK);
        }
    }

    /** F after the data of the current file. */
    @Override
    public void close() throws IOException {
        if (current == null) {
            if (!dropping) {
                ctx.out.message(Status.ERROR, "end of data received but no file is open");
            }
            dropping = false;
            return;
        }
        current.put(new Close(), SMALL_TASK);
    }

    /** {@code C ACL} / {@code C XATTR} and its D blob, for the entry the last FILE record named. */
    @Override
    public void metadata(byte[] blob) throws IOException {
        if (current != null) {
            current.put(new Meta(blob), SMALL_TASK + blob.length);
        }
    }

    /** Waits until every worker has done everything dispatched so far (their failures are written). */
    void drain() throws IOException {
        CountDownLatch done = new CountDownLatch(workers.size());
        for (Worker w : workers) {
            w.put(new Drain(done), SMALL_TASK);
        }
        try {
            done.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while the workers drain");
        }
        current = null;
    }

    /** FINISH: every worker drained, then the directory attributes (deepest first, failures as E), then F. */
    @Override
    public void finish() throws IOException {
        drain();
        RestoreTree tree = ctx.openedTree();
        if (tree != null) {
            for (String f : ctx.directories.applyAll(tree)) {
                ctx.out.message(Status.ERROR, f);
            }
        }
        ctx.out.end();
    }

    /** Stops the workers (what they hold open is closed) and releases the descriptors. */
    @Override
    public void release() {
        if (released) {
            return;
        }
        released = true;
        for (Worker w : workers) {
            try {
                w.queue.put(new Stop(), SMALL_TASK);
            } catch (InterruptedException e) {
                w.thread.interrupt();
            }
        }
        for (Worker w : workers) {
            try {
                w.thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        ctx.close();
    }

    // ------------------------------------------------------------------ the workers

    final class Worker {
        final int index;
        final TaskQueue<Task> queue;
        final Thread thread;
        private final EntryRestorer entries = new EntryRestorer(ctx);
        /** The entry whose close is still to come (EXTRACT), with its name. */
        private Inflight open;
        private ByteBuffer openKey;

        Worker(int index, TaskQueue<Task> queue) {
            this.index = index;
            this.queue = queue;
            this.thread = Thread.ofPlatform().daemon().name("podheitor-restore-" + index).unstarted(this::run);
        }

        void put(Task t, long size) throws IOException {
            try {
                queue.put(t, size);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while handing a task to restore worker " + index);
            }
        }

        private void run() {
            for (;;) {
                Task t;
                try {
                    t = queue.take();
                } catch (InterruptedException e) {
                    entries.finishEntries();
                    return;
                }
                try {
                    if (!handle(t)) {
                        return;
                    }
                } catch (IOException e) {
                    // the output is gone (the shim closed it): keep taking tasks so the reader never blocks
                } catch (RuntimeException | Error e) {
                    try {
                        ctx.out.message(Status.ERROR, "restore worker " + index + ": internal error: " + e);
                    } catch (IOException ignored) {
                        // the shim is gone
                    }
                }
            }
        }

        /** @return false after Stop */
        private boolean handle(Task t) throws IOException {
            switch (t) {
                case Create c -> create(c);
                case Data d -> entries.write(d.bytes());
                case Seek s -> entries.seek(s.offset());
                case Close ignored -> {
                    try {
                        if (entries.close() == EntryRestorer.Closed.NONE) {
                            ctx.out.message(Status.ERROR, "end of data received but no file is open");
                        }
                    } finally {
                        completeOpen();
                    }
                }
                case Meta m -> entries.metadata(m.blob());
                case Drain d -> {
                    entries.finishEntries();
                    completeOpen();
                    d.done().countDown();
                }
                case Stop ignored -> {
                    entries.finishEntries();
                    completeOpen();
                    return false;
                }
            }
            return true;
        }

        private void create(Create c) throws IOException {
            completeOpen(); // the FD skipped the previous close: the create abandons that file
            EntryRestorer.Created result = EntryRestorer.Created.FAILED;
            try {
                for (CompletableFuture<Void> f : c.waits()) {
                    f.join();
                }
                result = entries.create(c.record(), c.seq());
            } finally {
                if (result == EntryRestorer.Created.EXTRACT) {
                    open = c.self();
                    openKey = c.key();
                } else {
                    complete(c.key(), c.self());
                }
                if (c.reply() != null) {
                    c.reply().complete(result);
                }
            }
        }

        private void completeOpen() {
            if (open != null) {
                complete(openKey, open);
                open = null;
                openKey = null;
            }
        }

        private void complete(ByteBuffer key, Inflight f) {
            inflight.remove(key, f);
            byte[] name = key.array();
            int end = key.limit();
            for (int i = end - 1; i > 0; i--) {
                if (name[i] == '/') {
                    below.computeIfPresent(ByteBuffer.wrap(name, 0, i), (k, arr) -> {
                        if (arr[index] == f) {
                            arr[index] = null;
                        }
                        for (Inflight x : arr) {
                            if (x != null) {
                                return arr;
                            }
                        }
                        return null;
                    });
                }
            }
            f.done().complete(null);
        }
    }

    @Override
    public void layouts(LayoutRestore layouts) {
        ctx.layouts(layouts);
    }
}
