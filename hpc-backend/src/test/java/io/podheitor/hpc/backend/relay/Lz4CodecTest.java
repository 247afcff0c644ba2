package io.podheitor.hpc.backend.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import net.jpountz.lz4.LZ4BlockInputStream;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Exception;
import net.jpountz.lz4.LZ4SafeDecompressor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The relay's LZ4 codec with the real liblz4 of this host (Debian's liblz4-1: apt depends on it) and with lz4-java's
 * pure-Java codec: the same blocks in both directions, corruption reported, and the fallback when the library is
 * absent (by name: the production lookup is not switched off).
 */
class Lz4CodecTest {
    static final int BLOCK = RelayStreams.BLOCK;
    static final Lz4Codec NATIVE = nativeCodec();
    static final Lz4Codec PURE = Lz4Codec.pureJava("test");

    static Lz4Codec nativeCodec() {
        Lz4Codec c = Lz4Codec.load(Lz4Codec.DEFAULT_NAMES);
        if (!c.nativeCodec()) {
            throw new AssertionError("these tests need liblz4.so.1 (Debian: liblz4-1): " + c.description());
        }
        return c;
    }

    static Stream<Arguments> directions() {
        return Stream.of(Arguments.of("native->native", NATIVE, NATIVE), Arguments.of("native->pure", NATIVE, PURE),
                Arguments.of("pure->native", PURE, NATIVE), Arguments.of("pure->pure", PURE, PURE));
    }

    /** Numbers as text (LZ4 halves them), as the bench's data. */
    static byte[] text(int n, long seed) {
        Random r = new Random(seed);
        StringBuilder b = new StringBuilder(n + 64);
        while (b.length() < n) {
            b.append(String.format("%.6e,%d%n", (r.nextDouble() - 0.5) * 2e3, r.nextInt(100000)));
        }
        return Arrays.copyOf(b.toString().getBytes(StandardCharsets.US_ASCII), n);
    }

