package io.podheitor.hpc.backend.backup;

import io.podheitor.hpc.posix.Errno;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import io.podheitor.hpc.posix.UnixSockets;
import io.podheitor.hpc.ptcomm.Status;
import java.io.IOException;

/**
 * The handoff socket of a backup (docs/ptcomm.md §4.1c): an AF_UNIX SOCK_SEQPACKET socket the shim gave this process
 * (descriptor 4, Job line {@code Handoff=4}). Each handed-off file is one message: its handoff number (8 bytes,
 * big-endian, 1, 2, ...) with the open descriptor as SCM_RIGHTS; the H packet that follows on the protocol pipe
 * carries the same number, so the shim pairs them and can never take one file's descriptor for another's.
 * Used by the emitter thread only.
 */
public final class HandoffChannel implements AutoCloseable {
    /** Writes the protocol output buffered so far (the H packets of the messages already queued). */
    @FunctionalInterface
    interface Flush {
        void flush() throws IOException;
    }

    private final int socket;
    private long next = 1;
    private long sent;

    HandoffChannel(int socket) {
        this.socket = socket;
    }

    /**
     * The channel at {@code fd} if it is an AF_UNIX SOCK_SEQPACKET socket.
     *
     * @throws PosixException naming why not (ENOTSOCK, EBADF, or EPROTOTYPE-like: a wrong type, as EINVAL)
     */
    public static HandoffChannel offered(int fd) throws PosixException {
        int type = UnixSockets.intOption(fd, UnixSockets.SOL_SOCKET, UnixSockets.SO_TYPE);
        int domain = UnixSockets.intOption(fd, UnixSockets.SOL_SOCKET, UnixSockets.SO_DOMAIN);
        if (type != UnixSockets.SOCK_SEQPACKET || domain != UnixSockets.AF_UNIX) {
            throw new PosixException("handoff socket (domain " + domain + ", type " + type
                    + ", not AF_UNIX SOCK_SEQPACKET)", Errno.EINVAL, null);
        }
        return new HandoffChannel(fd);
    }

    /**
     * Sends {@code fd} as the next handoff and returns its number, to go into the H packet. The shim reads the
     * socket only when it reads an H packet: if the socket's queue is full (the shim has not yet reached the H
     * packets of the messages queued before), {@code flush} first pushes those packets out, then the send waits.
     *
     * @throws PosixException the send failed (the caller sends the section as D packets instead)
     */
    long send(int fd, Flush flush) throws IOException {
        long number = next;
        byte[] tag = new byte[Status.HANDOFF_LENGTH];
        for (int i = 0; i < tag.length; i++) {
            tag[i] = (byte) (number >>> (56 - 8 * i));
        }
        try {
            UnixSockets.sendDescriptors(socket, tag, new int[] {fd}, UnixSockets.MSG_DONTWAIT);
        } catch (PosixException e) {
            if (e.errno() != Errno.EAGAIN) {
                throw e;
            }
            flush.flush();
            UnixSockets.sendDescriptors(socket, tag, new int[] {fd}, 0);
        }
        next++;
        sent++;
        return number;
    }

    /** Descriptors sent so far. */
    long sent() {
        return sent;
    }

    @Override
    public void close() {
        Posix.closeQuietly(socket);
    }
}
