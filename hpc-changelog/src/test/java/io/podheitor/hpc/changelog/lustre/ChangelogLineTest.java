package io.podheitor.hpc.changelog.lustre;

import io.podheitor.hpc.changelog.ChangelogFormatException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.lustre.Fid;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ChangelogLineTest {
    private static ChangelogRecord parse(String line) throws ChangelogFormatException {
        byte[] b = line.getBytes(StandardCharsets.UTF_8);
        return ChangelogLine.parse(b, b.length, 7);
    }

    private static final Fid DIR = new Fid(0x200000402L, 0x2, 0);
    private static final Fid FILE = new Fid(0x200000402L, 0x1f, 0);

    @Test
    void createWithExtraFieldsParentAndName() throws Exception {
        ChangelogRecord r = parse("42 01CREAT 13:07:55.000000123 2025.12.31 0x0 t=[0x200000402:0x1f:0x0] ef=0xf "
                + "u=500:501 nid=10.0.0.7@tcp p=[0x200000402:0x2:0x0] data file.txt");
        assertEquals(42, r.index());
        assertEquals(RecordType.CREAT, r.type());
        assertEquals(Instant.parse("2025-12-31T13:07:55.000000123Z"), r.time());
        assertEquals(0, r.flags());
        assertEquals(FILE, r.target());
        assertEquals(DIR, r.parent());
        assertEquals("data file.txt", new String(r.name(), StandardCharsets.UTF_8));
        assertEquals("0xf", new String(r.extra("ef"), StandardCharsets.US_ASCII));
        assertEquals("500:501", new String(r.extra("u"), StandardCharsets.US_ASCII));
        assertEquals("10.0.0.7@tcp", new String(r.extra("nid"), StandardCharsets.US_ASCII));
        assertNull(r.sourceFid());
    }

    @Test
    void renameWithSpacesSplitsNewAndOldName() throws Exception {
        ChangelogRecord r = parse("9 08RENME 00:00:01.5 2024.02.29 0x1 t=[0:0x0:0x0] p=[0x200000402:0x2:0x0] "
                + "new name  s=x.txt s=[0x200000402:0x1f:0x0] sp=[0x200000402:0x3:0x0] old  name ");
        assertEquals(RecordType.RENME, r.type());
        assertEquals(Fids.ZERO, r.target());
        assertTrue(Fids.isZero(r.target()));
        assertEquals(Instant.parse("2024-02-29T00:00:01.5Z"), r.time());
        assertEquals("new name  s=x.txt", new String(r.name(), StandardCharsets.UTF_8));
        assertEquals(FILE, r.sourceFid());
        assertEquals(new Fid(0x200000402L, 3, 0), r.sourceParent());
        assertEquals("old  name ", new String(r.sourceName(), StandardCharsets.UTF_8));
    }

    @Test
    void sourcePatternInsideANameOfAnotherTypeIsPartOfTheName() throws Exception {
        ChangelogRecord r = parse("3 01CREAT 10:00:00.000000000 2024.01.01 0x0 t=[0x200000402:0x1f:0x0] "
                + "p=[0x200000402:0x2:0x0] a s=[0x1:0x2:0x0] sp=[0x1:0x2:0x0] b");
        assertEquals("a s=[0x1:0x2:0x0] sp=[0x1:0x2:0x0] b", new String(r.name(), StandardCharsets.UTF_8));
        assertNull(r.sourceFid());
    }

    @Test
    void closeWithoutNameAndPaddedShortTypes() throws Exception {
        ChangelogRecord close = parse("4 11CLOSE 02:52:19.798 2026.03.16 0x242 t=[0x200000401:0x3:0x0] ef=0xf "
                + "u=1000:1000 nid=172.31.39.56@tcp");
        assertEquals(RecordType.CLOSE, close.type());
        assertEquals(0x242, close.flags());
        assertNull(close.parent());
        assertNull(close.name());
        assertEquals(3, close.extras().size());
        ChangelogRecord hsm = parse("5 16HSM   02:52:19.000000001 2026.03.16 0x0 t=[0x200000401:0x3:0x0]");
        assertEquals(RecordType.HSM, hsm.type());
        ChangelogRecord resync = parse("6 22RESYNC 02:52:19.000000001 2026.03.16 0x0 t=[0x200000401:0x3:0x0]");
        assertEquals(RecordType.RESYNC, resync.type());
        ChangelogRecord mark = parse("0 00MARK  02:52:19.000000001 2026.03.16 0x0 t=[0:0x0:0x0] p=[0:0x0:0x0] mdd-start");
        assertEquals(RecordType.MARK, mark.type());
        assertEquals(Fids.ZERO, mark.parent());
    }

    @Test
    void everyKnownTypeRoundTrips() throws Exception {
        for (RecordType t : RecordType.values()) {
            if (t == RecordType.UNKNOWN) {
                continue;
            }
            byte[] line = RecordText.format(100 + t.number(), t, Instant.parse("2026-01-02T03:04:05.123456789Z"), 1,
                    FILE, null, DIR, RecordText.bytes("n"), null, null, null);
            ChangelogRecord r = ChangelogLine.parse(line, line.length, 1);
            assertEquals(t, r.type(), new String(line, StandardCharsets.US_ASCII));
            assertEquals(t.number(), r.typeNumber());
            assertEquals(100 + t.number(), r.index());
        }
    }

    @Test
    void unknownTypeNumberIsKept() throws Exception {
        ChangelogRecord r = parse("77 31FUTUR 01:02:03.000000004 2030.05.06 0x0 t=[0x200000402:0x1f:0x0] zz=1");
        assertEquals(RecordType.UNKNOWN, r.type());
        assertEquals(31, r.typeNumber());
        assertEquals("1", new String(r.extra("zz"), StandardCharsets.US_ASCII));
    }

    @Test
    void oddBytesInNamesAreKeptAsTheyAre() throws Exception {
        byte[] head = "8 01CREAT 10:00:00.000000000 2024.01.01 0x0 t=[0x200000402:0x1f:0x0] p=[0x200000402:0x2:0x0] "
                .getBytes(StandardCharsets.US_ASCII);
        byte[] name = {(byte) 0xff, 'a', '\t', 0x01, ' ', (byte) 0xc3, '(', ' '};
        byte[] line = new byte[head.length + name.length];
        System.arraycopy(head, 0, line, 0, head.length);
        System.arraycopy(name, 0, line, head.length, name.length);
        assertArrayEquals(name, ChangelogLine.parse(line, line.length, 1).name());
    }

    @Test
    void jobIdAndXattrFields() throws Exception {
        ChangelogRecord r = parse("12 15XATTR 10:00:00.000000000 2024.01.01 0x0 t=[0x200000402:0x1f:0x0] "
                + "j=cp.1000 ef=0x7 u=0:0 nid=0@lo x=user.comment");
        assertEquals(RecordType.XATTR, r.type());
        assertEquals("cp.1000", new String(r.extra("j"), StandardCharsets.US_ASCII));
        assertEquals("user.comment", new String(r.extra("x"), StandardCharsets.US_ASCII));
    }

    @Test
    void malformedLinesNameTheLine() {
        String[] bad = {
            "", "x 01CREAT 10:00:00.0 2024.01.01 0x0 t=[0x1:0x2:0x0]",
            "1 05MKDIR 10:00:00.0 2024.01.01 0x0 t=[0x1:0x2:0x0]",
            "1 01CREAT 10:00:00.0 2024.13.01 0x0 t=[0x1:0x2:0x0]",
            "1 01CREAT 25:00:00.0 2024.01.01 0x0 t=[0x1:0x2:0x0]",
            "1 01CREAT 10:00:00.0 2024.01.01 0x0",
            "1 01CREAT 10:00:00.0 2024.01.01 0x0 t=[0x1:0x2]",
            "1 01CREAT 10:00:00.0 2024.01.01 0x0 t=[0x1:0x2:0x0] p=[zz:0x1:0x0] a",
            "1 01CREAT 10:00:00.0 2024.01.01 zz t=[0x1:0x2:0x0]",
            "1 01CREAT 10:00:00.0123456789 2024.01.01 0x0 t=[0x1:0x2:0x0]",
            "1 01CREAT 10:00:00.0 2024.01.01 0x0 t=[0x1:0x2:0x0] p=[0x1:0x2:0x0] ",
        };
        for (String line : bad) {
            ChangelogFormatException e = assertThrows(ChangelogFormatException.class, () -> parse(line), line);
            assertEquals(7, e.line());
            assertTrue(e.getMessage().startsWith("line 7: "), e.getMessage());
        }
    }

    @Test
    void fidsParseWithAndWithoutBracketsAndPrefix() {
        assertEquals(new Fid(0x200000401L, 0x3, 0), Fids.parse("[0x200000401:0x3:0x0]"));
        assertEquals(new Fid(0x200000401L, 0x3, 0), Fids.parse("0x200000401:0x3:0x0"));
        assertEquals(Fids.ZERO, Fids.parse("[0:0x0:0x0]"));
        assertEquals(new Fid(-1L, -1, 7), Fids.parse("[0xffffffffffffffff:0xffffffff:0x7]"));
        assertNull(Fids.parse("[0x1:0x100000000:0x0]"));
        assertNull(Fids.parse("[0x1:0x1]"));
        assertNull(Fids.parse("[0x1:0x1:0x1:0x1]"));
        assertNull(Fids.parse("[:0x1:0x1]"));
        assertEquals("[0:0x0:0x0]", Fids.format(Fids.ZERO));
    }
}
