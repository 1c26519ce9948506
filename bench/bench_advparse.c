/* SPDX-License-Identifier: Apache-2.0 */
/* Advisory reading throughput: ts_csaf_parse over a synthetic CSAF 2.0
 * document shaped like the CISA ICS advisories (vendor > product_name >
 * product_version_range "<V3.x" vls leaves, notes, references, one
 * vulnerability per product pair with product_status, remediations, cvss_v3),
 * about 13 KB with 20 products, held in memory; and json-c alone (strict,
 * UTF-8 checked, object built and freed) on the same bytes as the baseline of
 * what parsing costs before any reading. Usage: bench_advparse [PRODUCTS]
 * [SECONDS] [ours]; prints documents/s and MB/s ("ours" skips the json-c
 * baseline, for profiling). */
#include <json-c/json.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "advisory/advisory.h"
#include "core/error.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *doc;
static size_t len, cap;

static void add(const char *fmt, ...) TS_PRINTF(1, 2);
static void add(const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(doc + len, cap - len, fmt, ap);
        va_end(ap);
        if (n >= 0 && (size_t)n < cap - len) {
            len += (size_t)n;
            return;
        }
        cap = cap ? 2 * cap : 16384;
        doc = realloc(doc, cap);
        if (doc == NULL)
            abort();
    }
}

static void generate(int nprod)
{
    add("{\"document\":{\"category\":\"csaf_security_advisory\",\"csaf_version\":\"2.0\","
        "\"distribution\":{\"text\":\"Disclosure is not limited\",\"tlp\":{\"label\":\"WHITE\","
        "\"url\":\"https://us-cert.cisa.gov/tlp/\"}},\"lang\":\"en-US\",\"notes\":[");
    for (int i = 0; i < 4; i++)
        add("%s{\"category\":\"general\",\"text\":\"CISA recommends users take defensive "
            "measures to minimize the risk of exploitation of these vulnerabilities, such as "
            "minimizing network exposure for all control system devices (note %d).\","
            "\"title\":\"Recommended Practices\"}",
            i ? "," : "", i);
    add("],\"publisher\":{\"category\":\"other\",\"contact_details\":\"central@cisa.dhs.gov\","
        "\"name\":\"CISA\",\"namespace\":\"https://www.cisa.gov/\"},\"references\":[");
    for (int i = 0; i < 5; i++)
        add("%s{\"category\":\"external\",\"summary\":\"Recommended Practices\","
            "\"url\":\"https://www.cisa.gov/resources-tools/resources/ics-recommended-"
            "practices-%d\"}",
            i ? "," : "", i);
    add("],\"title\":\"Example Vendor Industrial Products\",\"tracking\":{"
        "\"current_release_date\":\"2024-10-08T00:00:00.000000Z\",\"id\":\"ICSA-24-999-01\","
        "\"initial_release_date\":\"2024-10-08T00:00:00.000000Z\",\"revision_history\":"
        "[{\"date\":\"2024-10-08T00:00:00.000000Z\",\"number\":\"1.0.0\",\"summary\":"
        "\"Initial Publication\"}],\"status\":\"final\",\"version\":\"1.0.0\"}},"
        "\"product_tree\":{\"branches\":[{\"category\":\"vendor\",\"name\":\"Example Vendor, "
        "Inc. \",\"branches\":[");
    for (int i = 0; i < nprod; i++)
        add("%s{\"category\":\"product_name\",\"name\":\"SIMATIC Example Controller %d\","
            "\"branches\":[{\"category\":\"product_version_range\",\"name\":\"<V3.%d.%d\","
            "\"product\":{\"name\":\"SIMATIC Example Controller %d (all versions < V3.%d.%d)\","
            "\"product_id\":\"CSAFPID-%04d\"}}]}",
            i ? "," : "", i, i % 7, 10 + i, i, i % 7, 10 + i, i + 1);
    add("]}]},\"vulnerabilities\":[");
    for (int v = 0; v < nprod / 2; v++) {
        add("%s{\"cve\":\"CVE-2024-%05d\",\"cwe\":{\"id\":\"CWE-787\",\"name\":\"Out-of-bounds "
            "Write\"},\"notes\":[{\"category\":\"summary\",\"text\":\"An out-of-bounds write "
            "could allow an attacker to execute code.\",\"title\":\"Vulnerability Summary\"}],"
            "\"product_status\":{\"known_affected\":[\"CSAFPID-%04d\",\"CSAFPID-%04d\"]},"
            "\"remediations\":[{\"category\":\"vendor_fix\",\"details\":\"Update to V3.%d.%d "
            "or later version\",\"product_ids\":[\"CSAFPID-%04d\"],\"url\":"
            "\"https://support.example.test/view/%d\"},{\"category\":\"mitigation\",\"details\":"
            "\"Restrict network access to the affected devices\",\"product_ids\":"
            "[\"CSAFPID-%04d\",\"CSAFPID-%04d\"]}],\"scores\":[{\"cvss_v3\":{\"baseScore\":%d.%d,"
            "\"baseSeverity\":\"HIGH\",\"vectorString\":\"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/"
            "I:H/A:H\",\"version\":\"3.1\"},\"products\":[\"CSAFPID-%04d\",\"CSAFPID-%04d\"]}]}",
            v ? "," : "", 40000 + v, 2 * v + 1, 2 * v + 2, (2 * v) % 7, 10 + 2 * v, 2 * v + 1, v,
            2 * v + 1, 2 * v + 2, 7 + v % 3, v % 10, 2 * v + 1, 2 * v + 2);
    }
    add("]}");
}

