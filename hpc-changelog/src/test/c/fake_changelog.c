/*
 * A fake `lfs` and `lctl` for hpc-changelog's tests: the changelog commands, answering from a scripted change
 * history that the Java test helper (ScriptedLustre) writes while it applies real operations to a local tree.
 * One binary; what it is follows from its name (argv[0]):
 *
 *   lfs changelog MDT [STARTREC [ENDREC]]           the records, as lfs prints them (one per line)
 *   lfs changelog_clear MDT ID ENDREC               ENDREC 0 = the current last record
 *   lfs fid2path [-f|--print-fid] [-0|--print0] [-l|--link N] FSNAME|MOUNT FID...
 *   lfs df -i [-v] PATH                             the MDTs that have a changelog here, and one OST, in lfs.c's
 *                                                   formats (how a job finds its MDTs)
 *   lctl [--device MDT] changelog_register [-n] [-u NAME]
 *   lctl get_param [-n] mdd.PATTERN.changelog_users
 *
 * State, in the directory $FAKE_CHANGELOG_DIR:
 *   fsname, mount      the file system name and the mount point (the local tree), no newline
 *   MDT.log            the records of MDT as lfs prints them, each ended by a NUL (a name may hold a newline)
 *   MDT.users          one line per consumer: "ID CLEARED CLEARTIME" (CLEARTIME in epoch seconds)
 *   MDT.purged         records up to this number are gone (purged by the MDS)
 *   scan               optional: the directory fid2path walks instead of the mount (paths printed under the
 *                      mount; the backing directory of a latencyfs view)
 *   fids               the FID registry: one line per live object, "SEQ OID VER INO" (hex, hex, hex, decimal);
 *                      fid2path finds every path of INO under the mount (the root FID is the mount itself)
 *
 * Messages and exit statuses as lfs/lctl: errno values (2 ENOENT, 22 EINVAL, 19 ENODEV).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <ftw.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_USERS 64

struct user {
	char id[80];
	unsigned long long cleared;
	long long time;
};

static const char *dir;

static char *state_path(const char *name, const char *suffix)
{
	static char buf[2][PATH_MAX];
	static int which;
	char *b = buf[which++ & 1];

	snprintf(b, PATH_MAX, "%s/%s%s", dir, name, suffix);
	return b;
}

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t n = 0, cap = 0;

	if (f == NULL)
		return NULL;
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			data = realloc(data, cap);
			if (data == NULL) {
				perror("realloc");
				exit(12);
			}
		}
		size_t r = fread(data + n, 1, 4096, f);
		n += r;
		if (r == 0)
			break;
	}
	fclose(f);
	data[n] = '\0';
	if (len)
		*len = n;
	return data;
}

static unsigned long long read_number(const char *path)
{
	char *s = read_file(path, NULL);
	unsigned long long v = s ? strtoull(s, NULL, 10) : 0;

	free(s);
	return v;
}

static void write_text(const char *path, const char *text)
{
	char tmp[PATH_MAX];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
		perror(path);
		exit(5);
	}
}

/* The records of MDT, in order: each a NUL-ended string in one buffer. */
static char *records(const char *mdt, size_t *len)
{
	return read_file(state_path(mdt, ".log"), len);
}

static unsigned long long current_index(const char *mdt)
{
	size_t len;
	char *log = records(mdt, &len);
	unsigned long long last = 0;

	if (log == NULL)
		return 0;
	for (size_t i = 0; i < len; i += strlen(log + i) + 1)
		if (log[i] >= '0' && log[i] <= '9') /* a broken record (a test's trap) moves nothing */
			last = strtoull(log + i, NULL, 10);
	free(log);
	return last;
}

