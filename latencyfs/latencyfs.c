/*
 * latencyfs: a metadata-latency emulator for podheitor-hpc benchmarks (FUSE 3, low-level API, deferred replies).
 *
 *   latencyfs [--delay-us=N] [--threads=N] SOURCE MOUNTPOINT [fuse options]     passthrough of SOURCE
 *   latencyfs [--delay-us=N] --synthetic=FILES [--files-per-dir=N] [--dir-fanout=N] MOUNTPOINT
 *   latencyfs [--delay-us=N] [--delay-data] --rw BACKING MOUNTPOINT                 writable passthrough of BACKING
 *
 * Every metadata operation (lookup, getattr, opendir, readdir, open, readlink, getxattr, listxattr, access,
 * statfs) is answered --delay-us microseconds (default 150, the Lustre statx latency of one op in flight) after it
 * was served, errors included; read, release, releasedir and forget are not delayed. --rw: the operations that
 * change the tree (create, mkdir, mknod, symlink, link, unlink, rmdir, rename, setattr, setxattr, removexattr,
 * fsyncdir) are delayed too; data (read, write, fsync, fallocate, lseek) only with --delay-data. Entry, attribute
 * and negative caching are off (all timeouts 0), readdirplus is disabled and no file or directory is opened with
 * keep_cache or cache_readdir, so every stat issued by a walker reaches this process and pays the delay.
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
 * --ost-bw=MBPS (passthrough): every OST reads MBPS * 10^6 bytes/s; a READ's reply waits until the OSTs holding its
 * bytes (the layout from the fake liblustreapi's user.lustre_fake.* xattrs, read at open) have delivered them, each
 * OST one "busy until" clock shared by all files; a timer thread of its own sends those replies. See README.md.
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
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/securebits.h>
#include <sys/fsuid.h>
#include <sys/prctl.h>
#include <sched.h>
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
    int rw;                   /* writable passthrough: changes go to the source (the backing directory) */
    int delay_data;           /* delay data requests (read, write, fsync, fallocate, lseek) too */
    char *ost_bw;             /* --ost-bw: read bandwidth per OST in MB/s, as text (NULL or 0: off) */
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
    OPT("--rw", rw),
    OPT("--delay-data", delay_data),
    OPT("--ost-bw=%s", ost_bw),
    OPT("-h", show_help),
    OPT("--help", show_help),
    FUSE_OPT_END
};

/* ------------------------------------------------------------------ state */

/* A passthrough inode. Read-only mode: immutable after creation except nlookup and refs (table lock). Writable
 * mode: parent, rname and stale change too (under the topology lock held for writing, parent also under the
 * table lock), and dead is set under the table lock. */
struct node {
    struct node *hnext;       /* hash chain */
    struct node *parent;      /* directory it was found in (holds a ref), NULL for the root */
    dev_t dev;
    ino_t ino;
    mode_t type;              /* S_IFMT bits (part of the key: a reused inode number of another type is a new node) */
    int fd;                   /* directories: O_PATH fd, -1 over the fd budget; others: -1, or (writable mode) the
                               * anchor: an O_PATH fd taken before its last name was removed (it may still be open) */
    uint64_t nlookup;         /* lookups the kernel holds (entry replies sent minus forgets) */
    uint64_t refs;            /* child nodes naming this one as parent */
    char *rname;              /* writable mode: the name in parent since a rename (malloc'd), else NULL */
    unsigned char stale;      /* writable mode: (parent, name) no longer names this inode (unlinked, replaced) */
    unsigned char dead;       /* writable mode: its last name is gone; table_find skips it (inode numbers are reused) */
    char name[];              /* name in parent when first found ("." for the root) */
};

static const char *nname(const struct node *n) { return n->rname != NULL ? n->rname : n->name; }

struct table {
    pthread_mutex_t lock;
    struct node **bucket;
    size_t nbucket, count;
    unsigned fds, max_fds;    /* O_PATH fds held by directory nodes, and their budget */
    uint64_t created, freed, peak;
};

/* A reply computed now and sent when due; it owns a copy of everything it sends. */
enum kind { R_ERR, R_ENTRY, R_ATTR, R_OPEN, R_OPENDIR, R_BUF, R_READLINK, R_XATTR, R_STATFS, R_CREATE, R_WRITE,
            R_LSEEK };

