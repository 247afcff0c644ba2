package io.podheitor.hpc.posix;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** socketpair, SCM_RIGHTS descriptor passing and getsockopt through real sockets. */
class UnixSocketsTest {
    @TempDir
    Path tmp;

    private int[] pair;

    @BeforeEach
    void open() throws PosixException {
        pair = UnixSockets.socketpair(UnixSockets.AF_UNIX, UnixSockets.SOCK_SEQPACKET | UnixSockets.SOCK_CLOEXEC);
    }

    @AfterEach
    void close() {
        Posix.closeQuietly(pair[0]);
        Posix.closeQuietly(pair[1]);
    }

    private int openFile(String name, byte[] content) throws Exception {
        Path f = tmp.resolve(name);
        Files.write(f, content);
        return Posix.openForReading(Fcntl.AT_FDCWD, f.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] readAll(int fd) throws PosixException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        for (int n; (n = Posix.read(fd, buf, 0, buf.length)) > 0; ) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    @Test
    void theStructLayoutsAreTheKernels() {
        assertEquals(56, UnixSockets.MSGHDR.byteSize());
        assertEquals(0, UnixSockets.MSGHDR.byteOffset(groupElement("msg_name")));
        assertEquals(8, UnixSockets.MSGHDR.byteOffset(groupElement("msg_namelen")));
        assertEquals(16, UnixSockets.MSGHDR.byteOffset(groupElement("msg_iov")));
        assertEquals(24, UnixSockets.MSGHDR.byteOffset(groupElement("msg_iovlen")));
        assertEquals(32, UnixSockets.MSGHDR.byteOffset(groupElement("msg_control")));
        assertEquals(40, UnixSockets.MSGHDR.byteOffset(groupElement("msg_controllen")));
        assertEquals(48, UnixSockets.MSGHDR.byteOffset(groupElement("msg_flags")));
        assertEquals(16, UnixSockets.IOVEC.byteSize());
        assertEquals(16, UnixSockets.CMSGHDR.byteSize());
        assertEquals(8, UnixSockets.CMSGHDR.byteOffset(groupElement("cmsg_level")));
        assertEquals(12, UnixSockets.CMSGHDR.byteOffset(groupElement("cmsg_type")));
        // CMSG_LEN / CMSG_SPACE of glibc's <sys/socket.h> for one and three ints
        assertEquals(20, UnixSockets.cmsgLen(4));
        assertEquals(24, UnixSockets.cmsgSpace(4));
        assertEquals(28, UnixSockets.cmsgLen(12));
        assertEquals(32, UnixSockets.cmsgSpace(12));
    }

    @Test
    void aDescriptorSentIsAnotherDescriptorOfTheSameOpenFile() throws Exception {
        byte[] content = "the bytes of the handed-off file\n".repeat(300).getBytes(StandardCharsets.US_ASCII);
        int fd = openFile("f", content);
        byte[] tag = {0, 0, 0, 0, 0, 0, 0, 42};
        UnixSockets.sendDescriptors(pair[1], tag, new int[] {fd}, 0);
        Posix.close(fd); // the sender closes its copy right after sendmsg; the message holds the file
        UnixSockets.Received r = UnixSockets.receive(pair[0], 64, 1, 0);
        assertArrayEquals(tag, r.data());
        assertEquals(1, r.descriptors().length, r.toString());
        assertEquals(0, r.flags() & (UnixSockets.MSG_CTRUNC | UnixSockets.MSG_TRUNC));
        int got = r.descriptors()[0];
        try {
            assertTrue(got >= 0);
            assertArrayEquals(content, readAll(got));
            assertTrue(Posix.fstat(got).isRegular());
        } finally {
            Posix.close(got);
        }
    }

    @Test
    void messagesKeepTheirBoundariesAndOrder() throws Exception {
        int a = openFile("a", new byte[] {'a'});
        int b = openFile("b", new byte[] {'b', 'b'});
        UnixSockets.sendDescriptors(pair[1], new byte[] {1}, new int[] {a}, 0);
        UnixSockets.sendDescriptors(pair[1], new byte[] {2, 2}, new int[] {b, a}, 0);
        Posix.close(a);
        Posix.close(b);
        UnixSockets.Received first = UnixSockets.receive(pair[0], 64, 4, 0);
        UnixSockets.Received second = UnixSockets.receive(pair[0], 64, 4, 0);
        assertArrayEquals(new byte[] {1}, first.data());
        assertArrayEquals(new byte[] {2, 2}, second.data());
        assertEquals(1, first.descriptors().length);
        assertEquals(2, second.descriptors().length);
        assertArrayEquals(new byte[] {'a'}, readAll(first.descriptors()[0]));
        assertArrayEquals(new byte[] {'b', 'b'}, readAll(second.descriptors()[0]));
        assertArrayEquals(new byte[0], readAll(second.descriptors()[1]), "a's offset is shared: read to the end");
        assertNotEquals(second.descriptors()[0], second.descriptors()[1]);
        first.closeDescriptors();
        second.closeDescriptors();
    }

    @Test
    void tooLittleRoomForTheDescriptorsIsMsgCtrunc() throws Exception {
        int fd = openFile("f", new byte[] {'x'});
        UnixSockets.sendDescriptors(pair[1], new byte[] {7}, new int[] {fd}, 0);
        Posix.close(fd);
        UnixSockets.Received r = UnixSockets.receive(pair[0], 64, 0, 0);
        assertArrayEquals(new byte[] {7}, r.data());
        assertEquals(0, r.descriptors().length);
        assertEquals(UnixSockets.MSG_CTRUNC, r.flags() & UnixSockets.MSG_CTRUNC);
    }

    @Test
    void aMessageWithoutDescriptorsAndALongerOne() throws Exception {
        UnixSockets.sendDescriptors(pair[1], new byte[] {1, 2, 3, 4}, new int[0], 0);
        UnixSockets.Received r = UnixSockets.receive(pair[0], 2, 1, 0);
        assertArrayEquals(new byte[] {1, 2}, r.data());
        assertEquals(0, r.descriptors().length);
        assertEquals(UnixSockets.MSG_TRUNC, r.flags() & UnixSockets.MSG_TRUNC);
    }

    @Test
    void errnoCases() throws Exception {
        // nothing queued: EAGAIN with MSG_DONTWAIT
        PosixException e = assertThrows(PosixException.class,
                () -> UnixSockets.receive(pair[0], 8, 1, UnixSockets.MSG_DONTWAIT));
        assertEquals(Errno.EAGAIN, e.errno());
        // a descriptor that is not open: EBADF
        e = assertThrows(PosixException.class,
                () -> UnixSockets.sendDescriptors(pair[1], new byte[] {1}, new int[] {1_000_000}, 0));
        assertEquals(Errno.EBADF, e.errno());
        // not a socket: ENOTSOCK
        int f = openFile("f", new byte[] {'x'});
        try {
            e = assertThrows(PosixException.class, () -> UnixSockets.sendDescriptors(f, new byte[] {1}, new int[0], 0));
            assertEquals(Errno.ENOTSOCK, e.errno());
            e = assertThrows(PosixException.class,
                    () -> UnixSockets.intOption(f, UnixSockets.SOL_SOCKET, UnixSockets.SO_TYPE));
            assertEquals(Errno.ENOTSOCK, e.errno());
        } finally {
            Posix.close(f);
        }
        // the peer is gone: EPIPE (no SIGPIPE: MSG_NOSIGNAL), and the survivor reads end of stream
        Posix.close(pair[0]);
        e = assertThrows(PosixException.class, () -> UnixSockets.sendDescriptors(pair[1], new byte[] {1}, new int[0], 0));
        assertEquals(Errno.EPIPE, e.errno());
        pair[0] = -1;
        int[] other = UnixSockets.socketpair(UnixSockets.AF_UNIX, UnixSockets.SOCK_SEQPACKET | UnixSockets.SOCK_CLOEXEC);
        Posix.close(other[1]);
        try {
            assertNull(UnixSockets.receive(other[0], 8, 1, 0));
        } finally {
            Posix.close(other[0]);
        }
        // bad arguments never reach the kernel
        assertThrows(IllegalArgumentException.class,
                () -> UnixSockets.sendDescriptors(pair[1], new byte[0], new int[0], 0));
        e = assertThrows(PosixException.class,
                () -> UnixSockets.socketpair(UnixSockets.AF_UNIX, 12345));
        assertEquals(Errno.EINVAL, e.errno());
    }

    @Test
    void socketOptionsNameTheTypeAndDomain() throws Exception {
        assertEquals(UnixSockets.SOCK_SEQPACKET, UnixSockets.intOption(pair[0], UnixSockets.SOL_SOCKET, UnixSockets.SO_TYPE));
        assertEquals(UnixSockets.AF_UNIX, UnixSockets.intOption(pair[0], UnixSockets.SOL_SOCKET, UnixSockets.SO_DOMAIN));
        int[] stream = UnixSockets.socketpair(UnixSockets.AF_UNIX, UnixSockets.SOCK_STREAM | UnixSockets.SOCK_CLOEXEC);
        try {
            assertEquals(UnixSockets.SOCK_STREAM, UnixSockets.intOption(stream[0], UnixSockets.SOL_SOCKET, UnixSockets.SO_TYPE));
        } finally {
            Posix.close(stream[0]);
            Posix.close(stream[1]);
        }
    }
}
