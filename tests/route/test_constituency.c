/* SPDX-License-Identifier: Apache-2.0 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/event.h"
#include "route/constituency.h"
#include "testutil.h"

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

static int add_net(ts_constituency_t *c, int64_t site, const char *net, const char **holder)
{
    ts_prefix_t p = pfx(net);
    return ts_constituency_add_network(c, site, &p, holder);
}

static int add_dom(ts_constituency_t *c, int64_t site, const char *d, const char **holder)
{
    return ts_constituency_add_domain(c, site, d, strlen(d), holder);
}

/* A small tree: csirt(1) > uni(2) > dept(3); csirt > agency(4). */
static ts_constituency_t *tree(void)
{
    ts_constituency_t *c = ts_constituency_new();
    assert_int_equal(ts_constituency_add_site(c, 1, "csirt", 0), 0);
    assert_int_equal(ts_constituency_add_site(c, 2, "uni", 1), 0);
    assert_int_equal(ts_constituency_add_site(c, 3, "dept", 2), 0);
    assert_int_equal(ts_constituency_add_site(c, 4, "agency", 1), 0);
    return c;
}

/* ---- Invalid input ----------------------------------------------------------- */

static void test_bad_sites(void **state)
{
    ts_constituency_t *c = ts_constituency_new();
    char long_name[66];
    memset(long_name, 'a', 65);
    long_name[65] = '\0';
    assert_int_equal(ts_constituency_add_site(c, 1, "", 0), TS_EINVAL);
    assert_int_equal(ts_constituency_add_site(c, 1, long_name, 0), TS_EINVAL);
    assert_int_equal(ts_constituency_add_site(c, 1, "a b", 0), TS_EINVAL);
    assert_int_equal(ts_constituency_add_site(c, 1, "a/b", 0), TS_EINVAL);
    assert_int_equal(ts_constituency_add_site(c, 1, "caf\xc3\xa9", 0), TS_EINVAL);
    assert_int_equal(ts_constituency_add_site(c, 1, NULL, 0), TS_EINVAL);
    assert_int_equal(ts_constituency_add_site(c, 0, "ok", 0), TS_EINVAL);
    assert_int_equal(ts_constituency_add_site(c, -3, "ok", 0), TS_EINVAL);
    assert_int_equal(ts_constituency_add_site(c, 1, "ok", 7), TS_ENOENT);
    assert_int_equal(ts_constituency_site_count(c), 0);

    long_name[64] = '\0'; /* 64 bytes is the maximum */
    assert_int_equal(ts_constituency_add_site(c, 1, long_name, 0), 0);
    assert_int_equal(ts_constituency_add_site(c, 2, "A-z_0.9", 1), 0);
    assert_int_equal(ts_constituency_add_site(c, 2, "other", 0), TS_EEXIST);   /* id */
    assert_int_equal(ts_constituency_add_site(c, 3, "A-z_0.9", 0), TS_EEXIST); /* name */
    assert_int_equal(ts_constituency_add_site(c, 3, "a-z_0.9", 0), 0);         /* names are exact */
    assert_int_equal(ts_constituency_site_count(c), 3);
    ts_constituency_free(c);
}

static void test_bad_claims(void **state)
{
    ts_constituency_t *c = tree();
    const char *h = NULL;
    ts_prefix_t p = pfx("192.0.2.0/24");
    assert_int_equal(ts_constituency_add_network(c, 99, &p, &h), TS_ENOENT);
    p.addr.bytes[3] = 1; /* host bit */
    assert_int_equal(ts_constituency_add_network(c, 1, &p, &h), TS_EINVAL);
    p = pfx("192.0.2.0/24");
    p.len = 33;
    assert_int_equal(ts_constituency_add_network(c, 1, &p, &h), TS_EINVAL);
    p.addr.family = TS_AF_NONE;
    p.len = 0;
    assert_int_equal(ts_constituency_add_network(c, 1, &p, &h), TS_EINVAL);

    assert_int_equal(ts_constituency_add_asn(c, 99, 64500, &h), TS_ENOENT);
    assert_int_equal(ts_constituency_add_asn(c, 1, 0, &h), TS_EINVAL);
    assert_int_equal(ts_constituency_add_asn(c, 1, -1, &h), TS_EINVAL);
    assert_int_equal(ts_constituency_add_asn(c, 1, 4294967296LL, &h), TS_EINVAL);

    assert_int_equal(add_dom(c, 99, "example.org", &h), TS_ENOENT);
    char label64[80], total254[300];
    memset(label64, 'a', 64);
    strcpy(label64 + 64, ".org");
    /* 63 x 'a' + '.' repeated: 4 * 64 = 256 bytes, minus 2 -> 254 */
    for (int i = 0; i < 4; i++) {
        memset(total254 + i * 64, 'b', 63);
        total254[i * 64 + 63] = '.';
    }
    total254[254] = '\0';
    const char *bad[] = {"",
                         ".",
                         "..",
                         "a..b",
                         ".example.org",
                         "example..org",
                         "exa mple.org",
                         "ex*ample.org",
                         "example.org..",
                         "caf\xc3\xa9.org",
                         label64,
                         total254};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (add_dom(c, 1, bad[i], &h) != TS_EINVAL)
            print_error("domain \"%s\" accepted\n", bad[i]);
        assert_int_equal(add_dom(c, 1, bad[i], &h), TS_EINVAL);
    }
    total254[253] = '\0'; /* 253 bytes: the limit, trailing label 62 */
    assert_int_equal(add_dom(c, 1, total254, &h), 0);
    char label63[80];
    snprintf(label63, sizeof label63, "%.63s.org", label64); /* 63-byte label: fine */
    assert_int_equal(add_dom(c, 1, label63, &h), 0);
    assert_int_equal(ts_constituency_claim_count(c), 2);

    int64_t asn = 0;
    const char *bad_asn[] = {"",   "AS",  "0",      "AS0",  "4294967296", "AS-1",
                             "+5", "12a", "064500", "A S1", "99999999999"};
    for (size_t i = 0; i < sizeof bad_asn / sizeof bad_asn[0]; i++)
        assert_int_equal(ts_asn_parse(bad_asn[i], strlen(bad_asn[i]), &asn), TS_EINVAL);
    assert_int_equal(ts_asn_parse("AS64500", 7, &asn), 0);
    assert_int_equal(asn, 64500);
    assert_int_equal(ts_asn_parse("as4294967295", 12, &asn), 0);
    assert_int_equal(asn, 4294967295LL);
    assert_int_equal(ts_asn_parse("1", 1, &asn), 0);
    assert_int_equal(asn, 1);
    ts_constituency_free(c);
}

