/* SPDX-License-Identifier: Apache-2.0 */
/* The advisory store: imported advisories with their product entries, the
 * sites' platforms (inventories), and the matches between them (CSAF 2.0
 * section 9.1.13: lists per site and per advisory, each with its reason).
 *
 * The importer (advisory/import.h) is the one writer of advisories and
 * matches; these calls are its building blocks and the readers' queries.
 * Strings passed in are borrowed for the call; strings handed to callbacks
 * are valid only during the callback. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/* One stored advisory. */
typedef struct ts_adv_rec {
    int64_t rowid;         /* store id (set by the store) */
    const char *id;        /* CSAF tracking.id or CVE id */
    const char *source;    /* "csaf", "cve5", "nvd" */
    const char *revision;  /* "" when none */
    const char *title;     /* "" when none */
    const char *publisher; /* "" when none */
    int64_t published;     /* us since the epoch; 0 when absent */
    int64_t updated;       /* us since the epoch; 0 when absent */
    double cvss;           /* < 0 when none */
    const char *severity;  /* critical|high|medium|low|none|unknown */
    const char *cves_json; /* JSON array of CVE ids */
    const char *hash; /* content digest (hex), to tell a changed document of the same revision */
    const char *document; /* name of the document it was read from */
} ts_adv_rec_t;

/* One product entry of a stored advisory, as the matcher needs it again when a
 * platform is added later. */
typedef struct ts_adv_prod_rec {
    int64_t adv_rowid;
    int ord;               /* position in the advisory */
    const char *ref;       /* product_id or JSON path */
    const char *full_name; /* human-readable */
    const char *vendor;    /* normalised; "" when unknown */
    const char *product;   /* normalised; "" when unknown */
    const char *cpe;       /* CPE 2.3 string, "" when none */
    const char *purl;      /* canonical purl, "" when none */
    const char *purl_key;  /* "type/namespace/name", "" when none */
    const char *version_text;
    const char *range;       /* canonical vers text when the range was understood, else "" */
    const char *range_error; /* why not understood, "" otherwise */
    const char *doubt;       /* why a version in the range is undecided, or "" */
    const char *note;        /* how the versions were read, or "" */
    const char *via;         /* the CSAF relationship linking the entry, or "" */
    const char *ids_json;    /* "" or {"model_numbers":[..],"skus":[..],"serial_numbers":[..]} */
    bool secondary;          /* from a CVE record's ADP container */
    int status;              /* a ts_pstatus_t */
    const char *remediations_json; /* JSON array of {category, details, url} */
} ts_adv_prod_rec_t;

/* One platform of one site. */
typedef struct ts_plat_rec {
    int64_t id;
    int64_t site_id;
    const char *site_name; /* "" if the site was removed */
    const char *spec;      /* canonical spec (advisory/platform.h) */
    const char *kind;      /* "cpe", "purl", "name", "family" */
    const char *vendor;    /* normalised keys, for lookups */
    const char *product;
    const char *version;  /* "" for a family */
    const char *purl_key; /* "" unless a purl */
    int64_t created;      /* us since the epoch */
} ts_plat_rec_t;

/* One (platform, advisory) match. */
typedef struct ts_adv_match_rec {
    int64_t site_id;
    int64_t platform_id;
    int64_t adv_rowid;
    int status; /* a ts_pstatus_t */
    bool undecided;
    bool family;
    const char *product_ref;
    const char *product_name;
    const char *rule;
    const char *remediations_json;
    int64_t first_seen; /* us since the epoch */
    int64_t changed_at; /* last change of the (site, advisory) status or remediation */
    int64_t alerted_at; /* last alert for the (site, advisory) pair; 0 = never alerted */
} ts_adv_match_rec_t;

typedef int (*ts_adv_rec_cb)(const ts_adv_rec_t *rec, void *ctx);
typedef int (*ts_adv_prod_cb)(const ts_adv_prod_rec_t *rec, void *ctx);
typedef int (*ts_plat_cb)(const ts_plat_rec_t *rec, void *ctx);
typedef int (*ts_adv_match_cb)(const ts_adv_match_rec_t *rec, void *ctx);

/* ---- Advisories ---------------------------------------------------------------- */

