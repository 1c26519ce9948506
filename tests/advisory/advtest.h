/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the advisory reader tests. Include after <cmocka.h>. */
#pragma once
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisory/advisory.h"
#include "testutil.h"

typedef int (*at_parse_fn)(const char *data, size_t len, const char *name, ts_advisory_t **out,
                           char *err, size_t errsize);

/* A test data file (tests/data/advisory/NAME), malloc'd; fails the test when absent. */
static inline char *at_data(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/advisory/%s", TS_TEST_DATA, name);
    char *d = tt_read_file(path, len);
    if (d == NULL)
        fail_msg("cannot read %s", path);
    return d;
}

/* Parses a heap copy of exactly len bytes (ASan sees reads past the end). */
static inline int at_parse(at_parse_fn fn, const char *data, size_t len, ts_advisory_t **out,
                           char *err, size_t errsize)
{
    char *copy = calloc(len ? len : 1, 1);
    if (copy == NULL)
        fail_msg("out of memory");
    if (len)
        memcpy(copy, data, len);
    err[0] = '\0';
    int rc = fn(copy, len, "t.json", out, err, errsize);
    free(copy);
    return rc;
}

/* Expects fn to refuse s with code and an err containing each needle. */
static inline void at_expect_fail(at_parse_fn fn, const char *s, size_t len, int code,
                                  const char *needle1, const char *needle2)
{
    ts_advisory_t *a = (ts_advisory_t *)1;
    char err[512];
    int rc = at_parse(fn, s, len, &a, err, sizeof err);
    if (rc != code || (needle1 && !strstr(err, needle1)) || (needle2 && !strstr(err, needle2)))
        fail_msg("rc %d (want %d), err \"%s\" (want \"%s\", \"%s\")", rc, code, err,
                 needle1 ? needle1 : "", needle2 ? needle2 : "");
    assert_null(a);
}

/* s with the first occurrence of from replaced by to (malloc'd); fails if absent. */
/* Parses s with fn and fails the test, with the reason, unless it parses. */
static inline ts_advisory_t *at_parse_ok(at_parse_fn fn, const char *s)
{
    ts_advisory_t *a = NULL;
    char err[512];
    int rc = at_parse(fn, s, strlen(s), &a, err, sizeof err);
    if (rc != 0)
        fail_msg("rc %d: %s", rc, err);
    return a;
}

/* The normal forms of a vendor and a product name (advisory/name.h). */
static inline const char *at_normv(const char *s, char *buf)
{
    if (ts_name_vendor(ts_str_c(s), buf) != 0)
        fail_msg("vendor name \"%s\" refused", s);
    return buf;
}

static inline const char *at_normp(const char *s, char *buf)
{
    if (ts_name_product(ts_str_c(s), buf) != 0)
        fail_msg("product name \"%s\" refused", s);
    return buf;
}

static inline char *at_replace(const char *s, const char *from, const char *to)
{
    const char *p = strstr(s, from);
    if (p == NULL)
        fail_msg("fixture lacks \"%s\"", from);
    size_t n = strlen(s) - strlen(from) + strlen(to);
    char *r = malloc(n + 1);
    size_t pre = (size_t)(p - s);
    memcpy(r, s, pre);
    strcpy(r + pre, to);
    strcat(r, p + strlen(from));
    return r;
}

static inline const ts_adv_product_t *at_product(const ts_advisory_t *a, const char *ref)
{
    for (size_t i = 0; i < a->n_products; i++)
        if (strcmp(a->products[i].ref, ref) == 0)
            return &a->products[i];
    fail_msg("no product entry \"%s\" among %zu", ref, a->n_products);
    return NULL;
}

static inline bool at_has_problem(const ts_advisory_t *a, const char *n1, const char *n2)
{
    for (size_t i = 0; i < a->n_problems; i++)
        if (strstr(a->problems[i], n1) && (n2 == NULL || strstr(a->problems[i], n2)))
            return true;
    return false;
}