static void test_conflicts(void **state)
{
    ts_constituency_t *c = tree();
    const char *h = NULL;
    /* Networks, IPv4 and IPv6. */
    assert_int_equal(add_net(c, 2, "198.51.100.0/24", &h), 0);
    assert_int_equal(add_net(c, 4, "198.51.100.0/24", &h), TS_ECONFLICT);
    assert_string_equal(h, "uni");
    h = NULL;
    assert_int_equal(add_net(c, 2, "198.51.100.0/24", &h), TS_EEXIST);
    assert_null(h);
    assert_int_equal(add_net(c, 2, "2001:db8::/32", &h), 0);
    assert_int_equal(add_net(c, 3, "2001:0db8:0::/32", &h), TS_ECONFLICT);
    assert_string_equal(h, "uni");
    /* Same bits, different family or length: no conflict. */
    assert_int_equal(add_net(c, 3, "198.51.100.0/25", &h), 0);
    assert_int_equal(add_net(c, 4, "198.51.0.0/16", &h), 0);
    assert_int_equal(add_net(c, 4, "::ffff:198.51.100.0/120", &h), 0);
    /* ASNs. */
    assert_int_equal(ts_constituency_add_asn(c, 4, 64500, &h), 0);
    assert_int_equal(ts_constituency_add_asn(c, 1, 64500, &h), TS_ECONFLICT);
    assert_string_equal(h, "agency");
    assert_int_equal(ts_constituency_add_asn(c, 4, 64500, &h), TS_EEXIST);
    /* Domains, case- and trailing-dot-insensitive. */
    assert_int_equal(add_dom(c, 2, "Example.ORG", &h), 0);
    assert_int_equal(add_dom(c, 3, "example.org", &h), TS_ECONFLICT);
    assert_string_equal(h, "uni");
    assert_int_equal(add_dom(c, 4, "EXAMPLE.org.", &h), TS_ECONFLICT);
    assert_int_equal(add_dom(c, 2, "example.org", &h), TS_EEXIST);
    /* Nested domains across sites are fine. */
    assert_int_equal(add_dom(c, 3, "cs.example.org", &h), 0);
    /* The NULL holder is allowed. */
    assert_int_equal(add_dom(c, 3, "example.org", NULL), TS_ECONFLICT);
    assert_int_equal(ts_constituency_claim_count(c), 8);
    ts_constituency_free(c);
}

/* ---- Lookups ------------------------------------------------------------------- */

static void expect_ip(ts_constituency_t *c, const char *addr, const char *site, const char *rule)
{
    ts_ip_t a = ip(addr);
    ts_match_t m;
    int rc = ts_constituency_lookup_ip(c, &a, &m);
    if (site == NULL) {
        assert_int_equal(rc, TS_ENOENT);
        return;
    }
    if (rc != 0)
        print_error("%s: no owner, expected %s\n", addr, site);
    assert_int_equal(rc, 0);
    assert_string_equal(m.site_name, site);
    assert_string_equal(m.rule, rule);
    assert_int_equal(m.kind, TS_RULE_NETWORK);
}

static void test_lookup_ip(void **state)
{
    ts_constituency_t *c = tree();
    expect_ip(c, "10.1.2.3", NULL, NULL); /* empty */
    const char *h;
    assert_int_equal(add_net(c, 1, "10.0.0.0/8", &h), 0);
    assert_int_equal(add_net(c, 3, "10.1.2.0/24", &h), 0); /* deeper site, inserted first */
    assert_int_equal(add_net(c, 2, "10.1.0.0/16", &h), 0);
    assert_int_equal(add_net(c, 4, "10.1.2.128/32", &h), 0);
    assert_int_equal(add_net(c, 2, "2001:db8::/32", &h), 0);
    assert_int_equal(add_net(c, 3, "2001:db8:1::/48", &h), 0);
    expect_ip(c, "10.9.9.9", "csirt", "10.0.0.0/8");
    expect_ip(c, "10.1.9.9", "uni", "10.1.0.0/16");
    expect_ip(c, "10.1.2.3", "dept", "10.1.2.0/24");
    expect_ip(c, "10.1.2.128", "agency", "10.1.2.128/32");
    expect_ip(c, "10.1.2.129", "dept", "10.1.2.0/24");
    expect_ip(c, "11.0.0.0", NULL, NULL);
    expect_ip(c, "9.255.255.255", NULL, NULL);
    expect_ip(c, "2001:db8:1:2::1", "dept", "2001:db8:1::/48");
    expect_ip(c, "2001:db8:2::1", "uni", "2001:db8::/32");
    expect_ip(c, "2001:db9::1", NULL, NULL);
    expect_ip(c, "::ffff:10.1.2.3", NULL, NULL); /* families are separate */
    ts_ip_t none = {0};
    ts_match_t m;
    assert_int_equal(ts_constituency_lookup_ip(c, &none, &m), TS_ENOENT);
    assert_int_equal(m.site_id == 0 || 1, 1);
    ts_constituency_free(c);
}

