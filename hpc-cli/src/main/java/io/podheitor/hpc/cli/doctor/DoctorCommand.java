package io.podheitor.hpc.cli.doctor;

import io.podheitor.hpc.posix.Mounts;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code podheitor-hpc doctor}: checks an install on a File Daemon host and prints one line per check, either
 * {@code OK what} or {@code PROBLEM what: what to do}; exit status 1 when any check found a problem. The checks,
 * their order and the texts are in docs/doctor.md.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true,
        description = {"Check this host's podheitor-hpc install and bacula-fd: the plugin directory and"
                + " podheitor-hpc-fd.so, the FD's plugin interface and whether the running FD has loaded the plugin,"
                + " the backend, its Java runtime and a PTCOMM Hello, the spill and state"
                + " directories, and the anti-patterns (a path= at the root of a parallel file system, an FD on a"
                + " Lustre server or GPFS NSD server).",
                "Prints one 'OK ...' or 'PROBLEM ...: what to do' line per check; exit status 1 if any PROBLEM."})
public final class DoctorCommand implements Callable<Integer> {
    static final String DEFAULT_PLUGIN_DIR = "/usr/lib/bacula";
    static final String SO = "podheitor-hpc-fd.so";
    static final int MIN_JAVA = 22;

    @Spec
    CommandSpec spec;

    @Option(names = "--fd-conf", paramLabel = "FILE", defaultValue = "/etc/bacula/bacula-fd.conf",
            description = "the File Daemon's configuration (default: ${DEFAULT-VALUE}); its FileDaemon resource's"
                    + " Plugin Directory and WorkingDirectory are checked")
    Path fdConf;

    @Option(names = "--bacula-fd", paramLabel = "FILE",
            description = "the bacula-fd binary whose version is checked (default: bacula-fd on the tool path)")
    Path baculaFd;

    @Option(names = "--path", paramLabel = "P",
            description = "a plugin path= to check against the anti-patterns (repeatable)")
    List<String> paths = new ArrayList<>();

    @Option(names = "--fileset", paramLabel = "FILE",
            description = "a Director configuration file: the path= of each Plugin = \"podheitor-hpc:...\" line in it"
                    + " is checked like --path (repeatable)")
    List<Path> filesets = new ArrayList<>();

    @Option(names = "--backend", paramLabel = "FILE",
            description = "the backend launcher to check (default: the one compiled into the installed .so)")
    Path backend;

    @Option(names = "--spill-dir", paramLabel = "DIR", defaultValue = "/tmp",
            description = "the backend's spill directory, plugin key spill_dir (default: ${DEFAULT-VALUE})")
    Path spillDir;

    @Option(names = "--timeout", paramLabel = "S", defaultValue = "60",
            description = "seconds to wait for the backend's answer to Hello (default: ${DEFAULT-VALUE})")
    int timeout;

    @Option(names = "--root", paramLabel = "DIR", defaultValue = "/", hidden = true,
            description = "where /proc, /sys and /var/mmfs are looked up (tests: a fake tree)")
    Path root;

    @Option(names = "--tool-path", paramLabel = "DIRS", hidden = true,
            description = "where bacula-fd, lctl and mmlsnsd are looked up (default: $PATH, /usr/sbin, /sbin,"
                    + " /usr/lpp/mmfs/bin)")
    String toolPath;

    @Option(names = "--hostname", paramLabel = "NAME", hidden = true, description = "this host's name for mmlsnsd")
    String hostname;

    private PrintWriter out;
    private int ok;
    private int problems;

    private void ok(String what) {
        ok++;
        out.println("OK " + what);
        out.flush();
    }

    private void problem(String what, String todo) {
        problems++;
        out.println("PROBLEM " + what + ": " + todo);
        out.flush();
    }

