/*
 * test_backend.c - backend.c on its own: how the child is started (fds,
 * signal mask and dispositions), the read timeout, EPIPE on a dead backend,
 * reaping (bounded after SIGKILL: a backend blocked in the kernel on a hung
 * file system is left to a reaper thread), cancel on a reaped pid, and which
 * files may run as the backend
 * (bk_check_trusted: owner and modes of the file and every directory above
 * it, symlinks resolved).
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "check.h"
#include "lfs.h"

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

    /* a backup's backend: also its end of the handoff socket, at fd 4 (fd 3
     * stays free for the launcher), a SOCK_SEQPACKET socket; our end is
     * close-on-exec and released by the reap */
    bk_init(&b, on_line, NULL);
    b.want_handoff = true;
    CHECK(bk_spawn(&b, be, err, sizeof err) == 0, "spawn with handoff: %s", err);
    read_all(&b, out, sizeof out);
    CHECK(strcmp(out, "fds=0,1,2,4 sock4=seqpacket sigblk=0000000000000000 sigign=0000000000000000\n") == 0,
          "child with the handoff socket at 4, got \"%s\"", out);
    CHECK(b.hand_fd >= 0 && (fcntl(b.hand_fd, F_GETFD) & FD_CLOEXEC), "our handoff end is close-on-exec");
    {
        unsigned char tag[PHPC_HANDOFF_TAG];
        int fd = -2, nfds = -1;
        size_t len = 1;

        /* the child exited: its end is closed, nothing was sent */
        CHECK(bk_recv_handoff(&b, tag, &fd, &nfds, &len) == BK_HO_EOF && fd == -1 && nfds == 0 && len == 0,
              "handoff socket at EOF after the child exited (fd %d, %d descriptors)", fd, nfds);
    }
    bk_reap(&b, 0, 5000);
    CHECK(b.hand_fd == -1, "the reap closed the handoff socket");
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

/* SIGTERM ignored: SIGKILL after the grace period, reaped within the bounded wait */
static void test_reap_after_sigkill(void)
{
    phpc_backend b;
    char err[512], st[64];
    double t0, dt;

    setenv("PHPC_FAKE_MODE", "noterm", 1);
    bk_init(&b, on_line, NULL);
    CHECK(b.kill_wait_ms == PHPC_KILL_WAIT_MS, "default kill wait %d", b.kill_wait_ms);
    CHECK(bk_spawn(&b, be, err, sizeof err) == 0, "spawn: %s", err);
    usleep(100000);                     /* let it ignore SIGTERM */
    t0 = now();
    bk_reap(&b, SIGTERM, 300);
    dt = now() - t0;
    CHECK(b.killed_by_us && b.have_status && WIFSIGNALED(b.status) && WTERMSIG(b.status) == SIGKILL,
          "SIGKILLed and reaped: %s", bk_status_str(&b, st, sizeof st));
    CHECK(b.abandoned == 0, "not abandoned (%d)", (int)b.abandoned);
    CHECK(dt >= 0.25 && dt < 2, "after the 300 ms grace (%.2f s)", dt);
    CHECK(!bk_has_child(&b), "reaped");
    bk_destroy(&b);
}

/*
 * A backend blocked in the kernel on a hung file system (test/lfs.h: SIGKILL
 * leaves it in state D): bk_reap returns after grace + kill_wait_ms instead
 * of blocking, reports the pid, and a reaper thread reaps exactly that pid
 * once the file system answers -- no zombie, and another child of ours is
 * left alone (no waitpid(-1)).
 */
