package io.podheitor.hpc.backend.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.source.SourceStats;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Progress lines, the summary and the metrics file, on a fake clock. */
class ProgressTest {
    @TempDir
    Path tmp;
    private final long[] now = {1_000_000};
    private final InstantSource clock = () -> Instant.ofEpochMilli(now[0]);
    private final Frames frames = new Frames();

    private static void tick(Progress p, SourceStats s, JobReport r) throws Exception {
        for (int i = 0; i < 256; i++) {
            p.tick(s, r);
        }
    }

    @Test
    void aProgressLineEveryIntervalWithTheRateOfTheLastOne() throws Exception {
        JobReport r = new JobReport();
        Progress p = new Progress(frames.out, clock, 10, null);
        tick(p, new SourceStats(100, 0, null, 0, 32), r);
        assertEquals(List.of(), frames.summary(), "not before the interval");
        now[0] += 9 * 60_000;
        tick(p, new SourceStats(200, 0, null, 0, 32), r);
        assertEquals(List.of(), frames.summary());
        now[0] += 60_000 + 1;
        r.recordSent();
        r.dataSent(3L << 30);
        r.notSaved();
        tick(p, new SourceStats(600_100, 1, null, 0, 32), r);
        assertEquals(List.of("I progress: 600,100 entries walked, 1 files and 3.0 GiB sent, 1 errors, 1,000 entries/s"
                + " over the last 10 minutes, 32 threads"), frames.summary());
        now[0] += 60_000;
        tick(p, new SourceStats(700_000, 1, null, 0, 32), r);
        assertEquals(1, frames.summary().size(), "the next one comes an interval later");
    }

    @Test
    void zeroMinutesMeansNoProgressLinesButTheSummaryStays() throws Exception {
        JobReport r = new JobReport();
        Progress p = new Progress(frames.out, clock, 0, null);
        now[0] += 3_600_000;
        tick(p, new SourceStats(5, 0, null, 0, 4), r);
        assertEquals(List.of(), frames.summary());
        p.summary(new SourceStats(5, 0, "/data/big".getBytes(), 42, 4), r, 200L << 20);
        assertEquals("summary: 5 entries in 3600.0 s (0 entries/s), 0 files and 0 B sent, largest directory"
                + " \"/data/big\" (42 entries), backend peak memory 200.0 MiB; not saved: 0 (vanished or unreadable), 0"
                + " changed while read", frames.summaryLine());
    }

    @Test
    void theSummaryCountsTheSourcesStatCalls() throws Exception {
        JobReport r = new JobReport();
        MetricsFile m = new MetricsFile(tmp, "j", 1, t -> { throw new AssertionError(t); });
        Progress p = new Progress(frames.out, clock, 0, m);
        now[0] += 1000;
        p.summary(new SourceStats(5, 0, null, 0, 4, 1_234_567), r, 0);
        assertEquals("summary: 5 entries in 1.0 s (5 entries/s), 0 files and 0 B sent, 1,234,567 statx; not saved: 0"
                + " (vanished or unreadable), 0 changed while read", frames.summaryLine());
        assertTrue(Files.readString(tmp.resolve("podheitor_hpc_j.prom"))
                .contains("\npodheitor_hpc_stat_calls{job=\"j\",jobid=\"1\"} 1234567\n"));
    }

    @Test
    void theMetricsFileIsReplacedWholeAndNamesTheJob() throws Exception {
        JobReport r = new JobReport();
        MetricsFile m = new MetricsFile(tmp, "nightly \"scratch\"/A", 7, t -> { throw new AssertionError(t); });
        Progress p = new Progress(frames.out, clock, 1, m);
        now[0] += 61_000;
        tick(p, new SourceStats(1234, 0, null, 0, 8), r);
        Path f = tmp.resolve("podheitor_hpc_nightly__scratch__A.prom");
        String text = Files.readString(f);
        assertTrue(text.contains("# TYPE podheitor_hpc_entries_walked gauge\n"
                + "podheitor_hpc_entries_walked{job=\"nightly \\\"scratch\\\"/A\",jobid=\"7\"} 1234\n"), text);
        assertTrue(text.contains("podheitor_hpc_done{job=\"nightly \\\"scratch\\\"/A\",jobid=\"7\"} 0\n"), text);
        p.summary(new SourceStats(2000, 0, null, 0, 8), r, 0);
        assertTrue(Files.readString(f).contains("podheitor_hpc_done{job=\"nightly \\\"scratch\\\"/A\",jobid=\"7\"} 1\n"));
        try (var ls = Files.list(tmp)) {
            assertEquals(List.of(f), ls.toList(), "no temporary file left");
        }
    }

    @Test
    void anUnwritableMetricsDirectoryIsOneWarning() throws Exception {
        List<String> warned = new java.util.ArrayList<>();
        MetricsFile m = new MetricsFile(tmp.resolve("missing"), "j", 1, warned::add);
        Progress p = new Progress(frames.out, clock, 1, m);
        for (int i = 0; i < 3; i++) {
            now[0] += 61_000;
            tick(p, new SourceStats(i, 0, null, 0, 1), new JobReport());
        }
        assertEquals(1, warned.size(), warned.toString());
        assertTrue(warned.getFirst().startsWith("metrics_dir: cannot write "), warned.toString());
        assertFalse(Files.exists(tmp.resolve("missing")));
    }
}
