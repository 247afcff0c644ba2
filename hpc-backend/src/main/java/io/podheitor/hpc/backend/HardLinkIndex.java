package io.podheitor.hpc.backend;

import java.util.HashMap;
import java.util.Map;

/**
 * (dev, ino) -> record number and name of the first FILE record sent for an inode with nlink > 1, so later
 * names become {@code L} records. Only multi-link inodes are kept, and at most {@link #capacity()} of them
 * (default {@value #DEFAULT_CAPACITY}, about 150 bytes + the name each, i.e. ~25 MiB at the cap with 100-byte
 * paths). Past the cap new multi-link inodes are not remembered: their further names are saved as ordinary
 * files (complete data, restored as separate files, the link is lost), and the caller warns once per job.
 * Inodes already remembered keep working. (A spill of the index to disk is future work.)
 */
final class HardLinkIndex {
    static final int DEFAULT_CAPACITY = 100_000;

    record First(long recordNumber, byte[] name) {
    }

    private record Key(long dev, long ino) {
    }

    private final Map<Key, First> firsts = new HashMap<>();
    private final int capacity;

    HardLinkIndex() {
        this(DEFAULT_CAPACITY);
    }

    HardLinkIndex(int capacity) {
        this.capacity = capacity;
    }

    First lookup(long dev, long ino) {
        return firsts.get(new Key(dev, ino));
    }

    /** @return false when the index is full and the inode was not remembered */
    boolean remember(long dev, long ino, long recordNumber, byte[] name) {
        if (firsts.size() >= capacity) {
            return firsts.containsKey(new Key(dev, ino));
        }
        firsts.putIfAbsent(new Key(dev, ino), new First(recordNumber, name));
        return true;
    }

    int size() {
        return firsts.size();
    }

    int capacity() {
        return capacity;
    }
}
