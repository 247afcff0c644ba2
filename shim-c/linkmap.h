/*
 * linkmap.h - record number -> Bacula FileIndex, for hard links.
 *
 * The backend announces a hard link ('L') with the record number of the
 * first name (docs/ptcomm.md §3); Bacula wants that file's FileIndex in
 * save_pkt.LinkFI (docs/abi.md §7.4).  Only records with nlink > 1 are stored, in an
 * open-addressing hash table (linear probing) that doubles when it is 2/3
 * full, so memory is proportional to the multiply-linked files of one job
 * (16 bytes per entry).
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#ifndef PHPC_LINKMAP_H
#define PHPC_LINKMAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct phpc_linkmap {
    struct phpc_link_slot *slots;
    size_t cap;                 /* power of two, or 0 */
    size_t used;
} phpc_linkmap;

/* 0, or -1 when out of memory (the entry is then simply not remembered). */
int phpc_linkmap_put(phpc_linkmap *m, uint64_t recno, int32_t file_index);
/* 0 and *file_index, or -1 when unknown. */
int phpc_linkmap_get(const phpc_linkmap *m, uint64_t recno, int32_t *file_index);
void phpc_linkmap_clear(phpc_linkmap *m);

#endif
