package io.podheitor.hpc.source;

import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.posix.Xattrs;

/**
 * One namespace entry an {@link EntrySource} delivers: absolute path (raw bytes), its lstat, for a symlink its
 * target (otherwise null), and for a small regular file whose content the source already read its complete
 * content (otherwise null: the consumer reads the file itself). {@code data} is only set when exactly
 * {@code stat.size()} bytes were read and then end of file, from a descriptor whose fstat matched the listed
 * inode. {@code xattrs}: the extended attributes the source read ahead, or null when they were not read (the
 * consumer reads them itself if it needs them).
 */
public record Entry(byte[] path, StatX stat, byte[] linkTarget, byte[] data, Xattrs.Read xattrs) implements SourceItem {
    public Entry(byte[] path, StatX stat, byte[] linkTarget) {
        this(path, stat, linkTarget, null, null);
    }

    public Entry(byte[] path, StatX stat, byte[] linkTarget, byte[] data) {
        this(path, stat, linkTarget, data, null);
    }
}
