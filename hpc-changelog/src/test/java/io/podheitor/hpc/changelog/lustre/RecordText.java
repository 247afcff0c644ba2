package io.podheitor.hpc.changelog.lustre;

import io.podheitor.hpc.lustre.Fid;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/** Writes a record the way lfs.c's lfs_changelog() prints it (the test side of the format). */
final class RecordText {
    private RecordText() {
    }

    static byte[] format(long index, RecordType type, Instant time, int flags, Fid target, String extras,
            Fid parent, byte[] name, Fid sourceFid, Fid sourceParent, byte[] sourceName) {
        ZonedDateTime t = time.atZone(ZoneOffset.UTC);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String head = String.format("%d %02d%-5s %02d:%02d:%02d.%09d %04d.%02d.%02d 0x%x t=%s", index, type.number(),
                type.name(), t.getHour(), t.getMinute(), t.getSecond(), t.getNano(), t.getYear(), t.getMonthValue(),
                t.getDayOfMonth(), flags, target);
        out.writeBytes(head.getBytes(StandardCharsets.US_ASCII));
        if (extras != null && !extras.isEmpty()) {
            out.writeBytes((" " + extras).getBytes(StandardCharsets.US_ASCII));
        }
        if (parent != null && !Fids.isZero(parent)) {
            out.writeBytes((" p=" + parent).getBytes(StandardCharsets.US_ASCII));
        }
        if (name != null) {
            out.write(' ');
            out.writeBytes(name);
        }
        if (sourceFid != null && !Fids.isZero(sourceFid)) {
            out.writeBytes((" s=" + sourceFid + " sp=" + sourceParent + " ").getBytes(StandardCharsets.US_ASCII));
            out.writeBytes(sourceName);
        }
        return out.toByteArray();
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
