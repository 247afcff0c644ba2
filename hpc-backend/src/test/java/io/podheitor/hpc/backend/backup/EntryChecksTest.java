package io.podheitor.hpc.backend.backup;

import static io.podheitor.hpc.backend.backup.Frames.b;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.posix.Errno;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.ptcomm.FileRecord;
import io.podheitor.hpc.ptcomm.FileType;
import io.podheitor.hpc.ptcomm.Frame;
import io.podheitor.hpc.source.Entry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** EntryChecks on its own: the CHECK pipeline with a scripted shim. */
@Timeout(30)
class EntryChecksTest {
    @TempDir
    Path tmp;

    /** Answers the test releases one by one; none until released. */
    private static final class Scripted implements EntryChecks.Answers {
        final Deque<Boolean> ready = new ArrayDeque<>();
        int asked;

        @Override
        public synchronized Boolean answer(long millis) {
            asked++;
            return ready.poll();
        }

        synchronized void release(boolean... changed) {
            for (boolean c : changed) {
                ready.add(c);
            }
        }
    }

    private final Frames frames = new Frames();
    private final List<String> sent = new ArrayList<>();

    private Entry file(String name) throws Exception {
        Path p = tmp.resolve(name);
        if (!Files.exists(p)) {
            Files.writeString(p, name);
        }
        return Frames.entry(p);
    }

    private EntryChecks.Sender recorder() {
        return e -> sent.add(Path.of(new String(e.path())).getFileName().toString());
    }

    @Test
    void entriesNotAskedAboutPassStraightThrough() throws Exception {
        EntryChecks c = new EntryChecks(frames.out, new Scripted(), () -> false);
        for (String n : List.of("a", "b", "c")) {
            assertTrue(c.submit(file(n), false, recorder()));
        }
        assertEquals(List.of("a", "b", "c"), sent);
        assertFalse(c.hasPending());
        assertEquals(List.of(), frames.written(), "no CHECK sent");
        assertEquals(0, c.checked());
    }

    @Test
    void answersKeepTheOrderAndSeenDropsTheEntry() throws Exception {
        Scripted shim = new Scripted();
        EntryChecks c = new EntryChecks(frames.out, shim, () -> false);
        assertTrue(c.submit(file("a"), true, recorder()));
        assertTrue(c.submit(file("b"), false, recorder())); // waits behind a: the send order is the source order
        assertTrue(c.submit(file("c"), true, recorder()));
        assertEquals(List.of(), sent);
        shim.release(false); // a: SEEN
        c.resolveReady(recorder());
        assertEquals(List.of("b"), sent, "a dropped, b follows at once, c still waits");
        shim.release(true);
        assertTrue(c.drain(recorder()));
        assertEquals(List.of("b", "c"), sent);
        assertEquals(2, c.checked());
        assertEquals(1, c.notSent());
        List<String> wire = frames.summary();
        assertEquals(List.of("C CHECK " + tmp.resolve("a"), "C CHECK " + tmp.resolve("c")), wire);
    }

    @Test
    void aFullWindowWaitsForAnswers() throws Exception {
        Scripted shim = new Scripted();
        EntryChecks c = new EntryChecks(frames.out, shim, () -> false);
        Entry e = file("x");
        for (int i = 0; i < EntryChecks.WINDOW - 1; i++) {
            assertTrue(c.submit(e, true, recorder()));
        }
        assertTrue(c.hasPending());
        shim.release(true); // the one answer the next submit needs to get below the window again
        assertTrue(c.submit(e, true, recorder()));
        assertEquals(1, sent.size());
        assertEquals(EntryChecks.WINDOW, c.checked());
    }

    @Test
    void aShimThatGoesAwayStopsTheWait() throws Exception {
        AtomicBoolean gone = new AtomicBoolean();
        EntryChecks.Answers shim = millis -> {
            gone.set(true); // nothing arrives, then the shim is gone
            return null;
        };
        EntryChecks c = new EntryChecks(frames.out, shim, gone::get);
        assertTrue(c.submit(file("a"), true, recorder()));
        assertFalse(c.resolve(recorder()));
        assertEquals(List.of(), sent);
    }

    @Test
    void checkRecordsDescribeEntriesAsTheirFileRecordsWould() throws Exception {
        Path d = Files.createDirectory(tmp.resolve("d"));
        Files.createSymbolicLink(tmp.resolve("l"), Path.of("target"));
        Files.writeString(tmp.resolve("empty"), "");
        FileRecord dir = EntryChecks.checkRecord(Frames.entry(d));
        assertEquals(FileType.DIRECTORY, dir.type());
        assertArrayEquals(b(d + "/"), dir.name(), "directories carry the trailing slash");
        FileRecord l = EntryChecks.checkRecord(Frames.entry(tmp.resolve("l")));
        assertEquals(FileType.SYMLINK, l.type());
        assertArrayEquals(b("target"), l.link());
        assertEquals(FileType.EMPTY, EntryChecks.checkRecord(Frames.entry(tmp.resolve("empty"))).type());
        FileRecord f = EntryChecks.checkRecord(file("f"));
        assertEquals(FileType.REGULAR, f.type());
        assertEquals(0, f.flags());
        assertEquals(0, f.linkid());
    }

    @Test
    void socketsAreNeverChecked() throws Exception {
        Path sock = tmp.resolve("s");
        try (var ch = java.nio.channels.ServerSocketChannel.open(java.net.StandardProtocolFamily.UNIX)) {
            ch.bind(java.net.UnixDomainSocketAddress.of(sock));
            assertNull(EntryChecks.checkRecord(Frames.entry(sock)));
        }
    }

    @Test
    void keepIsSentOnlyForEntriesThatStillExist() throws Exception {
        EntryChecks c = new EntryChecks(frames.out, millis -> null, () -> false);
        byte[] p = {'/', 'x', '/', (byte) 0xff, '\n'};
        for (int errno : new int[] {Errno.ENOENT, Errno.ENOTDIR, Errno.ESTALE}) {
            assertFalse(c.keepUnlessGone(p, new PosixException("open", errno, p)));
        }
        for (int errno : new int[] {Errno.EACCES, Errno.EPERM, Errno.EIO}) {
            assertTrue(c.keepUnlessGone(p, new PosixException("open", errno, p)));
        }
        assertEquals(3, c.kept());
        List<Frame> wire = frames.written();
        assertEquals(3, wire.size());
        for (Frame f : wire) {
            assertEquals('C', f.status());
            byte[] want = new byte[5 + p.length];
            System.arraycopy(b("KEEP "), 0, want, 0, 5);
            System.arraycopy(p, 0, want, 5, p.length);
            assertArrayEquals(want, f.payload());
        }
    }
}
