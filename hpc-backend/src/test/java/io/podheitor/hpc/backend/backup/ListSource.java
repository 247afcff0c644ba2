package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.source.Entry;
import io.podheitor.hpc.source.EntryError;
import io.podheitor.hpc.source.EntrySource;
import io.podheitor.hpc.source.Ordering;
import io.podheitor.hpc.source.SourceEnd;
import io.podheitor.hpc.source.SourceItem;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/** An EntrySource that delivers a fixed list of items, then its end (a test source). */
final class ListSource implements EntrySource {
    private final Deque<SourceItem> items = new ArrayDeque<>();
    private SourceEnd end;
    boolean cancelled;
    boolean closed;

    /** Items, then a completed end (or {@code failure}). */
    ListSource(List<? extends SourceItem> items, Throwable failure) {
        this.items.addAll(items);
        long entries = items.stream().filter(Entry.class::isInstance).count();
        long errors = items.stream().filter(EntryError.class::isInstance).count();
        this.items.add(new SourceEnd(entries, errors, false, failure));
    }

    ListSource(List<? extends SourceItem> items) {
        this(items, null);
    }

    private long delivered;

    @Override
    public io.podheitor.hpc.source.SourceStats stats() {
        return new io.podheitor.hpc.source.SourceStats(delivered, 0, null, 0, 0);
    }

    @Override
    public Ordering ordering() {
        return Ordering.DIRECTORIES_AFTER_CONTENTS;
    }

    @Override
    public SourceItem take() {
        SourceItem i = poll();
        if (i == null) {
            throw new IllegalStateException("ListSource never blocks");
        }
        return i;
    }

    @Override
    public SourceItem poll() {
        if (end != null) {
            return end;
        }
        SourceItem i = items.poll();
        if (i instanceof SourceEnd e) {
            end = e;
        } else if (i instanceof Entry) {
            delivered++;
        }
        return i;
    }

    @Override
    public void cancel() {
        cancelled = true;
        items.clear();
        end = new SourceEnd(0, 0, true, null);
    }

    @Override
    public void close() {
        closed = true;
    }
}
