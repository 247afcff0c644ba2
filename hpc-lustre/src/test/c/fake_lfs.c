/*
 * A fake `lfs` for tests, linked with the fake liblustreapi (fake_lustreapi.c), so the tool and the library
 * answer alike about one emulated tree. It prints what lustre/utils/lfs.c and liblustreapi.c print (the printf
 * formats are theirs, Lustre 2.12-2.16 for `lfs df`):
 *
 *   lfs df [-i] [-h|-H] [-v] [PATH...]        targets of each MDT and OST, and the filesystem_summary line
 *   lfs getstripe -m|--mdt-index [-d] PATH... the MDT index of each entry ("%d\n")
 *   lfs getstripe -c|-S [-d] PATH...          stripe count and/or size of a plain layout
 *   lfs getstripe -y|--yaml PATH...           the layout as YAML (plain or composite)
 *
 * Without -d, a directory argument is followed by its entries (depth 1), as the real getstripe does.
 * Anything else: a message on stderr and exit status 22 (EINVAL).
 */
#define _GNU_SOURCE
#include "fake_lustreapi.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define UUF "%-20s"
#define CSF "%11s"
#define CDF "%11llu"
#define HDF "%8.1f%c"
#define RSF "%4s"
#define RDF "%3d%%"

enum { DF_INODES = 1, DF_COOKED = 2, DF_DECIMAL = 4, DF_VERBOSE = 8 };

static int obd_statfs_ratio(const struct obd_statfs *st, bool inodes)
{
	double avail, used, ratio = 0;

	if (inodes) {
		avail = (double)st->os_ffree;
		used = (double)(st->os_files - st->os_ffree);
	} else {
		avail = (double)st->os_bavail;
		used = (double)(st->os_blocks - st->os_bfree);
	}
	if (avail + used > 0)
		ratio = used / (used + avail) * 100;
	return (ratio - (int)ratio) > 0 ? (int)(ratio + 1) : (int)ratio;
}

static void value(char *buf, size_t size, long long v, int flags)
{
	if (flags & DF_COOKED) {
		const char *suffix = flags & DF_DECIMAL ? "kMGTPEZY" : "KMGTPEZY";
		double base = flags & DF_DECIMAL ? 1000 : 1024, cook = (double)v;
		int radix = 0;

		while (cook > base) {
			cook /= base;
			radix++;
		}
		if (radix > 0) {
			snprintf(buf, size, HDF, cook, suffix[radix - 1]);
			return;
		}
	}
	snprintf(buf, size, CDF, (unsigned long long)v);
}

static void showdf(const char *mntdir, const struct obd_statfs *st, const char *uuid, int flags, const char *type,
		   int index, int rc)
{
	static const struct { unsigned state; char name; } names[] = {
		{ OS_STATFS_DEGRADED, 'D' }, { OS_STATFS_READONLY, 'R' }, { OS_STATFS_NOCREATE, 'N' },
		{ OS_STATFS_ENOSPC, 'S' }, { OS_STATFS_ENOINO, 'I' },
	};
	char tbuf[32], ubuf[32], abuf[32], rbuf[32];
	long long total, used, avail;

	if (rc == -ENODATA) {
		printf(UUF ": inactive device\n", uuid);
		return;
	}
	if (rc != 0) {
		printf(UUF ": %s\n", uuid, strerror(-rc));
		return;
	}
	if (flags & DF_INODES) {
		avail = (long long)st->os_ffree;
		used = (long long)(st->os_files - st->os_ffree);
		total = (long long)st->os_files;
	} else {
		int shift = flags & DF_COOKED ? 0 : 10;

		avail = (long long)((st->os_bavail * st->os_bsize) >> shift);
		used = (long long)(((st->os_blocks - st->os_bfree) * st->os_bsize) >> shift);
		total = (long long)((st->os_blocks * st->os_bsize) >> shift);
	}
	value(tbuf, sizeof(tbuf), total, flags);
	value(ubuf, sizeof(ubuf), used, flags);
	value(abuf, sizeof(abuf), avail, flags);
	snprintf(rbuf, sizeof(rbuf), RDF, obd_statfs_ratio(st, flags & DF_INODES));
	printf(UUF " " CSF " " CSF " " CSF " " RSF " %-s", uuid, tbuf, ubuf, abuf, rbuf, mntdir);
	if (type != NULL)
		printf("[%s:%d]", type, index);
	if (st->os_state) {
		printf(" ");
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (st->os_state & names[i].state)
				printf("%c", names[i].name);
	}
	printf("\n");
}