/* Looks up an advisory by its id and calls cb once. \retval TS_ENOENT unknown. */
TS_MUSTCHECK int ts_store_adv_get(ts_store_t *st, const char *id, ts_adv_rec_cb cb, void *ctx);
/* The same by store id (rowid). \retval TS_ENOENT unknown. */
TS_MUSTCHECK int ts_store_adv_by_rowid(ts_store_t *st, int64_t rowid, ts_adv_rec_cb cb,
                                       void *ctx);
/* Inserts an advisory, or updates the one with the same id in place (its rowid
 * stays). *rowid receives the store id. */
TS_MUSTCHECK int ts_store_adv_put(ts_store_t *st, const ts_adv_rec_t *rec,
                                  int64_t *rowid /* OUT */);
/* Removes every product entry of an advisory (before storing a revision's). */
TS_MUSTCHECK int ts_store_adv_products_clear(ts_store_t *st, int64_t adv_rowid);
TS_MUSTCHECK int ts_store_adv_product_add(ts_store_t *st, const ts_adv_prod_rec_t *rec);
/* Product entries a platform may match: those with this normalised vendor
 * and product (product NULL: every product of the vendor), those naming no
 * vendor with this product, those with this purl_key (NULL or "": none by
 * purl), and with with_ids those of the vendor that give identifiers
 * (ids_json not ""). Ordered by advisory, then entry; each once. */
TS_MUSTCHECK int ts_store_adv_products_for(ts_store_t *st, const char *vendor, const char *product,
                                           const char *purl_key, bool with_ids, ts_adv_prod_cb cb,
                                           void *ctx);
/* Number of stored advisories. */
TS_MUSTCHECK int ts_store_adv_count(ts_store_t *st, uint64_t *n /* OUT */);

/* ---- Platforms --------------------------------------------------------------------- */

/* rec->id, site_name and created are ignored. \retval TS_EEXIST the site has
 * this spec already (*id is then the existing one). \retval TS_ENOENT no such site. */
TS_MUSTCHECK int ts_store_platform_add(ts_store_t *st, const ts_plat_rec_t *rec,
                                       int64_t *id /* OUT */);
/* Removes a platform of a site with its matches. \retval TS_ENOENT no such
 * platform in that site. */
TS_MUSTCHECK int ts_store_platform_remove(ts_store_t *st, int64_t site_id, int64_t id);
/* \retval TS_ENOENT the site has no platform with this canonical spec. */
TS_MUSTCHECK int ts_store_platform_find(ts_store_t *st, int64_t site_id, const char *spec,
                                        int64_t *id /* OUT */);
/* The platforms of a site (site_id 0: of every site), by site name then spec. */
TS_MUSTCHECK int ts_store_platforms_foreach(ts_store_t *st, int64_t site_id, ts_plat_cb cb,
                                            void *ctx);

/* ---- Matches ------------------------------------------------------------------------ */

/* The matches of one advisory (site_id 0: of every site), by site then platform. */
TS_MUSTCHECK int ts_store_adv_matches_of(ts_store_t *st, int64_t adv_rowid, int64_t site_id,
                                         ts_adv_match_cb cb, void *ctx);
/* Removes the matches of an advisory (site_id 0: of every site). */
TS_MUSTCHECK int ts_store_adv_matches_clear(ts_store_t *st, int64_t adv_rowid, int64_t site_id);
/* Stores a match, replacing the one of the same (platform, advisory). */
TS_MUSTCHECK int ts_store_adv_match_put(ts_store_t *st, const ts_adv_match_rec_t *rec);

/* A match with its advisory, site and platform, as listings show it. */
typedef struct ts_adv_row {
    ts_adv_rec_t adv;
    ts_adv_match_rec_t m;
    const char *site_name;
    const char *platform;
    const char *platform_kind;
} ts_adv_row_t;
typedef int (*ts_adv_row_cb)(const ts_adv_row_t *row, void *ctx);

typedef struct ts_adv_query {
    int64_t site_id;    /* 0: every site */
    const char *adv_id; /* NULL: every advisory */
    int status;         /* a ts_pstatus_t; 0: any */
    bool all;           /* include matches that do not alert (fixed, known_not_affected) */
} ts_adv_query_t;

/* Matches, most severe advisory first (severity, CVSS), then newest, then by
 * advisory id, site, and within one (site, advisory) the decided and most
 * urgent match first. */
TS_MUSTCHECK int ts_store_adv_rows_foreach(ts_store_t *st, const ts_adv_query_t *q,
                                           ts_adv_row_cb cb, void *ctx);
