/*
 * backend.c - backend child process management.
 *
 * Facts relied on (docs/abi.md §4.2): bacula-fd sends SIGUSR2 to job threads on
 * cancel and handles SIGCHLD with a no-op handler, both without SA_RESTART,
 * so every blocking call here may fail with EINTR and is retried; the FD
 * ignores SIGPIPE, so writing to a dead backend fails with EPIPE instead of
 * killing the daemon; the FD does not reap children for us.  Other jobs may
 * fork concurrently, so every descriptor we open is O_CLOEXEC.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "backend.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int64_t now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static void close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);     /* no retry on EINTR: Linux always frees the fd */
        *fd = -1;
    }
}

void bk_init(phpc_backend *b, phpc_line_fn on_stderr, void *cb_arg)
{
    memset(b, 0, sizeof *b);
    pthread_mutex_init(&b->lock, NULL);
    b->to_fd = b->from_fd = b->err_fd = b->hand_fd = -1;
    b->timeout_s = PHPC_IO_TIMEOUT_S;
    b->kill_wait_ms = PHPC_KILL_WAIT_MS;
    b->on_stderr = on_stderr;
    b->cb_arg = cb_arg;
}

void bk_close_handoff(phpc_backend *b)
{
    close_fd(&b->hand_fd);
}

void bk_destroy(phpc_backend *b)
{
    if (bk_has_child(b))
        bk_reap(b, SIGKILL, 0);
    close_fd(&b->to_fd);
    close_fd(&b->from_fd);
    close_fd(&b->err_fd);
    close_fd(&b->hand_fd);
    pthread_mutex_destroy(&b->lock);
}

/* ---- spawning ----------------------------------------------------------- */

static void write_str(int fd, const char *s)
{
    ssize_t r;
    size_t n = strlen(s);

    while (n > 0 && ((r = write(fd, s, n)) > 0 || errno == EINTR)) {
        if (r > 0) {
            s += r;
            n -= (size_t)r;
        }
    }
}

/* Close every fd >= from (async-signal-safe). */
static void close_from(int from)
{
#ifdef SYS_close_range
    if (syscall(SYS_close_range, (unsigned)from, ~0U, 0U) == 0)
        return;
#endif
    {
        struct rlimit rl;
        long max = 65536;

        if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
            rl.rlim_cur < (rlim_t)(1L << 20))
            max = (long)rl.rlim_cur;
        for (long fd = from; fd < max; fd++)
            close((int)fd);
    }
}

/*
 * glibc refuses sigaction() on the two real-time signals it reserves for
 * itself (32 and 33); an inherited "ignore" on them would survive exec, so
 * reset them with the raw system call (x86-64 kernel struct sigaction).
 */
static void reset_reserved_signal(int sig)
{
#ifdef SYS_rt_sigaction
    struct {
        void (*handler)(int);
        unsigned long flags;
        void (*restorer)(void);
        unsigned long mask;
    } ksa = { SIG_DFL, 0, NULL, 0 };

    syscall(SYS_rt_sigaction, sig, &ksa, NULL, sizeof ksa.mask);
#else
    (void)sig;
#endif
}

/* In the child after fork(): only async-signal-safe calls. Never returns.
 * hand_fd >= 0: it becomes PHPC_HANDOFF_FD. */
static void child_exec(int in_fd, int out_fd, int err_fd, int hand_fd, const char *path,
                       char *const argv[], char *const envp[])
{
    struct sigaction sa;
    sigset_t empty;
    int t0, t1, t2, th = -1;
    char num[16];
    int e, i;

    /* Default dispositions for every signal (the FD ignores SIGPIPE and
     * handles others; ignored dispositions would survive exec), then an
     * empty mask (the parent blocked everything around fork). */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sigaction(sig, &sa, NULL) != 0 && sig != SIGKILL && sig != SIGSTOP)
            reset_reserved_signal(sig);
    }
    sigemptyset(&empty);
    sigprocmask(SIG_SETMASK, &empty, NULL);

    /* Move the ends above PHPC_HANDOFF_FD first so that dup2 onto 0/1/2/4
     * never sees src == dst (which would keep FD_CLOEXEC), then close all
     * the rest. */
    t0 = fcntl(in_fd, F_DUPFD, PHPC_HANDOFF_FD + 1);
    t1 = fcntl(out_fd, F_DUPFD, PHPC_HANDOFF_FD + 1);
    t2 = fcntl(err_fd, F_DUPFD, PHPC_HANDOFF_FD + 1);
    if (hand_fd >= 0)
        th = fcntl(hand_fd, F_DUPFD, PHPC_HANDOFF_FD + 1);
    if (t0 < 0 || t1 < 0 || t2 < 0 || (hand_fd >= 0 && th < 0) || dup2(t0, 0) < 0 ||
        dup2(t1, 1) < 0 || dup2(t2, 2) < 0 || (th >= 0 && dup2(th, PHPC_HANDOFF_FD) < 0))
        _exit(127);
    if (th >= 0) {
        for (int fd = 3; fd < PHPC_HANDOFF_FD; fd++)
            close(fd);
        close_from(PHPC_HANDOFF_FD + 1);
    } else {
        close_from(3);
    }

    execve(path, argv, envp);
    e = errno;
    i = (int)sizeof num - 1;
    num[i] = '\0';
    do {
        num[--i] = (char)('0' + e % 10);
        e /= 10;
    } while (e > 0 && i > 0);
    write_str(2, "podheitor-hpc: cannot execute the backend, errno ");
    write_str(2, num + i);
    write_str(2, "\n");
    _exit(127);
}