static int read_users(const char *mdt, struct user *u)
{
	char *s = read_file(state_path(mdt, ".users"), NULL);
	int n = 0;
	char *save = NULL;

	if (s == NULL)
		return 0;
	for (char *line = strtok_r(s, "\n", &save); line && n < MAX_USERS; line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%79s %llu %lld", u[n].id, &u[n].cleared, &u[n].time) == 3)
			n++;
	free(s);
	return n;
}

static void write_users(const char *mdt, const struct user *u, int n)
{
	char buf[MAX_USERS * 128] = "";
	size_t off = 0;

	for (int i = 0; i < n; i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s %llu %lld\n", u[i].id, u[i].cleared,
					u[i].time);
	write_text(state_path(mdt, ".users"), buf);
}

/* cl1 matches cl1 and cl1-name; cl1-name matches cl1-name and cl1 */
static bool same_user(const char *registered, const char *asked)
{
	size_t a = strcspn(registered, "-"), b = strcspn(asked, "-");

	return a == b && strncmp(registered, asked, a) == 0;
}

static bool mdt_exists(const char *mdt)
{
	return access(state_path(mdt, ".log"), F_OK) == 0;
}

static int lfs_changelog(int argc, char **argv)
{
	unsigned long long start = 0, end = ULLONG_MAX, purged;
	size_t len;
	char *log;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "lfs changelog: usage: changelog MDTNAME [STARTREC [ENDREC]]\n");
		return 22;
	}
	if (!mdt_exists(argv[1])) {
		fprintf(stderr, "lfs changelog: cannot access changelog: No such file or directory\n");
		return 2;
	}
	if (argc > 2)
		start = strtoull(argv[2], NULL, 10);
	if (argc > 3)
		end = strtoull(argv[3], NULL, 10);
	purged = read_number(state_path(argv[1], ".purged"));
	log = records(argv[1], &len);
	for (size_t i = 0; log && i < len; i += strlen(log + i) + 1) {
		unsigned long long index = strtoull(log + i, NULL, 10);

		if (index <= purged || index < start || index > end)
			continue;
		fwrite(log + i, 1, strlen(log + i), stdout);
		fputc('\n', stdout);
	}
	free(log);
	return fflush(stdout) == 0 ? 0 : 5;
}

static void purge(const char *mdt, const struct user *u, int n)
{
	unsigned long long min = ULLONG_MAX;
	char buf[32];

	for (int i = 0; i < n; i++)
		if (u[i].cleared < min)
			min = u[i].cleared;
	if (n == 0)
		min = current_index(mdt);
	if (min > read_number(state_path(mdt, ".purged"))) {
		snprintf(buf, sizeof(buf), "%llu\n", min);
		write_text(state_path(mdt, ".purged"), buf);
	}
}

static int lfs_changelog_clear(int argc, char **argv)
{
	struct user u[MAX_USERS];
	unsigned long long end, current;
	int n;

	if (argc != 4) {
		fprintf(stderr, "lfs changelog_clear: usage: changelog_clear MDTNAME ID ENDREC\n");
		return 22;
	}
	if (!mdt_exists(argv[1])) {
		fprintf(stderr, "lfs changelog_clear: cannot purge records for '%s': No such file or directory (2)\n",
			argv[2]);
		return 2;
	}
	end = strtoull(argv[3], NULL, 10);
	current = current_index(argv[1]);
	if (end == 0)
		end = current;
	if (end > current) {
		fprintf(stderr, "lfs changelog_clear: record out of range: %llu\n", end);
		return 22;
	}
	n = read_users(argv[1], u);
	for (int i = 0; i < n; i++) {
		if (same_user(u[i].id, argv[2])) {
			if (end > u[i].cleared)
				u[i].cleared = end;
			u[i].time = (long long)time(NULL);
			write_users(argv[1], u, n);
			purge(argv[1], u, n);
			return 0;
		}
	}
	fprintf(stderr, "lfs changelog_clear: cannot purge records for '%s': No such file or directory (2)\n", argv[2]);
	return 2;
}

/* ------------------------------------------------------------------ fid2path */

/*
 * One call resolves all its FIDs with one read of the registry and one walk of the tree (the real lfs asks the
 * MDS once per FID; the fake's cost must not grow with FIDs x tree size, or benchmarks would measure the fake).
 * The walk is of the mount, or of the directory in the state file "scan" when there is one (the backing
 * directory of a latencyfs view: the MDS answers without going through the client), printed under the mount.
 */

struct want {
	const char *arg;        /* the FID as given */
	ino_t ino;
	bool known;             /* in the registry (or the root) */
	char **paths;
	int npaths, cap;
};

static struct want *wants;
static int nwants;
static size_t scan_len;
static const char *mount_text;

static int by_ino(const void *a, const void *b)
{
	ino_t x = (*(const struct want *const *)a)->ino, y = (*(const struct want *const *)b)->ino;
	return x < y ? -1 : x > y;
}

static struct want **sorted;

