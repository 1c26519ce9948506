/* SPDX-License-Identifier: Apache-2.0 */
#include "collect/writer.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bus/batch.h"
#include "core/log.h"
#include "core/mem.h"
#include "route/loader.h"

#define RETRY_MS 100 /* between attempts on a busy store */

struct batch {
    ts_arena_t *arena;
    ts_event_t *events;
    size_t n, cap;
};

struct counters {
    ts_exporter_stats_t *v;
    size_t n, cap;
};

struct ts_cwriter {
    ts_store_t *st;
    /* With a bus: each batch is published as the input `via.input`, whose
     * checkpoint counts the detections committed (see writer.h). */
    ts_bus_t *bus;
    char *input;
    ts_batch_t pub;
    ts_input_state_t seq; /* where the next batch starts */
    ts_constituency_t **c;
    ts_arena_t *route_arena; /* the writer's: one detection's links at a time */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t work; /* to the writer: something to do */
    pthread_cond_t room; /* to the receive thread: a batch was stored */

    struct batch *open; /* receive thread's; not under mu */
    /* Under mu: */
    struct batch *queue[TS_CWRITER_BATCHES]; /* FIFO, head first */
    size_t head, queued;
    struct batch *spare[TS_CWRITER_BATCHES + 1]; /* stored batches, for reuse */
    size_t nspare;
    struct counters fill;  /* receive thread's, not under mu */
    struct counters ready; /* handed over, not yet taken */
    bool counters_ready;
    bool reload;
    bool stopping; /* finish began: a busy store is retried for a bounded time */
    bool closed;   /* the last batch is handed over: the writer may end */
    int patience_ms;
    int error; /* the first fatal error; read without mu via __atomic */
};

