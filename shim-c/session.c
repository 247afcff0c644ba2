/*
 * session.c - the conversation with one backend process: session start
 * (docs/ptcomm.md §2), packet IO with the transparent I/W/E/A letters (§1),
 * failure handling, and the end of job (§6).
 *
 * Every failure follows one rule: post ONE job message that names the cause
 * (M_FATAL, which makes the FD fail the job, docs/abi.md §5.3), stop and reap the
 * backend, and remember ST_FAILED so that the remaining FD calls of the job
 * return errors quietly.  A cancel (bEventCancelCommand) fails quietly.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "ctx.h"
#include "msg.h"

#ifndef PHPC_DEFAULT_BACKEND
#define PHPC_DEFAULT_BACKEND "/opt/podheitor-hpc/bin/podheitor-hpc-backend"
#endif

#define PROTOCOL_VERSION "1"

/* Failures of a pipelined restore held until bEventEndRestoreJob (docs/ptcomm.md
 * §5.1): at most this many messages and bytes; later ones are posted at once as
 * warnings and counted in one closing error. */
#define PHPC_HELD_MAX 10000
#define PHPC_HELD_MAX_BYTES (4u * 1024 * 1024)

/* A failure found by a read inside a write (c->rx_fail): a PTC_* status + RX_READ,
 * an A packet, or a packet nobody expects. */
enum { RX_NONE = 0, RX_ABORT = 1, RX_UNEXPECTED = 2, RX_READ = 100 };

void sess_doing(phpc_ctx *c, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(c->doing, sizeof c->doing, fmt, ap);
    va_end(ap);
}

const char *sess_q(const char *s, size_t n, char *buf, size_t bufsz)
{
    return phpc_escape(s, n, buf, bufsz, PHPC_ESC_QUOTE);
}

bool sess_alive(const phpc_ctx *c)
{
    return c->state != ST_NONE && c->state != ST_FAILED;
}

int sess_validate(phpc_ctx *c, const char *cmd, phpc_params *out)
{
    char err[PHPC_PARAM_ERR_MAX];

    if (phpc_params_parse(cmd, out, err, sizeof err) != 0) {
        phpc_jmsg(c->bctx, PM_FATAL, "%s", err);
        return -1;
    }
    return 0;
}

/* ---- stopping the backend ----------------------------------------------- */

/* bk_reap with the grace period; reports a backend that SIGKILL did not end
 * in time (blocked in the kernel) and that is left to the reaper thread.
 * Posted even after a cancel: a stuck process on the client needs a look. */
static void reap_backend(phpc_ctx *c)
{
    bk_reap(&c->bk, 0, PHPC_EXIT_GRACE_MS);
    if (c->bk.abandoned <= 0)
        return;
    if (c->bk.reaper_err == 0)
        phpc_jmsg(c->bctx, PM_WARNING,
                  "backend pid %d did not exit within %d ms after SIGKILL (blocked in the kernel, "
                  "e.g. on a hung file system); it is left to a background reaper",
                  (int)c->bk.abandoned, c->bk.kill_wait_ms);
    else
        phpc_jmsg(c->bctx, PM_WARNING,
                  "backend pid %d did not exit within %d ms after SIGKILL (blocked in the kernel, "
                  "e.g. on a hung file system), and no reaper thread could be started (%s): it "
                  "will stay a zombie once it exits",
                  (int)c->bk.abandoned, c->bk.kill_wait_ms, strerror(c->bk.reaper_err));
}

/* Kill (SIGTERM, SIGKILL after the grace period) and reap; ST_FAILED. */
static void kill_backend(phpc_ctx *c)
{
    bk_close_input(&c->bk);
    bk_signal(&c->bk, SIGTERM);
    bk_drain_stderr(&c->bk, 1000);      /* the dying backend's last words */
    reap_backend(c);
    c->state = ST_FAILED;
}

/* The backend closed its output (or its input pipe broke): find out how it
 * ended, then report. */