static void test_lookup_asn_domain(void **state)
{
    ts_constituency_t *c = tree();
    ts_match_t m;
    assert_int_equal(ts_constituency_lookup_asn(c, 64500, &m), TS_ENOENT);
    assert_int_equal(ts_constituency_lookup_domain(c, "example.org", 11, &m), TS_ENOENT);
    assert_int_equal(ts_constituency_add_asn(c, 2, 64500, NULL), 0);
    assert_int_equal(ts_constituency_add_asn(c, 3, 4294967295LL, NULL), 0);
    assert_int_equal(add_dom(c, 2, "example.org", NULL), 0);
    assert_int_equal(add_dom(c, 3, "cs.Example.org", NULL), 0);
    assert_int_equal(add_dom(c, 4, "org", NULL), 0);

    assert_int_equal(ts_constituency_lookup_asn(c, 64500, &m), 0);
    assert_string_equal(m.site_name, "uni");
    assert_string_equal(m.rule, "AS64500");
    assert_int_equal(m.kind, TS_RULE_ASN);
    assert_int_equal(m.site_id, 2);
    assert_int_equal(ts_constituency_lookup_asn(c, 4294967295LL, &m), 0);
    assert_string_equal(m.rule, "AS4294967295");
    assert_int_equal(ts_constituency_lookup_asn(c, 64501, &m), TS_ENOENT);
    assert_int_equal(ts_constituency_lookup_asn(c, -1, &m), TS_ENOENT);

    struct {
        const char *name, *site, *rule;
    } cases[] = {
        {"example.org", "uni", "example.org"},
        {"a.b.example.org", "uni", "example.org"},
        {"WWW.EXAMPLE.ORG.", "uni", "example.org"},
        {"cs.example.org", "dept", "cs.example.org"},
        {"x.cs.example.org", "dept", "cs.example.org"},
        {"xcs.example.org", "uni", "example.org"},
        {"badexample.org", "agency", "org"}, /* not example.org's: label boundary */
        {"org", "agency", "org"},
        {"example.com", NULL, NULL},
        {"com", NULL, NULL},
        {"", NULL, NULL},
        {"a..example.org", NULL, NULL}, /* malformed: no owner */
        {"bad name.example.org", NULL, NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = ts_constituency_lookup_domain(c, cases[i].name, strlen(cases[i].name), &m);
        if (cases[i].site == NULL) {
            assert_int_equal(rc, TS_ENOENT);
            continue;
        }
        if (rc != 0 || strcmp(m.site_name, cases[i].site) != 0)
            print_error("%s: rc %d site %s, want %s\n", cases[i].name, rc, rc ? "-" : m.site_name,
                        cases[i].site);
        assert_int_equal(rc, 0);
        assert_string_equal(m.site_name, cases[i].site);
        assert_string_equal(m.rule, cases[i].rule);
        assert_int_equal(m.kind, TS_RULE_DOMAIN);
    }
    ts_constituency_free(c);
}

/* ---- Routing ------------------------------------------------------------------- */

static ts_arena_t *route_arena;

/* Routes with an arena of the test's, emptied per call. */
static int route(ts_constituency_t *c, const ts_event_t *e, ts_link_t **l)
{
    if (route_arena == NULL)
        route_arena = ts_arena_new(4096);
    ts_arena_reset(route_arena);
    return ts_constituency_route(c, e, route_arena, l);
}

static void share_is(const ts_link_t *l, const char *want, uint64_t count)
{
    ts_buf_t b = TS_BUF_INIT;
    ts_targets_format(l->own.list, l->own.n, &b);
    if (strcmp(b.data ? b.data : "", want) != 0 || l->own.count != count)
        fail_msg("%s: share '%s' count %llu, want '%s' count %llu", l->match.site_name,
                 b.data ? b.data : "", (unsigned long long)l->own.count, want,
                 (unsigned long long)count);
    ts_buf_free(&b);
}

static void set_targets(ts_targets_t *t, ts_prefix_t *list, size_t n, uint64_t count)
{
    t->n = (uint32_t)ts_targets_normalize(list, n);
    t->list = list;
    t->count = count ? count : t->n;
}

/* Networks and target lists reach every site owning part of them, each
 * with its own share, and nothing else. */
static void test_route_many(void **state)
{
    ts_constituency_t *c = tree();
    assert_int_equal(ts_constituency_add_site(c, 5, "lab", 3), 0);
    assert_int_equal(ts_constituency_add_site(c, 6, "other", 0), 0);
    assert_int_equal(add_net(c, 2, "10.1.0.0/16", NULL), 0);     /* uni */
    assert_int_equal(add_net(c, 3, "10.1.2.0/24", NULL), 0);     /* dept */
    assert_int_equal(add_net(c, 5, "10.1.2.0/25", NULL), 0);     /* lab */
    assert_int_equal(add_net(c, 3, "10.1.2.128/25", NULL), 0);   /* dept takes its /24 back */
    assert_int_equal(add_net(c, 4, "10.2.0.0/16", NULL), 0);     /* agency */
    assert_int_equal(add_net(c, 6, "2001:db8:6::/48", NULL), 0); /* other */
    assert_int_equal(ts_constituency_add_asn(c, 4, 64501, NULL), 0);

    ts_event_t e;
    ts_link_t *l;
    /* A blocklist netblock without address: every site owning part of it. */
    ts_event_init(&e);
    e.src.network = pfx("10.0.0.0/8");
    assert_int_equal(route(c, &e, &l), 4);
    assert_string_equal(l[0].match.site_name, "uni");
    assert_string_equal(l[0].match.rule, "10.1.0.0/16");
    share_is(&l[0], "10.1.0.0/16", 0); /* a part of the target, not the target */
    /* dept's /24 is all given away (lab's /25 and dept's own /25). */
    assert_string_equal(l[1].match.site_name, "dept");
    assert_string_equal(l[1].match.rule, "10.1.2.128/25");
    share_is(&l[1], "10.1.2.128/25", 0);
    assert_string_equal(l[2].match.site_name, "agency");
    assert_string_equal(l[3].match.site_name, "lab");
    for (int i = 0; i < 4; i++)
        assert_int_equal(l[i].role, TS_ROLE_SOURCE);
    /* A network inside one claim: that site alone, the network whole. */
    e.src.network = pfx("10.1.2.0/26");
    assert_int_equal(route(c, &e, &l), 1);
    assert_string_equal(l[0].match.site_name, "lab");
    share_is(&l[0], "10.1.2.0/26", 1);
    /* The network equal to a claim that is all given away goes to the takers. */
    e.src.network = pfx("10.1.2.0/24");
    assert_int_equal(route(c, &e, &l), 2);
    assert_string_equal(l[0].match.site_name, "dept");
    share_is(&l[0], "10.1.2.128/25", 0);
    assert_string_equal(l[1].match.site_name, "lab");
    /* With an ip the network is context: only the ip routes. */
    e.src.ip = ip("10.2.0.9");
    assert_int_equal(route(c, &e, &l), 1);
    assert_string_equal(l[0].match.site_name, "agency");
    assert_int_equal(l[0].own.n, 0);
    /* Nobody's network: the ASN decides, as for an address. */
    ts_event_init(&e);
    e.src.network = pfx("192.0.2.0/24");
    e.src.asn = 64501;
    assert_int_equal(route(c, &e, &l), 1);
    assert_string_equal(l[0].match.rule, "AS64501");
    assert_int_equal(l[0].own.n, 0);

    /* An address scan: destination targets across three sites and nobody. */
    ts_prefix_t hosts[] = {pfx("10.1.2.5"), pfx("10.1.2.6"),     pfx("10.1.2.200"),
                           pfx("10.1.9.9"), pfx("10.2.3.4"),     pfx("192.0.2.1"),
                           pfx("10.1.2.5"), pfx("2001:db8:6::1")};
    ts_targets_t t;
    set_targets(&t, hosts, sizeof hosts / sizeof *hosts, 0);
    assert_int_equal(t.n, 7);
    ts_event_init(&e);
    e.src.ip = ip("203.0.113.66");
    e.dst.targets = &t;
    assert_int_equal(route(c, &e, &l), 5);
    static const char *const want[][3] = {{"uni", "10.1.9.9", "10.1.0.0/16"},
                                          {"dept", "10.1.2.200", "10.1.2.128/25"},
                                          {"agency", "10.2.3.4", "10.2.0.0/16"},
                                          {"lab", "10.1.2.5 10.1.2.6", "10.1.2.0/25"},
                                          {"other", "2001:db8:6::1", "2001:db8:6::/48"}};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(l[i].role, TS_ROLE_DESTINATION);
        assert_string_equal(l[i].match.site_name, want[i][0]);
        assert_string_equal(l[i].match.rule, want[i][2]);
        share_is(&l[i], want[i][1], i == 3 ? 2 : 1);
    }
    /* The scanner's own site gets the source link, without a share. */
    e.src.ip = ip("10.2.7.7");
    assert_int_equal(route(c, &e, &l), 6);
    assert_int_equal(l[0].role, TS_ROLE_SOURCE);
    assert_string_equal(l[0].match.site_name, "agency");
    assert_int_equal(l[0].own.n, 0);
    /* A covering list: shares without a count. */
    ts_prefix_t covers[] = {pfx("10.1.2.0/24"), pfx("10.2.0.0/24")};
    set_targets(&t, covers, 2, 600);
    e.src.ip.family = TS_AF_NONE;
    assert_int_equal(route(c, &e, &l), 3);
    assert_string_equal(l[0].match.site_name, "dept");
    share_is(&l[0], "10.1.2.128/25", 0);
    assert_string_equal(l[1].match.site_name, "agency");
    share_is(&l[1], "10.2.0.0/24", 0);
    assert_string_equal(l[2].match.site_name, "lab");
    share_is(&l[2], "10.1.2.0/25", 0);
    /* The same list exact: a network and a host inside it, named apart. */
    ts_prefix_t both[] = {pfx("10.2.0.0/24"), pfx("10.2.0.7")};
    set_targets(&t, both, 2, 0);
    assert_int_equal(route(c, &e, &l), 1);
    share_is(&l[0], "10.2.0.0/24", 2);
    /* Each link's own hosts, uniformly: a share, or the side's one address. */
    ts_prefix_t one;
    ts_targets_t own;
    ts_event_init(&e);
    e.src.ip = ip("10.2.7.7");
    e.dst.targets = &t;
    set_targets(&t, hosts, 7, 0);
    assert_int_equal(route(c, &e, &l), 6);
    ts_link_own(&e, &l[0], &one, &own);
    assert_int_equal(own.n, 1);
    assert_int_equal(ts_prefix_compare(&own.list[0], &(ts_prefix_t){.addr = e.src.ip, .len = 32}),
                     0);
    ts_link_own(&e, &l[4], &one, &own); /* lab */
    assert_int_equal(own.n, 2);
    assert_true(own.list == l[4].own.list);
    ts_event_init(&e);
    e.dst.asn = 64501;
    assert_int_equal(route(c, &e, &l), 1);
    ts_link_own(&e, &l[0], &one, &own);
    assert_int_equal(own.n, 0);
    e.dst.targets = &t;

    /* Targets nobody owns: the ASN decides, as for an address nobody owns. */
    ts_prefix_t none[] = {pfx("192.0.2.1")};
    set_targets(&t, none, 1, 0);
    e.dst.asn = 64501;
    assert_int_equal(route(c, &e, &l), 1);
    assert_string_equal(l[0].match.rule, "AS64501");
    ts_constituency_free(c);
}

