/* SPDX-License-Identifier: Apache-2.0 */
/* Between the store and the constituency: building the in-memory tree from
 * the store, and making the store match a constituency file. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"
#include "core/error.h"
#include "route/constfile.h"
#include "route/constituency.h"
#include "store/store.h"

/* Builds the constituency held by the store (site ids are the store's).
 * \retval 0 ok, *out set; free with ts_constituency_free().
 * \retval TS_EDB store error.  Other codes: the store holds something the
 * constituency refuses (a malformed or conflicting claim, an orphan site);
 * this means the store was changed behind tocsin's back. */
TS_MUSTCHECK int ts_constituency_load(ts_store_t *st, ts_constituency_t **out /* OUT */);

/* What ts_constfile_apply() did (or, on error, would have done up to the
 * failure; the store is unchanged then). */
typedef struct ts_constfile_stats {
    size_t sites_created;
    size_t sites_updated; /* parent or description changed */
    size_t sites_unchanged;
    size_t sites_removed; /* only with prune */
    size_t sites_kept;    /* in the store, not in the file, kept (no prune) */
    size_t claims_added;  /* claims new to their site */
    size_t claims_removed;
    size_t contacts; /* contacts written */
} ts_constfile_stats_t;

/* Makes the store match the file f (from ts_constfile_parse), in one
 * transaction: creates the sites the store lacks, updates parents and
 * descriptions, and replaces each listed site's claims and contacts by the
 * file's. With prune, sites absent from the file are removed (with their
 * claims and contacts; their event links stay); without it they are kept,
 * and the file plus the kept sites must still be free of conflicts, which is
 * checked before anything is written. stats may be NULL.
 * \retval 0 ok, committed.
 * \retval TS_ECONFLICT, TS_EEXIST a kept site's claim collides with the file.
 * \retval TS_EDB, TS_EBUSY store errors (rolled back).
 * Other codes as ts_constfile_validate(). On error err (errsize bytes, may be
 * NULL) explains it and the store is unchanged. */
TS_MUSTCHECK int ts_constfile_apply(ts_store_t *st, const ts_constfile_t *f, bool prune,
                                    ts_constfile_stats_t *stats /* OUT, may be NULL */, char *err,
                                    size_t errsize);

/* The store's constituency as a file (caller frees with ts_constfile_free()),
 * validated and in canonical order. \retval as ts_constituency_load(). */
TS_MUSTCHECK int ts_constfile_from_store(ts_store_t *st, ts_constfile_t **out /* OUT */, char *err,
                                         size_t errsize);

/* Appends the canonical constituency file of the store to out.
 * \retval as ts_constfile_from_store(). */
TS_MUSTCHECK int ts_constfile_export(ts_store_t *st, ts_buf_t *out);
