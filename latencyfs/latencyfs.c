/*
 * latencyfs: a metadata-latency emulator for podheitor-hpc benchmarks (FUSE 3, low-level API, deferred replies).
 *
 *   latencyfs [--delay-us=N] [--threads=N] SOURCE MOUNTPOINT [fuse options]     passthrough of SOURCE
 *   latencyfs [--delay-us=N] --synthetic=FILES [--files-per-dir=N] [--dir-fanout=N] MOUNTPOINT
 *
 * Every metadata operation (lookup, getattr, opendir, readdir, open, readlink, getxattr, listxattr, access,
 * statfs) is answered --delay-us microseconds (default 150, the Lustre statx latency of one op in flight) after it
 * was served, errors included; read, release, releasedir and forget are not delayed. Entry, attribute and negative
 * caching are off (all timeouts 0), readdirplus is disabled and no file or directory is opened with keep_cache or
 * cache_readdir, so every stat issued by a walker reaches this process and pays the delay.
 *
 * How the delay is paid without a thread per request: a worker thread (libfuse's multi-threaded session loop,
 * --workers of them) computes the answer at once, copies it into a `struct reply` and appends that to a FIFO with
 * due = now + delay. The delay is constant, so due order is arrival order. The worker that finds the FIFO empty
 * becomes its "timer": it sleeps with clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME) until the head is due
 * (timer slack 1 ns), sends every reply that is due, and goes on until the FIFO is empty, while the other workers
 * keep reading requests. So up to --threads requests (default 256) are in their delay at once, and a serial client
 * costs two wake-ups per request (its arrival, its due time), a busy one less. See README.md.
 *
 * Passthrough: an inode table keyed by (st_dev, st_ino, file type) - hard links share one node - with the
 * kernel's lookup count (forget/forget_multi). A node knows its parent node and its name there; directories also
 * hold an O_PATH fd (while the fd budget allows), so every operation is one *at() syscall relative to a directory
 * fd. st_ino is the source's inode number (the nodeid is the node's address, the root's is 1).
 *
 * Synthetic mode stores nothing: a tree of FILES regular files, --files-per-dir (default 100) per directory,
 * directories arranged as an implicit --dir-fanout-ary tree (default 16) numbered breadth first. The nodeid is the
 * inode number; names, sizes, times and data are computed from it; the mount is read-only.
 *
 * State: everything lives in one `struct lfs` (options, source fd, inode table, reply FIFO) that is created in
 * main() and reached through fuse_req_userdata(); the table and the FIFO each have their own mutex. There is no
 * other global mutable state.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#define FUSE_USE_VERSION 312
#define _GNU_SOURCE
#include <fuse_lowlevel.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ options */

struct options {
    unsigned delay_us;
    unsigned threads;         /* requests in their delay at once (the old thread-per-request limit) */
    unsigned workers;         /* libfuse worker threads */
    char *synthetic;          /* number of files, as text (NULL: passthrough) */
    unsigned files_per_dir;
    unsigned dir_fanout;
    int stats;
    int show_help;
};

#define OPT(t, p) {t, offsetof(struct options, p), 1}
static const struct fuse_opt option_spec[] = {
    OPT("--delay-us=%u", delay_us),
    OPT("--threads=%u", threads),
    OPT("--workers=%u", workers),
    OPT("--synthetic=%s", synthetic),
    OPT("--files-per-dir=%u", files_per_dir),
    OPT("--dir-fanout=%u", dir_fanout),
    OPT("--stats", stats),
    OPT("-h", show_help),
    OPT("--help", show_help),
    FUSE_OPT_END
};

/* ------------------------------------------------------------------ state */

/* A passthrough inode. Immutable after creation except nlookup and refs (table lock). */
struct node {
    struct node *hnext;       /* hash chain */
    struct node *parent;      /* directory it was first found in (holds a ref), NULL for the root */
    dev_t dev;
    ino_t ino;
    mode_t type;              /* S_IFMT bits (part of the key: a reused inode number of another type is a new node) */
    int fd;                   /* directories: O_PATH fd, -1 over the fd budget; others: -1 */
    uint64_t nlookup;         /* lookups the kernel holds (entry replies sent minus forgets) */
    uint64_t refs;            /* child nodes naming this one as parent */
    char name[];              /* name in parent ("." for the root) */
};

struct table {
    pthread_mutex_t lock;
    struct node **bucket;
    size_t nbucket, count;
    unsigned fds, max_fds;    /* O_PATH fds held by directory nodes, and their budget */
    uint64_t created, freed, peak;
};

/* A reply computed now and sent when due; it owns a copy of everything it sends. */
enum kind { R_ERR, R_ENTRY, R_ATTR, R_OPEN, R_OPENDIR, R_BUF, R_READLINK, R_XATTR, R_STATFS };

struct reply {
    struct reply *next;
    struct timespec due;
    fuse_req_t req;
    enum kind kind;
    int err;
    struct node *node;        /* R_ENTRY (passthrough): undo the lookup count if the reply is not delivered */
    union {
        struct fuse_entry_param e;
        struct stat st;
        struct fuse_file_info fi;
        struct statvfs sv;
        size_t count;
    } u;
    size_t len;
    char data[];              /* R_BUF, R_READLINK (NUL terminated) */
};

struct fifo {
    pthread_mutex_t lock;
    pthread_cond_t room;      /* signalled when count drops below the cap */
    struct reply *head, *tail;
    unsigned count;           /* replies waiting for their due time */
    unsigned waiting;         /* workers waiting for room */
    int timer;                /* a worker is sending the FIFO's replies as they fall due */
};

struct lfs {
    struct options o;
    long long delay_ns;
    int source_fd;            /* passthrough: the source directory (the root node's fd) */
    uint64_t syn_files;       /* synthetic: regular files */
    uint64_t syn_dirs;        /* synthetic: directories, root included */
    struct table t;
    struct node *root;
    struct fifo q;
};

static struct lfs *fs_of(fuse_req_t req) { return fuse_req_userdata(req); }

/* ------------------------------------------------------------------ deferred replies */

