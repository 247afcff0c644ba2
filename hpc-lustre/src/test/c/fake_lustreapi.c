/*
 * A fake liblustreapi.so for tests: the functions podheitor-hpc binds, with the real signatures and the real
 * return conventions (0 / negative errno for the MDT, FID, target and mount calls; NULL or -1 with errno for
 * the layout calls), answering for a "Lustre" tree emulated on any local file system by user.* xattrs:
 *
 *   on the mount root (a directory):
 *     user.lustre_fake.fsname    the file system name (at most 8 bytes, as Lustre's); its presence makes the directory a Lustre mount point
 *     user.lustre_fake.mdts      MDT indices, e.g. "0-3" or "0,1,3" (default "0"; sparse lists allowed)
 *     user.lustre_fake.osts      OST indices, same syntax (default "0")
 *     user.lustre_fake.inactive  inactive targets, e.g. "MDT0002,OST0003" (statfs answers ENODATA)
 *     user.lustre_fake.state     target state flags, e.g. "OST0001=D,MDT0000=R" (D R N S I, as lfs df prints)
 *     user.lustre_fake.stripe    the file system's default layout, e.g. "count=1 size=1048576"
 *     user.lustre_fake.inodes    "TOTAL/USED" inodes of every active target (default: the local file
 *                                system's statvfs, shared out among the targets)
 *   on any entry:
 *     user.lustre_fake.mdt       the MDT the entry lives on (as after `lfs mkdir -i N` / `lfs migrate -m N`)
 *     user.lustre_fake.dirstripe on a directory: striped over N MDTs (`lfs mkdir -c N`); a child's MDT is
 *                                stripe fnv1a64(name) % N, stripe i on the i-th MDT after the directory's own
 *     user.lustre_fake.lov       the file's layout: components separated by ';', each of "key=value" tokens:
 *                                extent=START-END|EOF count=N size=BYTES pattern=raid0|mdt|overstriping
 *                                pool=NAME ost=I,J,... init=no
 *     user.lustre_fake.errno     every call about this entry fails with this errno (error injection)
 *
 * An entry without user.lustre_fake.mdt lives where its parent's rule puts it (the parent's MDT, or the
 * directory stripe its name hashes to), as on real DNE; the root is on the first MDT. A regular file without a
 * user.lustre_fake.lov has the file system default layout with its first OST at (inode % OST count), as if the
 * MDS had allocated it round robin; a directory without one has no layout (ENODATA in the real xattr), for which
 * the real library returns a layout of LLAPI_LAYOUT_DEFAULT values, and so does this one.
 *
 * llapi_layout_file_create opens (creates) the file, then stores the layout built with the llapi_layout_*_set
 * calls in user.lustre_fake.lov, the component at offset 0 instantiated and the others not, as a real create
 * leaves them before the first write; outside Lustre it fails with ENOTTY after the open, as the real one does.
 *
 * "Is it Lustre" is decided by the path: an fd's path is read from /proc/self/fd, and the entry is on Lustre when
 * the path or one of its ancestors carries user.lustre_fake.fsname. Everything else answers as the real library
 * does on a file system that is not Lustre: the ioctls fail with ENOTTY, the layout call with ENOTTY (the
 * "lustre." xattr namespace is unsupported), llapi_fd2fid with EOPNOTSUPP (a client-only build), and
 * llapi_search_mounts with ENODEV.
 */
#define _GNU_SOURCE
#include "fake_lustreapi.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#define XA "user.lustre_fake."
#define MAX_TARGETS 4096
#define MAX_COMPS 16
#define MAX_STRIPES 256
#define LAYOUT_MAGIC 0x11AD1107u

/* FIDs: the root has the real root FID; other entries get a sequence in their MDT's range (MDT0 0x200000400,
 * MDT1 0x240000400, ... as a DNE file system allocates them) and the inode number as object id. */
#define FID_SEQ_ROOT 0x200000007ULL
#define FID_SEQ_NORMAL 0x200000400ULL
#define FID_SEQ_PER_MDT 0x40000000ULL

struct targets {
	int count;
	int index[MAX_TARGETS];
};

struct fs {
	char root[PATH_MAX];
	char fsname[64];
	struct targets mdts;
	struct targets osts;
	uint64_t def_count;
	uint64_t def_size;
};

/* ------------------------------------------------------------------ small helpers */

/* An xattr as a NUL-terminated string: its length, or -errno (ENODATA when absent). */
static ssize_t xattr(const char *path, const char *name, char *buf, size_t size)
{
	ssize_t n = lgetxattr(path, name, buf, size - 1);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return n;
}

/* The path of an open descriptor, or -EBADF. */
static int fd_path(int fd, char *out, size_t size)
{
	char link[64];
	ssize_t n;

	if (fd < 0 || fcntl(fd, F_GETFD) < 0)
		return -EBADF;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, out, size - 1);
	if (n < 0)
		return -errno;
	out[n] = '\0';
	return 0;
}

