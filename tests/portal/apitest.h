/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the API tests (test_api, test_openapi, test_isolation):
 * principals, one-call requests through ts_api_handle(), and the fixed store
 * of test_api and test_openapi. Include after <cmocka.h>. */
#pragma once
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portal/api.h"
#include "route/constituency.h"
#include "route/loader.h"
#include "store/store.h"

static inline ts_principal_t at_site(const char *name, int64_t id)
{
    ts_principal_t p;
    memset(&p, 0, sizeof p);
    p.site_id = id;
    snprintf(p.site, sizeof p.site, "%s", name);
    snprintf(p.holder, sizeof p.holder, "Holder of %s", name);
    for (int i = 0; i < TS_FINGERPRINT_HEX; i++)
        p.fingerprint[i] = "0123456789abcdef"[(i * 7 + (int)id) % 16];
    return p;
}

static inline ts_principal_t at_csirt(void)
{
    ts_principal_t p = at_site("", 0);
    p.csirt = true;
    snprintf(p.holder, sizeof p.holder, "CSIRT duty");
    return p;
}

/* One request; resp is initialised here and freed by the caller. Returns the status. */
static inline int at_call(ts_store_t *st, const ts_principal_t *who, const char *method,
                          const char *path, const char *query, const char *accept,
                          ts_http_resp_t *resp)
{
    ts_http_req_t req;
    memset(&req, 0, sizeof req);
    req.method = method;
    req.path = path;
    req.query = query;
    req.accept = accept;
    req.who = who;
    ts_http_resp_init(resp);
    ts_api_handle(st, &req, resp);
    return resp->status;
}

/* ---- The fixed store ----------------------------------------------------------
 *   nren (1)          198.51.100.0/24, AS64496
 *   +- uni-a (2)      192.0.2.0/25, AS64500, uni-a.example; contact
 *   |  +- uni-a-physics (3)   192.0.2.0/28
 *   +- uni-b (4)      192.0.2.128/25, 2001:db8::/32, uni-b.example
 */
#define AT_T0 1795683600000000LL /* 2026-11-26T09:00:00Z */
#define AT_HOUR 3600000000LL

static inline void at_claim(ts_store_t *st, int64_t site, ts_rule_kind_t k, const char *v)
{
    if (ts_store_claim_add(st, site, k, v) != 0)
        fail_msg("claim %s", v);
}

/* Routes e with c and stores it with its links. */
static inline void at_store(ts_store_t *st, ts_constituency_t *c, const ts_event_t *e)
{
    ts_arena_t *a = ts_arena_new(4096);
    ts_link_t *links;
    int n = ts_constituency_route(c, e, a, &links);
    if (ts_store_event_add(st, e, links, n, 0, 0, NULL) != 0)
        fail_msg("event add: %s", ts_store_errmsg(st));
    ts_arena_free(a);
}

static inline void at_event(ts_store_t *st, ts_constituency_t *c, int64_t t, const char *type,
                            const char *src, int sport, const char *dst, int dport,
                            const char *fqdn, const char *desc)
{
    ts_event_t e;
    ts_event_init(&e);
    e.time_source = t;
    e.time_observation = t + 60000000;
    if (ts_type_lookup(type, strlen(type), &e.type) != 0)
        fail_msg("type %s", type);
    if (src && ts_ip_parse(src, strlen(src), &e.src.ip) != 0)
        fail_msg("ip %s", src);
    if (dst && ts_ip_parse(dst, strlen(dst), &e.dst.ip) != 0)
        fail_msg("ip %s", dst);
    e.src.port = sport;
    e.dst.port = dport;
    if (fqdn)
        e.dst.fqdn = ts_str_c(fqdn);
    if (desc)
        e.description = ts_str_c(desc);
    e.transport = ts_str_c("tcp");
    e.feed_name = ts_str_c("fixture");
    e.feed_provider = ts_str_c("tests");
    at_store(st, c, &e);
}

/* After at_fixture(): two events with many targets, ids 9 and 10.
 * 9: a scan from 203.0.113.66 of hosts of uni-a-physics (192.0.2.3), uni-a
 * (192.0.2.20, .21), uni-b (192.0.2.140) and nobody (203.0.113.1), TLP:AMBER;
 * 10: a blocklisted netblock 192.0.2.0/24 (uni-a's /25 with physics' /28,
 * uni-b's /25), TLP:GREEN. */
