package io.podheitor.hpc.changelog.source;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Set;

/** A set of absolute paths (bytes) that answers "is this path, or one of its ancestors, in the set?". */
final class PathSet {
    private final Set<ByteBuffer> paths = new HashSet<>();

    void add(byte[] path) {
        paths.add(ByteBuffer.wrap(path.clone()));
    }

    boolean contains(byte[] path) {
        return paths.contains(ByteBuffer.wrap(path));
    }

    boolean isEmpty() {
        return paths.isEmpty();
    }

    boolean hasAncestorOrSelf(byte[] path) {
        return !paths.isEmpty() && (paths.contains(ByteBuffer.wrap(path)) || hasProperAncestor(path));
    }

    boolean hasProperAncestor(byte[] path) {
        if (paths.isEmpty()) {
            return false;
        }
        for (int i = path.length - 1; i > 0; i--) {
            if (path[i] == '/' && paths.contains(ByteBuffer.wrap(path, 0, i).slice())) {
                return true;
            }
        }
        return path.length > 1 && paths.contains(ByteBuffer.wrap(new byte[] {'/'}));
    }
}
