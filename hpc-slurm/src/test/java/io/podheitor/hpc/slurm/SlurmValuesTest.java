package io.podheitor.hpc.slurm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SlurmValuesTest {
    @Test
    void timesInEveryUnitAndTheLimits() {
        assertEquals(Duration.ofSeconds(30), SlurmValues.time("30s"));
        assertEquals(Duration.ofMinutes(90), SlurmValues.time("90m"));
        assertEquals(Duration.ofHours(1), SlurmValues.time("1h"));
        assertEquals(Duration.ofDays(365), SlurmValues.time("365d"));
        for (String bad : List.of("0h", "366d", "1", "1.5h", "h", "-1h", "1H", "1h30m")) {
            assertThrows(IllegalArgumentException.class, () -> SlurmValues.time(bad), bad);
        }
        assertEquals("more than 0, at most 365 days",
                assertThrows(IllegalArgumentException.class, () -> SlurmValues.time("9999d")).getMessage());
    }

    @Test
    void memBindAndTheSubmittersOwnOptions() {
        assertEquals("16G", SlurmValues.mem("16G"));
        assertEquals("512", SlurmValues.mem("512"));
        for (String bad : List.of("16GB", "16 G", "G", "1.5G")) {
            assertThrows(IllegalArgumentException.class, () -> SlurmValues.mem(bad), bad);
        }
        assertEquals("10.0.0.5", SlurmValues.bindAddress("10.0.0.5"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> SlurmValues.bindAddress("10.0.0.5:80"))
                .getMessage().contains("IPv4"));
        assertEquals(Optional.of("--export"), SlurmValues.submitterOption("--export=ALL"));
        assertEquals(Optional.of("--wrap"), SlurmValues.submitterOption("--wrap"));
        assertEquals(Optional.empty(), SlurmValues.submitterOption("--exportish"));
        assertEquals(Optional.empty(), SlurmValues.submitterOption("--exclusive"));
    }
}