struct reply {
    struct reply *next;
    struct timespec due;
    fuse_req_t req;
    enum kind kind;
    int err;
    struct node *node;        /* R_ENTRY, R_CREATE (passthrough): undo the lookup count if the reply is not delivered */
    union {
        struct fuse_entry_param e;
        struct stat st;
        struct fuse_file_info fi;
        struct statvfs sv;
        size_t count;         /* R_XATTR, R_WRITE */
        off_t off;            /* R_LSEEK */
        struct {
            struct fuse_entry_param e;
            struct fuse_file_info fi;
        } c;                  /* R_CREATE */
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

struct ostbw;

struct lfs {
    struct options o;
    long long delay_ns;
    double ost_ns_per_byte;   /* --ost-bw: nanoseconds an OST needs per byte (0: off) */
    struct ostbw *ob;         /* --ost-bw state, NULL when off */
    pthread_mutex_t open_lock; /* passthrough: the list of open files */
    struct ofile *open_files;
    int source_fd;            /* passthrough: the source directory (the root node's fd) */
    pthread_rwlock_t topo;    /* writable mode: held for reading while a node's (parent, name) is used, for writing
                               * while names change (rename, unlink, rmdir, a lookup that finds a node's new name) */
    int root_daemon;          /* writable mode: running as root, so new nodes are made as the caller (fsuid/fsgid) */
    int dont_mask;            /* writable mode: the kernel leaves the umask to us (FUSE_CAP_DONT_MASK) */
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
struct ofile;
static void ofile_free(struct lfs *fs, struct ofile *of);

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
            ofile_free(fs, (struct ofile *)(uintptr_t)r->u.fi.fh);
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
    case R_CREATE:
        rc = fuse_reply_create(r->req, &r->u.c.e, &r->u.c.fi);
        if (rc != 0) {
            node_forget(fs, r->node, 1);
            ofile_free(fs, (struct ofile *)(uintptr_t)r->u.c.fi.fh);
        }
        break;
    case R_WRITE:
        fuse_reply_write(r->req, r->u.count);
        break;
    case R_LSEEK:
        fuse_reply_lseek(r->req, r->u.off);
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

/* ------------------------------------------------------------------ per-OST read bandwidth (--ost-bw) */

/*
 * A passthrough file's layout comes from the xattrs the project's fake liblustreapi reads
 * (hpc-lustre/src/test/c/fake_lustreapi.c): user.lustre_fake.lov on the source file ("extent=START-END|EOF count=N
 * size=BYTES pattern=... pool=... ost=I,J,... init=no" components separated by ';'), else the mount default
 * user.lustre_fake.stripe on the source root ("count=N size=BYTES", else count=1 size=1 MiB) with the OSTs of
 * user.lustre_fake.osts on the root (default 0..count-1) taken round robin from (inode % their number). It is read
 * once per open and kept in the open file's handle. Each OST has one "busy until" clock shared by all files: a READ
 * is cut at stripe boundaries, a piece of L bytes on OST k is done at busy[k] = max(now, busy[k]) + L / bandwidth,
 * and the reply (data read at once) is sent at the latest of its pieces, by the read timer thread.
 */
#define OST_MAX 4096          /* OST indices 0..4095 (the fake liblustreapi's MAX_TARGETS) */
#define LOV_MAX_COMPS 16      /* components of a layout (its MAX_COMPS) */
#define LOV_MAX_STRIPES 2000  /* stripes of a component (Lustre's LOV_MAX_STRIPE_COUNT) */
#define LOV_XATTR_MAX 65536
#define OST_BACKGROUND 64     /* FUSE max_background with --ost-bw (kernel default 12) */
#define OST_READAHEAD 131072  /* FUSE max_readahead with --ost-bw: at most the kernel's default 128 KiB */

struct lcomp {
    uint64_t start, end;      /* extent [start, end); the last component is taken to reach EOF */
    uint64_t size;            /* stripe size, > 0 */
    uint32_t count;           /* stripes */
    int mdt;                  /* pattern=mdt (data on the MDT): no OST, not limited */
    uint32_t *ost;            /* count OST indices, each < OST_MAX */
};

struct layout {
    unsigned ncomp;
    int malformed;            /* the lov xattr could not be parsed: one OST */
    struct lcomp c[LOV_MAX_COMPS];
};

/* An open passthrough file (fuse_file_info.fh); on the list of open files (closed at exit if still open). */
struct ofile {
    struct ofile *prev, *next;
    int fd;
    struct layout *lay;       /* --ost-bw: the layout read at open, else NULL */
};

static int fd_of(const struct fuse_file_info *fi) { return ((const struct ofile *)(uintptr_t)fi->fh)->fd; }

struct ostbw {
    pthread_mutex_t lock;     /* the clocks and counters */
    int64_t busy[OST_MAX];    /* CLOCK_MONOTONIC ns until which each OST is busy */
    uint64_t bytes[OST_MAX];  /* bytes read per OST */
    uint64_t mdt_bytes;       /* bytes read from pattern=mdt components */
    uint64_t reads, largest, malformed;
    pthread_mutex_t qlock;    /* the heap of replies waiting for their due time, and the timer thread */
    pthread_cond_t qcond;     /* CLOCK_MONOTONIC: a new earliest reply, or stop */
    struct reply **heap;
    size_t n, cap, peak;
    int stop, started;
    pthread_t thread;
};

static void layout_free(struct layout *l)
{
    if (l == NULL) {
        return;
    }
    for (unsigned i = 0; i < l->ncomp; i++) {
        free(l->c[i].ost);
    }
    free(l);
}

static void ofile_free(struct lfs *fs, struct ofile *of)
{
    if (of == NULL) {
        return;
    }
    pthread_mutex_lock(&fs->open_lock);
    if (of->prev != NULL) {
        of->prev->next = of->next;
    } else {
        fs->open_files = of->next;
    }
    if (of->next != NULL) {
        of->next->prev = of->prev;
    }
    pthread_mutex_unlock(&fs->open_lock);
    close(of->fd);
    layout_free(of->lay);
    free(of);
}

/* a decimal number of at most 20 digits that fits: 0, else -1 */
static int lov_u64(const char *s, uint64_t *out)
{
    uint64_t v = 0;
    size_t i = 0;
    for (; s[i] >= '0' && s[i] <= '9'; i++) {
        unsigned d = (unsigned)(s[i] - '0');
        if (i >= 20 || v > (UINT64_MAX - d) / 10) {
            return -1;
        }
        v = v * 10 + d;
    }
    if (i == 0 || s[i] != '\0') {
        return -1;
    }
    *out = v;
    return 0;
}

/* the value of token KEY=VALUE in a space-separated component: 1 (copied to out), 0 absent, -1 too long */
static int lov_token(const char *text, const char *key, char *out, size_t size)
{
    size_t klen = strlen(key);
    const char *p = text;
    while (*p != '\0') {
        while (*p == ' ' || *p == '\t' || *p == '\n') {
            p++;
        }
        const char *end = p;
        while (*end != '\0' && *end != ' ' && *end != '\t' && *end != '\n') {
            end++;
        }
        if ((size_t)(end - p) > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
            size_t n = (size_t)(end - p) - klen - 1;
            if (n + 1 > size) {
                return -1;
            }
            memcpy(out, p + klen + 1, n);
            out[n] = '\0';
            return 1;
        }
        p = end;
    }
    return 0;
}

/* OST indices "0-3", "0,1,3", "0-1,5": their number (1..OST_MAX), or -1 */
static int lov_targets(const char *s, uint32_t *idx)
{
    int n = 0;
    char buf[32];
    while (*s != '\0') {
        size_t len = strcspn(s, ",");
        if (len == 0 || len >= sizeof buf) {
            return -1;
        }
        memcpy(buf, s, len);
        buf[len] = '\0';
        s += len;
        if (*s == ',') {
            s++;
            if (*s == '\0') {
                return -1;
            }
        }
        char *dash = strchr(buf, '-');
        uint64_t lo, hi;
        if (dash != NULL) {
            *dash = '\0';
            if (lov_u64(buf, &lo) != 0 || lov_u64(dash + 1, &hi) != 0) {
                return -1;
            }
        } else if (lov_u64(buf, &lo) != 0) {
            return -1;
        } else {
            hi = lo;
        }
        if (lo > hi || hi >= OST_MAX || (uint64_t)n + (hi - lo) + 1 > OST_MAX) {
            return -1;
        }
        for (uint64_t i = lo; i <= hi; i++) {
            idx[n++] = (uint32_t)i;
        }
    }
    return n > 0 ? n : -1;
}

/* the mount's defaults, from the source root's xattrs */
struct lov_defaults {
    uint64_t count, size;
    int nost;                 /* OSTs listed in user.lustre_fake.osts, 0: none (then 0..count-1) */
    uint32_t ost[OST_MAX];
};

/* an xattr of fd as a NUL-terminated string: its length, or -1 (absent, unreadable or too long) */
static ssize_t lov_xattr(int fd, const char *name, char *buf, size_t size)
{
    ssize_t n = fgetxattr(fd, name, buf, size - 1);
    if (n < 0) {
        return -1;
    }
    buf[n] = '\0';
    return (ssize_t)strlen(buf); /* a NUL inside ends it */
}

static void lov_defaults(struct lfs *fs, struct lov_defaults *d)
{
    char buf[4096], v[64];
    uint64_t x;
    d->count = 1;
    d->size = 1048576;
    d->nost = 0;
    if (lov_xattr(fs->source_fd, "user.lustre_fake.stripe", buf, sizeof buf) > 0) {
        uint64_t count = 1, size = 1048576;
        int ok = 1;
        if (lov_token(buf, "count", v, sizeof v) != 0) {
            ok = lov_u64(v, &x) == 0 && x > 0 && x <= LOV_MAX_STRIPES;
            count = x;
        }
        if (ok && lov_token(buf, "size", v, sizeof v) != 0) {
            ok = lov_u64(v, &x) == 0 && x > 0;
            size = x;
        }
        if (ok) { /* a malformed default: count=1 size=1 MiB */
            d->count = count;
            d->size = size;
        }
    }
    if (lov_xattr(fs->source_fd, "user.lustre_fake.osts", buf, sizeof buf) > 0) {
        int n = lov_targets(buf, d->ost);
        d->nost = n > 0 ? n : 0;
    }
}

/* the OSTs of a component without ost=: the listed OSTs (else 0..count-1) from (inode % their number) on */
static int lov_place(struct lcomp *c, const struct lov_defaults *d, uint64_t ino)
{
    c->ost = malloc(c->count * sizeof *c->ost);
    if (c->ost == NULL) {
        return -1;
    }
    uint64_t n = d->nost > 0 ? (uint64_t)d->nost : c->count;
    for (uint64_t i = 0; i < c->count; i++) {
        uint64_t pos = (ino % n + i) % n;
        c->ost[i] = d->nost > 0 ? d->ost[pos] : (uint32_t)pos;
    }
    return 0;
}

/* one component: 0, -1 malformed, -2 out of memory */
static int lov_comp(char *text, struct lcomp *c, const struct lov_defaults *d, uint64_t ino)
{
    char v[64];
    uint64_t x;
    int t;
    memset(c, 0, sizeof *c);
    c->end = UINT64_MAX;
    c->count = (uint32_t)d->count;
    c->size = d->size;
    if ((t = lov_token(text, "extent", v, sizeof v)) != 0) {
        char *dash = strchr(v, '-');
        if (t < 0 || dash == NULL) {
            return -1;
        }
        *dash = '\0';
        if (lov_u64(v, &c->start) != 0) {
            return -1;
        }
        if (strcmp(dash + 1, "EOF") != 0 && (lov_u64(dash + 1, &c->end) != 0 || c->end <= c->start)) {
            return -1;
        }
    }
    if ((t = lov_token(text, "count", v, sizeof v)) != 0) {
        if (t > 0 && strcmp(v, "-1") == 0) { /* all OSTs */
            c->count = d->nost > 0 ? (uint32_t)d->nost : (uint32_t)d->count;
        } else if (t < 0 || lov_u64(v, &x) != 0 || x == 0 || x > LOV_MAX_STRIPES) {
            return -1;
        } else {
            c->count = (uint32_t)x;
        }
    }
    if ((t = lov_token(text, "size", v, sizeof v)) != 0) {
        if (t < 0 || lov_u64(v, &c->size) != 0 || c->size == 0) {
            return -1;
        }
    }
    if ((t = lov_token(text, "pattern", v, sizeof v)) != 0) {
        c->mdt = t > 0 && strcmp(v, "mdt") == 0;
        if (!c->mdt && (t < 0 || (strcmp(v, "raid0") != 0 && strcmp(v, "overstriping") != 0))) {
            return -1; /* the patterns the fake liblustreapi knows */
        }
    }
    if (c->mdt) {
        return 0;
    }
    /* ost= lists up to LOV_MAX_STRIPES indices of up to 4 digits */
    static const size_t ost_text = LOV_MAX_STRIPES * 5 + 1;
    char *ov = malloc(ost_text);
    if (ov == NULL) {
        return -2;
    }
    t = lov_token(text, "ost", ov, ost_text);
    if (t == 0) {
        free(ov);
        return lov_place(c, d, ino) == 0 ? 0 : -2;
    }
    int rc = -1;
    c->ost = malloc(c->count * sizeof *c->ost);
    if (c->ost == NULL) {
        rc = -2;
    } else if (t > 0) {
        uint32_t n = 0;
        char *save = NULL;
        for (char *tok = strtok_r(ov, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
            if (n == c->count || lov_u64(tok, &x) != 0 || x >= OST_MAX) {
                n = 0;
                break;
            }
            c->ost[n++] = (uint32_t)x;
        }
        rc = n == c->count ? 0 : -1; /* as many OSTs as stripes */
    }
    free(ov);
    return rc;
}

/* The layout of an open source file (never fails but for memory: NULL, then everything is on OST 0). */
static struct layout *layout_load(struct lfs *fs, int fd)
{
    struct stat st;
    uint64_t ino = fstat(fd, &st) == 0 ? (uint64_t)st.st_ino : 0;
    struct lov_defaults *d = malloc(sizeof *d);
    struct layout *l = calloc(1, sizeof *l);
    char *text = malloc(LOV_XATTR_MAX);
    if (d == NULL || l == NULL || text == NULL) {
        free(d);
        free(l);
        free(text);
        return NULL;
    }
    lov_defaults(fs, d);
    ssize_t n = fgetxattr(fd, "user.lustre_fake.lov", text, LOV_XATTR_MAX - 1);
    int bad = 0;
    if (n < 0 && (errno == ENODATA || errno == ENOTSUP)) {
        /* no layout: the mount's default */
        l->ncomp = 1;
        l->c[0] = (struct lcomp){.start = 0, .end = UINT64_MAX, .size = d->size, .count = (uint32_t)d->count};
        bad = lov_place(&l->c[0], d, ino) == 0 ? 0 : -2;
    } else if (n < 0 || memchr(text, '\0', (size_t)n) != NULL) {
        bad = -1; /* unreadable (too long, ...) or binary */
    } else {
        text[n] = '\0';
        char *save = NULL;
        for (char *item = strtok_r(text, ";", &save); item != NULL && bad == 0;
             item = strtok_r(NULL, ";", &save)) {
            if (l->ncomp == LOV_MAX_COMPS) {
                bad = -1;
                break;
            }
            bad = lov_comp(item, &l->c[l->ncomp], d, ino);
            l->ncomp++; /* also a failed one: its ost array (if any) is freed below */
        }
        if (bad == 0 && l->ncomp == 0) {
            bad = -1;
        }
        /* the components must tile the file from 0 on, in order */
        for (unsigned i = 0; bad == 0 && i < l->ncomp; i++) {
            uint64_t want = i == 0 ? 0 : l->c[i - 1].end;
            if (l->c[i].start != want || (i + 1 < l->ncomp && l->c[i].end == UINT64_MAX)) {
                bad = -1;
            }
        }
    }
    if (bad != 0) {
        /* malformed (or out of memory): one OST, the first the default placement gives */
        for (unsigned i = 0; i < l->ncomp; i++) {
            free(l->c[i].ost);
        }
        memset(l, 0, sizeof *l);
        l->ncomp = 1;
        l->malformed = 1;
        l->c[0] = (struct lcomp){.start = 0, .end = UINT64_MAX, .size = d->size, .count = 1};
        if (lov_place(&l->c[0], d, ino) != 0) {
            free(l);
            l = NULL;
        }
    }
    free(d);
    free(text);
    return l;
}

static int64_t mono_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/* Charges a read of len bytes at off to the OSTs; returns when (CLOCK_MONOTONIC ns) its last piece is done. */
static int64_t ost_charge(struct lfs *fs, const struct layout *l, uint64_t off, uint64_t len)
{
    static const struct lcomp one = {.start = 0, .end = UINT64_MAX, .size = 1048576, .count = 1};
    static const uint32_t ost0 = 0;
    struct ostbw *ob = fs->ob;
    int64_t now = mono_ns(), done = now;
    unsigned ci = 0;
    pthread_mutex_lock(&ob->lock);
    ob->reads++;
    if (len > ob->largest) {
        ob->largest = len;
    }
    while (len > 0) {
        while (l != NULL && ci + 1 < l->ncomp && off >= l->c[ci].end) {
            ci++;
        }
        const struct lcomp *c = l != NULL ? &l->c[ci] : &one;
        int last = l == NULL || ci + 1 == l->ncomp;
        uint64_t piece = len;
        if (!last && c->end - off < piece) {
            piece = c->end - off;
        }
        if (c->mdt) {
            ob->mdt_bytes += piece;
        } else {
            uint64_t rel = off - c->start, left = c->size - rel % c->size;
            if (left < piece) {
                piece = left;
            }
            uint32_t k = l != NULL ? c->ost[(rel / c->size) % c->count] : ost0;
            int64_t t = (ob->busy[k] > now ? ob->busy[k] : now) + (int64_t)((double)piece * fs->ost_ns_per_byte + 0.5);
            ob->busy[k] = t;
            ob->bytes[k] += piece;
            if (t > done) {
                done = t;
            }
        }
        off += piece;
        len -= piece;
    }
    pthread_mutex_unlock(&ob->lock);
    return done;
}

/* the heap of read replies, earliest due first (q->qlock held) */
static void heap_up(struct ostbw *ob, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!before(&ob->heap[i]->due, &ob->heap[p]->due)) {
            break;
        }
        struct reply *t = ob->heap[i];
        ob->heap[i] = ob->heap[p];
        ob->heap[p] = t;
        i = p;
    }
}

static struct reply *heap_pop(struct ostbw *ob)
{
    struct reply *top = ob->heap[0];
    ob->heap[0] = ob->heap[--ob->n];
    for (size_t i = 0;;) {
        size_t a = 2 * i + 1, b = a + 1, m = i;
        if (a < ob->n && before(&ob->heap[a]->due, &ob->heap[m]->due)) {
            m = a;
        }
        if (b < ob->n && before(&ob->heap[b]->due, &ob->heap[m]->due)) {
            m = b;
        }
        if (m == i) {
            break;
        }
        struct reply *t = ob->heap[i];
        ob->heap[i] = ob->heap[m];
        ob->heap[m] = t;
        i = m;
    }
    return top;
}

/* Sends r at due (CLOCK_MONOTONIC ns) from the read timer thread; at once if it is due already. */
static void defer_until(struct lfs *fs, struct reply *r, int64_t due)
{
    struct ostbw *ob = fs->ob;
    if (due <= mono_ns()) {
        send_reply(fs, r);
        return;
    }
    r->due.tv_sec = due / 1000000000;
    r->due.tv_nsec = due % 1000000000;
    pthread_mutex_lock(&ob->qlock);
    if (ob->n == ob->cap) {
        size_t cap = ob->cap ? ob->cap * 2 : 64;
        struct reply **h = realloc(ob->heap, cap * sizeof *h);
        if (h == NULL) {
            pthread_mutex_unlock(&ob->qlock);
            send_reply(fs, r); /* out of memory: the data is there, send it now */
            return;
        }
        ob->heap = h;
        ob->cap = cap;
    }
    ob->heap[ob->n++] = r;
    heap_up(ob, ob->n - 1);
    if (ob->n > ob->peak) {
        ob->peak = ob->n;
    }
    if (ob->heap[0] == r) {
        pthread_cond_signal(&ob->qcond); /* earlier than what the thread sleeps for */
    }
    pthread_mutex_unlock(&ob->qlock);
}

/* The read timer: sends the heap's replies as they fall due; on stop, all of them at once. */
static void *read_timer(void *arg)
{
    struct lfs *fs = arg;
    struct ostbw *ob = fs->ob;
    pthread_mutex_lock(&ob->qlock);
    for (;;) {
        if (ob->n == 0) {
            if (ob->stop) {
                break;
            }
            pthread_cond_wait(&ob->qcond, &ob->qlock);
            continue;
        }
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        if (!ob->stop && before(&now, &ob->heap[0]->due)) {
            struct timespec due = ob->heap[0]->due;
            pthread_cond_timedwait(&ob->qcond, &ob->qlock, &due);
            continue;
        }
        struct reply *batch = NULL, **tail = &batch;
        while (ob->n > 0 && (ob->stop || !before(&now, &ob->heap[0]->due))) {
            struct reply *r = heap_pop(ob);
            r->next = NULL;
            *tail = r;
            tail = &r->next;
        }
        pthread_mutex_unlock(&ob->qlock);
        while (batch != NULL) {
            struct reply *next = batch->next;
            send_reply(fs, batch);
            batch = next;
        }
        pthread_mutex_lock(&ob->qlock);
    }
    pthread_mutex_unlock(&ob->qlock);
    return NULL;
}

static struct ostbw *ostbw_new(void)
{
    struct ostbw *ob = calloc(1, sizeof *ob);
    if (ob == NULL) {
        return NULL;
    }
    pthread_mutex_init(&ob->lock, NULL);
    pthread_mutex_init(&ob->qlock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&ob->qcond, &ca);
    pthread_condattr_destroy(&ca);
    return ob;
}

static int ostbw_start(struct lfs *fs)
{
    int rc = pthread_create(&fs->ob->thread, NULL, read_timer, fs);
    if (rc != 0) {
        fprintf(stderr, "latencyfs: cannot start the read timer thread: %s\n", strerror(rc));
        return -1;
    }
    fs->ob->started = 1;
    return 0;
}

/* stops the timer thread once it has sent every waiting reply (the session must still exist) */
static void ostbw_stop(struct lfs *fs)
{
    struct ostbw *ob = fs->ob;
    if (ob == NULL || !ob->started) {
        return;
    }
    pthread_mutex_lock(&ob->qlock);
    ob->stop = 1;
    pthread_cond_signal(&ob->qcond);
    pthread_mutex_unlock(&ob->qlock);
    pthread_join(ob->thread, NULL);
    ob->started = 0;
}

static void ostbw_free(struct lfs *fs)
{
    struct ostbw *ob = fs->ob;
    if (ob == NULL) {
        return;
    }
    if (fs->o.stats) {
        fprintf(stderr, "latencyfs: ost-bw %s MB/s per OST: READs %" PRIu64 ", largest %" PRIu64
                " bytes, at most %zu waiting at once, malformed layouts %" PRIu64 "; bytes read per OST:",
                fs->o.ost_bw, ob->reads, ob->largest, ob->peak, ob->malformed);
        int any = 0;
        for (unsigned k = 0; k < OST_MAX; k++) {
            if (ob->bytes[k] != 0) {
                fprintf(stderr, " OST%04x=%" PRIu64, k, ob->bytes[k]);
                any = 1;
            }
        }
        if (ob->mdt_bytes != 0) {
            fprintf(stderr, " MDT=%" PRIu64, ob->mdt_bytes);
            any = 1;
        }
        fprintf(stderr, "%s\n", any ? "" : " none");
    }
    free(ob->heap);
    pthread_cond_destroy(&ob->qcond);
    pthread_mutex_destroy(&ob->qlock);
    pthread_mutex_destroy(&ob->lock);
    free(ob);
    fs->ob = NULL;
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
        if (n->ino == ino && n->dev == dev && n->type == type && !n->dead) {
            return n;
        }
    }
    return NULL;
}

/* Table lock held: drops count lookups of n; unlinks n (and ancestors that only it kept) from the table onto *dead
 * when nothing refers to it any more (free_nodes frees them once the lock is released). */
static void node_release(struct lfs *fs, struct node *n, uint64_t count, struct node **deadp)
{
    struct table *t = &fs->t;
    struct node *dead = *deadp;
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
    *deadp = dead;
}

static void free_nodes(struct node *dead)
{
    while (dead != NULL) {
        struct node *next = dead->hnext;
        if (dead->fd >= 0) {
            close(dead->fd);
        }
        free(dead->rname);
        free(dead);
        dead = next;
    }
}

/* Drops count lookups of n; frees n (and ancestors that only it kept) when nothing refers to it any more. */
static void node_forget(struct lfs *fs, struct node *n, uint64_t count)
{
    struct node *dead = NULL;
    pthread_mutex_lock(&fs->t.lock);
    node_release(fs, n, count, &dead);
    pthread_mutex_unlock(&fs->t.lock);
    free_nodes(dead);
}

/* An fd of directory node n: its own (*tmp = -1) or a temporary one the caller closes (*tmp = fd). -1 + errno. */
static int dir_fd(struct node *n, int *tmp)
{
    *tmp = -1;
    if (n->fd >= 0) {
        return n->fd;
    }
    if (n->stale) {
        errno = ESTALE;
        return -1;
    }
    int ptmp;
    int pfd = dir_fd(n->parent, &ptmp);
    if (pfd < 0) {
        return -1;
    }
    int fd = openat(pfd, nname(n), O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
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

/* Where a node is for an *at() call: (dirfd, name) with AT_SYMLINK_NOFOLLOW; directories with an fd are (fd, ".").
 * Writable mode: a node whose last name is gone, with an anchor, is (AT_FDCWD, "/proc/self/fd/ANCHOR") to be
 * followed (nofollow = 0): that magic link leads to the inode itself. */
struct where {
    int dirfd;
    const char *name;
    int tmp;          /* fd to close afterwards, or -1 */
    int nofollow;     /* AT_SYMLINK_NOFOLLOW, or 0 for an anchor */
    int o_nofollow;   /* O_NOFOLLOW, or 0 for an anchor */
    char proc[32];
};

static int locate(struct node *n, struct where *w)
{
    w->nofollow = AT_SYMLINK_NOFOLLOW;
    w->o_nofollow = O_NOFOLLOW;
    if (n->fd >= 0 && n->type != S_IFDIR) {
        snprintf(w->proc, sizeof w->proc, "/proc/self/fd/%d", n->fd);
        w->dirfd = AT_FDCWD;
        w->name = w->proc;
        w->tmp = -1;
        w->nofollow = 0;
        w->o_nofollow = 0;
        return 0;
    }
    if (n->fd >= 0) {
        w->dirfd = n->fd;
        w->name = ".";
        w->tmp = -1;
        return 0;
    }
    if (n->stale) {
        w->tmp = -1;
        return ESTALE; /* writable mode: its name was removed; see node_refresh */
    }
    w->dirfd = dir_fd(n->parent, &w->tmp);
    if (w->dirfd < 0) {
        return errno;
    }
    w->name = nname(n);
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
    n->rname = NULL;
    n->stale = 0;
    n->dead = 0;
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

/* ---- writable mode: names change */

/* The topology lock (writable mode only; the read-only mode never takes it) */
static void topo_rd(struct lfs *fs)
{
    if (fs->o.rw) {
        pthread_rwlock_rdlock(&fs->topo);
    }
}

static void topo_wr(struct lfs *fs)
{
    if (fs->o.rw) {
        pthread_rwlock_wrlock(&fs->topo);
    }
}

static void topo_un(struct lfs *fs)
{
    if (fs->o.rw) {
        pthread_rwlock_unlock(&fs->topo);
    }
}

/* topology lock held (either way): is (p, name) news for node n? */
static int needs_refresh(struct lfs *fs, struct node *n, struct node *p, const char *name)
{
    return n != fs->root && (n->stale || n->parent != p || strcmp(nname(n), name) != 0);
}

/* Topology lock held for writing, n pinned (a lookup held): n is now (p, name). The old parent, if n left it and
 * nothing holds it any more, goes onto *dead (free_nodes). Out of memory: n keeps its old name. */
static void node_move(struct lfs *fs, struct node *n, struct node *p, const char *name, struct node **dead)
{
    if (n == fs->root) {
        return;
    }
    if (strcmp(nname(n), name) != 0) {
        char *copy = strdup(name);
        if (copy == NULL) {
            return;
        }
        free(n->rname);
        n->rname = copy;
    }
    n->stale = 0;
    struct node *old = n->parent;
    if (old == p) {
        return;
    }
    pthread_mutex_lock(&fs->t.lock);
    p->refs++;
    old->refs--;
    n->parent = p;
    node_release(fs, old, 0, dead);
    pthread_mutex_unlock(&fs->t.lock);
}

/* A lookup (or link) found n, which the table knew under another name (a hard link, or a rename or unlink made
 * in the backing directory directly): (p, name) becomes its name if it still names it. No lock held. */
static void node_refresh(struct lfs *fs, struct node *n, struct node *p, const char *name)
{
    struct node *dead = NULL;
    pthread_rwlock_wrlock(&fs->topo);
    if (needs_refresh(fs, n, p, name)) {
        int tmp;
        int pfd = dir_fd(p, &tmp);
        struct stat st;
        if (pfd >= 0 && fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && st.st_ino == n->ino &&
            st.st_dev == n->dev && (st.st_mode & S_IFMT) == n->type) {
            node_move(fs, n, p, name, &dead);
        }
        if (tmp >= 0) {
            close(tmp);
        }
    }
    pthread_rwlock_unlock(&fs->topo);
    free_nodes(dead);
}

/* Topology lock held for writing, before (pfd, name), whose stat is st, is removed or replaced: an anchor for its
 * node if this is its last name (an O_PATH fd, so that an open file whose name is gone keeps working: the kernel
 * still asks for its attributes and xattrs by inode), else -1. Not for directories (they have an fd, or are empty
 * and gone) nor symlinks (readlink cannot go through /proc/self/fd). */
static int anchor_open(int pfd, const char *name, const struct stat *st)
{
    if (S_ISDIR(st->st_mode) || S_ISLNK(st->st_mode) || st->st_nlink > 1) {
        return -1;
    }
    return openat(pfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
}

/* Topology lock held for writing: the name (p, name), which named the inode whose stat before the change is st,
 * was removed or replaced. The inode's node no longer has that name; once its last name is gone its inode number
 * may be reused, so table_find must not find it any more, and it keeps anchor (anchor_open) while the kernel
 * holds it. Takes anchor (closes it when it is not needed). */
static void name_gone(struct lfs *fs, struct node *p, const char *name, const struct stat *st, int anchor)
{
    pthread_mutex_lock(&fs->t.lock);
    struct node *n = table_find(&fs->t, st->st_dev, st->st_ino, st->st_mode & S_IFMT);
    if (n != NULL && n != fs->root) {
        if (n->parent == p && strcmp(nname(n), name) == 0) {
            n->stale = 1;
        }
        if (S_ISDIR(st->st_mode) || st->st_nlink <= 1) {
            n->dead = 1;
            struct stat ast;
            if (anchor >= 0 && n->fd < 0 && fstat(anchor, &ast) == 0 && ast.st_ino == n->ino && ast.st_dev == n->dev) {
                n->fd = anchor;
                fs->t.fds++;
                anchor = -1;
            }
        }
    }
    pthread_mutex_unlock(&fs->t.lock);
    if (anchor >= 0) {
        close(anchor);
    }
}

/* ------------------------------------------------------------------ operations */

static void lfs_init(void *userdata, struct fuse_conn_info *conn)
{
    struct lfs *fs = userdata;
    conn->want &= ~(unsigned)(FUSE_CAP_READDIRPLUS | FUSE_CAP_READDIRPLUS_AUTO);
    if (fs->ob != NULL) {
        /* --ost-bw: READs wait here for their OSTs, so let the kernel keep many in flight (read-ahead READs are
         * background requests: the default 12, congestion at 9, would leave OSTs idle with several readers) */
        conn->want |= conn->capable & FUSE_CAP_ASYNC_READ;
        conn->max_background = OST_BACKGROUND;
        conn->congestion_threshold = OST_BACKGROUND * 3 / 4;
        /* the read-ahead window is the most one sequential reader asks for at once (a page-cache READ is at most
         * that big too: measured 128 KiB); keep it at the kernel's default so that with stripes >= 1 MiB such a
         * reader waits for one OST at a time. Raising the bdi's read_ahead_kb later spreads it over more. */
        if (conn->max_readahead > OST_READAHEAD) {
            conn->max_readahead = OST_READAHEAD;
        }
    }
    if (fs->o.rw) {
        /* no writeback cache (every write reaches us, as every metadata request does) */
        conn->want &= ~(unsigned)FUSE_CAP_WRITEBACK_CACHE;
        if (conn->capable & FUSE_CAP_DONT_MASK) {
            conn->want |= FUSE_CAP_DONT_MASK; /* the umask is applied here, below default ACLs: as_caller */
            fs->dont_mask = 1;
        }
    }
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
    int err = 0, tmp, refresh = 0;
    if (p->type != S_IFDIR) {
        err = ENOTDIR;
    } else {
        topo_rd(fs);
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
                    refresh = fs->o.rw && needs_refresh(fs, n, p, name);
                }
            }
            if (tmp >= 0) {
                close(tmp);
            }
        }
        topo_un(fs);
        if (refresh) {
            node_refresh(fs, r->node, p, name);
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
    struct lfs *fs = fs_of(req);
    struct stat st;
    int err;
    if (fs->o.synthetic) {
        struct syn n;
        err = syn_decode(fs, ino, &n);
        if (err == 0) {
            syn_stat(fs, &n, &st);
        }
    } else if (fs->o.rw && fi != NULL && node_of(fs, ino)->type == S_IFREG) {
        err = fstat(fd_of(fi), &st) == 0 ? 0 : errno; /* fstat of an open file: it may have no name any more */
    } else {
        struct node *n = node_of(fs, ino);
        struct where w;
        topo_rd(fs);
        err = locate(n, &w);
        if (err == 0) {
            if (fstatat(w.dirfd, w.name, &st, w.nofollow) != 0) {
                err = errno;
            } else if (st.st_ino != n->ino || st.st_dev != n->dev) {
                err = ESTALE; /* the name now refers to another file */
            }
            unlocate(&w);
        }
        topo_un(fs);
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
        topo_rd(fs);
        err = locate(node_of(fs, ino), &w);
        if (err == 0) {
            err = faccessat(w.dirfd, w.name, mask, w.nofollow) == 0 ? 0 : errno;
            unlocate(&w);
        }
        topo_un(fs);
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
        topo_rd(fs);
        err = locate(node_of(fs, ino), &w);
        if (err == 0) {
            len = w.nofollow ? readlinkat(w.dirfd, w.name, buf, PATH_MAX) : -1; /* an anchor is never a symlink */
            err = len < 0 ? (w.nofollow ? errno : EINVAL) : 0;
            unlocate(&w);
        }
        topo_un(fs);
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
        topo_rd(fs);
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
        topo_un(fs);
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

/* the handle of an open source file: fd and (--ost-bw) its layout; NULL (fd closed) when out of memory */
static struct ofile *ofile_new(struct lfs *fs, int fd)
{
    struct ofile *of = malloc(sizeof *of);
    if (of == NULL) {
        close(fd);
        return NULL;
    }
    of->fd = fd;
    of->lay = NULL;
    if (fs->ob != NULL) {
        of->lay = layout_load(fs, fd);
        if (of->lay != NULL && of->lay->malformed) {
            pthread_mutex_lock(&fs->ob->lock);
            fs->ob->malformed++;
            pthread_mutex_unlock(&fs->ob->lock);
        }
    }
    pthread_mutex_lock(&fs->open_lock);
    of->prev = NULL;
    of->next = fs->open_files;
    if (of->next != NULL) {
        of->next->prev = of;
    }
    fs->open_files = of;
    pthread_mutex_unlock(&fs->open_lock);
    return of;
}

static void lfs_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    struct lfs *fs = fs_of(req);
    int err = 0;
    uint64_t fh = 0;
    if ((fi->flags & O_ACCMODE) != O_RDONLY && !fs->o.rw) {
        err = EROFS;
    } else if (fs->o.synthetic) {
        struct syn n;
        err = syn_decode(fs, ino, &n);
        if (err == 0 && n.kind != SYN_FILE) {
            err = EISDIR;
        }
        fh = ino;
    } else if (fs->o.rw) {
        /* O_TRUNC stays (the kernel passes it: atomic_o_trunc), O_CREAT/O_EXCL come with create, not here */
        struct node *n = node_of(fs, ino);
        struct where w;
        topo_rd(fs);
        err = locate(n, &w);
        if (err == 0) {
            int fd = openat(w.dirfd, w.name, (fi->flags & ~(O_CREAT | O_EXCL)) | O_CLOEXEC | w.o_nofollow);
            struct stat st;
            err = fd < 0 ? errno : 0;
            if (fd >= 0 && (fstat(fd, &st) != 0 || st.st_ino != n->ino || st.st_dev != n->dev)) {
                close(fd);
                fd = -1;
                err = ESTALE; /* the name now refers to another file */
            }
            fh = (uint64_t)fd;
            unlocate(&w);
        }
        topo_un(fs);
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
    if (err == 0 && !fs->o.synthetic) {
        struct ofile *of = ofile_new(fs, (int)fh);
        err = of == NULL ? ENOMEM : 0;
        fh = (uint64_t)(uintptr_t)of;
    }
    if (err != 0) {
        defer_err(req, err);
        return;
    }
    struct reply *r = reply_new(req, R_OPEN, 0);
    if (r == NULL) {
        if (!fs->o.synthetic) {
            ofile_free(fs, (struct ofile *)(uintptr_t)fh);
        }
        fuse_reply_err(req, ENOMEM);
        return;
    }
    r->u.fi = *fi;
    r->u.fi.keep_cache = 0;
    r->u.fi.fh = fh;
    defer(fs, r);
}

/* size bytes at off of an open file into buf (short at the end of the file); bytes read, or -errno */
static ssize_t read_data(struct lfs *fs, struct fuse_file_info *fi, char *buf, size_t size, off_t off)
{
    if (fs->o.synthetic) {
        syn_fill(fi->fh, buf, size, off);
        return (ssize_t)size;
    }
    size_t got = 0;
    while (got < size) {
        ssize_t n = pread(fd_of(fi), buf + got, size - got, off + (off_t)got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            if (got == 0) {
                return -errno;
            }
            break;
        }
        if (n == 0) {
            break;
        }
        got += (size_t)n;
    }
    return (ssize_t)got;
}

/* an error of a data request: after the delay with --delay-data, else at once */
static void data_err_reply(struct lfs *fs, struct reply *r)
{
    if (fs->o.delay_data) {
        defer(fs, r);
    } else {
        send_reply(fs, r);
    }
}

/* not delayed (data, not metadata) unless --delay-data; paced by the OSTs with --ost-bw */
static void lfs_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi)
{
    (void)ino;
    struct lfs *fs = fs_of(req);
    if (fs->o.synthetic) {
        uint64_t len = file_size(fi->fh);
        if ((uint64_t)off >= len) {
            size = 0;
        } else if (size > len - (uint64_t)off) {
            size = (size_t)(len - (uint64_t)off);
        }
    }
    if (fs->ob != NULL || fs->o.delay_data) {
        /* the data now, the reply later: with --ost-bw when the OSTs holding it have delivered it, and with
         * --delay-data not before the delay */
        struct reply *r = reply_new(req, R_BUF, size);
        if (r == NULL) {
            fuse_reply_err(req, ENOMEM);
            return;
        }
        ssize_t n = read_data(fs, fi, r->data, size, off);
        if (n < 0) {
            r->kind = R_ERR;
            r->err = (int)-n;
            data_err_reply(fs, r);
            return;
        }
        r->len = (size_t)n;
        if (fs->ob == NULL) {
            defer(fs, r);
            return;
        }
        int64_t due = ost_charge(fs, ((struct ofile *)(uintptr_t)fi->fh)->lay, (uint64_t)off, (uint64_t)n);
        if (fs->o.delay_data && mono_ns() + fs->delay_ns > due) {
            due = mono_ns() + fs->delay_ns;
        }
        defer_until(fs, r, due);
        return;
    }
    if (size == 0) {
        fuse_reply_buf(req, NULL, 0);
        return;
    }
    char *buf = malloc(size);
    if (buf == NULL) {
        fuse_reply_err(req, ENOMEM);
        return;
    }
    ssize_t n = read_data(fs, fi, buf, size, off);
    if (n < 0) {
        fuse_reply_err(req, (int)-n);
    } else {
        fuse_reply_buf(req, buf, (size_t)n);
    }
    free(buf);
}

static void lfs_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    (void)ino;
    if (!fs_of(req)->o.synthetic) {
        ofile_free(fs_of(req), (struct ofile *)(uintptr_t)fi->fh);
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

/* the path of w for the xattr calls: /proc/self/fd/DIRFD/NAME, or an anchor's own path (then: follow it) */
static void xattr_path(const struct where *w, char *path, size_t size)
{
    if (w->nofollow) {
        snprintf(path, size, "/proc/self/fd/%d/%s", w->dirfd, w->name);
    } else {
        snprintf(path, size, "%s", w->name);
    }
}

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
        topo_rd(fs);
        err = locate(node_of(fs, ino), &w);
        if (err == 0) {
            char path[64 + NAME_MAX];
            xattr_path(&w, path, sizeof path);
            void *buf = size > 0 ? r->data : NULL;
            if (w.nofollow) {
                n = attr != NULL ? lgetxattr(path, attr, buf, size) : llistxattr(path, buf, size);
            } else {
                n = attr != NULL ? getxattr(path, attr, buf, size) : listxattr(path, buf, size);
            }
            err = n < 0 ? errno : 0;
            unlocate(&w);
        }
        topo_un(fs);
    }
    if (err != 0) {
        r->kind = R_ERR;
        r->err = err;
    } else if (size > 0) {
        r->len = (size_t)n;
    } else {
        r->u.count = (size_t)n;
    }
    /* writable mode: the kernel asks for security.capability before every write (file_remove_privs; FUSE never
     * marks an inode S_NOSEC) - part of the write, which is data: not delayed unless --delay-data */
    if (fs->o.rw && !fs->o.delay_data && attr != NULL && strcmp(attr, "security.capability") == 0) {
        send_reply(fs, r);
        return;
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

/* ------------------------------------------------------------------ writable mode (--rw) */

/* Per worker thread, set up at its first request that makes a node: 0 = not yet, 1 = it has its own umask
 * (unshare(CLONE_FS)), 2 = it shares the process's (0): the mode is masked by hand. Thread-local, not shared. */
static _Thread_local int thread_setup;

/* Makes the calling thread create nodes as the request's caller: the caller's umask applied to *mode (when the
 * kernel leaves it to us: FUSE_CAP_DONT_MASK, so the backing directory's default ACLs work as on a local file
 * system), and, when the daemon runs as root, the caller's fsuid/fsgid, so the backing file system gives the new
 * node its owner and group (the parent's group below a setgid directory) in the same syscall. The thread keeps its
 * capabilities while its fsuid is not 0 (SECBIT_NO_SETUID_FIXUP): the kernel has already checked the caller's
 * permissions (default_permissions), with its supplementary groups, which FUSE does not tell us. */
static int as_caller(struct lfs *fs, fuse_req_t req, mode_t *mode)
{
    const struct fuse_ctx *ctx = fuse_req_ctx(req);
    if (thread_setup == 0) {
        thread_setup = unshare(CLONE_FS) == 0 ? 1 : 2;
        if (fs->root_daemon) {
            int bits = prctl(PR_GET_SECUREBITS);
            if (bits >= 0) {
                prctl(PR_SET_SECUREBITS, (unsigned long)bits | SECBIT_NO_SETUID_FIXUP);
            }
        }
    }
    if (mode != NULL) {
        mode_t mask = fs->dont_mask ? ctx->umask & 0777 : 0;
        if (thread_setup == 1) {
            umask(mask);
        } else {
            *mode &= ~mask;
        }
    }
    if (fs->root_daemon && (ctx->uid != 0 || ctx->gid != 0)) {
        setfsgid(ctx->gid);
        setfsuid(ctx->uid);
        return 1;
    }
    return 0;
}

static void as_daemon(int switched)
{
    if (switched) {
        setfsuid(0);
        setfsgid(0);
    }
}

/* After a write or truncate: FUSE_CAP_HANDLE_KILLPRIV (libfuse's default, no extra requests) leaves clearing the
 * set-user-ID bit (and set-group-ID with group execute) to us. A local file system clears them when the writer
 * lacks CAP_FSETID; here: when the caller is not root. fd is an open file, or O_PATH with proc its /proc path. */
static void kill_suid(fuse_req_t req, int fd, const char *proc)
{
    struct stat st;
    if (fuse_req_ctx(req)->uid == 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        return;
    }
    mode_t m = st.st_mode & 07777, k = m & ~(mode_t)S_ISUID;
    if ((m & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP)) {
        k &= ~(mode_t)S_ISGID;
    }
    if (k != m && (proc != NULL ? chmod(proc, k) : fchmod(fd, k)) != 0) {
        fprintf(stderr, "latencyfs: cannot clear the set-id bits of a written file: %s\n", strerror(errno));
    }
}

/* fd of directory node p to make or remove names in (dir_fd), ENOTDIR if p is no directory */
static int parent_fd(struct node *p, int *tmp)
{
    if (p->type != S_IFDIR) {
        *tmp = -1;
        errno = ENOTDIR;
        return -1;
    }
    return dir_fd(p, tmp);
}

/* The entry of the node just made as (p, name), pfd p's fd; stat of fd when fd >= 0. *np: its node, one lookup
 * taken. Returns 0 or an errno. */
static int new_entry(struct lfs *fs, struct node *p, int pfd, const char *name, int fd, struct fuse_entry_param *e,
                     struct node **np)
{
    memset(e, 0, sizeof *e); /* timeouts 0: no caching */
    int rc = fd >= 0 ? fstat(fd, &e->attr) : fstatat(pfd, name, &e->attr, AT_SYMLINK_NOFOLLOW);
    if (rc != 0) {
        return errno;
    }
    struct node *n = node_get(fs, p, pfd, name, &e->attr);
    if (n == NULL) {
        return errno;
    }
    e->ino = nodeid_of(fs, n);
    *np = n;
    return 0;
}

enum make { MK_NOD, MK_DIR, MK_SYMLINK };

static void make_node(fuse_req_t req, fuse_ino_t parent, const char *name, enum make what, mode_t mode, dev_t rdev,
                      const char *target)
{
    struct lfs *fs = fs_of(req);
    struct reply *r = reply_new(req, R_ENTRY, 0);
    if (r == NULL) {
        fuse_reply_err(req, ENOMEM);
        return;
    }
    struct node *p = node_of(fs, parent), *n = NULL;
    int err, tmp, refresh = 0;
    topo_rd(fs);
    int pfd = parent_fd(p, &tmp);
    if (pfd < 0) {
        err = errno;
    } else {
        int sw = as_caller(fs, req, what == MK_SYMLINK ? NULL : &mode);
        int rc = what == MK_DIR ? mkdirat(pfd, name, mode)
               : what == MK_NOD ? mknodat(pfd, name, mode, rdev)
               : symlinkat(target, pfd, name);
        err = rc == 0 ? 0 : errno;
        as_daemon(sw);
        if (err == 0) {
            err = new_entry(fs, p, pfd, name, -1, &r->u.e, &n);
        }
        refresh = n != NULL && n->stale; /* a reused node (a link made in the backing directory meanwhile) */
        if (tmp >= 0) {
            close(tmp);
        }
    }
    topo_un(fs);
    if (refresh) {
        node_refresh(fs, n, p, name);
    }
    if (err != 0) {
        r->kind = R_ERR;
        r->err = err;
    } else {
        r->node = n;
    }
    defer(fs, r);
}

static void lfs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
    make_node(req, parent, name, MK_NOD, mode, rdev, NULL);
}

static void lfs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
    make_node(req, parent, name, MK_DIR, mode, 0, NULL);
}

static void lfs_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
    make_node(req, parent, name, MK_SYMLINK, 0, 0, link);
}

static void lfs_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, struct fuse_file_info *fi)
{
    struct lfs *fs = fs_of(req);
    struct reply *r = reply_new(req, R_CREATE, 0);
    if (r == NULL) {
        fuse_reply_err(req, ENOMEM);
        return;
    }
    struct node *p = node_of(fs, parent), *n = NULL;
    int err, tmp, refresh = 0, fd = -1;
    topo_rd(fs);
    int pfd = parent_fd(p, &tmp);
    if (pfd < 0) {
        err = errno;
    } else {
        int sw = as_caller(fs, req, &mode);
        fd = openat(pfd, name, fi->flags | O_CREAT | O_NOFOLLOW | O_CLOEXEC, mode);
        err = fd < 0 ? errno : 0;
        as_daemon(sw);
        if (err == 0) {
            err = new_entry(fs, p, pfd, name, fd, &r->u.c.e, &n);
            if (err != 0) {
                close(fd);
            }
        }
        refresh = n != NULL && n->stale;
        if (tmp >= 0) {
            close(tmp);
        }
    }
    topo_un(fs);
    if (refresh) {
        node_refresh(fs, n, p, name);
    }
    struct ofile *of = NULL;
    if (err == 0 && (of = ofile_new(fs, fd)) == NULL) {
        node_forget(fs, n, 1);
        err = ENOMEM;
    }
    if (err != 0) {
        r->kind = R_ERR;
        r->err = err;
    } else {
        r->node = n;
        r->u.c.fi = *fi;
        r->u.c.fi.keep_cache = 0;
        r->u.c.fi.fh = (uint64_t)(uintptr_t)of;
    }
    defer(fs, r);
}

static void lfs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
    struct lfs *fs = fs_of(req);
    struct reply *r = reply_new(req, R_ENTRY, 0);
    if (r == NULL) {
        fuse_reply_err(req, ENOMEM);
        return;
    }
    struct node *n = node_of(fs, ino), *np = node_of(fs, newparent), *m = NULL;
    struct where w;
    int err, refresh = 0;
    topo_rd(fs);
    err = locate(n, &w);
    if (err == 0) {
        int ntmp;
        int npfd = parent_fd(np, &ntmp);
        if (npfd < 0) {
            err = errno;
        } else {
            int rc;
            if (fs->root_daemon) { /* link the inode itself, not whatever the name means by now */
                int fd = openat(w.dirfd, w.name, O_PATH | w.o_nofollow | O_CLOEXEC);
                struct stat st;
                if (fd < 0 || fstat(fd, &st) != 0) {
                    rc = -1;
                } else if (st.st_ino != n->ino || st.st_dev != n->dev) {
                    rc = -1;
                    errno = ESTALE;
                } else {
                    rc = linkat(fd, "", npfd, newname, AT_EMPTY_PATH);
                }
                err = errno;
                if (fd >= 0) {
                    close(fd);
                }
            } else {
                rc = linkat(w.dirfd, w.name, npfd, newname, 0);
                err = errno;
            }
            err = rc == 0 ? new_entry(fs, np, npfd, newname, -1, &r->u.e, &m) : err;
            refresh = m != NULL && m->stale;
            if (ntmp >= 0) {
                close(ntmp);
            }
        }
        unlocate(&w);
    }
    topo_un(fs);
    if (refresh) {
        node_refresh(fs, m, np, newname);
    }
    if (err != 0) {
        r->kind = R_ERR;
        r->err = err;
    } else {
        r->node = m;
    }
    defer(fs, r);
}

static void remove_name(fuse_req_t req, fuse_ino_t parent, const char *name, int flags)
{
    struct lfs *fs = fs_of(req);
    struct node *p = node_of(fs, parent);
    struct stat st;
    int err, tmp;
    topo_wr(fs);
    int pfd = parent_fd(p, &tmp);
    if (pfd < 0) {
        err = errno;
    } else {
        if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            err = errno;
        } else {
            int anchor = anchor_open(pfd, name, &st);
            err = unlinkat(pfd, name, flags) == 0 ? 0 : errno;
            if (err == 0) {
                name_gone(fs, p, name, &st, anchor);
            } else if (anchor >= 0) {
                close(anchor);
            }
        }
        if (tmp >= 0) {
            close(tmp);
        }
    }
    topo_un(fs);
    defer_err(req, err);
}

