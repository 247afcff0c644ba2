/*
 * backup.c - backup and estimate: FILE records -> save_pkt, data sections ->
 * pluginIO(IO_READ), blobs -> handleXACLdata (docs/ptcomm.md §3, §4).
 *
 * FD facts relied on (docs/abi.md §7.3, §7.6):
 *  - startBackupFile returning anything but bRC_OK ends the loop silently;
 *    that is how an empty backup (first packet is the final F) ends.
 *  - endBackupFile: bRC_More = another file follows, bRC_OK = that was the
 *    last one; both mark the file seen for accurate mode.  To answer that
 *    exactly, endBackupFile drains the current record and reads the next
 *    packet ahead.  The record the FD just handled and the one read ahead
 *    live in two separate slots (rec[2]), so the FD's fname pointer stays
 *    valid until the next startBackupFile.
 *  - The FD copies fname and link during startBackupFile.
 *  - With no_read set the FD makes no IO calls for the file (docs/abi.md
 *    §7.4; docs/ptcomm.md §4.4).
 *  - handleXACLdata(BACL_BACKUP / BXATTR_BACKUP) is called in a loop until
 *    it returns count 0 (docs/abi.md §7.5).
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctx.h"
#include "msg.h"

/* Pointers to the save_pkt fields we fill, for the FD's interface version. */
struct sp_view {
    char **fname;
    char **link;
    struct stat *statp;
    int32_t *type;
    bool *no_read;
    int32_t *LinkFI;
    uint64_t *flags;
};

/* docs/abi.md §6.3: io->offset per IO_READ, IO_SEEK on restore */
#define PHPC_FO_OFFSETS (1ULL << 30)

#define SP_VIEW(v, p)                                                        \
    do {                                                                     \
        (v)->fname = &(p)->fname;                                            \
        (v)->link = &(p)->link;                                              \
        (v)->statp = &(p)->statp;                                            \
        (v)->type = &(p)->type;                                              \
        (v)->no_read = &(p)->no_read;                                        \
        (v)->LinkFI = &(p)->LinkFI;                                          \
        (v)->flags = &(p)->flags;                                            \
    } while (0)

static void sp_view(void *sp, struct sp_view *v)
{
    switch (phpc_version) {
    case PHPC_ABI_V14: SP_VIEW(v, (struct save_pkt14 *)sp); break;
    case PHPC_ABI_V21: SP_VIEW(v, (struct save_pkt21 *)sp); break;
    case PHPC_ABI_V22: SP_VIEW(v, (struct save_pkt22 *)sp); break;
    default: SP_VIEW(v, (struct save_pkt23 *)sp); break;     /* stat_update stays false (§10.5) */
    }
}

void backup_release(phpc_ctx *c)
{
    if (c->hfd >= 0) {
        close(c->hfd);                  /* no retry on EINTR: Linux always frees the fd */
        c->hfd = -1;
    }
    if (c->data == DS_HANDOFF)
        c->data = DS_EOF;
}

void backup_reset(phpc_ctx *c)
{
    backup_release(c);
    c->cur = 0;
    c->have_next = c->have_cur = false;
    c->nrec = 0;
    c->data = DS_NONE;
    c->dptr = NULL;
    c->dlen = 0;
    c->hchanged = 0;
    c->acl_pending = c->xattr_pending = c->sparse = false;
    phpc_linkmap_clear(&c->links);
}

static const char *cur_name(phpc_ctx *c, char *buf, size_t n)
{
    return sess_q(c->rec[c->cur].name, c->rec[c->cur].name_len, buf, n);
}

/* ---- handed-off sections (docs/ptcomm.md §4.1c) -------------------------- */

/*
 * An H packet f: take its descriptor from the handoff socket (the backend
 * sent it before the packet), check that the message carried exactly one
 * descriptor with f's handoff number and that it is a regular file, then the
 * section reads from it (DS_HANDOFF).  0, or -1 after a protocol error (the
 * backend is stopped; every descriptor received is closed).
 */
