/* SPDX-License-Identifier: Apache-2.0 */
/* Template and options template parsing (v9 and IPFIX) and the per-exporter
 * template store: an open-addressing table on the template id, bounded by
 * max_templates, aged on export time. */
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "flow/flow_int.h"

static inline uint32_t tmpl_hash(uint16_t id)
{
    uint32_t h = id * 2654435761u;
    return h ^ (h >> 15);
}

/* Maps an information element to what it feeds, refusing lengths the decoder
 * cannot read as that element (such fields are skipped by their length). */
static uint8_t field_kind(uint16_t ie, uint32_t pen, uint16_t len)
{
    if (pen != 0 || len == FLOW_VARLEN || len == 0)
        return FK_SKIP;
    uint8_t k;
    switch (ie) {
    case 1:
        k = FK_BYTES;
        break;
    case 85:
        k = FK_BYTES_TOTAL;
        break;
    case 2:
        k = FK_PKTS;
        break;
    case 86:
        k = FK_PKTS_TOTAL;
        break;
    case 4:
        k = FK_PROTO;
        break;
    case 5:
        k = FK_TOS;
        break;
    case 6:
        k = FK_FLAGS;
        break;
    case 7:
        k = FK_SPORT;
        break;
    case 11:
        k = FK_DPORT;
        break;
    case 8:
        return len == 4 ? FK_SRC4 : FK_SKIP;
    case 12:
        return len == 4 ? FK_DST4 : FK_SKIP;
    case 27:
        return len == 16 ? FK_SRC6 : FK_SKIP;
    case 28:
        return len == 16 ? FK_DST6 : FK_SKIP;
    case 10:
        k = FK_INIF;
        break;
    case 14:
        k = FK_OUTIF;
        break;
    case 16:
        k = FK_SRCAS;
        break;
    case 17:
        k = FK_DSTAS;
        break;
    case 22:
        k = FK_UP_FIRST;
        break;
    case 21:
        k = FK_UP_LAST;
        break;
    case 150:
        k = FK_S_FIRST;
        break;
    case 151:
        k = FK_S_LAST;
        break;
    case 152:
        k = FK_MS_FIRST;
        break;
    case 153:
        k = FK_MS_LAST;
        break;
    case 154:
    case 156:
        return len == 8 ? FK_NTP_FIRST : FK_SKIP;
    case 155:
    case 157:
        return len == 8 ? FK_NTP_LAST : FK_SKIP;
    case 158:
        k = FK_DUS_FIRST;
        break;
    case 159:
        k = FK_DUS_LAST;
        break;
    case 160:
        k = FK_SYSINIT;
        break;
    case 34:
    case 50:
        k = FK_SAMP_INT;
        break;
    case 305:
        k = FK_SAMP_PINT;
        break;
    case 306:
        k = FK_SAMP_PSPACE;
        break;
    default:
        return FK_SKIP;
    }
    return len <= 8 ? k : FK_SKIP;
}

static void tmpl_free(ts_flow_decoder_t *d, struct flow_tmpl *t)
{
    d->mem -= t->mem;
    free(t);
}

/* Slot of id, or of the empty slot where it would go. */
static uint32_t tab_slot(const struct flow_exporter *e, uint16_t id)
{
    uint32_t mask = e->tab_cap - 1;
    uint32_t i = tmpl_hash(id) & mask;
    while (e->tab[i] && e->tab[i]->id != id)
        i = (i + 1) & mask;
    return i;
}

/* Removes slot i, shifting back the entries of its probe run so that lookups
 * need no tombstones. */
static void tab_remove(ts_flow_decoder_t *d, struct flow_exporter *e, uint32_t i)
{
    uint32_t mask = e->tab_cap - 1;
    tmpl_free(d, e->tab[i]);
    e->tab[i] = NULL;
    e->ntmpl--;
    for (uint32_t j = (i + 1) & mask; e->tab[j]; j = (j + 1) & mask) {
        uint32_t k = tmpl_hash(e->tab[j]->id) & mask;
        bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);
        if (!stays) {
            e->tab[i] = e->tab[j];
            e->tab[j] = NULL;
            i = j;
        }
    }
}

static void tab_rebuild(ts_flow_decoder_t *d, struct flow_exporter *e, uint32_t ncap)
{
    struct flow_tmpl **old = e->tab;
    uint32_t ocap = e->tab_cap;
    e->tab = ts_xcalloc(ncap, sizeof *e->tab);
    e->tab_cap = ncap;
    d->mem += (size_t)ncap * sizeof *e->tab;
    d->mem -= (size_t)ocap * sizeof *e->tab;
    for (uint32_t i = 0; i < ocap; i++)
        if (old[i])
            e->tab[tab_slot(e, old[i]->id)] = old[i];
    free(old);
}

static bool expired(const struct flow_ctx *c, const struct flow_tmpl *t)
{
    int64_t life = c->d->lim.template_lifetime_ms;
    return life > 0 && c->export_ms - t->refreshed_ms > life;
}

