package io.podheitor.hpc.source;

/**
 * An {@link EntrySource} whose items' paths are mapped by a {@link Relocation} on the way to the consumer
 * (the largest directory of its
 * statistics too; everything else, the order and the counts, is the wrapped source's).
 */
final class RelocatedSource implements EntrySource {
    private final EntrySource source;
    private final Relocation relocation;

    RelocatedSource(EntrySource source, Relocation relocation) {
        this.source = source;
        this.relocation = relocation;
    }

    @Override
    public Ordering ordering() {
        return source.ordering();
    }

    @Override
    public SourceItem take() throws InterruptedException {
        return relocation.apply(source.take());
    }

    @Override
    public SourceItem poll() {
        SourceItem item = source.poll();
        return item == null ? null : relocation.apply(item);
    }

    @Override
    public SourceStats stats() {
        SourceStats s = source.stats();
        return new SourceStats(s.entries(), s.errors(), relocation.apply(s.largestDirectory()), s.largestEntries(),
                s.threads(), s.statCalls());
    }

    @Override
    public void cancel() {
        source.cancel();
    }

    @Override
    public void close() {
        source.close();
    }
}
