/* SPDX-License-Identifier: Apache-2.0 */
/* Shadowserver reports by the schema: broken schemas first, then every
 * conversion, the report type from file names, rows (broken ones first),
 * and the corpus reports with expectations read from their CSV here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "ingest/shadowserver.h"
#include "parsetest.h"
#include "testutil.h"

static void test_schema_broken(void **state)
{
    (void)state;
    static const struct {
        const char *json;
        int rc;
        const char *part;
    } cases[] = {
        {"", TS_ETRUNC, "not JSON"},
        {"{", TS_ETRUNC, "not JSON"},
        {"[]", TS_ETYPE, "root is not an object"},
        {"{\"_meta\":{}}", TS_EMISSING, "no report"},
        {"{\"r\":[]}", TS_ETYPE, "report r: not an object"},
        {"{\"r\":{\"file_name\":\"r\",\"required_fields\":[]}}", TS_EMISSING, "feed_name"},
        {"{\"r\":{\"feed_name\":1,\"file_name\":\"r\",\"required_fields\":[]}}", TS_ETYPE,
         "feed_name\" is not a string"},
        {"{\"r\":{\"feed_name\":\"R\",\"file_name\":\"r\"}}", TS_EMISSING, "required_fields"},
        {"{\"r\":{\"feed_name\":\"R\",\"file_name\":\"r\",\"required_fields\":[[\"source.ip\"]]}}",
         TS_ETYPE, "required_fields[0]: expected [field, column"},
        {"{\"r\":{\"feed_name\":\"R\",\"file_name\":\"r\",\"required_fields\":[[\"source.ip\","
         "\"ip\",\"to_upper\"]]}}",
         TS_EINVAL, "unknown conversion \"to_upper\""},
        {"{\"r\":{\"feed_name\":\"R\",\"file_name\":\"r\",\"required_fields\":[[1,\"ip\"]]}}",
         TS_ETYPE, "must be strings"},
        {"{\"r\":{\"feed_name\":\"R\",\"file_name\":\"r\",\"required_fields\":[],"
         "\"constant_fields\":{\"classification.type\":\"nonsense\"}}}",
         TS_EINVAL, "not an RSIT type"},
        {"{\"r\":{\"feed_name\":\"R\",\"file_name\":\"r\",\"required_fields\":[],"
         "\"constant_fields\":[]}}",
         TS_ETYPE, "constant_fields is not an object"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ts_ss_schema_t *s = (void *)1;
        char err[256] = "";
        int rc = ts_ss_schema_parse(cases[i].json, strlen(cases[i].json), &s, err, sizeof err);
        if (rc != cases[i].rc || strstr(err, cases[i].part) == NULL)
            fail_msg("case %zu: rc %d err '%s' (want %d, '%s')", i, rc, err, cases[i].rc,
                     cases[i].part);
        assert_null(s);
    }
}

static void test_conversions(void **state)
{
    (void)state;
    /* conversion, value, result ("" = nothing, NULL = refused) */
    static const char *const cases[][3] = {
        {"", "abc", "abc"},
        {"", "", ""},
        {"validate_to_none", "x", "x"},
        {"validate_to_none", "0", ""},
        {"validate_to_none", "unknown", ""},
        {"validate_to_none", "", ""},
        {"convert_int", "42", "42"},
        {"convert_int", " -7 ", "-7"},
        {"convert_int", "", ""},
        {"convert_int", "4x", NULL},
        {"convert_float", "27.33", "27.329999999999998"},
        {"convert_float", "1e3", "1000"},
        {"convert_float", "nan", NULL},
        {"convert_float", "", ""},
        {"convert_bool", "Yes", "true"},
        {"convert_bool", "enabled", "true"},
        {"convert_bool", "1", "true"},
        {"convert_bool", "n", "false"},
        {"convert_bool", "DISABLED", "false"},
        {"convert_bool", "maybe", ""},
        {"invalidate_zero", "0", ""},
        {"invalidate_zero", "64512", "64512"},
        {"invalidate_zero", "", ""},
        {"invalidate_zero", "zero", NULL},
        {"validate_ip", "192.0.2.1", "192.0.2.1"},
        {"validate_ip", "2001:db8::1", "2001:db8::1"},
        {"validate_ip", "0.0.0.0", ""},
        {"validate_ip", "192.0.2.0/24", ""},
        {"validate_ip", "x.x.51.198", ""},
        {"validate_network", "192.0.2.0/24", "192.0.2.0/24"},
        {"validate_network", "192.0.2.1", ""},
        {"validate_network", "192.0.2.1/24", ""},
        {"validate_fqdn", "node01.example.com", "node01.example.com"},
        {"validate_fqdn", "not a name", ""},
        {"validate_fqdn", "", ""},
        {"add_UTC_to_timestamp", "2021-03-27 00:00:00", "2021-03-27T00:00:00.000000+00:00"},
        {"add_UTC_to_timestamp", "yesterday", NULL},
        {"convert_date", "Wed, 10 Feb 2010 00:00:01 GMT", "2010-02-10T00:00:01.000000+00:00"},
        {"convert_date", "2010-02-10T01:00:00+01:00", "2010-02-10T00:00:00.000000+00:00"},
        {"convert_date", "", ""},
        {"convert_date", "Wed, 10 Foo 2010 00:00:01 GMT", NULL},
        {"convert_date_utc", "2021-03-27T00:00:00.521730Z", "2021-03-27T00:00:00.521730+00:00"},
        {"convert_date_utc", "2021-03-27 00:00:01", "2021-03-27T00:00:01.000000+00:00"},
        {"force_base64", "aGVsbG8=", "aGVsbG8="},
        {"force_base64", "hello", "aGVsbG8="},
        {"force_base64", "GET / HTTP/1.1", "R0VUIC8gSFRUUC8xLjE="},
        {"force_base64", "", ""},
        {"extract_cve_from_tag",
         "affected-software;cve-2024-56789;ssl;cve-2023-12345;cve-2023-12345",
         "cve-2023-12345,cve-2024-56789"},
        {"extract_cve_from_tag", "ssl;vpn;cve-x-1", ""},
        {"convert_http_host_and_url", "/a", "/a"},
        {"category_or_detail", "defacement", "defacement"},
        {"category_or_detail", "", ""},
        {"scan_exchange_taxonomy", "exchange;webshell", "intrusions"},
        {"scan_exchange_taxonomy", "exchange", "vulnerable"},
        {"scan_exchange_type", "exchange;webshell", "system-compromise"},
        {"scan_exchange_type", "", "infected-system"},
        {"scan_exchange_identifier", "exchange;webshell", "exchange-server-webshell"},
        {"scan_exchange_identifier", "x", "vulnerable-exchange-server"},
    };
    ts_arena_t *a = ts_arena_new(4096);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ts_buf_t b = TS_BUF_INIT;
        int rc = ts_ss_convert(cases[i][0], cases[i][1], a, &b);
        if (cases[i][2] == NULL) {
            if (rc != TS_EINVAL)
                fail_msg("%s(%s): rc %d, want refused", cases[i][0], cases[i][1], rc);
        } else if (rc != 0 || strcmp(b.data ? b.data : "", cases[i][2]) != 0) {
            fail_msg("%s(%s): rc %d '%s', want '%s'", cases[i][0], cases[i][1], rc,
                     b.data ? b.data : "", cases[i][2]);
        }
        ts_buf_free(&b);
    }
    ts_buf_t b = TS_BUF_INIT;
    assert_int_equal(ts_ss_convert("to_upper", "x", a, &b), TS_ENOENT);
    ts_arena_free(a);
}

