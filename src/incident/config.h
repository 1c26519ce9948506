/* SPDX-License-Identifier: Apache-2.0 */
/* The incident configuration: aggregation windows, retention and the
 * priority weights, with defaults, read from a small text file
 * (docs/incidents.md documents every key):
 *
 *   # comments start with '#', blank lines are ignored
 *   window = 24h                  # an incident's quiet period, every type
 *   window.scanner = 6h           # ... or one RSIT type
 *   retention.events = 180d       # raw events, every type
 *   retention.events.scanner = 30d
 *   retention.incidents = 2y      # incidents, audit records, roll-ups
 *   weight.source = 20            # points of a factor at its full value
 *   severity.scanner = 0.3        # the type factor's value per RSIT type, 0..1
 *   tlp.red = 1                   # the TLP factor's value per label, 0..1
 *
 * Durations are digits and a unit s, m, h, d, w or y (365 days). Each line
 * is KEY = VALUE; an unknown key, a bad value or a key given twice is an
 * error naming the line. The store keeps the loaded file in its canonical
 * form (ts_incconf_write), so that every process writing events aggregates
 * and scores with the same settings. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/taxonomy.h"
#include "core/tlp.h"

#define TS_INCCONF_MAX (64u << 10) /* bytes of a configuration file */
#define TS_INCCONF_LINE_MAX 1024
#define TS_DAY_US ((int64_t)86400 * 1000000)

/* The priority factors, in the order they are shown and stored. */
typedef enum ts_factor {
    TS_F_SOURCE,   /* the site's host is the source: own network first */
    TS_F_HOSTS,    /* hosts originated and targeted */
    TS_F_REPEATS,  /* how often it was seen */
    TS_F_DURATION, /* first to last seen */
    TS_F_TYPE,     /* RSIT type severity */
    TS_F_CRITICAL, /* the site marked the host or network critical */
    TS_F_ADVISORY, /* a matched advisory for the site's platforms names it */
    TS_F_TLP,      /* the events' TLP label */
    TS_F_COUNT_
} ts_factor_t;

#define TS_TLP_LEVELS 6 /* TS_TLP_NONE .. TS_TLP_RED */

typedef struct ts_incconf {
    int64_t window;                               /* us, every type without its own */
    int64_t window_type[TS_RSIT_TYPES];           /* us; 0: the default */
    int64_t retention_events;                     /* us */
    int64_t retention_events_type[TS_RSIT_TYPES]; /* us; 0: the default */
    int64_t retention_incidents;                  /* us */
    double weight[TS_F_COUNT_];                   /* points, 0..1000 */
    double severity[TS_RSIT_TYPES];               /* 0..1 */
    double tlp[TS_TLP_LEVELS];                    /* by ts_tlp_t, 0..1 */
} ts_incconf_t;

/* The defaults (docs/incidents.md): window 24 h, events kept 180 days,
 * incidents 2 years, weights summing to 100. */
void ts_incconf_defaults(ts_incconf_t *c);

/* Parses a configuration text (len bytes, no NUL needed) over the defaults.
 * \retval 0 ok.  \retval TS_ETOOBIG longer than TS_INCCONF_MAX or a line
 * longer than TS_INCCONF_LINE_MAX.  \retval TS_ESYNTAX a line that is not
 * KEY = VALUE.  \retval TS_ENOENT an unknown key.  \retval TS_EEXIST a key
 * given twice.  \retval TS_EINVAL a bad or out-of-range value, or an event
 * retention longer than retention.incidents. err (errsize
 * bytes) names the line and the key. */
TS_MUSTCHECK int ts_incconf_parse(const char *text, size_t len, ts_incconf_t *c /* OUT */,
                                  char *err, size_t errsize);

/* The canonical text of c: every global key, every weight, severity and TLP
 * value, and the per-type windows and retentions that differ from their
 * default. Parsing it gives c back. Appends to out. */
void ts_incconf_write(const ts_incconf_t *c, ts_buf_t *out);

/* The window and event retention of a type. */
int64_t ts_incconf_window(const ts_incconf_t *c, ts_type_t type);
int64_t ts_incconf_retention(const ts_incconf_t *c, ts_type_t type);

/* "source", "hosts", ... (NULL out of range); and back. \retval TS_ENOENT. */
const char *ts_factor_name(ts_factor_t f);
TS_MUSTCHECK int ts_factor_lookup(const char *s, size_t n, ts_factor_t *out /* OUT */);

/* A duration as the file writes it: digits and s, m, h, d, w or y.
 * \retval 0 ok.  \retval TS_EINVAL anything else, or more than 1000 years. */
TS_MUSTCHECK int ts_duration_parse(const char *s, size_t n, int64_t *us /* OUT */);
/* The shortest exact text of a duration ("6h", "180d", "2y", "90s"). */
void ts_duration_format(int64_t us, char *buf, size_t size);
