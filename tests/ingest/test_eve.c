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

/* Parses a copy of exactly n bytes so ASan catches reads past the line. */
static int parse_n(const char *line, size_t n, ts_event_t *e, ts_parse_error_t *err)
{
    return tt_parse_n(ts_eve_parse, arena, line, n, e, err);
}

static int parse(const char *line, ts_event_t *e, ts_parse_error_t *err)
{
    return parse_n(line, strlen(line), e, err);
}

#define ALERT_HEAD                                                                                 \
    "{\"timestamp\":\"2022-03-21T17:20:01.282829+0000\",\"flow_id\":1234567890123456789,"          \
    "\"in_iface\":\"eth0\",\"event_type\":\"alert\","

static const char *good =
    ALERT_HEAD "\"src_ip\":\"192.0.2.7\",\"src_port\":51234,\"dest_ip\":\"198.51.100.9\","
               "\"dest_port\":443,\"proto\":\"TCP\",\"app_proto\":\"tls\",\"direction\":"
               "\"to_server\",\"alert\":{\"action\":\"allowed\",\"gid\":1,\"signature_id\":"
               "2024833,\"rev\":3,\"signature\":\"ET POLICY \\\"IP\\\" lookup \\/ x\",\"category\":"
               "\"Attempted Administrator Privilege Gain\",\"severity\":1,\"metadata\":{\"a\":"
               "[\"b\"]}},\"tls\":{\"sni\":\"WWW.Example.ORG\",\"version\":\"TLS 1.2\"},"
               "\"flow\":{\"pkts_toserver\":4}}";

static void expect_err(const char *line, int code, const char *detail_part)
{
    tt_expect_err(ts_eve_parse, arena, line, code, detail_part);
}