static ts_ss_schema_t *demo_schema(void)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/demo/shadowserver-schema.json", TS_SOURCE_DIR);
    ts_ss_schema_t *s = NULL;
    char err[256];
    if (ts_ss_schema_load(path, &s, err, sizeof err) != 0)
        fail_msg("%s", err);
    return s;
}

static void test_report_type(void **state)
{
    (void)state;
    ts_ss_schema_t *s = demo_schema();
    assert_string_equal(ts_ss_schema_date(s), "2026-12-01T00:00:00Z");
    int rdp = ts_ss_report_find(s, "scan_demo_rdp");
    int bf = ts_ss_report_find(s, "event_demo_brute_force");
    assert_true(rdp >= 0 && bf >= 0);
    assert_int_equal(ts_ss_report_find(s, "event4_demo_brute_force"), bf); /* file_name */
    assert_int_equal(ts_ss_report_find(s, "scan_nope"), -1);
    assert_int_equal(ts_ss_report_from_path(s, "/x/2024-07-04-scan_demo_rdp-123-sample-asn.csv"),
                     rdp);
    assert_int_equal(ts_ss_report_from_path(s, "2020-04-03-event4_demo_brute_force-a-b.csv"), bf);
    assert_int_equal(ts_ss_report_from_path(s, "demo_event4_demo_brute_force.csv"), bf);
    assert_int_equal(ts_ss_report_from_path(s, "2024-07-04-scan_other-1-x.csv"), -1);
    assert_int_equal(ts_ss_report_from_path(s, "report.csv"), -1);
    ts_ss_schema_free(s);
}