static struct reply *reply_new(fuse_req_t req, enum kind kind, size_t extra)
{
    struct reply *r = malloc(sizeof *r + extra);
    if (r == NULL) {
        return NULL;
    }
    r->next = NULL;
    r->req = req;
    r->kind = kind;
    r->err = 0;
    r->node = NULL;
    r->len = 0;
    return r;
}

static void node_forget(struct lfs *fs, struct node *n, uint64_t count);
static void dir_free(void *ds);

static void send_reply(struct lfs *fs, struct reply *r)
{
    int rc = 0;
    switch (r->kind) {
    case R_ERR:
        fuse_reply_err(r->req, r->err);
        break;
    case R_ENTRY:
        rc = fuse_reply_entry(r->req, &r->u.e);
        if (rc != 0 && r->node != NULL) {
            node_forget(fs, r->node, 1); /* the kernel never got it (interrupted or unmounted) */
        }
        break;
    case R_ATTR:
        fuse_reply_attr(r->req, &r->u.st, 0.0);
        break;
    case R_OPEN:
        rc = fuse_reply_open(r->req, &r->u.fi);
        if (rc != 0 && !fs->o.synthetic) {
            close((int)r->u.fi.fh);
        }
        break;
    case R_OPENDIR:
        rc = fuse_reply_open(r->req, &r->u.fi);
        if (rc != 0 && !fs->o.synthetic) {
            dir_free((void *)(uintptr_t)r->u.fi.fh);
        }
        break;
    case R_BUF:
        fuse_reply_buf(r->req, r->data, r->len);
        break;
    case R_READLINK:
        fuse_reply_readlink(r->req, r->data);
        break;
    case R_XATTR:
        fuse_reply_xattr(r->req, r->u.count);
        break;
    case R_STATFS:
        fuse_reply_statfs(r->req, &r->u.sv);
        break;
    }
    free(r);
}

static int before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* The timer role: called with q->lock held by the worker that set q->timer; returns with it released once the
 * FIFO is empty. */
static void run_timer(struct lfs *fs)
{
    struct fifo *q = &fs->q;
    for (;;) {
        if (q->head == NULL) {
            q->timer = 0;
            pthread_mutex_unlock(&q->lock);
            return;
        }
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (before(&now, &q->head->due)) {
            /* nothing can become due before the head: due order is FIFO order */
            struct timespec due = q->head->due;
            pthread_mutex_unlock(&q->lock);
            while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &due, NULL) == EINTR) {
            }
            pthread_mutex_lock(&q->lock);
            continue;
        }
        struct reply *batch = q->head, *last = q->head;
        unsigned n = 1;
        while (last->next != NULL && !before(&now, &last->next->due)) {
            last = last->next;
            n++;
        }
        q->head = last->next;
        if (q->head == NULL) {
            q->tail = NULL;
        }
        last->next = NULL;
        q->count -= n;
        if (q->waiting) {
            pthread_cond_broadcast(&q->room);
        }
        pthread_mutex_unlock(&q->lock);
        while (batch != NULL) {
            struct reply *next = batch->next;
            send_reply(fs, batch);
            batch = next;
        }
        pthread_mutex_lock(&q->lock);
    }
}

/* Sends r after the delay (now, if the delay is 0). Blocks while --threads replies are waiting. */
static void defer(struct lfs *fs, struct reply *r)
{
    if (fs->delay_ns == 0) {
        send_reply(fs, r);
        return;
    }
    struct fifo *q = &fs->q;
    pthread_mutex_lock(&q->lock);
    while (q->count >= fs->o.threads) {
        q->waiting++;
        pthread_cond_wait(&q->room, &q->lock);
        q->waiting--;
    }
    clock_gettime(CLOCK_MONOTONIC, &r->due); /* under the lock: dues are non-decreasing along the FIFO */
    r->due.tv_sec += fs->delay_ns / 1000000000;
    r->due.tv_nsec += fs->delay_ns % 1000000000;
    if (r->due.tv_nsec >= 1000000000) {
        r->due.tv_sec++;
        r->due.tv_nsec -= 1000000000;
    }
    if (q->tail != NULL) {
        q->tail->next = r;
    } else {
        q->head = r;
    }
    q->tail = r;
    q->count++;
    if (q->timer) {
        pthread_mutex_unlock(&q->lock);
        return;
    }
    q->timer = 1;
    run_timer(fs);
}

/* Deferred error (err 0 = success without data). Out of memory: answered at once. */
static void defer_err(fuse_req_t req, int err)
{
    struct reply *r = reply_new(req, R_ERR, 0);
    if (r == NULL) {
        fuse_reply_err(req, ENOMEM);
        return;
    }
    r->err = err;
    defer(fs_of(req), r);
}

static void defer_attr(fuse_req_t req, const struct stat *st)
{
    struct reply *r = reply_new(req, R_ATTR, 0);
    if (r == NULL) {
        fuse_reply_err(req, ENOMEM);
        return;
    }
    r->u.st = *st;
    defer(fs_of(req), r);
}

/* ------------------------------------------------------------------ synthetic tree */

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static uint64_t dir_ino(uint64_t d) { return 1 + d; }
static uint64_t file_ino(const struct lfs *fs, uint64_t d, uint64_t k)
{
    return 1 + fs->syn_dirs + d * fs->o.files_per_dir + k;
}

static uint64_t files_in(const struct lfs *fs, uint64_t d)
{
    uint64_t first = d * fs->o.files_per_dir;
    if (first >= fs->syn_files) {
        return 0;
    }
    uint64_t left = fs->syn_files - first;
    return left < fs->o.files_per_dir ? left : fs->o.files_per_dir;
}

/* children of directory d are d*fanout+1 .. d*fanout+fanout (those < syn_dirs) */
static uint64_t first_child(const struct lfs *fs, uint64_t d) { return d * fs->o.dir_fanout + 1; }

static uint64_t child_count(const struct lfs *fs, uint64_t d)
{
    uint64_t c = first_child(fs, d);
    if (c >= fs->syn_dirs) {
        return 0;
    }
    uint64_t n = fs->syn_dirs - c;
    return n < fs->o.dir_fanout ? n : fs->o.dir_fanout;
}

