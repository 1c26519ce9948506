/* SPDX-License-Identifier: Apache-2.0 */
/* Mapping files: broken mappings first, the two worked examples of
 * docs/feeds.md, bad rows, and the built-in mappings (CERT-EU, CTIP) on the
 * corpus with expectations read in the test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "core/arena.h"
#include "ingest/mapping.h"
#include "parsetest.h"
#include "testutil.h"

static ts_arena_t *arena;

static void test_broken(void **state)
{
    (void)state;
    static const struct {
        const char *json, *part;
    } cases[] = {
        {"", "not JSON"},
        {"[]", "root is not an object"},
        {"{\"fields\":[{\"column\":\"a\",\"field\":\"source.ip\"}]}", "format"},
        {"{\"format\":\"xml\",\"fields\":[]}", "format"},
        {"{\"format\":\"csv\"}", "fields: a non-empty array"},
        {"{\"format\":\"csv\",\"fields\":[]}", "fields: a non-empty array"},
        {"{\"format\":\"csv\",\"fields\":[{\"column\":\"a\",\"field\":\"source.ipp\"}]}",
         "unknown field \"source.ipp\""},
        {"{\"format\":\"csv\",\"fields\":[{\"column\":\"a\",\"field\":\"extra.\"}]}",
         "unknown field"},
        {"{\"format\":\"csv\",\"fields\":[{\"column\":\"a\",\"field\":\"source.ip\","
         "\"conversion\":\"rot13\"}]}",
         "unknown conversion"},
        {"{\"format\":\"csv\",\"fields\":[{\"field\":\"source.ip\"}]}", "column: missing"},
        {"{\"format\":\"json\",\"fields\":[{\"column\":\"a\",\"field\":\"source.ip\"}]}",
         "path: missing"},
        {"{\"format\":\"csv\",\"fields\":[{\"column\":\"a\",\"field\":\"source.ip\",\"colour\":1}]"
         "}",
         "unknown field \"colour\""},
        {"{\"format\":\"csv\",\"delimiter\":\";;\",\"fields\":[{\"column\":\"a\",\"field\":"
         "\"source.ip\"}]}",
         "delimiter"},
        {"{\"format\":\"csv\",\"tlp\":\"PURPLE\",\"fields\":[{\"column\":\"a\",\"field\":"
         "\"source.ip\"}]}",
         "tlp"},
        {"{\"format\":\"csv\",\"time_format\":\"julian\",\"fields\":[{\"column\":\"a\","
         "\"field\":\"source.ip\"}]}",
         "time_format"},
        {"{\"format\":\"csv\",\"constants\":{\"source.colour\":\"x\"},\"fields\":[{\"column\":"
         "\"a\",\"field\":\"source.ip\"}]}",
         "unknown field \"source.colour\""},
        {"{\"format\":\"csv\",\"format\":\"json\",\"fields\":[]}", "not JSON"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ts_mapping_t *m = (void *)1;
        char err[256] = "";
        int rc = ts_mapping_parse(cases[i].json, strlen(cases[i].json), &m, err, sizeof err);
        if (rc >= 0 || strstr(err, cases[i].part) == NULL)
            fail_msg("case %zu: rc %d err '%s' (want '%s')", i, rc, err, cases[i].part);
        assert_null(m);
    }
}

/* The feed behind a parser's ops, opened as ingest opens it. */
typedef struct feed {
    const ts_parser_ops_t *ops;
    void *st;
    ts_parser_framing_t fr;
} feed_t;

static void feed_open(feed_t *f, const ts_parser_ops_t *ops, const char *mapping)
{
    f->ops = ops;
    ts_parser_cfg_t cfg = {.mapping = mapping};
    char err[256] = "";
    if (ops->open(&cfg, &f->st, &f->fr, err, sizeof err) != 0)
        fail_msg("open: %s", err);
}

