/* SPDX-License-Identifier: Apache-2.0 */
/* A batch: what an input hands on at a time. Its events (with their owner
 * links) and rejected records, and the checkpoint it moves the input to; the
 * store commits all of it in one transaction (ts_batch_store), and the bus
 * carries it between processes in the encoding below.
 *
 * Exactly once across a bus: a batch names its input and both ends of the
 * range it covers (start, checkpoint). Committed with dedup on, the store
 * compares that range with the input's committed checkpoint in the same
 * transaction and keeps only the records past it, so a batch delivered twice,
 * or published again after a crash with other boundaries, never stores a
 * record twice, whatever the bus's own deduplication window.
 *
 * Ownership: everything an item points to lives in the batch's arena (or, for
 * a decoded batch, in the message it was decoded from, which must outlive it). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/error.h"
#include "store/store.h"

/* One record: an event with its links, or a rejected record (ev NULL). */
typedef struct ts_batch_item {
    const ts_event_t *ev;
    int n_links;       /* as many as ts_constituency_route() gave (0 to 2 * TS_ROUTE_LINKS_MAX) */
    ts_link_t *links;  /* in the batch's arena, each with its share (own) */
    uint64_t line;     /* 1-based line of the record in its file */
    uint64_t offset;   /* rejected record: byte offset in the input */
    uint64_t full_len; /* rejected record: its whole length */
    int reason;        /* rejected record: the ts_err that rejected it */
    const char *detail;
    const char *data; /* rejected record: its first bytes */
    size_t len;
} ts_batch_item_t;

typedef struct ts_batch {
    ts_arena_t *arena;
    ts_batch_item_t *items;
    size_t n, cap;
    const char *input;           /* the input's name (an absolute path) */
    const char *format;          /* its parser */
    int64_t input_id;            /* its id in the store */
    ts_input_state_t start;      /* where the batch's first record starts */
    ts_input_state_t checkpoint; /* just past its last record */
    bool save_checkpoint;        /* false for stdin */
    bool rewound;                /* the file is being read again from its start (truncation) */
} ts_batch_t;

/* An empty batch with its own arena; free with ts_batch_free(). */
void ts_batch_init(ts_batch_t *b);
void ts_batch_free(ts_batch_t *b);
/* Empties the batch (keeps its memory); the arena is reset. */
void ts_batch_reset(ts_batch_t *b);
/* A new zeroed item at the end. */
ts_batch_item_t *ts_batch_add(ts_batch_t *b);

/* What ts_batch_store() did. */
typedef struct ts_batch_result {
    size_t stored;  /* records written */
    size_t skipped; /* records already stored by an earlier delivery */
    bool gap;       /* the batch starts past the committed checkpoint */
} ts_batch_result_t;

/* Commits the batch: its records and its checkpoint in one transaction.
 * With dedup, the input is looked up by name and format, and only records
 * past its committed checkpoint are written (see above); a batch that starts
 * past the checkpoint of the same file (an earlier batch not yet committed)
 * is not written: res->gap is set and TS_EAGAIN returned, for the caller to
 * retry later.
 * \retval 0 committed (res, which may be NULL, says what).
 * \retval TS_EAGAIN a gap, nothing written.
 * \retval TS_EBUSY the store is locked or unreachable (rolled back; retry).
 * \retval other ts_err from the store (rolled back, logged). */
TS_MUSTCHECK int ts_batch_store(ts_store_t *st, const ts_batch_t *b, bool dedup,
                                ts_batch_result_t *res /* OUT, may be NULL */);

/* Appends the batch's wire form to out. */
void ts_batch_encode(const ts_batch_t *b, ts_buf_t *out);
/* Reads a batch from its wire form into b (initialised by ts_batch_init, and
 * reset first). Strings point into data or b's arena: data must outlive b's
 * use. Every length and count is checked against the message and the
 * store's limits.
 * \retval 0 ok.  \retval TS_ESYNTAX malformed or truncated.
 * \retval TS_ETOOBIG a count or length past a limit. */
TS_MUSTCHECK int ts_batch_decode(const void *data, size_t len, ts_batch_t *b);

/* The bus message id of a batch: the input, its file and the range it
 * covers ("i<id>.<dev>.<ino>.<start>-<end>"), so that a batch published again
 * with the same boundaries is recognised, and one published again from an
 * earlier checkpoint (an ingest node restarted after a batch was lost) is
 * not taken for the batch that ended at the same place. */
void ts_batch_msg_id(const ts_batch_t *b, char *buf, size_t size);
