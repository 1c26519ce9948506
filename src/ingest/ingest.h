/* SPDX-License-Identifier: Apache-2.0 */
/* The ingest pipeline: read records from a file or stdin, parse, classify,
 * route to the owning sites, and store, in batches.
 *
 * Durability: each batch is one store transaction holding its events, its
 * quarantined records and the input checkpoint (byte offset and line number
 * just past the last record of the batch). Nothing counts as ingested before
 * that transaction commits, so after a crash the next run resumes exactly at
 * the last committed record: nothing lost, nothing repeated. stdin cannot be
 * re-read, so it has no resumable checkpoint.
 *
 * Follow mode keeps reading as the file grows, like `tail -F`: a file replaced
 * by a new one (rotation: different inode at the same path) is read to its end
 * and the new file is read from its start; a file that shrinks below the read
 * offset (truncation, copytruncate) is read again from its start. */
#pragma once
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/error.h"
#include "ingest/parser.h"
#include "route/constituency.h"
#include "store/store.h"

typedef struct ts_ingest_stats {
    uint64_t lines;       /* records read */
    uint64_t events;      /* events stored */
    uint64_t skipped;     /* valid records that are not events (EVE stats, flow, ...) */
    uint64_t quarantined; /* records rejected and kept in the quarantine */
    uint64_t linked;      /* events with at least one owner */
    uint64_t batches;     /* transactions committed */
    uint64_t offset;      /* committed byte offset in the current file */
    uint64_t size;        /* size of the current file when known, else 0 */
    uint64_t rotations;   /* files switched to after rotation */
    uint64_t truncations; /* restarts from the beginning after truncation */
} ts_ingest_stats_t;

typedef void (*ts_ingest_progress_fn)(const ts_ingest_stats_t *stats, void *ctx);

typedef struct ts_ingest_opts {
    const char *path;               /* file to read, "-" for stdin */
    const ts_parser_t *parser;      /* record format */
    bool follow;                    /* keep reading as the file grows; wait for a missing one */
    bool from_start;                /* ignore the checkpoint and read from byte 0 */
    size_t batch_max;               /* records per transaction (default 20000) */
    size_t batch_bytes;             /* memory a batch may hold before it is handed on, whatever
                                       its records (default TS_INGEST_BATCH_BYTES) */
    int batch_ms;                   /* longest wait before a partial batch commits (default 200) */
    int poll_ms;                    /* follow mode: how often to look for new data (default 100) */
    ts_parser_cfg_t parser_cfg;     /* report, schema, mapping of formats that keep state */
    ts_tlp_t tlp;                   /* TLP of records that carry none (TS_TLP_NONE: the
                                       format's own default, parser->tlp) */
    const char *feed_name;          /* overrides feed.name when non-NULL */
    const char *feed_provider;      /* overrides feed.provider when non-NULL */
    volatile sig_atomic_t *stop;    /* set asynchronously to stop after the current batch */
    volatile sig_atomic_t *reload;  /* set asynchronously to reload the constituency */
    ts_ingest_progress_fn progress; /* called after each batch, may be NULL */
    struct ts_bus *bus;             /* where batches go (bus/bus.h): NULL commits them to the
                                       store given to ts_ingest_run (the in-process default);
                                       a NATS bus hands them to a writer process */
    void *progress_ctx;
} ts_ingest_opts_t;

/* Two batches are alive at a time (one filling, one being written), so this
 * bounds an input's memory: a Shadowserver row with 80 extra fields costs
 * ~2-4 KB in a batch (20,000 of them twice over were 100 MiB), a Suricata
 * alert a few hundred bytes, the largest event (every field at its limit)
 * ~400 KB. Measured with bench/bench_shadowserver (docs/feeds.md). */
#define TS_INGEST_BATCH_BYTES (6u << 20)

void ts_ingest_opts_init(ts_ingest_opts_t *o);

/* Runs the pipeline until the end of the input (or, in follow mode, until
 * *stop is set). *c is the constituency used for routing; it is replaced when
 * a reload is requested (the old one is freed).
 * \retval 0 ok (including when records were quarantined: see stats).
 * \retval TS_EIO the input cannot be opened or read (errno kept).
 * \retval TS_EDB, TS_EBUSY the store failed; the current batch is rolled back
 *         and was not acknowledged. */
TS_MUSTCHECK int ts_ingest_run(ts_store_t *st, ts_constituency_t **c, const ts_ingest_opts_t *o,
                               ts_ingest_stats_t *stats /* OUT */);
