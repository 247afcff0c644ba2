package io.podheitor.hpc.backend.relay;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.util.Objects;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * lz4-java's {@link LZ4SafeDecompressor} backed by liblz4's {@code LZ4_decompress_safe} ({@link Lz4Native}): reads
 * blocks of any LZ4 compressor, never writes past the destination it is given, and reports a malformed block as
 * lz4-java does, with an {@link LZ4Exception} ({@code LZ4BlockInputStream} turns it into an IOException "Stream is
 * corrupted").
 */
final class Lz4NativeDecompressor extends LZ4SafeDecompressor {
    private final Lz4Native lz4;

    Lz4NativeDecompressor(Lz4Native lz4) {
        this.lz4 = Objects.requireNonNull(lz4, "lz4");
    }

    @Override
    public int decompress(byte[] src, int srcOff, int srcLen, byte[] dest, int destOff, int maxDestLen) {
        Objects.checkFromIndexSize(srcOff, srcLen, src.length);
        Objects.checkFromIndexSize(destOff, maxDestLen, dest.length);
        return checked(lz4.decompress(MemorySegment.ofArray(src).asSlice(srcOff, srcLen),
                MemorySegment.ofArray(dest).asSlice(destOff, maxDestLen)));
    }

    @Override
    public int decompress(ByteBuffer src, int srcOff, int srcLen, ByteBuffer dest, int destOff, int maxDestLen) {
        if (dest.isReadOnly()) {
            throw new ReadOnlyBufferException();
        }
        Objects.checkFromIndexSize(srcOff, srcLen, src.capacity());
        Objects.checkFromIndexSize(destOff, maxDestLen, dest.capacity());
        return checked(lz4.decompress(whole(src).asSlice(srcOff, srcLen), whole(dest).asSlice(destOff, maxDestLen)));
    }

    private static int checked(int n) {
        if (n < 0) {
            throw new LZ4Exception("Malformed input (LZ4_decompress_safe returned " + n + ")");
        }
        return n;
    }

    /** The whole of BUFFER (its capacity), whatever its position and limit: lz4-java's offsets are absolute. */
    static MemorySegment whole(ByteBuffer buffer) {
        return MemorySegment.ofBuffer(buffer.duplicate().clear());
    }

    @Override
    public String toString() {
        return "Lz4NativeDecompressor[" + lz4 + "]";
    }
}
