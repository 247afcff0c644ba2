/*
 * filter.c - FileSet Options (WildFile, WildDir, Wild, Regex*, Exclude = yes,
 * the Exclude { File = ... } list) applied to the backend's entries through
 * the FD's AcceptFile callback (docs/abi.md §8.5), the way the stock FD applies them
 * to its own walk.
 *
 * FD facts relied on (read in fd_plugins.c baculaAcceptFile and findlib
 * find.c accept_file, Bacula 9.6 .. 13):
 *  - AcceptFile runs the Options blocks of the Include that holds the
 *    Plugin= line, then the Exclude {} blocks, on sp->fname and
 *    S_ISDIR(sp->statp.st_mode) only: WildDir/RegexDir apply to directories,
 *    WildFile/RegexFile to everything else, Wild/Regex to both.  bRC_OK =
 *    accepted, bRC_Skip = excluded, bRC_Error = no usable context.
 *  - The stock walk matches a directory by its name WITHOUT a trailing
 *    slash (a WildDir pattern "*" + "/tmp" matches "/data/x/tmp", not
 *    "/data/x/tmp/"), and never filters its top-level File = entry.  We pass the same spellings and never
 *    exclude the plugin's path= root.
 *  - The stock walk does not descend into an excluded directory, so its
 *    whole subtree is excluded.  Our backend walks everything and emits
 *    post-order (children first), so each entry is excluded when any
 *    directory between the root and the entry is: see dir_excluded().
 *  - AcceptFile also sets the FD's per-file option flags (compression,
 *    signature ... of the Options block that matched, or of the last block)
 *    that save_file then uses, as for stock files.  So the entry's own call
 *    is always the last one before the FD saves it.
 *
 * Ancestor verdicts are cached in FLT_SLOTS slots (LRU) keyed by the
 * directory path: "this directory or one above it (below the root) is
 * excluded".  Entries arrive grouped by directory, so a file normally costs
 * one cache hit and ONE AcceptFile call (its own); a new directory costs one
 * call per directory level not yet cached.  Memory is bounded: at most
 * FLT_SLOTS paths of at most FLT_KEY_MAX bytes (deeper paths are simply not
 * cached).
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <string.h>
#include <stdlib.h>

#include "ctx.h"
#include "msg.h"

/* offsetof(bFuncs, AcceptFile) + its size: a shorter table has no slot */
#define ACCEPT_SLOT_END (offsetof(bFuncs, AcceptFile) + sizeof(void *))

void flt_reset(phpc_ctx *c)
{
    phpc_filter *f = &c->flt;
    const char *root = c->params.path ? c->params.path : "/";
    size_t n = strlen(root);

    while (n > 0 && root[n - 1] == '/')
        n--;                            /* "/data/" -> "/data", "/" -> "" */
    f->root = root;
    f->root_len = n;
    for (int i = 0; i < FLT_SLOTS; i++)
        f->slot[i].used = false;
    f->tick = 0;
    f->excluded = f->excluded_dirs = 0;
}

void flt_free(phpc_filter *f)
{
    for (int i = 0; i < FLT_SLOTS; i++) {
        free(f->slot[i].path);
        f->slot[i].path = NULL;
        f->slot[i].cap = 0;
        f->slot[i].used = false;
    }
}

/* Post the one "options are not applied" warning and stop filtering. */
static void give_up(phpc_ctx *c, const char *why)
{
    c->flt.off = true;
    if (!c->flt.warned) {
        c->flt.warned = true;
        phpc_jmsg(c->bctx, PM_WARNING,
                  "%s: the FileSet Options (WildFile, WildDir, Regex..., Exclude) are not applied "
                  "to the files of this plugin; everything is saved", why);
    }
}

/* Length of the parent directory of name[0..len): up to the last '/', without
 * trailing slashes ("/a//b" -> "/a", "/b" -> "" = the file system root). */
static size_t parent_len(const char *name, size_t len)
{
    size_t i = len;

    while (i > 0 && name[i - 1] != '/')
        i--;
    while (i > 0 && name[i - 1] == '/')
        i--;
    return i;
}

/*
 * AcceptFile on name[0..len) (the byte at name[len] is replaced by NUL for
 * the call and put back).  st = the entry's stat, or NULL for a directory
 * above it (a synthesized S_IFDIR stat: accept_file only looks at S_ISDIR).
 * 1 = accepted, 0 = excluded, -1 = no verdict (filtering is now off).
 */
static int accept(phpc_ctx *c, char *name, size_t len, const struct stat *st, int32_t ft)
{
    union phpc_any_sp sp;
    struct stat dir;
    char saved = name[len];
    bRC rc;

    if (c->flt.off)
        return 1;
    if (phpc_bfuncs == NULL || phpc_bfuncs->size < ACCEPT_SLOT_END || phpc_bfuncs->AcceptFile == NULL) {
        give_up(c, "the File Daemon offers no AcceptFile callback");
        return -1;
    }
    if (st == NULL) {
        memset(&dir, 0, sizeof dir);
        dir.st_mode = S_IFDIR | 0755;
        dir.st_nlink = 2;
        st = &dir;
    }
    name[len] = '\0';
    phpc_fill_sp(&sp, name, NULL, ft, st);
    rc = phpc_bfuncs->AcceptFile(c->bctx, &sp);
    name[len] = saved;
    c->flt.calls++;
    if (rc == bRC_OK)
        return 1;
    if (rc == bRC_Skip)
        return 0;
    give_up(c, "the File Daemon's AcceptFile failed");
    return -1;
}

