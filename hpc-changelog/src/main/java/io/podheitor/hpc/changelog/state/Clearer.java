package io.podheitor.hpc.changelog.state;

import java.io.IOException;

/** Tells the MDS that a consumer no longer needs records up to an index ({@code lfs changelog_clear}). */
@FunctionalInterface
public interface Clearer {
    /** False when the consumer is not registered on that MDT (deregistered or garbage-collected). */
    boolean clear(String mdt, String consumer, long endRecord) throws IOException;
}
