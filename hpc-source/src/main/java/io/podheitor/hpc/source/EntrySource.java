package io.podheitor.hpc.source;

/**
 * Where the entries of one backup or estimate come from: the parallel walk today; a changelog, a CephFS rctime
 * walk or a Slurm worker's relayed stream later. Producers may run on any number of threads; exactly ONE
 * consumer (the emitter) calls {@link #take()} / {@link #poll()}. The last item is always one {@link SourceEnd};
 * after it both calls return that end again.
 *
 * <p>Memory is bounded by the source (a bounded channel with back-pressure): a source never buffers the
 * namespace.
 */
public interface EntrySource extends AutoCloseable {
    /** The order in which this source delivers entries (the emitter and the shim rely on it). */
    Ordering ordering();

    /** The next item, waiting for it. */
    SourceItem take() throws InterruptedException;

    /** The next item if one is ready right now, else null (the consumer may flush its output, then take()). */
    SourceItem poll();

    /** Counts so far (read from the consumer thread while producers run: a moment's view, not a barrier). */
    SourceStats stats();

    /** Stops the producers promptly; queued items are dropped and a cancelled {@link SourceEnd} follows. */
    void cancel();

    /** Releases everything; cancels a source that has not ended. */
    @Override
    void close();
}
