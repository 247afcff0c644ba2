package io.podheitor.hpc.backend.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.backend.job.PluginParams.HandoffKeys;
import io.podheitor.hpc.posix.Errno;
import io.podheitor.hpc.posix.Fcntl;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.posix.UnixSockets;
import io.podheitor.hpc.source.Entry;
import java.io.ByteArrayOutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The descriptor handoff of large files (docs/ptcomm.md §4.1c) through a real socket pair. */
class HandoffReaderTest {
    private static final HandoffKeys ONE_MIB = new HandoffKeys(true, 1 << 20);

    @TempDir
    Path tmp;

    /** [0] the shim's end, [1] the backend's. */
    private int[] pair;

    @BeforeEach
    void open() throws PosixException {
        pair = UnixSockets.socketpair(UnixSockets.AF_UNIX, UnixSockets.SOCK_SEQPACKET | UnixSockets.SOCK_CLOEXEC);
    }

    @AfterEach
    void close() {
        Posix.closeQuietly(pair[0]);
        Posix.closeQuietly(pair[1]);
    }

    private static DataReaders chain(HandoffReader h) {
        return new DataReaders(List.of(new PrefetchedReader(), new SparseReader(), h, new SequentialReader()));
    }

    private Path file(String name, int size, long seed) throws Exception {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        Path f = tmp.resolve(name);
        Files.write(f, b);
        return f;
    }

    private static byte[] readAll(int fd) throws PosixException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        for (int n; (n = Posix.read(fd, buf, 0, buf.length)) > 0; ) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private static byte[] tag(long n) {
        byte[] t = new byte[8];
        for (int i = 0; i < 8; i++) {
            t[i] = (byte) (n >>> (56 - 8 * i));
        }
        return t;
    }

    /** What the shim does with one message: the tag, and the file's bytes read through the descriptor. */
    private byte[] receiveFile(long number) throws PosixException {
        UnixSockets.Received r = UnixSockets.receive(pair[0], 16, 4, UnixSockets.MSG_DONTWAIT);
        assertArrayEquals(tag(number), r.data());
        assertEquals(1, r.descriptors().length, r.toString());
        try {
            return readAll(r.descriptors()[0]);
        } finally {
            r.closeDescriptors();
        }
    }

    @Test
    void aLargeFileGoesAsItsDescriptorAndTheSectionIsOneHPacket() throws Exception {
        HandoffReader h = new HandoffReader(ONE_MIB, new HandoffChannel(pair[1]));
        DataReaders readers = chain(h);
        for (int i = 1; i <= 2; i++) {
            Path f = file("big" + i, (2 << 20) + i, i);
            try (FileToRead file = new FileToRead(Frames.entry(f), FileOpener.POSIX)) {
                DataReader r = readers.choose(file);
                assertInstanceOf(HandoffReader.class, r);
                assertEquals(0, r.recordFlags(file));
                RecordingSink sink = new RecordingSink();
                assertEquals((2 << 20) + i, r.send(file, sink), "its size at open");
                assertEquals(List.of("H " + i), sink.events);
                assertTrue(sink.packets.isEmpty(), "no byte through the backend");
                assertFalse(file.opened(), "the backend's copy is closed right after the send");
                assertArrayEquals(Files.readAllBytes(f), receiveFile(i), "the shim reads the file itself");
            }
        }
        assertEquals(2, h.handedOff());
        assertEquals("handoff: 2 files (" + ((2 << 20) * 2 + 3) + " bytes) read by the shim from descriptors the "
                + "backend opened", h.closingInfo());
        assertNull(h.closingWarning());
    }

