package io.podheitor.hpc.lustre;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link Layout} as bytes, for a layout that travels with a file's data (docs/stripe.md, "The layout travels
 * with the data"). Big-endian:
 *
 * <pre>
 * "PHLY"    magic
 * u32       total length in bytes, magic included
 * u8        version = 1
 * u8        flags: bit 0 = composite (PFL)
 * u16       component count (1..64)
 * per component:
 *   i64 start, i64 end (-1 = EOF), i64 stripe count, i64 stripe size, i64 pattern
 *   u8 pool length (0..255), pool bytes (ISO-8859-1)
 *   u16 OST count (0..65535), u32 OST index each
 * </pre>
 *
 * {@link #decode} refuses another magic or version, unknown flag bits, a length that disagrees with the content,
 * and trailing bytes.
 */
public final class LayoutCodec {
    public static final byte[] MAGIC = {'P', 'H', 'L', 'Y'};
    /** The bytes before the length is known: magic and length. */
    public static final int PREFIX = 8;
    public static final int MAX_COMPONENTS = 64;
    public static final int MAX_LENGTH = 1 << 20;

    private LayoutCodec() {
    }

    public static byte[] encode(Layout layout) {
        if (layout.components().size() > MAX_COMPONENTS) {
            throw new IllegalArgumentException("more than " + MAX_COMPONENTS + " components");
        }
        int len = PREFIX + 4;
        for (LayoutComponent c : layout.components()) {
            len += 40 + 1 + pool(c).length + 2 + 4 * c.ostIndices().size();
        }
        ByteBuffer b = ByteBuffer.allocate(len);
        b.put(MAGIC).putInt(len).put((byte) 1).put((byte) (layout.composite() ? 1 : 0))
                .putShort((short) layout.components().size());
        for (LayoutComponent c : layout.components()) {
            byte[] pool = pool(c);
            if (c.ostIndices().size() > 0xFFFF) {
                throw new IllegalArgumentException("more than 65535 OSTs in a component");
            }
            b.putLong(c.start()).putLong(c.end()).putLong(c.stripeCount()).putLong(c.stripeSize())
                    .putLong(c.pattern()).put((byte) pool.length).put(pool).putShort((short) c.ostIndices().size());
            for (long ost : c.ostIndices()) {
                b.putInt((int) ost);
            }
        }
        return b.array();
    }

    private static byte[] pool(LayoutComponent c) {
        byte[] p = c.pool().getBytes(StandardCharsets.ISO_8859_1);
        if (p.length > 255) {
            throw new IllegalArgumentException("pool name longer than 255 bytes");
        }
        return p;
    }

    /**
     * The total length announced by the first {@link #PREFIX} bytes of {@code head}, or -1 when they do not start
     * with the magic or announce a length outside {@code PREFIX + 4 .. MAX_LENGTH}.
     */
    public static int announcedLength(byte[] head) {
        if (head.length < PREFIX) {
            throw new IllegalArgumentException("fewer than " + PREFIX + " bytes");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (head[i] != MAGIC[i]) {
                return -1;
            }
        }
        int len = ByteBuffer.wrap(head, 4, 4).getInt();
        return len < PREFIX + 4 || len > MAX_LENGTH ? -1 : len;
    }

    /** The layout in {@code bytes} (exactly one encoded layout). */
    public static Layout decode(byte[] bytes) {
        if (bytes.length < PREFIX + 4 || announcedLength(bytes) != bytes.length) {
            throw new IllegalArgumentException("not a layout header (magic or length)");
        }
        ByteBuffer b = ByteBuffer.wrap(bytes, PREFIX, bytes.length - PREFIX);
        try {
            int version = b.get() & 0xFF;
            int flags = b.get() & 0xFF;
            int count = b.getShort() & 0xFFFF;
            if (version != 1) {
                throw new IllegalArgumentException("layout header version " + version + " (this backend reads 1)");
            }
            if ((flags & ~1) != 0) {
                throw new IllegalArgumentException("unknown layout header flags " + flags);
            }
            if (count < 1 || count > MAX_COMPONENTS) {
                throw new IllegalArgumentException("layout header with " + count + " components");
            }
            List<LayoutComponent> comps = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                long start = b.getLong();
                long end = b.getLong();
                long stripeCount = b.getLong();
                long stripeSize = b.getLong();
                long pattern = b.getLong();
                byte[] pool = new byte[b.get() & 0xFF];
                b.get(pool);
                int osts = b.getShort() & 0xFFFF;
                List<Long> ost = new ArrayList<>(osts);
                for (int k = 0; k < osts; k++) {
                    ost.add(b.getInt() & 0xFFFFFFFFL);
                }
                comps.add(new LayoutComponent(start, end, stripeCount, stripeSize, pattern,
                        new String(pool, StandardCharsets.ISO_8859_1), ost));
            }
            if (b.hasRemaining()) {
                throw new IllegalArgumentException("layout header with " + b.remaining() + " trailing bytes");
            }
            return new Layout((flags & 1) != 0, comps);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("layout header truncated");
        }
    }
}