static void lfs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    remove_name(req, parent, name, 0);
}

static void lfs_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
    remove_name(req, parent, name, AT_REMOVEDIR);
}

/* table lock held: the live node of the inode whose stat is st, pinned (one lookup more; node_forget(n, 1)) */
static struct node *node_pin(struct lfs *fs, const struct stat *st)
{
    struct node *n = table_find(&fs->t, st->st_dev, st->st_ino, st->st_mode & S_IFMT);
    if (n != NULL) {
        n->nlookup++;
    }
    return n;
}

/* flags: what renameat2 takes and the kernel passes on (RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT); the
 * backing file system refuses what it does not support, as it would locally */
static void lfs_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent, const char *newname,
                       unsigned int flags)
{
    struct lfs *fs = fs_of(req);
    if (flags & ~(unsigned)(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT)) {
        defer_err(req, EINVAL);
        return;
    }
    struct node *p = node_of(fs, parent), *np = node_of(fs, newparent), *na = NULL, *nb = NULL, *dead = NULL;
    struct stat a, b;
    int err, tmp, ntmp = -1;
    topo_wr(fs);
    int pfd = parent_fd(p, &tmp);
    int npfd = pfd < 0 ? -1 : parent_fd(np, &ntmp);
    if (pfd < 0 || npfd < 0) {
        err = errno;
    } else if (fstatat(pfd, name, &a, AT_SYMLINK_NOFOLLOW) != 0) {
        err = errno;
    } else {
        int have_b = fstatat(npfd, newname, &b, AT_SYMLINK_NOFOLLOW) == 0;
        int same = have_b && a.st_ino == b.st_ino && a.st_dev == b.st_dev; /* two links of one inode: no change */
        int replace = have_b && !same && !(flags & RENAME_EXCHANGE);
        int anchor = replace ? anchor_open(npfd, newname, &b) : -1;
        err = renameat2(pfd, name, npfd, newname, flags) == 0 ? 0 : errno;
        if (err != 0 && anchor >= 0) {
            close(anchor);
        }
        if (err == 0 && !same) {
            if (replace) {
                name_gone(fs, np, newname, &b, anchor);
            }
            pthread_mutex_lock(&fs->t.lock);
            na = node_pin(fs, &a);
            nb = have_b && (flags & RENAME_EXCHANGE) ? node_pin(fs, &b) : NULL;
            pthread_mutex_unlock(&fs->t.lock);
            if (na != NULL) {
                node_move(fs, na, np, newname, &dead);
            }
            if (nb != NULL) {
                node_move(fs, nb, p, name, &dead);
            }
        }
    }
    if (tmp >= 0) {
        close(tmp);
    }
    if (ntmp >= 0) {
        close(ntmp);
    }
    topo_un(fs);
    free_nodes(dead);
    if (na != NULL) {
        node_forget(fs, na, 1);
    }
    if (nb != NULL) {
        node_forget(fs, nb, 1);
    }
    defer_err(req, err);
}