    @Test
    void smallFilesNoChannelHandoffNoAndPrefetchedDataAreNotTaken() throws Exception {
        Path small = file("small", (1 << 20) - 1, 1);
        Path big = file("big", 1 << 20, 2);
        record Case(String why, HandoffReader reader, Path file, Class<?> chosen) {
        }
        List<Case> cases = List.of(
                new Case("below handoff_min", new HandoffReader(ONE_MIB, new HandoffChannel(pair[1])), small,
                        SequentialReader.class),
                new Case("no channel (a Slurm worker, an old shim)", new HandoffReader(ONE_MIB, null), big,
                        SequentialReader.class),
                new Case("handoff=no", new HandoffReader(new HandoffKeys(false, 1 << 20), new HandoffChannel(pair[1])),
                        big, SequentialReader.class),
                new Case("exactly handoff_min", new HandoffReader(ONE_MIB, new HandoffChannel(pair[1])), big,
                        HandoffReader.class));
        for (Case c : cases) {
            try (FileToRead file = new FileToRead(Frames.entry(c.file), FileOpener.POSIX)) {
                assertInstanceOf(c.chosen, chain(c.reader).choose(file), c.why);
            }
        }
        Entry listed = Frames.entry(big);
        try (FileToRead file = new FileToRead(new Entry(listed.path(), listed.stat(), null, new byte[] {1}),
                p -> { throw new AssertionError("opened"); })) {
            assertFalse(new HandoffReader(ONE_MIB, new HandoffChannel(pair[1])).takes(file), "data read ahead");
        }
        assertThrows(PosixException.class, () -> UnixSockets.receive(pair[0], 16, 1, UnixSockets.MSG_DONTWAIT),
                "nothing was sent");
    }

