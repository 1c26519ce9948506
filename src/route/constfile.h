/* SPDX-License-Identifier: Apache-2.0 */
/* The constituency file: the sites, their contacts and claims as one JSON
 * document a CSIRT keeps under version control, imported into the store with
 * ts_constfile_apply() (route/loader.h) and exported from it.
 *
 *   {
 *     "tocsin_constituency": 1,
 *     "sites": [
 *       {
 *         "name": "csirt",
 *         "description": "Example CSIRT",
 *         "contacts": [
 *           {"email": "soc@csirt.example", "name": "SOC"}
 *         ],
 *         "networks": [
 *           "192.0.2.0/24",
 *           "2001:db8::/32"
 *         ],
 *         "asns": [
 *           64500
 *         ],
 *         "domains": [
 *           "csirt.example"
 *         ]
 *       },
 *       {
 *         "name": "uni-a",
 *         "parent": "csirt"
 *       }
 *     ]
 *   }
 *
 * Only "name" is required in a site; "parent" names another site of the file
 * (which may come later), absent for a root. Networks are CIDR prefixes with
 * zero host bits (a bare address means /32 or /128), ASNs integers 1 to
 * 4294967295, domains DNS names (case-insensitive, kept lower case), contacts
 * objects with "email" (required) and "name". Unknown fields, duplicate keys,
 * duplicate sites, unknown or cyclic parents, and the same network, ASN or
 * domain claimed twice are errors, reported with the site and the field:
 * "site uni-a: networks[2]: 198.51.100.1/24 has host bits set".
 *
 * The canonical form (ts_constfile_write) orders sites depth first (a site,
 * then its sub-sites, siblings by name), contacts by email, networks by family,
 * address and length, ASNs by number and domains by name, with 2-space
 * indentation and one claim per line, so that a file under version control
 * changes by exactly the lines that changed. Parsing canonical output and
 * writing it again gives the same bytes. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/error.h"
#include "core/ip.h"
#include "route/constituency.h"

#define TS_CONSTFILE_VERSION 1
#define TS_CONSTFILE_MAX (64u << 20) /* bytes */
#define TS_CONSTFILE_DEPTH 8         /* JSON nesting; the format needs 5 */
#define TS_CONSTFILE_DESC_MAX 1024   /* bytes of a description */
#define TS_CONSTFILE_EMAIL_MAX 254
#define TS_CONSTFILE_CNAME_MAX 256 /* bytes of a contact's name */

typedef struct ts_cf_contact {
    char *email;
    char *name; /* "" when none */
} ts_cf_contact_t;

/* One site. All strings and arrays are owned by the file (read-only for
 * callers). Domains are normalised (ts_domain_normalize). */
typedef struct ts_cf_site {
    char *name;
    char *parent;      /* NULL for a root */
    char *description; /* "" when none */
    ts_cf_contact_t *contacts;
    size_t n_contacts;
    ts_prefix_t *networks;
    size_t n_networks;
    int64_t *asns;
    size_t n_asns;
    char **domains;
    size_t n_domains;
} ts_cf_site_t;

/* A parsed (or assembled) file. After ts_constfile_parse() or a successful
 * ts_constfile_validate() the sites and their lists are in canonical order,
 * so parents come before their children. */
typedef struct ts_constfile {
    ts_cf_site_t *sites;
    size_t n_sites;
} ts_constfile_t;

/* Parses and validates a file held in (buf, len).
 * \retval 0 ok, *out set; free with ts_constfile_free().
 * \retval TS_ETOOBIG larger than TS_CONSTFILE_MAX or nested too deep.
 * \retval TS_ESYNTAX, TS_ETRUNC, TS_EUTF8 not (valid) JSON.
 * \retval TS_ETYPE, TS_EMISSING, TS_EINVAL, TS_EADDR, TS_ERANGE a field is wrong.
 * \retval TS_EEXIST a site or claim is listed twice.
 * \retval TS_ENOENT unknown parent.  \retval TS_ECYCLE parents form a cycle.
 * \retval TS_ECONFLICT two sites claim the same network, ASN or domain.
 * On error *out is NULL and err (errsize bytes, may be NULL) gets the reason. */
TS_MUSTCHECK int ts_constfile_parse(const char *buf, size_t len, ts_constfile_t **out /* OUT */,
                                    char *err, size_t errsize);
/* Reads and parses the file at path (bounded by TS_CONSTFILE_MAX).
 * \retval TS_EIO cannot read it; otherwise as ts_constfile_parse(). */
TS_MUSTCHECK int ts_constfile_read(const char *path, ts_constfile_t **out /* OUT */, char *err,
                                   size_t errsize);
void ts_constfile_free(ts_constfile_t *f);

/* Appends the canonical text of f (validated) to out. */
void ts_constfile_write(const ts_constfile_t *f, ts_buf_t *out);

/* Builds the in-memory constituency of a validated file; site i of f gets id
 * i + 1. \retval as ts_constfile_validate(). */
TS_MUSTCHECK int ts_constfile_build(const ts_constfile_t *f, ts_constituency_t **out /* OUT */,
                                    char *err, size_t errsize);

/* ---- Assembling a file in code (export from the store, tests) ------------- */

/* An empty file. Never NULL. */
ts_constfile_t *ts_constfile_new(void);
/* Appends a site (strings copied; parent NULL for a root, description NULL for
 * none) and returns it, owned by f and valid until the next site is added. */
ts_cf_site_t *ts_constfile_add_site(ts_constfile_t *f, const char *name, const char *parent,
                                    const char *description);
void ts_cf_site_add_contact(ts_cf_site_t *s, const char *email, const char *name);
void ts_cf_site_add_network(ts_cf_site_t *s, const ts_prefix_t *net);
void ts_cf_site_add_asn(ts_cf_site_t *s, int64_t asn);
/* The domain is stored as given; validation normalises and checks it. */
void ts_cf_site_add_domain(ts_cf_site_t *s, const char *domain);
/* Checks everything ts_constfile_parse() checks after reading the JSON
 * (names, lengths, parents, cycles, duplicates, conflicts), normalises domains
 * and puts f in canonical order. Messages cite the position of each item in
 * f as it was before: "site uni-a: networks[2]: ...". \retval as parse. */
TS_MUSTCHECK int ts_constfile_validate(ts_constfile_t *f, char *err, size_t errsize);

/* Parses a network as the file writes it ("192.0.2.0/24", or a bare address)
 * with a precise message in err ("198.51.100.1/24 has host bits set").
 * \retval TS_EADDR malformed. */
TS_MUSTCHECK int ts_constfile_parse_network(const char *s, size_t n, ts_prefix_t *out /* OUT */,
                                            char *err, size_t errsize);
