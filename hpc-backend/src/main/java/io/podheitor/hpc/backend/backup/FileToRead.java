package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.lustre.Layout;
import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.source.Entry;
import java.util.Optional;

/**
 * A regular file whose data section is about to be sent: the entry as the source delivered it, and, once a
 * reader asks for it, an open descriptor with the file's stat at open time. Opened at most once, closed by
 * {@link #close()}; only the emitter thread uses it.
 */
final class FileToRead implements AutoCloseable {
    private final Entry entry;
    private final FileOpener opener;
    private final FileLayouts layouts;
    private int fd = -1;
    private StatX atOpen;
    private Optional<Layout> layout;

    FileToRead(Entry entry, FileOpener opener) {
        this(entry, opener, FileLayouts.NONE);
    }

    FileToRead(Entry entry, FileOpener opener, FileLayouts layouts) {
        this.entry = entry;
        this.opener = opener;
        this.layouts = layouts;
    }

    Entry entry() {
        return entry;
    }

    byte[] path() {
        return entry.path();
    }

    /** The stat the source delivered (size at listing time). */
    StatX listed() {
        return entry.stat();
    }

    /** Opens the file (once) and checks that it still is a regular file. */
    int descriptor() throws CannotRead {
        if (fd >= 0) {
            return fd;
        }
        byte[] path = entry.path();
        int opened;
        try {
            opened = opener.open(path);
        } catch (PosixException x) {
            throw new CannotRead("cannot open \"" + PathText.render(path) + "\": " + x.strerror(), x);
        }
        StatX now;
        try {
            now = Posix.fstat(opened);
        } catch (PosixException x) {
            Posix.closeQuietly(opened);
            throw new CannotRead("cannot stat \"" + PathText.render(path) + "\": " + x.strerror(), x);
        }
        if (!now.isRegular()) {
            Posix.closeQuietly(opened);
            throw new CannotRead("\"" + PathText.render(path) + "\" is no longer a regular file; not saved", null);
        }
        fd = opened;
        atOpen = now;
        return fd;
    }

    /**
     * {@link #descriptor()} for a reader's {@link DataReader#send}: the readers asked before it opened the file
     * ({@link SparseReader#takes}), so a failure to open it here is a bug, not a file to report.
     */
    int openedDescriptor() {
        try {
            return descriptor();
        } catch (CannotRead e) {
            throw new IllegalStateException("chosen before the file was opened", e);
        }
    }

    /** Whether a reader opened the file (a file the source read ahead is never opened here). */
    boolean opened() {
        return fd >= 0;
    }

    /** The fstat of the open descriptor ({@link #descriptor()} first). */
    StatX atOpen() {
        if (atOpen == null) {
            throw new IllegalStateException("not opened");
        }
        return atOpen;
    }

    /** The file's layout ({@link FileLayouts}), asked once, after {@link #descriptor()}; empty when it has none. */
    Optional<Layout> layout() throws CannotRead {
        if (layout == null) {
            layout = layouts.of(descriptor(), entry.path());
        }
        return layout;
    }

    @Override
    public void close() {
        Posix.closeQuietly(fd);
        fd = -1;
    }

    @Override
    public String toString() {
        return "FileToRead[" + PathText.render(entry.path()) + "]";
    }
}
