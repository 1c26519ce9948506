/* SPDX-License-Identifier: Apache-2.0 */
/* A normalised advisory: what matching needs from a CSAF 2.0 document, a CVE
 * JSON 5 record or an NVD CVE API 2.0 vulnerability, whatever the source.
 *
 * Each product entry is one (identity, versions, status) the advisory states:
 * identity by normalised vendor + product names (always tried, since most
 * real advisories carry no identifier), and a CPE or purl when given;
 * versions as a range (ts_vrange_t; "all" when the entry names no version);
 * status per CSAF product_status, CVE 5 status, or NVD vulnerable flags.
 * An entry whose version or range could not be understood keeps range_ok
 * false and the reason in range_error: the matcher reports it, never drops or
 * silently matches it.
 *
 * How each source maps to entries (details in csaf.c, cve5.c, nvd.c):
 * - CSAF: one entry per product_id some vulnerability gives a product_status
 *   (products the tree defines but no vulnerability mentions give none). A
 *   product listed under several statuses, in one vulnerability or several,
 *   keeps the most urgent in ts_pstatus_t order. Relationship products ("X
 *   default_component_of Y") take the component X's identity, full_name says
 *   "X as a component of Y"; each also gives linked entries (via set) with
 *   the identity of Y, and of what Y relates to when Y is a relationship
 *   product itself, one per (product, category, status). Unknown
 *   product/group references are problems.
 * - CVE 5: entries per affected[] element of the CNA and ADP containers: one
 *   per version entry (a range with changes[] gives one entry per segment,
 *   ref ".segment[k]"), plus, for defaultStatus affected/unaffected, entries
 *   covering the versions no version entry mentions (ref ".defaultStatus");
 *   an element without versions[] is one "all versions" entry with its
 *   defaultStatus. Entries of one element never overlap: where versions[]
 *   entries do, the more specific one keeps the versions (cve5.c). Several
 *   cpes[] give one copy of each entry per CPE (ref suffix ".cpes[k]").
 * - NVD: one affected entry per vulnerable cpeMatch; the platform of an AND
 *   configuration is only named in full_name.
 * So a matcher takes, for one asset, every entry whose identity and range
 * hold it, and the most urgent status among them.
 *
 * Memory: an advisory owns everything it points to (one arena); free it with
 * ts_advisory_free(). An entry is about 3.6 KB (the CPE and purl are held
 * inline). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "advisory/cpe.h"
#include "advisory/name.h"
#include "advisory/purl.h"
#include "advisory/version.h"
#include "core/error.h"

typedef enum ts_adv_source {
    TS_ADV_CSAF = 1,
    TS_ADV_CVE5,
    TS_ADV_NVD,
} ts_adv_source_t;

/* Product status, from most to least urgent for a site (the order is used
 * when one product is listed under several statuses). */
typedef enum ts_pstatus {
    TS_PS_AFFECTED = 1,        /* known_affected, first_affected, last_affected; CVE "affected" */
    TS_PS_UNDER_INVESTIGATION, /* under_investigation; CVE "unknown" when stated */
    TS_PS_FIXED,               /* fixed, first_fixed (a fixed version exists and is this one) */
    TS_PS_NOT_AFFECTED,        /* known_not_affected; CVE "unaffected" */
} ts_pstatus_t;
const char *ts_pstatus_name(
    ts_pstatus_t s); /* "known_affected", "under_investigation", "fixed", "known_not_affected" */

typedef struct ts_adv_remediation {
    const char *category; /* vendor_fix, mitigation, workaround, no_fix_planned, none_available */
    const char *details;  /* "" when none */
    const char *url;      /* "" when none */
} ts_adv_remediation_t;

/* A CSAF product_identification_helper identifier a platform may declare
 * too (advisory/platform.h): matched with '*' and '?' wildcards, ignoring
 * case and blanks. */
typedef enum ts_adv_id_kind {
    TS_ID_MODEL = 1, /* model_numbers */
    TS_ID_SKU,       /* skus */
    TS_ID_SERIAL,    /* serial_numbers */
} ts_adv_id_kind_t;

typedef struct ts_adv_ident {
    ts_adv_id_kind_t kind;
    const char *value; /* as written, wildcards included */
} ts_adv_ident_t;
/* The CSAF helper's name of a kind: "model_numbers", "skus", "serial_numbers". */
const char *ts_adv_id_kind_name(ts_adv_id_kind_t k);

typedef struct ts_adv_product {
    const char *ref; /* where it comes from: CSAF product_id ("CSAFPID-0001"), CVE 5
                        "cna.affected[2].versions[0]" / "adp[1].affected[0].defaultStatus",
                        NVD "configurations[0].nodes[1].cpeMatch[3]" */
    const char *
        full_name; /* human-readable name ("Schneider Electric EcoStruxure IT Gateway <=8.1.1.3") */
    char vendor[TS_NAME_MAX];  /* normalised (advisory/name.h); "" when unknown */
    char product[TS_NAME_MAX]; /* normalised; "" when unknown */
    bool has_cpe;
    ts_cpe_t cpe; /* when has_cpe */
    bool has_purl;
    ts_purl_t purl;           /* when has_purl */
    const char *version_text; /* the version/range as written ("<=8.1.1.3"); "" = all versions */
    bool range_ok;            /* range holds the versions this entry covers */
    ts_vrange_t range;        /* when range_ok */
    const char *range_error;  /* why not range_ok; "" when range_ok */
    /* "" or why a version the range holds is still undecided: the range reads,
       but what the document says next to it may contradict it (a default
       status beside versions[] it could not read; two entries giving the
       same versions different statuses) */
    const char *doubt;
    /* "" or how the versions were read, shown with a match ("versionType
       custom compared as generic dotted versions") */
    const char *note;
    /* "" or the CSAF relationship that links the entry to the product it
       names: the entry has the identity of relates_to_product_reference and
       the relationship product's status ("relationship default_component_of
       BaseOS-9.2.0.Z.MAIN (cpe:/o:redhat:enterprise_linux:9::baseos)") */
    const char *via;
    /* CVE 5: from an ADP container. For one platform a decided entry of the
       CNA speaks before a decided ADP one (ADPs enrich what the CNA leaves
       open, they do not overrule it). */
    bool secondary;
    size_t n_ids; /* CSAF model_numbers, skus, serial_numbers */
    const ts_adv_ident_t *ids;
    ts_pstatus_t status;
    size_t n_remediations; /* the remediations that apply to this product (CSAF only;
                              identical ones listed once) */
    const ts_adv_remediation_t *const *remediations;
} ts_adv_product_t;

