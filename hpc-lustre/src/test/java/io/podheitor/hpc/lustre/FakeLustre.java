package io.podheitor.hpc.lustre;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.PosixException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The fake liblustreapi.so and fake lfs of src/test/c, built once per test JVM with make into
 * target/fake-lustre, and helpers to turn a temporary directory into a fake Lustre mount (user.lustre_fake.*
 * xattrs, see fake_lustreapi.c).
 */
final class FakeLustre {
    static final String XA = "user.lustre_fake.";

    private static Path built;

    private FakeLustre() {
    }

    /** The build directory, after (re)building it with make (incremental). */
    static synchronized Path dir() throws IOException, InterruptedException {
        if (built == null) {
            Path module = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
            Path out = module.resolve("target/fake-lustre");
            Process p = new ProcessBuilder("make", "-s", "-C", module.resolve("src/test/c").toString(), "O=" + out)
                    .redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), "building the fake liblustreapi failed:\n" + log);
            built = out;
        }
        return built;
    }

    static Path library() throws IOException, InterruptedException {
        return dir().resolve("liblustreapi.so");
    }

    static Path lfsExecutable() throws IOException, InterruptedException {
        return dir().resolve("bin/lfs");
    }

    static Lustre load() throws IOException, InterruptedException {
        return Lustre.load(library().toString());
    }

    static byte[] bytes(Path p) {
        return p.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Sets user.lustre_fake.NAME on {@code p}. */
    static void set(Path p, String name, String value) throws PosixException {
        Posix.setXattr(bytes(p), (XA + name).getBytes(StandardCharsets.US_ASCII), value.getBytes(StandardCharsets.UTF_8));
    }

    /** Makes {@code root} (created if needed) a fake Lustre mount point. */
    static Path mount(Path root, String fsname, String mdts, String osts) throws IOException {
        Files.createDirectories(root);
        set(root, "fsname", fsname);
        set(root, "mdts", mdts);
        set(root, "osts", osts);
        return root;
    }

    /** FNV-1a 64 of a name: the hash the fake (and Lustre's fnv_1a_64 directory hash) places names with. */
    static long fnv1a64(byte[] name) {
        long h = 0xcbf29ce484222325L;
        for (byte b : name) {
            h ^= b & 0xff;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
