package io.podheitor.hpc.lustre;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.MemoryLayout;
import java.lang.foreign.StructLayout;

/**
 * The C structs of liblustreapi that cross the FFM boundary, laid out as in
 * {@code include/uapi/linux/lustre/lustre_user.h} (a test pins their sizes and offsets).
 */
final class LustreStructs {
    /** {@code struct lu_fid}: 16 bytes. */
    static final StructLayout LU_FID = MemoryLayout.structLayout(
            JAVA_LONG.withName("f_seq"),
            JAVA_INT.withName("f_oid"),
            JAVA_INT.withName("f_ver")).withName("lu_fid");

    /** {@code UUID_MAX}: the size of {@code struct obd_uuid}. */
    static final int UUID_MAX = 40;

    /** {@code struct obd_uuid}: {@code char uuid[UUID_MAX]}. */
    static final StructLayout OBD_UUID = MemoryLayout.structLayout(
            MemoryLayout.sequenceLayout(UUID_MAX, JAVA_BYTE).withName("uuid")).withName("obd_uuid");

    /** {@code struct obd_statfs}: 144 bytes. */
    static final StructLayout OBD_STATFS = MemoryLayout.structLayout(
            JAVA_LONG.withName("os_type"),
            JAVA_LONG.withName("os_blocks"),
            JAVA_LONG.withName("os_bfree"),
            JAVA_LONG.withName("os_bavail"),
            JAVA_LONG.withName("os_files"),
            JAVA_LONG.withName("os_ffree"),
            MemoryLayout.sequenceLayout(40, JAVA_BYTE).withName("os_fsid"),
            JAVA_INT.withName("os_bsize"),
            JAVA_INT.withName("os_namelen"),
            JAVA_LONG.withName("os_maxbytes"),
            JAVA_INT.withName("os_state"),
            JAVA_INT.withName("os_fprecreated"),
            JAVA_INT.withName("os_granted"),
            JAVA_INT.withName("os_spare3"),
            JAVA_INT.withName("os_spare4"),
            JAVA_INT.withName("os_spare5"),
            JAVA_INT.withName("os_spare6"),
            JAVA_INT.withName("os_spare7"),
            JAVA_INT.withName("os_spare8"),
            JAVA_INT.withName("os_spare9")).withName("obd_statfs");

    /** {@code LOV_MAXPOOLNAME + 1}: the buffer for a pool name. */
    static final int POOL_NAME_SIZE = 16;

    /** {@code PATH_MAX}: llapi_search_mounts writes the mount point and the fsname into buffers of this size. */
    static final int PATH_MAX = 4096;

    private LustreStructs() {
    }

    static long offset(StructLayout layout, String field) {
        return layout.byteOffset(MemoryLayout.PathElement.groupElement(field));
    }
}
