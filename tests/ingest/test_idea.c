/* SPDX-License-Identifier: Apache-2.0 */
/* IDEA in: broken records first, every category, sides (addresses,
 * networks, ranges as targets), and the corpus messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "ingest/idea.h"
#include "ingest/parser.h"
#include "parsetest.h"
#include "testutil.h"

static ts_arena_t *arena;

static void test_broken(void **state)
{
    (void)state;
    tt_expect_err(ts_idea_parse, arena, "", TS_ETRUNC, NULL);
    tt_expect_err(ts_idea_parse, arena, "[1]", TS_ETYPE, "not an IDEA object");
    tt_expect_err(ts_idea_parse, arena, "{\"Format\":\"IDEA0\"}", TS_EMISSING, "DetectTime");
    tt_expect_err(ts_idea_parse, arena, "{\"Format\":\"STIX\",\"DetectTime\":\"2020-01-01Z\"}",
                  TS_EINVAL, "Format");
    tt_expect_err(ts_idea_parse, arena, "{\"DetectTime\":\"yesterday\"}", TS_EINVAL, "DetectTime");
    tt_expect_err(ts_idea_parse, arena,
                  "{\"DetectTime\":\"2020-01-01T00:00:00Z\",\"Source\":{\"IP4\":[]}}", TS_ETYPE,
                  "Source: not an array");
    tt_expect_err(ts_idea_parse, arena,
                  "{\"DetectTime\":\"2020-01-01T00:00:00Z\",\"Source\":[{\"IP4\":[\"1.2.3\"]}]}",
                  TS_EADDR, "not an address");
    tt_expect_err(ts_idea_parse, arena,
                  "{\"DetectTime\":\"2020-01-01T00:00:00Z\",\"Source\":[{\"IP4\":[\"1.2.3.9-1.2.3."
                  "1\"]}]}",
                  TS_EADDR, "range");
    tt_expect_err(ts_idea_parse, arena,
                  "{\"DetectTime\":\"2020-01-01T00:00:00Z\",\"TLP\":\"PURPLE\","
                  "\"Source\":[{\"IP4\":[\"192.0.2.1\"]}]}",
                  TS_EINVAL, "TLP");
    tt_expect_err(ts_idea_parse, arena, "{\"DetectTime\":\"2020-01-01T00:00:00Z\"}", TS_EMISSING,
                  "nothing to route");
}

static void test_categories(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"Attempt.Login", "brute-force"},
        {"attempt.login", "brute-force"},
        {"Availibility.DDoS", "ddos"},
        {"Availability.DoS", "dos"},
        {"Malware.Ransomware", "infected-system"},
        {"Recon.Scanning", "scanner"},
        {"Fraud.Phishing", "phishing"},
        {"Vulnerable.Open", "potentially-unwanted-accessible"},
        {"Intrusion.Botnet", "infected-system"},
        {"Test", "test"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ts_type_t t;
        assert_int_equal(ts_idea_category_type(cases[i][0], strlen(cases[i][0]), &t), 0);
        assert_string_equal(ts_type_name(t), cases[i][1]);
    }
    ts_type_t t;
    assert_int_equal(ts_idea_category_type("Bogus.Thing", 11, &t), TS_ENOENT);
    /* Every RSIT type is written as a category that reads back as a type. */
    for (int k = 0; k < TS_RSIT_TYPES; k++) {
        const char *c = ts_idea_type_category((ts_type_t)k);
        assert_int_equal(ts_idea_category_type(c, strlen(c), &t), 0);
    }
}

static void test_sides(void **state)
{
    (void)state;
    static const char rec[] =
        "{\"DetectTime\":\"2020-01-01T00:00:00Z\",\"Category\":[\"Recon.Scanning\"],"
        "\"Source\":[{\"IP4\":[\"192.0.2.1\"],\"Proto\":[\"tcp\",\"http\"]}],"
        "\"Target\":[{\"IP4\":[\"198.51.100.1-198.51.100.6\"]},{\"IP4\":[\"203.0.113.0/24\"],"
        "\"IP6\":[\"2001:db8::1\"],\"Port\":[80]}]}";
    ts_event_t e;
    ts_parse_error_t err;
    assert_int_equal(tt_parse_n(ts_idea_parse, arena, rec, sizeof rec - 1, &e, &err),
                     TS_PARSE_EVENT);
    char buf[512];
    ts_ip_format(&e.src.ip, buf, sizeof buf);
    assert_string_equal(buf, "192.0.2.1");
    assert_null(e.src.targets);
    assert_non_null(e.dst.targets);
    ts_buf_t b = TS_BUF_INIT;
    ts_targets_format(e.dst.targets->list, e.dst.targets->n, &b);
    assert_string_equal(b.data, "198.51.100.1 198.51.100.2/31 198.51.100.4/31 198.51.100.6 "
                                "203.0.113.0/24 2001:db8::1");
    ts_buf_free(&b);
    assert_int_equal(e.dst.targets->count, e.dst.targets->n);
    assert_int_equal(e.dst.port, 80);
    assert_true(ts_str_eq_c(e.transport, "tcp"));
    assert_true(ts_str_eq_c(e.application, "http"));
}

static void corpus(const char *rel, const char *type, const char *src)
{
    char *path = tt_corpus_path(rel);
    if (path == NULL)
        return;
    size_t n;
    char *data = tt_read_file(path, &n);
    ts_event_t e;
    ts_parse_error_t err;
    if (tt_parse_n(ts_idea_parse, arena, data, n, &e, &err) != TS_PARSE_EVENT)
        fail_msg("%s: %s", rel, err.detail);
    assert_string_equal(ts_type_name(e.type), type);
    char buf[64];
    ts_ip_format(&e.src.ip, buf, sizeof buf);
    assert_string_equal(buf, src);
    assert_non_null(tt_extra(&e, "idea.category"));
    free(data);
    free(path);
}

static void test_corpus(void **state)
{
    (void)state;
    corpus("exchange/idea-nemea-amplification-dns.json", "ddos", "195.113.82.246");
    corpus("exchange/idea-nemea-bruteforce-ssh.json", "brute-force", "1.2.3.6");
}

int main(void)
{
    arena = ts_arena_new(1 << 16);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_broken),
        cmocka_unit_test(test_categories),
        cmocka_unit_test(test_sides),
        cmocka_unit_test(test_corpus),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    ts_arena_free(arena);
    return rc;
}
