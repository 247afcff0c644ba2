/*
 * check.h - a minimal test harness: CHECK counts passes and failures,
 * CHECK_SKIP counts a test that cannot run here (never as passed) and prints
 * "SKIP <program>: <test>: <why>", check_done() prints
 * "RESULT <passed> <failed> <skipped>" for test/run.sh.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef PHPC_CHECK_H
#define PHPC_CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed, check_skipped;

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

/* a test (or group of checks) that cannot run on this machine: one line with
 * the program, what was skipped and why; counted as skipped, not as passed */
#define CHECK_SKIP(what, ...)                                                \
    do {                                                                     \
        const char *check_f_ = strrchr(__FILE__, '/');                       \
        int check_n_;                                                        \
        check_f_ = check_f_ ? check_f_ + 1 : __FILE__;                       \
        check_n_ = (int)strcspn(check_f_, ".");                              \
        check_skipped++;                                                     \
        printf("SKIP %.*s: %s: ", check_n_, check_f_, (what));               \
        printf(__VA_ARGS__);                                                 \
        putchar('\n');                                                       \
        fflush(stdout);                                                      \
    } while (0)

#define CHECK_STR(got, want)                                                 \
    CHECK(strcmp((got), (want)) == 0, "got \"%s\", want \"%s\"", (got), (want))

static inline int check_done(const char *name)
{
    printf("%s: %d passed, %d failed, %d skipped\n", name, check_passed, check_failed,
           check_skipped);
    printf("RESULT %d %d %d\n", check_passed, check_failed, check_skipped);
    return check_failed ? 1 : 0;
}

#endif