/* Property, against a model that enumerates every address: a network or
 * target entry reaches exactly the sites that are the longest-prefix owner of
 * one of its addresses, and each site's share covers its addresses and
 * nobody else's. */
static int owner_of(const ts_prefix_t *claims, const int *site_of, int n, const ts_ip_t *a)
{
    int best = -1;
    for (int i = 0; i < n; i++)
        if (ts_prefix_contains(&claims[i], a) && (best < 0 || claims[i].len > claims[best].len))
            best = i;
    return best < 0 ? -1 : site_of[best];
}

static ts_ip_t v4_of(uint32_t v)
{
    ts_ip_t a = {.family = TS_AF_INET};
    a.bytes[0] = (uint8_t)(v >> 24);
    a.bytes[1] = (uint8_t)(v >> 16);
    a.bytes[2] = (uint8_t)(v >> 8);
    a.bytes[3] = (uint8_t)v;
    return a;
}

static uint64_t xrnd_state = 0x243f6a8885a308d3ULL;
static uint64_t xrnd(void)
{
    xrnd_state ^= xrnd_state << 13;
    xrnd_state ^= xrnd_state >> 7;
    xrnd_state ^= xrnd_state << 17;
    return xrnd_state;
}

static ts_prefix_t random_v4(unsigned minlen, unsigned maxlen)
{
    ts_prefix_t p;
    memset(&p, 0, sizeof p);
    p.addr.family = TS_AF_INET;
    p.addr.bytes[0] = 10;
    p.addr.bytes[1] = 0;
    p.addr.bytes[2] = (uint8_t)(xrnd() % 16);
    p.addr.bytes[3] = (uint8_t)xrnd();
    p.len = (uint8_t)(minlen + xrnd() % (maxlen - minlen + 1));
    (void)ts_prefix_clear_host_bits(&p);
    return p;
}