static int mntdf(const char *mntdir, int flags)
{
	static const struct { int op; const char *name; } types[] = { { LL_STATFS_LMV, "MDT" }, { LL_STATFS_LOV, "OST" } };
	struct obd_statfs st, sum;
	struct obd_uuid uuid;
	unsigned long long ost_files = 0, ost_ffree = 0;
	int fd, rc = 0;

	memset(&sum, 0, sizeof(sum));
	sum.os_bsize = 1;
	fd = open(mntdir, O_RDONLY);
	if (fd < 0) {
		rc = -errno;
		fprintf(stderr, "lfs: cannot open '%s': %s\n", mntdir, strerror(errno));
		return rc;
	}
	if (flags & DF_INODES)
		printf(UUF " " CSF " " CSF " " CSF " " RSF " %-s\n", "UUID", "Inodes", "IUsed", "IFree", "IUse%",
		       "Mounted on");
	else
		printf(UUF " " CSF " " CSF " " CSF " " RSF " %-s\n", "UUID", flags & DF_COOKED ? "bytes" : "1K-blocks",
		       "Used", "Available", "Use%", "Mounted on");
	for (size_t t = 0; t < 2; t++) {
		bool have_ost = false;

		for (unsigned index = 0;; index++) {
			int rc2;

			memset(&st, 0, sizeof(st));
			memset(&uuid, 0, sizeof(uuid));
			rc2 = llapi_obd_fstatfs(fd, (__u32)types[t].op, index, &st, &uuid);
			if (rc2 == -ENODEV)
				break;
			if (rc2 == -EAGAIN)
				continue;
			if (rc2 == -ENODATA) {
				if (!(flags & DF_VERBOSE))
					continue;
			} else if (rc2 < 0 && rc == 0) {
				rc = rc2;
			}
			if (types[t].op == LL_STATFS_LOV && !have_ost) {
				have_ost = true;
				sum.os_blocks = 0;
				sum.os_bfree = 0;
				sum.os_bavail = 0;
			}
			if (uuid.uuid[0] == '\0')
				snprintf(uuid.uuid, sizeof(uuid.uuid), "%s%04x", types[t].name, index);
			showdf(mntdir, &st, uuid.uuid, flags, types[t].name, (int)index, rc2);
			if (rc2)
				continue;
			if (types[t].op == LL_STATFS_LMV) {
				sum.os_ffree += st.os_ffree;
				sum.os_files += st.os_files;
			} else {
				ost_files += st.os_files;
				ost_ffree += st.os_ffree;
			}
			sum.os_blocks += st.os_blocks * st.os_bsize;
			sum.os_bfree += st.os_bfree * st.os_bsize;
			sum.os_bavail += st.os_bavail * st.os_bsize;
		}
	}
	close(fd);
	if (ost_files && ost_ffree < sum.os_ffree) {
		sum.os_files = (sum.os_files - sum.os_ffree) + ost_ffree;
		sum.os_ffree = ost_ffree;
	}
	printf("\n");
	showdf(mntdir, &sum, "filesystem_summary:", flags, NULL, 0, 0);
	printf("\n");
	return rc;
}

static int lfs_df(int argc, char **argv)
{
	char mntdir[PATH_MAX], fsname[PATH_MAX], path[PATH_MAX];
	int flags = 0, rc1 = 0, i;

	for (i = 2; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		for (const char *o = argv[i] + 1; *o != '\0'; o++) {
			switch (*o) {
			case 'i': flags |= DF_INODES; break;
			case 'h': flags = (flags & ~DF_DECIMAL) | DF_COOKED; break;
			case 'H': flags |= DF_COOKED | DF_DECIMAL; break;
			case 'v': flags |= DF_VERBOSE; break;
			default:
				fprintf(stderr, "lfs df: unrecognized option '%s'\n", argv[i]);
				return -EINVAL;
			}
		}
	}
	if (i == argc) {
		for (int index = 0; llapi_search_mounts("", index, mntdir, fsname) == 0; index++) {
			int rc = mntdf(mntdir, flags);
			if (rc)
				return rc;
		}
		return 0;
	}
	for (; i < argc; i++) {
		if (realpath(argv[i], path) == NULL) {
			int rc = -errno;
			fprintf(stderr, "error: invalid path '%s': %s\n", argv[i], strerror(-rc));
			if (!rc1)
				rc1 = rc;
			continue;
		}
		if (llapi_search_mounts(path, 0, mntdir, fsname) != 0) {
			fprintf(stderr, "%s:%s Not a Lustre filesystem\n", argv[0], argv[i]);
			if (!rc1)
				rc1 = -EOPNOTSUPP;
			continue;
		}
		int rc = mntdf(mntdir, flags);
		if (rc && !rc1)
			rc1 = rc;
	}
	return rc1;
}

/* ------------------------------------------------------------------ getstripe */

enum { GS_MDT = 1, GS_COUNT = 2, GS_SIZE = 4, GS_YAML = 8, GS_DIRONLY = 16 };

