package io.podheitor.hpc.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.podheitor.hpc.posix.Fcntl;
import io.podheitor.hpc.posix.FileMode;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.ptcomm.FileRecord;
import io.podheitor.hpc.ptcomm.FileType;
import io.podheitor.hpc.ptcomm.Frame;
import io.podheitor.hpc.ptcomm.FrameWriter;
import io.podheitor.hpc.walker.Walk;
import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend as its own process (java ... BackendMain, as the launcher starts it), driven over stdin/stdout:
 * under the C locale (names must not depend on sun.jnu.encoding) and without the DAC capabilities (root squash:
 * real EACCES for root).
 */
@Timeout(180)
class BackendProcessTest {
    static final int OTHER_UID = 54321;
    /** Not UTF-8, and bytes the C locale's ASCII cannot represent. */
    static final byte[] BAD = {'n', (byte) 0xff, 'a', (byte) 0xe9, '\n', (byte) 0x80, 'e'};

    @TempDir
    Path tmp;
    byte[] root;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] cat(byte[]... parts) {
        ByteBuffer out = ByteBuffer.allocate(Arrays.stream(parts).mapToInt(p -> p.length).sum());
        for (byte[] p : parts) {
            out.put(p);
        }
        return out.array();
    }

    @BeforeEach
    void makeRoot() throws IOException {
        root = cat(b(tmp.toString()), b("/src"));
        Posix.mkdirat(Fcntl.AT_FDCWD, root, 0755);
    }

    private void write(byte[] path, String content, int mode) throws IOException {
        int fd = Posix.open(path, Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_TRUNC | Fcntl.O_CLOEXEC, mode);
        try {
            byte[] d = b(content);
            Posix.write(fd, d, 0, d.length);
        } finally {
            Posix.close(fd);
        }
        Posix.fchmodat(Fcntl.AT_FDCWD, path, mode, 0);
    }

    /** java + the classes of the backend and its modules, as the launcher runs them. */
    static List<String> javaCommand() {
        String java = ProcessHandle.current().info().command().orElse(System.getProperty("java.home") + "/bin/java");
        String cp = Stream.of(BackendMain.class, FileRecord.class, Posix.class, io.podheitor.hpc.source.EntrySource.class,
                        Walk.class, io.podheitor.hpc.shard.ShardSpec.class,
                        io.podheitor.hpc.lustre.Lustre.class, io.podheitor.hpc.changelog.lustre.LustreChangeRun.class,
                        io.podheitor.hpc.stripe.StripeReaders.class,
                        net.openhft.hashing.LongHashFunction.class)
                // no Jackson: the backend's key table is compiled in (BundledKeys), so it runs without a TOML parser
                .map(BackendProcessTest::codeSource).distinct().collect(Collectors.joining(File.pathSeparator));
        // as bin/podheitor-hpc-backend on JDK 23+: zero-allocation-hashing reads arrays through sun.misc.Unsafe
        return List.of(java, "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow", "-Xmx128m", "-cp", cp,
                BackendMain.class.getName());
    }

    private static String codeSource(Class<?> c) {
        try {
            return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The C locale and nothing else from the environment. */
    static Map<String, String> cLocale() {
        Map<String, String> env = new HashMap<>();
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        env.put("LANG", "C");
        env.put("LC_ALL", "C");
        return env;
    }

    private static String sunJnuEncoding(Map<String, String> env) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(javaCommand().getFirst(), "-XshowSettings:properties", "-version"));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        p.waitFor();
        for (String l : out.split("\n")) {
            if (l.strip().startsWith("sun.jnu.encoding =")) {
                return l.substring(l.indexOf('=') + 1).strip();
            }
        }
        return "(not shown: " + out + ")";
    }

    private static ShimSide start(List<String> prefix, Map<String, String> env, List<String> job, byte[] path)
            throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(javaCommand());
        ShimSide shim = ShimSide.process(cmd, env);
        Frame answer = shim.handshake(job, List.of(cat(b("path="), path), b("threads=4")));
        assertEquals('F', answer.status(), answer.toString());
        return shim;
    }

    private static Set<ByteBuffer> names(List<ShimSide.Received> records) {
        return records.stream().map(r -> ByteBuffer.wrap(r.record().name())).collect(Collectors.toSet());
    }

    @Test
    void namesAreBytesUnderTheCLocale() throws Exception {
        Map<String, String> env = cLocale();
        // the premise: under LC_ALL=C this JVM would decode file names as ASCII
        assertEquals("ANSI_X3.4-1968", sunJnuEncoding(env));

        byte[] dir = cat(root, b("/d-"), BAD);
        Posix.mkdirat(Fcntl.AT_FDCWD, dir, 0750);
        byte[] file = cat(dir, b("/f-"), BAD);
        write(file, "content of a badly named file\n", 0640);
        byte[] link = cat(root, b("/l-"), BAD);
        Posix.symlinkat(cat(b("d-"), BAD, b("/f-"), BAD), Fcntl.AT_FDCWD, link);
        byte[] fifo = cat(root, b("/p-"), BAD);
        Posix.mknodat(Fcntl.AT_FDCWD, fifo, FileMode.S_IFIFO | 0600, 0);
        Set<ByteBuffer> want = Set.of(ByteBuffer.wrap(cat(root, b("/"))), ByteBuffer.wrap(cat(dir, b("/"))),
                ByteBuffer.wrap(file), ByteBuffer.wrap(link), ByteBuffer.wrap(fifo));

        ShimSide.Stream s;
        try (ShimSide shim = start(List.of(), env, List.of("Type=B", "Level=F", "Accurate=0"), root)) {
            shim.command("BackupStart");
            shim.expect('F');
            s = shim.readStream();
            shim.finish();
            assertEquals(List.of(), shim.stderr);
        }
        assertEquals(List.of(), s.messages());
        assertEquals(want, names(s.records()));
        for (ShimSide.Received r : s.records()) {
            if (r.record().type() == FileType.SYMLINK) {
                assertArrayEquals(cat(b("d-"), BAD, b("/f-"), BAD), r.record().link());
            }
        }

        // restore of that stream below dst, by the C-locale backend too
        byte[] where = cat(b(tmp.toString()), b("/dst"));
        try (ShimSide shim = start(List.of(), env, List.of("Type=R", "Replace=a"), where)) {
            shim.command("RestoreStart");
            shim.expect('F');
            for (ShimSide.Received r : s.records()) {
                FileRecord in = r.record();
                shim.command(new FileRecord(in.type(), in.mode(), in.uid(), in.gid(), in.size(), in.atime(),
                        in.mtime(), in.ctime(), in.ino(), in.dev(), in.nlink(), in.rdev(), in.blocks(), 0,
                        in.linkid(), cat(where, in.name()), in.link()).encode());
                Frame reply = shim.read();
                if (in.type() == FileType.DIRECTORY) {
                    assertEquals("C:DONE", reply.status() + ":" + reply.text());
                    continue;
                }
                assertEquals("C:OK", reply.status() + ":" + reply.text());
                if (r.data().length > 0) {
                    shim.send(Frame.data(r.data()));
                }
                shim.send(Frame.end());
                shim.expectCommand("OK");
            }
            shim.command("FINISH");
            shim.expect('F');
            shim.finish();
            assertEquals(List.of(), shim.stderr);
        }
        byte[] rdir = cat(where, dir);
        assertEquals(List.of(ByteBuffer.wrap(cat(b("f-"), BAD))), entries(rdir));
        assertEquals("content of a badly named file\n",
                new String(BackendSessionTest.readAll(cat(where, file)), StandardCharsets.UTF_8));
        assertArrayEquals(cat(b("d-"), BAD, b("/f-"), BAD), Posix.readlinkat(Fcntl.AT_FDCWD, cat(where, link)));
        assertTrue(Posix.lstat(cat(where, fifo)).isFifo());
        assertEquals(0750, Posix.lstat(rdir).permissions());
    }

    private static List<ByteBuffer> entries(byte[] dir) throws IOException {
        int fd = Posix.openDirectory(Fcntl.AT_FDCWD, dir);
        try {
            List<ByteBuffer> out = new ArrayList<>();
            for (List<io.podheitor.hpc.posix.DirEntry> batch; !(batch = Posix.readDirectory(fd)).isEmpty(); ) {
                for (io.podheitor.hpc.posix.DirEntry e : batch) {
                    out.add(ByteBuffer.wrap(e.name()));
                }
            }
            return out;
        } finally {
            Posix.close(fd);
        }
    }

    /** setpriv without CAP_DAC_OVERRIDE / CAP_DAC_READ_SEARCH: root then gets EACCES like a squashed root. */
    private static List<String> rootSquash() {
        return List.of("setpriv", "--inh-caps=-dac_override,-dac_read_search",
                "--bounding-set=-dac_override,-dac_read_search", "--");
    }

    private static boolean canSquash() {
        try {
            Process p = new ProcessBuilder(List.of("setpriv", "--version")).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            // /proc/self belongs to the effective uid
            return p.waitFor() == 0 && (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
        } catch (IOException | InterruptedException | UnsupportedOperationException e) {
            return false;
        }
    }

    @Test
    void unreadableEntriesAreErrorsAndKeptInAccurateMode() throws Exception {
        assumeTrue(canSquash(), "needs root and setpriv (util-linux)");
        write(cat(root, b("/ok")), "ok\n", 0644);
        byte[] secret = cat(root, b("/secret"));
        write(secret, "secret\n", 0600);
        Posix.fchownat(Fcntl.AT_FDCWD, secret, OTHER_UID, OTHER_UID, 0);
        byte[] locked = cat(root, b("/locked"));
        Posix.mkdirat(Fcntl.AT_FDCWD, locked, 0700);
        write(cat(locked, b("/inside")), "inside\n", 0644);
        Posix.fchownat(Fcntl.AT_FDCWD, locked, OTHER_UID, OTHER_UID, 0);
        Map<String, String> env = cLocale();
        Set<ByteBuffer> saved = Set.of(ByteBuffer.wrap(cat(root, b("/"))), ByteBuffer.wrap(cat(root, b("/ok"))));
        List<String> errors = List.of("E cannot open \"" + tmp + "/src/secret\": Permission denied",
                "E cannot open directory \"" + tmp + "/src/locked\": Permission denied");

        // Full: errors, the rest saved, no KEEP (readStream fails on one without accurate checks)
        try (ShimSide shim = start(rootSquash(), env, List.of("Type=B", "Level=F", "Accurate=1"), root)) {
            shim.command("BackupStart");
            shim.expect('F');
            ShimSide.Stream s = shim.readStream();
            shim.finish();
            assertEquals(saved, names(s.records()));
            assertEquals(Set.copyOf(errors), s.messages().stream().filter(m -> m.startsWith("E "))
                    .collect(Collectors.toSet()));
            assertTrue(s.messages().contains("W 2 files not saved (vanished or unreadable), 0 changed while being saved"),
                    s.messages().toString());
        }
        // Accurate Incremental, everything reported changed: the two unreadable entries are KEPT
        try (ShimSide shim = start(rootSquash(), env, List.of("Type=B", "Level=I", "Since=0", "Accurate=1"), root)) {
            shim.command("BackupStart");
            shim.expect('F');
            ShimSide.Stream s = shim.readStream(r -> true);
            shim.finish();
            assertEquals(saved, names(s.records()));
            assertEquals(Set.of(ByteBuffer.wrap(secret), ByteBuffer.wrap(locked)),
                    shim.kept.stream().map(ByteBuffer::wrap).collect(Collectors.toSet()));
            assertEquals(2, shim.kept.size());
            assertTrue(s.messages().containsAll(errors), s.messages().toString());
            assertTrue(s.messages().stream().anyMatch(m -> m.startsWith("I accurate: ")
                    && m.endsWith(", 2 unreadable kept (not recorded deleted)")), s.messages().toString());
            assertFalse(shim.checked.contains(tmp + "/src/locked/inside"), "nothing below locked/ is listed");
        }
        // the same tree with the capabilities: everything is readable, nothing kept
        try (ShimSide shim = start(List.of(), env, List.of("Type=B", "Level=I", "Since=0", "Accurate=1"), root)) {
            shim.command("BackupStart");
            shim.expect('F');
            ShimSide.Stream s = shim.readStream(r -> true);
            shim.finish();
            assertEquals(List.of(), shim.kept);
            assertEquals(Set.of(ByteBuffer.wrap(cat(root, b("/"))), ByteBuffer.wrap(cat(root, b("/ok"))),
                    ByteBuffer.wrap(secret), ByteBuffer.wrap(cat(locked, b("/"))),
                    ByteBuffer.wrap(cat(locked, b("/inside")))), names(s.records()));
            assertEquals(List.of(), s.messages().stream().filter(m -> !m.startsWith("I ")).toList());
        }
    }
}