/* size of a synthetic file: 2% empty, 1 in 100000 is 16 MiB, the rest 1..8192 bytes */
static uint64_t file_size(uint64_t ino)
{
    uint64_t h = mix(ino);
    if (h % 50 == 0) {
        return 0;
    }
    if ((h >> 20) % 100000 == 7) {
        return 16u << 20;
    }
    return 1 + (h >> 8) % 8192;
}

static int parse_number(const char *s, size_t n, uint64_t *out)
{
    if (n == 0 || n > 19 || (n > 1 && s[0] == '0')) {
        return -1;
    }
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return -1;
        }
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *out = v;
    return 0;
}

enum syn_kind { SYN_DIR, SYN_FILE };

struct syn {
    enum syn_kind kind;
    uint64_t dir;   /* the directory, or the file's directory */
    uint64_t file;  /* index in its directory */
};

/* nodeid = inode number: directories 1 .. dirs, files after them */
static int syn_decode(const struct lfs *fs, fuse_ino_t ino, struct syn *n)
{
    if (ino >= 1 && ino <= fs->syn_dirs) {
        n->kind = SYN_DIR;
        n->dir = ino - 1;
        return 0;
    }
    if (ino <= fs->syn_dirs) {
        return ENOENT;
    }
    uint64_t i = ino - 1 - fs->syn_dirs;
    n->kind = SYN_FILE;
    n->dir = i / fs->o.files_per_dir;
    n->file = i % fs->o.files_per_dir;
    return n->dir < fs->syn_dirs && n->file < files_in(fs, n->dir) ? 0 : ENOENT;
}

/* name "d<N>" (a child directory) or "f<K>" (a file) in directory d */
static int syn_child(const struct lfs *fs, uint64_t d, const char *name, struct syn *n)
{
    size_t len = strlen(name);
    uint64_t v;
    if (len < 2 || parse_number(name + 1, len - 1, &v) != 0) {
        return ENOENT;
    }
    if (name[0] == 'd') {
        if (v < first_child(fs, d) || v >= first_child(fs, d) + child_count(fs, d)) {
            return ENOENT;
        }
        n->kind = SYN_DIR;
        n->dir = v;
        return 0;
    }
    if (name[0] == 'f') {
        if (v >= files_in(fs, d)) {
            return ENOENT;
        }
        n->kind = SYN_FILE;
        n->dir = d;
        n->file = v;
        return 0;
    }
    return ENOENT;
}

static const time_t SYN_EPOCH = 1700000000; /* 2023-11-14 */

static void syn_stat(const struct lfs *fs, const struct syn *n, struct stat *st)
{
    memset(st, 0, sizeof *st);
    uint64_t ino = n->kind == SYN_DIR ? dir_ino(n->dir) : file_ino(fs, n->dir, n->file);
    uint64_t h = mix(ino ^ 0x5eed);
    st->st_ino = ino;
    st->st_uid = 0;
    st->st_gid = 0;
    st->st_blksize = 4096;
    st->st_mtim.tv_sec = SYN_EPOCH - (time_t)(h % (3 * 365 * 86400));
    st->st_mtim.tv_nsec = (long)((h >> 32) % 1000000000);
    st->st_atim = st->st_mtim;
    st->st_ctim = st->st_mtim;
    if (n->kind == SYN_DIR) {
        st->st_mode = S_IFDIR | 0755;
        st->st_nlink = 2 + child_count(fs, n->dir);
        st->st_size = 4096;
    } else {
        st->st_mode = S_IFREG | 0644;
        st->st_nlink = 1;
        st->st_size = (off_t)file_size(ino);
    }
    st->st_blocks = (st->st_size + 511) / 512;
}

/* data byte at offset off of inode ino (cheap, position dependent, differs between files) */
static void syn_fill(uint64_t ino, char *buf, size_t size, off_t off)
{
    uint64_t seed = mix(ino);
    for (size_t i = 0; i < size; i++) {
        uint64_t at = (uint64_t)off + i;
        buf[i] = (char)(seed + at * 131 + (at >> 9));
    }
}

/* ------------------------------------------------------------------ passthrough inode table */

static size_t node_hash(dev_t dev, ino_t ino, mode_t type)
{
    return (size_t)mix((uint64_t)ino * 0x9e3779b97f4a7c15ULL ^ (uint64_t)dev ^ ((uint64_t)type << 48));
}

static struct node *node_of(struct lfs *fs, fuse_ino_t ino)
{
    return ino == FUSE_ROOT_ID ? fs->root : (struct node *)(uintptr_t)ino;
}

static fuse_ino_t nodeid_of(struct lfs *fs, struct node *n)
{
    return n == fs->root ? FUSE_ROOT_ID : (fuse_ino_t)(uintptr_t)n;
}

/* table lock held */
static void table_insert(struct table *t, struct node *n)
{
    if (t->count >= t->nbucket) {
        size_t nb = t->nbucket * 2;
        struct node **b = calloc(nb, sizeof *b);
        if (b != NULL) {
            for (size_t i = 0; i < t->nbucket; i++) {
                for (struct node *m = t->bucket[i], *next; m != NULL; m = next) {
                    next = m->hnext;
                    size_t h = node_hash(m->dev, m->ino, m->type) & (nb - 1);
                    m->hnext = b[h];
                    b[h] = m;
                }
            }
            free(t->bucket);
            t->bucket = b;
            t->nbucket = nb;
        } /* else: longer chains, still correct */
    }
    size_t h = node_hash(n->dev, n->ino, n->type) & (t->nbucket - 1);
    n->hnext = t->bucket[h];
    t->bucket[h] = n;
    t->count++;
    t->created++;
    if (t->count > t->peak) {
        t->peak = t->count;
    }
}

