/*
 * test_ptcomm.c - frame reader/writer, FILE record codec, link map.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <errno.h>
#include <stdlib.h>

#include "check.h"
#include "linkmap.h"
#include "ptcomm.h"
#include "record.h"

/* A byte source that hands out its data in short chunks (1, 2, 3 ... bytes). */
struct src {
    const unsigned char *data;
    size_t len, pos, step, maxstep;
    int fail_errno;             /* at the end: return -1 with this errno instead of EOF */
};

static ssize_t src_read(void *arg, void *buf, size_t len)
{
    struct src *s = arg;
    size_t n = s->step;

    if (s->pos == s->len) {
        if (s->fail_errno) {
            errno = s->fail_errno;
            return -1;
        }
        return 0;
    }
    s->step = s->step % s->maxstep + 1;
    if (n > len)
        n = len;
    if (n > s->len - s->pos)
        n = s->len - s->pos;
    memcpy(buf, s->data + s->pos, n);
    s->pos += n;
    return (ssize_t)n;
}

/* A sink collecting written bytes. */
struct sink {
    unsigned char *data;
    size_t len;
};

static int sink_write(void *arg, const void *buf, size_t len)
{
    struct sink *s = arg;

    s->data = realloc(s->data, s->len + len);
    memcpy(s->data + s->len, buf, len);
    s->len += len;
    return 0;
}

static ptc_reader rd;

static void attach(struct src *s, const void *data, size_t len, size_t maxstep)
{
    memset(s, 0, sizeof *s);
    s->data = data;
    s->len = len;
    s->step = 1;
    s->maxstep = maxstep;
    ptc_reader_reset(&rd, src_read, s);
}

static void good_frames(size_t maxstep)
{
    static const char stream[] =
        "C000005\nHello"
        "I000003\nhi\n"
        "F000000\n"
        "D000004\n\0\n\xff\x01"
        "E000003\nbad"
        "A000000\n"
        "W000001\nw"
        "H000008\n\0\0\0\0\0\0\1\2";
    struct src s;
    ptc_frame f;

    attach(&s, stream, sizeof stream - 1, maxstep);
    CHECK(ptc_read_frame(&rd, &f) == PTC_OK && f.letter == 'C' && f.len == 5 &&
          memcmp(f.data, "Hello", 5) == 0, "C frame (step %zu)", maxstep);
    CHECK(ptc_read_frame(&rd, &f) == PTC_OK && f.letter == 'I' && f.len == 3, "I frame");
    CHECK(ptc_read_frame(&rd, &f) == PTC_OK && f.letter == 'F' && f.len == 0, "F frame");
    CHECK(ptc_read_frame(&rd, &f) == PTC_OK && f.letter == 'D' && f.len == 4 &&
          memcmp(f.data, "\0\n\xff\x01", 4) == 0, "binary D frame");
    CHECK(ptc_read_frame(&rd, &f) == PTC_OK && f.letter == 'E' && f.len == 3, "E frame");
    CHECK(ptc_read_frame(&rd, &f) == PTC_OK && f.letter == 'A' && f.len == 0, "empty A frame");
    CHECK(ptc_read_frame(&rd, &f) == PTC_OK && f.letter == 'W' && f.len == 1, "W frame");
    CHECK(ptc_read_frame(&rd, &f) == PTC_OK && f.letter == 'H' && f.len == PTC_HANDOFF_LEN &&
          memcmp(f.data, "\0\0\0\0\0\0\1\2", 8) == 0, "H frame (handoff 258)");
    CHECK(ptc_read_frame(&rd, &f) == PTC_EOF, "clean EOF");
}

static void expect_status(const char *what, const void *data, size_t len, int want)
{
    struct src s;
    ptc_frame f;
    int rc;

    attach(&s, data, len, 3);
    rc = ptc_read_frame(&rd, &f);
    CHECK(rc == want, "%s: got %d (%s), want %d", what, rc, ptc_status_str(rc), want);
}

