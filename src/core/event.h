/* SPDX-License-Identifier: Apache-2.0 */
/* The normalised event. Field names follow IntelMQ's harmonisation
 * (time.source, classification.type, source.ip, ...). Strings are slices
 * owned by whoever filled the event, normally a per-batch arena; an event is
 * plain data and can be copied by value within the arena's lifetime. */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#include "core/ip.h"
#include "core/str.h"
#include "core/targets.h"
#include "core/taxonomy.h"
#include "core/tlp.h"

/* Bounds that keep one event small whatever the input. */
#define TS_EVENT_EXTRA_MAX 96  /* extra.* keys kept per event (Shadowserver reports have up to 84) */
#define TS_EVENT_STR_MAX 4096  /* longest kept string field (bytes) */
#define TS_TIME_NONE INT64_MIN /* absent time */

/* One side of an event: source.* or destination.*
 *
 * ip, network, port, asn, fqdn and url are what the report names as this
 * side, one of each, and every viewer of the event sees them. targets is
 * different: the side's many addresses and networks (an address scan's
 * hosts, a flood's victims), each of which may belong to another site, so a
 * site is only ever shown its own share of them (store.h). A producer with
 * many addresses puts them in targets and leaves ip absent.
 *
 * Routing (route/constituency.h) uses ip; when ip is absent, network (a
 * blocklist's netblock; with an ip, IntelMQ's source.network is the routed
 * prefix around it, context only); and every entry of targets. */
typedef struct ts_endpoint {
    ts_ip_t ip;                  /* family TS_AF_NONE when absent */
    int32_t port;                /* -1 when absent, else 0-65535 */
    int64_t asn;                 /* -1 when absent, else 0-4294967295 */
    ts_str_t fqdn;               /* .ptr NULL when absent */
    ts_str_t url;                /* .ptr NULL when absent */
    ts_prefix_t network;         /* source.network; family TS_AF_NONE when absent */
    const ts_targets_t *targets; /* NULL when the side names no list; else n >= 1, sorted
                                    (core/targets.h), at most TS_TARGETS_INPUT_MAX entries */
} ts_endpoint_t;

/* extra.KEY = VALUE. value_json is the value as JSON text (a string with its
 * quotes, a number, true/false, or a nested object/array), so values keep
 * their JSON type through the store and back out. */
typedef struct ts_extra {
    ts_str_t key;
    ts_str_t value_json;
} ts_extra_t;

typedef struct ts_event {
    int64_t time_source;      /* microseconds since the epoch, UTC; TS_TIME_NONE */
    int64_t time_observation; /* when tocsin (or the feed) saw it */
    ts_type_t type;           /* classification.type; the taxonomy follows from it */
    ts_str_t identifier;      /* classification.identifier */
    ts_str_t description;     /* event_description.text */
    ts_endpoint_t src;        /* source.* */
    ts_endpoint_t dst;        /* destination.* */
    ts_str_t transport;       /* protocol.transport (lower case: tcp, udp, icmp, ...) */
    ts_str_t application;     /* protocol.application (lower case) */
    ts_str_t feed_name;       /* feed.name */
    ts_str_t feed_provider;   /* feed.provider */
    ts_tlp_t tlp;             /* tlp: the sharing label; TS_TLP_NONE when the feed gave none */
    uint64_t count;           /* how many raw observations this event stands for, >= 1 */
    uint32_t n_extra;
    ts_extra_t extra[TS_EVENT_EXTRA_MAX];
} ts_event_t;

/* Resets e to an empty event (no addresses, networks or targets, no times, no
 * TLP, type undetermined, count 1). */
void ts_event_init(ts_event_t *e);

/* Formats microseconds since the epoch as RFC 3339 UTC with microseconds
 * ("2026-11-27T06:30:00.123456+00:00", IntelMQ's form). buf >= 40 bytes.
 * Returns the length. */
size_t ts_time_format(int64_t us, char *buf, size_t size);
/* The same time as the REST API and CSV output write it: "Z", and a fraction
 * only when there is one ("2026-11-27T06:30:00Z", "...00.123456Z"). */
size_t ts_time_format_utc(int64_t us, char *buf, size_t size);

/* Parses RFC 3339 / ISO 8601 timestamps as sensors write them:
 * "2026-11-27T06:30:00Z", "...00.123456+0100", "...00+01:00", "... 06:30:00"
 * (space separator, no zone = UTC), and a bare date "2026-11-27" (midnight UTC).
 * \retval 0 ok.  \retval TS_EINVAL malformed or impossible date. */
TS_MUSTCHECK int ts_time_parse(const char *s, size_t n, int64_t *us /* OUT */);

/* A point in time as people write it on a command line or in a query: an
 * RFC 3339 time (as ts_time_parse), or a duration before now: digits and a
 * unit s, m, h, d or w ("30m", "24h", "7d"), at most 10^12 seconds back.
 * \retval 0 ok.  \retval TS_EINVAL anything else. */
TS_MUSTCHECK int ts_time_parse_when(const char *s, size_t n, int64_t now, int64_t *us /* OUT */);

/* Current time in microseconds since the epoch (CLOCK_REALTIME). */
int64_t ts_time_now(void);
