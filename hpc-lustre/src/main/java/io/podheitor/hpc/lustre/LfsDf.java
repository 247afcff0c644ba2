package io.podheitor.hpc.lustre;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the output of {@code lfs df -i [-v] [PATH...]} (lustre/utils/lfs.c, {@code mntdf} and {@code showdf}):
 * per file system a header, one line per target, and a {@code filesystem_summary:} line:
 *
 * <pre>
 * UUID                      Inodes       IUsed       IFree IUse% Mounted on
 * testfs-MDT0000_UUID      932180      884600       47580  95% /testfs[MDT:0]
 * testfs-OST0001_UUID      268900      173500       95400  65% /testfs[OST:1] D
 * OST0003             : inactive device
 * filesystem_summary:      932180      884600       47580  95% /testfs
 * </pre>
 *
 * The target index is the decimal number in {@code [MDT:n]} (the UUID carries it in hex: {@code MDT000a} is 10);
 * an inactive target (printed with {@code -v}) has only its short name; any other {@code NAME : message} line is a
 * failing target. Columns are separated by one or more blanks (2.17 puts two before the mount point and a blank
 * at the end), counts may be cooked ({@code 932.2k} with {@code -h}/{@code -H}: then approximate), and the mount
 * point is kept byte for byte (the output is read as ISO-8859-1).
 */
public final class LfsDf {
    private static final Pattern TARGET = Pattern.compile(
            "^(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\d+)%\\s+(.*)\\[(MDT|OST):(\\d+)\\](\\s+\\S*)?\\s*$");
    private static final Pattern SUMMARY = Pattern.compile(
            "^filesystem_summary:\\s+(\\S+)\\s+(\\S+)\\s+(\\S+)\\s+(\\d+)%\\s+(.*?)\\s*$");
    private static final Pattern MESSAGE = Pattern.compile("^(\\S+?)\\s*: (.+?)\\s*$");
    private static final Pattern UUID = Pattern.compile("^(.+)-(MDT|OST)([0-9a-fA-F]{4,})_UUID$");
    private static final Pattern SHORT_NAME = Pattern.compile("(?:^|-)(MDT|OST)([0-9a-fA-F]{4,})(?:_UUID)?$");

    private LfsDf() {
    }

    /** The totals of the {@code filesystem_summary:} line. */
    public record Summary(long inodes, long inodesUsed, long inodesFree) {
    }

    /**
     * One file system of the output.
     *
     * @param fsname the name in its target UUIDs (empty when no target line had a UUID)
     * @param mountText the mount point as printed, one char per byte (ISO-8859-1); {@link #mountPoint()} gives
     *     the bytes
     * @param targets MDTs and OSTs in the order printed
     * @param summary the summary line, when there was one
     */
    public record FileSystem(String fsname, String mountText, List<LustreTarget> targets, Optional<Summary> summary) {
        public FileSystem {
            Objects.requireNonNull(fsname, "fsname");
            Objects.requireNonNull(mountText, "mountText");
            targets = List.copyOf(targets);
            Objects.requireNonNull(summary, "summary");
        }

        public byte[] mountPoint() {
            return mountText.getBytes(StandardCharsets.ISO_8859_1);
        }

        /** The MDTs, in index order. */
        public List<LustreTarget> mdts() {
            return targets.stream().filter(t -> t.kind() == TargetKind.MDT)
                    .sorted(Comparator.comparingInt(LustreTarget::index)).toList();
        }

        /** The OSTs, in index order. */
        public List<LustreTarget> osts() {
            return targets.stream().filter(t -> t.kind() == TargetKind.OST)
                    .sorted(Comparator.comparingInt(LustreTarget::index)).toList();
        }
    }

