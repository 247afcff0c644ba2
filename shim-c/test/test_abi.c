/*
 * test_abi.c - every declared layout against the tables of docs/abi.md
 * (§2, §6), plus the per-version constant tables (§3.1, §5, §6.7).
 * abi.h already pins these with _Static_assert; this test repeats them at
 * run time so that they show up in the test count and its output.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <stddef.h>

#include "abi.h"
#include "check.h"
#include "msg.h"

bFuncs *phpc_bfuncs;        /* msg.c wants these (normally in plugin.c) */
unsigned phpc_version;

#define OFF(T, f, n) CHECK(offsetof(T, f) == (n), #T "." #f " at %zu, want %d", offsetof(T, f), n)
#define SZ(T, n) CHECK(sizeof(T) == (n), "sizeof(" #T ") = %zu, want %d", sizeof(T), n)

static void common(void)
{
    SZ(struct stat, 144);
    OFF(struct stat, st_dev, 0); OFF(struct stat, st_ino, 8); OFF(struct stat, st_nlink, 16);
    OFF(struct stat, st_mode, 24); OFF(struct stat, st_uid, 28); OFF(struct stat, st_gid, 32);
    OFF(struct stat, st_rdev, 40); OFF(struct stat, st_size, 48); OFF(struct stat, st_blksize, 56);
    OFF(struct stat, st_blocks, 64); OFF(struct stat, st_atim, 72); OFF(struct stat, st_mtim, 88);
    OFF(struct stat, st_ctim, 104);

    SZ(bRC, 4); SZ(bpContext, 16); SZ(bEvent, 4); SZ(bInfo, 8);
    SZ(pInfo, 56);
    OFF(pInfo, size, 0); OFF(pInfo, version, 4); OFF(pInfo, plugin_magic, 8);
    OFF(pInfo, plugin_license, 16); OFF(pInfo, plugin_author, 24); OFF(pInfo, plugin_date, 32);
    OFF(pInfo, plugin_version, 40); OFF(pInfo, plugin_description, 48);

    /* bFuncs: 144 bytes for v14/v21 (ends after AcceptFile), 152 for v22, 168 for v23 */
    OFF(bFuncs, size, 0); OFF(bFuncs, version, 4);
    OFF(bFuncs, registerBaculaEvents, 8); OFF(bFuncs, getBaculaValue, 16);
    OFF(bFuncs, setBaculaValue, 24); OFF(bFuncs, JobMessage, 32); OFF(bFuncs, DebugMessage, 40);
    OFF(bFuncs, baculaMalloc, 48); OFF(bFuncs, baculaFree, 56); OFF(bFuncs, AddExclude, 64);
    OFF(bFuncs, AddInclude, 72); OFF(bFuncs, AddOptions, 80); OFF(bFuncs, AddRegex, 88);
    OFF(bFuncs, AddWild, 96); OFF(bFuncs, NewOptions, 104); OFF(bFuncs, NewInclude, 112);
    OFF(bFuncs, NewPreInclude, 120); OFF(bFuncs, checkChanges, 128); OFF(bFuncs, AcceptFile, 136);
    CHECK(offsetof(bFuncs, AcceptFile) + sizeof(void *) == 144, "v14/v21 bFuncs size 144");
    OFF(bFuncs, getAccurateAttribs, 144);
    CHECK(offsetof(bFuncs, getAccurateAttribs) + sizeof(void *) == 152, "v22 bFuncs size 152");
    OFF(bFuncs, AddPlugin, 152); OFF(bFuncs, AddFileEvent, 160);
    SZ(bFuncs, 168);

    SZ(struct io_pkt, 72);
    OFF(struct io_pkt, pkt_size, 0); OFF(struct io_pkt, func, 4); OFF(struct io_pkt, count, 8);
    OFF(struct io_pkt, flags, 12); OFF(struct io_pkt, mode, 16); OFF(struct io_pkt, buf, 24);
    OFF(struct io_pkt, fname, 32); OFF(struct io_pkt, status, 40); OFF(struct io_pkt, io_errno, 44);
    OFF(struct io_pkt, lerror, 48); OFF(struct io_pkt, whence, 52); OFF(struct io_pkt, offset, 56);
    OFF(struct io_pkt, win32, 64); OFF(struct io_pkt, pkt_end, 68);

    SZ(struct xacl_pkt, 32);
    OFF(struct xacl_pkt, func, 4); OFF(struct xacl_pkt, count, 8);
    OFF(struct xacl_pkt, content, 16); OFF(struct xacl_pkt, pkt_end, 24);

    SZ(struct stream_pkt, 12);
    OFF(struct stream_pkt, stream, 4); OFF(struct stream_pkt, pkt_end, 8);
}