/* table lock held */
static struct node *table_find(struct table *t, dev_t dev, ino_t ino, mode_t type)
{
    size_t h = node_hash(dev, ino, type) & (t->nbucket - 1);
    for (struct node *n = t->bucket[h]; n != NULL; n = n->hnext) {
        if (n->ino == ino && n->dev == dev && n->type == type) {
            return n;
        }
    }
    return NULL;
}

/* Drops count lookups of n; frees n (and ancestors that only it kept) when nothing refers to it any more. */
static void node_forget(struct lfs *fs, struct node *n, uint64_t count)
{
    struct table *t = &fs->t;
    struct node *dead = NULL;
    pthread_mutex_lock(&t->lock);
    if (n != fs->root) {
        n->nlookup = count < n->nlookup ? n->nlookup - count : 0;
    }
    while (n != NULL && n != fs->root && n->nlookup == 0 && n->refs == 0) {
        size_t h = node_hash(n->dev, n->ino, n->type) & (t->nbucket - 1);
        struct node **pp = &t->bucket[h];
        while (*pp != n) {
            pp = &(*pp)->hnext;
        }
        *pp = n->hnext;
        t->count--;
        t->freed++;
        if (n->fd >= 0) {
            t->fds--;
        }
        struct node *p = n->parent;
        n->hnext = dead;
        dead = n;
        if (p != NULL) {
            p->refs--;
        }
        n = p;
    }
    pthread_mutex_unlock(&t->lock);
    while (dead != NULL) {
        struct node *next = dead->hnext;
        if (dead->fd >= 0) {
            close(dead->fd);
        }
        free(dead);
        dead = next;
    }
}

/* An fd of directory node n: its own (*tmp = -1) or a temporary one the caller closes (*tmp = fd). -1 + errno. */
static int dir_fd(struct node *n, int *tmp)
{
    *tmp = -1;
    if (n->fd >= 0) {
        return n->fd;
    }
    int ptmp;
    int pfd = dir_fd(n->parent, &ptmp);
    if (pfd < 0) {
        return -1;
    }
    int fd = openat(pfd, n->name, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
    int e = errno;
    if (ptmp >= 0) {
        close(ptmp);
    }
    if (fd < 0) {
        errno = e;
        return -1;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_ino != n->ino || st.st_dev != n->dev) {
        close(fd);
        errno = ESTALE; /* the source changed under us */
        return -1;
    }
    *tmp = fd;
    return fd;
}

/* Where a node is for an *at() call: (dirfd, name) with AT_SYMLINK_NOFOLLOW; directories with an fd are (fd, "."). */
struct where {
    int dirfd;
    const char *name;
    int tmp;    /* fd to close afterwards, or -1 */
};

static int locate(struct node *n, struct where *w)
{
    if (n->fd >= 0) {
        w->dirfd = n->fd;
        w->name = ".";
        w->tmp = -1;
        return 0;
    }
    w->dirfd = dir_fd(n->parent, &w->tmp);
    if (w->dirfd < 0) {
        return errno;
    }
    w->name = n->name;
    return 0;
}

static void unlocate(struct where *w)
{
    if (w->tmp >= 0) {
        close(w->tmp);
    }
}

/* The node for (parent, name) whose stat is st, one lookup taken; NULL + errno. pfd is parent's fd. */
static struct node *node_get(struct lfs *fs, struct node *parent, int pfd, const char *name, const struct stat *st)
{
    struct table *t = &fs->t;
    mode_t type = st->st_mode & S_IFMT;
    pthread_mutex_lock(&t->lock);
    struct node *n = table_find(t, st->st_dev, st->st_ino, type);
    if (n != NULL) {
        n->nlookup++;
        pthread_mutex_unlock(&t->lock);
        return n;
    }
    int want_fd = type == S_IFDIR && t->fds < t->max_fds;
    if (want_fd) {
        t->fds++; /* reserved */
    }
    pthread_mutex_unlock(&t->lock);

    size_t len = strlen(name);
    n = malloc(sizeof *n + len + 1);
    if (n == NULL) {
        if (want_fd) {
            pthread_mutex_lock(&t->lock);
            t->fds--;
            pthread_mutex_unlock(&t->lock);
        }
        errno = ENOMEM;
        return NULL;
    }
    memcpy(n->name, name, len + 1);
    n->dev = st->st_dev;
    n->ino = st->st_ino;
    n->type = type;
    n->fd = -1;
    n->nlookup = 1;
    n->refs = 0;
    n->parent = parent;
    if (want_fd) {
        int fd = openat(pfd, name, O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
        struct stat fst;
        if (fd >= 0 && fstat(fd, &fst) == 0 && fst.st_ino == n->ino && fst.st_dev == n->dev) {
            n->fd = fd;
        } else if (fd >= 0) {
            close(fd); /* replaced between fstatat and openat: resolve by name */
        }
    }

    pthread_mutex_lock(&t->lock);
    if (want_fd && n->fd < 0) {
        t->fds--;
    }
    struct node *other = table_find(t, n->dev, n->ino, n->type);
    if (other != NULL) { /* another worker was quicker */
        other->nlookup++;
        if (n->fd >= 0) {
            t->fds--;
        }
        pthread_mutex_unlock(&t->lock);
        if (n->fd >= 0) {
            close(n->fd);
        }
        free(n);
        return other;
    }
    parent->refs++;
    table_insert(t, n);
    pthread_mutex_unlock(&t->lock);
    return n;
}

/* ------------------------------------------------------------------ operations */

static void lfs_init(void *userdata, struct fuse_conn_info *conn)
{
    (void)userdata;
    conn->want &= ~(unsigned)(FUSE_CAP_READDIRPLUS | FUSE_CAP_READDIRPLUS_AUTO);
}

static void lfs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    struct lfs *fs = fs_of(req);
    struct reply *r = reply_new(req, R_ENTRY, 0);
    if (r == NULL) {
        fuse_reply_err(req, ENOMEM);
        return;
    }
    memset(&r->u.e, 0, sizeof r->u.e);
    r->u.e.attr_timeout = 0.0;
    r->u.e.entry_timeout = 0.0;
    if (fs->o.synthetic) {
        struct syn p, c;
        int err = syn_decode(fs, parent, &p);
        if (err == 0 && p.kind != SYN_DIR) {
            err = ENOTDIR;
        }
        if (err == 0) {
            err = syn_child(fs, p.dir, name, &c);
        }
        if (err != 0) {
            r->kind = R_ERR;
            r->err = err;
        } else {
            syn_stat(fs, &c, &r->u.e.attr);
            r->u.e.ino = r->u.e.attr.st_ino;
        }
        defer(fs, r);
        return;
    }
    struct node *p = node_of(fs, parent);
    int err = 0, tmp;
    if (p->type != S_IFDIR) {
        err = ENOTDIR;
    } else {
        int pfd = dir_fd(p, &tmp);
        if (pfd < 0) {
            err = errno;
        } else {
            if (fstatat(pfd, name, &r->u.e.attr, AT_SYMLINK_NOFOLLOW) != 0) {
                err = errno;
            } else {
                struct node *n = node_get(fs, p, pfd, name, &r->u.e.attr);
                if (n == NULL) {
                    err = errno;
                } else {
                    r->node = n;
                    r->u.e.ino = nodeid_of(fs, n);
                }
            }
            if (tmp >= 0) {
                close(tmp);
            }
        }
    }
    if (err != 0) {
        r->kind = R_ERR;
        r->err = err;
    }
    defer(fs, r);
}

static void lfs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
    struct lfs *fs = fs_of(req);
    if (!fs->o.synthetic) {
        node_forget(fs, node_of(fs, ino), nlookup);
    }
    fuse_reply_none(req);
}