/* ---- may this file run as the backend? ---------------------------------- */

/* s for a message inside "...": '"' '\\' and control bytes escaped, cut with
 * "..." to fit (paths are bytes; other bytes are kept). */
static const char *qpath(const char *s, char *buf, size_t bufsz)
{
    size_t o = 0;

    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char tmp[5];
        size_t tl = 1;

        if (*p == '"' || *p == '\\') {
            tmp[0] = '\\';
            tmp[1] = (char)*p;
            tl = 2;
        } else if (*p < 0x20 || *p == 0x7f) {
            snprintf(tmp, sizeof tmp, "\\x%02x", *p);
            tl = 4;
        } else {
            tmp[0] = (char)*p;
        }
        if (o + tl + 4 > bufsz) {
            memcpy(buf + o, "...", 3);
            o += 3;
            break;
        }
        memcpy(buf + o, tmp, tl);
        o += tl;
    }
    buf[o] = '\0';
    return buf;
}

static const char *const trust_rule =
    "the backend runs as root: it and every directory above it must be owned by root and "
    "not writable by group or others";

static int refuse(char *err, size_t errsz, const char *path, const char *what,
                  const char *comp, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

/* "backend "path" refused: <what> "comp" <reason> (<rule>)" */
static int refuse(char *err, size_t errsz, const char *path, const char *what,
                  const char *comp, const char *fmt, ...)
{
    char qp[600], qc[600], reason[160];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(reason, sizeof reason, fmt, ap);
    va_end(ap);
    snprintf(err, errsz, "backend \"%s\" refused: %s \"%s\" %s (%s)", qpath(path, qp, sizeof qp),
             what, qpath(comp, qc, sizeof qc), reason, trust_rule);
    return -1;
}

/*
 * Check comp (lstat: a symlink is judged as a link, never followed here):
 * owner root or our euid; unless a symlink (whose mode bits mean nothing),
 * not group- or other-writable.  last: comp is the backend itself, which must
 * be a regular file or a symlink; otherwise a directory or a symlink.
 * *is_link tells the caller to resolve the path.
 */
static int check_one(const char *path, const char *comp, bool last, bool *is_link,
                     char *err, size_t errsz)
{
    const char *what = last ? "file" : "directory";
    uid_t euid = geteuid();
    struct stat st;

    if (lstat(comp, &st) != 0)
        return refuse(err, errsz, path, what, comp, "cannot be checked: %s", strerror(errno));
    if (S_ISLNK(st.st_mode)) {
        what = "symlink";
        *is_link = true;
    } else if (last ? !S_ISREG(st.st_mode) : !S_ISDIR(st.st_mode)) {
        return refuse(err, errsz, path, what, comp, "is not a %s",
                      last ? "regular file" : "directory");
    }
    if (st.st_uid != 0 && st.st_uid != euid) {
        if (euid == 0)
            return refuse(err, errsz, path, what, comp, "is owned by uid %u, not by root",
                          (unsigned)st.st_uid);
        return refuse(err, errsz, path, what, comp, "is owned by uid %u, not by root or uid %u",
                      (unsigned)st.st_uid, (unsigned)euid);
    }
    if (S_ISLNK(st.st_mode))
        return 0;
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) == (S_IWGRP | S_IWOTH))
        return refuse(err, errsz, path, what, comp, "is writable by group and others (mode %04o)",
                      (unsigned)(st.st_mode & 07777));
    if (st.st_mode & S_IWGRP)
        return refuse(err, errsz, path, what, comp, "is group-writable (mode %04o)",
                      (unsigned)(st.st_mode & 07777));
    if (st.st_mode & S_IWOTH)
        return refuse(err, errsz, path, what, comp, "is writable by others (mode %04o)",
                      (unsigned)(st.st_mode & 07777));
    return 0;
}

