/*
 * abi.h - independent declarations of the bacula-fd plugin ABI.
 *
 * Written from the field lists documented in docs/abi.md (cited below as
 * "docs/abi.md §N"); no Bacula source code was copied.  One .so serves the
 * interface versions 14 (Bacula 9.6), 21 (11.0), 22 (13.0) and 23 (15.0), so the
 * structures whose layout changed between versions are declared once per
 * version (suffix 14/21/22/23) and the code picks the right one at run time.
 *
 * x86-64 / glibc only: every layout below is pinned by _Static_assert against
 * the offsets tabulated in docs/abi.md §2 and §6.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef PHPC_ABI_H
#define PHPC_ABI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* ---- common types (docs/abi.md §2.1) --------------------------------- */

typedef enum {
    bRC_OK = 0,     /* success; from endBackupFile: "no more files" */
    bRC_Stop = 1,
    bRC_Error = 2,
    bRC_More = 3,   /* endBackupFile: another file follows */
    bRC_Term = 4,
    bRC_Seen = 5,
    bRC_Core = 6,
    bRC_Skip = 7,
    bRC_Cancel = 8,
    bRC_Max = 9999
} bRC;

typedef struct bpContext {
    void *bContext;     /* owned by the FD, never touched */
    void *pContext;     /* ours: struct phpc_ctx * */
} bpContext;

typedef struct bEvent {
    uint32_t eventType;
} bEvent;

typedef struct bInfo {
    uint32_t size;      /* 8 */
    uint32_t version;   /* FD_PLUGIN_INTERFACE_VERSION: 14, 21, 22 or 23 */
} bInfo;

typedef struct pInfo {
    uint32_t size;      /* must be sizeof(pInfo) == 56 (docs/abi.md §1.3) */
    uint32_t version;   /* must equal bInfo.version exactly (docs/abi.md §1.3) */
    const char *plugin_magic;
    const char *plugin_license;
    const char *plugin_author;
    const char *plugin_date;
    const char *plugin_version;
    const char *plugin_description;
} pInfo;

typedef enum { pVarName = 1, pVarDescription = 2 } pVariable;

typedef int64_t utime_t;
typedef off_t boffset_t;

/* Interface versions we serve (docs/abi.md §0.2, §1.4, §10). */
#define PHPC_ABI_V14 14
#define PHPC_ABI_V21 21
#define PHPC_ABI_V22 22
#define PHPC_ABI_V23 23

#define PHPC_PLUGIN_MAGIC "*FDPluginData*"

/* ---- events (docs/abi.md §3.1; identical in v14/v21/v22; v23 adds 27, 28 §10.6) */

enum {
    bEventJobStart = 1,
    bEventJobEnd = 2,
    bEventStartBackupJob = 3,
    bEventEndBackupJob = 4,
    bEventStartRestoreJob = 5,
    bEventEndRestoreJob = 6,
    bEventStartVerifyJob = 7,
    bEventEndVerifyJob = 8,
    bEventBackupCommand = 9,
    bEventRestoreCommand = 10,
    bEventEstimateCommand = 11,
    bEventLevel = 12,
    bEventSince = 13,
    bEventCancelCommand = 14,
    bEventRestoreObject = 18,
    bEventEndFileSet = 19,
    bEventPluginCommand = 20,
    bEventHandleBackupFile = 24,
    bEventComponentInfo = 25,
    bEventFeatures = 26,    /* v21+ only */
    bEventVerifyStream = 27,    /* v23: only for a plugin that registered it; never sent to us */
    bEventPluginOptions = 28    /* v23: an option string from the FD's own configuration; ignored */
};

/* ---- constants (docs/abi.md §6.7) ------------------------------------ */

enum { IO_OPEN = 1, IO_READ = 2, IO_WRITE = 3, IO_CLOSE = 4, IO_SEEK = 5 };
enum { BACL_BACKUP = 1, BACL_RESTORE = 2, BXATTR_BACKUP = 3, BXATTR_RESTORE = 4 };
enum { CF_SKIP = 1, CF_ERROR = 2, CF_EXTRACT = 3, CF_CREATED = 4, CF_CORE = 5 };

