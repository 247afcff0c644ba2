package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.posix.FileMode;
import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.ptcomm.FrameWriter;
import io.podheitor.hpc.ptcomm.Status;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The hard-link policy of a backup (docs/ptcomm.md §3): the first name sent for an inode with nlink > 1 carries
 * the data; every later name of it becomes an {@code L} record referring to that first record. Regular files,
 * fifos and devices are linked; directories and symlinks never. The index of first names spills to disk past
 * {@code hardlink_memory} ({@link HardLinkIndex}); this class says so once per job and warns once if the spill
 * fails (later names are then sent as separate files).
 */
final class HardLinks implements AutoCloseable {
    private final HardLinkIndex index;
    private final FrameWriter out;
    private boolean spillTold;
    private boolean dropWarned;

    HardLinks(int memoryCapacity, Path spillDir, FrameWriter out) {
        this.index = new HardLinkIndex(memoryCapacity, spillDir);
        this.out = out;
    }

    /** Types whose extra names become L records. */
    static boolean linkable(StatX st) {
        return switch (st.type()) {
            case FileMode.S_IFREG, FileMode.S_IFIFO, FileMode.S_IFCHR, FileMode.S_IFBLK -> true;
            default -> false;
        };
    }

    /** The first name already sent for this inode, or null (not multiply linked, or this is the first name). */
    HardLinkIndex.First firstName(StatX st) throws IOException {
        if (st.nlink() <= 1) {
            return null;
        }
        return index.lookup(st.dev(), st.ino());
    }

    /** Would an entry with this stat become the first name of a multiply linked inode if it were sent now? */
    boolean wouldBeFirstName(StatX st) throws IOException {
        return st.nlink() > 1 && linkable(st) && index.lookup(st.dev(), st.ino()) == null;
    }

    /** Called just before the first record of an inode is sent: that record's number is the link target id. */
    void remember(byte[] path, StatX st, long recordNumber) throws IOException {
        if (st.nlink() <= 1) {
            return;
        }
        switch (index.remember(st.dev(), st.ino(), recordNumber, path)) {
            case DISK -> {
                if (!spillTold) {
                    spillTold = true;
                    out.message(Status.INFO, "more than " + index.memoryCapacity() + " multiply linked inodes:"
                            + " the hard-link index spills to " + index.spillDir() + " (plugin keys hardlink_memory,"
                            + " spill_dir)");
                }
            }
            case DROPPED -> {
                if (!dropWarned) {
                    dropWarned = true;
                    out.message(Status.WARNING, "hard-link index cannot spill to " + index.spillDir() + " ("
                            + index.spillFailure().getMessage() + "): further hard links are saved as separate"
                            + " files (first: \"" + PathText.render(path) + "\")");
                }
            }
            case MEMORY, KNOWN -> { }
        }
    }

    /** The end-of-job line about the index, when it spilled (else null). */
    String summary() {
        if (index.spilled() == 0) {
            return null;
        }
        return "hard-link index: " + index.size() + " multiply linked inodes, " + index.spilled()
                + " of them spilled to disk (" + index.spillBytes() / 1024 + " KiB)";
    }

    @Override
    public void close() throws IOException {
        index.close();
    }
}