static void test_route_model(void **state)
{
    enum { N_SITES = 8, N_CLAIMS = 60 };
    for (int round = 0; round < 60; round++) {
        ts_constituency_t *c = ts_constituency_new();
        for (int s = 1; s <= N_SITES; s++)
            assert_int_equal(ts_constituency_add_site(c, s, (char[]){'s', (char)('0' + s), 0}, 0),
                             0);
        ts_prefix_t claims[N_CLAIMS];
        int site_of[N_CLAIMS], n_claims = 0;
        for (int i = 0; i < N_CLAIMS; i++) {
            ts_prefix_t p = random_v4(18, 30);
            int s = 1 + (int)(xrnd() % N_SITES);
            if (ts_constituency_add_network(c, s, &p, NULL) == 0) {
                claims[n_claims] = p;
                site_of[n_claims++] = s;
            }
        }
        /* Claims taken whole by their two halves, so that the shadowed ones
         * must get nothing. */
        for (int i = 0, k = n_claims; i < k && n_claims + 2 <= N_CLAIMS; i++) {
            if (claims[i].len > 29 || xrnd() % 3)
                continue;
            for (int half = 0; half < 2; half++) {
                ts_prefix_t p = claims[i];
                p.len++;
                if (half)
                    p.addr.bytes[3] |= (uint8_t)(1u << (32 - p.len));
                int st = 1 + (int)(xrnd() % N_SITES);
                if (ts_constituency_add_network(c, st, &p, NULL) == 0) {
                    claims[n_claims] = p;
                    site_of[n_claims++] = st;
                }
            }
        }
        ts_prefix_t list[12];
        size_t n = 1 + xrnd() % 12;
        for (size_t i = 0; i < n; i++)
            list[i] = xrnd() % 3 ? random_v4(32, 32) : random_v4(21, 31);
        ts_targets_t t;
        set_targets(&t, list, n, 0);
        ts_event_t e;
        ts_event_init(&e);
        e.dst.targets = &t;
        ts_link_t *l;
        int nl = route(c, &e, &l);
        /* The model: per site, the addresses it owns and the entries touching it. */
        static bool owns[N_SITES + 1][1 << 12];
        int entries[N_SITES + 1] = {0};
        memset(owns, 0, sizeof owns);
        for (uint32_t k = 0; k < t.n; k++) {
            bool touched[N_SITES + 1] = {false};
            const ts_prefix_t *p = &t.list[k];
            uint32_t first = ts_ip_v4(&p->addr), size = 1u << (32 - p->len);
            for (uint32_t a = 0; a < size; a++) {
                uint32_t v = first + a;
                ts_ip_t ad = v4_of(v);
                int s = owner_of(claims, site_of, n_claims, &ad);
                if (s > 0) {
                    owns[s][v & 0xfff] = true;
                    touched[s] = true;
                }
            }
            for (int s = 1; s <= N_SITES; s++)
                entries[s] += touched[s];
        }
        int want_links = 0;
        for (int s = 1; s <= N_SITES; s++)
            want_links += entries[s] > 0;
        if (nl != want_links)
            fail_msg("round %d: %d links, the model has %d", round, nl, want_links);
        for (int i = 0; i < nl; i++) {
            int s = (int)l[i].match.site_id;
            assert_true(i == 0 || l[i - 1].match.site_id < s);
            assert_int_equal(l[i].role, TS_ROLE_DESTINATION);
            if (entries[s] == 0)
                fail_msg("round %d: site %d linked without owning anything", round, s);
            /* Every address the share covers inside an entry is the site's;
             * every address of the site's is covered. */
            for (uint32_t k = 0; k < t.n; k++) {
                const ts_prefix_t *p = &t.list[k];
                uint32_t first = ts_ip_v4(&p->addr), size = 1u << (32 - p->len);
                for (uint32_t a = 0; a < size; a++) {
                    uint32_t v = first + a;
                    ts_ip_t ad = v4_of(v);
                    bool in = false;
                    for (uint32_t j = 0; j < l[i].own.n && !in; j++)
                        in = ts_prefix_contains(&l[i].own.list[j], &ad);
                    if (owns[s][v & 0xfff] && !in)
                        fail_msg("round %d: site %d's share misses one of its addresses", round, s);
                }
            }
            for (uint32_t j = 0; j < l[i].own.n; j++) {
                /* A share entry is an entry held by a claim of the site, or a
                 * claim of the site inside an entry. */
                const ts_prefix_t *x = &l[i].own.list[j];
                bool ok = false;
                for (uint32_t k = 0; k < t.n; k++)
                    for (int m = 0; m < n_claims && !ok; m++)
                        ok = site_of[m] == s && ((ts_prefix_compare(x, &t.list[k]) == 0 &&
                                                  ts_prefix_covers(&claims[m], x)) ||
                                                 (ts_prefix_compare(x, &claims[m]) == 0 &&
                                                  ts_prefix_covers(&t.list[k], x)));
                if (!ok)
                    fail_msg("round %d: site %d's share holds a foreign prefix", round, s);
            }
            assert_true(l[i].own.count == 0 || l[i].own.count == (uint64_t)entries[s]);
        }
        ts_constituency_free(c);
    }
}

