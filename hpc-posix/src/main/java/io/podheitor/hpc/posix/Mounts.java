package io.podheitor.hpc.posix;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The mount table of {@code /proc/self/mountinfo} (proc(5)), read as bytes, and the one anti-pattern check both
 * the backend (a job-log warning at backup time) and {@code podheitor-hpc doctor} make with it: a plugin
 * {@code path=} that is exactly the mount point of a parallel file system, i.e. the whole file system in one
 * job (docs/doctor.md).
 */
public final class Mounts {
    /** File system types (mountinfo field 9) of the parallel file systems the plugin is for. */
    public static final Set<String> PARALLEL_TYPES = Set.of("lustre", "gpfs", "ceph", "fuse.ceph-fuse", "beegfs",
            "wekafs", "fuse.wekafs");

    /** The default table: this process's mount namespace. */
    public static final Path SELF = Path.of("/proc/self/mountinfo");

    private Mounts() {
    }

    /**
     * One line of mountinfo: where (octal escapes undone), which type, mounted from what, and the device its files
     * report as {@code st_dev} (field 3, {@code major:minor}, as glibc's makedev; -1 when unreadable).
     */
    public record Mount(byte[] mountPoint, String fsType, String source, long dev) {
        public Mount(byte[] mountPoint, String fsType, String source) {
            this(mountPoint, fsType, source, -1);
        }

        public String mountPointText() {
            return PathText.render(mountPoint);
        }

        public boolean parallel() {
            return PARALLEL_TYPES.contains(fsType);
        }
    }

    public static List<Mount> read(Path mountinfo) throws IOException {
        return parse(Files.readAllBytes(mountinfo));
    }

    /** Lines that do not have the mountinfo shape are skipped. */
    public static List<Mount> parse(byte[] table) {
        List<Mount> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= table.length; i++) {
            if (i == table.length || table[i] == '\n') {
                Mount m = line(Arrays.copyOfRange(table, start, i));
                if (m != null) {
                    out.add(m);
                }
                start = i + 1;
            }
        }
        return out;
    }

    // "36 35 98:0 /mnt1 /mnt/parent rw,noatime master:1 - ext3 /dev/root rw,errors=continue"
    private static Mount line(byte[] l) {
        List<byte[]> f = new ArrayList<>();
        int s = 0;
        for (int i = 0; i <= l.length; i++) {
            if (i == l.length || l[i] == ' ') {
                if (i > s) {
                    f.add(Arrays.copyOfRange(l, s, i));
                }
                s = i + 1;
            }
        }
        int sep = -1;
        for (int i = 6; i < f.size(); i++) {
            if (f.get(i).length == 1 && f.get(i)[0] == '-') {
                sep = i;
                break;
            }
        }
        if (f.size() < 5 || sep < 0 || sep + 2 >= f.size()) {
            return null;
        }
        return new Mount(unescape(f.get(4)), new String(unescape(f.get(sep + 1)), StandardCharsets.UTF_8),
                new String(unescape(f.get(sep + 2)), StandardCharsets.UTF_8), device(f.get(2)));
    }

    /** "major:minor" (decimal) as makedev, or -1. */
    static long device(byte[] field) {
        String t = new String(field, StandardCharsets.US_ASCII);
        int colon = t.indexOf(':');
        if (colon <= 0 || colon == t.length() - 1 || !t.substring(0, colon).matches("[0-9]{1,7}")
                || !t.substring(colon + 1).matches("[0-9]{1,10}")) {
            return -1;
        }
        return StatX.makedev(Long.parseLong(t.substring(0, colon)), Long.parseLong(t.substring(colon + 1)));
    }

    /**
     * The mount whose files have device {@code dev} (a file's {@code st_dev}): the last such line of the table
     * (a bind mount shows the same device and type), if any. This finds the file system holding a path without
     * comparing path strings, so symbolic links and bind mounts in the path do not matter.
     */
    public static Optional<Mount> ofDevice(List<Mount> mounts, long dev) {
        Mount found = null;
        for (Mount m : mounts) {
            if (m.dev() == dev && dev != -1) {
                found = m;
            }
        }
        return Optional.ofNullable(found);
    }

    /** The kernel writes space, tab, newline and backslash as \ooo (three octal digits). */
    static byte[] unescape(byte[] b) {
        ByteArrayOutputStream o = new ByteArrayOutputStream(b.length);
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '\\' && i + 3 < b.length && octal(b[i + 1]) && octal(b[i + 2]) && octal(b[i + 3])) {
                o.write(((b[i + 1] - '0') << 6) | ((b[i + 2] - '0') << 3) | (b[i + 3] - '0'));
                i += 3;
            } else {
                o.write(b[i]);
            }
        }
        return o.toByteArray();
    }

    private static boolean octal(byte c) {
        return c >= '0' && c <= '7';
    }

    /** PATH without trailing slashes ("/" stays "/"). */
    static byte[] trimSlashes(byte[] path) {
        int n = path.length;
        while (n > 1 && path[n - 1] == '/') {
            n--;
        }
        return Arrays.copyOf(path, n);
    }

    /**
     * The parallel file system whose mount point PATH is exactly (the mount on top there, i.e. the last one in
     * the table with that mount point), if any. PATH is compared as given (absolute, no symlinks resolved; trailing
     * slashes ignored), as the plugin's {@code path=} is.
     */
    public static Optional<Mount> parallelRootAt(List<Mount> mounts, byte[] path) {
        byte[] p = trimSlashes(path);
        Mount top = null;
        for (Mount m : mounts) {
            if (Arrays.equals(m.mountPoint(), p)) {
                top = m;
            }
        }
        return top != null && top.parallel() ? Optional.of(top) : Optional.empty();
    }

    /** The job-log warning and doctor's PROBLEM text for {@link #parallelRootAt} (docs/doctor.md). */
    public static String rootWarning(byte[] path, Mount m) {
        return "path=" + PathText.render(trimSlashes(path)) + " is the root of a " + m.fsType() + " file system ("
                + m.source() + "): one job walks and reads the whole file system through one client and competes with"
                + " production metadata traffic; back up its project directories as separate jobs instead"
                + " (e.g. path=" + PathText.render(trimSlashes(path)) + "/PROJECT; docs/doctor.md)";
    }
}