static int row(ts_ss_reader_t *r, ts_arena_t *a, const char *line, ts_event_t *e,
               ts_parse_error_t *err)
{
    size_t n = strlen(line);
    char *copy = malloc(n ? n : 1);
    memcpy(copy, line, n);
    int rc = ts_ss_reader_row(r, copy, n, a, e, err);
    /* Keep what the event holds past the line. */
    free(copy);
    return rc;
}

static void test_rows(void **state)
{
    (void)state;
    ts_ss_schema_t *s = demo_schema();
    ts_ss_reader_t *r = ts_ss_reader_new(s, ts_ss_report_find(s, "scan_demo_rdp"));
    ts_arena_t *a = ts_arena_new(1 << 16);
    ts_event_t e;
    ts_parse_error_t err;
    /* Before a header, and with a header that lacks a required column. */
    assert_int_equal(row(r, a, "a,b", &e, &err), TS_ESYNTAX);
    static const char h1[] = "\xEF\xBB\xBF\"timestamp\",\"ip\",\"asn\"";
    assert_int_equal(ts_ss_reader_header(r, h1, sizeof h1 - 1, &err), 0);
    assert_int_equal(row(r, a, "\"2026-01-01 00:00:00\",192.0.2.1,64500", &e, &err), TS_EMISSING);
    assert_non_null(strstr(err.detail, "required column port"));
    /* A good header: BOM, a repeated column, columns the schema does not map. */
    static const char h2[] = "\xEF\xBB\xBF\"timestamp\",\"ip\",\"port\",\"asn\",\"tag\",\"tag\","
                             "\"bluekeep_vulnerable\",\"response_size\",\"naics\"";
    assert_int_equal(ts_ss_reader_header(r, h2, sizeof h2 - 1, &err), 0);
    /* Broken rows. */
    assert_int_equal(row(r, a, "\"2026-01-01 00:00:00\",192.0.2.1,3389", &e, &err), TS_ESYNTAX);
    assert_non_null(strstr(err.detail, "3 fields where the header has 9"));
    assert_int_equal(row(r, a, "\"2026-01-01 00:00:00\";192.0.2.1;3389;0;;;;;", &e, &err),
                     TS_ESYNTAX);
    assert_int_equal(row(r, a, "\"2026-01-01 00:00:00,192.0.2.1,3389,0,a,b,y,1,2", &e, &err),
                     TS_ESYNTAX);
    assert_int_equal(row(r, a, ",192.0.2.1,3389,0,,,,,", &e, &err), TS_EMISSING);
    assert_non_null(strstr(err.detail, "required field time.source (column timestamp) is empty"));
    assert_int_equal(row(r, a, "\"2026-01-01 00:00:00\",192.0.2.1,port,0,,,,,", &e, &err),
                     TS_EINVAL);
    assert_non_null(strstr(err.detail, "port: convert_int refuses"));
    assert_int_equal(row(r, a, "\"2026-01-01 00:00:00\",0.0.0.0,3389,0,,,,,", &e, &err),
                     TS_EMISSING); /* validate_ip gave nothing: nothing to route */
    /* A good one. */
    assert_int_equal(row(r, a,
                         "\"2026-01-01 00:00:00\",192.0.2.1,3389,0,\"rdp,ssl\",second,Yes,big,"
                         "\"=cmd\"",
                         &e, &err),
                     TS_PARSE_EVENT);
    assert_int_equal(e.time_source, INT64_C(1767225600000000));
    char ip[64];
    ts_ip_format(&e.src.ip, ip, sizeof ip);
    assert_string_equal(ip, "192.0.2.1");
    assert_int_equal(e.src.port, 3389);
    assert_int_equal(e.src.asn, -1); /* invalidate_zero */
    assert_string_equal(ts_type_name(e.type), "vulnerable-system");
    assert_true(ts_str_eq_c(e.identifier, "accessible-rdp"));
    assert_true(ts_str_eq_c(e.application, "rdp"));
    assert_true(ts_str_eq_c(e.feed_name, "Demo-Accessible-RDP"));
    assert_true(ts_str_eq_c(e.feed_provider, "Shadowserver"));
    assert_string_equal(tt_extra(&e, "tag"), "\"rdp,ssl\"");
    assert_string_equal(tt_extra(&e, "tag_2"), "\"second\"");
    assert_string_equal(tt_extra(&e, "bluekeep_vulnerable"), "true");
    /* An optional value its conversion refuses is kept as it came. */
    assert_string_equal(tt_extra(&e, "response_size"), "\"big\"");
    /* Unmapped columns go to extra, JSON-escaped. */
    assert_string_equal(tt_extra(&e, "naics"), "\"=cmd\"");
    ts_arena_free(a);
    ts_ss_reader_free(r);
    ts_ss_schema_free(s);
}

