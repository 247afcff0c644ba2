package io.podheitor.hpc.source;

import io.podheitor.hpc.posix.PosixException;

/**
 * An entry that could not be read: its absolute path and the failure. {@code directory} is true when a
 * directory could not be opened or listed; its contents (and, if it could not be opened, its own Entry) are
 * then missing from the source's output.
 */
public record EntryError(byte[] path, PosixException error, boolean directory) implements SourceItem {
}
