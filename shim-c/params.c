/*
 * params.c - parser and validator for the plugin string.
 *
 * Grammar: NAME [":" ITEM (";" ITEM)*], ITEM = KEY "=" VALUE or empty.
 * The part before the first ':' is the plugin name; the FD already used it to
 * route the command to us (docs/abi.md §1.5), so it is not checked here.  Inside a
 * value "\;" is a literal ';' and "\\" a literal backslash; any other "\x" is
 * an error.  Whitespace around keys is trimmed; values are taken as written.
 * Empty items (e.g. a trailing ';') are ignored.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "params.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"

#define KNOWN_KEYS                                                                                   \
    "path, mode, threads, channel_depth, backend, timeout, aclsupport, xattrsupport, readahead, "      \
    "hardlink_memory, spill_dir"

static const char *const known_keys[] = { "path", "mode", "threads", "channel_depth", "backend",
                                          "timeout", "aclsupport", "xattrsupport", "readahead",
                                          "hardlink_memory", "spill_dir" };
static const char *const known_modes[] = { "posix", "lustre", "gpfs", "cephfs", "beegfs", "weka" };

static int fail(char *err, size_t errsz, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errsz, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(err, errsz, "bad plugin string: ");

    if (n < 0 || (size_t)n >= errsz)
        return -1;
    va_start(ap, fmt);
    vsnprintf(err + n, errsz - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

/* Quote a user-supplied fragment for a message. */
static const char *q(const char *s, size_t n, char *buf, size_t bufsz)
{
    return phpc_escape(s, n, buf, bufsz, PHPC_ESC_QUOTE);
}

static int is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* Strict decimal in [lo, hi]: digits only, no sign, no spaces. */
static int parse_range(const char *s, long lo, long hi, long *out)
{
    long v = 0;

    if (*s == '\0')
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (*s - '0');
        if (v > hi)
            return -1;
    }
    if (v < lo)
        return -1;
    *out = v;
    return 0;
}

void phpc_params_free(phpc_params *p)
{
    for (size_t i = 0; i < p->count; i++) {
        free(p->items[i].key);
        free(p->items[i].value);
    }
    memset(p, 0, sizeof *p);
}

/*
 * Split one item [s, e) into key and unescaped value.  Returns 0 and sets
 * the two out-parameters (malloc'd; key NULL for an empty item), or -1 with err set.
 */
static int split_item(const char *s, const char *e, char **key, char **value,
                      char *err, size_t errsz)
{
    char qb[256];
    const char *eq, *ks, *ke;
    char *v, *w;

    *key = *value = NULL;
    ks = s;
    while (ks < e && is_space(*ks))
        ks++;
    if (ks == e)
        return 0;                               /* empty item: ignored */
    eq = memchr(ks, '=', (size_t)(e - ks));
    if (eq == NULL)
        return fail(err, errsz, "item \"%s\" is not key=value",
                    q(ks, (size_t)(e - ks), qb, sizeof qb));
    ke = eq;
    while (ke > ks && is_space(ke[-1]))
        ke--;
    if (ke == ks)
        return fail(err, errsz, "item \"%s\" has an empty key",
                    q(ks, (size_t)(e - ks), qb, sizeof qb));

    *key = strndup(ks, (size_t)(ke - ks));
    v = w = malloc((size_t)(e - eq));           /* value length + 1 >= needed */
    if (*key == NULL || v == NULL) {
        free(*key);
        free(v);
        *key = NULL;
        return fail(err, errsz, "out of memory");
    }
    for (const char *p = eq + 1; p < e; p++) {
        if (*p != '\\') {
            *w++ = *p;
            continue;
        }
        if (p + 1 < e && (p[1] == ';' || p[1] == '\\')) {
            *w++ = *++p;
            continue;
        }
        fail(err, errsz, "key \"%s\": bad escape \"%s\" (only \\; and \\\\ are allowed)",
             q(*key, strlen(*key), qb, sizeof qb),
             p + 1 < e ? (char[]){ '\\', p[1], 0 } : "\\");
        free(*key);
        free(v);
        *key = NULL;
        return -1;
    }
    *w = '\0';
    *value = v;
    return 0;
}

