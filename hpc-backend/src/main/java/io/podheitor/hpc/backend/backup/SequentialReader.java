package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import java.io.IOException;

/**
 * The plain data section (docs/ptcomm.md §4.1): read(2) from the start in 64 KiB D packets, then F; a read error
 * ends it with E (§4.2). A file that grows while read is saved up to its size at open (never chased forever); a
 * size that differs from the listing is reported once as changed while being saved.
 *
 * <p>Drop-behind: what has been sent leaves the page cache ({@code POSIX_FADV_DONTNEED}) every {@link #DROP_BEHIND}
 * bytes and at the end, as stock bacula-fd drops every file it has read (bfile.c, at close): a backup does not
 * evict the host's working set with data it reads once, and a Storage Daemon on the same host can reuse the pages
 * just freed for its volume writes (on the KVM test machine writing 2 GB into fresh page cache cost 0.8 s of system
 * CPU right after 2 GB were dropped, up to 6 s otherwise; STRESS_RESULTS.md, "Large files: the bytes path").
 */
final class SequentialReader implements DataReader {
    static final int PACKET = 64 * 1024;
    /** Sent bytes are dropped from the page cache in steps of this size (and the whole file at the end). */
    static final long DROP_BEHIND = 8L << 20;
    private final byte[] buffer = new byte[PACKET];

    @Override
    public boolean takes(FileToRead file) {
        return true;
    }

    @Override
    public int recordFlags(FileToRead file) {
        return 0;
    }

    @Override
    public long send(FileToRead file, DataSink sink) throws IOException {
        int fd = file.openedDescriptor();
        byte[] path = file.path();
        long sizeAtOpen = file.atOpen().size();
        long walkedSize = file.listed().size();
        long total = 0;
        long dropped = 0;
        while (true) {
            int filled = 0;
            boolean eof = false;
            try {
                int want = (int) Math.min(PACKET, sizeAtOpen - total);
                while (filled < want) {
                    int n = Posix.read(fd, buffer, filled, want - filled);
                    if (n == 0) {
                        eof = true;
                        break;
                    }
                    filled += n;
                }
                eof |= total + filled >= sizeAtOpen;
            } catch (PosixException x) {
                if (filled > 0) {
                    sink.data(buffer, 0, filled);
                }
                sink.readError("read error on \"" + PathText.render(path) + "\": " + x.strerror());
                Posix.fadvise(fd, 0, 0, Posix.POSIX_FADV_DONTNEED);
                return total + filled;
            }
            if (filled > 0) {
                sink.data(buffer, 0, filled);
                total += filled;
            }
            if (total - dropped >= DROP_BEHIND) {
                Posix.fadvise(fd, dropped, total - dropped, Posix.POSIX_FADV_DONTNEED); // advice: errors ignored
                dropped = total;
            }
            if (eof) {
                break;
            }
            if (sink.stopped()) {
                break; // the shim is gone; end the section cleanly, the emitter stops at the next entry
            }
        }
        Posix.fadvise(fd, 0, 0, Posix.POSIX_FADV_DONTNEED); // the whole file, as stock bacula-fd at close
        if (total != walkedSize) {
            sink.changedWhileRead("\"" + PathText.render(path) + "\" changed while being saved: size "
                    + walkedSize + " when listed, " + total + " bytes read");
        }
        sink.end();
        return total;
    }
}
