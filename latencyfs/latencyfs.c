/*
 * latencyfs: a metadata-latency emulator for podheitor-hpc benchmarks (FUSE 3, high-level API).
 *
 *   latencyfs [--delay-us=N] [--threads=N] SOURCE MOUNTPOINT [fuse options]     passthrough of SOURCE
 *   latencyfs [--delay-us=N] --synthetic=FILES [--files-per-dir=N] [--dir-fanout=N] MOUNTPOINT
 *
 * Every metadata operation (getattr, which the high-level API also uses for lookup; opendir, readdir, open,
 * readlink, getxattr, listxattr, access, statfs) sleeps --delay-us microseconds (default 150, the Lustre statx
 * latency of one op in flight) before it is served. Entry, attribute and negative caching are off
 * (entry_timeout = attr_timeout = negative_timeout = 0), readdirplus is disabled and no directory is opened with
 * cache_readdir, so every stat issued by a walker reaches this process and pays the delay. Requests are served by
 * up to --threads worker threads (default 256), so many requests can be in flight at once: the emulated file
 * system is latency-bound, not throughput-bound, like a parallel file system's metadata server.
 *
 * Synthetic mode stores nothing: a tree of FILES regular files, --files-per-dir (default 100) per directory,
 * directories arranged as an implicit --dir-fanout-ary tree (default 16) numbered breadth first. Names, sizes,
 * times and data are computed from the inode number; the mount is read-only. See README.md.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#define FUSE_USE_VERSION 312
#define _GNU_SOURCE
#include <fuse.h>
#include <fuse_lowlevel.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

/* ------------------------------------------------------------------ options */

struct options {
    unsigned delay_us;
    unsigned threads;
    char *synthetic;          /* number of files, as text (NULL: passthrough) */
    unsigned files_per_dir;
    unsigned dir_fanout;
    int show_help;
};

static struct options o = {150, 256, NULL, 100, 16, 0};

#define OPT(t, p) {t, offsetof(struct options, p), 1}
static const struct fuse_opt option_spec[] = {
    OPT("--delay-us=%u", delay_us),
    OPT("--threads=%u", threads),
    OPT("--synthetic=%s", synthetic),
    OPT("--files-per-dir=%u", files_per_dir),
    OPT("--dir-fanout=%u", dir_fanout),
    OPT("-h", show_help),
    OPT("--help", show_help),
    FUSE_OPT_END
};

static int source_fd = -1;     /* passthrough: the source directory */
static uint64_t syn_files;     /* synthetic: number of regular files */
static uint64_t syn_dirs;      /* synthetic: number of directories (root included) */

/* ------------------------------------------------------------------ the delay */

static __thread int slack_set;

static void delay(void)
{
    if (o.delay_us == 0) {
        return;
    }
    if (!slack_set) {
        prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0); /* default slack is 50 us: far too coarse */
        slack_set = 1;
    }
    struct timespec ts = {o.delay_us / 1000000, (long)(o.delay_us % 1000000) * 1000};
    while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) == EINTR) {
    }
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
static uint64_t file_ino(uint64_t d, uint64_t k) { return 1 + syn_dirs + d * o.files_per_dir + k; }

static uint64_t files_in(uint64_t d)
{
    uint64_t first = d * o.files_per_dir;
    if (first >= syn_files) {
        return 0;
    }
    uint64_t left = syn_files - first;
    return left < o.files_per_dir ? left : o.files_per_dir;
}

/* children of directory d are d*fanout+1 .. d*fanout+fanout (those < syn_dirs) */
static uint64_t first_child(uint64_t d) { return d * o.dir_fanout + 1; }

