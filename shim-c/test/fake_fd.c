/*
 * fake_fd.c - a stand-in for bacula-fd: dlopen()s build/test/podheitor-hpc-fd-test.so
 * (the plugin built with DEFAULT_BACKEND = build/test/default-backend, a copy
 * of test/fake_backend made here: a restore always runs the default backend),
 * calls loadPlugin with a fake bInfo/bFuncs, and drives backup, estimate and
 * restore jobs in the FD's call order (docs/abi.md §7) against
 * test/fake_backend.  Signals are set up like the FD's (docs/abi.md §4.2): SIGPIPE
 * ignored, SIGUSR2 and SIGCHLD caught by no-op handlers without SA_RESTART.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "abi.h"
#include "check.h"
#include "lfs.h"

/* ---- the fake FD side ------------------------------------------------------ */

typedef bRC (*load_fn)(bInfo *, bFuncs *, pInfo **, void **);
typedef bRC (*unload_fn)(void);

static load_fn load_plugin;
static unload_fn unload_plugin;
static unsigned ver;                    /* interface version of this run */
static bInfo binfo;
static bFuncs bfuncs;
static pInfo *pinfo;
static pFuncs14 *pf;                    /* common slots: same offsets in all versions */
/* backend_path: the test build's default backend (PHPC_TEST_DEFAULT_BACKEND),
 * named by backend= in most jobs; other_backend: build/test/fake_backend, a
 * valid backend that is not the default */
static char backend_path[PATH_MAX], other_backend[PATH_MAX], log_path[64];

#define MAXMSG 64
static struct { int type; char text[2048]; } msgs[MAXMSG];
static int nmsgs;
static int type_total[32];              /* every message by type, also past MAXMSG */
static int unterminated_msgs;
static void (*at_accurate_finish)(bpContext *ctx);   /* called where the FD calls checkFile */
static int fatals_at_end_backup;   /* M_FATALs posted by the time bEventEndBackupJob returned */   /* job messages not ending in exactly one newline */
static pthread_mutex_t msg_lock = PTHREAD_MUTEX_INITIALIZER;

/* the fake job */
static const char *job_name = "fake-job.2024-05-01_23.05.00_07";
static int job_id = 7, accurate, file_index, replace_char = 'w';
static int job_status = 'T';            /* bVarJobStatus (7 in every version); 0: the FD writes nothing */
static int since_time;
static const char *where = "/tmp/r";

/* M_* of this version (docs/abi.md §5.3; v23 as v22, §10.8) */
static int M_FATAL(void) { return ver >= 22 ? 4 : 3; }
static int M_ERROR(void) { return ver >= 22 ? 5 : 4; }
static int M_WARNING(void) { return ver >= 22 ? 6 : 5; }
static int M_INFO(void) { return ver >= 22 ? 7 : 6; }

static bRC fd_register(bpContext *ctx, ...) { (void)ctx; return bRC_OK; }

static bRC fd_get(bpContext *ctx, bVariable var, void *value)
{
    /* the bVariable numbering of this version (docs/abi.md §5.1; v23: §10.7) */
    int where_id = ver >= 22 ? 15 : 14, regex_id = where_id + 1;
    int fileindex_id = ver == 21 ? 22 : 23, replace_id = ver == 21 ? 23 : 24;

    if (ctx == NULL || value == NULL)
        return bRC_Error;
    if (var == 1) *(int *)value = job_id;
    else if (var == 3) *(int *)value = 'F';
    else if (var == 6) *(const char **)value = job_name;
    else if (var == 7 && job_status != 0) *(int *)value = job_status;
    else if (var == 8) *(int *)value = since_time;
    else if (var == 9) *(int *)value = accurate;
    else if (var == where_id) *(const char **)value = where;
    else if (var == regex_id) *(const char **)value = NULL;
    else if (var == fileindex_id) *(int *)value = file_index;
    else if (var == replace_id) *(int *)value = replace_char;     /* an int */
    else if (var == 29 && ver == 23) *(int *)value = 0;           /* bVarEstimate */
    return bRC_OK;
}

/* the fields of a save_pkt of this version that checkChanges and AcceptFile look at */
static void sp_fields(void *spv, const char **fname, const char **link, int *type, mode_t *mode)
{
#define SP_FIELDS(p) (*fname = (p)->fname, *link = (p)->link, *type = (p)->type, *mode = (p)->statp.st_mode)
    switch (ver) {
    case 14: SP_FIELDS((struct save_pkt14 *)spv); break;
    case 21: SP_FIELDS((struct save_pkt21 *)spv); break;
    case 22: SP_FIELDS((struct save_pkt22 *)spv); break;
    default: SP_FIELDS((struct save_pkt23 *)spv); break;
    }
#undef SP_FIELDS
}

/* accurate mode: names checkChanges was asked about and names marked seen */
static char checked_names[8][64], seen_names[8][64];
static int nchecked, nseen, seen_wrong_id;

static bRC fd_setvalue(bpContext *ctx, bVariable var, void *value)
{
    (void)ctx;
    if (var == 10 && value != NULL) {           /* bVarFileSeen in every version */
        if (nseen < 8)
            snprintf(seen_names[nseen++], sizeof seen_names[0], "%s", (char *)value);
    } else if (var == 10) {
        seen_wrong_id++;
    }
    return bRC_OK;
}

/* checkChanges (the save_pkt of this version): "same" in the name = unchanged;
 * directories must come with link == fname ending in '/' */
static bRC fd_check_changes(bpContext *ctx, void *spv)
{
    const char *fname, *link;
    int type;
    mode_t mode;

    (void)ctx;
    sp_fields(spv, &fname, &link, &type, &mode);
    if (nchecked < 8)
        snprintf(checked_names[nchecked++], sizeof checked_names[0], "%s%s", fname,
                 type == FT_DIREND && link && strcmp(link, fname) == 0 && S_ISDIR(mode) ? " dir-ok" : "");
    return strstr(fname, "same") ? bRC_Seen : bRC_OK;
}

/* AcceptFile (docs/abi.md §8.5), like find.c accept_file for one Options block
 * { WildFile = accept_wildfile; WildDir = accept_wilddir; Exclude = yes }:
 * only fname and S_ISDIR(statp.st_mode) count.  Every call is logged. */
static const char *accept_wildfile, *accept_wilddir;
static bRC accept_rc_error = bRC_OK;   /* bRC_Error: the FD has no context */
static int naccept;
static char accept_log[8192];

static bRC fd_accept_file(bpContext *ctx, void *spv)
{
    const char *fname, *link;
    int type;
    mode_t mode;

    (void)ctx;
    sp_fields(spv, &fname, &link, &type, &mode);
    if (ver == 23)
        CHECK(!((struct save_pkt23 *)spv)->stat_update, "AcceptFile: stat_update false");
    naccept++;
    if (strlen(accept_log) + strlen(fname) + 4 < sizeof accept_log) {
        strcat(accept_log, fname);
        strcat(accept_log, S_ISDIR(mode) ? "(d) " : " ");
    }
    if (accept_rc_error != bRC_OK)
        return accept_rc_error;
    if (S_ISDIR(mode))
        return accept_wilddir && fnmatch(accept_wilddir, fname, 0) == 0 ? bRC_Skip : bRC_OK;
    return accept_wildfile && fnmatch(accept_wildfile, fname, 0) == 0 ? bRC_Skip : bRC_OK;
}

static bRC fd_jobmsg(bpContext *ctx, const char *file, int line, int type, utime_t mtime,
                     const char *fmt, ...)
{
    va_list ap;

    (void)ctx; (void)file; (void)line; (void)mtime;
    pthread_mutex_lock(&msg_lock);
    if (type >= 0 && type < 32)
        type_total[type]++;
    if (nmsgs < MAXMSG) {
        msgs[nmsgs].type = type;
        va_start(ap, fmt);
        vsnprintf(msgs[nmsgs].text, sizeof msgs[nmsgs].text, fmt, ap);
        va_end(ap);
        /* Bacula adds no newline of its own: every job message must end in
         * exactly one, which is then stripped for the text comparisons */
        size_t n = strlen(msgs[nmsgs].text);
        if (n == 0 || msgs[nmsgs].text[n - 1] != '\n' ||
            (n > 1 && msgs[nmsgs].text[n - 2] == '\n'))
            unterminated_msgs++;
        else
            msgs[nmsgs].text[n - 1] = '\0';
        if (getenv("FAKE_FD_VERBOSE"))
            fprintf(stderr, "  [msg %d] %s\n", type, msgs[nmsgs].text);
        nmsgs++;
    }
    pthread_mutex_unlock(&msg_lock);
    return bRC_OK;
}

static bRC fd_debugmsg(bpContext *ctx, const char *file, int line, int level, const char *fmt, ...)
{
    (void)ctx; (void)file; (void)line; (void)level; (void)fmt;
    return bRC_OK;
}

static void noop_handler(int sig) { (void)sig; }

static void fd_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    sa.sa_handler = noop_handler;       /* sa_flags 0: no SA_RESTART */
    sigaction(SIGUSR2, &sa, NULL);
    sigaction(SIGCHLD, &sa, NULL);
}

/* ---- helpers for checks --------------------------------------------------- */

static void reset_msgs(void) { nmsgs = 0; memset(type_total, 0, sizeof type_total); }

static int count_type(int type)
{
    int n = 0;

    for (int i = 0; i < nmsgs; i++)
        n += msgs[i].type == type;
    return n;
}

static int has_msg(int type, const char *text)
{
    for (int i = 0; i < nmsgs; i++)
        if (msgs[i].type == type && strcmp(msgs[i].text, text) == 0)
            return 1;
    return 0;
}

static void dump_msgs(void)
{
    for (int i = 0; i < nmsgs; i++)
        fprintf(stderr, "    msg type %d: %s\n", msgs[i].type, msgs[i].text);
}

#define CHECK_MSG(type, text)                                                \
    do {                                                                     \
        int ok_ = has_msg(type, text);                                       \
        CHECK(ok_, "message type %d \"%s\" missing", type, text);            \
        if (!ok_)                                                            \
            dump_msgs();                                                     \
    } while (0)

static char *log_text;

static void read_log(void)
{
    FILE *f = fopen(log_path, "r");
    long n;

    free(log_text);
    log_text = calloc(1, 1);
    if (f == NULL)
        return;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    free(log_text);
    log_text = calloc(1, (size_t)n + 1);
    if (fread(log_text, 1, (size_t)n, f) != (size_t)n)
        log_text[0] = '\0';
    fclose(f);
}

static int log_count(const char *line)
{
    int n = 0;
    size_t l = strlen(line);

    for (const char *p = log_text; p && *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);

        n += len == l && memcmp(p, line, l) == 0;
        p = e ? e + 1 : p + len;
    }
    return n;
}

#define CHECK_LOG(line) CHECK(log_count(line) == 1, "backend log: \"%s\" seen %d times", line, log_count(line))

/* The one END line the backend received ("" if none or several). */
static const char *end_line(void)
{
    static char line[64];
    int n = 0;

    line[0] = '\0';
    for (const char *p = log_text; p && *p;) {
        const char *e = strchr(p, '\n');
        size_t len = e ? (size_t)(e - p) : strlen(p);

        if (len >= 5 && len < sizeof line && memcmp(p, "C END", 5) == 0 && (len == 5 || p[5] == ' ')) {
            memcpy(line, p, len);
            line[len] = '\0';
            n++;
        }
        p = e ? e + 1 : p + len;
    }
    if (n != 1)
        line[0] = '\0';
    return line;
}

#define CHECK_END(want) CHECK(strcmp(end_line(), want) == 0, "END line \"%s\", want \"%s\"", end_line(), want)

static void new_log(void)
{
    unlink(log_path);
    setenv("PHPC_FAKE_LOG", log_path, 1);
}

/* No child left behind: every backend was reaped. */
static void check_no_child(const char *what)
{
    pid_t r = waitpid(-1, NULL, WNOHANG);

    CHECK(r == -1 && errno == ECHILD, "%s: a child is left (waitpid %d)", what, (int)r);
}

static bRC event(bpContext *ctx, uint32_t type, void *value)
{
    bEvent ev = { type };

    return pf->handlePluginEvent(ctx, &ev, value);
}

/* ---- save_pkt per version ---------------------------------------------------- */

union save_pkt {
    struct save_pkt14 a;
    struct save_pkt21 b;
    struct save_pkt22 c;
    struct save_pkt23 d;
};

#define SP(u, field) (ver == 14 ? (u).a.field : ver == 21 ? (u).b.field : ver == 22 ? (u).c.field : (u).d.field)

static void sp_prefill(union save_pkt *u, char *cmd)
{
    /* what the FD does before every startBackupFile (docs/abi.md §6.2) */
    memset(u, 0, sizeof *u);
    if (ver == 14) {
        u->a.pkt_size = u->a.pkt_end = sizeof u->a;
        u->a.portable = true;
        u->a.cmd = cmd;
    } else if (ver == 21) {
        u->b.pkt_size = u->b.pkt_end = sizeof u->b;
        u->b.portable = true;
        u->b.cmd = cmd;
    } else if (ver == 22) {
        u->c.pkt_size = u->c.pkt_end = sizeof u->c;
        u->c.portable = true;
        u->c.cmd = cmd;
    } else {
        u->d.pkt_size = u->d.pkt_end = sizeof u->d;
        u->d.portable = true;
        u->d.cmd = cmd;
    }
}

struct saved {
    int type;
    char fname[256], link[256];
    bool have_link;
    struct stat st;
    bool no_read, portable;
    int LinkFI;
    int file_index;
    unsigned char *data;
    size_t len;
    int read_error;
    size_t max_read;
    char acl[64];
    int acl_count, xattr_count;
    uint64_t flags;
    long long offsets[4];               /* io->offset of the first 4 reads */
    int noff;
    bRC end_rc;
};