/* chown, chmod, truncate, utimens - in that order (a chown clears set-id bits, a truncate sets the mtime) */
static void lfs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set, struct fuse_file_info *fi)
{
    struct lfs *fs = fs_of(req);
    struct node *n = node_of(fs, ino);
    struct where w = {.dirfd = -1, .tmp = -1};
    struct stat st;
    int err = 0, fd = -1, own = 0; /* own: fd is an O_PATH fd opened here (no open file given) */
    char proc[48];
    topo_rd(fs);
    if (fi != NULL && n->type == S_IFREG) {
        fd = fd_of(fi); /* ftruncate and the like: the open file, which may have no name any more */
    } else if ((err = locate(n, &w)) == 0) {
        fd = openat(w.dirfd, w.name, O_PATH | w.o_nofollow | O_CLOEXEC);
        if (fd < 0) {
            err = errno;
        } else {
            own = 1;
            if (fstat(fd, &st) != 0) {
                err = errno;
            } else if (st.st_ino != n->ino || st.st_dev != n->dev) {
                err = ESTALE;
            }
            snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
        }
    }
    if (err == 0 && (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID))) {
        uid_t uid = (to_set & FUSE_SET_ATTR_UID) ? attr->st_uid : (uid_t)-1;
        gid_t gid = (to_set & FUSE_SET_ATTR_GID) ? attr->st_gid : (gid_t)-1;
        if (fchownat(fd, "", uid, gid, AT_EMPTY_PATH) != 0) { /* on the symlink itself for a symlink */
            err = errno;
        }
    }
    if (err == 0 && (to_set & FUSE_SET_ATTR_MODE)) {
        mode_t mode = attr->st_mode & 07777;
        if (n->type == S_IFLNK) {
            err = EOPNOTSUPP; /* as the kernel answers for local symlinks */
        } else if ((own ? chmod(proc, mode) : fchmod(fd, mode)) != 0) {
            err = errno;
        }
    }
    if (err == 0 && (to_set & FUSE_SET_ATTR_SIZE)) {
        if (n->type != S_IFREG) {
            err = n->type == S_IFDIR ? EISDIR : EINVAL;
        } else {
            int rc;
            do {
                rc = own ? truncate(proc, attr->st_size) : ftruncate(fd, attr->st_size);
            } while (rc != 0 && errno == EINTR);
            err = rc == 0 ? 0 : errno;
            if (err == 0) {
                kill_suid(req, fd, own ? proc : NULL);
            }
        }
    }
    int times = FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_ATIME_NOW | FUSE_SET_ATTR_MTIME_NOW;
    if (err == 0 && (to_set & times)) {
        struct timespec ts[2];
        ts[0].tv_sec = ts[1].tv_sec = 0;
        ts[0].tv_nsec = (to_set & FUSE_SET_ATTR_ATIME_NOW) ? UTIME_NOW : UTIME_OMIT;
        ts[1].tv_nsec = (to_set & FUSE_SET_ATTR_MTIME_NOW) ? UTIME_NOW : UTIME_OMIT;
        if ((to_set & FUSE_SET_ATTR_ATIME) && !(to_set & FUSE_SET_ATTR_ATIME_NOW)) {
            ts[0] = attr->st_atim;
        }
        if ((to_set & FUSE_SET_ATTR_MTIME) && !(to_set & FUSE_SET_ATTR_MTIME_NOW)) {
            ts[1] = attr->st_mtim;
        }
        /* an O_PATH fd takes no futimens; its name with AT_SYMLINK_NOFOLLOW (checked just above) does */
        int rc = own ? utimensat(w.dirfd, w.name, ts, w.nofollow) : futimens(fd, ts);
        err = rc == 0 ? 0 : errno;
    }
    if (err == 0 && fstat(fd, &st) != 0) {
        err = errno;
    }
    if (own) {
        close(fd);
    }
    unlocate(&w);
    topo_un(fs);
    if (err != 0) {
        defer_err(req, err);
    } else {
        defer_attr(req, &st);
    }
}