static uint64_t child_count(uint64_t d)
{
    uint64_t c = first_child(d);
    if (c >= syn_dirs) {
        return 0;
    }
    uint64_t n = syn_dirs - c;
    return n < o.dir_fanout ? n : o.dir_fanout;
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

enum node_kind { NODE_DIR, NODE_FILE };

struct node {
    enum node_kind kind;
    uint64_t dir;   /* the directory, or the file's directory */
    uint64_t file;  /* index in its directory */
};

/* resolves "/d1/d20/f7": components d<N> must be children of the current directory, f<K> files in it */
static int resolve(const char *path, struct node *n)
{
    uint64_t d = 0;
    const char *p = path;
    while (*p == '/') {
        p++;
    }
    while (*p) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        uint64_t v;
        if (len < 2 || parse_number(p + 1, len - 1, &v) != 0) {
            return -ENOENT;
        }
        if (p[0] == 'd') {
            if (v < first_child(d) || v >= first_child(d) + child_count(d)) {
                return -ENOENT;
            }
            d = v;
        } else if (p[0] == 'f') {
            if (v >= files_in(d)) {
                return -ENOENT;
            }
            p += len;
            while (*p == '/') {
                p++;
            }
            if (*p) {
                return -ENOTDIR;
            }
            n->kind = NODE_FILE;
            n->dir = d;
            n->file = v;
            return 0;
        } else {
            return -ENOENT;
        }
        p += len;
        while (*p == '/') {
            p++;
        }
    }
    n->kind = NODE_DIR;
    n->dir = d;
    return 0;
}

static const time_t SYN_EPOCH = 1700000000; /* 2023-11-14 */

static void syn_stat(const struct node *n, struct stat *st)
{
    memset(st, 0, sizeof *st);
    uint64_t ino = n->kind == NODE_DIR ? dir_ino(n->dir) : file_ino(n->dir, n->file);
    uint64_t h = mix(ino ^ 0x5eed);
    st->st_ino = ino;
    st->st_uid = 0;
    st->st_gid = 0;
    st->st_blksize = 4096;
    st->st_mtim.tv_sec = SYN_EPOCH - (time_t)(h % (3 * 365 * 86400));
    st->st_mtim.tv_nsec = (long)((h >> 32) % 1000000000);
    st->st_atim = st->st_mtim;
    st->st_ctim = st->st_mtim;
    if (n->kind == NODE_DIR) {
        st->st_mode = S_IFDIR | 0755;
        st->st_nlink = 2 + child_count(n->dir);
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

/* ------------------------------------------------------------------ operations */

static void *lfs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
    cfg->entry_timeout = 0;
    cfg->attr_timeout = 0;
    cfg->negative_timeout = 0;
    cfg->use_ino = 1;
    cfg->readdir_ino = 1;
    cfg->kernel_cache = 0;
    conn->want &= ~FUSE_CAP_READDIRPLUS;
    conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO;
    return NULL;
}

/* passthrough paths are relative to source_fd: "/" -> ".", "/a/b" -> "a/b" */
static const char *rel(const char *path)
{
    while (*path == '/') {
        path++;
    }
    return *path ? path : ".";
}

static int lfs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
    (void)fi;
    delay();
    if (o.synthetic) {
        struct node n;
        int r = resolve(path, &n);
        if (r == 0) {
            syn_stat(&n, st);
        }
        return r;
    }
    return fstatat(source_fd, rel(path), st, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : -errno;
}

static int lfs_access(const char *path, int mask)
{
    delay();
    if (o.synthetic) {
        struct node n;
        int r = resolve(path, &n);
        return r != 0 ? r : (mask & W_OK) ? -EROFS : 0;
    }
    return faccessat(source_fd, rel(path), mask, AT_SYMLINK_NOFOLLOW) == 0 ? 0 : -errno;
}

static int lfs_readlink(const char *path, char *buf, size_t size)
{
    delay();
    if (o.synthetic) {
        struct node n;
        int r = resolve(path, &n);
        return r != 0 ? r : -EINVAL;
    }
    ssize_t n = readlinkat(source_fd, rel(path), buf, size - 1);
    if (n < 0) {
        return -errno;
    }
    buf[n] = 0;
    return 0;
}

static int lfs_opendir(const char *path, struct fuse_file_info *fi)
{
    delay();
    fi->cache_readdir = 0;
    fi->keep_cache = 0;
    if (o.synthetic) {
        struct node n;
        int r = resolve(path, &n);
        if (r != 0) {
            return r;
        }
        if (n.kind != NODE_DIR) {
            return -ENOTDIR;
        }
        fi->fh = n.dir;
        return 0;
    }
    int fd = openat(source_fd, rel(path), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    DIR *d = fdopendir(fd);
    if (d == NULL) {
        int e = errno;
        close(fd);
        return -e;
    }
    fi->fh = (uint64_t)(uintptr_t)d;
    return 0;
}

static int lfs_releasedir(const char *path, struct fuse_file_info *fi)
{
    (void)path;
    if (!o.synthetic) {
        closedir((DIR *)(uintptr_t)fi->fh);
    }
    return 0;
}

static int lfs_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
                       struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
    (void)path;
    (void)flags;
    delay();
    if (o.synthetic) {
        /* offsets: 1 = ".", 2 = "..", 3.. = child directories then files */
        uint64_t d = fi->fh;
        uint64_t nd = child_count(d), nf = files_in(d);
        uint64_t total = 2 + nd + nf;
        char name[32];
        struct stat st;
        memset(&st, 0, sizeof st);
        for (uint64_t i = (uint64_t)off; i < total; i++) {
            if (i == 0) {
                st.st_ino = dir_ino(d);
                st.st_mode = S_IFDIR;
                strcpy(name, ".");
            } else if (i == 1) {
                st.st_ino = d == 0 ? 1 : dir_ino((d - 1) / o.dir_fanout);
                st.st_mode = S_IFDIR;
                strcpy(name, "..");
            } else if (i < 2 + nd) {
                uint64_t c = first_child(d) + (i - 2);
                st.st_ino = dir_ino(c);
                st.st_mode = S_IFDIR;
                snprintf(name, sizeof name, "d%" PRIu64, c);
            } else {
                uint64_t k = i - 2 - nd;
                st.st_ino = file_ino(d, k);
                st.st_mode = S_IFREG;
                snprintf(name, sizeof name, "f%" PRIu64, k);
            }
            if (filler(buf, name, &st, (off_t)(i + 1), 0)) {
                break;
            }
        }
        return 0;
    }
    DIR *d = (DIR *)(uintptr_t)fi->fh;
    if (off == 0) {
        rewinddir(d);
    } else {
        seekdir(d, off);
    }
    struct dirent *de;
    errno = 0;
    while ((de = readdir(d)) != NULL) {
        struct stat st;
        memset(&st, 0, sizeof st);
        st.st_ino = de->d_ino;
        st.st_mode = (mode_t)DTTOIF(de->d_type);
        if (filler(buf, de->d_name, &st, telldir(d), 0)) {
            break;
        }
    }
    return 0;
}

static int lfs_open(const char *path, struct fuse_file_info *fi)
{
    delay();
    if ((fi->flags & O_ACCMODE) != O_RDONLY) {
        return -EROFS;
    }
    fi->keep_cache = 0;
    if (o.synthetic) {
        struct node n;
        int r = resolve(path, &n);
        if (r != 0) {
            return r;
        }
        if (n.kind != NODE_FILE) {
            return -EISDIR;
        }
        fi->fh = file_ino(n.dir, n.file);
        return 0;
    }
    int fd = openat(source_fd, rel(path), (fi->flags & ~(O_CREAT | O_TRUNC)) | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        return -errno;
    }
    fi->fh = (uint64_t)fd;
    return 0;
}

static int lfs_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
    (void)path;
    if (o.synthetic) {
        uint64_t len = file_size(fi->fh);
        if ((uint64_t)off >= len) {
            return 0;
        }
        if (size > len - (uint64_t)off) {
            size = (size_t)(len - (uint64_t)off);
        }
        syn_fill(fi->fh, buf, size, off);
        return (int)size;
    }
    ssize_t n = pread((int)fi->fh, buf, size, off);
    return n < 0 ? -errno : (int)n;
}

