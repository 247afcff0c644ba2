/*
 * test_params.c - plugin string parser and validator.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <stdlib.h>

#include "check.h"
#include "msg.h"
#include "params.h"

bFuncs *phpc_bfuncs;
unsigned phpc_version;

static void good(void)
{
    phpc_params p;
    char err[PHPC_PARAM_ERR_MAX];
    int rc;

    rc = phpc_params_parse("podheitor-hpc:path=/data", &p, err, sizeof err);
    CHECK(rc == 0, "minimal: %s", err);
    if (rc == 0) {
        CHECK(p.count == 1, "count %zu", p.count);
        CHECK_STR(p.path, "/data");
        CHECK_STR(p.mode, "posix");
        CHECK(p.backend == NULL && p.threads == 0 && p.channel_depth == 0, "defaults");
        phpc_params_free(&p);
    }

    rc = phpc_params_parse("podheitor-hpc:mode=lustre;path=/scratch/a b;threads=1024;"
                           "channel_depth=1048576;backend=/opt/x/bin/be;",
                           &p, err, sizeof err);
    CHECK(rc == 0, "all keys: %s", err);
    if (rc == 0) {
        CHECK(p.count == 5, "count %zu", p.count);
        CHECK_STR(p.items[0].key, "mode");      /* string order kept */
        CHECK_STR(p.items[1].key, "path");
        CHECK_STR(p.items[1].value, "/scratch/a b");
        CHECK_STR(p.items[4].key, "backend");
        CHECK_STR(p.mode, "lustre");
        CHECK_STR(p.backend, "/opt/x/bin/be");
        CHECK(p.threads == 1024 && p.channel_depth == 1048576, "numbers %ld %ld", p.threads,
              p.channel_depth);
        phpc_params_free(&p);
    }

    rc = phpc_params_parse("podheitor-hpc:path=/d;timeout=86400", &p, err, sizeof err);
    CHECK(rc == 0 && p.timeout == 86400, "timeout=86400: %s", err);
    if (rc == 0)
        phpc_params_free(&p);
    rc = phpc_params_parse("podheitor-hpc:path=/x;aclsupport=no;xattrsupport=yes", &p, err, sizeof err);
    CHECK(rc == 0, "acl/xattr keys: %s", err);
    if (rc == 0) {
        CHECK(p.count == 3, "count %zu", p.count);
        CHECK_STR(p.items[1].value, "no");
        phpc_params_free(&p);
    }

    /* escapes: \; is a literal ;  \\ is a literal backslash */
    rc = phpc_params_parse("podheitor-hpc:path=/a\\;b\\\\c;threads=1", &p, err, sizeof err);
    CHECK(rc == 0, "escapes: %s", err);
    if (rc == 0) {
        CHECK_STR(p.path, "/a;b\\c");
        CHECK(p.threads == 1, "threads");
        phpc_params_free(&p);
    }
    /* an escaped backslash right before the separator */
    rc = phpc_params_parse("podheitor-hpc:path=/a\\\\;mode=gpfs", &p, err, sizeof err);
    CHECK(rc == 0, "\\\\ before ;: %s", err);
    if (rc == 0) {
        CHECK_STR(p.path, "/a\\");
        CHECK_STR(p.mode, "gpfs");
        phpc_params_free(&p);
    }
    /* empty items, spaces around keys, every mode */
    rc = phpc_params_parse("podheitor-hpc: ;; path=/x ; mode=weka;;", &p, err, sizeof err);
    CHECK(rc == 0, "empty items: %s", err);
    if (rc == 0) {
        CHECK_STR(p.path, "/x ");               /* values are taken as written */
        CHECK_STR(p.mode, "weka");
        phpc_params_free(&p);
    }
    {
        static const char *modes[] = { "posix", "lustre", "gpfs", "cephfs", "beegfs", "weka" };
        for (size_t i = 0; i < 6; i++) {
            char cmd[128];

            snprintf(cmd, sizeof cmd, "podheitor-hpc:path=/;mode=%s", modes[i]);
            rc = phpc_params_parse(cmd, &p, err, sizeof err);
            CHECK(rc == 0, "mode %s: %s", modes[i], err);
            if (rc == 0)
                phpc_params_free(&p);
        }
    }
    /* '=' inside a value, ':' inside a value */
    rc = phpc_params_parse("podheitor-hpc:path=/a=b:c", &p, err, sizeof err);
    CHECK(rc == 0 && strcmp(p.path, "/a=b:c") == 0, "= and : in values: %s", err);
    if (rc == 0)
        phpc_params_free(&p);
}

static void bad(const char *cmd, const char *want)
{
    phpc_params p;
    char err[PHPC_PARAM_ERR_MAX];
    int rc = phpc_params_parse(cmd, &p, err, sizeof err);

    CHECK(rc == -1, "accepted: %s", cmd);
    if (rc == -1)
        CHECK(strcmp(err, want) == 0, "for %s\n   got \"%s\"\n  want \"%s\"", cmd, err, want);
    else
        phpc_params_free(&p);
    CHECK(p.count == 0 && p.path == NULL, "out not cleared");
}

