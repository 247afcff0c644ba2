/*
 * params.c - parser and validator for the plugin string.
 *
 * Grammar: NAME [":" ITEM (";" ITEM)*], ITEM = KEY "=" VALUE or empty.
 * The part before the first ':' is the plugin name; the FD already used it to
 * route the command to us (docs/abi.md §1.5), so it is not checked here.  Inside a
 * value "\;" is a literal ';' and "\\" a literal backslash; any other "\x" is
 * an error.  Whitespace around keys is trimmed; values are taken as written.
 * Empty items (e.g. a trailing ';') are ignored.  The known keys and the check
 * of each value (by its type: absolute path, integer range, yes/no, ...) come
 * from the shared key table, build/plugin_keys.h (see params.h).
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "params.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "plugin_keys.h"                 /* generated from plugin-keys.toml (see params.h) */

/* each known key appears at most once, so the pairs fit */
_Static_assert(PHPC_NKEYS <= PHPC_MAX_PARAMS, "raise PHPC_MAX_PARAMS: more keys than items[]");

const phpc_key_spec *phpc_key_table(size_t *count)
{
    *count = PHPC_NKEYS;
    return phpc_key_specs;
}

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

/* "K/N" with digits only on both sides, 0 <= K < N <= max */
static int check_k_of_n(const char *s, long max)
{
    const char *slash = strchr(s, '/');
    long k, n;
    char kb[16];

    if (slash == NULL || slash == s || (size_t)(slash - s) >= sizeof kb)
        return -1;
    memcpy(kb, s, (size_t)(slash - s));
    kb[slash - s] = '\0';
    if (parse_range(kb, 0, max, &k) != 0 || parse_range(slash + 1, 1, max, &n) != 0)
        return -1;
    return k < n ? 0 : -1;
}

/*
 * Elements separated by ',', each "/..." or "!/..."; inside an element "\," is a literal comma and "\\" a
 * literal backslash (escapes of the value, after the string's own).  Returns 0, or -1 with *bad_element
 * (1-based) and *bad_escape set.
 */
static int check_path_list(const char *s, int *bad_element, int *bad_escape)
{
    int element = 1;
    const char *start = s;

    *bad_escape = 0;
    for (const char *c = s;; c++) {
        if (*c == '\0' || *c == ',') {
            const char *from = (start < c && *start == '!') ? start + 1 : start;

            if (from >= c || *from != '/') {
                *bad_element = element;
                return -1;
            }
            if (*c == '\0')
                return 0;
            element++;
            start = c + 1;
        } else if (*c == '\\') {
            if (c[1] != ',' && c[1] != '\\') {
                *bad_element = element;
                *bad_escape = 1;
                return -1;
            }
            c++;
        }
    }
}

