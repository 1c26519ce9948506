/* SPDX-License-Identifier: Apache-2.0 */
/* Importing advisories into the store and matching them, incrementally,
 * against every site's platforms (CSAF 2.0 section 9.1.13).
 *
 * One document at a time, each in its own transaction: a bad document is
 * reported (name + reason) and the others of the same import still go in.
 * A document whose id is already stored replaces it when its revision is
 * newer (or equal with different content); an older revision is skipped. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "store/store.h"

typedef struct ts_adv_import_stats {
    uint64_t documents;       /* read */
    uint64_t imported;        /* new advisories */
    uint64_t replaced;        /* newer revisions of stored advisories */
    uint64_t unchanged;       /* same or older revision: skipped */
    uint64_t rejected;        /* documents refused (reported through the report callback) */
    uint64_t problems;        /* non-fatal problems (ranges not understood, ...) */
    uint64_t new_matches;     /* (site, advisory) pairs that now alert */
    uint64_t changed_matches; /* pairs whose status or remediation changed: alert again */
} ts_adv_import_stats_t;

/* Receives each rejected document and each problem: name of the document,
 * code (a ts_err, 0 for a non-fatal problem) and the reason. */
typedef void (*ts_adv_report_cb)(const char *name, int code, const char *why, void *ctx);

/* Imports one document held in memory (CSAF, CVE 5 or NVD, detected).
 * \retval 0 imported, replaced or unchanged (stats say which).
 * \retval a ts_err when the document was rejected (also reported). */
TS_MUSTCHECK int ts_adv_import_buffer(ts_store_t *st, const char *data, size_t len,
                                      const char *name, ts_adv_import_stats_t *stats,
                                      ts_adv_report_cb report, void *ctx);
/* Imports a file, or every *.json file under a directory (recursively, in
 * name order, symlinks not followed), e.g. a cvelistV5 tree.
 * \retval 0 when the walk completed (documents may have been rejected: see
 * stats->rejected).  \retval TS_EIO / TS_ENOENT the path itself is unusable. */
TS_MUSTCHECK int ts_adv_import_path(ts_store_t *st, const char *path, ts_adv_import_stats_t *stats,
                                    ts_adv_report_cb report, void *ctx);

/* ---- Sessions and platforms (added with the implementation) -------------------- */

/* An import session: the platform index is built once (from every site's
 * platforms in the store) and reused for each document, so importing a
 * directory or one more advisory costs the matching, not the loading.
 * The session sees platforms added through other sessions only when created
 * after them. */
typedef struct ts_adv_importer ts_adv_importer_t;
/* \retval 0 ok, *out set (free with ts_adv_importer_free()).
 * \retval a store error. */
TS_MUSTCHECK int ts_adv_importer_new(ts_store_t *st, ts_adv_importer_t **out /* OUT */);
void ts_adv_importer_free(ts_adv_importer_t *imp);
/* As ts_adv_import_buffer() / ts_adv_import_path(), through the session. */
TS_MUSTCHECK int ts_adv_importer_buffer(ts_adv_importer_t *imp, const char *data, size_t len,
                                        const char *name, ts_adv_import_stats_t *stats,
                                        ts_adv_report_cb report, void *ctx);
TS_MUSTCHECK int ts_adv_importer_path(ts_adv_importer_t *imp, const char *path,
                                      ts_adv_import_stats_t *stats, ts_adv_report_cb report,
                                      void *ctx);
/* Platforms held by the session's index, and the index's memory in bytes. */
size_t ts_adv_importer_platforms(const ts_adv_importer_t *imp);
size_t ts_adv_importer_memory(const ts_adv_importer_t *imp);

/* Adds a platform (spec as advisory/platform.h reads it) to a site and
 * matches it against every stored advisory, in one transaction (its own, or
 * call it outside a transaction). stats->new_matches / changed_matches count
 * the (site, advisory) pairs that alert because of it (stats may be NULL).
 * \retval 0 ok, *id set.  \retval TS_EINVAL / TS_ESYNTAX / TS_ETOOBIG a bad
 * spec (err says why).  \retval TS_EEXIST the site has it already (*id is the
 * existing one).  \retval TS_ENOENT no such site.  \retval a store error. */
TS_MUSTCHECK int ts_adv_platform_add(ts_store_t *st, int64_t site_id, const char *spec,
                                     int64_t *id /* OUT */, ts_adv_import_stats_t *stats, char *err,
                                     size_t errsize);

/* ---- A product seen on the network ------------------------------------------------- */

/* The best entry of one advisory for a product. Strings valid during the call. */
typedef struct ts_adv_spec_match {
    int64_t adv_rowid; /* ts_store_adv_by_rowid() gives the advisory */
    const char *entry; /* the entry's product name */
    const char *rule;  /* why it applies */
    int status;        /* a ts_pstatus_t */
    bool undecided;
} ts_adv_spec_match_t;
typedef int (*ts_adv_spec_cb)(const ts_adv_spec_match_t *m, void *ctx);

/* The advisories that apply to a platform spec without storing it (a
 * product a scan read from a banner): one call per advisory, its best entry
 * as ts_match_advisory() chooses. \retval 0, or the callback's non-zero
 * value.  \retval TS_EINVAL / TS_ESYNTAX / TS_ETOOBIG a bad spec (err says
 * why).  \retval a store error. */
TS_MUSTCHECK int ts_adv_match_spec(ts_store_t *st, const char *spec, ts_adv_spec_cb cb, void *ctx,
                                   char *err, size_t errsize);