typedef struct ts_advisory {
    ts_adv_source_t source;
    const char *id;        /* CSAF tracking.id, or the CVE id */
    const char *title;     /* "" when none */
    const char *publisher; /* CSAF publisher.name, CVE assigner short name, "NVD" */
    const char *revision;  /* CSAF tracking.version; CVE dataVersion/dateUpdated; "" */
    int64_t published;     /* us since the epoch; TS_TIME_NONE when absent */
    int64_t updated;       /* us since the epoch; TS_TIME_NONE when absent */
    double cvss;           /* highest CVSS base score given (v3 preferred); < 0 when none */
    /* critical|high|medium|low|none (from CVSS, else the document's own: CSAF
     * aggregate_severity, "important" = high, "moderate" = medium); "unknown" */
    const char *severity;
    size_t n_cves;
    const char *const *cves;
    size_t n_products;
    const ts_adv_product_t *products;
    size_t n_problems;           /* non-fatal problems found while reading (unknown product */
    const char *const *problems; /* references, ranges not understood...), for the import report */
    void *priv_;                 /* the arena */
} ts_advisory_t;

void ts_advisory_free(ts_advisory_t *a);

/* Bounds for hostile documents. */
#define TS_ADV_DOC_MAX (160u << 20) /* bytes (CSAF 2.1 suggests ~150 MiB as a soft limit) */
#define TS_ADV_TREE_DEPTH_MAX 32    /* nesting of CSAF branches */
/* Product entries of one advisory. An entry holds its CPE and purl inline
 * (about 3.6 KB), so this bounds what one hostile document of a few MB can
 * make us allocate to about 70 MB; the largest real documents (Red Hat's,
 * Cisco's 259 products) stay far below it. */
#define TS_ADV_PRODUCTS_MAX 20000

/* Reads one CSAF 2.0 document (data, len); name is used in messages.
 * \retval 0 ok, *out set (free with ts_advisory_free).
 * \retval TS_ESYNTAX / TS_EUTF8 not valid JSON; TS_EMISSING a mandatory
 * field; TS_ETYPE a field of the wrong type; TS_ETOOBIG over a bound;
 * TS_EDEPTH branches too deep (or JSON nested too deep); TS_ECYCLE
 * relationships that loop; TS_ENOTSUP csaf_version not 2.x. err says which,
 * as "name: json.path: message". Non-fatal findings go to problems. */
TS_MUSTCHECK int ts_csaf_parse(const char *data, size_t len, const char *name,
                               ts_advisory_t **out /* OUT */, char *err, size_t errsize);
/* Reads one CVE JSON 5.x record (CNA container and ADP containers). Errors as
 * ts_csaf_parse. A REJECTED record is TS_ENOENT; dataType other than
 * CVE_RECORD TS_ENOTSUP; a cveId not "CVE-..." TS_EINVAL. */
TS_MUSTCHECK int ts_cve5_parse(const char *data, size_t len, const char *name,
                               ts_advisory_t **out /* OUT */, char *err, size_t errsize);
/* Reads an NVD CVE API 2.0 response ({"vulnerabilities":[{"cve":{...}}]})
 * and calls cb once per CVE (the advisory is the callback's to keep or free;
 * return non-zero to stop). A malformed vulnerability (or a "Rejected" one:
 * TS_ENOENT) is reported through bad(name, index, code, why) and the others
 * are still delivered; with bad NULL it is the error instead.
 * \retval 0 every CVE delivered or reported; the non-zero value cb returned
 * to stop; the errors of ts_csaf_parse for the response as a whole. */
typedef int (*ts_adv_cb)(ts_advisory_t *a, void *ctx);
typedef void (*ts_adv_bad_cb)(const char *name, size_t index, int code, const char *why, void *ctx);
TS_MUSTCHECK int ts_nvd_parse(const char *data, size_t len, const char *name, ts_adv_cb cb,
                              ts_adv_bad_cb bad, void *ctx, char *err, size_t errsize);
/* Detects the format (CSAF: "document"+"csaf_version"; CVE 5: "dataType":
 * "CVE_RECORD"; NVD: "vulnerabilities") and delivers each advisory to cb.
 * The JSON is parsed once. \retval as the format's parser, or cb's non-zero
 * value; TS_ENOTSUP none of the three. */
TS_MUSTCHECK int ts_advisory_parse_any(const char *data, size_t len, const char *name, ts_adv_cb cb,
                                       ts_adv_bad_cb bad, void *ctx, char *err, size_t errsize);