static int feed_line(feed_t *f, const char *line, bool first, ts_event_t *e, ts_parse_error_t *err)
{
    size_t n = strlen(line);
    char *copy = malloc(n ? n : 1);
    memcpy(copy, line, n);
    int rc = first && f->fr.header ? f->ops->header(f->st, copy, n, err)
                                   : f->ops->parse(f->st, copy, n, arena, e, err);
    free(copy);
    return rc;
}

static void example_path(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/docs/examples/%s", TS_SOURCE_DIR, name);
}

static void test_example_csv(void **state)
{
    (void)state;
    char path[4096];
    example_path(path, sizeof path, "mapping-phishing-csv.json");
    feed_t f;
    feed_open(&f, &ts_mapping_parser_ops, path);
    assert_int_equal(f.fr.csv_delim, ';');
    assert_true(f.fr.header);
    ts_event_t e;
    ts_parse_error_t err;
    assert_int_equal(feed_line(&f, "date;url;ip;asn;brand;status;seen_by", true, &e, &err), 0);
    assert_int_equal(feed_line(&f, "# a comment", false, &e, &err), TS_PARSE_SKIP);
    /* Broken rows. */
    assert_int_equal(feed_line(&f, "2026-11-27 06:00:00;http://x.example/", false, &e, &err),
                     TS_ESYNTAX);
    assert_int_equal(feed_line(&f, ";http://x.example/;;;;;", false, &e, &err), TS_EMISSING);
    assert_int_equal(feed_line(&f, "soon;http://x.example/;;;;;", false, &e, &err), TS_EINVAL);
    assert_int_equal(feed_line(&f, "2026-11-27 06:00:00;http://x.example/;;4x;;;", false, &e, &err),
                     TS_EINVAL);
    /* A good one. */
    assert_int_equal(feed_line(&f,
                               "2026-11-27 06:00:00;\"http://x.example/a;b\";192.0.2.5;0;Bank;"
                               "ONLINE;scanner-3",
                               false, &e, &err),
                     TS_PARSE_EVENT);
    assert_string_equal(ts_type_name(e.type), "phishing");
    assert_true(ts_str_eq_c(e.src.url, "http://x.example/a;b"));
    assert_int_equal(e.src.asn, -1);
    assert_int_equal(e.tlp, TS_TLP_GREEN);
    assert_true(ts_str_eq_c(e.identifier, "phishing-online"));
    assert_true(ts_str_eq_c(e.feed_name, "Example Phishing"));
    assert_string_equal(tt_extra(&e, "brand"), "\"Bank\"");
    assert_string_equal(tt_extra(&e, "seen_by"), "\"scanner-3\""); /* unmapped: kept */
    assert_int_equal(
        feed_line(&f, "2026-11-27 06:00:00;http://x.example/;;;;gone;", false, &e, &err),
        TS_PARSE_EVENT);
    assert_true(ts_str_eq_c(e.identifier, "phishing")); /* the map's default */
    f.ops->close(f.st);
}

static void test_example_json(void **state)
{
    (void)state;
    char path[4096];
    example_path(path, sizeof path, "mapping-honeypot-json.json");
    feed_t f;
    feed_open(&f, &ts_mapping_parser_ops, path);
    assert_int_equal(f.fr.csv_delim, 0);
    ts_event_t e;
    ts_parse_error_t err;
    assert_int_equal(feed_line(&f, "[1,2]", false, &e, &err), TS_ETYPE);
    assert_int_equal(feed_line(&f, "{\"ts\":1700000000", false, &e, &err), TS_ETRUNC);
    assert_int_equal(feed_line(&f, "{\"attacker\":{\"ip\":\"192.0.2.1\"}}", false, &e, &err),
                     TS_EMISSING);
    assert_int_equal(
        feed_line(&f, "{\"ts\":\"later\",\"attacker\":{\"ip\":\"192.0.2.1\"}}", false, &e, &err),
        TS_EINVAL);
    assert_int_equal(feed_line(&f,
                               "{\"ts\":1700000000,\"attacker\":{\"ip\":\"192.0.2.1\",\"port\":"
                               "5555},\"sensor\":{\"ip\":\"198.51.100.2\",\"port\":22},"
                               "\"service\":\"SSH\",\"attempts\":\"12\",\"label\":\"internal\","
                               "\"session\":{\"id\":\"ab\"}}",
                               false, &e, &err),
                     TS_PARSE_EVENT);
    assert_int_equal(e.time_source, INT64_C(1700000000000000));
    assert_int_equal(e.src.port, 5555);
    assert_int_equal(e.dst.port, 22);
    assert_true(ts_str_eq_c(e.application, "ssh"));
    assert_int_equal(e.tlp, TS_TLP_AMBER);
    assert_string_equal(tt_extra(&e, "attempts"), "12");
    assert_string_equal(tt_extra(&e, "session"), "{\"id\":\"ab\"}");
    f.ops->close(f.st);
}

