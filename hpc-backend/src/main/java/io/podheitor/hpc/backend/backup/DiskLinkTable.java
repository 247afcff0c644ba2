package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.posix.UnnamedFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * The on-disk part of the hard-link index: (dev, ino) -> (record number, first name) in two unlinked temporary
 * files, so nothing is left behind even when the backend is killed.
 *
 * <ul>
 *   <li>slots: an open-addressing hash table (linear probing, load at most 1/2, doubled by rehashing into a new
 *       file) of 32-byte slots {@code dev, ino, recordNumber + 1 (0 = empty), name offset};</li>
 *   <li>names: an append-only log of {@code int length, bytes}.</li>
 * </ul>
 *
 * The files are {@link UnnamedFile}s (O_TMPFILE: never a name another user could pre-create or swap). All
 * access is positional {@code pread}/{@code pwrite}: the files live in the page
 * cache, not in the backend's heap or RSS. One lookup costs about one 32-byte read per probe (plus one name read
 * on a hit). Not thread-safe: the single emitter owns it.
 */
final class DiskLinkTable implements AutoCloseable {
    static final int SLOT = 32;
    static final long INITIAL_SLOTS = 1 << 15;
    private static final int REHASH_CHUNK = 4096; // slots read per pread while growing

    private final Path dir;
    private UnnamedFile slots;
    private final UnnamedFile names;
    private long capacity; // slots, a power of two
    private long size;
    private long namesEnd;
    private final ByteBuffer slot = ByteBuffer.allocate(SLOT).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer len = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);

    private DiskLinkTable(Path dir, UnnamedFile slots, UnnamedFile names, long capacity) {
        this.dir = dir;
        this.slots = slots;
        this.names = names;
        this.capacity = capacity;
    }

    /** Creates the two unnamed files in {@code dir}. */
    static DiskLinkTable create(Path dir) throws IOException {
        UnnamedFile s = openUnlinked(dir);
        try {
            return new DiskLinkTable(dir, s, openUnlinked(dir), INITIAL_SLOTS);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    private static UnnamedFile openUnlinked(Path dir) throws IOException {
        return UnnamedFile.create(dir.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    long size() {
        return size;
    }

    /** Bytes this table occupies on disk (slots + names). */
    long diskBytes() {
        return capacity * SLOT + namesEnd;
    }

    Path directory() {
        return dir;
    }

    HardLinkIndex.First get(long dev, long ino) throws IOException {
        long i = home(dev, ino, capacity);
        while (true) {
            readSlot(slots, i);
            long rec = slot.getLong(16);
            if (rec == 0) {
                return null;
            }
            if (slot.getLong(0) == dev && slot.getLong(8) == ino) {
                return new HardLinkIndex.First(rec - 1, readName(slot.getLong(24)));
            }
            i = (i + 1) & (capacity - 1);
        }
    }

    /** Adds the inode unless it is present. @return true if added */
    boolean putIfAbsent(long dev, long ino, long recordNumber, byte[] name) throws IOException {
        if (get(dev, ino) != null) {
            return false;
        }
        if ((size + 1) * 2 > capacity) {
            grow();
        }
        long off = namesEnd;
        ByteBuffer n = ByteBuffer.allocate(4 + name.length).order(ByteOrder.LITTLE_ENDIAN);
        n.putInt(name.length).put(name).flip();
        writeFully(names, n, off);
        namesEnd += 4 + name.length;
        insert(slots, capacity, dev, ino, recordNumber + 1, off);
        size++;
        return true;
    }

    private void insert(UnnamedFile ch, long cap, long dev, long ino, long recPlusOne, long nameOff)
            throws IOException {
        long i = home(dev, ino, cap);
        while (true) {
            readSlot(ch, i);
            if (slot.getLong(16) == 0) {
                break;
            }
            i = (i + 1) & (cap - 1);
        }
        slot.clear();
        slot.putLong(0, dev).putLong(8, ino).putLong(16, recPlusOne).putLong(24, nameOff);
        writeFully(ch, slot, i * SLOT);
    }

    private void grow() throws IOException {
        long newCap = capacity * 2;
        UnnamedFile bigger = openUnlinked(dir);
        try {
            ByteBuffer chunk = ByteBuffer.allocate(REHASH_CHUNK * SLOT).order(ByteOrder.LITTLE_ENDIAN);
            for (long first = 0; first < capacity; first += REHASH_CHUNK) {
                long n = Math.min(REHASH_CHUNK, capacity - first);
                chunk.clear().limit((int) (n * SLOT));
                readFully(slots, chunk, first * SLOT);
                for (int k = 0; k < n; k++) {
                    int b = k * SLOT;
                    long rec = chunk.getLong(b + 16);
                    if (rec != 0) {
                        insert(bigger, newCap, chunk.getLong(b), chunk.getLong(b + 8), rec, chunk.getLong(b + 24));
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            bigger.close();
            throw e;
        }
        slots.close();
        slots = bigger;
        capacity = newCap;
    }

    private byte[] readName(long off) throws IOException {
        len.clear();
        readFully(names, len, off);
        int n = len.getInt(0);
        if (n < 0 || off + 4 + n > namesEnd) {
            throw new IOException("hard-link spill file is corrupt at offset " + off);
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        readFully(names, b, off + 4);
        return b.array();
    }

    /** Reads slot {@code i} into {@link #slot}; a slot in a hole of the file reads as empty. */
    private void readSlot(UnnamedFile ch, long i) throws IOException {
        slot.clear();
        readFully(ch, slot, i * SLOT);
    }

    /** Fills b from its position to its limit; past the end of the file (a hole in the slots file): zeros. */
    private static void readFully(UnnamedFile ch, ByteBuffer b, long pos) throws IOException {
        ch.readFully(b.array(), b.arrayOffset() + b.position(), b.remaining(), pos);
        b.position(b.limit());
    }

    private static void writeFully(UnnamedFile ch, ByteBuffer b, long pos) throws IOException {
        ch.writeFully(b.array(), b.arrayOffset() + b.position(), b.remaining(), pos);
        b.position(b.limit());
    }

    /** A well-mixed home slot for (dev, ino) (the murmur3 64-bit finalizer). */
    static long home(long dev, long ino, long capacity) {
        long h = ino * 0x9E3779B97F4A7C15L + dev;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h & (capacity - 1);
    }

    @Override
    public void close() throws IOException {
        try {
            slots.close();
        } finally {
            names.close();
        }
    }
}
