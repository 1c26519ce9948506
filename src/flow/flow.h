/* SPDX-License-Identifier: Apache-2.0 */
/* Flow records and the NetFlow v5 / v9 (RFC 3954) / IPFIX (RFC 7011) decoder.
 *
 * The decoder keeps, per exporter (address + source id / observation domain),
 * the templates and options templates it has seen, the sampling rate the
 * exporter announced in options data, and sequence accounting. It is fed one
 * UDP payload at a time and calls back once per decoded flow. It never reads
 * outside the datagram, bounds every table it keeps (exporters, templates per
 * exporter, data waiting for a template), and counts every packet or set it
 * drops with the reason, per exporter.
 *
 * Times: flow start/end are absolute (ms since the epoch, UTC), computed from
 * the header's export time and sysUptime where the record carries uptime
 * offsets. Template age is measured on export time, not the wall clock, so a
 * replayed or delayed stream ages its templates as the exporter did. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/ip.h"

typedef struct ts_flow {
    ts_ip_t exporter; /* address the datagram came from */
    uint32_t domain;  /* v9 source id / IPFIX observation domain; 0 for v5 */
    uint8_t version;  /* 5, 9 or 10 */
    ts_ip_t src, dst; /* family TS_AF_NONE when the record has none */
    uint16_t src_port, dst_port;
    uint8_t proto;     /* IP protocol number */
    uint8_t tcp_flags; /* OR of the flags seen */
    uint8_t tos;
    uint64_t packets; /* scaled by the sampling rate (see sampling) */
    uint64_t bytes;   /* scaled by the sampling rate */
    int64_t first_ms; /* flow start, ms since the epoch */
    int64_t last_ms;  /* flow end */
    uint32_t src_as, dst_as;
    uint32_t in_if, out_if;
    uint32_t sampling; /* 1 when unsampled; counts above are already multiplied */
} ts_flow_t;

/* Why a datagram, set or record was dropped (counters per exporter). */
typedef enum ts_flow_drop {
    TS_FLOW_DROP_SHORT = 0,      /* shorter than its header or a length it declares */
    TS_FLOW_DROP_VERSION,        /* not version 5, 9 or 10 */
    TS_FLOW_DROP_MALFORMED,      /* set/template lengths or counts that lie */
    TS_FLOW_DROP_NO_TEMPLATE,    /* data whose template is unknown (after buffering) */
    TS_FLOW_DROP_TEMPLATE_LIMIT, /* template refused: the exporter reached its limit */
    TS_FLOW_DROP_EXPORTER_LIMIT, /* datagram from a new exporter beyond the limit */
    TS_FLOW_DROP_COUNT_
} ts_flow_drop_t;

const char *ts_flow_drop_name(ts_flow_drop_t d);

/* Per-exporter statistics (exporter + domain). */
typedef struct ts_exporter_stats {
    ts_ip_t exporter;
    uint32_t domain;
    uint8_t version;
    uint64_t packets;         /* datagrams decoded (even partly) */
    uint64_t flows;           /* flow records decoded */
    uint64_t templates;       /* template records accepted (incl. refreshes) */
    uint64_t options;         /* options template records accepted */
    uint64_t lost;            /* flows (v5, IPFIX) or packets (v9) missing per sequence numbers */
    uint64_t sequence_resets; /* sequence jumps too large to be loss (restart) */
    uint64_t drops[TS_FLOW_DROP_COUNT_];
    uint32_t sampling;      /* current sampling rate, 1 if none announced */
    int64_t last_export_ms; /* export time of the last datagram */
} ts_exporter_stats_t;

typedef struct ts_flow_decoder ts_flow_decoder_t;

typedef struct ts_flow_limits {
    size_t max_exporters;     /* default 1024 */
    size_t max_templates;     /* per exporter+domain, default 512 */
    size_t max_pending_bytes; /* per exporter+domain: data kept waiting for its template, default 64
                                 KiB */
    int64_t template_lifetime_ms; /* expire templates not refreshed for this long, export time;
                                     default 1800000 (3 x 600 s); <= 0 never */
} ts_flow_limits_t;

void ts_flow_limits_init(ts_flow_limits_t *l);

/* Called with the decoded flows in runs (n >= 1, at most 64), in the order
 * the datagram holds them; the records are valid during the call only.
 * Runs, not single flows: the collector hands them to the detectors as they
 * are, without a call and a copy per flow. */
typedef void (*ts_flow_cb)(const ts_flow_t *flows, size_t n, void *ctx);

/* New decoder (limits NULL = defaults). Never NULL. */
ts_flow_decoder_t *ts_flow_decoder_new(const ts_flow_limits_t *limits);
void ts_flow_decoder_free(ts_flow_decoder_t *d);

/* Decodes one UDP payload from exporter `from`, calling cb with its flows.
 * \retval >= 0 number of flows decoded (data buffered for a missing template
 *         is decoded, and counted, when the template arrives).
 * \retval TS_ETRUNC, TS_EINVAL, TS_ENOTSUP the datagram was dropped as a
 *         whole (counted in the exporter's drops when the exporter is known).
 * \retval TS_ETOOBIG the datagram came from a new exporter beyond
 *         max_exporters (counted in ts_flow_decoder_drops()).
 * Bytes after an IPFIX message's header Length are ignored (one message per
 * datagram, RFC 7011 section 10.3.3). */
int ts_flow_decode(ts_flow_decoder_t *d, const ts_ip_t *from, const uint8_t *pkt, size_t len,
                   ts_flow_cb cb, void *ctx);

/* Iterates the per-exporter statistics. */
typedef int (*ts_exporter_cb)(const ts_exporter_stats_t *s, void *ctx);
int ts_flow_decoder_stats(const ts_flow_decoder_t *d, ts_exporter_cb cb, void *ctx);
/* Bytes held by templates and pending data (for the memory-bound tests). */
size_t ts_flow_decoder_memory(const ts_flow_decoder_t *d);

/* Drops that no exporter could be charged with: datagrams too short to name
 * their exporter, of an unknown version, or from a new exporter beyond
 * max_exporters. */
uint64_t ts_flow_decoder_drops(const ts_flow_decoder_t *d, ts_flow_drop_t why);
/* Number of exporter entries (address + domain + version) held. */
size_t ts_flow_decoder_exporters(const ts_flow_decoder_t *d);
