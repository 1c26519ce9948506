/* SPDX-License-Identifier: Apache-2.0 */
/* The NATS JetStream bus (libnats): see bus.h for the stream, the subjects,
 * the message ids and the consumer.
 *
 * Availability: the connection reconnects for ever in the background
 * (500 ms apart, logged when lost and when back); while it is down, or while
 * the stream has no quorum, a publish fails with TS_EBUSY and the input
 * pauses (ingest.c), and the writer waits. A publish that timed out may have
 * been stored anyway: publishing it again is safe, the Msg-Id and the
 * store's checkpoint catch the copy.
 *
 * Durability: a PubAck means the stream's quorum (2 of 3 replicas) has the
 * batch, but nats-server 2.9 writes it to disk lazily (no sync_interval
 * setting): docs/scale-out.md says what that costs on a power loss. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nats/nats.h>

#include "bus/bus_int.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/metrics.h"

#define STREAM "TOCSIN"
#define SUBJECTS "tocsin.batch.>"
#define CONSUMER "writer"
#define DUP_WINDOW_NS (INT64_C(120) * 1000000000)
#define ACK_WAIT_NS (INT64_C(10) * 1000000000)
#define FETCH_BATCH 16
#define SERVERS_MAX 16
#define NODES_BUCKET "tocsin_nodes"
#define NODE_TTL_NS (INT64_C(15) * 1000000000)

struct nats_bus {
    ts_bus_t base;
    natsOptions *opts;
    natsConnection *nc;
    jsCtx *js;
    natsSubscription *sub;
    kvStore *kv; /* the nodes' heartbeats */
    int replicas;
    int wait_ms;
    pthread_mutex_t mu;    /* stream and bucket creation */
    atomic_bool stream_ok; /* read by every publishing thread */
    atomic_bool down_logged;
    char node[64];
};

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static void on_disconnected(natsConnection *nc, void *closure)
{
    if (natsConnection_IsClosed(nc))
        return; /* closed by us */
    ts_log_warn("bus: disconnected from NATS; reconnecting (inputs pause meanwhile)");
}

static void on_reconnected(natsConnection *nc, void *closure)
{
    char id[128] = "";
    natsConnection_GetConnectedServerId(nc, id, sizeof id);
    ts_log_info("bus: connected to NATS server %s", id);
}

/* Creates the stream unless it exists. */
static int ensure_stream(struct nats_bus *b)
{
    pthread_mutex_lock(&b->mu);
    int rc = 0;
    if (!b->stream_ok) {
        jsStreamInfo *si = NULL;
        jsErrCode jerr = 0;
        natsStatus s = js_GetStreamInfo(&si, b->js, STREAM, NULL, &jerr);
        if (s == NATS_NOT_FOUND || jerr == JSStreamNotFoundErr) {
            jsStreamConfig sc;
            jsStreamConfig_Init(&sc);
            const char *subjects[] = {SUBJECTS};
            sc.Name = STREAM;
            sc.Subjects = subjects;
            sc.SubjectsLen = 1;
            sc.Storage = js_FileStorage;
            sc.Retention = js_WorkQueuePolicy;
            sc.Discard = js_DiscardNew;
            sc.Replicas = b->replicas;
            sc.Duplicates = DUP_WINDOW_NS;
            jerr = 0;
            s = js_AddStream(&si, b->js, &sc, NULL, &jerr);
            if (s != NATS_OK && jerr == JSStreamNameExistErr)
                s = NATS_OK; /* another node created it meanwhile */
            if (s == NATS_OK)
                ts_log_info("bus: created the stream %s (%d replicas)", STREAM, b->replicas);
        }
        if (s == NATS_OK) {
            b->stream_ok = true;
        } else {
            ts_log_warn("bus: the stream %s is not available: %s (JetStream error %d)", STREAM,
                        natsStatus_GetText(s), (int)jerr);
            rc = TS_EBUSY;
        }
        jsStreamInfo_Destroy(si);
    }
    pthread_mutex_unlock(&b->mu);
    return rc;
}

