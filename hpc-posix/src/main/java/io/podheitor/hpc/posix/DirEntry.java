package io.podheitor.hpc.posix;

/** One entry of struct linux_dirent64: the raw name bytes, d_ino and d_type (a FileMode.DT_* value). */
public record DirEntry(byte[] name, long ino, int type) {
}