/* Check p and every prefix of it that the kernel walks through, up to "/"
 * (lexically: "/a/b/../c" checks "/a/b/..", "/a/b", "/a" and "/" too). */
static int check_chain(const char *path, const char *p, bool *saw_link, char *err, size_t errsz)
{
    char buf[PATH_MAX];
    size_t n = strlen(p);
    bool last = true;

    if (n == 0 || n >= sizeof buf || p[0] != '/')
        return refuse(err, errsz, path, "file", p, "is not an absolute path shorter than %d bytes",
                      PATH_MAX);
    memcpy(buf, p, n + 1);
    for (;;) {
        while (n > 1 && buf[n - 1] == '/')     /* "/a/b/" -> "/a/b" */
            buf[--n] = '\0';
        if (check_one(path, buf, last, saw_link, err, errsz) != 0)
            return -1;
        if (n == 1)
            return 0;                           /* "/" checked */
        while (n > 1 && buf[n - 1] != '/')     /* drop the last component */
            n--;
        buf[n] = '\0';
        last = false;
    }
}

int bk_check_trusted(const char *path, char *err, size_t errsz)
{
    char real[PATH_MAX];
    bool saw_link = false, ignored = false;

    if (check_chain(path, path, &saw_link, err, errsz) != 0)
        return -1;
    if (!saw_link)
        return 0;
    /* a symlink on the way: the file that really runs, and its directories */
    if (realpath(path, real) == NULL)
        return refuse(err, errsz, path, "file", path, "cannot be resolved: %s", strerror(errno));
    return check_chain(path, real, &ignored, err, errsz);
}

/*
 * Both protocol pipes get BK_PIPE_SIZE bytes instead of the default 64 KiB
 * (docs/ptcomm.md §1).  With 64 KiB a 64 KiB D packet plus its header never
 * fits: the backend's write blocks on every packet and the two sides take
 * turns (measured: one poll + one EAGAIN per packet, STRESS_RESULTS.md
 * "Large files: the bytes path").  Best effort: an unprivileged FD is capped at
 * /proc/sys/fs/pipe-max-size (1 MiB by default) and a failure keeps 64 KiB.
 */
#define BK_PIPE_SIZE (1024 * 1024)

/* SO_SNDBUF of the backend's end of the handoff socket (see bk_spawn). */
#define BK_HANDOFF_SNDBUF (16 * 1024)

static void widen_pipe(int fd)
{
    (void)fcntl(fd, F_SETPIPE_SZ, BK_PIPE_SIZE);
}

