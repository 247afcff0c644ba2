package io.podheitor.hpc.backend.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.backend.job.JobInfo;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotNameTest {
    private static JobInfo job(String name, long id) {
        return new JobInfo(name, id, 'B', 'F', -1, false, new byte[0], new byte[0], 'a', 14);
    }

    private static String s(byte[] b) {
        return new String(b, StandardCharsets.US_ASCII);
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void theNameIsTheJobResourceAndTheJobId() {
        assertEquals("podheitor-ProjA-42", s(SnapshotName.of(job("ProjA.2026-01-02_03.04.05_06", 42)).name()));
        assertEquals("podheitor-a.b_c-d-7", s(SnapshotName.of(job("a.b_c-d", 7)).name()));
    }

    @Test
    void otherCharactersBecomeUnderscoreAndAHashKeepsNamesApart() {
        String space = s(SnapshotName.of(job("Proj A", 1)).name());
        String slash = s(SnapshotName.of(job("Proj/A", 1)).name());
        String under = s(SnapshotName.of(job("Proj_A", 1)).name());
        assertTrue(space.matches("podheitor-Proj_A-x[0-9a-f]+-1"), space);
        assertTrue(slash.matches("podheitor-Proj_A-x[0-9a-f]+-1"), slash);
        assertEquals("podheitor-Proj_A-1", under);
        assertNotEquals(space, slash);
        assertTrue(s(SnapshotName.of(job("caf\u00e9", 2)).name()).matches("podheitor-caf_-x[0-9a-f]+-2"));
        assertEquals("podheitor-job-x0-3", s(SnapshotName.of(job("", 3)).name()));
        for (String n : List.of("Proj A", "a/b", "..", "x\ny")) {
            String name = s(SnapshotName.of(job(n, 9)).name());
            assertTrue(name.matches("[A-Za-z0-9._-]+"), name); // one path component, printable
        }
    }

    @Test
    void leftoversAreThisJobsSnapshotsOfAnyJobId() {
        SnapshotName sn = SnapshotName.of(job("ProjA.2026-01-02_03.04.05_06", 42));
        assertTrue(sn.isLeftover(b("podheitor-ProjA-41")));
        assertTrue(sn.isLeftover(b("podheitor-ProjA-42"))); // this id before this run: only a leftover
        assertTrue(sn.isLeftover(b("podheitor-ProjA-1000000")));
        assertTrue(sn.isLeftover(b("podheitor-ProjA-9223372036854775807")));
    }

    @Test
    void otherJobsAndOtherNamesAreNot() {
        SnapshotName sn = SnapshotName.of(job("ProjA", 42));
        for (String other : List.of("podheitor-ProjA-", "podheitor-ProjA-1-2", "podheitor-ProjA-shard1-5",
                "podheitor-ProjAB-5", "podheitor-ProjA-x12-5", "podheitor-Proj-5", "ProjA-5", "podheitor-ProjA-5x",
                "podheitor-ProjA-92233720368547758070", "podheitor-proja-5", "_hourly_2026", "podheitor-ProjA")) {
            assertFalse(sn.isLeftover(b(other)), other);
        }
        // a Job whose name is another's plus "-N" never takes that other's snapshots, nor the other way round
        SnapshotName one = SnapshotName.of(job("ProjA-1", 5));
        assertFalse(one.isLeftover(SnapshotName.of(job("ProjA", 17)).name()));
        assertFalse(sn.isLeftover(one.name()));
        // the hashed form of an unusual name only matches itself
        SnapshotName spaced = SnapshotName.of(job("Proj A", 3));
        assertTrue(spaced.isLeftover(SnapshotName.of(job("Proj A", 1)).name()));
        assertFalse(spaced.isLeftover(SnapshotName.of(job("Proj/A", 1)).name()));
        assertFalse(SnapshotName.of(job("Proj_A", 1)).isLeftover(spaced.name()));
    }
}
