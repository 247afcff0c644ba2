/*
 * lfs.h - a hung file system for the reaping tests: latencyfs (the project's
 * FUSE file system, latencyfs/README.md) mounted with a 60 s delay on every
 * metadata request, so a process that stats a name in it waits in the kernel
 * for an answer that does not come in time.
 *
 * Why this is a faithful stand-in for a hung parallel-FS mount (checked on
 * Linux 6.18): once the daemon has read a request, the kernel's
 * request_wait_answer() waits for the reply first interruptibly, then
 * killably, and after a fatal signal -- the request being in userspace
 * already -- UNINTERRUPTIBLY (state D) until the reply arrives.  So a SIGKILLed
 * process stays D, and waitpid(WNOHANG) keeps returning 0, until the daemon
 * answers or dies (which aborts the connection; lfs_release does that).
 *
 * Needs root, /dev/fuse and the latencyfs binary (scripts/build.sh builds
 * it); lfs_available() says why not.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef PHPC_TEST_LFS_H
#define PHPC_TEST_LFS_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct lfs {
    char mnt[64];               /* mount point, /tmp/phpc-lfs.XXXXXX */
    pid_t daemon;               /* latencyfs -f, our child */
};

static inline void lfs_sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* NULL when the test can run, else why not */
static inline const char *lfs_available(const char *bin)
{
    if (geteuid() != 0)
        return "not root";
    if (access("/dev/fuse", R_OK | W_OK) != 0)
        return "no /dev/fuse";
    if (access(bin, X_OK) != 0)
        return "latencyfs not built (scripts/build.sh builds it when libfuse3-dev is installed)";
    return NULL;
}

/* Is mnt in /proc/self/mountinfo?  (Never touches the mount itself: every
 * request to it waits 60 s.) */
static inline int lfs_mounted(const char *mnt)
{
    char line[4096], pat[80];
    FILE *f = fopen("/proc/self/mountinfo", "r");
    int found = 0;

    if (f == NULL)
        return 0;
    snprintf(pat, sizeof pat, " %s ", mnt);
    while (!found && fgets(line, sizeof line, f) != NULL)
        found = strstr(line, pat) != NULL;
    fclose(f);
    return found;
}

/* Mount latencyfs with a 60 s delay on a fresh mount point.  0, or -1 with a
 * reason printed. */
static inline int lfs_mount(struct lfs *l, const char *bin)
{
    snprintf(l->mnt, sizeof l->mnt, "/tmp/phpc-lfs.XXXXXX");
    l->daemon = -1;
    if (mkdtemp(l->mnt) == NULL) {
        fprintf(stderr, "lfs: mkdtemp: %s\n", strerror(errno));
        return -1;
    }
    l->daemon = fork();
    if (l->daemon == 0) {
        int nul = open("/dev/null", O_RDWR);

        dup2(nul, 0);
        dup2(nul, 1);
        dup2(nul, 2);
        execl(bin, bin, "-f", "--delay-us=60000000", "--synthetic=10", l->mnt, (char *)NULL);
        _exit(127);
    }
    if (l->daemon < 0) {
        fprintf(stderr, "lfs: fork: %s\n", strerror(errno));
        rmdir(l->mnt);
        return -1;
    }
    for (int i = 0; i < 200; i++) {
        if (lfs_mounted(l->mnt))
            return 0;
        if (waitpid(l->daemon, NULL, WNOHANG) == l->daemon) {
            fprintf(stderr, "lfs: %s exited before mounting %s\n", bin, l->mnt);
            l->daemon = -1;
            rmdir(l->mnt);
            return -1;
        }
        lfs_sleep_ms(25);
    }
    fprintf(stderr, "lfs: %s not mounted after 5 s\n", l->mnt);
    kill(l->daemon, SIGKILL);
    waitpid(l->daemon, NULL, 0);
    l->daemon = -1;
    umount2(l->mnt, MNT_DETACH);
    rmdir(l->mnt);
    return -1;
}

/* The "server" answers at last: kill the daemon (the kernel then aborts the
 * connection, every waiting request fails and its process continues),
 * reap it, unmount and remove the mount point. */
static inline void lfs_release(struct lfs *l)
{
    if (l->daemon > 0) {
        kill(l->daemon, SIGKILL);
        while (waitpid(l->daemon, NULL, 0) < 0 && errno == EINTR)
            ;
        l->daemon = -1;
    }
    if (l->mnt[0]) {
        umount2(l->mnt, MNT_DETACH);
        rmdir(l->mnt);
        l->mnt[0] = '\0';
    }
}

/* /proc/<pid>/stat state letter, or 0 when there is no such process */
static inline char lfs_proc_state(pid_t pid)
{
    char path[64], buf[512], *p;
    FILE *f;
    size_t n;

    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    if ((f = fopen(path, "r")) == NULL)
        return 0;
    n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    p = strrchr(buf, ')');
    return p && p[1] == ' ' ? p[2] : 0;
}

/* Wait (up to ms) until pid waits for a FUSE answer (wchan), then 200 ms
 * more so that the daemon has surely read the request.  1 when seen. */
static inline int lfs_wait_blocked(pid_t pid, int ms)
{
    char path[64], w[128];

    snprintf(path, sizeof path, "/proc/%d/wchan", (int)pid);
    for (int t = 0; t < ms; t += 20) {
        FILE *f = fopen(path, "r");
        size_t n = 0;

        if (f != NULL) {
            n = fread(w, 1, sizeof w - 1, f);
            fclose(f);
        }
        w[n] = '\0';
        if (strcmp(w, "request_wait_answer") == 0) {
            lfs_sleep_ms(200);
            return 1;
        }
        lfs_sleep_ms(20);
    }
    return 0;
}

#endif
