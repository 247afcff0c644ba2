package io.podheitor.hpc.posix;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.podheitor.hpc.posix.ffm.ThreadScratch;
import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.VarHandle;
import java.util.Arrays;

/**
 * AF_UNIX socket pairs and descriptor passing ({@code SCM_RIGHTS}, unix(7)) through FFM: {@code socketpair(2)},
 * {@code sendmsg(2)} / {@code recvmsg(2)} with one control message of descriptors, and {@code getsockopt(2)} of an
 * int option. The structs ({@code msghdr}, {@code iovec}, {@code cmsghdr}) are named layouts of the 64-bit Linux
 * ABI (x86_64 and aarch64 alike; a test pins their offsets). EINTR is retried ({@link Eintr}); every other failure
 * is a {@link PosixException} with errno (EAGAIN with {@link #MSG_DONTWAIT} when the call would block). Sending
 * never raises SIGPIPE ({@link #MSG_NOSIGNAL} is always added); received descriptors are close-on-exec
 * ({@link #MSG_CMSG_CLOEXEC} is always added). These calls are rare (one per handed-off file), so each uses a
 * confined arena of its own.
 */
public final class UnixSockets {
    public static final int AF_UNIX = 1;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_DGRAM = 2;
    public static final int SOCK_SEQPACKET = 5;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int SOL_SOCKET = 1;
    public static final int SO_TYPE = 3;
    public static final int SO_DOMAIN = 39;
    public static final int SCM_RIGHTS = 1;
    public static final int MSG_CTRUNC = 0x8;
    public static final int MSG_TRUNC = 0x20;
    public static final int MSG_DONTWAIT = 0x40;
    public static final int MSG_NOSIGNAL = 0x4000;
    public static final int MSG_CMSG_CLOEXEC = 0x40000000;
    /** The most descriptors one message may carry here (the kernel's SCM_MAX_FD is 253). */
    public static final int MAX_DESCRIPTORS = 16;

    /** struct msghdr (56 bytes). */
    static final StructLayout MSGHDR = MemoryLayout.structLayout(
            ADDRESS.withName("msg_name"),
            JAVA_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("msg_iov"),
            JAVA_LONG.withName("msg_iovlen"),
            ADDRESS.withName("msg_control"),
            JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"),
            MemoryLayout.paddingLayout(4)).withName("msghdr");
    /** struct iovec (16 bytes). */
    static final StructLayout IOVEC = MemoryLayout.structLayout(
            ADDRESS.withName("iov_base"),
            JAVA_LONG.withName("iov_len")).withName("iovec");
    /** struct cmsghdr (16 bytes; the data follows, aligned to 8). */
    static final StructLayout CMSGHDR = MemoryLayout.structLayout(
            JAVA_LONG.withName("cmsg_len"),
            JAVA_INT.withName("cmsg_level"),
            JAVA_INT.withName("cmsg_type")).withName("cmsghdr");

    private static final VarHandle MSG_IOV = handle(MSGHDR, "msg_iov");
    private static final VarHandle MSG_IOVLEN = handle(MSGHDR, "msg_iovlen");
    private static final VarHandle MSG_CONTROL = handle(MSGHDR, "msg_control");
    private static final VarHandle MSG_CONTROLLEN = handle(MSGHDR, "msg_controllen");
    private static final VarHandle MSG_FLAGS = handle(MSGHDR, "msg_flags");
    private static final VarHandle IOV_BASE = handle(IOVEC, "iov_base");
    private static final VarHandle IOV_LEN = handle(IOVEC, "iov_len");
    private static final VarHandle CMSG_LEN = handle(CMSGHDR, "cmsg_len");
    private static final VarHandle CMSG_LEVEL = handle(CMSGHDR, "cmsg_level");
    private static final VarHandle CMSG_TYPE = handle(CMSGHDR, "cmsg_type");

    private UnixSockets() {
    }

    private static VarHandle handle(StructLayout l, String name) {
        return l.varHandle(groupElement(name)).withInvokeExactBehavior();
    }

    /** CMSG_ALIGN: control message lengths are rounded up to 8 bytes. */
    static long cmsgAlign(long n) {
        return (n + 7) & ~7L;
    }

    /** CMSG_LEN(n): the header plus n data bytes. */
    static long cmsgLen(long n) {
        return CMSGHDR.byteSize() + n;
    }

