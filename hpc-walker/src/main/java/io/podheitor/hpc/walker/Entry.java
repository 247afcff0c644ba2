package io.podheitor.hpc.walker;

import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.posix.Xattrs;

/**
 * One namespace entry: absolute path (raw bytes), its lstat, for a symlink its target (otherwise null), and for
 * a small regular file read ahead by a walker thread ({@link WalkOptions#readAheadMax()}) its complete content
 * (otherwise null: the consumer reads the file itself). {@code data} is only set when the walker read exactly
 * {@code stat.size()} bytes and then hit end of file, from a descriptor whose fstat matched the listed inode.
 * {@code xattrs}: the extended attributes a walker thread read ahead ({@link WalkOptions#xattrs()}), or null
 * when they were not read (the consumer reads them itself if it needs them).
 * A directory's Entry is delivered after every item below it (post-order).
 */
public record Entry(byte[] path, StatX stat, byte[] linkTarget, byte[] data, Xattrs.Read xattrs) implements WalkItem {
    public Entry(byte[] path, StatX stat, byte[] linkTarget) {
        this(path, stat, linkTarget, null, null);
    }

    public Entry(byte[] path, StatX stat, byte[] linkTarget, byte[] data) {
        this(path, stat, linkTarget, data, null);
    }
}