static inline void at_fixture_targets(ts_store_t *st)
{
    ts_constituency_t *c = NULL;
    if (ts_constituency_load(st, &c) != 0 || ts_store_begin(st) != 0)
        fail_msg("load");
    static const char *const hosts[] = {"192.0.2.3", "192.0.2.20", "192.0.2.21", "192.0.2.140",
                                        "203.0.113.1"};
    ts_prefix_t list[5];
    for (int i = 0; i < 5; i++)
        if (ts_prefix_parse(hosts[i], strlen(hosts[i]), &list[i]) != 0)
            fail_msg("prefix %s", hosts[i]);
    ts_targets_t t = {list, 5, 5};
    ts_event_t e;
    ts_event_init(&e);
    e.time_source = AT_T0 - 30 * 60000000LL;
    if (ts_type_lookup("scanner", 7, &e.type) != 0 || ts_ip_parse("203.0.113.66", 12, &e.src.ip))
        fail_msg("scan");
    e.dst.port = 22;
    e.dst.targets = &t;
    e.transport = ts_str_c("tcp");
    e.identifier = ts_str_c("flow-addressscan");
    e.description = ts_str_c("address scan: 5 hosts on tcp/22");
    e.tlp = TS_TLP_AMBER;
    at_store(st, c, &e);
    ts_event_init(&e);
    e.time_source = AT_T0 - 20 * 60000000LL;
    if (ts_type_lookup("spam", 4, &e.type) != 0 ||
        ts_prefix_parse("192.0.2.0/24", 12, &e.src.network) != 0)
        fail_msg("netblock");
    e.feed_name = ts_str_c("blocklist");
    e.tlp = TS_TLP_GREEN;
    at_store(st, c, &e);
    ts_constituency_free(c);
    if (ts_store_commit(st) != 0)
        fail_msg("commit");
}

static inline void at_fixture(ts_store_t *st)
{
    int64_t nren = 0, a = 0, phys = 0, b = 0; /* fail_msg() does not return; clang cannot tell */
    /* One transaction: a commit per row would make each test wait on fsync. */
    if (ts_store_begin(st) != 0)
        fail_msg("begin");
    if (ts_store_site_add(st, "nren", 0, "The research network", &nren) ||
        ts_store_site_add(st, "uni-a", nren, "University A", &a) ||
        ts_store_site_add(st, "uni-a-physics", a, "Physics department", &phys) ||
        ts_store_site_add(st, "uni-b", nren, "", &b))
        fail_msg("sites");
    at_claim(st, nren, TS_RULE_NETWORK, "198.51.100.0/24");
    at_claim(st, nren, TS_RULE_ASN, "64496");
    at_claim(st, a, TS_RULE_NETWORK, "192.0.2.0/25");
    at_claim(st, a, TS_RULE_ASN, "64500");
    at_claim(st, a, TS_RULE_DOMAIN, "uni-a.example");
    at_claim(st, phys, TS_RULE_NETWORK, "192.0.2.0/28");
    at_claim(st, b, TS_RULE_NETWORK, "192.0.2.128/25");
    at_claim(st, b, TS_RULE_NETWORK, "2001:db8::/32");
    at_claim(st, b, TS_RULE_DOMAIN, "uni-b.example");
    if (ts_store_contact_add(st, a, "cert@uni-a.example", "Uni A CERT") ||
        ts_store_contact_add(st, b, "abuse@uni-b.example", ""))
        fail_msg("contacts");
    ts_constituency_t *c = NULL;
    if (ts_constituency_load(st, &c) != 0)
        fail_msg("load");
    /* ids 1..8 in this order */
    at_event(st, c, AT_T0 - 50 * AT_HOUR, "scanner", "192.0.2.5", 40000, "203.0.113.9", 23, NULL,
             "telnet scan");
    at_event(st, c, AT_T0 - 30 * AT_HOUR, "brute-force", "203.0.113.7", 51515, "192.0.2.130", 22,
             NULL, "ssh guessing");
    at_event(st, c, AT_T0 - 26 * AT_HOUR, "brute-force", "192.0.2.70", 41000, "192.0.2.140", 22,
             NULL, "a to b");
    at_event(st, c, AT_T0 - 20 * AT_HOUR, "ddos", "198.51.100.7", 123, "2001:db8::1", 80, NULL,
             NULL);
    at_event(st, c, AT_T0 - 10 * AT_HOUR, "phishing", NULL, -1, NULL, 443, "www.uni-a.example",
             "=HYPERLINK(\"x\")\nsecond \"line\"");
    at_event(st, c, AT_T0 - 5 * AT_HOUR, "scanner", "203.0.113.50", 1, "203.0.113.51", 2, NULL,
             "nobody's");
    at_event(st, c, AT_T0 - 2 * AT_HOUR, "malware-distribution", "192.0.2.5", 8080, "203.0.113.80",
             443, NULL, "physics again");
    at_event(st, c, AT_T0 - 1 * AT_HOUR, "scanner", "192.0.2.140", 5000, "192.0.2.6", 445, NULL,
             "b to physics");
    ts_constituency_free(c);
    if (ts_store_commit(st) != 0)
        fail_msg("commit");
}
