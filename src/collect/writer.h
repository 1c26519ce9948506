/* SPDX-License-Identifier: Apache-2.0 */
/* The collector's store writer: a thread that owns the store and the
 * constituency while the collector runs, so that nothing the store does (a
 * commit's fsync, another process holding SQLite's write lock for seconds)
 * stops the receive loop from reading its sockets. Before it existed, a 3 s
 * lock held by another writer cost 64,407 datagrams at 1 M flows/s, and a
 * lock held longer than the store's busy timeout (5 s) stopped the
 * collector.
 *
 * The receive thread fills a batch with detections whose strings live in the
 * batch's arena (or are static); ts_cwriter_flush() hands the batch over and
 * opens the next. The writer routes each detection with the constituency of
 * the moment (reloaded when asked), stores each batch in one transaction,
 * and saves the newest exporter counters it was given. A busy store is
 * retried; any other store failure is fatal and returned by the receive
 * thread's next call.
 *
 * Memory is bounded: at most TS_CWRITER_BATCHES batches wait. A flush beyond
 * that waits for the writer, and the socket buffers absorb the wait (the
 * kernel counts what they cannot). */
#pragma once
#include "core/arena.h"
#include "core/error.h"
#include "core/event.h"
#include "flow/flow.h"
#include "bus/bus.h"
#include "route/constituency.h"
#include "store/store.h"

#define TS_CWRITER_BATCHES 64

typedef struct ts_cwriter ts_cwriter_t;

/* Where detections go past one machine: published to a bus (NATS JetStream)
 * for a writer process to commit, as the input named `input` (format
 * "netflow", e.g. "collector:NODE"), registered in st at start. Its
 * checkpoint counts the detections committed; each run of the collector is a
 * new "file" of that input (its identity is the process and its start), so a
 * batch delivered twice is stored once, as for a file input, and the bus's
 * Msg-Id recognises a batch published again after a timeout. Exporter
 * counters are still saved to st directly. */
typedef struct ts_cwriter_via {
    ts_bus_t *bus; /* borrowed; NULL: store in st */
    const char *input;
} ts_cwriter_via_t;

/* Starts the writer thread. st and *c belong to it until ts_cwriter_finish()
 * returns: the caller must not use them meanwhile. via: NULL (or its bus
 * NULL) stores each batch in st; else batches are published (see above),
 * and a bus that is unavailable (TS_EBUSY) is retried like a locked store. The writer replaces *c
 * on reload (ts_cwriter_reload) and frees the one it replaced. Once stopping, it retries a busy
 * store for patience_ms at most, then gives up on the detections it still holds (and says how
 * many). \retval 0 *out set.  \retval TS_ENOMEM.  \retval TS_EIO no thread. */
TS_MUSTCHECK int ts_cwriter_start(ts_store_t *st, ts_constituency_t **c, int patience_ms,
                                  const ts_cwriter_via_t *via, ts_cwriter_t **out /* OUT */);

/* The arena of the open batch: detections added with ts_cwriter_add() keep
 * their strings there. Valid until the next ts_cwriter_flush(). */
ts_arena_t *ts_cwriter_arena(ts_cwriter_t *w);

/* Adds one detection to the open batch (the struct is copied; its strings
 * must live in ts_cwriter_arena(w) or be static). A missing
 * time.observation is set to now.
 * \retval 0.  \retval TS_ENOMEM (the detection is lost and logged). */
TS_MUSTCHECK int ts_cwriter_add(ts_cwriter_t *w, const ts_event_t *ev);

/* Hands the open batch to the writer, if it holds any detection, waiting
 * while TS_CWRITER_BATCHES batches are already queued.
 * \retval 0.  \retval TS_EDB, TS_ENOMEM, ... the writer's fatal error. */
TS_MUSTCHECK int ts_cwriter_flush(ts_cwriter_t *w);

/* Gives the writer a copy of the decoder's exporter counters to save; an
 * older copy not yet saved is replaced.
 * \retval 0.  \retval TS_ENOMEM.  \retval the writer's fatal error. */
TS_MUSTCHECK int ts_cwriter_counters(ts_cwriter_t *w, const ts_flow_decoder_t *dec);

/* Asks the writer to reload the constituency from the store (SIGHUP). */
void ts_cwriter_reload(ts_cwriter_t *w);

/* Flushes the open batch, waits until everything handed over is stored (or
 * the patience given to ts_cwriter_start() ran out on a busy store), stops
 * the thread and frees w.
 * \retval 0.  \retval the first fatal error, or TS_EBUSY when detections
 * could not be stored in time. */
TS_MUSTCHECK int ts_cwriter_finish(ts_cwriter_t *w);
