package io.podheitor.hpc.source;

/**
 * What a source that does not walk (a changelog) states about the previous backups' catalog entries, for an
 * Accurate Incremental/Differential (docs/ptcomm.md §8): {@link Kind#KEEP} = this path and everything below it still
 * exists unless named otherwise (e.g. the root); {@link Kind#GONE} = this path and everything below it was deleted.
 * The deepest verdict naming an entry or one of its ancestors decides. The emitter passes them to the shim in the
 * order delivered, between records; in other jobs they have no effect.
 *
 * @param path absolute, without a trailing {@code /} (bytes, never transcoded)
 */
public record CatalogVerdict(Kind kind, byte[] path) implements SourceItem {
    public enum Kind {
        KEEP,
        GONE
    }

    public static CatalogVerdict keep(byte[] path) {
        return new CatalogVerdict(Kind.KEEP, path);
    }

    public static CatalogVerdict gone(byte[] path) {
        return new CatalogVerdict(Kind.GONE, path);
    }
}