/* Check one known key's value against its spec; *num gets the value of an integer. */
static int check_value(const phpc_key_spec *k, const char *value, long *num, char *err, size_t errsz)
{
    char qb[512];

    switch (k->type) {
    case PHPC_KT_ABS_PATH:
        if (value[0] != '/')
            return fail(err, errsz, "key \"%s\" must be an absolute path, got \"%s\"", k->name,
                        q(value, strlen(value), qb, sizeof qb));
        return 0;
    case PHPC_KT_ASCII_PATH: {
        /* the backend opens it through the JDK by name: printable ASCII only */
        int ascii = 1;
        for (const char *c = value; *c; c++)
            if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
                ascii = 0;
        if (value[0] != '/' || !ascii)
            return fail(err, errsz, "key \"%s\" must be an absolute path in printable ASCII, got \"%s\"",
                        k->name, q(value, strlen(value), qb, sizeof qb));
        return 0;
    }
    case PHPC_KT_INTEGER:
        if (parse_range(value, k->min, k->max, num) != 0)
            return fail(err, errsz, "key \"%s\": \"%s\" is not an integer in %ld..%ld%s%s%s", k->name,
                        q(value, strlen(value), qb, sizeof qb), k->min, k->max,
                        k->unit ? " (" : "", k->unit ? k->unit : "", k->unit ? ")" : "");
        return 0;
    case PHPC_KT_YES_NO:
        if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
            return fail(err, errsz, "key \"%s\": \"%s\" is not yes or no", k->name,
                        q(value, strlen(value), qb, sizeof qb));
        return 0;
    case PHPC_KT_ONE_OF:
        for (const char *const *v = k->values; *v; v++)
            if (strcmp(value, *v) == 0)
                return 0;
        return fail(err, errsz, "key \"%s\": \"%s\" is not one of %s", k->name,
                    q(value, strlen(value), qb, sizeof qb), k->values_text);
    case PHPC_KT_K_OF_N:
        if (check_k_of_n(value, k->max) != 0)
            return fail(err, errsz, "key \"%s\": \"%s\" is not K/N with 0 <= K < N <= %ld", k->name,
                        q(value, strlen(value), qb, sizeof qb), k->max);
        return 0;
    case PHPC_KT_WORD: {
        size_t n = strlen(value);
        int ok = n >= 1 && n <= 64;
        for (const char *c = value; *c && ok; c++)
            ok = (*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '.' ||
                 *c == '_' || *c == '-';
        if (!ok)
            return fail(err, errsz, "key \"%s\": \"%s\" is not a word (1..64 of A-Z a-z 0-9 . _ -)", k->name,
                        q(value, strlen(value), qb, sizeof qb));
        return 0;
    }
    case PHPC_KT_WORDS: {
        size_t n = strlen(value);
        int ok = n >= 1 && n <= 1024 && value[0] != ' ' && value[n - 1] != ' ';
        for (size_t i = 0; i < n && ok; i++) {
            char c = value[i];
            ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                 c == '_' || c == '-' || c == '/' || c == ',' || c == '=' || c == '+' || c == '@' ||
                 (c == ' ' && value[i - 1] != ' ');
        }
        if (!ok)
            return fail(err, errsz,
                        "key \"%s\": \"%s\" is not words (1..1024 of A-Z a-z 0-9 . _ - / , = + @ and single blanks)",
                        k->name, q(value, strlen(value), qb, sizeof qb));
        return 0;
    }
    case PHPC_KT_ABS_PATH_LIST: {
        int element, escape;

        if (check_path_list(value, &element, &escape) != 0)
            return fail(err, errsz, escape ? "key \"%s\": element %d of \"%s\" has a bad escape (only \\, and "
                        "\\\\ are allowed inside a list)" : "key \"%s\": element %d of \"%s\" is not an absolute "
                        "path (or !absolute path)", k->name, element, q(value, strlen(value), qb, sizeof qb));
        return 0;
    }
    }
    return fail(err, errsz, "key \"%s\": no check for its type %d", k->name, (int)k->type);
}

const char *phpc_params_value(const phpc_params *p, const char *key)
{
    for (size_t i = 0; i < p->count; i++)
        if (strcmp(p->items[i].key, key) == 0)
            return p->items[i].value;
    return NULL;
}

int phpc_params_parse(const char *cmd, phpc_params *out, char *err, size_t errsz)
{
    char qb[256];
    const char *p;
    const char *val[PHPC_NKEYS] = { 0 };   /* per key id: the value given, or NULL */
    long num[PHPC_NKEYS] = { 0 };          /* per key id: an integer's value */

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

        for (k = 0; k < PHPC_NKEYS; k++)
            if (strcmp(key, phpc_key_specs[k].name) == 0)
                break;
        if (k == PHPC_NKEYS) {
            fail(err, errsz, "unknown key \"%s\" (known keys: " PHPC_KNOWN_KEYS ")",
                 q(key, strlen(key), qb, sizeof qb));
            goto bad_item;
        }
        if (val[k] != NULL) {
            fail(err, errsz, "key \"%s\" is given twice", key);
            goto bad_item;
        }
        if (value[0] == '\0') {
            fail(err, errsz, "key \"%s\" has an empty value", key);
            goto bad_item;
        }
        if (check_value(&phpc_key_specs[k], value, &num[k], err, errsz) != 0)
            goto bad_item;
        /* count < PHPC_MAX_PARAMS: each known key appears at most once */
        out->items[out->count].key = key;
        out->items[out->count].value = value;
        out->count++;
        val[k] = value;
        continue;
bad_item:
        free(key);
        free(value);
        goto bad;
    }

    for (size_t k = 0; k < PHPC_NKEYS; k++) {
        if (phpc_key_specs[k].required && val[k] == NULL) {
            fail(err, errsz, "key \"%s\" is required", phpc_key_specs[k].name);
            goto bad;
        }
    }
    /* the typed views the shim uses */
    out->path = val[PHPC_KEY_PATH];
    out->mode = val[PHPC_KEY_MODE] ? val[PHPC_KEY_MODE] : phpc_key_specs[PHPC_KEY_MODE].dflt;
    out->backend = val[PHPC_KEY_BACKEND];
    out->threads = num[PHPC_KEY_THREADS];
    out->channel_depth = num[PHPC_KEY_CHANNEL_DEPTH];
    out->timeout = num[PHPC_KEY_TIMEOUT];
    out->readahead = num[PHPC_KEY_READAHEAD];
    out->readahead_given = val[PHPC_KEY_READAHEAD] != NULL;
    return 0;

bad:
    phpc_params_free(out);
    return -1;
}
