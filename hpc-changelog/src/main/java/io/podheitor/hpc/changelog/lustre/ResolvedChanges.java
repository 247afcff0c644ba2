package io.podheitor.hpc.changelog.lustre;

import java.util.List;

/**
 * A {@link ChangeSet} in paths: what to stat and save, what to delete, and what could not be placed.
 *
 * @param saves the paths to stat and save, sorted by bytes, each once
 * @param deletions the paths whose catalog entries, and all entries below them, are deleted unless saved again
 *     in the same job; sorted by bytes, each once
 * @param unresolved what could not be resolved (the object or its directory no longer exists)
 */
public record ResolvedChanges(List<Save> saves, List<byte[]> deletions, List<Unresolved> unresolved) {
    public ResolvedChanges {
        saves = List.copyOf(saves);
        deletions = List.copyOf(deletions);
        unresolved = List.copyOf(unresolved);
    }

    /**
     * @param path the absolute path
     * @param walkIfDirectory the name was renamed in: when it is a directory, walk its whole subtree
     */
    public record Save(byte[] path, boolean walkIfDirectory) {
    }

    /** A change that names an object that is gone by now. */
    public sealed interface Unresolved {
        /** A changed name whose directory no longer exists. */
        record Name(NameChange change) implements Unresolved {
        }

        /** A changed object that no longer exists. */
        record Object(io.podheitor.hpc.lustre.Fid fid) implements Unresolved {
        }
    }
}
