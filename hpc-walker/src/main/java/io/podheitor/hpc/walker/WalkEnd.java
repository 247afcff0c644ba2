package io.podheitor.hpc.walker;

/**
 * The last item of a walk: how many entries and errors were delivered before it, and why it ended early
 * ({@code cancelled}, or an unexpected {@code failure}; null when the walk completed).
 */
public record WalkEnd(long entries, long errors, boolean cancelled, Throwable failure) implements WalkItem {
    public boolean completed() {
        return !cancelled && failure == null;
    }
}
