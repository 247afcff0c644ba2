package io.podheitor.hpc.ptcomm;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetaBlobTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void roundTripKeepsBinaryNamesValuesAndNanoseconds() throws Exception {
        byte[] acl = {2, 0, 0, 0, 1, 0, 6, 0, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff};
        MetaBlob m = MetaBlob.withTimes(-5, 999_999_999, 1_700_000_000L, 123, List.of(
                new MetaBlob.Xattr(b("user.\u00ff\n;\\"), new byte[] {0, 1, 0}),
                new MetaBlob.Xattr(b("system.posix_acl_access"), acl),
                new MetaBlob.Xattr(b("user.empty"), new byte[0])));
        byte[] enc = m.encode();
        assertArrayEquals(b("PHMB"), Arrays.copyOf(enc, 4));
        assertEquals(1, enc[4]);
        MetaBlob d = MetaBlob.decode(enc);
        assertEquals(m, d);
        assertEquals(123, d.mtimeNsec());
        assertEquals(-5, d.atimeSec());
        assertArrayEquals(acl, d.xattrs().get(1).value());
    }

    @Test
    void layoutIsTheDocumentedOne() throws Exception {
        byte[] enc = MetaBlob.withTimes(1, 2, 3, 4, List.of(new MetaBlob.Xattr(b("user.a"), b("v")))).encode();
        byte[] want = {'P', 'H', 'M', 'B', 1, 1, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 4,
                0, 0, 0, 1, 0, 6, 'u', 's', 'e', 'r', '.', 'a', 0, 0, 0, 1, 'v'};
        assertArrayEquals(want, enc);
        byte[] noTimes = new MetaBlob(false, 0, 0, 0, 0, List.of()).encode();
        assertArrayEquals(new byte[] {'P', 'H', 'M', 'B', 1, 0, 0, 0, 0, 0, 0, 0}, noTimes);
        assertEquals(MetaBlob.baseSize(false), noTimes.length);
    }

    @Test
    void malformedBlobsAreRefused() {
        byte[] good = MetaBlob.withTimes(1, 2, 3, 4, List.of(new MetaBlob.Xattr(b("user.a"), b("v")))).encode();
        for (int cut = 0; cut < good.length; cut++) {
            byte[] t = Arrays.copyOf(good, cut);
            assertThrows(ProtocolException.class, () -> MetaBlob.decode(t), "cut at " + cut);
        }
        byte[] trailing = Arrays.copyOf(good, good.length + 1);
        assertTrue(assertThrows(ProtocolException.class, () -> MetaBlob.decode(trailing)).getMessage().contains("trailing"));
        byte[] v2 = good.clone();
        v2[4] = 2;
        assertTrue(assertThrows(ProtocolException.class, () -> MetaBlob.decode(v2)).getMessage().contains("version 2"));
        byte[] magic = good.clone();
        magic[0] = 'X';
        assertThrows(ProtocolException.class, () -> MetaBlob.decode(magic));
        byte[] nsec = good.clone();
        nsec[19] = (byte) 0xff; // atime_nsec = 0x000000ff.. -> make it huge
        nsec[16] = 0x7f;
        assertThrows(ProtocolException.class, () -> MetaBlob.decode(nsec));
        byte[] count = good.clone();
        count[32] = 0x7f; // absurd xattr count
        assertThrows(ProtocolException.class, () -> MetaBlob.decode(count));
        assertThrows(IllegalArgumentException.class, () -> new MetaBlob.Xattr(new byte[0], new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> new MetaBlob.Xattr(new byte[256], new byte[0]));
    }
}
