/* SPDX-License-Identifier: Apache-2.0 */
/* Flow decoder: exporter table, statistics, sequence accounting, dispatch on
 * the header version. */
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "flow/flow_int.h"

static const char *const drop_names[TS_FLOW_DROP_COUNT_] = {
    [TS_FLOW_DROP_SHORT] = "short",
    [TS_FLOW_DROP_VERSION] = "version",
    [TS_FLOW_DROP_MALFORMED] = "malformed",
    [TS_FLOW_DROP_NO_TEMPLATE] = "no_template",
    [TS_FLOW_DROP_TEMPLATE_LIMIT] = "template_limit",
    [TS_FLOW_DROP_EXPORTER_LIMIT] = "exporter_limit",
};

const char *ts_flow_drop_name(ts_flow_drop_t d)
{
    if ((unsigned)d >= TS_FLOW_DROP_COUNT_)
        return "unknown";
    return drop_names[d];
}

void ts_flow_limits_init(ts_flow_limits_t *l)
{
    l->max_exporters = 1024;
    l->max_templates = 512;
    l->max_pending_bytes = 64 * 1024;
    l->template_lifetime_ms = 1800000;
}

ts_flow_decoder_t *ts_flow_decoder_new(const ts_flow_limits_t *limits)
{
    ts_flow_decoder_t *d = ts_xcalloc(1, sizeof *d);
    if (limits)
        d->lim = *limits;
    else
        ts_flow_limits_init(&d->lim);
    if (d->lim.max_exporters == 0)
        d->lim.max_exporters = 1;
    if (d->lim.max_templates == 0)
        d->lim.max_templates = 1;
    /* Each template id is 16 bits wide, so more templates than that cannot exist. */
    if (d->lim.max_templates > 65536)
        d->lim.max_templates = 65536;
    d->ecap = 64;
    d->etab = ts_xcalloc(d->ecap, sizeof *d->etab);
    d->mem = sizeof *d + d->ecap * sizeof *d->etab;
    return d;
}

void ts_flow_decoder_free(ts_flow_decoder_t *d)
{
    if (d == NULL)
        return;
    for (size_t i = 0; i < d->ecap; i++) {
        struct flow_exporter *e = d->etab[i];
        while (e) {
            struct flow_exporter *next = e->next;
            flow_tmpl_free_all(d, e);
            flow_pending_free_all(d, e);
            free(e);
            e = next;
        }
    }
    free(d->etab);
    free(d);
}

static size_t exporter_hash(const ts_ip_t *ip, uint32_t domain, uint8_t version)
{
    uint64_t h = 1469598103934665603ull;
    size_t n = ip->family == TS_AF_INET6 ? 16 : 4;
    h = (h ^ ip->family) * 1099511628211ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ ip->bytes[i]) * 1099511628211ull;
    h = (h ^ domain) * 1099511628211ull;
    h = (h ^ version) * 1099511628211ull;
    return (size_t)(h ^ (h >> 29));
}

static bool exporter_is(const struct flow_exporter *e, const ts_ip_t *ip, uint32_t domain,
                        uint8_t version)
{
    /* IPv4 compares 4 bytes only: callers need not clear the rest. */
    size_t n = ip->family == TS_AF_INET6 ? 16 : 4;
    return e->st.domain == domain && e->st.version == version &&
           e->st.exporter.family == ip->family && memcmp(e->st.exporter.bytes, ip->bytes, n) == 0;
}

static void etab_grow(ts_flow_decoder_t *d)
{
    size_t ncap = d->ecap * 2;
    struct flow_exporter **nt = ts_xcalloc(ncap, sizeof *nt);
    for (size_t i = 0; i < d->ecap; i++) {
        struct flow_exporter *e = d->etab[i];
        while (e) {
            struct flow_exporter *next = e->next;
            size_t b = exporter_hash(&e->st.exporter, e->st.domain, e->st.version) & (ncap - 1);
            e->next = nt[b];
            nt[b] = e;
            e = next;
        }
    }
    d->mem += (ncap - d->ecap) * sizeof *nt;
    free(d->etab);
    d->etab = nt;
    d->ecap = ncap;
}

/* Finds (and with create, adds) the exporter entry; NULL when absent or when
 * adding it would pass max_exporters. */
