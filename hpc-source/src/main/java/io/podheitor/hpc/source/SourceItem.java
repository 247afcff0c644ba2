package io.podheitor.hpc.source;

/** What an {@link EntrySource} delivers: entries, error reports, and one final {@link SourceEnd}. */
public sealed interface SourceItem permits Entry, EntryError, SourceEnd {
}
