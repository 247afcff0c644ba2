package io.podheitor.hpc.backend.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * Whatever is written, with whatever writes and flushes, the native and the pure-Java codec read each other's
 * streams back to the same bytes.
 */
class Lz4CodecProperties {
    private static final Lz4Codec NATIVE = Lz4CodecTest.NATIVE;
    private static final Lz4Codec PURE = Lz4CodecTest.PURE;

    /** Runs of repeated bytes, text and random bytes, mixed: compressible and not, within one block. */
    @Provide
    Arbitrary<byte[]> data() {
        return Arbitraries.integers().between(0, 3 * RelayStreams.BLOCK).flatMap(n ->
                Arbitraries.longs().map(seed -> {
                    Random r = new Random(seed);
                    byte[] b = new byte[n];
                    int i = 0;
                    while (i < n) {
                        int run = Math.min(n - i, 1 + r.nextInt(r.nextBoolean() ? 64 : 20000));
                        switch (r.nextInt(3)) {
                            case 0 -> java.util.Arrays.fill(b, i, i + run, (byte) r.nextInt(256));
                            case 1 -> System.arraycopy(Lz4CodecTest.text(run, seed + i), 0, b, i, run);
                            default -> {
                                byte[] rnd = new byte[run];
                                r.nextBytes(rnd);
                                System.arraycopy(rnd, 0, b, i, run);
                            }
                        }
                        i += run;
                    }
                    return b;
                }));
    }

    @Property(tries = 60)
    void roundTripEitherWay(@ForAll("data") byte[] data, @ForAll @IntRange(min = 1, max = 300_000) int chunk,
                            @ForAll @IntRange(min = 0, max = 3) int flushEvery, @ForAll boolean nativeWrites)
            throws IOException {
        Lz4Codec writer = nativeWrites ? NATIVE : PURE;
        Lz4Codec reader = nativeWrites ? PURE : NATIVE;
        ByteArrayOutputStream sink = new ByteArrayOutputStream();
        OutputStream out = RelayStreams.output(sink, writer);
        int writes = 0;
        for (int off = 0; off < data.length; off += chunk) {
            out.write(data, off, Math.min(chunk, data.length - off));
            if (flushEvery > 0 && ++writes % flushEvery == 0) {
                out.flush();
            }
        }
        RelayStreams.finish(out);
        byte[] wire = sink.toByteArray();
        try (InputStream in = RelayStreams.input(new ByteArrayInputStream(wire), reader)) {
            assertArrayEquals(data, in.readAllBytes());
        }
        // and each codec reads its own
        try (InputStream in = RelayStreams.input(new ByteArrayInputStream(wire), writer)) {
            assertArrayEquals(data, in.readAllBytes());
        }
    }
}
