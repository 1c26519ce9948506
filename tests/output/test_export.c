/* SPDX-License-Identifier: Apache-2.0 */
/* Exchange formats: golden files for each, IODEF valid against the RFC 7970
 * schema (libxml2), every text escaped, and IDEA in -> out -> in giving the
 * same events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>
#include <libxml/parser.h>
#include <libxml/xmlschemas.h>

#include "core/arena.h"
#include "ingest/parser.h"
#include "output/export.h"
#include "parsetest.h"
#include "testutil.h"

#define NOW INT64_C(1764547200000000) /* 2025-12-01T00:00:00Z */

/* Events covering every side form: one address, targets, a network, names. */
static const char *const idea_in[] = {
    "{\"Format\":\"IDEA0\",\"ID\":\"a1\",\"DetectTime\":\"2026-11-27T06:30:00Z\","
    "\"EventTime\":\"2026-11-27T06:00:00.25Z\",\"Category\":[\"Attempt.Login\"],"
    "\"Description\":\"ssh <brute> & \\\"force\\\"\",\"TLP\":\"GREEN\",\"ConnCount\":7,"
    "\"Source\":[{\"IP4\":[\"192.0.2.7\"],\"Port\":[40000],\"Proto\":[\"tcp\",\"ssh\"]}],"
    "\"Target\":[{\"IP4\":[\"198.51.100.0-198.51.100.9\",\"203.0.113.5\"],\"Port\":[22]}]}",
    "{\"Format\":\"IDEA0\",\"ID\":\"a2\",\"DetectTime\":\"2026-11-27T07:00:00Z\","
    "\"Category\":[\"Malware.Ransomware\"],\"TLP\":\"AMBER\","
    "\"Source\":[{\"IP6\":[\"2001:db8::1\"],\"Hostname\":[\"bad.example\"],"
    "\"URL\":[\"http://bad.example/x?a=1&b=<2>\"]}],\"_CESNET\":{\"x\":1}}",
    "{\"Format\":\"IDEA0\",\"ID\":\"a3\",\"DetectTime\":\"2026-11-27T08:00:00Z\","
    "\"Category\":[\"Recon.Scanning\"],\"TLP\":\"RED\",\"Source\":[{\"IP4\":[\"192.0.2.9\"]}]}",
    "{\"Format\":\"IDEA0\",\"ID\":\"a4\",\"DetectTime\":\"2026-11-27T09:00:00Z\","
    "\"Category\":[\"Abusive.Spam\"],\"Source\":[{\"IP4\":[\"10.0.0.0/8\"]}]}",
};
#define N_IN (sizeof idea_in / sizeof idea_in[0])

typedef struct fx {
    ts_arena_t *a;
    ts_stored_event_t ev[N_IN];
} fx_t;

static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    f->a = ts_arena_new(1 << 16);
    setenv("TOCSIN_CSIRT_NAME", "CERT <Example> & Co", 1);
    for (size_t i = 0; i < N_IN; i++) {
        ts_parse_error_t err;
        if (tt_parse_n(ts_idea_parse, f->a, idea_in[i], strlen(idea_in[i]), &f->ev[i].ev, &err) !=
            TS_PARSE_EVENT) {
            fprintf(stderr, "fixture %zu: %s\n", i, err.detail);
            return -1;
        }
        f->ev[i].id = (int64_t)i + 1;
    }
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    ts_arena_free(f->a);
    free(f);
    return 0;
}

static void export_all(fx_t *f, ts_export_fmt_t fmt, ts_buf_t *b, size_t *written)
{
    ts_export_t x;
    ts_export_begin(&x, fmt, NOW, b);
    for (size_t i = 0; i < N_IN; i++)
        ts_export_event(&x, &f->ev[i], b);
    ts_export_end(&x, b);
    *written = x.written;
    assert_int_equal(x.withheld, 1); /* the RED one */
}

static void test_parse_names(void **state)
{
    (void)state;
    ts_export_fmt_t f;
    assert_int_equal(ts_export_parse("csv", &f), TS_EINVAL);
    assert_int_equal(ts_export_parse("IDEA", &f), TS_EINVAL);
    assert_int_equal(ts_export_parse(NULL, &f), TS_EINVAL);
    assert_int_equal(ts_export_parse("stix", &f), 0);
    assert_int_equal(f, TS_EXPORT_STIX);
}

static void golden(fx_t *f, ts_export_fmt_t fmt, const char *name)
{
    ts_buf_t b = TS_BUF_INIT;
    size_t n;
    export_all(f, fmt, &b, &n);
    assert_int_equal(n, N_IN - 1);
    char why[512];
    if (tt_golden(name, b.data, b.len, why, sizeof why) != 0)
        fail_msg("%s: %s", name, why);
    ts_buf_free(&b);
}

static void test_golden(void **state)
{
    fx_t *f = *state;
    golden(f, TS_EXPORT_IDEA, "export/events.idea");
    golden(f, TS_EXPORT_IODEF, "export/events.iodef.xml");
    golden(f, TS_EXPORT_STIX, "export/events.stix.json");
    golden(f, TS_EXPORT_MISP, "export/events.misp.json");
}

static void test_json_valid(void **state)
{
    fx_t *f = *state;
    ts_export_fmt_t fmts[] = {TS_EXPORT_STIX, TS_EXPORT_MISP};
    for (int i = 0; i < 2; i++) {
        ts_buf_t b = TS_BUF_INIT;
        size_t n;
        export_all(f, fmts[i], &b, &n);
        json_object *o = json_tokener_parse(b.data);
        assert_non_null(o);
        json_object *arr;
        assert_true(
            json_object_object_get_ex(o, fmts[i] == TS_EXPORT_STIX ? "objects" : "response", &arr));
        if (fmts[i] == TS_EXPORT_MISP)
            assert_int_equal(json_object_array_length(arr), n);
        json_object_put(o);
        ts_buf_free(&b);
    }
}

