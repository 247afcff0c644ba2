package io.podheitor.hpc.lustre;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LayoutCodecTest {
    static final Layout PFL = new Layout(true, List.of(
            new LayoutComponent(0, 4 << 20, 1, 1 << 20, Layout.RAID0, "", List.of(3L)),
            new LayoutComponent(4 << 20, 1L << 30, 4, 4 << 20, Layout.RAID0, "flash", List.of(0L, 1L, 2L, 4294967295L)),
            new LayoutComponent(1L << 30, Layout.EOF, Layout.WIDE, 16 << 20, Layout.OVERSTRIPING, "hdd", List.of())));

    @Test
    void roundTrip() {
        byte[] b = LayoutCodec.encode(PFL);
        assertEquals(b.length, LayoutCodec.announcedLength(Arrays.copyOf(b, LayoutCodec.PREFIX)));
        assertEquals(PFL, LayoutCodec.decode(b));
        Layout plain = new Layout(false, List.of(new LayoutComponent(0, Layout.EOF, 8, 1 << 20, 0, "", List.of())));
        assertEquals(plain, LayoutCodec.decode(LayoutCodec.encode(plain)));
    }

    @Test
    void damagedHeadersAreRefused() {
        byte[] b = LayoutCodec.encode(PFL);
        byte[] magic = b.clone();
        magic[0] = 'X';
        assertEquals(-1, LayoutCodec.announcedLength(magic));
        assertThrows(IllegalArgumentException.class, () -> LayoutCodec.decode(magic));
        byte[] version = b.clone();
        version[8] = 2;
        assertThrows(IllegalArgumentException.class, () -> LayoutCodec.decode(version));
        byte[] flags = b.clone();
        flags[9] = 3;
        assertThrows(IllegalArgumentException.class, () -> LayoutCodec.decode(flags));
        assertThrows(IllegalArgumentException.class, () -> LayoutCodec.decode(Arrays.copyOf(b, b.length - 1)));
        byte[] longer = Arrays.copyOf(b, b.length + 4); // trailing bytes, length field patched to match
        longer[7] = (byte) (longer[7] + 4);
        assertThrows(IllegalArgumentException.class, () -> LayoutCodec.decode(longer));
        byte[] huge = b.clone();
        huge[4] = 0x7f;
        assertEquals(-1, LayoutCodec.announcedLength(huge));
    }
}
