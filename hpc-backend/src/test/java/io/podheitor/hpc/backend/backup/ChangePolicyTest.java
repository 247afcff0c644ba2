package io.podheitor.hpc.backend.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.backend.job.JobInfo;
import io.podheitor.hpc.source.ChangedSince;
import org.junit.jupiter.api.Test;

class ChangePolicyTest {
    private static JobInfo job(char level, long since, boolean accurate) {
        JobInfo e = JobInfo.empty();
        return new JobInfo("j", 1, 'B', level, since, accurate, e.where(), e.regexWhere(), 'a', 14);
    }

    @Test
    void aFullSendsEverything() {
        ChangePolicy p = ChangePolicy.of(job('F', 1000, true), true);
        assertFalse(p.checkEvery(), "a Full has no previous state to compare with");
        assertEquals(ChangedSince.EVERYTHING, p.delivered());
        assertEquals(ChangedSince.EVERYTHING, p.readAhead());
    }

    @Test
    void anIncrementalWithoutAccurateDeliversWhatChangedSince() {
        for (char level : new char[] {'I', 'D'}) {
            ChangePolicy p = ChangePolicy.of(job(level, 1000, false), true);
            assertFalse(p.checkEvery());
            assertEquals(new ChangedSince(1000), p.delivered());
            assertEquals(new ChangedSince(1000), p.readAhead());
        }
    }

    @Test
    void anAccurateIncrementalChecksEverythingAndReadsAheadOnlyWhatLooksChanged() {
        ChangePolicy p = ChangePolicy.of(job('I', 1000, true), true);
        assertTrue(p.checkEvery());
        assertEquals(ChangedSince.EVERYTHING, p.delivered(), "renamed directories keep old times: deliver all");
        assertEquals(new ChangedSince(1000), p.readAhead());
    }

    @Test
    void anEstimateNeverChecksEveryEntry() {
        ChangePolicy p = ChangePolicy.of(job('I', 1000, true), false);
        assertFalse(p.checkEvery());
        assertEquals(new ChangedSince(1000), p.delivered());
    }

    @Test
    void noSinceMeansEverything() {
        ChangePolicy p = ChangePolicy.of(job('I', -1, false), true);
        assertEquals(ChangedSince.EVERYTHING, p.delivered());
    }
}
