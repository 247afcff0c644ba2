package io.podheitor.hpc.stripe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.lustre.Layout;
import io.podheitor.hpc.lustre.LayoutComponent;
import java.util.List;
import org.junit.jupiter.api.Test;

class LustreGeometryTest {
    static final long M = 1 << 20;

    static LayoutComponent comp(long start, long end, long count, long size, List<Long> osts) {
        return new LayoutComponent(start, end, count, size, Layout.RAID0, "", osts);
    }

    @Test
    void aPlainFourStripeLayoutHasALanePerOstInStripeOrder() {
        LustreGeometry g = LustreGeometry.of(new Layout(false,
                List.of(comp(0, Layout.EOF, 4, M, List.of(7L, 2L, 9L, 4L))))).orElseThrow();
        assertEquals(4, g.lanes());
        assertEquals(0, g.laneOf(0));
        assertEquals(1, g.laneOf(M));
        assertEquals(3, g.laneOf(3 * M + 5));
        assertEquals(0, g.laneOf(4 * M));
        assertEquals(M, g.unitEnd(0));
        assertEquals(2 * M, g.unitEnd(M + 1));
    }

    /** PFL: 1 stripe for the first 4 MiB, then 4 stripes of 2 MiB; OST 5 is in both: one lane. */
    @Test
    void pflComponentsMapByTheirOwnStripesAndShareLanesByOst() {
        LustreGeometry g = LustreGeometry.of(new Layout(true, List.of(
                comp(0, 4 * M, 1, M, List.of(5L)),
                comp(4 * M, Layout.EOF, 4, 2 * M, List.of(1L, 5L, 2L, 3L))))).orElseThrow();
        assertEquals(4, g.lanes());
        for (long o = 0; o < 4 * M; o += M / 2) {
            assertEquals(0, g.laneOf(o), "first component on OST 5");
        }
        assertEquals(M, g.unitEnd(0));
        assertEquals(4 * M, g.unitEnd(3 * M + 1), "a unit never crosses the component end");
        assertEquals(1, g.laneOf(4 * M)); // OST 1
        assertEquals(0, g.laneOf(6 * M)); // OST 5 again
        assertEquals(2, g.laneOf(8 * M)); // OST 2
        assertEquals(3, g.laneOf(10 * M)); // OST 3
        assertEquals(1, g.laneOf(12 * M)); // wraps to OST 1
        assertEquals(6 * M, g.unitEnd(4 * M));
    }

    @Test
    void nothingToGainGivesNoGeometry() {
        assertTrue(LustreGeometry.of(new Layout(false, List.of(comp(0, Layout.EOF, 1, M, List.of(0L))))).isEmpty());
        assertTrue(LustreGeometry.of(new Layout(false,
                List.of(comp(0, Layout.EOF, Layout.DEFAULT, Layout.DEFAULT, List.of())))).isEmpty());
        assertTrue(LustreGeometry.of(new Layout(false, List.of(new LayoutComponent(0, Layout.EOF, 4, M,
                Layout.FOREIGN, "", List.of())))).isEmpty());
        // two stripes on the same OST (overstriping): one lane
        assertTrue(LustreGeometry.of(new Layout(false, List.of(comp(0, Layout.EOF, 2, M, List.of(3L, 3L)))))
                .isEmpty());
    }

    @Test
    void uninstantiatedComponentsCountTheirStripesAsLanes() {
        LustreGeometry g = LustreGeometry.of(new Layout(true, List.of(
                comp(0, M, 1, M, List.of(0L)), comp(M, Layout.EOF, 2, M, List.of())))).orElseThrow();
        assertEquals(3, g.lanes());
        assertEquals(1, g.laneOf(M));
        assertEquals(2, g.laneOf(2 * M));
    }

    @Test
    void chunkGeometryDealsUnitsRoundRobin() {
        ChunkGeometry g = new ChunkGeometry(4 * M, 3);
        assertEquals(0, g.laneOf(0));
        assertEquals(1, g.laneOf(4 * M));
        assertEquals(2, g.laneOf(9 * M));
        assertEquals(0, g.laneOf(12 * M));
        assertEquals(8 * M, g.unitEnd(4 * M));
    }
}
