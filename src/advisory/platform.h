/* SPDX-License-Identifier: Apache-2.0 */
/* One entry of a site's inventory (a "platform"), parsed from the text the
 * CLI, a file import or the API gives:
 *
 *   cpe:2.3:a:openbsd:openssh:8.7p1:*:*:*:*:*:*:*   a CPE 2.3 formatted string
 *   cpe:/o:redhat:enterprise_linux:9                 a CPE 2.2 URI
 *   pkg:rpm/redhat/openssh@8.7p1                     a purl
 *   vendor:product:version                           names, normalised (advisory/name.h);
 *                                                    the version is everything after the
 *                                                    second ':' (so "debian:dpkg:1:1.21.22")
 *   vendor:product                                   a family: every version of the product
 *   vendor:*                                         a vendor family: every product of it
 *
 * A CPE whose version is ANY or NA, and a purl without @version, are
 * families too. Families match regardless of version.
 *
 * Any of these but a vendor family may end with identifiers of the device,
 * as CSAF's product_identification_helper gives them:
 *
 *   siemens:SIMATIC S7-1500 CPU 1518-4 PN/DP:V3.0.1;model=6ES7518-4AP00-0AB0
 *   ...;sku=X  ...;serial=X   (model= matches model_numbers, sku= skus,
 *                              serial= serial_numbers; several may follow)
 *
 * An identifier the advisory entry gives too decides alone whether the
 * entry is this platform's (advisory/match.h); the others leave it to the
 * names, CPE or purl.
 *
 * The canonical spec (stored, shown, and the identity of a platform within a
 * site) is the CPE 2.3 formatted string, the canonical purl, or the
 * normalised "vendor:product[:version]", then ";model=", ";sku=", ";serial="
 * in that order, for those given (values trimmed). */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "advisory/cpe.h"
#include "advisory/name.h"
#include "advisory/purl.h"
#include "core/error.h"

#define TS_PLATFORM_SPEC_MAX 1024   /* bytes of a spec, given or canonical */
#define TS_PLATFORM_VERSION_MAX 129 /* a version (ts_version_cmp reads at most 128 bytes) */
#define TS_PLATFORM_ID_MAX 65       /* a model number, SKU or serial number */

typedef enum ts_plat_kind {
    TS_PLAT_NAME = 1, /* vendor:product[:version] */
    TS_PLAT_CPE,
    TS_PLAT_PURL,
} ts_plat_kind_t;

typedef struct ts_platform {
    ts_plat_kind_t kind;
    bool family;               /* no version: every version (and with product "*", every product) */
    bool vendor_family;        /* "vendor:*" */
    char vendor[TS_NAME_MAX];  /* normalised key; for a purl the namespace, else its type */
    char product[TS_NAME_MAX]; /* normalised key; "*" for a vendor family */
    char version[TS_PLATFORM_VERSION_MAX]; /* "" for a family */
    ts_cpe_t cpe;                          /* when kind is CPE */
    ts_purl_t purl;                        /* when kind is PURL */
    char model[TS_PLATFORM_ID_MAX];        /* "" when not given */
    char sku[TS_PLATFORM_ID_MAX];          /* "" when not given */
    char serial[TS_PLATFORM_ID_MAX];       /* "" when not given */
    char spec[TS_PLATFORM_SPEC_MAX];       /* canonical */
} ts_platform_t;

/* Parses a spec (NUL-terminated text).
 * \retval 0 ok, *out filled.
 * \retval TS_EINVAL empty, control characters, an unknown form, a name that
 * is empty after normalising, a CPE or purl without vendor/product or name,
 * a version with spaces or over 128 bytes, an identifier empty, repeated,
 * over 64 bytes or on a vendor family; TS_ESYNTAX a malformed CPE or purl;
 * TS_ETOOBIG over TS_PLATFORM_SPEC_MAX. err says why. */
TS_MUSTCHECK int ts_platform_parse(const char *spec, ts_platform_t *out /* OUT */, char *err,
                                   size_t errsize);

/* Whether the platform gives a model number, SKU or serial number. */
bool ts_platform_has_ids(const ts_platform_t *p);

/* "cpe", "purl", "name" or "family" (a name family), as the API shows it. */
const char *ts_platform_kind_name(const ts_platform_t *p);