enum {
    FT_LNKSAVED = 1,    /* hard link to a file already saved */
    FT_REGE = 2,        /* regular, empty */
    FT_REG = 3,
    FT_LNK = 4,         /* symlink */
    FT_DIREND = 5,      /* directory, saved after its contents */
    FT_SPEC = 6,        /* char/block device, socket */
    FT_RAW = 16,
    FT_FIFO = 17
};

/*
 * bVariable ids and M_* message types are renumbered between versions
 * (docs/abi.md §5.1, §5.3).  The code never uses these numbers directly; it goes
 * through phpc_var_id() / phpc_msg_type() (msg.c), which index the tables
 * below by version.
 */
typedef int bVariable;

/* ---- callback table the FD gives us (docs/abi.md §2.2) ---------------- */

struct save_pkt14;  /* the FD passes a version-specific save_pkt; we only  */
                    /* declare the pointer type here (checkChanges etc.)   */

typedef struct bFuncs {
    uint32_t size;      /* 144 (v14/v21), 152 (v22) or 168 (v23) */
    uint32_t version;
    bRC (*registerBaculaEvents)(bpContext *ctx, ...);
    bRC (*getBaculaValue)(bpContext *ctx, bVariable var, void *value);
    bRC (*setBaculaValue)(bpContext *ctx, bVariable var, void *value);
    bRC (*JobMessage)(bpContext *ctx, const char *file, int line, int type,
                      utime_t mtime, const char *fmt, ...);
    bRC (*DebugMessage)(bpContext *ctx, const char *file, int line, int level,
                        const char *fmt, ...);
    void *(*baculaMalloc)(bpContext *ctx, const char *file, int line, size_t size);
    void (*baculaFree)(bpContext *ctx, const char *file, int line, void *mem);
    bRC (*AddExclude)(bpContext *ctx, const char *file);
    bRC (*AddInclude)(bpContext *ctx, const char *file);
    bRC (*AddOptions)(bpContext *ctx, const char *opts);
    bRC (*AddRegex)(bpContext *ctx, const char *item, int type);
    bRC (*AddWild)(bpContext *ctx, const char *item, int type);
    bRC (*NewOptions)(bpContext *ctx);
    bRC (*NewInclude)(bpContext *ctx);
    bRC (*NewPreInclude)(bpContext *ctx);
    bRC (*checkChanges)(bpContext *ctx, void *sp);
    bRC (*AcceptFile)(bpContext *ctx, void *sp);
    bRC (*getAccurateAttribs)(bpContext *ctx, void *att);   /* v22+: only valid */
                                    /* when size >= 152, never read else */
    bRC (*AddPlugin)(bpContext *ctx, const char *cmd);      /* v23 (size 168): */
    bRC (*AddFileEvent)(bpContext *ctx, void *fileevent);   /* never called */
} bFuncs;

/* ---- packets (docs/abi.md §6) ------------------------------------------- */

/* save_pkt, v14 (Bacula 9.6): 240 bytes */
struct save_pkt14 {
    int32_t pkt_size;
    char *fname;
    char *link;
    struct stat statp;
    int32_t type;
    uint64_t flags;
    bool no_read;
    bool portable;
    bool accurate_found;
    char *cmd;
    uint32_t delta_seq;
    char *object_name;
    char *object;
    int32_t object_len;
    int32_t index;
    int32_t LinkFI;
    int32_t pkt_end;
};

/* save_pkt, v21 (Bacula 11.0): 256 bytes */
struct save_pkt21 {
    int32_t pkt_size;
    char *fname;
    char *snap_fname;
    int32_t plugin_mode;
    char *link;
    struct stat statp;
    int32_t type;
    uint64_t flags;
    bool no_read;
    bool portable;
    bool accurate_found;
    bool do_dedup;
    char *cmd;
    uint32_t delta_seq;
    char *object_name;
    char *object;
    int32_t object_len;
    int32_t index;
    int32_t LinkFI;
    int32_t pkt_end;
};

/* v22 sub-structures of save_pkt */
struct phpc_restore_object22 {      /* 32 bytes */
    char *object_name;
    char *object;
    int32_t object_len;
    int32_t index;
    int32_t object_compression;
};