#define MAXFILES 32
static struct saved files[MAXFILES];
static int nfiles;

static void clear_files(void)
{
    for (int i = 0; i < nfiles; i++)
        free(files[i].data);
    memset(files, 0, sizeof files);
    nfiles = 0;
}

/* IO_READ's count (the FD's buffer); tests of short counts lower it. */
static int32_t io_count = 65536;

/* The per-plugin backup loop (docs/abi.md §7.3); estimate: no IO (§7.6).
 * Like an FD that stops early: a file named "...stopearly" is read up to
 * 64 KiB, then closed; for one named "...noio" no IO call is made. */
static void backup_loop(bpContext *ctx, char *cmd, int estimate)
{
    static char buf[65536];

    for (;;) {
        union save_pkt u;
        struct saved *s;
        struct io_pkt io;
        struct xacl_pkt x;
        bRC rc;

        sp_prefill(&u, cmd);
        rc = pf->startBackupFile(ctx, &u);
        if (rc != bRC_OK)
            break;
        if (nfiles == MAXFILES) {
            CHECK(0, "too many files");
            break;
        }
        s = &files[nfiles++];
        if (ver == 23)      /* "only the metadata changed": the shim never says so (docs/abi.md §10.5) */
            CHECK(!u.d.stat_update, "startBackupFile: stat_update false");
        s->type = SP(u, type);
        snprintf(s->fname, sizeof s->fname, "%s", SP(u, fname) ? SP(u, fname) : "(null)");
        s->have_link = SP(u, link) != NULL;
        snprintf(s->link, sizeof s->link, "%s", SP(u, link) ? SP(u, link) : "");
        s->st = SP(u, statp);
        s->no_read = SP(u, no_read);
        s->portable = SP(u, portable);
        s->LinkFI = SP(u, LinkFI);
        s->flags = SP(u, flags);
        if (!estimate) {
            if (!s->no_read && !strstr(s->fname, "noio")) {
                memset(&io, 0, sizeof io);
                io.pkt_size = io.pkt_end = sizeof io;
                io.func = IO_OPEN;
                io.status = -1;
                io.fname = s->fname;
                pf->pluginIO(ctx, &io);
                if (io.status >= 0) {
                    for (;;) {
                        if (strstr(s->fname, "stopearly") && s->len >= 65536)
                            break;
                        io.func = IO_READ;
                        io.buf = buf;
                        io.count = io_count;
                        pf->pluginIO(ctx, &io);
                        if (io.status <= 0) {
                            s->read_error = io.status < 0;
                            break;
                        }
                        if (s->noff < 4)
                            s->offsets[s->noff++] = (long long)io.offset;
                        if ((size_t)io.status > s->max_read)
                            s->max_read = (size_t)io.status;
                        s->data = realloc(s->data, s->len + (size_t)io.status);
                        memcpy(s->data + s->len, buf, (size_t)io.status);
                        s->len += (size_t)io.status;
                    }
                    io.func = IO_CLOSE;
                    pf->pluginIO(ctx, &io);
                }
            }
            for (int func = BACL_BACKUP; func <= BXATTR_BACKUP; func += 2) {
                for (int guard = 0; guard < 5; guard++) {
                    memset(&x, 0, sizeof x);
                    x.func = func;
                    if (pf->handleXACLdata(ctx, &x) != bRC_OK || x.count == 0)
                        break;
                    if (func == BACL_BACKUP) {
                        s->acl_count++;
                        snprintf(s->acl, sizeof s->acl, "%.*s", x.count, x.content);
                    } else {
                        s->xattr_count++;
                    }
                }
            }
            s->file_index = ++file_index;   /* JobFiles after save_file */
        }
        s->end_rc = pf->endBackupFile(ctx);
        if (s->end_rc != bRC_More)
            break;
    }
}

/*
 * One backup (or estimate) job.  Returns the BackupCommand result.
 * fail_expected: the job fails, so (like the FD) no JobEnd is sent.
 */
static bRC backup_job(const char *cmd_in, int estimate, char level, int fail_expected)
{
    bpContext ctx = { (void *)0x1, NULL };
    char cmd[1024];
    bRC rc;

    snprintf(cmd, sizeof cmd, "%s", cmd_in);
    clear_files();
    reset_msgs();
    file_index = 0;
    CHECK(pf->newPlugin(&ctx) == bRC_OK, "newPlugin");
    event(&ctx, bEventJobStart, "JobId=7 Job=fake-job.2024-05-01_23.05.00_07");
    if (level != 'F')
        event(&ctx, bEventSince, (void *)(intptr_t)1700000000);
    event(&ctx, bEventLevel, (void *)(intptr_t)level);
    rc = event(&ctx, bEventPluginCommand, cmd);
    if (rc == bRC_OK) {
        event(&ctx, bEventEndFileSet, NULL);
        if (!estimate)
            event(&ctx, bEventStartBackupJob, NULL);
        rc = event(&ctx, estimate ? bEventEstimateCommand : bEventBackupCommand, cmd);
        if (rc == bRC_OK)
            backup_loop(&ctx, cmd, estimate);
        if (at_accurate_finish != NULL)
            at_accurate_finish(&ctx);   /* accurate_finish: after the files, before EndBackupJob */
        if (!estimate)
            event(&ctx, bEventEndBackupJob, NULL);
        fatals_at_end_backup = count_type(M_FATAL());
        if (!fail_expected && count_type(M_FATAL()) == 0)
            event(&ctx, bEventJobEnd, NULL);
    }
    CHECK(pf->freePlugin(&ctx) == bRC_OK, "freePlugin");
    CHECK(ctx.pContext == NULL, "pContext cleared");
    read_log();
    return rc;
}

static char *make_cmd(char *buf, size_t n, const char *extra)
{
    snprintf(buf, n, "podheitor-hpc:path=/da\\;ta;threads=4;backend=%s%s", backend_path, extra);
    return buf;
}

/* ---- test cases ------------------------------------------------------------ */

static void test_failure(const char *mode, const char *extra, bRC want_rc, const char *fatal);

static void test_load(void)
{
    static const unsigned vers[] = { 14, 21, 22, 23 };
    static const uint32_t sizes[] = { 128, 144, 152, 168 };

    for (int i = 0; i < 4; i++) {
        bInfo bi = { 8, vers[i] };
        pInfo *pi = NULL;
        void *fp = NULL;
        pFuncs14 *t;

        CHECK(load_plugin(&bi, &bfuncs, &pi, &fp) == bRC_OK, "loadPlugin v%u", vers[i]);
        if (pi == NULL || fp == NULL)
            continue;
        t = fp;
        CHECK(pi->size == 56 && pi->version == vers[i], "pInfo v%u: size %u version %u", vers[i],
              pi->size, pi->version);
        CHECK_STR(pi->plugin_magic, "*FDPluginData*");
        CHECK_STR(pi->plugin_license, "AGPLv3");
        CHECK(t->size == sizes[i] && t->version == vers[i], "pFuncs v%u size %u", vers[i], t->size);
        CHECK(t->newPlugin && t->freePlugin && t->handlePluginEvent && t->startBackupFile &&
              t->endBackupFile && t->startRestoreFile && t->endRestoreFile && t->pluginIO &&
              t->createFile && t->setFileAttributes && t->checkFile && t->handleXACLdata &&
              t->getPluginValue && t->setPluginValue, "mandatory slots v%u", vers[i]);
        if (vers[i] >= 21)
            CHECK(((pFuncs21 *)fp)->restoreFileList == NULL && ((pFuncs21 *)fp)->checkStream == NULL &&
                  ((pFuncs21 *)fp)->queryParameter == NULL, "optional slots NULL v%u", vers[i]);
        if (vers[i] == 23)      /* docs/abi.md §10.4: only for bEventVerifyStream, never registered */
            CHECK(((pFuncs23 *)fp)->metadataRestore == NULL && ((pFuncs23 *)fp)->startVerifyFile == NULL &&
                  ((pFuncs23 *)fp)->endVerifyFile == NULL, "v23: metadataRestore, Verify slots NULL");
    }
    {
        bInfo bi = { 8, 24 };
        pInfo *pi = NULL;
        void *fp = NULL;

        CHECK(load_plugin(&bi, &bfuncs, &pi, &fp) == bRC_Error, "unknown version 24 refused");
        bi.version = 13;
        CHECK(load_plugin(&bi, &bfuncs, &pi, &fp) == bRC_Error, "version 13 refused");
        bi.version = 23 + 0xBEEF;       /* an Enterprise number (docs/abi.md §10.2) */
        CHECK(load_plugin(&bi, &bfuncs, &pi, &fp) == bRC_Error, "Enterprise version refused");
    }
}

static void use_version(unsigned v)
{
    void *fp = NULL;

    ver = v;
    binfo.size = 8;
    binfo.version = v;
    bfuncs.size = v == 23 ? 168 : v == 22 ? 152 : 144;     /* docs/abi.md §2.2, §10.3 */
    bfuncs.version = v;
    CHECK(load_plugin(&binfo, &bfuncs, &pinfo, &fp) == bRC_OK, "loadPlugin v%u", v);
    pf = fp;
}

static void check_normal_files(void)
{
    static unsigned char big[200000];
    struct saved *f = files;

    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (unsigned char)(i * 7);
    CHECK(nfiles == 8, "8 files, got %d", nfiles);
    if (nfiles != 8) {
        dump_msgs();
        return;
    }
    /* 0: regular file with data, nlink 2 */
    CHECK(f[0].type == FT_REG && strcmp(f[0].fname, "/data/a.txt") == 0 && !f[0].have_link,
          "a.txt: type %d fname %s", f[0].type, f[0].fname);
    CHECK(!f[0].no_read && f[0].portable, "a.txt: no_read %d", f[0].no_read);
    CHECK(f[0].len == 11 && memcmp(f[0].data, "hello world", 11) == 0 && !f[0].read_error,
          "a.txt data (%zu bytes)", f[0].len);
    CHECK(f[0].st.st_mode == 0100644 && f[0].st.st_uid == 1000 && f[0].st.st_gid == 100 &&
          f[0].st.st_size == 11 && f[0].st.st_nlink == 2 && f[0].st.st_blksize == 4096 &&
          f[0].st.st_blocks == 8 && f[0].st.st_dev == 2049 && f[0].st.st_ino == 4242 + 11 &&
          f[0].st.st_atime == 1700000000 && f[0].st.st_mtime == 1700000100 &&
          f[0].st.st_ctime == 1700000200, "a.txt stat");
    CHECK(f[0].end_rc == bRC_More, "a.txt: endBackupFile More");
    /* 1: empty */
    CHECK(f[1].type == FT_REGE && f[1].no_read && f[1].len == 0 &&
          strcmp(f[1].fname, "/data/empty") == 0, "empty file");
    /* 2: symlink */
    CHECK(f[2].type == FT_LNK && f[2].no_read && strcmp(f[2].link, "a.txt") == 0 &&
          f[2].st.st_mode == 0120777, "symlink");
    /* 3: hard link to record 0 -> a.txt's FileIndex */
    CHECK(f[3].type == FT_LNKSAVED && f[3].no_read && strcmp(f[3].link, "/data/a.txt") == 0,
          "hard link: type %d link %s", f[3].type, f[3].link);
    CHECK(f[3].LinkFI == f[0].file_index && f[0].file_index == 1, "LinkFI %d, want %d",
          f[3].LinkFI, f[0].file_index);
    /* 4: big file through several D packets and IO_READ calls */
    CHECK(f[4].type == FT_REG && f[4].len == sizeof big && memcmp(f[4].data, big, sizeof big) == 0,
          "big data: %zu bytes", f[4].len);
    CHECK(f[4].max_read <= 65536, "reads bounded by count");
    /* 5: newline in the name, data and one ACL blob */
    CHECK(strcmp(f[5].fname, "/data/new\nline") == 0 && f[5].len == 3 &&
          memcmp(f[5].data, "abc", 3) == 0, "name with newline");
    CHECK(f[5].acl_count == 1 && strcmp(f[5].acl, "acl-blob") == 0 && f[5].xattr_count == 0,
          "ACL blob handed out once (%d)", f[5].acl_count);
    CHECK(f[0].acl_count == 0 && f[4].acl_count == 0, "no ACL elsewhere");
    /* 6: read error in the middle */
    CHECK(f[6].len == 2 && memcmp(f[6].data, "12", 2) == 0 && f[6].read_error, "read error");
    /* 7: directory, last */
    CHECK(f[7].type == FT_DIREND && strcmp(f[7].fname, "/data/") == 0 &&
          strcmp(f[7].link, "/data/") == 0 && f[7].no_read && f[7].st.st_mode == 040755,
          "directory");
    CHECK(f[7].end_rc == bRC_OK, "last endBackupFile OK, got %d", f[7].end_rc);
    CHECK(f[6].end_rc == bRC_More, "endBackupFile More");
}