static void v14(void)
{
    SZ(struct save_pkt14, 240);
    OFF(struct save_pkt14, pkt_size, 0); OFF(struct save_pkt14, fname, 8);
    OFF(struct save_pkt14, link, 16); OFF(struct save_pkt14, statp, 24);
    OFF(struct save_pkt14, type, 168); OFF(struct save_pkt14, flags, 176);
    OFF(struct save_pkt14, no_read, 184); OFF(struct save_pkt14, portable, 185);
    OFF(struct save_pkt14, accurate_found, 186); OFF(struct save_pkt14, cmd, 192);
    OFF(struct save_pkt14, delta_seq, 200); OFF(struct save_pkt14, object_name, 208);
    OFF(struct save_pkt14, object, 216); OFF(struct save_pkt14, object_len, 224);
    OFF(struct save_pkt14, index, 228); OFF(struct save_pkt14, LinkFI, 232);
    OFF(struct save_pkt14, pkt_end, 236);

    SZ(struct restore_pkt14, 232);
    OFF(struct restore_pkt14, stream, 4); OFF(struct restore_pkt14, data_stream, 8);
    OFF(struct restore_pkt14, type, 12); OFF(struct restore_pkt14, file_index, 16);
    OFF(struct restore_pkt14, LinkFI, 20); OFF(struct restore_pkt14, uid, 24);
    OFF(struct restore_pkt14, statp, 32); OFF(struct restore_pkt14, attrEx, 176);
    OFF(struct restore_pkt14, ofname, 184); OFF(struct restore_pkt14, olname, 192);
    OFF(struct restore_pkt14, where, 200); OFF(struct restore_pkt14, RegexWhere, 208);
    OFF(struct restore_pkt14, replace, 216); OFF(struct restore_pkt14, create_status, 220);
    OFF(struct restore_pkt14, delta_seq, 224); OFF(struct restore_pkt14, pkt_end, 228);

    SZ(pFuncs14, 128);
    OFF(pFuncs14, size, 0); OFF(pFuncs14, version, 4); OFF(pFuncs14, newPlugin, 8);
    OFF(pFuncs14, freePlugin, 16); OFF(pFuncs14, getPluginValue, 24);
    OFF(pFuncs14, setPluginValue, 32); OFF(pFuncs14, handlePluginEvent, 40);
    OFF(pFuncs14, startBackupFile, 48); OFF(pFuncs14, endBackupFile, 56);
    OFF(pFuncs14, startRestoreFile, 64); OFF(pFuncs14, endRestoreFile, 72);
    OFF(pFuncs14, pluginIO, 80); OFF(pFuncs14, createFile, 88);
    OFF(pFuncs14, setFileAttributes, 96); OFF(pFuncs14, checkFile, 104);
    OFF(pFuncs14, handleXACLdata, 112); OFF(pFuncs14, checkStream, 120);
}

