package io.podheitor.hpc.backend.relay;

import java.util.Objects;
import java.util.Optional;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * The LZ4 block codec of the relay: liblz4 through FFM ({@link Lz4Native}) when it loads, else lz4-java's pure-Java
 * codec. Both write and read the same blocks, so a worker with the library and a submitter without it (or the
 * reverse) understand each other. Chosen once per process ({@link #get()}); {@link #description()} says which, for
 * the one line that reports the relay's connection on each side.
 *
 * @param compressor   the block compressor (LZ4's default level)
 * @param decompressor the block decompressor, safe against malformed input
 * @param description  e.g. {@code "liblz4.so.1 1.9.4 (FFM)"} or {@code "lz4-java, pure Java (liblz4 not found)"}
 * @param nativeCodec  whether the library is used
 */
public record Lz4Codec(LZ4Compressor compressor, LZ4SafeDecompressor decompressor, String description,
                       boolean nativeCodec) {
    /** A system property naming the library (a name on the library path, or a path); only that one is tried. */
    public static final String LIBRARY_PROPERTY = "podheitor.lz4.library";
    /** The environment variable naming it, when the property is not set. */
    public static final String LIBRARY_ENV = "PHPC_LIBLZ4";
    /** The names tried by default. */
    static final String[] DEFAULT_NAMES = {"liblz4.so.1", "liblz4.so"};

    public Lz4Codec {
        Objects.requireNonNull(compressor, "compressor");
        Objects.requireNonNull(decompressor, "decompressor");
        Objects.requireNonNull(description, "description");
    }

    /** The process's codec, chosen on first use: see {@link #load()}. */
    public static Lz4Codec get() {
        return Holder.INSTANCE;
    }

    /**
     * The library named by {@link #LIBRARY_PROPERTY} or {@link #LIBRARY_ENV} when set (and only that one; a name
     * that does not load, e.g. {@code none}, means pure Java), else {@code liblz4.so.1} or {@code liblz4.so}.
     */
    static Lz4Codec load() {
        String named = System.getProperty(LIBRARY_PROPERTY);
        if (named == null || named.isEmpty()) {
            named = System.getenv(LIBRARY_ENV);
        }
        return named == null || named.isEmpty() ? load(DEFAULT_NAMES) : load(named);
    }

    /** The first of {@code names} that loads as liblz4, or the pure-Java codec when none does. */
    static Lz4Codec load(String... names) {
        return of(Lz4Native.load(names), String.join(", ", names));
    }

    /** The codec of {@code lz4}, or the pure-Java one when it is empty or unusable. */
    static Lz4Codec of(Optional<Lz4Native> lz4, String tried) {
        if (lz4.isEmpty()) {
            return pureJava("liblz4 not found: " + tried);
        }
        Lz4Native l = lz4.get();
        LZ4Compressor c = new Lz4NativeCompressor(l);
        // lz4-java sizes its output buffers by its own bound; liblz4 must never need more
        int bound = l.compressBound(RelayStreams.BLOCK);
        if (bound <= 0 || bound > c.maxCompressedLength(RelayStreams.BLOCK)) {
            return pureJava(l + " unusable: LZ4_compressBound(" + RelayStreams.BLOCK + ") = " + bound);
        }
        return new Lz4Codec(c, new Lz4NativeDecompressor(l), l + " (FFM)", true);
    }

    /** lz4-java's pure-Java codec (no JNI, no Unsafe); {@code why} says why the library is not used. */
    static Lz4Codec pureJava(String why) {
        LZ4Factory f = LZ4Factory.safeInstance();
        return new Lz4Codec(f.fastCompressor(), f.safeDecompressor(), "lz4-java, pure Java (" + why + ")", false);
    }

    private static final class Holder {
        static final Lz4Codec INSTANCE = load();

        private Holder() {
        }
    }
}