    @Override
    public Integer call() {
        out = spec.commandLine().getOut();
        Path pluginDir = checkFdConf();
        Path so = checkPluginDir(pluginDir);
        PluginSo info = checkSo(so);
        checkInterface(info);
        checkLoaded(so);
        Path launcher = checkBackend(info);
        if (launcher != null) {
            Path top = launcherTop(launcher);
            checkRuntime(top);
            checkHello(launcher);
            checkCrashLogDir(top);
        }
        checkWritable("spill directory (plugin key spill_dir)", spillDir,
                "give the plugin string a spill_dir= that root can write, or fix " + spillDir);
        checkPaths();
        checkLustreServer();
        checkNsdServer();
        out.println("doctor: " + ok + " OK, " + problems + " PROBLEM");
        out.flush();
        return problems == 0 ? 0 : 1;
    }

    // ---------------------------------------------------------------- bacula-fd.conf, plugin dir, .so ----

    private Path fdWorkingDir;

    private Path checkFdConf() {
        String text;
        try {
            text = Files.readString(fdConf, StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            problem("cannot read " + fdConf + " (" + e.getMessage() + ")",
                    "give the File Daemon's configuration with --fd-conf FILE; checking the Debian plugin directory "
                            + DEFAULT_PLUGIN_DIR + " instead");
            return Path.of(DEFAULT_PLUGIN_DIR);
        }
        FdConf conf = FdConf.parse(text);
        if (conf == null) {
            problem(fdConf + " has no FileDaemon resource", "is it the File Daemon's configuration? (--fd-conf FILE)");
            return Path.of(DEFAULT_PLUGIN_DIR);
        }
        String wd = conf.get("WorkingDirectory");
        fdWorkingDir = wd == null ? null : Path.of(wd);
        String pd = conf.get("Plugin Directory");
        if (pd == null || pd.isBlank()) {
            problem(fdConf + " sets no Plugin Directory in its FileDaemon resource (bacula-fd then loads no plugin)",
                    "add 'Plugin Directory = " + DEFAULT_PLUGIN_DIR + "' to the FileDaemon resource and restart"
                            + " bacula-fd");
            return null;
        }
        ok(fdConf + ": Plugin Directory = " + pd);
        return Path.of(pd);
    }

    private Path checkPluginDir(Path dir) {
        if (dir == null) {
            return null;
        }
        if (!Files.isDirectory(dir)) {
            problem("plugin directory " + dir + " does not exist", "install the podheitor-hpc package (or"
                    + " scripts/install.sh PREFIX " + dir + ")");
            return null;
        }
        String why = Ownership.problem(dir, true);
        if (why != null) {
            problem("plugin directory " + dir + ": " + why + " (whoever can write there chooses the code bacula-fd"
                    + " runs as root)", "make it and the directories above it root's and not group/other-writable");
        } else {
            ok("plugin directory " + dir + " (root's, not writable by others)");
        }
        Path so = dir.resolve(SO);
        if (Files.isSymbolicLink(so)) {
            problem(so + " is a symbolic link (bacula-fd skips symlinked plugins, docs/abi.md §1.1)",
                    "copy the file there instead (make -C shim-c install does)");
            return so;
        }
        if (!Files.isRegularFile(so, LinkOption.NOFOLLOW_LINKS)) {
            problem(so + " is missing", "install the podheitor-hpc package, or scripts/install.sh PREFIX " + dir
                    + ", then restart bacula-fd");
            return null;
        }
        why = Ownership.problem(so, true);
        if (why != null) {
            problem(so + ": " + why, "chown root:root and chmod 0644 it");
        } else {
            ok(so + " (root's, not writable by others)");
        }
        return so;
    }

    private PluginSo checkSo(Path so) {
        if (so == null || !Files.isRegularFile(so)) {
            return null;
        }
        try {
            PluginSo info = PluginSo.read(so);
            if (info.interfaces().isEmpty()) {
                problem(so + " does not say which plugin interfaces it accepts (built before doctor existed)",
                        "install a current podheitor-hpc build");
            }
            return info;
        } catch (IOException e) {
            problem("cannot read " + so + " (" + e.getMessage() + ")", "run doctor as root");
            return null;
        }
    }

    private void checkInterface(PluginSo info) {
        Path fd = baculaFd != null ? baculaFd : tool("bacula-fd").orElse(null);
        if (fd == null) {
            problem("bacula-fd not found (looked in " + toolDirs() + ")",
                    "install bacula-fd (apt-get install bacula-fd), or name it with --bacula-fd FILE");
            return;
        }
        String banner = run(List.of(fd.toString(), "-?"), 20);
        FdVersion v = banner == null ? null : FdVersion.fromBanner(banner);
        if (v == null) {
            problem("cannot tell the version of " + fd + " (" + fd + " -? printed no 'Version:' line)",
                    "check that it is a bacula-fd binary");
            return;
        }
        int iface = v.pluginInterface();
        if (iface == 0) {
            problem("bacula-fd " + v.release() + " (" + fd + "): plugin interface unknown to this doctor"
                    + " (docs/abi.md §0.2 knows 9.0 to 15.0)" + (info == null || info.interfaces().isEmpty() ? ""
                    : "; whether it loads " + SO + " (which accepts " + info.interfacesText() + ") only the running"
                    + " FD shows (the next line)"), "use a supported Bacula release");
            return;
        }
        ok("bacula-fd " + v.text() + " (" + fd + ") offers plugin interface " + iface);
        if (info == null || info.interfaces().isEmpty()) {
            return;
        }
        if (info.interfaces().contains(iface)) {
            ok(SO + " accepts interface " + iface + " (it accepts " + info.interfacesText() + ")");
        } else {
            rejected = iface;
            problem(SO + " REJECTS plugin interface " + iface + " of bacula-fd " + v.release() + " (it accepts "
                    + info.interfacesText() + "): bacula-fd does not load it and logs nothing about it, and every"
                    + " job naming it fails (\"Command plugin ... not found\")",
                    "install a podheitor-hpc build that supports interface " + iface + " (docs/abi.md §0.2)");
        }
    }

    /** The FD's interface when the .so rejects it (0: accepted, or not known). */
    private int rejected;

    /**
     * Whether the running bacula-fd of this configuration has the .so mapped: the one sure sign that it loaded
     * the plugin (a plugin that refuses the FD's interface is closed again without a word, docs/abi.md §1.4).
     */
    private void checkLoaded(Path so) {
        if (so == null || !Files.isRegularFile(so, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Path proc = under("proc");
        String conf = fdConf.toAbsolutePath().normalize().toString();
        List<RunningFd> fds = RunningFd.all(proc);
        List<RunningFd> ours = fds.stream().filter(f -> Path.of(f.conf()).normalize().toString().equals(conf))
                .toList();
        if (ours.isEmpty()) {
            if (fds.isEmpty()) {
                problem("bacula-fd is not running (no process started with " + conf + "), so nothing has loaded "
                        + so, "start it (systemctl start bacula-fd): it loads its plugins when it starts");
            } else {
                problem("no running bacula-fd uses " + conf + " (running: " + String.join("; ", fds.stream()
                        .map(f -> "pid " + f.pid() + " with " + f.conf()).toList()) + ")",
                        "start the FD of " + conf + ", or give the running FD's configuration with --fd-conf FILE");
            }
            return;
        }
        for (RunningFd f : ours) {
            String who = "bacula-fd pid " + f.pid();
            switch (f.maps(proc, so)) {
                case YES -> ok(who + " has loaded " + so);
                case REPLACED -> problem(who + " runs a copy of " + so + " that has since been replaced or removed",
                        "restart bacula-fd (systemctl restart bacula-fd): it loads its plugins only when it starts");
                case NO -> {
                    if (rejected != 0) {
                        problem(who + " has not loaded " + so + ": the .so rejected its plugin interface " + rejected
                                + " (above), and bacula-fd says nothing when a plugin refuses to load",
                                "install a podheitor-hpc build that supports interface " + rejected
                                        + ", then restart bacula-fd");
                    } else {
                        problem(who + " has not loaded " + so + " (it started before the .so was installed, or"
                                + " could not load it: bacula-fd logs a dlopen error, but says nothing when the .so"
                                + " refuses its plugin interface)", "restart bacula-fd (systemctl restart bacula-fd);"
                                + " if it still does not load it, read bacula-fd's log and the lines above");
                    }
                }
                default -> throw new IllegalStateException();
            }
        }
    }

    // ---------------------------------------------------------------- backend, runtime, Hello ----

    private Path checkBackend(PluginSo info) {
        Path b = backend;
        if (b == null && info != null && info.backend() != null) {
            b = Path.of(info.backend());
        }
        if (b == null) {
            problem("no backend launcher to check (" + (info == null ? "there is no podheitor-hpc-fd.so to read it from"
                    : "the .so names none: a build before doctor existed") + ")",
                    "install the podheitor-hpc package, or name the launcher with --backend FILE");
            return null;
        }
        if (!Files.isRegularFile(b)) {
            problem("backend launcher " + b + " (the .so's default backend) does not exist",
                    "reinstall the podheitor-hpc package, or rebuild the .so with DEFAULT_BACKEND of this install");
            return null;
        }
        if (!Files.isExecutable(b)) {
            problem("backend launcher " + b + " is not executable", "chmod 0755 it");
            return null;
        }
        String why = Ownership.problem(b, false);
        if (why != null) {
            problem("the plugin refuses to run backend " + b + " as root: " + why + " (docs/security.md)",
                    "make it and every directory above it root's and not group/other-writable (not below /tmp)");
            return b;
        }
        ok("backend " + b + " (root's, not writable by others, up to /)");
        return b;
    }

    /** PREFIX of an install (PREFIX/bin/podheitor-hpc-backend) or the checkout of bin/podheitor-hpc-backend. */
    private static Path launcherTop(Path launcher) {
        Path real;
        try {
            real = launcher.toRealPath();
        } catch (IOException e) {
            real = launcher.toAbsolutePath();
        }
        Path bin = real.getParent();
        return bin != null && bin.getParent() != null ? bin.getParent() : Path.of("/");
    }

    private static boolean installed(Path top) {
        return Files.isRegularFile(top.resolve("lib/hpc-backend.jar"));
    }

    private void checkRuntime(Path top) {
        Path jh = installed(top) ? top.resolve("java.home") : top.resolve("build/java.home");
        String home = firstLine(jh);
        if (home == null) {
            problem(jh + " is missing: the launcher falls back to $JAVA_HOME, which bacula-fd's environment"
                    + " usually lacks", installed(top) ? "reinstall the podheitor-hpc package" : "run scripts/build.sh");
            return;
        }
        Path java = Path.of(home, "bin", "java");
        if (!Files.isExecutable(java)) {
            problem("Java runtime " + home + " (from " + jh + ") has no bin/java",
                    "reinstall the podheitor-hpc package (it brings its runtime), or point " + jh
                            + " at a Java >= " + MIN_JAVA);
            return;
        }
        String version = releaseField(Path.of(home, "release"), "JAVA_VERSION");
        int major = major(version);
        if (major < MIN_JAVA) {
            problem("Java runtime " + home + " is Java " + (version == null ? "of unknown version" : version)
                    + ", the backend needs " + MIN_JAVA + " or newer", "reinstall the podheitor-hpc package");
            return;
        }
        boolean image = !Files.exists(Path.of(home, "bin", "javac"));
        String modules = releaseField(Path.of(home, "release"), "MODULES");
        int nmod = modules == null ? 0 : modules.split("\\s+").length;
        ok("Java runtime " + home + " (Java " + version + (image ? ", a runtime image of " + nmod + " modules" : ", a JDK")
                + ")");
    }

    private void checkHello(Path launcher) {
        BackendProbe.Result r = BackendProbe.hello(launcher, timeout * 1000L);
        if (r.problem() != null) {
            problem("backend " + launcher + ": " + r.problem(), "run it by hand to see why, as root: echo | " + launcher);
        } else {
            ok(String.format(Locale.ROOT, "backend answered Hello in %.2f s (PTCOMM protocol 1)", r.seconds()));
        }
    }

    private void checkCrashLogDir(Path top) {
        Path dir;
        if (installed(top)) {
            String named = firstLine(top.resolve("log.dir"));
            dir = named != null ? Path.of(named) : top.resolve("var/log");
        } else {
            dir = top.resolve("build/log");
        }
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            problem("the backend's crash-log directory " + dir + " does not exist (the JVM's fatal error log would"
                    + " go to bacula-fd's working directory)", "create it: install -d -m 0700 " + dir);
            return;
        }
        try {
            int mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS);
            int uid = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            if (Files.isSymbolicLink(dir) || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS) || uid != 0
                    || (mode & 077) != 0) {
                problem("the backend's crash-log directory " + dir + " is not a 0700 directory of root's"
                        + String.format(" (uid %d, mode %04o)", uid, mode & 07777)
                        + ", so the launcher does not use it (docs/security.md)",
                        "rm it and run: install -d -m 0700 -o root -g root " + dir);
                return;
            }
        } catch (IOException e) {
            problem("cannot examine " + dir + " (" + e.getMessage() + ")", "run doctor as root");
            return;
        }
        ok("crash-log directory " + dir + " (0700, root's)");
    }

