package io.podheitor.hpc.changelog.lustre;

import io.podheitor.hpc.lustre.Fid;
import io.podheitor.hpc.walker.Paths;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Places a {@link ChangeSet} in the namespace as it is now: one batched {@link FidResolver} call for the
 * directories of the changed names and the objects changed by FID. A name is its directory's current path plus
 * the name; the directory itself is saved again (a name created, removed or renamed in it changed its mtime). A
 * deletion whose directory is gone is dropped and reported: the directory's own removal (or the
 * rename away of an ancestor) is then a deletion that covers it. A path saved and deleted in the same set is
 * kept in both: the deletion removes what the catalog had below it, the save says what is there now.
 */
public final class ChangeResolution {
    private ChangeResolution() {
    }

    public static ResolvedChanges resolve(ChangeSet changes, FidResolver resolver) throws IOException {
        Set<Fid> wanted = new LinkedHashSet<>();
        for (NameChange n : changes.names()) {
            wanted.add(n.key().parent());
        }
        wanted.addAll(changes.changedFids());
        FidResolver.Resolution r = wanted.isEmpty()
                ? new FidResolver.Resolution(java.util.Map.of(), Set.of())
                : resolver.resolve(wanted);
        List<ResolvedChanges.Save> saves = new ArrayList<>();
        List<byte[]> deletions = new ArrayList<>();
        List<ResolvedChanges.Unresolved> unresolved = new ArrayList<>();
        for (NameChange n : changes.names()) {
            List<byte[]> dirs = r.paths().get(n.key().parent());
            if (dirs == null || dirs.isEmpty()) {
                unresolved.add(new ResolvedChanges.Unresolved.Name(n));
                continue;
            }
            byte[] path = Paths.join(dirs.get(0), n.key().name());
            // a name created, removed or renamed in a directory changed that directory (its mtime and ctime):
            // it is saved again, so that a restore gives it its attributes of now
            saves.add(new ResolvedChanges.Save(dirs.get(0), false));
            if (n.removed()) {
                deletions.add(path);
            }
            if (n.present()) {
                saves.add(new ResolvedChanges.Save(path, n.renamedIn()));
            }
        }
        for (Fid f : changes.changedFids()) {
            List<byte[]> paths = r.paths().get(f);
            if (paths == null || paths.isEmpty()) {
                unresolved.add(new ResolvedChanges.Unresolved.Object(f));
                continue;
            }
            for (byte[] p : paths) {
                saves.add(new ResolvedChanges.Save(p, false));
            }
        }
        return new ResolvedChanges(uniqueSaves(saves), unique(deletions), unresolved);
    }


    private static List<ResolvedChanges.Save> uniqueSaves(List<ResolvedChanges.Save> saves) {
        saves.sort((a, b) -> Arrays.compareUnsigned(a.path(), b.path()));
        List<ResolvedChanges.Save> out = new ArrayList<>(saves.size());
        for (ResolvedChanges.Save s : saves) {
            if (!out.isEmpty() && Arrays.equals(out.getLast().path(), s.path())) {
                ResolvedChanges.Save prev = out.removeLast();
                out.add(new ResolvedChanges.Save(s.path(), prev.walkIfDirectory() || s.walkIfDirectory()));
            } else {
                out.add(s);
            }
        }
        return out;
    }

    private static List<byte[]> unique(List<byte[]> paths) {
        paths.sort(Arrays::compareUnsigned);
        List<byte[]> out = new ArrayList<>(paths.size());
        for (byte[] p : paths) {
            if (out.isEmpty() || !Arrays.equals(out.getLast(), p)) {
                out.add(p);
            }
        }
        return out;
    }
}