static void test_invalid(void **state)
{
    (void)state;
    /* Not JSON, truncated, trailing garbage, invalid UTF-8. */
    expect_err("", TS_ESYNTAX, "JSON");
    expect_err("hello", TS_ESYNTAX, "JSON");
    expect_err("[1,2]", TS_ESYNTAX, "object");
    expect_err("{\"event_type\":\"alert\"", TS_ESYNTAX, "JSON");
    expect_err("{\"event_type\":\"alert\"}x", TS_ESYNTAX, "JSON");
    expect_err("{\"event_type\":\"al\xc0\xafrt\"}", TS_EUTF8, "JSON");
    expect_err("{\"event_type\":\"stats\",\"x\":\"\xed\xa0\x80\"}", TS_EUTF8, "JSON");
    /* Truncations of a good line: every prefix is an error, never a crash. */
    size_t n = strlen(good);
    for (size_t i = 0; i < n; i++) {
        ts_event_t e;
        ts_parse_error_t err;
        assert_true(parse_n(good, i, &e, &err) < 0);
        assert_true(err.detail[0] != '\0');
    }
    /* event_type */
    expect_err("{\"timestamp\":\"2022-03-21T17:20:01Z\"}", TS_EMISSING, "event_type");
    expect_err("{\"event_type\":7}", TS_ETYPE, "event_type");
    /* Mandatory alert fields. */
    expect_err("{\"event_type\":\"alert\",\"src_ip\":\"192.0.2.1\",\"dest_ip\":\"192.0.2.2\","
               "\"alert\":{\"signature_id\":1}}",
               TS_EMISSING, "timestamp");
    expect_err(ALERT_HEAD "\"dest_ip\":\"192.0.2.2\",\"alert\":{\"signature_id\":1}}", TS_EMISSING,
               "src_ip");
    expect_err(ALERT_HEAD "\"src_ip\":\"192.0.2.2\",\"alert\":{\"signature_id\":1}}", TS_EMISSING,
               "dest_ip");
    expect_err(ALERT_HEAD "\"src_ip\":\"192.0.2.1\",\"dest_ip\":\"192.0.2.2\"}", TS_EMISSING,
               "alert");
    expect_err(ALERT_HEAD "\"src_ip\":\"192.0.2.1\",\"dest_ip\":\"192.0.2.2\",\"alert\":[]}",
               TS_ETYPE, "alert");
    expect_err(ALERT_HEAD "\"src_ip\":\"192.0.2.1\",\"dest_ip\":\"192.0.2.2\",\"alert\":{}}",
               TS_EMISSING, "signature_id");
    expect_err(ALERT_HEAD "\"src_ip\":\"192.0.2.1\",\"dest_ip\":\"192.0.2.2\",\"alert\":"
                          "{\"signature_id\":\"1\"}}",
               TS_ETYPE, "signature_id");
    /* Time */
    expect_err("{\"timestamp\":\"2022-02-30T00:00:00Z\",\"event_type\":\"alert\",\"src_ip\":"
               "\"192.0.2.1\",\"dest_ip\":\"192.0.2.2\",\"alert\":{\"signature_id\":1}}",
               TS_EINVAL, "timestamp");
    expect_err("{\"timestamp\":1647883201,\"event_type\":\"alert\",\"src_ip\":"
               "\"192.0.2.1\",\"dest_ip\":\"192.0.2.2\",\"alert\":{\"signature_id\":1}}",
               TS_ETYPE, "timestamp");
    /* Addresses */
    static const char *bad_ips[] = {
        "\"192.0.2\"",    "\"192.0.2.256\"", "\"010.0.0.1\"", "\"fe80::1%eth0\"",
        "\" 192.0.2.1\"", "\"host\"",        "\"\""};
    for (size_t i = 0; i < sizeof bad_ips / sizeof bad_ips[0]; i++) {
        char line[512];
        snprintf(line, sizeof line,
                 ALERT_HEAD "\"src_ip\":%s,\"dest_ip\":\"192.0.2.2\",\"alert\":{\"signature_id\":"
                            "1}}",
                 bad_ips[i]);
        expect_err(line, TS_EADDR, "src_ip");
    }
    expect_err(ALERT_HEAD "\"src_ip\":3221225985,\"dest_ip\":\"192.0.2.2\",\"alert\":"
                          "{\"signature_id\":1}}",
               TS_ETYPE, "src_ip");
    /* Ports */
    expect_err(ALERT_HEAD "\"src_ip\":\"192.0.2.1\",\"src_port\":65536,\"dest_ip\":\"192.0.2.2\","
                          "\"alert\":{\"signature_id\":1}}",
               TS_ERANGE, "src_port");
    expect_err(ALERT_HEAD "\"src_ip\":\"192.0.2.1\",\"dest_port\":-1,\"dest_ip\":\"192.0.2.2\","
                          "\"alert\":{\"signature_id\":1}}",
               TS_ERANGE, "dest_port");
    expect_err(ALERT_HEAD "\"src_ip\":\"192.0.2.1\",\"dest_port\":\"80\",\"dest_ip\":"
                          "\"192.0.2.2\",\"alert\":{\"signature_id\":1}}",
               TS_ETYPE, "dest_port");
    expect_err(ALERT_HEAD "\"src_ip\":\"192.0.2.1\",\"dest_port\":80.5,\"dest_ip\":"
                          "\"192.0.2.2\",\"alert\":{\"signature_id\":1}}",
               TS_ETYPE, "dest_port");
    expect_err(ALERT_HEAD "\"src_ip\":\"192.0.2.1\",\"dest_port\":99999999999999999999999,"
                          "\"dest_ip\":\"192.0.2.2\",\"alert\":{\"signature_id\":1}}",
               TS_ERANGE, "dest_port");
    /* Other mistyped fields */
    expect_err(ALERT_HEAD "\"src_ip\":\"192.0.2.1\",\"dest_ip\":\"192.0.2.2\",\"proto\":6,"
                          "\"alert\":{\"signature_id\":1}}",
               TS_ETYPE, "proto");
    expect_err("{\"timestamp\":\"2022-03-21T17:20:01Z\",\"flow_id\":-5,\"event_type\":\"alert\","
               "\"src_ip\":\"192.0.2.1\",\"dest_ip\":\"192.0.2.2\",\"alert\":{\"signature_id\":1}}",
               TS_ERANGE, "flow_id");
    expect_err(ALERT_HEAD "\"src_ip\":\"192.0.2.1\",\"dest_ip\":\"192.0.2.2\",\"alert\":"
                          "{\"signature_id\":1,\"severity\":\"high\"}}",
               TS_ETYPE, "alert.severity");
    expect_err(ALERT_HEAD "\"src_ip\":\"192.0.2.1\",\"dest_ip\":\"192.0.2.2\",\"alert\":"
                          "{\"signature_id\":1,\"signature\":\"a\\u0000b\"}}",
               TS_EINVAL, "alert.signature");
    /* Too long a signature: refused, not truncated. */
    size_t big = TS_EVENT_STR_MAX + 10;
    char *line = malloc(big + 512);
    int k = snprintf(line, 512,
                     ALERT_HEAD "\"src_ip\":\"192.0.2.1\",\"dest_ip\":\"192.0.2.2\",\"alert\":"
                                "{\"signature_id\":1,\"signature\":\"");
    memset(line + k, 'x', big);
    strcpy(line + k + big, "\"}}");
    expect_err(line, TS_ETOOBIG, "alert.signature");
    free(line);
}

