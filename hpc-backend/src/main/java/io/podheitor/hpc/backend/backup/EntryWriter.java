package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.posix.FileMode;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.ptcomm.FileRecord;
import io.podheitor.hpc.ptcomm.FileType;
import io.podheitor.hpc.ptcomm.FrameWriter;
import io.podheitor.hpc.ptcomm.Status;
import io.podheitor.hpc.source.Entry;
import java.io.IOException;
import java.util.Arrays;
import java.util.Optional;
import java.util.function.BooleanSupplier;

/**
 * Turns one entry the emitter decided to send into its FILE record (docs/ptcomm.md §3-§4): directories with a
 * trailing {@code /}, symlinks with their target, fifos and devices, regular files with a data section from the
 * first {@link DataReader} that takes them, and later names of a multiply linked inode as {@code L} records
 * ({@link HardLinks}). When backing up, every record but {@code L} is followed by its metadata blob. Sockets are not
 * saved, as stock bacula-fd does not save them.
 */
final class EntryWriter {
    /** What to do with an entry that exists but could not be saved (Accurate: KEEP it, docs/ptcomm.md §8). */
    @FunctionalInterface
    interface Keeper {
        void keep(byte[] path, PosixException failure) throws IOException;
    }

    private final FrameWriter out;
    private final boolean withData;
    private final HardLinks links;
    private final MetadataCollector meta;
    private final DataReaders readers;
    private final FileOpener opener;
    private final JobReport report;
    private final Keeper keeper;
    private final DataSink sink;
    private final LayoutCarrier carrier;

    EntryWriter(FrameWriter out, boolean withData, HardLinks links, MetadataCollector meta, DataReaders readers,
            FileOpener opener, JobReport report, Keeper keeper, BooleanSupplier stop) {
        this(out, withData, links, meta, readers, opener, report, keeper, stop,
                new LayoutCarrier(FileLayouts.NONE, false));
    }

    /**
     * @param withData backup (true: data sections and metadata blobs) or estimate (false: records only)
     * @param stop     true when the shim went away (a data section ends at the next packet)
     * @param carrier  the layouts that travel with the data (mode=lustre, docs/stripe.md)
     */
    EntryWriter(FrameWriter out, boolean withData, HardLinks links, MetadataCollector meta, DataReaders readers,
            FileOpener opener, JobReport report, Keeper keeper, BooleanSupplier stop, LayoutCarrier carrier) {
        this.out = out;
        this.carrier = carrier;
        this.withData = withData;
        this.links = links;
        this.meta = meta;
        this.readers = readers;
        this.opener = opener;
        this.report = report;
        this.keeper = keeper;
        this.sink = new FrameSink(out, report, stop);
    }

    /**
     * Must the shim be asked before this entry is sent (docs/ptcomm.md §3.2)? Yes when it would become the first
     * name of a multiply linked inode (the name later L records refer to), or when it is a large regular file this
     * writer would read itself.
     */
    boolean needsCheck(Entry e) throws IOException {
        StatX st = e.stat();
        if (links.wouldBeFirstName(st)) {
            return true;
        }
        return withData && st.isRegular() && e.data() == null && st.size() > EntryChecks.CHECK_BEFORE_READING;
    }

    /** Sends e (and its data and blob). */
    void write(Entry e) throws IOException {
        StatX st = e.stat();
        switch (st.type()) {
            case FileMode.S_IFDIR -> sendWithMeta(record(FileType.DIRECTORY, st, directoryName(e.path()), null, 0, 0), e);
            case FileMode.S_IFLNK -> sendWithMeta(record(FileType.SYMLINK, st, e.path(), e.linkTarget(), 0, 0), e);
            case FileMode.S_IFREG -> regular(e);
            case FileMode.S_IFIFO -> special(FileType.FIFO, e);
            case FileMode.S_IFCHR -> special(FileType.CHAR_DEVICE, e);
            case FileMode.S_IFBLK -> special(FileType.BLOCK_DEVICE, e);
            default -> {
                // sockets (and unknown types) are not saved, as Bacula does
            }
        }
    }

    /** Fifos and devices: a record without data; hard-linked ones as L like regular files. */
    private void special(FileType type, Entry e) throws IOException {
        if (sentAsHardLink(e)) {
            return;
        }
        links.remember(e.path(), e.stat(), report.records());
        sendWithMeta(record(type, e.stat(), e.path(), null, 0, 0), e);
    }