static void lfs_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
    struct lfs *fs = fs_of(req);
    if (!fs->o.synthetic) {
        for (size_t i = 0; i < count; i++) {
            node_forget(fs, node_of(fs, forgets[i].ino), forgets[i].nlookup);
        }
    }
    fuse_reply_none(req);
}

static void lfs_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    (void)fi;
    struct lfs *fs = fs_of(req);
    struct stat st;
    int err;
    if (fs->o.synthetic) {
        struct syn n;
        err = syn_decode(fs, ino, &n);
        if (err == 0) {
            syn_stat(fs, &n, &st);
        }
    } else {
        struct node *n = node_of(fs, ino);
        struct where w;
        err = locate(n, &w);
        if (err == 0) {
            if (fstatat(w.dirfd, w.name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
                err = errno;
            } else if (st.st_ino != n->ino || st.st_dev != n->dev) {
                err = ESTALE; /* the name now refers to another file */
            }
            unlocate(&w);
        }
    }
    if (err != 0) {
        defer_err(req, err);
    } else {
        defer_attr(req, &st);
    }
}

static void lfs_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
    struct lfs *fs = fs_of(req);
    int err;
    if (fs->o.synthetic) {
        struct syn n;
        err = syn_decode(fs, ino, &n);
        if (err == 0 && (mask & W_OK)) {
            err = EROFS;
        }
    } else {
        struct where w;
        err = locate(node_of(fs, ino), &w);
        if (err == 0) {
            err = faccessat(w.dirfd, w.name, mask, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : errno;
            unlocate(&w);
        }
    }
    defer_err(req, err);
}

static void lfs_readlink(fuse_req_t req, fuse_ino_t ino)
{
    struct lfs *fs = fs_of(req);
    int err;
    char buf[PATH_MAX + 1];
    ssize_t len = 0;
    if (fs->o.synthetic) {
        struct syn n;
        err = syn_decode(fs, ino, &n);
        if (err == 0) {
            err = EINVAL;
        }
    } else {
        struct where w;
        err = locate(node_of(fs, ino), &w);
        if (err == 0) {
            len = readlinkat(w.dirfd, w.name, buf, PATH_MAX);
            err = len < 0 ? errno : 0;
            unlocate(&w);
        }
    }
    if (err != 0) {
        defer_err(req, err);
        return;
    }
    struct reply *r = reply_new(req, R_READLINK, (size_t)len + 1);
    if (r == NULL) {
        fuse_reply_err(req, ENOMEM);
        return;
    }
    memcpy(r->data, buf, (size_t)len);
    r->data[len] = 0;
    defer(fs, r);
}

/* ---- directories */

struct dirstate {
    pthread_mutex_t lock;
    int fd;
    off_t next;        /* the offset at which the buffered entries continue */
    char *buf;         /* getdents64 buffer */
    size_t len, pos;   /* bytes in buf, next entry */
};

struct linux_dirent64 {
    uint64_t d_ino;
    int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

enum { GETDENTS_BUF = 32768 };

static void dir_free(void *p)
{
    struct dirstate *ds = p;
    close(ds->fd);
    pthread_mutex_destroy(&ds->lock);
    free(ds->buf);
    free(ds);
}

static void lfs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    struct lfs *fs = fs_of(req);
    struct reply *r = reply_new(req, R_OPENDIR, 0);
    if (r == NULL) {
        fuse_reply_err(req, ENOMEM);
        return;
    }
    r->u.fi = *fi;
    r->u.fi.cache_readdir = 0;
    r->u.fi.keep_cache = 0;
    int err;
    if (fs->o.synthetic) {
        struct syn n;
        err = syn_decode(fs, ino, &n);
        if (err == 0 && n.kind != SYN_DIR) {
            err = ENOTDIR;
        }
        if (err == 0) {
            r->u.fi.fh = n.dir;
        }
    } else {
        struct where w;
        err = locate(node_of(fs, ino), &w);
        if (err == 0) {
            int fd = openat(w.dirfd, w.name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            err = fd < 0 ? errno : 0;
            unlocate(&w);
            struct dirstate *ds = NULL;
            if (fd >= 0 && (ds = calloc(1, sizeof *ds)) == NULL) {
                close(fd);
                err = ENOMEM;
            }
            if (ds != NULL) {
                pthread_mutex_init(&ds->lock, NULL);
                ds->fd = fd;
                r->u.fi.fh = (uint64_t)(uintptr_t)ds;
            }
        }
    }
    if (err != 0) {
        r->kind = R_ERR;
        r->err = err;
    }
    defer(fs, r);
}

static void lfs_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    (void)ino;
    if (!fs_of(req)->o.synthetic) {
        dir_free((void *)(uintptr_t)fi->fh);
    }
    fuse_reply_err(req, 0);
}

