package io.podheitor.hpc.cli.genfileset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.cli.PodheitorCli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class GenFilesetCommandTest {
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
        return new Run(cl.execute(args), out.toString(), err.toString());
    }

    private Run gen(String... args) {
        List<String> a = new ArrayList<>(List.of("gen-fileset", "--output", tmp.resolve("out").toString()));
        a.addAll(List.of(args));
        return run(a.toArray(String[]::new));
    }

    private String conf() throws Exception {
        return Files.readString(tmp.resolve("out/" + GenFilesetCommand.CONF));
    }

    private String readme() throws Exception {
        return Files.readString(tmp.resolve("out/" + GenFilesetCommand.README));
    }

    /** The values of every "Directive = value" line inside the resources of one type, in order. */
    private static List<Map<String, String>> resources(String conf, String type) {
        List<Map<String, String>> out = new ArrayList<>();
        Matcher m = Pattern.compile("(?m)^" + type + " \\{\\n((?:  .*\\n)*?)\\}$").matcher(conf);
        while (m.find()) {
            Map<String, String> r = new LinkedHashMap<>();
            for (String line : m.group(1).split("\n")) {
                Matcher d = Pattern.compile("^\\s+([A-Za-z ]+?) = (.*)$").matcher(line);
                if (d.matches()) {
                    r.put(d.group(1), d.group(2));
                }
            }
            out.add(r);
        }
        return out;
    }

    /** A Bacula configuration string "..." read back as Bacula's lexer does: \x is x. */
    private static String unquote(String q) {
        assertTrue(q.startsWith("\"") && q.endsWith("\""), q);
        StringBuilder b = new StringBuilder();
        for (int i = 1; i < q.length() - 1; i++) {
            char c = q.charAt(i);
            if (c == '\\') {
                c = q.charAt(++i);
            } else {
                assertFalse(c == '"', "an unescaped quote inside " + q);
            }
            b.append(c);
        }
        return b.toString();
    }

    /** A plugin string read back as shim-c/params.c does: items split at unescaped ';', \; and \\ unescaped. */
    private static Map<String, String> pluginKeys(String s) {
        int colon = s.indexOf(':');
        assertEquals("podheitor-hpc", s.substring(0, colon));
        Map<String, String> keys = new LinkedHashMap<>();
        StringBuilder v = new StringBuilder();
        String key = null;
        for (int i = colon + 1; i <= s.length(); i++) {
            char c = i < s.length() ? s.charAt(i) : ';';
            if (key == null) {
                if (c == '=') {
                    key = v.toString();
                    v.setLength(0);
                } else {
                    v.append(c);
                }
            } else if (c == '\\') {
                char e = s.charAt(++i);
                assertTrue(e == ';' || e == '\\', "bad escape \\" + e + " in " + s);
                v.append(e);
            } else if (c == ';') {
                assertTrue(keys.put(key, v.toString()) == null, "key twice: " + key);
                key = null;
                v.setLength(0);
            } else {
                v.append(c);
            }
        }
        return keys;
    }

    private static Map<String, String> plugin(Map<String, String> fileSetLines, String conf, String fileSet) {
        Matcher m = Pattern.compile("(?s)FileSet \\{\\n  Name = \"" + Pattern.quote(fileSet)
                + "\"\\n.*?    Plugin = (\".*?[^\\\\]\")\\n").matcher(conf);
        assertTrue(m.find(), fileSet + " in\n" + conf);
        return pluginKeys(unquote(m.group(1)));
    }

    @Test
    void fourShardsPerShardPoolByDefault() throws Exception {
        Run r = gen("--path", "/lustre/proj/", "--shards", "4", "--client", "fd1", "--storage", "File1");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("4 Jobs, 4 FileSets, 4 Pools"), r.out());
        String conf = conf();
        List<Map<String, String>> pools = resources(conf, "Pool");
        List<Map<String, String>> jobs = resources(conf, "Job");
        assertEquals(4, pools.size());
        assertEquals(4, jobs.size());
        assertEquals(4, resources(conf, "FileSet").size());
        for (int k = 0; k < 4; k++) {
            assertEquals("\"Shard-" + k + "-pool\"", pools.get(k).get("Name"));
            assertEquals("\"Shard-" + k + "-\"", pools.get(k).get("Label Format"));
            assertFalse(pools.get(k).containsKey("Maximum Volume Jobs"));
            Map<String, String> j = jobs.get(k);
            assertEquals("\"Shard-" + k + "\"", j.get("Name"));
            assertEquals("Backup", j.get("Type"));
            assertEquals("\"fd1\"", j.get("Client"));
            assertEquals("\"Shard-" + k + "-fs\"", j.get("FileSet"));
            assertEquals("\"Shard-" + k + "-pool\"", j.get("Pool"));
            assertEquals("\"File1\"", j.get("Storage"));
            assertEquals("\"Standard\"", j.get("Messages"));
            assertEquals("yes", j.get("Accurate"));
            assertEquals("no", j.get("Allow Duplicate Jobs"));
            assertEquals("1", j.get("Maximum Concurrent Jobs"));
            assertEquals("10", j.get("Priority"));
            assertFalse(j.containsKey("Schedule"));
            assertEquals(Map.of("path", "/lustre/proj", "shard", k + "/4", "strategy", "inode-hash"),
                    plugin(null, conf, "Shard-" + k + "-fs"));
        }
        assertTrue(conf.contains("    Plugin = \"podheitor-hpc:path=/lustre/proj;shard=2/4;strategy=inode-hash\"\n"), conf);
        assertTrue(conf.contains("    Options {\n      signature = MD5\n    }\n"), conf);

        String readme = readme();
        assertTrue(readme.contains("\n@" + tmp.resolve("out/podheitor-shards.conf") + "\n"), readme);
        for (int k = 0; k < 4; k++) {
            assertTrue(readme.contains("\nrun job=Shard-" + k + " level=Full yes\n"), readme);
            assertTrue(readme.contains("\nrun job=Shard-" + k + " level=Incremental yes\n"), readme);
            assertTrue(readme.contains("\nrestore client=fd1 fileset=Shard-" + k + "-fs where=/tmp/bacula-restores "
                    + "current select all done yes\nwait\n"), readme);
        }
        assertTrue(readme.contains("| Director (bacula-dir.conf) | `Director` | 4 |"), readme);
        assertTrue(readme.contains("| Director (bacula-dir.conf) | `Client { Name = fd1 }` | 4 |"), readme);
        assertTrue(readme.contains("| File daemon of `fd1` (bacula-fd.conf) | `FileDaemon` | 4 |"), readme);
        assertTrue(readme.contains("| Director (bacula-dir.conf) | `Storage { Name = File1 }` | 4 |"), readme);
        assertTrue(readme.contains("| Storage daemon of `File1` (bacula-sd.conf) | `Storage` | 4 |"), readme);
        assertTrue(readme.contains("`Device`: **4 Devices** (an `Autochanger` of them)"), readme);
        assertTrue(readme.contains("each `Job` of this file | 1"), readme);
        assertTrue(readme.contains("restore client=fd1 jobid=<JobId of Shard-0>,<JobId of Shard-1>,<JobId of Shard-2>,"
                + "<JobId of Shard-3> where=/tmp/bacula-restores all done yes\n"), readme);
    }

    @Test
    void theWholeTextOfTwoShards() throws Exception {
        Run r = gen("--path", "/p", "--shards", "2", "--client", "c", "--storage", "S", "--schedule", "Nightly",
                "--jobdefs", "JD", "--name", "proj", "--signature", "none", "--accurate", "no", "--priority", "7",
                "--key", "threads=16");
        assertEquals(0, r.status(), r.err());
        String expected = "# podheitor-hpc gen-fileset: 2 shards of /p (strategy inode-hash, topology per-shard-pool)\n"
                + "# generated by: podheitor-hpc gen-fileset --output " + tmp.resolve("out") + " --path /p --shards 2 "
                + "--client c --storage S --schedule Nightly --jobdefs JD --name proj --signature none --accurate no "
                + "--priority 7 --key threads=16\n"
                + "# @-include this file in bacula-dir.conf; README.md beside it says which Maximum Concurrent Jobs to\n"
                + "# raise and how to run the shards together and restore them.\n"
                + "\n# shards 0: only this shard's jobs\nPool {\n  Name = \"proj-0-pool\"\n  Pool Type = Backup\n"
                + "  Storage = \"S\"\n  Label Format = \"proj-0-\"\n}\n"
                + "\n# shards 1: only this shard's jobs\nPool {\n  Name = \"proj-1-pool\"\n  Pool Type = Backup\n"
                + "  Storage = \"S\"\n  Label Format = \"proj-1-\"\n}\n"
                + job(0) + job(1);
        assertEquals(expected, conf());
    }

    private static String job(int k) {
        return "\n# shard " + k + " of 2\nFileSet {\n  Name = \"proj-" + k + "-fs\"\n  Include {\n"
                + "    Plugin = \"podheitor-hpc:path=/p;shard=" + k + "/2;strategy=inode-hash;threads=16\"\n  }\n}\n"
                + "Job {\n  Name = \"proj-" + k + "\"\n  Type = Backup\n  Level = Incremental\n  JobDefs = \"JD\"\n"
                + "  Client = \"c\"\n  FileSet = \"proj-" + k + "-fs\"\n  Storage = \"S\"\n  Pool = \"proj-" + k
                + "-pool\"\n  Messages = \"Standard\"\n  Schedule = \"Nightly\"\n  Priority = 7\n  Accurate = no\n"
                + "  Spool Attributes = yes\n  Allow Duplicate Jobs = no\n  Maximum Concurrent Jobs = 1\n}\n";
    }

    @Test
    void existingFilesAreNotOverwrittenWithoutForce() throws Exception {
        assertEquals(0, gen("--path", "/a", "--shards", "2", "--client", "c").status());
        Path readme = tmp.resolve("out/README.md");
        Path conf = tmp.resolve("out/podheitor-shards.conf");
        Files.writeString(readme, "mine");
        Files.delete(conf);
        Run r = gen("--path", "/b", "--shards", "3", "--client", "c");
        assertEquals(1, r.status());
        assertTrue(r.err().contains(readme + " exists; nothing written (--force overwrites)"), r.err());
        assertEquals("mine", Files.readString(readme));
        assertFalse(Files.exists(conf), "the file that did not exist was written anyway");
        try (Stream<Path> s = Files.list(tmp.resolve("out"))) {
            assertEquals(List.of(readme), s.toList(), "temporary files left behind");
        }
        Run f = gen("--path", "/b", "--shards", "3", "--client", "c", "--force");
        assertEquals(0, f.status(), f.err());
        assertTrue(Files.readString(readme).startsWith("# 3 shards of /b"));
        assertTrue(Files.readString(conf).contains("path=/b;shard=2/3"));
    }

    @Test
    void badInputsAreRefusedWithAReasonAndNothingIsWritten() {
        String[][] bad = {
            {"--path", "/a", "--shards", "0"},
            {"--path", "/a", "--shards", "4097"},
            {"--path", "rel/dir", "--shards", "2"},
            {"--path", "/a\nb", "--shards", "2"},
            {"--path", "/a", "--shards", "2", "--strategy", "round-robin"},
            {"--path", "/a", "--shards", "2", "--topology", "one-volume"},
            {"--path", "/a", "--shards", "2", "--topology", "multi-storage", "--storage", "File1"},
            {"--path", "/a", "--shards", "2", "--name", "bad name"},
            {"--path", "/a", "--shards", "2", "--client", "c\"x"},
            {"--path", "/a", "--shards", "2", "--key", "path=/b"},
            {"--path", "/a", "--shards", "2", "--key", "threads=0"},
            {"--path", "/a", "--shards", "2", "--key", "nosuchkey=1"},
            {"--path", "/a", "--shards", "2", "--key", "threads=2", "--key", "threads=3"},
            {"--path", "/a", "--shards", "2", "--mtime-bucket", "60"},
            {"--path", "/a", "--shards", "2", "--strategy", "mtime-bucket", "--mtime-bucket", "0"},
            {"--path", "/a", "--shards", "2", "--mode", "zfs"},
            {"--path", "/a", "--shards", "2", "--signature", "CRC"},
            {"--path", "/a", "--shards", "2", "--accurate", "maybe"},
            {"--path", "/a", "--shards", "3", "--strategy", "subtree", "--subtree", "/a/x"},
            {"--path", "/a", "--shards", "2", "--strategy", "subtree", "--subtree", "/elsewhere"},
            {"--path", "/a", "--shards", "2", "--subtree", "/a/x", "--subtree", "/a/y"},
            {"--path", "/a", "--shards", "2", "--restore-where", "relative"},
            {"--path", "/a", "--shards", "2", "--changelog-users", "cl1,cl2"},
            {"--path", "/a", "--shards", "2", "--mode", "lustre", "--changelog-users", "cl1"},
            {"--path", "/a", "--shards", "2", "--mode", "lustre", "--changelog-users", "cl1,cl1"},
            {"--path", "/a", "--shards", "2", "--mode", "lustre", "--changelog-users", "cl1,c l2"},
            {"--path", "/a", "--shards", "2", "--mode", "lustre", "--key", "changelog_user=cl1"},
        };
        for (String[] b : bad) {
            Run r = gen(b);
            assertEquals(2, r.status(), String.join(" ", b) + ": " + r.err());
            assertTrue(r.err().startsWith("podheitor-hpc gen-fileset: "), String.join(" ", b) + ": " + r.err());
            assertFalse(Files.exists(tmp.resolve("out")), String.join(" ", b) + " wrote something");
        }
        Run r = gen("--path", "/a", "--shards", "4097");
        assertTrue(r.err().contains("--shards 4097: expected 1..4096"), r.err());
        r = gen("--path", "/a", "--shards", "2", "--strategy", "round-robin");
        assertTrue(r.err().contains("expected inode-hash, subtree, mtime-bucket or lustre-mdt"), r.err());
        r = gen("--path", "/a", "--shards", "2", "--key", "threads=0");
        assertTrue(r.err().contains("threads") && r.err().contains("1..1024"), r.err());
        // a plugin string Bacula 9.6's configuration parser would overrun on (5000 bytes; 4000 is the limit here)
        r = gen("--path", "/" + "d".repeat(3999), "--shards", "2");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("the plugin string is 4049 bytes"), r.err());
        assertEquals(0, gen("--path", "/" + "d".repeat(3950), "--shards", "2", "--client", "c").status());
    }

    @Test
    void clientsAndStoragesGoRoundRobin() throws Exception {
        Run r = gen("--path", "/a", "--shards", "5", "--storage", "A,B", "--client", "c1,c2,c3");
        assertEquals(0, r.status(), r.err());
        List<Map<String, String>> jobs = resources(conf(), "Job");
        List<Map<String, String>> pools = resources(conf(), "Pool");
        for (int k = 0; k < 5; k++) {
            assertEquals("\"" + List.of("A", "B").get(k % 2) + "\"", jobs.get(k).get("Storage"));
            assertEquals("\"c" + (k % 3 + 1) + "\"", jobs.get(k).get("Client"));
            assertEquals(jobs.get(k).get("Storage"), pools.get(k).get("Storage"));
        }
        String readme = readme();
        assertTrue(readme.contains("`Client { Name = c1 }` | 2 |") && readme.contains("`Client { Name = c3 }` | 1 |"),
                readme);
        assertTrue(readme.contains("`Storage { Name = A }` | 3 |") && readme.contains("`Storage { Name = B }` | 2 |"),
                readme);
        assertTrue(readme.contains("on 3 Clients"), readme);
    }

    @Test
    void multiStorageHasAPoolPerStorageWithOneJobPerVolume() throws Exception {
        Run r = gen("--path", "/a", "--shards", "4", "--client", "c", "--topology", "multi-storage",
                "--storage", "F1,F2,F3");
        assertEquals(0, r.status(), r.err());
        List<Map<String, String>> pools = resources(conf(), "Pool");
        List<Map<String, String>> jobs = resources(conf(), "Job");
        assertEquals(3, pools.size());
        for (int i = 0; i < 3; i++) {
            assertEquals("\"Shard-" + i + "-pool\"", pools.get(i).get("Name"));
            assertEquals("\"F" + (i + 1) + "\"", pools.get(i).get("Storage"));
            assertEquals("1", pools.get(i).get("Maximum Volume Jobs"));
        }
        int[] poolOf = {0, 1, 2, 0};
        for (int k = 0; k < 4; k++) {
            assertEquals("\"F" + (poolOf[k] + 1) + "\"", jobs.get(k).get("Storage"));
            assertEquals("\"Shard-" + poolOf[k] + "-pool\"", jobs.get(k).get("Pool"));
        }
    }

    @Test
    void maxVolumeJobsSharesOnePoolOneJobPerVolume() throws Exception {
        Run r = gen("--path", "/a", "--shards", "3", "--client", "c", "--topology", "max-volume-jobs");
        assertEquals(0, r.status(), r.err());
        List<Map<String, String>> pools = resources(conf(), "Pool");
        assertEquals(1, pools.size());
        assertEquals("1", pools.get(0).get("Maximum Volume Jobs"));
        assertEquals("\"Shard-\"", pools.get(0).get("Label Format"));
        resources(conf(), "Job").forEach(j -> assertEquals("\"Shard-pool\"", j.get("Pool")));
    }

    @Test
    void oddPathsAreEscapedForThePluginStringAndTheConfiguration() throws Exception {
        String odd = "/data/we;ird\\dir \"q\":x,y#z";
        Run r = gen("--path", odd, "--shards", "2", "--client", "c", "--strategy", "mtime-bucket", "--mtime-bucket",
                "120", "--mode", "lustre");
        assertEquals(0, r.status(), r.err());
        String conf = conf();
        assertTrue(conf.contains("    Plugin = \"podheitor-hpc:path=/data/we\\\\;ird\\\\\\\\dir \\\"q\\\":x,y#z;mode=lustre;"
                + "shard=1/2;strategy=mtime-bucket;mtime_bucket=120\"\n"), conf);
        assertEquals(Map.of("path", odd, "mode", "lustre", "shard", "0/2", "strategy", "mtime-bucket",
                "mtime_bucket", "120"), plugin(null, conf, "Shard-0-fs"));
        // the header repeats the command line with the odd path quoted for a shell, on one comment line
        assertTrue(conf.lines().filter(l -> l.startsWith("# generated by:")).findFirst().orElseThrow()
                .contains("--path '/data/we;ird\\dir \"q\":x,y#z'"), conf);
    }

    @Test
    void subtreeListsWithTheRestForTheLastShard() throws Exception {
        Run r = gen("--path", "/p", "--shards", "3", "--client", "c", "--strategy", "subtree",
                "--subtree", "/p/a\\,b,/p/c", "--subtree", "/p/back\\\\slash");
        assertEquals(0, r.status(), r.err());
        String conf = conf();
        assertEquals(Map.of("path", "/p", "strategy", "subtree", "subtree", "/p/a\\,b,/p/c"),
                plugin(null, conf, "Shard-0-fs"));
        assertEquals(Map.of("path", "/p", "strategy", "subtree", "subtree", "/p/back\\\\slash"),
                plugin(null, conf, "Shard-1-fs"));
        assertEquals(Map.of("path", "/p", "strategy", "subtree", "subtree", "!/p/a\\,b,!/p/c,!/p/back\\\\slash"),
                plugin(null, conf, "Shard-2-fs"));
        // in the file: the plugin string's \\ and the configuration string's \\ on top of the list's \,
        assertTrue(conf.contains("subtree=/p/a\\\\\\\\,b,/p/c\""), conf);
        Run excl = gen("--path", "/p", "--shards", "2", "--client", "c", "--strategy", "subtree", "--subtree",
                "/p/a,!/p/a/tmp", "--force");
        assertEquals(2, excl.status());
        assertTrue(excl.err().contains("give all 2 lists"), excl.err());
    }

    @Test
    void lustreMdtAndHelp() throws Exception {
        Run r = gen("--path", "/lustre", "--shards", "2", "--client", "c", "--strategy", "lustre-mdt");
        assertEquals(0, r.status(), r.err());
        assertEquals(Map.of("path", "/lustre", "shard", "1/2", "strategy", "lustre-mdt"),
                plugin(null, conf(), "Shard-1-fs"));
        Run h = run("gen-fileset", "--help");
        assertEquals(0, h.status());
        for (String o : List.of("--path", "--shards", "--strategy", "--topology", "--storage", "--client", "--schedule",
                "--output", "--force", "--name", "--key")) {
            assertTrue(h.out().contains(o), o + " not in --help");
        }
    }

    @Test
    void eachLustreShardGetsItsOwnChangelogConsumer() throws Exception {
        Run r = gen("--path", "/lustre/proj", "--shards", "3", "--mode", "lustre", "--changelog-users", "cl1,cl2,cl3-b",
                "--client", "fd1");
        assertEquals(0, r.status(), r.err());
        String conf = Files.readString(tmp.resolve("out/podheitor-shards.conf"));
        String[] ids = {"cl1", "cl2", "cl3-b"};
        for (int k = 0; k < 3; k++) {
            Map<String, String> keys = plugin(null, conf, "Shard-" + k + "-fs");
            assertEquals(ids[k], keys.get("changelog_user"), conf);
            assertEquals("lustre", keys.get("mode"));
            assertEquals(k + "/3", keys.get("shard"));
        }
        assertTrue(readme().contains("register every one of `cl1`, `cl2`, `cl3-b` on every MDT"), readme());
        r = gen("--path", "/a", "--shards", "2", "--mode", "lustre", "--changelog-users", "cl1,cl1");
        assertTrue(r.err().contains("each shard needs its own consumer"), r.err());
    }
}
