package io.podheitor.hpc.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.ptcomm.FrameWriter;
import io.podheitor.hpc.ptcomm.ProtocolException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The backend's inbound decoding (Inbound reader thread + BackendSession dispatch: Hello, Job and Params
 * blocks, unknown commands, stray SEEN/CHANGED answers, END, T) fed random and mutated shim streams (fixed seed,
 * bounded): every run ends with exit status 0 or a ProtocolException with a message; never a hang or another
 * exception. No start command is in the base stream, so nothing touches the file system.
 */
class InboundFuzzTest {
    private static byte[] base() throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        FrameWriter w = new FrameWriter(bos);
        w.command(BackendSession.HELLO);
        w.command("Job");
        for (String l : new String[] {"Name=j.1", "JobID=7", "Type=B", "Level=I", "Since=1700000000", "Accurate=1"}) {
            w.command(l);
        }
        w.end();
        w.command("Params");
        w.command("path=/nonexistent/fuzz");
        w.command("threads=2");
        w.command("timeout=5");
        w.end();
        w.command("SEEN");
        w.command("CHANGED");
        w.command("bogus command");
        w.command("END");
        w.terminate();
        w.flush();
        return bos.toByteArray();
    }

    private static int session(byte[] wire) throws IOException {
        return new BackendSession(new ByteArrayInputStream(wire), new ByteArrayOutputStream()).run();
    }

    @Test
    void validStreamEndsWithZero() throws IOException {
        assertEquals(0, session(base()));
    }

    @Test
    void mutatedShimStreamsEndCleanly() throws IOException {
        byte[] base = base();
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            Random rnd = new Random(4242);
            int ok = 0, errors = 0;
            for (int i = 0; i < 3_000; i++) {
                byte[] w = base.clone();
                if (i % 5 == 0) {
                    w = new byte[rnd.nextInt(64)];
                    rnd.nextBytes(w);
                } else {
                    for (int m = 1 + rnd.nextInt(3); m > 0; m--) {
                        int v = rnd.nextBoolean() ? rnd.nextInt(256) : "0123456789\nCDFT".charAt(rnd.nextInt(15));
                        w[rnd.nextInt(w.length)] = (byte) v;
                    }
                    if (rnd.nextInt(3) == 0) {
                        w = Arrays.copyOf(w, rnd.nextInt(w.length + 1));
                    }
                }
                try {
                    assertEquals(0, session(w));
                    ok++;
                } catch (ProtocolException e) {
                    assertFalse(e.getMessage() == null || e.getMessage().isBlank());
                    errors++;
                }
            }
            assertTrue(ok > 50 && errors > 100, "ok " + ok + " errors " + errors);
        });
    }
}
