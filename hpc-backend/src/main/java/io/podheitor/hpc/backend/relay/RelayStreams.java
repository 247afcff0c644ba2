package io.podheitor.hpc.backend.relay;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4BlockInputStream;
import net.jpountz.lz4.LZ4BlockOutputStream;

/**
 * The relay's byte streams after the hello: as they are, or LZ4 blocks (lz4-java's block format, 256 KiB blocks,
 * CRC32C of each block), compressed and decompressed by {@link Lz4Codec#get()}: liblz4 through FFM when the host
 * has it, else lz4-java in pure Java; the blocks are the same either way. A flush ends the current block, so a
 * small frame (a CHECK, its answer) is never held back.
 */
public final class RelayStreams {
    static final int BLOCK = 256 * 1024;

    private RelayStreams() {
    }

    public static OutputStream output(OutputStream raw, boolean lz4) {
        return lz4 ? output(raw, Lz4Codec.get()) : raw;
    }

    /** RAW as LZ4 blocks compressed by CODEC. */
    static OutputStream output(OutputStream raw, Lz4Codec codec) {
        return new LZ4BlockOutputStream(raw, BLOCK, codec.compressor(), new CRC32C(), true);
    }

    /**
     * Ends what OUT (from {@link #output}) sends: the last LZ4 block and the stream's end mark, or a flush; the
     * connection itself stays open (closing an LZ4 stream would close the channel under the other direction).
     */
    public static void finish(OutputStream out) throws IOException {
        if (out instanceof LZ4BlockOutputStream lz4) {
            lz4.finish();
        }
        out.flush();
    }

    public static InputStream input(InputStream raw, boolean lz4) {
        return lz4 ? input(raw, Lz4Codec.get()) : raw;
    }

    /** The bytes of RAW's LZ4 blocks, decompressed by CODEC. */
    static InputStream input(InputStream raw, Lz4Codec codec) {
        InputStream lz4in = LZ4BlockInputStream.newBuilder()
                .withDecompressor(codec.decompressor())
                .withChecksum(new CRC32C())
                .withStopOnEmptyBlock(false)
                .build(raw);
        // lz4-java's read(b, off, 0) waits for the next block; InputStream's contract (and readNBytes) wants 0 at once
        return new FilterInputStream(lz4in) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return len == 0 ? 0 : super.read(b, off, len);
            }
        };
    }
}
