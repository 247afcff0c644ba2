package io.podheitor.hpc.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.posix.Posix;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * hpc-lustre's fake liblustreapi.so (hpc-lustre/src/test/c: the real signatures; its "Lustre" is a local tree
 * described by {@code user.lustre_fake.*} xattrs), built once per test JVM with make into target/fake-lustre.
 */
public final class FakeLustreLib {
    private static Path built;

    private FakeLustreLib() {
    }

    /** The library's path, after (re)building it (incremental). */
    public static synchronized Path path() throws IOException, InterruptedException {
        if (built == null) {
            Path module = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
            Path out = module.resolve("target/fake-lustre");
            Process p = new ProcessBuilder("make", "-s", "-C", module.resolve("../hpc-lustre/src/test/c").toString(),
                    "O=" + out).redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), "building the fake liblustreapi failed:\n" + log);
            built = out.resolve("liblustreapi.so");
            assertTrue(Files.isRegularFile(built), built.toString());
        }
        return built;
    }

    /** Sets {@code user.lustre_fake.NAME} on {@code p}. */
    public static void xattr(Path p, String name, String value) throws IOException {
        Posix.setXattr(p.toString().getBytes(StandardCharsets.UTF_8),
                ("user.lustre_fake." + name).getBytes(StandardCharsets.US_ASCII), value.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code user.lustre_fake.NAME} of {@code p}. */
    public static String xattr(Path p, String name) throws IOException {
        return new String(Posix.getXattr(p.toString().getBytes(StandardCharsets.UTF_8),
                ("user.lustre_fake." + name).getBytes(StandardCharsets.US_ASCII)), StandardCharsets.UTF_8);
    }

    /** The xattr names of {@code p}, NUL-separated as llistxattr returns them. */
    public static byte[] xattrNames(Path p) throws IOException {
        return String.join("\0", Files.readAttributes(p, "user:*").keySet()).getBytes(StandardCharsets.UTF_8);
    }
}
