/* SPDX-License-Identifier: Apache-2.0 */
/* NVD CVE API 2.0 responses -> one normalised advisory per CVE.
 *
 * Each cpeMatch with vulnerable=true (in a node that is not negated) gives
 * one affected entry (ref "configurations[0].nodes[1].cpeMatch[3]"):
 * identity from the criteria CPE (vendor, product, and the CPE itself);
 * versions from versionStart/End{Including,Excluding} when any is given,
 * else the criteria's version attribute (a value = that version, '*' or '-'
 * = all). The generic scheme: NVD says nothing about the ordering.
 *
 * A configuration whose operator is AND, or a node whose operator is AND,
 * says "this application on that platform": the vulnerable=false matches
 * are the platform, written into each entry's full_name ("... on
 * cpe:2.3:o:...") so that a person sees the condition; the matcher does not
 * evaluate it. Matches of negated nodes are never entries; they appear in the
 * condition as "not <criteria>".
 *
 * Scores: cvssMetricV31, then V30, V40, V2, each from the "Primary" source
 * when there is one. */
#include <stdio.h>
#include <string.h>

#include "advisory/adv_int.h"

#define PLATFORM_TEXT_MAX 300

static int read_scores(advb_t *b, const ts_json_t *metrics)
{
    static const struct {
        const char *key;
        int major;
    } kinds[] = {
        {"cvssMetricV31", 3}, {"cvssMetricV30", 3}, {"cvssMetricV40", 4}, {"cvssMetricV2", 2}};
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        ts_json_t *arr;
        size_t n;
        size_t mark = advb_push(b, ".%s", kinds[k].key);
        int rc = advj_arr(b, metrics, kinds[k].key, false, &arr, &n);
        if (rc)
            return rc;
        bool primary = false;
        for (int pass = 0; pass < 2; pass++) {
            for (size_t i = 0; i < n; i++) {
                ts_json_t *m, *data;
                ts_str_t type = TS_STR_NULL, sev = TS_STR_NULL;
                double score;
                size_t m2 = advb_push(b, "[%zu]", i);
                if ((rc = advj_obj_at(b, arr, i, &m)) ||
                    (rc = advj_str(b, m, "type", false, &type)) ||
                    (rc = advj_obj(b, m, "cvssData", true, &data)))
                    return rc;
                bool is_primary = ts_str_eq_c(type, "Primary");
                if (pass == 0) { /* first pass: is there a primary score? */
                    primary = primary || is_primary;
                    advb_pop(b, m2);
                    continue;
                }
                if (primary && !is_primary) {
                    advb_pop(b, m2);
                    continue;
                }
                rc = advj_num(b, data, "baseScore", &score);
                if (rc == 1)
                    return advb_fail(b, TS_EMISSING, "cvssData: field \"baseScore\" is missing");
                if (rc || (rc = advj_str(b, data, "baseSeverity", false, &sev)))
                    return rc;
                if (sev.ptr == NULL && (rc = advj_str(b, m, "baseSeverity", false, &sev)))
                    return rc; /* v2 has it beside cvssData */
                advb_score(b, score, sev, kinds[k].major);
                advb_pop(b, m2);
            }
        }
        advb_pop(b, mark);
    }
    return 0;
}

/* Appends to the platform condition, cut to fit. */
static void cond_add(char *cond, bool neg, ts_str_t criteria)
{
    size_t len = strlen(cond);
    if (len >= PLATFORM_TEXT_MAX - 8)
        return;
    int n = snprintf(cond + len, PLATFORM_TEXT_MAX - len, "%s%s%.*s", len ? " or " : "",
                     neg ? "not " : "", (int)criteria.len, criteria.ptr);
    if (n < 0 || (size_t)n >= PLATFORM_TEXT_MAX - len)
        memcpy(cond + PLATFORM_TEXT_MAX - 4, "...", 4);
}

/* The platform condition of one configuration: its vulnerable=false and
 * negated matches, when the configuration or a node says AND. */
static int platform_of(advb_t *b, const ts_json_t *nodes, size_t nn, bool cfg_and, char *cond)
{
    cond[0] = '\0';
    for (size_t i = 0; i < nn; i++) {
        ts_json_t *node, *cm;
        ts_str_t op = TS_STR_NULL;
        bool neg = false;
        size_t ncm;
        size_t mark = advb_push(b, ".nodes[%zu]", i);
        int rc;
        if ((rc = advj_obj_at(b, nodes, i, &node)) ||
            (rc = advj_str(b, node, "operator", false, &op)) ||
            (rc = advj_bool(b, node, "negate", &neg)) ||
            (rc = advj_arr(b, node, "cpeMatch", true, &cm, &ncm)))
            return rc;
        bool and = cfg_and || ts_str_eq_c(op, "AND");
        for (size_t j = 0; j < ncm; j++) {
            ts_json_t *m;
            ts_str_t crit;
            bool vuln = false;
            size_t m2 = advb_push(b, ".cpeMatch[%zu]", j);
            if ((rc = advj_obj_at(b, cm, j, &m)) ||
                (rc = advj_str(b, m, "criteria", true, &crit)) ||
                (rc = advj_bool(b, m, "vulnerable", &vuln)))
                return rc;
            if (neg || (and&&!vuln))
                cond_add(cond, neg, crit);
            advb_pop(b, m2);
        }
        advb_pop(b, mark);
    }
    return 0;
}

