/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "ingest/parser.h"
#include "ingest/parser_int.h"
#include "parsetest.h"
#include "testutil.h"

static ts_arena_t *arena;

/* 2005-08-01T00:00:00Z: fail2ban's test data puts Jan-Jul in 2005 and
 * Sep-Dec in 2004, which this reference reproduces by the one-day rule. */
#define REF_2005_08_01 (INT64_C(1122854400) * 1000000)

/* Parses a copy of exactly n bytes so ASan catches reads past the line. */
static int parse_n(const char *line, size_t n, ts_event_t *e, ts_parse_error_t *err)
{
    return tt_parse_n(ts_sshd_parse, arena, line, n, e, err);
}

static int parse(const char *line, ts_event_t *e, ts_parse_error_t *err)
{
    return parse_n(line, strlen(line), e, err);
}

static void expect_rc(const char *line, int code, const char *detail_part)
{
    ts_event_t e;
    ts_parse_error_t err;
    int rc = parse(line, &e, &err);
    if (rc != code)
        fail_msg("rc %d (want %d) detail '%s' for: %s", rc, code, err.detail, line);
    if (detail_part && strstr(err.detail, detail_part) == NULL)
        fail_msg("detail '%s' lacks '%s' for: %s", err.detail, detail_part, line);
}

static void event(const char *line, ts_event_t *e)
{
    ts_parse_error_t err;
    int rc = parse(line, e, &err);
    if (rc != TS_PARSE_EVENT)
        fail_msg("rc %d (%s), want an event for: %s", rc, err.detail, line);
}

static void src_is(const ts_event_t *e, const char *want)
{
    char buf[TS_IP_STRLEN];
    if (e->src.ip.family == TS_AF_NONE)
        fail_msg("no source address, want %s", want);
    ts_ip_format(&e->src.ip, buf, sizeof buf);
    assert_string_equal(buf, want);
}

static void time_is(const ts_event_t *e, const char *want)
{
    char buf[48];
    ts_time_format(e->time_source, buf, sizeof buf);
    assert_string_equal(buf, want);
}

/* ---- invalid input first -------------------------------------------------------- */

static void test_not_syslog(void **state)
{
    (void)state;
    expect_rc("", TS_ESYNTAX, "timestamp");
    expect_rc("hello world", TS_ESYNTAX, "timestamp");
    expect_rc("{\"eventid\": \"cowrie.login.failed\"}", TS_ESYNTAX, NULL);
    expect_rc("Dec 10 06:55", TS_ESYNTAX, "timestamp");
    expect_rc("Dec 10 06:55:46", TS_ESYNTAX, "timestamp");
    expect_rc("Dec", TS_ESYNTAX, NULL);
    expect_rc("Dez 10 06:55:46 host sshd[1]: Invalid user a from 192.0.2.1", TS_ESYNTAX, NULL);
    expect_rc("Dec 100 06:55:46 host sshd[1]: Invalid user a from 192.0.2.1", TS_ESYNTAX, NULL);
    expect_rc("Dec 10 6:55:46 host sshd[1]: Invalid user a from 192.0.2.1", TS_ESYNTAX, NULL);
    expect_rc("Dec 10 06-55-46 host sshd[1]: Invalid user a from 192.0.2.1", TS_ESYNTAX, NULL);
    expect_rc("Dec    10 06:55:46 host sshd[1]: Invalid user a from 192.0.2.1", TS_ESYNTAX, NULL);
    expect_rc("Feb 30 06:55:46 host sshd[1]: Invalid user a from 192.0.2.1", TS_EINVAL,
              "impossible date");
    expect_rc("Dec 10 24:00:00 host sshd[1]: Invalid user a from 192.0.2.1", TS_EINVAL, NULL);
    expect_rc("Dec  0 06:55:46 host sshd[1]: Invalid user a from 192.0.2.1", TS_ESYNTAX, NULL);
    expect_rc("2015-13-16T18:02:50Z host sshd[1]: Invalid user a from 192.0.2.1", TS_ESYNTAX,
              "timestamp");
    expect_rc("<999>Dec 10 06:55:46 host sshd[1]: x", TS_ESYNTAX, "PRI");
    expect_rc("<38", TS_ESYNTAX, "PRI");
    expect_rc("<38>1 2019-07-08T17:40:16Z host sshd", TS_ESYNTAX, "RFC 5424");
    expect_rc("<38>1 2019-07-08T17:40:16Z host sshd 1 - [a b=\"]", TS_ESYNTAX, "unterminated");
    expect_rc("<38>1 2019-07-08T17:40:16Z host sshd 1 - x msg", TS_ESYNTAX, "structured");
    expect_rc("<38>1 yesterday host sshd 1 - - Invalid user a from 192.0.2.1", TS_EINVAL,
              "timestamp");
    /* Truncated at every byte: only errors or skips, never a crash. */
    const char *good = "Dec 10 07:07:45 LabSZ sshd[24206]: Failed password for invalid user test9 "
                       "from 52.80.34.196 port 36060 ssh2";
    for (size_t i = 0; i < strlen(good); i++) {
        ts_event_t e;
        ts_parse_error_t err;
        int rc = parse_n(good, i, &e, &err);
        assert_non_null(memchr(err.detail, '\0', sizeof err.detail));
        /* Cut inside the address or port, a shorter valid line remains. */
        if (rc == TS_PARSE_EVENT && i < (size_t)(strstr(good, " from ") - good) + 8)
            fail_msg("prefix of %zu bytes became an event", i);
    }
}

