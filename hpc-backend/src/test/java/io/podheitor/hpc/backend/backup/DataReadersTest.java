package io.podheitor.hpc.backend.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.fail;

import io.podheitor.hpc.posix.Errno;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.ptcomm.FileRecord;
import io.podheitor.hpc.source.Entry;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The data readers behind the entry writer, each on its own, through a recording sink. */
class DataReadersTest {
    @TempDir
    Path tmp;

    private static final FileOpener NEVER = p -> fail("opened " + new String(p));

    @Test
    void prefetchedDataIsChosenFirstAndNeverOpensTheFile() throws Exception {
        Path f = tmp.resolve("f");
        Files.writeString(f, "abc");
        Entry listed = Frames.entry(f);
        try (FileToRead file = new FileToRead(new Entry(listed.path(), listed.stat(), null, new byte[] {'x', 'y', 'z'}),
                NEVER)) {
            DataReader r = DataReaders.standard().choose(file);
            assertInstanceOf(PrefetchedReader.class, r);
            RecordingSink sink = new RecordingSink();
            assertEquals(3, r.send(file, sink));
            assertArrayEquals(new byte[] {'x', 'y', 'z'}, sink.bytes(), "the source's bytes, not a second read");
            assertEquals(List.of("end"), sink.events);
        }
    }

    @Test
    void aFileWithAHoleIsSentSparseWithOffsets() throws Exception {
        Path f = tmp.resolve("sparse");
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
            raf.setLength(8L << 20);
            raf.seek(4L << 20);
            raf.write("data".getBytes());
        }
        try (FileToRead file = new FileToRead(Frames.entry(f), FileOpener.POSIX)) {
            DataReader r = DataReaders.standard().choose(file);
            org.junit.jupiter.api.Assumptions.assumeTrue(r instanceof SparseReader,
                    "the temporary directory's file system reports no hole (no SEEK_HOLE)");
            assertEquals(FileRecord.FLAG_SPARSE, r.recordFlags(file));
            RecordingSink sink = new RecordingSink();
            long sent = r.send(file, sink);
            assertEquals(List.of("end"), sink.events);
            long total = 0;
            for (byte[] p : sink.packets) {
                long off = 0;
                for (int i = 0; i < 8; i++) {
                    off = (off << 8) | (p[i] & 0xff);
                }
                total += p.length - 8;
                if (off <= (4L << 20) && off + p.length - 8 >= (4L << 20) + 4) {
                    assertEquals('d', p[(int) ((4L << 20) - off) + 8]);
                }
            }
            assertEquals(sent, total);
            assertEquals(true, sent < (8L << 20), "holes are not sent");
        }
    }

    @Test
    void aDenseFileIsReadSequentiallyAndAGrownFileIsReported() throws Exception {
        Path f = tmp.resolve("dense");
        Files.write(f, new byte[100_000]);
        Entry listed = Frames.entry(f);
        Files.write(f, new byte[100_010]); // grew after the listing
        try (FileToRead file = new FileToRead(listed, FileOpener.POSIX)) {
            DataReader r = DataReaders.standard().choose(file);
            assertInstanceOf(SequentialReader.class, r);
            assertEquals(0, r.recordFlags(file));
            RecordingSink sink = new RecordingSink();
            assertEquals(100_010, r.send(file, sink), "saved up to its size at open");
            assertEquals(List.of(65536, 34474), sink.packets.stream().map(p -> p.length).toList());
            assertEquals(List.of("W \"" + f + "\" changed while being saved: size 100000 when listed, 100010 bytes read",
                    "end"), sink.events);
        }
    }

    @Test
    void aSequentialReadStopsAtAPacketBoundaryWhenTheShimIsGone() throws Exception {
        Path f = tmp.resolve("dense");
        Files.write(f, new byte[300_000]);
        try (FileToRead file = new FileToRead(Frames.entry(f), FileOpener.POSIX)) {
            DataReader r = DataReaders.standard().choose(file);
            RecordingSink sink = new RecordingSink();
            sink.stopped = true;
            r.send(file, sink);
            assertEquals(1, sink.packets.size());
        }
    }

    @Test
    void anOpenFailureIsCannotReadWithItsCause() throws Exception {
        Path f = tmp.resolve("locked");
        Files.writeString(f, "x");
        try (FileToRead file = new FileToRead(Frames.entry(f), p -> {
            throw new PosixException("open", Errno.EACCES, p);
        })) {
            CannotRead x = assertThrows(CannotRead.class, () -> DataReaders.standard().choose(file));
            assertEquals("cannot open \"" + f + "\": Permission denied", x.getMessage());
            assertEquals(Errno.EACCES, x.failure().errno());
        }
    }

    @Test
    void aFileReplacedByAnotherTypeIsCannotReadWithoutCause() throws Exception {
        Path f = tmp.resolve("f");
        Files.writeString(f, "x");
        Entry listed = Frames.entry(f);
        Files.delete(f);
        Files.createDirectory(f);
        FileOpener dirOpener = p -> io.podheitor.hpc.posix.Posix.openDirectory(io.podheitor.hpc.posix.Fcntl.AT_FDCWD, p);
        try (FileToRead file = new FileToRead(listed, dirOpener)) {
            CannotRead x = assertThrows(CannotRead.class, file::descriptor);
            assertEquals("\"" + f + "\" is no longer a regular file; not saved", x.getMessage());
            assertNull(x.failure(), "not a failure to read: no KEEP");
        }
    }

    @Test
    void aReadErrorEndsTheSectionWithE() throws Exception {
        Path f = tmp.resolve("f");
        Files.write(f, new byte[10]);
        // a descriptor opened for writing only: read(2) fails with EBADF after the open succeeded
        FileOpener writeOnly = p -> io.podheitor.hpc.posix.Posix.open(p, io.podheitor.hpc.posix.Fcntl.O_WRONLY, 0);
        try (FileToRead file = new FileToRead(Frames.entry(f), writeOnly)) {
            DataReader r = DataReaders.standard().choose(file);
            RecordingSink sink = new RecordingSink();
            assertEquals(0, r.send(file, sink));
            assertEquals(List.of("E read error on \"" + f + "\": Bad file descriptor"), sink.events);
        }
    }

    @Test
    void aChainNeedsAReader() {
        assertThrows(IllegalArgumentException.class, () -> new DataReaders(List.of()));
    }

}