int main(int argc, char **argv)
{
    int nprod = argc > 1 ? atoi(argv[1]) : 20;
    double secs = argc > 2 ? atof(argv[2]) : 2.0;
    if (nprod < 2 || nprod > 5000 || !(secs > 0 && secs < 600)) {
        fprintf(stderr, "usage: bench_advparse [PRODUCTS 2-5000] [SECONDS]\n");
        return 2;
    }
    generate(nprod);
    char err[256];
    ts_advisory_t *a;
    if (ts_csaf_parse(doc, len, "bench", &a, err, sizeof err) != 0) {
        fprintf(stderr, "generated document refused: %s\n", err);
        return 1;
    }
    size_t nprods = a->n_products, nprob = a->n_problems;
    ts_advisory_free(a);

    /* ts_csaf_parse: validate, build the tree, read it into an advisory, free. */
    long n = 0;
    double t0 = now(), t;
    do {
        for (int i = 0; i < 50; i++) {
            if (ts_csaf_parse(doc, len, "bench", &a, err, sizeof err) != 0)
                abort();
            ts_advisory_free(a);
        }
        n += 50;
    } while ((t = now() - t0) < secs);
    double ours = (double)n / t;

    printf("document: %zu bytes, %d products (%zu entries, %zu problems)\n", len, nprod, nprods,
           nprob);
    printf("ts_csaf_parse: %.0f documents/s, %.1f MB/s, %.1f us/document\n", ours,
           ours * (double)len / 1e6, 1e6 / ours);
    if (argc > 3 && strcmp(argv[3], "ours") == 0) {
        free(doc);
        return 0;
    }

    /* json-c alone on the same bytes. */
    struct json_tokener *tok = json_tokener_new();
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    long m = 0;
    t0 = now();
    do {
        for (int i = 0; i < 50; i++) {
            json_tokener_reset(tok);
            struct json_object *o = json_tokener_parse_ex(tok, doc, (int)len);
            if (o == NULL)
                abort();
            json_object_put(o);
        }
        m += 50;
    } while ((t = now() - t0) < secs);
    json_tokener_free(tok);
    double base = (double)m / t;

    printf("json-c only:   %.0f documents/s, %.1f MB/s, %.1f us/document\n", base,
           base * (double)len / 1e6, 1e6 / base);
    free(doc);
    return 0;
}
