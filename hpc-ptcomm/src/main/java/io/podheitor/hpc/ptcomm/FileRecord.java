package io.podheitor.hpc.ptcomm;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The FILE record of docs/ptcomm.md §3:
 * <pre>FILE type mode uid gid size atime mtime ctime ino dev nlink rdev blocks flags linkid\n name \0 link</pre>
 * Names and link targets are raw bytes, never transcoded. {@code ino}, {@code dev}, {@code nlink}, {@code rdev}
 * and {@code blocks} are unsigned 64-bit values carried in longs; times are signed seconds.
 */
public record FileRecord(
        FileType type, int mode, long uid, long gid, long size,
        long atime, long mtime, long ctime,
        long ino, long dev, long nlink, long rdev, long blocks,
        int flags, long linkid,
        byte[] name, byte[] link) {

    /** flags bit: a data section follows (backup only). */
    public static final int FLAG_DATA = 1;
    /** flags bit: one ACL blob follows (reserved). */
    public static final int FLAG_ACL = 2;
    /** flags bit: one XATTR blob (the metadata blob) follows. */
    public static final int FLAG_XATTR = 4;
    /** flags bit (with FLAG_DATA): every D packet of the data section starts with its 8-byte file offset. */
    public static final int FLAG_SPARSE = 8;

    private static final byte[] MAGIC = "FILE ".getBytes(StandardCharsets.US_ASCII);
    private static final int FIELDS = 16;
    private static final byte[] EMPTY = new byte[0];

    public FileRecord {
        if (type == null) {
            throw new IllegalArgumentException("FILE record without a type");
        }
        if (name == null || name.length == 0) {
            throw new IllegalArgumentException("FILE record without a name");
        }
        link = link == null ? EMPTY : link;
        if (indexOf(name, (byte) 0, 0) >= 0 || indexOf(link, (byte) 0, 0) >= 0) {
            throw new IllegalArgumentException("a name or link contains a NUL byte");
        }
    }

    public boolean hasData() {
        return (flags & FLAG_DATA) != 0;
    }

    public FileRecord withFlags(int newFlags) {
        return new FileRecord(type, mode, uid, gid, size, atime, mtime, ctime, ino, dev, nlink, rdev, blocks,
                newFlags, linkid, name, link);
    }

    /** The payload of the C packet that carries this record. */
    public byte[] encode() {
        String head = "FILE " + type.letter()
                + ' ' + Integer.toOctalString(mode)
                + ' ' + uid + ' ' + gid + ' ' + size
                + ' ' + atime + ' ' + mtime + ' ' + ctime
                + ' ' + Long.toUnsignedString(ino) + ' ' + Long.toUnsignedString(dev)
                + ' ' + Long.toUnsignedString(nlink) + ' ' + Long.toUnsignedString(rdev)
                + ' ' + Long.toUnsignedString(blocks)
                + ' ' + flags + ' ' + linkid + '\n';
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[h.length + name.length + 1 + link.length];
        System.arraycopy(h, 0, out, 0, h.length);
        System.arraycopy(name, 0, out, h.length, name.length);
        out[h.length + name.length] = 0;
        System.arraycopy(link, 0, out, h.length + name.length + 1, link.length);
        return out;
    }

    /** Is this C payload a FILE record (as opposed to a command such as FINISH)? */
    public static boolean isFileRecord(byte[] payload) {
        return payload.length >= MAGIC.length && Arrays.equals(payload, 0, MAGIC.length, MAGIC, 0, MAGIC.length);
    }

    /** Parses a C payload; every deviation from §3 is a {@link ProtocolException} naming the problem. */
    public static FileRecord decode(byte[] p) throws ProtocolException {
        int nl = indexOf(p, (byte) '\n', 0);
        if (nl < 0) {
            throw bad(p, "no newline after the header line");
        }
        String[] f = new String(p, 0, nl, StandardCharsets.ISO_8859_1).split(" ", -1);
        if (f.length != FIELDS || !f[0].equals("FILE")) {
            throw bad(p, "expected \"FILE\" and 15 fields separated by single spaces");
        }
        FileType type = f[1].length() == 1 ? FileType.of(f[1].charAt(0)) : null;
        if (type == null) {
            throw bad(p, "unknown type \"" + f[1] + "\"");
        }
        int mode = (int) number(p, f[2], "mode", 8, false, 07777777L);
        long uid = number(p, f[3], "uid", 10, false, 0xffff_ffffL);
        long gid = number(p, f[4], "gid", 10, false, 0xffff_ffffL);
        long size = number(p, f[5], "size", 10, false, Long.MAX_VALUE);
        long atime = number(p, f[6], "atime", 10, true, Long.MAX_VALUE);
        long mtime = number(p, f[7], "mtime", 10, true, Long.MAX_VALUE);
        long ctime = number(p, f[8], "ctime", 10, true, Long.MAX_VALUE);
        long ino = unsigned(p, f[9], "ino");
        long dev = unsigned(p, f[10], "dev");
        long nlink = unsigned(p, f[11], "nlink");
        long rdev = unsigned(p, f[12], "rdev");
        long blocks = unsigned(p, f[13], "blocks");
        int flags = (int) number(p, f[14], "flags", 10, false, Integer.MAX_VALUE);
        long linkid = number(p, f[15], "linkid", 10, false, Long.MAX_VALUE);
        int nul = indexOf(p, (byte) 0, nl + 1);
        if (nul < 0) {
            throw bad(p, "no NUL byte between name and link");
        }
        if (nul == nl + 1) {
            throw bad(p, "empty name");
        }
        if (indexOf(p, (byte) 0, nul + 1) >= 0) {
            throw bad(p, "a second NUL byte (names never contain NUL)");
        }
        byte[] name = Arrays.copyOfRange(p, nl + 1, nul);
        byte[] link = Arrays.copyOfRange(p, nul + 1, p.length);
        return new FileRecord(type, mode, uid, gid, size, atime, mtime, ctime, ino, dev, nlink, rdev, blocks,
                flags, linkid, name, link);
    }

    private static long number(byte[] p, String s, String field, int radix, boolean signed, long max)
            throws ProtocolException {
        int start = signed && s.startsWith("-") ? 1 : 0;
        if (s.length() == start || s.length() > 22) {
            throw bad(p, "bad " + field + " \"" + s + "\"");
        }
        for (int i = start; i < s.length(); i++) {
            int d = s.charAt(i) - '0';
            if (d < 0 || d >= radix) {
                throw bad(p, "bad " + field + " \"" + s + "\"");
            }
        }
        long v;
        try {
            v = Long.parseLong(s, radix);
        } catch (NumberFormatException e) {
            throw bad(p, field + " out of range \"" + s + "\"");
        }
        if (v > max) {
            throw bad(p, field + " out of range \"" + s + "\"");
        }
        return v;
    }

    private static long unsigned(byte[] p, String s, String field) throws ProtocolException {
        if (s.isEmpty() || s.length() > 20) {
            throw bad(p, "bad " + field + " \"" + s + "\"");
        }
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                throw bad(p, "bad " + field + " \"" + s + "\"");
            }
        }
        try {
            return Long.parseUnsignedLong(s);
        } catch (NumberFormatException e) {
            throw bad(p, field + " out of range \"" + s + "\"");
        }
    }

    private static ProtocolException bad(byte[] p, String why) {
        return new ProtocolException("bad FILE record \"" + ProtocolException.escape(p, 0, Math.min(p.length, 200))
                + (p.length > 200 ? "..." : "") + "\": " + why);
    }

    private static int indexOf(byte[] a, byte b, int from) {
        for (int i = from; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FileRecord r && r.type == type && r.mode == mode && r.uid == uid && r.gid == gid
                && r.size == size && r.atime == atime && r.mtime == mtime && r.ctime == ctime && r.ino == ino
                && r.dev == dev && r.nlink == nlink && r.rdev == rdev && r.blocks == blocks && r.flags == flags
                && r.linkid == linkid && Arrays.equals(r.name, name) && Arrays.equals(r.link, link);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new long[] {type.ordinal(), mode, uid, gid, size, atime, mtime, ctime, ino, dev,
                nlink, rdev, blocks, flags, linkid, Arrays.hashCode(name), Arrays.hashCode(link)});
    }

    @Override
    public String toString() {
        return "FileRecord[" + type.letter() + " " + Integer.toOctalString(mode) + " \""
                + ProtocolException.escape(name) + "\"" + (link.length > 0 ? " -> \"" + ProtocolException.escape(link) + "\"" : "")
                + " size=" + size + " flags=" + flags + " linkid=" + linkid + "]";
    }
}