static int take_handoff(phpc_ctx *c, const ptc_frame *f)
{
    unsigned char tag[PHPC_HANDOFF_TAG];
    struct stat st;
    size_t len;
    int fd, nfds;

    if (c->dseen) {
        sess_protocol_error(c, "'H' packet after data packets while %s", c->doing);
        return -1;
    }
    if (c->bk.hand_fd < 0) {
        sess_protocol_error(c, "'H' packet, but this session has no handoff socket, while %s", c->doing);
        return -1;
    }
    switch (bk_recv_handoff(&c->bk, tag, &fd, &nfds, &len)) {
    case BK_HO_OK:
        break;
    case BK_HO_NONE:
        sess_protocol_error(c, "'H' packet without a descriptor on the handoff socket while %s", c->doing);
        return -1;
    case BK_HO_EOF:
        sess_protocol_error(c, "'H' packet, but the backend closed the handoff socket, while %s", c->doing);
        return -1;
    case BK_HO_BAD:
        sess_protocol_error(c, "bad handoff message (%d descriptors, %zu bytes; want 1 descriptor and %d "
                            "bytes) while %s", nfds, len, PHPC_HANDOFF_TAG, c->doing);
        return -1;
    default:
        sess_protocol_error(c, "cannot receive from the handoff socket: %s (while %s)", strerror(errno),
                            c->doing);
        return -1;
    }
    if (memcmp(tag, f->data, PHPC_HANDOFF_TAG) != 0) {
        close(fd);
        sess_protocol_error(c, "handoff message and 'H' packet do not match while %s", c->doing);
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        sess_protocol_error(c, "the handed-off descriptor is not a regular file while %s", c->doing);
        return -1;
    }
    c->hfd = fd;
    c->hst = st;
    c->hread = c->hdropped = 0;
    c->data = DS_HANDOFF;
    return 0;
}

/* Advice: errors ignored (as the backend's Posix.fadvise). */
static void drop_cache(int fd, uint64_t off, uint64_t len)
{
    (void)posix_fadvise(fd, (off_t)off, (off_t)len, POSIX_FADV_DONTNEED);
}

/*
 * The end of a handed-off file (EOF or its size at receipt reached): the
 * whole file leaves the page cache, and a file changed while it was read gets
 * one warning, as from the backend's SequentialReader: its size when listed
 * (the FILE record) differs from the bytes read, or its size or mtime now
 * differ from when the descriptor arrived.
 */
static void handoff_done(phpc_ctx *c)
{
    const phpc_record *r = &c->rec[c->cur];
    struct stat now;
    char q[512];

    drop_cache(c->hfd, 0, 0);
    if (c->hread != r->size) {
        c->hchanged++;
        phpc_jmsg(c->bctx, PM_WARNING, "\"%s\" changed while being saved: size %llu when listed, %llu bytes read",
                  cur_name(c, q, sizeof q), (unsigned long long)r->size, (unsigned long long)c->hread);
    } else if (fstat(c->hfd, &now) == 0 &&
               (now.st_size != c->hst.st_size || now.st_mtim.tv_sec != c->hst.st_mtim.tv_sec ||
                now.st_mtim.tv_nsec != c->hst.st_mtim.tv_nsec)) {
        c->hchanged++;
        phpc_jmsg(c->bctx, PM_WARNING, "\"%s\" changed while being saved: size %llu or mtime changed while "
                  "it was read (%llu bytes read)", cur_name(c, q, sizeof q),
                  (unsigned long long)now.st_size, (unsigned long long)c->hread);
    }
    backup_release(c);
}

/* IO_READ of a handed-off file: one read(2) into io->buf (a short count is
 * returned as is, as stock bacula-fd does), never past its size at receipt
 * (a growing file is not chased); 0 at the end; -1 with the read's errno. */