    private void regular(Entry e) throws IOException {
        StatX st = e.stat();
        if (sentAsHardLink(e)) {
            return;
        }
        if (st.size() == 0) {
            links.remember(e.path(), st, report.records());
            sendWithMeta(record(FileType.EMPTY, st, e.path(), null, 0, 0), e);
            return;
        }
        if (!withData) {
            links.remember(e.path(), st, report.records());
            send(record(FileType.REGULAR, st, e.path(), null, 0, 0));
            return;
        }
        try (FileToRead file = new FileToRead(e, opener, carrier.layouts())) {
            DataReader reader;
            Optional<byte[]> layout;
            try {
                reader = readers.choose(file);
                // a file the walk read ahead (small) was not opened here: it carries no layout
                layout = file.opened() ? carrier.header(file) : Optional.empty();
            } catch (CannotRead x) {
                out.message(Status.ERROR, x.getMessage());
                report.notSaved();
                if (x.failure() != null) {
                    keeper.keep(e.path(), x.failure());
                }
                return;
            }
            links.remember(e.path(), st, report.records());
            byte[] blob = meta.collect(e.path(), st, e.xattrs());
            int flags = FileRecord.FLAG_DATA | FileRecord.FLAG_XATTR | reader.recordFlags(file);
            send(record(FileType.REGULAR, st, e.path(), null, flags, 0,
                    layout.isPresent() ? LayoutCarrier.MARK : st.rdev()));
            DataSink section = layout.isPresent()
                    ? LayoutCarrier.prefixed(sink, layout.get(), (flags & FileRecord.FLAG_SPARSE) != 0) : sink;
            report.dataSent(reader.send(file, section));
            out.data(blob, 0, blob.length); // the metadata blob follows the data section (docs/ptcomm.md §4)
        }
    }

    private boolean sentAsHardLink(Entry e) throws IOException {
        HardLinkIndex.First first = links.firstName(e.stat());
        if (first == null) {
            return false;
        }
        send(record(FileType.HARDLINK, e.stat(), e.path(), first.name(), 0, first.recordNumber()));
        return true;
    }

    /** A record without data, followed by its metadata blob when backing up (estimates carry none). */
    private void sendWithMeta(FileRecord r, Entry e) throws IOException {
        if (!withData) {
            send(r);
            return;
        }
        byte[] blob = meta.collect(e.path(), e.stat(), e.xattrs());
        send(r.withFlags(r.flags() | FileRecord.FLAG_XATTR));
        out.data(blob, 0, blob.length);
    }

    private void send(FileRecord r) throws IOException {
        out.command(r.encode());
        report.recordSent();
    }

    static byte[] directoryName(byte[] path) {
        if (path.length > 0 && path[path.length - 1] == '/') {
            return path;
        }
        byte[] n = Arrays.copyOf(path, path.length + 1);
        n[path.length] = '/';
        return n;
    }

    static FileRecord record(FileType type, StatX st, byte[] name, byte[] link, int flags, long linkid) {
        return record(type, st, name, link, flags, linkid, st.rdev());
    }

    static FileRecord record(FileType type, StatX st, byte[] name, byte[] link, int flags, long linkid, long rdev) {
        return new FileRecord(type, st.mode(), st.uid(), st.gid(), st.size(), st.atimeSec(), st.mtimeSec(),
                st.ctimeSec(), st.ino(), st.dev(), st.nlink(), rdev, st.blocks(), flags, linkid, name, link);
    }

    /** The data section as PTCOMM frames. */
    private record FrameSink(FrameWriter out, JobReport report, BooleanSupplier stop) implements DataSink {
        @Override
        public void data(byte[] buf, int off, int len) throws IOException {
            out.data(buf, off, len);
        }

        @Override
        public void end() throws IOException {
            out.end();
        }

        @Override
        public void readError(String text) throws IOException {
            out.message(Status.ERROR, text);
        }

        @Override
        public void changedWhileRead(String text) throws IOException {
            report.changedWhileRead();
            out.message(Status.WARNING, text);
        }

        @Override
        public boolean stopped() {
            return stop.getAsBoolean();
        }

        @Override
        public void handoff(long number) throws IOException {
            out.handoff(number);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }
    }
}
