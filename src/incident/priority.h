/* SPDX-License-Identifier: Apache-2.0 */
/* An incident's priority, explained: a score that is the sum of one
 * contribution per factor (config.h's ts_factor_t), each its weight times a
 * value from 0 to 1 derived from the incident alone:
 *
 *   source    1 when the site's host is the source (own network first), else 0
 *   hosts     log2 of the larger of own hosts and peers, over 10 (1024 hosts: 1)
 *   repeats   log10 of the observations, over 4 (10,000: 1)
 *   duration  last seen minus first seen, over 7 days
 *   type      the type's severity (severity.TYPE)
 *   critical  1 when the site marked the host or network critical
 *   advisory  1 when an advisory matched for the site's platforms names the
 *             CVE the events name
 *   tlp       the value of the events' most restricted label (tlp.LEVEL)
 *
 * With the default weights (summing to 100) a score reads as a percentage of
 * the worst case. Suppressed incidents are not scored (their score is 0):
 * what a site declared harmless never competes for its attention. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/taxonomy.h"
#include "core/tlp.h"
#include "incident/config.h"
#include "route/constituency.h"

/* What a score is computed from. */
typedef struct ts_prio_in {
    ts_role_t role;
    ts_type_t type;
    uint64_t count;     /* observations (sum of the events' counts) */
    uint64_t own_hosts; /* the site's hosts in it */
    uint64_t peers;     /* distinct addresses on the other side */
    int64_t first_seen, last_seen;
    bool critical, advisory;
    ts_tlp_t tlp;
    bool suppressed;
} ts_prio_in_t;

/* Points in tenths (a contribution of 12.3 points is 123), so that the score
 * is exactly the sum of the contributions shown, and orders as an integer. */
typedef struct ts_prio {
    int32_t score;               /* sum of points */
    int32_t points[TS_F_COUNT_]; /* each factor's contribution */
} ts_prio_t;

void ts_priority(const ts_incconf_t *c, const ts_prio_in_t *in, ts_prio_t *out /* OUT */);

/* Why a factor contributed what it did, in words ("249 of your hosts
 * targeted by 1 peer", "seen over 3 days"); detail names the marked network
 * (critical) or the advisory and CVE (advisory), NULL when none. */
void ts_priority_why(ts_factor_t f, const ts_prio_in_t *in, const char *detail, char *buf,
                     size_t size);