int main(void)
{
    good();
    bad("podheitor-hpc:path=/x;foo=1",
        "bad plugin string: unknown key \"foo\" (known keys: path, mode, threads, channel_depth, backend, timeout, aclsupport, xattrsupport, readahead, hardlink_memory, spill_dir)");
    bad("podheitor-hpc:mode=posix", "bad plugin string: key \"path\" is required");
    bad("podheitor-hpc", "bad plugin string: key \"path\" is required");
    bad("podheitor-hpc:", "bad plugin string: key \"path\" is required");
    bad("podheitor-hpc:path=rel/x",
        "bad plugin string: key \"path\" must be an absolute path, got \"rel/x\"");
    bad("podheitor-hpc:path=/x;backend=bin/be",
        "bad plugin string: key \"backend\" must be an absolute path, got \"bin/be\"");
    bad("podheitor-hpc:path=/x;hardlink_memory=10000001",
        "bad plugin string: key \"hardlink_memory\": \"10000001\" is not an integer in 0..10000000");
    bad("podheitor-hpc:path=/x;spill_dir=tmp",
        "bad plugin string: key \"spill_dir\" must be an absolute path in printable ASCII, got \"tmp\"");
    bad("podheitor-hpc:path=/x;spill_dir=/t\xc3\xa9",
        "bad plugin string: key \"spill_dir\" must be an absolute path in printable ASCII, got \"/t\xc3\xa9\"");
    {
        phpc_params p;
        char err[512];
        CHECK(phpc_params_parse("podheitor-hpc:path=/x;hardlink_memory=0;spill_dir=/var/tmp", &p, err, sizeof err) == 0,
              "hardlink_memory/spill_dir: %s", err);
        phpc_params_free(&p);
    }
    bad("podheitor-hpc:path=/x;readahead=1048577",
        "bad plugin string: key \"readahead\": \"1048577\" is not an integer in 0..1048576");
    {
        phpc_params p;
        char err[PHPC_PARAM_ERR_MAX];
        CHECK(phpc_params_parse("podheitor-hpc:path=/x;readahead=0", &p, err, sizeof err) == 0, "readahead=0: %s", err);
        CHECK(p.readahead == 0 && p.readahead_given == 1, "readahead=0 parsed");
        phpc_params_free(&p);
    }
    bad("podheitor-hpc:path=/x;threads=abc",
        "bad plugin string: key \"threads\": \"abc\" is not an integer in 1..1024");
    bad("podheitor-hpc:path=/x;threads=0",
        "bad plugin string: key \"threads\": \"0\" is not an integer in 1..1024");
    bad("podheitor-hpc:path=/x;threads=1025",
        "bad plugin string: key \"threads\": \"1025\" is not an integer in 1..1024");
    bad("podheitor-hpc:path=/x;threads=-1",
        "bad plugin string: key \"threads\": \"-1\" is not an integer in 1..1024");
    bad("podheitor-hpc:path=/x;threads=99999999999999999999999",
        "bad plugin string: key \"threads\": \"99999999999999999999999\" is not an integer in 1..1024");
    bad("podheitor-hpc:path=/x;timeout=0",
        "bad plugin string: key \"timeout\": \"0\" is not an integer in 1..86400 (seconds)");
    bad("podheitor-hpc:path=/x;timeout=86401",
        "bad plugin string: key \"timeout\": \"86401\" is not an integer in 1..86400 (seconds)");
    bad("podheitor-hpc:path=/x;timeout=5s",
        "bad plugin string: key \"timeout\": \"5s\" is not an integer in 1..86400 (seconds)");
    bad("podheitor-hpc:path=/x;channel_depth=1048577",
        "bad plugin string: key \"channel_depth\": \"1048577\" is not an integer in 1..1048576");
    bad("podheitor-hpc:path=/x;channel_depth= 5",
        "bad plugin string: key \"channel_depth\": \" 5\" is not an integer in 1..1048576");
    bad("podheitor-hpc:path=/x;aclsupport=Yes",
        "bad plugin string: key \"aclsupport\": \"Yes\" is not yes or no");
    bad("podheitor-hpc:path=/x;xattrsupport=1",
        "bad plugin string: key \"xattrsupport\": \"1\" is not yes or no");
    bad("podheitor-hpc:path=/x;path=/y", "bad plugin string: key \"path\" is given twice");
    bad("podheitor-hpc:path=/x;mode=", "bad plugin string: key \"mode\" has an empty value");
    bad("podheitor-hpc:path=", "bad plugin string: key \"path\" has an empty value");
    bad("podheitor-hpc:path=/a\\nb",
        "bad plugin string: key \"path\": bad escape \"\\n\" (only \\; and \\\\ are allowed)");
    bad("podheitor-hpc:path=/ab\\",
        "bad plugin string: key \"path\": bad escape \"\\\" (only \\; and \\\\ are allowed)");
    bad("podheitor-hpc:path=/x;mode=zfs",
        "bad plugin string: key \"mode\": \"zfs\" is not one of posix, lustre, gpfs, cephfs, beegfs, weka");
    bad("podheitor-hpc:path=/x;verbose", "bad plugin string: item \"verbose\" is not key=value");
    bad("podheitor-hpc:path=/x;=3", "bad plugin string: item \"=3\" has an empty key");
    bad("podheitor-hpc:path=/x;Path=/y",
        "bad plugin string: unknown key \"Path\" (known keys: path, mode, threads, channel_depth, backend, timeout, aclsupport, xattrsupport, readahead, hardlink_memory, spill_dir)");
    return check_done("test_params");
}