struct phpc_plugin_object22 {       /* 72 bytes */
    char *path;
    char *plugin_name;
    char *object_category;
    char *object_type;
    char *object_name;
    char *object_source;
    char *object_uuid;
    uint64_t object_size;
    int32_t status;
    uint32_t count;
};

/* save_pkt, v22 (Bacula 13.0 / master): 344 bytes */
struct save_pkt22 {
    int32_t pkt_size;
    char *fname;
    char *snap_fname;
    int32_t plugin_mode;
    char *link;
    struct stat statp;
    int32_t type;
    uint64_t flags;
    bool no_read;
    bool portable;
    bool accurate_found;
    bool do_dedup;
    char *cmd;
    struct phpc_restore_object22 restore_obj;
    struct phpc_plugin_object22 plugin_obj;
    const void *plug_meta;      /* C++ object; we leave it NULL */
    uint32_t delta_seq;
    int32_t LinkFI;
    int32_t pkt_end;
};

/* save_pkt, v23 (Bacula 15.0): 344 bytes, v22's layout plus stat_update in
 * former padding after do_dedup (docs/abi.md §10.5).  The FD zeroes the packet
 * before startBackupFile, and the shim never sets stat_update (it stays false:
 * every entry is a complete one, attributes and data). */
struct save_pkt23 {
    int32_t pkt_size;
    char *fname;
    char *snap_fname;
    int32_t plugin_mode;
    char *link;
    struct stat statp;
    int32_t type;
    uint64_t flags;
    bool no_read;
    bool portable;
    bool accurate_found;
    bool do_dedup;
    bool stat_update;           /* v23: "only the metadata changed"; left false */
    char *cmd;
    struct phpc_restore_object22 restore_obj;
    struct phpc_plugin_object22 plugin_obj;
    const void *plug_meta;
    uint32_t delta_seq;
    int32_t LinkFI;
    int32_t pkt_end;
};

/* restore_pkt, v14: 232 bytes */
struct restore_pkt14 {
    int32_t pkt_size;
    int32_t stream;
    int32_t data_stream;
    int32_t type;
    int32_t file_index;
    int32_t LinkFI;
    uid_t uid;
    struct stat statp;
    const char *attrEx;
    const char *ofname;
    const char *olname;
    const char *where;
    const char *RegexWhere;
    int replace;
    int create_status;
    uint32_t delta_seq;
    int32_t pkt_end;
};

/* restore_pkt, v21, v22 and v23: 232 bytes; plugin_mode is uninitialised in
 * createFile (docs/abi.md §6.4, §10.5) and never read. */
struct restore_pkt21 {
    int32_t pkt_size;
    int32_t plugin_mode;
    int32_t stream;
    int32_t data_stream;
    int32_t type;
    int32_t file_index;
    int32_t LinkFI;
    uid_t uid;
    struct stat statp;
    const char *attrEx;
    const char *ofname;
    const char *olname;
    const char *where;
    const char *RegexWhere;
    int replace;
    int create_status;
    uint32_t delta_seq;
    int32_t pkt_end;
};

/* Same in every version. */
struct io_pkt {                 /* 72 bytes */
    int32_t pkt_size;
    int32_t func;
    int32_t count;
    int32_t flags;
    mode_t mode;
    char *buf;
    const char *fname;
    int32_t status;
    int32_t io_errno;
    int32_t lerror;
    int32_t whence;
    boffset_t offset;
    bool win32;
    int32_t pkt_end;
};

struct xacl_pkt {               /* 32 bytes */
    int32_t pkt_size;
    int32_t func;
    int32_t count;
    char *content;
    int32_t pkt_end;
};

struct stream_pkt {             /* 12 bytes */
    int32_t pkt_size;
    int32_t stream;
    int32_t pkt_end;
};

/* ---- the table of our entry points (docs/abi.md §2.3) ----------------- */