static inline void at_expect_problem(const ts_advisory_t *a, const char *n1, const char *n2)
{
    if (!at_has_problem(a, n1, n2)) {
        for (size_t i = 0; i < a->n_problems; i++)
            print_error("  problem: %s\n", a->problems[i]);
        fail_msg("no problem mentions \"%s\" / \"%s\"", n1, n2 ? n2 : "");
    }
}

/* Whether version v is in p's range (the range must be understood). */
static inline bool at_in(const ts_adv_product_t *p, const char *v)
{
    bool in = false;
    if (!p->range_ok)
        fail_msg("%s: range not understood: %s", p->ref, p->range_error);
    int rc = ts_vrange_contains(&p->range, ts_str_c(v), &in);
    if (rc != 0)
        fail_msg("%s: cannot compare \"%s\" (rc %d)", p->ref, v, rc);
    return in;
}

static inline bool at_has_rem(const ts_adv_product_t *p, const char *category, const char *url)
{
    for (size_t i = 0; i < p->n_remediations; i++)
        if (strcmp(p->remediations[i]->category, category) == 0 &&
            (url == NULL || strcmp(p->remediations[i]->url, url) == 0))
            return true;
    return false;
}

/* A corpus file parsed with fn, or NULL after a visible skip when the corpus is absent. */
static inline ts_advisory_t *at_corpus(at_parse_fn fn, const char *rel)
{
    char *path = tt_corpus_path(rel);
    if (path == NULL)
        return NULL;
    size_t len;
    char *d = tt_read_file(path, &len);
    assert_non_null(d);
    ts_advisory_t *a = NULL;
    char err[512];
    int rc = fn(d, len, rel, &a, err, sizeof err);
    if (rc != 0)
        fail_msg("%s: rc %d: %s", rel, rc, err);
    free(d);
    free(path);
    return a;
}

/* A CVE 5 record CVE-2026-4000 whose CNA's affected[] is the JSON text
 * given, and, when adp is not NULL, one ADP with that affected[] (malloc'd). */
static inline char *at_cve5_doc(const char *affected, const char *adp)
{
    const char *pre = "{\"dataType\": \"CVE_RECORD\", \"dataVersion\": \"5.1\", \"cveMetadata\": "
                      "{\"cveId\": \"CVE-2026-4000\", \"state\": \"PUBLISHED\"}, \"containers\": "
                      "{\"cna\": {\"affected\": ";
    size_t n = strlen(pre) + strlen(affected) + (adp ? strlen(adp) : 0) + 64;
    char *s = malloc(n);
    if (s == NULL)
        fail_msg("out of memory");
    snprintf(s, n, "%s%s}%s%s%s}}", pre, affected, adp ? ", \"adp\": [{\"affected\": " : "",
             adp ? adp : "", adp ? "}]" : "");
    return s;
}

/* A CSAF 2.0 document id with the product_tree and vulnerabilities given as
 * JSON text (malloc'd). */
#define AT_CSAF_FMT                                                                                \
    "{\"document\": {\"category\": \"csaf_security_advisory\", \"csaf_version\": \"2.0\", "        \
    "\"publisher\": {\"category\": \"vendor\", \"name\": \"Example\", \"namespace\": "             \
    "\"https://example.test\"}, \"title\": \"t\", \"tracking\": {\"id\": \"%s\", \"status\": "     \
    "\"final\", \"version\": \"1\", \"current_release_date\": \"2026-02-01T10:00:00Z\", "          \
    "\"initial_release_date\": \"2026-02-01T10:00:00Z\", \"revision_history\": [{\"date\": "       \
    "\"2026-02-01T10:00:00Z\", \"number\": \"1\", \"summary\": \"Initial\"}]}}, "                  \
    "\"product_tree\": %s, \"vulnerabilities\": %s}"
static inline char *at_csaf_doc(const char *id, const char *tree, const char *vulns)
{
    size_t n = sizeof AT_CSAF_FMT + strlen(id) + strlen(tree) + strlen(vulns);
    char *s = malloc(n);
    if (s == NULL)
        fail_msg("out of memory");
    snprintf(s, n, AT_CSAF_FMT, id, tree, vulns);
    return s;
}