static void test_normal_backup(unsigned v)
{
    char cmd[PATH_MAX + 128], line[64];
    bRC rc;

    use_version(v);
    new_log();
    setenv("PHPC_FAKE_MODE", "normal", 1);
    rc = backup_job(make_cmd(cmd, sizeof cmd, ""), 0, 'F', 0);
    CHECK(rc == bRC_OK, "v%u BackupCommand", v);
    check_normal_files();
    CHECK(count_type(M_FATAL()) == 0, "v%u: no fatal", v);
    CHECK_MSG(M_INFO(), "podheitor-hpc: walk started");
    CHECK_MSG(M_WARNING(), "podheitor-hpc: file /data/big changed while read");
    CHECK_MSG(M_ERROR(), "podheitor-hpc: cannot read /data/unreadable: Input/output error");
    CHECK(nmsgs == 3, "v%u: 3 messages, got %d", v, nmsgs);
    /* what the backend received (docs/ptcomm.md §2) */
    CHECK_LOG("C Hello podheitor-hpc 1");
    CHECK_LOG("C Job");
    CHECK_LOG("C Name=fake-job.2024-05-01_23.05.00_07");
    CHECK_LOG("C JobID=7");
    CHECK_LOG("C Type=B");
    CHECK_LOG("C Level=F");
    CHECK(log_count("C Since=1700000000") == 0, "no Since for a full");
    CHECK_LOG("C Accurate=0");
    snprintf(line, sizeof line, "C FDVersion=%u", v);
    CHECK_LOG(line);
    CHECK_LOG("C Params");
    CHECK_LOG("C path=/da;ta");
    CHECK_LOG("C threads=4");
    {
        char b[PATH_MAX + 16];

        snprintf(b, sizeof b, "C backend=%s", backend_path);
        CHECK_LOG(b);
        CHECK(strstr(log_text, "C path=/da;ta\nC threads=4\nC backend=") != NULL, "Params in order");
    }
    CHECK(strstr(log_text, "C FDVersion") < strstr(log_text, "C Params"), "Job before Params");
    CHECK_LOG("C BackupStart");
    CHECK_LOG("C EndStatus=1");
    CHECK_END("C END T 1");             /* status T, the one error posted above */
    CHECK_LOG("T");
    CHECK(log_count("F") == 2, "F after Job and Params");
    check_no_child("normal backup");
}

static void test_incremental_and_estimate(void)
{
    char cmd[PATH_MAX + 128];

    use_version(14);
    new_log();
    setenv("PHPC_FAKE_MODE", "normal", 1);
    accurate = 1;
    backup_job(make_cmd(cmd, sizeof cmd, ";mode=lustre"), 0, 'I', 0);
    accurate = 0;
    check_normal_files();
    CHECK_LOG("C Level=I");
    CHECK_LOG("C Since=1700000000");
    CHECK_LOG("C Accurate=1");
    CHECK_LOG("C mode=lustre");
    check_no_child("incremental");

    new_log();
    CHECK(backup_job(make_cmd(cmd, sizeof cmd, ""), 1, 'D', 0) == bRC_OK, "EstimateCommand");
    CHECK(nfiles == 8, "estimate: 8 files, got %d", nfiles);
    {
        int all_no_read = 1;

        for (int i = 0; i < nfiles; i++)
            all_no_read &= files[i].no_read;
        CHECK(all_no_read, "estimate: no data sections");
    }
    CHECK(nfiles == 8 && files[3].type == FT_LNKSAVED && files[7].type == FT_DIREND,
          "estimate types");
    CHECK(count_type(M_FATAL()) == 0 && count_type(M_ERROR()) == 0, "estimate: no errors");
    CHECK_LOG("C Type=E");
    CHECK_LOG("C Level=D");
    CHECK_LOG("C EstimateStart");
    CHECK_LOG("T");
    check_no_child("estimate");
}

/* The backend is spawned at bEventPluginCommand (its JVM starts while the FD
 * finishes its set-up) and taken over by the backup or estimate command: one
 * process per job, no handoff socket announced to an estimate; a job that
 * ends before its command leaves no process and no message. */
static void test_early_spawn(void)
{
    bpContext ctx = { (void *)0x1, NULL };
    char cmd[PATH_MAX + 128], exec_line[PATH_MAX + 16];

    use_version(23);
    setenv("PHPC_FAKE_MODE", "normal", 1);
    snprintf(exec_line, sizeof exec_line, "EXEC %s", backend_path);

    /* spawned by the FileSet's plugin command, before the backup command */
    new_log();
    reset_msgs();
    make_cmd(cmd, sizeof cmd, "");
    CHECK(pf->newPlugin(&ctx) == bRC_OK, "early: newPlugin");
    event(&ctx, bEventJobStart, "JobId=9 Job=early");
    event(&ctx, bEventLevel, (void *)(intptr_t)'F');
    CHECK(event(&ctx, bEventPluginCommand, cmd) == bRC_OK, "early: PluginCommand");
    CHECK(waitpid(-1, NULL, WNOHANG) == 0, "early: a backend runs after the plugin command");
    /* the job ends before its backup command (the SD could not be reached, a cancel) */
    CHECK(pf->freePlugin(&ctx) == bRC_OK, "early: freePlugin");
    check_no_child("early: job ended before its command");
    CHECK(nmsgs == 0, "early: %d job messages for a backend that was never used", nmsgs);
    if (nmsgs)
        dump_msgs();
    read_log();                         /* (it may be killed before it logs its EXEC line) */
    CHECK(strstr(log_text, "Hello") == NULL, "early: nothing was sent to the unused backend");

    /* a backup takes the early backend over: one process, handoff announced */
    new_log();
    backup_job(make_cmd(cmd, sizeof cmd, ""), 0, 'F', 0);
    check_normal_files();
    CHECK(log_count(exec_line) == 1, "early backup: spawned %d times", log_count(exec_line));
    CHECK_LOG("C Handoff=4");
    check_no_child("early backup");

    /* an estimate too, without the handoff socket */
    new_log();
    CHECK(backup_job(make_cmd(cmd, sizeof cmd, ""), 1, 'F', 0) == bRC_OK, "early estimate");
    CHECK(nfiles == 8, "early estimate: 8 files, got %d", nfiles);
    CHECK(log_count(exec_line) == 1, "early estimate: spawned %d times", log_count(exec_line));
    CHECK(strstr(log_text, "Handoff") == NULL, "early estimate: no handoff announced");
    check_no_child("early estimate");
}

/* checkFile after an accurate backup whose backend sent KEEP /data/locked/
 * and KEEP /data/secret.txt: those and the names below them are kept */
static void accurate_check_files(bpContext *ctx)
{
    static const struct { const char *name; bRC want; } cases[] = {
        { "/data/locked/", bRC_Seen },
        { "/data/locked/x", bRC_Seen },
        { "/data/locked/sub/y", bRC_Seen },
        { "/data/locked/sub/", bRC_Seen },
        { "/data/secret.txt", bRC_Seen },
        { "/data/lockedx", bRC_OK },            /* a prefix, not an ancestor */
        { "/data/locke", bRC_OK },
        { "/data/secret.txt.bak", bRC_OK },
        { "/data/gone.txt", bRC_OK },           /* vanished: recorded deleted */
        { "/data/", bRC_OK },
        { "/", bRC_OK },
        { "/elsewhere/x", bRC_OK },             /* foreign */
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bRC rc = pf->checkFile(ctx, (char *)cases[i].name);

        CHECK(rc == cases[i].want, "checkFile(%s) = %d, want %d", cases[i].name, rc, cases[i].want);
    }
}

static void test_accurate(unsigned v)
{
    char cmd[PATH_MAX + 128];
    bpContext ctx = { (void *)0x1, NULL };

    use_version(v);
    new_log();
    setenv("PHPC_FAKE_MODE", "accurate", 1);
    nchecked = nseen = 0;
    accurate = 1;
    at_accurate_finish = accurate_check_files;
    CHECK(backup_job(make_cmd(cmd, sizeof cmd, ""), 0, 'I', 0) == bRC_OK, "accurate backup");
    at_accurate_finish = NULL;
    accurate = 0;
    CHECK(nchecked == 3, "checkChanges called 3 times, got %d", nchecked);
    CHECK_STR(checked_names[0], "/data/same.txt");
    CHECK_STR(checked_names[1], "/data/new.txt");
    CHECK_STR(checked_names[2], "/data/dir/ dir-ok");
    CHECK(nseen == 1, "one name marked seen, got %d", nseen);
    CHECK_STR(seen_names[0], "/data/same.txt");
    CHECK(seen_wrong_id == 0, "bVarFileSeen with a name");
    CHECK(nfiles == 2, "2 files sent, got %d", nfiles);
    if (nfiles == 2) {
        CHECK_STR(files[0].fname, "/data/new.txt");
        CHECK(files[0].len == 5, "new.txt data %zu", files[0].len);
        CHECK_STR(files[1].fname, "/data/dir/");
    }
    CHECK_LOG("C SEEN");
    CHECK(log_count("C CHANGED") == 2, "two CHANGED answers");
    CHECK(count_type(M_FATAL()) == 0 && count_type(M_ERROR()) == 0, "accurate: no errors");
    check_no_child("accurate");

    /* checkFile in a job without KEEP names: unseen names are recorded
     * deleted, ours and foreign ones */
    CHECK(pf->newPlugin(&ctx) == bRC_OK, "newPlugin");
    CHECK(pf->checkFile(&ctx, "/data/gone.txt") == bRC_OK, "checkFile: ours, unseen -> deleted");
    CHECK(pf->checkFile(&ctx, "/elsewhere/x") == bRC_OK, "checkFile: foreign -> OK");
    CHECK(pf->freePlugin(&ctx) == bRC_OK, "freePlugin");
}

/* checkFile after a changelog-style accurate backup (fake_backend mode
 * "changelog"): KEEP /data, GONE /data/old.txt, GONE /data/olddir/, KEEP
 * /data/olddir/locked, GONE + KEEP /data/both.  The deepest KEEP or GONE
 * naming the entry or an ancestor decides; KEEP wins a tie. */
static void changelog_check_files(bpContext *ctx)
{
    static const struct { const char *name; bRC want; } cases[] = {
        { "/data/old.txt", bRC_OK },            /* named deleted */
        { "/data/old.txt.bak", bRC_Seen },      /* a prefix of a GONE, below the KEEP root */
        { "/data/olddir/", bRC_OK },
        { "/data/olddir/x", bRC_OK },           /* below a GONE */
        { "/data/olddir/sub/", bRC_OK },
        { "/data/olddir/locked", bRC_Seen },    /* a deeper KEEP below the GONE */
        { "/data/olddir/locked/y", bRC_Seen },
        { "/data/olddir/lockedx", bRC_OK },
        { "/data/both", bRC_Seen },             /* both: KEEP wins */
        { "/data/same.txt", bRC_Seen },         /* unchanged, not walked: kept by the root */
        { "/data/", bRC_Seen },
        { "/data/d/e/f", bRC_Seen },
        { "/dat", bRC_OK },
        { "/datax/y", bRC_OK },
        { "/", bRC_OK },
        { "/elsewhere/x", bRC_OK },             /* foreign */
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bRC rc = pf->checkFile(ctx, (char *)cases[i].name);

        CHECK(rc == cases[i].want, "changelog checkFile(%s) = %d, want %d", cases[i].name, rc,
              cases[i].want);
    }
}

static void test_changelog_deletions(unsigned v)
{
    char cmd[PATH_MAX + 128];

    use_version(v);
    new_log();
    setenv("PHPC_FAKE_MODE", "changelog", 1);
    nchecked = nseen = 0;
    accurate = 1;
    at_accurate_finish = changelog_check_files;
    CHECK(backup_job(make_cmd(cmd, sizeof cmd, ""), 0, 'I', 0) == bRC_OK, "changelog backup v%u", v);
    at_accurate_finish = NULL;
    accurate = 0;
    CHECK(nfiles == 1 && strcmp(files[0].fname, "/data/new.txt") == 0, "changelog: one file sent (%d)",
          nfiles);
    CHECK(count_type(M_FATAL()) == 0 && count_type(M_ERROR()) == 0, "changelog: no errors");
    check_no_child("changelog");

    test_failure("badgone", "", bRC_OK,
                 "podheitor-hpc: protocol error: GONE of \"data/x\", not an absolute path, while "
                 "sending the first file record");
}

/*
 * END carries the outcome (docs/ptcomm.md §6): the FD's job status letter and
 * the errors the shim posted, to a backend that answered the Job block's
 * EndStatus=1; an older backend gets a bare END; a wrong answer fails.
 */
static void test_end_status(void)
{
    char cmd[PATH_MAX + 128];

    use_version(22);
    new_log();
    setenv("PHPC_FAKE_MODE", "empty", 1);
    job_status = 'f';                   /* whatever the FD says, as it says it */
    CHECK(backup_job(make_cmd(cmd, sizeof cmd, ""), 0, 'F', 0) == bRC_OK, "end status f");
    CHECK_END("C END f 0");
    new_log();
    job_status = 0;                     /* the FD writes nothing */
    CHECK(backup_job(make_cmd(cmd, sizeof cmd, ""), 0, 'F', 0) == bRC_OK, "no end status");
    CHECK_END("C END ? 0");
    job_status = 'T';
    /* an estimate ends at bEventJobEnd */
    new_log();
    CHECK(backup_job(make_cmd(cmd, sizeof cmd, ""), 1, 'F', 0) == bRC_OK, "estimate end status");
    CHECK_END("C END T 0");
    /* (errors: test_normal_backup's "C END T 1" counts the backend's E packet;
     * stderr lines count the same way, but when they are read is timing) */
    check_no_child("end status");
    /* an older backend ignores EndStatus=1 and gets a bare END */
    new_log();
    setenv("PHPC_FAKE_MODE", "oldend", 1);
    CHECK(backup_job(make_cmd(cmd, sizeof cmd, ""), 0, 'F', 0) == bRC_OK, "old backend");
    CHECK(nfiles == 1 && count_type(M_FATAL()) == 0 && count_type(M_ERROR()) == 0, "old backend: saved");
    CHECK_LOG("C EndStatus=1");
    CHECK_END("C END");
    CHECK_LOG("T");
    check_no_child("old backend");
    test_failure("badendstatus", "", bRC_Error,
                 "podheitor-hpc: protocol error: unexpected reply \"EndStatus 9\" to the Job block");
}