static void test_alert(void **state)
{
    (void)state;
    ts_event_t e;
    ts_parse_error_t err;
    assert_int_equal(parse(good, &e, &err), TS_PARSE_EVENT);
    assert_int_equal(e.time_source, INT64_C(1647883201282829));
    assert_int_equal(e.src.ip.family, TS_AF_INET);
    assert_int_equal(e.src.ip.bytes[3], 7);
    assert_int_equal(e.src.port, 51234);
    assert_int_equal(e.dst.port, 443);
    assert_true(ts_str_eq_c(e.transport, "tcp"));
    assert_true(ts_str_eq_c(e.application, "tls"));
    assert_string_equal(ts_type_name(e.type), "exploit");
    assert_true(ts_str_eq_c(e.identifier, "sid-2024833"));
    assert_true(ts_str_eq_c(e.description, "ET POLICY \"IP\" lookup / x"));
    assert_true(ts_str_eq_c(e.feed_name, "suricata"));
    assert_true(ts_str_eq_c(e.dst.fqdn, "www.example.org"));
    assert_null(e.src.fqdn.ptr);
    assert_int_equal(e.count, 1);
    assert_string_equal(tt_extra(&e, "suricata.flow_id"), "1234567890123456789");
    assert_string_equal(tt_extra(&e, "suricata.in_iface"), "\"eth0\"");
    assert_string_equal(tt_extra(&e, "alert.signature_id"), "2024833");
    assert_string_equal(tt_extra(&e, "alert.severity"), "1");
    assert_string_equal(tt_extra(&e, "alert.action"), "\"allowed\"");
    assert_string_equal(tt_extra(&e, "tls.sni"), "\"WWW.Example.ORG\"");
    assert_null(tt_extra(&e, "http.hostname"));

    /* IPv6 fully expanded, ICMP without ports, no category, gid != 1,
     * app_proto "failed" dropped, escaped keys still recognised. */
    const char *v6 =
        "{\"timestamp\":\"2018-07-05T15:51:23.009510-0400\",\"event_\\u0074ype\":\"alert\","
        "\"src_ip\":\"2001:0db8:0000:0000:0000:0000:0000:0001\",\"dest_ip\":\"::1\","
        "\"proto\":\"IPv6-ICMP\",\"app_proto\":\"failed\",\"alert\":{\"gid\":3,"
        "\"signature_id\":9,\"signature\":\"x\"},\"dns\":{\"query\":[{\"rrname\":\"a.example\"}]}}";
    assert_int_equal(parse(v6, &e, &err), TS_PARSE_EVENT);
    assert_int_equal(e.src.ip.family, TS_AF_INET6);
    assert_int_equal(e.src.ip.bytes[0], 0x20);
    assert_int_equal(e.src.ip.bytes[15], 1);
    assert_int_equal(e.src.port, -1);
    assert_true(ts_str_eq_c(e.transport, "ipv6-icmp"));
    assert_null(e.application.ptr);
    assert_int_equal(e.type, TS_TYPE_IDS_ALERT);
    assert_true(ts_str_eq_c(e.identifier, "gid-3-sid-9"));
    assert_string_equal(tt_extra(&e, "dns.rrname"), "\"a.example\"");
    assert_int_equal(e.time_source, INT64_C(1530820283009510));

    /* to_client: http.hostname names the source; an IP host is not an fqdn. */
    const char *tc = ALERT_HEAD "\"src_ip\":\"192.0.2.1\",\"dest_ip\":\"192.0.2.2\","
                                "\"direction\":\"to_client\",\"alert\":{\"signature_id\":1,"
                                "\"category\":\"trojan-activity\"},\"http\":{\"hostname\":"
                                "\"evil.example.\",\"url\":\"\\/x\"}}";
    assert_int_equal(parse(tc, &e, &err), TS_PARSE_EVENT);
    assert_true(ts_str_eq_c(e.src.fqdn, "evil.example"));
    assert_null(e.dst.fqdn.ptr);
    assert_string_equal(ts_type_name(e.type), "infected-system");
    assert_string_equal(tt_extra(&e, "http.url"), "\"\\/x\"");
    const char *iphost = ALERT_HEAD "\"src_ip\":\"192.0.2.1\",\"dest_ip\":\"192.0.2.2\","
                                    "\"direction\":\"to_server\",\"alert\":{\"signature_id\":1},"
                                    "\"http\":{\"hostname\":\"192.0.2.2\"}}";
    assert_int_equal(parse(iphost, &e, &err), TS_PARSE_EVENT);
    assert_null(e.dst.fqdn.ptr);

    /* Duplicate keys: the last wins. */
    const char *dup = ALERT_HEAD "\"src_ip\":\"192.0.2.1\",\"src_ip\":\"192.0.2.9\",\"dest_ip\":"
                                 "\"192.0.2.2\",\"alert\":{\"signature_id\":1}}";
    assert_int_equal(parse(dup, &e, &err), TS_PARSE_EVENT);
    assert_int_equal(e.src.ip.bytes[3], 9);

    /* A repeated nested object replaces the earlier one as a whole: nothing
     * of the first alert / http / dns object leaks into the result. */
    const char *dupobj =
        ALERT_HEAD "\"src_ip\":\"192.0.2.1\",\"dest_ip\":\"192.0.2.2\",\"direction\":"
                   "\"to_server\",\"alert\":{\"signature_id\":1,\"gid\":5,\"rev\":3},"
                   "\"http\":{\"hostname\":\"a.example\",\"url\":\"\\/a\"},"
                   "\"dns\":{\"rrname\":\"old.example\"},\"alert\":{\"signature_id\":2},"
                   "\"http\":{\"url\":\"\\/b\"},\"dns\":{\"query\":[{\"rrname\":"
                   "\"q1.example\",\"x\":[{}]},{\"rrname\":\"q2.example\"}]}}";
    assert_int_equal(parse(dupobj, &e, &err), TS_PARSE_EVENT);
    assert_true(ts_str_eq_c(e.identifier, "sid-2"));
    assert_null(tt_extra(&e, "alert.gid"));
    assert_null(tt_extra(&e, "alert.rev"));
    assert_null(tt_extra(&e, "http.hostname"));
    assert_null(e.dst.fqdn.ptr);
    assert_string_equal(tt_extra(&e, "http.url"), "\"\\/b\"");
    assert_string_equal(tt_extra(&e, "dns.rrname"), "\"q1.example\"");
    /* dns.rrname wins over dns.query[0].rrname wherever it comes. */
    const char *rrfirst =
        ALERT_HEAD "\"src_ip\":\"192.0.2.1\",\"dest_ip\":\"192.0.2.2\",\"alert\":"
                   "{\"signature_id\":1},\"dns\":{\"query\":[{\"rrname\":\"q.example\"}],"
                   "\"rrname\":\"r.example\",\"query\":[\"odd\"]}}";
    assert_int_equal(parse(rrfirst, &e, &err), TS_PARSE_EVENT);
    assert_string_equal(tt_extra(&e, "dns.rrname"), "\"r.example\"");
    /* The nested objects are validated while read: damage after every
     * wanted member, or deep in an unread member, is still a JSON error. */
    static const char *bad_nested[] = {
        ALERT_HEAD "\"src_ip\":\"192.0.2.1\",\"dest_ip\":\"192.0.2.2\",\"alert\":"
                   "{\"signature_id\":1,\"metadata\":{\"a\":[\"\xc0\xaf\"]}}}",
        ALERT_HEAD "\"src_ip\":\"192.0.2.1\",\"dest_ip\":\"192.0.2.2\",\"alert\":"
                   "{\"signature_id\":1,}}",
        ALERT_HEAD "\"src_ip\":\"192.0.2.1\",\"dest_ip\":\"192.0.2.2\",\"alert\":"
                   "{\"signature_id\":1},\"dns\":{\"query\":[{\"rrname\":\"a\"} {}]}}",
        ALERT_HEAD "\"src_ip\":\"192.0.2.1\",\"dest_ip\":\"192.0.2.2\",\"alert\":"
                   "{\"signature_id\":1},\"http\":{\"url\":\"\\/x\"}",
        ALERT_HEAD "\"src_ip\":\"192.0.2.1\",\"dest_ip\":\"192.0.2.2\",\"alert\":"
                   "{\"signature_id\":1}}}",
    };
    for (size_t i = 0; i < sizeof bad_nested / sizeof bad_nested[0]; i++) {
        int rc = parse(bad_nested[i], &e, &err);
        if ((rc != TS_ESYNTAX && rc != TS_EUTF8) || strstr(err.detail, "JSON") == NULL)
            fail_msg("rc %d detail '%s' for: %s", rc, err.detail, bad_nested[i]);
    }
}