static int read_match(advb_t *b, const ts_json_t *m, const char *ref, const char *cond)
{
    ts_str_t crit, si = TS_STR_NULL, se = TS_STR_NULL, ei = TS_STR_NULL, ee = TS_STR_NULL;
    int rc;
    if ((rc = advj_str(b, m, "criteria", true, &crit)) ||
        (rc = advj_str(b, m, "versionStartIncluding", false, &si)) ||
        (rc = advj_str(b, m, "versionStartExcluding", false, &se)) ||
        (rc = advj_str(b, m, "versionEndIncluding", false, &ei)) ||
        (rc = advj_str(b, m, "versionEndExcluding", false, &ee)))
        return rc;
    ts_adv_product_t *p = advb_product(b);
    if (p == NULL)
        return TS_ETOOBIG;
    p->ref = ref;
    p->status = TS_PS_AFFECTED;
    advb_cpe(b, p, crit);
    if (p->has_cpe) {
        const ts_cpe_t *c = &p->cpe;
        if (c->a[TS_CPE_VENDOR].kind == TS_CPE_VALUE)
            advb_vendor(b, p, ts_str_c(c->a[TS_CPE_VENDOR].value));
        if (c->a[TS_CPE_PRODUCT].kind == TS_CPE_VALUE)
            advb_product_name(b, p, ts_str_c(c->a[TS_CPE_PRODUCT].value));
    }
    if ((si.ptr && se.ptr) || (ei.ptr && ee.ptr))
        advb_problem(b, "both including and excluding bounds; the including ones used");
    ts_str_t start = si.ptr ? si : se, end = ei.ptr ? ei : ee;
    if (start.ptr || end.ptr) {
        advb_range_bounds(b, p, TS_VS_GENERIC, start, si.ptr != NULL, end, ei.ptr != NULL);
    } else if (!p->has_cpe) {
        p->version_text = advb_strdup(b, crit);
        advb_range_fail(b, p, "criteria is not a CPE name");
    } else if (p->cpe.a[TS_CPE_VERSION].kind == TS_CPE_VALUE) {
        advb_range_exact(b, p, TS_VS_GENERIC, ts_str_c(p->cpe.a[TS_CPE_VERSION].value));
    } else {
        advb_range_all(p, TS_VS_GENERIC);
    }
    p->full_name =
        advb_printf(b, "%.*s%s%s%s%s", (int)crit.len, crit.ptr, (start.ptr || end.ptr) ? " " : "",
                    (start.ptr || end.ptr) ? p->version_text : "", cond[0] ? " on " : "", cond);
    return 0;
}

static int read_configurations(advb_t *b, const ts_json_t *cve)
{
    ts_json_t *cfgs;
    size_t ncfg;
    int rc = advj_arr(b, cve, "configurations", false, &cfgs, &ncfg);
    for (size_t c = 0; rc == 0 && c < ncfg; c++) {
        ts_json_t *cfg, *nodes;
        ts_str_t op = TS_STR_NULL;
        bool neg = false;
        size_t nn;
        size_t mark = advb_push(b, ".configurations[%zu]", c);
        if ((rc = advj_obj_at(b, cfgs, c, &cfg)) ||
            (rc = advj_str(b, cfg, "operator", false, &op)) ||
            (rc = advj_bool(b, cfg, "negate", &neg)) ||
            (rc = advj_arr(b, cfg, "nodes", true, &nodes, &nn)))
            return rc;
        if (neg) {
            advb_problem(b, "negated configuration ignored");
            advb_pop(b, mark);
            continue;
        }
        char cond[PLATFORM_TEXT_MAX];
        if ((rc = platform_of(b, nodes, nn, ts_str_eq_c(op, "AND"), cond)))
            return rc;
        for (size_t i = 0; i < nn; i++) {
            ts_json_t *node = ts_json_index(nodes, i), *cm;
            bool nneg = false;
            size_t ncm;
            size_t m1 = advb_push(b, ".nodes[%zu]", i);
            if ((rc = advj_bool(b, node, "negate", &nneg)) ||
                (rc = advj_arr(b, node, "cpeMatch", true, &cm, &ncm)))
                return rc;
            for (size_t j = 0; j < ncm; j++) {
                ts_json_t *m = ts_json_index(cm, j);
                bool vuln = false;
                size_t m2 = advb_push(b, ".cpeMatch[%zu]", j);
                if ((rc = advj_bool(b, m, "vulnerable", &vuln)))
                    return rc;
                if (vuln && nneg) {
                    advb_problem(b, "vulnerable match in a negated node ignored");
                } else if (vuln) {
                    const char *ref =
                        advb_printf(b, "configurations[%zu].nodes[%zu].cpeMatch[%zu]", c, i, j);
                    if ((rc = read_match(b, m, ref, cond)))
                        return rc;
                }
                advb_pop(b, m2);
            }
            advb_pop(b, m1);
        }
        advb_pop(b, mark);
    }
    return rc;
}

