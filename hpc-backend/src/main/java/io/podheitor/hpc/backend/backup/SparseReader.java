package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.ptcomm.FileRecord;
import java.io.IOException;

/**
 * The sparse data section (docs/ptcomm.md §4.1a, FILE flag 8) of a file with a hole: only the data regions that
 * SEEK_DATA/SEEK_HOLE report are read and sent, each D packet starting with the 8-byte big-endian file offset of
 * its first data byte. Holes cost nothing on the pipe; the restore seeks over them and truncates to the record's
 * size.
 */
final class SparseReader implements DataReader {
    static final int HEADER = 8;
    private final byte[] buffer = new byte[SequentialReader.PACKET];

    /** A file with a hole (SEEK_HOLE before its end); a file system without SEEK_HOLE has none. */
    @Override
    public boolean takes(FileToRead file) throws CannotRead {
        return hasHoles(file.descriptor(), file.atOpen().size());
    }

    @Override
    public int recordFlags(FileToRead file) {
        return FileRecord.FLAG_SPARSE;
    }

    /** Does the open regular file of {@code size} bytes have a hole (SEEK_HOLE before its end)? */
    static boolean hasHoles(int fd, long size) {
        if (size == 0) {
            return false;
        }
        try {
            long hole = Posix.lseek(fd, 0, Posix.SEEK_HOLE);
            Posix.lseek(fd, 0, Posix.SEEK_SET); // SEEK_HOLE moved the offset; a dense section read()s from 0
            return hole >= 0 && hole < size;
        } catch (PosixException e) {
            return false; // no SEEK_HOLE support: a dense section
        }
    }

    @Override
    public long send(FileToRead file, DataSink sink) throws IOException {
        int fd = file.openedDescriptor();
        long pos = 0;
        long sent = 0;
        int room = buffer.length - HEADER;
        try {
            while (true) {
                long data = Posix.lseek(fd, pos, Posix.SEEK_DATA);
                if (data < 0) {
                    break; // only a hole is left
                }
                long end = Posix.lseek(fd, data, Posix.SEEK_HOLE);
                pos = data;
                while (pos < end) {
                    int want = (int) Math.min(room, end - pos);
                    int n = Posix.pread(fd, buffer, HEADER, want, pos);
                    if (n == 0) {
                        end = pos; // shrank meanwhile
                        break;
                    }
                    for (int i = 0; i < HEADER; i++) {
                        buffer[i] = (byte) (pos >>> (56 - 8 * i));
                    }
                    sink.data(buffer, 0, HEADER + n);
                    pos += n;
                    sent += n;
                }
                if (end < 0 || pos < end) {
                    break;
                }
            }
        } catch (PosixException x) {
            sink.readError("read error on \"" + PathText.render(file.path()) + "\": " + x.strerror());
            return sent;
        }
        sink.end();
        return sent;
    }
}