static void v21(void)
{
    SZ(struct save_pkt21, 256);
    OFF(struct save_pkt21, fname, 8); OFF(struct save_pkt21, snap_fname, 16);
    OFF(struct save_pkt21, plugin_mode, 24); OFF(struct save_pkt21, link, 32);
    OFF(struct save_pkt21, statp, 40); OFF(struct save_pkt21, type, 184);
    OFF(struct save_pkt21, flags, 192); OFF(struct save_pkt21, no_read, 200);
    OFF(struct save_pkt21, portable, 201); OFF(struct save_pkt21, accurate_found, 202);
    OFF(struct save_pkt21, do_dedup, 203); OFF(struct save_pkt21, cmd, 208);
    OFF(struct save_pkt21, delta_seq, 216); OFF(struct save_pkt21, object_name, 224);
    OFF(struct save_pkt21, object, 232); OFF(struct save_pkt21, object_len, 240);
    OFF(struct save_pkt21, index, 244); OFF(struct save_pkt21, LinkFI, 248);
    OFF(struct save_pkt21, pkt_end, 252);

    SZ(struct restore_pkt21, 232);
    OFF(struct restore_pkt21, plugin_mode, 4); OFF(struct restore_pkt21, stream, 8);
    OFF(struct restore_pkt21, data_stream, 12); OFF(struct restore_pkt21, type, 16);
    OFF(struct restore_pkt21, file_index, 20); OFF(struct restore_pkt21, LinkFI, 24);
    OFF(struct restore_pkt21, uid, 28); OFF(struct restore_pkt21, statp, 32);
    OFF(struct restore_pkt21, attrEx, 176); OFF(struct restore_pkt21, ofname, 184);
    OFF(struct restore_pkt21, olname, 192); OFF(struct restore_pkt21, where, 200);
    OFF(struct restore_pkt21, RegexWhere, 208); OFF(struct restore_pkt21, replace, 216);
    OFF(struct restore_pkt21, create_status, 220); OFF(struct restore_pkt21, delta_seq, 224);
    OFF(struct restore_pkt21, pkt_end, 228);

    SZ(pFuncs21, 144);
    OFF(pFuncs21, handleXACLdata, 112); OFF(pFuncs21, restoreFileList, 120);
    OFF(pFuncs21, checkStream, 128); OFF(pFuncs21, queryParameter, 136);
}

static void v22(void)
{
    SZ(struct save_pkt22, 344);
    OFF(struct save_pkt22, fname, 8); OFF(struct save_pkt22, snap_fname, 16);
    OFF(struct save_pkt22, plugin_mode, 24); OFF(struct save_pkt22, link, 32);
    OFF(struct save_pkt22, statp, 40); OFF(struct save_pkt22, type, 184);
    OFF(struct save_pkt22, flags, 192); OFF(struct save_pkt22, no_read, 200);
    OFF(struct save_pkt22, portable, 201); OFF(struct save_pkt22, accurate_found, 202);
    OFF(struct save_pkt22, do_dedup, 203); OFF(struct save_pkt22, cmd, 208);
    OFF(struct save_pkt22, restore_obj, 216); OFF(struct save_pkt22, plugin_obj, 248);
    OFF(struct save_pkt22, plug_meta, 320); OFF(struct save_pkt22, delta_seq, 328);
    OFF(struct save_pkt22, LinkFI, 332); OFF(struct save_pkt22, pkt_end, 336);

    SZ(struct phpc_restore_object22, 32);
    OFF(struct phpc_restore_object22, object_name, 0); OFF(struct phpc_restore_object22, object, 8);
    OFF(struct phpc_restore_object22, object_len, 16); OFF(struct phpc_restore_object22, index, 20);
    OFF(struct phpc_restore_object22, object_compression, 24);
    SZ(struct phpc_plugin_object22, 72);
    OFF(struct phpc_plugin_object22, path, 0); OFF(struct phpc_plugin_object22, plugin_name, 8);
    OFF(struct phpc_plugin_object22, object_category, 16);
    OFF(struct phpc_plugin_object22, object_type, 24);
    OFF(struct phpc_plugin_object22, object_name, 32);
    OFF(struct phpc_plugin_object22, object_source, 40);
    OFF(struct phpc_plugin_object22, object_uuid, 48);
    OFF(struct phpc_plugin_object22, object_size, 56);
    OFF(struct phpc_plugin_object22, status, 64); OFF(struct phpc_plugin_object22, count, 68);

    /* restore_pkt: v22 uses the v21 layout (checked in v21()) */
    SZ(pFuncs22, 152);
    OFF(pFuncs22, restoreFileList, 120); OFF(pFuncs22, checkStream, 128);
    OFF(pFuncs22, queryParameter, 136); OFF(pFuncs22, metadataRestore, 144);
}