static void log_down_once(struct nats_bus *b, natsStatus s, jsErrCode jerr)
{
    natsStatus last = NATS_OK;
    const char *detail = nats_GetLastError(&last);
    if (!atomic_exchange(&b->down_logged, true))
        ts_log_warn("bus: NATS unavailable: %s (%s; JetStream error %d); retrying",
                    natsStatus_GetText(s), detail ? detail : "", (int)jerr);
}

static void log_up(struct nats_bus *b)
{
    if (atomic_exchange(&b->down_logged, false))
        ts_log_info("bus: NATS available again");
}

static int nats_publish(ts_bus_t *bus, const ts_batch_t *batch)
{
    struct nats_bus *b = (struct nats_bus *)bus;
    if (!b->stream_ok && ensure_stream(b) != 0)
        return TS_EBUSY;
    ts_buf_t data = TS_BUF_INIT;
    ts_batch_encode(batch, &data);
    int64_t max = natsConnection_GetMaxPayload(b->nc);
    if (max > 0 && (int64_t)data.len > max) {
        ts_log_error("bus: a batch of %zu records is %zu bytes, over the server's max_payload "
                     "(%lld): lower the batch size or raise max_payload",
                     batch->n, data.len, (long long)max);
        ts_buf_free(&data);
        return TS_ETOOBIG;
    }
    char subject[64], id[128];
    snprintf(subject, sizeof subject, "tocsin.batch.%lld", (long long)batch->input_id);
    ts_batch_msg_id(batch, id, sizeof id);
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = id;
    po.MaxWait = b->wait_ms;
    jsPubAck *pa = NULL;
    jsErrCode jerr = 0;
    natsStatus s = js_Publish(&pa, b->js, subject, data.data, (int)data.len, &po, &jerr);
    ts_buf_free(&data);
    int rc = 0;
    if (s == NATS_OK) {
        if (pa->Duplicate)
            ts_log_debug("bus: batch %s was in the stream already", id);
        log_up(b);
    } else if (s == NATS_MAX_PAYLOAD) {
        rc = TS_ETOOBIG;
    } else {
        if (jerr == JSStreamNotFoundErr || s == NATS_NO_RESPONDERS)
            b->stream_ok = false;
        log_down_once(b, s, jerr);
        rc = TS_EBUSY;
    }
    jsPubAck_Destroy(pa);
    return rc;
}

/* The durable pull consumer, created on first use. */
static int ensure_consumer(struct nats_bus *b)
{
    if (b->sub)
        return 0;
    if (!b->stream_ok && ensure_stream(b) != 0)
        return TS_EBUSY;
    jsSubOptions so;
    jsSubOptions_Init(&so);
    so.Stream = STREAM;
    /* An existing consumer is bound as it is (an older tocsin may have made
     * it with other settings); a new one gets these. */
    jsConsumerInfo *ci = NULL;
    jsErrCode cerr = 0;
    if (js_GetConsumerInfo(&ci, b->js, STREAM, CONSUMER, NULL, &cerr) == NATS_OK) {
        so.Consumer = CONSUMER;
    } else {
        so.Config.AckPolicy = js_AckExplicit;
        so.Config.AckWait = ACK_WAIT_NS;
        so.Config.MaxDeliver = -1;
        so.Config.MaxAckPending = 1024;
    }
    jsConsumerInfo_Destroy(ci);
    jsErrCode jerr = 0;
    natsStatus s = js_PullSubscribe(&b->sub, b->js, SUBJECTS, CONSUMER, NULL, &so, &jerr);
    if (s != NATS_OK) {
        b->sub = NULL;
        log_down_once(b, s, jerr);
        return TS_EBUSY;
    }
    return 0;
}

/* Inputs whose next batch waits on an earlier one. An earlier batch comes
 * back within the ack wait when a writer died holding it; one still missing
 * after GAP_WARN_US was lost from the stream (a power loss of the NATS
 * nodes, a purge): the input stays blocked until its ingest node publishes
 * it again, which a restart of that node does (it reads on from the
 * committed checkpoint). The writer says so, once a minute per input, and
 * counts such inputs in /metrics. */