typedef bRC (*phpc_fn_ctx)(bpContext *ctx);
typedef bRC (*phpc_fn_value)(bpContext *ctx, pVariable var, void *value);
typedef bRC (*phpc_fn_event)(bpContext *ctx, bEvent *event, void *value);
typedef bRC (*phpc_fn_pkt)(bpContext *ctx, void *pkt);
typedef bRC (*phpc_fn_str)(bpContext *ctx, const char *cmd);
typedef bRC (*phpc_fn_fname)(bpContext *ctx, char *fname);
typedef bRC (*phpc_fn_io)(bpContext *ctx, struct io_pkt *io);
typedef bRC (*phpc_fn_xacl)(bpContext *ctx, struct xacl_pkt *xacl);
typedef bRC (*phpc_fn_stream)(bpContext *ctx, struct stream_pkt *sp);

/* The first 120 bytes are common to every version. */
#define PHPC_PFUNCS_COMMON                                                   \
    uint32_t size;                                                           \
    uint32_t version;                                                        \
    phpc_fn_ctx newPlugin;                                                   \
    phpc_fn_ctx freePlugin;                                                  \
    phpc_fn_value getPluginValue;                                            \
    phpc_fn_value setPluginValue;                                            \
    phpc_fn_event handlePluginEvent;                                         \
    phpc_fn_pkt startBackupFile;        /* save_pkt14/21/22/23 * */          \
    phpc_fn_ctx endBackupFile;                                               \
    phpc_fn_str startRestoreFile;                                            \
    phpc_fn_ctx endRestoreFile;                                              \
    phpc_fn_io pluginIO;                                                     \
    phpc_fn_pkt createFile;             /* restore_pkt14/21 * */             \
    phpc_fn_pkt setFileAttributes;      /* restore_pkt14/21 * */             \
    phpc_fn_fname checkFile;                                                 \
    phpc_fn_xacl handleXACLdata;

typedef struct pFuncs14 {       /* 128 bytes */
    PHPC_PFUNCS_COMMON
    phpc_fn_stream checkStream;         /* +120 in v14 */
} pFuncs14;

typedef struct pFuncs21 {       /* 144 bytes */
    PHPC_PFUNCS_COMMON
    phpc_fn_pkt restoreFileList;        /* +120 in v21+ (restore_filelist_pkt *) */
    phpc_fn_stream checkStream;         /* +128 */
    phpc_fn_pkt queryParameter;         /* +136 (query_pkt *) */
} pFuncs21;

typedef struct pFuncs22 {       /* 152 bytes */
    PHPC_PFUNCS_COMMON
    phpc_fn_pkt restoreFileList;
    phpc_fn_stream checkStream;
    phpc_fn_pkt queryParameter;
    phpc_fn_pkt metadataRestore;        /* +144 (meta_pkt *) */
} pFuncs22;

typedef struct pFuncs23 {       /* 168 bytes (docs/abi.md §10.4) */
    PHPC_PFUNCS_COMMON
    phpc_fn_pkt restoreFileList;
    phpc_fn_stream checkStream;
    phpc_fn_pkt queryParameter;
    phpc_fn_pkt metadataRestore;
    phpc_fn_pkt startVerifyFile;        /* +152 (restore_pkt *): NULL, we never */
    phpc_fn_ctx endVerifyFile;          /* +160   register bEventVerifyStream */
} pFuncs23;

/* ---- layout pins (docs/abi.md §2, §6; x86-64 glibc) -------------------- */

#if defined(__x86_64__) && defined(__linux__)
#define PHPC_PIN(T, f, off) _Static_assert(offsetof(T, f) == (off), #T "." #f)
#define PHPC_SIZE(T, n) _Static_assert(sizeof(T) == (n), "sizeof " #T)

PHPC_SIZE(struct stat, 144);
PHPC_PIN(struct stat, st_dev, 0);
PHPC_PIN(struct stat, st_ino, 8);
PHPC_PIN(struct stat, st_nlink, 16);
PHPC_PIN(struct stat, st_mode, 24);
PHPC_PIN(struct stat, st_uid, 28);
PHPC_PIN(struct stat, st_gid, 32);
PHPC_PIN(struct stat, st_rdev, 40);
PHPC_PIN(struct stat, st_size, 48);
PHPC_PIN(struct stat, st_blksize, 56);
PHPC_PIN(struct stat, st_blocks, 64);
PHPC_PIN(struct stat, st_atim, 72);
PHPC_PIN(struct stat, st_mtim, 88);
PHPC_PIN(struct stat, st_ctim, 104);

