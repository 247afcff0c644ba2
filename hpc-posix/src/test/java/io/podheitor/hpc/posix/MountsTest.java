package io.podheitor.hpc.posix;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** mountinfo lines as the kernel writes them (proc(5)), with parallel file systems mounted as sites mount them. */
class MountsTest {
    static final String TABLE = String.join("\n",
            "22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw",
            "25 22 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw",
            "40 22 0:40 / /lustre rw,relatime shared:20 - lustre 10.0.0.1@o2ib:/lfs1 rw,flock,lazystatfs",
            "41 22 0:41 / /gpfs/fs1 rw,relatime shared:21 - gpfs fs1 rw",
            "42 22 0:42 / /mnt/ceph rw,relatime shared:22 - ceph 10.0.0.5:6789:/ rw,name=admin",
            "43 22 0:43 / /mnt/beegfs rw,relatime shared:23 - beegfs beegfs_nodev rw,cfgFile=/etc/beegfs/beegfs-client.conf",
            "44 22 0:44 / /weka rw,relatime shared:24 - wekafs default rw",
            "45 22 0:45 / /mnt/with\\040space rw - lustre mgs@tcp:/x\\040y rw",
            "46 40 0:46 / /lustre/over rw - tmpfs tmpfs rw",
            "47 22 0:47 / /stacked rw - lustre a@tcp:/s rw",
            "48 22 0:48 / /stacked rw - tmpfs tmpfs rw",
            "garbage line",
            "");

    static List<Mounts.Mount> mounts() {
        return Mounts.parse(TABLE.getBytes(StandardCharsets.UTF_8));
    }

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void parsesEveryWellFormedLine() {
        List<Mounts.Mount> m = mounts();
        assertEquals(11, m.size());
        assertEquals("lustre", m.get(2).fsType());
        assertEquals("10.0.0.1@o2ib:/lfs1", m.get(2).source());
        assertArrayEquals(b("/mnt/with space"), m.get(7).mountPoint());
        assertEquals("mgs@tcp:/x y", m.get(7).source());
    }

    @Test
    void theRootOfEachParallelTypeIsFound() {
        for (String p : List.of("/lustre", "/gpfs/fs1", "/mnt/ceph", "/mnt/beegfs", "/weka", "/mnt/with space",
                "/lustre/", "/lustre//")) {
            assertTrue(Mounts.parallelRootAt(mounts(), b(p)).isPresent(), p);
        }
        assertEquals("gpfs", Mounts.parallelRootAt(mounts(), b("/gpfs/fs1")).orElseThrow().fsType());
    }

    @Test
    void subtreesOtherTypesAndCoveredMountsAreNot() {
        for (String p : List.of("/lustre/projectA", "/gpfs", "/", "/proc", "/lustre/over", "/stacked", "/nowhere",
                "/mnt")) {
            assertFalse(Mounts.parallelRootAt(mounts(), b(p)).isPresent(), p);
        }
    }

    @Test
    void theWarningNamesThePathTheTypeAndWhatToDo() {
        Mounts.Mount m = Mounts.parallelRootAt(mounts(), b("/lustre/")).orElseThrow();
        String w = Mounts.rootWarning(b("/lustre/"), m);
        assertTrue(w.startsWith("path=/lustre is the root of a lustre file system (10.0.0.1@o2ib:/lfs1)"), w);
        assertTrue(w.contains("separate jobs"), w);
    }

    @Test
    void theDeviceOfEachLineIsReadAndFindsItsMount() {
        List<Mounts.Mount> m = mounts();
        assertEquals(StatX.makedev(8, 1), m.get(0).dev());
        assertEquals(StatX.makedev(0, 42), m.get(4).dev());
        assertEquals("ceph", Mounts.ofDevice(m, StatX.makedev(0, 42)).orElseThrow().fsType());
        assertEquals("tmpfs", Mounts.ofDevice(m, StatX.makedev(0, 48)).orElseThrow().fsType());
        assertFalse(Mounts.ofDevice(m, StatX.makedev(0, 99)).isPresent());
        assertFalse(Mounts.ofDevice(m, -1).isPresent());
        // large numbers (makedev's split fields) and malformed fields
        assertEquals(StatX.makedev(259, 1048577), Mounts.device(b("259:1048577")));
        for (String bad : List.of("", ":", "8:", ":1", "8-1", "a:1", "8:1:2", "-8:1")) {
            assertEquals(-1, Mounts.device(b(bad)), bad);
        }
        // the last line with the device: a bind mount of the same file system shows the same type
        List<Mounts.Mount> bind = Mounts.parse(b("30 22 0:50 / /mnt/a rw - fuse.ceph-fuse ceph-fuse rw\n"
                + "31 22 0:50 /sub /mnt/b rw - fuse.ceph-fuse ceph-fuse rw\n"));
        assertEquals("/mnt/b", Mounts.ofDevice(bind, StatX.makedev(0, 50)).orElseThrow().mountPointText());
    }

    @Test
    void theRealTableHasTheDeviceOfSlash() throws Exception {
        long dev = Posix.lstat(b("/")).dev();
        assertTrue(Mounts.ofDevice(Mounts.read(Mounts.SELF), dev).isPresent(), "no mount with the device of /");
    }

    @Test
    void theRealTableParses() throws Exception {
        List<Mounts.Mount> m = Mounts.read(Mounts.SELF);
        assertTrue(m.stream().anyMatch(x -> x.mountPointText().equals("/")), "no / in " + m);
    }
}
