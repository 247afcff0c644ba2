package io.podheitor.hpc.backend.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.Xattrs;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A root whose entries are named below one directory and read below another (snapshot=yes: the live path and its
 * snapshot): every read, the root's own included, goes through the descriptor, never through the named path.
 */
class BackupRootTest {
    @TempDir
    Path tmp;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String read(int fd) throws Exception {
        try {
            byte[] buf = new byte[100];
            int n = Posix.read(fd, buf, 0, buf.length);
            return new String(buf, 0, n, StandardCharsets.UTF_8);
        } finally {
            Posix.close(fd);
        }
    }

    private static List<String> values(Xattrs.Read r) {
        return r.attrs().stream().map(a -> new String(a.name(), StandardCharsets.UTF_8) + "="
                + new String(a.value(), StandardCharsets.UTF_8)).toList();
    }

    @Test
    void entriesNamedLiveAreReadInTheSnapshot() throws Exception {
        Path live = Files.createDirectories(tmp.resolve("live/d"));
        live = live.getParent();
        Path snap = Files.createDirectories(tmp.resolve("snap/d")).getParent();
        Files.writeString(live.resolve("d/f"), "live");
        Files.writeString(snap.resolve("d/f"), "snapshot");
        Posix.setXattr(b(live.toString()), b("user.r"), b("live root"));
        Posix.setXattr(b(snap.toString()), b("user.r"), b("snapshot root"));
        Posix.setXattr(b(live + "/d/f"), b("user.f"), b("live f"));
        Posix.setXattr(b(snap + "/d/f"), b("user.f"), b("snapshot f"));
        Posix.setXattr(b(snap + "/d"), b("user.d"), b("snapshot d"));
        try (BackupRoot root = BackupRoot.of(b(live.toString()), b(snap.toString()))) {
            assertArrayEquals(b("d/f"), root.relative(b(live + "/d/f")));
            assertEquals("snapshot", read(root.open(b(live + "/d/f"))));
            assertEquals(List.of("user.f=snapshot f"), values(root.readXattrs(b(live + "/d/f"), Xattrs.Scope.ALL)));
            assertEquals(List.of("user.d=snapshot d"), values(root.readXattrs(b(live + "/d"), Xattrs.Scope.ALL)));
            assertEquals(List.of("user.r=snapshot root"), values(root.readXattrs(b(live.toString()), Xattrs.Scope.ALL)));
            int dir = root.open(b(live.toString())); // the root itself: the snapshot's directory
            try {
                assertEquals(Posix.lstat(b(snap.toString())).ino(), Posix.fstat(dir).ino());
            } finally {
                Posix.close(dir);
            }
        }
        try (BackupRoot plain = BackupRoot.of(b(live.toString()))) {
            assertEquals("live", read(plain.open(b(live + "/d/f"))));
            assertEquals(List.of("user.r=live root"), values(plain.readXattrs(b(live.toString()), Xattrs.Scope.ALL)));
        }
    }
}
