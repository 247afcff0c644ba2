package io.podheitor.hpc.cli.genfileset;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes the generated files into one directory: all or none. Without {@code force} an existing file is not
 * overwritten and nothing is written; each file goes to a temporary name first and is renamed into place.
 */
public final class OutputFiles {
    private OutputFiles() {
    }

    /**
     * @param dir   the directory (made if missing)
     * @param files name in dir -> content
     * @throws FileAlreadyExistsException naming the existing files, when {@code force} is false
     */
    public static void write(Path dir, LinkedHashMap<String, String> files, boolean force) throws IOException {
        List<String> existing = new ArrayList<>();
        for (String name : files.keySet()) {
            if (Files.exists(dir.resolve(name), java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                existing.add(dir.resolve(name).toString());
            }
        }
        if (!existing.isEmpty() && !force) {
            throw new FileAlreadyExistsException(String.join(", ", existing), null,
                    "exists; nothing written (--force overwrites)");
        }
        Files.createDirectories(dir);
        Map<Path, Path> staged = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, String> f : files.entrySet()) {
                Path tmp = Files.createTempFile(dir, "." + f.getKey() + ".", ".tmp");
                staged.put(tmp, dir.resolve(f.getKey()));
                Files.writeString(tmp, f.getValue(), StandardCharsets.UTF_8);
                Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            }
            for (Map.Entry<Path, Path> s : staged.entrySet()) {
                Files.move(s.getKey(), s.getValue(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } finally {
            for (Path tmp : staged.keySet()) {
                Files.deleteIfExists(tmp);
            }
        }
    }
}
