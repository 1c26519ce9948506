/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ip.h"
#include "testutil.h"

/* Parses from an exactly sized heap copy, so ASan sees any read past n. */
static int parse_ip(const char *s, ts_ip_t *out)
{
    size_t n = strlen(s);
    char *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, s, n);
    int rc = ts_ip_parse(copy, n, out);
    free(copy);
    return rc;
}

static int parse_prefix(const char *s, ts_prefix_t *out)
{
    size_t n = strlen(s);
    char *copy = malloc(n ? n : 1);
    assert_non_null(copy);
    memcpy(copy, s, n);
    int rc = ts_prefix_parse(copy, n, out);
    free(copy);
    return rc;
}

static const char *const bad_addrs[] = {
    "",
    "1.2.3",
    "1.2.3.4.5",
    "256.1.1.1",
    "1.2.3.256",
    "01.2.3.4",
    "1.2.3.04",
    "00.0.0.0",
    "1.2.3.0004",
    " 1.2.3.4",
    "1.2.3.4 ",
    "1.2.3.4\n",
    "1..2.3",
    ".1.2.3",
    "1.2.3.",
    "1.2.3.-4",
    "1.2.3.+4",
    "0x1.2.3.4",
    "1.2.3.a",
    "1234.1.1.1",
    "4294967295",
    "::1::",
    "1::2::3",
    "1:2:3:4:5:6:7:8:9",
    "1:2:3:4:5:6:7",
    "1:2:3:4:5:6:7:8::",
    "::1:2:3:4:5:6:7:8",
    "1:2:3:4::5:6:7:8",
    "fe80::1%eth0",
    "fe80::1%1",
    ":",
    ":::",
    ":1::",
    "1:",
    ":1",
    "1::2:",
    "12345::",
    "g::",
    "::g",
    "1:2:3:4:5:6:7:1.2.3.4",
    "::1.2.3",
    "::1.2.3.4.5",
    "::01.2.3.4",
    "::256.2.3.4",
    "1.2.3.4::",
    "::1.2.3.4:1",
    "::ffff:1.2.3.4/",
    "[::1]",
    "::1 ",
    " ::1",
    "1.2.3.4/24",
    "::/0",
};

static void test_ip_invalid(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof bad_addrs / sizeof bad_addrs[0]; k++) {
        ts_ip_t ip;
        memset(&ip, 0xAA, sizeof ip);
        int rc = parse_ip(bad_addrs[k], &ip);
        if (rc != TS_EADDR)
            fail_msg("accepted bad address \"%s\"", bad_addrs[k]);
        /* A failed parse leaves *out alone. */
        assert_int_equal(ip.family, 0xAA);
    }
    ts_ip_t ip;
    assert_int_equal(ts_ip_parse(NULL, 0, &ip), TS_EADDR);
    /* An embedded NUL is not a terminator. */
    assert_int_equal(ts_ip_parse("1.2.3.4\0", 8, &ip), TS_EADDR);
    /* Longer than any address could be. */
    char big[200];
    memset(big, '0', sizeof big);
    assert_int_equal(ts_ip_parse(big, sizeof big, &ip), TS_EADDR);
}

static const char *const bad_prefixes[] = {
    "1.2.3.4/33",  "1.2.3.4/24",  "1.2.3.4/",
    "/24",         "1.2.3.4/024", "1.2.3.0/024",
    "1.2.3.0/-1",  "1.2.3.0/+24", "1.2.3.0/ 24",
    "1.2.3.0/24 ", "1.2.3.0//24", "1.2.3.0/24/",
    "1.2.3.0/2a",  "11.0.0.0/7",  "0.0.0.1/0",
    "::/129",      "::1/127",     "2001:db9::/31",
    "::/00",       "::/0128",     "::/1280",
    "1.2.3/24",    "01.2.3.0/24", "fe80::%eth0/64",
    "fe80::/64%1", "/",           "",
    "1.2.3.4/32a",
};

static void test_prefix_invalid(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof bad_prefixes / sizeof bad_prefixes[0]; k++) {
        ts_prefix_t p;
        int rc = parse_prefix(bad_prefixes[k], &p);
        if (rc != TS_EADDR)
            fail_msg("accepted bad prefix \"%s\"", bad_prefixes[k]);
    }
}

