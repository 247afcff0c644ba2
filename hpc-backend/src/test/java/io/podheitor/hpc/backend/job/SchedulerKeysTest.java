package io.podheitor.hpc.backend.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.backend.relay.SlurmScan;
import io.podheitor.hpc.ptcomm.PluginKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchedulerKeysTest {
    private static List<byte[]> lines(String... kv) {
        return Arrays.stream(kv).map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
    }

    @Test
    void localByDefaultAndEveryKeyRead() throws Exception {
        SchedulerKeys none = SchedulerKeys.parse(lines("path=/x", "threads=4"));
        assertFalse(none.slurm());
        assertEquals(SchedulerKeys.LOCAL, none);
        SchedulerKeys k = SchedulerKeys.parse(lines("path=/x", "scheduler=slurm", "partition=backup", "cpus=8",
                "mem=16G", "time=90m", "sbatch_args=--nodelist=node2 --qos=low", "slurm_conf=/etc/slurm/other.conf",
                "slurm_bin=/opt/slurm/bin", "slurm_output=/scratch/w-%j.out", "slurm_pending_timeout=30",
                "worker_command=/opt/phpc/bin/podheitor-hpc-backend", "relay=tcp", "relay_bind=10.0.0.5",
                "relay_port=4000", "relay_lz4=yes"));
        assertTrue(k.slurm());
        assertEquals("backup", k.partition().orElseThrow());
        assertEquals(8, k.cpus().orElseThrow());
        assertEquals("16G", k.mem().orElseThrow());
        assertEquals(Duration.ofMinutes(90), k.time().orElseThrow());
        assertEquals(List.of("--nodelist=node2", "--qos=low"), k.sbatchArgs());
        assertEquals(Path.of("/etc/slurm/other.conf"), k.slurmConf().orElseThrow());
        assertEquals(Path.of("/opt/slurm/bin"), k.slurmBin().orElseThrow());
        assertEquals("/scratch/w-%j.out", k.output());
        assertEquals(Duration.ofSeconds(30), k.pendingTimeout());
        assertEquals(SchedulerKeys.Relay.TCP, k.relay());
        assertEquals("10.0.0.5", k.bind().orElseThrow());
        assertEquals(4000, k.port());
        assertTrue(k.lz4());
    }

    @Test
    void badValuesAreRefusedNamingTheKey() {
        for (String[] bad : List.of(new String[] {"mem=16 G", "mem"}, new String[] {"mem=lots", "mem"},
                new String[] {"time=1", "time"}, new String[] {"time=0h", "time"}, new String[] {"time=400d", "time"},
                new String[] {"relay_bind=10.0.0.5:80", "relay_bind"}, new String[] {"relay=udp", "relay"},
                new String[] {"cpus=0", "cpus"}, new String[] {"relay_port=70000", "relay_port"},
                new String[] {"sbatch_args=--wrap=evil", "--wrap"}, new String[] {"sbatch_args=--export=ALL", "--export"},
                new String[] {"scheduler=pbs", "scheduler"}, new String[] {"slurm_conf=relative", "slurm_conf"})) {
            BadRequestException e = assertThrows(BadRequestException.class,
                    () -> SchedulerKeys.parse(lines("path=/x", "scheduler=slurm", bad[0])), bad[0]);
            assertTrue(e.getMessage().contains(bad[1]), e.getMessage());
        }
    }

    @Test
    void pluginParamsAcceptsTheKeysAndEveryNameIsInTheTable() throws Exception {
        PluginParams.parse(lines("path=/x", "scheduler=slurm", "partition=p", "relay_lz4=yes"));
        for (String name : SchedulerKeys.NAMES) {
            assertEquals(name, PluginKeys.table().find(name).name());
        }
    }

    @Test
    void slurmJobNameKeepsSlurmsCharactersAndLength() {
        assertEquals("podheitor-Shard-0.2026-01-31_02.00.00_07", SlurmScan.slurmJobName("Shard-0.2026-01-31_02.00.00_07"));
        assertEquals("podheitor-a_b_c", SlurmScan.slurmJobName("a b/c"));
        assertEquals(128, SlurmScan.slurmJobName("x".repeat(300)).length());
        assertEquals("podheitor-job", SlurmScan.slurmJobName(""));
    }
}
