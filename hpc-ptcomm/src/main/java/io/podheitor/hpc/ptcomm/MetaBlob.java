package io.podheitor.hpc.ptcomm;

import java.io.ByteArrayOutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The metadata blob of a FILE record (docs/ptcomm.md §3.1), carried in the XATTR slot (flag 4): nanosecond
 * atime/mtime and the file's extended attributes, POSIX ACLs included as their raw
 * {@code system.posix_acl_access} / {@code system.posix_acl_default} values. Binary, big-endian, versioned:
 *
 * <pre>
 * "PHMB"  magic (4 bytes)
 * u8      version (1)
 * u8      flags: bit 0 = times present; other bits 0 in version 1
 * u16     reserved, 0
 * [i64 atime_sec, u32 atime_nsec, i64 mtime_sec, u32 mtime_nsec]   if flags bit 0
 * u32     xattr count
 * count x (u16 name length 1..255, name bytes (no NUL), u32 value length 0..65536, value bytes)
 * </pre>
 *
 * Names and values are raw bytes, never transcoded.
 */
public record MetaBlob(boolean hasTimes, long atimeSec, int atimeNsec, long mtimeSec, int mtimeNsec,
        List<Xattr> xattrs) {
    public static final int VERSION = 1;
    public static final int MAX_NAME = 255;
    public static final int MAX_VALUE = 65536;
    private static final byte[] MAGIC = {'P', 'H', 'M', 'B'};
    private static final int HEADER = 8;
    private static final int TIMES = 24;

    /** One extended attribute: raw name (e.g. {@code user.x}) and raw value. */
    public record Xattr(byte[] name, byte[] value) {
        public Xattr {
            if (name.length == 0 || name.length > MAX_NAME) {
                throw new IllegalArgumentException("xattr name length " + name.length + " not in 1.." + MAX_NAME);
            }
            if (value.length > MAX_VALUE) {
                throw new IllegalArgumentException("xattr value length " + value.length + " over " + MAX_VALUE);
            }
        }

        /** Encoded size inside a blob. */
        public int encodedSize() {
            return 2 + name.length + 4 + value.length;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Xattr x && Arrays.equals(x.name, name) && Arrays.equals(x.value, value);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(name) * 31 + Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Xattr[" + new String(name, java.nio.charset.StandardCharsets.ISO_8859_1) + ", " + value.length
                    + " bytes]";
        }
    }

    public MetaBlob {
        xattrs = List.copyOf(xattrs);
        if (atimeNsec < 0 || atimeNsec > 999_999_999 || mtimeNsec < 0 || mtimeNsec > 999_999_999) {
            throw new IllegalArgumentException("nanoseconds out of range");
        }
    }

    public static MetaBlob withTimes(long atimeSec, int atimeNsec, long mtimeSec, int mtimeNsec, List<Xattr> xattrs) {
        return new MetaBlob(true, atimeSec, atimeNsec, mtimeSec, mtimeNsec, xattrs);
    }

    /** Bytes of the encoded blob with no xattrs (header + optional times + count). */
    public static int baseSize(boolean hasTimes) {
        return HEADER + (hasTimes ? TIMES : 0) + 4;
    }

    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128);
        ByteBuffer b = ByteBuffer.allocate(baseSize(hasTimes));
        b.put(MAGIC).put((byte) VERSION).put((byte) (hasTimes ? 1 : 0)).putShort((short) 0);
        if (hasTimes) {
            b.putLong(atimeSec).putInt(atimeNsec).putLong(mtimeSec).putInt(mtimeNsec);
        }
        b.putInt(xattrs.size());
        out.writeBytes(b.array());
        for (Xattr x : xattrs) {
            ByteBuffer e = ByteBuffer.allocate(x.encodedSize());
            e.putShort((short) x.name.length).put(x.name).putInt(x.value.length).put(x.value);
            out.writeBytes(e.array());
        }
        return out.toByteArray();
    }

    /** Decodes a blob; anything malformed, truncated, with trailing bytes or of another version is refused. */
    public static MetaBlob decode(byte[] blob) throws ProtocolException {
        ByteBuffer b = ByteBuffer.wrap(blob);
        try {
            byte[] magic = new byte[4];
            b.get(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new ProtocolException("metadata blob: bad magic");
            }
            int version = Byte.toUnsignedInt(b.get());
            if (version != VERSION) {
                throw new ProtocolException("metadata blob: unsupported version " + version + " (this backend reads "
                        + VERSION + ")");
            }
            int flags = Byte.toUnsignedInt(b.get());
            if ((flags & ~1) != 0 || b.getShort() != 0) {
                throw new ProtocolException("metadata blob: unknown flags " + flags);
            }
            boolean times = (flags & 1) != 0;
            long as = 0, ms = 0;
            int an = 0, mn = 0;
            if (times) {
                as = b.getLong();
                an = b.getInt();
                ms = b.getLong();
                mn = b.getInt();
                if (an < 0 || an > 999_999_999 || mn < 0 || mn > 999_999_999) {
                    throw new ProtocolException("metadata blob: nanoseconds out of range");
                }
            }
            long count = Integer.toUnsignedLong(b.getInt());
            if (count > b.remaining() / 6) {
                throw new ProtocolException("metadata blob: " + count + " xattrs cannot fit in " + blob.length + " bytes");
            }
            List<Xattr> xs = new ArrayList<>((int) count);
            for (long i = 0; i < count; i++) {
                int nl = Short.toUnsignedInt(b.getShort());
                if (nl == 0 || nl > MAX_NAME) {
                    throw new ProtocolException("metadata blob: xattr name length " + nl);
                }
                byte[] name = new byte[nl];
                b.get(name);
                for (byte c : name) {
                    if (c == 0) {
                        throw new ProtocolException("metadata blob: NUL in an xattr name");
                    }
                }
                long vl = Integer.toUnsignedLong(b.getInt());
                if (vl > MAX_VALUE || vl > b.remaining()) {
                    throw new ProtocolException("metadata blob: xattr value length " + vl);
                }
                byte[] value = new byte[(int) vl];
                b.get(value);
                xs.add(new Xattr(name, value));
            }
            if (b.hasRemaining()) {
                throw new ProtocolException("metadata blob: " + b.remaining() + " trailing bytes");
            }
            return new MetaBlob(times, as, an, ms, mn, xs);
        } catch (BufferUnderflowException e) {
            throw new ProtocolException("metadata blob: truncated (" + blob.length + " bytes)");
        }
    }
}