#define GAP_WARN_US (INT64_C(60) * 1000000)
#define GAPS_MAX 64

/* TOCSIN_BUS_GAP_WARN_S (1 to 86400) changes the minute, for tests and for
 * operators whose writers may hold batches longer. */
static int64_t gap_warn_us(void)
{
    const char *e = getenv("TOCSIN_BUS_GAP_WARN_S");
    char *end;
    long v = e ? strtol(e, &end, 10) : 0;
    return e && *e && *end == '\0' && v >= 1 && v <= 86400 ? (int64_t)v * 1000000 : GAP_WARN_US;
}

struct gap {
    char input[256];
    uint64_t dev, ino; /* the file of the batches that wait */
    uint64_t end;      /* the furthest end offset among them */
    uint64_t waiting_line;
    int64_t since_us, warned_us;
};

struct gaps {
    struct gap v[GAPS_MAX];
    size_t n;
    int64_t warn_us;
    ts_metric_t *blocked;
};

static struct gap *gap_find(struct gaps *g, const char *input)
{
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->v[i].input, input) == 0)
            return &g->v[i];
    return NULL;
}

static void gaps_count(struct gaps *g, int64_t now)
{
    int64_t blocked = 0;
    for (size_t i = 0; i < g->n; i++)
        blocked += now - g->v[i].since_us >= g->warn_us;
    ts_metric_set(g->blocked, blocked);
}

static void gap_seen(struct gaps *g, const ts_batch_t *b, int64_t now)
{
    struct gap *x = gap_find(g, b->input);
    if (x == NULL && g->n < GAPS_MAX) {
        x = &g->v[g->n++];
        *x = (struct gap){.since_us = now};
        snprintf(x->input, sizeof x->input, "%s", b->input);
    }
    if (x == NULL)
        return;
    if (x->dev != b->start.dev || x->ino != b->start.ino) {
        x->dev = b->start.dev;
        x->ino = b->start.ino;
        x->end = 0;
    }
    if (b->checkpoint.offset > x->end)
        x->end = b->checkpoint.offset;
    x->waiting_line = b->start.line + 1;
    if (now - x->since_us >= g->warn_us && now - x->warned_us >= g->warn_us) {
        x->warned_us = now;
        ts_log_error("bus: input %s has waited %lld s for the records before line %llu, which "
                     "never arrived (lost from the stream?): restart the ingest node of this "
                     "input to publish them again from the committed checkpoint",
                     x->input, (long long)((now - x->since_us) / 1000000),
                     (unsigned long long)x->waiting_line);
    }
    gaps_count(g, now);
}

/* A commit of b's input: the gap is closed once the batches that waited
 * are in (the checkpoint reached their end in their file). */
static void gap_committed(struct gaps *g, const ts_batch_t *b, int64_t now)
{
    struct gap *x = gap_find(g, b->input);
    if (x == NULL || b->checkpoint.dev != x->dev || b->checkpoint.ino != x->ino ||
        b->checkpoint.offset < x->end)
        return;
    if (x->warned_us)
        ts_log_info("bus: input %s goes on: the missing records arrived", x->input);
    *x = g->v[--g->n];
    gaps_count(g, now);
}

/* Naks the messages from i on, for redelivery in order. */
static void nak_rest(natsMsgList *list, int i, int64_t delay_ms)
{
    for (; i < list->Count; i++)
        natsMsg_NakWithDelay(list->Msgs[i], delay_ms, NULL);
}

/* While an input waits on a gap in one file, a batch of another file of that
 * input (a rotation) must not be committed first: the store would take the
 * new file's start as the input's position and the old file's missing part
 * as done. */
static bool gap_holds(struct gaps *g, const ts_batch_t *b)
{
    struct gap *x = g->n ? gap_find(g, b->input) : NULL;
    return x && (b->start.dev != x->dev || b->start.ino != x->ino);
}

