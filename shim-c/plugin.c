/*
 * plugin.c - the bacula-fd entry points: loadPlugin/unloadPlugin, the
 * per-version pFuncs tables, and the FD callbacks (dispatching to
 * session.c, backup.c and restore.c).
 *
 * One .so serves interface versions 14, 21, 22 and 23 (docs/abi.md §1.4, §10):
 * the FD checks pInfo.version == bInfo.version exactly and pInfo.size == 56
 * (§1.3), and never looks at pFuncs.size, so loadPlugin copies the FD's version
 * into pInfo and returns the pFuncs table with that version's slot order (slot
 * +120 is checkStream in v14 but restoreFileList in v21+, docs/abi.md §2.3; v23
 * appends the two Verify slots, §10.4).
 *
 * Global state is limited to these tables, the saved bInfo/bFuncs pointers
 * and the chosen version; everything per job lives in struct phpc_ctx.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "msg.h"

#define EXPORT __attribute__((visibility("default")))

bFuncs *phpc_bfuncs;
unsigned phpc_version;
static bInfo *phpc_binfo;

static pInfo plugin_info = {
    sizeof(pInfo),
    0,                                  /* set from bInfo.version at load */
    PHPC_PLUGIN_MAGIC,
    "AGPLv3",                           /* accepted by v14, v21, v22, v23 (docs/abi.md §1.3) */
    "podheitor-hpc project",
    "2024",
    "1.0",
    "podheitor-hpc: parallel backup of HPC file systems through a backend process",
};

/* ---- helpers ------------------------------------------------------------ */

static phpc_ctx *get_ctx(bpContext *ctx)
{
    return ctx ? (phpc_ctx *)ctx->pContext : NULL;
}

static void keep_cmd(phpc_ctx *c, const char *cmd)
{
    char *copy = strdup(cmd);

    if (copy) {
        free(c->cmd);
        c->cmd = copy;
    }
}

/* ---- FD callbacks ------------------------------------------------------- */

static bRC newPlugin(bpContext *ctx)
{
    phpc_ctx *c = calloc(1, sizeof *c);

    if (c == NULL)
        return bRC_Error;               /* the FD disables us for this job */
    c->bctx = ctx;
    sess_init(c);
    ctx->pContext = c;
    return bRC_OK;
}

static bRC freePlugin(bpContext *ctx)
{
    phpc_ctx *c = get_ctx(ctx);

    if (c == NULL)
        return bRC_Error;
    /* bEventJobEnd is not delivered after a failure or a cancel (docs/abi.md §3.3),
     * so the backend may still be running here */
    sess_destroy(c);
    phpc_record_free(&c->rec[0]);
    phpc_record_free(&c->rec[1]);
    phpc_record_free(&c->rrec);
    phpc_record_free(&c->crec);
    phpc_linkmap_clear(&c->links);
    acc_free(c);
    flt_free(&c->flt);
    free(c->blob);
    free(c->fbuf);
    free(c->cmd);
    free(c->rname);
    free(c);
    ctx->pContext = NULL;
    return bRC_OK;
}

static bRC getPluginValue(bpContext *ctx, pVariable var, void *value)
{
    (void)ctx; (void)var; (void)value;
    return bRC_OK;                      /* never called by the FD */
}

static bRC setPluginValue(bpContext *ctx, pVariable var, void *value)
{
    (void)ctx; (void)var; (void)value;
    return bRC_OK;
}

static bRC handlePluginEvent(bpContext *ctx, bEvent *event, void *value)
{
    phpc_ctx *c = get_ctx(ctx);

    if (c == NULL || event == NULL)
        return bRC_Error;
    switch (event->eventType) {
    case bEventCancelCommand:
        /* arrives on another thread (docs/abi.md §4.1, §7.8): only the locked part of
         * the backend state is touched; the job thread then sees EOF */
        bk_cancel(&c->bk);
        return bRC_OK;
    case bEventLevel:
        c->level = (char)(intptr_t)value;
        return bRC_OK;
    case bEventSince:
        c->since = (int64_t)(intptr_t)value;    /* a time_t in the pointer */
        return bRC_OK;
    case bEventPluginCommand: {
        /* sent while the FileSet is parsed: report a bad string early */
        phpc_params p;

        if (value == NULL)
            return bRC_Error;
        keep_cmd(c, value);
        if (sess_validate(c, value, &p) != 0)
            return bRC_Error;
        sess_spawn_early(c, &p);
        phpc_params_free(&p);
        return bRC_OK;
    }
    case bEventBackupCommand:
    case bEventEstimateCommand:
        /* a return != bRC_OK stops this plugin item silently (docs/abi.md §7.3);
         * the reason has been posted as M_FATAL */
        if (value == NULL)
            return bRC_Error;
        keep_cmd(c, value);
        return sess_start(c, event->eventType == bEventBackupCommand ? 'B' : 'E', value) == 0
                   ? bRC_OK : bRC_Error;
    case bEventRestoreCommand:
        if (value == NULL)
            return bRC_Error;
        if (c->cmd == NULL)
            keep_cmd(c, value);
        return restore_command(c, value);
    case bEventEndBackupJob:
        /* End the backend here, not at bEventJobEnd: the job status is still
         * open, so a backend failure in END/F/T fails the job (at JobEnd the
         * status has already been sent to the Director). */
        sess_end(c);
        return bRC_OK;
    case bEventEndRestoreJob: {
        bRC rc = restore_finish(c);

        sess_end(c);
        return rc;
    }
    case bEventJobEnd:
        /* estimates get no End*Job event; otherwise already ended above */
        sess_end(c);
        return bRC_OK;
    default:
        /* JobStart, Start/EndBackupJob, EndFileSet, Features (left NULL),
         * RestoreObject, v23's PluginOptions (docs/abi.md §10.6) ...: nothing to
         * do.  Jobs that never name this plugin get every broadcast event too
         * (docs/abi.md §3.4) and stay idle. */
        return bRC_OK;
    }
}

