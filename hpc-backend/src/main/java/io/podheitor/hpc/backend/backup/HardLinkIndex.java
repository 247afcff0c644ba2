package io.podheitor.hpc.backend.backup;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * (dev, ino) -> record number and name of the first FILE record sent for an inode with nlink > 1, so later
 * names become {@code L} records. Only multi-link inodes are kept.
 *
 * <p>The first {@link #memoryCapacity()} inodes (plugin key {@code hardlink_memory}, default
 * 100,000: PluginParams.DEFAULT_HARDLINK_MEMORY), about 150 bytes + the name each, i.e. ~25 MiB with
 * 100-byte paths, live on the heap.
 * Past that the index <b>spills</b> to a {@link DiskLinkTable} in the spill directory (plugin key
 * {@code spill_dir}, default {@code java.io.tmpdir}): two unlinked temporary files, 32 bytes + the name per
 * inode, read and written with pread/pwrite, so the heap and the RSS stay flat whatever the number of links.
 * Only if the spill files cannot be created or written (directory missing, disk full) are further multi-link
 * inodes forgotten: their other names are then saved as ordinary files (complete data, restored as separate
 * files, the link structure is lost), and the caller warns once per job.
 */
final class HardLinkIndex implements AutoCloseable {

    record First(long recordNumber, byte[] name) {
    }

    /** Where {@link #remember} put an inode. */
    enum Placed { MEMORY, DISK, KNOWN, DROPPED }

    private record Key(long dev, long ino) {
    }

    private final Map<Key, First> firsts = new HashMap<>();
    private final int memoryCapacity;
    private final Path spillDir;
    private DiskLinkTable disk;
    private IOException spillFailure;

    HardLinkIndex(int memoryCapacity, Path spillDir) {
        this.memoryCapacity = memoryCapacity;
        this.spillDir = spillDir;
    }

    First lookup(long dev, long ino) throws IOException {
        First f = firsts.get(new Key(dev, ino));
        if (f != null || disk == null) {
            return f;
        }
        try {
            return disk.get(dev, ino);
        } catch (IOException e) {
            failSpill(e);
            return null;
        }
    }

    Placed remember(long dev, long ino, long recordNumber, byte[] name) throws IOException {
        Key k = new Key(dev, ino);
        if (firsts.containsKey(k)) {
            return Placed.KNOWN;
        }
        if (firsts.size() < memoryCapacity) {
            firsts.put(k, new First(recordNumber, name));
            return Placed.MEMORY;
        }
        if (spillFailure != null) {
            return Placed.DROPPED;
        }
        try {
            if (disk == null) {
                disk = DiskLinkTable.create(spillDir);
            }
            return disk.putIfAbsent(dev, ino, recordNumber, name) ? Placed.DISK : Placed.KNOWN;
        } catch (IOException e) {
            failSpill(e);
            return Placed.DROPPED;
        }
    }

    /** After a spill I/O error the disk part is given up: its inodes are forgotten, none are added. */
    private void failSpill(IOException e) throws IOException {
        spillFailure = e;
        if (disk != null) {
            DiskLinkTable d = disk;
            disk = null;
            d.close();
        }
    }

    /** Why the spill was given up, or null. */
    IOException spillFailure() {
        return spillFailure;
    }

    long size() {
        return firsts.size() + (disk == null ? 0 : disk.size());
    }

    long spilled() {
        return disk == null ? 0 : disk.size();
    }

    long spillBytes() {
        return disk == null ? 0 : disk.diskBytes();
    }

    int memoryCapacity() {
        return memoryCapacity;
    }

    Path spillDir() {
        return spillDir;
    }

    @Override
    public void close() throws IOException {
        if (disk != null) {
            disk.close();
            disk = null;
        }
    }
}
