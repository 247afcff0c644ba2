package io.podheitor.hpc.source;

/**
 * What an {@link EntrySource} delivers: entries, error reports, catalog verdicts (sources that do not walk), and one
 * final {@link SourceEnd}.
 */
public sealed interface SourceItem permits Entry, EntryError, CatalogVerdict, SourceEnd {
}