static void test_bad_lines(void **state)
{
    (void)state;
    ts_sshd_set_reference_time(REF_2005_08_01);
    /* Recognised lines whose client address is not one. */
    expect_rc("Dec 10 06:55:48 h sshd[1]: Failed password for root from 1.2.3.999 port 22 ssh2",
              TS_EADDR, "failed-auth");
    expect_rc("Dec 10 06:55:48 h sshd[1]: Failed password for root from 010.1.1.1 port 22 ssh2",
              TS_EADDR, NULL);
    expect_rc("Dec 10 06:55:48 h sshd[1]: Invalid user a from 1.2.3 port 22", TS_EADDR,
              "invalid-user");
    expect_rc("Dec 10 06:55:48 h sshd[1]: Invalid user a from fe80::1%eth0", TS_EADDR, NULL);
    expect_rc("Dec 10 06:55:48 h sshd[1]: Did not receive identification string from -", TS_EADDR,
              "no-identification");
    expect_rc("Dec 10 06:55:48 h sshd[1]: Invalid user a from -x.example", TS_EADDR, NULL);
    expect_rc("Dec 10 06:55:48 h sshd[1]: refused connect from x (1.2.3.4.5)", TS_EADDR, NULL);
    expect_rc("Dec 10 06:55:48 h sshd[1]: User a from 300.1.1.1 not allowed because not in any "
              "group",
              TS_EADDR, NULL);
    /* Recognised but without the address part. */
    expect_rc("Dec 10 06:55:48 h sshd[1]: Failed password for root", TS_ESYNTAX, "failed-auth");
    expect_rc("Dec 10 06:55:48 h sshd[1]: Invalid user a", TS_ESYNTAX, NULL);
    expect_rc("Dec 10 06:55:48 h sshd[1]: Failed password for root from 192.0.2.1 port 22 ssh2 "
              "and then some",
              TS_ESYNTAX, NULL);
    /* Invalid UTF-8 in an event's user name. */
    expect_rc("Dec 10 06:55:48 h sshd[1]: Invalid user caf\xe9 from 192.0.2.1", TS_EUTF8, "UTF-8");
    expect_rc("Dec 10 06:55:48 h\xff sshd[1]: Invalid user a from 192.0.2.1", TS_EUTF8, NULL);
    /* Absurd length: refused, not cut. */
    size_t big = TS_EVENT_STR_MAX + 100;
    const char *pre = "Dec 10 06:55:48 h sshd[1]: Invalid user ";
    const char *post = " from 192.0.2.1";
    char *line = malloc(strlen(pre) + big + strlen(post) + 1);
    memcpy(line, pre, strlen(pre));
    memset(line + strlen(pre), 'u', big);
    strcpy(line + strlen(pre) + big, post);
    expect_rc(line, TS_ETOOBIG, "longer than");
    free(line);
}

