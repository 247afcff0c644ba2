package io.podheitor.hpc.backend;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.podheitor.hpc.posix.Fcntl;
import io.podheitor.hpc.posix.FileMode;
import io.podheitor.hpc.posix.Posix;
import io.podheitor.hpc.posix.StatX;
import io.podheitor.hpc.ptcomm.FileRecord;
import io.podheitor.hpc.ptcomm.FileType;
import io.podheitor.hpc.backend.backup.EntryChecks;
import io.podheitor.hpc.backend.restore.Restorer;
import io.podheitor.hpc.ptcomm.Frame;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class BackendSessionTest {
    @TempDir
    Path tmp;
    Path root;
    byte[] rootBytes;
    static final byte[] ODD_NAME = {'o', 'd', 'd', (byte) 0xff, '\n', (byte) 0xfe};
    byte[] bigData;

    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static byte[] cat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    @BeforeEach
    void tree() throws Exception {
        root = Files.createDirectory(tmp.resolve("src"));
        rootBytes = b(root.toString());
        bigData = new byte[200_001]; // several 64 KiB packets and a short one
        new Random(3).nextBytes(bigData);
        Files.write(root.resolve("big"), bigData);
        Files.writeString(root.resolve("small"), "hello\n");
        Files.createFile(root.resolve("empty"));
        Path sub = Files.createDirectories(root.resolve("sub/deeper"));
        Files.writeString(sub.resolve("leaf"), "leaf");
        Files.createSymbolicLink(root.resolve("sub/link"), Path.of("../small"));
        Files.createSymbolicLink(root.resolve("dangling"), Path.of("/does/not/exist"));
        Files.writeString(root.resolve("h1"), "shared");
        Files.createLink(root.resolve("sub/h2"), root.resolve("h1"));
        Posix.mknodat(Fcntl.AT_FDCWD, cat(rootBytes, b("/fifo")), FileMode.S_IFIFO | 0640, 0);
        byte[] odd = cat(rootBytes, b("/sub/"), ODD_NAME);
        int fd = Posix.open(odd, Fcntl.O_WRONLY | Fcntl.O_CREAT | Fcntl.O_CLOEXEC, 0640);
        Posix.write(fd, new byte[] {1, 2, 3}, 0, 3);
        Posix.close(fd);
        Posix.fchownat(Fcntl.AT_FDCWD, cat(rootBytes, b("/small")), 4321, 8765, 0);
        Posix.fchmodat(Fcntl.AT_FDCWD, cat(rootBytes, b("/sub")), 0751, 0);
        Posix.setXattr(cat(rootBytes, b("/small")), b("user.k\u00e9y"), new byte[] {0, (byte) 0xff, '\n'});
        Posix.setXattr(cat(rootBytes, b("/sub")), b("user.dir"), b("d"));
        Posix.setXattr(cat(rootBytes, b("/empty")), b("user.e"), new byte[0]);
    }

    static byte[] readAll(byte[] path) throws IOException {
        int fd = Posix.openForReading(Fcntl.AT_FDCWD, path);
        try {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[65536];
            for (int n; (n = Posix.read(fd, buf, 0, buf.length)) > 0; ) {
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } finally {
            Posix.close(fd);
        }
    }

    private ShimSide startBackup(String type, List<String> extraJob) throws IOException {
        ShimSide shim = new ShimSide();
        List<String> job = new ArrayList<>(List.of("Name=test.2024", "JobID=7", "Type=" + type, "Level=F",
                "Accurate=0", "FDVersion=14"));
        job.addAll(extraJob);
        Frame answer = shim.handshake(job, List.of(cat(b("path="), rootBytes), b("threads=4"), b("channel_depth=32")));
        assertEquals('F', answer.status(), answer.toString());
        return shim;
    }

    /**
     * A backup whose Job block offers a handoff socket (docs/ptcomm.md §4.1c): with handoff_min=64 (KiB) the large
     * file's section is one H packet whose descriptor reads back its exact bytes, the small ones stay D packets; with
     * handoff=no, or a Job line naming a descriptor that is no socket (one warning), everything is D packets.
     */
    @Test
    void aBackupHandsLargeFilesOffWhenTheShimOffersASocket() throws Exception {
        for (String handoff : List.of("auto", "no", "worker")) {
            int[] p = io.podheitor.hpc.posix.UnixSockets.socketpair(io.podheitor.hpc.posix.UnixSockets.AF_UNIX,
                    io.podheitor.hpc.posix.UnixSockets.SOCK_SEQPACKET | io.podheitor.hpc.posix.UnixSockets.SOCK_CLOEXEC);
            // a Slurm worker's Job lines are the submitter's: it never takes the descriptor they name
            try (ShimSide shim = handoff.equals("worker") ? new ShimSide(io.podheitor.hpc.backend.backup.FileOpener.POSIX,
                    new io.podheitor.hpc.backend.job.JobEnd(false), true) : new ShimSide()) {
                shim.handoffSocket = p[0];
                List<String> job = List.of("Name=test.2024", "JobID=7", "Type=B", "Level=F", "Accurate=0",
                        "FDVersion=14", "Handoff=" + p[1]);
                Frame answer = shim.handshake(job, List.of(cat(b("path="), rootBytes), b("threads=4"),
                        b("handoff=" + (handoff.equals("no") ? "no" : "auto")), b("handoff_min=64")));
                assertEquals('F', answer.status(), answer.toString());
                shim.command("BackupStart");
                shim.expect('F');
                ShimSide.Stream s = shim.readStream();
                assertEquals(handoff.equals("auto") ? List.of("I handoff: 1 files (" + bigData.length
                        + " bytes) read by the shim from descriptors the backend opened") : List.of(), s.messages());
                Map<String, ShimSide.Received> m = byName(s.records());
                assertArrayEquals(bigData, m.get(key("/big")).data(), handoff);
                assertEquals("hello\n", new String(m.get(key("/small")).data(), StandardCharsets.UTF_8));
                assertEquals(handoff.equals("auto") ? 1 : 0, shim.handoffs, handoff);
                shim.finish();
            } finally {
                io.podheitor.hpc.posix.Posix.closeQuietly(p[0]);
                if (!handoff.equals("auto")) {
                    // not taken: still open, still ours (auto: the backend closed it after the backup)
                    assertEquals(io.podheitor.hpc.posix.UnixSockets.SOCK_SEQPACKET, io.podheitor.hpc.posix.UnixSockets
                            .intOption(p[1], io.podheitor.hpc.posix.UnixSockets.SOL_SOCKET,
                                    io.podheitor.hpc.posix.UnixSockets.SO_TYPE), handoff);
                    io.podheitor.hpc.posix.Posix.closeQuietly(p[1]);
                }
            }
        }
        // a Job line naming a descriptor that is no socket: a warning, and D packets
        try (ShimSide shim = new ShimSide()) {
            shim.handoffSocket = -1;
            Frame answer = shim.handshake(List.of("Name=test.2024", "JobID=7", "Type=B", "Level=F", "Accurate=0",
                    "FDVersion=14", "Handoff=999999"), List.of(cat(b("path="), rootBytes), b("handoff_min=64")));
            assertEquals('F', answer.status(), answer.toString());
            shim.command("BackupStart");
            Frame w = shim.read();
            assertEquals('W', w.status(), w.toString());
            assertTrue(w.text().startsWith("handoff socket 999999 unusable (getsockopt: Bad file descriptor (EBADF))"),
                    w.text());
            shim.expect('F');
            ShimSide.Stream s = shim.readStream();
            assertArrayEquals(bigData, byName(s.records()).get(key("/big")).data());
            assertEquals(0, shim.handoffs);
            shim.finish();
        }
    }

    private static Map<String, ShimSide.Received> byName(List<ShimSide.Received> records) {
        Map<String, ShimSide.Received> m = new HashMap<>();
        for (ShimSide.Received r : records) {
            assertEquals(null, m.put(new String(r.record().name(), StandardCharsets.ISO_8859_1), r),
                    "sent twice: " + r.name());
        }
        return m;
    }

    private String key(String rel) {
        return root + rel;
    }

    /** A shim side whose backend deletes root/name just before opening it for its data (a file that vanishes). */
    private ShimSide deletingWhenOpened(String name) throws IOException {
        byte[] victim = cat(rootBytes, b("/" + name));
        return new ShimSide(ShimSide.openingAfter(p -> {
            if (Arrays.equals(p, victim)) {
                try {
                    Files.delete(root.resolve(name));
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }
        }));
    }

    @Test
    void backupStreamsEveryEntryOnceInPostOrderWithData() throws Exception {
        try (ShimSide shim = startBackup("B", List.of())) {
            shim.command("BackupStart");
            shim.expect('F');
            ShimSide.Stream s = shim.readStream();
            assertEquals(List.of(), s.messages());
            assertTrue(s.summary() != null && s.summary().startsWith("summary: ") && s.summary().contains(" entries in ")
                    && s.summary().contains("largest directory"), String.valueOf(s.summary()));
            Map<String, ShimSide.Received> m = byName(s.records());
            Set<String> expected = new HashSet<>();
            try (Stream<Path> w = Files.walk(root)) {
                w.forEach(p -> expected.add(Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                        ? p + "/" : p.toString()));
            }
            expected.remove(root + "/sub/" + new String(ODD_NAME, StandardCharsets.UTF_8)); // lossy in NIO
            expected.add(new String(cat(rootBytes, b("/sub/"), ODD_NAME), StandardCharsets.ISO_8859_1));
            Set<String> got = new HashSet<>();
            for (String k : m.keySet()) {
                got.add(new String(k.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8));
            }
            expected.removeIf(e -> e.contains("odd"));
            got.removeIf(e -> e.contains("odd"));
            assertEquals(expected, got);
            assertEquals(13, s.records().size());

            // root last, as "path/"
            assertArrayEquals(cat(rootBytes, b("/")), s.records().getLast().record().name());
            // post-order: a directory after everything below it
            for (int i = 0; i < s.records().size(); i++) {
                String name = new String(s.records().get(i).record().name(), StandardCharsets.ISO_8859_1);
                for (int j = i + 1; j < s.records().size(); j++) {
                    String later = new String(s.records().get(j).record().name(), StandardCharsets.ISO_8859_1);
                    if (name.endsWith("/")) {
                        assertFalse(later.startsWith(name), later + " after its directory " + name);
                    }
                }
            }

            ShimSide.Received big = m.get(key("/big"));
            assertEquals(FileType.REGULAR, big.record().type());
            assertTrue(big.record().hasData());
            assertArrayEquals(bigData, big.data());
            assertEquals(bigData.length, big.record().size());

            ShimSide.Received small = m.get(key("/small"));
            assertEquals("hello\n", new String(small.data(), StandardCharsets.UTF_8));
            assertEquals(4321, small.record().uid());
            assertEquals(8765, small.record().gid());
            assertEquals(FileMode.S_IFREG, small.record().mode() & FileMode.S_IFMT);

            ShimSide.Received empty = m.get(key("/empty"));
            assertEquals(FileType.EMPTY, empty.record().type());
            assertFalse(empty.record().hasData());

            ShimSide.Received sub = m.get(key("/sub/"));
            assertEquals(FileType.DIRECTORY, sub.record().type());
            assertEquals(040751, sub.record().mode());

            ShimSide.Received link = m.get(key("/sub/link"));
            assertEquals(FileType.SYMLINK, link.record().type());
            assertArrayEquals(b("../small"), link.record().link());
            assertArrayEquals(b("/does/not/exist"), m.get(key("/dangling")).record().link());

            assertEquals(FileType.FIFO, m.get(key("/fifo")).record().type());
            assertFalse(m.get(key("/fifo")).record().hasData());

            ShimSide.Received odd = m.get(new String(cat(rootBytes, b("/sub/"), ODD_NAME), StandardCharsets.ISO_8859_1));
            assertNotNull(odd);
            assertArrayEquals(new byte[] {1, 2, 3}, odd.data());

            // hard links: the first name is a normal record, the later one an L pointing at its record number
            ShimSide.Received h1 = m.get(key("/h1"));
            ShimSide.Received h2 = m.get(key("/sub/h2"));
            ShimSide.Received first = h1.record().type() == FileType.HARDLINK ? h2 : h1;
            ShimSide.Received second = first == h1 ? h2 : h1;
            assertEquals(FileType.REGULAR, first.record().type());
            assertEquals("shared", new String(first.data(), StandardCharsets.UTF_8));
            assertEquals(FileType.HARDLINK, second.record().type());
            assertEquals(s.records().indexOf(first), second.record().linkid());
            assertArrayEquals(first.record().name(), second.record().link());
            assertFalse(second.record().hasData());
            // the only CHECKs of a Full (docs/ptcomm.md §3.2): the would-be first name(s) of the linked inode
            // and the file larger than 64 KiB, before it is read
            assertTrue(shim.checked.contains(first.name()), "first name checked: " + shim.checked);
            assertTrue(shim.checked.contains(key("/big")), "big checked: " + shim.checked);
            assertTrue(Set.of(key("/h1"), key("/sub/h2"), key("/big")).containsAll(shim.checked),
                    "checked: " + shim.checked);

            shim.finish();
        }
    }

    /** More multiply linked inodes than hardlink_memory: the index spills to disk and every later name is an L. */
    @Test
    void hardLinkIndexSpillsToDiskAndKeepsEveryLink() throws Exception {
        Path links = tmp.resolve("links");
        Path spill = tmp.resolve("spill");
        Files.createDirectories(links.resolve("a"));
        Files.createDirectories(links.resolve("b"));
        Files.createDirectories(spill);
        int inodes = 60;
        for (int i = 0; i < inodes; i++) {
            Path f = links.resolve("a/f" + i);
            Files.writeString(f, "data " + i);
            Files.createLink(links.resolve("b/g" + i), f);
            Files.createLink(links.resolve("h" + i), f);
        }
        ShimSide.Stream s;
        try (ShimSide shim = new ShimSide()) {
            Frame answer = shim.handshake(List.of("Name=t", "JobID=8", "Type=B", "Level=F", "Accurate=0", "FDVersion=14"),
                    List.of(b("path=" + links), b("threads=4"), b("hardlink_memory=5"), b("spill_dir=" + spill)));
            assertEquals('F', answer.status(), answer.toString());
            shim.command("BackupStart");
            shim.expect('F');
            s = shim.readStream();
            shim.finish();
        }
        Map<Long, Integer> dataRecords = new HashMap<>();
        int linkRecords = 0;
        for (ShimSide.Received r : s.records()) {
            if (r.record().type() == FileType.REGULAR) {
                assertEquals(null, dataRecords.put(r.record().ino(), s.records().indexOf(r)), "one data record per inode");
            }
        }
        assertEquals(inodes, dataRecords.size());
        for (ShimSide.Received r : s.records()) {
            if (r.record().type() == FileType.HARDLINK) {
                linkRecords++;
                int first = dataRecords.get(r.record().ino());
                assertEquals(first, r.record().linkid());
                assertArrayEquals(s.records().get(first).record().name(), r.record().link());
            }
        }
        assertEquals(2 * inodes, linkRecords, "every later name is an L record, spilled or not");
        assertTrue(s.messages().stream().anyMatch(m -> m.contains("spills to " + spill)), s.messages().toString());
        assertTrue(s.messages().stream().anyMatch(m -> m.contains("55 of them spilled to disk")), s.messages().toString());
        try (Stream<Path> left = Files.list(spill)) {
            assertEquals(0, left.count(), "nothing left in spill_dir");
        }
    }

    @Test
    void estimateSendsNoData() throws Exception {
        try (ShimSide shim = startBackup("E", List.of())) {
            shim.command("EstimateStart");
            shim.expect('F');
            ShimSide.Stream s = shim.readStream();
            assertEquals(13, s.records().size());
            for (ShimSide.Received r : s.records()) {
                assertFalse(r.record().hasData(), r.name());
                assertEquals(0, r.data().length);
            }
            assertEquals(bigData.length, byName(s.records()).get(key("/big")).record().size());
            shim.finish();
        }
    }

    @Test
    /** As stock bacula-fd: only entries changed since Since, directories too (sub/ got a new name; / and deeper/ did not). */
    void incrementalSendsChangedEntriesOnlyDirectoriesToo() throws Exception {
        long created = System.currentTimeMillis() / 1000; // the tree was made at or before this second
        long since;
        do {
            Thread.sleep(50);
            since = System.currentTimeMillis() / 1000;
        } while (since <= created);
        Thread.sleep(30); // file times come from the kernel's coarse clock, which may lag the wall clock by a tick
        Files.writeString(root.resolve("small"), "changed");
        Files.writeString(root.resolve("sub/new"), "new");
        try (ShimSide shim = startBackup("B", List.of("Level=I", "Since=" + since))) {
            shim.command("BackupStart");
            shim.expect('F');
            Map<String, ShimSide.Received> m = byName(shim.readStream().records());
            Set<String> names = new HashSet<>(m.keySet());
            assertEquals(Set.of(key("/small"), key("/sub/new"), key("/sub/")), names);
            assertEquals("changed", new String(m.get(key("/small")).data(), StandardCharsets.UTF_8));
            shim.finish();
        }
    }

    @Test
    void accurateIncrementalChecksEveryEntryAndSendsOnlyChangedOnes() throws Exception {
        // Since lies in the future: without checks nothing would go; with checks the shim decides
        long future = System.currentTimeMillis() / 1000 + 100_000;
        try (ShimSide shim = startBackup("B", List.of("Level=I", "Since=" + future, "Accurate=1"))) {
            shim.command("BackupStart");
            shim.expect('F');
            Set<String> changed = Set.of(key("/small"), key("/sub/"), key("/sub/h2"));
            ShimSide.Stream s = shim.readStream(r -> changed.contains(new String(r.name(), StandardCharsets.UTF_8)));
            Map<String, ShimSide.Received> m = byName(s.records());
            assertEquals(changed, m.keySet());
            assertEquals("hello\n", new String(m.get(key("/small")).data(), StandardCharsets.UTF_8));
            // h1 was unchanged and not sent, so h2 goes as a regular file with its data, not as a hard link
            assertEquals(io.podheitor.hpc.ptcomm.FileType.REGULAR, m.get(key("/sub/h2")).record().type());
            assertEquals("shared", new String(m.get(key("/sub/h2")).data(), StandardCharsets.UTF_8));
            // every entry was asked about exactly once, directories with their trailing slash
            assertEquals(shim.checked.size(), new HashSet<>(shim.checked).size());
            assertTrue(shim.checked.containsAll(List.of(key("/big"), key("/empty"), key("/fifo"), key("/dangling"),
                    key("/sub/link"), key("/sub/deeper/"), key("/sub/deeper/leaf"), key("/h1"), key("/"))));
            assertEquals(key("/"), shim.checked.getLast(), "the root directory is checked last");
            shim.finish();
        }
    }

    @Test
    void accurateFullAndEstimateSendWithoutChecks() throws Exception {
        for (String type : List.of("B", "E")) {
            List<String> extra = type.equals("B") ? List.of("Accurate=1") : List.of("Level=I", "Since=0", "Accurate=1");
            try (ShimSide shim = startBackup(type, extra)) {
                shim.command(type.equals("B") ? "BackupStart" : "EstimateStart");
                shim.expect('F');
                ShimSide.Stream s = shim.readStream(); // fails on a CHECK other than of a first link name
                assertTrue(s.records().size() >= 10, "records: " + s.records().size());
                assertTrue(Set.of(key("/h1"), key("/sub/h2"), key("/big")).containsAll(shim.checked),
                        "checked: " + shim.checked);
                shim.finish();
            }
        }
    }

    /** docs/ptcomm.md §3.2: a first name the shim answers SEEN (excluded) is not sent; the next name carries the data. */
    @Test
    void excludedFirstNameOfAHardLinkLeavesTheDataToTheNextName() throws Exception {
        Files.createLink(root.resolve("sub/deeper/h3"), root.resolve("h1"));
        for (String excluded : List.of("/h1", "/sub/h2", "/sub/deeper/h3")) {
            for (String type : List.of("B", "E")) {
                try (ShimSide shim = startBackup(type, List.of())) {
                    shim.command(type.equals("B") ? "BackupStart" : "EstimateStart");
                    shim.expect('F');
                    ShimSide.Stream s = shim.readStream(r -> !new String(r.name(), StandardCharsets.UTF_8)
                            .equals(key(excluded)));
                    Map<String, ShimSide.Received> m = byName(s.records());
                    ShimSide.Received first = null;
                    for (String n : List.of("/h1", "/sub/h2", "/sub/deeper/h3")) {
                        ShimSide.Received r = m.get(key(n));
                        if (r != null && r.record().type() != FileType.HARDLINK) {
                            assertEquals(null, first, "two first names: " + n);
                            first = r;
                        }
                    }
                    assertNotNull(first, "no first name sent (excluded " + excluded + ")");
                    assertFalse(first.name().equals(key(excluded)), "the excluded name is the first name");
                    assertEquals(FileType.REGULAR, first.record().type());
                    if (type.equals("B")) {
                        assertEquals("shared", new String(first.data(), StandardCharsets.UTF_8));
                    }
                    for (ShimSide.Received r : s.records()) {
                        if (r.record().type() == FileType.HARDLINK) {
                            // an L always refers to the first name that was sent (an excluded name that is
                            // not a first name may come as an L: the shim drops it like any excluded record)
                            assertArrayEquals(first.record().name(), r.record().link());
                            assertEquals(s.records().indexOf(first), r.record().linkid());
                        }
                    }
                    assertTrue(shim.checked.contains(first.name()), "the first name was checked");
                    shim.finish();
                }
            }
        }
    }

    /**
     * docs/ptcomm.md §3.2: a large file the shim answers SEEN (excluded) is never opened; the others are read: by the
     * walker's read-ahead (default), or by the emitter itself (readahead=0).
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(booleans = {true, false})
    void excludedLargeFileIsNotRead(boolean readAhead) throws Exception {
        List<String> opened = java.util.Collections.synchronizedList(new ArrayList<>());
        try (ShimSide shim = new ShimSide(ShimSide.openingAfter(p -> opened.add(new String(p, StandardCharsets.UTF_8))))) {
            List<String> job = List.of("Name=test.2024", "JobID=7", "Type=B", "Level=F", "Accurate=0", "FDVersion=14");
            Frame answer = shim.handshake(job, List.of(cat(b("path="), rootBytes), b("threads=4"),
                    b("readahead=" + (readAhead ? 65536 : 0))));
            assertEquals('F', answer.status(), answer.toString());
            shim.command("BackupStart");
            shim.expect('F');
            ShimSide.Stream s = shim.readStream(r -> !new String(r.name(), StandardCharsets.UTF_8).equals(key("/big")));
            Map<String, ShimSide.Received> m = byName(s.records());
            assertFalse(m.containsKey(key("/big")), "the excluded big file was sent");
            assertFalse(opened.contains(key("/big")), "the excluded big file was opened: " + opened);
            assertEquals(!readAhead, opened.contains(key("/small")),
                    "small read by the emitter only without read-ahead: " + opened);
            assertEquals("hello\n", new String(m.get(key("/small")).data(), StandardCharsets.UTF_8));
            assertTrue(shim.checked.contains(key("/big")));
            shim.finish();
        }
    }

    @Test
    void accurateChecksSurviveMoreEntriesThanTheWindow() throws Exception {
        Path many = Files.createDirectory(root.resolve("many"));
        for (int i = 0; i < EntryChecks.WINDOW * 3 + 7; i++) {
            Files.writeString(many.resolve("f" + i), "x" + i);
        }
        try (ShimSide shim = startBackup("B", List.of("Level=D", "Since=0", "Accurate=1"))) {
            shim.command("BackupStart");
            shim.expect('F');
            // every third entry changed
            int[] n = {0};
            ShimSide.Stream s = shim.readStream(r -> n[0]++ % 3 == 0);
            assertEquals((shim.checked.size() + 2) / 3, s.records().size());
            shim.finish();
        }
    }

    @Test
    void badParamsAreAborted() throws Exception {
        for (List<byte[]> bad : List.of(
                ShimSide.params("path=relative/x"),
                ShimSide.params("path=/x", "threads=0"),
                ShimSide.params("path=/x", "threads=abc"),
                ShimSide.params("path=/x", "channel_depth=99999999"),
                ShimSide.params("path=/x", "mode=zfs"),
                ShimSide.params("path=/x", "bogus=1"),
                ShimSide.params("threads=4"),
                ShimSide.params("path=/x", "path=/y"))) {
            try (ShimSide shim = new ShimSide()) {
                Frame a = shim.handshake(List.of("Type=B", "Level=F"), bad);
                assertEquals('A', a.status(), a.toString());
                assertFalse(a.text().isEmpty());
                shim.command("BackupStart");
                Frame again = shim.read();
                assertEquals('A', again.status());
                shim.finish();
            }
        }
    }

    @Test
    void badParamMessageNamesTheKey() throws Exception {
        try (ShimSide shim = new ShimSide()) {
            Frame a = shim.handshake(List.of("Type=B"), ShimSide.params("path=/x", "threads=0"));
            assertEquals("bad plugin parameter threads=\"0\": expected a number in 1..1024", a.text());
            shim.finish();
        }
    }

    @Test
    void missingPathIsAborted() throws Exception {
        try (ShimSide shim = new ShimSide()) {
            byte[] missing = cat(rootBytes, b("/nope"));
            Frame ok = shim.handshake(List.of("Type=B", "Level=F"), List.of(cat(b("path="), missing)));
            assertEquals('F', ok.status());
            shim.command("BackupStart");
            Frame a = shim.read();
            assertEquals('A', a.status());
            assertEquals("path \"" + root + "/nope\": No such file or directory", a.text());
            shim.finish();
        }
    }

    @Test
    void vanishedFileIsAnErrorAndSkipped() throws Exception {
        ShimSide shim = deletingWhenOpened("big");
        try (shim) {
            Frame ok = shim.handshake(List.of("Type=B", "Level=F"), List.of(cat(b("path="), rootBytes)));
            assertEquals('F', ok.status());
            shim.command("BackupStart");
            shim.expect('F');
            ShimSide.Stream s = shim.readStream();
            assertEquals(12, s.records().size());
            assertFalse(byName(s.records()).containsKey(key("/big")));
            // not saved = a non-fatal error, as stock bacula-fd reports it (job "OK -- with warnings")
            assertEquals(List.of("E cannot open \"" + root + "/big\": No such file or directory",
                    "W 1 files not saved (vanished or unreadable), 0 changed while being saved"), s.messages());
            shim.finish();
        }
    }

    @Test
    void accurateVanishedFileIsNotKept() throws Exception {
        // listed, then gone when opened (ENOENT): no KEEP, so the FD records it deleted
        ShimSide shim = deletingWhenOpened("big");
        try (shim) {
            Frame ok = shim.handshake(List.of("Type=B", "Level=I", "Since=0", "Accurate=1"),
                    List.of(cat(b("path="), rootBytes)));
            assertEquals('F', ok.status());
            shim.command("BackupStart");
            shim.expect('F');
            ShimSide.Stream s = shim.readStream(r -> true);
            assertTrue(shim.checked.contains(key("/big")), "big was listed and checked");
            assertFalse(byName(s.records()).containsKey(key("/big")));
            assertEquals(List.of(), shim.kept);
            assertTrue(s.messages().contains("E cannot open \"" + root + "/big\": No such file or directory"),
                    s.messages().toString());
            shim.finish();
        }
    }

    @Test
    void endOfInputEndsTheSession() throws Exception {
        ShimSide shim = new ShimSide();
        shim.command(BackendSession.HELLO);
        shim.expectCommand(BackendSession.HELLO_REPLY);
        shim.close();
        assertEquals(0, shim.exit.get(10, TimeUnit.SECONDS));
    }

    @Test
    void wrongGreetingIsAborted() throws Exception {
        try (ShimSide shim = new ShimSide()) {
            shim.command("Hello podheitor-hpc 2");
            assertEquals('A', shim.read().status());
        }
    }

    // ------------------------------------------------------------------ restore

    private ShimSide startRestore(char replace) throws IOException {
        return startRestore(replace, false);
    }

    /** pipelined: the Job line Pipeline=1 (docs/ptcomm.md §5.1), answered C Pipeline 1 before the F. */
    private ShimSide startRestore(char replace, boolean pipelined) throws IOException {
        ShimSide shim = new ShimSide();
        List<String> job = new ArrayList<>(List.of("Name=r", "JobID=9", "Type=R", "Replace=" + replace,
                "Where=" + tmp.resolve("dst")));
        if (pipelined) {
            job.add("Pipeline=1");
        }
        Frame ok = shim.handshake(job, List.of(cat(b("path="), rootBytes), b("restore_threads=4")));
        assertEquals('F', ok.status());
        shim.command("RestoreStart");
        if (pipelined) {
            shim.expectCommand("Pipeline 1");
        }
        shim.expect('F');
        return shim;
    }

    /** Backup of the tree, then restore of that stream under dst (names prefixed, as Bacula's where= does). */
    @Test
    void backupThenRestoreReproducesTheTree() throws Exception {
        backupThenRestore(false);
    }

    /**
     * The same through the pipelined restore: nothing is answered but the hard links (DONE), the data, closes and
     * blobs follow without a wait, FINISH's F comes after the workers are done; the tree is the same.
     */
    @Test
    void backupThenPipelinedRestoreReproducesTheTree() throws Exception {
        backupThenRestore(true);
    }

    private void backupThenRestore(boolean pipelined) throws Exception {
        ShimSide.Stream s;
        try (ShimSide shim = startBackup("B", List.of())) {
            shim.command("BackupStart");
            shim.expect('F');
            s = shim.readStream();
            shim.finish();
        }
        byte[] where = b(tmp.resolve("dst").toString());
        try (ShimSide shim = startRestore('a', pipelined)) {
            for (ShimSide.Received r : s.records()) {
                FileRecord in = r.record();
                byte[] link = in.type() == FileType.HARDLINK ? cat(where, in.link()) : in.link();
                FileRecord out = new FileRecord(in.type(), in.mode(), in.uid(), in.gid(), in.size(), in.atime(),
                        in.mtime(), in.ctime(), in.ino(), in.dev(), in.nlink(), in.rdev(), in.blocks(), 0,
                        in.linkid(), cat(where, in.name()), link);
                shim.command(out.encode());
                if (pipelined) {
                    if (in.type() == FileType.HARDLINK) {
                        shim.expectCommand("DONE"); // the shim waits for a hard link's answer
                    }
                    if (in.type() != FileType.DIRECTORY && in.type() != FileType.HARDLINK) {
                        for (int off = 0; off < r.data().length; off += 50_000) {
                            shim.send(Frame.data(Arrays.copyOfRange(r.data(), off,
                                    Math.min(r.data().length, off + 50_000))));
                        }
                        shim.send(Frame.end());
                    }
                    if (r.blob() != null) {
                        shim.command("XATTR");
                        shim.send(Frame.data(r.blob()));
                    }
                    continue;
                }
                Frame reply = shim.read();
                if (in.type() == FileType.DIRECTORY || in.type() == FileType.HARDLINK) {
                    assertEquals("C:DONE", reply.status() + ":" + reply.text(), r.name());
                } else {
                    // regular files get data; empty files, symlinks and specials are OK without data, so
                    // that the FD delivers their metadata blob after IO_CLOSE
                    assertEquals("C:OK", reply.status() + ":" + reply.text(), r.name());
                    for (int off = 0; off < r.data().length; off += 50_000) {
                        shim.send(Frame.data(Arrays.copyOfRange(r.data(), off, Math.min(r.data().length, off + 50_000))));
                    }
                    shim.send(Frame.end());
                    shim.expectCommand("OK");
                }
                if (r.blob() != null) {
                    shim.command("XATTR");
                    shim.send(Frame.data(r.blob()));
                    shim.expectCommand("OK");
                }
            }
            if (!pipelined) {
                // before FINISH directories still have the creation mode 0700
                assertEquals(0700, Posix.lstat(cat(where, rootBytes, b("/sub"))).permissions());
            }
            shim.command("FINISH");
            shim.expect('F'); // in a pipelined restore a failure would come before it: C FAILED <n> ...
            shim.finish();
        }
        for (ShimSide.Received r : s.records()) {
            FileRecord orig = r.record();
            byte[] restored = Restorer.stripTrailingSlashes(cat(where, orig.name()));
            StatX st = Posix.lstat(restored);
            String what = new String(restored, StandardCharsets.UTF_8);
            assertEquals(orig.mode(), st.mode(), what);
            assertEquals(orig.uid(), st.uid(), what);
            assertEquals(orig.gid(), st.gid(), what);
            assertEquals(orig.mtime(), st.mtimeSec(), what);
            if (orig.type() != FileType.HARDLINK) {
                // the times as walked (reading a symlink updates its atime, so not the source as it is now)
                io.podheitor.hpc.ptcomm.MetaBlob m = io.podheitor.hpc.ptcomm.MetaBlob.decode(r.blob());
                assertEquals(m.mtimeNsec(), st.mtimeNsec(), "mtime ns of " + what);
                assertEquals(m.atimeNsec(), st.atimeNsec(), "atime ns of " + what);
                assertEquals(m.atimeSec(), st.atimeSec(), "atime of " + what);
                assertEquals(orig.mtime(), m.mtimeSec(), what);
            }
            if (orig.type() != FileType.HARDLINK && orig.type() != FileType.SYMLINK) {
                List<String> want = new ArrayList<>();
                List<String> got = new ArrayList<>();
                byte[] src = Restorer.stripTrailingSlashes(orig.name());
                for (byte[] n : Posix.listXattrs(src)) {
                    want.add(new String(n, StandardCharsets.ISO_8859_1) + "=" + Arrays.toString(Posix.getXattr(src, n)));
                }
                for (byte[] n : Posix.listXattrs(restored)) {
                    got.add(new String(n, StandardCharsets.ISO_8859_1) + "=" + Arrays.toString(Posix.getXattr(restored, n)));
                }
                java.util.Collections.sort(want);
                java.util.Collections.sort(got);
                assertEquals(want, got, "xattrs of " + what);
            }
            switch (orig.type()) {
                case REGULAR -> assertArrayEquals(r.data(), readAll(restored));
                case SYMLINK -> assertArrayEquals(orig.link(), Posix.readlinkat(Fcntl.AT_FDCWD, restored));
                case HARDLINK -> assertEquals(Posix.lstat(cat(where, orig.link())).ino(), st.ino());
                default -> { }
            }
        }
    }

    @Test
    void restoreAppliesAttributesAndReplaceRules() throws Exception {
        Path dst = Files.createDirectory(tmp.resolve("dst"));
        byte[] d = b(dst.toString());
        Files.writeString(dst.resolve("keep"), "old");
        try (ShimSide shim = startRestore('n')) {
            // a file in a directory that does not exist yet: parents are created
            FileRecord f = new FileRecord(FileType.REGULAR, 0104755, 1111, 2222, 4, 1_600_000_000L, 1_500_000_000L,
                    0, 1, 1, 1, 0, 8, 0, 0, cat(d, b("/a/b/file")), null);
            shim.command(f.encode());
            shim.expectCommand("OK");
            shim.send(Frame.data(b("da")));
            shim.send(Frame.data(b("ta")));
            shim.send(Frame.end());
            shim.expectCommand("OK");
            // existing file with replace=never
            FileRecord keep = new FileRecord(FileType.REGULAR, 0100600, 0, 0, 3, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0,
                    cat(d, b("/keep")), null);
            shim.command(keep.encode());
            shim.expectCommand("SKIP");
            // symlink with its own owner and times
            FileRecord sl = new FileRecord(FileType.SYMLINK, 0120777, 77, 88, 3, 1_000, 2_000, 0, 1, 1, 1, 0, 0, 0, 0,
                    cat(d, b("/a/sl")), b("xyz"));
            shim.command(sl.encode());
            shim.expectCommand("OK");
            shim.send(Frame.end());
            shim.expectCommand("OK");
            // hard link to the file above
            FileRecord hl = new FileRecord(FileType.HARDLINK, 0100644, 0, 0, 0, 0, 0, 0, 1, 1, 2, 0, 0, 0, 0,
                    cat(d, b("/a/hl")), cat(d, b("/a/b/file")));
            shim.command(hl.encode());
            shim.expectCommand("DONE");
            // empty file
            FileRecord e = new FileRecord(FileType.EMPTY, 0100640, 5, 6, 0, 10, 20, 0, 1, 1, 1, 0, 0, 0, 0,
                    cat(d, b("/a/"), ODD_NAME), null);
            shim.command(e.encode());
            shim.expectCommand("OK");
            shim.send(Frame.end());
            shim.expectCommand("OK");
            // the directories, after their contents (as Bacula sends them)
            FileRecord db = new FileRecord(FileType.DIRECTORY, 040555, 300, 400, 4096, 30, 40, 0, 1, 1, 2, 0, 0, 0, 0,
                    cat(d, b("/a/b/")), null);
            shim.command(db.encode());
            shim.expectCommand("DONE");
            FileRecord da = new FileRecord(FileType.DIRECTORY, 040710, 301, 401, 4096, 50, 60, 0, 1, 1, 2, 0, 0, 0, 0,
                    cat(d, b("/a/")), null);
            shim.command(da.encode());
            shim.expectCommand("DONE");
            // an existing directory that this restore did not create is skipped with replace=never
            FileRecord dd = new FileRecord(FileType.DIRECTORY, 040700, 0, 0, 4096, 1, 1, 0, 1, 1, 2, 0, 0, 0, 0,
                    cat(d, b("/")), null);
            shim.command(dd.encode());
            shim.expectCommand("SKIP");
            assertEquals(0700, Posix.lstat(cat(d, b("/a/b"))).permissions());
            shim.command("FINISH");
            shim.expect('F');
            shim.finish();
        }
        StatX file = Posix.lstat(cat(d, b("/a/b/file")));
        assertEquals("data", Files.readString(dst.resolve("a/b/file")));
        assertEquals(04755, file.permissions());
        assertEquals(1111, file.uid());
        assertEquals(2222, file.gid());
        assertEquals(1_500_000_000L, file.mtimeSec());
        assertEquals(1_600_000_000L, file.atimeSec());
        assertEquals(2, file.nlink());
        assertEquals(file.ino(), Posix.lstat(cat(d, b("/a/hl"))).ino());
        assertEquals("old", Files.readString(dst.resolve("keep")));
        StatX sl = Posix.lstat(cat(d, b("/a/sl")));
        assertTrue(sl.isSymlink());
        assertEquals(77, sl.uid());
        assertEquals(2_000, sl.mtimeSec());
        StatX empty = Posix.lstat(cat(d, b("/a/"), ODD_NAME));
        assertEquals(0640, empty.permissions());
        assertEquals(0, empty.size());
        StatX db = Posix.lstat(cat(d, b("/a/b")));
        assertEquals(0555, db.permissions());
        assertEquals(300, db.uid());
        assertEquals(40, db.mtimeSec());
        StatX da = Posix.lstat(cat(d, b("/a")));
        assertEquals(0710, da.permissions());
        assertEquals(60, da.mtimeSec());
    }

    @Test
    void restoreReplaceAlwaysMakesANewInodeAndIfNewerSkipsOlder() throws Exception {
        Path dst = Files.createDirectory(tmp.resolve("dst"));
        byte[] d = b(dst.toString());
        Files.writeString(dst.resolve("x"), "old");
        Files.createLink(dst.resolve("other-link"), dst.resolve("x"));
        try (ShimSide shim = startRestore('a')) {
            FileRecord x = new FileRecord(FileType.REGULAR, 0100644, 0, 0, 3, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0,
                    cat(d, b("/x")), null);
            shim.command(x.encode());
            shim.expectCommand("OK");
            shim.send(Frame.data(b("new")));
            shim.send(Frame.end());
            shim.expectCommand("OK");
            shim.finish();
        }
        assertEquals("new", Files.readString(dst.resolve("x")));
        assertEquals("old", Files.readString(dst.resolve("other-link")));
        long existingMtime = Posix.lstat(cat(d, b("/x"))).mtimeSec();
        try (ShimSide shim = startRestore('w')) {
            FileRecord older = new FileRecord(FileType.EMPTY, 0100644, 0, 0, 0, 1, existingMtime - 10, 0, 1, 1, 1, 0,
                    0, 0, 0, cat(d, b("/x")), null);
            shim.command(older.encode());
            shim.expectCommand("SKIP");
            FileRecord newer = new FileRecord(FileType.EMPTY, 0100644, 0, 0, 0, 1, existingMtime + 10, 0, 1, 1, 1, 0,
                    0, 0, 0, cat(d, b("/x")), null);
            shim.command(newer.encode());
            shim.expectCommand("OK");
            shim.send(Frame.end());
            shim.expectCommand("OK");
            shim.finish();
        }
        assertEquals(0, Posix.lstat(cat(d, b("/x"))).size());
    }

    @Test
    void hardLinkToAMissingFirstNameFailsThatFileOnly() throws Exception {
        // an L record whose first name is not on disk (a hand-edited bootstrap): stock bacula-fd's per-file
        // error, the existing file at that name is kept, and the restore goes on
        Path dst = Files.createDirectory(tmp.resolve("dst"));
        byte[] d = b(dst.toString());
        Files.writeString(dst.resolve("existing"), "keep me");
        try (ShimSide shim = startRestore('a')) {
            for (String name : List.of("/a/second", "/existing")) {
                FileRecord hl = new FileRecord(FileType.HARDLINK, 0100644, 0, 0, 0, 0, 0, 0, 1, 1, 2, 0, 0, 0, 7,
                        cat(d, b(name)), cat(d, b("/a/first-not-restored")));
                shim.command(hl.encode());
                Frame e = shim.read();
                assertEquals("E:Could not hard link \"" + dst + name + "\" -> \"" + dst
                        + "/a/first-not-restored\": No such file or directory", e.status() + ":" + e.text());
            }
            // the next files are restored as usual
            FileRecord f = new FileRecord(FileType.REGULAR, 0100640, 0, 0, 4, 1, 1_500_000_000L, 0, 1, 1, 1, 0, 8,
                    0, 0, cat(d, b("/a/after")), null);
            shim.command(f.encode());
            shim.expectCommand("OK");
            shim.send(Frame.data(b("next")));
            shim.send(Frame.end());
            shim.expectCommand("OK");
            FileRecord hl = new FileRecord(FileType.HARDLINK, 0100640, 0, 0, 0, 0, 0, 0, 1, 1, 2, 0, 0, 0, 0,
                    cat(d, b("/a/after-link")), cat(d, b("/a/after")));
            shim.command(hl.encode());
            shim.expectCommand("DONE");
            shim.command("FINISH");
            shim.expect('F');
            shim.finish();
        }
        assertFalse(Files.exists(dst.resolve("a/second"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertEquals("keep me", Files.readString(dst.resolve("existing")));
        assertEquals("next", Files.readString(dst.resolve("a/after")));
        assertEquals(Posix.lstat(cat(d, b("/a/after"))).ino(), Posix.lstat(cat(d, b("/a/after-link"))).ino());
    }

    /**
     * docs/security.md: crafted FILE records, as a tampered volume would bring them, through the session: a name
     * with ".." and hard-link targets outside where= fail that file only and write nothing outside.
     */
    @Test
    void craftedNamesCannotLeaveWhere() throws Exception {
        Path dst = tmp.resolve("dst");
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Files.writeString(outside.resolve("passwd"), "root");
        try (ShimSide shim = startRestore('a')) {
            shim.command(new FileRecord(FileType.EMPTY, 0100644, 0, 0, 0, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0,
                    b(dst + "/../outside/evil"), null).encode());
            Frame e = shim.read();
            assertEquals("cannot restore \"" + dst + "/../outside/evil\": the name has a \".\" or \"..\" component",
                    e.text());
            shim.command(new FileRecord(FileType.HARDLINK, 0100644, 0, 0, 0, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1,
                    b(dst + "/l"), b(outside + "/passwd")).encode());
            Frame l = shim.read();
            assertEquals('E', l.status());
            assertTrue(l.text().startsWith("Could not hard link \"" + dst + "/l\" -> \"" + outside + "/passwd\": outside"),
                    l.text());
            shim.finish();
        }
        assertFalse(Files.exists(outside.resolve("evil")));
        assertFalse(Files.exists(dst.resolve("l")));
        assertEquals(1, Posix.lstat(cat(b(outside.toString()), b("/passwd"))).nlink());
    }

    @Test
    void restoreFailureIsAnError() throws Exception {
        Path dst = Files.createDirectory(tmp.resolve("dst"));
        Files.writeString(dst.resolve("file"), "x");
        try (ShimSide shim = startRestore('a')) {
            // a parent that is a regular file
            FileRecord r = new FileRecord(FileType.EMPTY, 0100644, 0, 0, 0, 1, 1, 0, 1, 1, 1, 0, 0, 0, 0,
                    b(dst + "/file/below"), null);
            shim.command(r.encode());
            Frame e = shim.read();
            assertEquals('E', e.status());
            assertEquals("cannot restore \"" + dst + "/file/below\": \"" + dst + "/file\" is not a directory", e.text());
            shim.finish();
        }
    }
}
