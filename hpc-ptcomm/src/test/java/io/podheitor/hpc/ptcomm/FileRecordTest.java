package io.podheitor.hpc.ptcomm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileRecordTest {

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static FileRecord rec(FileType t, byte[] name, byte[] link) {
        return new FileRecord(t, 0100644, 1000, 1001, 12345, 1700000000, -5, 1700000002, 0xffff_ffff_ffff_fff0L,
                2049, 2, 0, 24, FileRecord.FLAG_DATA, 7, name, link);
    }

    @Test
    void encodesExactlyPerSpec() {
        FileRecord r = new FileRecord(FileType.DIRECTORY, 040755, 0, 0, 4096, 1, 2, 3, 4, 5, 6, 0, 8, 0, 0,
                b("/data/"), new byte[0]);
        assertArrayEquals(b("FILE D 40755 0 0 4096 1 2 3 4 5 6 0 8 0 0\n/data/\0"), r.encode());
        FileRecord s = new FileRecord(FileType.SYMLINK, 0120777, 0, 0, 3, 1, 2, 3, 4, 5, 1, 0, 0, 0, 0,
                b("/l"), b("abc"));
        assertArrayEquals(b("FILE S 120777 0 0 3 1 2 3 4 5 1 0 0 0 0\n/l\0abc"), s.encode());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/plain", "/with\nnewline", "/semi;colon", "/back\\slash", "/sp ace", "/FILE D 1\n"})
    void roundTripsAwkwardNames(String name) throws ProtocolException {
        FileRecord r = rec(FileType.REGULAR, b(name), b("tar;get\\\n"));
        FileRecord back = FileRecord.decode(r.encode());
        assertEquals(r, back);
        assertArrayEquals(b(name), back.name());
    }

    @Test
    void roundTripsNonUtf8Bytes() throws ProtocolException {
        byte[] name = {'/', (byte) 0xff, (byte) 0xfe, '\n', (byte) 0x80, 'x'};
        byte[] link = {(byte) 0xc3, (byte) 0x28, 1, 2, 127};
        FileRecord r = rec(FileType.SYMLINK, name, link);
        FileRecord back = FileRecord.decode(r.encode());
        assertArrayEquals(name, back.name());
        assertArrayEquals(link, back.link());
        assertEquals(r, back);
    }

    @Test
    void roundTripsEveryTypeAndUnsignedFields() throws ProtocolException {
        for (FileType t : FileType.values()) {
            FileRecord r = new FileRecord(t, 0777777, 0xffff_ffffL, 0xffff_ffffL, Long.MAX_VALUE, Long.MIN_VALUE + 1,
                    0, Long.MAX_VALUE, -1L, -2L, -3L, -4L, -5L, 7, 123456789, b("/n"), b(""));
            assertEquals(r, FileRecord.decode(r.encode()));
        }
    }

    @Test
    void recognisesFileRecordsAmongCommands() {
        assertTrue(FileRecord.isFileRecord(b("FILE F ...")));
        assertFalse(FileRecord.isFileRecord(b("FINISH")));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "FILE F 100644 0 0 1 1 1 1 1 1 1 0 0 0 0/x\0",          // no newline
        "FILE F 100644 0 0 1 1 1 1 1 1 1 0 0 0\n/x\0",           // too few fields
        "FILE F 100644 0 0 1 1 1 1 1 1 1 0 0 0 0 0\n/x\0",       // too many fields
        "FILE  F 100644 0 0 1 1 1 1 1 1 1 0 0 0\n/x\0",          // double space
        "FILX F 100644 0 0 1 1 1 1 1 1 1 0 0 0 0\n/x\0",
        "FILE Q 100644 0 0 1 1 1 1 1 1 1 0 0 0 0\n/x\0",         // unknown type
        "FILE FF 100644 0 0 1 1 1 1 1 1 1 0 0 0 0\n/x\0",
        "FILE F 100648 0 0 1 1 1 1 1 1 1 0 0 0 0\n/x\0",         // not octal
        "FILE F 100644 -1 0 1 1 1 1 1 1 1 0 0 0 0\n/x\0",        // negative uid
        "FILE F 100644 4294967296 0 1 1 1 1 1 1 1 0 0 0 0\n/x\0",// uid too big
        "FILE F 100644 0 0 +1 1 1 1 1 1 1 0 0 0 0\n/x\0",
        "FILE F 100644 0 0 1 1 1 1 18446744073709551616 1 1 0 0 0 0\n/x\0", // ino overflow
        "FILE F 100644 0 0 1 1 1 1 1 1 1 0 0 0 0\n/x",           // no NUL
        "FILE F 100644 0 0 1 1 1 1 1 1 1 0 0 0 0\n\0x",          // empty name
        "FILE F 100644 0 0 1 1 1 1 1 1 1 0 0 0 0\n/x\0a\0b",     // two NULs
        "FILE F 100644 0 0 1 1 1 1 1 1 1 0 0 0 -\n/x\0",
    })
    void rejectsMalformedRecords(String payload) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> FileRecord.decode(b(payload)));
        assertTrue(e.getMessage().startsWith("bad FILE record \""), e.getMessage());
    }

    @Test
    void fuzzedRecordsOnlyThrowProtocolException() throws Exception {
        Random rnd = new Random(7);
        byte[] base = rec(FileType.REGULAR, b("/some/name"), b("")).encode();
        int ok = 0;
        for (int i = 0; i < 50_000; i++) {
            byte[] p = base.clone();
            for (int m = 1 + rnd.nextInt(4); m > 0; m--) {
                int v = rnd.nextInt(6) == 0 ? rnd.nextInt(256) : "0123456789 -\n\0F".charAt(rnd.nextInt(15));
                p[rnd.nextInt(p.length)] = (byte) v;
            }
            if (rnd.nextInt(4) == 0) {
                p = java.util.Arrays.copyOf(p, rnd.nextInt(p.length + 1));
            }
            try {
                FileRecord r = FileRecord.decode(p);
                assertEquals(r, FileRecord.decode(r.encode()));
                ok++;
            } catch (ProtocolException expected) {
                // fine
            }
        }
        assertTrue(ok > 0);
    }

    @Test
    void recordTravelsInAFrame() throws Exception {
        FileRecord r = rec(FileType.HARDLINK, b("/a\nb"), b("/first"));
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        FrameWriter w = new FrameWriter(bos);
        w.command(r.encode());
        w.flush();
        Frame f = new FrameReader(new java.io.ByteArrayInputStream(bos.toByteArray())).read();
        assertEquals(r, FileRecord.decode(f.payload()));
    }
}
