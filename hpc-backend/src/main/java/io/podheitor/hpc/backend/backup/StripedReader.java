package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.backend.job.Mode;
import io.podheitor.hpc.backend.job.PluginParams.StripeKeys;
import io.podheitor.hpc.lustre.Layout;
import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.ptcomm.FileRecord;
import io.podheitor.hpc.stripe.ChunkGeometry;
import io.podheitor.hpc.stripe.HoleMap;
import io.podheitor.hpc.stripe.LustreGeometry;
import io.podheitor.hpc.stripe.Piece;
import io.podheitor.hpc.stripe.StripeGeometry;
import io.podheitor.hpc.stripe.StripeReaders;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Large files read by several threads at once ({@code parallel_reads}, docs/stripe.md): a file of at least
 * {@code stripe_min} bytes whose layout spreads it over several Lustre OSTs is read with one thread per OST (up to
 * {@code stripe_readers}); on the other parallel file systems (and on any with {@code parallel_reads=yes}) by
 * chunks dealt round robin to the readers. {@link StripeReaders} puts the pieces back in file order, so the section
 * is the same as a sequential read's: plain D packets, or, for a file with holes, the sparse section (the holes are
 * not read); each piece leaves the page cache once it is sent (drop-behind, as {@link SequentialReader}). One
 * instance per job, used by the emitter thread only: {@link #takes} remembers the file's geometry
 * for the {@link #recordFlags} and {@link #send} that follow.
 */
final class StripedReader implements DataReader, AutoCloseable {
    /** Bytes per read piece: at most a stripe unit, and 1 MiB. */
    static final int CHUNK = 1 << 20;
    /** The unit of chunked reads where the file system says nothing (4 MiB: CephFS's default object size). */
    static final long DEFAULT_UNIT = 4L << 20;
    static final byte[] CEPH_OBJECT_SIZE = "ceph.file.layout.object_size".getBytes(StandardCharsets.US_ASCII);

    private final StripeKeys keys;
    private final Mode mode;
    private StripeReaders readers;
    private StripeGeometry geometry;
    private boolean sparse;
    private long files;
    private long bytes;

    StripedReader(StripeKeys keys, Mode mode) {
        this.keys = keys;
        this.mode = mode;
    }

    @Override
    public boolean takes(FileToRead file) throws CannotRead {
        geometry = null;
        if (keys.parallelReads() == StripeKeys.ParallelReads.NO || file.listed().size() < keys.minBytes()) {
            return false;
        }
        int fd = file.descriptor();
        long size = file.atOpen().size();
        if (size < keys.minBytes()) {
            return false;
        }
        Optional<Layout> layout = file.layout();
        if (layout.isPresent()) {
            // a Lustre file: its layout decides; one OST (or nothing usable) is read sequentially
            geometry = LustreGeometry.of(layout.get()).map(g -> (StripeGeometry) g).orElse(null);
        } else if (keys.readers() > 1 && (keys.parallelReads() == StripeKeys.ParallelReads.YES || mode != Mode.POSIX)) {
            geometry = new ChunkGeometry(unit(file.path()), keys.readers());
        }
        if (geometry == null) {
            return false;
        }
        sparse = SparseReader.hasHoles(fd, size);
        return true;
    }

    /** The unit of chunked reads: a CephFS file's object size, 1 MiB on Lustre (its default stripe), else 4 MiB. */
    private long unit(byte[] path) {
        if (mode == Mode.LUSTRE) {
            return 1L << 20;
        }
        if (mode == Mode.CEPHFS) {
            try {
                long v = Long.parseLong(new String(Posix.getXattr(path, CEPH_OBJECT_SIZE), StandardCharsets.US_ASCII)
                        .trim());
                if (v >= 4096 && v <= (1L << 32)) {
                    return v;
                }
            } catch (PosixException | NumberFormatException e) {
                // not CephFS after all, or no layout: the default
            }
        }
        return DEFAULT_UNIT;
    }

    @Override
    public int recordFlags(FileToRead file) {
        return sparse ? FileRecord.FLAG_SPARSE : 0;
    }

    @Override
    public long send(FileToRead file, DataSink sink) throws IOException {
        int fd = file.openedDescriptor();
        if (readers == null) {
            readers = new StripeReaders(keys.readers(), CHUNK, SparseReader.HEADER, 2 * keys.readers());
        }
        byte[] path = file.path();
        long sizeAtOpen = file.atOpen().size();
        HoleMap holes = !sparse ? HoleMap.NONE : (start, end) -> {
            long data = Posix.lseek(fd, start, Posix.SEEK_DATA); // pread only: the shared offset does not matter
            return data < 0 || data >= end;
        };
        boolean withOffsets = sparse;
        StripeReaders.Outcome o = readers.read((buf, off, len, pos) -> Posix.pread(fd, buf, off, len, pos), sizeAtOpen,
                geometry, holes, piece -> {
                    if (piece instanceof Piece.Data d) {
                        emit(d, withOffsets, sink);
                        // drop-behind, as SequentialReader and stock bacula-fd: what was sent leaves the page cache
                        Posix.fadvise(fd, d.offset(), d.length(), Posix.POSIX_FADV_DONTNEED);
                    }
                    return !sink.stopped();
                });
        files++;
        bytes += o.bytesRead();
        if (o.failure() != null) {
            String why = o.failure() instanceof PosixException p ? p.strerror() : o.failure().getMessage();
            sink.readError("read error on \"" + PathText.render(path) + "\": " + why);
            return o.bytesRead();
        }
        if (o.stopped()) {
            sink.end(); // the shim is gone; end the section cleanly, the emitter stops at the next entry
            return o.bytesRead();
        }
        if (o.endedEarly()) {
            sink.changedWhileRead("\"" + PathText.render(path) + "\" changed while being saved: size "
                    + file.listed().size() + " when listed, " + sizeAtOpen + " when opened, end of file after "
                    + o.bytesRead() + " data bytes");
        } else if (sizeAtOpen != file.listed().size()) {
            sink.changedWhileRead("\"" + PathText.render(path) + "\" changed while being saved: size "
                    + file.listed().size() + " when listed, " + sizeAtOpen + " bytes read");
        }
        sink.end();
        return o.bytesRead();
    }

    /**
     * One piece as D packets of at most {@link SequentialReader#PACKET} bytes; with offsets (sparse), each packet
     * starts with its 8-byte file offset, written into the bytes just before it (the piece's headroom for the
     * first packet, the tail of the packet already sent for the others).
     */
    private static void emit(Piece.Data d, boolean withOffsets, DataSink sink) throws IOException {
        int packet = SequentialReader.PACKET;
        for (int k = 0; k < d.length(); k += packet) {
            int n = Math.min(packet, d.length() - k);
            int at = d.off() + k;
            if (withOffsets) {
                long pos = d.offset() + k;
                for (int i = 0; i < SparseReader.HEADER; i++) {
                    d.buf()[at - SparseReader.HEADER + i] = (byte) (pos >>> (56 - 8 * i));
                }
                sink.data(d.buf(), at - SparseReader.HEADER, SparseReader.HEADER + n);
            } else {
                sink.data(d.buf(), at, n);
            }
        }
    }

    /** The job-end line: files read in parallel, and the buffer memory they took; null when none was. */
    @Override
    public String closingInfo() {
        if (files == 0) {
            return null;
        }
        return files + " large file(s) read in parallel (" + bytes + " bytes, up to " + keys.readers()
                + " readers each; read buffers " + (readers.bufferBytesAllocated() >> 20) + " MiB of at most "
                + (readers.bufferBytesLimit() >> 20) + " MiB)";
    }

    @Override
    public void close() {
        if (readers != null) {
            readers.close();
        }
    }
}