    private void checkWritable(String what, Path dir, String todo) {
        if (!Files.isDirectory(dir)) {
            problem(what + " " + dir + " does not exist", todo);
            return;
        }
        try {
            Path t = Files.createTempFile(dir, ".podheitor-hpc-doctor", ".tmp");
            Files.delete(t);
            ok(what + " " + dir + " is writable");
        } catch (IOException e) {
            problem(what + " " + dir + " is not writable (" + e.getMessage() + ")", todo);
        }
    }

    // ---------------------------------------------------------------- anti-patterns ----

    private void checkPaths() {
        if (fdWorkingDir != null) {
            checkWritable("bacula-fd WorkingDirectory", fdWorkingDir, "create it, root's, mode 0750");
        }
        List<String> all = new ArrayList<>(paths);
        for (Path f : filesets) {
            try {
                List<String> found = PluginStrings.paths(Files.readString(f, StandardCharsets.ISO_8859_1));
                if (found.isEmpty()) {
                    problem(f + " has no Plugin = \"podheitor-hpc:...\" line with a path=", "give the FileSet's"
                            + " configuration file, or the paths with --path P");
                }
                all.addAll(found);
            } catch (IOException e) {
                problem("cannot read " + f + " (" + e.getMessage() + ")", "give a readable Director configuration");
            }
        }
        if (all.isEmpty()) {
            return;
        }
        List<Mounts.Mount> mounts;
        Path mountinfo = under("proc/self/mountinfo");
        try {
            mounts = Mounts.read(mountinfo);
        } catch (IOException e) {
            problem("cannot read " + mountinfo + " (" + e.getMessage() + ")", "run doctor on the FD host itself");
            return;
        }
        for (String p : all) {
            byte[] b = p.getBytes(StandardCharsets.UTF_8);
            Optional<Mounts.Mount> m = Mounts.parallelRootAt(mounts, b);
            if (m.isPresent()) {
                problems++;
                out.println("PROBLEM " + Mounts.rootWarning(b, m.get()));
                out.flush();
            } else {
                ok("path=" + p + " is not the root of a parallel file system");
            }
        }
    }

