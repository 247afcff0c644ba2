package io.podheitor.hpc.lustre;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** {@code lfs getstripe -m -d} output: "%d\n", "%#x\n", the detail form and "has no stripe info". */
class LfsMdtIndexTest {
    private static OptionalInt parse(String s) throws LfsFormatException {
        return LfsMdtIndex.parse(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void theIndexForms() throws Exception {
        assertEquals(OptionalInt.of(0), parse("0\n"));
        assertEquals(OptionalInt.of(3), parse("3\n"));
        assertEquals(OptionalInt.of(10), parse("0xa\n"), "--hex-idx");
        assertEquals(OptionalInt.of(2), parse("/mnt/testfs/dir\nmdt_index:\t2\n"), "the detail form of -v");
        assertEquals(OptionalInt.empty(), parse("'/mnt/testfs/x' has no stripe info\n"));
    }

    @Test
    void anythingElseIsAFormatError() {
        assertThrows(LfsFormatException.class, () -> parse(""));
        assertThrows(LfsFormatException.class, () -> parse("1\n2\n"), "two entries (a directory without -d)");
        assertThrows(LfsFormatException.class, () -> parse("lmm_stripe_count:  1\n"));
        assertThrows(LfsFormatException.class, () -> parse("-1\n"));
    }
}
