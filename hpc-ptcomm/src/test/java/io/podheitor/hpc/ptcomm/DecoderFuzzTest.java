package io.podheitor.hpc.ptcomm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Property/fuzz tests of the decoders (fixed seeds, bounded iterations): whatever the bytes, the reader and the
 * record decoder end with a value or a {@link ProtocolException} carrying a message: no hang, no other exception,
 * no out-of-bounds read. Complements the single-frame fuzz tests in {@link FrameTest} and {@link FileRecordTest}
 * with multi-frame streams, dribbling (1..n byte) reads and accurate-mode CHECK payloads.
 */
class DecoderFuzzTest {
    private static final byte[] CHECK = "CHECK ".getBytes(StandardCharsets.US_ASCII);

    /** An InputStream that returns at most a few bytes per read, like a pipe under load. */
    private static final class Dribble extends InputStream {
        private final byte[] b;
        private final Random rnd;
        private int pos;

        Dribble(byte[] b, Random rnd) {
            this.b = b;
            this.rnd = rnd;
        }

        @Override
        public int read() {
            return pos < b.length ? b[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] dst, int off, int len) {
            if (pos >= b.length) {
                return -1;
            }
            int n = Math.min(Math.min(len, 1 + rnd.nextInt(9)), b.length - pos);
            System.arraycopy(b, pos, dst, off, n);
            pos += n;
            return n;
        }
    }

    private static FileRecord rec(FileType t, String name, String link) {
        return new FileRecord(t, t == FileType.DIRECTORY ? 040755 : 0100644, 1000, 100, 5, 1, 2, 3, 4, 5, 1, 0, 8,
                0, 0, name.getBytes(StandardCharsets.UTF_8), link == null ? null : link.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] validStream() throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        FrameWriter w = new FrameWriter(bos);
        w.command("Hello Bacula 1");
        w.end();
        byte[] r = rec(FileType.REGULAR, "/d/a\nb", null).encode();
        byte[] c = Arrays.copyOf(CHECK, CHECK.length + r.length);
        System.arraycopy(r, 0, c, CHECK.length, r.length);
        w.command(c);
        w.command(rec(FileType.REGULAR, "/d/a", null).withFlags(FileRecord.FLAG_DATA).encode());
        w.data(new byte[] {1, 2, 3, 4, 5}, 0, 5);
        w.end();
        w.command(rec(FileType.REGULAR, "/d/big", null).withFlags(FileRecord.FLAG_DATA).encode());
        w.handoff(1);
        w.command(rec(FileType.DIRECTORY, "/d/", null).encode());
        w.message(Status.WARNING, "w");
        w.command("SEEN");
        w.end();
        w.flush();
        return bos.toByteArray();
    }

    /** Reads every frame; decodes C payloads as records (after a CHECK prefix too). Returns frames read. */
    private static int consume(InputStream in) throws IOException {
        FrameReader r = new FrameReader(in);
        int n = 0;
        for (Frame f; (f = r.read()) != null; n++) {
            assertTrue(f.payload().length <= Frame.MAX_PAYLOAD);
            if (f.is(Status.COMMAND) && FileRecord.isFileRecord(f.payload())) {
                FileRecord.decode(f.payload());
            } else if (f.is(Status.COMMAND) && f.payload().length > CHECK.length
                    && Arrays.equals(f.payload(), 0, CHECK.length, CHECK, 0, CHECK.length)) {
                FileRecord.decode(Arrays.copyOfRange(f.payload(), CHECK.length, f.payload().length));
            }
        }
        return n;
    }

    @Test
    void specificBadHeadersFailCleanly() {
        String[] wires = {
            "D1000000\nx",      // a length over 999,999 needs 7 digits: byte 7 is not the newline
            "C99999",           // truncated header
            "C0000x1\n",        // non-digit length
            "Q000000\n",        // unknown status byte
            "\u0000000000\n",   // NUL status byte
            "C000010\nabc",     // EOF mid-payload
            "D999999\n",        // EOF right after a maximal header
            "H000007\n1234567", // H of the wrong length
        };
        for (String w : wires) {
            ProtocolException e = assertThrows(ProtocolException.class,
                    () -> consume(new ByteArrayInputStream(w.getBytes(StandardCharsets.ISO_8859_1))), w);
            assertFalse(e.getMessage() == null || e.getMessage().isBlank(), w);
        }
    }

    @Test
    void validStreamSurvivesDribblingReads() throws IOException {
        byte[] s = validStream();
        assertEquals(consume(new ByteArrayInputStream(s)), consume(new Dribble(s, new Random(1))));
    }

    @Test
    void mutatedStreamsEndCleanly() throws IOException {
        byte[] base = validStream();
        assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            Random rnd = new Random(20241124);
            int clean = 0, errors = 0;
            for (int i = 0; i < 20_000; i++) {
                byte[] w = base.clone();
                switch (rnd.nextInt(4)) {
                    case 0 -> { // byte flips
                        for (int m = 1 + rnd.nextInt(4); m > 0; m--) {
                            w[rnd.nextInt(w.length)] = (byte) rnd.nextInt(256);
                        }
                    }
                    case 1 -> w = Arrays.copyOf(w, rnd.nextInt(w.length)); // EOF anywhere
                    case 2 -> { // digits in headers/records, the parsers' favourite food
                        for (int m = 1 + rnd.nextInt(3); m > 0; m--) {
                            w[rnd.nextInt(w.length)] = (byte) "0123456789 \n\0-".charAt(rnd.nextInt(14));
                        }
                    }
                    default -> { // splice a random chunk in
                        byte[] junk = new byte[1 + rnd.nextInt(16)];
                        rnd.nextBytes(junk);
                        int at = rnd.nextInt(w.length);
                        byte[] x = new byte[w.length + junk.length];
                        System.arraycopy(w, 0, x, 0, at);
                        System.arraycopy(junk, 0, x, at, junk.length);
                        System.arraycopy(w, at, x, at + junk.length, w.length - at);
                        w = x;
                    }
                }
                try {
                    consume(rnd.nextBoolean() ? new ByteArrayInputStream(w) : new Dribble(w, rnd));
                    clean++;
                } catch (ProtocolException e) {
                    assertFalse(e.getMessage() == null || e.getMessage().isBlank());
                    errors++;
                }
            }
            assertTrue(errors > 1000 && clean > 100, "errors " + errors + " clean " + clean);
        });
    }

    @Test
    void mutatedCheckRecordsOnlyThrowProtocolException() {
        byte[] base = rec(FileType.DIRECTORY, "/data/dir/", null).encode();
        Random rnd = new Random(99);
        String[] numbers = {"18446744073709551616", "-1", "9223372036854775808", "", "0x10", "1e3", "077777777777"};
        for (int i = 0; i < 20_000; i++) {
            String s = new String(base, StandardCharsets.ISO_8859_1);
            String[] head = s.substring(0, s.indexOf('\n')).split(" ");
            head[1 + rnd.nextInt(head.length - 1)] = numbers[rnd.nextInt(numbers.length)];
            byte[] p = (String.join(" ", head) + s.substring(s.indexOf('\n'))).getBytes(StandardCharsets.ISO_8859_1);
            if (rnd.nextBoolean()) {
                p[rnd.nextInt(p.length)] = (byte) rnd.nextInt(256);
            }
            try {
                FileRecord r = FileRecord.decode(p);
                assertEquals(r, FileRecord.decode(r.encode()));
            } catch (ProtocolException e) {
                assertFalse(e.getMessage().isBlank());
            }
        }
    }
}
