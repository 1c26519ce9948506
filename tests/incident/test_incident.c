/* SPDX-License-Identifier: Apache-2.0 */
/* What aggregation decides without the store: state names (unknown ones
 * refused), suppression rules matching by type, identifier, network, peer
 * and expiry, and the CVE an event names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "incident/incident.h"

static void test_states(void **state)
{
    static const char *const bad[] = {"",
                                      "New",
                                      "in_progress",
                                      "in progress",
                                      "closed",
                                      "resolved ",
                                      "false_positive",
                                      "expecte",
                                      "acknowledgedx"};
    ts_inc_state_t s;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(ts_inc_state_lookup(bad[i], strlen(bad[i]), &s), TS_ENOENT);
    assert_null(ts_inc_state_name((ts_inc_state_t)0));
    assert_null(ts_inc_state_name((ts_inc_state_t)(TS_INC_STATES + 1)));
    static const char *const names[TS_INC_STATES] = {"new",      "acknowledged",   "in-progress",
                                                     "resolved", "false-positive", "expected"};
    for (int i = 0; i < TS_INC_STATES; i++) {
        assert_int_equal(ts_inc_state_lookup(names[i], strlen(names[i]), &s), 0);
        assert_int_equal(s, i + 1);
        assert_string_equal(ts_inc_state_name(s), names[i]);
        assert_int_equal(ts_inc_state_open(s), i < 3);
    }
}

static ts_prefix_t pfx(const char *s)
{
    ts_prefix_t p;
    assert_int_equal(ts_prefix_parse(s, strlen(s), &p), 0);
    return p;
}

static ts_ip_t ip(const char *s)
{
    ts_ip_t a;
    assert_int_equal(ts_ip_parse(s, strlen(s), &a), 0);
    return a;
}

static void test_suppress_match(void **state)
{
    ts_type_t scanner, spam;
    assert_int_equal(ts_type_lookup("scanner", 7, &scanner), 0);
    assert_int_equal(ts_type_lookup("spam", 4, &spam), 0);
    const int64_t now = 1000000;
    ts_suppress_t r = {.type = scanner,
                       .identifier = "nmap",
                       .net = pfx("198.51.100.0/24"),
                       .peer = pfx("203.0.113.0/28"),
                       .expires = now + 1};
    ts_str_t nmap = {"nmap", 4}, other = {"masscan", 7}, none = {NULL, 0};
    ts_prefix_t host = pfx("198.51.100.7"), outside = pfx("198.51.101.7"),
                wider = pfx("198.51.0.0/16"), noaddr = {0};
    ts_ip_t peer = ip("203.0.113.5"), stranger = ip("203.0.113.99"), nopeer = {0};

    assert_true(ts_suppress_match(&r, scanner, nmap, &host, &peer, now));
    assert_false(ts_suppress_match(&r, spam, nmap, &host, &peer, now));
    assert_false(ts_suppress_match(&r, scanner, other, &host, &peer, now));
    assert_false(ts_suppress_match(&r, scanner, none, &host, &peer, now));
    assert_false(ts_suppress_match(&r, scanner, nmap, &outside, &peer, now));
    assert_false(ts_suppress_match(&r, scanner, nmap, &wider, &peer, now)); /* not inside */
    assert_false(ts_suppress_match(&r, scanner, nmap, &noaddr, &peer, now));
    assert_false(ts_suppress_match(&r, scanner, nmap, &host, &stranger, now));
    assert_false(ts_suppress_match(&r, scanner, nmap, &host, &nopeer, now));
    assert_false(ts_suppress_match(&r, scanner, nmap, &host, &peer, now + 1)); /* expired */
    /* Any peer, any identifier, never expiring. */
    r.peer = noaddr;
    r.identifier = "*";
    r.expires = 0;
    assert_true(ts_suppress_match(&r, scanner, other, &host, &nopeer, INT64_MAX));
    assert_true(ts_suppress_match(&r, scanner, none, &host, &stranger, now));
    /* "" matches events without an identifier only. */
    r.identifier = "";
    assert_true(ts_suppress_match(&r, scanner, none, &host, &peer, now));
    assert_false(ts_suppress_match(&r, scanner, nmap, &host, &peer, now));
}

static void test_cve(void **state)
{
    static const struct {
        const char *identifier, *description, *want;
    } cases[] = {
        {"ET EXPLOIT Apache log4j RCE Attempt (CVE-2021-44228)", "", "CVE-2021-44228"},
        {"", "see cve-2014-0160 and CVE-2017-5638", "CVE-2014-0160"},
        {"CVE-2021-1234567", "", "CVE-2021-1234567"},
        {"CVE-2021-12345678", "", NULL}, /* eight digits: not an id */
        {"CVE-2021-123", "", NULL},
        {"CVE-21-12345", "", NULL},
        {"CVE_2021_44228", "", NULL},
        {"trailing CVE-2021-", "", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ts_event_t e;
        ts_event_init(&e);
        e.identifier = (ts_str_t){cases[i].identifier, strlen(cases[i].identifier)};
        e.description = (ts_str_t){cases[i].description, strlen(cases[i].description)};
        char buf[32] = "";
        bool got = ts_inc_cve(&e, buf, sizeof buf);
        if (got != (cases[i].want != NULL) || (got && strcmp(buf, cases[i].want) != 0))
            fail_msg("case %zu: %d '%s'", i, got, buf);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_states),
        cmocka_unit_test(test_suppress_match),
        cmocka_unit_test(test_cve),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
