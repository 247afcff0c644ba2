package io.podheitor.hpc.backend.backup;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backup's one warning when path= is the root of a parallel file system (docs/doctor.md). */
class FileSystemRootWarningTest {
    @TempDir
    Path tmp;

    private Path table() throws Exception {
        Path p = tmp.resolve("mountinfo");
        Files.writeString(p, """
                22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
                40 22 0:40 / /lustre rw,relatime shared:20 - lustre 10.0.0.1@o2ib:/lfs1 rw,flock
                41 22 0:41 / /gpfs/fs1 rw,relatime shared:21 - gpfs fs1 rw
                """);
        return p;
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theMountPointOfALustreOrGpfsFileSystemIsWarnedAbout() throws Exception {
        String w = Backup.fileSystemRootWarning(table(), b("/lustre"));
        assertTrue(w != null && w.startsWith("path=/lustre is the root of a lustre file system"), w);
        w = Backup.fileSystemRootWarning(table(), b("/gpfs/fs1/"));
        assertTrue(w != null && w.startsWith("path=/gpfs/fs1 is the root of a gpfs file system"), w);
    }

    @Test
    void aProjectDirectoryALocalRootOrAnUnreadableTableIsNot() throws Exception {
        assertNull(Backup.fileSystemRootWarning(table(), b("/lustre/projectA")));
        assertNull(Backup.fileSystemRootWarning(table(), b("/")));
        assertNull(Backup.fileSystemRootWarning(tmp.resolve("missing"), b("/lustre")));
    }
}
