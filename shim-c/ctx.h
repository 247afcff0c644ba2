/*
 * ctx.h - the per-job context hung on bpContext->pContext (allocated in
 * newPlugin, freed in freePlugin) and the functions shared by plugin.c,
 * session.c, backup.c and restore.c.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef PHPC_CTX_H
#define PHPC_CTX_H

#include <stdbool.h>
#include <stdint.h>

#include "abi.h"
#include "backend.h"
#include "linkmap.h"
#include "params.h"
#include "ptcomm.h"
#include "record.h"

/* Where the conversation with the backend stands. */
enum phpc_state {
    ST_NONE,            /* no backend (idle job, or after a clean end) */
    ST_STREAM,          /* backup/estimate: records still coming */
    ST_STREAM_DONE,     /* backup/estimate: final F received */
    ST_RESTORE,         /* restore: between files */
    ST_RESTORE_DATA,    /* restore: backend said OK, data/close expected */
    ST_FINISHED,        /* restore: FINISH answered */
    ST_FAILED           /* backend stopped after an error or a cancel */
};

/* FileSet Options through AcceptFile (filter.c). */
#define FLT_SLOTS 64                /* cached directory verdicts */
#define FLT_KEY_MAX 8192            /* longer directory paths are not cached */

struct flt_slot {
    char *path;                     /* directory, no trailing slash */
    size_t len, cap;
    uint64_t hash;
    uint64_t tick;                  /* last use (LRU) */
    bool excluded;                  /* it or a directory above it (below the root) */
    bool used;
};

typedef struct phpc_filter {
    bool off;                       /* no usable AcceptFile: save everything */
    bool warned;                    /* the one warning about that was posted */
    const char *root;               /* path= without trailing slashes (params) */
    size_t root_len;
    struct flt_slot slot[FLT_SLOTS];
    int last;                       /* slot of the last hit */
    uint64_t tick;
    uint64_t calls;                 /* AcceptFile calls */
    uint64_t excluded, excluded_dirs;   /* entries / directories not saved */
} phpc_filter;

/* flt_check verdicts */
enum { FLT_SAVE, FLT_SELF /* its own name is excluded */, FLT_UNDER /* below an excluded directory */ };

/* A save_pkt big enough for every interface version (checkChanges, AcceptFile). */
union phpc_any_sp {
    struct save_pkt14 v14;
    struct save_pkt21 v21;
    struct save_pkt22 v22;
    struct save_pkt23 v23;
};

#define PHPC_FILL_SP(p, fn, ln, ft, st)                                      \
    do {                                                                     \
        (p)->pkt_size = (int32_t)sizeof *(p);                                \
        (p)->pkt_end = (int32_t)sizeof *(p);                                 \
        (p)->fname = (fn);                                                   \
        (p)->link = (ln);                                                    \
        (p)->type = (ft);                                                    \
        (p)->statp = *(st);                                                  \
    } while (0)

/* KEEP / GONE names (accurate.c), one malloc'd copy each, no trailing '/'. */
struct acc_names {
    char **v;
    size_t n, cap;
    bool sorted;
};
/* Bound on the memory of the KEEP and GONE names of one job: the name bytes
 * plus 32 bytes per name (its pointer and the allocator's header).  A backend
 * that states more fails the job (protocol error): about 4 million deletions
 * of 100-byte paths. */
#define PHPC_ACC_NAMES_MAX ((size_t)512 << 20)

/* Data section of the record the FD is working on (backup). */
enum phpc_data { DS_NONE, DS_ACTIVE, DS_HANDOFF /* read from hfd */, DS_EOF, DS_ERROR };

/* Drop-behind of a handed-off file: what was read leaves the page cache in
 * steps of this size and as a whole at the end (as the backend's
 * SequentialReader.DROP_BEHIND, docs/bench.md). */
#define PHPC_DROP_BEHIND ((uint64_t)8 << 20)

