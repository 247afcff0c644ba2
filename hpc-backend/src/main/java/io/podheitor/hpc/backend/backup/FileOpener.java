package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.posix.Fcntl;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;

/**
 * How the emitter opens a regular file it reads itself (one not read ahead by the source). Production uses
 * {@link #POSIX}; tests inject an opener that changes the tree at the moment of the open (a file that vanishes or
 * is swapped), without switching any production path off.
 */
@FunctionalInterface
public interface FileOpener {
    /** O_RDONLY|O_NOFOLLOW|O_NONBLOCK|O_CLOEXEC, O_NOATIME when permitted ({@link Posix#openForReading}). */
    FileOpener POSIX = path -> Posix.openForReading(Fcntl.AT_FDCWD, path);

    /** An open descriptor for reading the file at {@code path} (absolute, raw bytes). */
    int open(byte[] path) throws PosixException;
}