static void bad_frames(void)
{
    struct src s;
    ptc_frame f;

    expect_status("non-digit length", "C00a005\nHello", 13, PTC_EBADHDR);
    CHECK(memcmp(rd.bad_hdr, "C00a005\n", 8) == 0, "bad header kept");
    expect_status("missing newline", "C0000050Hello", 13, PTC_EBADHDR);
    expect_status("unknown letter", "X000000\n", 8, PTC_EBADHDR);
    expect_status("T from the backend", "T000000\n", 8, PTC_EBADHDR);
    expect_status("lower-case letter", "c000000\n", 8, PTC_EBADHDR);
    expect_status("F with a length", "F000001\nx", 9, PTC_EBADHDR);
    expect_status("empty D", "D000000\n", 8, PTC_EBADHDR);
    expect_status("H without its number", "H000000\n", 8, PTC_EBADHDR);
    expect_status("H of 7 bytes", "H000007\n1234567", 15, PTC_EBADHDR);
    expect_status("H of 9 bytes", "H000009\n123456789", 17, PTC_EBADHDR);
    expect_status("space in length", "C 00005\nHello", 13, PTC_EBADHDR);
    expect_status("sign in length", "C-00005\nHello", 13, PTC_EBADHDR);
    expect_status("NUL letter", "\0" "000000\n", 8, PTC_EBADHDR);
    expect_status("EOF mid-header", "C0000", 5, PTC_ETRUNC_HDR);
    expect_status("EOF after 7 header bytes", "C000005", 7, PTC_ETRUNC_HDR);
    expect_status("EOF mid-payload", "C000005\nHel", 11, PTC_ETRUNC_DATA);
    expect_status("EOF before payload", "C000005\n", 8, PTC_ETRUNC_DATA);
    expect_status("empty stream", "", 0, PTC_EOF);

    /* a read error is passed through with its errno */
    attach(&s, "C0000", 5, 2);
    s.fail_errno = ETIMEDOUT;
    CHECK(ptc_read_frame(&rd, &f) == PTC_EIO && errno == ETIMEDOUT, "read error keeps errno");

    /* T is fine for a reader that accepts the shim's letters */
    {
        ptc_reader r2;
        struct src s2;

        ptc_reader_init(&r2, PTC_READER_CAP, PTC_LETTERS_TO_BACKEND);
        memset(&s2, 0, sizeof s2);
        s2.data = (const unsigned char *)"T000000\n";
        s2.len = 8;
        s2.step = s2.maxstep = 8;
        ptc_reader_reset(&r2, src_read, &s2);
        CHECK(ptc_read_frame(&r2, &f) == PTC_OK && f.letter == 'T', "T accepted backend-side");
        ptc_reader_free(&r2);
    }
}

/* Length 999999 (the maximum), several big frames in a row so the buffer
 * has to compact, fed in big uneven chunks. */
static void big_frames(void)
{
    size_t n = 3 * (8 + 999999) + 8 + 5;
    unsigned char *buf = malloc(n), *p = buf;
    struct src s;
    ptc_frame f;
    int ok = 1;

    for (int i = 0; i < 3; i++) {
        memcpy(p, "D999999\n", 8);
        memset(p + 8, 'a' + i, 999999);
        p += 8 + 999999;
    }
    memcpy(p, "C000005\nworld", 13);
    attach(&s, buf, n, 70001);
    for (int i = 0; i < 3; i++) {
        int rc = ptc_read_frame(&rd, &f);

        ok = rc == PTC_OK && f.letter == 'D' && f.len == 999999 && f.data[0] == 'a' + i &&
             f.data[999998] == 'a' + i;
        CHECK(ok, "frame %d of 999999 bytes (rc %d)", i, rc);
    }
    CHECK(ptc_read_frame(&rd, &f) == PTC_OK && f.len == 5 && memcmp(f.data, "world", 5) == 0,
          "frame after the big ones");
    CHECK(ptc_read_frame(&rd, &f) == PTC_EOF, "EOF after big frames");
    free(buf);
}

static void writer(void)
{
    struct sink k = { 0 };
    unsigned char *big = malloc(999999 + 1);

    CHECK(ptc_write_frame(sink_write, &k, 'C', "Hello podheitor-hpc 1", 21) == 0, "write C");
    CHECK(ptc_write_frame(sink_write, &k, 'F', NULL, 0) == 0, "write F");
    CHECK(k.len == 8 + 21 + 8 && memcmp(k.data, "C000021\nHello podheitor-hpc 1F000000\n", k.len) == 0,
          "written bytes");
    memset(big, 'z', 999999 + 1);
    CHECK(ptc_write_frame(sink_write, &k, 'D', big, 999999) == 0, "write 999999");
    CHECK(memcmp(k.data + 37, "D999999\n", 8) == 0 && k.len == 37 + 8 + 999999, "big header");
    errno = 0;
    CHECK(ptc_write_frame(sink_write, &k, 'D', big, 1000000) == -1 && errno == EMSGSIZE,
          "1000000 bytes refused");
    free(big);
    free(k.data);
}

