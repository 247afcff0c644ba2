package io.podheitor.hpc.backend.relay;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import io.podheitor.hpc.posix.ffm.NativeLibrary;
import io.podheitor.hpc.posix.ffm.ThreadScratch;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.Objects;
import java.util.Optional;

/**
 * liblz4's block functions through FFM (no JNI): the signatures of {@code lz4.h} (1.9.x, 1.10.x):
 *
 * <pre>
 * int LZ4_compress_default(const char* src, char* dst, int srcSize, int dstCapacity);
 * int LZ4_decompress_safe(const char* src, char* dst, int compressedSize, int dstCapacity);
 * int LZ4_compressBound(int inputSize);
 * int LZ4_versionNumber(void);
 * </pre>
 *
 * The two block functions are bound as critical downcalls that may take heap segments: they neither block nor call
 * back, and a 256 KiB block takes well under a millisecond, so the arrays of lz4-java's block streams go to the
 * library as they are, with no copy into native memory. The library writes nothing but {@code dst}, and never more
 * than {@code dstCapacity} bytes of it (the "safe" decoder checks every offset against both buffers).
 *
 * <p>Optional, as every library but libc (docs/slurm.md §4.3): {@link #load} is empty when no name loads or a
 * function is missing, and {@link Lz4Codec} then uses lz4-java's pure-Java codec, which writes and reads the same
 * blocks.
 */
public final class Lz4Native {
    private static final Linker.Option CRITICAL_HEAP = Linker.Option.critical(true);
    private static final FunctionDescriptor BLOCK =
            FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT);

    private final NativeLibrary library;
    private final MethodHandle compressDefault;
    private final MethodHandle decompressSafe;
    private final MethodHandle compressBound;
    private final int versionNumber;

    private Lz4Native(NativeLibrary library, MethodHandle compressDefault, MethodHandle decompressSafe,
                      MethodHandle compressBound, int versionNumber) {
        this.library = library;
        this.compressDefault = compressDefault;
        this.decompressSafe = decompressSafe;
        this.compressBound = compressBound;
        this.versionNumber = versionNumber;
    }

    /**
     * The first of {@code names} that loads ({@code dlopen} semantics: a bare name is searched on the library path)
     * and defines the four functions.
     *
     * @return the binding, or empty when no name loads or the library lacks a function
     */
    public static Optional<Lz4Native> load(String... names) {
        return NativeLibrary.find(names).flatMap(Lz4Native::bind);
    }

    /** Binds the functions of {@code library}; empty when one is missing (not liblz4, or too old). */
    static Optional<Lz4Native> bind(NativeLibrary library) {
        Objects.requireNonNull(library, "library");
        Optional<MethodHandle> compress = library.findDowncall("LZ4_compress_default", BLOCK, CRITICAL_HEAP);
        Optional<MethodHandle> decompress = library.findDowncall("LZ4_decompress_safe", BLOCK, CRITICAL_HEAP);
        Optional<MethodHandle> bound = library.findDowncall("LZ4_compressBound",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT), Linker.Option.critical(false));
        Optional<MethodHandle> version = library.findDowncall("LZ4_versionNumber", FunctionDescriptor.of(JAVA_INT),
                Linker.Option.critical(false));
        if (compress.isEmpty() || decompress.isEmpty() || bound.isEmpty() || version.isEmpty()) {
            return Optional.empty();
        }
        int v;
        try {
            v = (int) version.get().invokeExact(ThreadScratch.current().capture());
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
        return Optional.of(new Lz4Native(library, compress.get(), decompress.get(), bound.get(), v));
    }

    /** The library's name as it was found (e.g. {@code liblz4.so.1}). */
    public String libraryName() {
        return library.name();
    }

    /** The library's version, {@code major.minor.release} (from {@code LZ4_versionNumber}: 10904 is 1.9.4). */
    public String version() {
        return versionNumber / 10000 + "." + versionNumber / 100 % 100 + "." + versionNumber % 100;
    }

    /** {@code LZ4_compressBound}: the most bytes a block of {@code inputSize} bytes compresses to (0 if too big). */
    public int compressBound(int inputSize) {
        try {
            return (int) compressBound.invokeExact(ThreadScratch.current().capture(), inputSize);
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    /**
     * {@code LZ4_compress_default} from {@code src} (its whole size) into {@code dst} (at most its size).
     *
     * @return the compressed size, or 0 when {@code dst} is too small (its content is then undefined)
     */
    public int compress(MemorySegment src, MemorySegment dst) {
        try {
            return (int) compressDefault.invokeExact(ThreadScratch.current().capture(), src, dst,
                    Math.toIntExact(src.byteSize()), Math.toIntExact(dst.byteSize()));
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    /**
     * {@code LZ4_decompress_safe} of the block {@code src} (its whole size) into {@code dst} (at most its size).
     *
     * @return the decompressed size, or a negative number when the block is malformed or does not fit
     */
    public int decompress(MemorySegment src, MemorySegment dst) {
        try {
            return (int) decompressSafe.invokeExact(ThreadScratch.current().capture(), src, dst,
                    Math.toIntExact(src.byteSize()), Math.toIntExact(dst.byteSize()));
        } catch (Throwable t) {
            throw NativeLibrary.unchecked(t);
        }
    }

    @Override
    public String toString() {
        return library.name() + " " + version();
    }
}
