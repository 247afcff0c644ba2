package io.podheitor.hpc.lustre;

/** The two kinds of Lustre targets: metadata (MDT, {@code LL_STATFS_LMV}) and object storage (OST, {@code LL_STATFS_LOV}). */
public enum TargetKind {
    MDT(1),
    OST(2);

    private final int statfsType;

    TargetKind(int statfsType) {
        this.statfsType = statfsType;
    }

    /** The {@code type} argument of {@code llapi_obd_fstatfs} for this kind ({@code LL_STATFS_LMV} / {@code _LOV}). */
    public int statfsType() {
        return statfsType;
    }
}
