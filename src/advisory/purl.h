/* SPDX-License-Identifier: Apache-2.0 */
/* Package URLs (purl spec): pkg:type/namespace/name@version?qualifiers#subpath.
 * Type is lowercased; namespace and name are percent-decoded and, for the
 * types whose spec says they are case-insensitive (e.g. github, pypi), case
 * folded. Qualifiers are kept canonically sorted for display only; matching
 * uses type, namespace, name and version. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/str.h"

#define TS_PURL_PART_MAX 256

typedef struct ts_purl {
    char type[32];
    char ns[TS_PURL_PART_MAX]; /* "" when none */
    char name[TS_PURL_PART_MAX];
    char version[TS_PURL_PART_MAX];    /* "" when none */
    char qualifiers[TS_PURL_PART_MAX]; /* canonical "k=v&k=v", "" when none */
} ts_purl_t;

/* Parses a purl; the subpath is checked for nothing and dropped, empty
 * qualifier values are dropped, keys are lowercased and sorted. A '/' that
 * decodes inside a namespace segment or the name is refused.
 * \retval TS_ESYNTAX (reason in err), TS_ETOOBIG (input over 4096 bytes, a
 * part over TS_PURL_PART_MAX - 1, more than 16 qualifiers). */
TS_MUSTCHECK int ts_purl_parse(ts_str_t s, ts_purl_t *out /* OUT */, char *err, size_t errsize);
/* Canonical string. Cut to fit, always NUL-terminated. */
void ts_purl_format(const ts_purl_t *p, char *buf, size_t size);
/* Same package (type, namespace, name), ignoring version and qualifiers. */
bool ts_purl_same_package(const ts_purl_t *a, const ts_purl_t *b);
/* The version scheme the purl type implies (deb -> dpkg, rpm -> rpm, npm,
 * cargo, golang... -> semver, else generic). */
int ts_purl_scheme(const ts_purl_t *p); /* a ts_vscheme_t */