static void handoff_read(phpc_ctx *c, struct io_pkt *io)
{
    uint64_t size = c->hst.st_size > 0 ? (uint64_t)c->hst.st_size : 0;
    size_t want = io->count > 0 ? (size_t)io->count : 0;
    ssize_t n = 0;

    if (size - c->hread < want)
        want = (size_t)(size - c->hread);
    while (want > 0 && (n = read(c->hfd, io->buf, want)) < 0 && errno == EINTR)
        ;
    if (n < 0) {
        int e = errno;

        drop_cache(c->hfd, 0, 0);
        backup_release(c);
        io->status = -1;
        io->io_errno = e;
        return;
    }
    if (n == 0) {
        handoff_done(c);
        io->status = 0;
        return;
    }
    c->hread += (uint64_t)n;
    if (c->hread - c->hdropped >= PHPC_DROP_BEHIND) {
        drop_cache(c->hfd, c->hdropped, c->hread - c->hdropped);
        c->hdropped = c->hread;
    }
    io->status = (int32_t)n;
}

/* Consume the rest of the data section.  0 / -1. */
static int drain_data(phpc_ctx *c)
{
    ptc_frame f;

    c->dlen = 0;
    backup_release(c);                  /* the FD stopped reading a handed-off file */
    while (c->data == DS_ACTIVE) {
        if (sess_recv(c, &f, "DFEH") != 0)
            return -1;
        if (f.letter == 'F') {
            c->data = DS_EOF;
        } else if (f.letter == 'E') {
            sess_post_text(c, PM_ERROR, &f);    /* the FD did not read it */
            c->data = DS_EOF;
        } else if (f.letter == 'H') {
            if (take_handoff(c, &f) != 0)      /* received and closed unread */
                return -1;
            backup_release(c);
        } else {
            c->dseen = true;
        }
    }
    if (c->data == DS_ERROR)
        c->data = DS_EOF;       /* its text was posted when it arrived */
    return 0;
}

/* Read one announced blob (exactly one D packet). */
static int read_blob(phpc_ctx *c, ptc_frame *f)
{
    return sess_recv(c, f, "D");
}

/* Consume everything that is left of the current record. */
static int drain_record(phpc_ctx *c)
{
    ptc_frame f;

    if (drain_data(c) != 0)
        return -1;
    if (c->acl_pending) {
        if (read_blob(c, &f) != 0)
            return -1;
        c->acl_pending = false;
    }
    if (c->xattr_pending) {
        if (read_blob(c, &f) != 0)
            return -1;
        c->xattr_pending = false;
    }
    return 0;
}

/* Bacula's FT_DIREND convention wants a trailing '/' (docs/ptcomm.md §3,
 * docs/abi.md §7.4); add it if missing. */
static int ensure_slash(phpc_record *r)
{
    if (r->name_len > 0 && r->name[r->name_len - 1] == '/')
        return 0;
    if (r->name_cap < r->name_len + 2) {
        char *p = realloc(r->name, r->name_len + 2);

        if (p == NULL)
            return -1;
        r->name = p;
        r->name_cap = r->name_len + 2;
    }
    r->name[r->name_len++] = '/';
    r->name[r->name_len] = '\0';
    return 0;
}

/*
 * Drain the current record, then read the next FILE record into slot.
 * 1 = record, 0 = final F (no more files), -1 = failure (reported).
 */
