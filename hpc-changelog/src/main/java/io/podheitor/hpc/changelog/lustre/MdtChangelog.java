package io.podheitor.hpc.changelog.lustre;

import io.podheitor.hpc.changelog.ChangelogFormatException;
import io.podheitor.hpc.changelog.state.CursorStore;
import io.podheitor.hpc.changelog.state.FullWalkReason;
import io.podheitor.hpc.changelog.state.StartPoint;
import java.io.IOException;
import java.util.Optional;

/**
 * One run over one MDT's changelog: decide where to start from the cursor and the consumer list, stream the
 * records from there into a {@link ChangeCollapser}, and check that they follow the cursor without a gap. Every
 * case where the changelog cannot be trusted ends in {@link Outcome.FullWalk} with the job-log message, never in
 * a partial change set. Where {@code lctl get_param mdd.MDT.changelog_users} cannot answer (a client node), the
 * consumer is checked with a clear up to the committed cursor, which the MDS already has and which only fails
 * when the consumer is not registered. The caller records the outcome with {@link CursorStore#markPending}.
 */
public final class MdtChangelog {
    private MdtChangelog() {
    }

    /** What a run over one MDT found. */
    public sealed interface Outcome {
        /** The changes after the cursor, and the last record read (the cursor itself when there was none). */
        record Changes(String mdt, ChangeSet changes, long lastRecord) implements Outcome {
        }

        record FullWalk(StartPoint.FullWalk why) implements Outcome {
        }
    }

    public static Outcome read(LustreChangelogTools tools, CursorStore store, String mdt, String consumer,
            int maxEntries) throws IOException {
        Optional<ChangelogUsers.Mdt> users = tools.users(mdt);
        StartPoint start = store.start(mdt, consumer, users.map(MdtChangelog::view));
        if (start instanceof StartPoint.FullWalk f) {
            return new Outcome.FullWalk(f);
        }
        long first = ((StartPoint.Incremental) start).firstRecord();
        if (users.isEmpty() && first > 1) {
            // no consumer list here (a client): a clear up to the committed cursor changes nothing on the MDS but
            // fails when the consumer is gone, whose records may be purged with no gap left to see
            try {
                if (tools.clear(mdt, consumer, first - 1) == LustreChangelogTools.ClearResult.NO_SUCH_CONSUMER) {
                    return fullWalk(mdt, FullWalkReason.CONSUMER_GONE, "changelog consumer " + consumer
                            + " is not registered on " + mdt + " (garbage-collected after idling?): full walk");
                }
            } catch (LustreChangelogTools.ToolFailedException e) {
                return fullWalk(mdt, FullWalkReason.CHANGELOG_FAILED, mdt + ": " + e.getMessage() + ": full walk");
            }
        }
        ChangeCollapser collapser = new ChangeCollapser(maxEntries);
        long expected = first;
        try (LustreChangelogTools.Stream stream = tools.changelog(mdt, first)) {
            ChangelogRecord r;
            while ((r = stream.reader().next()) != null) {
                if (r.index() != expected) {
                    String where = expected == first ? "the first record after the cursor " + (first - 1)
                            : "record " + (expected - 1);
                    return fullWalk(mdt, FullWalkReason.GAP, mdt + " changelog: record " + r.index() + " follows "
                            + where + " (records " + expected + ".." + (r.index() - 1)
                            + " are missing): full walk");
                }
                expected++;
                collapser.accept(r);
            }
            stream.finish();
        } catch (ChangelogFormatException e) {
            return fullWalk(mdt, FullWalkReason.CHANGELOG_FAILED, mdt + " changelog unreadable ("
                    + e.getMessage() + "): full walk");
        } catch (LustreChangelogTools.ToolFailedException e) {
            return fullWalk(mdt, FullWalkReason.CHANGELOG_FAILED, mdt + ": " + e.getMessage() + ": full walk");
        }
        if (expected == first && users.isPresent() && users.get().currentIndex() >= first) {
            return fullWalk(mdt, FullWalkReason.GAP, mdt + " changelog: no records from " + first
                    + " on, but the MDT's current index is " + users.get().currentIndex() + ": full walk");
        }
        return switch (collapser.finish()) {
            case ChangeCollapser.Outcome.Collapsed c -> new Outcome.Changes(mdt, c.changes(), expected - 1);
            case ChangeCollapser.Outcome.TooManyChanges t -> fullWalk(mdt, FullWalkReason.TOO_MANY_CHANGES, mdt
                    + " changelog: more than " + t.limit() + " distinct changes in " + t.records()
                    + " records: full walk");
        };
    }

    /**
     * The MDT's last record number now, the cursor to record before a full walk starts: the current index of
     * the consumer list when it can be read here, else the last record of {@code lfs changelog MDT} (streamed
     * through, nothing kept); 0 when the changelog is empty.
     */
    public static long lastRecord(LustreChangelogTools tools, String mdt) throws IOException {
        Optional<ChangelogUsers.Mdt> users = tools.users(mdt);
        if (users.isPresent()) {
            return users.get().currentIndex();
        }
        long last = 0;
        try (LustreChangelogTools.Stream stream = tools.changelog(mdt, 0)) {
            ChangelogRecord r;
            while ((r = stream.reader().next()) != null) {
                last = r.index();
            }
            stream.finish();
        }
        return last;
    }

    static CursorStore.ChangelogUsersView view(ChangelogUsers.Mdt m) {
        return new CursorStore.ChangelogUsersView() {
            @Override
            public boolean listed(String consumer) {
                return m.user(consumer).isPresent();
            }

            @Override
            public long currentIndex() {
                return m.currentIndex();
            }
        };
    }

    private static Outcome fullWalk(String mdt, FullWalkReason reason, String message) {
        return new Outcome.FullWalk(new StartPoint.FullWalk(mdt, reason, message));
    }
}
