package io.podheitor.hpc.changelog.lustre;

import io.podheitor.hpc.changelog.ChangelogFormatException;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.lustre.Fid;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fid2path and changelog_users parsers on outputs in the tools' formats. */
class ToolOutputTest {
    @Test
    void fid2pathPrint0KeepsNewlinesAndSeveralLinks() throws Exception {
        byte[] out = ("[0x200000402:0x5:0x0] /mnt/fs/a\nb\0" + "[0x200000402:0x6:0x0] /mnt/fs/x y\0"
                + "[0x200000402:0x6:0x0] /mnt/fs/d/x y\0").getBytes(StandardCharsets.UTF_8);
        Map<Fid, List<byte[]>> m = Fid2PathOutput.parse(out, true);
        assertEquals(2, m.size());
        assertArrayEquals("/mnt/fs/a\nb".getBytes(), m.get(new Fid(0x200000402L, 5, 0)).get(0));
        assertEquals(2, m.get(new Fid(0x200000402L, 6, 0)).size());
    }

    @Test
    void fid2pathLinesWithFidsWithoutBrackets() throws Exception {
        Map<Fid, List<byte[]>> m = Fid2PathOutput.parse("0x200000402:0x5:0x0 /mnt/fs/a b\n".getBytes(), false);
        assertArrayEquals("/mnt/fs/a b".getBytes(), m.get(new Fid(0x200000402L, 5, 0)).get(0));
        ChangelogFormatException e = assertThrows(ChangelogFormatException.class,
                () -> Fid2PathOutput.parse("ok /x\n/mnt/fs/nofid\n".getBytes(), false));
        assertEquals(1, e.line());
    }

    @Test
    void changelogUsersWithAndWithoutDeviceLines() throws Exception {
        String two = """
                mdd.fs1-MDT0000.changelog_users=
                current index: 34
                ID    index (idle seconds)
                cl1   0 (1725676)
                cl2-backup 34 (28)
                mdd.fs1-MDT0001.changelog_users=
                current index: 0
                ID    index (idle seconds)
                """;
        Map<String, ChangelogUsers.Mdt> m = ChangelogUsers.parse(two.getBytes(), "unused");
        assertEquals(2, m.size());
        ChangelogUsers.Mdt m0 = m.get("fs1-MDT0000");
        assertEquals(34, m0.currentIndex());
        assertEquals(2, m0.users().size());
        assertEquals(1725676, m0.user("cl1").orElseThrow().idleSeconds());
        assertEquals(34, m0.user("cl2").orElseThrow().clearedIndex());
        assertTrue(m0.user("cl2-backup").isPresent());
        assertTrue(m0.user("cl3").isEmpty());
        assertTrue(m.get("fs1-MDT0001").users().isEmpty());

        Map<String, ChangelogUsers.Mdt> brief = ChangelogUsers.parse("""
                current index: 8
                ID    index
                cl1   5
                """.getBytes(), "fs1-MDT0002");
        assertEquals(-1, brief.get("fs1-MDT0002").user("cl1").orElseThrow().idleSeconds());
        assertEquals(5, brief.get("fs1-MDT0002").user("cl1").orElseThrow().clearedIndex());

        ChangelogFormatException e = assertThrows(ChangelogFormatException.class, () -> ChangelogUsers.parse("""
                current index: 8
                ID    index
                cl1   five
                """.getBytes(), "x"));
        assertEquals(3, e.line());
    }
}