static void test_route(void **state)
{
    ts_constituency_t *c = tree();
    assert_int_equal(add_net(c, 2, "192.0.2.0/24", NULL), 0);
    assert_int_equal(add_net(c, 4, "198.51.100.0/24", NULL), 0);
    assert_int_equal(ts_constituency_add_asn(c, 3, 64500, NULL), 0);
    assert_int_equal(add_dom(c, 4, "agency.example", NULL), 0);
    assert_int_equal(add_dom(c, 3, "dept.example", NULL), 0);

    ts_event_t e;
    ts_link_t *l;
    /* Nothing known. */
    ts_event_init(&e);
    assert_int_equal(route(c, &e, &l), 0);
    e.src.ip = ip("203.0.113.1");
    e.dst.ip = ip("2001:db8::1");
    assert_int_equal(route(c, &e, &l), 0);

    /* Source and destination in different sites. */
    e.src.ip = ip("192.0.2.7");
    e.dst.ip = ip("198.51.100.9");
    assert_int_equal(route(c, &e, &l), 2);
    assert_int_equal(l[0].role, TS_ROLE_SOURCE);
    assert_string_equal(l[0].match.site_name, "uni");
    assert_int_equal(l[1].role, TS_ROLE_DESTINATION);
    assert_string_equal(l[1].match.site_name, "agency");

    /* Only the destination is ours: one link, the destination. */
    e.src.ip = ip("203.0.113.1");
    assert_int_equal(route(c, &e, &l), 1);
    assert_int_equal(l[0].role, TS_ROLE_DESTINATION);
    assert_string_equal(l[0].match.site_name, "agency");

    /* Both ends in the same site: two links. */
    e.src.ip = ip("198.51.100.1");
    assert_int_equal(route(c, &e, &l), 2);
    assert_string_equal(l[0].match.site_name, "agency");
    assert_string_equal(l[1].match.site_name, "agency");

    /* The address wins over ASN and FQDN; ASN over FQDN. */
    ts_event_init(&e);
    e.src.ip = ip("192.0.2.1");
    e.src.asn = 64500;
    e.src.fqdn = TS_STR_LIT("www.agency.example");
    assert_int_equal(route(c, &e, &l), 1);
    assert_string_equal(l[0].match.site_name, "uni");
    assert_int_equal(l[0].match.kind, TS_RULE_NETWORK);
    e.src.ip = ip("203.0.113.1"); /* address not ours: fall back to the ASN */
    assert_int_equal(route(c, &e, &l), 1);
    assert_string_equal(l[0].match.site_name, "dept");
    assert_string_equal(l[0].match.rule, "AS64500");
    e.src.asn = 64999;
    assert_int_equal(route(c, &e, &l), 1);
    assert_string_equal(l[0].match.site_name, "agency");
    assert_string_equal(l[0].match.rule, "agency.example");
    assert_int_equal(l[0].match.kind, TS_RULE_DOMAIN);

    /* URL host when there is no FQDN. */
    ts_event_init(&e);
    e.dst.url = TS_STR_LIT("https://user@WWW.Dept.Example:8443/login?x=1");
    assert_int_equal(route(c, &e, &l), 1);
    assert_int_equal(l[0].role, TS_ROLE_DESTINATION);
    assert_string_equal(l[0].match.site_name, "dept");
    e.dst.url = TS_STR_LIT("http://192.0.2.200/x");
    assert_int_equal(route(c, &e, &l), 1);
    assert_string_equal(l[0].match.site_name, "uni");
    e.dst.url = TS_STR_LIT("http://[2001:db8::1]:80/");
    assert_int_equal(route(c, &e, &l), 0);
    e.dst.url = TS_STR_LIT("agency.example/path");
    assert_int_equal(route(c, &e, &l), 1);
    assert_string_equal(l[0].match.site_name, "agency");
    e.dst.url = TS_STR_LIT("http://");
    assert_int_equal(route(c, &e, &l), 0);
    /* An FQDN present but unknown does not fall back to the URL. */
    e.dst.url = TS_STR_LIT("http://agency.example/");
    e.dst.fqdn = TS_STR_LIT("elsewhere.test");
    assert_int_equal(route(c, &e, &l), 0);
    ts_constituency_free(c);
}

/* ---- Tree queries and walks -------------------------------------------------- */

struct walk {
    char text[512];
};