PHPC_SIZE(bRC, 4);
PHPC_SIZE(bpContext, 16);
PHPC_SIZE(bEvent, 4);
PHPC_SIZE(bInfo, 8);
PHPC_SIZE(pInfo, 56);
PHPC_PIN(pInfo, plugin_magic, 8);
PHPC_PIN(pInfo, plugin_license, 16);
PHPC_PIN(pInfo, plugin_description, 48);

PHPC_SIZE(bFuncs, 168);     /* the FD's table is 144 (v14/v21), 152 (v22) or */
PHPC_PIN(bFuncs, getBaculaValue, 16);   /* 168 (v23): a slot past its size */
PHPC_PIN(bFuncs, JobMessage, 32);       /* is never read */
PHPC_PIN(bFuncs, DebugMessage, 40);
PHPC_PIN(bFuncs, checkChanges, 128);
PHPC_PIN(bFuncs, AcceptFile, 136);
PHPC_PIN(bFuncs, getAccurateAttribs, 144);
PHPC_PIN(bFuncs, AddPlugin, 152);
PHPC_PIN(bFuncs, AddFileEvent, 160);

PHPC_SIZE(struct save_pkt14, 240);
PHPC_PIN(struct save_pkt14, fname, 8);
PHPC_PIN(struct save_pkt14, link, 16);
PHPC_PIN(struct save_pkt14, statp, 24);
PHPC_PIN(struct save_pkt14, type, 168);
PHPC_PIN(struct save_pkt14, flags, 176);
PHPC_PIN(struct save_pkt14, no_read, 184);
PHPC_PIN(struct save_pkt14, portable, 185);
PHPC_PIN(struct save_pkt14, accurate_found, 186);
PHPC_PIN(struct save_pkt14, cmd, 192);
PHPC_PIN(struct save_pkt14, delta_seq, 200);
PHPC_PIN(struct save_pkt14, object_name, 208);
PHPC_PIN(struct save_pkt14, object, 216);
PHPC_PIN(struct save_pkt14, object_len, 224);
PHPC_PIN(struct save_pkt14, index, 228);
PHPC_PIN(struct save_pkt14, LinkFI, 232);
PHPC_PIN(struct save_pkt14, pkt_end, 236);

PHPC_SIZE(struct save_pkt21, 256);
PHPC_PIN(struct save_pkt21, fname, 8);
PHPC_PIN(struct save_pkt21, snap_fname, 16);
PHPC_PIN(struct save_pkt21, plugin_mode, 24);
PHPC_PIN(struct save_pkt21, link, 32);
PHPC_PIN(struct save_pkt21, statp, 40);
PHPC_PIN(struct save_pkt21, type, 184);
PHPC_PIN(struct save_pkt21, flags, 192);
PHPC_PIN(struct save_pkt21, no_read, 200);
PHPC_PIN(struct save_pkt21, portable, 201);
PHPC_PIN(struct save_pkt21, accurate_found, 202);
PHPC_PIN(struct save_pkt21, do_dedup, 203);
PHPC_PIN(struct save_pkt21, cmd, 208);
PHPC_PIN(struct save_pkt21, delta_seq, 216);
PHPC_PIN(struct save_pkt21, object_name, 224);
PHPC_PIN(struct save_pkt21, object, 232);
PHPC_PIN(struct save_pkt21, object_len, 240);
PHPC_PIN(struct save_pkt21, index, 244);
PHPC_PIN(struct save_pkt21, LinkFI, 248);
PHPC_PIN(struct save_pkt21, pkt_end, 252);

PHPC_SIZE(struct phpc_restore_object22, 32);
PHPC_PIN(struct phpc_restore_object22, object_len, 16);
PHPC_PIN(struct phpc_restore_object22, index, 20);
PHPC_PIN(struct phpc_restore_object22, object_compression, 24);
PHPC_SIZE(struct phpc_plugin_object22, 72);
PHPC_PIN(struct phpc_plugin_object22, object_uuid, 48);
PHPC_PIN(struct phpc_plugin_object22, object_size, 56);
PHPC_PIN(struct phpc_plugin_object22, status, 64);
PHPC_PIN(struct phpc_plugin_object22, count, 68);