static struct saved *find_file(const char *fname)
{
    for (int i = 0; i < nfiles; i++)
        if (strcmp(files[i].fname, fname) == 0)
            return &files[i];
    return NULL;
}

static void reset_accept(const char *wildfile, const char *wilddir, bRC rc)
{
    accept_wildfile = wildfile;
    accept_wilddir = wilddir;
    accept_rc_error = rc;
    naccept = 0;
    accept_log[0] = '\0';
}

/*
 * FileSet options through AcceptFile: excluded files, a directory whose
 * whole subtree goes (post-order: the children come first), a hard link whose
 * first name is excluded, the ancestor cache, and the fall-backs when
 * AcceptFile is missing or fails.
 */
static void test_fileset_filter(unsigned v, int estimate)
{
    char cmd[PATH_MAX + 128];
    struct saved *f;
    static const char *const saved_names[] = {
        "/data/keep.c", "/data/tmpfile.c", "/data/h.c", "/data/h2.c", "/data/a/b/c/d/f0.c",
        "/data/a/b/c/d/f9.c", "/data/a/b/c/d/", "/data/a/", "/data/"
    };
    static const char *const gone[] = {
        "/data/x.o", "/data/tmp/a.c", "/data/tmp/sub/b.c", "/data/tmp/sub/", "/data/tmp/",
        "/data/tmp.o", "/data/h.o"
    };

    use_version(v);
    new_log();
    setenv("PHPC_FAKE_MODE", "filter", 1);
    reset_accept("*.o", "*/tmp", bRC_OK);
    snprintf(cmd, sizeof cmd, "podheitor-hpc:path=/data/;backend=%s", backend_path);
    CHECK(backup_job(cmd, estimate, 'F', 0) == bRC_OK, "v%u filter %s", v, estimate ? "estimate" : "backup");
    CHECK(nfiles == 19, "v%u filter: 19 entries saved, got %d", v, nfiles);
    for (size_t i = 0; i < sizeof saved_names / sizeof *saved_names; i++)
        CHECK(find_file(saved_names[i]) != NULL, "v%u filter: %s saved", v, saved_names[i]);
    for (size_t i = 0; i < sizeof gone / sizeof *gone; i++)
        CHECK(find_file(gone[i]) == NULL, "v%u filter: %s excluded", v, gone[i]);
    /* directories are matched without their trailing slash, files by full name */
    CHECK(strstr(accept_log, "/data/tmp(d) ") != NULL && strstr(accept_log, "/data/tmp/(d)") == NULL,
          "directory names without the trailing slash: %s", accept_log);
    CHECK(strstr(accept_log, "/data/tmp/a.c ") == NULL && strstr(accept_log, "/data/tmp/sub") == NULL,
          "nothing below an excluded directory is asked about: %s", accept_log);
    /* hard link: the excluded first name was answered SEEN, so the second
     * name came as the first name with data, the third as a link to it */
    f = find_file("/data/h.c");
    CHECK(f && f->type == FT_REG && (estimate ? f->no_read : f->len == 5 && !f->read_error),
          "h.c saved with its data (type %d)", f ? f->type : -1);
    f = find_file("/data/h2.c");
    CHECK(f && f->type == FT_LNKSAVED && strcmp(f->link, "/data/h.c") == 0 &&
          (estimate || f->LinkFI == find_file("/data/h.c")->file_index),
          "h2.c a hard link to h.c (type %d link %s)", f ? f->type : -1, f ? f->link : "");
    CHECK(log_count("C SEEN") == 1 && log_count("C CHANGED") == 2, "h.o SEEN, h.c and h2.c CHANGED");
    /* the root is never excluded.  AcceptFile calls: one per entry that is
     * not below an excluded directory (8 before the links, 3 CHECKs + 2
     * link records, 10 deep files, 4 deep directories, the root = 28), plus
     * one per directory level the first time it is an ancestor (/data/tmp,
     * then a, a/b, a/b/c, a/b/c/d for f0 = 5), minus the 3 entries below
     * /data/tmp (never asked) = 30: no per-file cost for the depth */
    CHECK(find_file("/data/") != NULL && files[nfiles - 1].end_rc == bRC_OK, "root saved last");
    CHECK(naccept == 30, "v%u: %d AcceptFile calls, want 30: %s", v, naccept, accept_log);
    CHECK_MSG(M_INFO(), "podheitor-hpc: FileSet options excluded 7 entries (1 directories with their contents)");
    CHECK(count_type(M_WARNING()) == 0 && count_type(M_ERROR()) == 0 && count_type(M_FATAL()) == 0,
          "filter: no warnings or errors");
    check_no_child("filter");
}

static void test_fileset_filter_fallbacks(void)
{
    char cmd[PATH_MAX + 128];
    bFuncs keep = bfuncs;

    snprintf(cmd, sizeof cmd, "podheitor-hpc:path=/data;backend=%s", backend_path);
    /* AcceptFile fails: one warning, everything saved (the backend's CHECKs
     * are answered CHANGED), the job goes on */
    use_version(14);
    new_log();
    setenv("PHPC_FAKE_MODE", "filter", 1);
    reset_accept("*.o", "*/tmp", bRC_Error);
    CHECK(backup_job(cmd, 0, 'F', 0) == bRC_OK, "AcceptFile error: backup");
    CHECK(nfiles == 26, "AcceptFile error: all 26 entries saved, got %d", nfiles);
    CHECK(naccept == 1, "AcceptFile error: asked once, then never again (%d)", naccept);
    CHECK(count_type(M_WARNING()) == 1 && count_type(M_FATAL()) == 0, "AcceptFile error: one warning");
    CHECK_MSG(M_WARNING(), "podheitor-hpc: the File Daemon's AcceptFile failed: the FileSet Options "
                           "(WildFile, WildDir, Regex..., Exclude) are not applied to the files of this "
                           "plugin; everything is saved");
    /* no AcceptFile slot at all */
    bfuncs.AcceptFile = NULL;
    use_version(14);
    new_log();
    reset_accept("*.o", "*/tmp", bRC_OK);
    CHECK(backup_job(cmd, 0, 'F', 0) == bRC_OK, "no AcceptFile: backup");
    CHECK(nfiles == 26 && naccept == 0, "no AcceptFile: all saved (%d), no call (%d)", nfiles, naccept);
    CHECK(count_type(M_WARNING()) == 1 && count_type(M_FATAL()) == 0, "no AcceptFile: one warning");
    CHECK_MSG(M_WARNING(), "podheitor-hpc: the File Daemon offers no AcceptFile callback: the FileSet "
                           "Options (WildFile, WildDir, Regex..., Exclude) are not applied to the files "
                           "of this plugin; everything is saved");
    bfuncs = keep;
    reset_accept(NULL, NULL, bRC_OK);
    check_no_child("filter fall-backs");
}

/* Accurate mode with options: what is checked, marked seen and sent. */
static void test_fileset_filter_accurate(void)
{
    char cmd[PATH_MAX + 128];

    use_version(14);
    new_log();
    setenv("PHPC_FAKE_MODE", "accfilter", 1);
    reset_accept("*.o", "*/tmp", bRC_OK);
    nchecked = nseen = 0;
    accurate = 1;
    snprintf(cmd, sizeof cmd, "podheitor-hpc:path=/data;backend=%s", backend_path);
    CHECK(backup_job(cmd, 0, 'I', 0) == bRC_OK, "accurate filter backup");
    accurate = 0;
    /* checkChanges only for the names the options keep */
    CHECK(nchecked == 2, "checkChanges twice, got %d", nchecked);
    CHECK(nchecked == 2 && strcmp(checked_names[0], "/data/same.c") == 0 &&
          strcmp(checked_names[1], "/data/new.c") == 0, "checkChanges for same.c and new.c");
    /* marked seen: the unchanged file and the self-excluded x.o and tmp/ (as
     * the stock walk does); not tmp/f below the excluded directory (recorded
     * deleted when the catalog has it) */
    CHECK(nseen == 3, "3 names marked seen, got %d", nseen);
    CHECK(nseen == 3 && strcmp(seen_names[0], "/data/x.o") == 0 &&
          strcmp(seen_names[1], "/data/same.c") == 0 && strcmp(seen_names[2], "/data/tmp/") == 0,
          "seen: x.o, same.c, tmp/ (%s %s %s)", seen_names[0], seen_names[1], seen_names[2]);
    CHECK(nfiles == 1 && strcmp(files[0].fname, "/data/new.c") == 0, "only new.c sent (%d)", nfiles);
    CHECK(log_count("C SEEN") == 4 && log_count("C CHANGED") == 1, "4 SEEN, 1 CHANGED");
    CHECK(count_type(M_FATAL()) == 0 && count_type(M_ERROR()) == 0, "accurate filter: no errors");
    reset_accept(NULL, NULL, bRC_OK);
    check_no_child("accurate filter");
}

