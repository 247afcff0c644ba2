package io.podheitor.hpc.lustre;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Where metadata lives on a Lustre file system, for sharding by MDT: the MDTs of the file system holding a path,
 * and the MDT of one entry. Answered by liblustreapi through FFM when it loads ({@link FfmMdtLookup}), else by the
 * {@code lfs} tool when it is on PATH ({@link LfsMdtLookup}, a child process per question: fine per directory,
 * slow per file), else {@link NoMdtLookup} (absent: every answer empty). A path that is not on Lustre gives empty
 * answers too, never an exception; real failures (an injected or I/O error on Lustre) throw.
 */
public sealed interface MdtLookup extends AutoCloseable permits FfmMdtLookup, LfsMdtLookup, NoMdtLookup {
    /** What answers: {@code "liblustreapi (<name>)"}, {@code "lfs (<path>)"} or {@code "absent"}. */
    String source();

    /** Whether anything can answer (false for {@link NoMdtLookup}). */
    boolean present();

    /**
     * The MDTs of the file system holding {@code path}, in index order (indices may be sparse, and an inactive MDT
     * is listed with its state); empty when {@code path} is not on Lustre.
     */
    List<LustreTarget> mdts(byte[] path) throws IOException;

    /** How many MDTs the file system holding {@code path} has, or empty when it is not on Lustre. */
    default OptionalInt mdtCount(byte[] path) throws IOException {
        List<LustreTarget> mdts = mdts(path);
        return mdts.isEmpty() ? OptionalInt.empty() : OptionalInt.of(mdts.size());
    }

    /** The MDT index of the open entry {@code fd} (opened for reading, not O_PATH); empty when not on Lustre. */
    OptionalInt mdtOf(int fd) throws IOException;

    /** The MDT index of entry {@code name} of the open directory {@code dirfd}; empty when not on Lustre. */
    OptionalInt mdtOf(int dirfd, byte[] name) throws IOException;

    /**
     * The MDT index of the entry at {@code path} (a final symlink is not followed), without opening it for
     * reading: what a walk filter, which sees paths, can ask. Empty when not on Lustre.
     */
    OptionalInt mdtOf(byte[] path) throws IOException;

    /** Releases what the lookup keeps open (the library-backed one keeps a descriptor per file system). */
    @Override
    default void close() {
    }

    /** The best of what is there: the library, else lfs, else absent. */
    static MdtLookup choose(Lustre lustre, Optional<Lfs> lfs) {
        if (lustre.present()) {
            return new FfmMdtLookup(lustre);
        }
        return lfs.<MdtLookup>map(LfsMdtLookup::new).orElse(NoMdtLookup.INSTANCE);
    }

    /** {@link #choose} with this process's library ({@link Lustre#get()}) and the {@code lfs} on PATH. */
    static MdtLookup system() {
        return choose(Lustre.get(), Lfs.onPath());
    }
}