static void backend_gone(phpc_ctx *c, const char *how)
{
    char st[64];

    bk_close_input(&c->bk);
    bk_drain_stderr(&c->bk, 1000);
    reap_backend(c);
    c->state = ST_FAILED;
    if (bk_is_canceled(&c->bk))
        return;
    if (c->bk.killed_by_us)
        phpc_jmsg(c->bctx, PM_FATAL,
                  "backend closed the connection%s without exiting (killed after %d s) while %s",
                  how, PHPC_EXIT_GRACE_MS / 1000, c->doing);
    else
        phpc_jmsg(c->bctx, PM_FATAL, "backend exited unexpectedly (%s)%s while %s",
                  bk_status_str(&c->bk, st, sizeof st), how, c->doing);
}

static void io_failed(phpc_ctx *c, int err, const char *verb)
{
    if (bk_is_canceled(&c->bk) || err == ECANCELED) {
        kill_backend(c);                /* canceled: quiet */
        return;
    }
    if (err == ETIMEDOUT) {
        phpc_jmsg(c->bctx, PM_FATAL,
                  "backend did not answer within %d s (plugin key timeout=%d) while %s; killing it",
                  c->bk.timeout_s, c->bk.timeout_s, c->doing);
        bk_signal(&c->bk, SIGKILL);     /* hung or stopped: SIGTERM may never act */
        kill_backend(c);
        return;
    }
    if (err == EPIPE) {
        backend_gone(c, "");
        return;
    }
    phpc_jmsg(c->bctx, PM_FATAL, "cannot %s the backend: %s (while %s)", verb, strerror(err),
              c->doing);
    kill_backend(c);
}

void sess_protocol_error(phpc_ctx *c, const char *fmt, ...)
{
    char text[1024];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (!bk_is_canceled(&c->bk))
        phpc_jmsg(c->bctx, PM_FATAL, "protocol error: %s", text);
    kill_backend(c);
}

/* ---- packets ------------------------------------------------------------ */

void sess_post_text(phpc_ctx *c, int sev, const ptc_frame *f)
{
    char text[PHPC_MSG_MAX - 64];
    size_t n = f->len;

    if (n > 0 && f->data[n - 1] == '\n')
        n--;                            /* text payloads: strip one \n (docs/ptcomm.md §2) */
    phpc_escape(f->data, n, text, sizeof text, 0);
    phpc_jmsg(c->bctx, (enum phpc_sev)sev, "%s", text);
}

static void on_stderr(void *arg, const char *line, size_t len)
{
    phpc_ctx *c = arg;
    char text[PHPC_MSG_MAX - 64];

    phpc_escape(line, len, text, sizeof text, 0);
    phpc_jmsg(c->bctx, PM_ERROR, "backend stderr: %s", text);
}

void sess_init(phpc_ctx *c)
{
    bk_init(&c->bk, on_stderr, c);
    c->hfd = -1;
    c->state = ST_NONE;
}

void sess_destroy(phpc_ctx *c)
{
    sess_end(c);
    if (c->nheld > 0 || c->held_over > 0)
        sess_flush_held(c);             /* normally posted at bEventEndRestoreJob */
    free(c->wbuf);
    c->wbuf = NULL;
    bk_destroy(&c->bk);
    ptc_reader_free(&c->rd);
    phpc_params_free(&c->params);
}

bool sess_is_failed(const ptc_frame *f, uint64_t *seq, const unsigned char **text, size_t *tlen)
{
    static const char pfx[] = "FAILED ";
    size_t i = sizeof pfx - 1;
    uint64_t n = 0;

    if (f->letter != 'C' || f->len <= i || memcmp(f->data, pfx, i) != 0)
        return false;
    if (f->data[i] < '0' || f->data[i] > '9')
        return false;
    while (i < f->len && f->data[i] >= '0' && f->data[i] <= '9') {
        if (n > (UINT64_MAX - 9) / 10)
            return false;
        n = n * 10 + (uint64_t)(f->data[i++] - '0');
    }
    if (i < f->len && f->data[i] != ' ')
        return false;
    if (i < f->len)
        i++;
    *seq = n;
    *text = f->data + i;
    *tlen = f->len - i;
    return true;
}