    static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] write(Lz4Codec codec, byte[] data, int chunk, boolean flushEachChunk) throws IOException {
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        OutputStream out = RelayStreams.output(sink, codec);
        for (int off = 0; off < data.length; off += chunk) {
            out.write(data, off, Math.min(chunk, data.length - off));
            if (flushEachChunk) {
                out.flush();
            }
        }
        RelayStreams.finish(out);
        return sink.toByteArray();
    }

    static byte[] read(Lz4Codec codec, byte[] wire) throws IOException {
        try (InputStream in = RelayStreams.input(new ByteArrayInputStream(wire), codec)) {
            return in.readAllBytes();
        }
    }

    @Test
    void theHostsLibraryIsFoundAndNamed() {
        assertTrue(NATIVE.nativeCodec());
        assertTrue(NATIVE.description().matches("liblz4\\.so\\.1 1\\.\\d+\\.\\d+ \\(FFM\\)"), NATIVE.description());
        assertInstanceOf(Lz4NativeCompressor.class, NATIVE.compressor());
        assertInstanceOf(Lz4NativeDecompressor.class, NATIVE.decompressor());
        Lz4Native lz4 = Lz4Native.load("liblz4.so.1").orElseThrow();
        assertEquals(NATIVE.compressor().maxCompressedLength(BLOCK), lz4.compressBound(BLOCK));
        assertEquals(NATIVE.compressor().maxCompressedLength(1), lz4.compressBound(1));
    }

    @Test
    void anAbsentLibraryMeansPureJava() throws IOException {
        Lz4Codec c = Lz4Codec.load("libpodheitor-hpc-no-such-lz4.so.1", "/nonexistent/liblz4.so.1");
        assertFalse(c.nativeCodec());
        assertEquals("lz4-java, pure Java (liblz4 not found: libpodheitor-hpc-no-such-lz4.so.1, "
                + "/nonexistent/liblz4.so.1)", c.description());
        assertFalse(c.compressor() instanceof Lz4NativeCompressor);
        assertFalse(c.decompressor() instanceof Lz4NativeDecompressor);
        byte[] data = text(300_000, 1);
        assertArrayEquals(data, read(NATIVE, write(c, data, 8192, false)));
    }

    @Test
    void aLibraryWithoutTheFunctionsIsNotLz4() {
        assertTrue(Lz4Native.load("libc.so.6").isEmpty());
        assertFalse(Lz4Codec.load("libc.so.6").nativeCodec());
        // the first name that is liblz4 wins, after one that does not load
        assertTrue(Lz4Codec.load("libpodheitor-hpc-no-such-lz4.so.1", "liblz4.so.1").nativeCodec());
    }

    @Test
    void theChoiceFollowsThePropertyOnlyWhenSet() {
        String before = System.getProperty(Lz4Codec.LIBRARY_PROPERTY);
        try {
            System.setProperty(Lz4Codec.LIBRARY_PROPERTY, "none");
            Lz4Codec c = Lz4Codec.load();
            assertFalse(c.nativeCodec());
            assertEquals("lz4-java, pure Java (liblz4 not found: none)", c.description());
            System.setProperty(Lz4Codec.LIBRARY_PROPERTY, "/usr/lib/x86_64-linux-gnu/liblz4.so.1");
            assertTrue(Lz4Codec.load().nativeCodec() || !System.getProperty("os.arch").equals("amd64"));
        } finally {
            if (before == null) {
                System.clearProperty(Lz4Codec.LIBRARY_PROPERTY);
            } else {
                System.setProperty(Lz4Codec.LIBRARY_PROPERTY, before);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("directions")
    void sizesAroundTheBlock(String name, Lz4Codec writer, Lz4Codec reader) throws IOException {
        for (int n : List.of(0, 1, 2, 15, BLOCK - 1, BLOCK, BLOCK + 1, 2 * BLOCK, 3 * BLOCK + 17)) {
            for (byte[] data : List.of(text(n, n), random(n, n), new byte[n])) {
                byte[] wire = write(writer, data, 64 * 1024 + 3, false);
                assertArrayEquals(data, read(reader, wire), name + " " + n);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("directions")
    void flushesMidBlockEndBlocksAndLoseNothing(String name, Lz4Codec writer, Lz4Codec reader) throws IOException {
        byte[] data = text(BLOCK * 2 + 5000, 3);
        for (int chunk : List.of(1, 10, 4097, BLOCK / 2 + 1)) {
            byte[] small = Arrays.copyOf(data, chunk == 1 ? 3000 : data.length);
            byte[] wire = write(writer, small, chunk, true);
            assertArrayEquals(small, read(reader, wire), name + " chunk " + chunk);
        }
        // flush() alone delivers: the reader gets the bytes written so far before the end of the stream
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        OutputStream out = RelayStreams.output(sink, writer);
        out.write(data, 0, 10);
        out.flush();
        InputStream in = RelayStreams.input(new ByteArrayInputStream(sink.toByteArray()), reader);
        assertArrayEquals(Arrays.copyOf(data, 10), in.readNBytes(10));
    }

    @Test
    void compressedBlocksDecodeEitherWay() {
        byte[] data = text(BLOCK, 5);
        for (LZ4Compressor c : List.of(NATIVE.compressor(), PURE.compressor())) {
            byte[] dst = new byte[c.maxCompressedLength(BLOCK) + 7];
            int n = c.compress(data, 0, BLOCK, dst, 7, dst.length - 7);
            assertTrue(n < BLOCK * 0.8, c + " compressed the text to " + n);
            for (LZ4SafeDecompressor d : List.of(NATIVE.decompressor(), PURE.decompressor())) {
                byte[] back = new byte[BLOCK + 3];
                assertEquals(BLOCK, d.decompress(dst, 7, n, back, 3, BLOCK));
                assertArrayEquals(data, Arrays.copyOfRange(back, 3, BLOCK + 3), c + " -> " + d);
            }
        }
        // random bytes grow a little, never past the bound
        byte[] rnd = random(BLOCK, 6);
        byte[] dst = new byte[NATIVE.compressor().maxCompressedLength(BLOCK)];
        int n = NATIVE.compressor().compress(rnd, 0, BLOCK, dst, 0, dst.length);
        assertTrue(n > BLOCK && n <= dst.length, "random block compressed to " + n);
        assertThrows(LZ4Exception.class, () -> NATIVE.compressor().compress(rnd, 0, BLOCK, new byte[BLOCK], 0, BLOCK));
        assertThrows(IndexOutOfBoundsException.class,
                () -> NATIVE.compressor().compress(rnd, BLOCK - 1, 2, dst, 0, dst.length));
        assertThrows(IndexOutOfBoundsException.class,
                () -> NATIVE.decompressor().decompress(dst, 0, n, new byte[10], 5, 6));
    }

    @Test
    void byteBufferVariantsUseAbsoluteOffsets() {
        byte[] data = text(100_000, 8);
        for (boolean direct : new boolean[] {false, true}) {
            ByteBuffer src = direct ? ByteBuffer.allocateDirect(data.length + 11) : ByteBuffer.allocate(data.length + 11);
            src.put(11, data);
            src.position(3).limit(5); // lz4-java's offsets are absolute: position and limit play no part
            int max = NATIVE.compressor().maxCompressedLength(data.length);
            ByteBuffer dst = direct ? ByteBuffer.allocateDirect(max + 4) : ByteBuffer.allocate(max + 4);
            int n = NATIVE.compressor().compress(src, 11, data.length, dst, 4, max);
            byte[] wire = new byte[n];
            dst.get(4, wire);
            assertArrayEquals(data, PURE.decompressor().decompress(wire, data.length));
            ByteBuffer back = direct ? ByteBuffer.allocateDirect(data.length + 2) : ByteBuffer.allocate(data.length + 2);
            assertEquals(data.length, NATIVE.decompressor().decompress(dst, 4, n, back, 2, data.length));
            byte[] out = new byte[data.length];
            back.get(2, out);
            assertArrayEquals(data, out);
            assertThrows(java.nio.ReadOnlyBufferException.class,
                    () -> NATIVE.decompressor().decompress(dst, 4, n, back.asReadOnlyBuffer(), 2, data.length));
        }
    }

    @Test
    void aMalformedBlockIsAnLz4ExceptionAndNothingPastTheDestinationIsWritten() {
        byte[] data = text(BLOCK, 9);
        byte[] block = new byte[NATIVE.compressor().maxCompressedLength(BLOCK)];
        int n = NATIVE.compressor().compress(data, 0, BLOCK, block, 0, block.length);
        // the destination is a window of a larger array; the bytes after it must stay as they are
        byte[] dest = new byte[BLOCK + 4096];
        Arrays.fill(dest, (byte) 0x5a);
        int limit = BLOCK / 2;
        assertThrows(LZ4Exception.class, () -> NATIVE.decompressor().decompress(block, 0, n, dest, 0, limit));
        for (int i = limit; i < dest.length; i++) {
            assertEquals((byte) 0x5a, dest[i], "byte " + i + " past the destination was written");
        }
        Random r = new Random(10);
        int malformed = 0;
        for (int t = 0; t < 200; t++) {
            byte[] bad = random(1 + r.nextInt(2000), t);
            Arrays.fill(dest, (byte) 0x5a);
            try {
                int got = NATIVE.decompressor().decompress(bad, 0, bad.length, dest, 0, limit);
                assertTrue(got >= 0 && got <= limit);
            } catch (LZ4Exception e) {
                malformed++;
            }
            for (int i = limit; i < dest.length; i++) {
                assertEquals((byte) 0x5a, dest[i]);
            }
        }
        assertTrue(malformed > 100, "random bytes are mostly malformed blocks: " + malformed);
        // a truncated block
        assertThrows(LZ4Exception.class, () -> NATIVE.decompressor().decompress(block, 0, n / 2, dest, 0, BLOCK));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("directions")
    void aCorruptStreamIsAClearIOException(String name, Lz4Codec writer, Lz4Codec reader) throws IOException {
        byte[] data = text(3 * BLOCK, 11);
        byte[] wire = write(writer, data, BLOCK, false);
        int header = 8 + 1 + 4 + 4 + 4; // "LZ4Block", token, compressed and original length, checksum
        for (int at : List.of(header + 5, header + 1000, wire.length / 2)) {
            byte[] bad = wire.clone();
            bad[at] ^= 0x41;
            IOException e = assertThrows(IOException.class, () -> read(reader, bad), name + " at " + at);
            assertTrue(e.getMessage().contains("Stream is corrupted") || e.getMessage().contains("Malformed")
                    || e instanceof java.io.EOFException, e.toString());
        }
        // the lengths in a block header, garbled
        byte[] bad = wire.clone();
        bad[8 + 1 + 3] = 0x7f;
        assertThrows(IOException.class, () -> read(reader, bad));
        // the stream cut in the middle of a block
        byte[] cut = Arrays.copyOf(wire, wire.length / 3);
        assertThrows(IOException.class, () -> read(reader, cut));
    }

    @Test
    void theWireIsLz4JavasBlockStream() throws IOException {
        // what the relay's native writer sends is read by a plain lz4-java LZ4BlockInputStream (pure Java, CRC32C)
        byte[] data = text(BLOCK + 12345, 12);
        byte[] wire = write(NATIVE, data, 1000, false);
        try (InputStream in = LZ4BlockInputStream.newBuilder()
                .withDecompressor(net.jpountz.lz4.LZ4Factory.safeInstance().safeDecompressor())
                .withChecksum(new java.util.zip.CRC32C())
                .build(new ByteArrayInputStream(wire))) {
            assertArrayEquals(data, in.readAllBytes());
        }
        assertArrayEquals("LZ4Block".getBytes(StandardCharsets.US_ASCII), Arrays.copyOf(wire, 8));
    }

    @Test
    void manyThreadsShareOneCodec() throws Exception {
        byte[] data = text(2 * BLOCK + 99, 13);
        List<Thread> threads = new java.util.ArrayList<>();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int i = 0; i < 4; i++) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    for (int k = 0; k < 5; k++) {
                        assertArrayEquals(data, read(NATIVE, write(NATIVE, data, 7777, false)));
                    }
                } catch (Throwable t) {
                    failures.add(t);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(List.of(), failures);
    }
}
