/*
 * accurate.c - accurate mode (docs/ptcomm.md §8, ref §2.8).
 *
 * In accurate Incremental/Differential backups the backend asks before it
 * sends an entry: C "CHECK " FILE-record (flags 0, no data).  The shim runs
 * the FD's checkChanges on it and answers C SEEN (unchanged: the name is
 * marked seen with setBaculaValue(bVarFileSeen) and the backend does not
 * send it) or C CHANGED (the backend sends the usual record and data).
 * CHECKs arrive only where a FILE record may arrive, so the answers are
 * written from inside the shim's read loop (next_record in backup.c); the
 * backend keeps reading its stdin on a separate thread, so the answer never
 * blocks for long.
 *
 * The FileSet Options (filter.c) are applied first, as the stock walk does
 * (find_one.c compares an entry with the catalog, marking it seen, before
 * the Options reject it; it never reaches the entries below an excluded
 * directory): below an excluded directory -> SEEN (do not send), not marked
 * seen, so a catalog entry is recorded deleted; own name excluded -> marked
 * seen and SEEN (not sent); otherwise checkChanges as above.
 *
 * Outside accurate Incremental/Differential backups the backend CHECKs only
 * the name that would become the first name of a multiply linked inode
 * (docs/ptcomm.md §3.2): the answer is SEEN if the FileSet excludes it,
 * otherwise CHANGED, and checkChanges is not called.
 *
 * FD facts relied on (ref §2.3, §2.4, §2.8):
 *  - checkChanges copies fname, link, type and statp into the job's find
 *    packet and compares them with the catalog entry (directories are looked
 *    up by link): bRC_OK = changed / not found, bRC_Seen = unchanged.
 *    It runs between two files of the plugin loop, where the FD's own copy
 *    of the previous file's name (marked seen after endBackupFile) is no
 *    longer affected.
 *  - Directory names end in '/' for fname and link alike, so the catalog
 *    lookup, bVarFileSeen and endBackupFile's marking use one spelling.
 *  - At the end of an accurate backup the FD calls checkFile(fname) for
 *    every catalog entry nobody marked seen; bRC_OK lets it be recorded as
 *    deleted, bRC_Seen keeps it.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <string.h>

#include "ctx.h"
#include "msg.h"

#define CHECK_PREFIX "CHECK "
#define CHECK_PREFIX_LEN (sizeof CHECK_PREFIX - 1)

bool acc_is_check(const ptc_frame *f)
{
    return f->letter == 'C' && f->len > CHECK_PREFIX_LEN &&
           memcmp(f->data, CHECK_PREFIX, CHECK_PREFIX_LEN) == 0;
}

/* Mark a catalog name present (bVarFileSeen). */
static void mark_seen(phpc_ctx *c, char *name)
{
    int seen_id = phpc_var_id(phpc_version, PV_FILE_SEEN);

    if (seen_id < 0 || phpc_bfuncs == NULL || phpc_bfuncs->setBaculaValue == NULL ||
        phpc_bfuncs->setBaculaValue(c->bctx, seen_id, name) != bRC_OK)
        phpc_dmsg(c->bctx, 50, "bVarFileSeen failed for %s", name);
}

/* Ask the FD: true = unchanged (and now marked seen). */
static bool unchanged(phpc_ctx *c, phpc_record *r)
{
    union phpc_any_sp sp;
    char *link = r->type == 'D' ? r->name : r->type == 'S' ? r->link : NULL;
    struct stat st;
    bRC rc;

    if (phpc_bfuncs == NULL || phpc_bfuncs->checkChanges == NULL)
        return false;
    phpc_record_to_stat(r, &st);
    phpc_fill_sp(&sp, r->name, link, phpc_record_ft(r->type), &st);
    rc = phpc_bfuncs->checkChanges(c->bctx, &sp);
    if (rc != bRC_Seen)
        return false;                   /* changed, new, or no answer: send it */
    mark_seen(c, r->name);
    return true;
}

int acc_answer(phpc_ctx *c, const ptc_frame *f)
{
    phpc_record *r = &c->crec;
    char err[256], q[512];

    if (phpc_record_parse(f->data + CHECK_PREFIX_LEN, f->len - CHECK_PREFIX_LEN, r, err,
                          sizeof err) != 0) {
        sess_protocol_error(c, "CHECK: %s while %s", err, c->doing);
        return -1;
    }
    sess_doing(c, "checking \"%s\"", sess_q(r->name, r->name_len, q, sizeof q));
    if (r->flags != 0 || r->type == 'L' || r->type == 'K') {
        sess_protocol_error(c, "CHECK record of type '%c' with flags %llu while %s", r->type,
                            (unsigned long long)r->flags, c->doing);
        return -1;
    }
    if (r->type == 'D' && (r->name_len == 0 || r->name[r->name_len - 1] != '/')) {
        sess_protocol_error(c, "CHECK of a directory name without a trailing '/' while %s",
                            c->doing);
        return -1;
    }
    c->acc_checked++;
    switch (flt_check(c, r)) {
    case FLT_UNDER:
        /* below an excluded directory: the stock walk never gets there, so
         * the name is not marked seen (in the catalog: recorded deleted) */
        return sess_send_text(c, "SEEN");
    case FLT_SELF:
        /* its own name is excluded: the stock walk has compared it
         * (check_changes marks it seen) before the Options reject it */
        if (c->acc_changes)
            mark_seen(c, r->name);
        return sess_send_text(c, "SEEN");
    default:
        break;
    }
    if (c->acc_changes && unchanged(c, r)) {
        c->acc_unchanged++;
        return sess_send_text(c, "SEEN");
    }
    return sess_send_text(c, "CHANGED");
}

bRC acc_check_file(phpc_ctx *c, const char *fname)
{
    (void)c;
    (void)fname;
    /* Every name we did not mark seen is gone from our tree (the backend
     * walked all of it, or the job failed and the FD records no deletions);
     * foreign names are not ours to keep.  Both: let the FD record them
     * deleted. */
    return bRC_OK;
}
