package io.podheitor.hpc.changelog.beegfs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class OwnerPartitionTest {
    private static final List<MetaTarget> TWO = List.of(new MetaTarget(1, "Online", "Good", 1),
            new MetaTarget(2, "Online", "Good", 2));

    private static List<byte[]> names(String... n) {
        List<byte[]> out = new ArrayList<>();
        for (String s : n) {
            out.add(s.getBytes(UTF_8));
        }
        return out;
    }

    private static OwnerPartition.Lookup table(Map<String, Integer> owners, AtomicInteger calls) {
        return name -> {
            calls.incrementAndGet();
            Integer id = owners.get(new String(name, UTF_8));
            if (id == null) {
                throw new IOException("no such entry");
            }
            return new BeegfsEntryInfo("directory", "x", "meta0" + id, id, -1);
        };
    }

    private static List<String> lane(OwnerPartition p, int i) {
        List<String> out = new ArrayList<>();
        for (byte[] n : p.lanes().get(i).names()) {
            out.add(new String(n, UTF_8));
        }
        return out;
    }

    @Test
    void eachTopDirectoryGoesToItsOwnersLane() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        OwnerPartition p = OwnerPartition.of(names("a", "b", "c", "d"), TWO,
                table(Map.of("a", 1, "b", 2, "c", 2, "d", 1), calls), 100);
        assertEquals(4, calls.get());
        assertEquals(2, p.lanes().size());
        assertEquals("meta01", p.lanes().get(0).name());
        assertEquals(List.of("a", "d"), lane(p, 0));
        assertEquals(List.of("b", "c"), lane(p, 1));
        assertEquals(0, p.laneOf("a".getBytes(UTF_8)));
        assertEquals(1, p.laneOf("c".getBytes(UTF_8)));
        assertEquals(-1, p.laneOf("new".getBytes(UTF_8)));
        assertEquals("meta01 [ID: 1] 2, meta02 [ID: 2] 2", p.describe());
        assertEquals(List.of(), p.warnings());
    }

    @Test
    void anOfflineTargetsDirectoriesAreWalkedByTheOthersWithOneWarning() throws Exception {
        List<MetaTarget> targets = List.of(new MetaTarget(1, "Online", "Good", 1),
                new MetaTarget(2, "Offline", "Good", 2), new MetaTarget(3, "Online", "Good", 3));
        OwnerPartition p = OwnerPartition.of(names("a", "b", "c", "d", "e"), targets,
                table(Map.of("a", 1, "b", 2, "c", 2, "d", 3, "e", 2), new AtomicInteger()), 100);
        assertEquals(List.of(1, 3), p.lanes().stream().map(OwnerPartition.Lane::nodeId).toList());
        int total = p.lanes().stream().mapToInt(l -> l.names().size()).sum();
        assertEquals(5, total, "nothing is skipped");
        assertTrue(lane(p, 0).contains("a") && lane(p, 1).contains("d"));
        assertEquals(3, p.reassigned());
        assertEquals(1, p.warnings().size(), p.warnings().toString());
        assertTrue(p.warnings().getFirst().contains("meta02 [ID: 2] is Offline/Good: its 3 top directories"),
                p.warnings().getFirst());
    }

    @Test
    void failedLookupsAndThoseBeyondTheLimitAreSpreadByName() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        OwnerPartition p = OwnerPartition.of(names("a", "gone", "b", "c", "d"), TWO,
                table(Map.of("a", 1, "b", 2, "c", 1, "d", 2), calls), 3);
        assertEquals(3, calls.get(), "at most maxLookups processes");
        assertEquals(5, p.lanes().stream().mapToInt(l -> l.names().size()).sum());
        assertEquals(3, p.unknownOwner()); // "gone" failed, "c" and "d" were not asked
        assertTrue(p.warnings().getFirst().contains("the owner of 1 top directories could not be asked (no such entry)"),
                p.warnings().toString());
        for (String n : List.of("gone", "c", "d")) {
            assertTrue(p.laneOf(n.getBytes(UTF_8)) >= 0, n);
        }
    }

    @Test
    void noUsableTargetKeepsEachOwnersLaneAndSaysSo() throws Exception {
        List<MetaTarget> targets = List.of(new MetaTarget(1, "Online", "Needs-resync", 1),
                new MetaTarget(2, "Probably Offline", "Good", 2));
        OwnerPartition p = OwnerPartition.of(names("a", "b"), targets,
                table(Map.of("a", 1, "b", 2), new AtomicInteger()), 100);
        assertEquals(List.of("a"), lane(p, 0));
        assertEquals(List.of("b"), lane(p, 1));
        assertTrue(p.warnings().getFirst().startsWith("beegfs: no metadata target is online and in sync"),
                p.warnings().toString());
    }
}
