package io.podheitor.hpc.slurm;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SbatchRequestTest {

    @Test
    void commandLineFromTypedOptions() {
        SbatchRequest r = SbatchRequest.builder(new JobCommand.Script(Path.of("/opt/w.sh"), List.of("a b", "--x")))
                .partition("backup").cpus(8).mem("16G").time(Duration.ofHours(1)).jobName("phpc-Job1.2")
                .output("/var/log/phpc/%x-%j.out").extraArgs(List.of("-w", "node2", "--qos=low"))
                .env("PHPC_TOKEN", "s3cr3t-value").env("PHPC_MODE", "x").build();
        assertEquals(List.of("--parsable", "--partition=backup", "--cpus-per-task=8", "--mem=16G", "--time=60",
                "--job-name=phpc-Job1.2", "--output=/var/log/phpc/%x-%j.out", "--export=ALL,PHPC_TOKEN,PHPC_MODE",
                "-w", "node2", "--qos=low", "/opt/w.sh", "a b", "--x"), r.arguments());
    }

    @Test
    void secretValuesNeverOnTheCommandLine() {
        SbatchRequest r = SbatchRequest.builder(new JobCommand.Wrap("echo $PHPC_TOKEN"))
                .env("PHPC_TOKEN", "tok-9f8e7d").exportAll(false).build();
        assertTrue(r.arguments().contains("--export=PHPC_TOKEN"), r.arguments().toString());
        for (String a : r.arguments()) {
            assertFalse(a.contains("tok-9f8e7d"), a);
        }
        assertEquals("tok-9f8e7d", r.environment().get("PHPC_TOKEN"));
    }

    @Test
    void minimalRequestAndExportNone() {
        assertEquals(List.of("--parsable", "--export=ALL", "--wrap=true"),
                SbatchRequest.builder(new JobCommand.Wrap("true")).build().arguments());
        assertEquals(List.of("--parsable", "--export=NONE", "--wrap=true"),
                SbatchRequest.builder(new JobCommand.Wrap("true")).exportAll(false).build().arguments());
    }

    @Test
    void timeRoundsUpToWholeMinutes() {
        assertEquals(1, SbatchRequest.minutes(Duration.ofSeconds(1)));
        assertEquals(1, SbatchRequest.minutes(Duration.ofSeconds(60)));
        assertEquals(2, SbatchRequest.minutes(Duration.ofSeconds(61)));
        assertEquals(2, SbatchRequest.minutes(Duration.ofSeconds(60).plusNanos(1)));
        assertEquals(1440, SbatchRequest.minutes(Duration.ofDays(1)));
    }

    @Test
    void refusesBadValues() {
        JobCommand c = new JobCommand.Wrap("true");
        assertThrows(IllegalArgumentException.class, () -> SbatchRequest.builder(c).partition("a,b").build());
        assertThrows(IllegalArgumentException.class, () -> SbatchRequest.builder(c).partition("").build());
        assertThrows(IllegalArgumentException.class, () -> SbatchRequest.builder(c).cpus(0).build());
        assertThrows(IllegalArgumentException.class, () -> SbatchRequest.builder(c).mem("16GB").build());
        assertThrows(IllegalArgumentException.class, () -> SbatchRequest.builder(c).mem("-1").build());
        assertThrows(IllegalArgumentException.class, () -> SbatchRequest.builder(c).time(Duration.ZERO).build());
        assertThrows(IllegalArgumentException.class, () -> SbatchRequest.builder(c).jobName("a b").build());
        assertThrows(IllegalArgumentException.class, () -> SbatchRequest.builder(c).output("rel/out").build());
        assertThrows(IllegalArgumentException.class, () -> SbatchRequest.builder(c).env("1X", "v").build());
        assertThrows(IllegalArgumentException.class, () -> SbatchRequest.builder(c).env("X", "a\0b").build());
        for (String owned : List.of("--parsable", "--export=ALL,X=1", "--export", "--wrap=id", "--export-file=f")) {
            assertThrows(IllegalArgumentException.class,
                    () -> SbatchRequest.builder(c).extraArgs(List.of(owned)).build(), owned);
        }
        assertThrows(IllegalArgumentException.class, () -> new JobCommand.Wrap(" "));
    }

    @Test
    void parsesParsableOutput() {
        assertEquals(Optional.of(new JobId(42, Optional.empty())), JobId.parseParsable("42\n"));
        assertEquals(Optional.of(new JobId(42, Optional.empty())), JobId.parseParsable("42"));
        assertEquals(Optional.of(new JobId(7, Optional.of("lab-2"))), JobId.parseParsable("7;lab-2\n"));
        for (String bad : List.of("", "\n", "0\n", "abc\n", "42 \n", " 42\n", "42;\n", "42\n43\n", "42\n\n",
                "Submitted batch job 42\n", "42;a b\n", "99999999999999999999\n", "-3\n")) {
            assertEquals(Optional.empty(), JobId.parseParsable(bad), bad);
        }
    }

    @Test
    void statesAndTheirKinds() {
        assertEquals(JobState.Kind.WAITING, JobState.of("PENDING", "Resources").kind());
        assertEquals("PENDING (Resources)", JobState.of("PENDING", "Resources").toString());
        assertEquals(JobState.Kind.ACTIVE, JobState.of("R", "").kind());
        assertEquals("RUNNING", JobState.of("R", "None").toString());
        assertEquals(JobState.Kind.DONE, JobState.of("COMPLETED", "").kind());
        assertEquals("CANCELLED", JobState.of("CANCELLED by 0", "").name());
        for (String bad : List.of("FAILED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "CA", "PREEMPTED")) {
            assertEquals(JobState.Kind.ENDED_BADLY, JobState.of(bad, "").kind(), bad);
        }
        assertEquals(JobState.Kind.UNKNOWN, JobState.of("WHATEVER_NEW", "").kind());
    }
}
