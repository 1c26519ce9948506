/* SPDX-License-Identifier: Apache-2.0 */
/* Internal to the advisory readers (advisory.c, csaf.c, cve5.c, nvd.c): the
 * builder that collects a normalised advisory into one arena, and JSON helpers
 * whose messages name the file and the JSON path ("x.json:
 * product_tree.branches[0].name: expected string, got number"). */
#pragma once
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "advisory/advisory.h"
#include "core/arena.h"
#include "core/error.h"
#include "core/json.h"
#include "core/str.h"

#define ADV_PATH_MAX 256
#define ADV_PROBLEMS_MAX 500 /* problems kept per advisory; one more line says how many were cut   \
                              */
#define ADV_JSON_DEPTH (2 * TS_ADV_TREE_DEPTH_MAX + 36) /* so that TS_EDEPTH names the branch */

typedef struct advb {
    ts_arena_t *arena;
    ts_advisory_t *a; /* in the arena */
    ts_adv_product_t *prods;
    size_t nprods, capprods;
    const char **probs;
    size_t nprobs, capprobs, probs_cut;
    const char **cves;
    size_t ncves, capcves;
    int cvss_rank; /* of the score kept: 3 for v3.x, 2 for v4.0, 1 for v2 */
    const char *name;
    char *err;
    size_t errsize;
    char path[ADV_PATH_MAX];
    size_t plen;
} advb_t;

void advb_init(advb_t *b, ts_adv_source_t src, const char *name, char *err, size_t errsize);
/* Frees everything collected (on error). */
void advb_discard(advb_t *b);
/* The finished advisory (owning the arena); b is empty afterwards. */
ts_advisory_t *advb_finish(advb_t *b);

/* Formats "name: path: message" into err and returns rc. */
int advb_fail(advb_t *b, int rc, const char *fmt, ...) TS_PRINTF(3, 4);
/* Adds "path: message" to the problems (bounded). */
void advb_problem(advb_t *b, const char *fmt, ...) TS_PRINTF(2, 3);

/* JSON path: push returns the length to pop back to. */
size_t advb_push(advb_t *b, const char *fmt, ...) TS_PRINTF(2, 3);
void advb_pop(advb_t *b, size_t len);

const char *advb_strdup(advb_t *b, ts_str_t s);
const char *advb_printf(advb_t *b, const char *fmt, ...) TS_PRINTF(2, 3);
void *advb_alloc(advb_t *b, size_t n);

/* A new zeroed product entry with every string "" and status affected.
 * \retval NULL over TS_ADV_PRODUCTS_MAX (err already set, return TS_ETOOBIG). */
ts_adv_product_t *advb_product(advb_t *b);
void advb_add_cve(advb_t *b, ts_str_t id);
/* Records a CVSS base score of CVSS version major: v3 scores win over v4,
 * v4 over v2, then the highest score. */
void advb_score(advb_t *b, double score, ts_str_t severity, int major);
/* Sets the severity from the document when no score gave one. */
void advb_severity_text(advb_t *b, ts_str_t text);

/* Product identity. Dirty names are normalised; empty or "n/a" give "". */
void advb_vendor(advb_t *b, ts_adv_product_t *p, ts_str_t name);
void advb_product_name(advb_t *b, ts_adv_product_t *p, ts_str_t name);
void advb_cpe(advb_t *b, ts_adv_product_t *p, ts_str_t cpe);
void advb_purl(advb_t *b, ts_adv_product_t *p, ts_str_t purl);

/* Versions: each sets version_text and either range_ok + range, or
 * range_error (and a problem naming p->ref). */
void advb_range_all(ts_adv_product_t *p, ts_vscheme_t s);
void advb_range_fail(advb_t *b, ts_adv_product_t *p, const char *why);
void advb_range_text(advb_t *b, ts_adv_product_t *p, ts_vscheme_t s, ts_str_t text);
void advb_range_exact(advb_t *b, ts_adv_product_t *p, ts_vscheme_t s, ts_str_t v);
void advb_range_bounds(advb_t *b, ts_adv_product_t *p, ts_vscheme_t s, ts_str_t start,
                       bool start_incl, ts_str_t end, bool end_incl);

/* Parses the document with the bounds shared by all readers: TS_ETOOBIG over
 * TS_ADV_DOC_MAX, TS_EDEPTH nested too deep, else ts_json_parse's codes. */
TS_MUSTCHECK int advb_parse_json(const char *data, size_t len, const char *name, ts_json_t **out,
                                 char *err, size_t errsize);

/* Typed members; messages carry name and path. An absent optional member
 * leaves *out untouched and returns 0. */
TS_MUSTCHECK int advj_str(advb_t *b, const ts_json_t *obj, const char *key, bool req,
                          ts_str_t *out);
TS_MUSTCHECK int advj_obj(advb_t *b, const ts_json_t *obj, const char *key, bool req,
                          ts_json_t **out);
TS_MUSTCHECK int advj_arr(advb_t *b, const ts_json_t *obj, const char *key, bool req,
                          ts_json_t **out, size_t *n);
TS_MUSTCHECK int advj_bool(advb_t *b, const ts_json_t *obj, const char *key, bool *out);
/* A number (integer or not); \retval 0 and *out, 1 absent. */
TS_MUSTCHECK int advj_num(advb_t *b, const ts_json_t *obj, const char *key, double *out);
/* Element i of arr as a string (the path names arr[i]). */
TS_MUSTCHECK int advj_str_at(advb_t *b, const ts_json_t *arr, size_t i, ts_str_t *out);
TS_MUSTCHECK int advj_obj_at(advb_t *b, const ts_json_t *arr, size_t i, ts_json_t **out);
/* A date (RFC 3339); a malformed one is a problem and TS_TIME_NONE. */
int64_t advb_time(advb_t *b, ts_str_t s, const char *what);

/* Sets the title, when still empty, from obj's descriptions[] ({lang, value},
 * as CVE 5 and NVD write them): the first English one, first line, cut at 200
 * bytes on a character boundary. */
TS_MUSTCHECK int advb_title_from_descriptions(advb_t *b, const ts_json_t *obj);

ts_str_t adv_trim(ts_str_t s);
bool adv_ieq(ts_str_t s, const char *lit);

/* Internal entry points on an already parsed document (parse_any parses once). */
TS_MUSTCHECK int ts_csaf_from_json(const ts_json_t *doc, const char *name, ts_advisory_t **out,
                                   char *err, size_t errsize);
TS_MUSTCHECK int ts_cve5_from_json(const ts_json_t *doc, const char *name, ts_advisory_t **out,
                                   char *err, size_t errsize);
TS_MUSTCHECK int ts_nvd_from_json(const ts_json_t *doc, const char *name, ts_adv_cb cb,
                                  ts_adv_bad_cb bad, void *ctx, char *err, size_t errsize);