static int parse_targets(const char *text, struct targets *t)
{
	const char *p = text;

	t->count = 0;
	while (*p != '\0') {
		char *end;
		long a = strtol(p, &end, 10), b;

		if (end == p || a < 0 || a >= MAX_TARGETS)
			return -EINVAL;
		b = a;
		p = end;
		if (*p == '-') {
			b = strtol(p + 1, &end, 10);
			if (end == p + 1 || b < a || b >= MAX_TARGETS)
				return -EINVAL;
			p = end;
		}
		for (long i = a; i <= b && t->count < MAX_TARGETS; i++)
			t->index[t->count++] = (int)i;
		while (*p == ',' || *p == ' ')
			p++;
	}
	return t->count > 0 ? 0 : -EINVAL;
}

static int target_position(const struct targets *t, int index)
{
	for (int i = 0; i < t->count; i++)
		if (t->index[i] == index)
			return i;
	return -1;
}

/* Whether "MDT0002"-style name of (kind, index) appears in the comma list text; *flags gets "=XYZ" if given. */
static bool listed(const char *text, const char *kind, int index, char *flags, size_t flags_size)
{
	char name[16];
	size_t len;
	const char *p = text;

	len = (size_t)snprintf(name, sizeof(name), "%s%04x", kind, (unsigned)index);
	while ((p = strstr(p, name)) != NULL) {
		bool start_ok = p == text || p[-1] == ',' || p[-1] == ' ';
		char after = p[len];

		if (start_ok && (after == '\0' || after == ',' || after == '=' || after == ' ')) {
			if (flags != NULL && after == '=') {
				size_t i = 0;
				const char *f = p + len + 1;

				while (f[i] != '\0' && f[i] != ',' && f[i] != ' ' && i + 1 < flags_size) {
					flags[i] = f[i];
					i++;
				}
				flags[i] = '\0';
			}
			return true;
		}
		p += len;
	}
	return false;
}

/* "key=value" tokens: the value of key in a space-separated token list, copied to out; false when absent. */
static bool token(const char *text, const char *key, char *out, size_t size)
{
	size_t klen = strlen(key);
	const char *p = text;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			size_t i = 0;

			p += klen + 1;
			while (p[i] != '\0' && p[i] != ' ' && i + 1 < size) {
				out[i] = p[i];
				i++;
			}
			out[i] = '\0';
			return true;
		}
		while (*p != '\0' && *p != ' ')
			p++;
	}
	return false;
}

/* ------------------------------------------------------------------ the emulated file system */

/*
 * Finds the mount root of path (lexically: path itself, then each parent) and loads its configuration.
 * 0, or -ENOTTY when no ancestor is a fake Lustre root.
 */
static int find_fs(const char *path, struct fs *fs)
{
	char cur[PATH_MAX], buf[4096];

	if (path == NULL || path[0] != '/' || strlen(path) >= sizeof(cur))
		return -ENOTTY;
	strcpy(cur, path);
	for (;;) {
		size_t len = strlen(cur);

		while (len > 1 && cur[len - 1] == '/')
			cur[--len] = '\0';
		if (xattr(cur, XA "fsname", fs->fsname, sizeof(fs->fsname)) > 0)
			break;
		if (len <= 1)
			return -ENOTTY;
		char *slash = strrchr(cur, '/');
		if (slash == cur)
			cur[1] = '\0';
		else
			*slash = '\0';
	}
	strcpy(fs->root, cur);
	if (xattr(cur, XA "mdts", buf, sizeof(buf)) < 0 || parse_targets(buf, &fs->mdts) != 0)
		parse_targets("0", &fs->mdts);
	if (xattr(cur, XA "osts", buf, sizeof(buf)) < 0 || parse_targets(buf, &fs->osts) != 0)
		parse_targets("0", &fs->osts);
	fs->def_count = 1;
	fs->def_size = 1048576;
	if (xattr(cur, XA "stripe", buf, sizeof(buf)) > 0) {
		char v[32];

		if (token(buf, "count", v, sizeof(v)))
			fs->def_count = strtoull(v, NULL, 10);
		if (token(buf, "size", v, sizeof(v)))
			fs->def_size = strtoull(v, NULL, 10);
	}
	return 0;
}

/* The injected error of an entry (user.lustre_fake.errno), as -errno, or 0. */
static int injected(const char *path)
{
	char buf[32];

	if (xattr(path, XA "errno", buf, sizeof(buf)) > 0) {
		int e = atoi(buf);
		if (e > 0)
			return -e;
	}
	return 0;
}