static int walk_cb(const ts_site_view_t *v, void *ctx)
{
    struct walk *w = ctx;
    size_t n = strlen(w->text);
    snprintf(w->text + n, sizeof w->text - n, "%s%u:%s/%zu", n ? " " : "", v->depth, v->name,
             v->n_claims);
    return 0;
}

static int stop_cb(const ts_site_view_t *v, void *ctx)
{
    ++*(int *)ctx;
    return 42;
}

static int claim_cb(const ts_claim_view_t *v, void *ctx)
{
    struct walk *w = ctx;
    size_t n = strlen(w->text);
    snprintf(w->text + n, sizeof w->text - n, "%s%s", n ? " " : "", v->rule);
    return 0;
}

static void test_tree(void **state)
{
    ts_constituency_t *c = ts_constituency_new();
    /* Added in an order unlike the walk's. */
    assert_int_equal(ts_constituency_add_site(c, 10, "zeta", 0), 0);
    assert_int_equal(ts_constituency_add_site(c, 5, "csirt", 0), 0);
    assert_int_equal(ts_constituency_add_site(c, 7, "uni-b", 5), 0);
    assert_int_equal(ts_constituency_add_site(c, 6, "uni-a", 5), 0);
    assert_int_equal(ts_constituency_add_site(c, 8, "dept", 7), 0);
    assert_int_equal(ts_constituency_add_site(c, 9, "lab", 8), 0);
    assert_int_equal(ts_constituency_add_site(c, 11, "Alpha", 5), 0);

    assert_true(ts_constituency_is_ancestor(c, 5, 9));
    assert_true(ts_constituency_is_ancestor(c, 7, 9));
    assert_true(ts_constituency_is_ancestor(c, 9, 9));
    assert_false(ts_constituency_is_ancestor(c, 9, 7));
    assert_false(ts_constituency_is_ancestor(c, 6, 9));
    assert_false(ts_constituency_is_ancestor(c, 10, 9));
    assert_false(ts_constituency_is_ancestor(c, 99, 9));
    assert_false(ts_constituency_is_ancestor(c, 5, 99));

    int64_t id, parent;
    assert_int_equal(ts_constituency_site_id(c, "dept", &id), 0);
    assert_int_equal(id, 8);
    assert_int_equal(ts_constituency_site_id(c, "nope", &id), TS_ENOENT);
    assert_string_equal(ts_constituency_site_name(c, 9), "lab");
    assert_null(ts_constituency_site_name(c, 99));
    assert_int_equal(ts_constituency_parent(c, 9, &parent), 0);
    assert_int_equal(parent, 8);
    assert_int_equal(ts_constituency_parent(c, 5, &parent), 0);
    assert_int_equal(parent, 0);
    assert_int_equal(ts_constituency_parent(c, 99, &parent), TS_ENOENT);

    assert_int_equal(add_net(c, 8, "192.0.2.0/25", NULL), 0);
    assert_int_equal(add_dom(c, 8, "b.example", NULL), 0);
    assert_int_equal(add_net(c, 8, "2001:db8::/32", NULL), 0);
    assert_int_equal(ts_constituency_add_asn(c, 8, 65000, NULL), 0);
    assert_int_equal(add_net(c, 8, "192.0.2.0/24", NULL), 0);
    assert_int_equal(add_dom(c, 8, "a.example", NULL), 0);
    assert_int_equal(ts_constituency_add_asn(c, 8, 700, NULL), 0);
    assert_int_equal(add_net(c, 8, "10.0.0.0/8", NULL), 0);

    struct walk w = {""};
    assert_int_equal(ts_constituency_foreach_site(c, walk_cb, &w), 0);
    assert_string_equal(w.text, "0:csirt/0 1:Alpha/0 1:uni-a/0 1:uni-b/0 2:dept/8 3:lab/0 "
                                "0:zeta/0");
    memset(&w, 0, sizeof w);
    assert_int_equal(ts_constituency_foreach_child(c, 5, walk_cb, &w), 0);
    assert_string_equal(w.text, "1:Alpha/0 1:uni-a/0 1:uni-b/0");
    memset(&w, 0, sizeof w);
    assert_int_equal(ts_constituency_foreach_child(c, 0, walk_cb, &w), 0);
    assert_string_equal(w.text, "0:csirt/0 0:zeta/0");
    memset(&w, 0, sizeof w);
    assert_int_equal(ts_constituency_foreach_child(c, 9, walk_cb, &w), 0);
    assert_string_equal(w.text, "");
    assert_int_equal(ts_constituency_foreach_child(c, 99, walk_cb, &w), TS_ENOENT);
    int calls = 0;
    assert_int_equal(ts_constituency_foreach_site(c, stop_cb, &calls), 42);
    assert_int_equal(calls, 1);

    memset(&w, 0, sizeof w);
    assert_int_equal(ts_constituency_foreach_claim(c, 8, claim_cb, &w), 0);
    assert_string_equal(w.text, "10.0.0.0/8 192.0.2.0/24 192.0.2.0/25 2001:db8::/32 AS700 "
                                "AS65000 a.example b.example");
    memset(&w, 0, sizeof w);
    assert_int_equal(ts_constituency_foreach_claim(c, 9, claim_cb, &w), 0);
    assert_string_equal(w.text, "");
    assert_int_equal(ts_constituency_foreach_claim(c, 99, claim_cb, &w), TS_ENOENT);

    ts_constituency_t *empty = ts_constituency_new();
    assert_int_equal(ts_constituency_foreach_site(empty, stop_cb, &calls), 0);
    ts_constituency_free(empty);
    ts_constituency_free(c);
}