static void test_failure(const char *mode, const char *extra, bRC want_rc, const char *fatal)
{
    char cmd[PATH_MAX + 128];
    struct timespec t0, t1;
    bRC rc;

    use_version(14);
    new_log();
    setenv("PHPC_FAKE_MODE", mode, 1);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = backup_job(make_cmd(cmd, sizeof cmd, extra), 0, 'F', 1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK(rc == want_rc, "%s: BackupCommand %d, want %d", mode, rc, want_rc);
    CHECK(count_type(M_FATAL()) == 1, "%s: exactly one fatal, got %d", mode, count_type(M_FATAL()));
    CHECK_MSG(M_FATAL(), fatal);
    CHECK(t1.tv_sec - t0.tv_sec < 10, "%s: took %ld s", mode, (long)(t1.tv_sec - t0.tv_sec));
    check_no_child(mode);
}

static void test_failures(void)
{
    char want[PATH_MAX + 200];

    test_failure("garbage", "", bRC_OK,
                 "podheitor-hpc: protocol error: bad frame header \"Xgarbage\" from backend "
                 "while sending the first file record");
    CHECK(nfiles == 0, "garbage: no files");

    test_failure("die", "", bRC_OK,
                 "podheitor-hpc: backend exited unexpectedly (killed by signal 9) while sending "
                 "file \"/data/a.txt\"");
    CHECK(nfiles == 1 && files[0].len == 6 && files[0].read_error,
          "die: partial data, read error (%d files, %zu bytes, error %d)", nfiles, files[0].len,
          files[0].read_error);
    CHECK(nfiles == 1 && files[0].end_rc == bRC_Error, "die: endBackupFile error");

    /* all files sent, the backend dies at END: the fatal must be posted at
     * bEventEndBackupJob, while the job status is still open (at JobEnd the
     * FD has already reported the status, so the job would end "OK") */
    test_failure("dieonend", "", bRC_OK,
                 "podheitor-hpc: backend exited unexpectedly (killed by signal 9) while ending "
                 "the job");
    CHECK(nfiles > 1, "dieonend: the files were all saved (%d)", nfiles);
    CHECK(fatals_at_end_backup == 1, "dieonend: fatal posted by bEventEndBackupJob (got %d)",
          fatals_at_end_backup);

    /* a backend that stops answering (SIGSTOP) mid-file: the timeout key
     * fails the job within timeout + slack and the stopped backend is
     * SIGKILLed and reaped (test_failure checks < 10 s and no child) */
    test_failure("stopafter", ";timeout=2", bRC_OK,
                 "podheitor-hpc: backend did not answer within 2 s (plugin key timeout=2) while "
                 "sending file \"/data/a.txt\"; killing it");
    CHECK(nfiles == 1 && files[0].read_error, "stopafter: read error on the file");

    test_failure("exitearly", "", bRC_Error,
                 "podheitor-hpc: backend exited unexpectedly (exit status 3) while answering Hello");
    test_failure("abort", "", bRC_Error, "podheitor-hpc: path does not exist: /nonexistent");
    test_failure("badhello", "", bRC_Error,
                 "podheitor-hpc: wrong backend response to Hello: \"Hello Nobody 1\"");

    /* missing backend */
    use_version(14);
    reset_msgs();
    setenv("PHPC_FAKE_MODE", "normal", 1);
    CHECK(backup_job("podheitor-hpc:path=/x;backend=/nonexistent/be", 0, 'F', 1) == bRC_Error,
          "missing backend");
    CHECK_MSG(M_FATAL(), "podheitor-hpc: backend \"/nonexistent/be\" is not executable: No such "
                         "file or directory");
    CHECK(count_type(M_FATAL()) == 1, "missing backend: one fatal");

    /* bad plugin strings are refused at bEventPluginCommand */
    CHECK(backup_job("podheitor-hpc:path=/x;foo=1", 0, 'F', 1) == bRC_Error, "bad key");
    CHECK_MSG(M_FATAL(), "podheitor-hpc: bad plugin string: unknown key \"foo\" (known keys: "
                         "path, mode, threads, channel_depth, backend, timeout, aclsupport, xattrsupport, readahead, "
                         "hardlink_memory, spill_dir, progress, metrics_dir, restore_threads, shard, strategy, "
                         "subtree, mtime_bucket, changelog_user, state_dir, rctime_margin, gpfs_policy_args, snapshot, parallel_reads, stripe_readers, stripe_min, handoff, handoff_min, restripe, throttle_file, scheduler, partition, cpus, mem, time, sbatch_args, slurm_conf, slurm_bin, slurm_output, slurm_pending_timeout, worker_command, relay, relay_bind, relay_port, relay_lz4)");
    CHECK(count_type(M_FATAL()) == 1, "bad key: one fatal");
    /* a malformed sharding value fails the job the same way, before any backend runs */
    reset_msgs();
    CHECK(backup_job("podheitor-hpc:path=/x;shard=4/4", 0, 'F', 1) == bRC_Error, "bad shard");
    CHECK_MSG(M_FATAL(), "podheitor-hpc: bad plugin string: key \"shard\": \"4/4\" is not K/N with "
                         "0 <= K < N <= 4096");
    CHECK(count_type(M_FATAL()) == 1, "bad shard: one fatal");
    reset_msgs();
    CHECK(backup_job("podheitor-hpc:path=/x;subtree=/x/a,tmp", 0, 'F', 1) == bRC_Error, "bad subtree");
    CHECK_MSG(M_FATAL(), "podheitor-hpc: bad plugin string: key \"subtree\": element 2 of \"/x/a,tmp\" is not "
                         "an absolute path (or !absolute path)");
    CHECK(count_type(M_FATAL()) == 1, "bad subtree: one fatal");
    CHECK(backup_job("podheitor-hpc:path=rel/x", 0, 'F', 1) == bRC_Error, "relative path");
    CHECK_MSG(M_FATAL(), "podheitor-hpc: bad plugin string: key \"path\" must be an absolute "
                         "path, got \"rel/x\"");
    CHECK(backup_job("podheitor-hpc:threads=abc;path=/x", 0, 'F', 1) == bRC_Error, "bad number");
    CHECK_MSG(M_FATAL(), "podheitor-hpc: bad plugin string: key \"threads\": \"abc\" is not an "
                         "integer in 1..1024");
    check_no_child("bad strings");

    /* stderr lines are job errors; the job still succeeds */
    use_version(14);
    new_log();
    setenv("PHPC_FAKE_MODE", "stderr", 1);
    snprintf(want, sizeof want, "%s", "");
    CHECK(backup_job(make_cmd(want, sizeof want, ""), 0, 'F', 0) == bRC_OK, "stderr job");
    CHECK(nfiles == 8, "stderr: 8 files");
    CHECK_MSG(M_ERROR(), "podheitor-hpc: backend stderr: hello from stderr\\x01");
    CHECK_MSG(M_ERROR(), "podheitor-hpc: backend stderr: second line without newline");
    CHECK(count_type(M_FATAL()) == 0, "stderr: no fatal");
    CHECK_LOG("T");
    check_no_child("stderr");

    /* an empty backup ends silently */
    new_log();
    setenv("PHPC_FAKE_MODE", "empty", 1);
    CHECK(backup_job(make_cmd(want, sizeof want, ""), 0, 'F', 0) == bRC_OK, "empty job");
    CHECK(nfiles == 0 && nmsgs == 0, "empty: no files (%d), no messages (%d)", nfiles, nmsgs);
    CHECK_END("C END T 0");
    CHECK_LOG("T");
    check_no_child("empty");
}

/*
 * A backend that stops answering because it is blocked in the kernel on a
 * hung file system (test/lfs.h: SIGKILL leaves it in state D): the job fails
 * on the timeout as usual, the FD's call returns after timeout + stderr drain
 * + grace + the bounded wait after SIGKILL, one warning names the pid left to
 * the background reaper, and once the file system answers the pid is reaped
 * (no zombie, no child left).
 */
static void test_unreapable_backend(void)
{
    const char *why = lfs_available(PHPC_LATENCYFS);
    char cmd[PATH_MAX + 128], path[128], want[256];
    struct timespec t0, t1;
    struct lfs l;
    double dt;
    int pid = 0, gone = 0;
    char state = 0;
    bRC rc;

    if (why != NULL) {
        CHECK_SKIP("the unreapable-backend test (a job whose backend SIGKILL cannot end)", "%s", why);
        return;
    }
    if (lfs_mount(&l, PHPC_LATENCYFS) != 0) {
        CHECK(0, "latencyfs mount");
        return;
    }
    snprintf(path, sizeof path, "%s/d0", l.mnt);
    use_version(14);
    new_log();
    setenv("PHPC_FAKE_MODE", "fshang", 1);
    setenv("PHPC_FAKE_PATH", path, 1);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = backup_job(make_cmd(cmd, sizeof cmd, ";timeout=1"), 0, 'F', 1);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    dt = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    CHECK(rc == bRC_OK && nfiles == 0, "hung backend: BackupCommand %d, %d files", rc, nfiles);
    /* 1 s timeout + 1 s stderr drain + 5 s grace + the test build's kill wait */
    CHECK(dt < 7.0 + PHPC_TEST_KILL_WAIT_MS / 1000.0 + 2, "the job's calls returned after %.1f s", dt);
    CHECK_MSG(M_FATAL(), "podheitor-hpc: backend did not answer within 1 s (plugin key timeout=1) "
                         "while sending the first file record; killing it");
    CHECK(count_type(M_FATAL()) == 1, "one fatal");
    for (int i = 0; i < nmsgs; i++)
        if (msgs[i].type == M_WARNING())
            sscanf(msgs[i].text, "podheitor-hpc: backend pid %d ", &pid);
    snprintf(want, sizeof want, "podheitor-hpc: backend pid %d did not exit within %d ms after SIGKILL "
             "(blocked in the kernel, e.g. on a hung file system); it is left to a background reaper",
             pid, PHPC_TEST_KILL_WAIT_MS);
    CHECK_MSG(M_WARNING(), want);
    if (pid > 0) {
        state = lfs_proc_state(pid);
        CHECK(state == 'D', "premise: the backend is blocked in the kernel (state '%c')",
              state ? state : '-');
    }
    /* the file system answers: the backend dies and the reaper thread reaps it */
    lfs_release(&l);
    for (int i = 0; pid > 0 && i < 250 && !gone; i++) {
        state = lfs_proc_state(pid);
        gone = state == 0;
        if (!gone)
            lfs_sleep_ms(20);
    }
    CHECK(gone, "pid %d reaped once it could exit (state '%c')", pid, state ? state : '-');
    unsetenv("PHPC_FAKE_PATH");
    check_no_child("unreapable backend");
}

/* ---- cancel ------------------------------------------------------------------ */

struct cancel_arg {
    bpContext *ctx;
    pthread_t job_thread;
};

static void *cancel_thread(void *p)
{
    struct cancel_arg *a = p;
    struct timespec ts = { 0, 300 * 1000000L };

    nanosleep(&ts, NULL);
    /* like the FD (docs/abi.md §7.8): the event on the command thread, then
     * SIGUSR2 to the job thread */
    event(a->ctx, bEventCancelCommand, NULL);
    pthread_kill(a->job_thread, SIGUSR2);
    return NULL;
}

static void test_cancel(void)
{
    bpContext ctx = { (void *)0x1, NULL };
    char cmd[PATH_MAX + 128];
    struct cancel_arg a = { &ctx, pthread_self() };
    union save_pkt u;
    struct io_pkt io;
    pthread_t th;
    struct timespec t0, t1;
    static char buf[65536];

    use_version(14);
    new_log();
    reset_msgs();
    setenv("PHPC_FAKE_MODE", "slow", 1);
    make_cmd(cmd, sizeof cmd, "");
    pf->newPlugin(&ctx);
    event(&ctx, bEventJobStart, "JobId=8 Job=x");
    event(&ctx, bEventLevel, (void *)(intptr_t)'F');
    event(&ctx, bEventPluginCommand, cmd);
    CHECK(event(&ctx, bEventBackupCommand, cmd) == bRC_OK, "cancel: BackupCommand");
    sp_prefill(&u, cmd);
    CHECK(pf->startBackupFile(&ctx, &u) == bRC_OK, "cancel: first file");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pthread_create(&th, NULL, cancel_thread, &a);
    memset(&io, 0, sizeof io);
    io.func = IO_OPEN;
    pf->pluginIO(&ctx, &io);
    io.func = IO_READ;
    io.buf = buf;
    io.count = sizeof buf;
    pf->pluginIO(&ctx, &io);            /* blocks until the cancel */
    clock_gettime(CLOCK_MONOTONIC, &t1);
    pthread_join(th, NULL);
    CHECK(io.status == -1, "cancel: read fails (%d)", io.status);
    CHECK(t1.tv_sec - t0.tv_sec < 10, "cancel: took %ld s", (long)(t1.tv_sec - t0.tv_sec));
    io.func = IO_CLOSE;
    pf->pluginIO(&ctx, &io);
    CHECK(pf->endBackupFile(&ctx) != bRC_More, "cancel: loop ends");
    event(&ctx, bEventEndBackupJob, NULL);
    event(&ctx, bEventCancelCommand, NULL);     /* v14 may repeat it: harmless */
    pf->freePlugin(&ctx);
    CHECK(count_type(M_FATAL()) == 0, "cancel: no fatal message");
    if (count_type(M_FATAL()))
        dump_msgs();
    check_no_child("cancel");
}

/* ---- restore ----------------------------------------------------------------- */

union restore_pkt {
    struct restore_pkt14 a;
    struct restore_pkt21 b;
};

/* restore_file does not check the IO statuses (a backend that dies meanwhile) */
static int quiet_io;

/* XATTR record the next restore_file delivers (then cleared), and the result */
static const char *next_xattr;
static bRC xattr_rc;

static void deliver_xattr(bpContext *ctx)
{
    struct xacl_pkt x;

    if (next_xattr == NULL)
        return;
    memset(&x, 0, sizeof x);
    x.pkt_size = x.pkt_end = sizeof x;
    x.func = BXATTR_RESTORE;
    x.content = (char *)next_xattr;
    x.count = (int32_t)strlen(next_xattr);
    xattr_rc = pf->handleXACLdata(ctx, &x);
    next_xattr = NULL;
}

static int restore_file(bpContext *ctx, char *cmd, int type, mode_t mode, const char *ofname,
                        const char *olname, int LinkFI, const char *data, int *close_status)
{
    union restore_pkt u;
    struct stat *st = ver == 14 ? &u.a.statp : &u.b.statp;
    int cs;

    *close_status = 99;
    CHECK(event(ctx, bEventRestoreCommand, cmd) == bRC_OK, "RestoreCommand OK (%s)", ofname);
    CHECK(pf->startRestoreFile(ctx, cmd) == bRC_OK, "startRestoreFile");
    memset(&u, 0x5a, sizeof u);         /* not memset by the FD: garbage */
    memset(st, 0, sizeof *st);
    st->st_mode = mode;
    st->st_uid = 1000;
    st->st_gid = 100;
    st->st_size = data ? (off_t)strlen(data) : 0;
    st->st_atime = 1700000000;
    st->st_mtime = 1700000100;
    st->st_ctime = 1700000200;
    st->st_nlink = 1;
    if (ver == 14) {
        u.a.pkt_size = u.a.pkt_end = sizeof u.a;
        u.a.type = type; u.a.LinkFI = LinkFI; u.a.ofname = ofname; u.a.olname = olname;
        u.a.where = where; u.a.RegexWhere = NULL; u.a.replace = 'w'; u.a.create_status = CF_ERROR;
    } else {
        u.b.pkt_size = u.b.pkt_end = sizeof u.b;
        u.b.type = type; u.b.LinkFI = LinkFI; u.b.ofname = ofname; u.b.olname = olname;
        u.b.where = where; u.b.RegexWhere = NULL; u.b.replace = 'w'; u.b.create_status = CF_ERROR;
    }
    CHECK(pf->createFile(ctx, &u) == bRC_OK, "createFile");
    cs = ver == 14 ? u.a.create_status : u.b.create_status;
    if (cs == CF_EXTRACT) {
        struct io_pkt io;

        memset(&io, 0, sizeof io);
        io.func = IO_OPEN;
        io.status = -1;
        io.fname = ofname;
        pf->pluginIO(ctx, &io);
        CHECK(quiet_io || io.status == 0, "IO_OPEN");
        /* data in two writes */
        if (data && *data) {
            size_t n = strlen(data), half = n / 2 ? n / 2 : n;

            io.func = IO_WRITE;
            io.buf = (char *)data;
            io.count = (int32_t)half;
            pf->pluginIO(ctx, &io);
            CHECK(quiet_io || io.status == (int32_t)half, "IO_WRITE 1");
            if (n > half) {
                io.buf = (char *)data + half;
                io.count = (int32_t)(n - half);
                pf->pluginIO(ctx, &io);
                CHECK(quiet_io || io.status == (int32_t)(n - half), "IO_WRITE 2");
            }
        }
        pf->setFileAttributes(ctx, &u);
        io.func = IO_CLOSE;
        pf->pluginIO(ctx, &io);
        *close_status = io.status;
        deliver_xattr(ctx);             /* queued until after the close (docs/abi.md §7.7) */
    } else if (cs == CF_CREATED) {
        if (type == FT_DIREND)
            deliver_xattr(ctx);         /* directories: right away */
        pf->setFileAttributes(ctx, &u);
    }
    next_xattr = NULL;                  /* dropped for anything else */
    CHECK(pf->endRestoreFile(ctx) == bRC_OK, "endRestoreFile");
    return cs;
}

static void test_restore(unsigned v)
{
    bpContext ctx = { (void *)0x1, NULL };
    char cmd[PATH_MAX + 128];
    int cs;

    use_version(v);
    new_log();
    reset_msgs();
    /* a backend that does not know the pipelined restore (ignores Pipeline=1) */
    setenv("PHPC_FAKE_MODE", "lockstep", 1);
    make_cmd(cmd, sizeof cmd, "");
    pf->newPlugin(&ctx);
    event(&ctx, bEventJobStart, "JobId=9 Job=restore");
    event(&ctx, bEventStartRestoreJob, NULL);

    CHECK(restore_file(&ctx, cmd, FT_REG, 0100644, "/tmp/r/data/a.txt", "", 0, "hello world",
                       &cs) == CF_EXTRACT && cs == 0, "v%u restore a.txt (close %d)", v, cs);
    CHECK(restore_file(&ctx, cmd, FT_REGE, 0100600, "/tmp/r/data/empty", "", 0, NULL, &cs) ==
          CF_EXTRACT && cs == 0, "restore empty file");
    next_xattr = "PHMB-blob-of-link";
    CHECK(restore_file(&ctx, cmd, FT_LNK, 0120777, "/tmp/r/data/link", "a.txt", 0, NULL, &cs) ==
          CF_EXTRACT && cs == 0, "restore symlink (OK without data, so the XATTR record comes)");
    CHECK(xattr_rc == bRC_OK, "XATTR restore of the symlink");
    next_xattr = "bad-blob";
    CHECK(restore_file(&ctx, cmd, FT_REG, 0100644, "/tmp/r/data/b.txt", "", 0, "b", &cs) ==
          CF_EXTRACT && cs == 0, "restore b.txt");
    CHECK(xattr_rc == bRC_Error, "XATTR restore answered E -> bRC_Error");
    CHECK_MSG(M_ERROR(), "podheitor-hpc: bad metadata blob");
    CHECK(restore_file(&ctx, cmd, FT_LNKSAVED, 0100644, "/tmp/r/data/hard", "/tmp/r/data/a.txt", 1,
                       NULL, &cs) == CF_EXTRACT && cs == 0, "restore hard link");
    CHECK(restore_file(&ctx, cmd, FT_REG, 0100644, "/tmp/r/data/skipme", "", 0, "x", &cs) ==
          CF_SKIP, "SKIP");
    CHECK(restore_file(&ctx, cmd, FT_REG, 0100644, "/tmp/r/data/failme", "", 0, "x", &cs) ==
          CF_ERROR, "E -> CF_ERROR");
    /* a warning: the FD posts the file's error for CF_ERROR itself */
    CHECK_MSG(M_WARNING(), "podheitor-hpc: cannot create file");
    CHECK(restore_file(&ctx, cmd, FT_REG, 0100644, "/tmp/r/data/badclose", "", 0, "xyz", &cs) ==
          CF_EXTRACT && cs == -1, "close failure (%d)", cs);
    CHECK_MSG(M_ERROR(), "podheitor-hpc: close failed");
    CHECK(restore_file(&ctx, cmd, FT_SPEC, 060600, "/tmp/r/data/blk", "", 0, NULL, &cs) ==
          CF_EXTRACT, "block device");
    next_xattr = "PHMB-blob-of-dir";
    CHECK(restore_file(&ctx, cmd, FT_DIREND, 040755, "/tmp/r/data/", "", 0, NULL, &cs) ==
          CF_CREATED, "directory");
    CHECK(xattr_rc == bRC_OK, "XATTR restore of the directory");
    event(&ctx, bEventEndRestoreJob, NULL);
    event(&ctx, bEventJobEnd, NULL);
    pf->freePlugin(&ctx);
    read_log();

    CHECK(count_type(M_FATAL()) == 0, "restore: no fatal");
    CHECK(nmsgs == 3, "restore: 3 messages, got %d", nmsgs);
    CHECK(strstr(log_text, "/tmp/r/data/link\\x00a.txt\nF\nC XATTR\nD 17 PHMB-blob-of-link\n") != NULL,
          "symlink: FILE, F at IO_CLOSE, then C XATTR + one D");
    CHECK(strstr(log_text, "/tmp/r/data/\\x00\nC XATTR\nD 16 PHMB-blob-of-dir\nC FINISH") != NULL,
          "directory: C XATTR + one D right after its FILE");
    CHECK_LOG("C Hello podheitor-hpc 1");       /* one backend for the whole job */
    CHECK_LOG("C Type=R");
    CHECK_LOG("C Where=/tmp/r");
    CHECK_LOG("C RegexWhere=");
    CHECK_LOG("C Replace=w");
    CHECK_LOG("C Pipeline=1");
    CHECK(log_count("C Level=F") == 0, "no Level for restore");
    CHECK_LOG("C RestoreStart");
    CHECK_LOG("C FILE F 100644 1000 100 11 1700000000 1700000100 1700000200 0 0 1 0 0 0 0\\x0a"
              "/tmp/r/data/a.txt\\x00");
    CHECK(strstr(log_text, "/tmp/r/data/a.txt\\x00\nD 5 hello\nD 6  world\nF\n") != NULL,
          "a.txt data as D packets then F");
    CHECK_LOG("C FILE S 120777 1000 100 0 1700000000 1700000100 1700000200 0 0 1 0 0 0 0\\x0a"
              "/tmp/r/data/link\\x00a.txt");
    CHECK_LOG("C FILE L 100644 1000 100 0 1700000000 1700000100 1700000200 0 0 1 0 0 0 1\\x0a"
              "/tmp/r/data/hard\\x00/tmp/r/data/a.txt");
    CHECK_LOG("C FILE E 100600 1000 100 0 1700000000 1700000100 1700000200 0 0 1 0 0 0 0\\x0a"
              "/tmp/r/data/empty\\x00");
    CHECK_LOG("C FILE B 60600 1000 100 0 1700000000 1700000100 1700000200 0 0 1 0 0 0 0\\x0a"
              "/tmp/r/data/blk\\x00");
    CHECK_LOG("C FILE D 40755 1000 100 0 1700000000 1700000100 1700000200 0 0 1 0 0 0 0\\x0a"
              "/tmp/r/data/\\x00");
    CHECK_LOG("C FINISH");
    CHECK(strncmp(end_line(), "C END T ", 8) == 0, "restore: END with the status (%s)", end_line());
    CHECK_LOG("T");
    check_no_child("restore");
}


/* ---- the pipelined restore (docs/ptcomm.md §5.1) ------------------------------ */

/*
 * replace=always: createFile answers from the record's type without waiting
 * (a hard link waits for its own answer), IO_CLOSE and handleXACLdata do not
 * wait; the backend's C FAILED of a file (create, close, blob) is held and
 * posted as an error at bEventEndRestoreJob, after FINISH's F (so none is
 * lost), never before.
 */
static void test_restore_pipelined(unsigned v)
{
    bpContext ctx = { (void *)0x1, NULL };
    char cmd[PATH_MAX + 128];
    int cs, errors_before_end;

    use_version(v);
    new_log();
    reset_msgs();
    replace_char = 'a';
    setenv("PHPC_FAKE_MODE", "normal", 1);
    make_cmd(cmd, sizeof cmd, "");
    pf->newPlugin(&ctx);
    event(&ctx, bEventJobStart, "JobId=9 Job=restore");
    event(&ctx, bEventStartRestoreJob, NULL);
    CHECK(restore_file(&ctx, cmd, FT_REG, 0100644, "/tmp/r/data/a.txt", "", 0, "hello world", &cs) ==
          CF_EXTRACT && cs == 0, "v%u pipelined a.txt (close %d)", v, cs);
    next_xattr = "PHMB-blob-of-link";
    CHECK(restore_file(&ctx, cmd, FT_LNK, 0120777, "/tmp/r/data/link", "a.txt", 0, NULL, &cs) ==
          CF_EXTRACT && cs == 0 && xattr_rc == bRC_OK, "pipelined symlink + XATTR");
    next_xattr = "bad-blob";
    CHECK(restore_file(&ctx, cmd, FT_REG, 0100644, "/tmp/r/data/b.txt", "", 0, "b", &cs) == CF_EXTRACT &&
          cs == 0 && xattr_rc == bRC_OK, "pipelined: the bad blob's XATTR returns OK (its failure comes later)");
    CHECK(restore_file(&ctx, cmd, FT_LNKSAVED, 0100644, "/tmp/r/data/hard", "/tmp/r/data/a.txt", 1, NULL,
                       &cs) == CF_CREATED, "pipelined hard link: the backend's DONE");
    CHECK(restore_file(&ctx, cmd, FT_LNKSAVED, 0100644, "/tmp/r/data/hardfail", "/tmp/r/data/none", 1, NULL,
                       &cs) == CF_ERROR, "pipelined hard link that fails: CF_ERROR (the FD's own error)");
    CHECK_MSG(M_WARNING(), "podheitor-hpc: cannot create \"/tmp/r/data/hardfail\"");
    CHECK(restore_file(&ctx, cmd, FT_REG, 0100644, "/tmp/r/data/failme", "", 0, "x", &cs) == CF_EXTRACT &&
          cs == 0, "pipelined: a file that will fail is CF_EXTRACT, its data and close accepted");
    CHECK(restore_file(&ctx, cmd, FT_REG, 0100644, "/tmp/r/data/badclose", "", 0, "xyz", &cs) ==
          CF_EXTRACT && cs == 0, "pipelined: the close does not wait (%d)", cs);
    CHECK(restore_file(&ctx, cmd, FT_SPEC, 0140755, "/tmp/r/data/sock", "", 0, NULL, &cs) == CF_SKIP,
          "pipelined socket: CF_SKIP");
    next_xattr = "PHMB-blob-of-dir";
    CHECK(restore_file(&ctx, cmd, FT_DIREND, 040755, "/tmp/r/data/", "", 0, NULL, &cs) == CF_CREATED &&
          xattr_rc == bRC_OK, "pipelined directory: CF_CREATED, XATTR");
    errors_before_end = type_total[M_ERROR()];
    CHECK(errors_before_end == 0, "no error posted before bEventEndRestoreJob (%d)", errors_before_end);
    event(&ctx, bEventEndRestoreJob, NULL);
    CHECK(type_total[M_ERROR()] == 3, "3 errors posted at bEventEndRestoreJob, got %d", type_total[M_ERROR()]);
    CHECK_MSG(M_ERROR(), "podheitor-hpc: cannot create \"/tmp/r/data/failme\"");
    CHECK_MSG(M_ERROR(), "podheitor-hpc: close failed");
    CHECK_MSG(M_ERROR(), "podheitor-hpc: bad metadata blob");
    event(&ctx, bEventJobEnd, NULL);
    pf->freePlugin(&ctx);
    read_log();
    CHECK(type_total[M_FATAL()] == 0 && type_total[M_WARNING()] == 1, "pipelined: no fatal, one warning");
    CHECK_LOG("C Pipeline=1");
    CHECK_LOG("C Replace=a");
    /* nothing waited: each call's packets follow the previous call's */
    CHECK(strstr(log_text, "/tmp/r/data/a.txt\\x00\nD 5 hello\nD 6  world\nF\nC FILE S ") != NULL,
          "a.txt: FILE, D, D, F, then the next FILE");
    CHECK(strstr(log_text, "/tmp/r/data/b.txt\\x00\nD 1 b\nF\nC XATTR\nD 8 bad-blob\nC FILE L ") != NULL,
          "b.txt: F, XATTR + D, then the next FILE");
    CHECK(strstr(log_text, "/tmp/r/data/\\x00\nC XATTR\nD 16 PHMB-blob-of-dir\nC FINISH") != NULL,
          "directory: XATTR right after its FILE, then FINISH");
    CHECK(strncmp(end_line(), "C END T ", 8) == 0 && strcmp(end_line(), "C END T 0") != 0,
          "pipelined restore: END with the status and the held errors (%s)", end_line());
    CHECK_LOG("T");
    replace_char = 'w';
    check_no_child("pipelined restore");
}

/* Another replace mode: createFile waits for its own answer (the skip
 * decision), failures of earlier files that come meanwhile are held; close
 * and XACL do not wait. */
static void test_restore_pipelined_wait(void)
{
    bpContext ctx = { (void *)0x1, NULL };
    char cmd[PATH_MAX + 128];
    int cs;

    use_version(14);
    new_log();
    reset_msgs();
    replace_char = 'w';
    setenv("PHPC_FAKE_MODE", "normal", 1);
    make_cmd(cmd, sizeof cmd, "");
    pf->newPlugin(&ctx);
    event(&ctx, bEventJobStart, "JobId=9 Job=restore");
    event(&ctx, bEventStartRestoreJob, NULL);
    CHECK(restore_file(&ctx, cmd, FT_REG, 0100644, "/tmp/r/data/badclose", "", 0, "xyz", &cs) ==
          CF_EXTRACT && cs == 0, "ifnewer: OK, the close does not wait");
    CHECK(restore_file(&ctx, cmd, FT_REG, 0100644, "/tmp/r/data/skipme", "", 0, "x", &cs) == CF_SKIP,
          "ifnewer: SKIP is the backend's");
    CHECK(restore_file(&ctx, cmd, FT_REG, 0100644, "/tmp/r/data/failme", "", 0, "x", &cs) == CF_ERROR,
          "ifnewer: the file's own C FAILED -> CF_ERROR");
    CHECK_MSG(M_WARNING(), "podheitor-hpc: cannot create \"/tmp/r/data/failme\"");
    CHECK(restore_file(&ctx, cmd, FT_DIREND, 040755, "/tmp/r/data/", "", 0, NULL, &cs) == CF_CREATED,
          "ifnewer: directory DONE");
    CHECK(type_total[M_ERROR()] == 0, "the close failure is held (%d errors)", type_total[M_ERROR()]);
    event(&ctx, bEventEndRestoreJob, NULL);
    CHECK(type_total[M_ERROR()] == 1 && type_total[M_WARNING()] == 1, "1 held error, 1 warning (%d, %d)",
          type_total[M_ERROR()], type_total[M_WARNING()]);
    CHECK_MSG(M_ERROR(), "podheitor-hpc: close failed");
    event(&ctx, bEventJobEnd, NULL);
    pf->freePlugin(&ctx);
    CHECK(type_total[M_FATAL()] == 0, "ifnewer: no fatal");
    check_no_child("pipelined ifnewer restore");
}

/* The backend floods C FAILED without reading while the shim writes a large
 * file: the shim must read while its writes wait (both pipes full would
 * deadlock).  Past 10000 held failures the rest are warnings plus one count. */
static void test_restore_pipelined_flood(void)
{
    bpContext ctx = { (void *)0x1, NULL };
    char cmd[PATH_MAX + 128];
    static char big[1 << 20];
    struct timespec t0, t1;
    int cs;

    use_version(14);
    new_log();
    reset_msgs();
    replace_char = 'a';
    setenv("PHPC_FAKE_MODE", "normal", 1);
    memset(big, 'z', sizeof big - 1);
    make_cmd(cmd, sizeof cmd, ";timeout=20");
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pf->newPlugin(&ctx);
    event(&ctx, bEventJobStart, "JobId=9 Job=restore");
    event(&ctx, bEventStartRestoreJob, NULL);
    CHECK(restore_file(&ctx, cmd, FT_REG, 0100644, "/tmp/r/data/flood", "", 0, big, &cs) == CF_EXTRACT &&
          cs == 0, "flood: 1 MiB written while the backend writes 10005 failures without reading");
    CHECK(restore_file(&ctx, cmd, FT_REG, 0100644, "/tmp/r/data/after", "", 0, "x", &cs) == CF_EXTRACT &&
          cs == 0, "flood: the next file");
    event(&ctx, bEventEndRestoreJob, NULL);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK(type_total[M_ERROR()] == 10001, "10000 held errors + 1 count, got %d", type_total[M_ERROR()]);
    CHECK(type_total[M_WARNING()] == 5, "5 failures past the bound posted as warnings, got %d",
          type_total[M_WARNING()]);
    CHECK(type_total[M_FATAL()] == 0, "flood: no fatal");
    CHECK(t1.tv_sec - t0.tv_sec < 15, "flood: took %ld s", (long)(t1.tv_sec - t0.tv_sec));
    event(&ctx, bEventJobEnd, NULL);
    pf->freePlugin(&ctx);
    replace_char = 'w';
    check_no_child("flood");
}

/* The backend dies in the middle (at its second FILE record): what was sent
 * meanwhile sits in the pipe, so the shim notices when a write finds no reader
 * or a read finds EOF, at the latest once the pipe is full; from then on every
 * file is CF_ERROR, the job gets one fatal, nothing hangs, no child is left. */
static void test_restore_pipelined_backend_dies(void)
{
    bpContext ctx = { (void *)0x1, NULL };
    char cmd[PATH_MAX + 128];
    static char data[4096];
    int cs, first_error = -1, extract_after = 0, i;

    use_version(14);
    new_log();
    reset_msgs();
    replace_char = 'a';
    quiet_io = 1;
    memset(data, 'd', sizeof data - 1);
    setenv("PHPC_FAKE_MODE", "diemid", 1);
    make_cmd(cmd, sizeof cmd, "");
    pf->newPlugin(&ctx);
    event(&ctx, bEventJobStart, "JobId=9 Job=restore");
    event(&ctx, bEventStartRestoreJob, NULL);
    /* 4 KiB each: 400 files fill the 1 MiB protocol pipe (shim-c/backend.c sets its size) more than once */
    for (i = 0; i < 400; i++) {
        char name[64];
        int r;

        snprintf(name, sizeof name, "/tmp/r/data/f%d", i);
        r = restore_file(&ctx, cmd, FT_REG, 0100644, name, "", 0, data, &cs);
        if (r == CF_ERROR && first_error < 0)
            first_error = i;
        if (r != CF_ERROR && first_error >= 0)
            extract_after++;
    }
    CHECK(first_error >= 1 && first_error < 400, "the death is noticed within the pipe's worth of files (file %d)",
          first_error);
    CHECK(extract_after == 0, "every file after that is CF_ERROR (%d are not)", extract_after);
    event(&ctx, bEventEndRestoreJob, NULL);
    pf->freePlugin(&ctx);
    quiet_io = 0;
    CHECK(type_total[M_FATAL()] == 1, "one fatal, got %d", type_total[M_FATAL()]);
    CHECK(nmsgs > 0 && strstr(msgs[0].text, "backend exited unexpectedly (killed by signal 9)") != NULL,
          "the fatal names the death: %s", nmsgs > 0 ? msgs[0].text : "");
    replace_char = 'w';
    check_no_child("backend dies mid-restore");
}

static void test_restore_no_backend(void)
{
    bpContext ctx = { (void *)0x1, NULL };
    char cmd[] = "podheitor-hpc:path=/x;backend=/nonexistent/be";
    char away[PATH_MAX + 8], want[2 * PATH_MAX + 128];
    int cs;

    /* the stored backend= is ignored: the default (installed) one is missing */
    snprintf(away, sizeof away, "%s.away", backend_path);
    CHECK(rename(backend_path, away) == 0, "move the default backend away");
    use_version(14);
    reset_msgs();
    pf->newPlugin(&ctx);
    event(&ctx, bEventJobStart, "JobId=9 Job=restore");
    event(&ctx, bEventStartRestoreJob, NULL);
    /* never an error from RestoreCommand: the FD would restore the file itself */
    CHECK(restore_file(&ctx, cmd, FT_REG, 0100644, "/tmp/r/x", "", 0, "x", &cs) == CF_ERROR,
          "no backend: CF_ERROR");
    CHECK(restore_file(&ctx, cmd, FT_REG, 0100644, "/tmp/r/y", "", 0, "x", &cs) == CF_ERROR,
          "no backend: second file CF_ERROR");
    event(&ctx, bEventEndRestoreJob, NULL);
    pf->freePlugin(&ctx);
    CHECK(count_type(M_FATAL()) == 1, "no backend: one fatal, got %d", count_type(M_FATAL()));
    snprintf(want, sizeof want, "podheitor-hpc: backend \"%s\" is not executable: No such file or "
             "directory", backend_path);
    CHECK_MSG(M_FATAL(), want);
    snprintf(want, sizeof want, "podheitor-hpc: restore: ignoring backend \"/nonexistent/be\" stored "
             "with the backup; running the installed backend \"%s\"", backend_path);
    CHECK_MSG(M_WARNING(), want);
    CHECK(rename(away, backend_path) == 0, "move the default backend back");
    check_no_child("restore without backend");
}

/* ---- which backend runs (docs/security.md) ------------------------------------ */

/* copy src to dst with mode (chmod after: the umask does not apply) */
static int copy_file(const char *src, const char *dst, mode_t mode)
{
    char buf[65536];
    int in = open(src, O_RDONLY | O_CLOEXEC), out;
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

/* A restore job of two files with plugin string cmd; returns how many were
 * CF_EXTRACTed and written without error. */
static int restore_job(const char *cmd_in)
{
    bpContext ctx = { (void *)0x1, NULL };
    char cmd[PATH_MAX + 128];
    int ok = 0, cs;

    snprintf(cmd, sizeof cmd, "%s", cmd_in);
    new_log();
    reset_msgs();
    setenv("PHPC_FAKE_MODE", "normal", 1);
    pf->newPlugin(&ctx);
    event(&ctx, bEventJobStart, "JobId=9 Job=restore");
    event(&ctx, bEventStartRestoreJob, NULL);
    ok += restore_file(&ctx, cmd, FT_REG, 0100644, "/tmp/r/data/a.txt", "", 0, "hello world", &cs) ==
          CF_EXTRACT && cs == 0;
    ok += restore_file(&ctx, cmd, FT_REG, 0100644, "/tmp/r/data/b.txt", "", 0, "b", &cs) ==
          CF_EXTRACT && cs == 0;
    event(&ctx, bEventEndRestoreJob, NULL);
    if (count_type(M_FATAL()) == 0)
        event(&ctx, bEventJobEnd, NULL);
    pf->freePlugin(&ctx);
    read_log();
    return ok;
}

/* The backend a backup names runs; a restore runs the default (installed)
 * one whatever the stored plugin string says, with one warning; any backend
 * must be root's and writable by no one else. */
static void test_backend_choice(void)
{
    char cmd[2 * PATH_MAX + 128], line[PATH_MAX + 16], want[3 * PATH_MAX], sandbox[PATH_MAX + 16],
        bad[PATH_MAX + 48], baddir[PATH_MAX + 32];

    use_version(14);

    /* restore: the stored backend= names another valid backend -> the default runs */
    snprintf(cmd, sizeof cmd, "podheitor-hpc:path=/data;backend=%s", other_backend);
    CHECK(restore_job(cmd) == 2, "restore with a stored other backend: both files restored");
    snprintf(line, sizeof line, "EXEC %s", backend_path);
    CHECK_LOG(line);
    snprintf(line, sizeof line, "EXEC %s", other_backend);
    CHECK(log_count(line) == 0, "the stored backend %s did not run", other_backend);
    snprintf(want, sizeof want,
             "podheitor-hpc: restore: ignoring backend \"%s\" stored with the backup; running the "
             "installed backend \"%s\"", other_backend, backend_path);
    CHECK_MSG(M_WARNING(), want);
    CHECK(count_type(M_WARNING()) == 1 && nmsgs == 1, "one warning per restore job (%d messages)",
          nmsgs);
    check_no_child("restore with a stored other backend");

    /* restore: backend= names the default itself, or no backend= -> no warning */
    snprintf(cmd, sizeof cmd, "podheitor-hpc:path=/data;backend=%s", backend_path);
    CHECK(restore_job(cmd) == 2 && nmsgs == 0, "restore naming the default: no message (%d)", nmsgs);
    CHECK(restore_job("podheitor-hpc:path=/data") == 2 && nmsgs == 0,
          "restore without backend=: no message (%d)", nmsgs);
    snprintf(line, sizeof line, "EXEC %s", backend_path);
    CHECK_LOG(line);

    /* backup and estimate: the backend= of the Director's FileSet runs */
    new_log();
    setenv("PHPC_FAKE_MODE", "normal", 1);
    snprintf(cmd, sizeof cmd, "podheitor-hpc:path=/data;backend=%s", other_backend);
    CHECK(backup_job(cmd, 0, 'F', 0) == bRC_OK && nfiles == 8, "backup with another backend");
    snprintf(line, sizeof line, "EXEC %s", other_backend);
    CHECK_LOG(line);
    new_log();
    CHECK(backup_job(cmd, 1, 'F', 0) == bRC_OK && nfiles == 8, "estimate with another backend");
    CHECK_LOG(line);
    check_no_child("backup with another backend");

    /* a backend in a group-writable directory: refused for a backup (the job
     * fails, nothing runs), and on a restore it is not even looked at */
    snprintf(sandbox, sizeof sandbox, "%s.dirs.XXXXXX", backend_path);
    if (mkdtemp(sandbox) == NULL) {
        CHECK(0, "mkdtemp %s: %s", sandbox, strerror(errno));
        return;
    }
    chmod(sandbox, 0755);
    snprintf(baddir, sizeof baddir, "%s/gw", sandbox);
    mkdir(baddir, 0700);
    chmod(baddir, 0775);
    snprintf(bad, sizeof bad, "%s/backend", baddir);
    CHECK(copy_file(other_backend, bad, 0755) == 0, "copy to %s", bad);
    new_log();
    snprintf(cmd, sizeof cmd, "podheitor-hpc:path=/data;backend=%s", bad);
    CHECK(backup_job(cmd, 0, 'F', 1) == bRC_Error, "backup with a backend in a group-writable dir");
    snprintf(want, sizeof want,
             "podheitor-hpc: backend \"%s\" refused: directory \"%s\" is group-writable (mode 0775) "
             "(the backend runs as root: it and every directory above it must be owned by root and "
             "not writable by group or others)", bad, baddir);
    CHECK_MSG(M_FATAL(), want);
    CHECK(count_type(M_FATAL()) == 1, "one fatal");
    CHECK(access(log_path, F_OK) != 0, "nothing ran");
    check_no_child("refused backend");
    CHECK(restore_job(cmd) == 2 && count_type(M_WARNING()) == 1 && count_type(M_FATAL()) == 0,
          "restore naming it: the default runs, one warning");
    snprintf(line, sizeof line, "EXEC %s", backend_path);
    CHECK_LOG(line);

    /* the default backend itself refused: the restore fails (files CF_ERROR) */
    CHECK(chmod(backend_path, 0775) == 0, "chmod g+w the default");
    CHECK(restore_job("podheitor-hpc:path=/data") == 0, "restore with a group-writable default");
    snprintf(want, sizeof want,
             "podheitor-hpc: backend \"%s\" refused: file \"%s\" is group-writable (mode 0775) "
             "(the backend runs as root: it and every directory above it must be owned by root and "
             "not writable by group or others)", backend_path, backend_path);
    CHECK_MSG(M_FATAL(), want);
    CHECK(count_type(M_FATAL()) == 1, "one fatal");
    CHECK(chmod(backend_path, 0755) == 0, "chmod the default back");
    check_no_child("refused default");

    snprintf(cmd, sizeof cmd, "rm -rf '%s'", sandbox);
    CHECK(system(cmd) == 0, "remove %s", sandbox);
}

/* A job that never names the plugin: nothing happens. */
/* Sparse section (flag 8): FO_OFFSETS, io->offset per read; restore IO_SEEK -> C SEEK. */
static void test_sparse(unsigned v)     /* v21+: the restore packet's v21 layout */
{
    char cmd[PATH_MAX + 128];
    bpContext ctx = { (void *)0x1, NULL };
    struct io_pkt io;
    union restore_pkt u;

    use_version(v);
    new_log();
    setenv("PHPC_FAKE_MODE", "sparse", 1);
    CHECK(backup_job(make_cmd(cmd, sizeof cmd, ""), 0, 'F', 0) == bRC_OK, "sparse backup");
    CHECK(nfiles == 3, "sparse: 3 files, got %d", nfiles);
    CHECK(files[0].flags & (1ULL << 30), "sparse: FO_OFFSETS set (flags %llx)", (unsigned long long)files[0].flags);
    CHECK(!(files[1].flags & (1ULL << 30)), "dense: no FO_OFFSETS");
    CHECK(files[0].len == 7 && memcmp(files[0].data, "abcxyzw", 7) == 0, "sparse data bytes");
    CHECK(files[0].noff == 2 && files[0].offsets[0] == 4096 && files[0].offsets[1] == 8589934592LL,
          "sparse offsets %d %lld %lld", files[0].noff, files[0].offsets[0], files[0].offsets[1]);
    CHECK(files[0].xattr_count == 1, "sparse: the blob still follows");
    CHECK(files[1].len == 2 && memcmp(files[1].data, "d1", 2) == 0, "dense file after a sparse one");
    check_no_child("sparse backup");

    /* restore: IO_SEEK becomes "C SEEK <offset>" before the next write */
    new_log();
    reset_msgs();
    setenv("PHPC_FAKE_MODE", "normal", 1);
    make_cmd(cmd, sizeof cmd, "");
    pf->newPlugin(&ctx);
    event(&ctx, bEventJobStart, "JobId=9 Job=restore");
    event(&ctx, bEventStartRestoreJob, NULL);
    event(&ctx, bEventRestoreCommand, cmd);
    pf->startRestoreFile(&ctx, cmd);
    memset(&u, 0, sizeof u);
    u.b.pkt_size = u.b.pkt_end = sizeof u.b;
    u.b.type = FT_REG; u.b.ofname = "/tmp/r/sparse"; u.b.olname = ""; u.b.where = where;
    u.b.replace = 'w'; u.b.create_status = CF_ERROR;
    u.b.statp.st_mode = 0100644;
    u.b.statp.st_size = 8589934596LL;
    CHECK(pf->createFile(&ctx, &u) == bRC_OK && u.b.create_status == CF_EXTRACT, "sparse createFile");
    memset(&io, 0, sizeof io);
    io.func = IO_OPEN;
    io.fname = "/tmp/r/sparse";
    pf->pluginIO(&ctx, &io);
    io.func = IO_SEEK;
    io.offset = 8589934592LL;
    io.whence = SEEK_SET;
    CHECK(pf->pluginIO(&ctx, &io) == bRC_OK && io.status == 0 && io.offset == 8589934592LL, "IO_SEEK");
    io.func = IO_SEEK;
    io.offset = 5;
    io.whence = SEEK_CUR;
    CHECK(pf->pluginIO(&ctx, &io) == bRC_Error && io.io_errno == EINVAL, "IO_SEEK SEEK_CUR refused");
    io.func = IO_WRITE;
    io.buf = "xyzw";
    io.count = 4;
    CHECK(pf->pluginIO(&ctx, &io) == bRC_OK && io.status == 4, "write after seek");
    io.func = IO_CLOSE;
    CHECK(pf->pluginIO(&ctx, &io) == bRC_OK && io.status == 0, "close after seek");
    pf->endRestoreFile(&ctx);
    event(&ctx, bEventEndRestoreJob, NULL);
    event(&ctx, bEventJobEnd, NULL);
    pf->freePlugin(&ctx);
    read_log();
    CHECK(strstr(log_text, "C SEEK 8589934592\nD 4 xyzw\nF\n") != NULL, "C SEEK before the data");
    CHECK(count_type(M_FATAL()) == 0 && count_type(M_ERROR()) == 0, "sparse restore: no errors");
    check_no_child("sparse restore");
}

/* Open descriptors of this process (none may leak from a handoff). */
static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;

    if (d == NULL)
        return -1;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n - 1;                       /* the directory's own descriptor */
}

/* Bytes i * mul of a fake_backend temp_file. */
static int pattern_is(const unsigned char *p, size_t n, unsigned mul)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(i * mul))
            return 0;
    return 1;
}

