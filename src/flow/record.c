/* SPDX-License-Identifier: Apache-2.0 */
/* Data records of v9 and IPFIX: decoding by a compiled template, times,
 * sampling, and the per-exporter buffer of data waiting for its template. */
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "flow/flow_int.h"

enum {
    H_BYTES = 1u << 0,
    H_BYTES_TOT = 1u << 1,
    H_PKTS = 1u << 2,
    H_PKTS_TOT = 1u << 3,
    H_UPF = 1u << 4,
    H_UPL = 1u << 5,
    H_FIRST = 1u << 6,
    H_LAST = 1u << 7,
    H_SYSINIT = 1u << 8,
    H_SINT = 1u << 9,
    H_PINT = 1u << 10,
    H_PSPACE = 1u << 11,
};

/* What a record says beyond the fields copied straight into the flow. */
struct rec {
    uint32_t have;
    uint32_t up_first, up_last;
    uint64_t bytes, bytes_tot, pkts, pkts_tot;
    int64_t first, last;
    uint64_t sysinit, sint, pint, pspace;
};

/* 1900-01-01 to 1970-01-01 in seconds. */
#define NTP_UNIX_OFFSET 2208988800ll

static int64_t ntp_ms(const uint8_t *p)
{
    int64_t sec = flow_rd32(p);
    uint64_t frac = flow_rd32(p + 4);
    /* RFC 4330 era rule: a clear top bit means 2036 onwards. */
    if (sec < 0x80000000ll)
        sec += 0x100000000ll;
    return (sec - NTP_UNIX_OFFSET) * 1000 + (int64_t)((frac * 1000) >> 32);
}

/* An absolute start or end time (ms since the epoch) of the kinds
 * FK_S_FIRST to FK_DUS_LAST. */
static inline int64_t abs_time(uint8_t kind, const uint8_t *p, uint16_t len, int64_t export_ms)
{
    if (kind == FK_MS_FIRST || kind == FK_MS_LAST)
        return (int64_t)(flow_rdn(p, len) & 0x7fffffffffffffull);
    if (kind == FK_S_FIRST || kind == FK_S_LAST)
        return (int64_t)(flow_rdn(p, len) & 0xffffffffffull) * 1000;
    if (kind == FK_NTP_FIRST || kind == FK_NTP_LAST)
        return ntp_ms(p);
    return export_ms - (int64_t)((flow_rdn(p, len) & 0xffffffffull) / 1000); /* FK_DUS_* */
}

/* Out of line: the generic loops are the fallback (templates that feed a
 * part twice, variable-length ones, options); the plans carry the load. */
static __attribute__((noinline)) void apply(struct rec *r, ts_flow_t *f, uint8_t kind,
                                            const uint8_t *p, uint16_t len, int64_t export_ms)
{
    switch (kind) {
    case FK_BYTES:
        r->bytes = flow_rdn(p, len);
        r->have |= H_BYTES;
        break;
    case FK_BYTES_TOTAL:
        r->bytes_tot = flow_rdn(p, len);
        r->have |= H_BYTES_TOT;
        break;
    case FK_PKTS:
        r->pkts = flow_rdn(p, len);
        r->have |= H_PKTS;
        break;
    case FK_PKTS_TOTAL:
        r->pkts_tot = flow_rdn(p, len);
        r->have |= H_PKTS_TOT;
        break;
    case FK_PROTO:
        f->proto = (uint8_t)flow_rdn(p, len);
        break;
    case FK_TOS:
        f->tos = (uint8_t)flow_rdn(p, len);
        break;
    case FK_FLAGS:
        f->tcp_flags = (uint8_t)flow_rdn(p, len);
        break;
    case FK_SPORT:
        f->src_port = (uint16_t)flow_rdn(p, len);
        break;
    case FK_DPORT:
        f->dst_port = (uint16_t)flow_rdn(p, len);
        break;
    case FK_SRC4:
        f->src.family = TS_AF_INET;
        memcpy(f->src.bytes, p, 4);
        break;
    case FK_DST4:
        f->dst.family = TS_AF_INET;
        memcpy(f->dst.bytes, p, 4);
        break;
    case FK_SRC6:
        f->src.family = TS_AF_INET6;
        memcpy(f->src.bytes, p, 16);
        break;
    case FK_DST6:
        f->dst.family = TS_AF_INET6;
        memcpy(f->dst.bytes, p, 16);
        break;
    case FK_INIF:
        f->in_if = (uint32_t)flow_rdn(p, len);
        break;
    case FK_OUTIF:
        f->out_if = (uint32_t)flow_rdn(p, len);
        break;
    case FK_SRCAS:
        f->src_as = (uint32_t)flow_rdn(p, len);
        break;
    case FK_DSTAS:
        f->dst_as = (uint32_t)flow_rdn(p, len);
        break;
    case FK_UP_FIRST:
        r->up_first = (uint32_t)flow_rdn(p, len);
        r->have |= H_UPF;
        break;
    case FK_UP_LAST:
        r->up_last = (uint32_t)flow_rdn(p, len);
        r->have |= H_UPL;
        break;
    case FK_S_FIRST:
    case FK_MS_FIRST:
    case FK_NTP_FIRST:
    case FK_DUS_FIRST:
        r->first = abs_time(kind, p, len, export_ms);
        r->have |= H_FIRST;
        break;
    case FK_S_LAST:
    case FK_MS_LAST:
    case FK_NTP_LAST:
    case FK_DUS_LAST:
        r->last = abs_time(kind, p, len, export_ms);
        r->have |= H_LAST;
        break;
    case FK_SYSINIT:
        r->sysinit = flow_rdn(p, len) & 0x7fffffffffffffull;
        r->have |= H_SYSINIT;
        break;
    case FK_SAMP_INT:
        r->sint = flow_rdn(p, len);
        r->have |= H_SINT;
        break;
    case FK_SAMP_PINT:
        r->pint = flow_rdn(p, len);
        r->have |= H_PINT;
        break;
    case FK_SAMP_PSPACE:
        r->pspace = flow_rdn(p, len);
        r->have |= H_PSPACE;
        break;
    default:
        break;
    }
}