static const char *pattern_name(uint64_t pattern)
{
	switch (pattern) {
	case LLAPI_LAYOUT_MDT: return "mdt";
	case LLAPI_LAYOUT_OVERSTRIPING: return "raid0,overstriped";
	default: return "raid0";
	}
}

static int show_mdt(const char *path)
{
	int fd, rc, mdtidx;

	fd = open(path, O_RDONLY | O_NOCTTY);
	if (fd < 0)
		rc = -errno;
	else {
		rc = llapi_file_fget_mdtidx(fd, &mdtidx);
		close(fd);
	}
	if (rc == 0) {
		printf("%d\n", mdtidx);
		return 0;
	}
	if (rc == -ENODATA)
		printf("'%s' has no stripe info\n", path);
	else if (rc == -ENOENT)
		fprintf(stderr, "lfs getstripe: warning: cb_get_mdt_index: '%s' does not exist: %s (%d)\n", path,
			strerror(-rc), -rc);
	else if (rc == -ENOTTY)
		fprintf(stderr, "lfs getstripe: cb_get_mdt_index: '%s' not on a Lustre fs: %s (%d)\n", path,
			strerror(-rc), -rc);
	else
		fprintf(stderr, "lfs getstripe: error: cb_get_mdt_index: '%s' failed get_mdtidx: %s (%d)\n", path,
			strerror(-rc), -rc);
	return rc == -ENODATA || rc == -ENOENT ? 0 : rc;
}

/* A stripe count as lfs prints it: LLAPI_LAYOUT_WIDE (all OSTs) is -1 in the lov_user_md. */
static int shown_count(uint64_t count)
{
	return count == LLAPI_LAYOUT_WIDE ? -1 : (int)(int16_t)count;
}

static void yaml_plain(struct llapi_layout *l, const char *space, bool objects)
{
	uint64_t count = 0, size = 0, pattern = 0, ost = 0;
	char pool[LOV_MAXPOOLNAME + 1] = "";

	llapi_layout_stripe_count_get(l, &count);
	llapi_layout_stripe_size_get(l, &size);
	llapi_layout_pattern_get(l, &pattern);
	llapi_layout_pool_name_get(l, pool, sizeof(pool));
	printf("%slmm_stripe_count:  %i\n", space, shown_count(count));
	printf("%slmm_stripe_size:   %llu\n", space, (unsigned long long)size);
	printf("%slmm_pattern:       %s\n", space, pattern_name(pattern));
	printf("%slmm_layout_gen:    %u\n", space, 0u);
	if (pattern == LLAPI_LAYOUT_MDT)
		printf("%slmm_mdt_index:     0\n", space);
	else if (!objects)
		printf("%slmm_stripe_offset: -1\n", space);
	else if (llapi_layout_ost_index_get(l, 0, &ost) == 0)
		printf("%slmm_stripe_offset: %d\n", space, (int)ost);
	if (pool[0] != '\0')
		printf("%slmm_pool:          %s\n", space, pool);
	if (!objects || pattern == LLAPI_LAYOUT_MDT)
		return;
	printf(space[0] != '\0' ? "%6slmm_objects:\n" : "%slmm_objects:\n", space[0] != '\0' ? " " : "");
	for (uint64_t i = 0; i < count && llapi_layout_ost_index_get(l, i, &ost) == 0; i++) {
		printf("      - l_ost_idx: %d\n", (int)ost);
		printf("%8sl_fid:     0x%llx:0x%x:0x0\n", " ", 0x100000000ULL + (unsigned long long)(ost << 16),
		       (unsigned)(i + 2));
	}
}

