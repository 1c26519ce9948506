/* SPDX-License-Identifier: Apache-2.0 */
/* The notices of a domain case: at each step the policy (policy.h) names,
 * one mail to each of the case's recipients (holder, registrar's technical
 * contact, reporter: addresses kept with the case; the national CSIRT: the
 * policy's), from DIR/<lang>/domain-<step>.txt in the case's language (the
 * national CSIRT's in its own), signed when the policy names a key, queued
 * in the notification outbox as mails outside the constituency (site_id 0,
 * contact_id 0), so that `tocsin notify send` / `serve` deliver them
 * exactly once. A recipient without an address is skipped, not an error. */
#pragma once
#include <stdint.h>

#include "domain/policy.h"
#include "store/domainstore.h"

typedef struct ts_domain_notices ts_domain_notices_t;

/* Loads the templates of every step in en and de, and opens the signing
 * key. \retval 0, *out set.  \retval TS_EINVAL the policy has no from.
 * \retval TS_ENOENT, TS_ESYNTAX, TS_EUTF8 a template (err names it).
 * \retval TS_ECRYPTO, TS_ENOENT the key. */
TS_MUSTCHECK int ts_domain_notices_open(const ts_domain_policy_t *p,
                                        ts_domain_notices_t **out /* OUT */, char *err,
                                        size_t errsize);
void ts_domain_notices_close(ts_domain_notices_t *n);
/* Queues the notices of action (a decision's name, or "remind") on case c
 * at now, with why (the decision's reason, may be ""); actions without a
 * step queue nothing. *queued (may be NULL) gets how many.
 * \retval 0.  \retval a store error; TS_EINVAL/TS_ECRYPTO building a mail
 * (err says which recipient). */
TS_MUSTCHECK int ts_domain_notices_queue(ts_store_t *st, ts_domain_notices_t *n,
                                         const ts_domain_case_t *c, const char *action,
                                         const char *why, int64_t now, unsigned *queued /* OUT */,
                                         char *err, size_t errsize);