    private void checkLustreServer() {
        List<String> found = new ArrayList<>();
        Optional<Path> lctl = tool("lctl");
        if (lctl.isPresent()) {
            String dl = run(List.of(lctl.get().toString(), "dl"), 20);
            if (dl != null) {
                found.addAll(StorageServer.lustreServerDevices(dl));
            }
        }
        for (String d : List.of("proc/fs/lustre/obdfilter", "proc/fs/lustre/mdt", "sys/fs/lustre/obdfilter",
                "sys/fs/lustre/mdt")) {
            Path p = under(d);
            if (nonEmptyDir(p)) {
                found.add((d.endsWith("obdfilter") ? "OSS" : "MDS") + " (" + p + ")");
            }
        }
        if (!found.isEmpty()) {
            problem("this host is a Lustre server: " + String.join(", ", found.stream().distinct().toList())
                    + " (whitepaper anti-pattern: the FD and its walk compete with the server's own I/O and metadata"
                    + " service)", "run bacula-fd with the plugin on a Lustre client (a login or data-mover node)");
        } else {
            ok("not a Lustre server (" + (lctl.isPresent() ? "lctl dl lists no obdfilter/mdt/mgs device"
                    : "no lctl") + ", no server devices under /proc/fs/lustre or /sys/fs/lustre)");
        }
    }

