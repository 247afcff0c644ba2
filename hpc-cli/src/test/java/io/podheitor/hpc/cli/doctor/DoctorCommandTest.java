package io.podheitor.hpc.cli.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.cli.PodheitorCli;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code podheitor-hpc doctor} against fake installs: a bacula-fd.conf, a plugin directory with a file that carries
 * the .so's strings (shim-c/interfaces.c), a fake backend speaking PTCOMM Hello, and fake bacula-fd, lctl and
 * mmlsnsd printing the real tools' formats; /proc and /sys come from a fake tree (--root). The install lives below
 * target/ (not /tmp: the plugin never runs a backend below an other-writable directory), so the test needs a
 * checkout whose directories are root's and runs as root (as CI does); otherwise it is skipped.
 */
class DoctorCommandTest {
    Path base;
    Path tools;
    Path fakeRoot;

    @BeforeEach
    void setUp() throws IOException {
        Path target = Path.of("target").toAbsolutePath();
        Files.createDirectories(target);
        base = Files.createTempDirectory(target, "doctor-");
        Files.setPosixFilePermissions(base, PosixFilePermissions.fromString("rwxr-xr-x"));
        Assumptions.assumeTrue(Ownership.problem(base, false) == null,
                "the checkout is not in directories only root can write: " + Ownership.problem(base, false));
        tools = dir("tools");
        fakeRoot = dir("root");
        write(fakeRoot.resolve("proc/self/mountinfo"), """
                22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
                40 22 0:40 / /lustre rw,relatime shared:20 - lustre 10.0.0.1@o2ib:/lfs1 rw,flock
                """);
        write(fakeRoot.resolve("proc/sys/kernel/hostname"), "fd1\n");
    }