void sess_hold(phpc_ctx *c, const void *text, size_t n)
{
    char buf[PHPC_MSG_MAX - 64];
    const unsigned char *t = text;
    size_t len;
    char *copy;

    if (n > 0 && t[n - 1] == '\n')
        n--;
    phpc_escape(t, n, buf, sizeof buf, 0);
    len = strlen(buf);
    if (c->nheld >= PHPC_HELD_MAX || c->held_bytes + len > PHPC_HELD_MAX_BYTES) {
        c->held_over++;
        phpc_jmsg(c->bctx, PM_WARNING, "%s", buf);
        return;
    }
    if (c->nheld == c->held_cap) {
        size_t cap = c->held_cap ? c->held_cap * 2 : 64;
        char **h = realloc(c->held, cap * sizeof *h);

        if (h == NULL) {
            c->held_over++;
            phpc_jmsg(c->bctx, PM_WARNING, "%s", buf);
            return;
        }
        c->held = h;
        c->held_cap = cap;
    }
    copy = strdup(buf);
    if (copy == NULL) {
        c->held_over++;
        phpc_jmsg(c->bctx, PM_WARNING, "%s", buf);
        return;
    }
    c->held[c->nheld++] = copy;
    c->held_bytes += len;
}

void sess_flush_held(phpc_ctx *c)
{
    /* M_ERROR counts a job error.  Posted at bEventEndRestoreJob, after 9.6's
     * restore_cmd has set the FD's job status (JobErrors then still 0: the
     * status stays Terminated), the restore ends "Restore OK -- with errors"
     * whatever the timing; posted as the failures arrive, it would end
     * "*** Restore Error ***" or not depending on how far the FD had got
     * (docs/ptcomm.md §5.1, docs/abi.md §5.3, §7.7) */
    for (size_t i = 0; i < c->nheld; i++) {
        phpc_jmsg(c->bctx, PM_ERROR, "%s", c->held[i]);
        free(c->held[i]);
    }
    if (c->held_over > 0)
        phpc_jmsg(c->bctx, PM_ERROR,
                  "%llu more failures were reported during the restore (as warnings above: at most %d are "
                  "held for the end of the job)",
                  (unsigned long long)c->held_over, PHPC_HELD_MAX);
    free(c->held);
    c->held = NULL;
    c->nheld = c->held_cap = c->held_bytes = 0;
    c->held_over = 0;
}

/* A read of the backend's output failed with status st (errno err): report
 * it, or (defer, inside a write) remember it for sess_send.  -1. */
static int read_failed(phpc_ctx *c, int st, int err, bool defer)
{
    char hdr[64];

    if (defer) {
        c->rx_fail = RX_READ + st;
        c->rx_errno = err;
        return -1;
    }
    switch (st) {
    case PTC_EOF:
        backend_gone(c, "");
        break;
    case PTC_ETRUNC_HDR:
    case PTC_ETRUNC_DATA:
        backend_gone(c, " in the middle of a frame");
        break;
    case PTC_EBADHDR:
        sess_protocol_error(c, "bad frame header \"%s\" from backend while %s",
                            phpc_escape(c->rd.bad_hdr, PTC_HDR_LEN, hdr, sizeof hdr,
                                        PHPC_ESC_QUOTE | PHPC_ESC_ASCII),
                            c->doing);
        break;
    default:
        io_failed(c, err, "read from");
        break;
    }
    return -1;
}

/*
 * A frame: the caller's (0: its letter is in want), handled here (1: I, W,
 * E unless wanted, the failures of a pipelined restore), or a failure (-1:
 * A, an unexpected letter; reported, or with defer remembered in rx_fail).
 */