/* A deep chain must not exhaust the stack of the walk. */
static void test_deep_tree(void **state)
{
    ts_constituency_t *c = ts_constituency_new();
    enum { N = 20000 };
    char name[32];
    for (int i = 1; i <= N; i++) {
        snprintf(name, sizeof name, "s%d", i);
        assert_int_equal(ts_constituency_add_site(c, i, name, i - 1), 0);
    }
    assert_true(ts_constituency_is_ancestor(c, 1, N));
    int calls = 0;
    assert_int_equal(ts_constituency_foreach_site(c, stop_cb, &calls), 42);
    struct walk w = {""};
    assert_int_equal(ts_constituency_foreach_site(c, walk_cb, &w), 0);
    assert_int_equal(strncmp(w.text, "0:s1/0 1:s2/0 2:s3/0", 20), 0);
    ts_constituency_free(c);
}

/* ---- Property: the constituency agrees with a brute-force longest match ------ */

struct rule_rec {
    ts_prefix_t p;
    int64_t site;
};

static uint64_t rng_state;

static uint32_t rnd(void)
{
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng_state >> 33);
}

static void mask(ts_prefix_t *p)
{
    unsigned bits = p->addr.family == TS_AF_INET ? 32 : 128;
    for (unsigned i = 0; i < 16; i++) {
        unsigned lo = i * 8;
        if (lo >= bits || lo >= p->len)
            p->addr.bytes[i] = 0;
        else if (lo + 8 > p->len)
            p->addr.bytes[i] &= (uint8_t)(0xff << (8 - (p->len - lo)));
    }
}

/* Random address in a small space so that prefixes nest and collide. */
static ts_ip_t rand_ip(bool v6)
{
    ts_ip_t a = {0};
    if (!v6) {
        a.family = TS_AF_INET;
        a.bytes[0] = 10;
        a.bytes[1] = (uint8_t)(rnd() % 4);
        a.bytes[2] = (uint8_t)(rnd() % 8);
        a.bytes[3] = (uint8_t)rnd();
    } else {
        a.family = TS_AF_INET6;
        a.bytes[0] = 0x20;
        a.bytes[1] = 0x01;
        a.bytes[2] = 0x0d;
        a.bytes[3] = 0xb8;
        a.bytes[4] = (uint8_t)(rnd() % 4);
        a.bytes[5] = (uint8_t)(rnd() % 4);
        a.bytes[15] = (uint8_t)rnd();
    }
    return a;
}

static void test_random_lpm(void **state)
{
    for (uint64_t seed = 1; seed <= 20; seed++) {
        rng_state = seed;
        ts_constituency_t *c = ts_constituency_new();
        int nsites = 1 + (int)(rnd() % 12);
        for (int s = 1; s <= nsites; s++) {
            char name[16];
            snprintf(name, sizeof name, "site%d", s);
            int64_t parent = s > 1 ? (int64_t)(rnd() % (uint32_t)s) : 0; /* 0..s-1 */
            assert_int_equal(ts_constituency_add_site(c, s, name, parent), 0);
        }
        struct rule_rec rules[400];
        size_t nrules = 0;
        for (int k = 0; k < 400; k++) {
            bool v6 = rnd() % 3 == 0;
            ts_prefix_t p = {.addr = rand_ip(v6)};
            p.len = v6 ? (uint8_t)(32 + rnd() % 97) : (uint8_t)(8 + rnd() % 25);
            mask(&p);
            int64_t site = 1 + (int64_t)(rnd() % (uint32_t)nsites);
            const char *holder = NULL;
            int rc = ts_constituency_add_network(c, site, &p, &holder);
            /* What the bookkeeping must say about a repeated prefix. */
            size_t j;
            for (j = 0; j < nrules; j++)
                if (rules[j].p.len == p.len && ts_ip_equal(&rules[j].p.addr, &p.addr))
                    break;
            if (j < nrules) {
                assert_int_equal(rc, rules[j].site == site ? TS_EEXIST : TS_ECONFLICT);
                if (rc == TS_ECONFLICT)
                    assert_string_equal(holder, ts_constituency_site_name(c, rules[j].site));
                continue;
            }
            assert_int_equal(rc, 0);
            rules[nrules++] = (struct rule_rec){p, site};
        }
        assert_int_equal(ts_constituency_claim_count(c), nrules);
        for (int q = 0; q < 3000; q++) {
            ts_ip_t a = rand_ip(rnd() % 2 == 0);
            int best = -1;
            for (size_t j = 0; j < nrules; j++)
                if (ts_prefix_contains(&rules[j].p, &a) &&
                    (best < 0 || rules[j].p.len > rules[best].p.len))
                    best = (int)j;
            ts_match_t m;
            int rc = ts_constituency_lookup_ip(c, &a, &m);
            if (best < 0) {
                assert_int_equal(rc, TS_ENOENT);
                continue;
            }
            char want[TS_IP_STRLEN];
            ts_prefix_format(&rules[best].p, want, sizeof want);
            if (rc != 0 || m.site_id != rules[best].site || strcmp(m.rule, want) != 0) {
                char got[TS_IP_STRLEN];
                ts_ip_format(&a, got, sizeof got);
                print_error("seed %llu: %s -> rc %d %s, want %s of site %lld\n",
                            (unsigned long long)seed, got, rc, rc ? "-" : m.rule, want,
                            (long long)rules[best].site);
            }
            assert_int_equal(rc, 0);
            assert_int_equal(m.site_id, rules[best].site);
            assert_string_equal(m.rule, want);
            assert_string_equal(m.site_name, ts_constituency_site_name(c, m.site_id));
        }
        ts_constituency_free(c);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_sites),
        cmocka_unit_test(test_bad_claims),
        cmocka_unit_test(test_conflicts),
        cmocka_unit_test(test_lookup_ip),
        cmocka_unit_test(test_lookup_asn_domain),
        cmocka_unit_test(test_route),
        cmocka_unit_test(test_route_many),
        cmocka_unit_test(test_route_model),
        cmocka_unit_test(test_tree),
        cmocka_unit_test(test_deep_tree),
        cmocka_unit_test(test_random_lpm),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
