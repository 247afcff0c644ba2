/*
 * backend.h - the backend child process: spawn, pipe IO with stderr
 * forwarding and a timeout, reaping, and cancel.
 *
 * Independent of Bacula: stderr lines go to a callback, so this file only
 * needs libc and pthreads.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef PHPC_BACKEND_H
#define PHPC_BACKEND_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * How long one read or write may wait without progress before the job fails
 * with "backend did not answer within N s": the default of the plugin key
 * timeout (docs/ptcomm.md §1).
 */
#define PHPC_IO_TIMEOUT_S 300

/* Grace period between "please exit" (T / EOF / SIGTERM) and SIGKILL. */
#define PHPC_EXIT_GRACE_MS 5000

/*
 * How long bk_reap waits for the exit after SIGKILL.  A process blocked in
 * the kernel (D state: a request to a hung parallel-FS server) ignores
 * SIGKILL until that request ends; after this bound it is left to a
 * background reaper thread instead of blocking the FD's job thread.
 * Overridable at build time (the test .so uses a short one).
 */
#ifndef PHPC_KILL_WAIT_MS
#define PHPC_KILL_WAIT_MS 5000
#endif

#define PHPC_ERRLINE_MAX 1024       /* longer stderr lines are split */

/*
 * The handoff socket (docs/ptcomm.md §4.1c): with want_handoff, bk_spawn
 * creates an AF_UNIX SOCK_SEQPACKET socket pair and gives the backend its end
 * as this descriptor (fd 3 is taken by the launcher, which moves the protocol
 * pipe there); the shim names it in the Job line Handoff=4.
 */
#define PHPC_HANDOFF_FD 4
/* The payload of an H packet and of a handoff message: the handoff number. */
#define PHPC_HANDOFF_TAG 8

typedef void (*phpc_line_fn)(void *arg, const char *line, size_t len);

typedef struct phpc_backend {
    /* lock guards pid and canceled: the cancel event arrives on another
     * thread (docs/abi.md §4.1, §7.8) and must never signal a reaped pid */
    pthread_mutex_t lock;
    pid_t pid;                  /* > 0 while a child exists and is not reaped */
    bool canceled;

    int to_fd;                  /* our end of the backend's stdin, or -1 */
    int from_fd;                /* our end of the backend's stdout, or -1 */
    int err_fd;                 /* our end of the backend's stderr, or -1 */
    bool want_handoff;          /* bk_spawn: create the handoff socket (a backup) */
    int hand_fd;                /* our end of the handoff socket, or -1 */
    int timeout_s;

    phpc_line_fn on_stderr;     /* called for every stderr line */
    void *cb_arg;
    /* While bk_write waits for room in the backend's input: called when the
     * backend's output has bytes (or hung up), so that both pipes can never
     * be full at once (the pipelined restore, docs/ptcomm.md §5.1).  Returns
     * 0 to go on waiting, -1 to fail the write (errno set by it).  NULL: the
     * output is not watched during writes. */
    int (*on_readable)(void *arg);
    void *rd_arg;
    bool nonblock;              /* bk_read: -1/EAGAIN at once when nothing is there */
    char errline[PHPC_ERRLINE_MAX];
    size_t errlen;

    bool have_status;           /* after bk_reap: wait status known */
    int status;
    bool killed_by_us;          /* after bk_reap: we had to send SIGKILL */
    int kill_wait_ms;           /* bound on the wait after SIGKILL (PHPC_KILL_WAIT_MS) */
    pid_t abandoned;            /* after bk_reap: the pid that did not exit within
                                 * kill_wait_ms after SIGKILL (left to a reaper
                                 * thread), else 0 */
    int reaper_err;             /* with abandoned: 0, or the pthread_create error
                                 * (then nobody reaps it: a zombie once it exits) */
} phpc_backend;

void bk_init(phpc_backend *b, phpc_line_fn on_stderr, void *cb_arg);
/* Kills and reaps a child that is still there, closes pipes, destroys the lock. */
void bk_destroy(phpc_backend *b);