static struct flow_exporter *exporter_lookup(ts_flow_decoder_t *d, const ts_ip_t *from,
                                             uint32_t domain, uint8_t version, bool create)
{
    struct flow_exporter *e = d->last;
    if (e && exporter_is(e, from, domain, version))
        return e;
    size_t b = exporter_hash(from, domain, version) & (d->ecap - 1);
    for (e = d->etab[b]; e; e = e->next) {
        if (exporter_is(e, from, domain, version)) {
            d->last = e;
            return e;
        }
    }
    if (!create || d->nexp >= d->lim.max_exporters)
        return NULL;
    if (d->nexp + 1 > d->ecap) {
        etab_grow(d);
        b = exporter_hash(from, domain, version) & (d->ecap - 1);
    }
    e = ts_xcalloc(1, sizeof *e);
    e->st.exporter.family = from->family;
    memcpy(e->st.exporter.bytes, from->bytes, sizeof from->bytes);
    if (from->family == TS_AF_INET)
        memset(e->st.exporter.bytes + 4, 0, 12);
    e->st.domain = domain;
    e->st.version = version;
    e->st.sampling = 1;
    e->next = d->etab[b];
    d->etab[b] = e;
    d->nexp++;
    d->mem += sizeof *e;
    d->last = e;
    return e;
}

struct flow_exporter *flow_exporter_get(ts_flow_decoder_t *d, const ts_ip_t *from, uint32_t domain,
                                        uint8_t version)
{
    return exporter_lookup(d, from, domain, version, true);
}

void flow_drop(struct flow_ctx *c, ts_flow_drop_t why)
{
    if (c->e)
        c->e->st.drops[why]++;
    else
        c->d->drops[why]++;
}

void flow_sequence(struct flow_exporter *e, uint32_t seq, uint32_t next, bool next_known)
{
    if (e->seq_valid) {
        uint32_t gap = seq - e->next_seq; /* modulo 2^32 */
        if (gap != 0) {
            /* Backwards steps show up as huge forward gaps: both mean a restart. */
            if (gap < FLOW_MAX_GAP)
                e->st.lost += gap;
            else
                e->st.sequence_resets++;
        }
    }
    e->seq_valid = next_known;
    e->next_seq = next;
}

int flow_drop_datagram(ts_flow_decoder_t *d, const ts_ip_t *from, const uint8_t *pkt, size_t len,
                       ts_flow_drop_t why, int err)
{
    struct flow_exporter *e = NULL;
    if (len >= 2) {
        uint16_t v = flow_rd16(pkt);
        if (v == 5)
            e = exporter_lookup(d, from, 0, 5, false);
        else if (v == 9 && len >= 20)
            e = exporter_lookup(d, from, flow_rd32(pkt + 16), 9, false);
        else if (v == 10 && len >= 16)
            e = exporter_lookup(d, from, flow_rd32(pkt + 12), 10, false);
    }
    if (e)
        e->st.drops[why]++;
    else
        d->drops[why]++;
    return err;
}

int ts_flow_decode(ts_flow_decoder_t *d, const ts_ip_t *from, const uint8_t *pkt, size_t len,
                   ts_flow_cb cb, void *ctx)
{
    static const ts_ip_t none = {0};
    if (from == NULL)
        from = &none;
    if (pkt == NULL || len < 2)
        return flow_drop_datagram(d, from, pkt, pkt ? len : 0, TS_FLOW_DROP_SHORT, TS_ETRUNC);
    switch (flow_rd16(pkt)) {
    case 5:
        return flow_decode_v5(d, from, pkt, len, cb, ctx);
    case 9:
        return flow_decode_v9(d, from, pkt, len, cb, ctx);
    case 10:
        return flow_decode_ipfix(d, from, pkt, len, cb, ctx);
    default:
        d->drops[TS_FLOW_DROP_VERSION]++;
        return TS_ENOTSUP;
    }
}

int ts_flow_decoder_stats(const ts_flow_decoder_t *d, ts_exporter_cb cb, void *ctx)
{
    for (size_t i = 0; i < d->ecap; i++) {
        for (const struct flow_exporter *e = d->etab[i]; e; e = e->next) {
            int rc = cb(&e->st, ctx);
            if (rc != 0)
                return rc;
        }
    }
    return 0;
}

size_t ts_flow_decoder_memory(const ts_flow_decoder_t *d)
{
    return d->mem;
}

uint64_t ts_flow_decoder_drops(const ts_flow_decoder_t *d, ts_flow_drop_t why)
{
    if ((unsigned)why >= TS_FLOW_DROP_COUNT_)
        return 0;
    return d->drops[why];
}

size_t ts_flow_decoder_exporters(const ts_flow_decoder_t *d)
{
    return d->nexp;
}
