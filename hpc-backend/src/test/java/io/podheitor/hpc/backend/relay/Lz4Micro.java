package io.podheitor.hpc.backend.relay;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32C;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4SafeDecompressor;

/**
 * Not a test: a one-thread micro benchmark of the relay's LZ4 on a file (STRESS_RESULTS.md, relay LZ4): block
 * compression and decompression MB/s (of the uncompressed bytes) of lz4-java in pure Java and of liblz4 through FFM,
 * the latter with the arrays passed as heap segments (critical downcalls, what {@link Lz4NativeCompressor} does) and
 * through a native buffer reused per stream (copy in, call, copy out); CRC32C; and the whole block stream
 * ({@link RelayStreams}: framing, CRC32C, compression) into a null sink and back. Median of the rounds.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp hpc-backend/target/test-classes:hpc-backend/target/hpc-backend.jar:\
 *     hpc-backend/target/lib/'*' io.podheitor.hpc.backend.relay.Lz4Micro FILE [MIB] [ROUNDS]
 * </pre>
 */
public final class Lz4Micro {
    private static final int BLOCK = RelayStreams.BLOCK;

    private Lz4Micro() {
    }

    interface Pass {
        long run() throws IOException;
    }

    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        int mib = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        byte[] data;
        try (InputStream in = Files.newInputStream(file)) {
            data = in.readNBytes(mib << 20);
        }
        Lz4Codec nat = Lz4Codec.load(Lz4Codec.DEFAULT_NAMES);
        Lz4Codec pure = Lz4Codec.pureJava("micro");
        if (!nat.nativeCodec()) {
            throw new IllegalStateException(nat.description());
        }
        Lz4Native lz4 = Lz4Native.load(Lz4Codec.DEFAULT_NAMES).orElseThrow();
        int blocks = (data.length + BLOCK - 1) / BLOCK;
        int max = pure.compressor().maxCompressedLength(BLOCK);
        byte[][] comp = new byte[blocks][];
        long compressed = 0;
        for (int b = 0; b < blocks; b++) {
            int len = Math.min(BLOCK, data.length - b * BLOCK);
            byte[] dst = new byte[max];
            int n = nat.compressor().compress(data, b * BLOCK, len, dst, 0, max);
            comp[b] = Arrays.copyOf(dst, n);
            compressed += n;
        }
        System.out.printf(Locale.ROOT, "file %s, %d MiB, %d blocks of %d KiB, %s; ratio (native) %.3f%n", file,
                mib, blocks, BLOCK / 1024, nat.description(), (double) compressed / data.length);
        byte[] dst = new byte[max];
        byte[] back = new byte[BLOCK];
        Arena arena = Arena.ofConfined();
        MemorySegment nIn = arena.allocate(BLOCK);
        MemorySegment nOut = arena.allocate(max);
        report("compress   pure Java", data.length, rounds, () -> compressAll(pure.compressor(), data, dst));
        report("compress   FFM heap (critical)", data.length, rounds, () -> compressAll(nat.compressor(), data, dst));
        report("compress   FFM native buffer", data.length, rounds, () -> {
            long sum = 0;
            for (int off = 0; off < data.length; off += BLOCK) {
                int len = Math.min(BLOCK, data.length - off);
                MemorySegment.copy(data, off, nIn, ValueLayout.JAVA_BYTE, 0, len);
                int n = lz4.compress(nIn.asSlice(0, len), nOut);
                MemorySegment.copy(nOut, ValueLayout.JAVA_BYTE, 0, dst, 0, n);
                sum += n;
            }
            return sum;
        });
        report("decompress pure Java", data.length, rounds, () -> decompressAll(pure.decompressor(), comp, back));
        report("decompress FFM heap (critical)", data.length, rounds,
                () -> decompressAll(nat.decompressor(), comp, back));
        report("decompress FFM native buffer", data.length, rounds, () -> {
            long sum = 0;
            for (byte[] c : comp) {
                MemorySegment.copy(c, 0, nOut, ValueLayout.JAVA_BYTE, 0, c.length);
                int n = lz4.decompress(nOut.asSlice(0, c.length), nIn);
                MemorySegment.copy(nIn, ValueLayout.JAVA_BYTE, 0, back, 0, n);
                sum += n;
            }
            return sum;
        });
        report("CRC32C", data.length, rounds, () -> {
            CRC32C crc = new CRC32C();
            for (int off = 0; off < data.length; off += BLOCK) {
                crc.reset();
                crc.update(data, off, Math.min(BLOCK, data.length - off));
            }
            return crc.getValue();
        });
        for (Lz4Codec c : List.of(pure, nat)) {
            String name = c.nativeCodec() ? "FFM" : "pure Java";
            report("stream out " + name + " (64 KiB writes)", data.length, rounds, () -> {
                CountingSink sink = new CountingSink();
                OutputStream out = RelayStreams.output(sink, c);
                for (int off = 0; off < data.length; off += 65536) {
                    out.write(data, off, Math.min(65536, data.length - off));
                }
                RelayStreams.finish(out);
                return sink.count;
            });
        }
        arena.close();
    }

    private static long compressAll(LZ4Compressor c, byte[] data, byte[] dst) {
        long sum = 0;
        for (int off = 0; off < data.length; off += BLOCK) {
            sum += c.compress(data, off, Math.min(BLOCK, data.length - off), dst, 0, dst.length);
        }
        return sum;
    }

    private static long decompressAll(LZ4SafeDecompressor d, byte[][] comp, byte[] back) {
        long sum = 0;
        for (byte[] c : comp) {
            sum += d.decompress(c, 0, c.length, back, 0, back.length);
        }
        return sum;
    }

    private static void report(String what, long bytes, int rounds, Pass pass) throws IOException {
        pass.run(); // warm-up
        pass.run();
        List<Double> mbs = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            pass.run();
            mbs.add(bytes / 1e6 / ((System.nanoTime() - t0) / 1e9));
        }
        List<Double> sorted = new ArrayList<>(mbs);
        sorted.sort(null);
        System.out.printf(Locale.ROOT, "%-40s median %7.0f MB/s  (min %7.0f, max %7.0f)%n", what,
                sorted.get(sorted.size() / 2), sorted.getFirst(), sorted.getLast());
    }

    private static final class CountingSink extends OutputStream {
        long count;

        @Override
        public void write(int b) {
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            count += len;
        }
    }
}
