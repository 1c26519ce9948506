/* SPDX-License-Identifier: Apache-2.0 */
/* n6 in: broken records first, restriction, confidence and category, and
 * the REST example of the corpus (an array: each element a record). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <json-c/json.h>

#include "core/arena.h"
#include "ingest/parser.h"
#include "parsetest.h"
#include "testutil.h"

static ts_arena_t *arena;

static void test_broken(void **state)
{
    (void)state;
    tt_expect_err(ts_n6_parse, arena, "{", TS_ETRUNC, NULL);
    tt_expect_err(ts_n6_parse, arena, "{\"time\":\"2024-05-04T10:59:03Z\"}", TS_EMISSING,
                  "category");
    tt_expect_err(ts_n6_parse, arena, "{\"category\":\"pirates\"}", TS_EINVAL, "n6 category");
    tt_expect_err(ts_n6_parse, arena, "{\"category\":\"bots\",\"restriction\":\"secret\"}",
                  TS_EINVAL, "restriction");
    tt_expect_err(ts_n6_parse, arena, "{\"category\":\"bots\",\"confidence\":\"sure\"}", TS_EINVAL,
                  "confidence");
    tt_expect_err(ts_n6_parse, arena, "{\"category\":\"bots\",\"address\":[{\"ip\":\"x\"}]}",
                  TS_EADDR, "address[0].ip");
    tt_expect_err(ts_n6_parse, arena, "{\"category\":\"bots\",\"time\":\"2024-05-04T10:59:03Z\"}",
                  TS_EMISSING, "nothing to route");
}

static void test_fields(void **state)
{
    (void)state;
    static const char *const cases[][4] = {
        /* restriction, confidence, category -> TLP, accuracy, type */
        {"public", "low", "phish", "CLEAR"},
        {"need-to-know", "medium", "bots", "AMBER"},
        {"internal", "high", "cnc", "RED"},
    };
    static const char *const types[] = {"phishing", "infected-system", "c2-server"};
    static const char *const acc[] = {"20", "50", "100"};
    for (size_t i = 0; i < 3; i++) {
        char rec[256];
        snprintf(rec, sizeof rec,
                 "{\"restriction\":\"%s\",\"confidence\":\"%s\",\"category\":\"%s\","
                 "\"address\":[{\"ip\":\"192.0.2.1\",\"asn\":64500}],\"dport\":22}",
                 cases[i][0], cases[i][1], cases[i][2]);
        ts_event_t e;
        ts_parse_error_t err;
        assert_int_equal(tt_parse_n(ts_n6_parse, arena, rec, strlen(rec), &e, &err),
                         TS_PARSE_EVENT);
        assert_string_equal(ts_tlp_name(e.tlp), cases[i][3]);
        assert_string_equal(ts_type_name(e.type), types[i]);
        assert_string_equal(tt_extra(&e, "feed.accuracy"), acc[i]);
        assert_int_equal(e.src.asn, 64500);
        assert_int_equal(e.dst.port, 22);
    }
    /* dos-victim: the addresses are the destination. */
    static const char victim[] =
        "{\"category\":\"dos-victim\",\"address\":[{\"ip\":\"192.0.2.1\"},{\"ip\":\"192.0.2.2\"}]}";
    ts_event_t e;
    ts_parse_error_t err;
    assert_int_equal(tt_parse_n(ts_n6_parse, arena, victim, sizeof victim - 1, &e, &err),
                     TS_PARSE_EVENT);
    assert_null(e.src.targets);
    assert_non_null(e.dst.targets);
    assert_int_equal(e.dst.targets->n, 2);
}

static void test_corpus(void **state)
{
    (void)state;
    char *path = tt_corpus_path("exchange/n6-rest-report-example.json");
    if (path == NULL)
        skip();
    char *data = tt_read_file(path, NULL);
    json_object *arr = json_tokener_parse(data);
    assert_non_null(arr);
    for (size_t i = 0; i < json_object_array_length(arr); i++) {
        json_object *o = json_object_array_get_idx(arr, i), *v;
        const char *rec = json_object_to_json_string(o);
        ts_event_t e;
        ts_parse_error_t err;
        if (tt_parse_n(ts_n6_parse, arena, rec, strlen(rec), &e, &err) != TS_PARSE_EVENT)
            fail_msg("element %zu: %s", i, err.detail);
        assert_true(json_object_object_get_ex(o, "restriction", &v));
        assert_int_equal(e.tlp, strcmp(json_object_get_string(v), "public") == 0 ? TS_TLP_CLEAR
                                                                                 : TS_TLP_AMBER);
        assert_true(json_object_object_get_ex(o, "address", &v));
        size_t n = json_object_array_length(v);
        if (n == 1)
            assert_int_equal(e.src.ip.family, TS_AF_INET);
        else
            assert_int_equal(e.src.targets->n, n);
        assert_true(json_object_object_get_ex(o, "source", &v));
        assert_true(ts_str_eq_c(e.feed_name, json_object_get_string(v)));
    }
    json_object_put(arr);
    free(data);
    free(path);
}

int main(void)
{
    arena = ts_arena_new(1 << 16);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_broken),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_corpus),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    ts_arena_free(arena);
    return rc;
}