/* Counter snapshots change hands by swapping buffers, never by copying. */
static void swap_counters(struct counters *a, struct counters *b)
{
    struct counters t = *a;
    *a = *b;
    *b = t;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct batch *batch_new(void)
{
    struct batch *b = calloc(1, sizeof *b);
    if (b && !(b->arena = ts_arena_new(1 << 16))) {
        free(b);
        b = NULL;
    }
    return b;
}

static void batch_free(struct batch *b)
{
    if (!b)
        return;
    ts_arena_free(b->arena);
    free(b->events);
    free(b);
}

static void set_error(ts_cwriter_t *w, int rc)
{
    int none = 0;
    __atomic_compare_exchange_n(&w->error, &none, rc, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
}

/* Stores one batch in one transaction. TS_EBUSY leaves nothing stored, so
 * the same batch can be tried again (routing included, which is cheap). */
static int store_batch(ts_cwriter_t *w, const struct batch *b)
{
    int rc = ts_store_begin(w->st);
    for (size_t i = 0; rc == 0 && i < b->n; i++) {
        ts_link_t *links;
        int nl = ts_constituency_route(*w->c, &b->events[i], w->route_arena, &links);
        rc = ts_store_event_add(w->st, &b->events[i], links, nl, 0, 0, NULL);
        ts_arena_reset(w->route_arena);
    }
    if (rc == 0)
        rc = ts_store_commit(w->st);
    if (rc < 0)
        ts_store_rollback(w->st);
    return rc;
}

/* Publishes one batch with the boundaries it had at its first try, so that a
 * batch published again after a timeout is recognised (its Msg-Id) and one
 * delivered twice is stored once (its range against the checkpoint). */
static int publish_batch(ts_cwriter_t *w, const struct batch *b)
{
    ts_batch_t *p = &w->pub;
    ts_batch_reset(p);
    p->input = w->input;
    p->format = "netflow";
    p->input_id = w->seq.id;
    p->start = w->seq;
    p->save_checkpoint = true;
    for (size_t i = 0; i < b->n; i++) {
        ts_batch_item_t *it = ts_batch_add(p);
        it->ev = &b->events[i];
        it->n_links = ts_constituency_route(*w->c, &b->events[i], p->arena, &it->links);
        it->line = w->seq.line + i + 1;
    }
    p->checkpoint = w->seq;
    p->checkpoint.line += b->n;
    p->checkpoint.offset += b->n;
    int rc = ts_bus_publish(w->bus, p);
    if (rc == 0)
        w->seq = p->checkpoint;
    return rc;
}

static int store_counters(ts_cwriter_t *w, const struct counters *k)
{
    int rc = ts_store_begin(w->st);
    for (size_t i = 0; rc == 0 && i < k->n; i++)
        rc = ts_store_exporter_save(w->st, &k->v[i]);
    if (rc == 0)
        rc = ts_store_commit(w->st);
    if (rc < 0)
        ts_store_rollback(w->st);
    return rc;
}

static void reload(ts_cwriter_t *w)
{
    ts_constituency_t *fresh;
    int rc = ts_constituency_load(w->st, &fresh);
    if (rc < 0) {
        ts_log_warn("constituency not reloaded, the previous one stays: %s", ts_strerror(rc));
        return;
    }
    ts_constituency_free(*w->c);
    *w->c = fresh;
    ts_log_info("constituency reloaded");
}

/* Waits on work for up to ms, or until woken. */
static void nap(ts_cwriter_t *w, int64_t ms)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_cond_timedwait(&w->work, &w->mu, &until);
}

static void *writer_main(void *arg)
{
    ts_cwriter_t *w = arg;
    struct counters taken = {0};
    bool busy_logged = false;
    int64_t busy_since_stop = -1; /* monotonic ms of the first busy try while stopping */
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (!w->reload && !w->queued && !w->counters_ready && !w->closed)
            pthread_cond_wait(&w->work, &w->mu);
        if (w->reload) {
            w->reload = false;
            pthread_mutex_unlock(&w->mu);
            reload(w);
            pthread_mutex_lock(&w->mu);
            continue;
        }
        int rc = 0;
        if (w->queued) {
            struct batch *b = w->queue[w->head];
            pthread_mutex_unlock(&w->mu);
            rc = w->bus ? publish_batch(w, b) : store_batch(w, b);
            pthread_mutex_lock(&w->mu);
            if (rc == 0) {
                w->head = (w->head + 1) % TS_CWRITER_BATCHES;
                w->queued--;
                ts_arena_reset(b->arena);
                b->n = 0;
                w->spare[w->nspare++] = b;
                pthread_cond_broadcast(&w->room);
            }
        } else if (w->counters_ready) {
            swap_counters(&taken, &w->ready);
            w->counters_ready = false;
            pthread_mutex_unlock(&w->mu);
            rc = store_counters(w, &taken);
            pthread_mutex_lock(&w->mu);
            if (rc == TS_EBUSY && !w->counters_ready) {
                /* Nothing newer came meanwhile: try these again. */
                swap_counters(&taken, &w->ready);
                w->counters_ready = true;
            }
        } else {
            break; /* closed, and everything is stored */
        }
        if (rc == TS_EBUSY) {
            if (!busy_logged && w->bus && w->queued)
                ts_log_warn("collector paused: %s is unavailable; detections wait in memory, "
                            "retrying every %d ms",
                            ts_bus_name(w->bus), RETRY_MS);
            else if (!busy_logged)
                ts_log_warn("the database is locked by another writer: detections and counters "
                            "wait in memory, retrying every %d ms",
                            RETRY_MS);
            busy_logged = true;
            if (w->stopping) {
                if (busy_since_stop < 0)
                    busy_since_stop = mono_ms();
                else if (mono_ms() - busy_since_stop >= w->patience_ms) {
                    size_t lost = 0;
                    for (size_t i = 0; i < w->queued; i++)
                        lost += w->queue[(w->head + i) % TS_CWRITER_BATCHES]->n;
                    ts_log_error("stopping: the database stayed locked for %d ms more; %zu "
                                 "detection(s) not stored",
                                 w->patience_ms, lost);
                    set_error(w, TS_EBUSY);
                    pthread_cond_broadcast(&w->room);
                    break;
                }
            }
            nap(w, RETRY_MS);
        } else if (rc < 0) {
            ts_log_error("the store failed, the collector stops: %s", ts_store_errmsg(w->st));
            set_error(w, rc);
            pthread_cond_broadcast(&w->room);
            break;
        } else if (busy_logged) {
            ts_log_info(w->bus ? "collector resumed: the bus and the database take detections again"
                               : "the database is writable again");
            busy_logged = false;
        }
    }
    pthread_mutex_unlock(&w->mu);
    free(taken.v);
    return NULL;
}

static void release_bus(ts_cwriter_t *w)
{
    if (w->bus)
        ts_batch_free(&w->pub);
    free(w->input);
}

int ts_cwriter_start(ts_store_t *st, ts_constituency_t **c, int patience_ms,
                     const ts_cwriter_via_t *via, ts_cwriter_t **out)
{
    *out = NULL;
    ts_input_state_t seq = {0};
    if (via && via->bus) {
        int rc = ts_store_input_get(st, via->input, "netflow", &seq);
        if (rc < 0) {
            ts_log_error("collector: cannot register its input '%s': %s", via->input,
                         ts_store_errmsg(st));
            return rc;
        }
        /* Each run counts its detections from 0, as a new file would: its
         * own identity (this process's start) tells the writer so. */
        seq.dev = (uint64_t)getpid();
        seq.ino = (uint64_t)ts_time_now();
        seq.offset = seq.line = 0;
    }
    ts_cwriter_t *w = calloc(1, sizeof *w);
    if (!w)
        return TS_ENOMEM;
    w->st = st;
    w->c = c;
    w->patience_ms = patience_ms;
    if (!(w->open = batch_new())) {
        free(w);
        return TS_ENOMEM;
    }
    w->route_arena = ts_arena_new(1 << 12);
    if (via && via->bus) {
        w->bus = via->bus;
        w->input = ts_xstrdup(via->input);
        w->seq = seq;
        ts_batch_init(&w->pub);
    }
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->work, &ca);
    pthread_cond_init(&w->room, NULL);
    pthread_condattr_destroy(&ca);
    int e = pthread_create(&w->thread, NULL, writer_main, w);
    if (e != 0) {
        ts_log_error("cannot start the store writer: %s", strerror(e));
        pthread_cond_destroy(&w->work);
        pthread_cond_destroy(&w->room);
        pthread_mutex_destroy(&w->mu);
        batch_free(w->open);
        ts_arena_free(w->route_arena);
        release_bus(w);
        free(w);
        return TS_EIO;
    }
    *out = w;
    return 0;
}

