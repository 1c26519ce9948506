/* SPDX-License-Identifier: Apache-2.0 */
/* Scope: what a site may have scanned. A site may scan the addresses it owns
 * or one of its descendants owns (by longest prefix, as events are routed);
 * the CSIRT may scan any address some site owns. Nobody scans an address of
 * the CSIRT's opt-out list (it is left out and counted), nor one that is not
 * a unicast address (loopback, multicast, broadcast, unspecified, link-local).
 *
 * The check is all or nothing: one target outside the requester's space
 * refuses the whole request, so that a scan never leaves for part of what
 * was asked while the rest is silently dropped. It runs when a scan is
 * requested and again when it starts (the constituency may have changed). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/ip.h"
#include "route/constituency.h"
#include "scan/settings.h"

#define TS_SCOPE_TARGETS_MAX 256 /* targets in one request */
#define TS_SCOPE_REASON_MAX 192

typedef struct ts_scope_refusal {
    char target[TS_IP_STRLEN]; /* as given, cut to fit */
    char reason[TS_SCOPE_REASON_MAX];
} ts_scope_refusal_t;

typedef struct ts_scope {
    ts_ip_t *addrs; /* what may be scanned: sorted, distinct; owned */
    size_t n_addrs;
    size_t n_opted_out;          /* addresses left out for the opt-out list */
    ts_scope_refusal_t *refused; /* owned */
    size_t n_refused;
} ts_scope_t;

/* Checks targets (NUL-terminated prefixes or addresses) for the requester:
 * site_id, or the CSIRT when csirt is true (site_id is then ignored).
 * \retval 0 every target may be scanned: out->addrs holds the addresses.
 * \retval TS_EDENIED at least one target may not: out->refused says which
 *   and why (the reason never names another site), out->addrs is empty.
 * \retval TS_EINVAL no target, more than TS_SCOPE_TARGETS_MAX, or one that
 *   is not an address or a prefix (err says which).
 * \retval TS_ETOOBIG more addresses than the settings' max_addresses.
 * Free out with ts_scope_free() whatever the result. */
TS_MUSTCHECK int ts_scope_check(ts_constituency_t *c, const ts_scan_settings_t *settings,
                                int64_t site_id, bool csirt, const char *const *targets,
                                size_t n_targets, ts_scope_t *out /* OUT */, char *err,
                                size_t errsize);
void ts_scope_free(ts_scope_t *s);

/* True when ip is a unicast address a scan may go to at all. */
bool ts_scope_unicast(const ts_ip_t *ip);
