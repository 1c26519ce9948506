/* SPDX-License-Identifier: Apache-2.0 */
/* The published list of deactivated domains, for anyone (no certificate):
 * the procedure as the policy defines it, each currently deactivated domain
 * with since, until and its reason category, and the past cases counted,
 * not listed. Nothing else of a case is public: not its evidence, notes,
 * who decided, nor the cases not deactivated. Three forms of one content:
 * JSON, Atom (RFC 4287) and a self-contained HTML page (no script, no
 * inline style: the portal's CSP forbids them). */
#pragma once
#include <stdint.h>

#include "core/buf.h"
#include "store/store.h"

/* Each appends to out; now is the time the list is made (us since the
 * epoch), base the public URL prefix the Atom feed links to ("" for
 * relative links). \retval 0 or a store error. */
TS_MUSTCHECK int ts_domain_public_json(ts_store_t *st, int64_t now, ts_buf_t *out);
TS_MUSTCHECK int ts_domain_public_atom(ts_store_t *st, int64_t now, const char *base,
                                       ts_buf_t *out);
TS_MUSTCHECK int ts_domain_public_html(ts_store_t *st, int64_t now, ts_buf_t *out);
/* The plain-text table `tocsin domain list` prints. */
TS_MUSTCHECK int ts_domain_public_table(ts_store_t *st, int64_t now, ts_buf_t *out);
