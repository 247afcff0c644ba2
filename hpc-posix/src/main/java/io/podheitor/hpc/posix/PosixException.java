package io.podheitor.hpc.posix;

import java.io.IOException;

/**
 * A failed libc call: the operation, errno and the path (raw bytes, rendered safely in the message).
 * Message format: {@code <op> "<path>": <strerror> (<ENAME>)}.
 */
public final class PosixException extends IOException {
    private static final long serialVersionUID = 1L;
    private static final byte[] NO_PATH = new byte[0];

    private final String operation;
    private final int errno;
    private final transient byte[] path;

    public PosixException(String operation, int errno, byte[] path) {
        super(operation + (path == null || path.length == 0 ? "" : " \"" + PathText.render(path) + "\"")
                + ": " + Errno.message(errno) + " (" + Errno.name(errno) + ")");
        this.operation = operation;
        this.errno = errno;
        this.path = path == null ? NO_PATH : path;
    }

    public String operation() {
        return operation;
    }

    public int errno() {
        return errno;
    }

    public String errnoName() {
        return Errno.name(errno);
    }

    /** The strerror text, e.g. "No such file or directory". */
    public String strerror() {
        return Errno.message(errno);
    }

    public byte[] path() {
        return path.clone();
    }

    /** The same failure reported against another (e.g. the absolute instead of a dirfd-relative) path. */
    public PosixException withPath(byte[] fullPath) {
        return new PosixException(operation, errno, fullPath);
    }

    public boolean isNotFound() {
        return errno == Errno.ENOENT;
    }
}
