package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.posix.PosixException;

/**
 * A regular file that cannot be saved after all: it could not be opened or stat'ed, or it is no longer a regular
 * file. Nothing of it has been sent. {@code message} is the job message (an error, as stock bacula-fd reports a
 * file it cannot open); {@code cause} is the failed call, or null when the entry was replaced by another type.
 */
final class CannotRead extends Exception {
    private static final long serialVersionUID = 1L;
    private final transient PosixException failedCall;

    CannotRead(String message, PosixException cause) {
        super(message, cause);
        this.failedCall = cause;
    }

    /** The failed call (for Accurate's KEEP decision), or null. */
    PosixException failure() {
        return failedCall;
    }
}
