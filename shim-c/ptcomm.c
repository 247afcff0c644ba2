/*
 * ptcomm.c - PTCOMM frame reader and writer (docs/ptcomm.md §1).
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "ptcomm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int ptc_reader_init(ptc_reader *r, size_t cap, const char *letters)
{
    memset(r, 0, sizeof *r);
    if (cap < PTC_HDR_LEN + PTC_MAX_PAYLOAD)
        return -1;
    r->buf = malloc(cap);
    if (r->buf == NULL)
        return -1;
    r->cap = cap;
    r->letters = letters;
    return 0;
}

void ptc_reader_reset(ptc_reader *r, ptc_read_fn fn, void *arg)
{
    r->rpos = r->wpos = 0;
    r->read = fn;
    r->arg = arg;
}

void ptc_reader_free(ptc_reader *r)
{
    free(r->buf);
    memset(r, 0, sizeof *r);
}

int ptc_check_header(const unsigned char hdr[PTC_HDR_LEN], const char *letters, size_t *len)
{
    size_t n = 0;

    if (hdr[7] != '\n' || hdr[0] == '\0' || strchr(letters, hdr[0]) == NULL)
        return -1;
    for (int i = 1; i <= 6; i++) {
        if (hdr[i] < '0' || hdr[i] > '9')
            return -1;
        n = n * 10 + (size_t)(hdr[i] - '0');
    }
    if ((hdr[0] == 'F' || hdr[0] == 'T') && n != 0)
        return -1;                      /* F and T are always header-only */
    if (hdr[0] == 'D' && n == 0)
        return -1;                      /* a D packet is never empty */
    if (hdr[0] == 'H' && n != PTC_HANDOFF_LEN)
        return -1;                      /* an H packet is its handoff number */
    *len = n;
    return 0;
}

/* Make sure at least need bytes are buffered from rpos; short reads loop. */
static int fill(ptc_reader *r, size_t need, size_t *have)
{
    if (r->rpos + need > r->cap) {      /* compact: move the tail to the front */
        memmove(r->buf, r->buf + r->rpos, r->wpos - r->rpos);
        r->wpos -= r->rpos;
        r->rpos = 0;
    }
    while (r->wpos - r->rpos < need) {
        ssize_t n = r->read(r->arg, r->buf + r->wpos, r->cap - r->wpos);

        if (n < 0)
            return -1;
        if (n == 0) {
            *have = r->wpos - r->rpos;
            return 0;
        }
        r->wpos += (size_t)n;
    }
    *have = r->wpos - r->rpos;
    return 1;
}

int ptc_read_frame(ptc_reader *r, ptc_frame *f)
{
    size_t have, len;
    int rc;

    if (r->rpos == r->wpos)
        r->rpos = r->wpos = 0;          /* empty: restart at the front */
    rc = fill(r, PTC_HDR_LEN, &have);
    if (rc < 0)
        return PTC_EIO;
    if (rc == 0)
        return have == 0 ? PTC_EOF : PTC_ETRUNC_HDR;
    if (ptc_check_header(r->buf + r->rpos, r->letters, &len) != 0) {
        memcpy(r->bad_hdr, r->buf + r->rpos, PTC_HDR_LEN);
        return PTC_EBADHDR;
    }
    rc = fill(r, PTC_HDR_LEN + len, &have);
    if (rc < 0)
        return PTC_EIO;
    if (rc == 0)
        return PTC_ETRUNC_DATA;
    f->letter = (char)r->buf[r->rpos];
    f->len = len;
    f->data = r->buf + r->rpos + PTC_HDR_LEN;
    r->rpos += PTC_HDR_LEN + len;
    return PTC_OK;
}

int ptc_frame_buffered(const ptc_reader *r)
{
    size_t have = r->wpos - r->rpos, len;

    if (have < PTC_HDR_LEN)
        return 0;
    if (ptc_check_header(r->buf + r->rpos, r->letters, &len) != 0)
        return 1;               /* reading it reports the error at once */
    return have >= PTC_HDR_LEN + len;
}

int ptc_write_frame(ptc_write_fn fn, void *arg, char letter, const void *data, size_t len)
{
    unsigned char small[PTC_HDR_LEN + 4096];

    if (len > PTC_MAX_PAYLOAD) {
        errno = EMSGSIZE;
        return -1;
    }
    snprintf((char *)small, sizeof small, "%c%06zu\n", letter, len);
    if (len <= sizeof small - PTC_HDR_LEN) {
        /* one write for small frames (headers, commands, short data) */
        if (len > 0)
            memcpy(small + PTC_HDR_LEN, data, len);
        return fn(arg, small, PTC_HDR_LEN + len);
    }
    if (fn(arg, small, PTC_HDR_LEN) != 0)
        return -1;
    return fn(arg, data, len);
}

const char *ptc_status_str(int status)
{
    switch (status) {
    case PTC_OK: return "ok";
    case PTC_EOF: return "end of file";
    case PTC_ETRUNC_HDR: return "end of file in the middle of a frame header";
    case PTC_ETRUNC_DATA: return "end of file in the middle of a frame payload";
    case PTC_EBADHDR: return "bad frame header";
    case PTC_EIO: return "read error";
    default: return "unknown error";
    }
}
