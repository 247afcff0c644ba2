package io.podheitor.hpc.backend.backup;

import java.io.IOException;

/**
 * Where a backup states deletions instead of walking (docs/ptcomm.md §8): at the end of an Accurate
 * Incremental/Differential the FD asks the shim about every catalog entry nobody marked seen, and the deepest
 * {@code KEEP} or {@code GONE} naming the entry or one of its ancestors decides (KEEP: still there; GONE: recorded
 * deleted; none: recorded deleted). A changelog Incremental keeps its root and names what was deleted.
 *
 * <p>Called on the emitter thread only, between records (sources deliver {@link io.podheitor.hpc.source.CatalogVerdict}
 * items, which the emitter passes here). Paths are absolute bytes; trailing {@code /} are dropped by the shim.
 */
public interface DeletionSink {
    /** {@code C "KEEP " path}: the path and everything below it stay in the catalog unless a deeper GONE names them. */
    void keep(byte[] path) throws IOException;

    /** {@code C "GONE " path}: the path and everything below it are recorded deleted unless a deeper KEEP names them. */
    void gone(byte[] path) throws IOException;
}
