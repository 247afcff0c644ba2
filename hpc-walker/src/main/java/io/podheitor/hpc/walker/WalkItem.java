package io.podheitor.hpc.walker;

/** What the walk channel carries: entries, error reports, and one final {@link WalkEnd}. */
public sealed interface WalkItem permits Entry, WalkError, WalkEnd {
}
