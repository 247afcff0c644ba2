package io.podheitor.hpc.lustre;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code lfs df -i} formats of lfs.c: 2.12-2.16, 2.17 (--output era), cooked, verbose, several mounts. */
class LfsDfTest {
    private static List<LfsDf.FileSystem> parse(String s) throws LfsFormatException {
        return LfsDf.parse(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** printf(UUF" "CSF" "CSF" "CSF" "RSF" %-s", ...) then "[%s:%d]": Lustre 2.12-2.16. */
    private static final String CLASSIC = """
            UUID                      Inodes       IUsed       IFree IUse% Mounted on
            testfs-MDT0000_UUID       932180      884600       47580  95% /testfs[MDT:0]
            testfs-MDT0001_UUID       932180       12000      920180   2% /testfs[MDT:1]
            testfs-OST0000_UUID       268900      173500       95400  65% /testfs[OST:0]
            testfs-OST0001_UUID       268900      173500       95400  65% /testfs[OST:1] D

            filesystem_summary:      1864360      896600      967760  49% /testfs

            """;

    @Test
    void theClassicFormat() throws Exception {
        List<LfsDf.FileSystem> fss = parse(CLASSIC);
        assertEquals(1, fss.size());
        LfsDf.FileSystem fs = fss.getFirst();
        assertEquals("testfs", fs.fsname());
        assertArrayEquals("/testfs".getBytes(StandardCharsets.US_ASCII), fs.mountPoint());
        assertEquals(List.of(0, 1), fs.mdts().stream().map(LustreTarget::index).toList());
        assertEquals(new LustreTarget(TargetKind.MDT, 0, "testfs-MDT0000_UUID", LustreTarget.State.ACTIVE, "",
                932180, 884600, 47580, ""), fs.mdts().getFirst());
        assertEquals("D", fs.osts().get(1).flags());
        assertEquals(Optional.of(new LfsDf.Summary(1864360, 896600, 967760)), fs.summary());
    }

    /** 2.17: a blank between fields and " %-s" for the mount (two blanks), then " " and the state letters. */
    @Test
    void theOutputFieldsFormatOf217() throws Exception {
        String s = """
                UUID                      Inodes       IUsed       IFree IUse%  Mounted on
                testfs-MDT0000_UUID       932180      884600       47580  95%  /testfs[MDT:0]\s
                testfs-OST0001_UUID       268900      173500       95400  65%  /testfs[OST:1] D

                filesystem_summary:       932180      884600       47580  95%  /testfs\s

                """;
        LfsDf.FileSystem fs = parse(s).getFirst();
        assertEquals("", fs.mdts().getFirst().flags());
        assertEquals("D", fs.osts().getFirst().flags());
        assertArrayEquals("/testfs".getBytes(StandardCharsets.US_ASCII), fs.mountPoint());
        assertEquals(932180, fs.summary().orElseThrow().inodes());
    }

    /** The lfs-df.1 example: -H cooked counts, an inactive OST, hex indices in the UUID. */
    @Test
    void theManPageExampleWithCookedCountsAndAnInactiveTarget() throws Exception {
        String s = """
                UUID                Inodes  IUsed  IFree IUse% Mounted on
                testfs-MDT0000_UUID 932.2k 884.6k  47.6k  95% /testfs[MDT:0]
                testfs-OST0001_UUID 268.9k 173.5k  95.4k  64% /testfs[OST:1] D
                OST0003           : inactive device
                filesystem_summary: 932.1k 884.6k  47.6k  95% /testfs
                """;
        LfsDf.FileSystem fs = parse(s).getFirst();
        assertEquals(932_200, fs.mdts().getFirst().inodes());
        assertEquals(47_600, fs.mdts().getFirst().inodesFree());
        LustreTarget inactive = fs.osts().get(1);
        assertEquals(3, inactive.index());
        assertEquals(LustreTarget.State.INACTIVE, inactive.state());
        assertEquals(-1, inactive.inodes());
        assertEquals(2, fs.targets().stream().filter(LustreTarget::active).count());
    }

    @Test
    void hexIndicesNumberedUuidsDashedNamesAndSpacesInTheMount() throws Exception {
        String s = """
                UUID                      Inodes       IUsed       IFree IUse% Mounted on
                lustre01-MDT0000_UUID      10000        5000        5000  50% /mnt/scratch 2[MDT:0]
                lustre01-MDT000a_UUID      10000          10        9990   1% /mnt/scratch 2[MDT:10] RN
                MDT000b             : inactive device
                lustre01-MDT0010_UUID          0           0           0   0% /mnt/scratch 2[MDT:16]
                lustre01-OST0002_UUID      : Resource temporarily unavailable

                filesystem_summary:        20000        5010       14990  26% /mnt/scratch 2

                """;
        LfsDf.FileSystem fs = parse(s).getFirst();
        assertEquals("lustre01", fs.fsname());
        assertEquals(List.of(0, 10, 11, 16), fs.mdts().stream().map(LustreTarget::index).toList());
        assertEquals("RN", fs.mdts().get(1).flags());
        assertArrayEquals("/mnt/scratch 2".getBytes(StandardCharsets.US_ASCII), fs.mountPoint());
        LustreTarget failing = fs.osts().getFirst();
        assertEquals(2, failing.index());
        assertEquals(LustreTarget.State.FAILING, failing.state());
        assertEquals("Resource temporarily unavailable", failing.detail());

        LfsDf.FileSystem dashed = parse("""
                UUID                      Inodes       IUsed       IFree IUse% Mounted on
                scratch-2-MDT0001_UUID         8           1           7  13% /s2[MDT:1]
                """).getFirst();
        assertEquals("scratch-2", dashed.fsname());
        assertEquals(1, dashed.mdts().getFirst().index());
        assertEquals(Optional.empty(), dashed.summary(), "a cut-off output still gives its targets");
    }

    @Test
    void aMountPointIsKeptByteForByte() throws Exception {
        byte[] out = ("UUID                      Inodes       IUsed       IFree IUse% Mounted on\n"
                + "fs-MDT0000_UUID                8           1           7  13% /mnt/\u00e9\u00ff[MDT:0]\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        assertArrayEquals(new byte[] {'/', 'm', 'n', 't', '/', (byte) 0xe9, (byte) 0xff},
                LfsDf.parse(out).getFirst().mountPoint());
    }

    @Test
    void everyMountWithoutAPathArgument() throws Exception {
        List<LfsDf.FileSystem> fss = parse(CLASSIC + CLASSIC.replace("testfs", "other"));
        assertEquals(List.of("testfs", "other"), fss.stream().map(LfsDf.FileSystem::fsname).toList());
        assertArrayEquals("/other".getBytes(StandardCharsets.US_ASCII), fss.get(1).mountPoint());
    }

    @Test
    void unknownLinesAndInconsistentIndicesAreErrors() {
        assertThrows(LfsFormatException.class, () -> parse("testfs-MDT0000_UUID 1 1 0 100% /t[MDT:0]\n"),
                "a target before the header");
        LfsFormatException e = assertThrows(LfsFormatException.class, () -> parse("""
                UUID                      Inodes       IUsed       IFree IUse% Mounted on
                testfs-MDT0001_UUID            8           1           7  13% /t[MDT:2]
                """));
        assertTrue(e.getMessage().contains("does not name MDT:2"), e.getMessage());
        assertThrows(LfsFormatException.class, () -> parse("""
                UUID                      Inodes       IUsed       IFree IUse% Mounted on
                something else entirely
                """));
        assertThrows(LfsFormatException.class, () -> parse("""
                UUID                      Inodes       IUsed       IFree IUse% Mounted on
                testfs-MDT0000_UUID            x           1           7  13% /t[MDT:0]
                """));
    }
}
