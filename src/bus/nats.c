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

/* Naks the messages from i on, for redelivery in order. */
static void nak_rest(natsMsgList *list, int i, int64_t delay_ms)
{
    for (; i < list->Count; i++)
        natsMsg_NakWithDelay(list->Msgs[i], delay_ms, NULL);
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
            int r = ts_batch_store(st, &batch, true, &res);
            if (r == TS_EAGAIN) {
                /* An earlier batch of this input is still on its way. */
                ts_log_debug("bus: %s starts past the committed checkpoint: waiting",
                             natsMsg_GetSubject(m));
                nak_rest(&list, i, 200);
                break;
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
