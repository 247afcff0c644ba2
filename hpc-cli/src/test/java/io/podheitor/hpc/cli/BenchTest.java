package io.podheitor.hpc.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.cli.bench.ThroughputSvg;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class BenchTest {
    @TempDir
    Path tmp;

    @Test
    void svgIsWellFormedWithOnePointPerThreadCount() throws Exception {
        Map<String, Double> refs = new LinkedHashMap<>();
        refs.put("find", 1393.0);
        refs.put("fdfind-j64 <&>", 5280.0);
        String svg = ThroughputSvg.render("walker on /x", List.of(new double[] {1, 1316}, new double[] {2, 2609},
                new double[] {64, 9931}), refs);
        var doc = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new java.io.ByteArrayInputStream(svg.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertEquals("svg", doc.getDocumentElement().getTagName());
        assertEquals(3, doc.getElementsByTagName("circle").getLength());
        assertTrue(svg.contains("fdfind-j64 &lt;&amp;&gt;"));
    }

    @Test
    void benchWalkJsonOnATinyTree() throws Exception {
        boolean fd = Files.isExecutable(Path.of("/usr/bin/fdfind"));
        Assumptions.assumeTrue(fd, "fdfind not installed");
        Files.createDirectories(tmp.resolve("t/a"));
        Files.writeString(tmp.resolve("t/a/f"), "x");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new PodheitorCli());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        Path svg = tmp.resolve("s.svg");
        int rc = cl.execute("bench", "walk", "--runs", "1", "--no-fdfind-j64", "--threads", "2", "--sweep-threads", "1,2",
                "--svg", svg.toString(), "--json", tmp.resolve("t").toString());
        assertEquals(0, rc, err.toString());
        String j = out.toString();
        assertTrue(j.startsWith("{\"path\":"), j);
        assertTrue(j.contains("\"tree_entries\":3"), j);
        assertTrue(j.contains("\"walker-t2\"") && j.contains("\"find\"") && j.contains("\"fdfind\""), j);
        assertTrue(j.contains("\"sweep\":[{\"threads\":1"), j);
        assertTrue(Files.readString(svg).startsWith("<svg"));
    }

    @Test
    void benchWalkUnderLatencyRunsOnAMountAndUnmountsIt() throws Exception {
        Path repo = Path.of("").toAbsolutePath().getParent();
        Assumptions.assumeTrue(Files.isExecutable(repo.resolve("latencyfs/build/latencyfs"))
                && Files.exists(Path.of("/dev/fuse")) && Files.isExecutable(Path.of("/usr/bin/fdfind")),
                "latencyfs not built, no /dev/fuse or no fdfind");
        Files.createDirectories(tmp.resolve("t/a"));
        Files.writeString(tmp.resolve("t/a/f"), "x");
        String before = System.getProperty("podheitor.home");
        System.setProperty("podheitor.home", repo.toString());
        try {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            CommandLine cl = new CommandLine(new PodheitorCli());
            cl.setOut(new PrintWriter(out));
            cl.setErr(new PrintWriter(err));
            int rc = cl.execute("bench", "walk", "--latency-us", "100", "--runs", "1", "--no-fdfind-j64", "--threads",
                    "2", "--json", tmp.resolve("t").toString());
            assertEquals(0, rc, err.toString());
            String j = out.toString();
            // the tools walked the mount (3 entries, same tree), not PATH itself
            assertTrue(j.contains("\"path\":\"/tmp/podheitor-hpc-latencyfs/mnt."), j);
            assertTrue(j.contains("\"tree_entries\":3"), j);
            String mountPoint = j.replaceAll("(?s).*\"path\":\"([^\"]*)\".*", "$1");
            assertTrue(Files.readAllLines(Path.of("/proc/self/mounts")).stream().noneMatch(l -> l.contains(mountPoint)),
                    "still mounted: " + mountPoint);
        } finally {
            if (before == null) {
                System.clearProperty("podheitor.home");
            } else {
                System.setProperty("podheitor.home", before);
            }
        }
    }
}
