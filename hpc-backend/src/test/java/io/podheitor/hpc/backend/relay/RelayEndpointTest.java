package io.podheitor.hpc.backend.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RelayEndpointTest {
    private static final byte[] TOKEN = new byte[32];

    static {
        new Random(7).nextBytes(TOKEN);
    }

    @TempDir
    Path tmp;

    private final List<String> refused = new CopyOnWriteArrayList<>();

    private RelayEndpoint tcp(boolean lz4) throws IOException {
        return RelayEndpoint.open(null, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), TOKEN, lz4,
                refused::add);
    }

    private Map<String, String> env(RelayEndpoint e, boolean lz4) {
        Map<String, String> env = new HashMap<>();
        env.put(RelayClient.ENDPOINTS, e.describe());
        env.put(RelayClient.TOKEN, HexFormat.of().formatHex(TOKEN));
        env.put(RelayClient.HOST, HostIdentity.current().map(HostIdentity::text).orElse("-"));
        env.put(RelayClient.LZ4, lz4 ? "yes" : "no");
        env.put("SLURM_JOB_ID", "4242");
        return env;
    }

    @Test
    void helloIsStrict() {
        RelayHello h = new RelayHello(TOKEN, "17", "node2", true);
        String line = new String(h.encode(), StandardCharsets.US_ASCII);
        assertTrue(line.endsWith("\n"));
        RelayHello back = RelayHello.parse(line.substring(0, line.length() - 1)).orElseThrow();
        assertArrayEquals(TOKEN, back.token());
        assertEquals("17", back.job());
        assertEquals("node2", back.host());
        assertTrue(back.lz4());
        String hex = HexFormat.of().formatHex(TOKEN);
        for (String bad : List.of("", "PHPC-RELAY 2 token=" + hex + " job=- host=a lz4=no",
                "PHPC-RELAY 1 token=" + hex.substring(2) + " job=- host=a lz4=no",
                "PHPC-RELAY 1 token=" + hex.toUpperCase() + " job=- host=a lz4=no",
                "PHPC-RELAY 1 token=" + hex + " job=x host=a lz4=no",
                "PHPC-RELAY 1 token=" + hex + " job=- host=a b lz4=no",
                "PHPC-RELAY 1 token=" + hex + " job=- host=a lz4=maybe",
                "PHPC-RELAY 1 token=" + hex + " job=- host=a lz4=no extra")) {
            assertTrue(RelayHello.parse(bad).isEmpty(), bad);
        }
        assertEquals(true, RelayHello.parseAnswer("OK lz4=yes").orElseThrow());
        assertTrue(RelayHello.parseAnswer("OK").isEmpty());
    }

    @Test
    void readLineRefusesLongAndBinaryLines() throws IOException {
        assertEquals("abc", RelayHello.readLine(new ByteArrayInputStream("abc\nrest".getBytes())));
        assertNull(RelayHello.readLine(new ByteArrayInputStream("no newline".getBytes())));
        assertThrows(IOException.class, () -> RelayHello.readLine(new ByteArrayInputStream(new byte[300])));
        assertThrows(IOException.class, () -> RelayHello.readLine(new ByteArrayInputStream("a\u0001b\n".getBytes())));
        byte[] longLine = new byte[RelayHello.MAX_LINE + 2];
        java.util.Arrays.fill(longLine, (byte) 'x');
        longLine[longLine.length - 1] = '\n';
        assertThrows(IOException.class, () -> RelayHello.readLine(new ByteArrayInputStream(longLine)));
    }

    @Test
    void wrongTokenIsRefusedAndTheWorkerStillGetsIn() throws Exception {
        try (RelayEndpoint e = tcp(false)) {
            InetSocketAddress a = e.tcpAddress();
            byte[] wrong = TOKEN.clone();
            wrong[31] ^= 1;
            try (Socket intruder = new Socket(a.getAddress(), a.getPort())) {
                intruder.getOutputStream().write(new RelayHello(wrong, "-", "intruder", false).encode());
                intruder.setSoTimeout(5000);
                assertEquals(-1, intruder.getInputStream().read(), "an intruder gets no answer, only the close");
            }
            RelayClient.Connected c = RelayClient.connect(env(e, false), "node7");
            RelayEndpoint.Accepted w = e.poll(5000);
            assertNotNull(w);
            assertEquals("tcp", w.kind());
            assertEquals("node7", w.hello().host());
            assertEquals("4242", w.hello().job());
            assertFalse(w.lz4());
            assertEquals(1, refused.size(), refused.toString());
            assertTrue(refused.getFirst().matches("relay: refused a connection from 127\\.0\\.0\\.1:[0-9]+: wrong token"),
                    refused.getFirst());
            roundTrip(c.out(), w.in(), 3 << 20);
            roundTrip(w.out(), c.in(), 100);
            c.channel().close();
            w.channel().close();
        }
    }

    @Test
    void aSilentConnectionBlocksNoOtherAndIsDroppedAfterTheHelloTimeout() throws Exception {
        try (RelayEndpoint e = tcp(false)) {
            InetSocketAddress a = e.tcpAddress();
            try (Socket silent = new Socket(a.getAddress(), a.getPort());
                 Socket garbage = new Socket(a.getAddress(), a.getPort())) {
                garbage.getOutputStream().write("GET / HTTP/1.0\n".getBytes());
                long t0 = System.nanoTime();
                RelayClient.connect(env(e, false), "worker");
                assertNotNull(e.poll(5000));
                assertTrue(System.nanoTime() - t0 < 3_000_000_000L, "the worker waited for the silent peer");
                silent.setSoTimeout((int) RelayEndpoint.HELLO_TIMEOUT_MS + 5000);
                assertEquals(-1, silent.getInputStream().read(), "the silent connection was not closed");
            }
            assertTrue(refused.stream().anyMatch(r -> r.endsWith(": not a relay hello")), refused.toString());
            // the timer closes the silent connection; its check thread reports it right after
            long until = System.nanoTime() + 5_000_000_000L;
            while (refused.stream().noneMatch(r -> r.endsWith(": no hello within 10 s")) && System.nanoTime() < until) {
                Thread.sleep(10);
            }
            assertTrue(refused.stream().anyMatch(r -> r.endsWith(": no hello within 10 s")), refused.toString());
        }
    }

    @Test
    void onlyOneWorkerIsTaken() throws Exception {
        try (RelayEndpoint e = tcp(false)) {
            RelayClient.connect(env(e, false), "first");
            assertNotNull(e.poll(5000));
            RelayClient.RelayUnavailable u = assertThrows(RelayClient.RelayUnavailable.class,
                    () -> RelayClient.connect(env(e, false), "second"));
            assertTrue(u.getMessage().contains("refused"), u.getMessage());
            assertTrue(refused.stream().anyMatch(r -> r.endsWith("a worker is already connected")), refused.toString());
        }
    }

    @Test
    void lz4IsNegotiatedOnTcpAndSmallFlushesArriveAtOnce() throws Exception {
        try (RelayEndpoint e = tcp(true)) {
            RelayClient.Connected c = RelayClient.connect(env(e, true), "w");
            RelayEndpoint.Accepted w = e.poll(5000);
            assertTrue(w.lz4());
            assertTrue(c.description().contains("lz4"), c.description());
            InputStream fromWorker = RelayStreams.input(w.in(), true);
            OutputStream toWorker = RelayStreams.output(w.out(), true);
            roundTrip(c.out(), fromWorker, 5 << 20);
            roundTrip(toWorker, c.in(), 10); // a CHECK answer's size: must not wait for a full block
            // the submitter ends its direction (after T): the worker sees the end, the other direction still flows
            RelayStreams.finish(toWorker);
            w.channel().shutdownOutput();
            assertEquals(-1, c.in().read());
            roundTrip(c.out(), fromWorker, 1 << 20);
            c.channel().close();
            w.channel().close();
        }
    }

    @Test
    void theWorkersEndReadsWhatIsLeftSoTheSubmitterSeesAnEndNotAReset() throws Exception {
        for (boolean end : new boolean[] {false, true}) {
            try (RelayEndpoint e = tcp(true)) {
                RelayClient.Connected c = RelayClient.connect(env(e, true), "w");
                RelayEndpoint.Accepted w = e.poll(5000);
                InputStream fromWorker = RelayStreams.input(w.in(), true);
                OutputStream toWorker = RelayStreams.output(w.out(), true);
                roundTrip(toWorker, c.in(), 1000); // T, say: the worker has read it and ends its session
                roundTrip(c.out(), fromWorker, 1000);
                RelayStreams.finish(toWorker); // what the submitter sends after T: the LZ4 end mark, then its FIN
                w.channel().shutdownOutput();
                Thread.sleep(300); // ... which reaches the worker before it exits
                if (end) {
                    c.end(5000);
                    assertEquals(-1, fromWorker.read(), "the submitter sees the end of the worker's stream");
                } else {
                    // what the worker did before: exit with the end mark unread, and the kernel resets the connection
                    c.channel().close();
                    IOException reset = assertThrows(IOException.class, fromWorker::read);
                    assertTrue(String.valueOf(reset.getMessage()).contains("reset"), reset.toString());
                }
                assertFalse(c.channel().isOpen());
                w.channel().close();
            }
        }
        // a submitter that never ends its side: the worker stops waiting after the timeout
        try (RelayEndpoint e = tcp(true)) {
            RelayClient.Connected c = RelayClient.connect(env(e, true), "w");
            RelayEndpoint.Accepted w = e.poll(5000);
            long t0 = System.nanoTime();
            c.end(300);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(ms >= 250 && ms < 5000, ms + " ms");
            assertFalse(c.channel().isOpen());
            w.channel().close();
        }
    }

    @Test
    void unixSocketChecksThePeersUidAndItsDirectoryIsPrivate() throws Exception {
        try (RelayEndpoint e = RelayEndpoint.open(tmp, null, TOKEN, true, refused::add)) {
            Path dir = e.socketPath().getParent();
            assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.OWNER_EXECUTE), Files.getPosixFilePermissions(dir));
            RelayClient.Connected c = RelayClient.connect(env(e, true), "here");
            RelayEndpoint.Accepted w = e.poll(5000);
            assertNotNull(w, refused.toString());
            assertEquals("unix", w.kind());
            assertFalse(w.lz4(), "AF_UNIX is never compressed");
            assertTrue(c.description().startsWith("unix"), c.description());
            roundTrip(c.out(), w.in(), 1 << 20);
            c.channel().close();
            w.channel().close();
            e.close();
            assertFalse(Files.exists(dir), "the socket directory stays after close");
        }
    }

    @Test
    void aWorkerOnAnotherHostUsesTcpAndAnUnreachableSocketFallsBackToIt() throws Exception {
        try (RelayEndpoint e = RelayEndpoint.open(tmp, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                TOKEN, false, refused::add)) {
            Map<String, String> other = env(e, false);
            other.put(RelayClient.HOST, "0123-another-boot/net:[1]");
            RelayClient.Connected c = RelayClient.connect(other, "far");
            assertEquals("tcp", c.description());
            assertEquals("tcp", e.poll(5000).kind());
        }
        try (RelayEndpoint e = RelayEndpoint.open(tmp, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                TOKEN, false, refused::add)) {
            Map<String, String> env = env(e, false);
            // the same host, but the socket is not where the worker looks (another mount namespace, a private /tmp)
            env.put(RelayClient.ENDPOINTS, e.describe().replace(e.socketPath().toString(), tmp.resolve("gone/s").toString()));
            RelayClient.Connected c = RelayClient.connect(env, "here");
            assertTrue(c.description().startsWith("tcp (the socket was not reachable"), c.description());
            assertNotNull(e.poll(5000));
        }
    }

    @Test
    void aWorkerWithoutTheEnvironmentSaysSo() {
        RelayClient.RelayUnavailable u = assertThrows(RelayClient.RelayUnavailable.class,
                () -> RelayClient.connect(Map.of(), "x"));
        assertTrue(u.getMessage().contains(RelayClient.ENDPOINTS), u.getMessage());
    }

    private static void roundTrip(OutputStream out, InputStream in, int n) throws Exception {
        byte[] data = new byte[n];
        new Random(n).nextBytes(data);
        for (int i = 0; i < n; i += 7) {
            data[i] = 'x'; // a little redundancy for LZ4
        }
        Thread writer = Thread.ofPlatform().start(() -> {
            try {
                out.write(data);
                out.flush();
            } catch (IOException ex) {
                throw new java.io.UncheckedIOException(ex);
            }
        });
        byte[] got = in.readNBytes(n);
        writer.join(10_000);
        assertArrayEquals(data, got);
    }
}
