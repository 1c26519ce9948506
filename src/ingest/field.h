/* SPDX-License-Identifier: Apache-2.0 */
/* Event fields by their IntelMQ names ("source.ip", "classification.type",
 * "extra.tag"), set from converted text: what the schema-driven and the
 * mapped readers (shadowserver.c, mapping.c) write events with.
 *
 * A name the event does not model ("source.geolocation.cc",
 * "malware.name") is kept in extra under its full name, "extra.K" as extra
 * K: nothing a feed says is lost. Values keep their type in extra (numbers
 * and booleans as JSON numbers and booleans). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/event.h"
#include "ingest/parser.h"

typedef enum ts_field_id {
    TS_F_EXTRA = 0, /* extra[key] */
    TS_F_TIME_SOURCE,
    TS_F_TIME_OBSERVATION,
    TS_F_TYPE,
    TS_F_TAXONOMY,
    TS_F_IDENTIFIER,
    TS_F_DESCRIPTION,
    TS_F_SRC_IP,
    TS_F_SRC_PORT,
    TS_F_SRC_ASN,
    TS_F_SRC_FQDN,
    TS_F_SRC_URL,
    TS_F_SRC_NETWORK,
    TS_F_DST_IP,
    TS_F_DST_PORT,
    TS_F_DST_ASN,
    TS_F_DST_FQDN,
    TS_F_DST_URL,
    TS_F_DST_NETWORK,
    TS_F_TRANSPORT,
    TS_F_APPLICATION,
    TS_F_FEED_NAME,
    TS_F_FEED_PROVIDER,
    TS_F_TLP,
} ts_field_id_t;

typedef struct ts_field {
    ts_field_id_t id;
    ts_str_t key; /* TS_F_EXTRA: the extra key (owned by whoever resolved it) */
} ts_field_t;

/* A converted value. */
typedef enum ts_fvalue_kind { TS_FV_STR, TS_FV_INT, TS_FV_FLOAT, TS_FV_BOOL } ts_fvalue_kind_t;
typedef struct ts_fvalue {
    ts_fvalue_kind_t kind;
    ts_str_t s; /* TS_FV_STR: the text (not NUL-terminated) */
    int64_t i;
    double d;
    bool b;
} ts_fvalue_t;

/* What a record's fields set beside the event: a classification.taxonomy
 * is checked against the type once every field is in (ts_field_finish). */
typedef struct ts_fieldstate {
    bool have_tax;
    ts_taxonomy_t tax;
} ts_fieldstate_t;

/* The field named (name, n). "extra." + K gives extra K (the key is a slice
 * of name); an unmodelled name gives extra under the whole name.
 * \retval 0.  \retval TS_EINVAL an empty name, or "extra." alone. */
TS_MUSTCHECK int ts_field_resolve(const char *name, size_t n, ts_field_t *out /* OUT */);
/* True when the name is one the event models (not extra). */
bool ts_field_modelled(const char *name, size_t n);

/* Sets f from v: text is parsed for typed fields (addresses, ports, ASNs,
 * times, TLP labels, RSIT names), numbers are range checked; strings are
 * copied into the arena (hostnames lower-cased, protocols lower-cased).
 * \retval 0.  \retval TS_EADDR, TS_EINVAL, TS_ERANGE, TS_ETYPE, TS_ETOOBIG
 * with err->detail naming what (what names the column or key). */
TS_MUSTCHECK int ts_field_set(ts_arena_t *a, ts_event_t *e, ts_fieldstate_t *st,
                              const ts_field_t *f, const ts_fvalue_t *v, const char *what,
                              ts_parse_error_t *err);

/* extra[key] = the text as a JSON string (escaped, copied into the arena);
 * a key already there is replaced. \retval 0.  \retval TS_ETOOBIG too long,
 * or TS_EVENT_EXTRA_MAX keys already. */
TS_MUSTCHECK int ts_field_extra_text(ts_arena_t *a, ts_event_t *e, ts_str_t key, ts_str_t text,
                                     ts_parse_error_t *err);

/* Ends a record: a classification.taxonomy that disagrees with the type is
 * kept as extra "classification.taxonomy"; an event with no address,
 * network, ASN, name or URL on either side is refused (nothing to route).
 * \retval 0.  \retval TS_EMISSING, TS_ETOOBIG with err->detail. */
TS_MUSTCHECK int ts_field_finish(ts_arena_t *a, ts_event_t *e, const ts_fieldstate_t *st,
                                 ts_parse_error_t *err);

/* RFC 3339 (ts_time_parse), or an HTTP date ("Wed, 10 Feb 2010 00:00:00
 * GMT", RFC 7231's IMF-fixdate). \retval 0.  \retval TS_EINVAL. */
TS_MUSTCHECK int ts_field_time(const char *s, size_t n, int64_t *us /* OUT */);