static int other_frame(phpc_ctx *c, const ptc_frame *f, const char *want, bool defer)
{
    const unsigned char *t;
    uint64_t seq;
    size_t tl;

    switch (f->letter) {
    case 'I':
        sess_post_text(c, PM_INFO, f);
        return 1;
    case 'W':
        sess_post_text(c, PM_WARNING, f);
        return 1;
    case 'E':
        if (strchr(want, 'E'))
            return 0;
        if (c->pipelined)
            sess_hold(c, f->data, f->len);      /* posted at bEventEndRestoreJob */
        else
            sess_post_text(c, PM_ERROR, f);
        return 1;
    case 'A':
        sess_post_text(c, PM_FATAL, f);
        if (defer) {
            c->rx_fail = RX_ABORT;
            return -1;
        }
        kill_backend(c);
        return -1;
    default:
        if (f->letter == 'C' && c->pipelined && sess_is_failed(f, &seq, &t, &tl) &&
            (c->reply_seq < 0 || seq != (uint64_t)c->reply_seq)) {
            if ((int64_t)seq != c->last_failed_seq) {
                c->failed_files++;
                c->last_failed_seq = (int64_t)seq;
            }
            sess_hold(c, t, tl);
            return 1;
        }
        if (strchr(want, f->letter))
            return 0;
        if (defer) {
            c->rx_fail = RX_UNEXPECTED;
            c->rx_letter = f->letter;
            return -1;
        }
        sess_protocol_error(c, "unexpected '%c' packet from backend while %s", f->letter, c->doing);
        return -1;
    }
}

/* Report what a read inside a write found (c->rx_fail). */
static void report_rx_fail(phpc_ctx *c)
{
    int k = c->rx_fail;

    c->rx_fail = RX_NONE;
    if (k == RX_ABORT)
        kill_backend(c);
    else if (k == RX_UNEXPECTED)
        sess_protocol_error(c, "unexpected '%c' packet from backend while %s", c->rx_letter, c->doing);
    else
        read_failed(c, k - RX_READ, c->rx_errno, false);
}

/* Handle every frame the backend has sent, without waiting.  0 / -1. */
static int pump(phpc_ctx *c, bool defer)
{
    int rc = 0;

    c->bk.nonblock = true;
    for (;;) {
        ptc_frame f;
        int st = ptc_read_frame(&c->rd, &f);

        if (st == PTC_EIO && errno == EAGAIN)
            break;
        if (st != PTC_OK) {
            c->bk.nonblock = false;
            return read_failed(c, st, errno, defer);
        }
        if (other_frame(c, &f, "", defer) < 0) {
            rc = -1;
            break;
        }
    }
    c->bk.nonblock = false;
    return rc;
}

/* bk_write's on_readable: the backend's output has bytes while we wait to write. */
static int on_backend_output(void *arg)
{
    phpc_ctx *c = arg;

    if (pump(c, true) != 0) {
        errno = EPROTO;
        return -1;
    }
    return 0;
}

static int flush_frames(phpc_ctx *c, bool read_after);

int sess_recv(phpc_ctx *c, ptc_frame *f, const char *want)
{
    if (!sess_alive(c))
        return -1;
    /* what the answer depends on goes out first; the reads are this loop's
     * (an answer must not be taken for a stray packet) */
    if (c->wlen > 0 && flush_frames(c, false) != 0)
        return -1;
    for (;;) {
        int rc = ptc_read_frame(&c->rd, f), h;

        if (rc != PTC_OK)
            return read_failed(c, rc, errno, false);
        h = other_frame(c, f, want, false);
        if (h == 0)
            return 0;
        if (h < 0)
            return -1;
    }
}

/* A write to the backend failed: report what a read inside it found, or the write's own error.  -1. */
static int write_failed(phpc_ctx *c, int err)
{
    if (c->rx_fail != RX_NONE)
        report_rx_fail(c);              /* found by a read while the write waited */
    else
        io_failed(c, err, "write to");
    return -1;
}

/* Write the collected frames; then, with read_after, handle what the backend
 * has sent meanwhile (one read, no wait).  0 / -1 (reported). */