/* Sampling rate a record announces, 0 when none. */
static uint32_t rec_rate(const struct rec *r)
{
    uint64_t rate = 0;
    if ((r->have & H_PINT) && r->pint > 0)
        rate = (r->pint + ((r->have & H_PSPACE) ? r->pspace : 0)) / r->pint;
    else if ((r->have & H_SINT) && r->sint > 0)
        rate = r->sint;
    return rate > UINT32_MAX ? UINT32_MAX : (uint32_t)rate;
}

static inline uint64_t scale(uint64_t v, uint32_t rate)
{
    if (rate > 1 && v > UINT64_MAX / rate)
        return UINT64_MAX;
    return v * rate;
}

/* Absolute time of a sysUptime stamp: v9 against the header's uptime, IPFIX
 * against systemInitTimeMilliseconds (record, else options data). */
static bool uptime_ms(const struct flow_ctx *c, const struct rec *r, uint32_t up, int64_t *out)
{
    if (c->version == 9) {
        *out = c->export_ms - (int32_t)(c->uptime - up);
        return true;
    }
    int64_t init = (r->have & H_SYSINIT) ? (int64_t)r->sysinit : c->e->sys_init_ms;
    if (init <= 0)
        return false;
    *out = init + up;
    return true;
}

static inline __attribute__((always_inline)) void
finish(struct flow_ctx *c, const struct flow_tmpl *t, struct rec *r, ts_flow_t *f)
{
    struct flow_exporter *e = c->e;
    if (!t->is_flow) {
        uint32_t rate = rec_rate(r);
        if (rate)
            e->st.sampling = rate;
        if ((r->have & H_SYSINIT) && r->sysinit > 0)
            e->sys_init_ms = (int64_t)r->sysinit;
        return;
    }
    bool hf = r->have & H_FIRST, hl = r->have & H_LAST;
    int64_t first = r->first, last = r->last;
    if (!hf && (r->have & H_UPF))
        hf = uptime_ms(c, r, r->up_first, &first);
    if (!hl && (r->have & H_UPL))
        hl = uptime_ms(c, r, r->up_last, &last);
    if (!hf && !hl)
        first = last = c->export_ms;
    else if (!hf)
        first = last;
    else if (!hl)
        last = first;
    f->first_ms = first;
    f->last_ms = last;

    uint32_t rate = rec_rate(r);
    if (rate == 0)
        rate = e->st.sampling ? e->st.sampling : 1;
    f->sampling = rate;
    uint64_t bytes = (r->have & H_BYTES) ? r->bytes : r->bytes_tot;
    uint64_t pkts = (r->have & H_PKTS) ? r->pkts : r->pkts_tot;
    f->bytes = scale(bytes, rate);
    f->packets = scale(pkts, rate);
    c->flows++;
    e->st.flows++;
    /* f is the next slot of the run: keep it. */
    if (++c->nrun == FLOW_RUN)
        flow_run_flush(c);
}

void flow_run_flush(struct flow_ctx *c)
{
    if (c->nrun && c->cb)
        c->cb(c->run, c->nrun, c->cbctx);
    c->nrun = 0;
}

bool flow_plans_disabled;