int bk_spawn(phpc_backend *b, const char *path, char *err, size_t errsz)
{
    int in[2] = { -1, -1 }, out[2] = { -1, -1 }, errp[2] = { -1, -1 }, hs[2] = { -1, -1 };
    char *argv[2] = { (char *)path, NULL };
    sigset_t all, old;
    pid_t pid;
    int e;

    if (access(path, X_OK) != 0) {
        snprintf(err, errsz, "backend \"%s\" is not executable: %s", path, strerror(errno));
        return -1;
    }
    if (bk_check_trusted(path, err, errsz) != 0)
        return -1;
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0 || pipe2(errp, O_CLOEXEC) != 0) {
        snprintf(err, errsz, "cannot create pipes for the backend: %s", strerror(errno));
        goto fail;
    }
    /* Our ends are non-blocking: every wait goes through poll() so that the
     * timeout and stderr forwarding work while a pipe is full or empty. */
    if (fcntl(in[1], F_SETFL, O_NONBLOCK) != 0 || fcntl(out[0], F_SETFL, O_NONBLOCK) != 0 ||
        fcntl(errp[0], F_SETFL, O_NONBLOCK) != 0) {
        snprintf(err, errsz, "cannot set up pipes for the backend: %s", strerror(errno));
        goto fail;
    }
    widen_pipe(in[1]);
    widen_pipe(out[0]);
    /* the handoff socket: ours hs[0] (read with MSG_DONTWAIT only), the
     * backend's hs[1] (close-on-exec here, made fd 4 in the child) */
    if (b->want_handoff && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, hs) != 0) {
        snprintf(err, errsz, "cannot create the handoff socket for the backend: %s", strerror(errno));
        goto fail;
    }
    if (hs[1] >= 0) {
        /* A message waits in our queue until the shim reaches its H packet,
         * holding an open file: the backend's send buffer bounds how many
         * (about 20 at 16 KiB; the default ~200 KiB would allow hundreds).
         * Best effort: the default works too. */
        int sndbuf = BK_HANDOFF_SNDBUF;

        (void)setsockopt(hs[1], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
    }

    /* Block all signals across fork so the child cannot run one of the FD's
     * handlers before it has reset them. */
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    pid = fork();
    if (pid == 0)
        child_exec(in[0], out[1], errp[1], hs[1], path, argv, environ);
    e = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (pid < 0) {
        snprintf(err, errsz, "cannot fork the backend: %s", strerror(e));
        goto fail;
    }

    close(in[0]);
    close(out[1]);
    close(errp[1]);
    close_fd(&hs[1]);
    close_fd(&b->hand_fd);
    b->hand_fd = hs[0];
    pthread_mutex_lock(&b->lock);
    b->pid = pid;
    pthread_mutex_unlock(&b->lock);
    b->to_fd = in[1];
    b->from_fd = out[0];
    b->err_fd = errp[0];
    b->errlen = 0;
    b->have_status = false;
    b->killed_by_us = false;
    b->abandoned = 0;
    b->reaper_err = 0;
    return 0;

fail:
    for (int i = 0; i < 2; i++) {
        close_fd(&in[i]);
        close_fd(&out[i]);
        close_fd(&errp[i]);
        close_fd(&hs[i]);
    }
    return -1;
}

/* ---- stderr ------------------------------------------------------------- */

static void emit_line(phpc_backend *b)
{
    if (b->on_stderr)
        b->on_stderr(b->cb_arg, b->errline, b->errlen);
    b->errlen = 0;
}

/* Read what is available on the stderr pipe; forward complete lines. */
static void read_stderr(phpc_backend *b)
{
    char tmp[4096];

    for (;;) {
        ssize_t n = read(b->err_fd, tmp, sizeof tmp);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return;                     /* EAGAIN: nothing more for now */
        if (n == 0) {                   /* EOF: flush a last partial line */
            if (b->errlen > 0)
                emit_line(b);
            close_fd(&b->err_fd);
            return;
        }
        for (ssize_t i = 0; i < n; i++) {
            if (tmp[i] == '\n') {
                emit_line(b);
                continue;
            }
            if (b->errlen == sizeof b->errline)
                emit_line(b);
            b->errline[b->errlen++] = tmp[i];
        }
    }
}

void bk_drain_stderr(phpc_backend *b, int ms)
{
    int64_t deadline = now_ms() + ms;

    while (b->err_fd >= 0) {
        struct pollfd p = { b->err_fd, POLLIN, 0 };
        int64_t left = deadline - now_ms();
        int r;

        if (left <= 0)
            break;
        r = poll(&p, 1, (int)left);
        if (r < 0 && errno != EINTR)
            break;
        if (r > 0)
            read_stderr(b);
    }
    if (b->errlen > 0)
        emit_line(b);
}

/* ---- protocol IO -------------------------------------------------------- */

/*
 * Wait until fd is ready for events (POLLIN or POLLOUT), forwarding stderr
 * meanwhile; while waiting for POLLOUT, the backend's output is handed to
 * on_readable when it has bytes.  0 when ready, -1 with errno ETIMEDOUT,
 * ECANCELED or on_readable's.
 */