ts_arena_t *ts_cwriter_arena(ts_cwriter_t *w)
{
    return w->open->arena;
}

int ts_cwriter_add(ts_cwriter_t *w, const ts_event_t *ev)
{
    struct batch *b = w->open;
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 16;
        ts_event_t *grown = realloc(b->events, cap * sizeof *grown);
        if (!grown) {
            ts_log_error("out of memory: a detection is lost");
            return TS_ENOMEM;
        }
        b->events = grown;
        b->cap = cap;
    }
    ts_event_t *e = &b->events[b->n++];
    *e = *ev;
    if (e->time_observation == TS_TIME_NONE)
        e->time_observation = ts_time_now();
    return 0;
}

int ts_cwriter_flush(ts_cwriter_t *w)
{
    int err = __atomic_load_n(&w->error, __ATOMIC_ACQUIRE);
    if (err || w->open->n == 0)
        return err;
    pthread_mutex_lock(&w->mu);
    while (w->queued == TS_CWRITER_BATCHES && !w->error)
        pthread_cond_wait(&w->room, &w->mu);
    struct batch *next = w->nspare ? w->spare[--w->nspare] : NULL;
    err = w->error;
    pthread_mutex_unlock(&w->mu);
    if (err)
        return err;
    /* The open batch is handed over only once its successor exists: on
     * ENOMEM it stays open, its detections intact. */
    if (!next && !(next = batch_new())) {
        ts_log_error("out of memory for a batch of detections");
        return TS_ENOMEM;
    }
    pthread_mutex_lock(&w->mu);
    w->queue[(w->head + w->queued) % TS_CWRITER_BATCHES] = w->open;
    w->queued++;
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->mu);
    w->open = next;
    return 0;
}

static int copy_counter(const ts_exporter_stats_t *s, void *arg)
{
    struct counters *k = arg;
    if (k->n == k->cap) {
        size_t cap = k->cap ? 2 * k->cap : 16;
        ts_exporter_stats_t *grown = realloc(k->v, cap * sizeof *grown);
        if (!grown)
            return TS_ENOMEM;
        k->v = grown;
        k->cap = cap;
    }
    k->v[k->n++] = *s;
    return 0;
}

int ts_cwriter_counters(ts_cwriter_t *w, const ts_flow_decoder_t *dec)
{
    int err = __atomic_load_n(&w->error, __ATOMIC_ACQUIRE);
    if (err)
        return err;
    w->fill.n = 0;
    int rc = ts_flow_decoder_stats(dec, copy_counter, &w->fill);
    if (rc < 0) {
        ts_log_error("out of memory for the exporter counters");
        return rc;
    }
    pthread_mutex_lock(&w->mu);
    swap_counters(&w->ready, &w->fill);
    w->counters_ready = true;
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->mu);
    return 0;
}

void ts_cwriter_reload(ts_cwriter_t *w)
{
    pthread_mutex_lock(&w->mu);
    w->reload = true;
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->mu);
}

int ts_cwriter_finish(ts_cwriter_t *w)
{
    /* Stopping first, so that a flush waiting for room cannot wait for a
     * locked store forever; closed only after the last flush, so that the
     * writer cannot end before it has the last batch. */
    pthread_mutex_lock(&w->mu);
    w->stopping = true;
    pthread_mutex_unlock(&w->mu);
    int rc = ts_cwriter_flush(w);
    pthread_mutex_lock(&w->mu);
    w->closed = true;
    pthread_cond_signal(&w->work);
    pthread_mutex_unlock(&w->mu);
    pthread_join(w->thread, NULL);
    if (rc == 0)
        rc = w->error;
    for (size_t i = 0; i < w->queued; i++)
        batch_free(w->queue[(w->head + i) % TS_CWRITER_BATCHES]);
    for (size_t i = 0; i < w->nspare; i++)
        batch_free(w->spare[i]);
    batch_free(w->open);
    ts_arena_free(w->route_arena);
    release_bus(w);
    free(w->fill.v);
    free(w->ready.v);
    pthread_cond_destroy(&w->work);
    pthread_cond_destroy(&w->room);
    pthread_mutex_destroy(&w->mu);
    free(w);
    return rc;
}
