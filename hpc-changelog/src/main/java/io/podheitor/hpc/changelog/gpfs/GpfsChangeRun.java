package io.podheitor.hpc.changelog.gpfs;

import io.podheitor.hpc.changelog.ChangelogFormatException;
import io.podheitor.hpc.changelog.lustre.Tool;
import io.podheitor.hpc.changelog.source.ChangeSetSource;
import io.podheitor.hpc.changelog.source.ChangedDirectories;

import io.podheitor.hpc.walker.Paths;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * One job's GPFS / Storage Scale policy scan (docs/changelog.md §5): write {@link PolicyFile#incremental}, run
 * {@code mmapplypolicy ROOT -P POLICY -I defer -f PREFIX [pass-through...]}, stream the three lists it writes
 * ({@link PolicyListReader}, one line at a time) into the saves and the changed directories, and delete the
 * scratch directory. Anything that goes wrong (no tool, a failing run, an unreadable or malformed list, a root that
 * cannot be passed as an argument, more verdicts than the shim keeps) is a {@link Plan.FullWalk} with a one-line
 * reason: never a partial incremental. No cursor: {@code since} (the previous job's start) comes from Bacula.
 */
public final class GpfsChangeRun {
    private GpfsChangeRun() {
    }

    /** Options this run sets itself, refused in the pass-through arguments. */
    public static final List<String> OWN_OPTIONS = List.of("-P", "-I", "-f");

    /** Where the GPFS commands are installed (not on the default PATH). */
    public static final Path GPFS_BIN = Path.of("/usr/lpp/mmfs/bin");

    /** What the job does. */
    public sealed interface Plan {
        /**
         * Save {@code saves}; with Accurate, the deletions come from the changed directories
         * ({@link ChangedDirectories}: {@code listed} had a name added or removed, {@code walked} are walked whole).
         *
         * @param others  the other changed paths (non-directories)
         * @param entries lines read from the lists
         * @param skipped paths outside the job's root
         */
        record Changes(List<ChangeSetSource.Change> saves, List<byte[]> listed, List<byte[]> walked,
                List<byte[]> others, long entries, long skipped) implements Plan {
            /** The verdicts of an Accurate job, produced lazily. */
            public ChangedDirectories verdicts(byte[] root) {
                return new ChangedDirectories(root, listed, walked, others);
            }
        }

        /** Walk the tree; {@code reason}: the job-log line. */
        record FullWalk(String reason) implements Plan {
        }
    }

    /** mmapplypolicy on PATH, else in {@link #GPFS_BIN}. */
    public static java.util.Optional<Tool> findTool() {
        java.util.Optional<Tool> t = Tool.onPath("mmapplypolicy");
        if (t.isPresent()) {
            return t;
        }
        Path p = GPFS_BIN.resolve("mmapplypolicy");
        return Files.isRegularFile(p) && Files.isExecutable(p) ? java.util.Optional.of(Tool.at(p))
                : java.util.Optional.empty();
    }

    /** Null when the pass-through arguments are acceptable, else why not. */
    public static String checkPassThrough(List<String> args) {
        for (String a : args) {
            for (String own : OWN_OPTIONS) {
                if (a.startsWith(own)) {
                    return "\"" + a + "\": " + String.join(", ", OWN_OPTIONS) + " are set by the plugin";
                }
            }
        }
        return null;
    }

    /**
     * An Incremental: the entries changed at or after {@code since}.
     *
     * @param tool         mmapplypolicy, or null when there is none
     * @param root         the job's tree (the plugin's {@code path})
     * @param since        unix seconds, or negative when Bacula sent none
     * @param passThrough  extra arguments (key {@code gpfs_policy_args})
     * @param scratchBase  where the policy and the lists are written (a private directory below it, removed after)
     * @param verdictLimit with Accurate: the shim memory the verdicts may take (bytes); 0 without Accurate
     */
    public static Plan incremental(Tool tool, byte[] root, long since, List<String> passThrough, Path scratchBase,
            long verdictLimit) {
        return incremental(tool, root, since, passThrough, scratchBase, verdictLimit, java.time.ZoneId.systemDefault());
    }

    /** As above; {@code zone}: the engine node's time zone (see {@link PolicyFile#wallClock}). */
    public static Plan incremental(Tool tool, byte[] root, long since, List<String> passThrough, Path scratchBase,
            long verdictLimit, java.time.ZoneId zone) {
        if (tool == null) {
            return new Plan.FullWalk("gpfs: no mmapplypolicy on the backend's PATH or in " + GPFS_BIN
                    + ": the job walks the tree");
        }
        if (since < 0) {
            return new Plan.FullWalk("gpfs: Bacula sent no Since time: the job walks the tree");
        }
        String bad = checkPassThrough(passThrough);
        if (bad != null) {
            return new Plan.FullWalk("gpfs: " + bad + ": the job walks the tree");
        }
        String rootArg = argument(root);
        if (rootArg == null) {
            return new Plan.FullWalk("gpfs: the path cannot be passed to mmapplypolicy in this JVM's file name "
                    + "encoding: the job walks the tree");
        }
        Path scratch = null;
        try {
            scratch = Files.createTempDirectory(scratchBase, "podheitor-gpfs-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path policy = scratch.resolve("policy");
            Files.writeString(policy, PolicyFile.incremental(Instant.ofEpochSecond(since), zone), StandardCharsets.US_ASCII);
            String prefix = scratch.resolve("list").toString();
            List<String> args = new ArrayList<>(List.of(rootArg, "-P", policy.toString(), "-I", "defer", "-f", prefix));
            args.addAll(passThrough);
            String failure = run(tool, args);
            if (failure != null) {
                return new Plan.FullWalk("gpfs: " + failure + ": the job walks the tree");
            }
            Lists lists = new Lists(root);
            lists.read(Path.of(PolicyFile.listFile(prefix, PolicyFile.DIRECTORIES)), Kind.LISTED);
            lists.read(Path.of(PolicyFile.listFile(prefix, PolicyFile.MOVED)), Kind.WALKED);
            lists.read(Path.of(PolicyFile.listFile(prefix, PolicyFile.OTHERS)), Kind.OTHER);
            if (verdictLimit > 0) {
                long cost = ChangedDirectories.shimBytes(root, lists.listed, lists.walked, verdictLimit);
                if (cost > verdictLimit) {
                    return new Plan.FullWalk("gpfs: the " + lists.listed.size() + " changed directories hold more "
                            + "names than the plugin can state in one job (over " + verdictLimit / (1 << 20)
                            + " MiB of KEEP/GONE): the job walks the tree");
                }
            }
            return new Plan.Changes(lists.saves, lists.listed, lists.walked, lists.others, lists.entries,
                    lists.skipped);
        } catch (ChangelogFormatException e) {
            return new Plan.FullWalk("gpfs: policy list: " + e.getMessage() + ": the job walks the tree");
        } catch (IOException | RuntimeException e) {
            return new Plan.FullWalk("gpfs: " + e + ": the job walks the tree");
        } finally {
            if (scratch != null) {
                delete(scratch);
            }
        }
    }

    private enum Kind {
        LISTED,
        WALKED,
        OTHER
    }

    /** The lists read so far. */
    private static final class Lists {
        private final byte[] root;
        final List<ChangeSetSource.Change> saves = new ArrayList<>();
        final List<byte[]> listed = new ArrayList<>();
        final List<byte[]> walked = new ArrayList<>();
        final List<byte[]> others = new ArrayList<>();
        long entries;
        long skipped;

        Lists(byte[] root) {
            this.root = io.podheitor.hpc.walker.Paths.normalize(root);
        }

        void read(Path file, Kind kind) throws IOException {
            InputStream in;
            try {
                in = Files.newInputStream(file);
            } catch (NoSuchFileException e) {
                return; // nothing matched that rule: the engine writes no list
            }
            try (PolicyListReader r = new PolicyListReader(in)) {
                for (PolicyListEntry e = r.next(); e != null; e = r.next()) {
                    entries++;
                    byte[] p = io.podheitor.hpc.walker.Paths.normalize(e.path());
                    if (e.snapshotId() != 0 || !Paths.isAtOrBelow(root, p)) {
                        skipped++;
                        continue;
                    }
                    switch (kind) {
                        case LISTED -> {
                            listed.add(p);
                            saves.add(new ChangeSetSource.Change(p, false));
                        }
                        case WALKED -> {
                            walked.add(p);
                            saves.add(new ChangeSetSource.Change(p, true));
                        }
                        case OTHER -> {
                            others.add(p);
                            saves.add(new ChangeSetSource.Change(p, false));
                        }
                    }
                }
            }
        }
    }

    /** The path as a process argument, when the JVM passes it on byte for byte. */
    private static String argument(byte[] root) {
        Charset cs;
        try {
            cs = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));
        } catch (RuntimeException e) {
            return null;
        }
        String s = new String(root, cs);
        return Arrays.equals(s.getBytes(cs), root) && s.indexOf('\0') < 0 ? s : null;
    }

    /** Runs the scan; null when it succeeded, else the one-line reason. */
    private static String run(Tool tool, List<String> args) throws IOException {
        byte[] tail = new byte[2048];
        int kept = 0;
        try (Tool.Running r = tool.start(args)) {
            InputStream out = r.stdout();
            byte[] buf = new byte[8192];
            for (int n; (n = out.read(buf)) >= 0; ) {
                // keep the end of the engine's report for the message: its last line says what failed
                if (n >= tail.length) {
                    System.arraycopy(buf, n - tail.length, tail, 0, tail.length);
                    kept = tail.length;
                } else {
                    int drop = Math.max(0, kept + n - tail.length);
                    System.arraycopy(tail, drop, tail, 0, kept - drop);
                    kept -= drop;
                    System.arraycopy(buf, 0, tail, kept, n);
                    kept += n;
                }
            }
            Tool.Result res = r.finish(Arrays.copyOf(tail, kept));
            if (res.exit() == 0) {
                return null;
            }
            String why = lastLine(res.stderr());
            if (why.isEmpty()) {
                why = lastLine(new String(res.stdout(), StandardCharsets.UTF_8));
            }
            return "mmapplypolicy exited with status " + res.exit() + (why.isEmpty() ? "" : " (" + why + ")");
        }
    }

    /** The line that says what failed: the first error line ("[E] ..." or "mmapplypolicy: ..."), else the last. */
    private static String lastLine(String s) {
        String last = "";
        for (String line : s.strip().split("\n")) {
            String l = line.strip();
            if (l.startsWith("[E]") || l.startsWith("mmapplypolicy:")) {
                return l;
            }
            if (!l.isEmpty()) {
                last = l;
            }
        }
        return last;
    }

    private static void delete(Path dir) {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // a list left behind in a private temporary directory; nothing else depends on it
                }
            });
        } catch (IOException e) {
            // as above
        }
    }
}
