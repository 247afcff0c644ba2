package io.podheitor.hpc.source;

/**
 * The last item of a source: how many entries and errors were delivered before it, and why it ended early
 * ({@code cancelled}, or an unexpected {@code failure}; null when the source completed).
 */
public record SourceEnd(long entries, long errors, boolean cancelled, Throwable failure) implements SourceItem {
    public boolean completed() {
        return !cancelled && failure == null;
    }
}
