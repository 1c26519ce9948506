/* SPDX-License-Identifier: Apache-2.0 */
/* The bus: how an input's batches reach the store. In one process (the
 * default) the bus is the store itself: publishing a batch commits it
 * (ts_bus_local). Past one machine it is a NATS JetStream stream
 * (ts_bus_open with "nats://host:port[,nats://...]"): inputs and collectors
 * publish, and a writer process consumes (ts_bus_consume) and commits.
 *
 * JetStream layout: the stream TOCSIN (file storage, ts_bus_opts_t.replicas
 * copies, work-queue retention, a 2-minute duplicate window) holds the
 * subjects tocsin.batch.<input id>; a batch's Nats-Msg-Id is made from its
 * input and its checkpoint (ts_batch_msg_id), so one published again after a
 * crash within the window is dropped by the server. The writer reads through
 * the durable pull consumer "writer" (explicit acks, 10 s ack wait) and acks
 * a batch only after its transaction has committed (AckSync); a batch
 * delivered again past the window is recognised by the store
 * (ts_batch_store with dedup). One writer at a time: a second one would
 * commit an input's batches out of order (they would wait, see TS_EAGAIN).
 *
 * Threading: publishing is thread-safe (one bus serves every input of a
 * process); ts_bus_consume runs on one thread. */
#pragma once
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "bus/batch.h"
#include "store/store.h"

typedef struct ts_bus ts_bus_t;

typedef struct ts_bus_opts {
    int replicas;        /* copies of the stream (default 3; 1 for a single server) */
    const char *node;    /* this process's name in logs and health (default: host name) */
    int publish_wait_ms; /* how long a publish waits for the stream's ack (default 5000) */
} ts_bus_opts_t;

void ts_bus_opts_init(ts_bus_opts_t *o);

/* The in-process bus: publishing commits the batch to st (borrowed, must
 * outlive the bus). Never NULL; free with ts_bus_close(). */
ts_bus_t *ts_bus_local(ts_store_t *st);
/* Connects to NATS (a comma-separated list of server URLs; "tls://" for
 * TLS, credentials as in any NATS URL, never logged) and makes sure the
 * stream exists. A server that is down is retried in the background: the
 * bus opens anyway and publishing fails with TS_EBUSY until it is up.
 * \retval 0 ok, *out set.  \retval TS_EINVAL bad URL list.
 * \retval TS_ENET the stream cannot be created (logged). */
TS_MUSTCHECK int ts_bus_open(const char *url, const ts_bus_opts_t *o, ts_bus_t **out /* OUT */);
void ts_bus_close(ts_bus_t *bus);
/* "the store", "NATS": what messages call it. */
const char *ts_bus_name(const ts_bus_t *bus);

/* Hands a batch on and returns once it is durable there: committed (local),
 * or acknowledged by the stream (NATS).
 * \retval 0 ok.  \retval TS_EBUSY unavailable now (locked or unreachable
 * store, NATS down or without quorum): retry later.  \retval other ts_err. */
TS_MUSTCHECK int ts_bus_publish(ts_bus_t *bus, const ts_batch_t *batch);

typedef struct ts_bus_stats {
    uint64_t batches;    /* committed and acked */
    uint64_t stored;     /* records written */
    uint64_t duplicates; /* records already stored, skipped */
    uint64_t redelivered;
} ts_bus_stats_t;

/* The writer role: consumes batches and commits each to st (with dedup)
 * before acking it, until *stop is set. A store that is unavailable pauses
 * consumption (the batch is retried, logged once); a malformed message is
 * logged and terminated. stats (may be NULL) is updated as it goes.
 * \retval 0 stopped.  \retval TS_ENOTSUP a local bus.  \retval other a store
 * failure that is not transient. */
TS_MUSTCHECK int ts_bus_consume(ts_bus_t *bus, ts_store_t *st, volatile sig_atomic_t *stop,
                                ts_bus_stats_t *stats);

/* A process that reported itself (ts_bus_heartbeat) in the last 15 s. */
typedef struct ts_bus_node {
    char name[64];
    char role[16];
    int64_t age_ms; /* since its last report */
} ts_bus_node_t;
#define TS_BUS_NODES_MAX 32

/* What /api/v1/health reports about the bus. */
typedef struct ts_bus_health {
    bool connected;
    char server[128];     /* the server connected to ("" if none) */
    uint64_t stream_msgs; /* batches in the stream, not yet consumed */
    uint64_t stream_bytes;
    int stream_replicas;
    int replicas_current; /* replicas known current by the stream leader (incl. itself) */
    char leader[64];
    uint64_t consumer_pending;     /* the writer consumer's lag: batches not yet delivered */
    uint64_t consumer_ack_pending; /* delivered, not yet acked */
    uint64_t consumer_redelivered;
    int n_nodes;
    ts_bus_node_t nodes[TS_BUS_NODES_MAX];
} ts_bus_health_t;

/* \retval 0 ok.  \retval TS_ENOTSUP a local bus.  \retval TS_ENET NATS unreachable
 * (h->connected false). */
TS_MUSTCHECK int ts_bus_health(ts_bus_t *bus, ts_bus_health_t *h /* OUT */);

/* Reports this process (ts_bus_opts_t.node) as alive in the role given, in
 * the bus's key-value bucket tocsin_nodes (entries expire after 15 s); the
 * serve daemon calls it every 5 s. \retval 0, TS_ENOTSUP (local), TS_EBUSY. */
int ts_bus_heartbeat(ts_bus_t *bus, const char *role);

/* Sets the bus gauges of /metrics (tocsin_bus_connected, _stream_messages,
 * _stream_bytes, _stream_replicas_current, _consumer_pending,
 * _consumer_ack_pending, _consumer_redelivered, _nodes) from h; the serve
 * daemon calls it with its heartbeat, every 5 s. */
void ts_bus_health_metrics(const ts_bus_health_t *h);

/* Writes the members "bus" (connection, stream, the writer consumer's lag)
 * and "nodes" (name, role, age of each live process) of a health answer. */
struct ts_jsonw;
void ts_bus_health_json(const ts_bus_health_t *h, struct ts_jsonw *w);
