/*
 * test_interfaces.c - the interface list that interfaces.c puts into the .so (for `podheitor-hpc doctor`,
 * docs/doctor.md) is exactly the set of versions loadPlugin accepts, and the backend string is the build's
 * DEFAULT_BACKEND. Loads build/podheitor-hpc-fd.so with dlopen as the FD does (docs/abi.md §1.1) and calls
 * loadPlugin with bInfo.version = 0..299; reads the strings from the file's bytes the way doctor does.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abi.h"
#include "check.h"

typedef bRC (*load_fn)(bInfo *, bFuncs *, pInfo **, void **);

/* the NUL-terminated string after PREFIX in the file's bytes ("" when absent) */
static void find_string(const char *buf, size_t len, const char *prefix, char *out, size_t outlen)
{
    size_t pl = strlen(prefix);

    out[0] = '\0';
    for (size_t i = 0; i + pl <= len; i++) {
        if (memcmp(buf + i, prefix, pl) == 0) {
            size_t j = i + pl, k = 0;
            while (j < len && buf[j] != '\0' && k + 1 < outlen)
                out[k++] = buf[j++];
            out[k] = '\0';
            return;
        }
    }
}

int main(int argc, char **argv)
{
    const char *build = argc > 1 ? argv[1] : "build";
    char so[4096], accepted[1024] = "", got[4096];

    snprintf(so, sizeof so, "%s/podheitor-hpc-fd.so", build);
    void *h = dlopen(so, RTLD_NOW);
    CHECK(h != NULL, "dlopen %s: %s", so, dlerror());
    if (h == NULL)
        return check_done("test_interfaces");
    load_fn load = (load_fn)(uintptr_t)dlsym(h, "loadPlugin");
    CHECK(load != NULL, "loadPlugin not exported");
    if (load == NULL)
        return check_done("test_interfaces");

    static bFuncs funcs;                /* never called by loadPlugin */
    for (unsigned v = 0; v < 300; v++) {
        bInfo info = { sizeof(bInfo), v };
        pInfo *pi = NULL;
        void *pf = NULL;
        if (load(&info, &funcs, &pi, &pf) == bRC_OK) {
            CHECK(pi != NULL && pi->version == v, "version %u accepted but pInfo.version is not %u", v, v);
            char n[16];
            snprintf(n, sizeof n, "%s%u", accepted[0] ? "," : "", v);
            strncat(accepted, n, sizeof accepted - strlen(accepted) - 1);
        }
    }

    FILE *f = fopen(so, "rb");
    CHECK(f != NULL, "cannot open %s", so);
    if (f == NULL)
        return check_done("test_interfaces");
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    rewind(f);
    char *buf = malloc((size_t)len);
    CHECK(buf != NULL && fread(buf, 1, (size_t)len, f) == (size_t)len, "cannot read %s", so);
    fclose(f);

    find_string(buf, (size_t)len, "PODHEITOR_HPC_FD_INTERFACES=", got, sizeof got);
    CHECK(strcmp(got, accepted) == 0,
          "the .so says it accepts \"%s\" but loadPlugin accepts \"%s\": update interfaces.c", got, accepted);
    find_string(buf, (size_t)len, "PODHEITOR_HPC_FD_BACKEND=", got, sizeof got);
    CHECK_STR(got, PHPC_DEFAULT_BACKEND);
    printf("test_interfaces: loadPlugin accepts %s; the .so says so; backend %s\n", accepted, got);
    free(buf);
    return check_done("test_interfaces");
}
