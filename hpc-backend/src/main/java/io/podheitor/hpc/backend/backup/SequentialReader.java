package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import java.io.IOException;

/**
 * The plain data section (docs/ptcomm.md §4.1): read(2) from the start in 64 KiB D packets, then F; a read error
 * ends it with E (§4.2). A file that grows while read is saved up to its size at open (never chased forever); a
 * size that differs from the listing is reported once as changed while being saved.
 */
final class SequentialReader implements DataReader {
    static final int PACKET = 64 * 1024;
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
        int fd;
        try {
            fd = file.descriptor();
        } catch (CannotRead e) {
            throw new IllegalStateException("chosen before the file was opened", e);
        }
        byte[] path = file.path();
        long sizeAtOpen = file.atOpen().size();
        long walkedSize = file.listed().size();
        long total = 0;
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
                return total + filled;
            }
            if (filled > 0) {
                sink.data(buffer, 0, filled);
                total += filled;
            }
            if (eof) {
                break;
            }
            if (sink.stopped()) {
                break; // the shim is gone; end the section cleanly, the emitter stops at the next entry
            }
        }
        if (total != walkedSize) {
            sink.changedWhileRead("\"" + PathText.render(path) + "\" changed while being saved: size "
                    + walkedSize + " when listed, " + total + " bytes read");
        }
        sink.end();
        return total;
    }
}
