package io.podheitor.hpc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class PodheitorCliTest {
    @TempDir
    Path tmp;

    private record Run(int status, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new PodheitorCli());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int status = cl.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void version() {
        Run r = run("version");
        assertEquals(0, r.status());
        assertTrue(r.out().startsWith("podheitor-hpc "), r.out());
        assertTrue(r.out().contains("PTCOMM protocol 1"));
    }

    @Test
    void walkCountsEntries() throws Exception {
        Files.createDirectories(tmp.resolve("a/b"));
        Files.writeString(tmp.resolve("a/b/f"), "x");
        Files.writeString(tmp.resolve("g"), "y");
        Run r = run("walk", tmp.toString(), "--threads", "2", "--channel-depth", "4");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("entries:    5"), r.out());
        assertTrue(r.out().contains("errors:     0"), r.out());
        assertTrue(r.out().contains("entries/s:"), r.out());
    }

    @Test
    void walkOfMissingPathReportsTheError() {
        Run r = run("walk", tmp.resolve("missing").toString());
        assertEquals(1, r.status());
        assertTrue(r.out().contains("errors:     1"), r.out());
        assertTrue(r.err().contains("No such file or directory"), r.err());
    }

    @Test
    void badOptionsAreRejected() {
        assertEquals(2, run("walk", tmp.toString(), "--threads", "0").status());
        assertEquals(2, run().status());
    }

    /** Every command and command group answers --help (exit 0, its usage), as `bench --help` did not. */
    @Test
    void everyCommandHasHelp() {
        java.util.List<java.util.List<String>> paths = new java.util.ArrayList<>();
        collect(new CommandLine(new PodheitorCli()), new java.util.ArrayList<>(), paths);
        assertTrue(paths.size() >= 7, paths.toString());   // top, version, walk, bench, bench walk, bench backup, doctor
        for (java.util.List<String> p : paths) {
            java.util.List<String> args = new java.util.ArrayList<>(p);
            args.add("--help");
            Run r = run(args.toArray(String[]::new));
            assertEquals(0, r.status(), args + ": " + r.err());
            assertTrue(r.out().startsWith("Usage: podheitor-hpc" + (p.isEmpty() ? "" : " " + String.join(" ", p))),
                    args + ": " + r.out());
        }
        assertEquals(0, run("help", "bench").status());
    }

    private static void collect(CommandLine cl, java.util.List<String> path, java.util.List<java.util.List<String>> out) {
        out.add(path);
        for (var e : cl.getSubcommands().entrySet()) {
            if (e.getKey().equals("help")) {
                continue;
            }
            java.util.List<String> p = new java.util.ArrayList<>(path);
            p.add(e.getKey());
            collect(e.getValue(), p, out);
        }
    }

    /** --threads and --channel-depth are one mixin, shared by walk and bench walk, and checked the same way. */
    @Test
    void walkerOptionsAreShared() {
        CommandLine cl = new CommandLine(new PodheitorCli());
        for (String[] p : new String[][] {{"walk"}, {"bench", "walk"}}) {
            CommandLine sub = cl;
            for (String s : p) {
                sub = sub.getSubcommands().get(s);
            }
            assertTrue(sub.getCommandSpec().mixins().values().stream()
                    .anyMatch(m -> m.userObject() instanceof WalkerOptions), String.join(" ", p));
            assertTrue(sub.getCommandSpec().findOption("--threads") != null);
            assertTrue(sub.getCommandSpec().findOption("--channel-depth") != null);
        }
        assertEquals(2, run("walk", tmp.toString(), "--channel-depth", "0").status());
    }
}