static void test_skipped(void **state)
{
    (void)state;
    ts_sshd_set_reference_time(REF_2005_08_01);
    static const char *const skips[] = {
        "Dec 10 06:55:46 LabSZ CRON[123]: (root) CMD (run-parts /etc/cron.hourly)",
        "Dec 10 06:55:46 LabSZ kernel: [ 1.0] Failed password for root from 192.0.2.1 port 1 ssh2",
        "Dec 10 06:55:46 LabSZ sshd-keygen: Failed password for root from 192.0.2.1 port 1 ssh2",
        "Dec 10 06:55:46 LabSZ -- MARK --",
        "Dec 10 06:55:46 LabSZ",
        "Dec 10 06:55:46 LabSZ sshd[1]: Accepted password for fztu from 119.137.62.142 port 49116 "
        "ssh2",
        "Dec 10 06:55:46 LabSZ sshd[1]: pam_unix(sshd:session): session opened for user fztu by "
        "(uid=0)",
        "Dec 10 06:55:46 LabSZ sshd[1]: pam_unix(sshd:auth): authentication failure; logname= "
        "uid=0 euid=0 tty=ssh ruser= rhost=173.234.31.186 ",
        "Dec 10 06:55:46 LabSZ sshd[1]: reverse mapping checking getaddrinfo for "
        "ns.marryaldkfaczcz.com [173.234.31.186] failed - POSSIBLE BREAK-IN ATTEMPT!",
        "Dec 10 06:55:46 LabSZ sshd[1]: Received disconnect from 52.80.34.196: 11: Bye Bye "
        "[preauth]",
        "Dec 10 06:55:46 LabSZ sshd[1]: Connection closed by 173.234.31.186 [preauth]",
        "Dec 10 06:55:46 LabSZ sshd[1]: Connection closed by authenticating user root 192.0.2.10 "
        "port 46038 [preauth]",
        "Dec 10 06:55:46 LabSZ sshd[1]: input_userauth_request: invalid user webmaster [preauth]",
        "Dec 10 06:55:46 LabSZ sshd[1]: Failed publickey for git from 192.0.2.1 port 57904 ssh2: "
        "RSA 04:bc",
        "Dec 10 06:55:46 LabSZ sshd[1]: Disconnecting: Too many authentication failures for root "
        "[preauth]",
        "Dec 10 06:55:46 LabSZ sshd[1]: User root not allowed because account is locked",
        "Dec 10 06:55:46 LabSZ sshd[1]: message repeated x times: [ Failed password for root from "
        "192.0.2.1 port 1 ssh2]",
        "Dec 10 06:55:46 LabSZ sshd[1]: [ID 800047 auth.info without end",
        "Dec 10 06:55:46 LabSZ sshd[1]:",
        "<38>1 2019-07-08T17:40:16Z host su 1 - - Failed password for root from 192.0.2.1",
    };
    for (size_t i = 0; i < sizeof skips / sizeof skips[0]; i++)
        expect_rc(skips[i], TS_PARSE_SKIP, NULL);
}

/* ---- events --------------------------------------------------------------------- */

static void test_failed_password(void **state)
{
    (void)state;
    ts_sshd_set_reference_time(REF_2005_08_01);
    ts_event_t e;
    event("Jul 10 07:07:45 LabSZ sshd[24206]: Failed password for invalid user test9 from "
          "52.80.34.196 port 36060 ssh2",
          &e);
    src_is(&e, "52.80.34.196");
    time_is(&e, "2005-07-10T07:07:45.000000+00:00");
    assert_int_equal(e.dst.ip.family, TS_AF_NONE);
    assert_int_equal(e.src.port, -1);
    assert_string_equal(ts_type_name(e.type), "brute-force");
    assert_string_equal(ts_taxonomy_name(ts_type_taxonomy(e.type)), "intrusion-attempts");
    assert_true(ts_str_eq_c(e.identifier, "sshd-failed-auth"));
    assert_true(ts_str_eq_c(e.feed_name, "sshd"));
    assert_true(ts_str_eq_c(e.application, "ssh"));
    assert_int_equal(e.count, 1);
    assert_string_equal(tt_extra(&e, "sshd.kind"), "\"failed-auth\"");
    assert_string_equal(tt_extra(&e, "sshd.user"), "\"test9\"");
    assert_string_equal(tt_extra(&e, "sshd.method"), "\"password\"");
    assert_string_equal(tt_extra(&e, "sshd.port"), "36060");
    assert_string_equal(tt_extra(&e, "sshd.host"), "\"LabSZ\"");
    assert_string_equal(tt_extra(&e, "sshd.pid"), "24206");
    assert_true(ts_str_eq_c(e.description, "Failed password for invalid user test9 from "
                                           "52.80.34.196 port 36060 ssh2"));

    /* rsyslog's repeat compression keeps the number of attempts. */
    event("Dec 10 07:13:56 LabSZ sshd[24227]: message repeated 5 times: [ Failed password for "
          "root from 5.36.59.76 port 42393 ssh2]",
          &e);
    assert_int_equal(e.count, 5);
    src_is(&e, "5.36.59.76");
    assert_string_equal(tt_extra(&e, "sshd.user"), "\"root\"");
    time_is(&e, "2004-12-10T07:13:56.000000+00:00");

    /* User names are JSON-escaped; IPv6, mapped IPv4, names. */
    event("Jul  1 00:00:00 h sshd[2]: Failed password for invalid user a\"b\\c from 2001:db8::1 "
          "port 1 ssh2",
          &e);
    assert_string_equal(tt_extra(&e, "sshd.user"), "\"a\\\"b\\\\c\"");
    src_is(&e, "2001:db8::1");
    event("Jul  1 00:00:00 h sshd[2]: Failed password for invalid user x from ::ffff:192.0.2.3 "
          "port 1 ssh2",
          &e);
    src_is(&e, "192.0.2.3");
    event("Jul  1 00:00:00 h sshd[2]: Failed password for bob from Host.Example.ORG. port 1 ssh2",
          &e);
    assert_int_equal(e.src.ip.family, TS_AF_NONE);
    assert_true(ts_str_eq_c(e.src.fqdn, "host.example.org"));
}

