package io.podheitor.hpc.walker;

import io.podheitor.hpc.posix.StatX;

/**
 * One namespace entry: absolute path (raw bytes), its lstat, and for a symlink its target (otherwise null).
 * A directory's Entry is delivered after every item below it (post-order).
 */
public record Entry(byte[] path, StatX stat, byte[] linkTarget) implements WalkItem {
}
