package io.podheitor.hpc.stripe;

import java.io.IOException;

/** Where a sparse file's holes are (SEEK_DATA): a unit wholly inside one is not read. */
@FunctionalInterface
public interface HoleMap {
    /** A dense file: no holes. */
    HoleMap NONE = (start, end) -> false;

    /** Is {@code [start, end)} entirely a hole? Safe to call from several threads at once. */
    boolean isHole(long start, long end) throws IOException;
}
