/*
 * msg.h - per-version constants (bVariable ids, M_* job message types) and
 * the helpers that post job messages through the FD's bFuncs table.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef PHPC_MSG_H
#define PHPC_MSG_H

#include <stddef.h>
#include "abi.h"

#define PHPC_NAME "podheitor-hpc"
#define PHPC_PREFIX PHPC_NAME ": "

/* Version-neutral names for the bVariable ids we use (docs/abi.md §5.1). */
enum phpc_var {
    PV_JOB_ID,
    PV_LEVEL,
    PV_TYPE,
    PV_JOB_NAME,
    PV_SINCE_TIME,
    PV_ACCURATE,
    PV_WHERE,
    PV_REGEX_WHERE,
    PV_FILE_INDEX,
    PV_REPLACE,
    PV_FILE_SEEN,
    PV_SYS_CONFIG_PATH,     /* v23 only; mapped, not read */
    PV_ESTIMATE,            /* v23 only; mapped, not read */
    PV_JOB_STATUS,          /* the FD's job status letter, for END (docs/ptcomm.md §6) */
    PV__COUNT
};

/* Version-neutral severities for JobMessage (docs/abi.md §5.3). */
enum phpc_sev { PM_FATAL, PM_ERROR, PM_WARNING, PM_INFO, PM__COUNT };

/* Returns the bVariable id / M_* number for interface version ver, or -1 (an
 * unknown version, or a variable that version does not have). */
int phpc_var_id(unsigned ver, enum phpc_var v);
int phpc_msg_type(unsigned ver, enum phpc_sev s);

/*
 * Post "podheitor-hpc: <formatted text>" as a job message of severity sev.
 * PM_ERROR and PM_FATAL are counted in the job's context (ctx->pContext, a
 * phpc_ctx once newPlugin has set it): END reports the count (docs/ptcomm.md §6).
 * The FD formats into a 2000-byte buffer (docs/abi.md §5.4), so the text is cut at
 * PHPC_MSG_MAX bytes and always passed through a "%s" format.
 */
#define PHPC_MSG_MAX 1800
void phpc_jmsg(bpContext *ctx, enum phpc_sev sev, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void phpc_dmsg(bpContext *ctx, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* getBaculaValue wrappers; return 0 on success. */
int phpc_get_int(bpContext *ctx, enum phpc_var v, int *out);
int phpc_get_str(bpContext *ctx, enum phpc_var v, const char **out);

/*
 * Make n raw bytes safe for a message.  Always: bytes < 0x20 and 0x7f become
 * \xNN.  PHPC_ESC_QUOTE (for text shown inside "..."): '"' and '\' get a
 * backslash and \n \t \r are spelled out.  PHPC_ESC_ASCII: bytes >= 0x80
 * become \xNN too (otherwise they pass, so UTF-8 names stay readable).  The
 * result is NUL-terminated and cut (ending in "...") to fit outsz.
 * Returns out.
 */
#define PHPC_ESC_QUOTE 1u
#define PHPC_ESC_ASCII 2u
char *phpc_escape(const void *in, size_t n, char *out, size_t outsz, unsigned flags);

/* The plugin tables chosen at load time (plugin.c). */
extern bFuncs *phpc_bfuncs;
extern unsigned phpc_version;

#endif