/* Check one known key's value; sets the typed view in out. */
static int check_value(phpc_params *out, const char *key, const char *value,
                       char *err, size_t errsz)
{
    char qb[512];

    if (strcmp(key, "path") == 0 || strcmp(key, "backend") == 0) {
        if (value[0] != '/')
            return fail(err, errsz, "key \"%s\" must be an absolute path, got \"%s\"", key,
                        q(value, strlen(value), qb, sizeof qb));
        if (key[0] == 'p')
            out->path = value;
        else
            out->backend = value;
        return 0;
    }
    if (strcmp(key, "mode") == 0) {
        for (size_t i = 0; i < sizeof known_modes / sizeof known_modes[0]; i++) {
            if (strcmp(value, known_modes[i]) == 0) {
                out->mode = value;
                return 0;
            }
        }
        return fail(err, errsz,
                    "key \"mode\": \"%s\" is not one of posix, lustre, gpfs, cephfs, beegfs, weka",
                    q(value, strlen(value), qb, sizeof qb));
    }
    if (strcmp(key, "threads") == 0) {
        if (parse_range(value, 1, 1024, &out->threads) != 0)
            return fail(err, errsz, "key \"threads\": \"%s\" is not an integer in 1..1024",
                        q(value, strlen(value), qb, sizeof qb));
        return 0;
    }
    if (strcmp(key, "timeout") == 0) {
        if (parse_range(value, 1, PHPC_TIMEOUT_MAX, &out->timeout) != 0)
            return fail(err, errsz, "key \"timeout\": \"%s\" is not an integer in 1..%d (seconds)",
                        q(value, strlen(value), qb, sizeof qb), PHPC_TIMEOUT_MAX);
        return 0;
    }
    if (strcmp(key, "readahead") == 0) {
        if (parse_range(value, 0, 1048576, &out->readahead) != 0)
            return fail(err, errsz, "key \"readahead\": \"%s\" is not an integer in 0..1048576",
                        q(value, strlen(value), qb, sizeof qb));
        out->readahead_given = 1;
        return 0;
    }
    if (strcmp(key, "hardlink_memory") == 0) {
        long ignored;
        if (parse_range(value, 0, 10000000, &ignored) != 0)
            return fail(err, errsz, "key \"hardlink_memory\": \"%s\" is not an integer in 0..10000000",
                        q(value, strlen(value), qb, sizeof qb));
        return 0;
    }
    if (strcmp(key, "spill_dir") == 0) {
        /* the backend opens it through the JDK by name: printable ASCII only */
        int ascii = 1;
        for (const char *c = value; *c; c++)
            if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
                ascii = 0;
        if (value[0] != '/' || !ascii)
            return fail(err, errsz, "key \"spill_dir\" must be an absolute path in printable ASCII, got \"%s\"",
                        q(value, strlen(value), qb, sizeof qb));
        return 0;
    }
    if (strcmp(key, "aclsupport") == 0 || strcmp(key, "xattrsupport") == 0) {
        /* the FileSet's aclsupport/xattrsupport options never reach a command
         * plugin (docs/abi.md §7.5): these keys stand in for them */
        if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
            return fail(err, errsz, "key \"%s\": \"%s\" is not yes or no", key,
                        q(value, strlen(value), qb, sizeof qb));
        return 0;
    }
    /* channel_depth */
    if (parse_range(value, 1, 1048576, &out->channel_depth) != 0)
        return fail(err, errsz, "key \"channel_depth\": \"%s\" is not an integer in 1..1048576",
                    q(value, strlen(value), qb, sizeof qb));
    return 0;
}

int phpc_params_parse(const char *cmd, phpc_params *out, char *err, size_t errsz)
{
    char qb[256];
    const char *p;

    memset(out, 0, sizeof *out);
    if (errsz > 0)
        err[0] = '\0';
    if (cmd == NULL)
        return fail(err, errsz, "no plugin string");
    p = strchr(cmd, ':');
    p = p ? p + 1 : cmd + strlen(cmd);

    while (*p) {
        /* find the end of this item: the first ';' not escaped by '\' */
        const char *e = p;
        char *key, *value;
        size_t k;

        while (*e && *e != ';') {
            if (*e == '\\' && e[1] != '\0')
                e++;
            e++;
        }
        if (split_item(p, e, &key, &value, err, errsz) != 0)
            goto bad;
        p = *e ? e + 1 : e;
        if (key == NULL)
            continue;

        for (k = 0; k < sizeof known_keys / sizeof known_keys[0]; k++)
            if (strcmp(key, known_keys[k]) == 0)
                break;
        if (k == sizeof known_keys / sizeof known_keys[0]) {
            fail(err, errsz, "unknown key \"%s\" (known keys: " KNOWN_KEYS ")",
                 q(key, strlen(key), qb, sizeof qb));
            goto bad_item;
        }
        for (size_t i = 0; i < out->count; i++) {
            if (strcmp(out->items[i].key, key) == 0) {
                fail(err, errsz, "key \"%s\" is given twice", key);
                goto bad_item;
            }
        }
        if (value[0] == '\0') {
            fail(err, errsz, "key \"%s\" has an empty value", key);
            goto bad_item;
        }
        if (check_value(out, key, value, err, errsz) != 0)
            goto bad_item;
        /* count < PHPC_MAX_PARAMS: each known key appears at most once */
        out->items[out->count].key = key;
        out->items[out->count].value = value;
        out->count++;
        continue;
bad_item:
        free(key);
        free(value);
        goto bad;
    }

    if (out->path == NULL) {
        fail(err, errsz, "key \"path\" is required");
        goto bad;
    }
    if (out->mode == NULL)
        out->mode = "posix";
    return 0;

bad:
    phpc_params_free(out);
    return -1;
}
