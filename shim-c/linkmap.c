/*
 * linkmap.c - open-addressing map record number -> FileIndex.
 *
 * SPDX-License-Identifier: AGPL-3.0-or-later
 */
#include "linkmap.h"

#include <stdlib.h>

struct phpc_link_slot {
    uint64_t key;               /* record number + 1; 0 marks a free slot */
    int32_t value;
};

static size_t hash(uint64_t k, size_t cap)
{
    k ^= k >> 33;               /* murmur3 finaliser */
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return (size_t)k & (cap - 1);
}

static void insert(struct phpc_link_slot *slots, size_t cap, uint64_t key, int32_t value)
{
    size_t i = hash(key, cap);

    while (slots[i].key != 0 && slots[i].key != key)
        i = (i + 1) & (cap - 1);
    slots[i].key = key;
    slots[i].value = value;
}

int phpc_linkmap_put(phpc_linkmap *m, uint64_t recno, int32_t file_index)
{
    uint64_t key = recno + 1;

    if (key == 0)
        return -1;
    if ((m->used + 1) * 3 > m->cap * 2) {
        size_t ncap = m->cap ? m->cap * 2 : 64;
        struct phpc_link_slot *ns = calloc(ncap, sizeof *ns);

        if (ns == NULL)
            return -1;
        for (size_t i = 0; i < m->cap; i++)
            if (m->slots[i].key != 0)
                insert(ns, ncap, m->slots[i].key, m->slots[i].value);
        free(m->slots);
        m->slots = ns;
        m->cap = ncap;
    }
    if (phpc_linkmap_get(m, recno, &(int32_t){ 0 }) != 0)
        m->used++;
    insert(m->slots, m->cap, key, file_index);
    return 0;
}

int phpc_linkmap_get(const phpc_linkmap *m, uint64_t recno, int32_t *file_index)
{
    uint64_t key = recno + 1;

    if (m->cap == 0 || key == 0)
        return -1;
    for (size_t i = hash(key, m->cap);; i = (i + 1) & (m->cap - 1)) {
        if (m->slots[i].key == 0)
            return -1;
        if (m->slots[i].key == key) {
            *file_index = m->slots[i].value;
            return 0;
        }
    }
}

void phpc_linkmap_clear(phpc_linkmap *m)
{
    free(m->slots);
    m->slots = NULL;
    m->cap = m->used = 0;
}