static int flush_frames(phpc_ctx *c, bool read_after)
{
    size_t n = c->wlen;

    if (!sess_alive(c))
        return -1;
    if (n == 0)
        return 0;
    c->wlen = 0;
    if (bk_write(&c->bk, c->wbuf, n) != 0)
        return write_failed(c, errno);
    return read_after ? pump(c, false) : 0;
}

int sess_flush(phpc_ctx *c)
{
    return flush_frames(c, true);
}

int sess_send(phpc_ctx *c, char letter, const void *data, size_t len)
{
    if (!sess_alive(c))
        return -1;
    if (c->pipelined && c->wbuf != NULL && len <= PHPC_WBUF_FRAME_MAX) {
        /* pipelined restore: frames are collected and written in large
         * chunks (nothing waits for an answer; sess_recv flushes first) */
        if (c->wlen + PTC_HDR_LEN + len > PHPC_WBUF_CAP && sess_flush(c) != 0)
            return -1;
        snprintf(c->wbuf + c->wlen, PTC_HDR_LEN + 1, "%c%06zu\n", letter, len);
        if (len > 0)
            memcpy(c->wbuf + c->wlen + PTC_HDR_LEN, data, len);
        c->wlen += PTC_HDR_LEN + len;
        return 0;
    }
    if (c->wlen > 0 && sess_flush(c) != 0)
        return -1;                      /* keep the order */
    if (ptc_write_frame(bk_write, &c->bk, letter, data, len) != 0)
        return write_failed(c, errno);
    return 0;
}

int sess_send_text(phpc_ctx *c, const char *text)
{
    return sess_send(c, 'C', text, strlen(text));
}

/* Text of a C packet (one trailing \n stripped) equals s? */
static bool text_is(const ptc_frame *f, const char *s)
{
    size_t n = f->len, sl = strlen(s);

    if (n > 0 && f->data[n - 1] == '\n')
        n--;
    return n == sl && memcmp(f->data, s, n) == 0;
}

/* Send "key=value" lines as one C packet each. */
static int send_line(phpc_ctx *c, const char *key, const char *value)
{
    size_t kl = strlen(key), vl = strlen(value);
    char small[512], *buf = kl + vl + 1 <= sizeof small ? small : malloc(kl + vl + 1);
    int rc;

    if (buf == NULL) {
        phpc_jmsg(c->bctx, PM_FATAL, "out of memory");
        kill_backend(c);
        return -1;
    }
    memcpy(buf, key, kl);
    buf[kl] = '=';
    memcpy(buf + kl + 1, value, vl);
    rc = sess_send(c, 'C', buf, kl + 1 + vl);
    if (buf != small)
        free(buf);
    return rc;
}

static int send_line_int(phpc_ctx *c, const char *key, long long v)
{
    char num[32];

    snprintf(num, sizeof num, "%lld", v);
    return send_line(c, key, num);
}

static const char *get_str(phpc_ctx *c, enum phpc_var v)
{
    const char *s = NULL;

    return phpc_get_str(c->bctx, v, &s) == 0 && s != NULL ? s : "";
}

static int get_int(phpc_ctx *c, enum phpc_var v, int dflt)
{
    int i;

    return phpc_get_int(c->bctx, v, &i) == 0 ? i : dflt;
}

