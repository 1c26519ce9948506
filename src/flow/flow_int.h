/* SPDX-License-Identifier: Apache-2.0 */
/* Internals shared by the flow decoder's files: the per-exporter state, the
 * compiled templates and the per-datagram decoding context. Not a public API. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow/flow.h"

/* What a template field feeds; FK_SKIP for everything else. */
enum flow_kind {
    FK_SKIP = 0,
    FK_BYTES,
    FK_BYTES_TOTAL,
    FK_PKTS,
    FK_PKTS_TOTAL,
    FK_PROTO,
    FK_TOS,
    FK_FLAGS,
    FK_SPORT,
    FK_DPORT,
    FK_SRC4,
    FK_DST4,
    FK_SRC6,
    FK_DST6,
    FK_INIF,
    FK_OUTIF,
    FK_SRCAS,
    FK_DSTAS,
    FK_UP_FIRST, /* 22: sysUptime ms */
    FK_UP_LAST,  /* 21 */
    FK_S_FIRST,  /* 150/151: seconds */
    FK_S_LAST,
    FK_MS_FIRST, /* 152/153: ms */
    FK_MS_LAST,
    FK_NTP_FIRST, /* 154-157: NTP timestamps (micro and nano share the format) */
    FK_NTP_LAST,
    FK_DUS_FIRST, /* 158/159: µs before export time */
    FK_DUS_LAST,
    FK_SYSINIT,     /* 160 */
    FK_SAMP_INT,    /* 34, 50 */
    FK_SAMP_PINT,   /* 305 */
    FK_SAMP_PSPACE, /* 306 */
};

/* Field length marking an IPFIX variable-length field. */
#define FLOW_VARLEN 0xffffu
/* More fields than this in one template is taken as garbage, not a template. */
#define FLOW_MAX_FIELDS 512u
/* A sequence step above this is a restart, not loss. */
#define FLOW_MAX_GAP (1u << 20)

/* One field of a compiled template. Fixed-length templates keep only the
 * fields that feed something (off = offset in the record); variable-length
 * templates keep every field, in order, since each offset depends on the data. */
struct flow_op {
    uint16_t off;
    uint16_t len; /* FLOW_VARLEN for variable length */
    uint8_t kind;
};

/* The parts of a flow record that fields feed. A fixed-length flow template
 * whose fields each feed a different part is decoded by its plan: one
 * offset per part and straight-line code, instead of a dispatch per field
 * (whose indirect jump was half of the decoding time). Templates that feed a
 * part twice (the later field would overwrite the earlier one) keep the
 * generic loop, so both ways give the same flow. */
enum flow_part {
    FP_BYTES,
    FP_BYTES_TOT,
    FP_PKTS,
    FP_PKTS_TOT,
    FP_PROTO,
    FP_TOS,
    FP_FLAGS,
    FP_SPORT,
    FP_DPORT,
    FP_SRC,
    FP_DST,
    FP_INIF,
    FP_OUTIF,
    FP_SRCAS,
    FP_DSTAS,
    FP_UP_FIRST,
    FP_UP_LAST,
    FP_FIRST, /* seconds, ms, NTP or delta-µs start */
    FP_LAST,
    FP_COUNT_ /* sampling and systemInitTime parts only occur in options records */
};

struct flow_plan_field {
    uint16_t off;
    uint16_t len; /* 0: the template has no field for this part */
    uint8_t kind;
};

struct flow_tmpl {
    uint16_t id;
    bool options; /* defined by an options template */
    bool is_flow; /* carries addresses: its records are flows */
    bool varlen;  /* has variable-length fields */
    bool planned; /* records are decoded by plan[] (see flow_part) */
    uint16_t nops;
    struct flow_plan_field plan[FP_COUNT_];
    uint32_t rec_len; /* record length (fixed) or its minimum (varlen) */
    int64_t refreshed_ms;
    size_t mem;
    struct flow_op ops[];
};

/* Data set kept until its template arrives, with the header context it came in. */
struct flow_pending {
    uint16_t set_id;
    int64_t export_ms;
    uint32_t uptime;
    uint32_t len;
    uint8_t data[];
};

struct flow_exporter {
    ts_exporter_stats_t st;
    struct flow_exporter *next; /* hash chain */
    struct flow_tmpl **tab;     /* open addressing on template id, power-of-two size */
    uint32_t tab_cap, ntmpl;
    struct flow_pending **pend;
    size_t npend, pend_cap, pend_bytes;
    bool seq_valid;
    uint32_t next_seq;
    int64_t sys_init_ms; /* IPFIX systemInitTimeMilliseconds announced in options; 0 none */
};

