package io.podheitor.hpc.changelog.gpfs;

import io.podheitor.hpc.changelog.lustre.Tool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;

/**
 * The fake mmapplypolicy of src/test/python (a script: nothing to build), wrapped per test: a tiny shell script
 * sets the trap variables and runs it, so the run under test sees one executable, as on a GPFS node.
 */
final class FakeMmapplypolicy {
    private FakeMmapplypolicy() {
    }

    static Path script() {
        Path module = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
        return module.resolve("src/test/python/fake_mmapplypolicy.py");
    }

    /** A wrapper in {@code dir} named mmapplypolicy, with these environment variables set. */
    static Tool in(Path dir, Map<String, String> env) throws IOException {
        StringBuilder s = new StringBuilder("#!/bin/sh\n");
        env.forEach((k, v) -> s.append(k).append("='").append(v).append("' "));
        s.append("exec python3 '").append(script()).append("' \"$@\"\n");
        Path w = Files.createDirectories(dir).resolve("mmapplypolicy");
        Files.writeString(w, s);
        Files.setPosixFilePermissions(w, PosixFilePermissions.fromString("rwxr-xr-x"));
        return Tool.at(w);
    }
}