PHPC_SIZE(struct save_pkt22, 344);
PHPC_PIN(struct save_pkt22, fname, 8);
PHPC_PIN(struct save_pkt22, snap_fname, 16);
PHPC_PIN(struct save_pkt22, plugin_mode, 24);
PHPC_PIN(struct save_pkt22, link, 32);
PHPC_PIN(struct save_pkt22, statp, 40);
PHPC_PIN(struct save_pkt22, type, 184);
PHPC_PIN(struct save_pkt22, flags, 192);
PHPC_PIN(struct save_pkt22, no_read, 200);
PHPC_PIN(struct save_pkt22, portable, 201);
PHPC_PIN(struct save_pkt22, accurate_found, 202);
PHPC_PIN(struct save_pkt22, do_dedup, 203);
PHPC_PIN(struct save_pkt22, cmd, 208);
PHPC_PIN(struct save_pkt22, restore_obj, 216);
PHPC_PIN(struct save_pkt22, plugin_obj, 248);
PHPC_PIN(struct save_pkt22, plug_meta, 320);
PHPC_PIN(struct save_pkt22, delta_seq, 328);
PHPC_PIN(struct save_pkt22, LinkFI, 332);
PHPC_PIN(struct save_pkt22, pkt_end, 336);

PHPC_SIZE(struct save_pkt23, 344);
PHPC_PIN(struct save_pkt23, fname, 8);
PHPC_PIN(struct save_pkt23, link, 32);
PHPC_PIN(struct save_pkt23, statp, 40);
PHPC_PIN(struct save_pkt23, type, 184);
PHPC_PIN(struct save_pkt23, flags, 192);
PHPC_PIN(struct save_pkt23, no_read, 200);
PHPC_PIN(struct save_pkt23, portable, 201);
PHPC_PIN(struct save_pkt23, accurate_found, 202);
PHPC_PIN(struct save_pkt23, do_dedup, 203);
PHPC_PIN(struct save_pkt23, stat_update, 204);
PHPC_PIN(struct save_pkt23, cmd, 208);
PHPC_PIN(struct save_pkt23, restore_obj, 216);
PHPC_PIN(struct save_pkt23, plugin_obj, 248);
PHPC_PIN(struct save_pkt23, plug_meta, 320);
PHPC_PIN(struct save_pkt23, delta_seq, 328);
PHPC_PIN(struct save_pkt23, LinkFI, 332);
PHPC_PIN(struct save_pkt23, pkt_end, 336);

PHPC_SIZE(struct restore_pkt14, 232);
PHPC_PIN(struct restore_pkt14, stream, 4);
PHPC_PIN(struct restore_pkt14, data_stream, 8);
PHPC_PIN(struct restore_pkt14, type, 12);
PHPC_PIN(struct restore_pkt14, file_index, 16);
PHPC_PIN(struct restore_pkt14, LinkFI, 20);
PHPC_PIN(struct restore_pkt14, uid, 24);
PHPC_PIN(struct restore_pkt14, statp, 32);
PHPC_PIN(struct restore_pkt14, attrEx, 176);
PHPC_PIN(struct restore_pkt14, ofname, 184);
PHPC_PIN(struct restore_pkt14, olname, 192);
PHPC_PIN(struct restore_pkt14, where, 200);
PHPC_PIN(struct restore_pkt14, RegexWhere, 208);
PHPC_PIN(struct restore_pkt14, replace, 216);
PHPC_PIN(struct restore_pkt14, create_status, 220);
PHPC_PIN(struct restore_pkt14, delta_seq, 224);
PHPC_PIN(struct restore_pkt14, pkt_end, 228);

