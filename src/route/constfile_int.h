/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the route subsystem: finding sites by name. The file (constfile.c)
 * and the loader (loader.c) each hold sites in an array they must not
 * reorder (the order is canonical, or the store's), so both look names up
 * through a separate array of indexes sorted by name. The records can be of
 * any type that holds the name as a `char *` member: the functions take the
 * record size and that member's offset. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "route/constfile.h"

/* Indexes 0 to n-1 of the n records at recs (stride bytes each, the name at
 * byte name_off of each), ordered by strcmp() of the names. Returns a
 * ts_xmalloc'd array of n entries (never NULL, even for n == 0) that the
 * caller frees; records with equal names end up next to each other. */
size_t *ts_name_index(const void *recs, size_t n, size_t stride, size_t name_off);

/* The index (into recs) of a record called name, searched through index
 * (n entries, from ts_name_index() over the same unchanged records), or
 * SIZE_MAX when there is none. */
size_t ts_name_index_find(const void *recs, size_t stride, size_t name_off, const size_t *index,
                          size_t n, const char *name);

/* The same over a file's sites. */
static inline size_t *ts_cf_site_index(const ts_constfile_t *f)
{
    return ts_name_index(f->sites, f->n_sites, sizeof *f->sites, offsetof(ts_cf_site_t, name));
}

static inline size_t ts_cf_site_find(const ts_constfile_t *f, const size_t *index, const char *name)
{
    return ts_name_index_find(f->sites, sizeof *f->sites, offsetof(ts_cf_site_t, name), index,
                              f->n_sites, name);
}