/* set (value != NULL) or remove an xattr: l*xattr on /proc/self/fd/DIRFD/NAME, as xattr_common */
static void xattr_change(fuse_req_t req, fuse_ino_t ino, const char *attr, const char *value, size_t size, int flags)
{
    struct lfs *fs = fs_of(req);
    struct where w;
    topo_rd(fs);
    int err = locate(node_of(fs, ino), &w);
    if (err == 0) {
        char path[64 + NAME_MAX];
        xattr_path(&w, path, sizeof path);
        int rc;
        if (w.nofollow) {
            rc = value != NULL ? lsetxattr(path, attr, value, size, flags) : lremovexattr(path, attr);
        } else {
            rc = value != NULL ? setxattr(path, attr, value, size, flags) : removexattr(path, attr);
        }
        err = rc == 0 ? 0 : errno;
        unlocate(&w);
    }
    topo_un(fs);
    defer_err(req, err);
}

static void lfs_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value, size_t size, int flags)
{
    xattr_change(req, ino, name, value != NULL ? value : "", size, flags);
}

static void lfs_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
    xattr_change(req, ino, name, NULL, 0, 0);
}

static void lfs_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
    (void)ino;
    struct dirstate *ds = (struct dirstate *)(uintptr_t)fi->fh;
    int rc = datasync ? fdatasync(ds->fd) : fsync(ds->fd);
    defer_err(req, rc == 0 ? 0 : errno);
}

