/* SPDX-License-Identifier: Apache-2.0 */
/* Line-based feeds: broken lines first, then each corpus file against what
 * the test itself reads from it (every data line an event, its address or
 * network as the file has it). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/arena.h"
#include "ingest/parser.h"
#include "parsetest.h"
#include "testutil.h"

static ts_arena_t *arena;

static void test_broken(void **state)
{
    (void)state;
    tt_expect_err(ts_spamhaus_drop_parse, arena, "1.2.3.4/33 ; SBL1", TS_EADDR, "not a network");
    tt_expect_err(ts_spamhaus_drop_parse, arena, "1.2.3.1/24 ; SBL1", TS_EADDR, "not a network");
    tt_expect_err(ts_spamhaus_drop_parse, arena, "{\"cidr\":", TS_ESYNTAX, "JSON");
    tt_expect_err(ts_dshield_block_parse, arena, "1.2.3.0\t1.2.3.255", TS_ESYNTAX, "at least 3");
    tt_expect_err(ts_dshield_block_parse, arena, "1.2.3.0\t1.2.3.255\t99", TS_EADDR, NULL);
    tt_expect_err(ts_dataplane_parse, arena, "1 | x | 1.2.3.4", TS_ESYNTAX, "5 needed");
    tt_expect_err(ts_dataplane_parse, arena, "1 | x | 1.2.3 | 2024-01-01 00:00:00 | sshpwauth",
                  TS_EADDR, "ipaddr");
    tt_expect_err(ts_dataplane_parse, arena, "1 | x | 1.2.3.4 | yesterday | sshpwauth", TS_EINVAL,
                  "lastseen");
    tt_expect_err(ts_cymru_cap_parse, arena, "bot|1.2.3.4|1", TS_ESYNTAX, "6 needed");
    tt_expect_err(ts_cymru_cap_parse, arena, "bot|1.2.3.999|1|2019-03-22 11:18:52||x", TS_EADDR,
                  "address");
}

static void test_forms(void **state)
{
    (void)state;
    ts_event_t e;
    ts_parse_error_t err;
    static const char json[] =
        "{\"cidr\":\"1.10.16.0/20\",\"sblid\":\"SBL256894\",\"rir\":\"apnic\"}";
    assert_int_equal(tt_parse_n(ts_spamhaus_drop_parse, arena, json, sizeof json - 1, &e, &err),
                     TS_PARSE_EVENT);
    char net[64];
    ts_prefix_format(&e.src.network, net, sizeof net);
    assert_string_equal(net, "1.10.16.0/20");
    assert_string_equal(tt_extra(&e, "blocklist"), "\"SBL256894\"");
    static const char meta[] = "{\"type\":\"metadata\",\"timestamp\":1}";
    assert_int_equal(tt_parse_n(ts_spamhaus_drop_parse, arena, meta, sizeof meta - 1, &e, &err),
                     TS_PARSE_SKIP);
    static const char ds[] = "89.248.163.0\t89.248.163.255\t24\t2277\tSEA\tNL\tabuse@example.nl";
    assert_int_equal(tt_parse_n(ts_dshield_block_parse, arena, ds, sizeof ds - 1, &e, &err),
                     TS_PARSE_EVENT);
    ts_prefix_format(&e.src.network, net, sizeof net);
    assert_string_equal(net, "89.248.163.0/24");
    assert_string_equal(ts_type_name(e.type), "blacklist");
    assert_string_equal(tt_extra(&e, "attacks"), "\"2277\"");
    static const char hdr[] = "Start\tEnd\tNetblock\tAttacks\tName\tCountry\temail";
    assert_int_equal(tt_parse_n(ts_dshield_block_parse, arena, hdr, sizeof hdr - 1, &e, &err),
                     TS_PARSE_SKIP);
    static const char old[] = "bot|172.16.0.21|64496|2019-09-11 16:39:57|srcport 61458 mwtype "
                              "Conficker dstaddr 172.16.0.22|Example AS Name, AT";
    assert_int_equal(tt_parse_n(ts_cymru_cap_parse, arena, old, sizeof old - 1, &e, &err),
                     TS_PARSE_EVENT);
    assert_int_equal(e.src.port, 61458);
    ts_ip_format(&e.dst.ip, net, sizeof net);
    assert_string_equal(net, "172.16.0.22");
    assert_string_equal(tt_extra(&e, "malware.name"), "\"Conficker\"");
}

/* Each data line of a corpus file, with its address or network as text,
 * found by the test's own reading of the line. */
