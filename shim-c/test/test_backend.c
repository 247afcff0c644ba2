/*
 * test_backend.c - backend.c on its own: how the child is started (fds,
 * signal mask and dispositions), the read timeout, EPIPE on a dead backend,
 * reaping, and cancel on a reaped pid.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "check.h"

static char be[PATH_MAX];
static int lines;
static char last_line[256];

static void on_line(void *arg, const char *line, size_t len)
{
    (void)arg;
    lines++;
    snprintf(last_line, sizeof last_line, "%.*s", (int)len, line);
}

static void noop(int sig) { (void)sig; }

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Read until EOF into buf. */
static size_t read_all(phpc_backend *b, char *buf, size_t cap)
{
    size_t got = 0;

    for (;;) {
        ssize_t n = bk_read(b, buf + got, cap - 1 - got);

        if (n <= 0)
            break;
        got += (size_t)n;
    }
    buf[got] = '\0';
    return got;
}

static void test_child_environment(void)
{
    phpc_backend b;
    char err[512], out[1024], st[64];
    sigset_t block;
    int leak = open("/dev/null", O_RDONLY);     /* no O_CLOEXEC: must not leak */
    struct sigaction sa;

    /* the parent looks like bacula-fd: SIGPIPE ignored, SIGUSR2 handled,
     * and this thread has some signals blocked */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = noop;
    sigaction(SIGUSR2, &sa, NULL);
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigaddset(&block, SIGTERM);
    sigprocmask(SIG_BLOCK, &block, NULL);

    setenv("PHPC_FAKE_MODE", "envcheck", 1);
    bk_init(&b, on_line, NULL);
    CHECK(bk_spawn(&b, be, err, sizeof err) == 0, "spawn: %s", err);
    read_all(&b, out, sizeof out);
    CHECK(strcmp(out, "fds=0,1,2 sigblk=0000000000000000 sigign=0000000000000000\n") == 0,
          "child started clean, got \"%s\"", out);
    CHECK(fcntl(b.from_fd, F_GETFD) & FD_CLOEXEC, "parent ends are close-on-exec");
    bk_reap(&b, 0, 5000);
    CHECK(b.have_status && WIFEXITED(b.status) && WEXITSTATUS(b.status) == 0 && !b.killed_by_us,
          "exit 0: %s", bk_status_str(&b, st, sizeof st));
    CHECK(!bk_has_child(&b), "reaped");
    bk_cancel(&b);                      /* no pid any more: nothing is signalled */
    CHECK(bk_is_canceled(&b), "cancel flag");
    bk_destroy(&b);
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    close(leak);
}

static void test_timeout_and_kill(void)
{
    phpc_backend b;
    char err[512], buf[16], st[64];
    double t0;
    ssize_t n;

    setenv("PHPC_FAKE_MODE", "hang", 1);
    bk_init(&b, on_line, NULL);
    CHECK(bk_spawn(&b, be, err, sizeof err) == 0, "spawn: %s", err);
    b.timeout_s = 1;
    t0 = now();
    n = bk_read(&b, buf, sizeof buf);
    CHECK(n == -1 && errno == ETIMEDOUT, "timeout: n %zd errno %d", n, errno);
    CHECK(now() - t0 >= 0.9 && now() - t0 < 3, "timeout after 1 s (%.2f)", now() - t0);
    bk_reap(&b, SIGTERM, 5000);
    CHECK(b.have_status && WIFSIGNALED(b.status) && WTERMSIG(b.status) == SIGTERM,
          "killed by SIGTERM: %s", bk_status_str(&b, st, sizeof st));
    CHECK_STR(bk_status_str(&b, st, sizeof st), "killed by signal 15");
    bk_destroy(&b);
}

static void test_cancel_and_epipe(void)
{
    phpc_backend b;
    char err[512], buf[16], st[64];
    static char big[1 << 20];
    ssize_t n;

    setenv("PHPC_FAKE_MODE", "hang", 1);
    bk_init(&b, on_line, NULL);
    CHECK(bk_spawn(&b, be, err, sizeof err) == 0, "spawn: %s", err);
    bk_cancel(&b);                      /* SIGTERM to the child, flag set */
    n = bk_read(&b, buf, sizeof buf);
    CHECK(n == -1 && errno == ECANCELED, "read after cancel: %zd errno %d", n, errno);
    bk_reap(&b, 0, 5000);
    CHECK(WIFSIGNALED(b.status) && WTERMSIG(b.status) == SIGTERM, "cancel killed it: %s",
          bk_status_str(&b, st, sizeof st));
    bk_destroy(&b);

    /* writing to a backend that died: EPIPE, not SIGPIPE */
    setenv("PHPC_FAKE_MODE", "exitearly", 1);
    bk_init(&b, on_line, NULL);
    CHECK(bk_spawn(&b, be, err, sizeof err) == 0, "spawn: %s", err);
    bk_signal(&b, SIGKILL);
    usleep(100000);
    errno = 0;
    CHECK(bk_write(&b, big, sizeof big) == -1 && errno == EPIPE, "EPIPE, errno %d", errno);
    bk_reap(&b, 0, 5000);
    CHECK(WIFSIGNALED(b.status) && WTERMSIG(b.status) == SIGKILL, "SIGKILLed");
    bk_destroy(&b);

    /* a missing backend is refused before fork */
    bk_init(&b, on_line, NULL);
    CHECK(bk_spawn(&b, "/nonexistent/backend", err, sizeof err) == -1, "missing backend");
    CHECK_STR(err, "backend \"/nonexistent/backend\" is not executable: No such file or directory");
    bk_destroy(&b);
}

static void test_stderr(void)
{
    phpc_backend b;
    char err[512];

    /* stderr mode writes two lines at start, then waits for Hello */
    setenv("PHPC_FAKE_MODE", "stderr", 1);
    lines = 0;
    bk_init(&b, on_line, NULL);
    CHECK(bk_spawn(&b, be, err, sizeof err) == 0, "spawn: %s", err);
    bk_close_input(&b);                 /* the backend sees EOF and exits */
    bk_drain_stderr(&b, 5000);
    CHECK(lines == 2, "2 stderr lines, got %d", lines);
    CHECK_STR(last_line, "second line without newline");
    bk_reap(&b, 0, 5000);
    CHECK(!bk_has_child(&b), "reaped");
    bk_destroy(&b);
}

int main(int argc, char **argv)
{
    char path[PATH_MAX];

    snprintf(path, sizeof path, "%s/test/fake_backend", argc > 1 ? argv[1] : "build");
    if (realpath(path, be) == NULL)
        return 1;
    test_child_environment();
    test_timeout_and_kill();
    test_cancel_and_epipe();
    test_stderr();
    CHECK(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD, "no child left");
    return check_done("test_backend");
}