/* The Job block (docs/ptcomm.md §2). */
static int send_job(phpc_ctx *c)
{
    char one[2] = { 0, 0 };
    int jobid = get_int(c, PV_JOB_ID, 0);

    if (sess_send_text(c, "Job") != 0 || send_line(c, "Name", get_str(c, PV_JOB_NAME)) != 0 ||
        send_line_int(c, "JobID", jobid) != 0)
        return -1;
    one[0] = c->jobtype;
    if (send_line(c, "Type", one) != 0)
        return -1;
    if (c->jobtype != 'R') {
        char level = c->level ? c->level : (char)get_int(c, PV_LEVEL, 'F');

        /* F full, I incremental, D differential; anything else (base,
         * virtual full ...) is sent to the backend as a full */
        one[0] = (level == 'I' || level == 'D') ? level : 'F';
        if (send_line(c, "Level", one) != 0)
            return -1;
        /* the backend CHECKs every entry exactly then (docs/ptcomm.md §8) */
        c->acc_changes = c->jobtype == 'B' && one[0] != 'F' && get_int(c, PV_ACCURATE, 0);
        if (one[0] != 'F') {
            long long since = c->since ? c->since : get_int(c, PV_SINCE_TIME, 0);

            if (send_line_int(c, "Since", since) != 0)
                return -1;
        }
    }
    if (send_line_int(c, "Accurate", get_int(c, PV_ACCURATE, 0) ? 1 : 0) != 0)
        return -1;
    if (c->jobtype == 'R') {
        int replace = get_int(c, PV_REPLACE, 'a');     /* an int (docs/abi.md §5.2) */

        one[0] = (replace == 'w' || replace == 'n' || replace == 'o') ? (char)replace : 'a';
        c->replace = one[0];
        /* Pipeline=1: ask for the pipelined restore (docs/ptcomm.md §5.1); a
         * backend that ignores the line answers RestoreStart with just F */
        if (send_line(c, "Where", get_str(c, PV_WHERE)) != 0 ||
            send_line(c, "RegexWhere", get_str(c, PV_REGEX_WHERE)) != 0 ||
            send_line(c, "Replace", one) != 0 || send_line(c, "Pipeline", "1") != 0)
            return -1;
    }
    /* Handoff=4: large files may come as a descriptor over the handoff socket
     * instead of D packets (docs/ptcomm.md §4.1c); a backend that does not
     * know the line never sends H */
    if (c->bk.hand_fd >= 0 && send_line_int(c, "Handoff", PHPC_HANDOFF_FD) != 0)
        return -1;
    /* EndStatus=1: END is to carry the job's outcome (docs/ptcomm.md §6); a
     * backend that agrees says "C EndStatus 1" before its F, an older one
     * ignores the line and gets a bare END */
    if (send_line_int(c, "FDVersion", phpc_version) != 0 || send_line(c, "EndStatus", "1") != 0 ||
        sess_send(c, 'F', NULL, 0) != 0)
        return -1;
    return 0;
}

/* End the early-spawned backend without a word: it has been sent nothing,
 * and what it would say on the way out is no news for the job. */
static void end_early(phpc_ctx *c)
{
    if (c->early_path == NULL)
        return;
    free(c->early_path);
    c->early_path = NULL;
    if (bk_has_child(&c->bk))
        bk_reap(&c->bk, SIGKILL, 0);
}

void sess_spawn_early(phpc_ctx *c, const phpc_params *p)
{
    const char *path = p->backend ? p->backend : PHPC_DEFAULT_BACKEND;
    char err[1024];

    if (c->early_tried || c->state != ST_NONE || bk_has_child(&c->bk) || bk_is_canceled(&c->bk))
        return;
    c->early_tried = true;
    c->early_path = strdup(path);
    if (c->early_path == NULL)
        return;
    c->bk.want_handoff = true;          /* a backup, most likely; closed again for anything else */
    if (bk_spawn(&c->bk, path, err, sizeof err) != 0) {
        free(c->early_path);            /* sess_start spawns again and reports why */
        c->early_path = NULL;
    }
}

