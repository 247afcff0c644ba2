/*
 * fuzz_params.c - libFuzzer harness over the plugin-string parser
 * (phpc_params_parse, as called by sess_validate for every Plugin= string).
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../abi.h"
#include "../params.h"

/* msg.c (used for quoting in messages) refers to the plugin tables */
bFuncs *phpc_bfuncs;
unsigned phpc_version;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *cmd = malloc(size + 1);
    char err[PHPC_PARAM_ERR_MAX];
    phpc_params p;

    if (cmd == NULL)
        return 0;
    memcpy(cmd, data, size);
    cmd[size] = '\0';                   /* the FD hands us a C string */
    if (phpc_params_parse(cmd, &p, err, sizeof err) == 0) {
        if (p.path == NULL || p.path[0] != '/' || p.mode == NULL)
            __builtin_trap();           /* validated views must hold */
        phpc_params_free(&p);
    } else if (err[0] == '\0') {
        __builtin_trap();               /* every failure has a message */
    }
    free(cmd);
    return 0;
}
