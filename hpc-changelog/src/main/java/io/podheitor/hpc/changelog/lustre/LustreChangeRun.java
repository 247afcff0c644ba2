package io.podheitor.hpc.changelog.lustre;

import io.podheitor.hpc.changelog.source.ChangeSetSource;
import io.podheitor.hpc.changelog.state.CursorStore;
import io.podheitor.hpc.walker.Paths;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One job's use of the Lustre changelog: read every MDT's records after its cursor (one reader per MDT, in
 * parallel), place them in the namespace, keep what lies under the job's root, and record how far the job read
 * (pending until the job is known to have ended OK: {@link CursorStore#commit} / {@link CursorStore#abandon}).
 * When any MDT's changelog cannot be trusted (no cursor, a gap, a lost consumer, too many changes, a failing
 * tool) the whole job walks instead ({@link Plan.FullWalk}, with every MDT's reason for the job log), and the
 * MDTs' current last records become the pending cursor, so the next Incremental starts after this walk.
 */
public final class LustreChangeRun {
    private LustreChangeRun() {
    }

    /** What the job does. */
    public sealed interface Plan {
        /**
         * Save these (post-ordering is the source's business), record these deletions.
         *
         * @param records   changelog records read, all MDTs
         * @param skipped   saves and deletions outside the job's root (other trees of the same file system)
         * @param unresolved changes whose object or directory no longer exists (covered by another deletion)
         */
        record Changes(List<ChangeSetSource.Change> saves, List<byte[]> deletions, long records, long skipped,
                long unresolved, Map<String, Long> lastRecords) implements Plan {
        }

        /** Walk the tree; {@code reasons}: one job-log line per MDT that could not be used. */
        record FullWalk(List<String> reasons, Map<String, Long> lastRecords) implements Plan {
        }
    }

    /**
     * An Incremental or Differential: the changes after the committed cursors, or a full walk.
     *
     * @param root the job's tree (the plugin's {@code path}): changes elsewhere are not this job's
     */
    public static Plan incremental(LustreChangelogTools tools, FidResolver resolver, CursorStore store,
            List<String> mdts, String consumer, byte[] root, int maxEntries, Instant now) throws IOException {
        if (mdts.isEmpty()) {
            throw new IllegalArgumentException("no MDT");
        }
        Map<String, MdtChangelog.Outcome> outcomes = readAll(tools, store, mdts, consumer, maxEntries);
        List<String> reasons = new ArrayList<>();
        Map<String, Long> last = new LinkedHashMap<>();
        for (Map.Entry<String, MdtChangelog.Outcome> e : outcomes.entrySet()) {
            switch (e.getValue()) {
                case MdtChangelog.Outcome.FullWalk f -> reasons.add(f.why().message());
                case MdtChangelog.Outcome.Changes c -> last.put(e.getKey(), c.lastRecord());
            }
        }
        if (!reasons.isEmpty()) {
            for (String mdt : mdts) {
                if (!last.containsKey(mdt)) {
                    last.put(mdt, MdtChangelog.lastRecord(tools, mdt));
                }
            }
            store.markPending(consumer, last, now);
            return new Plan.FullWalk(reasons, last);
        }
        List<ChangeSetSource.Change> saves = new ArrayList<>();
        List<byte[]> deletions = new ArrayList<>();
        long records = 0;
        long skipped = 0;
        long unresolved = 0;
        for (MdtChangelog.Outcome o : outcomes.values()) {
            MdtChangelog.Outcome.Changes c = (MdtChangelog.Outcome.Changes) o;
            records += c.changes().records();
            ResolvedChanges r = ChangeResolution.resolve(c.changes(), resolver);
            unresolved += r.unresolved().size();
            for (ResolvedChanges.Save s : r.saves()) {
                if (Paths.isAtOrBelow(root, s.path())) {
                    saves.add(new ChangeSetSource.Change(s.path(), s.walkIfDirectory()));
                } else {
                    skipped++;
                }
            }
            for (byte[] d : r.deletions()) {
                if (Paths.isAtOrBelow(root, d) && d.length > Paths.normalize(root).length) {
                    deletions.add(d);
                } else {
                    skipped++;
                }
            }
        }
        store.markPending(consumer, last, now);
        return new Plan.Changes(saves, deletions, records, skipped, unresolved, last);
    }

    /**
     * A Full (or a first run): it walks, and the MDTs' current last records become the pending cursor, so the
     * first Incremental after it reads only what changed since.
     */
    public static Map<String, Long> full(LustreChangelogTools tools, CursorStore store, List<String> mdts,
            String consumer, Instant now) throws IOException {
        Map<String, Long> last = new LinkedHashMap<>();
        for (String mdt : mdts) {
            last.put(mdt, MdtChangelog.lastRecord(tools, mdt));
        }
        store.markPending(consumer, last, now);
        return last;
    }

    private static Map<String, MdtChangelog.Outcome> readAll(LustreChangelogTools tools, CursorStore store,
            List<String> mdts, String consumer, int maxEntries) throws IOException {
        Map<String, MdtChangelog.Outcome> out = new LinkedHashMap<>();
        if (mdts.size() == 1) {
            out.put(mdts.get(0), MdtChangelog.read(tools, store, mdts.get(0), consumer, maxEntries));
            return out;
        }
        // DNE: one reader per MDT; the store is only read here (start points), written after all have ended
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.min(mdts.size(), 16), r -> {
            Thread t = new Thread(r, "podheitor-changelog-mdt");
            t.setDaemon(true);
            return t;
        })) {
            Map<String, Future<MdtChangelog.Outcome>> futures = new LinkedHashMap<>();
            for (String mdt : mdts) {
                futures.put(mdt, pool.submit(() -> MdtChangelog.read(tools, store, mdt, consumer, maxEntries)));
            }
            for (Map.Entry<String, Future<MdtChangelog.Outcome>> e : futures.entrySet()) {
                try {
                    out.put(e.getKey(), e.getValue().get());
                } catch (ExecutionException ex) {
                    if (ex.getCause() instanceof IOException io) {
                        throw io;
                    }
                    throw new IOException(e.getKey() + ": " + ex.getCause(), ex.getCause());
                } catch (InterruptedException ex) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while reading the changelogs", ex);
                }
            }
        }
        return out;
    }
}