static void test_certeu(void **state)
{
    (void)state;
    char *path = tt_corpus_path("feeds/cert_eu_example.csv");
    if (path == NULL)
        skip();
    char *data = tt_read_file(path, NULL);
    feed_t f;
    feed_open(&f, &ts_certeu_parser_ops, NULL);
    char *line = data;
    size_t rows = 0;
    for (bool first = true; *line; first = false) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        ts_event_t e;
        ts_parse_error_t err;
        int rc = feed_line(&f, line, first, &e, &err);
        if (first) {
            assert_int_equal(rc, 0);
        } else {
            if (rc != TS_PARSE_EVENT)
                fail_msg("row %zu: %s", rows + 2, err.detail);
            /* Expectations from the row itself: its 2nd field and its TLP word. */
            char ip[64], got[64];
            snprintf(ip, sizeof ip, "%.*s", (int)strcspn(strchr(line, ',') + 1, ","),
                     strchr(line, ',') + 1);
            ts_ip_format(&e.src.ip, got, sizeof got);
            assert_string_equal(got, ip);
            assert_int_equal(e.tlp, strstr(line, ",amber,") ? TS_TLP_AMBER : TS_TLP_GREEN);
            assert_string_equal(ts_type_name(e.type),
                                strstr(line, ",phishing,") ? "phishing" : "malware-distribution");
            rows++;
        }
        if (!nl)
            break;
        line = nl + 1;
    }
    assert_int_equal(rows, 2);
    f.ops->close(f.st);
    free(data);
    free(path);
}

static void test_ctip(void **state)
{
    (void)state;
    char *path = tt_corpus_path("feeds/microsoft_ctip_azure.jsonl");
    if (path == NULL)
        skip();
    char *data = tt_read_file(path, NULL);
    feed_t f;
    feed_open(&f, &ts_ctip_parser_ops, NULL);
    size_t rows = 0;
    for (char *line = data; *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        if (*line) {
            ts_event_t e;
            ts_parse_error_t err;
            int rc = feed_line(&f, line, false, &e, &err);
            if (rc != TS_PARSE_EVENT)
                fail_msg("line %zu: %s", rows + 1, err.detail);
            json_object *o = json_tokener_parse(line), *v;
            assert_true(json_object_object_get_ex(o, "SourceIp", &v));
            char got[64];
            ts_ip_format(&e.src.ip, got, sizeof got);
            assert_string_equal(got, json_object_get_string(v));
            assert_true(json_object_object_get_ex(o, "TLP", &v));
            const char *t = json_object_get_string(v);
            ts_tlp_t want = !strcasecmp(t, "Green") ? TS_TLP_GREEN : TS_TLP_AMBER;
            assert_int_equal(e.tlp, want); /* Amber, YELLOW and Unknown: AMBER */
            assert_string_equal(ts_type_name(e.type), "infected-system");
            json_object_put(o);
            rows++;
        }
        if (!nl)
            break;
        line = nl + 1;
    }
    assert_int_equal(rows, 6);
    f.ops->close(f.st);
    free(data);
    free(path);
}

int main(void)
{
    arena = ts_arena_new(1 << 16);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_broken),       cmocka_unit_test(test_example_csv),
        cmocka_unit_test(test_example_json), cmocka_unit_test(test_certeu),
        cmocka_unit_test(test_ctip),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    ts_arena_free(arena);
    return rc;
}