static void purge_expired(struct flow_ctx *c)
{
    struct flow_exporter *e = c->e;
    bool any = false;
    for (uint32_t i = 0; i < e->tab_cap; i++) {
        if (e->tab[i] && expired(c, e->tab[i])) {
            tmpl_free(c->d, e->tab[i]);
            e->tab[i] = NULL;
            e->ntmpl--;
            any = true;
        }
    }
    if (any)
        tab_rebuild(c->d, e, e->tab_cap);
}

struct flow_tmpl *flow_tmpl_find(struct flow_ctx *c, uint16_t id)
{
    struct flow_exporter *e = c->e;
    if (e->ntmpl == 0)
        return NULL;
    uint32_t i = tab_slot(e, id);
    struct flow_tmpl *t = e->tab[i];
    if (t && expired(c, t)) {
        tab_remove(c->d, e, i);
        return NULL;
    }
    return t;
}

void flow_tmpl_free_all(ts_flow_decoder_t *d, struct flow_exporter *e)
{
    for (uint32_t i = 0; i < e->tab_cap; i++)
        if (e->tab[i])
            tmpl_free(d, e->tab[i]);
    d->mem -= (size_t)e->tab_cap * sizeof *e->tab;
    free(e->tab);
    e->tab = NULL;
    e->tab_cap = e->ntmpl = 0;
}

static void tmpl_store(struct flow_ctx *c, struct flow_tmpl *t)
{
    struct flow_exporter *e = c->e;
    if (e->tab == NULL)
        tab_rebuild(c->d, e, 16);
    uint32_t i = tab_slot(e, t->id);
    if (e->tab[i]) {
        tmpl_free(c->d, e->tab[i]);
    } else {
        if (e->ntmpl >= c->d->lim.max_templates) {
            purge_expired(c);
            if (e->ntmpl >= c->d->lim.max_templates) {
                tmpl_free(c->d, t);
                flow_drop(c, TS_FLOW_DROP_TEMPLATE_LIMIT);
                return;
            }
        }
        if ((e->ntmpl + 1) * 2 > e->tab_cap)
            tab_rebuild(c->d, e, e->tab_cap * 2);
        i = tab_slot(e, t->id);
        e->ntmpl++;
    }
    e->tab[i] = t;
    if (t->options)
        e->st.options++;
    else
        e->st.templates++;
    if (e->npend)
        flow_pending_flush(c, t);
}

/* The part of a flow a field kind feeds, FP_COUNT_ for kinds a plan does
 * not handle (systemInitTime and sampling, found in options records). */
static enum flow_part kind_part(uint8_t kind)
{
    switch (kind) {
    case FK_BYTES:
        return FP_BYTES;
    case FK_BYTES_TOTAL:
        return FP_BYTES_TOT;
    case FK_PKTS:
        return FP_PKTS;
    case FK_PKTS_TOTAL:
        return FP_PKTS_TOT;
    case FK_PROTO:
        return FP_PROTO;
    case FK_TOS:
        return FP_TOS;
    case FK_FLAGS:
        return FP_FLAGS;
    case FK_SPORT:
        return FP_SPORT;
    case FK_DPORT:
        return FP_DPORT;
    case FK_SRC4:
    case FK_SRC6:
        return FP_SRC;
    case FK_DST4:
    case FK_DST6:
        return FP_DST;
    case FK_INIF:
        return FP_INIF;
    case FK_OUTIF:
        return FP_OUTIF;
    case FK_SRCAS:
        return FP_SRCAS;
    case FK_DSTAS:
        return FP_DSTAS;
    case FK_UP_FIRST:
        return FP_UP_FIRST;
    case FK_UP_LAST:
        return FP_UP_LAST;
    case FK_S_FIRST:
    case FK_MS_FIRST:
    case FK_NTP_FIRST:
    case FK_DUS_FIRST:
        return FP_FIRST;
    case FK_S_LAST:
    case FK_MS_LAST:
    case FK_NTP_LAST:
    case FK_DUS_LAST:
        return FP_LAST;
    default:
        return FP_COUNT_;
    }
}

/* Gives a fixed-length flow template its plan when every field feeds a
 * different part (see flow_part); otherwise the generic loop decodes it. */
static void plan_build(struct flow_tmpl *t)
{
    memset(t->plan, 0, sizeof t->plan);
    t->planned = false;
    if (!t->is_flow || t->varlen)
        return;
    for (unsigned k = 0; k < t->nops; k++) {
        const struct flow_op *op = &t->ops[k];
        enum flow_part part = kind_part(op->kind);
        if (part == FP_COUNT_ || t->plan[part].len != 0)
            return;
        t->plan[part] = (struct flow_plan_field){.off = op->off, .len = op->len, .kind = op->kind};
    }
    t->planned = true;
}

/* Builds a template from its raw field specifiers (ie, len, pen) in f[0..n);
 * NULL when no record of it could fit in a set. */
