/*
 * msg.c - per-version constant tables and job-message helpers.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "msg.h"
#include "ctx.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* bVariable ids by version (docs/abi.md §5.1): 9.6 has the bVarxxx placeholder at 19,
 * 11.0 removed it (ids 19-23 shift down), 13.0 inserted bVarPluginDir = 14
 * (ids 14-19 shift up), 15.0 kept 1-27 and appended bVarSysConfigPath = 28 and
 * bVarEstimate = 29 (§10.7).  -1: the version has no such id. */
static const int var_ids[4][PV__COUNT] = {
    /*          JobId Level Type JobName Since Accurate Where RegexWhere FileIndex Replace FileSeen SysConfigPath Estimate JobStatus */
    /* v14 */ { 1,    3,    4,   6,      8,    9,       14,   15,        23,       24,     10,      -1,           -1,      7 },
    /* v21 */ { 1,    3,    4,   6,      8,    9,       14,   15,        22,       23,     10,      -1,           -1,      7 },
    /* v22 */ { 1,    3,    4,   6,      8,    9,       15,   16,        23,       24,     10,      -1,           -1,      7 },
    /* v23 */ { 1,    3,    4,   6,      8,    9,       15,   16,        23,       24,     10,      28,           29,      7 },
};

/* M_* numbers by version (docs/abi.md §5.3): v22 moved M_EVENTS to 3, shifting the rest;
 * v23 numbers them as v22 (§10.8). */
static const int msg_types[4][PM__COUNT] = {
    /*          FATAL ERROR WARNING INFO */
    /* v14 */ { 3,    4,    5,      6 },
    /* v21 */ { 3,    4,    5,      6 },
    /* v22 */ { 4,    5,    6,      7 },
    /* v23 */ { 4,    5,    6,      7 },
};

static int ver_index(unsigned ver)
{
    switch (ver) {
    case PHPC_ABI_V14: return 0;
    case PHPC_ABI_V21: return 1;
    case PHPC_ABI_V22: return 2;
    case PHPC_ABI_V23: return 3;
    default: return -1;
    }
}

int phpc_var_id(unsigned ver, enum phpc_var v)
{
    int i = ver_index(ver);
    return (i < 0 || v < 0 || v >= PV__COUNT) ? -1 : var_ids[i][v];
}

int phpc_msg_type(unsigned ver, enum phpc_sev s)
{
    int i = ver_index(ver);
    return (i < 0 || s < 0 || s >= PM__COUNT) ? -1 : msg_types[i][s];
}

void phpc_jmsg(bpContext *ctx, enum phpc_sev sev, const char *fmt, ...)
{
    char text[PHPC_MSG_MAX + 1];
    va_list ap;
    int type = phpc_msg_type(phpc_version, sev);

    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if ((sev == PM_ERROR || sev == PM_FATAL) && ctx != NULL && ctx->pContext != NULL)
        ((phpc_ctx *)ctx->pContext)->errors_posted++;
    if (phpc_bfuncs == NULL || phpc_bfuncs->JobMessage == NULL || type < 0)
        return;
    /* Bacula does not end a job message with a newline itself: without one
     * the next message runs on in the job log and in bconsole */
    size_t n = strlen(text);
    phpc_bfuncs->JobMessage(ctx, __FILE__, __LINE__, type, 0, PHPC_PREFIX "%s%s", text,
                            n > 0 && text[n - 1] == '\n' ? "" : "\n");
}

void phpc_dmsg(bpContext *ctx, int level, const char *fmt, ...)
{
    char text[PHPC_MSG_MAX + 1];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (phpc_bfuncs == NULL || phpc_bfuncs->DebugMessage == NULL)
        return;
    phpc_bfuncs->DebugMessage(ctx, __FILE__, __LINE__, level, PHPC_PREFIX "%s\n", text);
}

int phpc_get_int(bpContext *ctx, enum phpc_var v, int *out)
{
    int id = phpc_var_id(phpc_version, v);
    int val = 0;

    if (id < 0 || phpc_bfuncs == NULL || phpc_bfuncs->getBaculaValue == NULL)
        return -1;
    /* Unknown ids give bRC_OK with nothing written (docs/abi.md §5.2): pre-set 0. */
    if (phpc_bfuncs->getBaculaValue(ctx, id, &val) != bRC_OK)
        return -1;
    *out = val;
    return 0;
}

int phpc_get_str(bpContext *ctx, enum phpc_var v, const char **out)
{
    int id = phpc_var_id(phpc_version, v);
    char *val = NULL;

    if (id < 0 || phpc_bfuncs == NULL || phpc_bfuncs->getBaculaValue == NULL)
        return -1;
    if (phpc_bfuncs->getBaculaValue(ctx, id, &val) != bRC_OK)
        return -1;
    *out = val;
    return 0;
}

char *phpc_escape(const void *in, size_t n, char *out, size_t outsz, unsigned flags)
{
    const unsigned char *p = in;
    size_t o = 0;

    if (outsz == 0)
        return out;
    for (size_t i = 0; i < n; i++) {
        char tmp[5];
        unsigned char c = p[i];
        size_t tl;

        int quote = (flags & PHPC_ESC_QUOTE) != 0;

        if (quote && (c == '"' || c == '\\')) {
            tmp[0] = '\\'; tmp[1] = (char)c; tl = 2;
        } else if (quote && c == '\n') {
            memcpy(tmp, "\\n", 2); tl = 2;
        } else if (quote && c == '\t') {
            memcpy(tmp, "\\t", 2); tl = 2;
        } else if (quote && c == '\r') {
            memcpy(tmp, "\\r", 2); tl = 2;
        } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && (flags & PHPC_ESC_ASCII))) {
            snprintf(tmp, sizeof tmp, "\\x%02x", c); tl = 4;
        } else {
            tmp[0] = (char)c; tl = 1;
        }
        /* the last byte only needs room for itself and the NUL; anything
         * earlier must also leave room for a possible "..." */
        if (o + tl + 1 > outsz || (i + 1 < n && o + tl + 4 > outsz)) {
            if (o + 4 <= outsz) {
                memcpy(out + o, "...", 3);
                o += 3;
            }
            break;
        }
        memcpy(out + o, tmp, tl);
        o += tl;
    }
    out[o] = '\0';
    return out;
}
