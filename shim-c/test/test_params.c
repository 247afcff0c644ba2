/*
 * test_params.c - plugin string parser and validator.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <stdlib.h>

#include "backend.h"
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

/*
 * Valid and bad sample values of a key, from its type: the table (plugin-keys.toml through
 * build/plugin_keys.h) drives the test, so a key added there is tested here without an edit.
 * A new type fails to compile here (-Wswitch) until it has samples.
 */
#define SAMPLES 12
#define SAMPLE_MAX 128         /* a sample and its NUL */

static void samples(const phpc_key_spec *k, char good_v[][SAMPLE_MAX], size_t *ngood, char bad_v[][SAMPLE_MAX],
                    size_t *nbad)
{
    *ngood = *nbad = 0;
    switch (k->type) {
    case PHPC_KT_ABS_PATH:
        strcpy(good_v[(*ngood)++], "/");
        strcpy(good_v[(*ngood)++], "/a b/\xc3\xa9\x01/");
        strcpy(bad_v[(*nbad)++], "rel/x");
        strcpy(bad_v[(*nbad)++], " /x");
        break;
    case PHPC_KT_ASCII_PATH:
        strcpy(good_v[(*ngood)++], "/");
        strcpy(good_v[(*ngood)++], "/var/tmp/a b~");
        strcpy(bad_v[(*nbad)++], "rel/x");
        strcpy(bad_v[(*nbad)++], "/t\xc3\xa9");
        strcpy(bad_v[(*nbad)++], "/t\x7f");
        strcpy(bad_v[(*nbad)++], "/t\x01");
        break;
    case PHPC_KT_INTEGER:
        snprintf(good_v[(*ngood)++], SAMPLE_MAX, "%ld", k->min);
        snprintf(good_v[(*ngood)++], SAMPLE_MAX, "%ld", k->max);
        snprintf(good_v[(*ngood)++], SAMPLE_MAX, "00%ld", k->max);   /* leading zeros are digits too */
        if (k->min > 0)
            snprintf(bad_v[(*nbad)++], SAMPLE_MAX, "%ld", k->min - 1);
        snprintf(bad_v[(*nbad)++], SAMPLE_MAX, "%ld", k->max + 1);
        snprintf(bad_v[(*nbad)++], SAMPLE_MAX, "-%ld", k->max);
        snprintf(bad_v[(*nbad)++], SAMPLE_MAX, "+%ld", k->min);
        snprintf(bad_v[(*nbad)++], SAMPLE_MAX, "%ld ", k->min);
        strcpy(bad_v[(*nbad)++], "abc");
        strcpy(bad_v[(*nbad)++], "99999999999999999999999");
        break;
    case PHPC_KT_YES_NO:
        strcpy(good_v[(*ngood)++], "yes");
        strcpy(good_v[(*ngood)++], "no");
        strcpy(bad_v[(*nbad)++], "Yes");
        strcpy(bad_v[(*nbad)++], "1");
        strcpy(bad_v[(*nbad)++], "true");
        break;
    case PHPC_KT_K_OF_N:
        strcpy(good_v[(*ngood)++], "0/1");
        snprintf(good_v[(*ngood)++], SAMPLE_MAX, "%ld/%ld", k->max - 1, k->max);
        strcpy(good_v[(*ngood)++], "003/0004");
        snprintf(bad_v[(*nbad)++], SAMPLE_MAX, "%ld/%ld", k->max, k->max);
        snprintf(bad_v[(*nbad)++], SAMPLE_MAX, "0/%ld", k->max + 1);
        strcpy(bad_v[(*nbad)++], "1/0");
        strcpy(bad_v[(*nbad)++], "-1/2");
        strcpy(bad_v[(*nbad)++], "1");
        strcpy(bad_v[(*nbad)++], "/2");
        strcpy(bad_v[(*nbad)++], "1/2/3");
        strcpy(bad_v[(*nbad)++], " 1/2");
        break;
    case PHPC_KT_WORD:
        strcpy(good_v[(*ngood)++], "cl1");
        strcpy(good_v[(*ngood)++], "cl12-backup_x.y");
        strcpy(good_v[(*ngood)++], "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        strcpy(bad_v[(*nbad)++], "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
        strcpy(bad_v[(*nbad)++], "cl 1");
        strcpy(bad_v[(*nbad)++], "cl1/x");
        strcpy(bad_v[(*nbad)++], "cl\xc3\xa9");
        break;
    case PHPC_KT_WORDS:
        strcpy(good_v[(*ngood)++], "-N nsd1,nsd2 -g /gpfs/fs1/.tmp --scope inodespace");
        strcpy(good_v[(*ngood)++], "-M a=b+c@d -L 1");
        strcpy(good_v[(*ngood)++], "x");
        strcpy(bad_v[(*nbad)++], " -N n");
        strcpy(bad_v[(*nbad)++], "-N n ");
        strcpy(bad_v[(*nbad)++], "-N  n");
        strcpy(bad_v[(*nbad)++], "-N\tn");
        strcpy(bad_v[(*nbad)++], "-N 'n'");
        strcpy(bad_v[(*nbad)++], "a*b");
        strcpy(bad_v[(*nbad)++], "a$(x)");
        strcpy(bad_v[(*nbad)++], "a:b");
        strcpy(bad_v[(*nbad)++], "\xc3\xa9");
        break;
    case PHPC_KT_ABS_PATH_LIST:
        strcpy(good_v[(*ngood)++], "/");
        strcpy(good_v[(*ngood)++], "/a b,!/a b/tmp,/\xc3\xa9\x01");     /* samples go through the string's escapes */
        strcpy(good_v[(*ngood)++], "!/only/excluded");
        strcpy(bad_v[(*nbad)++], "rel/x");
        strcpy(bad_v[(*nbad)++], "/a,");
        strcpy(bad_v[(*nbad)++], "/a,,/b");
        strcpy(bad_v[(*nbad)++], "!");
        strcpy(bad_v[(*nbad)++], "/a\\\\n");              /* the value /a\n: not an escape of the list */
        strcpy(bad_v[(*nbad)++], "/a\\\\");               /* the value /a\ */
        break;
    case PHPC_KT_ONE_OF: {
        const char *first = k->values && k->values[0] ? k->values[0] : "";

        for (const char *const *v = k->values; v && *v && *ngood < SAMPLES; v++)
            snprintf(good_v[(*ngood)++], SAMPLE_MAX, "%s", *v);
        snprintf(bad_v[(*nbad)++], SAMPLE_MAX, "%s ", first);
        snprintf(bad_v[(*nbad)++], SAMPLE_MAX, "x%s", first);
        break;
    }
    }
}

/* "podheitor-hpc:" and every required key but t[except] with a valid value, each followed by ';' */
static void base(const phpc_key_spec *t, size_t n, size_t except, char *buf, size_t sz)
{
    size_t len = (size_t)snprintf(buf, sz, "podheitor-hpc:");

    for (size_t j = 0; j < n && len < sz; j++) {
        char good_v[SAMPLES][SAMPLE_MAX], bad_v[SAMPLES][SAMPLE_MAX];
        size_t ngood, nbad;

        if (j == except || !t[j].required)
            continue;
        samples(&t[j], good_v, &ngood, bad_v, &nbad);
        len += (size_t)snprintf(buf + len, sz - len, "%s=%s;", t[j].name, good_v[0]);
    }
}

static void table(void)
{
    size_t n, known_len = 0;
    const phpc_key_spec *t = phpc_key_table(&n);
    char known[1024] = "";
    char want[PHPC_PARAM_ERR_MAX];
    char err[PHPC_PARAM_ERR_MAX];
    phpc_params p;

    CHECK(n > 0 && n <= PHPC_MAX_PARAMS, "%zu keys", n);
    for (size_t i = 0; i < n; i++) {
        const phpc_key_spec *k = &t[i];
        char good_v[SAMPLES][SAMPLE_MAX], bad_v[SAMPLES][SAMPLE_MAX];
        char pre[1024], cmd[2048];
        size_t ngood, nbad;

        known_len += (size_t)snprintf(known + known_len, sizeof known - known_len, "%s%s", i ? ", " : "",
                                      k->name);
        CHECK(k->side >= PHPC_SIDE_SHIM && k->side <= PHPC_SIDE_BOTH, "%s: side %d", k->name, (int)k->side);
        CHECK(!(k->required && k->dflt), "%s: required with a default", k->name);
        samples(k, good_v, &ngood, bad_v, &nbad);
        CHECK(ngood > 0 && nbad > 0, "%s: samples", k->name);
        base(t, n, i, pre, sizeof pre);
        for (size_t g = 0; g < ngood + (k->dflt != NULL); g++) {
            /* every valid sample, and the literal default, is accepted and kept as given */
            const char *v = g < ngood ? good_v[g] : k->dflt;

            snprintf(cmd, sizeof cmd, "%s%s=%s", pre, k->name, v);
            if (phpc_params_parse(cmd, &p, err, sizeof err) != 0) {
                CHECK(0, "%s: refused: %s", cmd, err);
                continue;
            }
            CHECK(phpc_params_value(&p, k->name) && strcmp(phpc_params_value(&p, k->name), v) == 0,
                  "%s: value", cmd);
            phpc_params_free(&p);
        }
        for (size_t b = 0; b < nbad; b++) {
            /* every bad sample is refused with a message naming the key */
            char named[128];
            int rc;

            snprintf(cmd, sizeof cmd, "%s%s=%s", pre, k->name, bad_v[b]);
            rc = phpc_params_parse(cmd, &p, err, sizeof err);
            CHECK(rc == -1, "%s: accepted", cmd);
            if (rc != -1) {
                phpc_params_free(&p);
                continue;
            }
            snprintf(named, sizeof named, "bad plugin string: key \"%s\"", k->name);
            CHECK(strncmp(err, named, strlen(named)) == 0, "%s: message \"%s\" does not name the key", cmd, err);
        }
        /* empty, and given twice */
        snprintf(cmd, sizeof cmd, "%s%s=", pre, k->name);
        snprintf(want, sizeof want, "bad plugin string: key \"%s\" has an empty value", k->name);
        CHECK(phpc_params_parse(cmd, &p, err, sizeof err) == -1 && strcmp(err, want) == 0, "%s: %s", cmd, err);
        snprintf(cmd, sizeof cmd, "%s%s=%s;%s=%s", pre, k->name, good_v[0], k->name, good_v[0]);
        snprintf(want, sizeof want, "bad plugin string: key \"%s\" is given twice", k->name);
        CHECK(phpc_params_parse(cmd, &p, err, sizeof err) == -1 && strcmp(err, want) == 0, "%s: %s", cmd, err);
        if (k->required) {
            /* left out */
            snprintf(want, sizeof want, "bad plugin string: key \"%s\" is required", k->name);
            CHECK(phpc_params_parse(pre, &p, err, sizeof err) == -1 && strcmp(err, want) == 0,
                  "%s: %s", pre, err);
        }
    }

    /* the unknown-key message lists exactly the table's keys, in table order */
    {
        char cmd[2048];

        base(t, n, n, cmd, sizeof cmd);
        strcat(cmd, "nosuchkey=1");
        snprintf(want, sizeof want, "bad plugin string: unknown key \"nosuchkey\" (known keys: %s)", known);
        CHECK(phpc_params_parse(cmd, &p, err, sizeof err) == -1 && strcmp(err, want) == 0,
              "unknown key: got \"%s\"\n  want \"%s\"", err, want);
    }

    /* the table's defaults are the shim's: mode's view, and timeout's PHPC_IO_TIMEOUT_S */
    for (size_t i = 0; i < n; i++) {
        if (strcmp(t[i].name, "mode") == 0 && phpc_params_parse("podheitor-hpc:path=/x", &p, err, sizeof err) == 0) {
            CHECK(t[i].dflt && strcmp(p.mode, t[i].dflt) == 0, "mode default %s", p.mode);
            CHECK(phpc_params_value(&p, "mode") == NULL, "mode not given");
            phpc_params_free(&p);
        }
        if (strcmp(t[i].name, "timeout") == 0)
            CHECK(t[i].dflt && atol(t[i].dflt) == PHPC_IO_TIMEOUT_S, "timeout default %s vs PHPC_IO_TIMEOUT_S %d",
                  t[i].dflt ? t[i].dflt : "(none)", PHPC_IO_TIMEOUT_S);
    }
}

int main(void)
{
    good();
    table();
    bad("podheitor-hpc:path=/x;foo=1",
        "bad plugin string: unknown key \"foo\" (known keys: path, mode, threads, channel_depth, backend, timeout, aclsupport, xattrsupport, readahead, hardlink_memory, spill_dir, progress, metrics_dir, restore_threads, shard, strategy, subtree, mtime_bucket, changelog_user, state_dir, rctime_margin, gpfs_policy_args, snapshot, parallel_reads, stripe_readers, stripe_min, handoff, handoff_min, restripe, throttle_file, scheduler, partition, cpus, mem, time, sbatch_args, slurm_conf, slurm_bin, slurm_output, slurm_pending_timeout, worker_command, relay, relay_bind, relay_port, relay_lz4)");
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
    /* the sharding keys: malformed values fail the job naming the key and the rule */
    bad("podheitor-hpc:path=/x;shard=4/4",
        "bad plugin string: key \"shard\": \"4/4\" is not K/N with 0 <= K < N <= 4096");
    bad("podheitor-hpc:path=/x;shard=0/4097",
        "bad plugin string: key \"shard\": \"0/4097\" is not K/N with 0 <= K < N <= 4096");
    bad("podheitor-hpc:path=/x;shard=1of4",
        "bad plugin string: key \"shard\": \"1of4\" is not K/N with 0 <= K < N <= 4096");
    bad("podheitor-hpc:path=/x;strategy=random",
        "bad plugin string: key \"strategy\": \"random\" is not one of inode-hash, subtree, mtime-bucket, lustre-mdt");
    bad("podheitor-hpc:path=/x;subtree=/x/a,x/b",
        "bad plugin string: key \"subtree\": element 2 of \"/x/a,x/b\" is not an absolute path (or !absolute path)");
    bad("podheitor-hpc:path=/x;subtree=/x/a\\\\n",
        "bad plugin string: key \"subtree\": element 1 of \"/x/a\\\\n\" has a bad escape (only \\, and \\\\ are allowed inside a list)");
    bad("podheitor-hpc:path=/x;mtime_bucket=0",
        "bad plugin string: key \"mtime_bucket\": \"0\" is not an integer in 1..31536000 (seconds)");
    {
        phpc_params p;
        char err[PHPC_PARAM_ERR_MAX];
        int rc = phpc_params_parse("podheitor-hpc:path=/x;shard=3/4;strategy=subtree;subtree=/x/a\\\\,b\\;c,!/x/a/t",
                                   &p, err, sizeof err);

        CHECK(rc == 0, "sharding keys: %s", err);
        if (rc == 0) {
            CHECK_STR(phpc_params_value(&p, "shard"), "3/4");
            /* the string's escapes are undone (\\ and \;), the list's (\,) are passed on to the backend */
            CHECK_STR(phpc_params_value(&p, "subtree"), "/x/a\\,b;c,!/x/a/t");
            phpc_params_free(&p);
        }
    }
    bad("podheitor-hpc:path=/x;verbose", "bad plugin string: item \"verbose\" is not key=value");
    bad("podheitor-hpc:path=/x;=3", "bad plugin string: item \"=3\" has an empty key");
    bad("podheitor-hpc:path=/x;Path=/y",
        "bad plugin string: unknown key \"Path\" (known keys: path, mode, threads, channel_depth, backend, timeout, aclsupport, xattrsupport, readahead, hardlink_memory, spill_dir, progress, metrics_dir, restore_threads, shard, strategy, subtree, mtime_bucket, changelog_user, state_dir, rctime_margin, gpfs_policy_args, snapshot, parallel_reads, stripe_readers, stripe_min, handoff, handoff_min, restripe, throttle_file, scheduler, partition, cpus, mem, time, sbatch_args, slurm_conf, slurm_bin, slurm_output, slurm_pending_timeout, worker_command, relay, relay_bind, relay_port, relay_lz4)");
    return check_done("test_params");
}