int sess_start(phpc_ctx *c, char jobtype, const char *cmd)
{
    static const char *const start_cmd[] = { "BackupStart", "EstimateStart", "RestoreStart" };
    const char *start = jobtype == 'B' ? start_cmd[0] : jobtype == 'E' ? start_cmd[1] : start_cmd[2];
    const char *path;
    char err[1024];
    ptc_frame f;
    bool early;

    if (c->early_path == NULL)
        sess_end(c);                    /* a previous Plugin= item of this job */
    backup_reset(c);
    phpc_params_free(&c->params);
    if (bk_is_canceled(&c->bk)) {
        end_early(c);
        c->state = ST_FAILED;
        return -1;
    }
    if (sess_validate(c, cmd, &c->params) != 0) {
        end_early(c);
        c->state = ST_FAILED;
        return -1;
    }
    c->acc_changes = false;
    c->pipelined = false;
    c->rseq = 0;
    c->reply_seq = -1;
    c->last_failed_seq = -1;
    c->rx_fail = RX_NONE;
    flt_reset(c);
    path = c->params.backend ? c->params.backend : PHPC_DEFAULT_BACKEND;
    if (jobtype == 'R' && strcmp(path, PHPC_DEFAULT_BACKEND) != 0) {
        char q[600];

        /* A restore's plugin string is the one stored with the backup (read
         * back from the volume), not the Director's configuration: whoever
         * can write a volume must not choose what runs here as root. */
        phpc_jmsg(c->bctx, PM_WARNING,
                  "restore: ignoring backend \"%s\" stored with the backup; running the installed "
                  "backend \"%s\"",
                  sess_q(path, strlen(path), q, sizeof q), PHPC_DEFAULT_BACKEND);
        path = PHPC_DEFAULT_BACKEND;
    }
    if (c->rd.buf == NULL &&
        ptc_reader_init(&c->rd, PTC_READER_CAP, PTC_LETTERS_FROM_BACKEND) != 0) {
        end_early(c);
        phpc_jmsg(c->bctx, PM_FATAL, "out of memory");
        c->state = ST_FAILED;
        return -1;
    }
    /* the backend spawned at bEventPluginCommand, when it is the one this item
     * runs (same path: not a restore's replaced backend, not a later item) */
    early = c->early_path != NULL && bk_has_child(&c->bk) && strcmp(c->early_path, path) == 0;
    if (!early)
        end_early(c);
    free(c->early_path);
    c->early_path = NULL;
    if (early) {
        if (jobtype != 'B')
            bk_close_handoff(&c->bk);   /* estimates and restores read no file data */
    } else {
        c->bk.want_handoff = jobtype == 'B';     /* estimates and restores read no file data */
        if (bk_spawn(&c->bk, path, err, sizeof err) != 0) {
            phpc_jmsg(c->bctx, PM_FATAL, "%s", err);
            c->state = ST_FAILED;
            return -1;
        }
    }
    ptc_reader_reset(&c->rd, bk_read, &c->bk);
    c->bk.timeout_s = c->params.timeout > 0 ? (int)c->params.timeout : PHPC_IO_TIMEOUT_S;
    c->jobtype = jobtype;
    c->state = jobtype == 'R' ? ST_RESTORE : ST_STREAM;

    /* 1: Hello */
    sess_doing(c, "answering Hello");
    if (sess_send_text(c, "Hello " PHPC_NAME " " PROTOCOL_VERSION) != 0 ||
        sess_recv(c, &f, "C") != 0)
        return -1;
    if (!text_is(&f, "Hello Bacula " PROTOCOL_VERSION)) {
        char q[256];

        phpc_jmsg(c->bctx, PM_FATAL, "wrong backend response to Hello: \"%s\"",
                  sess_q((const char *)f.data, f.len, q, sizeof q));
        kill_backend(c);
        return -1;
    }
    /* 2: Job block */
    sess_doing(c, "answering the Job block");
    c->end_status = false;
    if (send_job(c) != 0 || sess_recv(c, &f, "CF") != 0)
        return -1;
    if (f.letter == 'C') {
        if (!text_is(&f, "EndStatus " PROTOCOL_VERSION)) {
            char q[256];

            sess_protocol_error(c, "unexpected reply \"%s\" to the Job block",
                                sess_q((const char *)f.data, f.len, q, sizeof q));
            return -1;
        }
        if (sess_recv(c, &f, "F") != 0)
            return -1;
        c->end_status = true;
    }
    /* 3: Params block, validated pairs in string order, unescaped */
    sess_doing(c, "answering the Params block");
    if (sess_send_text(c, "Params") != 0)
        return -1;
    for (size_t i = 0; i < c->params.count; i++)
        if (send_line(c, c->params.items[i].key, c->params.items[i].value) != 0)
            return -1;
    if (sess_send(c, 'F', NULL, 0) != 0 || sess_recv(c, &f, "F") != 0)
        return -1;
    /* 4: BackupStart / EstimateStart / RestoreStart; a backend that agrees to
     * the pipelined restore says "C Pipeline 1" before its F (§5.1) */
    sess_doing(c, "answering %s", start);
    if (sess_send_text(c, start) != 0 || sess_recv(c, &f, jobtype == 'R' ? "CF" : "F") != 0)
        return -1;
    if (f.letter == 'C') {
        if (!text_is(&f, "Pipeline " PROTOCOL_VERSION)) {
            char q[256];

            sess_protocol_error(c, "unexpected reply \"%s\" to RestoreStart",
                                sess_q((const char *)f.data, f.len, q, sizeof q));
            return -1;
        }
        if (sess_recv(c, &f, "F") != 0)
            return -1;
        if (c->wbuf == NULL && (c->wbuf = malloc(PHPC_WBUF_CAP)) == NULL) {
            phpc_jmsg(c->bctx, PM_FATAL, "out of memory");
            kill_backend(c);
            return -1;
        }
        c->wlen = 0;
        c->pipelined = true;
        c->bk.on_readable = on_backend_output;
        c->bk.rd_arg = c;
    }
    if (jobtype == 'R')
        sess_doing(c, "waiting for the first restored file");
    else
        sess_doing(c, "sending the first file record");
    return 0;
}

