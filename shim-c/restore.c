/*
 * restore.c - restore: createFile -> FILE record, IO_WRITE -> D packets,
 * IO_CLOSE -> F, bEventEndRestoreJob -> FINISH (docs/ptcomm.md §5).
 *
 * Pipelined (docs/ptcomm.md §5.1, when the backend agreed at RestoreStart):
 * with replace=always nothing but a hard link waits for the backend:
 * createFile answers from the record's type, IO_CLOSE and handleXACLdata
 * send and return; other replace modes (and hard links) wait for the answer
 * to the FILE record only.  The frames are collected and written in large
 * chunks (sess_send, sess_flush).  A file's failure comes later as "C FAILED
 * <seq> <text>": the shim reads what the backend has sent after each chunk it
 * writes and whenever a write waits for room in the pipe (bk_write's
 * on_readable), the failures are held, and FINISH's F comes after the last
 * one, so none is lost: they are posted as errors at bEventEndRestoreJob.
 *
 * FD facts relied on (docs/abi.md §6.4, §6.5, §7.7):
 *  - bEventRestoreCommand and startRestoreFile come for every file; an error
 *    from either makes the FD restore the file ITSELF onto the local disk,
 *    so after a failure we still answer bRC_OK there and refuse the file in
 *    createFile (CF_ERROR) instead.
 *  - createFile gets a restore_pkt that is not memset; create_status is
 *    pre-set to CF_ERROR.  v14 and v21+ differ in layout (plugin_mode at +4,
 *    uninitialised, never read).
 *  - CF_EXTRACT: IO_OPEN, IO_WRITE*, setFileAttributes, IO_CLOSE follow;
 *    CF_CREATED: setFileAttributes only; IO_WRITE status must equal count.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "ctx.h"
#include "msg.h"

/* Pointers to the restore_pkt fields we use, for the FD's version. */
struct rp_view {
    int32_t type;
    int32_t LinkFI;
    const struct stat *statp;
    const char *ofname;
    const char *olname;
    int *create_status;
};

#define RP_VIEW(v, p)                                                        \
    do {                                                                     \
        (v)->type = (p)->type;                                               \
        (v)->LinkFI = (p)->LinkFI;                                           \
        (v)->statp = &(p)->statp;                                            \
        (v)->ofname = (p)->ofname;                                           \
        (v)->olname = (p)->olname;                                           \
        (v)->create_status = &(p)->create_status;                            \
    } while (0)

/* restore_pkt: the v14 layout, or the one of v21, v22 and v23 (docs/abi.md §6.4, §10.5) */
static void rp_view(void *rp, struct rp_view *v)
{
    if (phpc_version == PHPC_ABI_V14)
        RP_VIEW(v, (struct restore_pkt14 *)rp);
    else
        RP_VIEW(v, (struct restore_pkt21 *)rp);
}

bRC restore_command(phpc_ctx *c, const char *cmd)
{
    if (c->jobtype == 'R' && (sess_alive(c) || c->state == ST_FAILED)) {
        /* one backend per job serves every file; it restores by ofname, so
         * a second plugin string (another Plugin= item) reuses it */
        if (c->cmd && strcmp(c->cmd, cmd) != 0)
            phpc_dmsg(c->bctx, 100, "restore: reusing the backend for command \"%s\"", cmd);
        return bRC_OK;
    }
    if (sess_start(c, 'R', cmd) != 0) {
        c->jobtype = 'R';
        c->state = ST_FAILED;           /* reported; files get CF_ERROR */
    }
    return bRC_OK;                      /* never bRC_Error, see above */
}

static char type_letter(int32_t ft, mode_t mode)
{
    switch (ft) {
    case FT_REGE: return 'E';
    case FT_REG: return 'F';
    case FT_DIREND: return 'D';
    case FT_LNK: return 'S';
    case FT_LNKSAVED: return 'L';
    case FT_FIFO: return 'P';
    case FT_SPEC:
        if (S_ISBLK(mode)) return 'B';
        if (S_ISFIFO(mode)) return 'P';
        if (S_ISSOCK(mode)) return 'K';
        return 'C';
    default: return 'F';
    }
}

/* IO_CLOSE of an extracted file: F, then OK or E.  0 ok, -1 file failed,
 * -2 session failed. */