static int lfs_release(const char *path, struct fuse_file_info *fi)
{
    (void)path;
    if (!o.synthetic) {
        close((int)fi->fh);
    }
    return 0;
}

static int lfs_statfs(const char *path, struct statvfs *sv)
{
    (void)path;
    delay();
    if (o.synthetic) {
        memset(sv, 0, sizeof *sv);
        sv->f_bsize = sv->f_frsize = 4096;
        sv->f_blocks = (syn_files * 8192 + (1 << 20)) / 4096;
        sv->f_files = syn_files + syn_dirs;
        sv->f_namemax = 255;
        return 0;
    }
    return fstatvfs(source_fd, sv) == 0 ? 0 : -errno;
}

/* xattrs: the path is reopened O_PATH relative to the source so symlinks are not followed */
static int lfs_getxattr(const char *path, const char *name, char *value, size_t size)
{
    delay();
    if (o.synthetic) {
        struct node n;
        int r = resolve(path, &n);
        return r != 0 ? r : -ENODATA;
    }
    char proc[64];
    int fd = openat(source_fd, rel(path), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    ssize_t n = lgetxattr(proc, name, value, size);
    int e = errno;
    close(fd);
    return n < 0 ? -e : (int)n;
}

static int lfs_listxattr(const char *path, char *list, size_t size)
{
    delay();
    if (o.synthetic) {
        struct node n;
        int r = resolve(path, &n);
        return r != 0 ? r : 0;
    }
    char proc[64];
    int fd = openat(source_fd, rel(path), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    ssize_t n = llistxattr(proc, list, size);
    int e = errno;
    close(fd);
    return n < 0 ? -e : (int)n;
}

static const struct fuse_operations ops = {
    .init = lfs_init,
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

static void usage(const char *prog)
{
    printf("usage: %s [options] SOURCE MOUNTPOINT          (passthrough, read-only)\n"
           "       %s [options] --synthetic=FILES MOUNTPOINT  (generated tree, nothing stored)\n"
           "\n"
           "    --delay-us=N        delay of every metadata operation in microseconds (default 150)\n"
           "    --threads=N         maximum FUSE worker threads (default 256)\n"
           "    --synthetic=FILES   serve a generated tree of FILES regular files\n"
           "    --files-per-dir=N   synthetic: files per directory (default 100)\n"
           "    --dir-fanout=N      synthetic: subdirectories per directory (default 16)\n"
           "    -f                  stay in the foreground\n"
           "    -o OPT              FUSE mount options (e.g. -o allow_other)\n",
           prog, prog);
}

int main(int argc, char *argv[])
{
    struct fuse_args args = FUSE_ARGS_INIT(argc, argv);
    if (fuse_opt_parse(&args, &o, option_spec, NULL) == -1) {
        return 2;
    }
    if (o.show_help) {
        usage(argv[0]);
        return 0;
    }
    if (o.files_per_dir == 0 || o.dir_fanout == 0 || o.threads == 0) {
        fprintf(stderr, "latencyfs: --files-per-dir, --dir-fanout and --threads must be positive\n");
        return 2;
    }
    if (o.synthetic) {
        if (parse_number(o.synthetic, strlen(o.synthetic), &syn_files) != 0) {
            fprintf(stderr, "latencyfs: --synthetic needs a number of files, not \"%s\"\n", o.synthetic);
            return 2;
        }
        syn_dirs = syn_files == 0 ? 1 : (syn_files + o.files_per_dir - 1) / o.files_per_dir;
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
            return 2;
        }
        source_fd = open(args.argv[at], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (source_fd < 0) {
            fprintf(stderr, "latencyfs: cannot open source directory %s: %s\n", args.argv[at], strerror(errno));
            return 1;
        }
        for (int i = at; i < args.argc - 1; i++) {
            args.argv[i] = args.argv[i + 1];
        }
        args.argc--;
    }

    struct fuse_cmdline_opts co;
    if (fuse_parse_cmdline(&args, &co) != 0) {
        return 2;
    }
    if (co.mountpoint == NULL) {
        usage(argv[0]);
        return 2;
    }
    fuse_opt_add_arg(&args, "-oro,default_permissions");
    fuse_opt_add_arg(&args, o.synthetic ? "-ofsname=latencyfs-synthetic" : "-ofsname=latencyfs");
    fuse_opt_add_arg(&args, "-osubtype=latencyfs");

    struct fuse *f = fuse_new(&args, &ops, sizeof ops, NULL);
    if (f == NULL) {
        return 1;
    }
    int rc = 1;
    if (fuse_mount(f, co.mountpoint) != 0) {
        goto out_destroy;
    }
    if (fuse_daemonize(co.foreground) != 0) {
        goto out_unmount;
    }
    if (fuse_set_signal_handlers(fuse_get_session(f)) != 0) {
        goto out_unmount;
    }
    struct fuse_loop_config *cfg = fuse_loop_cfg_create();
    fuse_loop_cfg_set_max_threads(cfg, o.threads);
    fuse_loop_cfg_set_idle_threads(cfg, o.threads);
    fuse_loop_cfg_set_clone_fd(cfg, 0);
    rc = fuse_loop_mt(f, cfg) == 0 ? 0 : 1;
    fuse_loop_cfg_destroy(cfg);
    fuse_remove_signal_handlers(fuse_get_session(f));
out_unmount:
    fuse_unmount(f);
out_destroy:
    fuse_destroy(f);
    free(co.mountpoint);
    fuse_opt_free_args(&args);
    return rc;
}