static int wait_fd(phpc_backend *b, int fd, short events, int64_t deadline)
{
    for (;;) {
        struct pollfd p[3] = { { fd, events, 0 }, { b->err_fd, POLLIN, 0 }, { -1, POLLIN, 0 } };
        bool watch_out = events == POLLOUT && b->on_readable != NULL && b->from_fd >= 0;
        int64_t left = deadline - now_ms();
        int r;

        if (bk_is_canceled(b)) {
            errno = ECANCELED;
            return -1;
        }
        if (left <= 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        p[2].fd = watch_out ? b->from_fd : -1;     /* poll ignores a negative fd */
        r = poll(p, 3, left > INT_MAX ? INT_MAX : (int)left);
        if (r < 0) {
            if (errno == EINTR)
                continue;               /* SIGUSR2 / SIGCHLD from the FD */
            return -1;
        }
        if (r == 0)
            continue;
        if (b->err_fd >= 0 && p[1].revents)
            read_stderr(b);
        if (watch_out && p[2].revents && b->on_readable(b->rd_arg) != 0)
            return -1;
        if (p[0].revents)
            return 0;                   /* ready, or HUP/ERR: the IO call tells */
    }
}

ssize_t bk_read(void *arg, void *buf, size_t len)
{
    phpc_backend *b = arg;
    int64_t deadline = now_ms() + (int64_t)b->timeout_s * 1000;

    if (b->from_fd < 0) {
        errno = EBADF;
        return -1;
    }
    for (;;) {
        ssize_t n = read(b->from_fd, buf, len);

        if (n >= 0)
            return n;
        if (errno != EINTR && errno != EAGAIN)
            return -1;
        if (errno == EAGAIN && b->nonblock)
            return -1;                  /* errno EAGAIN: nothing there now */
        if (errno == EAGAIN && wait_fd(b, b->from_fd, POLLIN, deadline) != 0)
            return -1;
    }
}

int bk_write(void *arg, const void *buf, size_t len)
{
    phpc_backend *b = arg;
    const char *p = buf;
    int64_t deadline = now_ms() + (int64_t)b->timeout_s * 1000;

    if (b->to_fd < 0) {
        errno = EPIPE;
        return -1;
    }
    while (len > 0) {
        ssize_t n;

        if (bk_is_canceled(b)) {
            errno = ECANCELED;
            return -1;
        }
        n = write(b->to_fd, p, len);
        if (n > 0) {
            p += n;
            len -= (size_t)n;
            deadline = now_ms() + (int64_t)b->timeout_s * 1000;    /* progress */
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN) {
            if (wait_fd(b, b->to_fd, POLLOUT, deadline) != 0)
                return -1;
            continue;
        }
        return -1;                      /* EPIPE: the backend is gone */
    }
    return 0;
}

void bk_close_input(phpc_backend *b)
{
    close_fd(&b->to_fd);
}

/* ---- the handoff socket ------------------------------------------------- */

enum bk_handoff bk_recv_handoff(phpc_backend *b, unsigned char tag[PHPC_HANDOFF_TAG], int *fd,
                                int *nfds, size_t *len)
{
    /* room for more than one descriptor, so that extra ones are received (and
     * closed) instead of being dropped as MSG_CTRUNC */
    union {
        struct cmsghdr h;
        char space[CMSG_SPACE(sizeof(int) * 8)];
    } ctl;
    unsigned char data[PHPC_HANDOFF_TAG + 1];
    struct iovec iov = { data, sizeof data };
    struct msghdr m;
    int got[64], n = 0;
    ssize_t r;

    *fd = -1;
    *nfds = 0;
    *len = 0;
    if (b->hand_fd < 0) {
        errno = EBADF;
        return BK_HO_ERR;
    }
    memset(&m, 0, sizeof m);
    memset(&ctl, 0, sizeof ctl);
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = ctl.space;
    m.msg_controllen = sizeof ctl.space;
    do {
        r = recvmsg(b->hand_fd, &m, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    } while (r < 0 && errno == EINTR);
    if (r < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK ? BK_HO_NONE : BK_HO_ERR;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c)) {
        size_t k;

        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS || c->cmsg_len < CMSG_LEN(0))
            continue;
        k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < k && n < (int)(sizeof got / sizeof got[0]); i++)
            memcpy(&got[n++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
    }
    *nfds = n;
    *len = (size_t)r;
    if (r == 0 && n == 0 && !(m.msg_flags & MSG_CTRUNC))
        return BK_HO_EOF;
    if (n != 1 || r != PHPC_HANDOFF_TAG || (m.msg_flags & (MSG_CTRUNC | MSG_TRUNC))) {
        for (int i = 0; i < n; i++)
            close(got[i]);
        if (m.msg_flags & MSG_TRUNC)
            *len = sizeof data;         /* at least that long */
        return BK_HO_BAD;
    }
    memcpy(tag, data, PHPC_HANDOFF_TAG);
    *fd = got[0];
    return BK_HO_OK;
}

/* ---- reaping and cancel ------------------------------------------------- */

/* The background reaper of one pid: waits for exactly that child (never
 * waitpid(-1): the FD's and other plugins' children are not ours). */
static void *reaper_main(void *arg)
{
    pid_t pid = (pid_t)(intptr_t)arg;

    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
    return NULL;
}

/*
 * Hand pid to a detached reaper thread.  All signals are blocked in it, so
 * the FD's process-directed signals still go to the FD's own threads.  The
 * thread may outlive the job (and the plugin's dlclose: the .so is linked
 * -z nodelete, so its code stays mapped).  0 or the pthread_create error.
 */
static int start_reaper(pid_t pid)
{
    pthread_attr_t attr;
    pthread_t t;
    sigset_t all, old;
    int e;

    if ((e = pthread_attr_init(&attr)) != 0)
        return e;
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    e = pthread_create(&t, &attr, reaper_main, (void *)(intptr_t)pid);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    return e;
}

void bk_reap(phpc_backend *b, int sig, int grace_ms)
{
    int64_t deadline;
    pid_t pid;
    int st = 0;

    close_fd(&b->to_fd);
    close_fd(&b->from_fd);
    close_fd(&b->err_fd);
    close_fd(&b->hand_fd);          /* descriptors still queued in it are released */
    b->errlen = 0;
    b->abandoned = 0;                   /* reported once, by the caller of the reap that left it */

    pthread_mutex_lock(&b->lock);
    pid = b->pid;
    if (pid > 0 && sig != 0)
        kill(pid, sig);
    pthread_mutex_unlock(&b->lock);
    if (pid <= 0)
        return;

    /* Poll with WNOHANG under the lock: the pid is cleared in the same
     * critical section in which it is reaped, so bk_cancel can never signal
     * a recycled pid. */
    deadline = now_ms() + grace_ms;
    for (;;) {
        pid_t r;

        pthread_mutex_lock(&b->lock);
        r = waitpid(pid, &st, WNOHANG);
        if (r == pid || (r < 0 && errno == ECHILD)) {
            b->pid = 0;
            pthread_mutex_unlock(&b->lock);
            b->have_status = (r == pid);
            b->status = st;
            return;
        }
        pthread_mutex_unlock(&b->lock);
        if (now_ms() >= deadline)
            break;
        sleep_ms(10);
    }

    /* Still there: SIGKILL, then a bounded wait outside the lock (pid is
     * cleared first so a concurrent cancel does not signal it again; an
     * unreaped child keeps its pid, so nobody else can get it meanwhile).
     * A process blocked in the kernel (D state: a request to a hung
     * parallel-FS server) ignores SIGKILL until that request ends, which may
     * be never: a blocking waitpid here would hang the FD's job thread. */
    pthread_mutex_lock(&b->lock);
    kill(pid, SIGKILL);
    b->pid = 0;
    pthread_mutex_unlock(&b->lock);
    b->killed_by_us = true;
    deadline = now_ms() + b->kill_wait_ms;
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);

        if (r == pid) {
            b->have_status = true;
            b->status = st;
            return;
        }
        if (r < 0 && errno != EINTR) {
            b->have_status = false;
            return;
        }
        if (r == 0 && now_ms() >= deadline)
            break;
        if (r == 0)
            sleep_ms(10);
    }
    /* Not reapable in time: a detached thread waits for it, so that it does
     * not stay a zombie once it finally exits.  The caller reports it. */
    b->have_status = false;
    b->abandoned = pid;
    b->reaper_err = start_reaper(pid);
}

