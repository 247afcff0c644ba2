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

    private static final String[] SLURM = {"--scheduler", "slurm", "--partition", "backup", "--cpus", "4", "--mem",
        "16G", "--time", "90m", "--sbatch-args", "--account=hpc --qos=low", "--slurm-conf", "/etc/slurm/c2.conf",
        "--relay", "tcp", "--relay-bind", "10.0.0.5", "--relay-lz4"};

    private Run genSlurm(String... more) {
        List<String> a = new ArrayList<>(List.of("--path", "/lustre/proj", "--shards", "3", "--client", "fd1"));
        a.addAll(List.of(SLURM));
        a.addAll(List.of(more));
        return gen(a.toArray(String[]::new));
    }

    @Test
    void schedulerSlurmPutsTheKeysIntoEveryShardsPluginString() throws Exception {
        Run r = genSlurm("--key", "threads=32", "--key", "slurm_pending_timeout=1800");
        assertEquals(0, r.status(), r.err());
        String conf = conf();
        for (int k = 0; k < 3; k++) {
            Map<String, String> expected = new LinkedHashMap<>();
            expected.put("path", "/lustre/proj");
            expected.put("shard", k + "/3");
            expected.put("strategy", "inode-hash");
            expected.put("scheduler", "slurm");
            expected.put("partition", "backup");
            expected.put("cpus", "4");
            expected.put("mem", "16G");
            expected.put("time", "90m");
            expected.put("sbatch_args", "--account=hpc --qos=low");
            expected.put("slurm_conf", "/etc/slurm/c2.conf");
            expected.put("relay", "tcp");
            expected.put("relay_bind", "10.0.0.5");
            expected.put("relay_lz4", "yes");
            expected.put("threads", "32");
            expected.put("slurm_pending_timeout", "1800");
            Map<String, String> got = plugin(null, conf, "Shard-" + k + "-fs");
            assertEquals(expected, got);
            assertEquals(List.copyOf(expected.keySet()), List.copyOf(got.keySet()), "key order");
        }
        assertTrue(conf.contains("    Plugin = \"podheitor-hpc:path=/lustre/proj;shard=1/3;strategy=inode-hash;"
                + "scheduler=slurm;partition=backup;cpus=4;mem=16G;time=90m;sbatch_args=--account=hpc --qos=low;"
                + "slurm_conf=/etc/slurm/c2.conf;relay=tcp;relay_bind=10.0.0.5;relay_lz4=yes;threads=32;"
                + "slurm_pending_timeout=1800\"\n"), conf);
        assertTrue(conf.startsWith("# podheitor-hpc gen-fileset: 3 shards of /lustre/proj (strategy inode-hash, "
                + "topology per-shard-pool, scheduler slurm: a Slurm job per Bacula job)\n"), conf);
        // the Jobs themselves are the same as without Slurm: one Slurm job per Bacula job, named after it
        List<Map<String, String>> jobs = resources(conf, "Job");
        assertEquals(3, jobs.size());
        for (int k = 0; k < 3; k++) {
            assertEquals("\"Shard-" + k + "\"", jobs.get(k).get("Name"));
            assertEquals("\"fd1\"", jobs.get(k).get("Client"));
        }

        String readme = readme();
        assertTrue(readme.contains("\n## 5. The scans run as Slurm jobs (`scheduler=slurm`)\n"), readme);
        assertTrue(readme.contains("So the 3 Bacula jobs of a run are **3 Slurm jobs**, one per Bacula job. "
                + "bacula-fd and the plugin stay on the Client `fd1`"), readme);
        assertTrue(readme.contains("| partition | `backup` |\n"), readme);
        assertTrue(readme.contains("| CPUs (`--cpus-per-task`) | `4` |\n"), readme);
        assertTrue(readme.contains("| memory (`--mem`) | `16G` |\n"), readme);
        assertTrue(readme.contains("| time limit | `90m` "), readme);
        assertTrue(readme.contains("| more `sbatch` arguments | `--account=hpc --qos=low` |\n"), readme);
        assertTrue(readme.contains("several shards' workers may share a node"), readme);
        assertTrue(readme.contains("| relay | `tcp`, TCP on `10.0.0.5`, LZ4-compressed |\n"), readme);
        assertTrue(readme.contains("at most 1800 s (`slurm_pending_timeout`)"), readme);
        assertTrue(readme.contains("Each Slurm job is named `podheitor-` and the Bacula job's name, every character "
                + "outside `[A-Za-z0-9_.:+@-]` replaced by `_`"), readme);
        assertTrue(readme.contains("\nSLURM_CONF=/etc/slurm/c2.conf squeue -o '%.12i %.10P %.9T %.10M %.24R %j' | "
                + "grep -E ' podheitor-Shard-[0-9]+\\.'\n"), readme);
        assertTrue(readme.contains("\nSLURM_CONF=/etc/slurm/c2.conf squeue -n "
                + "'podheitor-Shard-0.2026-01-31_02.00.00_07'\n"), readme);
        assertTrue(readme.contains("(`scheduler=slurm`, section 5)"), readme);
        // the bconsole blocks are those of a local run
        for (int k = 0; k < 3; k++) {
            assertTrue(readme.contains("\nrun job=Shard-" + k + " level=Full yes\n"), readme);
        }
    }

    @Test
    void theReadmesSlurmSectionWithDefaultsAndAnOddPrefix() throws Exception {
        Run r = gen("--path", "/p", "--shards", "2", "--client", "c1,c2", "--name", "proj.a", "--scheduler", "slurm");
        assertEquals(0, r.status(), r.err());
        assertEquals(Map.of("path", "/p", "shard", "0/2", "strategy", "inode-hash", "scheduler", "slurm"),
                plugin(null, conf(), "proj.a-0-fs"));
        String readme = readme();
        assertTrue(readme.contains("| partition | Slurm's default partition |\n"), readme);
        assertTrue(readme.contains("| more `sbatch` arguments | none |\n"), readme);
        assertTrue(readme.contains("| relay | `auto` (AF_UNIX when the worker runs on the Client's host, TCP "
                + "otherwise) |\n"), readme);
        assertTrue(readme.contains("at most 600 s (`slurm_pending_timeout`)"), readme);
        assertTrue(readme.contains("stay on the Clients `c1`, `c2`, which keep"), readme);
        assertTrue(readme.contains("The Clients must be Slurm submit hosts"), readme);
        // the '.' of the prefix is a literal in the grep pattern; no SLURM_CONF without --slurm-conf
        assertTrue(readme.contains("\nsqueue -o '%.12i %.10P %.9T %.10M %.24R %j' | grep -E ' podheitor-proj\\.a-"
                + "[0-9]+\\.'\n"), readme);
        assertFalse(readme.contains("SLURM_CONF="), readme);
    }

    @Test
    void oneNodePerShardAddsExclusiveToEveryShardsSbatchArgs() throws Exception {
        Run r = gen("--path", "/p", "--shards", "3", "--client", "c", "--scheduler", "slurm", "--partition", "backup",
                "--one-node-per-shard");
        assertEquals(0, r.status(), r.err());
        for (int k = 0; k < 3; k++) {
            assertEquals("--exclusive", plugin(null, conf(), "Shard-" + k + "-fs").get("sbatch_args"));
        }
        assertTrue(readme().contains("| nodes | one of its own (`--one-node-per-shard`: `--exclusive`): a run needs 3 "
                + "free nodes in the partition at once |\n"), readme());

        r = gen("--path", "/p", "--shards", "3", "--client", "c", "--scheduler", "slurm", "--one-node-per-shard",
                "--sbatch-args", "--account=hpc --qos=low", "--force");
        assertEquals(0, r.status(), r.err());
        for (int k = 0; k < 3; k++) {
            assertEquals("--exclusive --account=hpc --qos=low", plugin(null, conf(), "Shard-" + k + "-fs")
                    .get("sbatch_args"));
        }
        // given already: not twice
        r = gen("--path", "/p", "--shards", "2", "--client", "c", "--scheduler", "slurm", "--one-node-per-shard",
                "--sbatch-args", "--qos=low --exclusive", "--force");
        assertEquals(0, r.status(), r.err());
        assertEquals("--qos=low --exclusive", plugin(null, conf(), "Shard-1-fs").get("sbatch_args"));
    }

    @Test
    void badSlurmValuesAreRefusedNamingTheOption() {
        String[][] bad = {
            {"--scheduler", "pbs"},
            {"--scheduler", "slurm", "--partition", "a b"},
            {"--scheduler", "slurm", "--partition", ""},
            {"--scheduler", "slurm", "--partition", "p".repeat(65)},
            {"--scheduler", "slurm", "--cpus", "0"},
            {"--scheduler", "slurm", "--cpus", "4097"},
            {"--scheduler", "slurm", "--cpus", "-1"},
            {"--scheduler", "slurm", "--cpus", "four"},
            {"--scheduler", "slurm", "--mem", "16GB"},
            {"--scheduler", "slurm", "--mem", "16g"},
            {"--scheduler", "slurm", "--mem", "G"},
            {"--scheduler", "slurm", "--mem", "1234567890123"},
            {"--scheduler", "slurm", "--time", "90"},
            {"--scheduler", "slurm", "--time", "1.5h"},
            {"--scheduler", "slurm", "--time", "1w"},
            {"--scheduler", "slurm", "--time", "0m"},
            {"--scheduler", "slurm", "--time", "366d"},
            {"--scheduler", "slurm", "--time", "1234567890s"},
            {"--scheduler", "slurm", "--sbatch-args", "--parsable"},
            {"--scheduler", "slurm", "--sbatch-args", "--qos=low --export=ALL"},
            {"--scheduler", "slurm", "--sbatch-args", "--export-file=/tmp/e"},
            {"--scheduler", "slurm", "--sbatch-args", "--wrap=hostname"},
            {"--scheduler", "slurm", "--sbatch-args", "--qos=low  --account=a"},
            {"--scheduler", "slurm", "--sbatch-args", " --qos=low"},
            {"--scheduler", "slurm", "--sbatch-args", "--comment=a;b"},
            {"--scheduler", "slurm", "--sbatch-args", "--comment=\"x\""},
            {"--scheduler", "slurm", "--sbatch-args", "--exclusive=user", "--one-node-per-shard"},
            {"--scheduler", "slurm", "--slurm-conf", "etc/slurm.conf"},
            {"--scheduler", "slurm", "--slurm-conf", "/etc/sl\u00fcrm.conf"},
            {"--scheduler", "slurm", "--relay", "udp"},
            {"--scheduler", "slurm", "--relay-bind", "10.0.0.5:7000"},
            {"--scheduler", "slurm", "--relay-bind", "node_1"},
            {"--scheduler", "slurm", "--relay", "unix", "--relay-bind", "10.0.0.5"},
            {"--scheduler", "slurm", "--relay", "unix", "--relay-lz4"},
        };
        for (String[] b : bad) {
            List<String> a = new ArrayList<>(List.of("--path", "/a", "--shards", "3", "--client", "c"));
            a.addAll(List.of(b));
            Run r = gen(a.toArray(String[]::new));
            String what = String.join(" ", b) + ": " + r.err();
            assertEquals(2, r.status(), what);
            assertTrue(r.err().startsWith("podheitor-hpc gen-fileset: "), what);
            // the option whose value is wrong is named: the last option given (--sbatch-args for its conflict
            // with --one-node-per-shard)
            List<String> options = List.of("--scheduler", "--partition", "--cpus", "--mem", "--time", "--sbatch-args",
                    "--slurm-conf", "--relay", "--relay-bind", "--relay-lz4");
            String option = null;
            for (String w : b) {
                option = options.contains(w) ? w : option;
            }
            assertTrue(r.err().contains(option), what);
            assertFalse(Files.exists(tmp.resolve("out")), what + " wrote something");
        }
        Run r = gen("--path", "/a", "--shards", "2", "--scheduler", "slurm", "--cpus", "0");
        assertTrue(r.err().contains("--cpus \"0\": expected a number in 1..4096 (plugin key cpus)"), r.err());
        r = gen("--path", "/a", "--shards", "2", "--scheduler", "pbs");
        assertTrue(r.err().contains("--scheduler \"pbs\": expected local or slurm"), r.err());
        r = gen("--path", "/a", "--shards", "2", "--scheduler", "slurm", "--time", "366d");
        assertTrue(r.err().contains("--time \"366d\": more than 0, at most 365 days"), r.err());
        r = gen("--path", "/a", "--shards", "2", "--scheduler", "slurm", "--sbatch-args", "--qos=low --export=ALL");
        assertTrue(r.err().contains("--sbatch-args: --export is the submitter's own"), r.err());
        r = gen("--path", "/a", "--shards", "2", "--scheduler", "slurm", "--mem", "16GB");
        assertTrue(r.err().contains("--mem \"16GB\": expected a number and K, M, G or T"), r.err());
        // the largest values the rules allow pass
        r = gen("--path", "/a", "--shards", "2", "--client", "c", "--scheduler", "slurm", "--cpus", "4096", "--mem",
                "999999999999T", "--time", "365d", "--relay-bind", "node-1.example.org");
        assertEquals(0, r.status(), r.err());
    }

    @Test
    void slurmOptionsBelongToSchedulerSlurm() {
        String[][] bad = {
            {"--partition", "backup"},
            {"--scheduler", "local", "--partition", "backup"},
            {"--scheduler", "local", "--cpus", "4"},
            {"--mem", "1G"},
            {"--time", "1h"},
            {"--sbatch-args", "--qos=low"},
            {"--slurm-conf", "/etc/slurm.conf"},
            {"--relay", "tcp"},
            {"--relay-bind", "10.0.0.1"},
            {"--relay-lz4"},
            {"--one-node-per-shard"},
        };
        for (String[] b : bad) {
            List<String> a = new ArrayList<>(List.of("--path", "/a", "--shards", "2", "--client", "c"));
            a.addAll(List.of(b));
            Run r = gen(a.toArray(String[]::new));
            String option = b[0].equals("--scheduler") ? b[2] : b[0];
            assertEquals(2, r.status(), String.join(" ", b));
            assertTrue(r.err().contains("podheitor-hpc gen-fileset: " + option + " belongs to --scheduler slurm, not "
                    + "--scheduler local"), String.join(" ", b) + ": " + r.err());
            assertFalse(Files.exists(tmp.resolve("out")));
        }
        Run r = gen("--path", "/a", "--shards", "2", "--partition", "p", "--relay-lz4");
        assertTrue(r.err().contains("--partition, --relay-lz4 belong to --scheduler slurm"), r.err());
        r = gen("--path", "/a", "--shards", "2", "--key", "slurm_pending_timeout=60");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--key slurm_pending_timeout=...: a key of scheduler=slurm; it belongs to "
                + "--scheduler slurm"), r.err());
    }

    @Test
    void keyMayNotGiveTheSchedulerKeysOfTheOptions() throws Exception {
        for (String kv : List.of("scheduler=slurm", "scheduler=local", "partition=other", "cpus=2", "mem=1G", "time=1h",
                "sbatch_args=--qos=low", "slurm_conf=/etc/s.conf", "relay=tcp", "relay_bind=h", "relay_lz4=yes")) {
            String key = kv.substring(0, kv.indexOf('='));
            Run r = gen("--path", "/a", "--shards", "2", "--client", "c", "--scheduler", "slurm", "--partition",
                    "backup", "--key", kv);
            assertEquals(2, r.status(), kv);
            assertTrue(r.err().contains("--key " + key + "=...: gen-fileset writes " + key + " itself from --"), r.err());
            assertFalse(Files.exists(tmp.resolve("out")));
        }
        Run r = gen("--path", "/a", "--shards", "2", "--client", "c", "--scheduler", "slurm", "--partition", "p",
                "--key", "partition=q");
        assertTrue(r.err().contains("gen-fileset writes partition itself from --partition"), r.err());
        // the keys of scheduler=slurm without an option of their own go through --key, once each
        r = gen("--path", "/a", "--shards", "2", "--client", "c", "--scheduler", "slurm", "--key", "relay_port=7000",
                "--key", "worker_command=/opt/phpc/bin/podheitor-hpc-backend", "--key", "slurm_output=/scratch/w-%j.out");
        assertEquals(0, r.status(), r.err());
        Map<String, String> keys = plugin(null, conf(), "Shard-1-fs");
        assertEquals("7000", keys.get("relay_port"));
        assertEquals("/opt/phpc/bin/podheitor-hpc-backend", keys.get("worker_command"));
        assertEquals("/scratch/w-%j.out", keys.get("slurm_output"));
        r = gen("--path", "/a", "--shards", "2", "--client", "c", "--scheduler", "slurm", "--key", "relay_port=1",
                "--key", "relay_port=2", "--force");
        assertEquals(2, r.status());
        assertTrue(r.err().contains("--key relay_port is given twice"), r.err());
    }

    @Test
    void slurmValuesGoThroughTheQuotingLayers() throws Exception {
        // slurm_conf is an ascii-path: ';', '\' and '"' are allowed and escaped by both outer layers
        String odd = "/etc/sl;urm \"c\"\\x.conf";
        Run r = gen("--path", "/a", "--shards", "2", "--client", "c", "--scheduler", "slurm", "--slurm-conf", odd);
        assertEquals(0, r.status(), r.err());
        String conf = conf();
        assertEquals(odd, plugin(null, conf, "Shard-0-fs").get("slurm_conf"));
        assertTrue(conf.contains(";slurm_conf=/etc/sl\\\\;urm \\\"c\\\"\\\\\\\\x.conf\"\n"), conf);
        assertTrue(readme().contains("SLURM_CONF='/etc/sl;urm \"c\"\\x.conf' squeue -n"), readme());
    }

    @Test
    void schedulerLocalWritesWhatNoSchedulerOptionWrites() throws Exception {
        String[] common = {"--path", "/p", "--shards", "3", "--client", "c", "--key", "threads=8", "--mode", "lustre"};
        Run r = gen(common);
        assertEquals(0, r.status(), r.err());
        String conf = conf();
        String readme = readme();
        List<String> a = new ArrayList<>(List.of(common));
        a.addAll(List.of("--scheduler", "local", "--force"));
        r = gen(a.toArray(String[]::new));
        assertEquals(0, r.status(), r.err());
        // all but the line quoting the command line
        assertEquals(conf.replaceFirst("(?m)^# generated by: .*$", ""),
                conf().replaceFirst("(?m)^# generated by: .*$", ""));
        assertEquals(readme.replaceFirst("(?m)^Generated by `.*$", ""),
                readme().replaceFirst("(?m)^Generated by `.*$", ""));
        assertFalse(conf.contains("scheduler") || readme.contains("Slurm"), conf + readme);
        Run h = run("gen-fileset", "--help");
        for (String o : List.of("--scheduler", "--partition", "--cpus", "--mem", "--time", "--sbatch-args",
                "--slurm-conf", "--relay", "--relay-bind", "--relay-lz4", "--one-node-per-shard")) {
            assertTrue(h.out().contains(o), o + " not in --help");
        }
    }
}