static int next_record(phpc_ctx *c, int slot)
{
    char err[256];
    ptc_frame f;

    if (drain_record(c) != 0)
        return -1;
    for (;;) {
        phpc_record *r = &c->rec[slot];
        int kind;

        if (sess_recv(c, &f, "CF") != 0)
            return -1;
        if (f.letter == 'F') {
            c->state = ST_STREAM_DONE;
            /* the backend's closing count cannot include what only the shim saw */
            if (c->hchanged > 0)
                phpc_jmsg(c->bctx, PM_WARNING, "%llu files handed off to the shim changed while being saved",
                          (unsigned long long)c->hchanged);
            if (c->flt.excluded > 0)
                phpc_jmsg(c->bctx, PM_INFO,
                          "FileSet options excluded %llu entries (%llu directories with their contents)",
                          (unsigned long long)c->flt.excluded,
                          (unsigned long long)c->flt.excluded_dirs);
            return 0;
        }
        if (acc_is_check(&f)) {         /* accurate mode (accurate.c) */
            if (acc_answer(c, &f) != 0)
                return -1;
            continue;
        }
        if ((kind = acc_name_kind(&f)) != ACC_NONE) {
            if (acc_note(c, &f, kind) != 0)        /* KEEP / GONE (accurate.c) */
                return -1;
            continue;
        }
        if (phpc_record_parse(f.data, f.len, r, err, sizeof err) != 0) {
            sess_protocol_error(c, "%s while %s", err, c->doing);
            return -1;
        }
        if (r->flags & ~(uint64_t)(PHPC_REC_DATA | PHPC_REC_ACL | PHPC_REC_XATTR | PHPC_REC_SPARSE)) {
            sess_protocol_error(c, "FILE record with unknown flags %llu while %s",
                                (unsigned long long)r->flags, c->doing);
            return -1;
        }
        c->recno[slot] = c->nrec++;
        c->data = (r->flags & PHPC_REC_DATA) ? DS_ACTIVE : DS_NONE;
        c->acl_pending = (r->flags & PHPC_REC_ACL) != 0;
        c->xattr_pending = (r->flags & PHPC_REC_XATTR) != 0;
        c->sparse = (r->flags & (PHPC_REC_DATA | PHPC_REC_SPARSE)) == (PHPC_REC_DATA | PHPC_REC_SPARSE);
        c->dseen = false;
        {
            char q[512];

            sess_doing(c, "sending file \"%s\"", sess_q(r->name, r->name_len, q, sizeof q));
        }
        if (r->type == 'K') {
            /* sockets are not backed up (protocol 1 backends do not send
             * them); the record still counts for record numbers */
            if (drain_record(c) != 0)
                return -1;
            continue;
        }
        if (r->type == 'D' && ensure_slash(r) != 0) {
            sess_protocol_error(c, "out of memory while %s", c->doing);
            return -1;
        }
        if (flt_check(c, r) != FLT_SAVE) {
            /* excluded by the FileSet options (filter.c): not saved; an L
             * record never refers to it (the backend CHECKs first names) */
            if (drain_record(c) != 0)
                return -1;
            continue;
        }
        return 1;
    }
}

static void fill_sp(phpc_ctx *c, void *sp)
{
    phpc_record *r = &c->rec[c->cur];
    struct sp_view v;

    sp_view(sp, &v);
    phpc_record_to_stat(r, v.statp);

    *v.type = phpc_record_ft(r->type);
    *v.fname = r->name;
    /* portable and flags keep the FD's defaults (docs/abi.md §6.2) */
    *v.no_read = (r->flags & PHPC_REC_DATA) == 0;      /* docs/ptcomm.md §4.4 */
    if (c->sparse)
        *v.flags |= PHPC_FO_OFFSETS;    /* holes are skipped: STREAM_SPARSE_DATA */
    switch (r->type) {
    case 'D':
        /* FT_DIREND is stored under link; fname == link == "dir/" keeps the
         * accurate "seen" marking consistent (docs/abi.md §7.4) */
        *v.link = r->name;
        break;
    case 'S':
        *v.link = r->link;
        break;
    case 'L': {
        int32_t fi = 0;

        *v.link = r->link;              /* the first name */
        if (phpc_linkmap_get(&c->links, r->linkid, &fi) != 0)
            phpc_dmsg(c->bctx, 50, "no FileIndex known for hard link record %llu",
                      (unsigned long long)r->linkid);
        *v.LinkFI = fi;
        break;
    }
    default:
        break;                          /* link stays NULL, as bpipe-fd does */
    }
}

