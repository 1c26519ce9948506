/* SPDX-License-Identifier: Apache-2.0 */
/* NetFlow v9 (RFC 3954) and IPFIX (RFC 7011) headers and the set walk they share. */
#include <string.h>

#include "flow/flow_int.h"

enum { V9_HDR = 20, IPFIX_HDR = 16 };

/* Walks the sets of one message. A set whose length cannot be trusted ends
 * the walk, since the next set's position is then unknown. */
static void walk_sets(struct flow_ctx *c, const uint8_t *p, size_t len)
{
    uint16_t tmpl_id = c->version == 10 ? 2 : 0;
    uint16_t opt_id = c->version == 10 ? 3 : 1;
    size_t off = 0;
    while (len - off >= 4) {
        uint16_t sid = flow_rd16(p + off);
        size_t slen = flow_rd16(p + off + 2);
        if (slen < 4 || slen > len - off) {
            flow_drop(c, TS_FLOW_DROP_MALFORMED);
            return;
        }
        const uint8_t *body = p + off + 4;
        size_t blen = slen - 4;
        if (sid == tmpl_id || sid == opt_id)
            flow_template_set(c, sid, body, blen);
        else if (sid >= 256)
            flow_data_or_pend(c, sid, body, blen);
        /* Reserved set ids carry nothing a collector may interpret: skipped. */
        off += slen;
    }
}

static void ctx_init(struct flow_ctx *c, ts_flow_decoder_t *d, struct flow_exporter *e,
                     uint8_t version, ts_flow_cb cb, void *cbctx)
{
    memset(c, 0, sizeof *c);
    c->d = d;
    c->e = e;
    c->version = version;
    c->cb = cb;
    c->cbctx = cbctx;
}

int flow_decode_v9(ts_flow_decoder_t *d, const ts_ip_t *from, const uint8_t *pkt, size_t len,
                   ts_flow_cb cb, void *ctx)
{
    if (len < V9_HDR)
        return flow_drop_datagram(d, from, pkt, len, TS_FLOW_DROP_SHORT, TS_ETRUNC);
    struct flow_exporter *e = flow_exporter_get(d, from, flow_rd32(pkt + 16), 9);
    if (e == NULL) {
        d->drops[TS_FLOW_DROP_EXPORTER_LIMIT]++;
        return TS_ETOOBIG;
    }
    struct flow_ctx c;
    ts_flow_t run[FLOW_RUN];
    ctx_init(&c, d, e, 9, cb, ctx);
    c.run = run;
    c.uptime = flow_rd32(pkt + 4);
    c.export_ms = (int64_t)flow_rd32(pkt + 8) * 1000;
    uint32_t seq = flow_rd32(pkt + 12);
    e->st.packets++;
    e->st.last_export_ms = c.export_ms;
    /* v9 numbers export packets, whatever they hold. */
    flow_sequence(e, seq, seq + 1, true);
    walk_sets(&c, pkt + V9_HDR, len - V9_HDR);
    flow_run_flush(&c);
    return c.flows;
}

int flow_decode_ipfix(ts_flow_decoder_t *d, const ts_ip_t *from, const uint8_t *pkt, size_t len,
                      ts_flow_cb cb, void *ctx)
{
    if (len < IPFIX_HDR)
        return flow_drop_datagram(d, from, pkt, len, TS_FLOW_DROP_SHORT, TS_ETRUNC);
    size_t mlen = flow_rd16(pkt + 2);
    if (mlen < IPFIX_HDR)
        return flow_drop_datagram(d, from, pkt, len, TS_FLOW_DROP_MALFORMED, TS_EINVAL);
    if (mlen > len)
        return flow_drop_datagram(d, from, pkt, len, TS_FLOW_DROP_SHORT, TS_ETRUNC);
    struct flow_exporter *e = flow_exporter_get(d, from, flow_rd32(pkt + 12), 10);
    if (e == NULL) {
        d->drops[TS_FLOW_DROP_EXPORTER_LIMIT]++;
        return TS_ETOOBIG;
    }
    struct flow_ctx c;
    ts_flow_t run[FLOW_RUN];
    ctx_init(&c, d, e, 10, cb, ctx);
    c.run = run;
    c.export_ms = (int64_t)flow_rd32(pkt + 4) * 1000;
    uint32_t seq = flow_rd32(pkt + 8);
    e->st.packets++;
    e->st.last_export_ms = c.export_ms;
    /* Only the message's own length counts: bytes after it are not IPFIX. */
    walk_sets(&c, pkt + IPFIX_HDR, mlen - IPFIX_HDR);
    flow_run_flush(&c);
    /* IPFIX numbers data records; when some could not be counted (their
     * template is still unknown) the next message only resynchronises. */
    flow_sequence(e, seq, seq + c.records, !c.records_unknown);
    return c.flows;
}