static void test_injection(void **state)
{
    (void)state;
    ts_sshd_set_reference_time(REF_2005_08_01);
    ts_event_t e;
    event("Nov 11 08:04:52 rb sshd[2737]: Failed password for invalid user test from 10.10.1.2 "
          "port 55555 ssh2 from 127.0.0.1 port 58946 ssh2",
          &e);
    src_is(&e, "127.0.0.1");
    assert_string_equal(tt_extra(&e, "sshd.user"), "\"test from 10.10.1.2 port 55555 ssh2\"");
    event("Nov 11 08:04:52 rb sshd[2737]: Invalid user x from 10.0.0.1 from 192.0.2.44", &e);
    src_is(&e, "192.0.2.44");
    event("Jun  7 01:11:58 host sshd[8783]: Bad protocol version identification 'a from "
          "192.0.2.1 port 1' from 69.61.56.115 port 31778",
          &e);
    src_is(&e, "69.61.56.115");
    event("Jul 17 23:04:01 srv sshd[1300]: Disconnecting invalid user a 10.1.1.1 port 2 b "
          "192.0.2.11 port 46039: Change of username or service not allowed: (a,x) -> (b,x) "
          "[preauth]",
          &e);
    src_is(&e, "192.0.2.11");
    assert_string_equal(tt_extra(&e, "sshd.user"), "\"a 10.1.1.1 port 2 b\"");
    /* An empty user name. */
    event("Jun  6 04:17:04 host sshd[1]: Invalid user  from 192.0.2.68 port 34916", &e);
    assert_string_equal(tt_extra(&e, "sshd.user"), "\"\"");
}