static int nats_consume(ts_bus_t *bus, ts_store_t *st, volatile sig_atomic_t *stop,
                        ts_bus_stats_t *stats)
{
    struct nats_bus *b = (struct nats_bus *)bus;
    ts_bus_stats_t none;
    if (stats == NULL)
        stats = &none;
    ts_batch_t batch;
    ts_batch_init(&batch);
    struct gaps *gaps = ts_xcalloc(1, sizeof *gaps);
    gaps->warn_us = gap_warn_us();
    static const char *const no_labels[] = {NULL};
    gaps->blocked = ts_metrics_gauge(
        "tocsin_bus_blocked_inputs",
        "inputs whose next batch has waited over a minute for an earlier one (lost?)", no_labels);
    ts_metric_set(gaps->blocked, 0);
    bool store_down = false;
    int rc = 0;
    while (rc == 0 && !(stop && __atomic_load_n(stop, __ATOMIC_ACQUIRE))) {
        if (ensure_consumer(b) != 0) {
            sleep_ms(500);
            continue;
        }
        natsMsgList list = {0};
        jsErrCode jerr = 0;
        natsStatus s = natsSubscription_Fetch(&list, b->sub, FETCH_BATCH, 1000, &jerr);
        if (s == NATS_TIMEOUT)
            continue;
        if (s != NATS_OK) {
            log_down_once(b, s, jerr);
            if (s == NATS_INVALID_SUBSCRIPTION || jerr == JSConsumerNotFoundErr) {
                natsSubscription_Destroy(b->sub);
                b->sub = NULL;
            }
            sleep_ms(500);
            continue;
        }
        log_up(b);
        for (int i = 0; i < list.Count; i++) {
            natsMsg *m = list.Msgs[i];
            jsMsgMetaData *meta = NULL;
            if (natsMsg_GetMetaData(&meta, m) == NATS_OK && meta->NumDelivered > 1)
                stats->redelivered++;
            jsMsgMetaData_Destroy(meta);
            int d = ts_batch_decode(natsMsg_GetData(m), (size_t)natsMsg_GetDataLength(m), &batch);
            if (d != 0) {
                ts_log_error("bus: a message of %s is not a batch (%s): dropped",
                             natsMsg_GetSubject(m), ts_strerror(d));
                natsMsg_Term(m, NULL);
                continue;
            }
            ts_batch_result_t res;
            int r = gap_holds(gaps, &batch) ? TS_EAGAIN : ts_batch_store(st, &batch, true, &res);
            if (r == TS_EAGAIN) {
                /* An earlier batch of this input is still on its way: this
                 * one comes back later; the rest of the list goes on (the
                 * batch that fills the gap, other inputs' batches). */
                ts_log_debug("bus: %s starts past the committed checkpoint: waiting",
                             natsMsg_GetSubject(m));
                gap_seen(gaps, &batch, ts_time_now());
                natsMsg_NakWithDelay(m, 200, NULL);
                continue;
            }
            if (r == TS_EBUSY) {
                if (!store_down)
                    ts_log_warn("writer paused: the store is unavailable (%s); retrying",
                                ts_store_errmsg(st));
                store_down = true;
                nak_rest(&list, i, 1000);
                sleep_ms(1000);
                break;
            }
            if (r < 0) {
                nak_rest(&list, i, 1000);
                rc = r;
                break;
            }
            if (store_down)
                ts_log_info("writer resumed: the store is back");
            store_down = false;
            if (gaps->n)
                gap_committed(gaps, &batch, ts_time_now());
            /* Acked after the commit; a lost ack means one more delivery,
             * which the store recognises. */
            if (natsMsg_AckSync(m, NULL, &jerr) != NATS_OK)
                ts_log_warn("bus: ack of a committed batch failed (it will come again and be "
                            "skipped)");
            stats->batches++;
            stats->stored += res.stored;
            stats->duplicates += res.skipped;
        }
        natsMsgList_Destroy(&list);
    }
    ts_batch_free(&batch);
    free(gaps);
    return rc;
}

