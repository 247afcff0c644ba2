package io.podheitor.hpc.source;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.posix.Errno;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.posix.Xattrs;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

class RelocationTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static final Relocation SNAP = new Relocation(b("/cephfs/p/.snap/podheitor-J-7"), b("/cephfs/p"));

    @Test
    void mapsTheDirectoryAndWhatIsBelowIt() {
        assertEquals("/cephfs/p", s(SNAP.apply(b("/cephfs/p/.snap/podheitor-J-7"))));
        assertEquals("/cephfs/p/a", s(SNAP.apply(b("/cephfs/p/.snap/podheitor-J-7/a"))));
        assertEquals("/cephfs/p/a/b c/\n", s(SNAP.apply(b("/cephfs/p/.snap/podheitor-J-7/a/b c/\n"))));
    }

    @Test
    void leavesOtherPathsAlone() {
        byte[] sibling = b("/cephfs/p/.snap/podheitor-J-70/a"); // a longer name, not a path below
        assertSame(sibling, SNAP.apply(sibling));
        byte[] live = b("/cephfs/p/a");
        assertSame(live, SNAP.apply(live));
        byte[] shorter = b("/cephfs/p/.snap");
        assertSame(shorter, SNAP.apply(shorter));
        assertNull(SNAP.apply((byte[]) null));
    }

    @Test
    void keepsBytesThatAreNotUtf8() {
        byte[] in = {'/', 'x', '/', 's', '/', (byte) 0xff, (byte) 0xfe};
        Relocation r = new Relocation(b("/x/s"), b("/live"));
        assertArrayEquals(new byte[] {'/', 'l', 'i', 'v', 'e', '/', (byte) 0xff, (byte) 0xfe}, r.apply(in));
    }

    @Test
    void slashAsEitherEnd() {
        assertEquals("/a/b", s(new Relocation(b("/s"), b("/")).apply(b("/s/a/b"))));
        assertEquals("/", s(new Relocation(b("/s"), b("/")).apply(b("/s"))));
        assertEquals("/live/a", s(new Relocation(b("/"), b("/live")).apply(b("/a"))));
        assertEquals("/live", s(new Relocation(b("/"), b("/live")).apply(b("/"))));
    }

    @Test
    void resultIsACopy() {
        byte[] out = SNAP.apply(b("/cephfs/p/.snap/podheitor-J-7"));
        out[1] = 'X';
        assertEquals("/cephfs/p", s(SNAP.apply(b("/cephfs/p/.snap/podheitor-J-7"))));
    }

    private static StatX stat(int mode) {
        return new StatX(mode, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0, 4096);
    }

    @Test
    void itemsCarryTheMappedPaths() {
        StatX st = stat(0100644);
        byte[] data = b("x");
        Xattrs.Read x = new Xattrs.Read(List.of(new Xattrs.Attr(b("user.a"), b("1"))), List.of(new Xattrs.Failure(
                b("user.b"), new PosixException("getxattr", Errno.EACCES, b("/cephfs/p/.snap/podheitor-J-7/f")))));
        Entry e = (Entry) SNAP.apply(new Entry(b("/cephfs/p/.snap/podheitor-J-7/f"), st, b("/target"), data, x));
        assertEquals("/cephfs/p/f", s(e.path()));
        assertSame(st, e.stat());
        assertEquals("/target", s(e.linkTarget())); // a link's target is its content: never rewritten
        assertSame(data, e.data());
        assertEquals(x.attrs(), e.xattrs().attrs());
        assertEquals("/cephfs/p/f", s(e.xattrs().failures().getFirst().error().path()));
        assertEquals(Errno.EACCES, e.xattrs().failures().getFirst().error().errno());

        EntryError err = (EntryError) SNAP.apply(new EntryError(b("/cephfs/p/.snap/podheitor-J-7/d"),
                new PosixException("open", Errno.EACCES, b("/cephfs/p/.snap/podheitor-J-7/d")), true));
        assertEquals("/cephfs/p/d", s(err.path()));
        assertEquals("/cephfs/p/d", s(err.error().path()));
        assertTrue(err.error().getMessage().contains("\"/cephfs/p/d\""), err.error().getMessage());
        assertTrue(err.directory());

        CatalogVerdict v = (CatalogVerdict) SNAP.apply(CatalogVerdict.gone(b("/cephfs/p/.snap/podheitor-J-7/g")));
        assertEquals(CatalogVerdict.Kind.GONE, v.kind());
        assertEquals("/cephfs/p/g", s(v.path()));

        SourceEnd end = new SourceEnd(3, 1, false, null);
        assertSame(end, SNAP.apply(end));
    }

    @Test
    void filterSeesTheMappedPaths() {
        List<String> asked = new ArrayList<>();
        EntryFilter live = new EntryFilter() {
            @Override
            public boolean admitsName(byte[] parent, byte[] name, long dIno, int dType) {
                asked.add("name " + s(parent) + " " + s(name) + " " + dIno + " " + dType);
                return !s(name).equals("skip");
            }

            @Override
            public boolean admits(byte[] path, StatX st) {
                asked.add("admits " + s(path));
                return true;
            }

            @Override
            public boolean admitsListed(byte[] path, StatX st, long dIno, int dType) {
                asked.add("listed " + s(path) + " " + dIno);
                return false;
            }

            @Override
            public boolean descends(byte[] path, StatX dir) {
                asked.add("descends " + s(path));
                return s(path).startsWith("/cephfs/p/");
            }
        };
        EntryFilter f = SNAP.filter(live);
        assertTrue(f.admitsName(b("/cephfs/p/.snap/podheitor-J-7/d"), b("a"), 5, 8));
        assertFalse(f.admitsName(b("/cephfs/p/.snap/podheitor-J-7"), b("skip"), 6, 4));
        assertTrue(f.admits(b("/cephfs/p/.snap/podheitor-J-7"), stat(040755)));
        assertFalse(f.admitsListed(b("/cephfs/p/.snap/podheitor-J-7/a"), stat(0100644), 9, 8));
        assertTrue(f.descends(b("/cephfs/p/.snap/podheitor-J-7/d"), stat(040755)));
        assertEquals(List.of("name /cephfs/p/d a 5 8", "name /cephfs/p skip 6 4", "admits /cephfs/p",
                "listed /cephfs/p/a 9", "descends /cephfs/p/d"), asked);
        assertSame(EntryFilter.ALL, SNAP.filter(EntryFilter.ALL));
    }

    /** A fixed list as a source, to see what the relocated source passes on. */
    private static final class Fixed implements EntrySource {
        final Deque<SourceItem> items;
        boolean cancelled;
        boolean closed;

        Fixed(List<SourceItem> items) {
            this.items = new ArrayDeque<>(items);
        }

        @Override
        public Ordering ordering() {
            return Ordering.DIRECTORIES_AFTER_CONTENTS;
        }

        @Override
        public SourceItem take() {
            return items.size() == 1 ? items.peek() : items.poll();
        }

        @Override
        public SourceItem poll() {
            return items.isEmpty() ? null : take();
        }

        @Override
        public SourceStats stats() {
            return new SourceStats(2, 0, b("/cephfs/p/.snap/podheitor-J-7/d"), 10, 4, 12);
        }

        @Override
        public void cancel() {
            cancelled = true;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void sourceDeliversMappedItemsInOrder() throws InterruptedException {
        SourceEnd end = new SourceEnd(2, 0, false, null);
        Fixed in = new Fixed(List.of(new Entry(b("/cephfs/p/.snap/podheitor-J-7/d/f"), stat(0100644), null),
                new Entry(b("/cephfs/p/.snap/podheitor-J-7"), stat(040755), null), end));
        EntrySource out = SNAP.source(in);
        assertEquals(Ordering.DIRECTORIES_AFTER_CONTENTS, out.ordering());
        assertEquals("/cephfs/p/d/f", s(assertInstanceOf(Entry.class, out.poll()).path()));
        assertEquals("/cephfs/p", s(assertInstanceOf(Entry.class, out.take()).path()));
        assertSame(end, out.take());
        assertSame(end, out.poll());
        SourceStats st = out.stats();
        assertEquals("/cephfs/p/d", s(st.largestDirectory()));
        assertEquals(10, st.largestEntries());
        assertEquals(12, st.statCalls());
        out.cancel();
        out.close();
        assertTrue(in.cancelled);
        assertTrue(in.closed);
    }
}
