package io.podheitor.hpc.lustre;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The FFM struct layouts have the sizes and offsets of lustre_user.h, pinned by number and compared with what the
 * C compiler lays out for the fake library's copy of the declarations (struct_offsets.c).
 */
class LustreStructsTest {
    private static Map<String, Long> compiled() throws Exception {
        Process p = new ProcessBuilder(FakeLustre.dir().resolve("struct_offsets").toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertEquals(0, p.waitFor());
        Map<String, Long> m = new LinkedHashMap<>();
        for (String line : out.strip().split("\n")) {
            String[] kv = line.split(" ");
            m.put(kv[0], Long.parseLong(kv[1]));
        }
        return m;
    }

    private static void same(Map<String, Long> c, StructLayout layout, String struct, String... fields) {
        assertEquals(c.get(struct), layout.byteSize(), struct);
        for (String f : fields) {
            assertEquals(c.get(struct + "." + f), LustreStructs.offset(layout, f), struct + "." + f);
        }
    }

    @Test
    void layoutsMatchTheHeaders() throws Exception {
        assertEquals(16, LustreStructs.LU_FID.byteSize());
        assertEquals(8, LustreStructs.offset(LustreStructs.LU_FID, "f_oid"));
        assertEquals(40, LustreStructs.OBD_UUID.byteSize());
        assertEquals(144, LustreStructs.OBD_STATFS.byteSize());
        assertEquals(32, LustreStructs.offset(LustreStructs.OBD_STATFS, "os_files"));
        assertEquals(40, LustreStructs.offset(LustreStructs.OBD_STATFS, "os_ffree"));
        assertEquals(104, LustreStructs.offset(LustreStructs.OBD_STATFS, "os_state"));

        Map<String, Long> c = compiled();
        same(c, LustreStructs.LU_FID, "lu_fid", "f_seq", "f_oid", "f_ver");
        same(c, LustreStructs.OBD_UUID, "obd_uuid");
        same(c, LustreStructs.OBD_STATFS, "obd_statfs", "os_type", "os_blocks", "os_bfree", "os_bavail", "os_files",
                "os_ffree", "os_fsid", "os_bsize", "os_namelen", "os_maxbytes", "os_state", "os_fprecreated",
                "os_granted", "os_spare9");
    }

    @Test
    void stateFlagsAreTheLettersLfsPrints() {
        assertEquals("", StateFlags.letters(0));
        assertEquals("D", StateFlags.letters(0x1));
        assertEquals("DRNSI", StateFlags.letters(0x1 | 0x2 | 0x4 | 0x20 | 0x40));
        assertEquals("Sf", StateFlags.letters(0x20 | 0x200));
        assertEquals("D(02000)", StateFlags.letters(0x1 | 0x400));
    }

    @Test
    void fidsPrintAsLustreDoes() {
        assertEquals("[0x200000401:0x3:0x0]", new Fid(0x200000401L, 3, 0).toString());
        assertEquals("[0:0x0:0x0]", new Fid(0, 0, 0).toString());
        assertEquals("[0xffffffffffffffff:0xffffffff:0x1]", new Fid(-1L, -1, 1).toString());
    }
}