void bk_signal(phpc_backend *b, int sig)
{
    pthread_mutex_lock(&b->lock);
    if (b->pid > 0)
        kill(b->pid, sig);
    pthread_mutex_unlock(&b->lock);
}

void bk_cancel(phpc_backend *b)
{
    pthread_mutex_lock(&b->lock);
    b->canceled = true;
    if (b->pid > 0)
        kill(b->pid, SIGTERM);          /* the backend exits on SIGTERM */
    pthread_mutex_unlock(&b->lock);
}

bool bk_is_canceled(phpc_backend *b)
{
    bool c;

    pthread_mutex_lock(&b->lock);
    c = b->canceled;
    pthread_mutex_unlock(&b->lock);
    return c;
}

bool bk_has_child(phpc_backend *b)
{
    bool c;

    pthread_mutex_lock(&b->lock);
    c = b->pid > 0;
    pthread_mutex_unlock(&b->lock);
    return c;
}

const char *bk_status_str(const phpc_backend *b, char *buf, size_t n)
{
    if (!b->have_status)
        snprintf(buf, n, "exit status unknown");
    else if (WIFEXITED(b->status))
        snprintf(buf, n, "exit status %d", WEXITSTATUS(b->status));
    else if (WIFSIGNALED(b->status))
        snprintf(buf, n, "killed by signal %d", WTERMSIG(b->status));
    else
        snprintf(buf, n, "wait status 0x%x", (unsigned)b->status);
    return buf;
}
