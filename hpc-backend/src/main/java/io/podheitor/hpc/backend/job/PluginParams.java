package io.podheitor.hpc.backend.job;

import io.podheitor.hpc.posix.PathText;
import io.podheitor.hpc.walker.Paths;
import io.podheitor.hpc.walker.WalkOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The plugin-string keys of the Params block, typed and validated (the shim validated them already; the
 * backend checks again and answers {@code A} naming the key).
 *
 * @param path         absolute root of the backup, raw bytes, trailing slashes removed
 * @param mode         the file system driver (mode=posix, lustre, gpfs, cephfs, beegfs or weka)
 * @param threads      walker parallelism, 1..1024
 * @param channelDepth walker channel bound, 1..1048576
 * @param backend      the backend launcher the shim was told to use (informational), or null
 * @param aclSupport   aclsupport=yes|no: save/restore POSIX ACLs (system.posix_acl_* xattrs)
 * @param xattrSupport xattrsupport=yes|no: save/restore the other extended attributes
 * @param readAhead    backup: regular files up to this many bytes are read by the walker threads (0 = off)
 * @param hardlinkMemory multiply linked inodes kept on the heap before the hard-link index spills to disk
 * @param spillDir     where the hard-link index spills (unlinked temporary files)
 */
public record PluginParams(byte[] path, Mode mode, int threads, int channelDepth, byte[] backend,
        boolean aclSupport, boolean xattrSupport, int readAhead, int hardlinkMemory, Path spillDir) {
    public static final int MAX_HARDLINK_MEMORY = 10_000_000;
    /** Multiply linked inodes whose first name is kept on the heap before the index spills (~250 B each). */
    public static final int DEFAULT_HARDLINK_MEMORY = 100_000;
    public static final int MAX_CHANNEL_DEPTH = 1 << 20;

    public PluginParams(byte[] path, Mode mode, int threads, int channelDepth, byte[] backend) {
        this(path, mode, threads, channelDepth, backend, true, true, WalkOptions.DEFAULT_READ_AHEAD,
                DEFAULT_HARDLINK_MEMORY, defaultSpillDir());
    }

    public static PluginParams parse(List<byte[]> lines) throws BadRequestException {
        byte[] path = null;
        Mode mode = Mode.POSIX;
        int threads = WalkOptions.defaultThreads();
        int channelDepth = WalkOptions.DEFAULT_CHANNEL_DEPTH;
        byte[] backend = null;
        boolean acl = true;
        boolean xattr = true;
        int readAhead = WalkOptions.DEFAULT_READ_AHEAD;
        int hardlinkMemory = DEFAULT_HARDLINK_MEMORY;
        Path spillDir = defaultSpillDir();
        Set<String> seen = new HashSet<>();
        for (byte[] line : lines) {
            int eq = JobInfo.indexOf(line, (byte) '=');
            if (eq <= 0) {
                throw new BadRequestException("bad plugin parameter \"" + PathText.render(line) + "\": expected key=value");
            }
            String key = new String(line, 0, eq, StandardCharsets.UTF_8);
            byte[] raw = Arrays.copyOfRange(line, eq + 1, line.length);
            if (!seen.add(key)) {
                throw new BadRequestException("plugin parameter " + key + " given twice");
            }
            switch (key) {
                case "path" -> path = absolute(key, raw);
                case "mode" -> mode = Mode.parse(raw);
                case "threads" -> threads = number(key, raw, 1, WalkOptions.MAX_THREADS);
                case "channel_depth" -> channelDepth = number(key, raw, 1, MAX_CHANNEL_DEPTH);
                case "backend" -> backend = absolute(key, raw);
                case "timeout" -> number(key, raw, 1, 86_400); // the shim's IO timeout; nothing to do here
                case "aclsupport" -> acl = yesNo(key, raw);
                case "xattrsupport" -> xattr = yesNo(key, raw);
                case "readahead" -> readAhead = number(key, raw, 0, WalkOptions.MAX_READ_AHEAD);
                case "hardlink_memory" -> hardlinkMemory = number(key, raw, 0, MAX_HARDLINK_MEMORY);
                case "spill_dir" -> spillDir = asciiDirectory(key, absolute(key, raw));
                default -> throw new BadRequestException("unknown plugin parameter \"" + PathText.render(line, 0, eq)
                        + "\" (known: path, mode, threads, channel_depth, backend, timeout, aclsupport, xattrsupport, readahead, hardlink_memory, spill_dir)");
            }
        }
        if (path == null) {
            throw new BadRequestException("plugin parameter path is missing");
        }
        return new PluginParams(path, mode, threads, channelDepth, backend, acl, xattr, readAhead, hardlinkMemory,
                spillDir);
    }

    /** The hard-link index spills to java.io.tmpdir unless spill_dir says otherwise. */
    public static Path defaultSpillDir() {
        return Path.of(System.getProperty("java.io.tmpdir", "/tmp"));
    }

    /** A directory the JDK opens by name: printable ASCII only, so no locale can change its bytes. */
    private static Path asciiDirectory(String key, byte[] raw) throws BadRequestException {
        for (byte b : raw) {
            if (b < 0x20 || b > 0x7e) {
                throw new BadRequestException("bad plugin parameter " + key + "=\"" + PathText.render(raw)
                        + "\": only printable ASCII is supported here");
            }
        }
        return Path.of(new String(raw, StandardCharsets.US_ASCII));
    }

    private static boolean yesNo(String key, byte[] raw) throws BadRequestException {
        return switch (new String(raw, StandardCharsets.UTF_8)) {
            case "yes" -> true;
            case "no" -> false;
            default -> throw new BadRequestException("bad plugin parameter " + key + "=\"" + PathText.render(raw)
                    + "\": expected yes or no");
        };
    }

    private static byte[] absolute(String key, byte[] raw) throws BadRequestException {
        if (raw.length == 0 || raw[0] != '/') {
            throw new BadRequestException("bad plugin parameter " + key + "=\"" + PathText.render(raw)
                    + "\": not an absolute path");
        }
        if (JobInfo.indexOf(raw, (byte) 0) >= 0) {
            throw new BadRequestException("bad plugin parameter " + key + ": contains a NUL byte");
        }
        return Paths.normalize(raw);
    }

    private static int number(String key, byte[] raw, int min, int max) throws BadRequestException {
        String s = new String(raw, StandardCharsets.UTF_8);
        boolean digits = !s.isEmpty() && s.length() <= 9 && s.chars().allMatch(c -> c >= '0' && c <= '9');
        int v = digits ? Integer.parseInt(s) : -1;
        if (!digits || v < min || v > max) {
            throw new BadRequestException("bad plugin parameter " + key + "=\"" + PathText.render(raw)
                    + "\": expected a number in " + min + ".." + max);
        }
        return v;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PluginParams p && Arrays.equals(p.path, path) && p.mode == mode
                && p.threads == threads && p.channelDepth == channelDepth && Arrays.equals(p.backend, backend)
                && p.aclSupport == aclSupport && p.xattrSupport == xattrSupport && p.readAhead == readAhead
                && p.hardlinkMemory == hardlinkMemory && p.spillDir.equals(spillDir);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(path) * 31 + mode.hashCode();
    }

    @Override
    public String toString() {
        return "PluginParams[path=" + PathText.render(path) + ", mode=" + mode.key() + ", threads=" + threads
                + ", channel_depth=" + channelDepth + ", readahead=" + readAhead + "]";
    }
}
