/*
 * check.h - a minimal test harness: CHECK counts passes and failures,
 * check_done() prints "RESULT <passed> <failed>" for test/run.sh.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef PHPC_CHECK_H
#define PHPC_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed;

#define CHECK(cond, ...)                                                     \
    do {                                                                     \
        if (cond) {                                                          \
            check_passed++;                                                  \
        } else {                                                             \
            check_failed++;                                                  \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);  \
            fprintf(stderr, __VA_ARGS__);                                    \
            fputc('\n', stderr);                                             \
        }                                                                    \
    } while (0)

#define CHECK_STR(got, want)                                                 \
    CHECK(strcmp((got), (want)) == 0, "got \"%s\", want \"%s\"", (got), (want))

static inline int check_done(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, check_passed, check_failed);
    printf("RESULT %d %d\n", check_passed, check_failed);
    return check_failed ? 1 : 0;
}

#endif
