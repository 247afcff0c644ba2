/*
 * ptcomm.h - PTCOMM framing (docs/ptcomm.md §1): an 8-byte header
 * <letter><6 decimal digits>'\n' followed by exactly <length> payload bytes.
 *
 * The reader is transport-neutral: it pulls bytes through a read callback
 * (backend.c polls the pipes and forwards stderr; the tests feed short reads
 * from memory) into one buffer large enough for the biggest frame.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef PHPC_PTCOMM_H
#define PHPC_PTCOMM_H

#include <stddef.h>
#include <sys/types.h>

#define PTC_HDR_LEN 8
#define PTC_MAX_PAYLOAD 999999
#define PTC_READER_CAP (2u * 1024 * 1024)   /* 2 MiB >= header + max payload */

/* Letters the backend may send (docs/ptcomm.md §1 table). */
#define PTC_LETTERS_FROM_BACKEND "CDFIWEAH"
/* An H packet (a data section handed off, docs/ptcomm.md §4.1c) carries exactly this many bytes. */
#define PTC_HANDOFF_LEN 8
/* Letters the shim may send (what a backend-side reader accepts). */
#define PTC_LETTERS_TO_BACKEND "CDFT"

/* Read at most len bytes; >0 count, 0 EOF, -1 error (errno set; ETIMEDOUT,
 * ECANCELED and EIO are used by backend.c). Must not return -1/EINTR. */
typedef ssize_t (*ptc_read_fn)(void *arg, void *buf, size_t len);
/* Write exactly len bytes; 0 ok, -1 error (errno set, e.g. EPIPE). */
typedef int (*ptc_write_fn)(void *arg, const void *buf, size_t len);

typedef struct ptc_reader {
    unsigned char *buf;
    size_t cap;
    size_t rpos;                    /* first unconsumed byte */
    size_t wpos;                    /* end of buffered bytes */
    ptc_read_fn read;
    void *arg;
    const char *letters;            /* allowed status letters */
    unsigned char bad_hdr[PTC_HDR_LEN];     /* the offending header after */
                                            /* PTC_EBADHDR */
} ptc_reader;

typedef struct ptc_frame {
    char letter;
    size_t len;
    const unsigned char *data;      /* points into the reader buffer; valid */
                                    /* until the next ptc_read_frame call   */
} ptc_frame;

enum ptc_status {
    PTC_OK = 0,
    PTC_EOF,            /* clean EOF on a frame boundary */
    PTC_ETRUNC_HDR,     /* EOF in the middle of a header */
    PTC_ETRUNC_DATA,    /* EOF in the middle of a payload */
    PTC_EBADHDR,        /* invalid header; copy in reader->bad_hdr */
    PTC_EIO             /* the read callback failed; errno preserved */
};

/* Allocate a buffer of cap bytes (>= PTC_HDR_LEN + PTC_MAX_PAYLOAD). 0 / -1. */
int ptc_reader_init(ptc_reader *r, size_t cap, const char *letters);
/* Forget buffered bytes and attach a new source (keeps the buffer). */
void ptc_reader_reset(ptc_reader *r, ptc_read_fn fn, void *arg);
void ptc_reader_free(ptc_reader *r);

/*
 * Check one header: byte 7 '\n', bytes 1..6 digits, letter in letters,
 * 'F' and 'T' header-only, 'D' never empty, 'H' exactly PTC_HANDOFF_LEN bytes.
 * Returns 0 and the length, or -1.
 */
int ptc_check_header(const unsigned char hdr[PTC_HDR_LEN], const char *letters, size_t *len);

/* Read the next frame (enum ptc_status). */
int ptc_read_frame(ptc_reader *r, ptc_frame *f);

/* 1 if a complete frame is already buffered (reading it will not block). */
int ptc_frame_buffered(const ptc_reader *r);

/* Write one frame (header + payload); len <= PTC_MAX_PAYLOAD. 0 / -1. */
int ptc_write_frame(ptc_write_fn fn, void *arg, char letter, const void *data, size_t len);

/* Human-readable text for a status, e.g. "EOF in the middle of a frame header". */
const char *ptc_status_str(int status);

#endif