void phpc_fill_sp(union phpc_any_sp *sp, char *fname, char *link, int32_t type,
                  const struct stat *st)
{
    memset(sp, 0, sizeof *sp);
    switch (phpc_version) {
    case PHPC_ABI_V14: PHPC_FILL_SP(&sp->v14, fname, link, type, st); break;
    case PHPC_ABI_V21: PHPC_FILL_SP(&sp->v21, fname, link, type, st); break;
    case PHPC_ABI_V22: PHPC_FILL_SP(&sp->v22, fname, link, type, st); break;
    default: PHPC_FILL_SP(&sp->v23, fname, link, type, st); break;
    }
}

static uint64_t hash(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;        /* FNV-1a */

    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* The cached verdict of directory name[0..len): 1 excluded, 0 not, -1 unknown. */
static int cache_get(phpc_filter *f, const char *name, size_t len, uint64_t h)
{
    struct flt_slot *s = &f->slot[f->last];

    if (!(s->used && s->hash == h && s->len == len && memcmp(s->path, name, len) == 0)) {
        int i;

        for (i = 0; i < FLT_SLOTS; i++) {
            s = &f->slot[i];
            if (s->used && s->hash == h && s->len == len && memcmp(s->path, name, len) == 0)
                break;
        }
        if (i == FLT_SLOTS)
            return -1;
        f->last = i;
    }
    s->tick = ++f->tick;
    return s->excluded;
}

static void cache_put(phpc_filter *f, const char *name, size_t len, uint64_t h, bool excluded)
{
    struct flt_slot *s = &f->slot[0];
    int at = 0;

    if (len > FLT_KEY_MAX)
        return;                         /* bounded memory: not cached */
    for (int i = 0; i < FLT_SLOTS; i++) {
        if (!f->slot[i].used) {
            at = i;
            break;
        }
        if (f->slot[i].tick < f->slot[at].tick)
            at = i;                     /* least recently used */
    }
    s = &f->slot[at];
    if (s->cap < len + 1) {
        size_t cap = len + 1 < 256 ? 256 : len + 1;
        char *p = realloc(s->path, cap);

        if (p == NULL)
            return;                     /* not cached: only slower */
        s->path = p;
        s->cap = cap;
    }
    memcpy(s->path, name, len);
    s->path[len] = '\0';
    s->len = len;
    s->hash = h;
    s->excluded = excluded;
    s->used = true;
    s->tick = ++f->tick;
    f->last = at;
}

/*
 * Is directory name[0..len) (strictly below the root) or any directory
 * between it and the root excluded?  1 / 0, -1 = no verdict.
 */
static int dir_excluded(phpc_ctx *c, char *name, size_t len)
{
    phpc_filter *f = &c->flt;
    uint64_t h = hash(name, len);
    size_t l = len, i;
    int v = cache_get(f, name, len, h);

    if (v >= 0)
        return v;
    /* climb to the deepest cached level (or the root) ... */
    for (;;) {
        l = parent_len(name, l);
        if (l <= f->root_len) {
            l = f->root_len;
            break;
        }
        v = cache_get(f, name, l, hash(name, l));
        if (v == 1) {
            cache_put(f, name, len, h, true);
            return 1;
        }
        if (v == 0)
            break;
    }
    /* ... then ask about each level below it, top down */
    for (i = l; i < len;) {
        size_t end;
        int ok;

        while (i < len && name[i] == '/')
            i++;
        end = i;
        while (end < len && name[end] != '/')
            end++;
        if (end == i)
            break;
        ok = accept(c, name, end, NULL, FT_DIREND);
        if (ok < 0)
            return -1;
        if (end < len)
            cache_put(f, name, end, hash(name, end), ok == 0);
        if (ok == 0) {
            cache_put(f, name, len, h, true);
            return 1;
        }
        i = end;
    }
    cache_put(f, name, len, h, false);
    return 0;
}

int flt_check(phpc_ctx *c, phpc_record *r)
{
    phpc_filter *f = &c->flt;
    char *name = r->name;
    size_t self = r->name_len, p;
    bool dir = r->type == 'D';
    struct stat st;
    int v;

    if (f->off)
        return FLT_SAVE;
    while (dir && self > 0 && name[self - 1] == '/')
        self--;                         /* "/data/x/" -> "/data/x", as the stock walk */
    phpc_record_to_stat(r, &st);
    if (self == f->root_len && memcmp(name, f->root, self) == 0) {
        /* the path= root is never excluded, like a stock top-level File =;
         * the call still sets the FD's option flags for it ("/" stays "/") */
        (void)accept(c, name, self > 0 ? self : r->name_len, &st, phpc_record_ft(r->type));
        return FLT_SAVE;
    }
    if (self > f->root_len && memcmp(name, f->root, f->root_len) == 0 && name[f->root_len] == '/') {
        p = parent_len(name, self);
        if (p > f->root_len) {
            v = dir_excluded(c, name, p);
            if (v < 0)
                return FLT_SAVE;
            if (v == 1) {
                f->excluded++;
                return FLT_UNDER;
            }
        }
    }
    v = accept(c, name, self, &st, phpc_record_ft(r->type));
    if (v == 0) {
        f->excluded++;
        f->excluded_dirs += dir;
        return FLT_SELF;
    }
    return FLT_SAVE;
}
