package io.podheitor.hpc.backend.relay;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4BlockInputStream;
import net.jpountz.lz4.LZ4BlockOutputStream;
import net.jpountz.lz4.LZ4Factory;

/**
 * The relay's byte streams after the hello: as they are, or LZ4 blocks (lz4-java's block format, 256 KiB blocks,
 * CRC32C of each block, pure Java: no native library is loaded). A flush ends the current block, so a small frame
 * (a CHECK, its answer) is never held back.
 */
public final class RelayStreams {
    static final int BLOCK = 256 * 1024;

    private RelayStreams() {
    }

    public static OutputStream output(OutputStream raw, boolean lz4) {
        if (!lz4) {
            return raw;
        }
        return new LZ4BlockOutputStream(raw, BLOCK, LZ4Factory.safeInstance().fastCompressor(), new CRC32C(), true);
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
        if (!lz4) {
            return raw;
        }
        InputStream lz4in = LZ4BlockInputStream.newBuilder()
                .withDecompressor(LZ4Factory.safeInstance().safeDecompressor())
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
