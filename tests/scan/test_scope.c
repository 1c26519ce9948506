/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "route/constituency.h"
#include "scan/scope.h"

/* csirt(1) > uni(2) > dept(3); csirt > other(4); guest(5) holds a /28
 * inside uni's /24 (nesting between unrelated sites is allowed). */
static ts_constituency_t *tree(void)
{
    ts_constituency_t *c = ts_constituency_new();
    assert_int_equal(ts_constituency_add_site(c, 1, "csirt", 0), 0);
    assert_int_equal(ts_constituency_add_site(c, 2, "uni", 1), 0);
    assert_int_equal(ts_constituency_add_site(c, 3, "dept", 2), 0);
    assert_int_equal(ts_constituency_add_site(c, 4, "other", 1), 0);
    assert_int_equal(ts_constituency_add_site(c, 5, "guest", 1), 0);
    const struct {
        int64_t site;
        const char *net;
    } nets[] = {{2, "198.18.0.0/24"},  {3, "198.18.0.128/25"}, {4, "198.19.0.0/24"},
                {5, "198.18.0.64/28"}, {2, "2001:db8::/120"},  {1, "127.0.0.0/8"}};
    for (size_t i = 0; i < sizeof nets / sizeof nets[0]; i++) {
        ts_prefix_t p;
        assert_int_equal(ts_prefix_parse(nets[i].net, strlen(nets[i].net), &p), 0);
        assert_int_equal(ts_constituency_add_network(c, nets[i].site, &p, NULL), 0);
    }
    return c;
}

static int check(ts_constituency_t *c, const ts_scan_settings_t *s, int64_t site, bool csirt,
                 const char *a, const char *b, ts_scope_t *out)
{
    const char *t[2] = {a, b};
    char err[256];
    return ts_scope_check(c, s, site, csirt, t, b ? 2 : 1, out, err, sizeof err);
}

static void test_invalid(void **state)
{
    (void)state;
    ts_constituency_t *c = tree();
    ts_scan_settings_t *s = ts_scan_settings_default();
    ts_scope_t out;
    char err[256];
    assert_int_equal(ts_scope_check(c, s, 2, false, NULL, 0, &out, err, sizeof err), TS_EINVAL);
    static const char *const bad[] = {"198.18.0.1/24", "198.18.0",    "example.org", "",
                                      "10.0.0.0/33",   "198.18.0.1 ", "::ffff:/129"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(check(c, s, 2, false, bad[i], NULL, &out), TS_EINVAL);
        assert_int_equal(out.n_addrs, 0);
        ts_scope_free(&out);
    }
    /* More addresses than one scan may hold: refused before any is looked at. */
    assert_int_equal(check(c, s, 2, false, "198.18.0.0/15", NULL, &out), TS_ETOOBIG);
    ts_scope_free(&out);
    assert_int_equal(check(c, s, 2, false, "2001:db8::/64", NULL, &out), TS_ETOOBIG);
    ts_scope_free(&out);
    ts_scan_settings_free(s);
    ts_constituency_free(c);
}

static void test_refusals(void **state)
{
    (void)state;
    ts_constituency_t *c = tree();
    ts_scan_settings_t *s = ts_scan_settings_default();
    ts_scope_t out;
    /* Another site's address, even with a good one beside it: all refused. */
    assert_int_equal(check(c, s, 2, false, "198.18.0.1", "198.19.0.5", &out), TS_EDENIED);
    assert_int_equal(out.n_addrs, 0);
    assert_int_equal(out.n_refused, 1);
    assert_string_equal(out.refused[0].target, "198.19.0.5");
    assert_string_equal(out.refused[0].reason, "198.19.0.5 is outside the site's address space");
    ts_scope_free(&out);
    /* A /24 of uni's holding the guest's /28: the first guest address says why. */
    assert_int_equal(check(c, s, 2, false, "198.18.0.0/24", NULL, &out), TS_EDENIED);
    assert_string_equal(out.refused[0].reason, "198.18.0.64 is outside the site's address space");
    assert_null(strstr(out.refused[0].reason, "guest"));
    ts_scope_free(&out);
    /* A sub-site may not scan its parent's addresses. */
    assert_int_equal(check(c, s, 3, false, "198.18.0.1", NULL, &out), TS_EDENIED);
    ts_scope_free(&out);
    /* Nobody owns it: refused even for the CSIRT. */
    assert_int_equal(check(c, s, 0, true, "192.0.2.1", NULL, &out), TS_EDENIED);
    assert_string_equal(out.refused[0].reason, "192.0.2.1 is not in the constituency");
    ts_scope_free(&out);
    /* Loopback is never scanned, whoever claims it. */
    assert_int_equal(check(c, s, 1, false, "127.0.0.1", NULL, &out), TS_EDENIED);
    assert_string_equal(out.refused[0].reason, "127.0.0.1 is not a unicast address");
    ts_scope_free(&out);
    ts_scan_settings_free(s);
    ts_constituency_free(c);
}

static void test_allowed(void **state)
{
    (void)state;
    ts_constituency_t *c = tree();
    ts_scan_settings_t *s = ts_scan_settings_default();
    ts_scope_t out;
    /* Its own and a descendant's addresses; duplicates counted once. */
    assert_int_equal(check(c, s, 2, false, "198.18.0.0/26", "198.18.0.128/25", &out), 0);
    assert_int_equal(out.n_addrs, 64 + 128);
    ts_scope_free(&out);
    assert_int_equal(check(c, s, 2, false, "198.18.0.1", "198.18.0.0/30", &out), 0);
    assert_int_equal(out.n_addrs, 4);
    char a[TS_IP_STRLEN];
    ts_ip_format(&out.addrs[3], a, sizeof a);
    assert_string_equal(a, "198.18.0.3");
    ts_scope_free(&out);
    assert_int_equal(check(c, s, 2, false, "2001:db8::/126", NULL, &out), 0);
    assert_int_equal(out.n_addrs, 4);
    ts_scope_free(&out);
    /* The CSIRT: any constituency address, another site's included. */
    assert_int_equal(check(c, s, 0, true, "198.19.0.0/30", "198.18.0.64/30", &out), 0);
    assert_int_equal(out.n_addrs, 8);
    ts_scope_free(&out);
    ts_scan_settings_free(s);

    /* The opt-out list: left out and counted; nothing left is the caller's refusal. */
    const char *text = "opt_out = 198.18.0.2 198.18.0.3\n";
    char err[64];
    assert_int_equal(ts_scan_settings_parse(text, strlen(text), &s, err, sizeof err), 0);
    assert_int_equal(check(c, s, 2, false, "198.18.0.0/30", NULL, &out), 0);
    assert_int_equal(out.n_addrs, 2);
    assert_int_equal(out.n_opted_out, 2);
    ts_scope_free(&out);
    ts_scan_settings_free(s);
    ts_constituency_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_allowed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
