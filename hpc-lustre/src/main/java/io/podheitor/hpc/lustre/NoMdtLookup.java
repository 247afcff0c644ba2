package io.podheitor.hpc.lustre;

import java.util.List;
import java.util.OptionalInt;

/** Neither liblustreapi nor lfs: every answer is empty, as for a path that is not on Lustre. */
public enum NoMdtLookup implements MdtLookup {
    INSTANCE;

    @Override
    public String source() {
        return "absent";
    }

    @Override
    public boolean present() {
        return false;
    }

    @Override
    public List<LustreTarget> mdts(byte[] path) {
        return List.of();
    }

    @Override
    public OptionalInt mdtOf(int fd) {
        return OptionalInt.empty();
    }

    @Override
    public OptionalInt mdtOf(int dirfd, byte[] name) {
        return OptionalInt.empty();
    }

    @Override
    public OptionalInt mdtOf(byte[] path) {
        return OptionalInt.empty();
    }
}
