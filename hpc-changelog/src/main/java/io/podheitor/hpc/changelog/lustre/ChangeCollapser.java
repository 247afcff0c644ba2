package io.podheitor.hpc.changelog.lustre;

import io.podheitor.hpc.lustre.Fid;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Collapses the records of one MDT, in record order, into a {@link ChangeSet} (docs/changelog.md §2).
 *
 * <p>Memory: one entry per distinct changed name (the parent FID, the name's bytes and a few flags, about
 * 100 bytes plus the name) and one per distinct object changed by FID (about 80 bytes). It grows with the number
 * of distinct changes, never with the size of the namespace, and repeated records of one name or one object
 * take no more. Past {@code maxEntries} entries it stops collecting and {@link #finish()} answers
 * {@link Outcome.TooManyChanges}: a full walk is cheaper than resolving that many changes, and memory stays
 * bounded.
 *
 * <p>Rules, per name (the last record decides whether it exists; a removal at any point is kept, because the
 * catalog may hold what the name named before, even when the name was created inside the run):
 * CREAT MKDIR HLINK SLINK MKNOD make a name present; UNLNK RMDIR remove it; RENME removes the old name
 * ({@code sp=} + old name) and makes the new one present as renamed in (a rename over an existing name also
 * removes what it named); the legacy pair RENME without {@code s=} (the old name) and RNMTO (the new name) is
 * handled the same way; MIGRT with a name re-saves that name. An object changed by FID whose only names were
 * created in the run (CREAT MKDIR SLINK MKNOD) needs no FID lookup: saving those names saves it. Per object: CLOSE TRUNC SATTR XATTR MTIME CTIME
 * LYOUT FLRW RESYNC, MIGRT without a name and any unknown type mark the target changed; an UNLNK with
 * {@code CLF_UNLINK_LAST} or an RMDIR forgets it (the object is gone). ATIME, OPEN, NOPEN, GXATR (reads), MARK and
 * HSM (archive state, the data does not change) change nothing a backup saves.
 */
public final class ChangeCollapser {
    /** A sensible bound: about 200 MB of entries. */
    public static final int DEFAULT_MAX_ENTRIES = 1_000_000;

    private final int maxEntries;
    private final Map<NameKey, State> names = new LinkedHashMap<>();
    private final Set<Fid> changedFids = new LinkedHashSet<>();
    private long records;
    private long firstIndex = -1;
    private long lastIndex = -1;
    private boolean overflow;

    private static final class State {
        boolean removed;
        boolean present;
        boolean renamedIn;
        Fid fid;
    }

    public ChangeCollapser(int maxEntries) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be positive: " + maxEntries);
        }
        this.maxEntries = maxEntries;
    }

    /** What {@link #finish()} answers. */
    public sealed interface Outcome {
        record Collapsed(ChangeSet changes) implements Outcome {
        }

        /** More distinct changes than the bound: the caller walks instead. */
        record TooManyChanges(long entries, int limit, long records) implements Outcome {
        }
    }

    /** Entries held now (distinct names plus distinct changed objects). */
    public int entries() {
        return names.size() + changedFids.size();
    }

    /** Takes the next record; false once the bound is passed (later records are only counted). */
    public boolean accept(ChangelogRecord r) {
        records++;
        if (firstIndex < 0) {
            firstIndex = r.index();
        }
        lastIndex = r.index();
        if (overflow) {
            return false;
        }
        switch (r.type()) {
            case CREAT, MKDIR, HLINK, SLINK, MKNOD -> {
                if (r.parent() != null && r.name() != null) {
                    State s = name(r.parent(), r.name());
                    s.present = true;
                    s.renamedIn = false;
                    // a new object's only names are those created in the run; a new link's object has others
                    s.fid = r.type() == RecordType.HLINK ? null : nonZero(r.target());
                } else {
                    fid(r.target());
                }
            }
            case UNLNK, RMDIR -> {
                if (r.parent() != null && r.name() != null) {
                    State s = name(r.parent(), r.name());
                    s.present = false;
                    s.removed = true;
                    s.renamedIn = false;
                    s.fid = null;
                }
                if (r.type() == RecordType.RMDIR || (r.flags() & ChangelogRecord.UNLINK_LAST) != 0) {
                    changedFids.remove(r.target());
                }
            }
            case RENME -> {
                if (r.hasSource()) {
                    if (r.sourceParent() != null && r.sourceName() != null && r.sourceName().length > 0) {
                        State old = name(r.sourceParent(), r.sourceName());
                        old.present = false;
                        old.removed = true;
                        old.renamedIn = false;
                        old.fid = null;
                    }
                    if (r.parent() != null && r.name() != null) {
                        State s = name(r.parent(), r.name());
                        if (!Fids.isZero(r.target())) {
                            s.removed = true; // what the new name held before is gone
                            changedFids.remove(r.target());
                        }
                        s.present = true;
                        s.renamedIn = true;
                        s.fid = null; // the object may have other links: its FID changes stay
                    }
                } else if (r.parent() != null && r.name() != null) {
                    // legacy first half: the old name
                    State old = name(r.parent(), r.name());
                    old.present = false;
                    old.removed = true;
                    old.renamedIn = false;
                    old.fid = null;
                }
            }
            case RNMTO -> {
                if (r.parent() != null && r.name() != null) {
                    State s = name(r.parent(), r.name());
                    s.removed = true; // a legacy rename may have replaced what was there
                    s.present = true;
                    s.renamedIn = true;
                    s.fid = null;
                }
            }
            case MIGRT -> {
                if (r.parent() != null && r.name() != null) {
                    State s = name(r.parent(), r.name());
                    s.present = true;
                } else {
                    fid(r.target());
                }
            }
            case CLOSE, TRUNC, SATTR, XATTR, MTIME, CTIME, LYOUT, FLRW, RESYNC, UNKNOWN -> fid(r.target());
            case ATIME, OPEN, NOPEN, GXATR, MARK, HSM -> {
                // nothing a backup saves changes
            }
        }
        if (entries() > maxEntries) {
            overflow = true;
            names.clear();
            changedFids.clear();
            return false;
        }
        return true;
    }

    /** The change set, or {@link Outcome.TooManyChanges}. */
    public Outcome finish() {
        if (overflow) {
            return new Outcome.TooManyChanges(maxEntries + 1L, maxEntries, records);
        }
        List<NameChange> out = new ArrayList<>(names.size());
        Set<Fid> covered = new HashSet<>();
        for (Map.Entry<NameKey, State> e : names.entrySet()) {
            State s = e.getValue();
            out.add(new NameChange(e.getKey(), s.removed, s.present, s.renamedIn, s.fid));
            if (s.present && s.fid != null) {
                covered.add(s.fid);
            }
        }
        Set<Fid> fids = new LinkedHashSet<>(changedFids);
        fids.removeAll(covered);
        return new Outcome.Collapsed(new ChangeSet(out, fids, records, firstIndex, lastIndex));
    }

    private State name(Fid parent, byte[] name) {
        return names.computeIfAbsent(new NameKey(parent, name), k -> new State());
    }

    private void fid(Fid target) {
        if (!Fids.isZero(target)) {
            changedFids.add(target);
        }
    }

    private static Fid nonZero(Fid f) {
        return f == null || Fids.isZero(f) ? null : f;
    }
}
