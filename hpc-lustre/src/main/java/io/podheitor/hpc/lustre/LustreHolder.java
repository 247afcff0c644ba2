package io.podheitor.hpc.lustre;

/** The process's {@link Lustre}, chosen on first use of {@link Lustre#get()}. */
final class LustreHolder {
    static final Lustre INSTANCE = Lustre.load();

    private LustreHolder() {
    }
}