static int visit(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	int lo = 0, hi = nwants - 1;

	(void)flag;
	(void)ftw;
	while (lo <= hi) {             /* the first want with this inode */
		int mid = (lo + hi) / 2;

		if (sorted[mid]->ino < st->st_ino)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	for (int i = lo; i < nwants && sorted[i]->ino == st->st_ino; i++) {
		struct want *w = sorted[i];
		size_t n = strlen(mount_text) + strlen(path + scan_len) + 1;

		if (!w->known)
			continue;
		if (w->npaths == w->cap) {
			w->cap = w->cap ? 2 * w->cap : 2;
			w->paths = realloc(w->paths, (size_t)w->cap * sizeof(*w->paths));
			if (w->paths == NULL)
				abort();
		}
		w->paths[w->npaths] = malloc(n);
		if (w->paths[w->npaths] == NULL)
			abort();
		snprintf(w->paths[w->npaths], n, "%s%s", mount_text, path + scan_len);
		w->npaths++;
	}
	return 0;
}

static bool parse_fid(const char *s, unsigned long long *seq, unsigned *oid, unsigned *ver)
{
	char buf[128];
	size_t n = strlen(s);

	if (n >= sizeof(buf))
		return false;
	strcpy(buf, s);
	if (buf[0] == '[' && n > 1 && buf[n - 1] == ']') {
		buf[n - 1] = '\0';
		memmove(buf, buf + 1, n - 1);
	}
	return sscanf(buf, "%llx:%x:%x", seq, oid, ver) == 3;
}

static int lfs_fid2path(int argc, char **argv)
{
	bool print_fid = false, print0 = false;
	int i = 1, rc = 0, want_link = -1, first;
	char *fsname = read_file(state_path("fsname", ""), NULL);
	char *mount = read_file(state_path("mount", ""), NULL);
	char *scan = read_file(state_path("scan", ""), NULL);
	unsigned long long *seqs;
	unsigned *oids, *vers;
	struct stat root;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-f") || !strcmp(argv[i], "--print-fid"))
			print_fid = true;
		else if (!strcmp(argv[i], "-0") || !strcmp(argv[i], "--print0"))
			print0 = true;
		else if ((!strcmp(argv[i], "-l") || !strcmp(argv[i], "--link")) && i + 1 < argc)
			want_link = atoi(argv[++i]);
		else {
			fprintf(stderr, "lfs fid2path: unrecognized option '%s'\n", argv[i]);
			return 22;
		}
	}
	if (i + 1 >= argc) {
		fprintf(stderr, "lfs fid2path: usage: fid2path [--print-fid] [--print0] FSNAME|ROOT FID...\n");
		return 22;
	}
	if (fsname == NULL || mount == NULL || (strcmp(argv[i], fsname) && strcmp(argv[i], mount))) {
		fprintf(stderr, "lfs fid2path: cannot find mount for '%s': No such device\n", argv[i]);
		return 19;
	}
	if (scan == NULL)
		scan = strdup(mount);
	if (scan == NULL || stat(scan, &root) != 0) {
		fprintf(stderr, "lfs fid2path: cannot access '%s': %s\n", scan ? scan : mount, strerror(errno));
		return errno;
	}
	first = ++i;
	nwants = argc - first;
	wants = calloc((size_t)nwants, sizeof(*wants));
	sorted = calloc((size_t)nwants, sizeof(*sorted));
	seqs = calloc((size_t)nwants, sizeof(*seqs));
	oids = calloc((size_t)nwants, sizeof(*oids));
	vers = calloc((size_t)nwants, sizeof(*vers));
	if (!wants || !sorted || !seqs || !oids || !vers)
		abort();
	for (int k = 0; k < nwants; k++) {
		wants[k].arg = argv[first + k];
		sorted[k] = &wants[k];
		if (!parse_fid(wants[k].arg, &seqs[k], &oids[k], &vers[k])) {
			wants[k].arg = NULL;
			continue;
		}
		if (seqs[k] == 0x200000007ULL && oids[k] == 1 && vers[k] == 0) {
			wants[k].ino = root.st_ino;
			wants[k].known = true;
		}
	}
	/* the registry, read once */
	char *reg = read_file(state_path("fids", ""), NULL), *save = NULL;
	for (char *line = reg ? strtok_r(reg, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long sq, ino;
		unsigned o, v;

		if (sscanf(line, "%llx %x %x %llu", &sq, &o, &v, &ino) != 4)
			continue;
		for (int k = 0; k < nwants; k++)
			if (wants[k].arg && !wants[k].known && seqs[k] == sq && oids[k] == o && vers[k] == v) {
				wants[k].ino = (ino_t)ino;
				wants[k].known = true;
			}
	}
	free(reg);
	qsort(sorted, (size_t)nwants, sizeof(*sorted), by_ino);
	scan_len = strlen(scan);
	mount_text = mount;
	nftw(scan, visit, 16, FTW_PHYS);
	for (int k = 0; k < nwants; k++) {
		struct want *w = &wants[k];

		if (w->arg == NULL) {
			fprintf(stderr, "lfs fid2path: invalid FID '%s'\n", argv[first + k]);
			rc = 22;
			continue;
		}
		if (w->npaths == 0) {
			fprintf(stderr, "lfs fid2path: cannot find '%s': No such file or directory\n", w->arg);
			rc = 2;
			continue;
		}
		for (int p = 0; p < w->npaths; p++) {
			if (want_link >= 0 && want_link != p)
				continue;
			if (print_fid)
				printf("%s ", w->arg);
			fputs(w->paths[p], stdout);
			fputc(print0 ? '\0' : '\n', stdout);
		}
	}
	free(fsname);
	free(mount);
	free(scan);
	fflush(stdout);
	return rc;
}

/* ------------------------------------------------------------------ lctl */

static int lctl_register(const char *mdt, int argc, char **argv)
{
	struct user u[MAX_USERS];
	bool brief = false;
	const char *name = NULL;
	int n, next = 1;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-n"))
			brief = true;
		else if (!strcmp(argv[i], "-u") && i + 1 < argc)
			name = argv[++i];
	}
	if (mdt == NULL || !mdt_exists(mdt)) {
		fprintf(stderr, "lctl: changelog_register: no device\n");
		return 19;
	}
	n = read_users(mdt, u);
	next = (int)read_number(state_path(mdt, ".next_user"));
	if (next < 1)
		next = 1;
	if (n == MAX_USERS)
		return 28;
	if (name)
		snprintf(u[n].id, sizeof(u[n].id), "cl%d-%s", next, name);
	else
		snprintf(u[n].id, sizeof(u[n].id), "cl%d", next);
	u[n].cleared = current_index(mdt);
	u[n].time = (long long)time(NULL);
	write_users(mdt, u, n + 1);
	{
		char buf[32];

		snprintf(buf, sizeof(buf), "%d\n", next + 1);
		write_text(state_path(mdt, ".next_user"), buf);
	}
	if (brief)
		printf("%s\n", u[n].id);
	else
		printf("%s: Registered changelog userid '%s'\n", mdt, u[n].id);
	return 0;
}

