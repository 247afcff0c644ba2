/*
 * params.h - the plugin string "podheitor-hpc:key=value;key=value...".
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef PHPC_PARAMS_H
#define PHPC_PARAMS_H

#include <stddef.h>

#define PHPC_MAX_PARAMS 16          /* more than the number of known keys */
#define PHPC_PARAM_ERR_MAX 1024

typedef struct phpc_param {
    char *key;                      /* as written (whitespace trimmed) */
    char *value;                    /* unescaped */
} phpc_param;

typedef struct phpc_params {
    size_t count;                   /* pairs in string order */
    phpc_param items[PHPC_MAX_PARAMS];
    /* validated views into items[] (NULL / 0 when absent) */
    const char *path;
    const char *mode;               /* "posix" when absent */
    const char *backend;
    long threads;
    long channel_depth;
    long timeout;                   /* seconds; 0 = PHPC_IO_TIMEOUT_S */
    long readahead;                 /* bytes: files up to this size are read by the walker threads */
    int readahead_given;            /* readahead=0 is meaningful (off) */
} phpc_params;

#define PHPC_TIMEOUT_MAX 86400      /* one day */

/*
 * Parse and validate cmd.  On success returns 0 and fills *out (release it
 * with phpc_params_free).  On error returns -1, leaves *out empty and writes
 * one message into err, e.g.
 *   bad plugin string: unknown key "foo" (known keys: path, mode, threads, channel_depth, backend, readahead)
 * (the caller adds the "podheitor-hpc: " prefix).
 */
int phpc_params_parse(const char *cmd, phpc_params *out, char *err, size_t errsz);
void phpc_params_free(phpc_params *p);

#endif
