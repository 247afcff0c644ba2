package io.podheitor.hpc.changelog.beegfs;

import io.podheitor.hpc.posix.DirEntry;
import io.podheitor.hpc.posix.Fcntl;
import io.podheitor.hpc.posix.FileMode;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import java.util.ArrayList;
import java.util.List;

/** The names of a directory's subdirectories (not links to directories), in listing order. */
public final class TopDirectories {
    private TopDirectories() {
    }

    public static List<byte[]> of(byte[] root) throws PosixException {
        int fd = Posix.openat(Fcntl.AT_FDCWD, root, Fcntl.O_RDONLY | Fcntl.O_DIRECTORY | Fcntl.O_NOFOLLOW
                | Fcntl.O_CLOEXEC, 0);
        try {
            List<byte[]> out = new ArrayList<>();
            for (List<DirEntry> batch; !(batch = Posix.readDirectory(fd)).isEmpty(); ) {
                for (DirEntry e : batch) {
                    boolean dir = e.type() == FileMode.DT_DIR;
                    if (e.type() == FileMode.DT_UNKNOWN) {
                        try {
                            dir = Posix.statx(fd, e.name(), Fcntl.AT_SYMLINK_NOFOLLOW).isDirectory();
                        } catch (PosixException gone) {
                            dir = false; // gone since the listing: the walk reports what it finds
                        }
                    }
                    if (dir) {
                        out.add(e.name());
                    }
                }
            }
            return out;
        } finally {
            Posix.closeQuietly(fd);
        }
    }
}