/* input -> canonical text */
static const char *const good_addrs[][2] = {
    {"0.0.0.0", "0.0.0.0"},
    {"255.255.255.255", "255.255.255.255"},
    {"192.0.2.1", "192.0.2.1"},
    {"10.0.100.9", "10.0.100.9"},
    {"::", "::"},
    {"::1", "::1"},
    {"1::", "1::"},
    {"0:0:0:0:0:0:0:0", "::"},
    {"0:0:0:0:0:0:0:1", "::1"},
    {"2001:DB8::1", "2001:db8::1"},
    {"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
    /* RFC 5952 4.2.2: a single zero group is not compressed. */
    {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
    {"2001:db8::1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
    /* 4.2.3: the longest run wins; the first one on a tie. */
    {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},
    {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
    {"1:0:0:2:0:0:3:4", "1::2:0:0:3:4"},
    {"0:0:1:0:0:0:0:2", "0:0:1::2"},
    {"1:0:0:0:0:0:0:0", "1::"},
    {"1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"},
    {"::2:3:4:5:6:7:8", "0:2:3:4:5:6:7:8"},
    {"ABCD:EF01:2345:6789:ABCD:EF01:2345:6789", "abcd:ef01:2345:6789:abcd:ef01:2345:6789"},
    {"2001:db8:aaaa:bbbb:cccc:dddd:eeee:0001", "2001:db8:aaaa:bbbb:cccc:dddd:eeee:1"},
    {"fe80::0:0:1", "fe80::1"},
    /* Embedded IPv4: accepted anywhere RFC 4291 allows; only mapped prints mixed. */
    {"::ffff:192.0.2.1", "::ffff:192.0.2.1"},
    {"::FFFF:c000:0201", "::ffff:192.0.2.1"},
    {"0:0:0:0:0:ffff:0.0.0.0", "::ffff:0.0.0.0"},
    {"::192.0.2.1", "::c000:201"},
    {"64:ff9b::192.0.2.33", "64:ff9b::c000:221"},
    {"1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:102:304"},
    {"ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
};

static void test_ip_canonical(void **state)
{
    (void)state;
    for (size_t k = 0; k < sizeof good_addrs / sizeof good_addrs[0]; k++) {
        ts_ip_t ip, again;
        char buf[TS_IP_STRLEN];
        if (parse_ip(good_addrs[k][0], &ip) != 0)
            fail_msg("refused \"%s\"", good_addrs[k][0]);
        size_t n = ts_ip_format(&ip, buf, sizeof buf);
        assert_int_equal(n, strlen(buf));
        assert_string_equal(buf, good_addrs[k][1]);
        assert_int_equal(parse_ip(buf, &again), 0);
        assert_true(ts_ip_equal(&ip, &again));
        assert_int_equal(ip.family, strchr(good_addrs[k][0], ':') ? TS_AF_INET6 : TS_AF_INET);
    }
}

static void test_ip_slice(void **state)
{
    (void)state;
    ts_ip_t ip;
    /* Only n bytes count: the slice "1.2.3.4" of a longer buffer. */
    assert_int_equal(ts_ip_parse("1.2.3.45", 7, &ip), 0);
    assert_int_equal(ts_ip_v4(&ip), 0x01020304u);
    assert_int_equal(ts_ip_parse("::1:2", 3, &ip), 0);
    assert_int_equal(ip.bytes[15], 1);
    assert_int_equal(ts_ip_parse("1.2.3.4", 5, &ip), TS_EADDR); /* "1.2.3" */
    ts_prefix_t p;
    assert_int_equal(ts_prefix_parse("10.0.0.0/8x", 10, &p), 0);
    assert_int_equal(p.len, 8);
    assert_int_equal(ts_prefix_parse("10.0.0.0/16", 10, &p), TS_EADDR); /* "10.0.0.0/1" */
}

static void test_prefix_valid(void **state)
{
    (void)state;
    static const char *const good[][2] = {
        {"0.0.0.0/0", "0.0.0.0/0"},
        {"10.0.0.0/8", "10.0.0.0/8"},
        {"192.0.2.128/25", "192.0.2.128/25"},
        {"192.0.2.1", "192.0.2.1/32"},
        {"192.0.2.1/32", "192.0.2.1/32"},
        {"::/0", "::/0"},
        {"2001:DB8::/32", "2001:db8::/32"},
        {"2001:db8::1", "2001:db8::1/128"},
        {"2001:db8:0:0:8000::/65", "2001:db8:0:0:8000::/65"},
        {"::ffff:0.0.0.0/96", "::ffff:0.0.0.0/96"},
        {"fe80::/10", "fe80::/10"},
    };
    for (size_t k = 0; k < sizeof good / sizeof good[0]; k++) {
        ts_prefix_t p, again;
        char buf[TS_IP_STRLEN];
        if (parse_prefix(good[k][0], &p) != 0)
            fail_msg("refused prefix \"%s\"", good[k][0]);
        ts_prefix_format(&p, buf, sizeof buf);
        assert_string_equal(buf, good[k][1]);
        assert_int_equal(parse_prefix(buf, &again), 0);
        assert_int_equal(again.len, p.len);
        assert_true(ts_ip_equal(&again.addr, &p.addr));
    }
    /* The longest text form fits TS_IP_STRLEN. */
    ts_prefix_t p;
    char buf[TS_IP_STRLEN];
    assert_int_equal(parse_prefix("1111:2222:3333:4444:5555:6666:7777:8888/128", &p), 0);
    assert_int_equal(ts_prefix_format(&p, buf, sizeof buf), 43);
}

static void test_format_truncates(void **state)
{
    (void)state;
    ts_ip_t ip;
    char buf[8];
    assert_int_equal(parse_ip("2001:db8::1", &ip), 0);
    memset(buf, 'x', sizeof buf);
    assert_int_equal(ts_ip_format(&ip, buf, 5), 11);
    assert_string_equal(buf, "2001");
    assert_int_equal(buf[5], 'x');
    ts_ip_t none;
    memset(&none, 0, sizeof none);
    assert_int_equal(ts_ip_format(&none, buf, sizeof buf), 0);
    assert_string_equal(buf, "");
}

static void test_contains_compare(void **state)
{
    (void)state;
    ts_prefix_t net, sub, all4, all6;
    ts_ip_t in, out, v6;
    assert_int_equal(parse_prefix("192.0.2.0/24", &net), 0);
    assert_int_equal(parse_prefix("192.0.2.128/25", &sub), 0);
    assert_int_equal(parse_prefix("0.0.0.0/0", &all4), 0);
    assert_int_equal(parse_prefix("::/0", &all6), 0);
    assert_int_equal(parse_ip("192.0.2.200", &in), 0);
    assert_int_equal(parse_ip("192.0.3.0", &out), 0);
    assert_int_equal(parse_ip("::ffff:192.0.2.200", &v6), 0);
    assert_true(ts_prefix_contains(&net, &in));
    assert_false(ts_prefix_contains(&net, &out));
    assert_false(ts_prefix_contains(&net, &v6)); /* families never mix */
    assert_true(ts_prefix_contains(&all4, &out));
    assert_false(ts_prefix_contains(&all6, &in));
    assert_true(ts_prefix_contains(&all6, &v6));
    assert_true(ts_prefix_covers(&net, &sub));
    assert_false(ts_prefix_covers(&sub, &net));
    assert_true(ts_prefix_covers(&net, &net));
    assert_false(ts_prefix_covers(&all6, &net));
    assert_true(ts_ip_compare(&in, &out) < 0);
    assert_true(ts_ip_compare(&out, &in) > 0);
    assert_true(ts_ip_compare(&in, &v6) < 0); /* IPv4 sorts first */
    assert_int_equal(ts_ip_compare(&in, &in), 0);
    assert_false(ts_ip_equal(&in, &out));
}

/* Host bits: set ones are reported and cleared, including junk in the unused
 * bytes 4-15 of an IPv4 address; a valid prefix is left as it is. */
static void test_clear_host_bits(void **state)
{
    (void)state;
    ts_prefix_t p;
    assert_int_equal(parse_ip("192.0.2.1", &p.addr), 0);
    p.len = 24;
    assert_true(ts_prefix_clear_host_bits(&p));
    char buf[TS_IP_STRLEN];
    ts_prefix_format(&p, buf, sizeof buf);
    assert_string_equal(buf, "192.0.2.0/24");
    assert_false(ts_prefix_clear_host_bits(&p));

    assert_int_equal(parse_ip("10.0.0.0", &p.addr), 0);
    p.len = 8;
    p.addr.bytes[15] = 1;
    assert_true(ts_prefix_clear_host_bits(&p));
    assert_int_equal(p.addr.bytes[15], 0);

    assert_int_equal(parse_ip("2001:db8::ff", &p.addr), 0);
    p.len = 121; /* the last byte keeps its top bit only */
    assert_true(ts_prefix_clear_host_bits(&p));
    ts_prefix_format(&p, buf, sizeof buf);
    assert_string_equal(buf, "2001:db8::80/121");
    p.len = 128;
    assert_false(ts_prefix_clear_host_bits(&p));
    p.len = 0;
    assert_true(ts_prefix_clear_host_bits(&p));
    ts_prefix_format(&p, buf, sizeof buf);
    assert_string_equal(buf, "::/0");

    /* Every IPv4 length on all-ones: exactly the first len bits survive. */
    for (unsigned len = 0; len <= 32; len++) {
        assert_int_equal(parse_ip("255.255.255.255", &p.addr), 0);
        p.len = (uint8_t)len;
        assert_int_equal(ts_prefix_clear_host_bits(&p), len < 32);
        uint32_t want = len ? ~0u << (32 - len) : 0;
        assert_int_equal(ts_ip_v4(&p.addr), want);
    }
}

static uint64_t rng_state = 0x9e3779b97f4a7c15u;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

/* Random addresses (with zero runs, so "::" placement is exercised) round-trip
 * and agree with glibc's inet_ntop/inet_pton. glibc prints ::a.b.c.d for
 * IPv4-compatible addresses, which RFC 5952 does not ask for, so those are only
 * round-tripped. */
static void test_roundtrip_vs_libc(void **state)
{
    (void)state;
    for (int iter = 0; iter < 200000; iter++) {
        ts_ip_t ip, back;
        memset(&ip, 0, sizeof ip);
        bool v6 = iter & 1;
        ip.family = v6 ? TS_AF_INET6 : TS_AF_INET;
        uint64_t r = rnd();
        for (int k = 0; k < (v6 ? 8 : 2); k++) {
            uint64_t g = (r >> (k * 3)) & 7; /* mostly zero groups */
            uint16_t w = g < 4 ? 0 : g == 4 ? 0xffff : (uint16_t)rnd();
            if (g == 5)
                w = (uint16_t)(rnd() & 0xf);
            ip.bytes[2 * k] = (uint8_t)(w >> 8);
            ip.bytes[2 * k + 1] = (uint8_t)w;
        }
        char buf[TS_IP_STRLEN], ref[INET6_ADDRSTRLEN];
        size_t n = ts_ip_format(&ip, buf, sizeof buf);
        assert_int_equal(ts_ip_parse(buf, n, &back), 0);
        if (!ts_ip_equal(&ip, &back))
            fail_msg("round trip changed %s", buf);
        static const uint8_t zero12[12];
        bool compat = v6 && memcmp(ip.bytes, zero12, 12) == 0;
        if (!compat) {
            assert_non_null(inet_ntop(v6 ? AF_INET6 : AF_INET, ip.bytes, ref, sizeof ref));
            if (strcmp(buf, ref) != 0)
                fail_msg("format %s, libc %s", buf, ref);
        }
        uint8_t pt[16];
        assert_int_equal(inet_pton(v6 ? AF_INET6 : AF_INET, buf, pt), 1);
        assert_memory_equal(pt, ip.bytes, v6 ? 16 : 4);
    }
}

/* Random short strings over the address alphabet: we accept exactly what glibc
 * inet_pton accepts (glibc is strict about leading zeros too), with the same
 * bytes. */
static void test_parse_vs_libc(void **state)
{
    (void)state;
    static const char alpha[] = "0123456789abcdefABCDEF:.::..0012";
    size_t accepted = 0;
    for (int iter = 0; iter < 300000; iter++) {
        char s[48];
        size_t n = 1 + rnd() % 20;
        for (size_t k = 0; k < n; k++)
            s[k] = alpha[rnd() % (sizeof alpha - 1)];
        /* Also mutate valid addresses, which random strings rarely hit. */
        if (iter % 3 == 0) {
            ts_ip_t ip;
            memset(&ip, 0, sizeof ip);
            ip.family = TS_AF_INET6;
            ip.bytes[(rnd() % 16)] = (uint8_t)rnd();
            ip.bytes[(rnd() % 16)] = (uint8_t)rnd();
            n = ts_ip_format(&ip, s, sizeof s);
            s[rnd() % n] = alpha[rnd() % (sizeof alpha - 1)];
        }
        s[n] = '\0';
        ts_ip_t ip;
        int rc = ts_ip_parse(s, n, &ip);
        uint8_t ref[16];
        bool has_colon = strchr(s, ':') != NULL;
        int lrc = inet_pton(has_colon ? AF_INET6 : AF_INET, s, ref);
        if ((rc == 0) != (lrc == 1))
            fail_msg("\"%s\": ours %d, inet_pton %d", s, rc, lrc);
        if (rc == 0) {
            accepted++;
            assert_memory_equal(ip.bytes, ref, has_colon ? 16 : 4);
        }
    }
    assert_true(accepted > 1000); /* the comparison must have covered valid inputs */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ip_invalid),       cmocka_unit_test(test_prefix_invalid),
        cmocka_unit_test(test_ip_canonical),     cmocka_unit_test(test_ip_slice),
        cmocka_unit_test(test_prefix_valid),     cmocka_unit_test(test_format_truncates),
        cmocka_unit_test(test_contains_compare), cmocka_unit_test(test_roundtrip_vs_libc),
        cmocka_unit_test(test_parse_vs_libc),    cmocka_unit_test(test_clear_host_bits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