/* synthetic offsets: 1 = ".", 2 = "..", 3.. = child directories then files */
static size_t syn_readdir(struct lfs *fs, fuse_req_t req, uint64_t d, char *out, size_t size, off_t off)
{
    uint64_t nd = child_count(fs, d), nf = files_in(fs, d);
    uint64_t total = 2 + nd + nf;
    size_t used = 0;
    char name[32];
    struct stat st;
    memset(&st, 0, sizeof st);
    for (uint64_t i = (uint64_t)off; i < total; i++) {
        if (i == 0) {
            st.st_ino = dir_ino(d);
            st.st_mode = S_IFDIR;
            strcpy(name, ".");
        } else if (i == 1) {
            st.st_ino = d == 0 ? 1 : dir_ino((d - 1) / fs->o.dir_fanout);
            st.st_mode = S_IFDIR;
            strcpy(name, "..");
        } else if (i < 2 + nd) {
            uint64_t c = first_child(fs, d) + (i - 2);
            st.st_ino = dir_ino(c);
            st.st_mode = S_IFDIR;
            snprintf(name, sizeof name, "d%" PRIu64, c);
        } else {
            uint64_t k = i - 2 - nd;
            st.st_ino = file_ino(fs, d, k);
            st.st_mode = S_IFREG;
            snprintf(name, sizeof name, "f%" PRIu64, k);
        }
        size_t n = fuse_add_direntry(req, out + used, size - used, name, &st, (off_t)(i + 1));
        if (n > size - used) {
            break;
        }
        used += n;
    }
    return used;
}

/* fills out with entries from offset off (0 = start, else a d_off handed out before); returns bytes or -errno */
static ssize_t pt_readdir(struct dirstate *ds, fuse_req_t req, char *out, size_t size, off_t off)
{
    size_t used = 0;
    pthread_mutex_lock(&ds->lock);
    if (off != ds->next) {
        if (lseek(ds->fd, off, SEEK_SET) < 0) {
            int e = errno;
            pthread_mutex_unlock(&ds->lock);
            return -e;
        }
        ds->len = ds->pos = 0;
        ds->next = off;
    }
    if (ds->buf == NULL && (ds->buf = malloc(GETDENTS_BUF)) == NULL) {
        pthread_mutex_unlock(&ds->lock);
        return -ENOMEM;
    }
    for (;;) {
        if (ds->pos >= ds->len) {
            long n;
            do {
                n = syscall(SYS_getdents64, ds->fd, ds->buf, GETDENTS_BUF);
            } while (n < 0 && errno == EINTR);
            if (n < 0) {
                int e = errno;
                pthread_mutex_unlock(&ds->lock);
                return used > 0 ? (ssize_t)used : -e;
            }
            if (n == 0) {
                break; /* end of directory */
            }
            ds->len = (size_t)n;
            ds->pos = 0;
        }
        struct linux_dirent64 *de = (struct linux_dirent64 *)(ds->buf + ds->pos);
        struct stat st;
        memset(&st, 0, sizeof st);
        st.st_ino = de->d_ino;
        st.st_mode = (mode_t)DTTOIF(de->d_type);
        size_t n = fuse_add_direntry(req, out + used, size - used, de->d_name, &st, de->d_off);
        if (n > size - used) {
            break; /* the reply is full; this entry comes first next time */
        }
        used += n;
        ds->pos += de->d_reclen;
        ds->next = de->d_off;
    }
    pthread_mutex_unlock(&ds->lock);
    return (ssize_t)used;
}

static void lfs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
    (void)ino;
    struct lfs *fs = fs_of(req);
    struct reply *r = reply_new(req, R_BUF, size);
    if (r == NULL) {
        fuse_reply_err(req, ENOMEM);
        return;
    }
    if (fs->o.synthetic) {
        r->len = syn_readdir(fs, req, fi->fh, r->data, size, off);
    } else {
        ssize_t n = pt_readdir((struct dirstate *)(uintptr_t)fi->fh, req, r->data, size, off);
        if (n < 0) {
            r->kind = R_ERR;
            r->err = (int)-n;
        } else {
            r->len = (size_t)n;
        }
    }
    defer(fs, r);
}

/* ---- files */

static void lfs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    struct lfs *fs = fs_of(req);
    int err = 0;
    uint64_t fh = 0;
    if ((fi->flags & O_ACCMODE) != O_RDONLY) {
        err = EROFS;
    } else if (fs->o.synthetic) {
        struct syn n;
        err = syn_decode(fs, ino, &n);
        if (err == 0 && n.kind != SYN_FILE) {
            err = EISDIR;
        }
        fh = ino;
    } else {
        struct where w;
        err = locate(node_of(fs, ino), &w);
        if (err == 0) {
            int fd = openat(w.dirfd, w.name, (fi->flags & ~(O_CREAT | O_TRUNC)) | O_CLOEXEC | O_NOFOLLOW);
            err = fd < 0 ? errno : 0;
            fh = (uint64_t)fd;
            unlocate(&w);
        }
    }
    if (err != 0) {
        defer_err(req, err);
        return;
    }
    struct reply *r = reply_new(req, R_OPEN, 0);
    if (r == NULL) {
        if (!fs->o.synthetic) {
            close((int)fh);
        }
        fuse_reply_err(req, ENOMEM);
        return;
    }
    r->u.fi = *fi;
    r->u.fi.keep_cache = 0;
    r->u.fi.fh = fh;
    defer(fs, r);
}

