package io.podheitor.hpc.changelog.lustre;

import io.podheitor.hpc.changelog.ChangelogFormatException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.lustre.Fid;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ChangelogReaderTest {
    private static final Fid DIR = new Fid(0x200000402L, 2, 0);

    private static ChangelogReader reader(String text) {
        return new ChangelogReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void aNameWithANewlineContinuesOnTheNextLine() throws Exception {
        try (ChangelogReader r = reader("1 01CREAT 10:00:00.000000000 2024.01.01 0x0 t=[0x200000402:0x5:0x0] "
                + "p=[0x200000402:0x2:0x0] two\nlines\n"
                + "2 08RENME 10:00:00.000000000 2024.01.01 0x0 t=[0:0x0:0x0] p=[0x200000402:0x2:0x0] new\nname "
                + "s=[0x200000402:0x5:0x0] sp=[0x200000402:0x2:0x0] two\nlines\n"
                + "3 06UNLNK 10:00:00.000000000 2024.01.01 0x1 t=[0x200000402:0x5:0x0] p=[0x200000402:0x2:0x0] new\nname")) {
            ChangelogRecord a = r.next();
            assertEquals("two\nlines", new String(a.name(), StandardCharsets.UTF_8));
            ChangelogRecord b = r.next();
            assertEquals("new\nname", new String(b.name(), StandardCharsets.UTF_8));
            assertEquals("two\nlines", new String(b.sourceName(), StandardCharsets.UTF_8));
            ChangelogRecord c = r.next();
            assertEquals(3, c.index());
            assertEquals("new\nname", new String(c.name(), StandardCharsets.UTF_8));
            assertEquals(1, c.flags() & ChangelogRecord.UNLINK_LAST);
            assertNull(r.next());
            assertNull(r.next());
        }
    }

    @Test
    void emptyOutputHasNoRecords() throws Exception {
        try (ChangelogReader r = reader("")) {
            assertNull(r.next());
        }
    }

    @Test
    void errorsNameThePhysicalLine() throws Exception {
        ChangelogFormatException first = assertThrows(ChangelogFormatException.class,
                () -> reader("garbage\n").next());
        assertEquals(1, first.line());
        try (ChangelogReader r = reader("1 01CREAT 10:00:00.000000000 2024.01.01 0x0 t=[0x200000402:0x5:0x0]\n"
                + "2 01CREAT 10:00:00.000000000 2024.01.01 0x0 t=[0x200000402:0x6:0x0]\n"
                + "3 01CREAT 10:00:00.000000000 2024.99.01 0x0 t=[0x200000402:0x7:0x0]\n")) {
            assertEquals(1, r.next().index());
            assertEquals(2, r.next().index());
            ChangelogFormatException e = assertThrows(ChangelogFormatException.class, r::next);
            assertEquals(3, e.line());
        }
    }

    @Test
    void anOverlongLineIsRefusedNotBuffered() {
        InputStream endless = new InputStream() {
            long n;

            @Override
            public int read() {
                return n++ < 10_000_000 ? 'a' : -1;
            }
        };
        ChangelogFormatException e = assertThrows(ChangelogFormatException.class,
                () -> new ChangelogReader(endless).next());
        assertTrue(e.getMessage().contains("longer than"), e.getMessage());
    }

    /** Records are made as they are read: a million of them pass through without the output being held. */
    @Test
    void streamsAMillionRecords() throws IOException {
        long count = 1_000_000;
        InputStream generated = new InputStream() {
            long next = 1;
            byte[] line = new byte[0];
            int pos;

            @Override
            public int read() {
                if (pos == line.length) {
                    if (next > count) {
                        return -1;
                    }
                    byte[] l = RecordText.format(next, RecordType.CREAT, Instant.ofEpochSecond(1_700_000_000L + next),
                            0, new Fid(0x200000402L, (int) next, 0), null, DIR, ("file " + next).getBytes(
                                    StandardCharsets.US_ASCII), null, null, null);
                    line = java.util.Arrays.copyOf(l, l.length + 1);
                    line[l.length] = '\n';
                    pos = 0;
                    next++;
                }
                return line[pos++] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                int n = 0;
                while (n < len) {
                    int c = read();
                    if (c < 0) {
                        return n == 0 ? -1 : n;
                    }
                    b[off + n++] = (byte) c;
                }
                return n;
            }
        };
        long seen = 0;
        long last = 0;
        try (ChangelogReader r = new ChangelogReader(generated)) {
            ChangelogRecord rec;
            while ((rec = r.next()) != null) {
                seen++;
                last = rec.index();
                if (seen == count / 2) {
                    assertArrayEquals(("file " + seen).getBytes(StandardCharsets.US_ASCII), rec.name());
                }
            }
        }
        assertEquals(count, seen);
        assertEquals(count, last);
    }
}
