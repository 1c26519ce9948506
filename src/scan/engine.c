/* SPDX-License-Identifier: Apache-2.0 */
#include "scan/engine.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "core/mem.h"
#include "scan/engine_int.h"

#define NONE UINT32_MAX
#define PROGRESS_EVERY_US 250000
#define SWEEP_EVERY_US 5000

/* Per host: its place in the order, its rate and its round-trip times. */
struct host {
    uint32_t cursor;      /* next index into its port permutation */
    int64_t next_us;      /* earliest time it may be sent to again */
    int64_t srtt, rttvar; /* us; srtt 0 = no sample yet */
    uint32_t heap_pos;    /* NONE when not in the heap */
    uint16_t *retry;      /* ports to send again, with their tries */
    uint8_t *retry_tries;
    uint32_t n_retry, cap_retry;
    uint32_t inflight;
};

struct run {
    struct eng e;
    struct host *h;
    uint32_t *heap; /* hosts with work, by next_us */
    uint32_t n_heap;
    uint32_t free_head;  /* free slots, through next */
    uint32_t head, tail; /* in-flight list */
    uint32_t inflight;
    uint32_t *ip_hash; /* ip -> host + 1 (0 = empty) */
    uint32_t ip_mask;
    double tokens;
    int64_t tokens_us;
    int64_t start_us, last_progress_us, last_sweep_us;
    int64_t global_srtt, global_rttvar;
    uint32_t perm_bits; /* of the port permutation's domain */
    ts_eng_progress_t p;
};