/* docs/abi.md §10.3-§10.5: v22's layouts plus stat_update in former padding and two table slots each */
static void v23(void)
{
    SZ(struct save_pkt23, 344);
    OFF(struct save_pkt23, fname, 8); OFF(struct save_pkt23, snap_fname, 16);
    OFF(struct save_pkt23, plugin_mode, 24); OFF(struct save_pkt23, link, 32);
    OFF(struct save_pkt23, statp, 40); OFF(struct save_pkt23, type, 184);
    OFF(struct save_pkt23, flags, 192); OFF(struct save_pkt23, no_read, 200);
    OFF(struct save_pkt23, portable, 201); OFF(struct save_pkt23, accurate_found, 202);
    OFF(struct save_pkt23, do_dedup, 203); OFF(struct save_pkt23, stat_update, 204);
    OFF(struct save_pkt23, cmd, 208); OFF(struct save_pkt23, restore_obj, 216);
    OFF(struct save_pkt23, plugin_obj, 248); OFF(struct save_pkt23, plug_meta, 320);
    OFF(struct save_pkt23, delta_seq, 328); OFF(struct save_pkt23, LinkFI, 332);
    OFF(struct save_pkt23, pkt_end, 336);
    /* every field the shim touches sits where v22 has it */
    CHECK(offsetof(struct save_pkt23, LinkFI) == offsetof(struct save_pkt22, LinkFI) &&
          offsetof(struct save_pkt23, cmd) == offsetof(struct save_pkt22, cmd) &&
          offsetof(struct save_pkt23, flags) == offsetof(struct save_pkt22, flags),
          "save_pkt23 == save_pkt22 but for stat_update");

    /* restore_pkt: v23 uses the v21 layout (checked in v21()) */
    SZ(pFuncs23, 168);
    OFF(pFuncs23, handleXACLdata, 112); OFF(pFuncs23, restoreFileList, 120);
    OFF(pFuncs23, checkStream, 128); OFF(pFuncs23, queryParameter, 136);
    OFF(pFuncs23, metadataRestore, 144); OFF(pFuncs23, startVerifyFile, 152);
    OFF(pFuncs23, endVerifyFile, 160);
    CHECK(bEventVerifyStream == 27 && bEventPluginOptions == 28, "v23 events 27, 28");
}

