/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the engine: the scheduler (engine.c) and the ways of sending a probe
 * (connect.c, syn.c, dgram.c) behind one table of operations. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "scan/engine.h"

/* A probe waiting for its answer. */
struct eng_slot {
    uint32_t host;
    uint16_t port;
    uint8_t tries; /* sends so far */
    bool busy;
    int fd; /* connect mode: its socket; -1 otherwise */
    int64_t sent_us;
    int64_t deadline_us;
    uint32_t prev, next; /* in the in-flight list, send order; UINT32_MAX = none */
    uint32_t hnext;      /* next slot in the same hash bucket (SYN, UDP) */
};

struct eng;

struct eng_backend {
    /* Prepares sockets. \retval 0, TS_ENOTSUP, TS_EIO. */
    int (*open)(struct eng *e);
    /* Sends the probe of slot s. \retval 0 sent; TS_EAGAIN no resource now
     * (the probe is tried again later); TS_ENOENT nothing to send for this
     * port (counted done); TS_EIO. */
    int (*send)(struct eng *e, struct eng_slot *s);
    /* Waits up to timeout_ms for answers and reports each through
     * eng_answer(). \retval 0 or TS_EIO. */
    int (*poll)(struct eng *e, int timeout_ms);
    /* Releases what a probe holds (its time is up or it was answered). */
    void (*release)(struct eng *e, struct eng_slot *s);
    void (*close)(struct eng *e);
};

extern const struct eng_backend ts_eng_connect;
extern const struct eng_backend ts_eng_syn;
extern const struct eng_backend ts_eng_dgram;

struct eng {
    const ts_ip_t *hosts;
    size_t n_hosts;
    const uint16_t *ports;
    size_t n_ports;
    ts_eng_opts_t o;
    const struct eng_backend *be;
    void *bs;     /* the backend's own state */
    uint64_t key; /* keys the order and SYN cookies */
    struct eng_slot *slots;
    uint32_t n_slots;
    uint32_t *hash; /* (host, port) -> first slot, UINT32_MAX = none */
    uint32_t hash_mask;
};

/* The slot of an in-flight probe to (host, port), or NULL (SYN, UDP). */
struct eng_slot *eng_find(struct eng *e, uint32_t host, uint16_t port);
/* The index of ip among the hosts (sorted or not: a hash), or -1. */
int64_t eng_host_index(struct eng *e, const ts_ip_t *ip);
/* An answer to slot s: reports it, frees the slot. */
void eng_answer(struct eng *e, struct eng_slot *s, ts_port_state_t state, const uint8_t *data,
                size_t len);
/* Microseconds of a monotonic clock. */
int64_t eng_now_us(void);
/* A 64-bit keyed hash of up to four words (SipHash is more than needed
 * here: the cookie only has to be unguessable to third parties for the
 * length of a scan). */
uint64_t eng_mix(uint64_t key, uint64_t a, uint64_t b);
/* Fills a sockaddr for ip:port; returns its length. */
socklen_t eng_sockaddr(const ts_ip_t *ip, uint16_t port, struct sockaddr_storage *ss);
