package io.podheitor.hpc.posix;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Per-thread reusable native buffers, so a call allocates no native memory: the errno capture state, two
 * NUL-terminated path buffers, the struct statx, a timespec[2], a readlink buffer, a directory-entry buffer and
 * an I/O bounce buffer. The automatic arena frees them once the thread is gone.
 * A buffer is only valid until the next {@link Posix} call on the same thread.
 */
final class Scratch {
    static final int DIRENT_BUFFER = 128 * 1024;
    static final int IO_BUFFER = 256 * 1024;

    private static final ThreadLocal<Scratch> CURRENT = ThreadLocal.withInitial(Scratch::new);

    private final Arena arena = Arena.ofAuto();
    final MemorySegment capture = arena.allocate(Libc.CAPTURE_LAYOUT);
    final MemorySegment statx = arena.allocate(256, 8);
    final MemorySegment times = arena.allocate(32, 8);
    private final MemorySegment[] paths = {arena.allocate(4096), arena.allocate(4096)};
    private MemorySegment link = arena.allocate(4096);
    private MemorySegment xattr = arena.allocate(4096);
    private MemorySegment dirents;
    private MemorySegment io;

    static Scratch get() {
        return CURRENT.get();
    }

    int errno() {
        return Libc.errno(capture);
    }

    /** Copies {@code path} into path buffer {@code slot} (0 or 1) with a terminating NUL. */
    MemorySegment path(int slot, byte[] path, String operation) throws PosixException {
        for (byte b : path) {
            if (b == 0) {
                throw new PosixException(operation, Errno.EINVAL, path);
            }
        }
        MemorySegment seg = paths[slot];
        if (seg.byteSize() < path.length + 1L) {
            seg = arena.allocate(Math.max(path.length + 1L, seg.byteSize() * 2));
            paths[slot] = seg;
        }
        MemorySegment.copy(path, 0, seg, JAVA_BYTE, 0, path.length);
        seg.set(JAVA_BYTE, path.length, (byte) 0);
        return seg;
    }

    MemorySegment link() {
        return link;
    }

    MemorySegment growLink() {
        link = arena.allocate(link.byteSize() * 2);
        return link;
    }

    MemorySegment xattr() {
        return xattr;
    }

    MemorySegment growXattr(long atLeast) {
        xattr = arena.allocate(Math.max(atLeast, xattr.byteSize() * 2));
        return xattr;
    }

    MemorySegment dirents() {
        if (dirents == null) {
            dirents = arena.allocate(DIRENT_BUFFER, 8);
        }
        return dirents;
    }

    MemorySegment io() {
        if (io == null) {
            io = arena.allocate(IO_BUFFER, 64);
        }
        return io;
    }
}
