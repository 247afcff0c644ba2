package io.podheitor.hpc.changelog.beegfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.changelog.ChangelogFormatException;
import java.util.List;
import org.junit.jupiter.api.Test;

class BeegfsTargetsTest {
    @Test
    void withState() throws Exception {
        List<MetaTarget> t = BeegfsTargets.parse(("""
                TargetID     Reachability  Consistency   NodeID
                ========     ============  ===========   ======
                       1           Online         Good        1
                       2           Online Needs-resync        2
                      13 Probably Offline         Good       31
                """).getBytes());
        assertEquals(List.of(new MetaTarget(1, "Online", "Good", 1), new MetaTarget(2, "Online", "Needs-resync", 2),
                new MetaTarget(13, "Probably Offline", "Good", 31)), t);
        assertTrue(t.get(0).usable());
        assertFalse(t.get(1).usable());
        assertFalse(t.get(2).usable());
    }

    @Test
    void withoutState() throws Exception {
        List<MetaTarget> t = BeegfsTargets.parse(("""
                TargetID   NodeID
                ========   ======
                       1        1
                       2        2
                """).getBytes());
        assertEquals(2, t.size());
        assertEquals(2, t.get(1).nodeId());
        assertTrue(t.get(1).usable());
    }

    @Test
    void unexpectedOutputNamesTheLine() {
        assertEquals(1, assertThrows(ChangelogFormatException.class,
                () -> BeegfsTargets.parse("Error: management node unreachable\n".getBytes())).line());
        assertEquals(3, assertThrows(ChangelogFormatException.class, () -> BeegfsTargets.parse(("""
                TargetID   NodeID
                ========   ======
                       x        1
                """).getBytes())).line());
        assertThrows(ChangelogFormatException.class, () -> BeegfsTargets.parse(new byte[0]));
    }
}