/* ---- The corpus, with expectations read here ----------------------------------- */

/* Field k of a CSV line, by a reader written for this test. */
static void naive_field(const char *line, int k, char *out, size_t size)
{
    int f = 0;
    size_t o = 0;
    bool q = false;
    for (const char *p = line; *p && *p != '\n' && *p != '\r'; p++) {
        if (*p == '"') {
            if (q && p[1] == '"') {
                if (f == k && o + 1 < size)
                    out[o++] = '"';
                p++;
            } else {
                q = !q;
            }
        } else if (*p == ',' && !q) {
            f++;
        } else if (f == k && o + 1 < size) {
            out[o++] = *p;
        }
    }
    out[o] = '\0';
}

static int column(const char *header, const char *name)
{
    char buf[64];
    for (int k = 0; k < 128; k++) {
        naive_field(header, k, buf, sizeof buf);
        if (strcmp(buf, name) == 0)
            return k;
    }
    return -1;
}

static void corpus_report(ts_ss_schema_t *s, const char *rel, const char *report,
                          const char *ip_col, const char *type)
{
    char *path = tt_corpus_path(rel);
    if (path == NULL)
        return;
    size_t len;
    char *data = tt_read_file(path, &len);
    assert_non_null(data);
    int rep = ts_ss_report_from_path(s, path);
    assert_int_equal(rep, ts_ss_report_find(s, report));
    ts_ss_reader_t *r = ts_ss_reader_new(s, rep);
    ts_arena_t *a = ts_arena_new(1 << 16);
    ts_parse_error_t err;
    char *line = data, *nl = strchr(line, '\n');
    assert_int_equal(ts_ss_reader_header(r, line, (size_t)(nl - line), &err), 0);
    int ipk = column(line, ip_col);
    assert_true(ipk >= 0);
    size_t rows = 0;
    for (line = nl + 1; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        ts_event_t e;
        char *copy = malloc(n);
        memcpy(copy, line, n);
        int rc = ts_ss_reader_row(r, copy, n, a, &e, &err);
        free(copy);
        if (rc != TS_PARSE_EVENT)
            fail_msg("%s row %zu: %s", rel, rows + 2, err.detail);
        char want[64], got[64];
        naive_field(line, ipk, want, sizeof want);
        ts_ip_format(&e.src.ip, got, sizeof got);
        assert_string_equal(got, want);
        assert_string_equal(ts_type_name(e.type), type);
        rows++;
        if (nl == NULL)
            break;
    }
    size_t lines = 0;
    for (const char *p = data; *p; p++)
        lines += *p == '\n';
    assert_int_equal(rows, lines - 1); /* no record of these spans lines */
    ts_arena_free(a);
    ts_ss_reader_free(r);
    free(data);
    free(path);
}

static void test_corpus(void **state)
{
    (void)state;
    char *path = tt_corpus_path("feeds/shadowserver-schema/intelmq.json");
    if (path == NULL)
        skip();
    ts_ss_schema_t *s;
    char err[256];
    assert_int_equal(ts_ss_schema_load(path, &s, err, sizeof err), 0);
    free(path);
    assert_int_equal(ts_ss_schema_reports(s), 170);
    assert_string_equal(ts_ss_schema_date(s), "2026-03-24T15:31:20Z");
    corpus_report(s, "feeds/shadowserver_event4_honeypot_brute_force.csv",
                  "event_honeypot_brute_force", "src_ip", "brute-force");
    corpus_report(s, "feeds/shadowserver_event4_sinkhole_http.csv", "event_sinkhole_http", "src_ip",
                  "infected-system");
    corpus_report(s, "feeds/shadowserver_scan_ntp.csv", "scan_ntp", "ip", "vulnerable-system");
    corpus_report(s, "exchange/shadowserver-scan_http_vulnerable.csv", "scan_http_vulnerable", "ip",
                  "vulnerable-system");
    ts_ss_schema_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_broken), cmocka_unit_test(test_conversions),
        cmocka_unit_test(test_report_type),   cmocka_unit_test(test_rows),
        cmocka_unit_test(test_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