static bRC startBackupFile(bpContext *ctx, void *sp)
{
    phpc_ctx *c = get_ctx(ctx);

    return c && sp ? backup_start_file(c, sp) : bRC_Error;
}

static bRC endBackupFile(bpContext *ctx)
{
    phpc_ctx *c = get_ctx(ctx);

    return c ? backup_end_file(c) : bRC_Error;
}

static bRC startRestoreFile(bpContext *ctx, const char *cmd)
{
    (void)cmd;
    /* bRC_OK even after a failure: an error here makes the FD restore the
     * file itself (docs/abi.md §7.7) */
    return get_ctx(ctx) ? bRC_OK : bRC_Error;
}

static bRC endRestoreFile(bpContext *ctx)
{
    return get_ctx(ctx) ? bRC_OK : bRC_Error;
}

static bRC pluginIO(bpContext *ctx, struct io_pkt *io)
{
    phpc_ctx *c = get_ctx(ctx);

    if (c == NULL || io == NULL)
        return bRC_Error;
    return c->jobtype == 'R' ? restore_io(c, io) : backup_io(c, io);
}

static bRC createFile(bpContext *ctx, void *rp)
{
    phpc_ctx *c = get_ctx(ctx);

    return c && rp ? restore_create_file(c, rp) : bRC_Error;
}

static bRC setFileAttributes(bpContext *ctx, void *rp)
{
    /* the backend applies attributes itself (at close / DONE / FINISH);
     * create_status is left as the FD set it (not CF_CORE) */
    (void)rp;
    return get_ctx(ctx) ? bRC_OK : bRC_Error;
}

static bRC checkFile(bpContext *ctx, char *fname)
{
    phpc_ctx *c = get_ctx(ctx);

    return c && fname ? acc_check_file(c, fname) : bRC_OK;
}

static bRC handleXACLdata(bpContext *ctx, struct xacl_pkt *x)
{
    phpc_ctx *c = get_ctx(ctx);

    if (c == NULL || x == NULL)
        return bRC_Error;
    if (x->func == BACL_BACKUP || x->func == BXATTR_BACKUP)
        return backup_xacl(c, x);
    if (x->func == BACL_RESTORE || x->func == BXATTR_RESTORE)
        return restore_xacl(c, x);
    return bRC_Error;
}

/* ---- the tables ----------------------------------------------------------- */

/* checkStream, restoreFileList, queryParameter and metadataRestore stay NULL:
 * the FD checks those slots for NULL before calling (docs/abi.md §2.3); so
 * does v23 for startVerifyFile/endVerifyFile, used only by a plugin that
 * registered bEventVerifyStream (docs/abi.md §10.4), which we never do. */
#define COMMON_SLOTS(sz, ver)                                                 \
    .size = (sz), .version = (ver), .newPlugin = newPlugin,                   \
    .freePlugin = freePlugin, .getPluginValue = getPluginValue,               \
    .setPluginValue = setPluginValue, .handlePluginEvent = handlePluginEvent, \
    .startBackupFile = startBackupFile, .endBackupFile = endBackupFile,       \
    .startRestoreFile = startRestoreFile, .endRestoreFile = endRestoreFile,   \
    .pluginIO = pluginIO, .createFile = createFile,                           \
    .setFileAttributes = setFileAttributes, .checkFile = checkFile,           \
    .handleXACLdata = handleXACLdata

static pFuncs14 funcs14 = { COMMON_SLOTS(sizeof(pFuncs14), PHPC_ABI_V14), .checkStream = NULL };
static pFuncs21 funcs21 = { COMMON_SLOTS(sizeof(pFuncs21), PHPC_ABI_V21), .checkStream = NULL };
static pFuncs22 funcs22 = { COMMON_SLOTS(sizeof(pFuncs22), PHPC_ABI_V22), .checkStream = NULL };
static pFuncs23 funcs23 = { COMMON_SLOTS(sizeof(pFuncs23), PHPC_ABI_V23), .startVerifyFile = NULL,
                            .endVerifyFile = NULL };

/* ---- exported entry points (docs/abi.md §1.2) ------------------------------ */

EXPORT bRC loadPlugin(bInfo *binfo, bFuncs *bfuncs, pInfo **pinfo, void **pfuncs)
{
    void *table;

    if (binfo == NULL || bfuncs == NULL || pinfo == NULL || pfuncs == NULL)
        return bRC_Error;
    switch (binfo->version) {
    case PHPC_ABI_V14: table = &funcs14; break;
    case PHPC_ABI_V21: table = &funcs21; break;
    case PHPC_ABI_V22: table = &funcs22; break;
    case PHPC_ABI_V23: table = &funcs23; break;
    default:
        return bRC_Error;               /* unknown ABI: the FD unloads us */
    }
    phpc_binfo = binfo;
    phpc_bfuncs = bfuncs;
    phpc_version = binfo->version;
    plugin_info.version = binfo->version;
    *pinfo = &plugin_info;
    *pfuncs = table;
    return bRC_OK;
}

EXPORT bRC unloadPlugin(void)
{
    return bRC_OK;
}