/* ---- data: answered at once, or after the delay with --delay-data */

static void data_err(fuse_req_t req, int err)
{
    if (fs_of(req)->o.delay_data) {
        defer_err(req, err);
    } else {
        fuse_reply_err(req, err);
    }
}

static void lfs_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
                      struct fuse_file_info *fi)
{
    (void)ino;
    struct lfs *fs = fs_of(req);
    size_t done = 0;
    int err = 0;
    while (done < size) {
        ssize_t n = pwrite(fd_of(fi), buf + done, size - done, off + (off_t)done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            if (done == 0) {
                err = n < 0 ? errno : EIO;
            }
            break; /* a short count is the answer; the kernel reports it */
        }
        done += (size_t)n;
    }
    if (done > 0) {
        kill_suid(req, fd_of(fi), NULL);
    }
    if (err != 0) {
        data_err(req, err);
    } else if (!fs->o.delay_data) {
        fuse_reply_write(req, done);
    } else {
        struct reply *r = reply_new(req, R_WRITE, 0);
        if (r == NULL) {
            fuse_reply_err(req, ENOMEM);
            return;
        }
        r->u.count = done;
        defer(fs, r);
    }
}

static void lfs_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
    (void)ino;
    int rc = datasync ? fdatasync(fd_of(fi)) : fsync(fd_of(fi));
    data_err(req, rc == 0 ? 0 : errno);
}