/*
 * May path be executed as the backend?  It runs with the FD's privileges
 * (root), so the file and every directory above it, up to "/", must be owned
 * by root (or by the FD's own uid when it does not run as root) and not
 * writable by group or others; a symlink (the last component or a directory
 * on the way) is followed with realpath() and the real file and all of its
 * directories are checked too.  The file must be a regular file.  0, or -1
 * with "backend \"path\" refused: ..." naming the offending path and the
 * reason in err.
 */
int bk_check_trusted(const char *path, char *err, size_t errsz);

/*
 * Start path with argv {path, NULL} after access(X_OK) and bk_check_trusted:
 * fd 0/1/2 are pipes to us, with want_handoff fd PHPC_HANDOFF_FD the
 * backend's end of the handoff socket, every other fd closed, default signal
 * dispositions, empty signal mask, inherited environment.  0, or -1 with a
 * message in err.
 */
int bk_spawn(phpc_backend *b, const char *path, char *err, size_t errsz);

/* What bk_recv_handoff found. */
enum bk_handoff {
    BK_HO_OK,           /* exactly one descriptor and an 8-byte tag */
    BK_HO_NONE,         /* no message waiting (the backend sent H without one) */
    BK_HO_EOF,          /* the backend closed its end */
    BK_HO_BAD,          /* not exactly one descriptor, truncated, or a tag that is not 8 bytes;
                         * every descriptor it carried is closed */
    BK_HO_ERR           /* recvmsg failed: errno */
};

/*
 * Take the next handoff message without waiting (the backend sends it before
 * the H packet, so it is there): *fd = the descriptor (close-on-exec, ours to
 * close), tag = its 8 bytes.  *nfds / *len: what the message carried (for a
 * BK_HO_BAD message).
 */
enum bk_handoff bk_recv_handoff(phpc_backend *b, unsigned char tag[PHPC_HANDOFF_TAG], int *fd,
                                int *nfds, size_t *len);

/* ptc_read_fn / ptc_write_fn on the pipes (arg = phpc_backend *).  Errors:
 * ETIMEDOUT (no progress for timeout_s), ECANCELED (job canceled), EPIPE...;
 * bk_read with nonblock set: EAGAIN when no byte is there; bk_write: what
 * on_readable set when it failed. */
ssize_t bk_read(void *arg, void *buf, size_t len);
int bk_write(void *arg, const void *buf, size_t len);

/* Close our end of the handoff socket (a backend spawned for a backup that
 * turned out to be an estimate or a restore). */
void bk_close_handoff(phpc_backend *b);
/* Close our end of the backend's stdin (the backend then sees EOF). */
void bk_close_input(phpc_backend *b);
/* Forward stderr until EOF or for at most ms milliseconds. */
void bk_drain_stderr(phpc_backend *b, int ms);

/*
 * Close the pipes, send sig (0: none), wait up to grace_ms for the exit, then
 * SIGKILL and wait up to kill_wait_ms.  Fills have_status/status/killed_by_us.
 * Returns within grace_ms + kill_wait_ms (plus polling slack) in every case:
 * a child that is still not reapable then (abandoned = its pid) is handed to
 * a detached thread that waits for that pid only (never waitpid(-1)), so no
 * zombie stays once it finally exits.  Either way the child is no longer
 * ours afterwards (bk_has_child false, bk_signal/bk_cancel do nothing).
 */
void bk_reap(phpc_backend *b, int sig, int grace_ms);

/* Send sig to a live, unreaped child (no-op otherwise). */
void bk_signal(phpc_backend *b, int sig);

/* From any thread: mark canceled and SIGTERM a live child. */
void bk_cancel(phpc_backend *b);
bool bk_is_canceled(phpc_backend *b);
bool bk_has_child(phpc_backend *b);

/* "exit status N" / "killed by signal N" / "exit status unknown". */
const char *bk_status_str(const phpc_backend *b, char *buf, size_t n);

#endif