/* not delayed: data, not metadata */
static void lfs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
    (void)ino;
    struct lfs *fs = fs_of(req);
    if (fs->o.synthetic) {
        uint64_t len = file_size(fi->fh);
        if ((uint64_t)off >= len) {
            fuse_reply_buf(req, NULL, 0);
            return;
        }
        if (size > len - (uint64_t)off) {
            size = (size_t)(len - (uint64_t)off);
        }
    }
    char *buf = malloc(size > 0 ? size : 1);
    if (buf == NULL) {
        fuse_reply_err(req, ENOMEM);
        return;
    }
    size_t got = 0;
    if (fs->o.synthetic) {
        syn_fill(fi->fh, buf, size, off);
        got = size;
    } else {
        while (got < size) {
            ssize_t n = pread((int)fi->fh, buf + got, size - got, off + (off_t)got);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n < 0) {
                int e = errno;
                if (got == 0) {
                    free(buf);
                    fuse_reply_err(req, e);
                    return;
                }
                break;
            }
            if (n == 0) {
                break;
            }
            got += (size_t)n;
        }
    }
    fuse_reply_buf(req, buf, got);
    free(buf);
}

static void lfs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    (void)ino;
    if (!fs_of(req)->o.synthetic) {
        close((int)fi->fh);
    }
    fuse_reply_err(req, 0);
}

static void lfs_statfs(fuse_req_t req, fuse_ino_t ino)
{
    (void)ino;
    struct lfs *fs = fs_of(req);
    struct reply *r = reply_new(req, R_STATFS, 0);
    if (r == NULL) {
        fuse_reply_err(req, ENOMEM);
        return;
    }
    struct statvfs *sv = &r->u.sv;
    if (fs->o.synthetic) {
        memset(sv, 0, sizeof *sv);
        sv->f_bsize = sv->f_frsize = 4096;
        sv->f_blocks = (fs->syn_files * 8192 + (1 << 20)) / 4096;
        sv->f_files = fs->syn_files + fs->syn_dirs;
        sv->f_namemax = 255;
    } else if (fstatvfs(fs->source_fd, sv) != 0) {
        r->kind = R_ERR;
        r->err = errno;
    }
    defer(fs, r);
}

/* ---- xattrs: l*xattr on /proc/self/fd/DIRFD/NAME (a symlink itself, never its target) */

static void xattr_common(fuse_req_t req, fuse_ino_t ino, const char *attr, size_t size)
{
    struct lfs *fs = fs_of(req);
    int err;
    ssize_t n = 0;
    struct reply *r = reply_new(req, size > 0 ? R_BUF : R_XATTR, size);
    if (r == NULL) {
        fuse_reply_err(req, ENOMEM);
        return;
    }
    if (fs->o.synthetic) {
        struct syn s;
        err = syn_decode(fs, ino, &s);
        if (err == 0 && attr != NULL) {
            err = ENODATA;
        }
    } else {
        struct where w;
        err = locate(node_of(fs, ino), &w);
        if (err == 0) {
            char path[64 + NAME_MAX];
            snprintf(path, sizeof path, "/proc/self/fd/%d/%s", w.dirfd, w.name);
            void *buf = size > 0 ? r->data : NULL;
            n = attr != NULL ? lgetxattr(path, attr, buf, size) : llistxattr(path, buf, size);
            err = n < 0 ? errno : 0;
            unlocate(&w);
        }
    }
    if (err != 0) {
        r->kind = R_ERR;
        r->err = err;
    } else if (size > 0) {
        r->len = (size_t)n;
    } else {
        r->u.count = (size_t)n;
    }
    defer(fs, r);
}

static void lfs_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
    xattr_common(req, ino, name, size);
}

static void lfs_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
    xattr_common(req, ino, NULL, size);
}

static const struct fuse_lowlevel_ops ops = {
    .init = lfs_init,
    .lookup = lfs_lookup,
    .forget = lfs_forget,
    .forget_multi = lfs_forget_multi,
    .getattr = lfs_getattr,
    .access = lfs_access,
    .readlink = lfs_readlink,
    .opendir = lfs_opendir,
    .readdir = lfs_readdir,
    .releasedir = lfs_releasedir,
    .open = lfs_open,
    .read = lfs_read,
    .release = lfs_release,
    .statfs = lfs_statfs,
    .getxattr = lfs_getxattr,
    .listxattr = lfs_listxattr,
};

/* ------------------------------------------------------------------ main */

static void usage(const char *prog)
{
    printf("usage: %s [options] SOURCE MOUNTPOINT          (passthrough, read-only)\n"
           "       %s [options] --synthetic=FILES MOUNTPOINT  (generated tree, nothing stored)\n"
           "\n"
           "    --delay-us=N        delay of every metadata operation in microseconds (default 150)\n"
           "    --threads=N         metadata requests in their delay at once, more wait (default 256)\n"
           "    --workers=N         threads reading and answering requests, at least 2 (default 2)\n"
           "    --synthetic=FILES   serve a generated tree of FILES regular files\n"
           "    --files-per-dir=N   synthetic: files per directory (default 100)\n"
           "    --dir-fanout=N      synthetic: subdirectories per directory (default 16)\n"
           "    --stats             passthrough: print inode table counters to stderr on exit\n"
           "    -f                  stay in the foreground\n"
           "    -o OPT              FUSE mount options (e.g. -o allow_other, -o clone_fd)\n",
           prog, prog);
}

static int setup_passthrough(struct lfs *fs, const char *source)
{
    fs->source_fd = open(source, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fs->source_fd < 0) {
        fprintf(stderr, "latencyfs: cannot open source directory %s: %s\n", source, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fs->source_fd, &st) != 0) {
        fprintf(stderr, "latencyfs: cannot stat %s: %s\n", source, strerror(errno));
        return -1;
    }
    /* directory nodes hold O_PATH fds: use the hard fd limit, keep a quarter (at least 256) for open files and
     * directories; beyond the budget directories are reached through their parent by name */
    struct rlimit rl;
    rlim_t lim = 1024;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        if (rl.rlim_cur < rl.rlim_max) {
            rl.rlim_cur = rl.rlim_max;
            setrlimit(RLIMIT_NOFILE, &rl);
            getrlimit(RLIMIT_NOFILE, &rl);
        }
        lim = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1u << 30) ? (1u << 30) : rl.rlim_cur;
    }
    rlim_t reserve = lim / 4 > 256 ? lim / 4 : 256;
    fs->t.max_fds = lim > reserve ? (unsigned)(lim - reserve) : 0;
    pthread_mutex_init(&fs->t.lock, NULL);
    fs->t.nbucket = 4096;
    fs->t.bucket = calloc(fs->t.nbucket, sizeof *fs->t.bucket);
    fs->root = calloc(1, sizeof *fs->root + 2);
    if (fs->t.bucket == NULL || fs->root == NULL) {
        fprintf(stderr, "latencyfs: out of memory\n");
        return -1;
    }
    fs->root->dev = st.st_dev;
    fs->root->ino = st.st_ino;
    fs->root->type = S_IFDIR;
    fs->root->fd = fs->source_fd;
    fs->root->nlookup = 1;
    strcpy(fs->root->name, ".");
    table_insert(&fs->t, fs->root);
    return 0;
}

