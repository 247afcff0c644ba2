package io.podheitor.hpc.changelog.lustre;

import io.podheitor.hpc.lustre.Fid;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * One record of {@code lfs changelog} (docs/changelog.md §1). Names are the record's raw bytes; absent parts are
 * null (a zero target FID is kept as {@link Fids#ZERO}, the way lfs prints it).
 *
 * @param index the record number on its MDT
 * @param typeNumber the number printed before the type name (kept for {@link RecordType#UNKNOWN})
 * @param type the type
 * @param time when the MDS logged it (UTC)
 * @param flags the low 12 bits of the record's flags ({@code CLF_UNLINK_LAST} = 1 for UNLNK/RMDIR)
 * @param target {@code t=}: the object the record is about; for a rename, the overwritten object (zero if none)
 * @param parent {@code p=}: the directory holding {@code name}, or null
 * @param name the name in {@code parent}, or null; for a rename, the new name
 * @param sourceFid {@code s=} of a rename: the object moved, or null
 * @param sourceParent {@code sp=} of a rename: the directory it left, or null
 * @param sourceName the name it had there, or null
 * @param extras the other {@code key=value} fields ({@code j=}, {@code ef=}, {@code u=}, {@code nid=}, {@code m=},
 *     {@code x=} and any a newer lfs adds), in order
 */
public record ChangelogRecord(long index, int typeNumber, RecordType type, Instant time, int flags, Fid target,
        Fid parent, byte[] name, Fid sourceFid, Fid sourceParent, byte[] sourceName, List<Extra> extras) {

    /** {@code CLF_UNLINK_LAST}: for UNLNK, the last link is gone (the object is destroyed). */
    public static final int UNLINK_LAST = 0x1;

    public ChangelogRecord {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(target, "target");
        extras = List.copyOf(extras);
    }

    /** One {@code key=value} field other than t=, p=, s=, sp=. */
    public record Extra(String key, byte[] value) {
    }

    /** Whether the record names a source (a rename with {@code s=}/{@code sp=}). */
    public boolean hasSource() {
        return sourceFid != null;
    }

    /** The value of the extra field {@code key}, or null. */
    public byte[] extra(String key) {
        for (Extra e : extras) {
            if (e.key().equals(key)) {
                return e.value();
            }
        }
        return null;
    }
}