static void test_reap_unkillable(void)
{
    const char *why = lfs_available(PHPC_LATENCYFS);
    phpc_backend b;
    struct lfs l;
    char err[512], path[128];
    double t0, dt;
    pid_t pid, other;
    int ost = 0, gone = 0;
    char state;

    if (why != NULL) {
        CHECK_SKIP("the unreapable-backend test (bk_reap on a backend in state D)", "%s", why);
        return;
    }
    if (lfs_mount(&l, PHPC_LATENCYFS) != 0) {
        CHECK(0, "latencyfs mount");
        return;
    }
    /* a child of ours that is not the backend: it must stay for us to reap */
    other = fork();
    if (other == 0)
        _exit(7);

    snprintf(path, sizeof path, "%s/d0", l.mnt);
    setenv("PHPC_FAKE_MODE", "statloop", 1);
    setenv("PHPC_FAKE_PATH", path, 1);
    bk_init(&b, on_line, NULL);
    b.kill_wait_ms = 300;
    CHECK(bk_spawn(&b, be, err, sizeof err) == 0, "spawn: %s", err);
    pid = b.pid;
    CHECK(lfs_wait_blocked(pid, 5000), "premise: the backend waits for the FUSE answer");

    t0 = now();
    bk_reap(&b, SIGTERM, 200);          /* as kill_backend: SIGTERM, grace, SIGKILL */
    dt = now() - t0;
    state = lfs_proc_state(pid);
    CHECK(dt < 1.5, "bk_reap returned after %.2f s (grace 0.2 s + kill wait 0.3 s)", dt);
    CHECK(state == 'D', "premise: SIGKILLed, it is still in the kernel (state '%c')", state ? state : '-');
    CHECK(b.killed_by_us && !b.have_status, "killed by us, no status");
    CHECK(b.abandoned == pid && b.reaper_err == 0, "abandoned pid %d (want %d), reaper error %d",
          (int)b.abandoned, (int)pid, b.reaper_err);
    CHECK(!bk_has_child(&b), "no longer our child to signal");
    bk_cancel(&b);                      /* must not signal the abandoned pid */
    lfs_sleep_ms(500);
    state = lfs_proc_state(pid);
    CHECK(state == 'D', "still blocked 0.5 s later (state '%c')", state ? state : '-');

    /* the file system answers at last: it dies, the reaper thread reaps it */
    lfs_release(&l);
    for (int i = 0; i < 250 && !gone; i++) {
        state = lfs_proc_state(pid);
        gone = state == 0;
        if (!gone)
            lfs_sleep_ms(20);
    }
    CHECK(gone, "reaped by the reaper thread once it could exit (state '%c')", state ? state : '-');
    CHECK(waitpid(other, &ost, 0) == other && WIFEXITED(ost) && WEXITSTATUS(ost) == 7,
          "the other child was left for us (status 0x%x)", (unsigned)ost);
    bk_destroy(&b);
    unsetenv("PHPC_FAKE_PATH");
}

/* ---- which files may run as the backend ----------------------------------- */

static const char rule[] = "the backend runs as root: it and every directory above it must be owned "
                           "by root and not writable by group or others";

/* copy the fake backend to dst with mode (then chmod: the umask does not apply) */
static int copy_backend(const char *dst, mode_t mode)
{
    char buf[65536];
    int in = open(be, O_RDONLY | O_CLOEXEC), out;
    ssize_t n;

    if (in < 0)
        return -1;
    out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0700);
    if (out < 0) {
        close(in);
        return -1;
    }
    while ((n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, (size_t)n) != n)
            n = -1;
    close(in);
    if (close(out) != 0 || n < 0)
        return -1;
    return chmod(dst, mode);
}

static int mkdir_mode(const char *d, mode_t mode)
{
    return mkdir(d, 0700) == 0 ? chmod(d, mode) : -1;
}

/* bk_check_trusted(path) refuses it naming <what> "<comp>" <reason>, and
 * bk_spawn refuses it with the same message without starting anything */
static void expect_refused(const char *path, const char *what, const char *comp, const char *reason)
{
    char err[2048], want[2048];
    phpc_backend b;

    snprintf(want, sizeof want, "backend \"%s\" refused: %s \"%s\" %s (%s)", path, what, comp,
             reason, rule);
    err[0] = '\0';
    CHECK(bk_check_trusted(path, err, sizeof err) == -1, "%s refused", path);
    CHECK_STR(err, want);
    setenv("PHPC_FAKE_MODE", "envcheck", 1);
    bk_init(&b, on_line, NULL);
    err[0] = '\0';
    CHECK(bk_spawn(&b, path, err, sizeof err) == -1 && !bk_has_child(&b), "spawn of %s refused", path);
    CHECK_STR(err, want);
    bk_destroy(&b);
}