    /** Parses the whole output of one run. */
    public static List<FileSystem> parse(byte[] output) throws LfsFormatException {
        String text = new String(output, StandardCharsets.ISO_8859_1);
        List<FileSystem> result = new ArrayList<>();
        Block block = null;
        int lineNo = 0;
        for (String line : text.split("\n", -1)) {
            lineNo++;
            if (line.isBlank()) {
                continue;
            }
            if (line.startsWith("UUID ") || line.equals("UUID")) {
                if (block != null && !block.targets.isEmpty()) {
                    result.add(block.done(Optional.empty()));
                }
                block = new Block();
                continue;
            }
            if (block == null) {
                throw new LfsFormatException("lfs df: line " + lineNo + " before the header: " + line);
            }
            Matcher m = SUMMARY.matcher(line);
            if (m.matches()) {
                if (block.mount == null) {
                    block.mount = m.group(5);
                }
                result.add(block.done(Optional.of(new Summary(count(m.group(1)), count(m.group(2)), count(m.group(3))))));
                block = new Block();
                continue;
            }
            m = TARGET.matcher(line);
            if (m.matches()) {
                block.target(m, lineNo, line);
                continue;
            }
            m = MESSAGE.matcher(line);
            if (m.matches()) {
                block.message(m.group(1), m.group(2), lineNo, line);
                continue;
            }
            throw new LfsFormatException("lfs df: unrecognised line " + lineNo + ": " + line);
        }
        if (block != null && !block.targets.isEmpty()) {
            result.add(block.done(Optional.empty()));
        }
        return result;
    }

    /** A count as printed: an integer, or a cooked value such as {@code 47.6k} (approximate). */
    static long count(String s) throws LfsFormatException {
        char last = s.charAt(s.length() - 1);
        String units = "KMGTPEZY";
        int power = units.indexOf(Character.toUpperCase(last)) + 1;
        try {
            if (power == 0) {
                return Long.parseLong(s);
            }
            double base = last == 'k' ? 1000 : 1024; // -H prints a lower-case k; -h an upper-case K
            return Math.round(Double.parseDouble(s.substring(0, s.length() - 1)) * Math.pow(base, power));
        } catch (NumberFormatException e) {
            throw new LfsFormatException("lfs df: not a count: " + s);
        }
    }

    private static final class Block {
        String fsname = "";
        String mount;
        final List<LustreTarget> targets = new ArrayList<>();

        void target(Matcher m, int lineNo, String line) throws LfsFormatException {
            String uuid = m.group(1);
            TargetKind kind = TargetKind.valueOf(m.group(7));
            int index;
            try {
                index = Integer.parseInt(m.group(8));
            } catch (NumberFormatException e) {
                throw new LfsFormatException("lfs df: bad index on line " + lineNo + ": " + line);
            }
            Matcher u = UUID.matcher(uuid);
            if (u.matches()) {
                if (!u.group(2).equals(kind.name()) || Integer.parseInt(u.group(3), 16) != index) {
                    throw new LfsFormatException("lfs df: UUID " + uuid + " does not name " + kind + ":" + index
                            + " on line " + lineNo);
                }
                if (fsname.isEmpty()) {
                    fsname = u.group(1);
                }
            }
            if (mount == null) {
                mount = m.group(6).strip();
            }
            long inodes = count(m.group(2));
            long used = count(m.group(3));
            long free = count(m.group(4));
            String flags = m.group(9) == null ? "" : m.group(9).strip();
            targets.add(new LustreTarget(kind, index, uuid, LustreTarget.State.ACTIVE, "", inodes, used, free, flags));
        }

        void message(String name, String message, int lineNo, String line) throws LfsFormatException {
            Matcher n = SHORT_NAME.matcher(name);
            if (!n.find()) {
                throw new LfsFormatException("lfs df: unrecognised line " + lineNo + ": " + line);
            }
            TargetKind kind = TargetKind.valueOf(n.group(1));
            int index = Integer.parseInt(n.group(2), 16);
            Matcher u = UUID.matcher(name);
            if (u.matches() && fsname.isEmpty()) {
                fsname = u.group(1);
            }
            boolean inactive = message.equals("inactive device");
            targets.add(new LustreTarget(kind, index, name,
                    inactive ? LustreTarget.State.INACTIVE : LustreTarget.State.FAILING, inactive ? "" : message,
                    -1, -1, -1, ""));
        }

        FileSystem done(Optional<Summary> summary) {
            return new FileSystem(fsname, mount == null ? "" : mount, targets, summary);
        }
    }
}