static void test_kinds(void **state)
{
    (void)state;
    ts_sshd_set_reference_time(REF_2005_08_01);
    static const struct {
        const char *line, *kind, *type, *src;
    } cases[] = {
        {"Jul 20 14:42:12 localhost sshd[22708]: Invalid user ftp from 192.0.2.2 port 37220",
         "invalid-user", "brute-force", "192.0.2.2"},
        {"Jan  5 01:31:41 www sshd[1643]: ROOT LOGIN REFUSED FROM 1.2.3.4 port 12345 [preauth]",
         "root-login-refused", "brute-force", "1.2.3.4"},
        {"Apr 16 22:01:15 r sshd[5154]: User root from 46.45.128.3 not allowed because listed in "
         "DenyUsers",
         "user-not-allowed", "brute-force", "46.45.128.3"},
        {"Apr 29 17:53:38 m sshd[47831]: error: PAM: authentication error for james from "
         "205.186.180.102 via 192.168.1.201",
         "auth-failure", "brute-force", "205.186.180.102"},
        {"Jan  2 01:18:41 host sshd[11808]: error: Received disconnect from 10.0.0.1 port "
         "7736:3: com.jcraft.jsch.JSchException: Auth fail [preauth]",
         "auth-fail-disconnect", "brute-force", "10.0.0.1"},
        {"Jan  2 01:18:41 host sshd[11808]: Received disconnect from 2001:db8::9: 3: x: Auth fail",
         "auth-fail-disconnect", "brute-force", "2001:db8::9"},
        {"Nov 23 21:50:38 myhost sshd[109798]: error: maximum authentication attempts exceeded "
         "for invalid user xxx from 192.0.2.7 port 49941 ssh2 [preauth]",
         "max-auth-attempts", "brute-force", "192.0.2.7"},
        {"Mar 19 16:47:49 test sshd[5672]: Disconnecting invalid user admin 192.0.2.117 port "
         "44004: Change of username or service not allowed: (admin,ssh-connection) -> "
         "(user,ssh-connection) [preauth]",
         "change-of-user", "brute-force", "192.0.2.117"},
        {"Jul  5 18:22:44 mercury sshd[4669]: Failed publickey for invalid user graysky from "
         "127.0.0.1 port 37954 ssh2: RSA SHA256:v3dp",
         "failed-auth", "brute-force", "127.0.0.1"},
        {"Nov 11 23:33:27 Server sshd[5174]: refused connect from x@::ffff:218.249.210.161 "
         "(::ffff:218.249.210.161)",
         "refused-connect", "scanner", "218.249.210.161"},
        {"Jun  7 01:11:57 host sshd[8782]: Did not receive identification string from 192.0.2.5 "
         "port 35836",
         "no-identification", "scanner", "192.0.2.5"},
        {"Mar  1 18:59:33 hostname sshd[1189575]: banner exchange: Connection from 192.0.2.12 "
         "port 44105: invalid format",
         "banner-invalid", "scanner", "192.0.2.12"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ts_event_t e;
        event(cases[i].line, &e);
        char kind[64];
        snprintf(kind, sizeof kind, "\"%s\"", cases[i].kind);
        assert_string_equal(tt_extra(&e, "sshd.kind"), kind);
        assert_string_equal(ts_type_name(e.type), cases[i].type);
        src_is(&e, cases[i].src);
        char id[64];
        snprintf(id, sizeof id, "sshd-%s", cases[i].kind);
        assert_true(ts_str_eq_c(e.identifier, id));
    }
}

static void test_headers(void **state)
{
    (void)state;
    ts_sshd_set_reference_time(REF_2005_08_01);
    ts_event_t e;
    /* No host, no pid, bracketed tags, sshd-session, Solaris, <PRI>. */
    event("Nov 23 21:50:37 sshd[8148]: Invalid user a from 192.0.2.1", &e);
    assert_null(tt_extra(&e, "sshd.host"));
    assert_string_equal(tt_extra(&e, "sshd.pid"), "8148");
    event("Nov 23 21:50:37 host sshd: Invalid user a from 192.0.2.1", &e);
    assert_null(tt_extra(&e, "sshd.pid"));
    assert_string_equal(tt_extra(&e, "sshd.host"), "\"host\"");
    event("Mar  3 00:17:22 [sshd]: User root from 211.188.220.49 not allowed because not listed "
          "in AllowUsers",
          &e);
    event("Jun 25 23:53:34 [sshd] User root from 1.2.3.4 not allowed because not listed in "
          "AllowUsers",
          &e);
    event("Jul  3 14:59:17 host sshd-session[1571]: Failed password for root from 192.0.2.1 port "
          "56502 ssh2",
          &e);
    event("Mar 29 05:59:23 dusky sshd[20878]: [ID 800047 auth.info] Failed keyboard-interactive "
          "for <invalid username> from 205.186.180.55 port 42742 ssh2",
          &e);
    assert_string_equal(tt_extra(&e, "sshd.user"), "\"<invalid username>\"");
    event("<38>Feb  7 16:01:07 h sshd[5106]: Invalid user a from 192.0.2.1\r", &e);
    time_is(&e, "2005-02-07T16:01:07.000000+00:00");
    /* RFC 3339 and RFC 5424 keep their zone and year. */
    event("2015-04-16T18:02:50.321974+02:00 host sshd[2716]: Invalid user a from 192.0.2.1", &e);
    time_is(&e, "2015-04-16T16:02:50.321974+00:00");
    event("<38>1 2019-07-08T17:40:17.954167-04:00 hostname.example.com sshd 55555 - [timeQuality "
          "tzKnown=\"1\"][xxx@123 test=\"[brackets] \\\"q\\] \"] Failed unknown for invalid user "
          "redmond from 192.0.2.2 port 55555 ssh2",
          &e);
    time_is(&e, "2019-07-08T21:40:17.954167+00:00");
    src_is(&e, "192.0.2.2");
    assert_string_equal(tt_extra(&e, "sshd.host"), "\"hostname.example.com\"");
    assert_string_equal(tt_extra(&e, "sshd.pid"), "55555");
    event("<38>1 - - sshd - - - \xEF\xBB\xBFInvalid user a from 192.0.2.1", &e);
    assert_true(e.time_source == TS_TIME_NONE);
    assert_null(tt_extra(&e, "sshd.host"));
}

static void test_year(void **state)
{
    (void)state;
    ts_event_t e;
    /* 2026-01-05T12:00:00Z */
    ts_sshd_set_reference_time(INT64_C(1767614400) * 1000000);
    event("Dec 31 23:59:59 h sshd[1]: Invalid user a from 192.0.2.1", &e);
    time_is(&e, "2025-12-31T23:59:59.000000+00:00");
    event("Jan  6 12:00:00 h sshd[1]: Invalid user a from 192.0.2.1", &e); /* a day ahead: ok */
    time_is(&e, "2026-01-06T12:00:00.000000+00:00");
    event("Jan  6 12:00:01 h sshd[1]: Invalid user a from 192.0.2.1", &e); /* beyond: last year */
    time_is(&e, "2025-01-06T12:00:01.000000+00:00");
    event("Jan  5 11:00:00 h sshd[1]: Invalid user a from 192.0.2.1", &e);
    time_is(&e, "2026-01-05T11:00:00.000000+00:00");
    /* Feb 29 goes back to the last leap year. */
    ts_sshd_set_reference_time(INT64_C(1804032000) * 1000000); /* 2027-03-02 */
    event("Feb 29 10:00:00 h sshd[1]: Invalid user a from 192.0.2.1", &e);
    time_is(&e, "2024-02-29T10:00:00.000000+00:00");
    /* Unset: now. A line of today is this year, whatever the year is. */
    ts_sshd_set_reference_time(TS_TIME_NONE);
    char now[48], line[128];
    ts_time_format(ts_time_now(), now, sizeof now);
    static const char *const mon[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int m = atoi(now + 5), d = atoi(now + 8);
    snprintf(line, sizeof line, "%s %2d 00:00:00 h sshd[1]: Invalid user a from 192.0.2.1",
             mon[m - 1], d);
    event(line, &e);
    char got[48];
    ts_time_format(e.time_source, got, sizeof got);
    assert_memory_equal(got, now, 10);
}

static void test_registry(void **state)
{
    (void)state;
    const ts_parser_t *p = ts_parser_find("sshd");
    assert_non_null(p);
    assert_ptr_equal(p->parse, ts_sshd_parse);
    assert_null(ts_parser_find("ssh"));
}

/* ---- fail2ban's ground truth -------------------------------------------------------- */

/* Lines (1-based, of the log line after its failJSON) where this parser
 * deliberately disagrees with fail2ban, and why. Every other line must agree;
 * every listed line must still disagree, so the list cannot go stale. */
enum why {
    STRICT = 1, /* "192.030.0.6": a leading zero is octal to inet_aton; ts_ip_parse refuses it */
    MULTILINE,  /* fail2ban takes the address or the failure from an earlier line of the pid */
    AGGRESSIVE, /* constraint: mode == 'aggressive' only */
    MODE,       /* section tested in ddos/extra/aggressive modes only, not normal */
};
static const struct {
    int line;
    enum why why;
} disagree[] = {
    {5, STRICT},      {103, MULTILINE},  {118, MULTILINE},  {173, MULTILINE}, {182, MULTILINE},
    {203, MULTILINE}, {208, MULTILINE},  {218, MULTILINE},  {250, MULTILINE}, {252, MULTILINE},
    {262, MULTILINE}, {177, AGGRESSIVE}, {224, AGGRESSIVE}, {289, MODE},      {295, MODE},
    {301, MODE},      {305, MODE},       {308, MODE},       {311, MODE},      {313, MODE},
    {315, MODE},      {322, MODE},       {324, MODE},       {332, MODE},      {334, MODE},
    {336, MODE},      {339, MODE},       {341, MODE},       {344, MODE},      {349, MODE},
    {354, MODE},      {359, MODE},       {364, MODE},       {370, MODE},      {372, MODE},
    {374, MODE},      {376, MODE},       {380, MODE},       {384, MODE},      {388, MODE},
    {390, MODE},      {396, MODE},       {400, MODE},       {402, MODE},      {404, MODE},
    {407, MODE},
};

static enum why expected_disagreement(int line)
{
    for (size_t i = 0; i < sizeof disagree / sizeof disagree[0]; i++)
        if (disagree[i].line == line)
            return disagree[i].why;
    return 0;
}

/* Splits data into lines in place; returns the count, *out malloc'd. */
static size_t split_lines(char *data, size_t len, char ***out)
{
    size_t n = 0, cap = 1024;
    char **v = malloc(cap * sizeof *v);
    char *p = data, *end = data + len;
    while (p < end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl)
            *nl = '\0';
        if (n == cap)
            v = realloc(v, (cap *= 2) * sizeof *v);
        v[n++] = p;
        p = nl ? nl + 1 : end;
    }
    *out = v;
    return n;
}

static void test_fail2ban(void **state)
{
    (void)state;
    char *path = tt_corpus_path("sensors/fail2ban_sshd.log");
    if (path == NULL) {
        skip();
        return;
    }
    ts_sshd_set_reference_time(REF_2005_08_01);
    size_t len;
    char *data = tt_read_file(path, &len);
    assert_non_null(data);
    char **lines;
    size_t n = split_lines(data, len, &lines);
    int truths = 0, agree = 0, by_why[5] = {0}, times_checked = 0, bad = 0;
    const char *section = "";
    for (size_t i = 0; i + 1 < n; i++) {
        if (strncmp(lines[i], "# filterOptions:", 16) == 0)
            section = lines[i];
        if (strncmp(lines[i], "# failJSON:", 11) != 0)
            continue;
        truths++;
        int lineno = (int)i + 2;
        json_object *j = json_tokener_parse(lines[i] + 11), *v;
        assert_non_null(j);
        bool match = json_object_object_get_ex(j, "match", &v) && json_object_get_boolean(v);
        const char *host =
            json_object_object_get_ex(j, "host", &v) ? json_object_get_string(v) : NULL;
        const char *when =
            json_object_object_get_ex(j, "time", &v) ? json_object_get_string(v) : NULL;
        const char *constraint =
            json_object_object_get_ex(j, "constraint", &v) ? json_object_get_string(v) : "";

        ts_event_t e;
        ts_parse_error_t err;
        int rc = parse(lines[i + 1], &e, &err);
        bool ok;
        if (!match) {
            ok = rc == TS_PARSE_SKIP;
        } else {
            ok = rc == TS_PARSE_EVENT && host != NULL;
            if (ok) {
                char ip[TS_IP_STRLEN] = "";
                if (e.src.ip.family != TS_AF_NONE)
                    ts_ip_format(&e.src.ip, ip, sizeof ip);
                ok = strcmp(ip, host) == 0 || ts_str_eq_c(e.src.fqdn, host);
            }
            /* Zone-less BSD time: fail2ban's naive time is ours as UTC. */
            if (ok && when && lines[i + 1][0] >= 'A' && lines[i + 1][0] <= 'Z') {
                char t[48];
                ts_time_format(e.time_source, t, sizeof t);
                if (strncmp(t, when, strlen(when)) != 0)
                    fail_msg("line %d: time %s, fail2ban says %s", lineno, t, when);
                times_checked++;
            }
        }
        enum why why = expected_disagreement(lineno);
        if (ok) {
            agree++;
            if (why)
                fail_msg("line %d now agrees with fail2ban: remove it from the list", lineno);
        } else if (!why) {
            fprintf(stderr, "line %d: rc %d (%s), fail2ban match=%d host=%s: %s\n", lineno, rc,
                    err.detail, match, host ? host : "-", lines[i + 1]);
            bad++;
        } else {
            by_why[why]++;
            /* The reason must fit the line. */
            if (why == MODE && (strstr(section, "{}") || !strstr(section, "\"mode\"")))
                fail_msg("line %d: listed as non-normal mode, section is %s", lineno, section);
            if (why == AGGRESSIVE && !strstr(constraint, "== 'aggressive'"))
                fail_msg("line %d: listed as aggressive-only, constraint is '%s'", lineno,
                         constraint);
            if (why == STRICT && rc != TS_EADDR)
                fail_msg("line %d: listed as a strict-address refusal, rc %d", lineno, rc);
            if ((why == MULTILINE || why == MODE) && rc != TS_PARSE_SKIP)
                fail_msg("line %d: listed as not evidence on its own, rc %d", lineno, rc);
        }
        json_object_put(j);
        ts_arena_reset(arena);
    }
    fprintf(stderr,
            "fail2ban sshd ground truth: %d of %d agree (%d times checked); deliberate "
            "disagreements: %d strict address, %d multi-line, %d aggressive-only, %d "
            "ddos/extra-mode\n",
            agree, truths, times_checked, by_why[STRICT], by_why[MULTILINE], by_why[AGGRESSIVE],
            by_why[MODE]);
    assert_int_equal(bad, 0);
    assert_int_equal(truths, 155);
    assert_int_equal(agree + by_why[1] + by_why[2] + by_why[3] + by_why[4], truths);
    assert_true(times_checked > 50);
    free(lines);
    free(data);
    free(path);
}

static void test_loghub(void **state)
{
    (void)state;
    char *path = tt_corpus_path("sensors/loghub_OpenSSH_2k.log");
    if (path == NULL) {
        skip();
        return;
    }
    ts_sshd_set_reference_time(REF_2005_08_01);
    size_t len;
    char *data = tt_read_file(path, &len);
    assert_non_null(data);
    char **lines;
    size_t n = split_lines(data, len, &lines);
    size_t want_failed = 0, want_invalid = 0, want_attempts = 0;
    size_t got_failed = 0, got_invalid = 0, got_attempts = 0, events = 0, skips = 0;
    for (size_t i = 0; i < n; i++) {
        if (lines[i][0] == '\0')
            continue;
        /* Independent expectation: substrings, and rsyslog's repeat count. */
        const char *fp = strstr(lines[i], "Failed password");
        if (fp) {
            want_failed++;
            const char *rep = strstr(lines[i], "message repeated ");
            want_attempts += rep && rep < fp ? strtoul(rep + 17, NULL, 10) : 1;
        }
        if (strstr(lines[i], "Invalid user"))
            want_invalid++;
        ts_event_t e;
        ts_parse_error_t err;
        int rc = parse(lines[i], &e, &err);
        if (rc < 0)
            fail_msg("line %zu refused (%d: %s): %s", i + 1, rc, err.detail, lines[i]);
        if (rc == TS_PARSE_SKIP) {
            skips++;
            continue;
        }
        events++;
        const char *kind = tt_extra(&e, "sshd.kind");
        const char *method = tt_extra(&e, "sshd.method");
        if (strcmp(kind, "\"failed-auth\"") == 0 && method && strcmp(method, "\"password\"") == 0) {
            got_failed++;
            got_attempts += e.count;
        }
        if (strcmp(kind, "\"invalid-user\"") == 0)
            got_invalid++;
        assert_true(e.src.ip.family != TS_AF_NONE || !ts_str_is_null(e.src.fqdn));
        ts_arena_reset(arena);
    }
    fprintf(stderr,
            "loghub: %zu lines, %zu events, %zu skipped; Failed password %zu lines / %zu events "
            "(%zu attempts), Invalid user %zu / %zu\n",
            n, events, skips, want_failed, got_failed, got_attempts, want_invalid, got_invalid);
    assert_int_equal(got_failed, want_failed);
    assert_int_equal(got_attempts, want_attempts);
    assert_int_equal(got_invalid, want_invalid);
    assert_true(want_failed > 100 && want_invalid > 50 && want_attempts > want_failed);
    free(lines);
    free(data);
    free(path);
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
    ts_sshd_set_reference_time(TS_TIME_NONE);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_syslog), cmocka_unit_test(test_bad_lines),
        cmocka_unit_test(test_skipped),    cmocka_unit_test(test_failed_password),
        cmocka_unit_test(test_injection),  cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_headers),    cmocka_unit_test(test_year),
        cmocka_unit_test(test_registry),   cmocka_unit_test(test_fail2ban),
        cmocka_unit_test(test_loghub),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