typedef struct phpc_ctx {
    bpContext *bctx;

    /* facts collected from events (docs/abi.md §3.1) */
    char level;                 /* 'F' 'I' 'D' ... from bEventLevel, 0 unknown */
    int64_t since;              /* from bEventSince */
    char *cmd;                  /* last command string that named us */

    /* the backend session */
    char jobtype;               /* 'B' backup, 'E' estimate, 'R' restore */
    enum phpc_state state;
    phpc_params params;
    phpc_backend bk;
    /* The backend spawned early, at bEventPluginCommand, for the job's first
     * plugin item, so that its start overlaps the FD's own set-up (docs/abi.md
     * §7.2): its path until sess_start takes it over; NULL otherwise. */
    char *early_path;
    bool early_tried;           /* one early spawn per job */
    ptc_reader rd;              /* 2 MiB buffer, allocated at the first spawn */
    char doing[600];            /* "sending file \"/x\"" for failure messages */
    bool end_status;            /* the backend answered the Job block "C EndStatus 1": END carries the outcome (docs/ptcomm.md §6) */
    uint32_t errors_posted;     /* PM_ERROR + PM_FATAL messages posted in this job (msg.c) */

    /* backup / estimate */
    phpc_record rec[2];         /* double buffer: the FD's record and the one */
    int cur;                    /* read ahead in endBackupFile               */
    bool have_next;             /* rec[!cur] holds a parsed record */
    bool have_cur;              /* rec[cur] was handed to the FD */
    uint64_t nrec;              /* FILE records received (record numbers) */
    uint64_t recno[2];          /* record number of rec[0] / rec[1] */
    enum phpc_data data;
    const unsigned char *dptr;  /* unread rest of the current D packet */
    size_t dlen;
    bool acl_pending, xattr_pending;    /* announced blob not yet read */
    bool sparse;                /* data D packets carry offsets (FO_OFFSETS) */
    uint64_t doff;              /* file offset of dptr[0] when sparse */
    bool dseen;                 /* a D packet arrived in the current section */
    /* a section handed off (docs/ptcomm.md §4.1c): the file, read here */
    int hfd;                    /* its descriptor, or -1 */
    struct stat hst;            /* its fstat when received */
    uint64_t hread, hdropped;   /* bytes read, bytes dropped from the page cache */
    uint64_t hchanged;          /* handed-off files of this session that changed while read */
    unsigned char *blob;        /* copy of the blob handed to the FD */
    size_t blob_cap;
    phpc_linkmap links;

    /* restore */
    phpc_record rrec;           /* scratch record for createFile */
    char *fbuf;                 /* formatted FILE payload */
    size_t fcap;
    char *rname;                /* ofname of the open file, for messages */
    char replace;               /* the job's replace mode: 'a', 'w', 'n' or 'o' */
    bool pipelined;             /* the backend agreed to the pipelined restore (docs/ptcomm.md §5.1) */
    uint64_t rseq;              /* FILE records sent in this restore session (the next file's number) */
    int64_t reply_seq;          /* createFile waits for the answer to this file (-1: none) */
    /* failures the backend reported asynchronously (C FAILED, E), held until
     * bEventEndRestoreJob and posted there as M_ERROR (docs/ptcomm.md §5.1) */
    char **held;
    size_t nheld, held_cap, held_bytes;
    uint64_t held_over;         /* posted as warnings once the bound was reached */
    uint64_t failed_files;      /* distinct file numbers in C FAILED */
    int64_t last_failed_seq;
    /* pipelined restore: frames not yet written (sess_send collects them,
     * sess_flush writes them in one go) */
    char *wbuf;
    size_t wlen;
    /* a failure found by a read inside a write (bk_write's on_readable),
     * reported by sess_send once the write has returned */
    int rx_fail;
    char rx_letter;
    int rx_errno;

    /* accurate mode (accurate.c) */
    bool acc_changes;           /* accurate Incremental/Differential backup: CHECK runs checkChanges */
    phpc_record crec;           /* scratch record for CHECK */
    uint64_t acc_checked, acc_unchanged;
    /* names the backend stated for checkFile (docs/ptcomm.md §8): KEEP (an
     * unreadable entry, or a source's root: it and every name below it stay in
     * the catalog) and GONE (deleted: it and every name below it are recorded
     * deleted).  Kept for the whole job (every Plugin= item); sorted when
     * checkFile first needs them; at most PHPC_ACC_NAMES_MAX bytes together. */
    struct acc_names keep, gone;
    size_t acc_name_bytes;

    /* FileSet options (filter.c) */
    phpc_filter flt;
} phpc_ctx;

/* ---- session.c ---------------------------------------------------------- */

/* newPlugin / freePlugin halves: set up, and end + release everything. */
void sess_init(phpc_ctx *c);
void sess_destroy(phpc_ctx *c);

