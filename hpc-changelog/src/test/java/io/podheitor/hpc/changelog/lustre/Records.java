package io.podheitor.hpc.changelog.lustre;

import io.podheitor.hpc.lustre.Fid;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/** Builds records for collapse tests, numbered in order. */
final class Records {
    private long next = 1;

    static Fid fid(int oid) {
        return new Fid(0x200000402L, oid, 0);
    }

    static byte[] n(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private ChangelogRecord rec(RecordType t, int flags, Fid target, Fid parent, String name, Fid s, Fid sp,
            String sname) {
        return new ChangelogRecord(next++, t.number(), t, Instant.EPOCH, flags, target, parent,
                name == null ? null : n(name), s, sp, sname == null ? null : n(sname), List.of());
    }

    ChangelogRecord create(Fid f, Fid dir, String name) {
        return rec(RecordType.CREAT, 0, f, dir, name, null, null, null);
    }

    ChangelogRecord mkdir(Fid f, Fid dir, String name) {
        return rec(RecordType.MKDIR, 0, f, dir, name, null, null, null);
    }

    ChangelogRecord hlink(Fid f, Fid dir, String name) {
        return rec(RecordType.HLINK, 0, f, dir, name, null, null, null);
    }

    ChangelogRecord unlink(Fid f, Fid dir, String name, boolean last) {
        return rec(RecordType.UNLNK, last ? 1 : 0, f, dir, name, null, null, null);
    }

    ChangelogRecord rmdir(Fid f, Fid dir, String name) {
        return rec(RecordType.RMDIR, 1, f, dir, name, null, null, null);
    }

    ChangelogRecord rename(Fid f, Fid fromDir, String from, Fid toDir, String to, Fid overwritten) {
        return rec(RecordType.RENME, 0, overwritten == null ? Fids.ZERO : overwritten, toDir, to, f, fromDir, from);
    }

    ChangelogRecord of(RecordType t, Fid f) {
        return rec(t, 0, f, null, null, null, null, null);
    }

    ChangelogRecord legacyRename(Fid f, Fid fromDir, String from) {
        return rec(RecordType.RENME, 0, f, fromDir, from, null, null, null);
    }

    ChangelogRecord legacyRenameTo(Fid f, Fid toDir, String to) {
        return rec(RecordType.RNMTO, 0, f, toDir, to, null, null, null);
    }
}