/*
 * Sections handed off (docs/ptcomm.md §4.1c): the descriptors come over the
 * handoff socket through real sockets and pipes, the shim reads the files
 * into the FD's buffer (exact bytes, reads bounded by count, the last one
 * short), a file whose size differs from its record gets the warning, one
 * the FD stops reading or never reads is closed, and no descriptor leaks.
 */
static void test_handoff(unsigned v, int32_t count)
{
    char cmd[PATH_MAX + 128];
    int fds0 = count_fds();

    use_version(v);
    new_log();
    io_count = count;
    setenv("PHPC_FAKE_MODE", "handoff", 1);
    CHECK(backup_job(make_cmd(cmd, sizeof cmd, ""), 0, 'F', 0) == bRC_OK, "handoff v%u: BackupCommand", v);
    io_count = 65536;
    CHECK_LOG("C Handoff=4");
    CHECK(nfiles == 6, "handoff: 6 files, got %d", nfiles);
    if (nfiles != 6) {
        dump_msgs();
        return;
    }
    CHECK(strcmp(files[0].fname, "/data/big1") == 0 && files[0].len == 300000 &&
          pattern_is(files[0].data, 300000, 13) && !files[0].read_error,
          "big1: %zu bytes, exact, no error (%d)", files[0].len, files[0].read_error);
    CHECK(files[0].max_read <= (size_t)count && files[0].max_read > 0, "big1: reads bounded by count %d (max %zu)",
          count, files[0].max_read);
    CHECK(files[0].xattr_count == 1 && files[0].end_rc == bRC_More, "big1: its blob after the handoff");
    CHECK(files[1].len == 3 && memcmp(files[1].data, "abc", 3) == 0, "small: D packets between handoffs");
    CHECK(files[2].len == 2000 && pattern_is(files[2].data, 2000, 3), "grown: the 2000 bytes there (%zu)",
          files[2].len);
    CHECK_MSG(M_WARNING(), "podheitor-hpc: \"/data/grown\" changed while being saved: size 1000 when listed, "
                           "2000 bytes read");
    CHECK(files[3].len >= 65536 && files[3].len < 65536 + (size_t)count && files[3].len < 200000 &&
          pattern_is(files[3].data, files[3].len, 5) && files[3].xattr_count == 1,
          "stopearly: 64 KiB and less than one more read, then closed (%zu)", files[3].len);
    CHECK(files[4].len == 0 && files[4].xattr_count == 1, "noio: never read, its blob still follows");
    CHECK(files[5].type == FT_DIREND && files[5].end_rc == bRC_OK, "the directory last");
    CHECK_MSG(M_WARNING(), "podheitor-hpc: 1 files handed off to the shim changed while being saved");
    CHECK(count_type(M_FATAL()) == 0 && count_type(M_ERROR()) == 0 && count_type(M_WARNING()) == 2,
          "handoff: the file's warning and the closing count, no errors");
    CHECK_END("C END T 0");
    CHECK(count_fds() == fds0, "handoff: no descriptor left open (%d, before %d)", count_fds(), fds0);
    check_no_child("handoff");
}

