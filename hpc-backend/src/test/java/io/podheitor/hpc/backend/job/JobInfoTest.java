package io.podheitor.hpc.backend.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Job line Handoff=<fd> (docs/ptcomm.md §4.1c). */
class JobInfoTest {
    private static JobInfo parse(String... lines) throws BadRequestException {
        return JobInfo.parse(List.of(lines).stream().map(l -> l.getBytes(StandardCharsets.UTF_8)).toList());
    }

    @Test
    void theHandoffLineNamesADescriptorAboveTheStandardOnes() throws Exception {
        assertEquals(-1, parse("Type=B").handoffFd(), "not offered");
        assertEquals(4, parse("Type=B", "Handoff=4").handoffFd());
        assertEquals(-1, JobInfo.empty().handoffFd());
        for (String bad : List.of("Handoff=2", "Handoff=0", "Handoff=x", "Handoff=-4", "Handoff=1000001")) {
            BadRequestException e = assertThrows(BadRequestException.class, () -> parse(bad));
            assertEquals(true, e.getMessage().startsWith("bad job line Handoff=\""), e.getMessage());
        }
    }
}
