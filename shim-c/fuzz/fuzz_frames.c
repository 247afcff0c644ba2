/*
 * fuzz_frames.c - libFuzzer harness over the shim's PTCOMM decoders: the
 * frame reader (ptc_read_frame, fed through a read callback that returns
 * short reads of fuzzer-chosen sizes, like backend.c's pipe reader), the
 * FILE-record parser on every C payload, and the CHECK prefix (accurate.c's
 * acc_is_check + the record after it).
 *
 * Input: byte 0 = short-read pattern seed, the rest = the byte stream the
 * "backend" writes.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../ptcomm.h"
#include "../record.h"

struct mem_src {
    const uint8_t *p;
    size_t n, pos;
    unsigned seed;
};

static ssize_t mem_read(void *arg, void *buf, size_t len)
{
    struct mem_src *s = arg;
    size_t left = s->n - s->pos, k;

    if (left == 0)
        return 0;
    /* short reads: 1..64 bytes, or everything, depending on the seed */
    s->seed = s->seed * 1103515245u + 12345u;
    k = (s->seed >> 16) % 4 == 0 ? left : 1 + (s->seed >> 8) % 64;
    if (k > left)
        k = left;
    if (k > len)
        k = len;
    memcpy(buf, s->p + s->pos, k);
    s->pos += k;
    return (ssize_t)k;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static ptc_reader rd;
    static phpc_record rec;
    struct mem_src src;
    ptc_frame f;
    char err[256];

    if (rd.buf == NULL && ptc_reader_init(&rd, PTC_READER_CAP, PTC_LETTERS_FROM_BACKEND) != 0)
        return 0;
    if (size < 1)
        return 0;
    src.p = data + 1;
    src.n = size - 1;
    src.pos = 0;
    src.seed = data[0];
    ptc_reader_reset(&rd, mem_read, &src);
    for (int i = 0; i < 10000; i++) {
        int rc = ptc_read_frame(&rd, &f);

        if (rc != PTC_OK) {
            (void)ptc_status_str(rc);
            break;
        }
        if (f.letter == 'D' && f.len == 0)
            __builtin_trap();           /* the reader must refuse empty D */
        if ((f.letter == 'F' || f.letter == 'T') && f.len != 0)
            __builtin_trap();
        if (f.letter == 'H' && f.len != PTC_HANDOFF_LEN)
            __builtin_trap();           /* an H packet is exactly its handoff number */
        (void)ptc_frame_buffered(&rd);
        if (f.letter != 'C')
            continue;
        if (f.len > 6 && memcmp(f.data, "CHECK ", 6) == 0) {
            (void)phpc_record_parse(f.data + 6, f.len - 6, &rec, err, sizeof err);
            continue;
        }
        if (phpc_record_parse(f.data, f.len, &rec, err, sizeof err) == 0) {
            /* a parsed record round-trips through the formatter */
            char *buf = NULL;
            size_t cap = 0;
            long n = phpc_record_format(&rec, &buf, &cap);

            if (n >= 0) {
                phpc_record r2;

                memset(&r2, 0, sizeof r2);
                if (phpc_record_parse(buf, (size_t)n, &r2, err, sizeof err) != 0 ||
                    r2.name_len != rec.name_len || memcmp(r2.name, rec.name, rec.name_len) != 0)
                    __builtin_trap();
                phpc_record_free(&r2);
            }
            free(buf);
        }
    }
    return 0;
}
