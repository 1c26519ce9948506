/* SPDX-License-Identifier: Apache-2.0 */
/* The constituency in memory: the tree of sites and what each one claims
 * (IPv4/IPv6 networks, AS numbers, DNS domains), with the lookups that route
 * an event to its owners.
 *
 * Ownership rules (DESIGN.md "Ownership"):
 *  - an address belongs to the site holding the longest matching prefix;
 *  - an AS number belongs to the site claiming exactly it;
 *  - a domain name belongs to the site claiming the longest matching suffix on
 *    a label boundary ("example.org" owns "www.example.org", not "badexample.org");
 *  - an endpoint's owner is decided by its address first, then its ASN, then
 *    its FQDN (the most specific evidence first); the rule that matched is kept.
 * Two sites claiming the same network, ASN or domain is refused (TS_ECONFLICT);
 * nesting (a /16 for a university and a /24 inside it for a department) is the
 * normal case and is allowed between any sites. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/error.h"
#include "core/event.h"
#include "core/ip.h"

typedef struct ts_constituency ts_constituency_t;

typedef enum ts_rule_kind {
    TS_RULE_NETWORK = 1,
    TS_RULE_ASN = 2,
    TS_RULE_DOMAIN = 3,
} ts_rule_kind_t;

typedef enum ts_role {
    TS_ROLE_SOURCE = 1,
    TS_ROLE_DESTINATION = 2,
} ts_role_t;

/* What matched. Strings are owned by the constituency. */
typedef struct ts_match {
    int64_t site_id;
    const char *site_name;
    ts_rule_kind_t kind;
    const char *rule; /* canonical text of the claim: "192.0.2.0/24", "AS64500", "example.org" */
} ts_match_t;

/* One owner link of an event: a site owning (part of) one side. own is the
 * site's share of that side's network and targets (core/targets.h): the
 * entries it owns, or, of a network, the part inside its claims; n 0 when the
 * link comes from the side's single ip, ASN or name alone. incident_id is the
 * site's incident the link went to (store/incstore.h): set by the store on
 * stored events, 0 on links routing gives and on events stored before
 * incidents existed. */
typedef struct ts_link {
    ts_role_t role;
    ts_match_t match;
    ts_targets_t own;
    int64_t incident_id;
} ts_link_t;

/* Links of one role an event may have: sites owning part of one side. */
#define TS_ROUTE_LINKS_MAX 32768

/* An empty constituency. Never NULL. Free with ts_constituency_free(). */
ts_constituency_t *ts_constituency_new(void);
void ts_constituency_free(ts_constituency_t *c);

/* Adds a site. parent_id 0 = a root (normally the CSIRT itself). Names are
 * 1-64 bytes of [A-Za-z0-9._-], unique.
 * \retval 0 ok.  \retval TS_EEXIST name or id taken.  \retval TS_ENOENT no such parent.
 * \retval TS_EINVAL bad name or id <= 0. */
TS_MUSTCHECK int ts_constituency_add_site(ts_constituency_t *c, int64_t id, const char *name,
                                          int64_t parent_id);

/* Claims. On TS_ECONFLICT, *holder (if non-NULL) names the site that already
 * holds the claim (owned by c). Claiming what the same site already holds is
 * TS_EEXIST. \retval TS_ENOENT no such site. \retval TS_EINVAL malformed network
 * (bad family or length, host bits set) or domain, or ASN out of range. */
TS_MUSTCHECK int ts_constituency_add_network(ts_constituency_t *c, int64_t site_id,
                                             const ts_prefix_t *net, const char **holder /* OUT */);
TS_MUSTCHECK int ts_constituency_add_asn(ts_constituency_t *c, int64_t site_id, int64_t asn,
                                         const char **holder /* OUT */);
/* domain: a DNS name, case-insensitive, stored lower case, no trailing dot. */
TS_MUSTCHECK int ts_constituency_add_domain(ts_constituency_t *c, int64_t site_id,
                                            const char *domain, size_t len,
                                            const char **holder /* OUT */);

/* Lookups. \retval 0 found, *m set.  \retval TS_ENOENT no owner (also for an
 * address without family, a negative ASN, or a name that is not a DNS name). */
TS_MUSTCHECK int ts_constituency_lookup_ip(ts_constituency_t *c, const ts_ip_t *ip,
                                           ts_match_t *m /* OUT */);
TS_MUSTCHECK int ts_constituency_lookup_asn(ts_constituency_t *c, int64_t asn,
                                            ts_match_t *m /* OUT */);
TS_MUSTCHECK int ts_constituency_lookup_domain(ts_constituency_t *c, const char *name, size_t len,
                                               ts_match_t *m /* OUT */);

