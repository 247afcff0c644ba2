/*
 * spare.c - the backend started ahead for the next backup (spare.h).
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "spare.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static pthread_mutex_t spare_lock = PTHREAD_MUTEX_INITIALIZER;
static bool spare_ready;                /* spare below is bk_init'ed */
static phpc_backend spare;
static char *spare_path;                /* the launcher it runs, while it exists */
static struct stat spare_st;            /* that file when it was started */
static double spare_born;               /* CLOCK_MONOTONIC seconds */
static long spare_max_age;

static double mono_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
           a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Under spare_lock: end the spare (it waits on its input: EOF ends it; SIGKILL
 * in case it does not) and forget it. */
static void end_locked(void)
{
    if (spare_ready && !bk_exited(&spare))
        bk_reap(&spare, SIGKILL, 0);
    free(spare_path);
    spare_path = NULL;
}

void spare_keep(const char *path, long max_age_s)
{
    struct stat st;
    char err[1024];

    if (path == NULL || max_age_s <= 0)
        return;
    pthread_mutex_lock(&spare_lock);
    if (!spare_ready) {
        bk_init(&spare, NULL, NULL);
        spare_ready = true;
    }
    if (spare_path != NULL && !bk_exited(&spare) && mono_s() - spare_born <= (double)spare_max_age) {
        pthread_mutex_unlock(&spare_lock);
        return;                         /* one is kept */
    }
    end_locked();
    if (stat(path, &st) == 0 && (spare_path = strdup(path)) != NULL) {
        spare.want_handoff = true;      /* as an early spawn: a backup, most likely */
        if (bk_spawn(&spare, path, err, sizeof err) == 0) {
            spare_st = st;
            spare_born = mono_s();
            spare_max_age = max_age_s;
        } else {
            free(spare_path);
            spare_path = NULL;
        }
    }
    pthread_mutex_unlock(&spare_lock);
}

bool spare_take(phpc_backend *dst, const char *path, double *age_s, long *pid)
{
    struct stat st;
    double age;
    bool ok;

    pthread_mutex_lock(&spare_lock);
    if (spare_path == NULL) {
        pthread_mutex_unlock(&spare_lock);
        return false;
    }
    age = mono_s() - spare_born;
    ok = strcmp(spare_path, path) == 0 && age <= (double)spare_max_age && stat(path, &st) == 0 &&
         same_file(&st, &spare_st) && !bk_exited(&spare);
    if (ok) {
        *pid = (long)spare.pid;
        *age_s = age;
        bk_adopt(dst, &spare);
        free(spare_path);
        spare_path = NULL;
    } else {
        end_locked();
    }
    pthread_mutex_unlock(&spare_lock);
    return ok;
}

void spare_discard(void)
{
    pthread_mutex_lock(&spare_lock);
    end_locked();
    pthread_mutex_unlock(&spare_lock);
}

long spare_pid(void)
{
    long pid = 0;

    pthread_mutex_lock(&spare_lock);
    if (spare_path != NULL && spare_ready && !bk_exited(&spare))
        pid = (long)spare.pid;
    pthread_mutex_unlock(&spare_lock);
    return pid;
}