static void validate(const char *doc, size_t len, bool want)
{
    char xsd[4096];
    snprintf(xsd, sizeof xsd, "%s/iodef/iodef-2.0-subset.xsd", TS_TEST_DATA);
    xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(xsd);
    xmlSchemaPtr schema = xmlSchemaParse(pc);
    assert_non_null(schema);
    xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
    xmlDocPtr d = xmlReadMemory(doc, (int)len, "export.xml", NULL, XML_PARSE_NONET);
    assert_non_null(d);
    int rc = xmlSchemaValidateDoc(vc, d);
    if ((rc == 0) != want)
        fail_msg("validation gave %d, wanted %s:\n%s", rc, want ? "valid" : "invalid", doc);
    xmlFreeDoc(d);
    xmlSchemaFreeValidCtxt(vc);
    xmlSchemaFree(schema);
    xmlSchemaFreeParserCtxt(pc);
}

static void test_iodef_schema(void **state)
{
    fx_t *f = *state;
    /* The schema itself refuses what RFC 7970 refuses. */
    static const char bad[] =
        "<IODEF-Document version=\"2.00\" xmlns=\"urn:ietf:params:xml:ns:iodef-2.0\">"
        "<Incident purpose=\"reporting\"><IncidentID name=\"x\">1</IncidentID>"
        "<GenerationTime>2026-01-01T00:00:00Z</GenerationTime></Incident></IODEF-Document>";
    validate(bad, sizeof bad - 1, false); /* no Contact */
    ts_buf_t b = TS_BUF_INIT;
    size_t n;
    export_all(f, TS_EXPORT_IODEF, &b, &n);
    validate(b.data, b.len, true);
    ts_buf_free(&b);
    /* An empty export is a valid document too. */
    ts_export_t x;
    ts_export_begin(&x, TS_EXPORT_IODEF, NOW, &b);
    ts_export_end(&x, &b);
    validate(b.data, b.len, true);
    ts_buf_free(&b);
}

static void same_side(const ts_endpoint_t *a, const ts_endpoint_t *b)
{
    assert_true(ts_ip_equal(&a->ip, &b->ip) || (a->ip.family == 0 && b->ip.family == 0));
    assert_int_equal(a->port, b->port);
    assert_int_equal(a->asn, b->asn);
    assert_true(ts_str_eq(a->fqdn, b->fqdn));
    assert_true(ts_str_eq(a->url, b->url));
    assert_int_equal(ts_prefix_compare(&a->network, &b->network), 0);
    assert_int_equal(a->targets == NULL, b->targets == NULL);
    if (a->targets) {
        assert_int_equal(a->targets->n, b->targets->n);
        assert_int_equal(a->targets->count, b->targets->count);
        for (uint32_t i = 0; i < a->targets->n; i++)
            assert_int_equal(ts_prefix_compare(&a->targets->list[i], &b->targets->list[i]), 0);
    }
}

static void test_round_trip(void **state)
{
    fx_t *f = *state;
    ts_buf_t b = TS_BUF_INIT;
    size_t n;
    export_all(f, TS_EXPORT_IDEA, &b, &n);
    const char *p = b.data;
    size_t k = 0;
    for (size_t i = 0; i < N_IN; i++) {
        const ts_event_t *e1 = &f->ev[i].ev;
        if (!ts_export_allowed(e1->tlp))
            continue;
        const char *nl = strchr(p, '\n');
        assert_non_null(nl);
        ts_event_t e2;
        ts_parse_error_t err;
        int rc = tt_parse_n(ts_idea_parse, f->a, p, (size_t)(nl - p), &e2, &err);
        if (rc != TS_PARSE_EVENT)
            fail_msg("line %zu: %s", k, err.detail);
        p = nl + 1;
        k++;
        assert_int_equal(e1->time_source, e2.time_source);
        assert_int_equal(e1->time_observation, e2.time_observation);
        assert_int_equal(e1->type, e2.type);
        assert_true(ts_str_eq(e1->identifier, e2.identifier));
        assert_true(ts_str_eq(e1->description, e2.description));
        assert_true(ts_str_eq(e1->transport, e2.transport));
        assert_true(ts_str_eq(e1->application, e2.application));
        assert_int_equal(e1->tlp, e2.tlp);
        assert_int_equal(e1->count, e2.count);
        same_side(&e1->src, &e2.src);
        same_side(&e1->dst, &e2.dst);
        assert_int_equal(e1->n_extra, e2.n_extra);
        for (uint32_t x = 0; x < e1->n_extra; x++) {
            assert_true(ts_str_eq(e1->extra[x].key, e2.extra[x].key));
            /* json-c writes the values back in its own spacing. */
            json_object *v1 = json_tokener_parse(e1->extra[x].value_json.ptr);
            json_object *v2 = json_tokener_parse(e2.extra[x].value_json.ptr);
            assert_true(json_object_equal(v1, v2));
            json_object_put(v1);
            json_object_put(v2);
        }
    }
    assert_int_equal(k, n);
    assert_int_equal(*p, '\0');
    ts_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_names),
        cmocka_unit_test_setup_teardown(test_golden, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json_valid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_iodef_schema, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