/* Set the "while ..." text used in failure messages. */
void sess_doing(phpc_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Quote a name for a message into buf ("..." cut). */
const char *sess_q(const char *s, size_t n, char *buf, size_t bufsz);

/* Validate cmd; M_FATAL with the reason on error.  0 / -1. */
int sess_validate(phpc_ctx *c, const char *cmd, phpc_params *out);

/*
 * Start a backend for cmd and run the session start (docs/ptcomm.md §2) with
 * job type 'B', 'E' or 'R'.  Ends a previous session first.  On failure the
 * job message is posted, the backend is gone and -1 is returned.
 */
int sess_start(phpc_ctx *c, char jobtype, const char *cmd);

/*
 * bEventPluginCommand of the job's first plugin item, p its validated string:
 * spawn its backend now (nothing is sent to it), so that the JVM starts while
 * the FD finishes its set-up; sess_start then takes that process over when the
 * path is the same, and otherwise ends it.  A failure here is silent: the
 * sess_start that follows spawns again and reports it.
 */
void sess_spawn_early(phpc_ctx *c, const phpc_params *p);

/*
 * Read the next packet whose letter is in want, handling the transparent
 * ones: I -> M_INFO, W -> M_WARNING, E -> M_ERROR unless 'E' is in want,
 * A -> M_FATAL and the backend is stopped.  Any failure (EOF, bad header,
 * timeout, unexpected letter, cancel) posts its message, stops the backend,
 * sets ST_FAILED and returns -1.
 */
int sess_recv(phpc_ctx *c, ptc_frame *f, const char *want);
/* Send one frame; on failure as sess_recv.  In a pipelined restore frames up
 * to PHPC_WBUF_FRAME_MAX bytes are collected in a PHPC_WBUF_CAP buffer and
 * written when it is full, before anything waits for the backend (sess_recv)
 * and by sess_flush. */
#define PHPC_WBUF_CAP (256u * 1024)
#define PHPC_WBUF_FRAME_MAX (64u * 1024)
int sess_send(phpc_ctx *c, char letter, const void *data, size_t len);
/* Write what sess_send collected, then handle what the backend has sent
 * (without waiting).  0 / -1 (reported). */
int sess_flush(phpc_ctx *c);
int sess_send_text(phpc_ctx *c, const char *text);
/* Protocol error: post "protocol error: <text>" M_FATAL and kill the backend. */
void sess_protocol_error(phpc_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Post a backend text payload (trailing \n stripped) with severity sev. */
void sess_post_text(phpc_ctx *c, int sev, const ptc_frame *f);

/* true while a backend conversation can continue */
bool sess_alive(const phpc_ctx *c);

/* Hold one failure text for bEventEndRestoreJob (bounded; past the bound it
 * is posted at once as a warning and counted). */
void sess_hold(phpc_ctx *c, const void *text, size_t n);
/* Post the held failures as M_ERROR (and the count past the bound), free them. */
void sess_flush_held(phpc_ctx *c);
/* Is f "C FAILED <seq> <text>"?  Sets *seq and the text. */
bool sess_is_failed(const ptc_frame *f, uint64_t *seq, const unsigned char **text, size_t *tlen);

/*
 * End of job (docs/ptcomm.md §6): END/F/T and wait when the conversation is
 * at a clean point, otherwise close stdin + SIGTERM; SIGKILL after 5 s.
 * Safe to call repeatedly.
 */
void sess_end(phpc_ctx *c);

/* ---- backup.c ----------------------------------------------------------- */

void backup_reset(phpc_ctx *c);     /* new session */
void backup_release(phpc_ctx *c);   /* close a handed-off file still open */
bRC backup_start_file(phpc_ctx *c, void *sp);
bRC backup_end_file(phpc_ctx *c);
bRC backup_io(phpc_ctx *c, struct io_pkt *io);
bRC backup_xacl(phpc_ctx *c, struct xacl_pkt *x);

/* ---- accurate.c --------------------------------------------------------- */

/* Is f a CHECK request (docs/ptcomm.md §8)? */
bool acc_is_check(const ptc_frame *f);
/* Answer it with SEEN or CHANGED.  0 / -1 (failure reported). */
int acc_answer(phpc_ctx *c, const ptc_frame *f);
/* Is f a KEEP or a GONE notice (docs/ptcomm.md §8)?  ACC_KEEP, ACC_GONE or ACC_NONE. */
enum { ACC_NONE, ACC_KEEP, ACC_GONE };
int acc_name_kind(const ptc_frame *f);
/* Remember its name (kind from acc_name_kind).  0 / -1 (failure reported). */
int acc_note(phpc_ctx *c, const ptc_frame *f, int kind);
/* checkFile: may the FD record this unseen catalog name as deleted? */
bRC acc_check_file(phpc_ctx *c, const char *fname);
/* Release the KEEP and GONE names (freePlugin). */
void acc_free(phpc_ctx *c);

/* ---- filter.c ----------------------------------------------------------- */

/* New session: root from c->params.path, empty cache (the warning state stays). */
void flt_reset(phpc_ctx *c);
void flt_free(phpc_filter *f);
/*
 * Does the FileSet exclude record r (backup / estimate)?  FLT_SAVE, FLT_SELF
 * or FLT_UNDER.  Its name buffer is modified during the call and restored.
 * Without a usable AcceptFile: one warning per job, then always FLT_SAVE.
 */
int flt_check(phpc_ctx *c, phpc_record *r);
/* Zero *sp and fill the fields checkChanges / AcceptFile read. */
void phpc_fill_sp(union phpc_any_sp *sp, char *fname, char *link, int32_t type,
                  const struct stat *st);

/* ---- restore.c ---------------------------------------------------------- */

bRC restore_command(phpc_ctx *c, const char *cmd);
bRC restore_create_file(phpc_ctx *c, void *rp);
bRC restore_io(phpc_ctx *c, struct io_pkt *io);
bRC restore_finish(phpc_ctx *c);
bRC restore_xacl(phpc_ctx *c, struct xacl_pkt *x);  /* BACL_RESTORE / BXATTR_RESTORE */

#endif
