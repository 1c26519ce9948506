/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "ingest/parser.h"
#include "parsetest.h"
#include "testutil.h"

static ts_arena_t *arena;

static int parse(const char *line, ts_event_t *e, ts_parse_error_t *err)
{
    return tt_parse_n(ts_intelmq_parse, arena, line, strlen(line), e, err);
}

static void expect_err(const char *line, int code, const char *detail_part)
{
    tt_expect_err(ts_intelmq_parse, arena, line, code, detail_part);
}

static void test_invalid(void **state)
{
    (void)state;
    expect_err("", TS_ESYNTAX, NULL);
    expect_err("source.ip=192.0.2.1", TS_ESYNTAX, NULL);
    expect_err("{\"source.ip\":\"192.0.2.1\"", TS_ESYNTAX, "JSON");
    expect_err("{\"source.ip\":\"192.0.2.1\",}", TS_ESYNTAX, "JSON");
    expect_err("{\"source.ip\":\"192.0.2.1\",\"comment\":\"\xff\"}", TS_EUTF8, "JSON");
    expect_err("{}", TS_EMISSING, "nothing to route");
    expect_err("{\"feed.name\":\"x\",\"classification.type\":\"scanner\"}", TS_EMISSING, NULL);
    expect_err("{\"source.ip\":\"192.0.2.256\"}", TS_EADDR, "source.ip");
    expect_err("{\"destination.ip\":\"2001:db8::1::2\"}", TS_EADDR, "destination.ip");
    expect_err("{\"source.ip\":42}", TS_ETYPE, "source.ip");
    expect_err("{\"source.ip\":\"192.0.2.1\",\"source.port\":\"22\"}", TS_ETYPE, "source.port");
    expect_err("{\"source.ip\":\"192.0.2.1\",\"source.port\":22.0}", TS_ETYPE, "source.port");
    expect_err("{\"source.ip\":\"192.0.2.1\",\"source.port\":70000}", TS_ERANGE, "source.port");
    expect_err("{\"source.ip\":\"192.0.2.1\",\"destination.port\":-1}", TS_ERANGE,
               "destination.port");
    expect_err("{\"source.asn\":4294967296}", TS_ERANGE, "source.asn");
    expect_err("{\"source.asn\":\"AS64500\"}", TS_ETYPE, "source.asn");
    expect_err("{\"source.ip\":\"192.0.2.1\",\"classification.type\":\"nonsense\"}", TS_EINVAL,
               "classification.type");
    expect_err("{\"source.ip\":\"192.0.2.1\",\"classification.type\":3}", TS_ETYPE,
               "classification.type");
    expect_err("{\"source.ip\":\"192.0.2.1\",\"classification.taxonomy\":\"bogus\"}", TS_EINVAL,
               "classification.taxonomy");
    expect_err("{\"source.ip\":\"192.0.2.1\",\"time.source\":\"2022-02-30T00:00:00+00:00\"}",
               TS_EINVAL, "time.source");
    expect_err("{\"source.ip\":\"192.0.2.1\",\"time.source\":1647883201}", TS_ETYPE, "time.source");
    expect_err("{\"source.ip\":\"192.0.2.1\",\"__type\":\"Report\"}", TS_EINVAL, "__type");
    expect_err("{\"source.ip\":\"192.0.2.1\",\"feed.name\":[\"x\"]}", TS_ETYPE, "feed.name");
    expect_err("{\"source.ip\":\"192.0.2.1\",\"extra\":\"{}\"}", TS_ETYPE, "extra");
    expect_err("{\"source.ip\":\"192.0.2.1\",\"feed.name\":\"a\\u0000\"}", TS_EINVAL, "feed.name");
    /* Networks: a prefix with host bits zero, nothing else. */
    expect_err("{\"source.network\":\"192.0.2.1/24\"}", TS_EADDR, "source.network");
    expect_err("{\"source.network\":\"192.0.2.0\"}", TS_EADDR, "source.network");
    expect_err("{\"destination.network\":\"2001:db8::/129\"}", TS_EADDR, "destination.network");
    expect_err("{\"source.network\":\"10.0.0.0/8 \"}", TS_EADDR, "source.network");
    expect_err("{\"source.network\":24}", TS_ETYPE, "source.network");
    /* TLP: a known label or nothing. */
    expect_err("{\"source.ip\":\"192.0.2.1\",\"tlp\":\"YELLOW\"}", TS_EINVAL, "tlp");
    expect_err("{\"source.ip\":\"192.0.2.1\",\"tlp\":\"AMBER-STRICT\"}", TS_EINVAL, "tlp");
    expect_err("{\"source.ip\":\"192.0.2.1\",\"tlp\":3}", TS_ETYPE, "tlp");
    /* Too many extra fields: refused, not silently cut. */
    char line[8192];
    int k = snprintf(line, sizeof line, "{\"source.ip\":\"192.0.2.1\"");
    for (int i = 0; i <= TS_EVENT_EXTRA_MAX; i++)
        k += snprintf(line + k, sizeof line - (size_t)k, ",\"extra.k%d\":%d", i, i);
    snprintf(line + k, sizeof line - (size_t)k, "}");
    expect_err(line, TS_ETOOBIG, "extra");
    /* Too long a string. */
    char *big = malloc(TS_EVENT_STR_MAX + 200);
    k = sprintf(big, "{\"source.ip\":\"192.0.2.1\",\"event_description.text\":\"");
    memset(big + k, 'y', TS_EVENT_STR_MAX + 1);
    strcpy(big + k + TS_EVENT_STR_MAX + 1, "\"}");
    expect_err(big, TS_ETOOBIG, "event_description.text");
    free(big);
}

