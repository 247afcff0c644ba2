package io.podheitor.hpc.backend.relay;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.Objects;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;

/**
 * lz4-java's {@link LZ4Compressor} backed by liblz4 ({@link Lz4Native}): the same LZ4 block format, so
 * {@code LZ4BlockOutputStream} built with it writes blocks every lz4-java reader (native or not) decodes. The arrays
 * are passed to the library as heap segments (no copy). {@link #maxCompressedLength} is lz4-java's, which equals
 * {@code LZ4_compressBound} ({@link Lz4Codec} checks it when it loads the library), so a destination that size
 * never fails.
 */
final class Lz4NativeCompressor extends LZ4Compressor {
    private final Lz4Native lz4;

    Lz4NativeCompressor(Lz4Native lz4) {
        this.lz4 = Objects.requireNonNull(lz4, "lz4");
    }

    @Override
    public int compress(byte[] src, int srcOff, int srcLen, byte[] dest, int destOff, int maxDestLen) {
        Objects.checkFromIndexSize(srcOff, srcLen, src.length);
        Objects.checkFromIndexSize(destOff, maxDestLen, dest.length);
        return checked(lz4.compress(MemorySegment.ofArray(src).asSlice(srcOff, srcLen),
                MemorySegment.ofArray(dest).asSlice(destOff, maxDestLen)), srcLen);
    }

    @Override
    public int compress(ByteBuffer src, int srcOff, int srcLen, ByteBuffer dest, int destOff, int maxDestLen) {
        if (dest.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        Objects.checkFromIndexSize(srcOff, srcLen, src.capacity());
        Objects.checkFromIndexSize(destOff, maxDestLen, dest.capacity());
        return checked(lz4.compress(Lz4NativeDecompressor.whole(src).asSlice(srcOff, srcLen),
                Lz4NativeDecompressor.whole(dest).asSlice(destOff, maxDestLen)), srcLen);
    }

    private static int checked(int n, int srcLen) {
        if (n <= 0 && srcLen > 0) {
            // LZ4_compress_default fails only when the destination is too small; so does lz4-java's
            throw new LZ4Exception("maxDestLen is too small");
        }
        return n;
    }

    @Override
    public String toString() {
        return "Lz4NativeCompressor[" + lz4 + "]";
    }
}