/* ---- end of job --------------------------------------------------------- */

/*
 * The END command (docs/ptcomm.md §6): "END <status> <errors>" for a backend
 * that agreed to EndStatus, else a bare "END".  status: the FD's job status
 * letter (bVarJobStatus, docs/abi.md §5.1; '?' if the FD gives none), errors:
 * the error and fatal messages the shim posted in this job so far.
 */
static void end_command(phpc_ctx *c, char *buf, size_t n)
{
    int st = 0;

    if (!c->end_status) {
        snprintf(buf, n, "END");
        return;
    }
    if (phpc_get_int(c->bctx, PV_JOB_STATUS, &st) != 0 || st <= ' ' || st > '~')
        st = '?';
    snprintf(buf, n, "END %c %lu", st, (unsigned long)c->errors_posted);
}

void sess_end(phpc_ctx *c)
{
    bool clean = c->state == ST_STREAM_DONE || c->state == ST_RESTORE ||
                 c->state == ST_FINISHED;

    end_early(c);                       /* spawned early, never started: the job ended before its command */

    if (clean && !bk_is_canceled(&c->bk)) {
        ptc_frame f;
        char end[64];

        /* END -> F, then T: the backend exits 0 (docs/ptcomm.md §6) */
        sess_doing(c, "ending the job");
        end_command(c, end, sizeof end);
        if (sess_send_text(c, end) == 0 && sess_recv(c, &f, "F") == 0 &&
            sess_send(c, 'T', NULL, 0) == 0 && flush_frames(c, false) == 0) {
            char st[64];

            bk_close_input(&c->bk);
            bk_drain_stderr(&c->bk, PHPC_EXIT_GRACE_MS);    /* EOF when it exits */
            reap_backend(c);
            if (c->bk.killed_by_us)
                phpc_jmsg(c->bctx, PM_WARNING,
                          "backend did not exit within %d s after T; killed it",
                          PHPC_EXIT_GRACE_MS / 1000);
            else if (!c->bk.have_status || !WIFEXITED(c->bk.status) ||
                     WEXITSTATUS(c->bk.status) != 0)
                phpc_jmsg(c->bctx, PM_WARNING, "backend ended with %s after T",
                          bk_status_str(&c->bk, st, sizeof st));
        }
    }
    /* Not at a clean point (failure, cancel, job ended mid-stream): the
     * backend may be busy walking, so do not wait for an END answer. */
    if (bk_has_child(&c->bk))
        kill_backend(c);
    backup_release(c);                  /* a handed-off file the FD did not finish */
    c->state = ST_NONE;
    c->pipelined = false;
    c->wlen = 0;
    c->bk.on_readable = NULL;
}
