package io.podheitor.hpc.changelog.lustre;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The fake lfs and lctl of src/test/c, built once per test JVM with make into target/fake-changelog, and wrapped
 * per state directory: a tiny script sets FAKE_CHANGELOG_DIR and runs the binary under the tool's own name.
 */
final class FakeChangelogTools {
    private static Path built;

    private FakeChangelogTools() {
    }

    static synchronized Path bin() throws IOException, InterruptedException {
        if (built == null) {
            Path module = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
            Path out = module.resolve("target/fake-changelog");
            Process p = new ProcessBuilder("make", "-s", "-C", module.resolve("src/test/c").toString(), "O=" + out)
                    .redirectErrorStream(true).start();
            String log = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), "building the fake lfs/lctl failed:\n" + log);
            built = out.resolve("bin");
        }
        return built;
    }

    static Tool lfs(Path state) throws IOException, InterruptedException {
        return wrapper(state, "lfs");
    }

    static Tool lctl(Path state) throws IOException, InterruptedException {
        return wrapper(state, "lctl");
    }

    private static Tool wrapper(Path state, String name) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(state.resolve("bin"));
        Path script = dir.resolve(name);
        if (!Files.exists(script)) {
            Files.writeString(script, "#!/bin/sh\nFAKE_CHANGELOG_DIR='" + state + "' exec '" + bin().resolve(name)
                    + "' \"$@\"\n");
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        return Tool.at(script);
    }
}