struct ts_flow_decoder {
    ts_flow_limits_t lim;
    struct flow_exporter **etab;
    size_t ecap, nexp;
    struct flow_exporter *last;
    size_t mem;
    uint64_t drops[TS_FLOW_DROP_COUNT_]; /* drops no exporter entry could take */
};

/* Flows handed to the callback at once (at most). */
#define FLOW_RUN 64

/* Per-datagram context. */
struct flow_ctx {
    ts_flow_decoder_t *d;
    struct flow_exporter *e;
    uint8_t version;
    int64_t export_ms;
    uint32_t uptime; /* v9 sysUptime */
    ts_flow_cb cb;
    void *cbctx;
    ts_flow_t *run; /* FLOW_RUN decoded flows waiting for the callback */
    size_t nrun;
    int flows;
    uint32_t records;     /* data records (flows and options) in this datagram */
    bool records_unknown; /* some data set could not be counted (IPFIX sequence) */
};

/* decoder.c */
struct flow_exporter *flow_exporter_get(ts_flow_decoder_t *d, const ts_ip_t *from, uint32_t domain,
                                        uint8_t version);
void flow_drop(struct flow_ctx *c, ts_flow_drop_t why);
/* Counts a datagram dropped as a whole on its exporter when that one is
 * already known (never creating one), otherwise on the decoder; returns err. */
int flow_drop_datagram(ts_flow_decoder_t *d, const ts_ip_t *from, const uint8_t *pkt, size_t len,
                       ts_flow_drop_t why, int err);
/* Sequence accounting: seq is the header's number, next the one expected after this datagram. */
void flow_sequence(struct flow_exporter *e, uint32_t seq, uint32_t next, bool next_known);

/* template.c */
struct flow_tmpl *flow_tmpl_find(struct flow_ctx *c, uint16_t id);
/* Parses a template set body (v9 set 0/1, IPFIX set 2/3). */
void flow_template_set(struct flow_ctx *c, uint16_t set_id, const uint8_t *p, size_t len);
void flow_tmpl_free_all(ts_flow_decoder_t *d, struct flow_exporter *e);
void flow_pending_free_all(ts_flow_decoder_t *d, struct flow_exporter *e);

/* record.c */
/* Decodes a data set whose template is t. Returns false when the set is malformed. */
bool flow_data_set(struct flow_ctx *c, const struct flow_tmpl *t, const uint8_t *p, size_t len);
/* Data set with an unknown template: decode if known, otherwise buffer or drop. */
void flow_data_or_pend(struct flow_ctx *c, uint16_t set_id, const uint8_t *p, size_t len);
/* Decodes pending sets for a template that just arrived. */
void flow_pending_flush(struct flow_ctx *c, const struct flow_tmpl *t);
/* Hands the decoded flows waiting in c->run to the callback. */
void flow_run_flush(struct flow_ctx *c);
/* For the tests: decode every template with the generic loop (no plans). */
extern bool flow_plans_disabled;

/* v5.c, v9.c */
int flow_decode_v5(ts_flow_decoder_t *d, const ts_ip_t *from, const uint8_t *pkt, size_t len,
                   ts_flow_cb cb, void *ctx);
int flow_decode_v9(ts_flow_decoder_t *d, const ts_ip_t *from, const uint8_t *pkt, size_t len,
                   ts_flow_cb cb, void *ctx);
int flow_decode_ipfix(ts_flow_decoder_t *d, const ts_ip_t *from, const uint8_t *pkt, size_t len,
                      ts_flow_cb cb, void *ctx);

static inline uint16_t flow_rd16(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}

static inline uint32_t flow_rd32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Big-endian unsigned of 1-8 bytes (reduced-size encoding); longer fields
 * keep their low 8 bytes. */
uint64_t flow_rdn_odd(const uint8_t *p, size_t n); /* the widths below do not cover */

static inline __attribute__((always_inline)) uint64_t flow_rdn(const uint8_t *p, size_t n)
{
    /* The usual widths without a loop, by branches rather than a switch: a
     * template's widths repeat record after record, which conditional
     * branches predict and a jump table's indirect jump often does not. The
     * rest out of line, so that each inlined read stays small. */
    if (n == 4)
        return flow_rd32(p);
    if (n == 2)
        return flow_rd16(p);
    if (n == 8)
        return ((uint64_t)flow_rd32(p) << 32) | flow_rd32(p + 4);
    if (n == 1)
        return p[0];
    return flow_rdn_odd(p, n);
}
