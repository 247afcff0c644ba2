package io.podheitor.hpc.backend.backup;

import java.io.IOException;

/**
 * Data the source already read (a small file read ahead by a walker thread, {@code Entry.data()}: exactly the
 * listed size, then end of file): sent from memory, the file is never opened here.
 */
final class PrefetchedReader implements DataReader {
    @Override
    public boolean takes(FileToRead file) {
        return file.entry().data() != null;
    }

    @Override
    public int recordFlags(FileToRead file) {
        return 0;
    }

    @Override
    public long send(FileToRead file, DataSink sink) throws IOException {
        byte[] d = file.entry().data();
        for (int off = 0; off < d.length; off += SequentialReader.PACKET) {
            sink.data(d, off, Math.min(SequentialReader.PACKET, d.length - off));
        }
        sink.end();
        return d.length;
    }
}
