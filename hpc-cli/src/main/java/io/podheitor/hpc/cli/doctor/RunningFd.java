package io.podheitor.hpc.cli.doctor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A running bacula-fd, found in /proc: its PID, the configuration it was started with ({@code -c FILE}, else the
 * compiled-in {@code /etc/bacula/bacula-fd.conf}) and whether it has a given plugin mapped. A plugin whose
 * {@code loadPlugin} refused the FD's interface version is closed again by the FD without a word (docs/abi.md
 * §1.4), so the FD's memory map is the one place that shows whether it really loaded the .so.
 *
 * @param pid  the process
 * @param conf the configuration file it was started with, as given (made absolute against its working
 *             directory when relative and that is readable)
 */
record RunningFd(long pid, String conf) {
    static final String DEFAULT_CONF = "/etc/bacula/bacula-fd.conf";
    /** bacula-fd's options that take an argument (its getopt string, 9.6 to 15.0: "c:d:fg:kmPstTu:v?D:"). */
    private static final String WITH_ARG = "cdguD";

    /** Whether and how the FD has mapped a plugin file. */
    enum Mapped { YES, NO, REPLACED }

    /** Every bacula-fd below PROC (a /proc tree), by PID. */
    static List<RunningFd> all(Path proc) {
        List<RunningFd> found = new ArrayList<>();
        try (Stream<Path> s = Files.list(proc)) {
            for (Path p : s.filter(p -> p.getFileName().toString().matches("[0-9]+"))
                    .sorted(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString()))).toList()) {
                List<String> argv = argv(p.resolve("cmdline"));
                if (argv.isEmpty() || !baseName(argv.get(0)).equals("bacula-fd")) {
                    continue;
                }
                String conf = confOf(argv);
                if (!conf.startsWith("/")) {
                    try {
                        conf = Files.readSymbolicLink(p.resolve("cwd")).resolve(conf).normalize().toString();
                    } catch (IOException | UnsupportedOperationException e) {
                        // left relative
                    }
                }
                found.add(new RunningFd(Long.parseLong(p.getFileName().toString()), conf));
            }
        } catch (IOException e) {
            return List.of();
        }
        return found;
    }

    /** The -c argument of a bacula-fd command line, or the default configuration. */
    static String confOf(List<String> argv) {
        for (int i = 1; i < argv.size(); i++) {
            String a = argv.get(i);
            if (a.equals("--") || !a.startsWith("-") || a.length() < 2) {
                break;
            }
            for (int k = 1; k < a.length(); k++) {
                char c = a.charAt(k);
                if (WITH_ARG.indexOf(c) >= 0) {
                    String v = k + 1 < a.length() ? a.substring(k + 1) : i + 1 < argv.size() ? argv.get(++i) : "";
                    if (c == 'c') {
                        return v;
                    }
                    break;
                }
            }
        }
        return DEFAULT_CONF;
    }

    /**
     * Whether this FD (its maps below PROC) has SO mapped: YES, REPLACED when the mapped file has been replaced or
     * removed since it was loaded (the kernel shows " (deleted)"), NO otherwise. A chrooted FD's maps, read from
     * outside its root, show the path with the root in front, so a mapping counts when its path ends with SO.
     */
    Mapped maps(Path proc, Path so) {
        String want = so.toString();
        Mapped m = Mapped.NO;
        try {
            for (String line : Files.readAllLines(proc.resolve(Long.toString(pid)).resolve("maps"),
                    StandardCharsets.ISO_8859_1)) {
                String l = line.stripTrailing();
                if (l.endsWith(want) && boundary(l, want)) {
                    return Mapped.YES;
                }
                if (l.endsWith(want + " (deleted)") && boundary(l.substring(0, l.length() - 10), want)) {
                    m = Mapped.REPLACED;
                }
            }
        } catch (IOException e) {
            return Mapped.NO;
        }
        return m;
    }

    /** The path WANT at the end of L starts a path component there (not "/x/foo.so" for "/oo.so"). */
    private static boolean boundary(String l, String want) {
        int i = l.length() - want.length();
        return want.startsWith("/") || i == 0 || l.charAt(i - 1) == '/' || l.charAt(i - 1) == ' ';
    }

    private static List<String> argv(Path cmdline) {
        try {
            byte[] b = Files.readAllBytes(cmdline);
            List<String> a = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < b.length; i++) {
                if (b[i] == 0) {
                    a.add(new String(b, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            if (start < b.length) {
                a.add(new String(b, start, b.length - start, StandardCharsets.UTF_8));
            }
            return a;
        } catch (IOException e) {
            return List.of();
        }
    }

    private static String baseName(String s) {
        int i = s.lastIndexOf('/');
        return i < 0 ? s : s.substring(i + 1);
    }
}