uint64_t flow_rdn_odd(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    if (n > 8) {
        p += n - 8;
        n = 8;
    }
    for (size_t i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

/* The generic loops' finish, out of line: only the plan's loop gets an
 * inlined copy, which keeps the decoder's hot code small. */
static __attribute__((noinline)) void finish_generic(struct flow_ctx *c, const struct flow_tmpl *t,
                                                     struct rec *r, ts_flow_t *f)
{
    finish(c, t, r, f);
}

/* One record by its template's plan: each part read from its one offset, in
 * straight-line code (see flow_part). Same result as apply() per field. */
static inline __attribute__((always_inline)) void plan_record(struct rec *r, ts_flow_t *f,
                                                              const struct flow_plan_field *pl,
                                                              const uint8_t *rp, int64_t export_ms)
{
#define PART(x) (pl[x].len != 0)
#define RD(x) flow_rdn(rp + pl[x].off, pl[x].len)
    r->have = 0;
    if (PART(FP_BYTES)) {
        r->bytes = RD(FP_BYTES);
        r->have |= H_BYTES;
    }
    if (PART(FP_BYTES_TOT)) {
        r->bytes_tot = RD(FP_BYTES_TOT);
        r->have |= H_BYTES_TOT;
    }
    if (PART(FP_PKTS)) {
        r->pkts = RD(FP_PKTS);
        r->have |= H_PKTS;
    }
    if (PART(FP_PKTS_TOT)) {
        r->pkts_tot = RD(FP_PKTS_TOT);
        r->have |= H_PKTS_TOT;
    }
    if (PART(FP_PROTO))
        f->proto = (uint8_t)RD(FP_PROTO);
    if (PART(FP_TOS))
        f->tos = (uint8_t)RD(FP_TOS);
    if (PART(FP_FLAGS))
        f->tcp_flags = (uint8_t)RD(FP_FLAGS);
    if (PART(FP_SPORT))
        f->src_port = (uint16_t)RD(FP_SPORT);
    if (PART(FP_DPORT))
        f->dst_port = (uint16_t)RD(FP_DPORT);
    /* Constant sizes: memcpy then compiles to a move, not a call. */
    if (PART(FP_SRC)) {
        if (pl[FP_SRC].kind == FK_SRC4) {
            f->src.family = TS_AF_INET;
            memcpy(f->src.bytes, rp + pl[FP_SRC].off, 4);
        } else {
            f->src.family = TS_AF_INET6;
            memcpy(f->src.bytes, rp + pl[FP_SRC].off, 16);
        }
    }
    if (PART(FP_DST)) {
        if (pl[FP_DST].kind == FK_DST4) {
            f->dst.family = TS_AF_INET;
            memcpy(f->dst.bytes, rp + pl[FP_DST].off, 4);
        } else {
            f->dst.family = TS_AF_INET6;
            memcpy(f->dst.bytes, rp + pl[FP_DST].off, 16);
        }
    }
    if (PART(FP_INIF))
        f->in_if = (uint32_t)RD(FP_INIF);
    if (PART(FP_OUTIF))
        f->out_if = (uint32_t)RD(FP_OUTIF);
    if (PART(FP_SRCAS))
        f->src_as = (uint32_t)RD(FP_SRCAS);
    if (PART(FP_DSTAS))
        f->dst_as = (uint32_t)RD(FP_DSTAS);
    if (PART(FP_UP_FIRST)) {
        r->up_first = (uint32_t)RD(FP_UP_FIRST);
        r->have |= H_UPF;
    }
    if (PART(FP_UP_LAST)) {
        r->up_last = (uint32_t)RD(FP_UP_LAST);
        r->have |= H_UPL;
    }
    if (PART(FP_FIRST)) {
        r->first = abs_time(pl[FP_FIRST].kind, rp + pl[FP_FIRST].off, pl[FP_FIRST].len, export_ms);
        r->have |= H_FIRST;
    }
    if (PART(FP_LAST)) {
        r->last = abs_time(pl[FP_LAST].kind, rp + pl[FP_LAST].off, pl[FP_LAST].len, export_ms);
        r->have |= H_LAST;
    }
#undef PART
#undef RD
}

bool flow_data_set(struct flow_ctx *c, const struct flow_tmpl *t, const uint8_t *p, size_t len)
{
    ts_flow_t base;
    memset(&base, 0, sizeof base);
    base.exporter = c->e->st.exporter;
    base.domain = c->e->st.domain;
    base.version = c->version;
    /* Records are decoded straight into the run's next slot. finish() keeps
     * a flow record there; an options record leaves the slot free. */
    ts_flow_t *f;
    ts_flow_t scratch;
    struct rec r = {0}; /* fields are read only when r.have says so */
    if (!t->varlen) {
        size_t n = len / t->rec_len; /* what is left over is padding */
        const uint8_t *rp = p;
        if (t->planned && !flow_plans_disabled) {
            for (size_t i = 0; i < n; i++, rp += t->rec_len) {
                f = &c->run[c->nrun];
                *f = base;
                plan_record(&r, f, t->plan, rp, c->export_ms);
                c->records++;
                finish(c, t, &r, f);
            }
            return true;
        }
        for (size_t i = 0; i < n; i++, rp += t->rec_len) {
            f = t->is_flow ? &c->run[c->nrun] : &scratch;
            *f = base;
            r.have = 0;
            for (unsigned k = 0; k < t->nops; k++) {
                const struct flow_op *op = &t->ops[k];
                apply(&r, f, op->kind, rp + op->off, op->len, c->export_ms);
            }
            c->records++;
            finish_generic(c, t, &r, f);
        }
        return true;
    }
    size_t off = 0;
    while (len - off >= t->rec_len) {
        size_t q = off;
        f = t->is_flow ? &c->run[c->nrun] : &scratch;
        *f = base;
        r.have = 0;
        for (unsigned k = 0; k < t->nops; k++) {
            const struct flow_op *op = &t->ops[k];
            size_t flen = op->len;
            if (flen == FLOW_VARLEN) {
                if (q >= len)
                    return false;
                flen = p[q++];
                if (flen == 255) {
                    if (len - q < 2)
                        return false;
                    flen = flow_rd16(p + q);
                    q += 2;
                }
            }
            if (len - q < flen)
                return false;
            apply(&r, f, op->kind, p + q, (uint16_t)flen, c->export_ms);
            q += flen;
        }
        off = q;
        c->records++;
        finish_generic(c, t, &r, f);
    }
    return true;
}

static void pend_remove(ts_flow_decoder_t *d, struct flow_exporter *e, size_t i)
{
    struct flow_pending *pd = e->pend[i];
    size_t sz = sizeof *pd + pd->len;
    e->pend_bytes -= sz;
    d->mem -= sz;
    free(pd);
    memmove(e->pend + i, e->pend + i + 1, (e->npend - i - 1) * sizeof *e->pend);
    e->npend--;
}

void flow_pending_free_all(ts_flow_decoder_t *d, struct flow_exporter *e)
{
    while (e->npend)
        pend_remove(d, e, e->npend - 1);
    d->mem -= e->pend_cap * sizeof *e->pend;
    free(e->pend);
    e->pend = NULL;
    e->pend_cap = 0;
}

void flow_data_or_pend(struct flow_ctx *c, uint16_t set_id, const uint8_t *p, size_t len)
{
    const struct flow_tmpl *t = flow_tmpl_find(c, set_id);
    if (t) {
        if (!flow_data_set(c, t, p, len))
            flow_drop(c, TS_FLOW_DROP_MALFORMED);
        return;
    }
    c->records_unknown = true;
    if (len == 0)
        return;
    struct flow_exporter *e = c->e;
    ts_flow_decoder_t *d = c->d;
    /* Data older than a template may live will never see its template. */
    int64_t life = d->lim.template_lifetime_ms;
    for (size_t i = 0; i < e->npend;) {
        if (life > 0 && c->export_ms - e->pend[i]->export_ms > life) {
            pend_remove(d, e, i);
            flow_drop(c, TS_FLOW_DROP_NO_TEMPLATE);
        } else {
            i++;
        }
    }
    size_t sz = sizeof(struct flow_pending) + len;
    if (sz > d->lim.max_pending_bytes || e->pend_bytes > d->lim.max_pending_bytes - sz) {
        flow_drop(c, TS_FLOW_DROP_NO_TEMPLATE);
        return;
    }
    if (e->npend == e->pend_cap) {
        size_t ncap = e->pend_cap ? e->pend_cap * 2 : 8;
        e->pend = ts_xrealloc(e->pend, ncap * sizeof *e->pend);
        d->mem += (ncap - e->pend_cap) * sizeof *e->pend;
        e->pend_cap = ncap;
    }
    struct flow_pending *pd = ts_xmalloc(sz);
    pd->set_id = set_id;
    pd->export_ms = c->export_ms;
    pd->uptime = c->uptime;
    pd->len = (uint32_t)len;
    memcpy(pd->data, p, len);
    e->pend[e->npend++] = pd;
    e->pend_bytes += sz;
    d->mem += sz;
}

void flow_pending_flush(struct flow_ctx *c, const struct flow_tmpl *t)
{
    struct flow_exporter *e = c->e;
    int64_t export_ms = c->export_ms;
    uint32_t uptime = c->uptime, records = c->records;
    for (size_t i = 0; i < e->npend;) {
        struct flow_pending *pd = e->pend[i];
        if (pd->set_id != t->id) {
            i++;
            continue;
        }
        /* Times are relative to the header the data came with. */
        c->export_ms = pd->export_ms;
        c->uptime = pd->uptime;
        if (!flow_data_set(c, t, pd->data, pd->len))
            flow_drop(c, TS_FLOW_DROP_MALFORMED);
        pend_remove(c->d, e, i);
    }
    c->export_ms = export_ms;
    c->uptime = uptime;
    c->records = records;
}