/* A backend that breaks the handoff rules fails the job (one protocol error),
 * never the FD; the descriptors it sent are all closed. */
static void test_handoff_failures(void)
{
    static const char *const modes[][2] = {
        { "handoff_nofd", "podheitor-hpc: protocol error: 'H' packet without a descriptor on the handoff socket "
                          "while sending file \"/data/big1\"" },
        { "handoff_twofds", "podheitor-hpc: protocol error: bad handoff message (2 descriptors, 8 bytes; want 1 "
                            "descriptor and 8 bytes) while sending file \"/data/big1\"" },
        { "handoff_nodesc", "podheitor-hpc: protocol error: bad handoff message (0 descriptors, 8 bytes; want 1 "
                            "descriptor and 8 bytes) while sending file \"/data/big1\"" },
        { "handoff_long", "podheitor-hpc: protocol error: bad handoff message (1 descriptors, 9 bytes; want 1 "
                          "descriptor and 8 bytes) while sending file \"/data/big1\"" },
        { "handoff_badtag", "podheitor-hpc: protocol error: handoff message and 'H' packet do not match while "
                            "sending file \"/data/big1\"" },
        { "handoff_notreg", "podheitor-hpc: protocol error: the handed-off descriptor is not a regular file "
                            "while sending file \"/data/big1\"" },
        { "handoff_sparse", "podheitor-hpc: protocol error: unexpected 'H' packet from backend while sending "
                            "file \"/data/big1\"" },
    };
    int fds0 = count_fds();

    for (size_t i = 0; i < sizeof modes / sizeof modes[0]; i++) {
        test_failure(modes[i][0], "", bRC_OK, modes[i][1]);
        CHECK(nfiles == 1 && files[0].read_error && files[0].len == 0, "%s: a read error, no bytes", modes[i][0]);
    }
    /* the backend dies after handing a file off: the file is read to its end
     * (the FD never depends on the backend for it), then the job fails */
    test_failure("handoff_die", "", bRC_OK,
                 "podheitor-hpc: backend exited unexpectedly (killed by signal 9) while sending file "
                 "\"/data/big1\"");
    CHECK(nfiles == 1 && files[0].len == 300000 && pattern_is(files[0].data, 300000, 13) && !files[0].read_error,
          "handoff_die: the handed-off file read whole (%zu bytes)", nfiles == 1 ? files[0].len : 0);
    CHECK(count_fds() == fds0, "handoff failures: no descriptor left open (%d, before %d)", count_fds(), fds0);
}