int64_t eng_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static uint64_t splitmix(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint64_t eng_mix(uint64_t key, uint64_t a, uint64_t b)
{
    return splitmix(splitmix(key ^ a) ^ b);
}

socklen_t eng_sockaddr(const ts_ip_t *ip, uint16_t port, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (ip->family == TS_AF_INET) {
        struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
        s4->sin_family = AF_INET;
        s4->sin_port = htons(port);
        memcpy(&s4->sin_addr, ip->bytes, 4);
        return sizeof *s4;
    }
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(port);
    memcpy(&s6->sin6_addr, ip->bytes, 16);
    return sizeof *s6;
}

/* ---- Order: a keyed permutation of each host's ports ------------------------- */

/* A Feistel network over 2^bits values (bits even, >= 2), walked in cycles
 * until the value falls below n: a bijection of [0, n) without a table. */
static uint32_t permute(uint64_t key, uint32_t host, uint32_t bits, uint32_t n, uint32_t i)
{
    uint32_t half = bits / 2, mask = (1u << half) - 1;
    uint32_t x = i;
    do {
        uint32_t l = x >> half, r = x & mask;
        for (uint32_t round = 0; round < 4; round++) {
            uint32_t f = (uint32_t)eng_mix(key, ((uint64_t)host << 8) | round, r) & mask;
            uint32_t t = r;
            r = l ^ f;
            l = t;
        }
        x = (l << half) | r;
    } while (x >= n);
    return x;
}

/* ---- Hosts: a heap by the time each may be sent to next ----------------------- */

static bool heap_less(struct run *r, uint32_t a, uint32_t b)
{
    return r->h[a].next_us < r->h[b].next_us;
}

static void heap_swap(struct run *r, uint32_t i, uint32_t j)
{
    uint32_t t = r->heap[i];
    r->heap[i] = r->heap[j];
    r->heap[j] = t;
    r->h[r->heap[i]].heap_pos = i;
    r->h[r->heap[j]].heap_pos = j;
}

static void heap_up(struct run *r, uint32_t i)
{
    while (i > 0 && heap_less(r, r->heap[i], r->heap[(i - 1) / 2])) {
        heap_swap(r, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void heap_down(struct run *r, uint32_t i)
{
    for (;;) {
        uint32_t l = 2 * i + 1, m = i;
        if (l < r->n_heap && heap_less(r, r->heap[l], r->heap[m]))
            m = l;
        if (l + 1 < r->n_heap && heap_less(r, r->heap[l + 1], r->heap[m]))
            m = l + 1;
        if (m == i)
            return;
        heap_swap(r, i, m);
        i = m;
    }
}

static void heap_push(struct run *r, uint32_t host)
{
    if (r->h[host].heap_pos != NONE)
        return;
    r->heap[r->n_heap] = host;
    r->h[host].heap_pos = r->n_heap;
    heap_up(r, r->n_heap++);
}

static void heap_pop(struct run *r)
{
    uint32_t top = r->heap[0];
    r->h[top].heap_pos = NONE;
    if (--r->n_heap > 0) {
        r->heap[0] = r->heap[r->n_heap];
        r->h[r->heap[0]].heap_pos = 0;
        heap_down(r, 0);
    }
}

static bool host_has_work(struct run *r, uint32_t host)
{
    return r->h[host].n_retry > 0 || r->h[host].cursor < r->e.n_ports;
}

/* ---- Host lookup by address ------------------------------------------------------- */

static uint64_t ip_key(const ts_ip_t *ip)
{
    uint64_t a, b;
    memcpy(&a, ip->bytes, 8);
    memcpy(&b, ip->bytes + 8, 8);
    return eng_mix(ip->family, a, b);
}

int64_t eng_host_index(struct eng *e, const ts_ip_t *ip)
{
    struct run *r = (struct run *)e;
    for (uint32_t i = (uint32_t)ip_key(ip) & r->ip_mask;; i = (i + 1) & r->ip_mask) {
        uint32_t v = r->ip_hash[i];
        if (v == 0)
            return -1;
        if (ts_ip_equal(&e->hosts[v - 1], ip))
            return (int64_t)v - 1;
    }
}

/* ---- Slots ------------------------------------------------------------------------ */

static uint32_t slot_bucket(struct eng *e, uint32_t host, uint16_t port)
{
    return (uint32_t)eng_mix(e->key, host, port) & e->hash_mask;
}

struct eng_slot *eng_find(struct eng *e, uint32_t host, uint16_t port)
{
    for (uint32_t i = e->hash[slot_bucket(e, host, port)]; i != NONE; i = e->slots[i].hnext)
        if (e->slots[i].host == host && e->slots[i].port == port)
            return &e->slots[i];
    return NULL;
}

static void hash_remove(struct eng *e, struct eng_slot *s)
{
    uint32_t idx = (uint32_t)(s - e->slots);
    uint32_t *p = &e->hash[slot_bucket(e, s->host, s->port)];
    while (*p != NONE && *p != idx)
        p = &e->slots[*p].hnext;
    if (*p == idx)
        *p = s->hnext;
}

static void list_unlink(struct run *r, struct eng_slot *s)
{
    struct eng_slot *sl = r->e.slots;
    if (s->prev != NONE)
        sl[s->prev].next = s->next;
    else
        r->head = s->next;
    if (s->next != NONE)
        sl[s->next].prev = s->prev;
    else
        r->tail = s->prev;
}

/* Frees slot s (its answer came or its time is up). */
static void slot_free(struct run *r, struct eng_slot *s)
{
    r->e.be->release(&r->e, s);
    hash_remove(&r->e, s);
    list_unlink(r, s);
    s->busy = false;
    s->next = r->free_head;
    r->free_head = (uint32_t)(s - r->e.slots);
    r->inflight--;
    r->h[s->host].inflight--;
}

static uint32_t host_timeout_us(struct run *r, const struct host *h)
{
    int64_t srtt = h->srtt ? h->srtt : r->global_srtt;
    int64_t var = h->srtt ? h->rttvar : r->global_rttvar;
    int64_t t = srtt ? srtt + 4 * var : (int64_t)r->e.o.initial_timeout_ms * 1000;
    int64_t lo = (int64_t)r->e.o.min_timeout_ms * 1000, hi = (int64_t)r->e.o.max_timeout_ms * 1000;
    return (uint32_t)(t < lo ? lo : t > hi ? hi : t);
}

/* RFC 6298, 2.2 and 2.3: the smoothed RTT and its variation. */
static void rtt_sample(int64_t *srtt, int64_t *var, int64_t m)
{
    if (*srtt == 0) {
        *srtt = m;
        *var = m / 2;
        return;
    }
    int64_t d = *srtt > m ? *srtt - m : m - *srtt;
    *var = (3 * *var + d) / 4;
    *srtt = (7 * *srtt + m) / 8;
}

void eng_answer(struct eng *e, struct eng_slot *s, ts_port_state_t state, const uint8_t *data,
                size_t len)
{
    struct run *r = (struct run *)e;
    int64_t now = eng_now_us();
    int64_t rtt = now - s->sent_us;
    if (rtt < 1)
        rtt = 1;
    /* Karn: only a first try measures the path without doubt. */
    if (s->tries == 1) {
        rtt_sample(&r->h[s->host].srtt, &r->h[s->host].rttvar, rtt);
        rtt_sample(&r->global_srtt, &r->global_rttvar, rtt);
    }
    r->p.done++;
    if (state == TS_PORT_OPEN)
        r->p.open++;
    e->o.on_result(e->o.ctx, s->host, s->port, state, (uint32_t)rtt, data, len);
    slot_free(r, s);
}

/* ---- Sending ------------------------------------------------------------------- */

static void refill(struct run *r, int64_t now)
{
    uint32_t rate = r->e.o.rate;
    if (rate == 0)
        return;
    double burst = rate / 50.0 < 1 ? 1 : rate / 50.0; /* 20 ms worth */
    r->tokens += (double)(now - r->tokens_us) * rate / 1e6;
    if (r->tokens > burst)
        r->tokens = burst;
    r->tokens_us = now;
}

/* Takes the host's next probe: a retry first, else its next port. */
static bool take(struct run *r, uint32_t host, uint16_t *port, uint8_t *tries)
{
    struct host *h = &r->h[host];
    if (h->n_retry) {
        h->n_retry--;
        *port = h->retry[h->n_retry];
        *tries = h->retry_tries[h->n_retry];
        return true;
    }
    if (h->cursor >= r->e.n_ports)
        return false;
    uint32_t i = permute(r->e.key, host, r->perm_bits, (uint32_t)r->e.n_ports, h->cursor++);
    *port = r->e.ports[i];
    *tries = 0;
    return true;
}

static void put_back(struct run *r, uint32_t host, uint16_t port, uint8_t tries)
{
    struct host *h = &r->h[host];
    if (h->n_retry == h->cap_retry) {
        h->cap_retry = h->cap_retry ? h->cap_retry * 2 : 8;
        h->retry = ts_xrealloc(h->retry, h->cap_retry * sizeof *h->retry);
        h->retry_tries = ts_xrealloc(h->retry_tries, h->cap_retry);
    }
    h->retry[h->n_retry] = port;
    h->retry_tries[h->n_retry++] = tries;
    heap_push(r, host);
}

/* Sends what the limits allow now. Returns TS_EIO on a hard failure. */
static int send_some(struct run *r, int64_t now)
{
    struct eng *e = &r->e;
    uint32_t interval = e->o.host_rate ? 1000000u / e->o.host_rate : 0;
    refill(r, now);
    while (r->inflight < e->n_slots && r->n_heap > 0) {
        uint32_t host = r->heap[0];
        struct host *h = &r->h[host];
        if (h->next_us > now)
            break;
        if (e->o.rate && r->tokens < 1)
            break;
        uint16_t port;
        uint8_t tries;
        if (!take(r, host, &port, &tries)) {
            heap_pop(r);
            continue;
        }
        uint32_t idx = r->free_head;
        struct eng_slot *s = &e->slots[idx];
        r->free_head = s->next;
        *s = (struct eng_slot){.host = host,
                               .port = port,
                               .tries = (uint8_t)(tries + 1),
                               .busy = true,
                               .fd = -1,
                               .sent_us = now,
                               .prev = r->tail,
                               .next = NONE,
                               .hnext = NONE};
        uint32_t b = slot_bucket(e, host, port);
        s->hnext = e->hash[b];
        e->hash[b] = idx;
        if (r->tail != NONE)
            e->slots[r->tail].next = idx;
        else
            r->head = idx;
        r->tail = idx;
        r->inflight++;
        h->inflight++;
        /* Each retry waits twice as long as the try before. */
        s->deadline_us = now + ((int64_t)host_timeout_us(r, h) << (s->tries - 1));
        int rc = e->be->send(e, s);
        if (rc == TS_EAGAIN) {
            slot_free(r, s);
            put_back(r, host, port, tries);
            h->next_us = now + 1000;
            heap_down(r, h->heap_pos);
            return 0; /* out of sockets or ports for now: let answers come in */
        }
        if (rc == TS_ENOENT) {
            slot_free(r, s);
            r->p.done++;
        } else if (rc) {
            slot_free(r, s);
            return rc;
        } else {
            r->p.sent++;
            if (e->o.rate)
                r->tokens -= 1;
        }
        h->next_us = (h->next_us > now ? h->next_us : now) + interval;
        if (host_has_work(r, host))
            heap_down(r, h->heap_pos);
        else
            heap_pop(r);
    }
    return 0;
}

/* Probes whose time is up: sent again, or given up as filtered. */
static void sweep(struct run *r, int64_t now)
{
    struct eng *e = &r->e;
    uint32_t i = r->head;
    while (i != NONE) {
        struct eng_slot *s = &e->slots[i];
        uint32_t next = s->next;
        if (s->deadline_us <= now) {
            uint32_t host = s->host;
            uint16_t port = s->port;
            uint8_t tries = s->tries;
            slot_free(r, s);
            if (tries <= e->o.retries)
                put_back(r, host, port, tries);
            else
                r->p.done++;
        }
        i = next;
    }
}

static int64_t next_wakeup(struct run *r, int64_t now)
{
    int64_t t = now + 50000;
    if (r->n_heap > 0 && r->inflight < r->e.n_slots) {
        int64_t h = r->h[r->heap[0]].next_us;
        if (r->e.o.rate && r->tokens < 1) {
            int64_t tk = now + (int64_t)((1 - r->tokens) * 1e6 / r->e.o.rate) + 1;
            h = h > tk ? h : tk;
        }
        t = h < t ? h : t;
    }
    for (uint32_t i = r->head, k = 0; i != NONE && k < 64; i = r->e.slots[i].next, k++)
        t = r->e.slots[i].deadline_us < t ? r->e.slots[i].deadline_us : t;
    return t;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static void report_progress(struct run *r, int64_t now)
{
    if (r->e.o.on_progress == NULL)
        return;
    r->p.elapsed_us = now - r->start_us;
    r->p.eta_us = r->p.done ? (int64_t)((double)r->p.elapsed_us * (double)(r->p.total - r->p.done) /
                                        (double)r->p.done)
                            : -1;
    /* The median host's timeout says how patient the run currently is. */
    uint32_t n = r->e.n_hosts < 255 ? (uint32_t)r->e.n_hosts : 255, t[255];
    for (uint32_t i = 0; i < n; i++)
        t[i] = host_timeout_us(r, &r->h[i * (r->e.n_hosts / n)]);
    qsort(t, n, sizeof *t, cmp_u32);
    r->p.timeout_us = n ? t[n / 2] : 0;
    r->e.o.on_progress(r->e.o.ctx, &r->p);
    r->last_progress_us = now;
}

/* ---- Run ---------------------------------------------------------------------------- */

void ts_eng_opts_init(ts_eng_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->mode = TS_ENG_CONNECT;
    o->max_inflight = 1024;
    o->retries = 1;
    o->min_timeout_ms = 200;
    o->max_timeout_ms = 3000;
    o->initial_timeout_ms = 1000;
}

static uint32_t pow2_at_least(uint64_t n)
{
    uint32_t p = 1;
    while (p < n && p < (1u << 30))
        p <<= 1;
    return p;
}

static void run_free(struct run *r)
{
    if (r->h)
        for (size_t i = 0; i < r->e.n_hosts; i++) {
            free(r->h[i].retry);
            free(r->h[i].retry_tries);
        }
    free(r->h);
    free(r->heap);
    free(r->ip_hash);
    free(r->e.slots);
    free(r->e.hash);
}

static int loop(struct run *r)
{
    struct eng *e = &r->e;
    for (;;) {
        if (e->o.cancel && atomic_load(e->o.cancel))
            return TS_EINTR;
        int64_t now = eng_now_us();
        int rc = send_some(r, now);
        if (rc)
            return rc;
        if (r->inflight == 0 && r->n_heap == 0)
            return 0;
        int64_t wake = next_wakeup(r, now);
        int ms = wake <= now ? 0 : (int)((wake - now + 999) / 1000);
        rc = e->be->poll(e, ms > 50 ? 50 : ms);
        if (rc)
            return rc;
        now = eng_now_us();
        if (now - r->last_sweep_us >= SWEEP_EVERY_US) {
            sweep(r, now);
            r->last_sweep_us = now;
        }
        if (now - r->last_progress_us >= PROGRESS_EVERY_US)
            report_progress(r, now);
    }
}

int ts_eng_run(const ts_ip_t *hosts, size_t n_hosts, const uint16_t *ports, size_t n_ports,
               const ts_eng_opts_t *opts)
{
    if (opts == NULL || opts->on_result == NULL)
        return TS_EINVAL;
    for (size_t i = 0; i < n_hosts; i++)
        if (hosts[i].family != TS_AF_INET && hosts[i].family != TS_AF_INET6)
            return TS_EINVAL;
    if (n_hosts > UINT32_MAX / 2 || n_ports > 65535)
        return TS_EINVAL;
    struct run *r = ts_xcalloc(1, sizeof *r);
    struct eng *e = &r->e;
    e->hosts = hosts;
    e->n_hosts = n_hosts;
    e->ports = ports;
    e->n_ports = n_ports;
    e->o = *opts;
    if (e->o.max_inflight == 0)
        e->o.max_inflight = 1024;
    if (e->o.max_timeout_ms < e->o.min_timeout_ms)
        e->o.max_timeout_ms = e->o.min_timeout_ms;
    e->be = opts->mode == TS_ENG_SYN   ? &ts_eng_syn
            : opts->mode == TS_ENG_UDP ? &ts_eng_dgram
                                       : &ts_eng_connect;
    e->key = opts->seed;
    if (e->key == 0 && getrandom(&e->key, sizeof e->key, 0) != sizeof e->key)
        e->key = (uint64_t)eng_now_us() ^ (uint64_t)(uintptr_t)r;
    r->p.total = (uint64_t)n_hosts * n_ports;
    r->start_us = r->tokens_us = r->last_progress_us = r->last_sweep_us = eng_now_us();
    r->tokens = 1;
    r->perm_bits = 2;
    while ((1u << r->perm_bits) < n_ports)
        r->perm_bits += 2;
    if (n_hosts == 0 || n_ports == 0) {
        report_progress(r, eng_now_us());
        free(r);
        return 0;
    }

    e->n_slots = e->o.max_inflight;
    e->slots = ts_xcalloc(e->n_slots, sizeof *e->slots);
    for (uint32_t i = 0; i < e->n_slots; i++)
        e->slots[i].next = i + 1 < e->n_slots ? i + 1 : NONE;
    r->free_head = 0;
    r->head = r->tail = NONE;
    uint32_t hsize = pow2_at_least((uint64_t)e->n_slots * 2);
    e->hash = ts_xmalloc(hsize * sizeof *e->hash);
    memset(e->hash, 0xff, hsize * sizeof *e->hash);
    e->hash_mask = hsize - 1;
    uint32_t isize = pow2_at_least((uint64_t)n_hosts * 2);
    r->ip_hash = ts_xcalloc(isize, sizeof *r->ip_hash);
    r->ip_mask = isize - 1;
    r->h = ts_xcalloc(n_hosts, sizeof *r->h);
    r->heap = ts_xmalloc(n_hosts * sizeof *r->heap);
    for (uint32_t i = 0; i < n_hosts; i++) {
        uint32_t b = (uint32_t)ip_key(&hosts[i]) & r->ip_mask;
        while (r->ip_hash[b] != 0)
            b = (b + 1) & r->ip_mask;
        r->ip_hash[b] = i + 1;
        r->h[i].heap_pos = NONE;
        /* Hosts start in a random order, a microsecond apart. */
        r->h[i].next_us = r->start_us + (int64_t)(eng_mix(e->key, 0x686f7374, i) % n_hosts);
        heap_push(r, i);
    }

    int rc = e->be->open(e);
    if (rc == 0) {
        rc = loop(r);
        while (r->head != NONE)
            slot_free(r, &e->slots[r->head]);
        e->be->close(e);
    }
    report_progress(r, eng_now_us());
    run_free(r);
    free(r);
    return rc;
}