static void test_valid(void **state)
{
    (void)state;
    ts_event_t e;
    ts_parse_error_t err;
    const char *line =
        "{\"__type\":\"Event\",\"feed.name\":\"Shadowserver\",\"feed.provider\":\"SS\","
        "\"time.source\":\"2022-03-21T17:20:01.282829+00:00\",\"time.observation\":"
        "\"2022-03-21T18:00:00+00:00\",\"classification.taxonomy\":\"intrusion attempts\","
        "\"classification.type\":\"Brute-Force\",\"classification.identifier\":\"ssh\","
        "\"source.ip\":\"198.51.100.3\",\"source.port\":2222,\"source.asn\":64500,"
        "\"source.fqdn\":\"Host.Example.NET.\",\"destination.ip\":\"2001:db8::7\","
        "\"destination.port\":22,\"protocol.transport\":\"TCP\",\"protocol.application\":"
        "\"SSH\",\"raw\":\"aGVsbG8=\",\"malware.name\":\"mirai\",\"extra.count\":5,"
        "\"extra.tags\":[\"a\",\"b\"],\"extra\":{\"nested\":{\"x\":1}},\"comment\":\"\","
        "\"source.geolocation.cc\":null,\"event_description.text\":\"caf\\u00e9 \\ud83d\\ude00\"}";
    assert_int_equal(parse(line, &e, &err), TS_PARSE_EVENT);
    assert_string_equal(ts_type_name(e.type), "brute-force");
    assert_true(ts_str_eq_c(e.feed_name, "Shadowserver"));
    assert_true(ts_str_eq_c(e.feed_provider, "SS"));
    assert_int_equal(e.time_source, INT64_C(1647883201282829));
    assert_int_equal(e.time_observation, INT64_C(1647885600000000));
    assert_true(ts_str_eq_c(e.identifier, "ssh"));
    assert_int_equal(e.src.ip.family, TS_AF_INET);
    assert_int_equal(e.src.port, 2222);
    assert_int_equal(e.src.asn, 64500);
    assert_true(ts_str_eq_c(e.src.fqdn, "host.example.net"));
    assert_int_equal(e.dst.ip.family, TS_AF_INET6);
    assert_int_equal(e.dst.port, 22);
    assert_true(ts_str_eq_c(e.transport, "tcp"));
    assert_true(ts_str_eq_c(e.application, "ssh"));
    assert_true(ts_str_eq_c(e.description, "caf\xc3\xa9 \xf0\x9f\x98\x80"));
    assert_string_equal(tt_extra(&e, "malware.name"), "\"mirai\"");
    assert_string_equal(tt_extra(&e, "count"), "5");
    assert_string_equal(tt_extra(&e, "tags"), "[\"a\",\"b\"]");
    assert_string_equal(tt_extra(&e, "nested"), "{\"x\":1}");
    assert_null(tt_extra(&e, "raw"));
    assert_null(tt_extra(&e, "comment"));                 /* "" is absent */
    assert_null(tt_extra(&e, "source.geolocation.cc"));   /* null is absent */
    assert_null(tt_extra(&e, "classification.taxonomy")); /* consistent: not kept */
    assert_int_equal(e.n_extra, 4);

    /* Legacy type, missing type, inconsistent taxonomy kept in extra. */
    assert_int_equal(
        parse("{\"source.ip\":\"192.0.2.1\",\"classification.type\":\"c&c\"}", &e, &err),
        TS_PARSE_EVENT);
    assert_string_equal(ts_type_name(e.type), "c2-server");
    assert_int_equal(parse("{\"destination.url\":\"http://x.example/\"}", &e, &err),
                     TS_PARSE_EVENT);
    assert_int_equal(e.type, TS_TYPE_UNDETERMINED);
    assert_true(ts_str_eq_c(e.dst.url, "http://x.example/"));
    assert_int_equal(parse("{\"source.asn\":1,\"classification.taxonomy\":\"malicious-code\","
                           "\"classification.type\":\"scanner\"}",
                           &e, &err),
                     TS_PARSE_EVENT);
    assert_string_equal(ts_type_name(e.type), "scanner");
    assert_string_equal(tt_extra(&e, "classification.taxonomy"), "\"malicious-code\"");
    /* Duplicate keys: last wins, also for extras (no second slot). */
    assert_int_equal(parse("{\"source.ip\":\"192.0.2.1\",\"source.ip\":\"192.0.2.2\","
                           "\"extra.a\":1,\"extra.a\":2}",
                           &e, &err),
                     TS_PARSE_EVENT);
    assert_int_equal(e.src.ip.bytes[3], 2);
    assert_int_equal(e.n_extra, 1);
    assert_string_equal(tt_extra(&e, "a"), "2");
    /* Escaped keys are unescaped. */
    assert_int_equal(parse("{\"source\\u002eip\":\"192.0.2.1\"}", &e, &err), TS_PARSE_EVENT);
    assert_int_equal(e.src.ip.family, TS_AF_INET);
    /* Exactly TS_EVENT_EXTRA_MAX extras is fine. */
    char line2[8192];
    int k = snprintf(line2, sizeof line2, "{\"source.ip\":\"192.0.2.1\"");
    for (int i = 0; i < TS_EVENT_EXTRA_MAX; i++)
        k += snprintf(line2 + k, sizeof line2 - (size_t)k, ",\"extra.k%d\":%d", i, i);
    snprintf(line2 + k, sizeof line2 - (size_t)k, "}");
    assert_int_equal(parse(line2, &e, &err), TS_PARSE_EVENT);
    assert_int_equal(e.n_extra, TS_EVENT_EXTRA_MAX);

    /* A blocklist netblock: routed, not an extra; TLP read. */
    assert_int_equal(parse("{\"source.network\":\"198.51.100.0/24\",\"tlp\":\"WHITE\","
                           "\"classification.type\":\"spam\"}",
                           &e, &err),
                     TS_PARSE_EVENT);
    char net[TS_IP_STRLEN];
    ts_prefix_format(&e.src.network, net, sizeof net);
    assert_string_equal(net, "198.51.100.0/24");
    assert_int_equal(e.src.ip.family, TS_AF_NONE);
    assert_int_equal(e.tlp, TS_TLP_CLEAR);
    assert_null(tt_extra(&e, "source.network"));
    assert_int_equal(parse("{\"source.ip\":\"2001:db8::9\",\"source.network\":\"2001:db8::/32\","
                           "\"destination.network\":\"10.0.0.0/8\",\"tlp\":\"TLP:AMBER+STRICT\"}",
                           &e, &err),
                     TS_PARSE_EVENT);
    assert_int_equal(e.src.network.len, 32);
    assert_int_equal(e.dst.network.len, 8);
    assert_int_equal(e.tlp, TS_TLP_AMBER_STRICT);
    /* Absent (null, "") leaves no label. */
    assert_int_equal(parse("{\"source.ip\":\"192.0.2.1\",\"tlp\":null}", &e, &err), TS_PARSE_EVENT);
    assert_int_equal(e.tlp, TS_TLP_NONE);
}

static void test_registry(void **state)
{
    (void)state;
    assert_null(ts_parser_find("nope"));
    assert_null(ts_parser_find(NULL));
    const ts_parser_t *p = ts_parser_find("eve");
    assert_non_null(p);
    assert_ptr_equal(p->parse, ts_eve_parse);
    p = ts_parser_find("intelmq");
    assert_non_null(p);
    assert_ptr_equal(p->parse, ts_intelmq_parse);
    /* Every listed parser is found by its own name, once. */
    size_t n = 0;
    for (const ts_parser_t *const *l = ts_parser_list(); *l; l++) {
        assert_ptr_equal(ts_parser_find((*l)->name), *l);
        n++;
    }
    assert_true(n >= 4); /* eve, intelmq, cowrie, sshd */
    assert_null(ts_parser_find("EVE"));
    assert_null(ts_parser_find(""));
}

static int setup(void **state)
{
    (void)state;
    arena = ts_arena_new(64 * 1024);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ts_arena_free(arena);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_registry),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