static void test_skip(void **state)
{
    (void)state;
    static const char *skips[] = {
        "{\"event_type\":\"stats\",\"stats\":{\"uptime\":5}}",
        "{\"event_type\":\"flow\",\"src_ip\":\"not even checked\"}",
        "{\"event_type\":\"dns\"}",
        "{\"event_type\":\"anomaly\",\"anomaly\":{\"type\":\"decode\"}}",
        "{\"event_type\":\"drop\"}",
        "{\"event_type\":\"some-future-type\"}",
        "{\"event_type\":\"ALERT\"}",
        "  {\"event_type\":\"http\"}  ",
    };
    for (size_t i = 0; i < sizeof skips / sizeof skips[0]; i++) {
        ts_event_t e;
        ts_parse_error_t err;
        assert_int_equal(parse(skips[i], &e, &err), TS_PARSE_SKIP);
    }
}

static size_t count_substr(const char *s, size_t n, const char *needle)
{
    size_t c = 0, k = strlen(needle);
    for (const char *p = s; (p = memmem(p, (size_t)(s + n - p), needle, k)) != NULL; p += k)
        c++;
    return c;
}

static void test_corpus(void **state)
{
    (void)state;
    const char *files[] = {"sensors/mssis_malware_eve.json", "sensors/beats_suricata_eve-small.log",
                           "sensors/suricata-verify_alert-testmyids_eve.json"};
    size_t total_alerts = 0;
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        char *path = tt_corpus_path(files[f]);
        if (path == NULL)
            continue;
        size_t len;
        char *data = tt_read_file(path, &len);
        assert_non_null(data);
        size_t events = 0, skips = 0, lines = 0, want_alerts = 0;
        for (char *p = data; p < data + len;) {
            char *nl = memchr(p, '\n', (size_t)(data + len - p));
            size_t n = (size_t)((nl ? nl : data + len) - p);
            if (n > 0) {
                lines++;
                /* Independent count: the event_type key's value, by plain search. */
                want_alerts += count_substr(p, n, "\"event_type\":\"alert\"");
                ts_event_t e;
                ts_parse_error_t err;
                int rc = parse_n(p, n, &e, &err);
                if (rc < 0)
                    fail_msg("%s line %zu: %s", files[f], lines, err.detail);
                if (rc == TS_PARSE_EVENT) {
                    events++;
                    assert_int_not_equal(e.src.ip.family, TS_AF_NONE);
                    assert_int_not_equal(e.dst.ip.family, TS_AF_NONE);
                    assert_true(e.time_source != TS_TIME_NONE);
                    assert_non_null(e.identifier.ptr);
                    assert_non_null(e.description.ptr);
                } else {
                    skips++;
                }
            }
            p += n + 1;
            ts_arena_reset(arena);
        }
        printf("%s: %zu lines, %zu events, %zu skipped\n", files[f], lines, events, skips);
        assert_int_equal(events, want_alerts);
        assert_int_equal(events + skips, lines);
        total_alerts += events;
        free(data);
        free(path);
    }
    if (total_alerts == 0)
        printf("SKIP: no EVE corpus alerts were checked\n");
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
        cmocka_unit_test(test_alert),
        cmocka_unit_test(test_skip),
        cmocka_unit_test(test_corpus),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