/* bk_check_trusted accepts path, and bk_spawn really runs it */
static void expect_accepted(const char *path)
{
    char err[2048] = "", out[256], st[64];
    phpc_backend b;

    CHECK(bk_check_trusted(path, err, sizeof err) == 0, "%s accepted: %s", path, err);
    setenv("PHPC_FAKE_MODE", "envcheck", 1);
    bk_init(&b, on_line, NULL);
    CHECK(bk_spawn(&b, path, err, sizeof err) == 0, "spawn %s: %s", path, err);
    if (bk_has_child(&b)) {
        read_all(&b, out, sizeof out);
        CHECK(strncmp(out, "fds=0,1,2 ", 10) == 0, "%s ran: \"%s\"", path, out);
        bk_reap(&b, 0, 5000);
        CHECK(b.have_status && WIFEXITED(b.status) && WEXITSTATUS(b.status) == 0, "%s exit 0: %s",
              path, bk_status_str(&b, st, sizeof st));
    }
    bk_destroy(&b);
}

static void test_trusted(const char *build)
{
    char base[1024], d[2048], p[PATH_MAX], q[PATH_MAX], tmpd[64];
    int root = geteuid() == 0;

    /* a sandbox below the build directory, whose directories are root's and
     * 0755 on the test machine (the default backend's checks below tell) */
    snprintf(p, sizeof p, "%s/test/trust.XXXXXX", build);
    if (mkdtemp(p) == NULL || realpath(p, q) == NULL || strlen(q) >= sizeof base) {
        CHECK(0, "sandbox %s: %s", p, strerror(errno));
        return;
    }
    snprintf(base, sizeof base, "%s", q);
    chmod(base, 0755);

    /* good: a root-owned 0755 file in 0755 directories */
    snprintf(d, sizeof d, "%s/good", base);
    mkdir_mode(d, 0755);
    snprintf(p, sizeof p, "%s/backend", d);
    CHECK(copy_backend(p, 0755) == 0, "copy to %s", p);
    expect_accepted(p);
    /* trailing slashes and "." components are walked like the kernel does */
    snprintf(q, sizeof q, "%s/./good/backend", base);
    expect_accepted(q);

    /* the file itself group- or other-writable */
    snprintf(p, sizeof p, "%s/gwfile", d);
    copy_backend(p, 0775);
    expect_refused(p, "file", p, "is group-writable (mode 0775)");
    snprintf(p, sizeof p, "%s/owfile", d);
    copy_backend(p, 0757);
    expect_refused(p, "file", p, "is writable by others (mode 0757)");

    /* in a group-writable directory, and one writable by others */
    snprintf(d, sizeof d, "%s/gw", base);
    mkdir_mode(d, 0775);
    snprintf(p, sizeof p, "%s/backend", d);
    copy_backend(p, 0755);
    expect_refused(p, "directory", d, "is group-writable (mode 0775)");
    snprintf(d, sizeof d, "%s/ow", base);
    mkdir_mode(d, 0757);
    snprintf(p, sizeof p, "%s/backend", d);
    copy_backend(p, 0755);
    expect_refused(p, "directory", d, "is writable by others (mode 0757)");
    snprintf(d, sizeof d, "%s/aw", base);
    mkdir_mode(d, 0777);
    snprintf(p, sizeof p, "%s/backend", d);
    copy_backend(p, 0755);
    expect_refused(p, "directory", d, "is writable by group and others (mode 0777)");
    /* a directory two levels up */
    snprintf(d, sizeof d, "%s/gw/sub", base);
    mkdir_mode(d, 0755);
    snprintf(p, sizeof p, "%s/backend", d);
    copy_backend(p, 0755);
    snprintf(d, sizeof d, "%s/gw", base);
    expect_refused(p, "directory", d, "is group-writable (mode 0775)");

    /* a final symlink is resolved: the target's directory is checked too */
    snprintf(p, sizeof p, "%s/good/link-to-gw", base);
    symlink("../gw/backend", p);
    expect_refused(p, "directory", d, "is group-writable (mode 0775)");
    /* a symlink to a good file in a good directory runs */
    snprintf(p, sizeof p, "%s/good/link-ok", base);
    symlink("backend", p);
    expect_accepted(p);
    /* a symlinked directory on the way: resolved the same way */
    snprintf(p, sizeof p, "%s/good/dirlink", base);
    symlink("../gw", p);
    snprintf(q, sizeof q, "%s/good/dirlink/backend", base);
    expect_refused(q, "directory", d, "is group-writable (mode 0775)");
    /* a dangling symlink (bk_spawn's access(X_OK) says so first) */
    snprintf(p, sizeof p, "%s/good/dangling", base);
    symlink("nothing-here", p);
    {
        char err[2048] = "", want[3 * PATH_MAX];

        snprintf(want, sizeof want,
                 "backend \"%s\" refused: file \"%s\" cannot be resolved: No such file or directory (%s)",
                 p, p, rule);
        CHECK(bk_check_trusted(p, err, sizeof err) == -1, "dangling symlink refused");
        CHECK_STR(err, want);
    }

    /* not a regular file */
    snprintf(p, sizeof p, "%s/good", base);
    expect_refused(p, "file", p, "is not a regular file");

    if (root) {
        /* owned by another uid: the file, a directory above it, a symlink's target */
        snprintf(p, sizeof p, "%s/good/uidfile", base);
        copy_backend(p, 0755);
        CHECK(chown(p, 1, 1) == 0, "chown %s", p);
        chmod(p, 0755);
        expect_refused(p, "file", p, "is owned by uid 1, not by root");
        snprintf(q, sizeof q, "%s/good/link-to-uidfile", base);
        symlink("uidfile", q);
        expect_refused(q, "file", p, "is owned by uid 1, not by root");
        snprintf(d, sizeof d, "%s/udir", base);
        mkdir_mode(d, 0755);
        snprintf(p, sizeof p, "%s/backend", d);
        copy_backend(p, 0755);
        CHECK(chown(d, 1, 1) == 0, "chown %s", d);
        expect_refused(p, "directory", d, "is owned by uid 1, not by root");
    } else {
        CHECK_SKIP("the checks of a backend owned by another uid", "not root (chown needs it)");
    }

    /* /tmp (sticky, writable by everyone) is not a place for a backend */
    snprintf(tmpd, sizeof tmpd, "/tmp/phpc-trust.XXXXXX");
    if (mkdtemp(tmpd) != NULL) {
        struct stat st;

        chmod(tmpd, 0755);
        snprintf(p, sizeof p, "%s/backend", tmpd);
        copy_backend(p, 0755);
        if (lstat("/tmp", &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0777) {
            snprintf(q, sizeof q, "is writable by group and others (mode %04o)",
                     (unsigned)(st.st_mode & 07777));
            expect_refused(p, "directory", "/tmp", q);
        } else {
            CHECK_SKIP("the check that a backend below /tmp is refused", "/tmp is not a directory of mode 0777 here");
        }
        unlink(p);
        rmdir(tmpd);
    } else {
        CHECK_SKIP("the check that a backend below /tmp is refused", "mkdtemp %s: %s", tmpd, strerror(errno));
    }

    /* the configured default backend (DEFAULT_BACKEND of this build) passes,
     * on this machine, when it exists */
#ifdef PHPC_DEFAULT_BACKEND
    if (access(PHPC_DEFAULT_BACKEND, F_OK) == 0) {
        char err[2048] = "";

        CHECK(bk_check_trusted(PHPC_DEFAULT_BACKEND, err, sizeof err) == 0,
              "the default backend " PHPC_DEFAULT_BACKEND " is accepted: %s", err);
    } else {
        CHECK_SKIP("the check that the default backend is trusted", "%s does not exist", PHPC_DEFAULT_BACKEND);
    }
#endif

    {
        char cmd[PATH_MAX + 32];

        snprintf(cmd, sizeof cmd, "rm -rf '%s'", base);
        CHECK(system(cmd) == 0, "remove the sandbox");
    }
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
    test_reap_after_sigkill();
    test_reap_unkillable();
    test_trusted(argc > 1 ? argv[1] : "build");
    CHECK(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD, "no child left");
    return check_done("test_backend");
}
