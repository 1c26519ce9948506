/* SPDX-License-Identifier: Apache-2.0 */
/* The RSIT classification as IntelMQ encodes it: 11 taxonomies, 44 types, and
 * the legacy spellings IntelMQ's sanitizers accept
 * (shared/reference/rsit-taxonomy.md). Types and taxonomies are small integer
 * ids into static tables. */
#pragma once
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#define TS_RSIT_TAXONOMIES 11
#define TS_RSIT_TYPES 44

typedef uint8_t ts_taxonomy_t; /* 0 .. TS_RSIT_TAXONOMIES-1 */
typedef uint8_t ts_type_t;     /* 0 .. TS_RSIT_TYPES-1 */

/* Canonical names, static storage. Out-of-range ids give NULL. */
const char *ts_taxonomy_name(ts_taxonomy_t tax);
const char *ts_type_name(ts_type_t type);
/* The taxonomy a type belongs to. */
ts_taxonomy_t ts_type_taxonomy(ts_type_t type);

/* Look up by name: case-insensitive, legacy spellings mapped (types: "c&c" ->
 * c2-server, "unknown" -> undetermined; taxonomies: "malicious code" ->
 * malicious-code).
 * \retval 0 ok.  \retval TS_ENOENT not a known name. */
TS_MUSTCHECK int ts_type_lookup(const char *s, size_t n, ts_type_t *out /* OUT */);
TS_MUSTCHECK int ts_taxonomy_lookup(const char *s, size_t n, ts_taxonomy_t *out /* OUT */);

/* Ids of frequently used types, resolved at compile time. */
enum {
    TS_TYPE_UNDETERMINED = 37,
    TS_TYPE_IDS_ALERT = 21,
};

/* Classification of a Suricata alert by its alert.category text (the
 * classtype description from classification.config, e.g. "Attempted
 * Administrator Privilege Gain") or classtype short name (e.g.
 * "attempted-admin"). Unknown categories give ids-alert. */
ts_type_t ts_suricata_category_type(const char *s, size_t n);