bRC backup_start_file(phpc_ctx *c, void *sp)
{
    int rc;

    if (c->state == ST_STREAM_DONE && !c->have_next)
        return bRC_Stop;                /* no more files */
    if (!sess_alive(c) || c->jobtype == 'R')
        return bRC_Error;
    if (!c->have_next) {
        /* first call of this session: nothing read ahead yet */
        rc = next_record(c, !c->cur);
        if (rc == 0)
            return bRC_Stop;            /* empty backup: the FD ends silently */
        if (rc < 0)
            return bRC_Error;
    }
    c->cur = !c->cur;
    c->have_next = false;
    c->have_cur = true;
    fill_sp(c, sp);
    return bRC_OK;
}

bRC backup_end_file(phpc_ctx *c)
{
    phpc_record *r = &c->rec[c->cur];
    char q[512];
    int rc;

    if (!sess_alive(c) || !c->have_cur)
        return bRC_Error;
    c->have_cur = false;
    /* Remember FileIndex for possible later hard links to this record.
     * bVarFileIndex = files sent so far, i.e. this file's index (docs/abi.md §5.2). */
    if (c->jobtype == 'B' && r->nlink > 1 && r->type != 'D' && r->type != 'L') {
        int fi;

        if (phpc_get_int(c->bctx, PV_FILE_INDEX, &fi) == 0)
            phpc_linkmap_put(&c->links, c->recno[c->cur], fi);
    }
    sess_doing(c, "sending the file record after \"%s\"", cur_name(c, q, sizeof q));
    rc = next_record(c, !c->cur);
    if (rc > 0) {
        c->have_next = true;
        return bRC_More;
    }
    return rc == 0 ? bRC_OK : bRC_Error;
}

/* IO_READ of a sparse section: the bytes of at most one D packet, whose
 * first 8 bytes are the big-endian file offset; io->offset = their offset. */
static void io_read_sparse(phpc_ctx *c, struct io_pkt *io)
{
    size_t want = io->count > 0 ? (size_t)io->count : 0, n;
    ptc_frame f;

    while (c->dlen == 0) {
        if (c->data != DS_ACTIVE) {
            io->status = c->data == DS_ERROR ? -1 : 0;
            io->io_errno = c->data == DS_ERROR ? EIO : 0;
            if (c->data == DS_ERROR)
                c->data = DS_EOF;
            return;
        }
        if (sess_recv(c, &f, "DFE") != 0) {
            io->status = -1;
            io->io_errno = EIO;
            return;
        }
        if (f.letter == 'D') {
            if (f.len <= 8) {
                sess_protocol_error(c, "sparse data packet of %zu bytes while %s", f.len, c->doing);
                io->status = -1;
                io->io_errno = EIO;
                return;
            }
            c->doff = 0;
            for (int i = 0; i < 8; i++)
                c->doff = c->doff << 8 | f.data[i];
            c->dptr = f.data + 8;
            c->dlen = f.len - 8;
        } else if (f.letter == 'F') {
            c->data = DS_EOF;
        } else {
            sess_post_text(c, PM_ERROR, &f);
            c->data = DS_ERROR;
        }
    }
    n = c->dlen < want ? c->dlen : want;
    memcpy(io->buf, c->dptr, n);
    io->offset = (boffset_t)c->doff;
    c->doff += n;
    c->dptr += n;
    c->dlen -= n;
    io->status = (int32_t)n;
}

