package io.podheitor.hpc.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class HardLinkIndexTest {
    @Test
    void boundedAtItsCapacity() {
        HardLinkIndex x = new HardLinkIndex(2);
        assertTrue(x.remember(1, 10, 0, new byte[] {'a'}));
        assertTrue(x.remember(1, 11, 1, new byte[] {'b'}));
        assertFalse(x.remember(1, 12, 2, new byte[] {'c'}), "full");
        assertEquals(2, x.size());
        assertNull(x.lookup(1, 12), "not remembered past the cap");
        assertEquals(1, x.lookup(1, 11).recordNumber(), "earlier inodes still resolve");
        assertTrue(x.remember(1, 10, 5, new byte[] {'z'}), "already known");
        assertEquals(0, x.lookup(1, 10).recordNumber(), "the first record stays");
    }
}