    @Test
    void aSparseFileIsNotHandedOff() throws Exception {
        Path f = tmp.resolve("sparse");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(8L << 20);
            raf.seek(4L << 20);
            raf.write("data".getBytes());
        }
        HandoffReader h = new HandoffReader(ONE_MIB, new HandoffChannel(pair[1]));
        try (FileToRead file = new FileToRead(Frames.entry(f), FileOpener.POSIX)) {
            org.junit.jupiter.api.Assumptions.assumeTrue(SparseReader.hasHoles(file.descriptor(), 8L << 20),
                    "the temporary directory's file system reports no hole (no SEEK_HOLE)");
            assertFalse(h.takes(file), "on its own, too");
            assertInstanceOf(SparseReader.class, chain(h).choose(file));
        }
    }

    @Test
    void aFileThatVanishesOrCannotBeOpenedIsCannotReadAsToday() throws Exception {
        Path f = file("gone", 2 << 20, 3);
        Entry listed = Frames.entry(f);
        Files.delete(f);
        HandoffReader h = new HandoffReader(ONE_MIB, new HandoffChannel(pair[1]));
        try (FileToRead file = new FileToRead(listed, FileOpener.POSIX)) {
            CannotRead x = assertThrows(CannotRead.class, () -> chain(h).choose(file));
            assertEquals("cannot open \"" + f + "\": No such file or directory", x.getMessage());
            assertEquals(Errno.ENOENT, x.failure().errno());
        }
        Path locked = file("locked", 2 << 20, 4);
        try (FileToRead file = new FileToRead(Frames.entry(locked), p -> {
            throw new PosixException("open", Errno.EACCES, p);
        })) {
            CannotRead x = assertThrows(CannotRead.class, () -> chain(h).choose(file));
            assertEquals("cannot open \"" + locked + "\": Permission denied", x.getMessage());
        }
        // a file that shrank below handoff_min between the listing and the open: read as D packets
        Path shrunk = file("shrunk", 2 << 20, 5);
        Entry before = Frames.entry(shrunk);
        Files.write(shrunk, new byte[100]);
        try (FileToRead file = new FileToRead(before, FileOpener.POSIX)) {
            DataReader r = chain(h).choose(file);
            assertInstanceOf(SequentialReader.class, r);
            RecordingSink sink = new RecordingSink();
            assertEquals(100, r.send(file, sink));
            assertEquals("end", sink.events.getLast());
        }
        assertEquals(0, h.handedOff());
    }

    @Test
    void aFailedSendFallsBackToDPacketsAndTurnsTheHandoffOff() throws Exception {
        Posix.close(pair[0]); // the shim's end is gone: EPIPE
        pair[0] = -1;
        HandoffReader h = new HandoffReader(ONE_MIB, new HandoffChannel(pair[1]));
        pair[1] = -1; // closed by the reader after the failure
        DataReaders readers = chain(h);
        Path f = file("big", (1 << 20) + 5, 6);
        try (FileToRead file = new FileToRead(Frames.entry(f), FileOpener.POSIX)) {
            DataReader r = readers.choose(file);
            assertInstanceOf(HandoffReader.class, r);
            RecordingSink sink = new RecordingSink();
            assertEquals((1 << 20) + 5, r.send(file, sink));
            assertArrayEquals(Files.readAllBytes(f), sink.bytes(), "the section as D packets");
            assertEquals(List.of("end"), sink.events);
        }
        String w = h.closingWarning();
        assertTrue(w != null && w.startsWith("handing a file's descriptor to the shim failed (sendmsg: Broken pipe (EPIPE))"), w);
        try (FileToRead file = new FileToRead(Frames.entry(f), FileOpener.POSIX)) {
            assertInstanceOf(SequentialReader.class, readers.choose(file), "no more handoffs in this job");
        }
        assertEquals(0, h.handedOff());
    }

    @Test
    void aFullSocketFlushesTheHPacketsBeforeItWaits() throws Exception {
        HandoffReader h = new HandoffReader(new HandoffKeys(true, 1), new HandoffChannel(pair[1]));
        DataReaders readers = chain(h);
        Path f = file("big", 100_000, 7); // above the read-ahead: the file is opened and handed off
        byte[] content = Files.readAllBytes(f);
        // more messages than the socket's send buffer holds (net.core.wmem_default: ~200 KiB, some hundred bytes a
        // message; the shim lowers it to SO_SNDBUF 16 KiB)
        int files = 2000;
        CountDownLatch flushed = new CountDownLatch(1);
        List<byte[]> got = new ArrayList<>();
        List<Throwable> failures = new ArrayList<>();
        Thread shim = new Thread(() -> {
            try {
                // the shim reads the socket only after it got H packets: never before the backend flushed
                assertTrue(flushed.await(30, TimeUnit.SECONDS));
                for (int i = 1; i <= files; i++) {
                    UnixSockets.Received r = UnixSockets.receive(pair[0], 16, 1, 0);
                    assertArrayEquals(tag(i), r.data());
                    got.add(readAll(r.descriptors()[0]));
                    r.closeDescriptors();
                }
            } catch (Throwable t) {
                failures.add(t);
            }
        });
        shim.start();
        RecordingSink sink = new RecordingSink();
        sink.onFlush = flushed::countDown;
        for (int i = 0; i < files; i++) {
            try (FileToRead file = new FileToRead(Frames.entry(f), FileOpener.POSIX)) {
                readers.choose(file).send(file, sink);
            }
        }
        shim.join(30_000);
        assertTrue(failures.isEmpty(), failures.toString());
        assertTrue(sink.flushes >= 1, "the buffered H packets were flushed before the send waited");
        assertEquals(files, got.size());
        for (byte[] g : got) {
            assertArrayEquals(content, g);
        }
        assertEquals(files, h.handedOff());
    }

    @Test
    void onlyASeqpacketUnixSocketIsAChannel() throws Exception {
        HandoffChannel.offered(pair[1]); // fine
        int[] stream = UnixSockets.socketpair(UnixSockets.AF_UNIX, UnixSockets.SOCK_STREAM | UnixSockets.SOCK_CLOEXEC);
        try {
            PosixException e = assertThrows(PosixException.class, () -> HandoffChannel.offered(stream[0]));
            assertEquals(Errno.EINVAL, e.errno());
        } finally {
            Posix.close(stream[0]);
            Posix.close(stream[1]);
        }
        Path f = file("f", 10, 8);
        int fd = Posix.openForReading(Fcntl.AT_FDCWD, f.toString().getBytes());
        try {
            assertEquals(Errno.ENOTSOCK, assertThrows(PosixException.class, () -> HandoffChannel.offered(fd)).errno());
        } finally {
            Posix.close(fd);
        }
        assertEquals(Errno.EBADF, assertThrows(PosixException.class, () -> HandoffChannel.offered(999_999)).errno());
    }
}