static int read_cve(const ts_json_t *arr, const char *name, size_t idx, ts_advisory_t **out,
                    char *err, size_t errsize)
{
    advb_t b;
    *out = NULL;
    advb_init(&b, TS_ADV_NVD, name, err, errsize);
    ts_json_t *cve, *metrics;
    ts_str_t id, pub = TS_STR_NULL, mod = TS_STR_NULL, status = TS_STR_NULL;
    int rc;
    advb_push(&b, "vulnerabilities");
    if ((rc = advj_obj_at(&b, arr, idx, &cve)))
        goto out;
    advb_pop(&b, 0);
    advb_push(&b, "vulnerabilities[%zu]", idx);
    if ((rc = advj_obj(&b, cve, "cve", true, &cve)))
        goto out;
    advb_push(&b, ".cve");
    if ((rc = advj_str(&b, cve, "id", true, &id)) ||
        (rc = advj_str(&b, cve, "published", false, &pub)) ||
        (rc = advj_str(&b, cve, "lastModified", false, &mod)) ||
        (rc = advj_str(&b, cve, "vulnStatus", false, &status)) ||
        (rc = advj_obj(&b, cve, "metrics", false, &metrics)))
        goto out;
    if (id.len < 9 || id.len > 32 || memcmp(id.ptr, "CVE-", 4) != 0) {
        rc = advb_fail(&b, TS_EINVAL, "id \"%.*s\" is not a CVE id",
                       (int)(id.len > 32 ? 32 : id.len), id.ptr);
        goto out;
    }
    if (ts_str_eq_c(status, "Rejected")) {
        rc = advb_fail(&b, TS_ENOENT, "%.*s is Rejected", (int)id.len, id.ptr);
        goto out;
    }
    ts_advisory_t *a = b.a;
    a->id = advb_strdup(&b, id);
    advb_add_cve(&b, id);
    a->publisher = "NVD";
    a->revision = advb_strdup(&b, mod);
    a->published = advb_time(&b, pub, "published");
    a->updated = advb_time(&b, mod, "lastModified");
    if ((rc = advb_title_from_descriptions(&b, cve)))
        goto out;
    if (metrics) {
        size_t mark = advb_push(&b, ".metrics");
        if ((rc = read_scores(&b, metrics)))
            goto out;
        advb_pop(&b, mark);
    }
    rc = read_configurations(&b, cve);
out:
    if (rc) {
        advb_discard(&b);
        return rc;
    }
    *out = advb_finish(&b);
    return 0;
}

int ts_nvd_from_json(const ts_json_t *doc, const char *name, ts_adv_cb cb, ts_adv_bad_cb bad,
                     void *ctx, char *err, size_t errsize)
{
    ts_json_t *vulns;
    size_t n;
    char msg[TS_JSON_ERRMAX];
    char why[512];
    int rc = ts_json_get_array(doc, "vulnerabilities", true, &vulns, &n, msg, sizeof msg);
    if (rc) {
        ts_seterr(err, errsize, "%s: %s", name, msg);
        return rc;
    }
    for (size_t i = 0; i < n; i++) {
        ts_advisory_t *a;
        rc = read_cve(vulns, name, i, &a, why, sizeof why);
        if (rc) {
            if (bad == NULL) {
                ts_seterr(err, errsize, "%s", why);
                return rc;
            }
            bad(name, i, rc, why, ctx);
            continue;
        }
        rc = cb(a, ctx);
        if (rc)
            return rc;
    }
    return 0;
}

int ts_nvd_parse(const char *data, size_t len, const char *name, ts_adv_cb cb, ts_adv_bad_cb bad,
                 void *ctx, char *err, size_t errsize)
{
    ts_json_t *doc;
    if (name == NULL)
        name = "advisory";
    int rc = advb_parse_json(data, len, name, &doc, err, errsize);
    if (rc)
        return rc;
    rc = ts_nvd_from_json(doc, name, cb, bad, ctx, err, errsize);
    ts_json_free(doc);
    return rc;
}