/* The heartbeat bucket, created on first use. */
static int ensure_kv(struct nats_bus *b)
{
    pthread_mutex_lock(&b->mu);
    natsStatus s = NATS_OK;
    if (b->kv == NULL) {
        s = js_KeyValue(&b->kv, b->js, NODES_BUCKET);
        if (s != NATS_OK) {
            kvConfig kc;
            kvConfig_Init(&kc);
            kc.Bucket = NODES_BUCKET;
            kc.History = 1;
            kc.TTL = NODE_TTL_NS;
            kc.Replicas = b->replicas;
            s = js_CreateKeyValue(&b->kv, b->js, &kc);
        }
        if (s != NATS_OK) {
            const char *detail = nats_GetLastError(NULL);
            ts_log_debug("bus: no heartbeat bucket: %s (%s)", natsStatus_GetText(s),
                         detail ? detail : "");
            b->kv = NULL;
        }
    }
    pthread_mutex_unlock(&b->mu);
    return s == NATS_OK ? 0 : TS_EBUSY;
}

static int nats_heartbeat(ts_bus_t *bus, const char *role)
{
    struct nats_bus *b = (struct nats_bus *)bus;
    if (ensure_kv(b) != 0)
        return TS_EBUSY;
    uint64_t rev = 0;
    return kvStore_PutString(&rev, b->kv, b->node, role) == NATS_OK ? 0 : TS_EBUSY;
}

static void health_nodes(struct nats_bus *b, ts_bus_health_t *h)
{
    kvKeysList keys = {0};
    if (ensure_kv(b) != 0 || kvStore_Keys(&keys, b->kv, NULL) != NATS_OK)
        return;
    int64_t now_ns = nats_NowInNanoSeconds();
    for (int i = 0; i < keys.Count && h->n_nodes < TS_BUS_NODES_MAX; i++) {
        kvEntry *e = NULL;
        if (kvStore_Get(&e, b->kv, keys.Keys[i]) == NATS_OK) {
            ts_bus_node_t *n = &h->nodes[h->n_nodes++];
            snprintf(n->name, sizeof n->name, "%s", keys.Keys[i]);
            snprintf(n->role, sizeof n->role, "%s", kvEntry_ValueString(e));
            n->age_ms = (now_ns - kvEntry_Created(e)) / 1000000;
        }
        kvEntry_Destroy(e);
    }
    kvKeysList_Destroy(&keys);
}

static int nats_health(ts_bus_t *bus, ts_bus_health_t *h)
{
    struct nats_bus *b = (struct nats_bus *)bus;
    h->connected = natsConnection_Status(b->nc) == NATS_CONN_STATUS_CONNECTED;
    if (!h->connected)
        return TS_ENET;
    natsConnection_GetConnectedServerId(b->nc, h->server, sizeof h->server);
    /* A health answer waits 1 s at most per question, not a publish's 5 s:
     * the portal's threads serve the API too. */
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = 1000;
    jsStreamInfo *si = NULL;
    jsErrCode jerr = 0;
    if (js_GetStreamInfo(&si, b->js, STREAM, &jo, &jerr) == NATS_OK) {
        h->stream_msgs = si->State.Msgs;
        h->stream_bytes = si->State.Bytes;
        h->stream_replicas = si->Config ? (int)si->Config->Replicas : 0;
        if (si->Cluster) {
            snprintf(h->leader, sizeof h->leader, "%s",
                     si->Cluster->Leader ? si->Cluster->Leader : "");
            h->replicas_current = h->leader[0] ? 1 : 0;
            for (int i = 0; i < si->Cluster->ReplicasLen; i++)
                h->replicas_current += si->Cluster->Replicas[i]->Current;
        } else {
            h->replicas_current = 1;
        }
    }
    jsStreamInfo_Destroy(si);
    jsConsumerInfo *ci = NULL;
    if (js_GetConsumerInfo(&ci, b->js, STREAM, CONSUMER, &jo, &jerr) == NATS_OK) {
        h->consumer_pending = ci->NumPending;
        h->consumer_ack_pending = (uint64_t)ci->NumAckPending;
        h->consumer_redelivered = (uint64_t)ci->NumRedelivered;
    }
    jsConsumerInfo_Destroy(ci);
    health_nodes(b, h);
    return 0;
}

