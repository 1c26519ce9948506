/* SPDX-License-Identifier: Apache-2.0 */
/* Dispatch to the transport's operations. */
#include <string.h>

#include "bus/bus_int.h"
#include "core/jsonw.h"
#include "core/metrics.h"

void ts_bus_opts_init(ts_bus_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->replicas = 3;
    o->publish_wait_ms = 5000;
}

void ts_bus_close(ts_bus_t *bus)
{
    if (bus)
        bus->ops->close(bus);
}

const char *ts_bus_name(const ts_bus_t *bus)
{
    return bus->ops->name;
}

int ts_bus_publish(ts_bus_t *bus, const ts_batch_t *batch)
{
    return bus->ops->publish(bus, batch);
}

int ts_bus_consume(ts_bus_t *bus, ts_store_t *st, volatile sig_atomic_t *stop,
                   ts_bus_stats_t *stats)
{
    return bus->ops->consume(bus, st, stop, stats);
}

int ts_bus_health(ts_bus_t *bus, ts_bus_health_t *h)
{
    memset(h, 0, sizeof *h);
    return bus->ops->health(bus, h);
}

int ts_bus_heartbeat(ts_bus_t *bus, const char *role)
{
    return bus->ops->heartbeat(bus, role);
}

static void key_uint(ts_jsonw_t *w, const char *key, uint64_t v)
{
    ts_jsonw_key(w, key);
    ts_jsonw_uint(w, v);
}

void ts_bus_health_json(const ts_bus_health_t *h, ts_jsonw_t *w)
{
    ts_jsonw_key(w, "bus");
    ts_jsonw_object_begin(w);
    ts_jsonw_key(w, "connected");
    ts_jsonw_bool(w, h->connected);
    ts_jsonw_key(w, "server");
    ts_jsonw_cstr(w, h->server);
    ts_jsonw_key(w, "stream");
    ts_jsonw_object_begin(w);
    key_uint(w, "messages", h->stream_msgs);
    key_uint(w, "bytes", h->stream_bytes);
    key_uint(w, "replicas", (uint64_t)h->stream_replicas);
    key_uint(w, "current_replicas", (uint64_t)h->replicas_current);
    ts_jsonw_key(w, "leader");
    ts_jsonw_cstr(w, h->leader);
    ts_jsonw_object_end(w);
    ts_jsonw_key(w, "consumers");
    ts_jsonw_array_begin(w);
    ts_jsonw_object_begin(w);
    ts_jsonw_key(w, "name");
    ts_jsonw_cstr(w, "writer");
    key_uint(w, "pending", h->consumer_pending);
    key_uint(w, "ack_pending", h->consumer_ack_pending);
    key_uint(w, "redelivered", h->consumer_redelivered);
    ts_jsonw_object_end(w);
    ts_jsonw_array_end(w);
    ts_jsonw_object_end(w);
    ts_jsonw_key(w, "nodes");
    ts_jsonw_array_begin(w);
    for (int i = 0; i < h->n_nodes; i++) {
        ts_jsonw_object_begin(w);
        ts_jsonw_key(w, "name");
        ts_jsonw_cstr(w, h->nodes[i].name);
        ts_jsonw_key(w, "role");
        ts_jsonw_cstr(w, h->nodes[i].role);
        key_uint(w, "age_ms", (uint64_t)(h->nodes[i].age_ms > 0 ? h->nodes[i].age_ms : 0));
        ts_jsonw_object_end(w);
    }
    ts_jsonw_array_end(w);
}

void ts_bus_health_metrics(const ts_bus_health_t *h)
{
    static const char *const none[] = {NULL};
    ts_metric_set(ts_metrics_gauge("tocsin_bus_connected",
                                   "1 when this process is connected to the NATS bus", none),
                  h->connected);
    ts_metric_set(ts_metrics_gauge("tocsin_bus_stream_messages",
                                   "batches in the bus's stream, not yet consumed", none),
                  (int64_t)h->stream_msgs);
    ts_metric_set(ts_metrics_gauge("tocsin_bus_stream_bytes", "bytes in the bus's stream", none),
                  (int64_t)h->stream_bytes);
    ts_metric_set(ts_metrics_gauge("tocsin_bus_stream_replicas_current",
                                   "replicas of the stream known current by its leader", none),
                  h->replicas_current);
    ts_metric_set(ts_metrics_gauge("tocsin_bus_consumer_pending",
                                   "the writer consumer's lag: batches not yet delivered", none),
                  (int64_t)h->consumer_pending);
    ts_metric_set(ts_metrics_gauge("tocsin_bus_consumer_ack_pending",
                                   "batches delivered to a writer and not yet acknowledged", none),
                  (int64_t)h->consumer_ack_pending);
    ts_metric_set(ts_metrics_gauge("tocsin_bus_consumer_redelivered",
                                   "batches the stream is delivering again", none),
                  (int64_t)h->consumer_redelivered);
    ts_metric_set(ts_metrics_gauge("tocsin_bus_nodes", "tocsin processes alive on the bus", none),
                  h->n_nodes);
}