static struct flow_tmpl *tmpl_build(struct flow_ctx *c, uint16_t id, bool options,
                                    const struct flow_op *f, const uint32_t *pens, unsigned n)
{
    uint32_t rec = 0, nops = 0;
    bool varlen = false, addr = false;
    uint8_t kinds[FLOW_MAX_FIELDS];
    for (unsigned i = 0; i < n; i++) {
        uint16_t len = f[i].len;
        if (c->version == 10 && len == FLOW_VARLEN) {
            varlen = true;
            rec += 1;
        } else {
            rec += len;
        }
        /* f[i].off carries the IE number while parsing. */
        kinds[i] = field_kind(f[i].off, pens[i], len);
        if (kinds[i] >= FK_SRC4 && kinds[i] <= FK_DST6)
            addr = true;
        if (kinds[i] != FK_SKIP)
            nops++;
    }
    /* An empty record would never advance; a longer one than a set can hold
     * could never be decoded, and keeping offsets in 16 bits relies on it. */
    if (rec == 0 || rec > 65535 - 4)
        return NULL;
    if (varlen)
        nops = n;
    size_t sz = sizeof(struct flow_tmpl) + nops * sizeof(struct flow_op);
    struct flow_tmpl *t = ts_xmalloc(sz);
    t->id = id;
    t->options = options;
    t->is_flow = !options && addr;
    t->varlen = varlen;
    t->nops = (uint16_t)nops;
    t->rec_len = rec;
    t->refreshed_ms = c->export_ms;
    t->mem = sz;
    uint32_t off = 0, k = 0;
    for (unsigned i = 0; i < n; i++) {
        uint16_t len = f[i].len;
        bool vl = c->version == 10 && len == FLOW_VARLEN;
        if (varlen || kinds[i] != FK_SKIP)
            t->ops[k++] = (struct flow_op){.off = (uint16_t)off, .len = len, .kind = kinds[i]};
        if (!vl)
            off += len;
    }
    plan_build(t);
    c->d->mem += sz;
    return t;
}

static bool all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

void flow_template_set(struct flow_ctx *c, uint16_t set_id, const uint8_t *p, size_t len)
{
    bool ipfix = c->version == 10;
    bool options = set_id == (ipfix ? 3 : 1);
    struct flow_op f[FLOW_MAX_FIELDS];
    uint32_t pens[FLOW_MAX_FIELDS];
    size_t off = 0;
    while (len - off >= 4) {
        const uint8_t *r = p + off;
        uint16_t tid = flow_rd16(r);
        unsigned fc, hdr = 4;
        if (ipfix && flow_rd16(r + 2) == 0) {
            /* Withdrawal (of tid, or of all when tid is the set id): RFC 7011
             * forbids them over UDP and tells the collector to ignore them. */
            if (tid >= 256 || tid == set_id) {
                off += 4;
                continue;
            }
        }
        if (tid < 256) {
            /* Padding is zeros; anything else is a broken record. */
            if (!all_zero(r, len - off))
                flow_drop(c, TS_FLOW_DROP_MALFORMED);
            return;
        }
        if (!options) {
            fc = flow_rd16(r + 2);
            if (fc == 0) { /* v9 has no withdrawal */
                flow_drop(c, TS_FLOW_DROP_MALFORMED);
                return;
            }
        } else {
            if (len - off < 6) {
                flow_drop(c, TS_FLOW_DROP_MALFORMED);
                return;
            }
            hdr = 6;
            if (ipfix) {
                fc = flow_rd16(r + 2);
                unsigned scope = flow_rd16(r + 4);
                if (scope == 0 || scope > fc) {
                    flow_drop(c, TS_FLOW_DROP_MALFORMED);
                    return;
                }
            } else {
                unsigned sl = flow_rd16(r + 2), ol = flow_rd16(r + 4);
                if (sl % 4 || ol % 4 || sl + ol == 0) {
                    flow_drop(c, TS_FLOW_DROP_MALFORMED);
                    return;
                }
                fc = (sl + ol) / 4;
            }
        }
        if (fc > FLOW_MAX_FIELDS) {
            flow_drop(c, TS_FLOW_DROP_MALFORMED);
            return;
        }
        size_t q = off + hdr;
        for (unsigned i = 0; i < fc; i++) {
            if (len - q < 4) {
                flow_drop(c, TS_FLOW_DROP_MALFORMED);
                return;
            }
            uint16_t ie = flow_rd16(p + q);
            f[i].len = flow_rd16(p + q + 2);
            pens[i] = 0;
            q += 4;
            if (ipfix && (ie & 0x8000)) {
                if (len - q < 4) {
                    flow_drop(c, TS_FLOW_DROP_MALFORMED);
                    return;
                }
                pens[i] = flow_rd32(p + q);
                ie &= 0x7fff;
                q += 4;
            }
            f[i].off = ie;
        }
        off = q;
        struct flow_tmpl *t = tmpl_build(c, tid, options, f, pens, fc);
        if (t == NULL) {
            flow_drop(c, TS_FLOW_DROP_MALFORMED);
            continue;
        }
        tmpl_store(c, t);
    }
}
