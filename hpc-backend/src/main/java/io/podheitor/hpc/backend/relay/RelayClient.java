package io.podheitor.hpc.backend.relay;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * The worker's end of the relay (docs/slurm.md §4.3): from the variables the submitter put into the job's
 * environment, picks the endpoint (the AF_UNIX socket when this process is on the submitter's host, by
 * {@link HostIdentity}; TCP otherwise), connects, sends the hello and reads the answer.
 */
public final class RelayClient {
    public static final String ENDPOINTS = "PHPC_RELAY_ENDPOINTS";
    public static final String TOKEN = "PHPC_RELAY_TOKEN";
    public static final String HOST = "PHPC_RELAY_HOST";
    public static final String LZ4 = "PHPC_RELAY_LZ4";

    /** The connection the worker's session runs on. */
    public record Connected(SocketChannel channel, InputStream in, OutputStream out, String description) {
        /**
         * Ends the worker's side after its session: its last LZ4 block and end mark, its FIN, then whatever the
         * submitter still sends (its own LZ4 end mark after T) is read and dropped until the submitter's FIN, at
         * most {@code timeoutMillis} (then it stops waiting, without an error); then the channel is closed. A socket closed with bytes unread sends a reset
         * instead of a FIN, and the submitter, still waiting for the end of the worker's stream, would take the
         * reset for a lost worker (seen in bench-relay: "worker lost ... COMPLETED (Connection reset)").
         */
        public void end(long timeoutMillis) throws IOException {
            Thread guard = null;
            try {
                RelayStreams.finish(out);
                channel.shutdownOutput();
                guard = Thread.ofVirtual().name("podheitor-relay-end").start(() -> {
                    try {
                        Thread.sleep(timeoutMillis);
                        channel.close(); // the submitter did not end: stop waiting
                    } catch (InterruptedException | IOException e) {
                        // ended in time, or closing is all there was to do
                    }
                });
                ByteBuffer sink = ByteBuffer.allocate(8192);
                while (channel.read(sink) >= 0) {
                    sink.clear();
                }
            } catch (AsynchronousCloseException timedOut) {
                // the guard closed the channel: the submitter did not end its side in time
            } finally {
                if (guard != null) {
                    guard.interrupt();
                }
                channel.close();
            }
        }
    }

    private RelayClient() {
    }

    /** Why the worker cannot connect; its message goes to the worker's output file. */
    public static final class RelayUnavailable extends IOException {
        public RelayUnavailable(String message) {
            super(message);
        }
    }

    /**
     * Connects as the environment says.
     *
     * @param env      the process environment
     * @param hostName this host's name (for the hello)
     */
    public static Connected connect(Map<String, String> env, String hostName) throws IOException {
        String endpoints = env.get(ENDPOINTS);
        String tokenHex = env.get(TOKEN);
        if (endpoints == null || tokenHex == null) {
            throw new RelayUnavailable("not started by a submitter: " + ENDPOINTS + " or " + TOKEN + " is not set");
        }
        byte[] token;
        try {
            token = HexFormat.of().parseHex(tokenHex);
        } catch (IllegalArgumentException e) {
            throw new RelayUnavailable(TOKEN + " is not hexadecimal");
        }
        String unix = null;
        String tcp = null;
        for (String e : endpoints.trim().split(" +")) {
            if (e.startsWith("unix:")) {
                unix = e.substring(5);
            } else if (e.startsWith("tcp:")) {
                tcp = e.substring(4);
            } else {
                throw new RelayUnavailable("unknown relay endpoint \"" + e + "\"");
            }
        }
        Optional<HostIdentity> here = HostIdentity.current();
        Optional<HostIdentity> submitter = HostIdentity.parse(env.get(HOST));
        boolean sameHost = here.isPresent() && here.equals(submitter);
        SocketChannel ch = null;
        String how = null;
        String unixFailure = null;
        if (unix != null && (sameHost || tcp == null)) {
            SocketChannel u = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                u.connect(UnixDomainSocketAddress.of(Path.of(unix)));
                ch = u;
                how = "unix";
            } catch (IOException | RuntimeException e) {
                u.close();
                unixFailure = "cannot connect to the relay socket " + unix + (sameHost ? ""
                        : " (relay=unix, and this worker is not on the submitter's host)") + ": " + e.getMessage();
                if (tcp == null) {
                    throw new RelayUnavailable(unixFailure);
                }
            }
        }
        if (ch != null) {
            // connected over AF_UNIX
        } else if (tcp != null) {
            int colon = tcp.lastIndexOf(':');
            InetSocketAddress a;
            try {
                a = new InetSocketAddress(tcp.substring(0, colon), Integer.parseInt(tcp.substring(colon + 1)));
            } catch (RuntimeException e) {
                throw new RelayUnavailable("bad TCP relay endpoint \"" + tcp + "\"");
            }
            ch = SocketChannel.open();
            try {
                ch.connect(a);
            } catch (IOException e) {
                ch.close();
                throw new RelayUnavailable("cannot connect to the relay at " + tcp + ": " + e.getMessage()
                        + (unixFailure == null ? "" : "; " + unixFailure));
            }
            how = unixFailure == null ? "tcp" : "tcp (the socket was not reachable from here)";
        } else {
            throw new RelayUnavailable("no relay endpoint usable from this host (" + endpoints + ")");
        }
        boolean wantLz4 = how.startsWith("tcp") && "yes".equals(env.get(LZ4));
        String job = env.getOrDefault("SLURM_JOB_ID", "-");
        if (!job.matches("[0-9]{1,19}")) {
            job = "-";
        }
        String host = hostName.replaceAll("[^A-Za-z0-9._-]", "_");
        host = host.isEmpty() ? "unknown" : host.substring(0, Math.min(64, host.length()));
        InputStream in = Channels.newInputStream(ch);
        OutputStream out = Channels.newOutputStream(ch);
        out.write(new RelayHello(token, job, host, wantLz4).encode());
        out.flush();
        String answer = RelayHello.readLine(in);
        Optional<Boolean> lz4 = answer == null ? Optional.empty() : RelayHello.parseAnswer(answer);
        if (lz4.isEmpty()) {
            ch.close();
            throw new RelayUnavailable("the submitter refused this worker (" + how + ")");
        }
        return new Connected(ch, RelayStreams.input(in, lz4.get()), RelayStreams.output(out, lz4.get()),
                how + (lz4.get() ? ", lz4: " + Lz4Codec.get().description() : ""));
    }
}
