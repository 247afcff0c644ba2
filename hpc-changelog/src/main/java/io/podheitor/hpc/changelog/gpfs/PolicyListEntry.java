package io.podheitor.hpc.changelog.gpfs;

/**
 * One line of a GPFS / Storage Scale policy file list ({@code PREFIX.list.NAME}).
 *
 * @param inode the inode number (64 bits)
 * @param generation the inode generation (32 bits, unsigned, kept in a long)
 * @param snapshotId the snapshot id (0: the active file system)
 * @param show what the rule's SHOW clause printed, as bytes (empty when it has none)
 * @param path the path, its escapes decoded: raw bytes
 */
public record PolicyListEntry(long inode, long generation, long snapshotId, byte[] show, byte[] path) {
}
