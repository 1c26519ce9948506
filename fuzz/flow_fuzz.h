/* SPDX-License-Identifier: Apache-2.0 */
/* Body of the flow decoder fuzz targets (one target per version): one
 * decoder lives across inputs so that templates from earlier inputs apply to
 * later ones, and its memory must stay within the limits it was given. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flow/flow.h"

/* Plans against the generic loop: flow_int.h's switch, declared here so
 * that the target needs nothing else of the internals. */
extern bool flow_plans_disabled;

typedef struct ts_fuzz_flows {
    ts_flow_t f[1024];
    size_t n;
} ts_fuzz_flows_t;

static inline void ts_fuzz_flow_collect(const ts_flow_t *f, size_t n, void *ctx)
{
    ts_fuzz_flows_t *g = ctx;
    for (size_t i = 0; i < n && g->n < 1024; i++)
        g->f[g->n++] = f[i];
}

static inline bool ts_fuzz_same_flow(const ts_flow_t *a, const ts_flow_t *b)
{
    return a->src.family == b->src.family && !memcmp(a->src.bytes, b->src.bytes, 16) &&
           a->dst.family == b->dst.family && !memcmp(a->dst.bytes, b->dst.bytes, 16) &&
           a->src_port == b->src_port && a->dst_port == b->dst_port && a->proto == b->proto &&
           a->tcp_flags == b->tcp_flags && a->tos == b->tos && a->packets == b->packets &&
           a->bytes == b->bytes && a->first_ms == b->first_ms && a->last_ms == b->last_ms &&
           a->src_as == b->src_as && a->dst_as == b->dst_as && a->in_if == b->in_if &&
           a->out_if == b->out_if && a->sampling == b->sampling;
}

/* One decoder decodes with template plans, a second one the same inputs
 * with the generic loop only: every flow must come out the same. */
static inline int ts_fuzz_flow(const uint8_t *data, size_t size, uint8_t version)
{
    static ts_flow_decoder_t *d, *generic;
    static uint8_t buf[65536];
    static ts_fuzz_flows_t ga, gb;
    if (d == NULL) {
        ts_flow_limits_t lim = {.max_exporters = 8,
                                .max_templates = 64,
                                .max_pending_bytes = 4096,
                                .template_lifetime_ms = 600000};
        d = ts_flow_decoder_new(&lim);
        generic = ts_flow_decoder_new(&lim);
    }
    if (size > sizeof buf)
        size = sizeof buf;
    memcpy(buf, data, size);
    if (size >= 2) { /* steer every input to this version's decoder */
        buf[0] = 0;
        buf[1] = version;
    }
    ts_ip_t from = {.family = TS_AF_INET, .bytes = {192, 0, 2, 1}};
    ga.n = gb.n = 0;
    int ra = ts_flow_decode(d, &from, buf, size, ts_fuzz_flow_collect, &ga);
    flow_plans_disabled = true;
    int rb = ts_flow_decode(generic, &from, buf, size, ts_fuzz_flow_collect, &gb);
    flow_plans_disabled = false;
    if (ra != rb || ga.n != gb.n)
        abort();
    for (size_t i = 0; i < ga.n; i++)
        if (!ts_fuzz_same_flow(&ga.f[i], &gb.f[i]))
            abort();
    if (ts_flow_decoder_memory(d) > 8u * (64 * 3200 + 4096 + 4096) + 65536)
        abort();
    return 0;
}
