package io.podheitor.hpc.backend.job;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class JobNameTest {
    @Test
    void bacula_sUniqueSuffixIsStripped() {
        assertEquals("BackupProj", JobName.of("BackupProj.2026-01-02_03.04.05_06"));
        assertEquals("a.b", JobName.of("a.b.2026-01-02_03.04.05_123"));
        assertEquals("with space", JobName.of("with space.2024-12-31_23.59.59_00"));
    }

    @Test
    void anythingElseStaysAsItIs() {
        assertEquals("BackupProj", JobName.of("BackupProj"));
        assertEquals("x.2026-01-02_03.04.05", JobName.of("x.2026-01-02_03.04.05")); // no _NN
        assertEquals("x.2026-01-02_03.04.05_06.y", JobName.of("x.2026-01-02_03.04.05_06.y"));
        assertEquals("", JobName.of(""));
    }
}