    /** CMSG_SPACE(n): what one control message of n data bytes takes in the buffer. */
    static long cmsgSpace(long n) {
        return CMSGHDR.byteSize() + cmsgAlign(n);
    }

    /** socketpair(2): two connected sockets of {@code type} (flags like {@link #SOCK_CLOEXEC} included) in domain. */
    public static int[] socketpair(int domain, int type) throws PosixException {
        ThreadScratch s = ThreadScratch.current();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment sv = a.allocate(JAVA_INT, 2);
            if (Libc.socketpair(s.capture(), domain, type, 0, sv) != 0) {
                throw new PosixException("socketpair", s.errno(), null);
            }
            return new int[] {sv.getAtIndex(JAVA_INT, 0), sv.getAtIndex(JAVA_INT, 1)};
        }
    }

    /**
     * sendmsg(2) of {@code data} (at least one byte) with {@code fds} (0..{@link #MAX_DESCRIPTORS}) in one
     * SCM_RIGHTS control message. The receiver gets its own copies; the caller's stay open (close them after).
     *
     * @param flags e.g. {@link #MSG_DONTWAIT}; {@link #MSG_NOSIGNAL} is always added
     * @throws PosixException EAGAIN (would block, with MSG_DONTWAIT), EPIPE / ECONNRESET (the peer is gone), EBADF
     *                        (a descriptor is not open), ...; EMSGSIZE if the kernel sent fewer bytes than given
     */
    public static void sendDescriptors(int socket, byte[] data, int[] fds, int flags) throws PosixException {
        if (data.length == 0 || fds.length > MAX_DESCRIPTORS) {
            throw new IllegalArgumentException("sendmsg: " + data.length + " data bytes, " + fds.length
                    + " descriptors (1.. bytes and 0.." + MAX_DESCRIPTORS + " descriptors)");
        }
        ThreadScratch s = ThreadScratch.current();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment msg = a.allocate(MSGHDR);
            MemorySegment iov = a.allocate(IOVEC);
            MemorySegment buf = a.allocate(data.length);
            MemorySegment.copy(data, 0, buf, JAVA_BYTE, 0, data.length);
            IOV_BASE.set(iov, 0L, buf);
            IOV_LEN.set(iov, 0L, (long) data.length);
            MSG_IOV.set(msg, 0L, iov);
            MSG_IOVLEN.set(msg, 0L, 1L);
            if (fds.length > 0) {
                long n = 4L * fds.length;
                MemorySegment control = a.allocate(cmsgSpace(n), 8);
                CMSG_LEN.set(control, 0L, cmsgLen(n));
                CMSG_LEVEL.set(control, 0L, SOL_SOCKET);
                CMSG_TYPE.set(control, 0L, SCM_RIGHTS);
                for (int i = 0; i < fds.length; i++) {
                    control.set(JAVA_INT, CMSGHDR.byteSize() + 4L * i, fds[i]);
                }
                MSG_CONTROL.set(msg, 0L, control);
                MSG_CONTROLLEN.set(msg, 0L, control.byteSize());
            } else {
                MSG_CONTROL.set(msg, 0L, MemorySegment.NULL);
                MSG_CONTROLLEN.set(msg, 0L, 0L);
            }
            long sent;
            do {
                sent = Libc.sendmsg(s.capture(), socket, msg, flags | MSG_NOSIGNAL);
            } while (Eintr.interrupted(s, sent));
            if (sent < 0) {
                throw new PosixException("sendmsg", s.errno(), null);
            }
            if (sent != data.length) {
                throw new PosixException("sendmsg", Errno.EMSGSIZE, null);
            }
        }
    }

    /**
     * What one recvmsg(2) returned.
     *
     * @param data        the message's bytes (at most the size asked for)
     * @param descriptors every descriptor of every SCM_RIGHTS control message, in order (now open in this
     *                    process, close-on-exec: the caller owns them)
     * @param flags       the message flags ({@link #MSG_CTRUNC}: control data was cut, descriptors lost;
     *                    {@link #MSG_TRUNC}: the message was longer than asked for)
     */
    public record Received(byte[] data, int[] descriptors, int flags) {
        public Received {
            data = data.clone();
            descriptors = descriptors.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        @Override
        public int[] descriptors() {
            return descriptors.clone();
        }

        /** Closes every received descriptor (a message the caller does not want). */
        public void closeDescriptors() {
            for (int fd : descriptors) {
                Posix.closeQuietly(fd);
            }
        }

        @Override
        public String toString() {
            return "Received[" + data.length + " bytes, descriptors " + Arrays.toString(descriptors) + ", flags 0x"
                    + Integer.toHexString(flags) + "]";
        }
    }

    /**
     * recvmsg(2) of one message of at most {@code maxData} bytes with room for {@code maxFds} descriptors.
     *
     * @param flags e.g. {@link #MSG_DONTWAIT}; {@link #MSG_CMSG_CLOEXEC} is always added
     * @return the message, or null at end of stream (the peer closed its end: 0 bytes, no descriptors)
     */
    public static Received receive(int socket, int maxData, int maxFds, int flags) throws PosixException {
        if (maxData < 1 || maxFds < 0 || maxFds > MAX_DESCRIPTORS) {
            throw new IllegalArgumentException("recvmsg: " + maxData + " bytes, " + maxFds + " descriptors");
        }
        ThreadScratch s = ThreadScratch.current();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment msg = a.allocate(MSGHDR);
            MemorySegment iov = a.allocate(IOVEC);
            MemorySegment buf = a.allocate(maxData);
            IOV_BASE.set(iov, 0L, buf);
            IOV_LEN.set(iov, 0L, (long) maxData);
            MSG_IOV.set(msg, 0L, iov);
            MSG_IOVLEN.set(msg, 0L, 1L);
            MemorySegment control = maxFds == 0 ? MemorySegment.NULL : a.allocate(cmsgSpace(4L * maxFds), 8);
            MSG_CONTROL.set(msg, 0L, control);
            MSG_CONTROLLEN.set(msg, 0L, control.byteSize());
            long n;
            do {
                n = Libc.recvmsg(s.capture(), socket, msg, flags | MSG_CMSG_CLOEXEC);
            } while (Eintr.interrupted(s, n));
            if (n < 0) {
                throw new PosixException("recvmsg", s.errno(), null);
            }
            int[] fds = descriptors(control, (long) MSG_CONTROLLEN.get(msg, 0L));
            int msgFlags = (int) MSG_FLAGS.get(msg, 0L);
            if (n == 0 && fds.length == 0 && (msgFlags & MSG_CTRUNC) == 0) {
                return null;
            }
            byte[] data = new byte[(int) Math.min(n, maxData)];
            MemorySegment.copy(buf, JAVA_BYTE, 0, data, 0, data.length);
            return new Received(data, fds, msgFlags);
        }
    }

    /** The descriptors of the SCM_RIGHTS messages among the first {@code length} bytes of control data. */
    static int[] descriptors(MemorySegment control, long length) {
        int[] out = new int[0];
        long hdr = CMSGHDR.byteSize();
        long at = 0;
        while (at + hdr <= length) {
            MemorySegment c = control.asSlice(at);
            long len = (long) CMSG_LEN.get(c, 0L);
            if (len < hdr || at + len > length) {
                break; // malformed: the kernel never writes one
            }
            if ((int) CMSG_LEVEL.get(c, 0L) == SOL_SOCKET && (int) CMSG_TYPE.get(c, 0L) == SCM_RIGHTS) {
                int k = (int) ((len - hdr) / 4);
                int[] more = Arrays.copyOf(out, out.length + k);
                for (int i = 0; i < k; i++) {
                    more[out.length + i] = c.get(JAVA_INT, hdr + 4L * i);
                }
                out = more;
            }
            at += cmsgAlign(len);
        }
        return out;
    }

    /** getsockopt(2) of an int option, e.g. ({@link #SOL_SOCKET}, {@link #SO_TYPE}). ENOTSOCK: not a socket. */
    public static int intOption(int socket, int level, int name) throws PosixException {
        ThreadScratch s = ThreadScratch.current();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment value = a.allocate(JAVA_INT);
            MemorySegment len = a.allocate(JAVA_INT);
            len.set(JAVA_INT, 0, 4);
            if (Libc.getsockopt(s.capture(), socket, level, name, value, len) != 0) {
                throw new PosixException("getsockopt", s.errno(), null);
            }
            return value.get(JAVA_INT, 0);
        }
    }
}
