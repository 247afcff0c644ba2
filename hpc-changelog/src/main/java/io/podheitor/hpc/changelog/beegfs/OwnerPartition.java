package io.podheitor.hpc.changelog.beegfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The root's top directories, each assigned to the walk of one metadata target (docs/changelog.md §6): the owner
 * BeeGFS reports for the directory ({@code beegfs-ctl --getentryinfo}, one process per directory, so only the top
 * level is asked, at most {@code maxLookups} of them, a few at a time). A directory whose owner is not known (the
 * lookup failed, or beyond the limit) goes to a lane chosen by a hash of its name; one owned by a target that is
 * not usable (offline, needs a resync) goes to the usable targets' lanes the same way, so nothing is skipped.
 *
 * <p>Names not in the partition (made after it) are walked by the root's own walk ({@link PerTargetWalk}).
 */
public final class OwnerPartition {
    /** Asks BeeGFS who owns one top directory (its name below the root). */
    @FunctionalInterface
    public interface Lookup {
        BeegfsEntryInfo owner(byte[] name) throws IOException;
    }

    /** One metadata target's walk: its name for the job log and the top directories it walks. */
    public record Lane(String name, int nodeId, List<byte[]> names) {
    }

    private static final int PARALLEL_LOOKUPS = 8;

    private final List<Lane> lanes;
    private final Map<ByteBuffer, Integer> laneOf;
    private final int unknownOwner;
    private final int reassigned;
    private final List<String> warnings;

    private OwnerPartition(List<Lane> lanes, Map<ByteBuffer, Integer> laneOf, int unknownOwner, int reassigned,
            List<String> warnings) {
        this.lanes = List.copyOf(lanes);
        this.laneOf = laneOf;
        this.unknownOwner = unknownOwner;
        this.reassigned = reassigned;
        this.warnings = List.copyOf(warnings);
    }

    /**
     * @param names      the root's top directories (names, not paths)
     * @param targets    the metadata targets ({@code --listtargets --nodetype=meta --state})
     * @param maxLookups how many directories are asked about at most
     */
    public static OwnerPartition of(List<byte[]> names, List<MetaTarget> targets, Lookup lookup, int maxLookups)
            throws InterruptedException {
        List<String> warnings = new ArrayList<>();
        int asked = Math.min(names.size(), maxLookups);
        BeegfsEntryInfo[] owners = new BeegfsEntryInfo[names.size()];
        String firstFailure = null;
        int failures = 0;
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(PARALLEL_LOOKUPS, asked)))) {
            List<Future<BeegfsEntryInfo>> answers = new ArrayList<>(asked);
            for (int i = 0; i < asked; i++) {
                byte[] name = names.get(i);
                answers.add(pool.submit(() -> lookup.owner(name)));
            }
            for (int i = 0; i < asked; i++) {
                try {
                    owners[i] = answers.get(i).get();
                } catch (java.util.concurrent.ExecutionException e) {
                    failures++;
                    if (firstFailure == null) {
                        firstFailure = String.valueOf(e.getCause().getMessage());
                    }
                }
            }
        }
        // the lanes: every usable target, then owners the listing did not name; by node id
        Map<Integer, String> laneNames = new TreeMap<>();
        Map<Integer, MetaTarget> byNode = new HashMap<>();
        for (MetaTarget t : targets) {
            byNode.put(t.nodeId(), t);
        }
        for (BeegfsEntryInfo o : owners) {
            if (o != null) {
                laneNames.putIfAbsent(o.nodeId(), o.nodeName());
            }
        }
        Map<Integer, List<byte[]>> lists = new LinkedHashMap<>();
        List<Integer> usable = new ArrayList<>();
        for (MetaTarget t : targets) {
            if (t.usable() && !lists.containsKey(t.nodeId())) {
                lists.put(t.nodeId(), new ArrayList<>());
                usable.add(t.nodeId());
            }
        }
        for (int node : laneNames.keySet()) {
            MetaTarget t = byNode.get(node);
            if ((t == null || t.usable()) && !lists.containsKey(node)) {
                lists.put(node, new ArrayList<>());
                usable.add(node);
            }
        }
        Map<Integer, Integer> unusableCounts = new TreeMap<>();
        int unknown = 0;
        int moved = 0;
        if (usable.isEmpty() && !laneNames.isEmpty()) { // none usable: each keeps its own (the walk is still tried)
            warnings.add("beegfs: no metadata target is online and in sync: each target's directories are walked "
                    + "by its own walk all the same");
            for (int node : laneNames.keySet()) {
                lists.put(node, new ArrayList<>());
                usable.add(node);
            }
        }
        if (usable.isEmpty()) {
            warnings.add("beegfs: no metadata target is usable and no owner is known"
                    + (firstFailure == null ? "" : " (" + firstFailure + ")"));
            return new OwnerPartition(List.of(), Map.of(), names.size(), 0, warnings);
        }
        for (int i = 0; i < names.size(); i++) {
            byte[] name = names.get(i);
            BeegfsEntryInfo o = owners[i];
            int node;
            if (o == null) {
                unknown++;
                node = usable.get(Math.floorMod(Arrays.hashCode(name), usable.size()));
            } else if (lists.containsKey(o.nodeId())) {
                node = o.nodeId();
            } else {
                unusableCounts.merge(o.nodeId(), 1, Integer::sum);
                moved++;
                node = usable.get(Math.floorMod(Arrays.hashCode(name), usable.size()));
            }
            lists.get(node).add(name);
        }
        for (Map.Entry<Integer, Integer> e : unusableCounts.entrySet()) {
            MetaTarget t = byNode.get(e.getKey());
            warnings.add("beegfs: metadata node " + laneNames.getOrDefault(e.getKey(), "") + " [ID: " + e.getKey()
                    + "] is " + t.reachability() + "/" + t.consistency() + ": its " + e.getValue()
                    + " top directories are walked by the other targets' walks");
        }
        if (failures > 0) {
            warnings.add("beegfs: the owner of " + failures + " top directories could not be asked (" + firstFailure
                    + "): they are spread over the targets' walks by name");
        }
        List<Lane> lanes = new ArrayList<>();
        Map<ByteBuffer, Integer> laneOf = new HashMap<>();
        for (Map.Entry<Integer, List<byte[]>> e : lists.entrySet()) {
            if (e.getValue().isEmpty()) {
                continue;
            }
            int index = lanes.size();
            lanes.add(new Lane(laneNames.getOrDefault(e.getKey(), "node"), e.getKey(), List.copyOf(e.getValue())));
            for (byte[] n : e.getValue()) {
                laneOf.put(ByteBuffer.wrap(n), index);
            }
        }
        return new OwnerPartition(lanes, laneOf, unknown, moved, warnings);
    }

    public List<Lane> lanes() {
        return lanes;
    }

    /** The lane of a top directory, or -1 when it is not in the partition. */
    public int laneOf(byte[] name) {
        Integer i = laneOf.get(ByteBuffer.wrap(name));
        return i == null ? -1 : i;
    }

    /** Top directories whose owner was not known (spread by name). */
    public int unknownOwner() {
        return unknownOwner;
    }

    /** Top directories of unusable targets, walked by the others' walks. */
    public int reassigned() {
        return reassigned;
    }

    public List<String> warnings() {
        return warnings;
    }

    /** "meta01 [ID: 1] 12, meta02 [ID: 2] 11". */
    public String describe() {
        List<String> parts = new ArrayList<>();
        for (Lane l : lanes) {
            parts.add(l.name() + " [ID: " + l.nodeId() + "] " + l.names().size());
        }
        return String.join(", ", parts);
    }
}
