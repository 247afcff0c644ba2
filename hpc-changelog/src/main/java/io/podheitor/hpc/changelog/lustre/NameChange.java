package io.podheitor.hpc.changelog.lustre;

import io.podheitor.hpc.lustre.Fid;

/**
 * What happened to one name during the records collapsed, reduced to what a backup needs.
 *
 * @param key the directory's FID and the name
 * @param removed the name stopped naming what it named before the first record (unlink, rmdir, renamed away,
 *     or replaced by a rename over it): what the catalog has under this path, and below it, is deleted
 * @param present the name exists after the last record: stat it and save it
 * @param renamedIn the name was last given by a rename: when it is a directory, everything below it moved with
 *     it (one record for the whole subtree), so the subtree must be walked whole
 * @param fid the object it names, when the name was created in the run (CREAT, MKDIR, SLINK, MKNOD: the object has
 *     no other name), else null
 */
public record NameChange(NameKey key, boolean removed, boolean present, boolean renamedIn, Fid fid) {
}
