package io.podheitor.hpc.changelog.ceph;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RctimeTest {
    private static long parse(String s) {
        return Rctime.parse(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void parsesSecondsAndExactlyNineDigitsOfNanoseconds() {
        assertEquals(1796285924_668934510L, parse("1796285924.668934510"));
        assertEquals(0L, parse("0.000000000"));
        assertEquals(1_000_000_001L, parse("1.000000001"));
    }

    @Test
    void refusesAnythingElse() {
        for (String bad : new String[] {"", "1796285924", "1796285924.66893451", "1796285924.6689345100", ".123456789",
                "17962859x4.668934510", "1.2.000000000", "1796285924.668934510\0", "-1.000000000", "1e9.000000000"}) {
            assertThrows(IllegalArgumentException.class, () -> parse(bad), bad);
        }
    }
}
