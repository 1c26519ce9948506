/* SPDX-License-Identifier: Apache-2.0 */
/* Per-batch arena: many small allocations released in one go. Used on the
 * ingest hot path so that a batch of events costs a handful of mallocs. */
#pragma once
#include <stddef.h>

#include "core/str.h"

typedef struct ts_arena ts_arena_t;

/* New arena whose blocks are at least block_size bytes. Never NULL (aborts on
 * OOM). Caller frees with ts_arena_free(). */
ts_arena_t *ts_arena_new(size_t block_size);
void ts_arena_free(ts_arena_t *a);
/* Releases every allocation but keeps the first block for reuse. */
void ts_arena_reset(ts_arena_t *a);
/* 16-byte aligned memory valid until reset/free. Aborts on OOM. */
void *ts_arena_alloc(ts_arena_t *a, size_t n);
/* Bytes the arena holds (its blocks, used or not): what a batch costs in
 * memory, for bounding it. */
size_t ts_arena_size(const ts_arena_t *a);
/* Copy of the slice, NUL-terminated, owned by the arena. */
ts_str_t ts_arena_strdup(ts_arena_t *a, ts_str_t s);