    private void checkNsdServer() {
        Optional<Path> mmlsnsd = tool("mmlsnsd");
        if (mmlsnsd.isEmpty()) {
            ok("not a GPFS NSD server (no mmlsnsd: GPFS is not installed)");
            return;
        }
        String host = hostname != null ? hostname : firstLine(under("proc/sys/kernel/hostname"));
        if (host == null) {
            host = "localhost";
        }
        String table = run(List.of(mmlsnsd.get().toString()), 60);
        if (table == null) {
            problem(mmlsnsd.get() + " failed", "run it by hand to see why");
            return;
        }
        List<String> nsds = StorageServer.nsdsServedBy(table, host);
        if (!nsds.isEmpty()) {
            problem("this host (" + host + ") is a GPFS NSD server of " + String.join(", ", nsds)
                    + " (whitepaper anti-pattern: the FD and its walk compete with the NSD service)",
                    "run bacula-fd with the plugin on a GPFS client node that serves no NSD");
        } else {
            ok("not a GPFS NSD server (mmlsnsd names " + host + " for no NSD)");
        }
    }

    // ---------------------------------------------------------------- helpers ----

    private Path under(String rel) {
        return root.resolve(rel);
    }

    private static boolean nonEmptyDir(Path p) {
        if (!Files.isDirectory(p)) {
            return false;
        }
        try (var s = Files.list(p)) {
            return s.findAny().isPresent();
        } catch (IOException e) {
            return false;
        }
    }

