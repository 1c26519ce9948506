/* SPDX-License-Identifier: Apache-2.0 */
/* The Response Policy Zone of the deactivated domains (the RPZ draft,
 * draft-vixie-dnsop-dns-rpz, as BIND, Unbound and Knot Resolver load it):
 * $ORIGIN the policy zone, an SOA whose serial is the store's RPZ serial
 * (it increases with every decision that changes the list), an NS, and for
 * each domain "NAME CNAME ." and "*.NAME CNAME ." (NXDOMAIN for the name and
 * everything under it). */
#pragma once
#include <stdbool.h>

#include "core/buf.h"
#include "store/store.h"

#define TS_RPZ_ORIGIN_DEFAULT "rpz.tocsin.invalid"

typedef struct ts_rpz_opts {
    const char *origin; /* the policy zone's name (normalised); NULL: the default */
    bool reported;      /* also the open cases not yet deactivated (reported, review, notified) */
} ts_rpz_opts_t;

/* Appends the zone to out. \retval 0.  \retval TS_EINVAL a bad origin;
 * a store error. */
TS_MUSTCHECK int ts_rpz_render(ts_store_t *st, const ts_rpz_opts_t *o, ts_buf_t *out);
/* Renders and replaces path atomically (mode 0644: resolvers read it).
 * \retval 0.  \retval TS_EIO the file (errno set); as ts_rpz_render. */
TS_MUSTCHECK int ts_rpz_write(ts_store_t *st, const ts_rpz_opts_t *o, const char *path);