static int close_file(phpc_ctx *c)
{
    char q[512];
    ptc_frame f;
    const char *name = c->rname ? c->rname : "";

    c->state = ST_RESTORE;
    if (c->pipelined) {                 /* no answer: a failure comes as C FAILED */
        sess_doing(c, "closing file \"%s\"", sess_q(name, strlen(name), q, sizeof q));
        return sess_send(c, 'F', NULL, 0) == 0 ? 0 : -2;
    }
    sess_doing(c, "closing file \"%s\"", sess_q(name, strlen(name), q, sizeof q));
    if (sess_send(c, 'F', NULL, 0) != 0 || sess_recv(c, &f, "CE") != 0)
        return -2;
    if (f.letter == 'E') {
        sess_post_text(c, PM_ERROR, &f);
        return -1;
    }
    if (f.len == 2 && memcmp(f.data, "OK", 2) == 0)
        return 0;
    if (f.len == 3 && memcmp(f.data, "OK\n", 3) == 0)
        return 0;
    sess_protocol_error(c, "unexpected reply \"%s\" to F while %s",
                        sess_q((const char *)f.data, f.len, q, sizeof q), c->doing);
    return -2;
}

/* C reply text equals s (one trailing \n tolerated)? */
static bool reply_is(const ptc_frame *f, const char *s)
{
    size_t n = f->len, sl = strlen(s);

    if (n > 0 && f->data[n - 1] == '\n')
        n--;
    return n == sl && memcmp(f->data, s, sl) == 0;
}

/* The backend's answer OK / DONE / SKIP to a FILE record -> create_status. */
static bRC answer(phpc_ctx *c, const ptc_frame *f, const char *ofname, int *create_status)
{
    free(c->rname);                     /* for messages (close, XACL) */
    c->rname = strdup(ofname);
    if (reply_is(f, "OK")) {
        c->state = ST_RESTORE_DATA;
        *create_status = CF_EXTRACT;
    } else if (reply_is(f, "DONE")) {
        *create_status = CF_CREATED;
    } else if (reply_is(f, "SKIP")) {
        *create_status = CF_SKIP;
    } else {
        char rq[128];

        sess_protocol_error(c, "unexpected reply \"%s\" to FILE while %s",
                            sess_q((const char *)f->data, f->len, rq, sizeof rq), c->doing);
    }
    return bRC_OK;
}

/*
 * createFile of a pipelined restore (docs/ptcomm.md §5.1): send the record;
 * with replace=always answer from its type at once (a directory CF_CREATED,
 * a socket CF_SKIP, everything else but a hard link CF_EXTRACT, as the
 * backend's DONE / SKIP / OK would); otherwise, and for a hard link (whose
 * failure is the usual one of a partial restore: its first name was not
 * restored), wait for the answer to this file: OK, DONE, SKIP, or "C FAILED
 * <its number> <text>" (CF_ERROR and the text as a warning: the FD posts
 * the file's error itself, exactly as in the lock-step conversation).
 * Failures of earlier files that arrive meanwhile are held.
 */
static bRC create_pipelined(phpc_ctx *c, const phpc_record *r, const char *ofname, long len,
                            int *create_status)
{
    uint64_t seq = c->rseq++;
    ptc_frame f;

    if (sess_send(c, 'C', c->fbuf, (size_t)len) != 0)
        return bRC_OK;
    if (c->replace == 'a' && r->type != 'L') {
        if (!sess_alive(c))
            return bRC_OK;              /* the session failed: CF_ERROR */
        free(c->rname);
        c->rname = strdup(ofname);
        if (r->type == 'D') {
            *create_status = CF_CREATED;
        } else if (r->type == 'K') {
            *create_status = CF_SKIP;
        } else {
            c->state = ST_RESTORE_DATA;
            *create_status = CF_EXTRACT;
        }
        return bRC_OK;
    }
    c->reply_seq = (int64_t)seq;        /* sess_recv hands us this file's C FAILED */
    if (sess_recv(c, &f, "C") != 0) {
        c->reply_seq = -1;
        return bRC_OK;
    }
    c->reply_seq = -1;
    {
        const unsigned char *t;
        uint64_t got;
        size_t tl;

        if (sess_is_failed(&f, &got, &t, &tl)) {
            ptc_frame text = { 'C', tl, t };

            sess_post_text(c, PM_WARNING, &text);
            return bRC_OK;              /* CF_ERROR */
        }
    }
    return answer(c, &f, ofname, create_status);
}