PHPC_SIZE(struct restore_pkt21, 232);
PHPC_PIN(struct restore_pkt21, plugin_mode, 4);
PHPC_PIN(struct restore_pkt21, stream, 8);
PHPC_PIN(struct restore_pkt21, data_stream, 12);
PHPC_PIN(struct restore_pkt21, type, 16);
PHPC_PIN(struct restore_pkt21, file_index, 20);
PHPC_PIN(struct restore_pkt21, LinkFI, 24);
PHPC_PIN(struct restore_pkt21, uid, 28);
PHPC_PIN(struct restore_pkt21, statp, 32);
PHPC_PIN(struct restore_pkt21, attrEx, 176);
PHPC_PIN(struct restore_pkt21, ofname, 184);
PHPC_PIN(struct restore_pkt21, olname, 192);
PHPC_PIN(struct restore_pkt21, where, 200);
PHPC_PIN(struct restore_pkt21, RegexWhere, 208);
PHPC_PIN(struct restore_pkt21, replace, 216);
PHPC_PIN(struct restore_pkt21, create_status, 220);
PHPC_PIN(struct restore_pkt21, delta_seq, 224);
PHPC_PIN(struct restore_pkt21, pkt_end, 228);

PHPC_SIZE(struct io_pkt, 72);
PHPC_PIN(struct io_pkt, func, 4);
PHPC_PIN(struct io_pkt, count, 8);
PHPC_PIN(struct io_pkt, flags, 12);
PHPC_PIN(struct io_pkt, mode, 16);
PHPC_PIN(struct io_pkt, buf, 24);
PHPC_PIN(struct io_pkt, fname, 32);
PHPC_PIN(struct io_pkt, status, 40);
PHPC_PIN(struct io_pkt, io_errno, 44);
PHPC_PIN(struct io_pkt, lerror, 48);
PHPC_PIN(struct io_pkt, whence, 52);
PHPC_PIN(struct io_pkt, offset, 56);
PHPC_PIN(struct io_pkt, win32, 64);
PHPC_PIN(struct io_pkt, pkt_end, 68);

PHPC_SIZE(struct xacl_pkt, 32);
PHPC_PIN(struct xacl_pkt, func, 4);
PHPC_PIN(struct xacl_pkt, count, 8);
PHPC_PIN(struct xacl_pkt, content, 16);
PHPC_PIN(struct xacl_pkt, pkt_end, 24);

PHPC_SIZE(struct stream_pkt, 12);

PHPC_SIZE(pFuncs14, 128);
PHPC_PIN(pFuncs14, newPlugin, 8);
PHPC_PIN(pFuncs14, freePlugin, 16);
PHPC_PIN(pFuncs14, getPluginValue, 24);
PHPC_PIN(pFuncs14, setPluginValue, 32);
PHPC_PIN(pFuncs14, handlePluginEvent, 40);
PHPC_PIN(pFuncs14, startBackupFile, 48);
PHPC_PIN(pFuncs14, endBackupFile, 56);
PHPC_PIN(pFuncs14, startRestoreFile, 64);
PHPC_PIN(pFuncs14, endRestoreFile, 72);
PHPC_PIN(pFuncs14, pluginIO, 80);
PHPC_PIN(pFuncs14, createFile, 88);
PHPC_PIN(pFuncs14, setFileAttributes, 96);
PHPC_PIN(pFuncs14, checkFile, 104);
PHPC_PIN(pFuncs14, handleXACLdata, 112);
PHPC_PIN(pFuncs14, checkStream, 120);
PHPC_SIZE(pFuncs21, 144);
PHPC_PIN(pFuncs21, restoreFileList, 120);
PHPC_PIN(pFuncs21, checkStream, 128);
PHPC_PIN(pFuncs21, queryParameter, 136);
PHPC_SIZE(pFuncs22, 152);
PHPC_PIN(pFuncs22, restoreFileList, 120);
PHPC_PIN(pFuncs22, checkStream, 128);
PHPC_PIN(pFuncs22, queryParameter, 136);
PHPC_PIN(pFuncs22, metadataRestore, 144);
PHPC_SIZE(pFuncs23, 168);
PHPC_PIN(pFuncs23, restoreFileList, 120);
PHPC_PIN(pFuncs23, checkStream, 128);
PHPC_PIN(pFuncs23, queryParameter, 136);
PHPC_PIN(pFuncs23, metadataRestore, 144);
PHPC_PIN(pFuncs23, startVerifyFile, 152);
PHPC_PIN(pFuncs23, endVerifyFile, 160);

#undef PHPC_PIN
#undef PHPC_SIZE
#else
#error "podheitor-hpc: the ABI layouts are only pinned for x86-64 Linux"
#endif

#endif /* PHPC_ABI_H */