static void lfs_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t off, off_t len, struct fuse_file_info *fi)
{
    (void)ino;
    int rc;
    do {
        rc = fallocate(fd_of(fi), mode, off, len);
    } while (rc != 0 && errno == EINTR);
    data_err(req, rc == 0 ? 0 : errno);
}

/* SEEK_DATA / SEEK_HOLE (the kernel answers the other whences itself): holes of the backing file show */
static void lfs_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence, struct fuse_file_info *fi)
{
    (void)ino;
    struct lfs *fs = fs_of(req);
    off_t res = lseek(fd_of(fi), off, whence);
    if (res < 0) {
        data_err(req, errno);
    } else if (!fs->o.delay_data) {
        fuse_reply_lseek(req, res);
    } else {
        struct reply *r = reply_new(req, R_LSEEK, 0);
        if (r == NULL) {
            fuse_reply_err(req, ENOMEM);
            return;
        }
        r->u.off = res;
        defer(fs, r);
    }
}

/* never delayed, like release: close(2) has nothing to wait for here (writes went to the backing file at once) */
static void lfs_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
    (void)ino;
    (void)fi;
    fuse_reply_err(req, 0);
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

/* --rw: the read-only operations and those that change the tree */
static const struct fuse_lowlevel_ops ops_rw = {
    .init = lfs_init,
    .lookup = lfs_lookup,
    .forget = lfs_forget,
    .forget_multi = lfs_forget_multi,
    .getattr = lfs_getattr,
    .setattr = lfs_setattr,
    .access = lfs_access,
    .readlink = lfs_readlink,
    .mknod = lfs_mknod,
    .mkdir = lfs_mkdir,
    .symlink = lfs_symlink,
    .link = lfs_link,
    .unlink = lfs_unlink,
    .rmdir = lfs_rmdir,
    .rename = lfs_rename,
    .opendir = lfs_opendir,
    .readdir = lfs_readdir,
    .fsyncdir = lfs_fsyncdir,
    .releasedir = lfs_releasedir,
    .create = lfs_create,
    .open = lfs_open,
    .read = lfs_read,
    .write = lfs_write,
    .flush = lfs_flush,
    .fsync = lfs_fsync,
    .fallocate = lfs_fallocate,
    .lseek = lfs_lseek,
    .release = lfs_release,
    .statfs = lfs_statfs,
    .getxattr = lfs_getxattr,
    .listxattr = lfs_listxattr,
    .setxattr = lfs_setxattr,
    .removexattr = lfs_removexattr,
};