static int show_layout(const char *path, int what)
{
	struct llapi_layout *l = llapi_layout_get_by_path(path, 0);
	uint64_t count = 0, size = 0;

	if (l == NULL) {
		int e = errno;
		fprintf(stderr, "lfs getstripe: %s: %s '%s': %s (%d)\n", e == ENOTTY ? "not on a Lustre fs" : "error",
			"cannot get layout of", path, strerror(e), e);
		return -e;
	}
	if (what & GS_YAML) {
		uint64_t start, end;
		int entries = 1;

		/* count the components; one from 0 to EOF prints as a plain layout (the API cannot tell them apart) */
		llapi_layout_comp_use(l, LLAPI_LAYOUT_COMP_USE_FIRST);
		while (llapi_layout_comp_use(l, LLAPI_LAYOUT_COMP_USE_NEXT) == 0)
			entries++;
		llapi_layout_comp_use(l, LLAPI_LAYOUT_COMP_USE_FIRST);
		llapi_layout_comp_extent_get(l, &start, &end);
		if (entries == 1 && start == 0 && end == LUSTRE_EOF) {
			yaml_plain(l, "", fake_lustre_comp_init(l) == 1);
		} else {
			int id = 1;

			llapi_layout_comp_use(l, LLAPI_LAYOUT_COMP_USE_FIRST);
			printf("lcm_layout_gen:    %d\n", entries);
			printf("lcm_mirror_count:  1\n");
			printf("lcm_entry_count:   %d\n", entries);
			printf("components:\n");
			do {
				bool init = fake_lustre_comp_init(l) == 1;

				llapi_layout_comp_extent_get(l, &start, &end);
				printf("  - lcme_id:             %d\n", id++);
				printf("    lcme_mirror_id:      0\n");
				printf("    lcme_flags:          %s\n", init ? "init" : "0");
				printf("    lcme_extent.e_start: %llu\n", (unsigned long long)start);
				if (end == LUSTRE_EOF)
					printf("    lcme_extent.e_end:   EOF\n");
				else
					printf("    lcme_extent.e_end:   %llu\n", (unsigned long long)end);
				printf("    sub_layout:\n");
				yaml_plain(l, "      ", init);
				printf("\n");
			} while (llapi_layout_comp_use(l, LLAPI_LAYOUT_COMP_USE_NEXT) == 0);
		}
		llapi_layout_free(l);
		return 0;
	}
	llapi_layout_stripe_count_get(l, &count);
	llapi_layout_stripe_size_get(l, &size);
	if ((what & (GS_COUNT | GS_SIZE)) == (GS_COUNT | GS_SIZE)) {
		printf("lmm_stripe_count:  %i\n", shown_count(count));
		printf("lmm_stripe_size:   %llu\n", (unsigned long long)size);
	} else if (what & GS_COUNT) {
		printf("%i\n", shown_count(count));
	} else {
		printf("%llu\n", (unsigned long long)size);
	}
	llapi_layout_free(l);
	return 0;
}

static int getstripe_one(const char *path, int what)
{
	return what & GS_MDT ? show_mdt(path) : show_layout(path, what);
}

static int lfs_getstripe(int argc, char **argv)
{
	int what = 0, rc1 = 0, i;

	for (i = 2; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--mdt-index") == 0 || strcmp(a, "--mdt") == 0)
			what |= GS_MDT;
		else if (strcmp(a, "--stripe-count") == 0)
			what |= GS_COUNT;
		else if (strcmp(a, "--stripe-size") == 0)
			what |= GS_SIZE;
		else if (strcmp(a, "--yaml") == 0)
			what |= GS_YAML;
		else if (strcmp(a, "--directory") == 0)
			what |= GS_DIRONLY;
		else if (a[1] != '-') {
			for (const char *o = a + 1; *o != '\0'; o++) {
				switch (*o) {
				case 'm': what |= GS_MDT; break;
				case 'c': what |= GS_COUNT; break;
				case 'S': what |= GS_SIZE; break;
				case 'y': what |= GS_YAML; break;
				case 'd': what |= GS_DIRONLY; break;
				default:
					fprintf(stderr, "lfs getstripe: invalid option -- '%c'\n", *o);
					return -EINVAL;
				}
			}
		} else {
			fprintf(stderr, "lfs getstripe: unrecognized option '%s'\n", a);
			return -EINVAL;
		}
	}
	if ((what & ~GS_DIRONLY) == 0 || i == argc) {
		fprintf(stderr, "lfs getstripe: this fake needs -m, -c, -S or -y, and a path\n");
		return -EINVAL;
	}
	for (; i < argc; i++) {
		struct stat st;
		int rc = getstripe_one(argv[i], what);

		if (rc && !rc1)
			rc1 = rc;
		if (!(what & GS_DIRONLY) && stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			DIR *d = opendir(argv[i]);
			struct dirent *e;

			while (d != NULL && (e = readdir(d)) != NULL) {
				char child[PATH_MAX];

				if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
					continue;
				snprintf(child, sizeof(child), "%s/%s", argv[i], e->d_name);
				rc = getstripe_one(child, what);
				if (rc && !rc1)
					rc1 = rc;
			}
			if (d != NULL)
				closedir(d);
		}
	}
	return rc1;
}

int main(int argc, char **argv)
{
	int rc;

	if (argc < 2) {
		fprintf(stderr, "usage: lfs df|getstripe ...\n");
		return 22;
	}
	if (strcmp(argv[1], "df") == 0)
		rc = lfs_df(argc, argv);
	else if (strcmp(argv[1], "getstripe") == 0)
		rc = lfs_getstripe(argc, argv);
	else {
		fprintf(stderr, "lfs: this fake does not implement '%s'\n", argv[1]);
		rc = -EINVAL;
	}
	return rc < 0 ? -rc : rc;
}
