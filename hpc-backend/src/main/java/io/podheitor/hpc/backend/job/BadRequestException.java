package io.podheitor.hpc.backend.job;

/** A request the backend refuses (bad Job line, bad plugin parameter): answered with an {@code A} message. */
public final class BadRequestException extends Exception {
    private static final long serialVersionUID = 1L;

    public BadRequestException(String message) {
        super(message);
    }
}
