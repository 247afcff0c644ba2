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
        size_t nkeys;
        const phpc_key_spec *keys = phpc_key_table(&nkeys);

        if (p.path == NULL || p.path[0] != '/' || p.mode == NULL)
            __builtin_trap();           /* validated views must hold */
        for (size_t i = 0; i < p.count; i++) {
            size_t k = 0;

            while (k < nkeys && strcmp(keys[k].name, p.items[i].key) != 0)
                k++;
            if (k == nkeys || p.items[i].value[0] == '\0')
                __builtin_trap();       /* only keys of the table, never empty */
        }
        phpc_params_free(&p);
    } else if (err[0] == '\0') {
        __builtin_trap();               /* every failure has a message */
    }
    free(cmd);
    return 0;
}
