package io.podheitor.hpc.backend;

import java.util.HashMap;
import java.util.Map;

/**
 * (dev, ino) -> record number and name of the first FILE record sent for an inode with nlink > 1, so later
 * names become {@code L} records. Only multi-link inodes are kept.
 * TODO(bounded memory, later issue): this map grows with the number of multiply linked inodes in the job.
 */
final class HardLinkIndex {
    record First(long recordNumber, byte[] name) {
    }

    private record Key(long dev, long ino) {
    }

    private final Map<Key, First> firsts = new HashMap<>();

    First lookup(long dev, long ino) {
        return firsts.get(new Key(dev, ino));
    }

    void remember(long dev, long ino, long recordNumber, byte[] name) {
        firsts.putIfAbsent(new Key(dev, ino), new First(recordNumber, name));
    }

    int size() {
        return firsts.size();
    }
}