/* IO_READ: hand out data bytes, up to io->count per call. */
static void io_read(phpc_ctx *c, struct io_pkt *io)
{
    size_t want = io->count > 0 ? (size_t)io->count : 0, got = 0;
    ptc_frame f;

    if (c->data == DS_ERROR) {          /* E arrived after bytes were returned */
        c->data = DS_EOF;
        io->status = -1;
        io->io_errno = EIO;
        return;
    }
    if (c->data == DS_HANDOFF) {
        handoff_read(c, io);
        return;
    }
    while (got < want) {
        if (c->dlen > 0) {
            size_t n = c->dlen < want - got ? c->dlen : want - got;

            memcpy(io->buf + got, c->dptr, n);
            c->dptr += n;
            c->dlen -= n;
            got += n;
            continue;
        }
        if (c->data != DS_ACTIVE)
            break;
        /* fill up to count only from frames already received: never block
         * for more while there are bytes to hand out */
        if (got > 0 && !ptc_frame_buffered(&c->rd))
            break;
        if (sess_recv(c, &f, "DFEH") != 0) {
            if (got > 0)
                break;                  /* return these; the failure sticks */
            io->status = -1;
            io->io_errno = EIO;
            return;
        }
        if (f.letter == 'H') {          /* the whole section: the file is read here */
            if (take_handoff(c, &f) != 0) {
                io->status = -1;
                io->io_errno = EIO;
                return;
            }
            handoff_read(c, io);
            return;
        }
        if (f.letter == 'D') {
            c->dptr = f.data;           /* valid until the next frame read */
            c->dlen = f.len;
            c->dseen = true;
        } else if (f.letter == 'F') {
            c->data = DS_EOF;
        } else {                        /* 'E': read error for this file (docs/ptcomm.md §4.2) */
            sess_post_text(c, PM_ERROR, &f);
            c->data = DS_ERROR;
        }
    }
    if (got == 0 && c->data == DS_ERROR) {
        c->data = DS_EOF;
        io->status = -1;
        io->io_errno = EIO;
        return;
    }
    io->status = (int32_t)got;
}

bRC backup_io(phpc_ctx *c, struct io_pkt *io)
{
    io->io_errno = 0;
    io->lerror = 0;
    if (!sess_alive(c)) {
        io->status = -1;
        io->io_errno = EIO;
        return bRC_Error;
    }
    switch (io->func) {
    case IO_OPEN:
        io->status = 0;     /* a record without data just reads as empty */
        return bRC_OK;
    case IO_READ:
        if (c->sparse)
            io_read_sparse(c, io);
        else
            io_read(c, io);
        return io->status < 0 ? bRC_Error : bRC_OK;
    case IO_CLOSE:
        /* the FD may stop reading early (e.g. after an error): drain */
        if (drain_data(c) != 0) {
            io->status = -1;
            io->io_errno = EIO;
            return bRC_Error;
        }
        io->status = 0;
        return bRC_OK;
    default:                /* IO_SEEK (no FO_OFFSETS yet), IO_WRITE */
        io->status = -1;
        io->io_errno = EINVAL;
        return bRC_Error;
    }
}

bRC backup_xacl(phpc_ctx *c, struct xacl_pkt *x)
{
    bool acl = x->func == BACL_BACKUP;
    ptc_frame f;

    x->count = 0;
    if (!sess_alive(c))
        return bRC_OK;
    if (!(acl ? c->acl_pending : c->xattr_pending))
        return bRC_OK;                  /* nothing (more) for this file */
    if (drain_data(c) != 0)             /* the blobs follow the data section */
        return bRC_Error;
    if (!acl && c->acl_pending) {       /* ACL blob the FD did not ask for */
        if (read_blob(c, &f) != 0)
            return bRC_Error;
        c->acl_pending = false;
    }
    if (read_blob(c, &f) != 0)
        return bRC_Error;
    if (acl)
        c->acl_pending = false;
    else
        c->xattr_pending = false;
    if (c->blob_cap < f.len) {
        unsigned char *p = realloc(c->blob, f.len);

        if (p == NULL) {
            sess_protocol_error(c, "out of memory for a %zu-byte blob", f.len);
            return bRC_Error;
        }
        c->blob = p;
        c->blob_cap = f.len;
    }
    memcpy(c->blob, f.data, f.len);
    x->content = (char *)c->blob;       /* valid until the next call */
    x->count = (int32_t)f.len;
    return bRC_OK;
}