/* ------------------------------------------------------------------ main */

static void usage(const char *prog)
{
    printf("usage: %s [options] SOURCE MOUNTPOINT          (passthrough, read-only)\n"
           "       %s [options] --rw BACKING MOUNTPOINT     (passthrough, writable: changes go to BACKING)\n"
           "       %s [options] --synthetic=FILES MOUNTPOINT  (generated tree, nothing stored)\n"
           "\n"
           "    --delay-us=N        delay of every metadata operation in microseconds (default 150)\n"
           "    --rw                writable passthrough of BACKING (create, mkdir, rename, setattr, write, ...)\n"
           "    --delay-data        delay data requests too (read, write, fsync, fallocate, lseek)\n"
           "    --ost-bw=MBPS       passthrough: read bandwidth of each OST in MB/s (10^6 bytes/s; 0: off, the\n"
           "                        default); layouts from the user.lustre_fake.* xattrs (see README.md)\n"
           "    --threads=N         metadata requests in their delay at once, more wait (default 256)\n"
           "    --workers=N         threads reading and answering requests, at least 2 (default 2)\n"
           "    --synthetic=FILES   serve a generated tree of FILES regular files\n"
           "    --files-per-dir=N   synthetic: files per directory (default 100)\n"
           "    --dir-fanout=N      synthetic: subdirectories per directory (default 16)\n"
           "    --stats             passthrough: print inode table counters (and --ost-bw: bytes read per OST)\n"
           "                        to stderr on exit\n"
           "    -f                  stay in the foreground\n"
           "    -o OPT              FUSE mount options (e.g. -o allow_other, -o clone_fd)\n",
           prog, prog, prog);
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
    pthread_mutex_init(&fs->open_lock, NULL);
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
                free(n->rname);
                free(n);
            }
        }
    }
    while (fs->open_files != NULL) {
        ofile_free(fs, fs->open_files); /* still open when the mount went away (a signal, an unmount -l) */
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
    fs->o = (struct options){.delay_us = 150, .threads = 256, .workers = 2, .files_per_dir = 100, .dir_fanout = 16};
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
    if (fs->o.rw && fs->o.synthetic) {
        fprintf(stderr, "latencyfs: --rw needs a backing directory, not --synthetic\n");
        goto out_free;
    }
    if (fs->o.ost_bw != NULL) {
        char *end;
        errno = 0;
        double mbps = strtod(fs->o.ost_bw, &end);
        if (errno != 0 || end == fs->o.ost_bw || *end != '\0' || !(mbps >= 0 && mbps <= 1e7)) {
            fprintf(stderr, "latencyfs: --ost-bw needs a bandwidth in MB/s (0 to 10000000), not \"%s\"\n",
                    fs->o.ost_bw);
            goto out_free;
        }
        if (mbps > 0 && fs->o.synthetic) {
            fprintf(stderr, "latencyfs: --ost-bw needs a passthrough source (layouts come from its xattrs), "
                    "not --synthetic\n");
            goto out_free;
        }
        if (mbps > 0) {
            fs->ost_ns_per_byte = 1e3 / mbps; /* 1e9 ns / (mbps * 1e6 bytes) */
            fs->ob = ostbw_new();
            if (fs->ob == NULL) {
                fprintf(stderr, "latencyfs: out of memory\n");
                goto out_free;
            }
        }
    }
    fs->delay_ns = (long long)fs->o.delay_us * 1000;
    pthread_mutex_init(&fs->q.lock, NULL);
    pthread_cond_init(&fs->q.room, NULL);
    if (fs->o.rw) {
        pthread_rwlockattr_t ra;
        pthread_rwlockattr_init(&ra);
        pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
        pthread_rwlock_init(&fs->topo, &ra);
        pthread_rwlockattr_destroy(&ra);
        fs->root_daemon = geteuid() == 0;
        umask(0); /* new nodes get the caller's umask (as_caller), never the daemon's */
    }
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
    fuse_opt_add_arg(&args, fs->o.rw ? "-odefault_permissions" : "-oro,default_permissions");
    fuse_opt_add_arg(&args, fs->o.synthetic ? "-ofsname=latencyfs-synthetic" : "-ofsname=latencyfs");
    fuse_opt_add_arg(&args, "-osubtype=latencyfs");

    rc = 1;
    struct fuse_session *se = fs->o.rw ? fuse_session_new(&args, &ops_rw, sizeof ops_rw, fs)
                                       : fuse_session_new(&args, &ops, sizeof ops, fs);
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
    if (fs->ob != NULL && ostbw_start(fs) != 0) {
        goto out_signals;
    }
    struct fuse_loop_config *cfg = fuse_loop_cfg_create();
    fuse_loop_cfg_set_max_threads(cfg, fs->o.workers);
    fuse_loop_cfg_set_idle_threads(cfg, fs->o.workers);
    fuse_loop_cfg_set_clone_fd(cfg, (unsigned)co.clone_fd);
    /* 0: unmounted. SIGHUP, SIGINT, SIGTERM: libfuse's handlers (fuse_set_signal_handlers) ended the loop as asked
     * and libfuse (3.14 here) returns the signal's number: a clean exit too (the mount is taken down below) */
    int loop = fuse_session_loop_mt(se, cfg);
    rc = loop == 0 || loop == SIGHUP || loop == SIGINT || loop == SIGTERM ? 0 : 1;
    fuse_loop_cfg_destroy(cfg);
    ostbw_stop(fs); /* sends the read replies still waiting: the session must still be there */
out_signals:
    fuse_remove_signal_handlers(se);
out_unmount:
    fuse_session_unmount(se);
out_destroy:
    fuse_session_destroy(se);
out_free:
    if (!fs->o.synthetic && fs->source_fd >= 0) {
        teardown_passthrough(fs);
    }
    ostbw_free(fs);
    if (fs->o.rw) {
        pthread_rwlock_destroy(&fs->topo);
    }
    free(co.mountpoint);
    fuse_opt_free_args(&args);
    free(fs->o.synthetic);
    free(fs->o.ost_bw);
    free(fs);
    return rc;
}