static void nats_close(ts_bus_t *bus)
{
    struct nats_bus *b = (struct nats_bus *)bus;
    kvStore_Destroy(b->kv);
    natsSubscription_Destroy(b->sub);
    jsCtx_Destroy(b->js);
    if (b->nc) {
        natsConnection_Close(b->nc);
        natsConnection_Destroy(b->nc);
    }
    natsOptions_Destroy(b->opts);
    pthread_mutex_destroy(&b->mu);
    free(b);
}

static const struct ts_bus_ops nats_ops = {
    .name = "NATS",
    .publish = nats_publish,
    .consume = nats_consume,
    .health = nats_health,
    .heartbeat = nats_heartbeat,
    .close = nats_close,
};

static void on_connected(natsConnection *nc, void *closure)
{
    on_reconnected(nc, closure);
}

int ts_bus_open(const char *url, const ts_bus_opts_t *o, ts_bus_t **out)
{
    *out = NULL;
    ts_bus_opts_t defaults;
    if (o == NULL) {
        ts_bus_opts_init(&defaults);
        o = &defaults;
    }
    if (url == NULL || (strncmp(url, "nats://", 7) != 0 && strncmp(url, "tls://", 6) != 0)) {
        ts_log_error("bus: give nats://HOST:PORT[,nats://HOST:PORT...] (or tls://)");
        return TS_EINVAL;
    }
    char *copy = ts_xstrdup(url), *save = NULL;
    const char *servers[SERVERS_MAX];
    int n = 0;
    for (char *tok = strtok_r(copy, ",", &save); tok && n < SERVERS_MAX;
         tok = strtok_r(NULL, ",", &save))
        servers[n++] = tok;
    struct nats_bus *b = ts_xcalloc(1, sizeof *b);
    b->base.ops = &nats_ops;
    b->replicas = o->replicas > 0 ? o->replicas : 3;
    b->wait_ms = o->publish_wait_ms > 0 ? o->publish_wait_ms : 5000;
    /* A KV key: letters, digits and - _ = . only. */
    snprintf(b->node, sizeof b->node, "%s", o->node ? o->node : "tocsin");
    for (char *c = b->node; *c; c++)
        if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
              strchr("-_=.", *c)))
            *c = '_';
    pthread_mutex_init(&b->mu, NULL);
    natsStatus s = natsOptions_Create(&b->opts);
    if (s == NATS_OK)
        s = natsOptions_SetServers(b->opts, servers, n);
    if (s == NATS_OK)
        s = natsOptions_SetName(b->opts, o->node ? o->node : "tocsin");
    if (s == NATS_OK)
        s = natsOptions_SetMaxReconnect(b->opts, -1);
    if (s == NATS_OK)
        s = natsOptions_SetReconnectWait(b->opts, 500);
    if (s == NATS_OK)
        s = natsOptions_SetDisconnectedCB(b->opts, on_disconnected, NULL);
    if (s == NATS_OK)
        s = natsOptions_SetReconnectedCB(b->opts, on_reconnected, NULL);
    if (s == NATS_OK)
        s = natsOptions_SetRetryOnFailedConnect(b->opts, true, on_connected, NULL);
    free(copy);
    if (s == NATS_OK) {
        s = natsConnection_Connect(&b->nc, b->opts);
        if (s == NATS_NOT_YET_CONNECTED) {
            ts_log_warn("bus: no NATS server reachable yet; connecting in the background");
            s = NATS_OK;
        }
    }
    jsOptions jo;
    jsOptions_Init(&jo);
    jo.Wait = 2000; /* key-value and management requests; a publish sets its own */
    if (s == NATS_OK)
        s = natsConnection_JetStream(&b->js, b->nc, &jo);
    if (s != NATS_OK) {
        ts_log_error("bus: cannot use NATS: %s", natsStatus_GetText(s));
        nats_close(&b->base);
        return TS_ENET;
    }
    if (natsConnection_Status(b->nc) == NATS_CONN_STATUS_CONNECTED)
        (void)ensure_stream(b);
    *out = &b->base;
    return 0;
}