static int lctl_get_param(int argc, char **argv)
{
	bool brief = false;
	const char *param = NULL;
	char pattern[256];
	DIR *d;
	struct dirent *e;
	int shown = 0;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-n"))
			brief = true;
		else
			param = argv[i];
	}
	if (param == NULL || strncmp(param, "mdd.", 4) != 0 || strlen(param) < 4 + 17 ||
	    strcmp(param + strlen(param) - 16, ".changelog_users") != 0) {
		fprintf(stderr, "error: get_param: param_path '%s': No such file or directory\n", param ? param : "");
		return 2;
	}
	snprintf(pattern, sizeof(pattern), "%.*s", (int)(strlen(param) - 4 - 16), param + 4);
	d = opendir(dir);
	while (d && (e = readdir(d)) != NULL) {
		size_t n = strlen(e->d_name);
		char mdt[256];
		struct user u[MAX_USERS];
		int users;

		if (n <= 4 || strcmp(e->d_name + n - 4, ".log") != 0)
			continue;
		snprintf(mdt, sizeof(mdt), "%.*s", (int)(n - 4), e->d_name);
		if (fnmatch(pattern, mdt, 0) != 0)
			continue;
		if (!brief)
			printf("mdd.%s.changelog_users=\n", mdt);
		printf("current index: %llu\n", current_index(mdt));
		printf("%-5s %s %s\n", "ID", "index", "(idle seconds)");
		users = read_users(mdt, u);
		for (int i = 0; i < users; i++) {
			long long idle = (long long)time(NULL) - u[i].time;

			if (strchr(u[i].id, '-') == NULL)
				printf("cl%-3d %llu (%lld)\n", atoi(u[i].id + 2), u[i].cleared, idle);
			else
				printf("%s %llu (%lld)\n", u[i].id, u[i].cleared, idle);
		}
		shown++;
	}
	if (d)
		closedir(d);
	if (shown == 0) {
		fprintf(stderr, "error: get_param: param_path 'mdd/%s/changelog_users': No such file or directory\n",
			pattern);
		return 2;
	}
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* lfs df -i [-v] PATH: the formats of lfs.c's mntdf()/showdf() with -i (UUF "%-20s", CSF "%11s", RSF "%4s") */
static int lfs_df(int argc, char **argv)
{
	const char *path = NULL;
	bool inodes = false;
	char *fsname = read_file(state_path("fsname", ""), NULL);
	char *mount = read_file(state_path("mount", ""), NULL);
	char *mdts[64];
	int n = 0;
	size_t ml;
	DIR *d;
	struct dirent *e;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-i"))
			inodes = true;
		else if (!strcmp(argv[i], "-v"))
			continue;
		else if (argv[i][0] == '-') {
			fprintf(stderr, "lfs df: unrecognized option '%s'\n", argv[i]);
			return 22;
		} else
			path = argv[i];
	}
	if (!inodes || path == NULL || fsname == NULL || mount == NULL) {
		fprintf(stderr, "lfs df: only 'lfs df -i [-v] PATH' is emulated\n");
		return 22;
	}
	ml = strlen(mount);
	char *real = realpath(path, NULL); /* as lfs: the path may be /proc/PID/fd/N */
	if (real != NULL)
		path = real;
	if (strncmp(path, mount, ml) != 0 || (path[ml] != '\0' && path[ml] != '/')) {
		fprintf(stderr, "lfs:%s Not a Lustre filesystem\n", path);
		return 19;
	}
	d = opendir(dir);
	while (d && (e = readdir(d)) != NULL && n < 64) {
		size_t len = strlen(e->d_name);

		if (len > 4 && strcmp(e->d_name + len - 4, ".log") == 0)
			mdts[n++] = strndup(e->d_name, len - 4);
	}
	if (d)
		closedir(d);
	qsort(mdts, (size_t)n, sizeof(mdts[0]), name_cmp);
	printf("%-20s %11s %11s %11s %4s %-s\n", "UUID", "Inodes", "IUsed", "IFree", "IUse%", "Mounted on");
	for (int i = 0; i < n; i++) {
		char uuid[300];
		const char *idx = strstr(mdts[i], "-MDT");

		snprintf(uuid, sizeof(uuid), "%s_UUID", mdts[i]);
		printf("%-20s %11llu %11llu %11llu %3d%% %-s[MDT:%d]\n", uuid, 1048576ULL, 1024ULL, 1047552ULL, 1, mount,
		       idx ? (int)strtol(idx + 4, NULL, 16) : i);
		free(mdts[i]);
	}
	char ost[300];

	snprintf(ost, sizeof(ost), "%s-OST0000_UUID", fsname);
	printf("%-20s %11llu %11llu %11llu %3d%% %-s[OST:0]\n", ost, 4194304ULL, 1024ULL, 4193280ULL, 1, mount);
	printf("\n");
	printf("%-20s %11llu %11llu %11llu %3d%% %-s\n", "filesystem_summary:", 1048576ULL * (unsigned long long)n,
	       1024ULL * (unsigned long long)n, 1047552ULL * (unsigned long long)n, 1, mount);
	printf("\n");
	free(fsname);
	free(mount);
	return 0;
}