static void teardown_passthrough(struct lfs *fs)
{
    struct table *t = &fs->t;
    if (fs->o.stats) {
        fprintf(stderr, "latencyfs: nodes live %zu (root included), peak %" PRIu64 ", created %" PRIu64
                ", freed %" PRIu64 ", directory fds %u (budget %u)\n",
                t->count, t->peak, t->created, t->freed, t->fds, t->max_fds);
    }
    for (size_t i = 0; t->bucket != NULL && i < t->nbucket; i++) {
        for (struct node *n = t->bucket[i], *next; n != NULL; n = next) {
            next = n->hnext;
            if (n->fd >= 0 && n != fs->root) {
                close(n->fd);
            }
            if (n != fs->root) {
                free(n);
            }
        }
    }
    free(t->bucket);
    free(fs->root);
    if (fs->source_fd >= 0) {
        close(fs->source_fd);
    }
}

int main(int argc, char *argv[])
{
    struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
    struct lfs *fs = calloc(1, sizeof *fs);
    if (fs == NULL) {
        return 1;
    }
    fs->o = (struct options){150, 256, 2, NULL, 100, 16, 0, 0};
    fs->source_fd = -1;
    struct fuse_cmdline_opts co;
    memset(&co, 0, sizeof co);
    int rc = 2;
    if (fuse_opt_parse(&args, &fs->o, option_spec, NULL) == -1) {
        goto out_free;
    }
    if (fs->o.show_help) {
        usage(argv[0]);
        rc = 0;
        goto out_free;
    }
    if (fs->o.files_per_dir == 0 || fs->o.dir_fanout == 0 || fs->o.threads == 0 || fs->o.workers < 2) {
        fprintf(stderr, "latencyfs: --files-per-dir, --dir-fanout and --threads must be positive, --workers >= 2\n");
        goto out_free;
    }
    fs->delay_ns = (long long)fs->o.delay_us * 1000;
    pthread_mutex_init(&fs->q.lock, NULL);
    pthread_cond_init(&fs->q.room, NULL);
    if (fs->o.synthetic) {
        if (parse_number(fs->o.synthetic, strlen(fs->o.synthetic), &fs->syn_files) != 0) {
            fprintf(stderr, "latencyfs: --synthetic needs a number of files, not \"%s\"\n", fs->o.synthetic);
            goto out_free;
        }
        fs->syn_dirs = fs->syn_files == 0 ? 1 : (fs->syn_files + fs->o.files_per_dir - 1) / fs->o.files_per_dir;
    } else {
        /* the first non-option argument is the source; fuse_parse_cmdline takes the mountpoint */
        int at = -1;
        for (int i = 1; i < args.argc; i++) {
            if (args.argv[i][0] == '-') {
                if (strcmp(args.argv[i], "-o") == 0) {
                    i++;
                }
                continue;
            }
            at = i;
            break;
        }
        if (at < 0) {
            usage(argv[0]);
            goto out_free;
        }
        if (setup_passthrough(fs, args.argv[at]) != 0) {
            rc = 1;
            goto out_free;
        }
        if (args.allocated) {
            free(args.argv[at]); /* fuse_opt_parse's copy */
        }
        for (int i = at; i < args.argc - 1; i++) {
            args.argv[i] = args.argv[i + 1];
        }
        args.argc--;
    }

    if (fuse_parse_cmdline(&args, &co) != 0) {
        goto out_free;
    }
    if (co.mountpoint == NULL) {
        usage(argv[0]);
        goto out_free;
    }
    fuse_opt_add_arg(&args, "-oro,default_permissions");
    fuse_opt_add_arg(&args, fs->o.synthetic ? "-ofsname=latencyfs-synthetic" : "-ofsname=latencyfs");
    fuse_opt_add_arg(&args, "-osubtype=latencyfs");

    rc = 1;
    struct fuse_session *se = fuse_session_new(&args, &ops, sizeof ops, fs);
    if (se == NULL) {
        goto out_free;
    }
    if (fuse_session_mount(se, co.mountpoint) != 0) {
        goto out_destroy;
    }
    if (fuse_daemonize(co.foreground) != 0) {
        goto out_unmount;
    }
    if (fuse_set_signal_handlers(se) != 0) {
        goto out_unmount;
    }
    /* the default timer slack (50 us) is far too coarse; threads created later inherit this */
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    struct fuse_loop_config *cfg = fuse_loop_cfg_create();
    fuse_loop_cfg_set_max_threads(cfg, fs->o.workers);
    fuse_loop_cfg_set_idle_threads(cfg, fs->o.workers);
    fuse_loop_cfg_set_clone_fd(cfg, (unsigned)co.clone_fd);
    rc = fuse_session_loop_mt(se, cfg) == 0 ? 0 : 1;
    fuse_loop_cfg_destroy(cfg);
    fuse_remove_signal_handlers(se);
out_unmount:
    fuse_session_unmount(se);
out_destroy:
    fuse_session_destroy(se);
out_free:
    if (!fs->o.synthetic && fs->source_fd >= 0) {
        teardown_passthrough(fs);
    }
    free(co.mountpoint);
    fuse_opt_free_args(&args);
    free(fs->o.synthetic);
    free(fs);
    return rc;
}
