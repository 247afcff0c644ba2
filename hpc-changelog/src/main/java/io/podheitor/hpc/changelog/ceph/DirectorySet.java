package io.podheitor.hpc.changelog.ceph;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Properties;
import net.openhft.hashing.LongHashFunction;

/**
 * The directories an earlier rctime job of this Job (and shard) knew, by path: a directory whose path is not in it
 * (a renamed subtree keeps its old rctimes below the rename, docs/ceph.md) is walked whatever its rctime says.
 *
 * <p>On disk, in the Job's state directory: {@code CURRENT} names the generation, a directory holding {@code paths}
 * (every directory's path: a 4-byte big-endian length, then the bytes; in no particular order), {@code hashes} (the
 * XXH3-64, seed 0, of each path, sorted as signed longs, big-endian) and {@code meta} (when the job that wrote it
 * started, its JobId, the count). Lookups binary-search the memory-mapped hashes: nothing of the set is on the
 * heap. Two different paths with the same 64-bit hash (about n/2^64 for one lookup) would make a renamed directory
 * look known; that is the one approximation, stated in docs/ceph.md.
 */
public final class DirectorySet implements AutoCloseable {
    static final String CURRENT = "CURRENT";
    static final String PATHS = "paths";
    static final String HASHES = "hashes";
    static final String META = "meta";
    private static final ValueLayout.OfLong BE_LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final LongHashFunction XXH3 = LongHashFunction.xx3();

    /**
     * @param started the epoch second the job that wrote the set started
     * @param jobId   its Bacula JobId
     * @param count   how many directory paths the set has
     */
    public record Meta(long started, long jobId, long count) {
    }

    private final Path generation;
    private final Meta meta;
    private final Arena arena;
    private final MemorySegment hashes;

    private DirectorySet(Path generation, Meta meta, Arena arena, MemorySegment hashes) {
        this.generation = generation;
        this.meta = meta;
        this.arena = arena;
        this.hashes = hashes;
    }

    /** The hash the set keys a path by. */
    public static long hash(byte[] path) {
        return XXH3.hashBytes(path);
    }

    /** The hash of {@code path[off..off+len)}. */
    static long hash(byte[] path, int off, int len) {
        return XXH3.hashBytes(path, off, len);
    }

    /** The set the state directory {@code dir} names in CURRENT, or empty when it has none. */
    public static Optional<DirectorySet> open(Path dir) throws IOException {
        String name;
        try {
            name = Files.readString(dir.resolve(CURRENT), StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        if (!name.matches("gen-[0-9A-Za-z_-]+")) {
            throw new IOException(dir.resolve(CURRENT) + " names \"" + name + "\", not a generation");
        }
        Path gen = dir.resolve(name);
        Properties p = new Properties();
        try (var in = Files.newBufferedReader(gen.resolve(META), StandardCharsets.US_ASCII)) {
            p.load(in);
        }
        Meta meta;
        try {
            meta = new Meta(Long.parseLong(p.getProperty("started")), Long.parseLong(p.getProperty("jobid")),
                    Long.parseLong(p.getProperty("count")));
        } catch (RuntimeException e) {
            throw new IOException(gen.resolve(META) + ": not a directory set's meta: " + e.getMessage());
        }
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(gen.resolve(HASHES), StandardOpenOption.READ)) {
            long size = ch.size();
            if (size != meta.count() * Long.BYTES) {
                throw new IOException(gen.resolve(HASHES) + " has " + size + " bytes, want " + meta.count() * 8);
            }
            MemorySegment seg = size == 0 ? MemorySegment.NULL : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return Optional.of(new DirectorySet(gen, meta, arena, seg));
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    public Meta meta() {
        return meta;
    }

    /** The generation's directory (its {@code paths} file is read when the next set is written). */
    Path generation() {
        return generation;
    }

    /** Whether {@code path} (absolute, bytes, no trailing /) was a directory of the set. */
    public boolean contains(byte[] path) {
        return containsHash(hash(path));
    }

    boolean containsHash(long h) {
        long lo = 0;
        long hi = meta.count() - 1;
        while (lo <= hi) {
            long mid = (lo + hi) >>> 1;
            long v = hashes.getAtIndex(BE_LONG, mid);
            if (v < h) {
                lo = mid + 1;
            } else if (v > h) {
                hi = mid - 1;
            } else {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        arena.close();
    }
}
