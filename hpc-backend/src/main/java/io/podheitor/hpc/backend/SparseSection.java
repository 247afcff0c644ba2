package io.podheitor.hpc.backend;

import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.ptcomm.FrameWriter;
import io.podheitor.hpc.ptcomm.Status;
import java.io.IOException;

/**
 * The sparse data section (docs/ptcomm.md §4.1, FILE flag 8): only the data regions that SEEK_DATA/SEEK_HOLE
 * report are read and sent, each D packet starting with the 8-byte big-endian file offset of its first data
 * byte. Holes cost nothing on the pipe; the restore seeks over them and truncates to the record's size.
 */
final class SparseSection {
    static final int HEADER = 8;

    private SparseSection() {
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

    /**
     * Sends the data regions as offset-prefixed D packets, then F (or E on a read error).
     *
     * @return the data bytes sent (holes excluded)
     */
    static long send(FrameWriter out, int fd, byte[] path, byte[] buffer) throws IOException {
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
                    out.data(buffer, 0, HEADER + n);
                    pos += n;
                    sent += n;
                }
                if (end < 0 || pos < end) {
                    break;
                }
            }
        } catch (PosixException x) {
            out.message(Status.ERROR, "read error on \"" + PathText.render(path) + "\": " + x.strerror());
            return sent;
        }
        out.end();
        return sent;
    }
}
