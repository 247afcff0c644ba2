/*
 * record.c - FILE record codec (docs/ptcomm.md §3).
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <sys/stat.h>

#include "abi.h"
#include "record.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ptcomm.h"

#define NFIELDS 15

static int copy_bytes(char **dst, size_t *cap, size_t *len, const unsigned char *src, size_t n)
{
    if (*cap < n + 1) {
        size_t ncap = n + 1 < 256 ? 256 : n + 1;
        char *p = realloc(*dst, ncap);

        if (p == NULL)
            return -1;
        *dst = p;
        *cap = ncap;
    }
    memcpy(*dst, src, n);
    (*dst)[n] = '\0';
    *len = n;
    return 0;
}

/* Unsigned number in base 8 or 10 from [s, e); digits only. */
static int parse_u64(const char *s, const char *e, unsigned base, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;

    if (s == e)
        return -1;
    for (; s < e; s++) {
        unsigned d = (unsigned)(*s - '0');

        if (*s < '0' || d >= base)
            return -1;
        if (v > (max - d) / base)
            return -1;
        v = v * base + d;
    }
    *out = v;
    return 0;
}

static int parse_i64(const char *s, const char *e, int64_t *out)
{
    uint64_t v;

    if (s < e && *s == '-') {
        if (parse_u64(s + 1, e, 10, (uint64_t)INT64_MAX, &v) != 0)
            return -1;
        *out = -(int64_t)v;
        return 0;
    }
    if (parse_u64(s, e, 10, (uint64_t)INT64_MAX, &v) != 0)
        return -1;
    *out = (int64_t)v;
    return 0;
}

int phpc_record_parse(const void *payload, size_t len, phpc_record *r, char *err, size_t errsz)
{
    static const char *const names[NFIELDS] = {
        "type", "mode", "uid", "gid", "size", "atime", "mtime", "ctime",
        "ino", "dev", "nlink", "rdev", "blocks", "flags", "linkid"
    };
    const char *p = payload, *end = p + len, *nl, *f[NFIELDS][2];
    const char *nul;
    uint64_t u;
    int k = 0, bad = -1;

    nl = memchr(p, '\n', len);
    if (len < 5 || memcmp(p, "FILE ", 5) != 0 || nl == NULL) {
        snprintf(err, errsz, "not a FILE record");
        return -1;
    }
    /* split the header line on single spaces */
    for (const char *s = p + 5; k < NFIELDS; k++) {
        const char *e = s;

        while (e < nl && *e != ' ')
            e++;
        f[k][0] = s;
        f[k][1] = e;
        if (e == nl) {
            k++;
            break;
        }
        s = e + 1;
        if (k == NFIELDS - 1) {         /* more fields than expected */
            k = NFIELDS + 1;
            break;
        }
    }
    if (k != NFIELDS) {
        snprintf(err, errsz, "FILE record has %s than %d fields", k < NFIELDS ? "fewer" : "more",
                 NFIELDS);
        return -1;
    }

    if (f[0][1] - f[0][0] != 1 || strchr("FEDSLPCBK", *f[0][0]) == NULL || *f[0][0] == '\0')
        bad = 0;
    else if (parse_u64(f[1][0], f[1][1], 8, 0177777, &u) != 0)
        bad = 1;
    else {
        r->type = *f[0][0];
        r->mode = (uint32_t)u;
        if (parse_u64(f[2][0], f[2][1], 10, UINT32_MAX, &u) != 0)
            bad = 2;
        else if ((r->uid = (uint32_t)u, parse_u64(f[3][0], f[3][1], 10, UINT32_MAX, &u)) != 0)
            bad = 3;
        else if ((r->gid = (uint32_t)u, parse_u64(f[4][0], f[4][1], 10, INT64_MAX, &r->size)) != 0)
            bad = 4;
        else if (parse_i64(f[5][0], f[5][1], &r->atime) != 0)
            bad = 5;
        else if (parse_i64(f[6][0], f[6][1], &r->mtime) != 0)
            bad = 6;
        else if (parse_i64(f[7][0], f[7][1], &r->ctime) != 0)
            bad = 7;
        else if (parse_u64(f[8][0], f[8][1], 10, UINT64_MAX, &r->ino) != 0)
            bad = 8;
        else if (parse_u64(f[9][0], f[9][1], 10, UINT64_MAX, &r->dev) != 0)
            bad = 9;
        else if (parse_u64(f[10][0], f[10][1], 10, UINT64_MAX, &r->nlink) != 0)
            bad = 10;
        else if (parse_u64(f[11][0], f[11][1], 10, UINT64_MAX, &r->rdev) != 0)
            bad = 11;
        else if (parse_u64(f[12][0], f[12][1], 10, INT64_MAX, &r->blocks) != 0)
            bad = 12;
        else if (parse_u64(f[13][0], f[13][1], 10, UINT64_MAX, &r->flags) != 0)
            bad = 13;
        else if (parse_u64(f[14][0], f[14][1], 10, UINT64_MAX, &r->linkid) != 0)
            bad = 14;
    }
    if (bad >= 0) {
        snprintf(err, errsz, "FILE record has a bad %s field \"%.*s\"", names[bad],
                 (int)(f[bad][1] - f[bad][0] > 40 ? 40 : f[bad][1] - f[bad][0]), f[bad][0]);
        return -1;
    }

    nl++;
    nul = memchr(nl, '\0', (size_t)(end - nl));
    if (nul == NULL) {
        snprintf(err, errsz, "FILE record has no NUL after the name");
        return -1;
    }
    if (nul == nl) {
        snprintf(err, errsz, "FILE record has an empty name");
        return -1;
    }
    if (memchr(nul + 1, '\0', (size_t)(end - nul - 1)) != NULL) {
        snprintf(err, errsz, "FILE record has a NUL inside the link");
        return -1;
    }
    if (copy_bytes(&r->name, &r->name_cap, &r->name_len, (const unsigned char *)nl,
                   (size_t)(nul - nl)) != 0 ||
        copy_bytes(&r->link, &r->link_cap, &r->link_len, (const unsigned char *)nul + 1,
                   (size_t)(end - nul - 1)) != 0) {
        snprintf(err, errsz, "out of memory");
        return -1;
    }
    return 0;
}