static void records(void)
{
    static const char good[] =
        "FILE F 100644 1000 100 11 1700000000 1700000001 -5 42 2049 2 0 8 1 0\n/d/a\nb\0";
    static const char sym[] = "FILE S 120777 0 0 5 1 2 3 4 5 1 0 0 0 0\n/d/l\0target";
    phpc_record r = { 0 }, w = { 0 };
    char err[256], *buf = NULL;
    size_t cap = 0;
    long n;

    CHECK(phpc_record_parse(good, sizeof good - 1, &r, err, sizeof err) == 0, "parse: %s", err);
    CHECK(r.type == 'F' && r.mode == 0100644 && r.uid == 1000 && r.gid == 100 && r.size == 11,
          "fields 1");
    CHECK(r.atime == 1700000000 && r.mtime == 1700000001 && r.ctime == -5 && r.ino == 42 &&
          r.dev == 2049 && r.nlink == 2 && r.rdev == 0 && r.blocks == 8 && r.flags == 1 &&
          r.linkid == 0, "fields 2");
    CHECK(r.name_len == 6 && memcmp(r.name, "/d/a\nb", 6) == 0 && r.link_len == 0, "name with \\n");
    CHECK(phpc_record_parse(sym, sizeof sym - 1, &r, err, sizeof err) == 0, "parse symlink");
    CHECK(strcmp(r.name, "/d/l") == 0 && strcmp(r.link, "target") == 0, "symlink target");

    /* round trip */
    w = r;
    w.name = NULL; w.link = NULL; w.name_cap = w.link_cap = 0;
    phpc_record_set_names(&w, "/restore/d/l", "target");
    w.linkid = 17;
    n = phpc_record_format(&w, &buf, &cap);
    CHECK(n > 0, "format");
    {
        static const char want[] = "FILE S 120777 0 0 5 1 2 3 4 5 1 0 0 0 17\n/restore/d/l\0target";
        CHECK(n == (long)sizeof want - 1 && memcmp(buf, want, (size_t)n) == 0, "formatted bytes");
    }
    CHECK(phpc_record_parse(buf, (size_t)n, &r, err, sizeof err) == 0 && r.linkid == 17 &&
          strcmp(r.name, "/restore/d/l") == 0, "round trip");

#define BADREC(s, what)                                                      \
    CHECK(phpc_record_parse(s, sizeof s - 1, &r, err, sizeof err) == -1, what)
    BADREC("FILE F 100644 0 0 0 0 0 0 0 0 1 0 0 0\n/x\0", "14 fields");
    BADREC("FILE F 100644 0 0 0 0 0 0 0 0 1 0 0 0 0 0\n/x\0", "16 fields");
    BADREC("FILE X 100644 0 0 0 0 0 0 0 0 1 0 0 0 0\n/x\0", "bad type");
    BADREC("FILE F 100684 0 0 0 0 0 0 0 0 1 0 0 0 0\n/x\0", "non-octal mode");
    BADREC("FILE F 100644 0 0 -1 0 0 0 0 0 1 0 0 0 0\n/x\0", "negative size");
    BADREC("FILE F 100644 0  0 0 0 0 0 0 1 0 0 0 0 0\n/x\0", "double space");
    BADREC("FILE F 100644 0 0 0 0 0 0 0 0 1 0 0 0 0\n/x", "no NUL");
    BADREC("FILE F 100644 0 0 0 0 0 0 0 0 1 0 0 0 0\n\0", "empty name");
    BADREC("FILE F 100644 0 0 0 0 0 0 0 0 1 0 0 0 0\n/x\0a\0b", "NUL in link");
    BADREC("FILE F 100644 4294967296 0 0 0 0 0 0 0 1 0 0 0 0\n/x\0", "uid overflow");
    BADREC("FNAME:/x\n", "not FILE");
    free(buf);
    phpc_record_free(&r);
    phpc_record_free(&w);
}

static void linkmap(void)
{
    phpc_linkmap m = { 0 };
    int32_t fi = -1;
    int ok = 1;

    CHECK(phpc_linkmap_get(&m, 0, &fi) == -1, "empty map");
    for (uint64_t i = 0; i < 100000; i += 3)
        phpc_linkmap_put(&m, i, (int32_t)(i * 2 + 1));
    for (uint64_t i = 0; i < 100000; i++) {
        int rc = phpc_linkmap_get(&m, i, &fi);

        if (i % 3 == 0)
            ok &= rc == 0 && fi == (int32_t)(i * 2 + 1);
        else
            ok &= rc == -1;
    }
    CHECK(ok, "33334 entries through growth");
    phpc_linkmap_put(&m, 3, 77);
    CHECK(phpc_linkmap_get(&m, 3, &fi) == 0 && fi == 77 && m.used == 33334, "overwrite");
    phpc_linkmap_clear(&m);
    CHECK(phpc_linkmap_get(&m, 3, &fi) == -1, "cleared");
}

int main(void)
{
    if (ptc_reader_init(&rd, PTC_READER_CAP, PTC_LETTERS_FROM_BACKEND) != 0)
        return 1;
    for (size_t step = 1; step <= 9; step++)
        good_frames(step);
    bad_frames();
    big_frames();
    writer();
    records();
    linkmap();
    ptc_reader_free(&rd);
    return check_done("test_ptcomm");
}
