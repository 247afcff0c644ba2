package io.podheitor.hpc.backend.relay;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * The submitter's listening end of the relay (docs/slurm.md §4.3): an AF_UNIX socket in a fresh 0700 directory
 * and/or a TCP socket. Accepts only the worker it launched: a connection must send a {@link RelayHello} with the
 * one-time token within {@link #HELLO_TIMEOUT_MS}; on AF_UNIX the peer's uid must also be this process's
 * (SO_PEERCRED). Any other connection is closed, reported to {@code onRefused}, and the endpoint keeps accepting, so
 * the real worker still gets in. Connections are checked concurrently: one that says nothing blocks no other.
 */
public final class RelayEndpoint implements Closeable {
    public static final long HELLO_TIMEOUT_MS = 10_000;
    private static final int WAITING = 0;
    private static final int IN_TIME = 1;
    private static final int TIMED_OUT = 2;

    /** A worker that passed the checks. */
    public record Accepted(SocketChannel channel, InputStream in, OutputStream out, String kind, String peer,
                           RelayHello hello, boolean lz4) {
    }

    private final byte[] token;
    private final boolean lz4Wanted;
    private final Consumer<String> onRefused;
    private final List<ServerSocketChannel> servers = new ArrayList<>();
    private final List<Thread> acceptors = new ArrayList<>();
    private final BlockingQueue<Accepted> accepted = new LinkedBlockingQueue<>();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "podheitor-relay-timer");
        t.setDaemon(true);
        return t;
    });
    private Path socketDir;
    private Path socketPath;
    private InetSocketAddress tcpAddress;
    private UserPrincipal owner;
    private volatile boolean taken;
    private volatile boolean closed;

    private RelayEndpoint(byte[] token, boolean lz4Wanted, Consumer<String> onRefused) {
        this.token = token.clone();
        this.lz4Wanted = lz4Wanted;
        this.onRefused = Objects.requireNonNull(onRefused);
    }

    /**
     * Opens the endpoints asked for.
     *
     * @param unixParent where the 0700 directory of the AF_UNIX socket is made, or null for none
     * @param tcpBind    the TCP address to listen on, or null for none
     * @param lz4Wanted  TCP connections are compressed when the worker can
     */
    public static RelayEndpoint open(Path unixParent, InetSocketAddress tcpBind, byte[] token, boolean lz4Wanted,
                                     Consumer<String> onRefused) throws IOException {
        if (unixParent == null && tcpBind == null) {
            throw new IllegalArgumentException("no endpoint");
        }
        RelayEndpoint e = new RelayEndpoint(token, lz4Wanted, onRefused);
        try {
            if (unixParent != null) {
                e.socketDir = Files.createTempDirectory(unixParent, "podheitor-relay-",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                e.owner = Files.getOwner(e.socketDir);
                e.socketPath = e.socketDir.resolve("s");
                ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                e.servers.add(s);
                s.bind(UnixDomainSocketAddress.of(e.socketPath), 4);
                e.start(s, "unix");
            }
            if (tcpBind != null) {
                ServerSocketChannel s = ServerSocketChannel.open();
                e.servers.add(s);
                s.bind(tcpBind, 16);
                e.tcpAddress = (InetSocketAddress) s.getLocalAddress();
                e.start(s, "tcp");
            }
        } catch (IOException | RuntimeException ex) {
            e.close();
            throw ex;
        }
        return e;
    }

    /** The endpoints as the worker's environment names them: {@code unix:PATH} and/or {@code tcp:ADDRESS:PORT}. */
    public String describe() {
        List<String> parts = new ArrayList<>();
        if (socketPath != null) {
            parts.add("unix:" + socketPath);
        }
        if (tcpAddress != null) {
            parts.add("tcp:" + tcpAddress.getAddress().getHostAddress() + ":" + tcpAddress.getPort());
        }
        return String.join(" ", parts);
    }

    /** The TCP address listened on, or null. */
    public InetSocketAddress tcpAddress() {
        return tcpAddress;
    }

    /** The AF_UNIX socket's path, or null. */
    public Path socketPath() {
        return socketPath;
    }

    /** The first worker that passed, waiting at most MILLIS; null if none yet. */
    public Accepted poll(long millis) throws InterruptedException {
        return accepted.poll(millis, TimeUnit.MILLISECONDS);
    }

    private void start(ServerSocketChannel server, String kind) {
        Thread t = Thread.ofPlatform().daemon().name("podheitor-relay-accept-" + kind).start(() -> {
            while (!closed) {
                SocketChannel ch;
                try {
                    ch = server.accept();
                } catch (IOException e) {
                    if (!closed) {
                        onRefused.accept("relay endpoint " + kind + " stopped accepting: " + e.getMessage());
                    }
                    return;
                }
                Thread.ofVirtual().name("podheitor-relay-check").start(() -> check(ch, kind));
            }
        });
        acceptors.add(t);
    }

    private void check(SocketChannel ch, String kind) {
        String peer = peerOf(ch, kind);
        // the timer and the hello race for STATE (WAITING -> IN_TIME or TIMED_OUT): the first to move it decides (a
        // close by the timer wakes the reader before the timer's task has returned, so its future cannot tell)
        AtomicInteger state = new AtomicInteger(WAITING);
        var deadline = timer.schedule(() -> {
            if (state.compareAndSet(WAITING, TIMED_OUT)) {
                quietClose(ch);
            }
        }, HELLO_TIMEOUT_MS, TimeUnit.MILLISECONDS);
        try {
            if (kind.equals("unix")) {
                UnixDomainPrincipal p = ch.getOption(ExtendedSocketOptions.SO_PEERCRED);
                if (!p.user().equals(owner)) {
                    refuse(ch, peer, "peer runs as " + p.user().getName() + ", not " + owner.getName());
                    return;
                }
            }
            InputStream in = Channels.newInputStream(ch);
            String line = RelayHello.readLine(in);
            deadline.cancel(false);
            if (!state.compareAndSet(WAITING, IN_TIME)) {
                refuse(ch, peer, "no hello within " + HELLO_TIMEOUT_MS / 1000 + " s");
                return;
            }
            if (line == null) {
                refuse(ch, peer, "closed before its hello");
                return;
            }
            var hello = RelayHello.parse(line);
            if (hello.isEmpty()) {
                refuse(ch, peer, "not a relay hello");
                return;
            }
            if (!MessageDigest.isEqual(hello.get().token(), token)) {
                refuse(ch, peer, "wrong token");
                return;
            }
            synchronized (this) {
                if (taken || closed) {
                    refuse(ch, peer, "a worker is already connected");
                    return;
                }
                taken = true;
            }
            boolean lz4 = kind.equals("tcp") && lz4Wanted && hello.get().lz4();
            OutputStream out = Channels.newOutputStream(ch);
            out.write(RelayHello.answer(lz4));
            out.flush();
            accepted.add(new Accepted(ch, in, out, kind, peer, hello.get(), lz4));
        } catch (IOException | RuntimeException e) {
            deadline.cancel(false);
            boolean timedOut = !state.compareAndSet(WAITING, IN_TIME) && state.get() == TIMED_OUT;
            refuse(ch, peer, timedOut ? "no hello within " + HELLO_TIMEOUT_MS / 1000 + " s"
                    : e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private void refuse(SocketChannel ch, String peer, String why) {
        // reported before the close, so whoever sees the close finds the report (the tests do)
        if (!closed) {
            onRefused.accept("relay: refused a connection from " + peer + ": " + why);
        }
        quietClose(ch);
    }

    private static String peerOf(SocketChannel ch, String kind) {
        if (kind.equals("unix")) {
            return "the AF_UNIX socket";
        }
        try {
            InetSocketAddress a = (InetSocketAddress) ch.getRemoteAddress();
            return a.getAddress().getHostAddress() + ":" + a.getPort();
        } catch (IOException | RuntimeException e) {
            return "an unknown TCP peer";
        }
    }

    private static void quietClose(Closeable c) {
        try {
            c.close();
        } catch (IOException ignored) {
            // closing is all that is left to do
        }
    }

    /** Stops listening and removes the socket and its directory; an accepted worker's channel stays open. */
    @Override
    public void close() {
        closed = true;
        for (ServerSocketChannel s : servers) {
            quietClose(s);
        }
        timer.shutdownNow();
        if (socketDir != null) {
            try {
                Files.deleteIfExists(socketPath);
                Files.deleteIfExists(socketDir);
            } catch (IOException ignored) {
                // a leftover empty 0700 directory in the temporary directory
            }
        }
    }

    /** The address of this host's name, the default of relay_bind. */
    public static InetAddress defaultBindAddress() throws IOException {
        return InetAddress.getLocalHost();
    }
}