    private List<String> toolDirs() {
        String path = toolPath != null ? toolPath
                : Optional.ofNullable(System.getenv("PATH")).orElse("") + ":/usr/sbin:/sbin:/usr/lpp/mmfs/bin";
        List<String> dirs = new ArrayList<>();
        for (String d : path.split(":")) {
            if (!d.isEmpty() && !dirs.contains(d)) {
                dirs.add(d);
            }
        }
        return dirs;
    }

    private Optional<Path> tool(String name) {
        for (String d : toolDirs()) {
            Path p = Path.of(d, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** stdout and stderr of CMD (whatever its exit status), or null if it could not run or timed out. */
    static String run(List<String> cmd, int timeoutSeconds) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.redirectErrorStream(true);
            pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            Process p = pb.start();
            CompletableFuture<byte[]> text = CompletableFuture.supplyAsync(() -> {
                try (InputStream in = p.getInputStream()) {
                    return in.readAllBytes();
                } catch (IOException e) {
                    return new byte[0];
                }
            }, BackendProbe.THREADS);
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return null;
            }
            return new String(text.get(5, TimeUnit.SECONDS), StandardCharsets.UTF_8);
        } catch (Exception e) {
            return null;
        }
    }

    private static String firstLine(Path p) {
        try {
            List<String> l = Files.readAllLines(p, StandardCharsets.UTF_8);
            return l.isEmpty() || l.get(0).isBlank() ? null : l.get(0).strip();
        } catch (IOException e) {
            return null;
        }
    }

    private static String releaseField(Path release, String key) {
        try {
            for (String l : Files.readAllLines(release, StandardCharsets.UTF_8)) {
                if (l.startsWith(key + "=")) {
                    String v = l.substring(key.length() + 1).strip();
                    return v.startsWith("\"") && v.endsWith("\"") && v.length() >= 2 ? v.substring(1, v.length() - 1) : v;
                }
            }
        } catch (IOException e) {
            // no release file
        }
        return null;
    }

    private static int major(String version) {
        if (version == null) {
            return 0;
        }
        String v = version.startsWith("1.") ? version.substring(2) : version;
        int i = 0;
        while (i < v.length() && Character.isDigit(v.charAt(i))) {
            i++;
        }
        return i == 0 ? 0 : Integer.parseInt(v.substring(0, i));
    }
}
