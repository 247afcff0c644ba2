package io.podheitor.hpc.shard;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SubtreeListTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void elementsEscapesAndExclusions() {
        List<SubtreeList.Element> l = SubtreeList.parse(b("/a,!/a/tmp,/c\\,d,/e\\\\f,/g\u00ff//h/"));
        assertEquals(5, l.size());
        assertArrayEquals(b("/a"), l.get(0).path());
        assertFalse(l.get(0).excluded());
        assertArrayEquals(b("/a/tmp"), l.get(1).path());
        assertTrue(l.get(1).excluded());
        assertArrayEquals(b("/c,d"), l.get(2).path());
        assertArrayEquals(b("/e\\f"), l.get(3).path());
        assertArrayEquals(b("/g\u00ff/h"), l.get(4).path(), "bytes kept, slashes collapsed");
        assertArrayEquals(b("/"), SubtreeList.parse(b("/")).getFirst().path());
    }

    @Test
    void badValuesSayWhichElement() {
        assertEquals("element 2 is not an absolute path (or !absolute path)",
                assertThrows(IllegalArgumentException.class, () -> SubtreeList.parse(b("/a,b"))).getMessage());
        assertEquals("element 2 is not an absolute path (or !absolute path)",
                assertThrows(IllegalArgumentException.class, () -> SubtreeList.parse(b("/a,"))).getMessage());
        assertEquals("element 1 is not an absolute path (or !absolute path)",
                assertThrows(IllegalArgumentException.class, () -> SubtreeList.parse(b("!"))).getMessage());
        assertEquals("element 1: bad escape (only \\, and \\\\ are allowed inside a subtree list)",
                assertThrows(IllegalArgumentException.class, () -> SubtreeList.parse(b("/a\\n"))).getMessage());
        assertEquals("element 1 has a . or .. component",
                assertThrows(IllegalArgumentException.class, () -> SubtreeList.parse(b("/a/../b"))).getMessage());
        assertEquals("element 1 has a . or .. component",
                assertThrows(IllegalArgumentException.class, () -> SubtreeList.parse(b("/a/."))).getMessage());
        assertThrows(IllegalArgumentException.class, () -> SubtreeList.parse(b("/a\0b")));
        // names that merely start with dots are names
        assertArrayEquals(b("/a/.hidden/..x"), SubtreeList.parse(b("/a/.hidden/..x")).getFirst().path());
    }

    @Test
    void atOrBelowIsByWholeComponents() {
        assertTrue(Subtree.atOrBelow(b("/a/b"), b("/a")));
        assertTrue(Subtree.atOrBelow(b("/a"), b("/a")));
        assertFalse(Subtree.atOrBelow(b("/ab"), b("/a")));
        assertFalse(Subtree.atOrBelow(b("/a"), b("/a/b")));
        assertTrue(Subtree.atOrBelow(b("/x"), b("/")));
    }
}
