package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.shard.MdtLookup;
import io.podheitor.hpc.walker.Paths;
import java.io.IOException;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The MDT lookup of {@code strategy=lustre-mdt} (hpc-shard's {@link MdtLookup}) answered by hpc-lustre: liblustreapi
 * through FFM when it loads, else {@code lfs}, else nothing (then {@code mdtCount} is empty and the shard falls
 * back to inode-hash with a warning). An entry that is gone answers {@link MdtLookup#UNKNOWN}; any other failure
 * answers {@link MdtLookup#FAILED} (every shard saves the entry) and is counted for one closing warning
 * ({@link #failureSummary}). Called from the walker's threads.
 */
final class LustreMdtLookup implements MdtLookup, AutoCloseable {
    private final io.podheitor.hpc.lustre.MdtLookup lustre;
    private final AtomicLong failures = new AtomicLong();
    private final AtomicReference<String> first = new AtomicReference<>();

    LustreMdtLookup(io.podheitor.hpc.lustre.MdtLookup lustre) {
        this.lustre = Objects.requireNonNull(lustre, "lustre");
    }

    @Override
    public OptionalInt mdtCount(byte[] root) {
        try {
            return lustre.mdtCount(root);
        } catch (IOException e) {
            failed(root, e);
            return OptionalInt.empty();
        }
    }

    @Override
    public int mdtIndex(byte[] parent, byte[] name, long dIno) {
        byte[] path = Paths.join(parent, name);
        try {
            OptionalInt mdt = lustre.mdtOf(path);
            return mdt.isPresent() ? mdt.getAsInt() : UNKNOWN;
        } catch (PosixException e) {
            if (e.isNotFound()) {
                return UNKNOWN;
            }
            failed(path, e);
            return FAILED;
        } catch (IOException e) {
            failed(path, e);
            return FAILED;
        }
    }

    private void failed(byte[] path, IOException e) {
        failures.incrementAndGet();
        first.compareAndSet(null, "\"" + PathText.render(path) + "\": "
                + (e instanceof PosixException p ? p.strerror() : e.getMessage()));
    }

    /** How many lookups failed so far. */
    long failures() {
        return failures.get();
    }

    /** The job-log warning about failed lookups, or null when none failed. */
    String failureSummary() {
        long n = failures.get();
        if (n == 0) {
            return null;
        }
        return "strategy=lustre-mdt: the MDT of " + n + (n == 1 ? " entry" : " entries") + " could not be read (first "
                + first.get() + "); every shard saved " + (n == 1 ? "it" : "them")
                + ", so " + (n == 1 ? "it may be" : "they may be") + " in more than one shard's catalog";
    }

    @Override
    public void close() {
        lustre.close();
    }

    /** What answers: liblustreapi (name), lfs (path) or absent. */
    @Override
    public String toString() {
        return lustre.source();
    }
}