    @AfterEach
    void tearDown() throws IOException {
        if (base != null) {
            try (Stream<Path> s = Files.walk(base)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private Path dir(String rel) throws IOException {
        Path d = base.resolve(rel);
        Files.createDirectories(d);
        return d;
    }

    private static void deleteTree(Path top) throws IOException {
        if (!Files.exists(top)) {
            return;
        }
        try (Stream<Path> s = Files.walk(top)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    private static void write(Path p, String text) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    private static void script(Path p, String body) throws IOException {
        write(p, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private void fakeBaculaFd(String version) throws IOException {
        script(tools.resolve("bacula-fd"), "printf 'Copyright (C) 2000-2020 Kern Sibbald.\\n\\nVersion: " + version
                + "\\n\\nUsage: bacula-fd [-f -s] [-c config_file] [-d debug_level]\\n'\nexit 1\n");
    }

    /** The current list of shim-c/interfaces.c. */
    static final String ACCEPTS = "14,21,22,23";

    /** A running bacula-fd in the fake /proc: its command line and, when SO is not null, SO in its maps. */
    private void runningFd(long pid, String cmdline, String so) throws IOException {
        Path p = fakeRoot.resolve("proc/" + pid);
        Files.createDirectories(p);
        Files.write(p.resolve("cmdline"), (cmdline.replace(' ', '\0') + "\0").getBytes(StandardCharsets.UTF_8));
        write(p.resolve("maps"), """
                55d0c0a00000-55d0c0a2a000 r--p 00000000 08:01 1048610                    /usr/sbin/bacula-fd
                7f3a1c000000-7f3a1c021000 rw-p 00000000 00:00 0
                """ + (so == null ? "" : "7f3a1d200000-7f3a1d204000 r-xp 00002000 08:01 1050001                    "
                + so + "\n") + """
                7f3a1d400000-7f3a1d428000 r--p 00000000 08:01 1049001                    /usr/lib/x86_64-linux-gnu/libc.so.6
                7ffd5e3f2000-7ffd5e413000 rw-p 00000000 00:00 0                          [stack]
                """);
    }

    /** A healthy install: returns the path of the .so. */
    private Path install(String interfaces) throws IOException {
        Path prefix = dir("prefix");
        Path backendPath = prefix.resolve("bin/podheitor-hpc-backend");
        // the Hello frame is 8 + 21 bytes; answer, then wait for T
        script(backendPath, "head -c 29 >/dev/null\nprintf 'C000014\\nHello Bacula 1'\nhead -c 8 >/dev/null\nexit 0\n");
        write(prefix.resolve("lib/hpc-backend.jar"), "");
        write(prefix.resolve("java.home"), System.getProperty("java.home") + "\n");
        Path log = dir("log");
        Files.setPosixFilePermissions(log, PosixFilePermissions.fromString("rwx------"));
        write(prefix.resolve("log.dir"), log + "\n");
        Path plugins = dir("plugins");
        Path so = plugins.resolve("podheitor-hpc-fd.so");
        byte[] junk = "\u007fELF junk\0".getBytes(StandardCharsets.US_ASCII);
        String strings = (interfaces == null ? "" : "PODHEITOR_HPC_FD_INTERFACES=" + interfaces + "\0")
                + "PODHEITOR_HPC_FD_BACKEND=" + backendPath + "\0more junk";
        Files.write(so, junk);
        Files.write(so, strings.getBytes(StandardCharsets.UTF_8), java.nio.file.StandardOpenOption.APPEND);
        Files.setPosixFilePermissions(so, PosixFilePermissions.fromString("rw-r--r--"));
        dir("work");
        write(base.resolve("bacula-fd.conf"), """
                # generated for DoctorCommandTest
                Director {
                  Name = d1-dir
                  Password = "x#y"   # a hash inside quotes is no comment
                }
                FileDaemon {                          # this is the one
                  Name = fd1-fd
                  FDport = 9102
                  WorkingDirectory = "%s"
                  Pid Directory = /run/bacula
                  Maximum Concurrent Jobs = 20
                  Plugin Directory = "%s"
                }
                Messages {
                  Name = Standard
                  director = d1-dir = all, !skipped, !restored
                }
                """.formatted(base.resolve("work"), plugins));
        fakeBaculaFd("9.6.7 (10 December 2020)");
        runningFd(4242, "/usr/sbin/bacula-fd -fP -c " + base.resolve("bacula-fd.conf"), so.toString());
        runningFd(4343, "/usr/sbin/bacula-fd -f -c /tmp/other/bacula-fd.conf", null);   // another FD: not ours
        script(tools.resolve("lctl"), """
                cat <<'EOF'
                  0 UP mgc MGC10.0.0.1@o2ib 3a5d9b8c-47f1-2f6e-0d3c-5e1f6a7b8c9d 4
                  1 UP lov lfs1-clilov-ffff8f0a2b3c4000 6c1d2e3f-0a1b-2c3d-4e5f-60718293a4b5 3
                  2 UP lmv lfs1-clilmv-ffff8f0a2b3c4000 6c1d2e3f-0a1b-2c3d-4e5f-60718293a4b5 4
                  3 UP mdc lfs1-MDT0000-mdc-ffff8f0a2b3c4000 6c1d2e3f-0a1b-2c3d-4e5f-60718293a4b5 4
                  4 UP osc lfs1-OST0000-osc-ffff8f0a2b3c4000 6c1d2e3f-0a1b-2c3d-4e5f-60718293a4b5 4
                EOF
                """);
        script(tools.resolve("mmlsnsd"), """
                cat <<'EOF'

                 File system   Disk name    NSD servers
                ---------------------------------------------------------------------------
                 gpfs1         nsd1         nsd01.example.com,nsd02.example.com
                 gpfs1         nsd2         nsd02.example.com,nsd01.example.com
                 (free disk)   nsd3         (directly attached)

                EOF
                """);
        return so;
    }

    private record Run(int status, List<String> lines, String err) {
        boolean has(String prefix) {
            return lines.stream().anyMatch(l -> l.startsWith(prefix));
        }

        String all() {
            return String.join("\n", lines) + "\n" + err;
        }
    }

    private Run doctor(String... extra) {
        List<String> args = new ArrayList<>(List.of("doctor", "--fd-conf", base.resolve("bacula-fd.conf").toString(),
                "--tool-path", tools.toString(), "--root", fakeRoot.toString(), "--spill-dir", base.toString(),
                "--timeout", "20"));
        args.addAll(List.of(extra));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new PodheitorCli());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int rc = cl.execute(args.toArray(String[]::new));
        return new Run(rc, out.toString().lines().toList(), err.toString());
    }

    @Test
    void aHealthyInstallIsAllOk() throws IOException {
        Path so = install(ACCEPTS);
        Path fileset = base.resolve("bacula-dir.conf");
        write(fileset, """
                FileSet {
                  Name = "scratch"
                  Include {
                    Options { signature = MD5 }
                    Plugin = "podheitor-hpc:path=/lustre/projectA;threads=16"
                  }
                }
                """);
        Run r = doctor("--fileset", fileset.toString(), "--path", "/lustre/projectB");
        assertEquals(0, r.status(), r.all());
        assertFalse(r.has("PROBLEM"), r.all());
        for (String want : List.of("OK " + base.resolve("bacula-fd.conf") + ": Plugin Directory = ",
                "OK plugin directory ", "OK " + base.resolve("plugins/podheitor-hpc-fd.so"),
                "OK bacula-fd 9.6.7 (10 December 2020) (", "OK podheitor-hpc-fd.so accepts interface 14 (it accepts 14,21,22,23)",
                "OK bacula-fd pid 4242 has loaded " + so,
                "OK backend " + base.resolve("prefix/bin/podheitor-hpc-backend"), "OK Java runtime ",
                "OK backend answered Hello in ", "OK crash-log directory " + base.resolve("log"),
                "OK spill directory (plugin key spill_dir) " + base + " is writable",
                "OK bacula-fd WorkingDirectory ", "OK path=/lustre/projectB is not the root",
                "OK path=/lustre/projectA is not the root", "OK not a Lustre server (lctl dl lists no",
                "OK not a GPFS NSD server (mmlsnsd names fd1 for no NSD)", "doctor: ")) {
            assertTrue(r.has(want), "no line starting with '" + want + "' in:\n" + r.all());
        }
        assertEquals("doctor: 16 OK, 0 PROBLEM", r.lines().getLast(), r.all());
    }

    @Test
    void aBrokenInstallHasOneProblemLinePerFault() throws IOException {
        Path so = install(null);                               // a .so built before the strings existed
        deleteTree(fakeRoot.resolve("proc/4242"));             // only the other FD runs
        Files.setPosixFilePermissions(so.getParent(), PosixFilePermissions.fromString("rwxrwxr-x"));
        Files.delete(base.resolve("prefix/java.home"));
        Files.delete(base.resolve("log"));
        fakeBaculaFd("15.0.3 (25 March 2025)");
        Path bad = base.resolve("prefix/bin/other-backend");
        script(bad, "head -c 29 >/dev/null\nprintf 'C000005\\nHello'\nexit 3\n");
        script(tools.resolve("lctl"), """
                cat <<'EOF'
                  0 UP osd-ldiskfs lfs1-OST0000-osd lfs1-OST0000-osd_UUID 5
                  1 UP mgc MGC10.0.0.1@o2ib 3a5d9b8c-47f1-2f6e-0d3c-5e1f6a7b8c9d 4
                  2 UP ost OSS OSS_uuid 3
                  3 UP obdfilter lfs1-OST0000 lfs1-OST0000_UUID 5
                EOF
                """);
        Run r = doctor("--backend", bad.toString(), "--path", "/lustre/", "--hostname", "nsd02.example.com");
        assertEquals(1, r.status(), r.all());
        for (String want : List.of(
                "PROBLEM plugin directory " + so.getParent() + ": " + so.getParent() + " is group-writable (mode 0775)",
                "PROBLEM " + so + " does not say which plugin interfaces it accepts",
                "PROBLEM no running bacula-fd uses " + base.resolve("bacula-fd.conf")
                        + " (running: pid 4343 with /tmp/other/bacula-fd.conf)",
                "OK bacula-fd 15.0.3 (25 March 2025) (",
                "PROBLEM " + base.resolve("prefix/java.home") + " is missing",
                "PROBLEM backend " + bad + ": wrong answer to Hello: C Hello",
                "PROBLEM the backend's crash-log directory " + base.resolve("log") + " does not exist",
                "PROBLEM path=/lustre is the root of a lustre file system (10.0.0.1@o2ib:/lfs1)",
                "PROBLEM this host is a Lustre server: OSS (ost OSS), OSS (obdfilter lfs1-OST0000)",
                "PROBLEM this host (nsd02.example.com) is a GPFS NSD server of gpfs1/nsd1, gpfs1/nsd2")) {
            assertTrue(r.has(want), "no line starting with '" + want + "' in:\n" + r.all());
        }
        assertTrue(r.lines().stream().filter(l -> l.startsWith("PROBLEM")).allMatch(l -> l.contains(": ")), r.all());
    }

    /**
     * A rejected interface is never silent: the interface line says REJECTS, and the running FD, which has not mapped
     * the .so (bacula-fd closes a plugin whose loadPlugin refused its version without a word), gets its own line.
     */
    @Test
    void aPluginThatRejectsTheFdsInterfaceIsAProblem() throws IOException {
        Path so = install("14,21,22");                        // a build before interface 23
        fakeBaculaFd("15.0.3 (25 March 2025)");
        runningFd(4242, "/usr/sbin/bacula-fd -fP -c " + base.resolve("bacula-fd.conf"), null);
        Run r = doctor();
        assertEquals(1, r.status(), r.all());
        assertTrue(r.has("OK bacula-fd 15.0.3 (25 March 2025) (" + tools.resolve("bacula-fd")
                + ") offers plugin interface 23"), r.all());
        assertTrue(r.has("PROBLEM podheitor-hpc-fd.so REJECTS plugin interface 23 of bacula-fd 15.0.3 (it accepts"
                + " 14,21,22): bacula-fd does not load it and logs nothing about it, and every job naming it fails"
                + " (\"Command plugin ... not found\"): install a podheitor-hpc build that supports interface 23"), r.all());
        assertTrue(r.has("PROBLEM bacula-fd pid 4242 has not loaded " + so + ": the .so rejected its plugin interface"
                + " 23 (above), and bacula-fd says nothing when a plugin refuses to load"), r.all());
        assertEquals("doctor: 12 OK, 2 PROBLEM", r.lines().getLast(), r.all());

        // the current list and an FD older than any it serves (9.0.0-9.0.5: interface 13)
        install(ACCEPTS);
        fakeBaculaFd("9.0.3 (19 August 2017)");
        runningFd(4242, "/usr/sbin/bacula-fd -fP -c " + base.resolve("bacula-fd.conf"), null);
        r = doctor();
        assertEquals(1, r.status(), r.all());
        assertTrue(r.has("PROBLEM podheitor-hpc-fd.so REJECTS plugin interface 13 of bacula-fd 9.0.3 (it accepts"
                + " 14,21,22,23)"), r.all());
        assertTrue(r.has("PROBLEM bacula-fd pid 4242 has not loaded " + so + ": the .so rejected its plugin interface"
                + " 13"), r.all());

        // 15.0.3 with the current list, loaded
        install(ACCEPTS);                                     // (install puts back a 9.6.7 bacula-fd)
        fakeBaculaFd("15.0.3 (25 March 2025)");
        r = doctor();
        assertTrue(r.has("OK bacula-fd 15.0.3 (25 March 2025) ("), r.all());
        assertTrue(r.has("OK podheitor-hpc-fd.so accepts interface 23 (it accepts 14,21,22,23)"), r.all());
        assertTrue(r.has("OK bacula-fd pid 4242 has loaded " + so), r.all());
        assertEquals(0, r.status(), r.all());

        // a release doctor does not know: the running FD's map decides
        fakeBaculaFd("17.0.1 (1 January 2027)");
        runningFd(4242, "/usr/sbin/bacula-fd -fP -c " + base.resolve("bacula-fd.conf"), null);
        r = doctor();
        assertTrue(r.has("PROBLEM bacula-fd 17.0.1 (" + tools.resolve("bacula-fd") + "): plugin interface unknown"
                + " to this doctor (docs/abi.md §0.2 knows 9.0 to 15.0); whether it loads podheitor-hpc-fd.so (which"
                + " accepts 14,21,22,23) only the running FD shows (the next line)"), r.all());
        assertTrue(r.has("PROBLEM bacula-fd pid 4242 has not loaded " + so + " (it started before the .so was"
                + " installed, or could not load it"), r.all());
    }

    /** The running FD: not running at all, running a replaced .so, found by a relative or a combined -c. */
    @Test
    void theRunningFdIsFoundByItsConfiguration() throws IOException {
        Path so = install(ACCEPTS);
        deleteTree(fakeRoot.resolve("proc/4242"));
        deleteTree(fakeRoot.resolve("proc/4343"));
        Run r = doctor();
        assertEquals(1, r.status(), r.all());
        assertTrue(r.has("PROBLEM bacula-fd is not running (no process started with " + base.resolve("bacula-fd.conf")
                + "), so nothing has loaded " + so + ": start it"), r.all());
        runningFd(77, "/usr/sbin/bacula-fd -fPc " + base.resolve("bacula-fd.conf"), so + " (deleted)");
        r = doctor();
        assertTrue(r.has("PROBLEM bacula-fd pid 77 runs a copy of " + so + " that has since been replaced or"
                + " removed: restart bacula-fd"), r.all());
        runningFd(77, "/usr/sbin/bacula-fd -f -d 100 -c " + base.resolve("bacula-fd.conf"), "/elsewhere" + so);
        r = doctor();
        assertTrue(r.has("OK bacula-fd pid 77 has loaded " + so), r.all());   // a chrooted FD, seen from outside

        assertEquals("/etc/bacula/bacula-fd.conf", RunningFd.confOf(List.of("/usr/sbin/bacula-fd", "-fP")));
        assertEquals("/x.conf", RunningFd.confOf(List.of("bacula-fd", "-d", "50", "-c", "/x.conf")));
        assertEquals("/x.conf", RunningFd.confOf(List.of("bacula-fd", "-fPc/x.conf")));
        assertEquals("/x.conf", RunningFd.confOf(List.of("bacula-fd", "-fPc", "/x.conf")));
        assertEquals("/etc/bacula/bacula-fd.conf", RunningFd.confOf(List.of("bacula-fd", "-d", "-c")));
    }

    @Test
    void aMissingConfigOrPluginDirectoryAndAnMdsAreProblems() throws IOException {
        install(ACCEPTS);
        write(base.resolve("bacula-fd.conf"), "FileDaemon {\n  Name = fd1-fd\n}\n");
        Files.createDirectories(fakeRoot.resolve("proc/fs/lustre/mdt/lfs1-MDT0000"));
        Files.delete(tools.resolve("lctl"));
        Run r = doctor();
        assertEquals(1, r.status(), r.all());
        assertTrue(r.has("PROBLEM " + base.resolve("bacula-fd.conf") + " sets no Plugin Directory"), r.all());
        assertTrue(r.has("PROBLEM this host is a Lustre server: MDS (" + fakeRoot.resolve("proc/fs/lustre/mdt")), r.all());
        Files.delete(base.resolve("bacula-fd.conf"));
        r = doctor();
        assertTrue(r.has("PROBLEM cannot read " + base.resolve("bacula-fd.conf")), r.all());
    }

    @Test
    void theFdVersionTableFollowsAbiMd() {
        assertEquals(13, FdVersion.fromBanner("Version: 9.0.5 (x)").pluginInterface());
        assertEquals(14, FdVersion.fromBanner("Version: 9.0.6 (x)").pluginInterface());
        assertEquals(14, FdVersion.fromBanner("\nVersion: 9.6.7 (10 December 2020)\n").pluginInterface());
        assertEquals(21, FdVersion.fromBanner("Version: 11.0.6 (x)").pluginInterface());
        assertEquals(22, FdVersion.fromBanner("Version: 11.3.2 (x)").pluginInterface());
        assertEquals(22, FdVersion.fromBanner("Version: 13.0.4 (x)").pluginInterface());
        assertEquals(23, FdVersion.fromBanner("Version: 15.0.3 (25 March 2025)").pluginInterface());
        assertEquals(0, FdVersion.fromBanner("Version: 17.0.0 (x)").pluginInterface());
    }

    @Test
    void pluginPathsAreUnescaped() {
        assertEquals(List.of("/a;b", "/c\\d"), PluginStrings.paths("""
                Plugin = "podheitor-hpc:path=/a\\\\;b;threads=2"
                  plugin="podheitor-hpc:threads=1;path=/c\\\\\\\\d"
                # Plugin = "podheitor-hpc:path=/commented"
                Plugin = "bpipe:file=/x:reader=cat:writer=cat"
                """));
    }
}