bRC restore_create_file(phpc_ctx *c, void *rp)
{
    struct rp_view v;
    phpc_record *r = &c->rrec;
    char q[512];
    ptc_frame f;
    long len;

    rp_view(rp, &v);
    *v.create_status = CF_ERROR;
    if (c->jobtype != 'R' || !sess_alive(c) || v.ofname == NULL)
        return bRC_OK;                  /* failure already reported */
    if (c->state == ST_RESTORE_DATA && close_file(c) == -2)
        return bRC_OK;                  /* the FD skipped IO_CLOSE: resync */

    r->type = type_letter(v.type, v.statp->st_mode);
    r->mode = (uint32_t)v.statp->st_mode;
    r->uid = v.statp->st_uid;
    r->gid = v.statp->st_gid;
    r->size = v.statp->st_size > 0 ? (uint64_t)v.statp->st_size : 0;
    r->atime = v.statp->st_atime;
    r->mtime = v.statp->st_mtime;
    r->ctime = v.statp->st_ctime;
    r->ino = v.statp->st_ino;
    r->dev = v.statp->st_dev;
    r->nlink = v.statp->st_nlink;
    r->rdev = v.statp->st_rdev;
    r->blocks = v.statp->st_blocks > 0 ? (uint64_t)v.statp->st_blocks : 0;
    r->flags = 0;
    r->linkid = v.LinkFI > 0 ? (uint64_t)v.LinkFI : 0;
    if (phpc_record_set_names(r, v.ofname, (r->type == 'S' || r->type == 'L') ? v.olname : NULL) != 0 ||
        (len = phpc_record_format(r, &c->fbuf, &c->fcap)) < 0) {
        phpc_jmsg(c->bctx, PM_ERROR, "cannot send file \"%s\" to the backend: name too long",
                  sess_q(v.ofname, strlen(v.ofname), q, sizeof q));
        return bRC_OK;                  /* CF_ERROR for this file only */
    }

    sess_doing(c, "restoring file \"%s\"", sess_q(v.ofname, strlen(v.ofname), q, sizeof q));
    if (c->pipelined)
        return create_pipelined(c, r, v.ofname, len, v.create_status);
    if (sess_send(c, 'C', c->fbuf, (size_t)len) != 0 || sess_recv(c, &f, "CE") != 0)
        return bRC_OK;
    if (f.letter == 'E') {
        /* The reason goes out as a warning: for CF_ERROR the FD itself
         * posts "Plugin createFile call failed. Returned CF_ERROR file=..."
         * as the file's error.  An immediate M_ERROR from the plugin would
         * also turn the whole restore into "*** Restore Error ***" (9.6.7
         * ends a restore with FD errors counted by then as ErrorTerminated),
         * where stock bacula-fd ends a restore whose files could not be
         * created (create_file.c) "Restore OK -- with errors". */
        sess_post_text(c, PM_WARNING, &f);
        return bRC_OK;                  /* CF_ERROR */
    }
    return answer(c, &f, v.ofname, v.create_status);
}

bRC restore_io(phpc_ctx *c, struct io_pkt *io)
{
    io->io_errno = 0;
    io->lerror = 0;
    io->status = -1;
    switch (io->func) {
    case IO_OPEN:
        if (c->state != ST_RESTORE_DATA) {
            io->io_errno = sess_alive(c) ? EINVAL : EIO;
            return bRC_Error;
        }
        io->status = 0;                 /* nothing is sent (docs/ptcomm.md §5) */
        return bRC_OK;
    case IO_WRITE: {
        const char *p = io->buf;
        size_t left = io->count > 0 ? (size_t)io->count : 0;

        if (c->state != ST_RESTORE_DATA) {
            io->io_errno = EIO;
            return bRC_Error;
        }
        /* one D packet of count bytes; a count over the frame limit (the
         * FD's buffers are far smaller) would be split */
        while (left > 0) {
            size_t n = left < PTC_MAX_PAYLOAD ? left : PTC_MAX_PAYLOAD;

            if (sess_send(c, 'D', p, n) != 0) {
                io->io_errno = EIO;
                return bRC_Error;
            }
            p += n;
            left -= n;
        }
        io->status = io->count;
        return bRC_OK;
    }
    case IO_CLOSE:
        if (c->state != ST_RESTORE_DATA) {
            io->status = 0;
            return bRC_OK;
        }
        if (close_file(c) != 0) {
            io->io_errno = EIO;
            return bRC_Error;
        }
        io->status = 0;
        return bRC_OK;
    case IO_SEEK: {
        /* sparse data (FO_OFFSETS at backup): the FD seeks over a hole
         * before the next write; "C SEEK <offset>", no reply (docs/ptcomm.md §5) */
        char cmd[40];

        if (c->state != ST_RESTORE_DATA || io->whence != SEEK_SET || io->offset < 0) {
            io->io_errno = EINVAL;
            return bRC_Error;
        }
        snprintf(cmd, sizeof cmd, "SEEK %lld", (long long)io->offset);
        if (sess_send_text(c, cmd) != 0) {
            io->io_errno = EIO;
            return bRC_Error;
        }
        io->status = 0;                 /* io->offset stays: the new position */
        return bRC_OK;
    }
    default:                            /* IO_READ */
        io->io_errno = EINVAL;
        return bRC_Error;
    }
}

