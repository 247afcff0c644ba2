package io.podheitor.hpc.changelog.lustre;

import io.podheitor.hpc.lustre.Fid;
import java.util.List;
import java.util.Set;

/**
 * The collapsed changes of a run of records of one MDT: every changed name once, and the objects whose data or
 * metadata changed without a name in their records (CLOSE, TRUNC, SATTR, XATTR, MTIME, CTIME, LYOUT, ...), minus
 * those a present name already covers.
 *
 * @param names the changed names, in the order first seen
 * @param changedFids objects to find by FID ({@code lfs fid2path}) and save again
 * @param records how many records were read
 * @param firstIndex the first record number read (-1 if none)
 * @param lastIndex the last record number read (-1 if none)
 */
public record ChangeSet(List<NameChange> names, Set<Fid> changedFids, long records, long firstIndex,
        long lastIndex) {
    public ChangeSet {
        names = List.copyOf(names);
        changedFids = Set.copyOf(changedFids);
    }
}
