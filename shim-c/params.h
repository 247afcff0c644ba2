/*
 * params.h - the plugin string "podheitor-hpc:key=value;key=value...".
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef PHPC_PARAMS_H
#define PHPC_PARAMS_H

#include <stddef.h>

#define PHPC_MAX_PARAMS 64          /* at least the number of known keys (checked in params.c) */
#define PHPC_PARAM_ERR_MAX 1024

/*
 * The known keys come from one table, hpc-ptcomm/src/main/resources/io/podheitor/hpc/ptcomm/plugin-keys.toml,
 * shared with the backend and the README; scripts/gen-plugin-keys.py turns it into build/plugin_keys.h
 * (included by params.c).  Its "type" field names one of these checks:
 */
enum phpc_key_type {
    PHPC_KT_ABS_PATH,               /* starts with '/' */
    PHPC_KT_ASCII_PATH,             /* starts with '/', printable ASCII only */
    PHPC_KT_INTEGER,                /* decimal digits only, value in min..max */
    PHPC_KT_YES_NO,                 /* "yes" or "no" */
    PHPC_KT_ONE_OF,                 /* one of values[] */
    PHPC_KT_K_OF_N,                 /* "K/N", digits only, 0 <= K < N <= max */
    PHPC_KT_WORD,                   /* 1..64 of [A-Za-z0-9._-] */
    PHPC_KT_WORDS,                  /* 1..1024: words of [A-Za-z0-9._/,=+@-] separated by single blanks */
    PHPC_KT_ABS_PATH_LIST           /* ','-separated, each "/..." or "!/..."; "\\," and "\\\\" escapes */
};

/* who acts on a key (the shim validates every key and passes every given key on to the backend) */
enum phpc_key_side { PHPC_SIDE_SHIM = 1, PHPC_SIDE_BACKEND = 2, PHPC_SIDE_BOTH = 3 };

typedef struct phpc_key_spec {
    const char *name;
    enum phpc_key_type type;
    enum phpc_key_side side;
    long min, max;                  /* PHPC_KT_INTEGER; max: PHPC_KT_K_OF_N's largest N */
    const char *unit;               /* PHPC_KT_INTEGER: shown after the range in messages, or NULL */
    const char *const *values;      /* PHPC_KT_ONE_OF: NULL-terminated */
    const char *values_text;        /* PHPC_KT_ONE_OF: "a, b, c" */
    int required;
    const char *dflt;               /* literal default, or NULL (required, or computed at run time) */
} phpc_key_spec;

/* The table in table order; *count gets the number of keys. */
const phpc_key_spec *phpc_key_table(size_t *count);

typedef struct phpc_param {
    char *key;                      /* as written (whitespace trimmed) */
    char *value;                    /* unescaped */
} phpc_param;

typedef struct phpc_params {
    size_t count;                   /* pairs in string order */
    phpc_param items[PHPC_MAX_PARAMS];
    /* validated views into items[] of the keys the shim uses (NULL / 0 when absent);
     * any key: phpc_params_value */
    const char *path;
    const char *mode;               /* the table's default ("posix") when absent */
    const char *backend;
    long threads;
    long channel_depth;
    long timeout;                   /* seconds; 0 = PHPC_IO_TIMEOUT_S */
    long readahead;                 /* bytes: files up to this size are read by the walker threads */
    int readahead_given;            /* readahead=0 is meaningful (off) */
} phpc_params;

/*
 * Parse and validate cmd.  On success returns 0 and fills *out (release it
 * with phpc_params_free).  On error returns -1, leaves *out empty and writes
 * one message into err, e.g.
 *   bad plugin string: unknown key "foo" (known keys: path, mode, threads, ...)
 * (the caller adds the "podheitor-hpc: " prefix).
 */
int phpc_params_parse(const char *cmd, phpc_params *out, char *err, size_t errsz);
void phpc_params_free(phpc_params *p);

/* The validated value of key as given, or NULL when it was not given. */
const char *phpc_params_value(const phpc_params *p, const char *key);

#endif
