/*
 * accurate.c - accurate mode (docs/ptcomm.md §8, docs/abi.md §8).
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
 * the name that would become the first name of a multiply linked inode and
 * large files before it reads them (docs/ptcomm.md §3.2): the answer is SEEN
 * if the FileSet excludes it, otherwise CHANGED, and checkChanges is not
 * called.
 *
 * FD facts relied on (docs/abi.md §7.3, §7.4, §8.1-§8.4):
 *  - checkChanges copies fname, link, type and statp into the job's find
 *    packet and compares them with the catalog entry (directories are looked
 *    up by link): bRC_OK = changed / not found, bRC_Seen = unchanged.  In
 *    Incremental/Differential it marks every entry it finds as seen, changed
 *    or not (accurate_check_file).
 *    It runs between two files of the plugin loop, where the FD's own copy
 *    of the previous file's name (marked seen after endBackupFile) is no
 *    longer affected.
 *  - Directory names end in '/' for fname and link alike, so the catalog
 *    lookup, bVarFileSeen and endBackupFile's marking use one spelling.
 *  - At the end of an accurate backup the FD calls checkFile(fname) for
 *    every catalog entry nobody marked seen; bRC_OK lets it be recorded as
 *    deleted, bRC_Seen keeps it.
 *
 * An entry that exists but cannot be read (EACCES on a root-squashed file
 * system, a directory that cannot be listed) is neither sent nor SEEN: the
 * backend names it in C "KEEP " <path>, and checkFile keeps that name and
 * every name below it, so an Accurate backup never records unreadable data
 * as deleted (restore of the latest state still brings the older copy).
 *
 * A source that does not walk (a changelog Incremental) says what it knows
 * instead: C "KEEP " <root> (everything below stays) and C "GONE " <path> for
 * each deleted name (it and everything below it goes).  checkFile lets the
 * deepest KEEP or GONE that names the entry or one of its ancestors decide.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "msg.h"

#define CHECK_PREFIX "CHECK "
#define CHECK_PREFIX_LEN (sizeof CHECK_PREFIX - 1)
#define KEEP_PREFIX "KEEP "
#define KEEP_PREFIX_LEN (sizeof KEEP_PREFIX - 1)
#define GONE_PREFIX "GONE "
#define GONE_PREFIX_LEN (sizeof GONE_PREFIX - 1)

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

int acc_name_kind(const ptc_frame *f)
{
    if (f->letter != 'C')
        return ACC_NONE;
    if (f->len > KEEP_PREFIX_LEN && memcmp(f->data, KEEP_PREFIX, KEEP_PREFIX_LEN) == 0)
        return ACC_KEEP;
    if (f->len > GONE_PREFIX_LEN && memcmp(f->data, GONE_PREFIX, GONE_PREFIX_LEN) == 0)
        return ACC_GONE;
    return ACC_NONE;
}

/* Per name: its bytes, the NUL, the pointer and the allocator's header (an
 * estimate, for the bound only). */
#define ACC_NAME_OVERHEAD 32

int acc_note(phpc_ctx *c, const ptc_frame *f, int kind)
{
    const char *word = kind == ACC_KEEP ? "KEEP" : "GONE";
    size_t plen = kind == ACC_KEEP ? KEEP_PREFIX_LEN : GONE_PREFIX_LEN;
    const char *name = (const char *)f->data + plen;
    size_t n = f->len - plen;
    struct acc_names *l = kind == ACC_KEEP ? &c->keep : &c->gone;
    char *copy, q[512];

    if (name[0] != '/' || memchr(name, '\0', n) != NULL) {
        sess_protocol_error(c, "%s of \"%s\", not an absolute path, while %s", word,
                            sess_q(name, n, q, sizeof q), c->doing);
        return -1;
    }
    while (n > 1 && name[n - 1] == '/')
        n--;                            /* one spelling: no trailing '/' */
    if (c->acc_name_bytes + n + ACC_NAME_OVERHEAD > PHPC_ACC_NAMES_MAX) {
        sess_protocol_error(c, "more KEEP and GONE names than the shim holds (%u MiB) while %s",
                            (unsigned)(PHPC_ACC_NAMES_MAX >> 20), c->doing);
        return -1;
    }
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        char **p = realloc(l->v, cap * sizeof *p);

        if (p == NULL) {
            sess_protocol_error(c, "out of memory for %s names while %s", word, c->doing);
            return -1;
        }
        l->v = p;
        l->cap = cap;
    }
    copy = malloc(n + 1);
    if (copy == NULL) {
        sess_protocol_error(c, "out of memory for %s names while %s", word, c->doing);
        return -1;
    }
    memcpy(copy, name, n);
    copy[n] = '\0';
    l->v[l->n++] = copy;
    l->sorted = false;
    c->acc_name_bytes += n + ACC_NAME_OVERHEAD;
    phpc_dmsg(c->bctx, 50, "accurate: %s \"%s\"", kind == ACC_KEEP ? "keeping" : "gone",
              sess_q(copy, n, q, sizeof q));
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A name given as (s, n): not NUL-terminated at n. */
struct name_key {
    const char *s;
    size_t n;
};

/* The order of strcmp, for a key that is a prefix of a longer string. */
static int cmp_key(const void *k, const void *e)
{
    const struct name_key *key = k;
    const char *name = *(char *const *)e;
    int r = strncmp(key->s, name, key->n);

    if (r != 0)
        return r;
    return name[key->n] == '\0' ? 0 : -1;
}

static void sort_names(struct acc_names *l)
{
    if (!l->sorted) {
        qsort(l->v, l->n, sizeof *l->v, cmp_names);
        l->sorted = true;
    }
}

static bool named_in(const struct acc_names *l, const char *s, size_t n)
{
    struct name_key key = { s, n };

    return l->n > 0 && bsearch(&key, l->v, l->n, sizeof *l->v, cmp_key) != NULL;
}

bRC acc_check_file(phpc_ctx *c, const char *fname)
{
    size_t n = strlen(fname);

    /* Without KEEP or GONE names: every other name we did not mark seen is
     * gone from our tree (the backend walked all of it, or the job failed and
     * the FD records no deletions); foreign names are not ours to keep.  Both:
     * let the FD record them deleted. */
    if (c->keep.n == 0 && c->gone.n == 0)
        return bRC_OK;
    sort_names(&c->keep);
    sort_names(&c->gone);
    while (n > 1 && fname[n - 1] == '/')
        n--;
    /* The name itself, then each ancestor directory up to "/": the deepest one
     * named in a KEEP or a GONE decides (KEEP first when both name it: an
     * entry the backend could not read is never recorded deleted). */
    for (;;) {
        if (named_in(&c->keep, fname, n))
            return bRC_Seen;
        if (named_in(&c->gone, fname, n))
            return bRC_OK;
        if (n <= 1)
            return bRC_OK;
        while (n > 0 && fname[n - 1] != '/')
            n--;                        /* now fname[n - 1] is the '/' before the last component */
        if (n == 0)
            return bRC_OK;              /* a relative name: no ancestor */
        if (n > 1)
            n--;                        /* the parent without its '/', except for the root */
    }
}

static void free_names(struct acc_names *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}

void acc_free(phpc_ctx *c)
{
    free_names(&c->keep);
    free_names(&c->gone);
    c->acc_name_bytes = 0;
}