int main(int argc, char **argv)
{
	const char *self = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];

	dir = getenv("FAKE_CHANGELOG_DIR");
	if (dir == NULL) {
		fprintf(stderr, "%s: FAKE_CHANGELOG_DIR is not set\n", self);
		return 22;
	}
	if (!strcmp(self, "lfs") && argc > 1) {
		if (!strcmp(argv[1], "changelog"))
			return lfs_changelog(argc - 1, argv + 1);
		if (!strcmp(argv[1], "changelog_clear"))
			return lfs_changelog_clear(argc - 1, argv + 1);
		if (!strcmp(argv[1], "fid2path"))
			return lfs_fid2path(argc - 1, argv + 1);
		if (!strcmp(argv[1], "df"))
			return lfs_df(argc - 1, argv + 1);
	}
	if (!strcmp(self, "lctl") && argc > 1) {
		const char *device = NULL;
		int i = 1;

		if (!strcmp(argv[i], "--device") && i + 1 < argc) {
			device = argv[i + 1];
			i += 2;
		}
		if (i < argc && !strcmp(argv[i], "changelog_register"))
			return lctl_register(device, argc - i - 1, argv + i + 1);
		if (i < argc && !strcmp(argv[i], "get_param"))
			return lctl_get_param(argc - i - 1, argv + i + 1);
	}
	fprintf(stderr, "%s: command not emulated:", self);
	for (int i = 1; i < argc; i++)
		fprintf(stderr, " %s", argv[i]);
	fprintf(stderr, "\n");
	return 22;
}
