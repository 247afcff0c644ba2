package io.podheitor.hpc.changelog.gpfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.changelog.ChangelogFormatException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class PolicyListTest {
    private static PolicyListReader reader(String text) {
        return new PolicyListReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void linesWithAndWithoutShowAndEscapedNames() throws Exception {
        try (PolicyListReader r = reader("41 1022 0   -- /gpfs/fs1/plain\n"
                + "42 7 0 4096 2026-01-01 -- /gpfs/fs1/a%20b%0Ac%25d%FF\n\n"
                + "18446744073709551615 4294967295 3 -- /gpfs/fs1/x -- y\n")) {
            PolicyListEntry a = r.next();
            assertEquals(41, a.inode());
            assertEquals(1022, a.generation());
            assertEquals(0, a.snapshotId());
            assertEquals(0, a.show().length);
            assertArrayEquals("/gpfs/fs1/plain".getBytes(), a.path());
            PolicyListEntry b = r.next();
            assertEquals("4096 2026-01-01", new String(b.show(), StandardCharsets.US_ASCII));
            assertArrayEquals(new byte[] {'/', 'g', 'p', 'f', 's', '/', 'f', 's', '1', '/', 'a', ' ', 'b', '\n', 'c',
                '%', 'd', (byte) 0xff}, b.path());
            PolicyListEntry c = r.next();
            assertEquals(-1L, c.inode(), "all 64 bits");
            assertEquals(4294967295L, c.generation());
            assertEquals(3, c.snapshotId());
            assertArrayEquals("/gpfs/fs1/x -- y".getBytes(), c.path(), "the first ' -- ' separates");
            assertNull(r.next());
        }
    }

    @Test
    void malformedLinesNameTheLine() throws Exception {
        String[] bad = {"x 1 0 -- /p", "1 2 -- /p", "1 2 3 /p", "1 2 3 -- /p%4", "1 2 3 -- /p%zz", "1 2 3 -- ",
            "18446744073709551616 1 0 -- /p"};
        for (String b : bad) {
            try (PolicyListReader r = reader("1 1 0 -- /ok\n" + b + "\n")) {
                r.next();
                ChangelogFormatException e = assertThrows(ChangelogFormatException.class, r::next, b);
                assertEquals(2, e.line(), b);
            }
        }
    }

    /** Any bytes, %-escaped as the ESCAPE '%' rule writes them, decode back exactly. */
    @Property(tries = 300)
    void escapedPathsDecodeToTheirBytes(@ForAll @Size(min = 1, max = 300) byte[] name) throws Exception {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        line.writeBytes("7 8 0 -- /g/".getBytes(StandardCharsets.US_ASCII));
        for (byte x : name) {
            int c = x & 0xff;
            if (Character.isLetterOrDigit(c) && c < 128 || c == '.' || c == '_') {
                line.write(c);
            } else {
                line.writeBytes(String.format("%%%02X", c).getBytes(StandardCharsets.US_ASCII));
            }
        }
        byte[] l = line.toByteArray();
        byte[] expected = new byte[3 + name.length];
        expected[0] = '/';
        expected[1] = 'g';
        expected[2] = '/';
        System.arraycopy(name, 0, expected, 3, name.length);
        assertArrayEquals(expected, PolicyListReader.parse(l, l.length, 1).path());
    }

    @Test
    void policyFileListsChangesSinceATimeWithEscapes() {
        String p = PolicyFile.changedSince("phpc_changed", Instant.parse("2026-03-16T02:52:19.7Z"));
        assertTrue(p.startsWith("RULE EXTERNAL LIST 'phpc_changed' EXEC '' ESCAPE '%'\n"), p);
        assertTrue(p.contains("RULE 'changed' LIST 'phpc_changed'"), p);
        assertTrue(p.contains("MODIFICATION_TIME > TIMESTAMP('2026-03-16 02:52:19')"), p);
        assertTrue(p.contains("OR CHANGE_TIME > TIMESTAMP('2026-03-16 02:52:19')"), p);
        assertEquals("/tmp/pol.list.phpc_changed", PolicyFile.listFile("/tmp/pol", "phpc_changed"));
        assertThrows(IllegalArgumentException.class, () -> PolicyFile.changedSince("a'b", Instant.EPOCH));
    }
}
