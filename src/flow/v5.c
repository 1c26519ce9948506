/* SPDX-License-Identifier: Apache-2.0 */
/* NetFlow v5: 24-byte header, fixed 48-byte records. */
#include <string.h>

#include "flow/flow_int.h"

enum { V5_HDR = 24, V5_REC = 48, V5_MAX_COUNT = 30 };

static inline uint64_t scale(uint64_t v, uint32_t rate)
{
    if (rate > 1 && v > UINT64_MAX / rate)
        return UINT64_MAX;
    return v * rate;
}

int flow_decode_v5(ts_flow_decoder_t *d, const ts_ip_t *from, const uint8_t *pkt, size_t len,
                   ts_flow_cb cb, void *ctx)
{
    if (len < V5_HDR)
        return flow_drop_datagram(d, from, pkt, len, TS_FLOW_DROP_SHORT, TS_ETRUNC);
    uint16_t count = flow_rd16(pkt + 2);
    if (count == 0 || count > V5_MAX_COUNT)
        return flow_drop_datagram(d, from, pkt, len, TS_FLOW_DROP_MALFORMED, TS_EINVAL);
    if (len < V5_HDR + (size_t)count * V5_REC)
        return flow_drop_datagram(d, from, pkt, len, TS_FLOW_DROP_SHORT, TS_ETRUNC);
    struct flow_exporter *e = flow_exporter_get(d, from, 0, 5);
    if (e == NULL) {
        d->drops[TS_FLOW_DROP_EXPORTER_LIMIT]++;
        return TS_ETOOBIG;
    }
    uint32_t uptime = flow_rd32(pkt + 4);
    int64_t export_ms = (int64_t)flow_rd32(pkt + 8) * 1000 + flow_rd32(pkt + 12) / 1000000;
    uint32_t seq = flow_rd32(pkt + 16);
    uint32_t rate = flow_rd16(pkt + 22) & 0x3fff;
    if (rate == 0)
        rate = 1;
    e->st.sampling = rate;
    e->st.packets++;
    e->st.last_export_ms = export_ms;
    flow_sequence(e, seq, seq + count, true);

    ts_flow_t base;
    memset(&base, 0, sizeof base);
    base.exporter = e->st.exporter;
    base.version = 5;
    base.sampling = rate;
    base.src.family = TS_AF_INET;
    base.dst.family = TS_AF_INET;
    ts_flow_t run[FLOW_RUN];
    size_t nrun = 0;
    const uint8_t *r = pkt + V5_HDR;
    for (unsigned i = 0; i < count; i++, r += V5_REC) {
        ts_flow_t *f = &run[nrun];
        *f = base;
        memcpy(f->src.bytes, r, 4);
        memcpy(f->dst.bytes, r + 4, 4);
        f->in_if = flow_rd16(r + 12);
        f->out_if = flow_rd16(r + 14);
        f->packets = scale(flow_rd32(r + 16), rate);
        f->bytes = scale(flow_rd32(r + 20), rate);
        /* The signed difference keeps a First stamped just after the header's
         * uptime (or across the 2^32 wrap) next to the export time. */
        f->first_ms = export_ms - (int32_t)(uptime - flow_rd32(r + 24));
        f->last_ms = export_ms - (int32_t)(uptime - flow_rd32(r + 28));
        f->src_port = flow_rd16(r + 32);
        f->dst_port = flow_rd16(r + 34);
        f->tcp_flags = r[37];
        f->proto = r[38];
        f->tos = r[39];
        f->src_as = flow_rd16(r + 40);
        f->dst_as = flow_rd16(r + 42);
        nrun++;
        if (nrun == FLOW_RUN || i + 1 == count) {
            if (cb)
                cb(run, nrun, ctx);
            nrun = 0;
        }
    }
    e->st.flows += count;
    return count;
}