static void test_idle_job(void)
{
    bpContext ctx = { (void *)0x1, NULL };

    use_version(14);
    reset_msgs();
    new_log();
    pf->newPlugin(&ctx);
    event(&ctx, bEventJobStart, "JobId=10 Job=other");
    event(&ctx, bEventLevel, (void *)(intptr_t)'F');
    event(&ctx, bEventEndFileSet, NULL);
    event(&ctx, bEventStartBackupJob, NULL);
    event(&ctx, bEventEndBackupJob, NULL);
    event(&ctx, bEventJobEnd, NULL);
    CHECK(pf->checkFile(&ctx, "/etc/passwd") == bRC_OK, "checkFile");
    pf->freePlugin(&ctx);
    CHECK(nmsgs == 0, "idle job: no messages");
    CHECK(access(log_path, F_OK) != 0, "idle job: no backend started");
    check_no_child("idle job");
}

int main(int argc, char **argv)
{
    char so_path[PATH_MAX], be[PATH_MAX];
    const char *build = argc > 1 ? argv[1] : "build";
    void *so;

    fd_signals();
    snprintf(so_path, sizeof so_path, "%s/test/podheitor-hpc-fd-test.so", build);
    snprintf(be, sizeof be, "%s/test/fake_backend", build);
    if (realpath(be, other_backend) == NULL || realpath(so_path, be) == NULL) {
        fprintf(stderr, "fake_fd: %s or %s missing\n", be, so_path);
        return 1;
    }
    /* the test plugin's default backend: a fresh copy of fake_backend */
    snprintf(backend_path, sizeof backend_path, "%s", PHPC_TEST_DEFAULT_BACKEND);
    unlink(backend_path);
    if (copy_file(other_backend, backend_path, 0755) != 0) {
        fprintf(stderr, "fake_fd: cannot copy %s to %s: %s\n", other_backend, backend_path,
                strerror(errno));
        return 1;
    }
    snprintf(log_path, sizeof log_path, "/tmp/phpc-fake-log.%d", (int)getpid());
    so = dlopen(be, RTLD_NOW);          /* as the FD does (docs/abi.md §1.1) */
    if (so == NULL) {
        fprintf(stderr, "fake_fd: %s\n", dlerror());
        return 1;
    }
    load_plugin = (load_fn)(uintptr_t)dlsym(so, "loadPlugin");
    unload_plugin = (unload_fn)(uintptr_t)dlsym(so, "unloadPlugin");
    CHECK(load_plugin && unload_plugin, "exports");
    if (!load_plugin || !unload_plugin)
        return check_done("fake_fd");

    bfuncs.registerBaculaEvents = fd_register;
    bfuncs.getBaculaValue = fd_get;
    bfuncs.setBaculaValue = fd_setvalue;
    bfuncs.checkChanges = fd_check_changes;
    bfuncs.AcceptFile = fd_accept_file;
    bfuncs.JobMessage = fd_jobmsg;
    bfuncs.DebugMessage = fd_debugmsg;

    test_load();
    test_normal_backup(14);
    test_incremental_and_estimate();
    test_early_spawn();
    test_accurate(14);
    test_accurate(23);
    test_changelog_deletions(14);
    test_end_status();
    test_changelog_deletions(23);
    test_failures();
    test_unreapable_backend();
    test_cancel();
    test_normal_backup(14);             /* a fresh backend after all the failures */
    test_normal_backup(21);
    test_normal_backup(22);
    test_normal_backup(23);
    test_restore(14);
    test_restore(21);
    test_restore(22);
    test_restore(23);
    test_restore_pipelined(14);
    test_restore_pipelined(22);
    test_restore_pipelined(23);
    test_restore_pipelined_wait();
    test_restore_pipelined_flood();
    test_restore_pipelined_backend_dies();
    test_restore_no_backend();
    test_backend_choice();
    test_sparse(22);
    test_sparse(23);
    test_handoff(14, 65536);
    test_handoff(23, 7001);
    test_handoff_failures();
    test_fileset_filter(14, 0);
    test_fileset_filter(22, 0);
    test_fileset_filter(21, 1);
    test_fileset_filter(23, 0);
    test_fileset_filter(23, 1);
    test_fileset_filter_fallbacks();
    test_fileset_filter_accurate();
    test_idle_job();

    CHECK(unload_plugin() == bRC_OK, "unloadPlugin");
    dlclose(so);
    clear_files();
    free(log_text);
    unlink(log_path);
    CHECK(unterminated_msgs == 0, "every job message ends in exactly one newline");
    return check_done("fake_fd");
}