static void constants(void)
{
    /* docs/abi.md §5.1 */
    CHECK(phpc_var_id(14, PV_WHERE) == 14 && phpc_var_id(21, PV_WHERE) == 14 &&
          phpc_var_id(22, PV_WHERE) == 15, "bVarWhere 14/14/15");
    CHECK(phpc_var_id(14, PV_REGEX_WHERE) == 15 && phpc_var_id(21, PV_REGEX_WHERE) == 15 &&
          phpc_var_id(22, PV_REGEX_WHERE) == 16, "bVarRegexWhere 15/15/16");
    CHECK(phpc_var_id(14, PV_REPLACE) == 24 && phpc_var_id(21, PV_REPLACE) == 23 &&
          phpc_var_id(22, PV_REPLACE) == 24, "bVarReplace 24/23/24");
    CHECK(phpc_var_id(14, PV_FILE_INDEX) == 23 && phpc_var_id(21, PV_FILE_INDEX) == 22 &&
          phpc_var_id(22, PV_FILE_INDEX) == 23, "bVarFileIndex 23/22/23");
    CHECK(phpc_var_id(14, PV_FILE_SEEN) == 10 && phpc_var_id(21, PV_FILE_SEEN) == 10 &&
          phpc_var_id(22, PV_FILE_SEEN) == 10, "bVarFileSeen 10/10/10");
    CHECK(phpc_var_id(14, PV_JOB_STATUS) == 7 && phpc_var_id(21, PV_JOB_STATUS) == 7 &&
          phpc_var_id(22, PV_JOB_STATUS) == 7 && phpc_var_id(23, PV_JOB_STATUS) == 7, "bVarJobStatus 7/7/7/7");
    CHECK(phpc_var_id(22, PV_JOB_ID) == 1 && phpc_var_id(22, PV_JOB_NAME) == 6 &&
          phpc_var_id(22, PV_ACCURATE) == 9 && phpc_var_id(22, PV_LEVEL) == 3, "stable ids");
    /* docs/abi.md §10.7: v23 = v22 for 1-27, plus 28 and 29 */
    for (int v = 0; v < PV__COUNT; v++)
        if (v != PV_SYS_CONFIG_PATH && v != PV_ESTIMATE)
            CHECK(phpc_var_id(23, (enum phpc_var)v) == phpc_var_id(22, (enum phpc_var)v),
                  "bVariable %d: v23 %d, v22 %d", v, phpc_var_id(23, (enum phpc_var)v),
                  phpc_var_id(22, (enum phpc_var)v));
    CHECK(phpc_var_id(23, PV_WHERE) == 15 && phpc_var_id(23, PV_FILE_INDEX) == 23 &&
          phpc_var_id(23, PV_REPLACE) == 24, "v23 Where/FileIndex/Replace 15/23/24");
    CHECK(phpc_var_id(23, PV_SYS_CONFIG_PATH) == 28 && phpc_var_id(23, PV_ESTIMATE) == 29,
          "bVarSysConfigPath 28, bVarEstimate 29 (v23)");
    CHECK(phpc_var_id(14, PV_ESTIMATE) == -1 && phpc_var_id(21, PV_ESTIMATE) == -1 &&
          phpc_var_id(22, PV_SYS_CONFIG_PATH) == -1, "no 28/29 before v23");
    CHECK(phpc_var_id(13, PV_JOB_ID) == -1 && phpc_var_id(24, PV_JOB_ID) == -1, "unknown versions");
    /* docs/abi.md §5.3 */
    CHECK(phpc_msg_type(14, PM_FATAL) == 3 && phpc_msg_type(21, PM_FATAL) == 3 &&
          phpc_msg_type(22, PM_FATAL) == 4, "M_FATAL 3/3/4");
    CHECK(phpc_msg_type(14, PM_ERROR) == 4 && phpc_msg_type(21, PM_ERROR) == 4 &&
          phpc_msg_type(22, PM_ERROR) == 5, "M_ERROR 4/4/5");
    CHECK(phpc_msg_type(14, PM_WARNING) == 5 && phpc_msg_type(21, PM_WARNING) == 5 &&
          phpc_msg_type(22, PM_WARNING) == 6, "M_WARNING 5/5/6");
    CHECK(phpc_msg_type(14, PM_INFO) == 6 && phpc_msg_type(21, PM_INFO) == 6 &&
          phpc_msg_type(22, PM_INFO) == 7, "M_INFO 6/6/7");
    CHECK(phpc_msg_type(23, PM_FATAL) == 4 && phpc_msg_type(23, PM_ERROR) == 5 &&
          phpc_msg_type(23, PM_WARNING) == 6 && phpc_msg_type(23, PM_INFO) == 7, "v23 M_* 4/5/6/7");
    /* docs/abi.md §6.7, §3.1 */
    CHECK(FT_LNKSAVED == 1 && FT_REGE == 2 && FT_REG == 3 && FT_LNK == 4 && FT_DIREND == 5 &&
          FT_SPEC == 6 && FT_FIFO == 17, "file types");
    CHECK(CF_SKIP == 1 && CF_ERROR == 2 && CF_EXTRACT == 3 && CF_CREATED == 4, "CF_*");
    CHECK(IO_OPEN == 1 && IO_READ == 2 && IO_WRITE == 3 && IO_CLOSE == 4 && IO_SEEK == 5, "IO_*");
    CHECK(bEventPluginCommand == 20 && bEventCancelCommand == 14 && bEventSince == 13, "events");
}

int main(void)
{
    common();
    v14();
    v21();
    v22();
    v23();
    constants();
    return check_done("test_abi");
}