long phpc_record_format(const phpc_record *r, char **buf, size_t *cap)
{
    char hdr[512];
    int hl = snprintf(hdr, sizeof hdr,
                      "FILE %c %" PRIo32 " %" PRIu32 " %" PRIu32 " %" PRIu64 " %" PRId64
                      " %" PRId64 " %" PRId64 " %" PRIu64 " %" PRIu64 " %" PRIu64 " %" PRIu64
                      " %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
                      r->type, r->mode, r->uid, r->gid, r->size, r->atime, r->mtime, r->ctime,
                      r->ino, r->dev, r->nlink, r->rdev, r->blocks, r->flags, r->linkid);
    size_t total;

    if (hl < 0 || (size_t)hl >= sizeof hdr)
        return -1;
    total = (size_t)hl + r->name_len + 1 + r->link_len;
    if (total > PTC_MAX_PAYLOAD)
        return -1;
    if (*cap < total) {
        char *p = realloc(*buf, total);

        if (p == NULL)
            return -1;
        *buf = p;
        *cap = total;
    }
    memcpy(*buf, hdr, (size_t)hl);
    if (r->name_len)
        memcpy(*buf + hl, r->name, r->name_len);
    (*buf)[hl + r->name_len] = '\0';
    if (r->link_len)
        memcpy(*buf + hl + r->name_len + 1, r->link, r->link_len);
    return (long)total;
}

int phpc_record_set_names(phpc_record *r, const char *name, const char *link)
{
    if (name == NULL)
        name = "";
    if (link == NULL)
        link = "";
    if (copy_bytes(&r->name, &r->name_cap, &r->name_len, (const unsigned char *)name,
                   strlen(name)) != 0 ||
        copy_bytes(&r->link, &r->link_cap, &r->link_len, (const unsigned char *)link,
                   strlen(link)) != 0)
        return -1;
    return 0;
}

void phpc_record_free(phpc_record *r)
{
    free(r->name);
    free(r->link);
    memset(r, 0, sizeof *r);
}

void phpc_record_to_stat(const phpc_record *r, struct stat *st)
{
    memset(st, 0, sizeof *st);
    st->st_mode = r->mode;
    st->st_uid = r->uid;
    st->st_gid = r->gid;
    st->st_size = (off_t)r->size;
    st->st_atime = (time_t)r->atime;
    st->st_mtime = (time_t)r->mtime;
    st->st_ctime = (time_t)r->ctime;
    st->st_ino = (ino_t)r->ino;
    st->st_dev = (dev_t)r->dev;
    st->st_nlink = (nlink_t)r->nlink;
    st->st_rdev = (dev_t)r->rdev;
    st->st_blocks = (blkcnt_t)r->blocks;
    st->st_blksize = 4096;
}

int32_t phpc_record_ft(char type)
{
    switch (type) {
    case 'F': return FT_REG;
    case 'E': return FT_REGE;
    case 'D': return FT_DIREND;
    case 'S': return FT_LNK;
    case 'L': return FT_LNKSAVED;
    case 'P': return FT_FIFO;
    default: return FT_SPEC;            /* 'C', 'B' */
    }
}
