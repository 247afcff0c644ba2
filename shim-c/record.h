/*
 * record.h - the FILE record (docs/ptcomm.md §3):
 *   FILE <type> <mode> <uid> <gid> <size> <atime> <mtime> <ctime> <ino> <dev>
 *        <nlink> <rdev> <blocks> <flags> <linkid>\n<name>\0<link>
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef PHPC_RECORD_H
#define PHPC_RECORD_H

#include <stddef.h>
#include <stdint.h>

#define PHPC_REC_DATA   1u      /* flags: a data section follows (backup) */
#define PHPC_REC_ACL    2u      /* flags: one ACL blob follows */
#define PHPC_REC_XATTR  4u      /* flags: one XATTR blob follows */
#define PHPC_REC_SPARSE 8u      /* flags: each data D packet starts with an 8-byte offset */

typedef struct phpc_record {
    char type;                  /* F E D S L P C B K */
    uint32_t mode;              /* st_mode including the type bits */
    uint32_t uid, gid;
    uint64_t size;
    int64_t atime, mtime, ctime;
    uint64_t ino, dev, nlink, rdev, blocks;
    uint64_t flags;
    uint64_t linkid;
    /* owned, NUL-terminated copies; the buffers are reused between records */
    char *name;
    size_t name_len, name_cap;
    char *link;
    size_t link_len, link_cap;
} phpc_record;

/* Parse a C payload into r (strings copied). 0, or -1 with a reason in err. */
int phpc_record_parse(const void *payload, size_t len, phpc_record *r, char *err, size_t errsz);

/*
 * Format r (name/link taken from r->name/name_len and r->link/link_len) into
 * *buf (grown with realloc as needed).  Returns the payload length or -1 if it
 * would exceed the frame limit or memory is short.
 */
long phpc_record_format(const phpc_record *r, char **buf, size_t *cap);

/* Copy name and link (either may be NULL = empty) into r.  0 / -1. */
int phpc_record_set_names(phpc_record *r, const char *name, const char *link);

void phpc_record_free(phpc_record *r);

struct stat;
/* The record's lstat fields as a struct stat for the FD (blksize 4096). */
void phpc_record_to_stat(const phpc_record *r, struct stat *st);
/* Bacula FT_* file type of a record type letter (docs/ptcomm.md §3). */
int32_t phpc_record_ft(char type);

#endif