bRC restore_finish(phpc_ctx *c)
{
    ptc_frame f;

    bRC rc = bRC_OK;

    if (c->jobtype != 'R' || !sess_alive(c)) {
        sess_flush_held(c);
        return bRC_OK;
    }
    if (c->state == ST_RESTORE_DATA && close_file(c) == -2) {
        sess_flush_held(c);
        return bRC_Error;
    }
    if (c->state == ST_FINISHED)
        return bRC_OK;
    /* pipelined: the F comes after every worker has drained, so every
     * failure of the restore has been received (and held) by then */
    sess_doing(c, "finishing the restore (FINISH)");
    if (sess_send_text(c, "FINISH") != 0 || sess_recv(c, &f, "F") != 0)
        rc = bRC_Error;
    else
        c->state = ST_FINISHED;
    sess_flush_held(c);
    return rc;
}

/*
 * handleXACLdata(BACL_RESTORE / BXATTR_RESTORE): "C ACL" or "C XATTR", one D
 * with the record's bytes, then "C OK" or E (docs/ptcomm.md §5).  The FD
 * calls it right after createFile for a directory and after IO_CLOSE for
 * everything else (docs/abi.md §7.7); the backend applies the blob to the entry its
 * last FILE record created.  An E is an error for this file only.
 */
bRC restore_xacl(phpc_ctx *c, struct xacl_pkt *x)
{
    const char *what = x->func == BACL_RESTORE ? "ACL" : "XATTR";
    char q[512];
    ptc_frame f;

    if (c->jobtype != 'R' || !sess_alive(c))
        return bRC_Error;               /* failure already reported */
    if (x->count <= 0 || x->content == NULL)
        return bRC_OK;                  /* nothing to apply (a D is never empty) */
    if ((size_t)x->count > PTC_MAX_PAYLOAD) {
        phpc_jmsg(c->bctx, PM_ERROR, "%s record of %d bytes is larger than a PTCOMM packet; not restored",
                  what, (int)x->count);
        return bRC_Error;
    }
    if (c->state == ST_RESTORE_DATA && close_file(c) == -2)
        return bRC_Error;               /* the FD skipped IO_CLOSE: resync */
    sess_doing(c, "restoring the %s record of \"%s\"", what,
               c->rname ? sess_q(c->rname, strlen(c->rname), q, sizeof q) : "");
    if (c->pipelined)                   /* no answer: a failure comes as C FAILED */
        return sess_send_text(c, what) == 0 && sess_send(c, 'D', x->content, (size_t)x->count) == 0
                   ? bRC_OK : bRC_Error;
    if (sess_send_text(c, what) != 0 || sess_send(c, 'D', x->content, (size_t)x->count) != 0 ||
        sess_recv(c, &f, "CE") != 0)
        return bRC_Error;
    if (f.letter == 'E') {
        sess_post_text(c, PM_ERROR, &f);
        return bRC_Error;
    }
    if (!reply_is(&f, "OK")) {
        sess_protocol_error(c, "unexpected reply \"%s\" to %s while %s",
                            sess_q((const char *)f.data, f.len, q, sizeof q), what, c->doing);
        return bRC_Error;
    }
    return bRC_OK;
}