typedef void (*expect_fn)(const char *line, char *addr, size_t size);

static void spamhaus_addr(const char *line, char *addr, size_t size)
{
    snprintf(addr, size, "%.*s", (int)strcspn(line, " ;"), line);
}

static void dataplane_addr(const char *line, char *addr, size_t size)
{
    /* the third field counted from the right */
    const char *bars[64];
    int n = 0;
    for (const char *p = line; *p && *p != '\n'; p++)
        if (*p == '|')
            bars[n++] = p;
    const char *s = bars[n - 3] + 1;
    while (*s == ' ')
        s++;
    snprintf(addr, size, "%.*s", (int)strcspn(s, " |"), s);
}

static void cymru_addr(const char *line, char *addr, size_t size)
{
    const char *s = strchr(line, '|') + 1;
    snprintf(addr, size, "%.*s", (int)strcspn(s, "|"), s);
}

static void corpus(const char *rel, ts_parse_fn fn, char comment, expect_fn addr_of,
                   size_t want_events)
{
    char *path = tt_corpus_path(rel);
    if (path == NULL)
        return;
    char *data = tt_read_file(path, NULL);
    assert_non_null(data);
    size_t events = 0;
    for (char *line = data; *line;) {
        char *nl = strchr(line, '\n');
        size_t n = nl ? (size_t)(nl - line) : strlen(line);
        ts_event_t e;
        ts_parse_error_t err;
        int rc = tt_parse_n(fn, arena, line, n, &e, &err);
        bool data_line = n > 0 && line[0] != comment;
        if (!data_line) {
            assert_int_equal(rc, TS_PARSE_SKIP);
        } else {
            if (rc != TS_PARSE_EVENT)
                fail_msg("%s: %.*s: %s", rel, (int)n, line, err.detail);
            char want[128], got[128];
            addr_of(line, want, sizeof want);
            if (e.src.ip.family)
                ts_ip_format(&e.src.ip, got, sizeof got);
            else
                ts_prefix_format(&e.src.network, got, sizeof got);
            assert_string_equal(got, want);
            events++;
        }
        ts_arena_reset(arena);
        line = nl ? nl + 1 : line + n;
    }
    assert_int_equal(events, want_events);
    free(data);
    free(path);
}

static void test_corpus(void **state)
{
    (void)state;
    corpus("feeds/spamhaus_drop.txt", ts_spamhaus_drop_parse, ';', spamhaus_addr, 2);
    corpus("feeds/dataplane_sshpwauth.txt", ts_dataplane_parse, '#', dataplane_addr, 3);
    corpus("feeds/cymru_cap_certname_20190327.txt", ts_cymru_cap_parse, '#', cymru_addr, 35);
}

static void test_classification(void **state)
{
    (void)state;
    static const char *const lines[][3] = {
        {"bot|192.0.2.1|1|2019-03-22 11:18:52|family: Conficker;|x", "infected-system", "bot"},
        {"controller|192.0.2.1|1|2019-03-22 11:18:52||x", "c2-server", "controller"},
        {"darknet|192.0.2.1|1|2019-03-22 11:18:52||x", "scanner", "darknet"},
        {"phishing|192.0.2.1|1|2019-03-22 11:18:52|http://www.example.com/;|x", "phishing",
         "phishing"},
        {"openresolver|192.0.2.1|1|2019-03-22 11:18:52||x", "ddos-amplifier", "openresolver"},
        {"whatever|192.0.2.1|1|2019-03-22 11:18:52||x", "undetermined", "whatever"},
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        ts_event_t e;
        ts_parse_error_t err;
        assert_int_equal(
            tt_parse_n(ts_cymru_cap_parse, arena, lines[i][0], strlen(lines[i][0]), &e, &err),
            TS_PARSE_EVENT);
        assert_string_equal(ts_type_name(e.type), lines[i][1]);
        assert_true(ts_str_eq_c(e.identifier, lines[i][2]));
    }
}

int main(void)
{
    arena = ts_arena_new(1 << 16);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_broken),
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_corpus),
        cmocka_unit_test(test_classification),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    ts_arena_free(arena);
    return rc;
}
