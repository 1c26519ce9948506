/* SPDX-License-Identifier: Apache-2.0 */
#include "core/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

struct block {
    struct block *next;
    size_t size;
    size_t used;
    _Alignas(16) unsigned char data[];
};

struct ts_arena {
    struct block *head;
    size_t block_size;
    size_t bytes; /* of every block in the chain */
};

static struct block *block_new(size_t size)
{
    struct block *b = ts_xmalloc(sizeof *b + size);
    b->next = NULL;
    b->size = size;
    b->used = 0;
    return b;
}

ts_arena_t *ts_arena_new(size_t block_size)
{
    ts_arena_t *a = ts_xcalloc(1, sizeof *a);
    a->block_size = block_size < 1024 ? 1024 : block_size;
    a->head = block_new(a->block_size);
    a->bytes = a->block_size;
    return a;
}

void ts_arena_free(ts_arena_t *a)
{
    if (a == NULL)
        return;
    struct block *b = a->head;
    while (b) {
        struct block *n = b->next;
        free(b);
        b = n;
    }
    free(a);
}

void ts_arena_reset(ts_arena_t *a)
{
    /* Keep the last block in the chain (the first allocated, block_size). */
    struct block *b = a->head;
    while (b->next) {
        struct block *n = b->next;
        free(b);
        b = n;
    }
    b->used = 0;
    a->head = b;
    a->bytes = b->size;
}

void *ts_arena_alloc(ts_arena_t *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    struct block *b = a->head;
    if (b->size - b->used < n) {
        size_t size = n > a->block_size ? n : a->block_size;
        b = block_new(size);
        b->next = a->head;
        a->head = b;
        a->bytes += size;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

size_t ts_arena_size(const ts_arena_t *a)
{
    return a->bytes;
}

ts_str_t ts_arena_strdup(ts_arena_t *a, ts_str_t s)
{
    char *p = ts_arena_alloc(a, s.len + 1);
    if (s.len)
        memcpy(p, s.ptr, s.len);
    p[s.len] = '\0';
    return ts_str(p, s.len);
}
