package io.podheitor.hpc.ptcomm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FrameTest {

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static List<Frame> readAll(byte[] wire) throws IOException {
        FrameReader r = new FrameReader(new ByteArrayInputStream(wire));
        List<Frame> frames = new ArrayList<>();
        for (Frame f; (f = r.read()) != null; ) {
            frames.add(f);
        }
        return frames;
    }

    @Test
    void writesExactWireFormat() throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        FrameWriter w = new FrameWriter(bos);
        w.command("Hello Bacula 1");
        w.end();
        w.data(new byte[] {0, 1, 2}, 1, 2);
        w.message('W', "careful");
        w.handoff(0x0102030405060708L);
        w.terminate();
        w.flush();
        byte[] expected = new byte[0];
        ByteArrayOutputStream exp = new ByteArrayOutputStream();
        exp.writeBytes(ascii("C000014\nHello Bacula 1F000000\nD000002\n"));
        exp.write(1);
        exp.write(2);
        exp.writeBytes(ascii("W000007\ncareful"));
        exp.writeBytes(ascii("H000008\n"));
        exp.writeBytes(new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        exp.writeBytes(ascii("T000000\n"));
        expected = exp.toByteArray();
        assertArrayEquals(expected, bos.toByteArray());
    }

    @Test
    void nothingLeavesBeforeFlush() throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        FrameWriter w = new FrameWriter(bos);
        w.command("x");
        assertEquals(0, bos.size());
        w.flush();
        assertEquals(9, bos.size());
    }

    @Test
    void roundTripsBinaryPayloads() throws IOException {
        Random rnd = new Random(42);
        List<Frame> sent = new ArrayList<>();
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        FrameWriter w = new FrameWriter(bos);
        for (int i = 0; i < 200; i++) {
            int len = 1 + rnd.nextInt(i % 10 == 0 ? 300_000 : 100);
            byte[] p = new byte[len];
            rnd.nextBytes(p);
            Frame f = new Frame(i % 2 == 0 ? 'D' : 'C', p);
            sent.add(f);
            w.write(f);
        }
        byte[] max = new byte[Frame.MAX_PAYLOAD];
        rnd.nextBytes(max);
        sent.add(Frame.data(max));
        w.write(Frame.data(max));
        sent.add(Frame.end());
        w.write(Frame.end());
        w.flush();
        assertEquals(sent, readAll(bos.toByteArray()));
    }

    @Test
    void writerRejectsInvalidFrames() {
        FrameWriter w = new FrameWriter(new ByteArrayOutputStream());
        assertThrows(IllegalArgumentException.class, () -> w.write(Frame.data(new byte[0])));
        assertThrows(IllegalArgumentException.class, () -> w.write(Frame.data(new byte[Frame.MAX_PAYLOAD + 1])));
        assertThrows(IllegalArgumentException.class, () -> w.write(new Frame('F', new byte[1])));
        assertThrows(IllegalArgumentException.class, () -> w.write(new Frame('T', new byte[1])));
        assertThrows(IllegalArgumentException.class, () -> w.write(new Frame('Z', new byte[1])));
        assertThrows(IllegalArgumentException.class, () -> w.write(new Frame('H', new byte[7])));
        assertThrows(IllegalArgumentException.class, () -> w.write(new Frame('H', new byte[0])));
    }

    @Test
    void cleanEofAtBoundaryIsNull() throws IOException {
        assertNull(new FrameReader(new ByteArrayInputStream(new byte[0])).read());
        FrameReader r = new FrameReader(new ByteArrayInputStream(ascii("F000000\n")));
        assertEquals(Frame.end(), r.read());
        assertNull(r.read());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "C00000",            // EOF inside the header
        "C000005\nabc",      // EOF inside the payload
    })
    void eofInsideFrameIsProtocolError(String wire) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> readAll(ascii(wire)));
        assertTrue(e.getMessage().contains("closed the connection"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "C000001xa",         // byte 7 not newline
        "C00a001\na",        // non-digit length
        "C-00001\na",        // sign
        "C 00001\na",        // blank
        "Z000001\na",        // unknown letter
        "c000001\na",        // lower case
        "F000001\na",        // F with a payload
        "T000003\nabc",      // T with a payload
        "D000000\n",         // empty D
        "H000000\n",         // H without its handoff number
        "H000009\n123456789", // H longer than its 8 bytes
        "\n000000\n",
    })
    void malformedHeadersAreRejectedWithQuotedHeader(String wire) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> readAll(ascii(wire)));
        String header = ProtocolException.escape(ascii(wire), 0, 8);
        assertTrue(e.getMessage().startsWith("bad PTCOMM header \"" + header + "\": "), e.getMessage());
    }

    @Test
    void textStripsOneTrailingNewline() {
        assertEquals("Job", Frame.command(ascii("Job\n")).text());
        assertEquals("Job\n", Frame.command(ascii("Job\n\n")).text());
        assertTrue(Frame.command(ascii("END\n")).isCommand("END"));
    }

    @Test
    void escapeRendersUnprintables() {
        assertEquals("a\\nb\\xff\\x00\\\\\\\"", ProtocolException.escape(new byte[] {'a', '\n', 'b', (byte) 0xff, 0, '\\', '"'}));
    }

    /** Random and mutated input never makes the reader throw anything but ProtocolException. */
    @Test
    void fuzzedInputOnlyThrowsProtocolException() throws IOException {
        Random rnd = new Random(20240601);
        ByteArrayOutputStream good = new ByteArrayOutputStream();
        FrameWriter w = new FrameWriter(good);
        w.command("Hello podheitor-hpc 1");
        w.data(new byte[] {1, 2, 3}, 0, 3);
        w.end();
        w.flush();
        byte[] base = good.toByteArray();
        int protocolErrors = 0;
        for (int i = 0; i < 20_000; i++) {
            byte[] wire;
            if (i % 3 == 0) {
                wire = new byte[rnd.nextInt(40)];
                rnd.nextBytes(wire);
            } else {
                wire = base.clone();
                int mutations = 1 + rnd.nextInt(3);
                for (int m = 0; m < mutations; m++) {
                    wire[rnd.nextInt(wire.length)] = (byte) rnd.nextInt(256);
                }
                if (rnd.nextBoolean()) {
                    wire = java.util.Arrays.copyOf(wire, rnd.nextInt(wire.length + 1));
                }
            }
            try {
                readAll(wire);
            } catch (ProtocolException e) {
                protocolErrors++;
            }
        }
        assertTrue(protocolErrors > 1000);
    }
}
