package io.podheitor.hpc.changelog.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CursorStoreTest {
    private static final String MDT0 = "fs1-MDT0000";
    private static final String MDT1 = "fs1-MDT0001";
    private static final Instant NOW = Instant.parse("2026-03-16T02:52:19Z");

    @TempDir
    Path dir;

    /** Records the clears asked for; answers per MDT. */
    static final class Clears implements Clearer {
        final List<String> calls = new ArrayList<>();
        final Map<String, Boolean> registered;

        Clears(Map<String, Boolean> registered) {
            this.registered = registered;
        }

        @Override
        public boolean clear(String mdt, String consumer, long end) throws IOException {
            calls.add(mdt + " " + consumer + " " + end);
            Boolean ok = registered.get(mdt);
            if (ok == null) {
                throw new IOException("lfs changelog_clear failed (exit 5)");
            }
            return ok;
        }
    }

    static CursorStore.ChangelogUsersView users(long current, String... listed) {
        return new CursorStore.ChangelogUsersView() {
            @Override
            public boolean listed(String consumer) {
                return List.of(listed).contains(consumer);
            }

            @Override
            public long currentIndex() {
                return current;
            }
        };
    }

    private CursorStore open(String shard) throws IOException {
        return CursorStore.open(dir, shard, Duration.ofMillis(300));
    }

    @Test
    void noCursorMeansAFullWalk() throws IOException {
        try (CursorStore s = open("all")) {
            StartPoint.FullWalk f = assertInstanceOf(StartPoint.FullWalk.class, s.start(MDT0, "cl1", Optional.empty()));
            assertEquals(FullWalkReason.NO_CURSOR, f.reason());
            assertTrue(f.message().contains(MDT0), f.message());
        }
    }

    @Test
    void pendingBecomesCommittedOnlyWhenTheJobEndedOk() throws IOException {
        Clears clears = new Clears(Map.of(MDT0, true, MDT1, true));
        try (CursorStore s = open("all")) {
            s.markPending("cl1", Map.of(MDT0, 100L, MDT1, 7L), NOW);
            s.commit(clears);
        }
        assertEquals(List.of(MDT0 + " cl1 100", MDT1 + " cl1 7"), clears.calls);
        try (CursorStore s = open("all")) {
            assertEquals(new StartPoint.Incremental(MDT0, 101), s.start(MDT0, "cl1", Optional.empty()));
            // the next job reads up to 150 and fails: the cursor stays, the same records are read again
            s.markPending("cl1", Map.of(MDT0, 150L, MDT1, 9L), NOW.plusSeconds(60));
            assertEquals(new StartPoint.Incremental(MDT0, 101), s.start(MDT0, "cl1", Optional.empty()));
            s.abandon();
            assertEquals(Map.of(), s.state().pending());
        }
        try (CursorStore s = open("all")) {
            assertEquals(new StartPoint.Incremental(MDT0, 101), s.start(MDT0, "cl1", Optional.empty()));
            assertEquals(new StartPoint.Incremental(MDT1, 8), s.start(MDT1, "cl1", Optional.empty()));
            assertEquals(NOW.plusSeconds(60), s.state().lastRun());
            assertEquals(2, clears.calls.size(), "a failed job clears nothing");
        }
    }

    @Test
    void commitWritesTheCursorBeforeClearingAndReportsEachMdt() throws IOException {
        Map<String, Boolean> answers = new java.util.HashMap<>();
        answers.put(MDT0, false); // consumer gone there; MDT1 has no answer: the clear fails
        Clears clears = new Clears(answers);
        try (CursorStore s = open("all")) {
            s.markPending("cl1", Map.of(MDT0, 10L, MDT1, 20L), NOW);
            List<CursorStore.Cleared> out = s.commit(clears);
            assertEquals(CursorStore.Cleared.Status.CONSUMER_GONE, out.get(0).status());
            assertEquals(CursorStore.Cleared.Status.FAILED, out.get(1).status());
            assertTrue(out.get(1).message().contains("exit 5"));
        }
        try (CursorStore s = open("all")) {
            assertEquals(FullWalkReason.CONSUMER_GONE,
                    assertInstanceOf(StartPoint.FullWalk.class, s.start(MDT0, "cl1", Optional.empty())).reason());
            // a failed clear is not a reason to walk: the records are still there
            assertEquals(new StartPoint.Incremental(MDT1, 21), s.start(MDT1, "cl1", Optional.empty()));
        }
    }

    @Test
    void aCursorAtZeroIsCommittedWithoutAClear() throws IOException {
        Clears clears = new Clears(Map.of(MDT0, true));
        try (CursorStore s = open("all")) {
            s.markPending("cl1", Map.of(MDT0, 0L), NOW);
            assertEquals(CursorStore.Cleared.Status.CLEARED, s.commit(clears).get(0).status());
            assertEquals(List.of(), clears.calls, "lfs changelog_clear MDT ID 0 would clear every record");
            assertEquals(new StartPoint.Incremental(MDT0, 1), s.start(MDT0, "cl1", Optional.empty()));
        }
    }

    @Test
    void consumerListDecidesGarbageCollectedAndReset() throws IOException {
        try (CursorStore s = open("all")) {
            s.markPending("cl1", Map.of(MDT0, 500L), NOW);
            s.commit((m, c, e) -> true);
            assertEquals(FullWalkReason.CONSUMER_GONE, assertInstanceOf(StartPoint.FullWalk.class,
                    s.start(MDT0, "cl1", Optional.of(users(900, "cl2")))).reason());
            assertEquals(FullWalkReason.RESET, assertInstanceOf(StartPoint.FullWalk.class,
                    s.start(MDT0, "cl1", Optional.of(users(3, "cl1")))).reason());
            assertEquals(new StartPoint.Incremental(MDT0, 501), s.start(MDT0, "cl1", Optional.of(users(900, "cl1"))));
            assertEquals(FullWalkReason.CONSUMER_CHANGED, assertInstanceOf(StartPoint.FullWalk.class,
                    s.start(MDT0, "cl4", Optional.empty())).reason());
        }
    }

    @Test
    void shardsHaveTheirOwnFilesAndRunAtOnce() throws Exception {
        try (CursorStore a = open("1of2"); CursorStore b = open("2of2")) {
            a.markPending("cl1", Map.of(MDT0, 1L), NOW);
            b.markPending("cl1", Map.of(MDT0, 2L), NOW);
            a.commit((m, c, e) -> true);
            b.commit((m, c, e) -> true);
            assertEquals(new StartPoint.Incremental(MDT0, 2), a.start(MDT0, "cl1", Optional.empty()));
            assertEquals(new StartPoint.Incremental(MDT0, 3), b.start(MDT0, "cl1", Optional.empty()));
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("changelog-1of2.cursor", "changelog-1of2.lock", "changelog-2of2.cursor",
                    "changelog-2of2.lock"), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no temporary file is left behind");
        }
    }

    @Test
    void aSecondJobOfTheSameShardWaitsForTheLock() throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread holder = Thread.ofPlatform().start(() -> {
            try (CursorStore s = open("all")) {
                held.countDown();
                release.await(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
        assertTrue(held.await(10, TimeUnit.SECONDS));
        IOException busy = assertThrows(IOException.class, () -> open("all"));
        assertTrue(busy.getMessage().contains("in use by another job"), busy.getMessage());
        release.countDown();
        holder.join();
        try (CursorStore s = CursorStore.open(dir, "all", Duration.ofSeconds(5))) {
            assertEquals(Map.of(), s.state().committed());
        }
    }

    @Test
    void aDamagedFileIsAnErrorNotAnEmptyCursor() throws IOException {
        Files.writeString(dir.resolve("changelog-all.cursor"), "something else\n");
        IOException e = assertThrows(IOException.class, () -> open("all"));
        assertTrue(e.getMessage().contains("not a changelog cursor file"), e.getMessage());
        Files.writeString(dir.resolve("changelog-all.cursor"), CursorFile.MAGIC + "\ncommitted.fs1-MDT0000=x\n");
        IOException e2 = assertThrows(IOException.class, () -> open("all"));
        assertTrue(e2.getMessage().contains("line 2"), e2.getMessage());
    }

    @Test
    void namesAreChecked() throws IOException {
        assertThrows(IOException.class, () -> open("../x"));
        try (CursorStore s = open("all")) {
            assertThrows(IOException.class, () -> s.markPending("bob", Map.of(MDT0, 1L), NOW));
            assertThrows(IOException.class, () -> s.markPending("cl1", Map.of("a/b", 1L), NOW));
        }
    }

    @Test
    void formatRoundTrips() throws IOException {
        CursorState st = new CursorState("cl3-bkp", NOW, Map.of(MDT0, 5L, MDT1, 6L), Map.of(MDT0, 9L),
                java.util.Set.of(MDT1));
        Path f = dir.resolve("x.cursor");
        CursorFile.write(f, st);
        assertEquals(st, CursorFile.read(f));
    }
}
