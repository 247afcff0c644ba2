package io.podheitor.hpc.backend.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JobOutcomeTest {
    static JobOutcome of(String end) {
        return JobOutcome.ofEnd(end.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void terminatedWithoutErrorsIsOk() {
        assertEquals(JobOutcome.OK, of("END T 0"));
        assertEquals(JobOutcome.OK, of("END W 0"));
    }

    @Test
    void anErrorStatusOrAPostedErrorIsFailed() {
        assertEquals(new JobOutcome.Failed('f', 0, "job status f, 0 errors posted by the plugin"), of("END f 0"));
        JobOutcome.Failed e = assertInstanceOf(JobOutcome.Failed.class, of("END E 2"));
        assertEquals('E', e.status());
        assertEquals(2, e.errors());
        // "Backup OK -- with warnings" after an error the plugin posted: not OK for a changelog clear
        assertEquals(1, assertInstanceOf(JobOutcome.Failed.class, of("END T 1")).errors());
        // a Plugin= item followed by another one ends while the job still runs
        assertEquals('R', assertInstanceOf(JobOutcome.Failed.class, of("END R 0")).status());
        assertEquals('?', assertInstanceOf(JobOutcome.Failed.class, of("END ? 0")).status());
        assertEquals('A', assertInstanceOf(JobOutcome.Failed.class, of("END A 0")).status());
    }

    @Test
    void aBareOrUnreadableEndIsUnknown() {
        assertInstanceOf(JobOutcome.Unknown.class, of("END"));
        for (String bad : new String[] {"END T", "END T x", "END TT 0", "END T 0 1", "END  0", "END T -1",
                "END T 1234567890123456789", "END \u0001 0"}) {
            assertInstanceOf(JobOutcome.Unknown.class, of(bad), bad);
        }
    }

    @Test
    void endCommandsAreRecognized() {
        assertTrue(JobOutcome.isEnd("END"));
        assertTrue(JobOutcome.isEnd("END T 0"));
        assertFalse(JobOutcome.isEnd("ENDX"));
        assertFalse(JobOutcome.isEnd("FINISH"));
    }

    @Test
    void noEndIsFailed() {
        JobOutcome.Failed f = assertInstanceOf(JobOutcome.Failed.class, JobOutcome.noEnd("EOF"));
        assertEquals('?', f.status());
        assertEquals("EOF", f.reason());
    }
}