/* Routes an event to every site owning part of it, per side:
 *  - its ip goes to the site of the longest matching claim; without an ip,
 *    its network goes to every site that is the longest-prefix owner of at
 *    least one of its addresses: the site of the most specific claim holding
 *    the network, and of each claim inside it, unless claims further inside
 *    take all of that claim's addresses; each target entry likewise;
 *  - a side that found no owner so goes by its ASN, then its name (fqdn or
 *    URL host), as a single address does.
 * One link per (role, site), keeping the rule of the first entry that
 * matched; source links first, then destination, each by site id. A site's
 * share (ts_link_t.own) lists the entries it owns, or the claims of its that
 * lie inside a network entry; it is exact when every entry of the side is
 * known (the side's targets exact) and each listed one is a whole entry,
 * else counted when the number of entries touching the site exceeds the
 * list, else uncounted (count 0); bounded by TS_TARGETS_MAX with
 * ts_targets_cover(). More than TS_ROUTE_LINKS_MAX sites on one side keep the
 * first ones by site id (logged).
 * Links and shares are allocated in a; rules and site names are owned by c.
 * Returns the number of links (*links NULL when 0). Not for use from two
 * threads at once (lookups finish building c's tables). */
int ts_constituency_route(ts_constituency_t *c, const ts_event_t *e, ts_arena_t *a,
                          ts_link_t **links /* OUT */);

/* The addresses or networks of link l's site on l's side of e, uniformly
 * for single-address and many-target sides: l's share when it has one,
 * else the side's ip (or network) as a one-entry list in *one (the caller's
 * storage, which *out then points into); out->n 0 when the link came from an
 * ASN or a name alone. What aggregation per (site, host, role) keys on, at
 * ingest with ts_constituency_route()'s links or on a stored event's. */
void ts_link_own(const ts_event_t *e, const ts_link_t *l, ts_prefix_t *one,
                 ts_targets_t *out /* OUT */);

/* Site tree queries. Names/ids of unknown sites give TS_ENOENT / NULL. */
TS_MUSTCHECK int ts_constituency_site_id(const ts_constituency_t *c, const char *name,
                                         int64_t *id /* OUT */);
const char *ts_constituency_site_name(const ts_constituency_t *c, int64_t id);
/* Parent id of a site (0 for a root), or TS_ENOENT. */
TS_MUSTCHECK int ts_constituency_parent(const ts_constituency_t *c, int64_t id,
                                        int64_t *parent /* OUT */);
size_t ts_constituency_site_count(const ts_constituency_t *c);

/* Parses an AS number written "64500", "AS64500" or "as64500".
 * \retval 0 ok. \retval TS_EINVAL otherwise (0 and > 4294967295 refused). */
TS_MUSTCHECK int ts_asn_parse(const char *s, size_t n, int64_t *asn /* OUT */);

/* ---- Added for the CLI, the loader and export ------------------------------ */

#define TS_DOMAIN_MAX 253 /* longest DNS name in text form, without trailing dot */
#define TS_SITE_NAME_MAX 64

/* True if name (NUL-terminated) is a valid site name. */
bool ts_site_name_valid(const char *name);

/* Normalises a DNS name: lower case, one trailing dot removed, then checked:
 * labels of 1-63 bytes of [a-z0-9_-], 253 bytes at most. out holds at least
 * TS_DOMAIN_MAX + 1 bytes and gets the NUL-terminated result; *outlen (may be
 * NULL) its length. \retval TS_EINVAL not a DNS name. */
TS_MUSTCHECK int ts_domain_normalize(const char *s, size_t n, char *out /* OUT */,
                                     size_t *outlen /* OUT, may be NULL */);

/* True if site `ancestor` is site `id` or one of its ancestors (the test for
 * "may ancestor see what id sees"). False if either is unknown. */
bool ts_constituency_is_ancestor(const ts_constituency_t *c, int64_t ancestor, int64_t id);

/* A site as the walks below show it. name is owned by the constituency. */
typedef struct ts_site_view {
    int64_t id;
    int64_t parent_id; /* 0 for a root */
    const char *name;
    unsigned depth; /* 0 for a root */
    size_t n_claims;
} ts_site_view_t;
typedef int (*ts_site_view_cb)(const ts_site_view_t *site, void *ctx);

/* Every site, depth first: a site, then its sub-sites, siblings in byte order
 * of their names (so parents always come before children). A callback
 * returning non-zero stops the walk and that value is returned; else 0. */
int ts_constituency_foreach_site(const ts_constituency_t *c, ts_site_view_cb cb, void *ctx);
/* The direct sub-sites of parent_id (0: the roots), in byte order of names.
 * Returns as above, or TS_ENOENT if parent_id is neither 0 nor a site. */
int ts_constituency_foreach_child(const ts_constituency_t *c, int64_t parent_id, ts_site_view_cb cb,
                                  void *ctx);

/* One claim as export shows it. rule is the text of ts_match_t.rule, owned by
 * the constituency; net is set for networks, asn for ASNs. */
typedef struct ts_claim_view {
    int64_t site_id;
    ts_rule_kind_t kind;
    const char *rule;
    ts_prefix_t net;
    int64_t asn;
} ts_claim_view_t;
typedef int (*ts_claim_view_cb)(const ts_claim_view_t *claim, void *ctx);

/* The claims of one site in canonical order: networks (IPv4 before IPv6, then
 * address, then length), ASNs by number, domains in byte order. Returns the
 * first non-zero callback value, 0, or TS_ENOENT for an unknown site. */
int ts_constituency_foreach_claim(const ts_constituency_t *c, int64_t site_id, ts_claim_view_cb cb,
                                  void *ctx);
/* Claims of all sites together. */
size_t ts_constituency_claim_count(const ts_constituency_t *c);