static uint64_t fnv1a64(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* The MDT an entry lives on: walks from the root down to path, applying the placement rules. */
static int entry_mdt(const struct fs *fs, const char *path, int *mdt)
{
	char cur[PATH_MAX], buf[32];
	size_t rootlen = strlen(fs->root);
	const char *rest;
	int m = fs->mdts.index[0];

	strcpy(cur, fs->root);
	if (xattr(cur, XA "mdt", buf, sizeof(buf)) > 0)
		m = atoi(buf);
	rest = path + rootlen;
	while (*rest != '\0') {
		const char *name, *end;
		int stripes = 0;

		while (*rest == '/')
			rest++;
		if (*rest == '\0')
			break;
		name = rest;
		end = strchr(name, '/');
		if (end == NULL)
			end = name + strlen(name);
		/* the parent (cur) decides where a child goes when it is a striped directory */
		if (xattr(cur, XA "dirstripe", buf, sizeof(buf)) > 0)
			stripes = atoi(buf);
		if (stripes > 1) {
			int pos = target_position(&fs->mdts, m);
			uint64_t stripe = fnv1a64(name, (size_t)(end - name)) % (uint64_t)stripes;

			if (pos < 0)
				pos = 0;
			m = fs->mdts.index[(size_t)(pos + (int)stripe) % (size_t)fs->mdts.count];
		}
		if (strlen(cur) + 1 + (size_t)(end - name) >= sizeof(cur))
			return -ENAMETOOLONG;
		if (strcmp(cur, "/") != 0)
			strcat(cur, "/");
		strncat(cur, name, (size_t)(end - name));
		if (xattr(cur, XA "mdt", buf, sizeof(buf)) > 0)
			m = atoi(buf);
		rest = end;
	}
	*mdt = m;
	return 0;
}

/* Common start of the fd-based calls: the fd's path and file system, and an injected error. */
static int fd_fs(int fd, char *path, size_t size, struct fs *fs)
{
	int rc = fd_path(fd, path, size);

	if (rc != 0)
		return rc;
	rc = find_fs(path, fs);
	if (rc != 0)
		return rc;
	return injected(path);
}

/* ------------------------------------------------------------------ MDT placement, FIDs, targets, mounts */

int llapi_file_fget_mdtidx(int fd, int *mdtidx)
{
	char path[PATH_MAX];
	struct fs fs;
	int flags, rc;

	flags = fd < 0 ? -1 : fcntl(fd, F_GETFL);
	if (flags < 0 || (flags & O_PATH))
		return -EBADF; /* ioctl(2) on a bad or O_PATH descriptor */
	rc = fd_fs(fd, path, sizeof(path), &fs);
	if (rc != 0)
		return rc;
	return entry_mdt(&fs, path, mdtidx);
}

int llapi_fd2fid(int fd, struct lu_fid *fid)
{
	char path[PATH_MAX];
	struct fs fs;
	struct stat st;
	int rc, mdt;

	memset(fid, 0, sizeof(*fid));
	rc = fd_path(fd, path, sizeof(path));
	if (rc != 0)
		return rc;
	if (find_fs(path, &fs) != 0)
		return -EOPNOTSUPP; /* not a Lustre file handle, and no server support for trusted.lma */
	rc = injected(path);
	if (rc != 0)
		return rc;
	if (fstat(fd, &st) != 0)
		return -errno;
	if (strcmp(path, fs.root) == 0) {
		fid->f_seq = FID_SEQ_ROOT;
		fid->f_oid = 1;
		return 0;
	}
	rc = entry_mdt(&fs, path, &mdt);
	if (rc != 0)
		return rc;
	fid->f_seq = FID_SEQ_NORMAL + (uint64_t)mdt * FID_SEQ_PER_MDT + ((uint64_t)st.st_ino >> 32);
	fid->f_oid = (uint32_t)st.st_ino;
	fid->f_ver = 0;
	return 0;
}

int llapi_path2fid(const char *path, struct lu_fid *fid)
{
	int fd, rc;

	fd = open(path, O_RDONLY | O_PATH | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	rc = llapi_fd2fid(fd, fid);
	close(fd);
	return rc;
}

int llapi_get_mdt_index_by_fid(int fd, const struct lu_fid *fid, int *mdt_index)
{
	char path[PATH_MAX];
	struct fs fs;
	int flags, rc, mdt;

	flags = fd < 0 ? -1 : fcntl(fd, F_GETFL);
	if (flags < 0 || (flags & O_PATH))
		return -EBADF;
	rc = fd_path(fd, path, sizeof(path));
	if (rc != 0)
		return rc;
	if (find_fs(path, &fs) != 0)
		return -ENOTTY;
	if (fid == NULL)
		return -EFAULT;
	if (fid->f_seq == FID_SEQ_ROOT) {
		mdt = fs.mdts.index[0];
	} else {
		if (fid->f_seq < FID_SEQ_NORMAL)
			return -EINVAL;
		mdt = (int)((fid->f_seq - FID_SEQ_NORMAL) / FID_SEQ_PER_MDT);
		if (target_position(&fs.mdts, mdt) < 0)
			return -ENOENT; /* no MDT serves this sequence */
	}
	if (mdt_index != NULL)
		*mdt_index = mdt;
	return mdt;
}

int llapi_get_obd_count(char *mnt, int *count, int is_mdt)
{
	char path[PATH_MAX];
	struct fs fs;
	int root, rc;

	root = open(mnt, O_RDONLY | O_DIRECTORY);
	if (root < 0)
		return -errno;
	rc = fd_path(root, path, sizeof(path));
	if (rc == 0 && find_fs(path, &fs) != 0)
		rc = -ENOTTY;
	if (rc == 0)
		*count = is_mdt ? fs.mdts.count : fs.osts.count;
	close(root);
	return rc;
}

int llapi_search_mounts(const char *pathname, int index, char *mntdir, char *fsname)
{
	struct fs fs;
	int rc;

	if (pathname == NULL || pathname[0] == '\0') {
		/* by index: the fake's mounts are listed in LUSTRE_FAKE_MOUNTS (colon-separated) */
		const char *list = getenv("LUSTRE_FAKE_MOUNTS");
		char copy[PATH_MAX], *save = NULL, *item;
		int i = 0;

		rc = -ENODEV;
		if (list != NULL && strlen(list) < sizeof(copy)) {
			strcpy(copy, list);
			for (item = strtok_r(copy, ":", &save); item != NULL; item = strtok_r(NULL, ":", &save)) {
				if (find_fs(item, &fs) == 0 && strcmp(item, fs.root) == 0 && i++ == index) {
					rc = 0;
					break;
				}
			}
		}
	} else {
		strcpy(mntdir, pathname);
		rc = find_fs(pathname, &fs) == 0 ? 0 : -ENODEV;
	}
	if (rc == 0) {
		snprintf(mntdir, PATH_MAX, "%s", fs.root);
		if (fsname != NULL)
			snprintf(fsname, PATH_MAX, "%s", fs.fsname);
	}
	errno = -rc;
	return rc;
}

int llapi_obd_fstatfs(int fd, __u32 type, __u32 index, struct obd_statfs *stat_buf, struct obd_uuid *uuid_buf)
{
	char path[PATH_MAX], text[4096], flags[16] = "";
	struct fs fs;
	struct statvfs sv;
	const struct targets *t;
	const char *kind;
	int rc, max = -1, active = 0;

	rc = fd_path(fd, path, sizeof(path));
	if (rc != 0)
		return rc;
	if (find_fs(path, &fs) != 0)
		return -ENOTTY;
	switch (type & ~(__u32)LL_STATFS_NODELAY) {
	case LL_STATFS_LMV:
		t = &fs.mdts;
		kind = "MDT";
		break;
	case LL_STATFS_LOV:
		t = &fs.osts;
		kind = "OST";
		break;
	default:
		return -EINVAL;
	}
	for (int i = 0; i < t->count; i++)
		if (t->index[i] > max)
			max = t->index[i];
	if ((long)index > max)
		return -ENODEV; /* past the last target: lfs df stops here */
	if (target_position(t, (int)index) < 0)
		return -EAGAIN; /* a hole in the target indices: lfs df skips it */
	if (xattr(fs.root, XA "inactive", text, sizeof(text)) > 0 && listed(text, kind, (int)index, NULL, 0))
		return -ENODATA;
	if (statvfs(fs.root, &sv) != 0)
		return -errno;
	for (int i = 0; i < t->count; i++) {
		if (xattr(fs.root, XA "inactive", text, sizeof(text)) <= 0 || !listed(text, kind, t->index[i], NULL, 0))
			active++;
	}
	if (active == 0)
		active = 1;
	memset(stat_buf, 0, sizeof(*stat_buf));
	stat_buf->os_type = 0x2fc12fc1; /* ZFS_SUPER_MAGIC, what a ZFS-backed target reports */
	stat_buf->os_bsize = 4096;
	stat_buf->os_blocks = (uint64_t)sv.f_blocks * sv.f_frsize / 4096 / (uint64_t)active;
	stat_buf->os_bfree = (uint64_t)sv.f_bfree * sv.f_frsize / 4096 / (uint64_t)active;
	stat_buf->os_bavail = (uint64_t)sv.f_bavail * sv.f_frsize / 4096 / (uint64_t)active;
	stat_buf->os_files = (uint64_t)sv.f_files / (uint64_t)active;
	stat_buf->os_ffree = (uint64_t)sv.f_ffree / (uint64_t)active;
	if (xattr(fs.root, XA "inodes", text, sizeof(text)) > 0) {
		unsigned long long total = 0, used = 0;

		if (sscanf(text, "%llu/%llu", &total, &used) == 2 && used <= total) {
			stat_buf->os_files = total;
			stat_buf->os_ffree = total - used;
		}
	}
	stat_buf->os_namelen = 255;
	stat_buf->os_maxbytes = 0x7fffffffffffffffULL;
	if (xattr(fs.root, XA "state", text, sizeof(text)) > 0 && listed(text, kind, (int)index, flags, sizeof(flags))) {
		for (const char *f = flags; *f != '\0'; f++) {
			switch (*f) {
			case 'D': stat_buf->os_state |= OS_STATFS_DEGRADED; break;
			case 'R': stat_buf->os_state |= OS_STATFS_READONLY; break;
			case 'N': stat_buf->os_state |= OS_STATFS_NOCREATE; break;
			case 'S': stat_buf->os_state |= OS_STATFS_ENOSPC; break;
			case 'I': stat_buf->os_state |= OS_STATFS_ENOINO; break;
			default: break;
			}
		}
	}
	memset(uuid_buf, 0, sizeof(*uuid_buf));
	snprintf(uuid_buf->uuid, sizeof(uuid_buf->uuid), "%.8s-%s%04x_UUID", fs.fsname, kind, index);
	return 0;
}

/* ------------------------------------------------------------------ layouts */

struct comp {
	uint64_t start, end;
	uint64_t count, size, pattern, offset;
	char pool[LOV_MAXPOOLNAME + 1];
	uint32_t objects;
	uint32_t ost[MAX_STRIPES];
	int init;
};

struct llapi_layout {
	uint32_t magic;
	int composite;
	int ncomp;
	int cur;
	struct comp comp[MAX_COMPS];
};

static void comp_default(struct comp *c)
{
	memset(c, 0, sizeof(*c));
	c->start = 0;
	c->end = LUSTRE_EOF;
	c->count = LLAPI_LAYOUT_DEFAULT;
	c->size = LLAPI_LAYOUT_DEFAULT;
	c->pattern = LLAPI_LAYOUT_DEFAULT;
	c->offset = LLAPI_LAYOUT_DEFAULT;
}

struct llapi_layout *llapi_layout_alloc(void)
{
	struct llapi_layout *l = calloc(1, sizeof(*l));

	if (l == NULL) {
		errno = ENOMEM;
		return NULL;
	}
	l->magic = LAYOUT_MAGIC;
	l->ncomp = 1;
	comp_default(&l->comp[0]);
	return l;
}

void llapi_layout_free(struct llapi_layout *layout)
{
	free(layout);
}

/* Objects of an instantiated component: the listed OSTs, else consecutive OSTs from a first one. */
static void place_objects(struct comp *c, const struct fs *fs, uint64_t first_pos)
{
	uint64_t n = c->count;

	if (n > MAX_STRIPES)
		n = MAX_STRIPES;
	for (uint64_t i = 0; i < n; i++)
		c->ost[i] = (uint32_t)fs->osts.index[(first_pos + i) % (uint64_t)fs->osts.count];
	c->objects = (uint32_t)n;
	c->offset = n > 0 ? c->ost[0] : LLAPI_LAYOUT_DEFAULT;
}

static int parse_comp(const char *text, struct comp *c, const struct fs *fs, const struct stat *st, bool is_dir)
{
	char v[256];

	comp_default(c);
	c->init = !is_dir;
	if (token(text, "init", v, sizeof(v)) && strcmp(v, "no") == 0)
		c->init = 0;
	if (token(text, "extent", v, sizeof(v))) {
		char *dash = strchr(v, '-');
		if (dash == NULL)
			return -EINVAL;
		*dash = '\0';
		c->start = strtoull(v, NULL, 10);
		c->end = strcmp(dash + 1, "EOF") == 0 ? LUSTRE_EOF : strtoull(dash + 1, NULL, 10);
	}
	if (token(text, "count", v, sizeof(v))) {
		long long n = strtoll(v, NULL, 10);
		if (n == -1) /* all OSTs: resolved when the objects are allocated */
			c->count = c->init ? (uint64_t)fs->osts.count : LLAPI_LAYOUT_WIDE;
		else if (n > 0)
			c->count = (uint64_t)n;
		else
			return -EINVAL;
	} else if (!is_dir) {
		c->count = fs->def_count;
	}
	if (token(text, "size", v, sizeof(v)))
		c->size = strtoull(v, NULL, 10);
	else if (!is_dir)
		c->size = fs->def_size;
	if (token(text, "pattern", v, sizeof(v))) {
		if (strcmp(v, "raid0") == 0)
			c->pattern = LLAPI_LAYOUT_RAID0;
		else if (strcmp(v, "mdt") == 0)
			c->pattern = LLAPI_LAYOUT_MDT;
		else if (strcmp(v, "overstriping") == 0)
			c->pattern = LLAPI_LAYOUT_OVERSTRIPING;
		else
			return -EINVAL;
	} else if (!is_dir) {
		c->pattern = LLAPI_LAYOUT_RAID0;
	}
	if (token(text, "pool", v, sizeof(v)))
		snprintf(c->pool, sizeof(c->pool), "%.15s", v);
	if (!c->init || c->pattern == LLAPI_LAYOUT_MDT)
		return 0;
	if (token(text, "ost", v, sizeof(v))) {
		char *p = v;
		uint32_t n = 0;

		while (*p != '\0' && n < MAX_STRIPES) {
			char *end;
			c->ost[n++] = (uint32_t)strtoul(p, &end, 10);
			if (end == p)
				return -EINVAL;
			p = *end == ',' ? end + 1 : end;
		}
		if (n != c->count)
			return -EINVAL;
		c->objects = n;
		c->offset = c->ost[0];
	} else {
		place_objects(c, fs, (uint64_t)st->st_ino % (uint64_t)fs->osts.count);
	}
	return 0;
}

static struct llapi_layout *layout_of(const char *path, const struct fs *fs, const struct stat *st)
{
	char text[4096];
	bool is_dir = S_ISDIR(st->st_mode);
	struct llapi_layout *l = llapi_layout_alloc();
	ssize_t n;

	if (l == NULL)
		return NULL;
	n = xattr(path, XA "lov", text, sizeof(text));
	if (n < 0) {
		if (!is_dir) {
			/* a regular file always has a layout: the file system default, allocated round robin */
			struct comp *c = &l->comp[0];
			c->count = fs->def_count;
			c->size = fs->def_size;
			c->pattern = LLAPI_LAYOUT_RAID0;
			c->init = 1;
			place_objects(c, fs, (uint64_t)st->st_ino % (uint64_t)fs->osts.count);
		}
		return l; /* a directory without a default layout: all LLAPI_LAYOUT_DEFAULT */
	}
	bool has_extent = strstr(text, "extent=") != NULL;

	l->ncomp = 0;
	for (char *save = NULL, *item = strtok_r(text, ";", &save); item != NULL; item = strtok_r(NULL, ";", &save)) {
		if (l->ncomp == MAX_COMPS || parse_comp(item, &l->comp[l->ncomp], fs, st, is_dir) != 0) {
			free(l);
			errno = EINVAL;
			return NULL;
		}
		l->ncomp++;
	}
	if (l->ncomp == 0) {
		free(l);
		errno = EINVAL;
		return NULL;
	}
	l->composite = l->ncomp > 1 || has_extent;
	return l;
}

struct llapi_layout *llapi_layout_get_by_fd(int fd, enum llapi_layout_get_flags flags)
{
	char path[PATH_MAX];
	struct fs fs;
	struct stat st;
	int fl, rc;

	(void)flags;
	fl = fd < 0 ? -1 : fcntl(fd, F_GETFL);
	if (fl < 0 || (fl & O_PATH)) {
		errno = EBADF; /* fgetxattr(2) on a bad or O_PATH descriptor */
		return NULL;
	}
	rc = fd_path(fd, path, sizeof(path));
	if (rc == 0 && find_fs(path, &fs) != 0)
		rc = -ENOTTY; /* the "lustre." namespace is unsupported: EOPNOTSUPP, reported as ENOTTY */
	if (rc == 0)
		rc = injected(path);
	if (rc == 0 && fstat(fd, &st) != 0)
		rc = -errno;
	if (rc != 0) {
		errno = -rc;
		return NULL;
	}
	return layout_of(path, &fs, &st);
}

struct llapi_layout *llapi_layout_get_by_path(const char *path, enum llapi_layout_get_flags flags)
{
	struct llapi_layout *l;
	int fd, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	l = llapi_layout_get_by_fd(fd, flags);
	saved = errno;
	close(fd);
	errno = saved;
	return l;
}

static struct comp *cur_comp(const struct llapi_layout *layout)
{
	if (layout == NULL || layout->magic != LAYOUT_MAGIC || layout->cur < 0 || layout->cur >= layout->ncomp) {
		errno = EINVAL;
		return NULL;
	}
	return (struct comp *)&layout->comp[layout->cur];
}

int llapi_layout_stripe_count_get(const struct llapi_layout *layout, uint64_t *count)
{
	struct comp *c = cur_comp(layout);

	if (c == NULL)
		return -1;
	if (count == NULL) {
		errno = EINVAL;
		return -1;
	}
	*count = c->count;
	return 0;
}

int llapi_layout_stripe_size_get(const struct llapi_layout *layout, uint64_t *size)
{
	struct comp *c = cur_comp(layout);

	if (c == NULL)
		return -1;
	if (size == NULL) {
		errno = EINVAL;
		return -1;
	}
	*size = c->size;
	return 0;
}

int llapi_layout_pattern_get(const struct llapi_layout *layout, uint64_t *pattern)
{
	struct comp *c = cur_comp(layout);

	if (c == NULL)
		return -1;
	if (pattern == NULL) {
		errno = EINVAL;
		return -1;
	}
	*pattern = c->pattern;
	return 0;
}

int llapi_layout_ost_index_get(const struct llapi_layout *layout, uint64_t stripe_number, uint64_t *index)
{
	struct comp *c = cur_comp(layout);

	if (c == NULL)
		return -1;
	if (index == NULL || stripe_number >= c->count || stripe_number >= c->objects) {
		errno = EINVAL;
		return -1;
	}
	*index = c->offset == LLAPI_LAYOUT_DEFAULT ? LLAPI_LAYOUT_DEFAULT : c->ost[stripe_number];
	return 0;
}

int llapi_layout_pool_name_get(const struct llapi_layout *layout, char *dest, size_t n)
{
	struct comp *c = cur_comp(layout);

	if (c == NULL)
		return -1;
	if (dest == NULL) {
		errno = EINVAL;
		return -1;
	}
	snprintf(dest, n, "%s", c->pool);
	return 0;
}

int llapi_layout_comp_use(struct llapi_layout *layout, enum llapi_layout_comp_use pos)
{
	if (cur_comp(layout) == NULL)
		return -1;
	if (!layout->composite) {
		if (pos == LLAPI_LAYOUT_COMP_USE_FIRST || pos == LLAPI_LAYOUT_COMP_USE_LAST)
			return 0;
		errno = ENOENT;
		return 1;
	}
	switch (pos) {
	case LLAPI_LAYOUT_COMP_USE_FIRST:
		layout->cur = 0;
		break;
	case LLAPI_LAYOUT_COMP_USE_LAST:
		layout->cur = layout->ncomp - 1;
		break;
	case LLAPI_LAYOUT_COMP_USE_NEXT:
		if (layout->cur == layout->ncomp - 1) {
			errno = ENOENT;
			return 1;
		}
		layout->cur++;
		break;
	case LLAPI_LAYOUT_COMP_USE_PREV:
		if (layout->cur == 0) {
			errno = ENOENT;
			return 1;
		}
		layout->cur--;
		break;
	default:
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int llapi_layout_comp_extent_get(const struct llapi_layout *layout, uint64_t *start, uint64_t *end)
{
	struct comp *c = cur_comp(layout);

	if (c == NULL)
		return -1;
	if (start == NULL || end == NULL) {
		errno = EINVAL;
		return -1;
	}
	*start = c->start;
	*end = c->end;
	return 0;
}

int fake_lustre_comp_init(const struct llapi_layout *layout)
{
	struct comp *c = cur_comp(layout);

	return c == NULL ? -1 : c->init;
}

/* ------------------------------------------------------------------ building layouts, creating files */

int llapi_layout_stripe_count_set(struct llapi_layout *layout, uint64_t count)
{
	struct comp *c = cur_comp(layout);

	if (c == NULL)
		return -1;
	if (!(count == LLAPI_LAYOUT_DEFAULT || count == LLAPI_LAYOUT_WIDE || (count > 0 && count <= 2000))) {
		errno = EINVAL;
		return -1;
	}
	c->count = count;
	return 0;
}

int llapi_layout_stripe_size_set(struct llapi_layout *layout, uint64_t size)
{
	struct comp *c = cur_comp(layout);

	if (c == NULL)
		return -1;
	/* a multiple of 64 KiB below 4 GiB, as llapi_stripe_size_is_aligned / _is_too_big */
	if (!(size == LLAPI_LAYOUT_DEFAULT || (size != 0 && size % 65536 == 0 && size < (1ULL << 32)))) {
		errno = EINVAL;
		return -1;
	}
	c->size = size;
	return 0;
}

int llapi_layout_pattern_set(struct llapi_layout *layout, uint64_t pattern)
{
	struct comp *c = cur_comp(layout);

	if (c == NULL)
		return -1;
	if (pattern != LLAPI_LAYOUT_DEFAULT && pattern != LLAPI_LAYOUT_RAID0 && pattern != LLAPI_LAYOUT_MDT
	    && pattern != LLAPI_LAYOUT_OVERSTRIPING) {
		errno = EINVAL;
		return -1;
	}
	c->pattern = pattern;
	return 0;
}

int llapi_layout_pool_name_set(struct llapi_layout *layout, const char *pool_name)
{
	struct comp *c = cur_comp(layout);

	if (c == NULL)
		return -1;
	if (pool_name == NULL || strlen(pool_name) > LOV_MAXPOOLNAME) {
		errno = EINVAL;
		return -1;
	}
	snprintf(c->pool, sizeof(c->pool), "%s", pool_name);
	return 0;
}

int llapi_layout_comp_extent_set(struct llapi_layout *layout, uint64_t start, uint64_t end)
{
	struct comp *c = cur_comp(layout);

	if (c == NULL)
		return -1;
	if (start > end) {
		errno = EINVAL;
		return -1;
	}
	c->start = start;
	c->end = end;
	layout->composite = 1;
	return 0;
}

int llapi_layout_comp_add(struct llapi_layout *layout)
{
	struct comp *last;

	if (cur_comp(layout) == NULL)
		return -1;
	if (layout->ncomp == MAX_COMPS) {
		errno = EINVAL;
		return -1;
	}
	last = &layout->comp[layout->ncomp - 1];
	comp_default(&layout->comp[layout->ncomp]);
	layout->comp[layout->ncomp].start = last->end;
	layout->comp[layout->ncomp].end = LUSTRE_EOF - 1;
	layout->cur = layout->ncomp++;
	layout->composite = 1;
	return 0;
}

/* The layout as the fake's xattr text; false when it does not fit or is not sane (llapi_layout_v2_sanity). */
static bool layout_text(const struct llapi_layout *l, char *out, size_t size)
{
	size_t used = 0;

	out[0] = '\0';
	for (int i = 0; i < l->ncomp; i++) {
		const struct comp *c = &l->comp[i];
		char part[256], count[32] = "", stripe[48] = "", pattern[32] = "", pool[32] = "", extent[64] = "";
		int n;

		if (l->composite) {
			if (c->start >= c->end || (i > 0 && c->start != l->comp[i - 1].end) || (i == 0 && c->start != 0))
				return false;
			if (c->end == LUSTRE_EOF)
				snprintf(extent, sizeof(extent), "extent=%llu-EOF ", (unsigned long long)c->start);
			else
				snprintf(extent, sizeof(extent), "extent=%llu-%llu ", (unsigned long long)c->start,
					 (unsigned long long)c->end);
		}
		if (c->count == LLAPI_LAYOUT_WIDE)
			snprintf(count, sizeof(count), "count=-1 ");
		else if (c->count != LLAPI_LAYOUT_DEFAULT)
			snprintf(count, sizeof(count), "count=%llu ", (unsigned long long)c->count);
		if (c->size != LLAPI_LAYOUT_DEFAULT)
			snprintf(stripe, sizeof(stripe), "size=%llu ", (unsigned long long)c->size);
		if (c->pattern == LLAPI_LAYOUT_MDT)
			snprintf(pattern, sizeof(pattern), "pattern=mdt ");
		else if (c->pattern == LLAPI_LAYOUT_OVERSTRIPING)
			snprintf(pattern, sizeof(pattern), "pattern=overstriping ");
		if (c->pool[0] != '\0')
			snprintf(pool, sizeof(pool), "pool=%.15s ", c->pool);
		/* the MDS instantiates the component holding offset 0 at create; the others on first write */
		n = snprintf(part, sizeof(part), "%s%s%s%s%s%s%s", i > 0 ? ";" : "", extent, count, stripe, pattern, pool,
			     c->start == 0 ? "init=yes" : "init=no");
		if (n < 0 || used + (size_t)n + 1 > size)
			return false;
		memcpy(out + used, part, (size_t)n + 1);
		used += (size_t)n;
	}
	return true;
}

int llapi_layout_file_open(const char *path, int open_flags, mode_t mode, const struct llapi_layout *layout)
{
	char self[PATH_MAX], text[4096];
	struct fs fs;
	int fd, rc;

	if (path == NULL || (layout != NULL && layout->magic != LAYOUT_MAGIC)) {
		errno = EINVAL;
		return -1;
	}
	if (layout != NULL && !layout_text(layout, text, sizeof(text))) {
		errno = EINVAL;
		return -1;
	}
	fd = open(path, open_flags, mode);
	if (layout == NULL || fd < 0)
		return fd;
	/* the real library sets the layout on the new descriptor (the "lustre.lov" xattr); a file system that is
	 * not Lustre refuses it, and the file created by the open stays behind */
	rc = fd_path(fd, self, sizeof(self));
	if (rc == 0 && find_fs(self, &fs) != 0)
		rc = -ENOTTY;
	if (rc == 0)
		rc = injected(self);
	if (rc == 0 && fsetxattr(fd, XA "lov", text, strlen(text), 0) != 0)
		rc = -errno;
	if (rc != 0) {
		close(fd);
		errno = -rc == EOPNOTSUPP ? ENOTTY : -rc;
		return -1;
	}
	return fd;
}

int llapi_layout_file_create(const char *path, int open_flags, int mode, const struct llapi_layout *layout)
{
	return llapi_layout_file_open(path, open_flags | O_CREAT | O_EXCL, (mode_t)mode, layout);
}
