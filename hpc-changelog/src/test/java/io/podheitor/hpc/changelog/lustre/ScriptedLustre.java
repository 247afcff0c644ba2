package io.podheitor.hpc.changelog.lustre;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.podheitor.hpc.lustre.Fid;
import io.podheitor.hpc.posix.Fcntl;
import io.podheitor.hpc.posix.Posix;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A scripted Lustre MDT for the fake lfs/lctl (src/test/c/fake_changelog.c): each operation is applied to a
 * real local tree and written to the MDT's changelog in lfs's format, and the FID registry follows (FIDs are
 * handed out in order, never reused, as Lustre does; the root has the real root FID).
 */
final class ScriptedLustre {
    static final Fid ROOT = new Fid(0x200000007L, 1, 0);

    final Path mount;
    final Path state;
    final String fsname;
    final String mdt;
    private final Map<Path, Fid> fids = new HashMap<>();
    private final Map<Fid, Long> inodes = new HashMap<>();
    private long next = 1;
    private int oid = 0x100;

    ScriptedLustre(Path base, String fsname) throws IOException {
        this.mount = Files.createDirectories(base.resolve("mnt"));
        this.state = Files.createDirectories(base.resolve("state"));
        this.fsname = fsname;
        this.mdt = fsname + "-MDT0000";
        Files.writeString(state.resolve("fsname"), fsname);
        Files.writeString(state.resolve("mount"), mount.toString());
        Files.write(state.resolve(mdt + ".log"), new byte[0]);
        fids.put(mount, ROOT);
        saveRegistry();
    }

    /** The tools on this history. */
    LustreChangelogTools tools() throws IOException, InterruptedException {
        return new LustreChangelogTools(FakeChangelogTools.lfs(state), Optional.of(FakeChangelogTools.lctl(state)));
    }

    long lastRecord() {
        return next - 1;
    }

    Fid fid(Path p) {
        return fids.get(p);
    }

    Path path(String rel) {
        return mount.resolve(rel);
    }

    Fid create(String rel, String content) throws IOException {
        Path p = path(rel);
        Files.writeString(p, content);
        return born(RecordType.CREAT, p);
    }

    /** A file whose name is raw bytes (not valid UTF-8), in {@code dirRel}. */
    Fid createRaw(String dirRel, byte[] name) throws IOException {
        Path dir = dirRel.isEmpty() ? mount : path(dirRel);
        byte[] full = io.podheitor.hpc.walker.Paths.join(dir.toString().getBytes(StandardCharsets.UTF_8), name);
        int fd = Posix.open(full, Fcntl.O_CREAT | Fcntl.O_WRONLY | Fcntl.O_EXCL, 0644);
        Posix.close(fd);
        Fid f = newFid(Posix.lstat(full).ino());
        record(RecordType.CREAT, 0, f, fids.get(dir), name, null, null, null);
        return f;
    }

    Fid mkdir(String rel) throws IOException {
        Path p = path(rel);
        Files.createDirectory(p);
        return born(RecordType.MKDIR, p);
    }

    void write(String rel, String more) throws IOException {
        Path p = path(rel);
        Files.writeString(p, more, StandardOpenOption.APPEND);
        record(RecordType.CLOSE, 0x242, fids.get(p), null, null, null, null, null);
    }

    void chmod(String rel, String perms) throws IOException {
        Path p = path(rel);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
        record(RecordType.SATTR, 0, fids.get(p), null, null, null, null, null);
    }

    void unlink(String rel) throws IOException {
        Path p = path(rel);
        boolean dir = Files.isDirectory(p);
        Files.delete(p);
        Fid f = fids.remove(p);
        inodes.remove(f);
        record(dir ? RecordType.RMDIR : RecordType.UNLNK, ChangelogRecord.UNLINK_LAST, f, fids.get(p.getParent()),
                name(p), null, null, null);
        saveRegistry();
    }

    void rename(String fromRel, String toRel) throws IOException {
        Path from = path(fromRel);
        Path to = path(toRel);
        Fid overwritten = Files.exists(to) ? fids.get(to) : Fids.ZERO;
        Files.move(from, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Fid f = fids.remove(from);
        if (!Fids.isZero(overwritten)) {
            inodes.remove(overwritten);
        }
        // everything below a moved directory keeps its FID under the new path
        Map<Path, Fid> moved = new HashMap<>();
        fids.entrySet().removeIf(e -> {
            if (e.getKey().startsWith(from)) {
                moved.put(to.resolve(from.relativize(e.getKey())), e.getValue());
                return true;
            }
            return false;
        });
        fids.putAll(moved);
        fids.put(to, f);
        record(RecordType.RENME, 0, overwritten, fids.get(to.getParent()), name(to), f, fids.get(from.getParent()),
                name(from));
        saveRegistry();
    }

    /** A record not tied to a tree operation (traps: zero FIDs, reads, marks). */
    void raw(RecordType type, int flags, Fid target) throws IOException {
        record(type, flags, target, null, null, null, null, null);
    }

    /** Registers a consumer through the fake lctl, as an administrator would. */
    String register() throws IOException, InterruptedException {
        Tool.Result r = FakeChangelogTools.lctl(state).run(List.of("--device", mdt, "changelog_register", "-n"));
        assertEquals(0, r.exit(), r.stderr());
        return new String(r.stdout(), StandardCharsets.US_ASCII).strip();
    }

    /** The MDS garbage-collects the consumer: it disappears and the records only it kept are purged. */
    void garbageCollect(String consumer) throws IOException {
        Path users = state.resolve(mdt + ".users");
        List<String> kept = Files.readAllLines(users).stream().filter(l -> !l.startsWith(consumer + " ")).toList();
        Files.write(users, kept);
        purge(lastRecord());
    }

    /** Records up to {@code upTo} are gone (a purge behind the consumer's back). */
    void purge(long upTo) throws IOException {
        Files.writeString(state.resolve(mdt + ".purged"), upTo + "\n");
    }

    private Fid born(RecordType type, Path p) throws IOException {
        Fid f = newFid((Long) Files.getAttribute(p, "unix:ino"));
        fids.put(p, f);
        saveRegistry();
        record(type, 0, f, fids.get(p.getParent()), name(p), null, null, null);
        return f;
    }

    private Fid newFid(long ino) throws IOException {
        Fid f = new Fid(0x200000401L, oid++, 0);
        inodes.put(f, ino);
        saveRegistry();
        return f;
    }

    private static byte[] name(Path p) {
        return p.getFileName().toString().getBytes(StandardCharsets.UTF_8);
    }

    private void record(RecordType type, int flags, Fid target, Fid parent, byte[] name, Fid s, Fid sp, byte[] sname)
            throws IOException {
        byte[] line = RecordText.format(next++, type, Instant.now(), flags, target,
                "ef=0xf u=1000:1000 nid=192.168.1.5@tcp", parent, name, s, sp, sname);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(line);
        out.write(0);
        Files.write(state.resolve(mdt + ".log"), out.toByteArray(), StandardOpenOption.APPEND);
    }

    private void saveRegistry() throws IOException {
        StringBuilder b = new StringBuilder();
        inodes.forEach((f, ino) -> b.append(Long.toHexString(f.seq())).append(' ')
                .append(Integer.toHexString(f.oid())).append(' ').append(Integer.toHexString(f.ver())).append(' ')
                .append(ino).append('\n'));
        Files.writeString(state.resolve("fids"), b.toString());
    }
}
