/* SPDX-License-Identifier: Apache-2.0 */
/* Incidents in the store, on each backend (store/test_incidents@postgresql
 * too): refusals first; then aggregation by key and window, a state that
 * closes an incident, an address scan of a site's range as one incident per
 * site, suppression scope and expiry, critical marks and the factor
 * breakdown, the change sequence notifications read, retention with a clock
 * the test sets, the statistics' roll-ups against the events, a state change
 * racing with ingest, the real Suricata corpus against counts derived here
 * from its JSON, and a writer killed with SIGKILL over and over, after which
 * incidents must still agree with the committed events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <inttypes.h>
#include <json-c/json.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ingest/ingest.h"
#include "ingest/parser.h"
#include "route/loader.h"
#include "store/eventq.h"
#include "store/incstore.h"
#include "store/incstore_int.h"
#include "store/store.h"
#include "store/store_int.h"
#include "testutil.h"
#include "ttstore.h"

#define T0 1795683600000000LL /* 2026-11-26T09:00:00Z */
#define HOUR 3600000000LL
#define DAY (24 * HOUR)
#define WHO "cli:test"

typedef struct fx {
    char *dir;
    char path[4200];
    ts_store_t *st;
    ts_constituency_t *c;
    int64_t uni, dept, agency;
    ts_arena_t *a;
} fx_t;

static int64_t site(ts_store_t *st, const char *name, int64_t parent, const char *net)
{
    int64_t id = 0;
    assert_int_equal(ts_store_site_add(st, name, parent, NULL, &id), 0);
    if (net)
        assert_int_equal(ts_store_claim_add(st, id, TS_RULE_NETWORK, net), 0);
    return id;
}

static void reload(fx_t *f)
{
    ts_constituency_free(f->c);
    f->c = NULL;
    assert_int_equal(ts_constituency_load(f->st, &f->c), 0);
}

/* csirt > uni (192.0.2.0/24, 198.51.100.0/24) > dept (192.0.2.128/25);
 * agency (203.0.113.0/24) beside it. */
static int setup(void **state)
{
    fx_t *f = calloc(1, sizeof *f);
    f->dir = tt_tmpdir();
    *state = f;
    if (f->dir == NULL || tt_store_fresh(f->dir, "inc.db", f->path, sizeof f->path) != 0 ||
        ts_store_open(f->path, &f->st) != 0)
        return -1;
    int64_t csirt = site(f->st, "csirt", 0, NULL);
    f->uni = site(f->st, "uni", csirt, "192.0.2.0/24");
    assert_int_equal(ts_store_claim_add(f->st, f->uni, TS_RULE_NETWORK, "198.51.100.0/24"), 0);
    f->dept = site(f->st, "dept", f->uni, "192.0.2.128/25");
    f->agency = site(f->st, "agency", 0, "203.0.113.0/24");
    f->a = ts_arena_new(4096);
    reload(f);
    return 0;
}

static int teardown(void **state)
{
    fx_t *f = *state;
    ts_constituency_free(f->c);
    ts_arena_free(f->a);
    ts_store_close(f->st);
    tt_store_drop(f->path);
    tt_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static ts_ip_t ip(const char *s)
{
    ts_ip_t v;
    assert_int_equal(ts_ip_parse(s, strlen(s), &v), 0);
    return v;
}

static ts_prefix_t pfx(const char *s)
{
    ts_prefix_t p;
    assert_int_equal(ts_prefix_parse(s, strlen(s), &p), 0);
    return p;
}

static ts_event_t ev(const char *type, const char *ident, const char *src, const char *dst,
                     int64_t t)
{
    ts_event_t e;
    ts_event_init(&e);
    assert_int_equal(ts_type_lookup(type, strlen(type), &e.type), 0);
    if (ident)
        e.identifier = ts_str_c(ident);
    if (src)
        e.src.ip = ip(src);
    if (dst)
        e.dst.ip = ip(dst);
    e.time_source = t;
    return e;
}

/* Routes e and stores it (its own transaction unless one is open). */
static int64_t put(fx_t *f, const ts_event_t *e)
{
    ts_link_t *links = NULL;
    int n = ts_constituency_route(f->c, e, f->a, &links);
    int64_t id = 0;
    assert_int_equal(ts_store_event_add(f->st, e, links, n, 0, 0, &id), 0);
    ts_arena_reset(f->a);
    return id;
}

/* Incidents as read, with their strings copied. */
typedef struct got {
    size_t n;
    ts_incident_t v[64];
    char obj[64][64], ident[64][64], site[64][16], crit[64][64], adv[64][64];
} got_t;

static int collect(const ts_incident_t *inc, void *ctx)
{
    got_t *g = ctx;
    if (g->n == 64)
        return 1;
    size_t i = g->n++;
    g->v[i] = *inc;
    snprintf(g->obj[i], sizeof g->obj[i], "%s", inc->object);
    snprintf(g->ident[i], sizeof g->ident[i], "%s", inc->identifier);
    snprintf(g->site[i], sizeof g->site[i], "%s", inc->site_name);
    snprintf(g->crit[i], sizeof g->crit[i], "%s", inc->critical);
    snprintf(g->adv[i], sizeof g->adv[i], "%s", inc->advisory);
    return 0;
}

/* Every incident a subtree sees (suppressed too), newest first. */
static got_t *list(fx_t *f, int64_t site_id, int suppressed)
{
    static got_t g;
    memset(&g, 0, sizeof g);
    ts_incident_filter_t q;
    ts_incident_filter_init(&q);
    q.site_id = site_id;
    q.order = TS_INC_BY_ID;
    q.suppressed = suppressed;
    q.limit = 64;
    bool more;
    assert_int_equal(ts_store_incidents(f->st, &q, collect, &g, &more), 0);
    assert_false(more);
    return &g;
}

static const ts_incident_t *find(got_t *g, const char *object, const char *ident)
{
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->obj[i], object) == 0 && (!ident || strcmp(g->ident[i], ident) == 0))
            return &g->v[i];
    return NULL;
}

/* The incident of the last link of an event read back. */
static int link_cb(const ts_stored_event_t *se, void *ctx)
{
    int64_t *inc = ctx;
    for (int i = 0; i < se->n_links; i++)
        *inc = se->links[i].incident_id;
    return 0;
}

struct aud {
    int n;
    char who[4][32], detail[4][128];
};

static int aud_cb(const ts_audit_rec_t *r, void *ctx)
{
    struct aud *a = ctx;
    if (a->n < 4) {
        snprintf(a->who[a->n], sizeof a->who[0], "%s", r->who);
        snprintf(a->detail[a->n], sizeof a->detail[0], "%s", r->detail);
    }
    a->n++;
    return 0;
}

struct fb {
    uint64_t incidents, suppressed_incidents, suppressed_events, fp;
};

static int fb_cb(const ts_feedback_t *x, void *ctx)
{
    struct fb *fb = ctx;
    fb->incidents += x->incidents;
    fb->suppressed_incidents += x->suppressed_incidents;
    fb->suppressed_events += x->suppressed_events;
    fb->fp += x->false_positive;
    return 0;
}

/* ---- Refusals ---------------------------------------------------------------------------- */

static void test_refusals(void **state)
{
    fx_t *f = *state;
    ts_incident_filter_t q;
    ts_incident_filter_init(&q);
    bool more;
    got_t g = {0};
    q.limit = 0;
    assert_int_equal(ts_store_incidents(f->st, &q, collect, &g, &more), TS_EINVAL);
    q.limit = TS_INC_LIMIT_MAX + 1;
    assert_int_equal(ts_store_incidents(f->st, &q, collect, &g, &more), TS_EINVAL);
    q.limit = 10;
    q.state = 9;
    assert_int_equal(ts_store_incidents(f->st, &q, collect, &g, &more), TS_EINVAL);
    q.state = 0;
    q.site_id = 9999;
    assert_int_equal(ts_store_incidents(f->st, &q, collect, &g, &more), TS_ENOENT);

    /* Unknown incidents, states, who and notes. */
    assert_int_equal(ts_store_incident_set_state(f->st, 0, 42, TS_INC_RESOLVED, NULL, WHO, NULL),
                     TS_ENOENT);
    assert_int_equal(ts_store_incident_set_state(f->st, 0, 1, (ts_inc_state_t)7, NULL, WHO, NULL),
                     TS_EINVAL);
    assert_int_equal(ts_store_incident_set_state(f->st, 0, 1, TS_INC_RESOLVED, NULL, "", NULL),
                     TS_EINVAL);
    assert_int_equal(
        ts_store_incident_set_state(f->st, 0, 1, TS_INC_RESOLVED, "a\x01note", WHO, NULL),
        TS_EINVAL);
    ts_inc_state_t s;
    assert_int_equal(ts_inc_state_lookup("in progress", 11, &s), TS_ENOENT);
    assert_int_equal(ts_inc_state_lookup("in-progress", 11, &s), 0);

    /* Rules wider than the site's space, naming another site's addresses,
     * of an unknown site, or malformed. */
    ts_suppress_t r = {.site_id = f->dept,
                       .identifier = "*",
                       .net = pfx("192.0.2.0/24"),
                       .who = WHO};
    assert_int_equal(ts_type_lookup("scanner", 7, &r.type), 0);
    int64_t id;
    assert_int_equal(ts_store_suppress_add(f->st, f->c, &r, &id), TS_ERANGE);
    r.site_id = f->uni;
    r.net = pfx("192.0.2.0/23");
    assert_int_equal(ts_store_suppress_add(f->st, f->c, &r, &id), TS_ERANGE);
    r.net = pfx("203.0.113.0/25");
    assert_int_equal(ts_store_suppress_add(f->st, f->c, &r, &id), TS_ERANGE);
    r.site_id = f->dept;
    r.net = pfx("192.0.2.128/25");
    int64_t inner = site(f->st, "guest", f->agency, "192.0.2.192/26"); /* carved out by another */
    reload(f);
    assert_int_equal(ts_store_suppress_add(f->st, f->c, &r, &id), TS_EDENIED);
    r.site_id = 9999;
    assert_int_equal(ts_store_suppress_add(f->st, f->c, &r, &id), TS_ENOENT);
    r.site_id = f->dept;
    r.net = pfx("192.0.2.128/26");
    r.identifier = NULL;
    assert_int_equal(ts_store_suppress_add(f->st, f->c, &r, &id), TS_EINVAL);
    r.identifier = "*";
    r.who = NULL;
    assert_int_equal(ts_store_suppress_add(f->st, f->c, &r, &id), TS_EINVAL);
    r.who = WHO;
    r.type = TS_RSIT_TYPES;
    assert_int_equal(ts_store_suppress_add(f->st, f->c, &r, &id), TS_EINVAL);
    /* The same network inside the site's own part is taken. */
    assert_int_equal(ts_type_lookup("scanner", 7, &r.type), 0);
    assert_int_equal(ts_store_suppress_add(f->st, f->c, &r, &id), 0);
    /* Another site's rule is missing to the dept (404 alike). */
    assert_int_equal(ts_store_suppress_remove(f->st, inner, id, WHO), TS_ENOENT);
    assert_int_equal(ts_store_suppress_remove(f->st, f->dept, id + 1000, WHO), TS_ENOENT);
    assert_int_equal(ts_store_suppress_remove(f->st, f->uni, id, WHO), 0); /* the parent may */
    /* Critical marks: the same checks. */
    ts_critical_t m = {.site_id = f->dept, .net = pfx("192.0.2.0/24"), .who = WHO};
    assert_int_equal(ts_store_critical_add(f->st, f->c, &m, &id), TS_ERANGE);
    m.net = pfx("192.0.2.192/27");
    assert_int_equal(ts_store_critical_add(f->st, f->c, &m, &id), TS_EDENIED);
    /* Configuration text. */
    ts_incconf_t c;
    char err[128];
    assert_int_equal(ts_incconf_parse("weight.source = 20\nweight.nope = 1\n", 35, &c, err,
                                      sizeof err),
                     TS_ENOENT);
    assert_string_equal(err, "line 2: weight.nope: unknown key");
}

/* ---- Aggregation -------------------------------------------------------------------------------- */

static void test_aggregation(void **state)
{
    fx_t *f = *state;
    /* Three probes of one uni host from one scanner, one from a second
     * scanner: one incident, 4 events, 2 peers, 1 own host. */
    ts_event_t e = ev("scanner", "portscan", "198.18.0.1", "192.0.2.7", T0);
    int64_t first = put(f, &e);
    e.time_source = T0 + HOUR;
    put(f, &e);
    e.time_source = T0 + 2 * HOUR;
    e.count = 10;
    put(f, &e);
    e.src.ip = ip("198.18.0.2");
    e.time_source = T0 + 3 * HOUR;
    e.count = 1;
    int64_t last = put(f, &e);
    /* Another host, and another identifier: incidents of their own. */
    e.dst.ip = ip("192.0.2.8");
    put(f, &e);
    e.identifier = ts_str_c("other");
    put(f, &e);

    got_t *g = list(f, f->uni, 0);
    assert_int_equal(g->n, 3);
    assert_non_null(find(g, "192.0.2.7", "portscan"));
    const ts_incident_t iv = *find(g, "192.0.2.7", "portscan"), *i = &iv;
    assert_int_equal(i->events, 4);
    assert_int_equal(i->count, 13);
    assert_int_equal(i->peers, 2);
    assert_int_equal(i->own_hosts, 1);
    assert_int_equal(i->first_seen, T0);
    assert_int_equal(i->last_seen, T0 + 3 * HOUR);
    assert_int_equal(i->role, TS_ROLE_DESTINATION);
    assert_int_equal(i->state, TS_INC_NEW);
    assert_int_equal(i->site_id, f->uni);
    assert_int_equal(i->first_event, first);
    assert_int_equal(i->last_event, last);
    assert_int_equal(i->previous_id, 0);
    assert_true(i->score > 0);
    int32_t sum = 0;
    for (int k = 0; k < TS_F_COUNT_; k++)
        sum += i->points[k];
    assert_int_equal(sum, i->score); /* the score is its contributions, shown */
    /* The scanners' side has no owner: no incident anywhere else. */
    assert_int_equal(list(f, f->agency, -1)->n, 0);

    /* Its events, newest first, each linked to it. */
    int64_t inc = i->id, ids[8];
    size_t n;
    bool more;
    assert_int_equal(ts_store_incident_events(f->st, f->uni, inc, 0, ids, 8, &n, &more), 0);
    assert_int_equal(n, 4);
    assert_false(more);
    assert_int_equal(ids[0], last);
    assert_int_equal(ids[3], first);
    assert_int_equal(ts_store_incident_events(f->st, f->uni, inc, last, ids, 2, &n, &more), 0);
    assert_int_equal(n, 2);
    assert_true(more);
    /* Not the agency's, not the dept's (a site below sees nothing above). */
    assert_int_equal(ts_store_incident_events(f->st, f->agency, inc, 0, ids, 8, &n, &more),
                     TS_ENOENT);
    assert_int_equal(ts_store_incident_events(f->st, f->dept, inc, 0, ids, 8, &n, &more),
                     TS_ENOENT);
    got_t one = {0};
    assert_int_equal(ts_store_incident_get(f->st, f->agency, inc, collect, &one), TS_ENOENT);
    assert_int_equal(ts_store_incident_get(f->st, 0, inc, collect, &one), 0);
    assert_string_equal(one.site[0], "uni");

    /* The stored event's link names it. */
    ts_event_filter_t ef;
    ts_event_filter_init(&ef);
    ef.ids = &last;
    ef.n_ids = 1;
    int64_t seen = 0;
    assert_int_equal(ts_store_events_foreach(f->st, &ef, link_cb, &seen), 0);
    assert_int_equal(seen, inc);

    /* Quiet for longer than the window (24 h): a new incident, pointing back. */
    e = ev("scanner", "portscan", "198.18.0.1", "192.0.2.7", T0 + 3 * HOUR + DAY + 1);
    put(f, &e);
    g = list(f, f->uni, 0);
    assert_int_equal(g->n, 4);
    assert_int_equal(g->v[0].previous_id, inc);
    assert_int_equal(g->v[0].events, 1);
    /* An event late by a day joins the latest one, moving its first seen. */
    e.time_source = T0 - DAY;
    put(f, &e);
    g = list(f, f->uni, 0);
    assert_int_equal(g->n, 4);
    assert_int_equal(g->v[0].events, 2);
    assert_int_equal(g->v[0].first_seen, T0 - DAY);
}

/* A closed state closes the incident for aggregation; every change audited. */
static void test_state(void **state)
{
    fx_t *f = *state;
    ts_event_t e = ev("brute-force", "ssh", "198.18.0.9", "192.0.2.9", T0);
    put(f, &e);
    got_t *g = list(f, 0, 0);
    assert_int_equal(g->n, 1);
    int64_t id = g->v[0].id;
    ts_inc_state_t old;
    assert_int_equal(
        ts_store_incident_set_state(f->st, f->agency, id, TS_INC_ACKNOWLEDGED, NULL, WHO, &old),
        TS_ENOENT);
    assert_int_equal(
        ts_store_incident_set_state(f->st, f->uni, id, TS_INC_IN_PROGRESS, "on it", "fp:ab", &old),
        0);
    assert_int_equal(old, TS_INC_NEW);
    e.time_source = T0 + HOUR;
    put(f, &e); /* in progress: still joins */
    assert_int_equal(list(f, 0, 0)->v[0].events, 2);
    assert_int_equal(ts_store_incident_set_state(f->st, 0, id, TS_INC_RESOLVED, NULL, "fp:cd", &old),
                     0);
    assert_int_equal(old, TS_INC_IN_PROGRESS);
    /* The same state again is no change. */
    assert_int_equal(ts_store_incident_set_state(f->st, 0, id, TS_INC_RESOLVED, NULL, "fp:cd", &old),
                     0);
    e.time_source = T0 + 2 * HOUR;
    put(f, &e);
    g = list(f, 0, 0);
    assert_int_equal(g->n, 2);
    assert_int_equal(g->v[0].previous_id, id);
    assert_int_equal(g->v[0].state, TS_INC_NEW);
    assert_int_equal(g->v[1].state, TS_INC_RESOLVED);
    assert_int_equal(g->v[1].events, 2);

    struct aud a = {0};
    assert_int_equal(ts_store_audit_foreach(f->st, f->uni, "incident", id, 0, aud_cb, &a), 0);
    assert_int_equal(a.n, 2);
    assert_string_equal(a.who[0], "fp:cd");
    assert_string_equal(a.detail[0], "{\"from\":\"in-progress\",\"to\":\"resolved\"}");
    assert_string_equal(a.who[1], "fp:ab");
    assert_string_equal(a.detail[1], "{\"from\":\"new\",\"to\":\"in-progress\",\"note\":\"on it\"}");
    memset(&a, 0, sizeof a);
    assert_int_equal(ts_store_audit_foreach(f->st, f->agency, NULL, 0, 0, aud_cb, &a), 0);
    assert_int_equal(a.n, 0);
}

/* ---- Many targets ------------------------------------------------------------------------------- */

/* A NetFlow-style address scan of 249 hosts of uni's 198.51.100.0/24 and 40
 * of agency's /24, twice: one incident per site, each with its own hosts. */
static void test_scan(void **state)
{
    fx_t *f = *state;
    ts_prefix_t hosts[289];
    for (int i = 0; i < 289; i++) {
        char s[32];
        if (i < 249)
            snprintf(s, sizeof s, "198.51.100.%d", i + 1);
        else
            snprintf(s, sizeof s, "203.0.113.%d", i - 249 + 1);
        hosts[i] = pfx(s);
    }
    ts_targets_t t = {hosts, 289, 289};
    for (int k = 0; k < 2; k++) {
        ts_event_t e = ev("scanner", "flow-addressscan", "198.18.7.7", NULL, T0 + k * HOUR);
        e.dst.targets = &t;
        put(f, &e);
    }
    got_t *g = list(f, f->uni, 0);
    assert_int_equal(g->n, 1);
    assert_string_equal(g->obj[0], "198.51.100.0/24");
    assert_int_equal(g->v[0].own_hosts, 249);
    assert_int_equal(g->v[0].peers, 1);
    assert_int_equal(g->v[0].events, 2);
    assert_int_equal(g->v[0].role, TS_ROLE_DESTINATION);
    g = list(f, f->agency, 0);
    assert_int_equal(g->n, 1);
    assert_int_equal(g->v[0].own_hosts, 40);
    g = list(f, 0, 0);
    assert_int_equal(g->n, 2); /* the CSIRT: both, no more */
}

/* ---- Suppression ------------------------------------------------------------------------------- */

static void test_suppression_scope(void **state)
{
    fx_t *f = *state;
    ts_suppress_t r = {.site_id = f->dept,
                       .identifier = "probe",
                       .net = pfx("192.0.2.130/32"),
                       .peer = pfx("198.18.1.1/32"),
                       .expires = T0 + 10 * HOUR,
                       .who = "fp:dept",
                       .note = "our scanner"};
    assert_int_equal(ts_type_lookup("scanner", 7, &r.type), 0);
    int64_t rid;
    assert_int_equal(ts_store_suppress_add(f->st, f->c, &r, &rid), 0);
    /* Suppressed: the rule's host, peer, type and identifier, before expiry. */
    ts_event_t e = ev("scanner", "probe", "198.18.1.1", "192.0.2.130", T0);
    put(f, &e);
    e.time_source = T0 + HOUR;
    put(f, &e);
    /* Not: another peer, another identifier, another host, after expiry. */
    ts_event_t o = e;
    o.src.ip = ip("198.18.1.2");
    put(f, &o);
    o = e;
    o.identifier = ts_str_c("other");
    put(f, &o);
    o = e;
    o.dst.ip = ip("192.0.2.131");
    put(f, &o);
    o = e;
    o.time_source = T0 + 10 * HOUR;
    put(f, &o);

    got_t *g = list(f, f->dept, 1);
    assert_int_equal(g->n, 1);
    assert_true(g->v[0].suppressed);
    assert_int_equal(g->v[0].events, 2);
    assert_int_equal(g->v[0].score, 0); /* no priority */
    for (int k = 0; k < TS_F_COUNT_; k++)
        assert_int_equal(g->v[0].points[k], 0);
    g = list(f, f->dept, 0);
    assert_int_equal(g->n, 3); /* 192.0.2.130/probe (other peer, after expiry), /other, .131 */
    assert_non_null(find(g, "192.0.2.130", "probe"));
    const ts_incident_t iv = *find(g, "192.0.2.130", "probe"), *i = &iv;
    assert_int_equal(i->events, 2);
    assert_false(i->suppressed);
    /* The queue (open, not suppressed, by priority) leaves it out. */
    ts_incident_filter_t q;
    ts_incident_filter_init(&q);
    q.site_id = f->dept;
    q.state = TS_INC_FILTER_OPEN;
    got_t qg = {0};
    bool more;
    assert_int_equal(ts_store_incidents(f->st, &q, collect, &qg, &more), 0);
    assert_int_equal(qg.n, 3);
    for (size_t k = 1; k < qg.n; k++)
        assert_true(qg.v[k - 1].score > qg.v[k].score ||
                    (qg.v[k - 1].score == qg.v[k].score && qg.v[k - 1].id > qg.v[k].id));

    /* A rule of the parent applies below it; removing it stops it for what
     * comes next and leaves the past as it was. */
    ts_suppress_t pr = r;
    pr.site_id = f->uni;
    pr.identifier = "*";
    pr.net = pfx("192.0.2.0/24");
    pr.peer.addr.family = TS_AF_NONE;
    pr.expires = 0;
    int64_t prid;
    assert_int_equal(ts_store_suppress_add(f->st, f->c, &pr, &prid), 0);
    o = e;
    o.dst.ip = ip("192.0.2.200");
    o.identifier = ts_str_c("anything");
    put(f, &o);
    assert_non_null(find(list(f, f->dept, 1), "192.0.2.200", "anything"));
    assert_int_equal(ts_store_suppress_remove(f->st, f->dept, prid, WHO), TS_ENOENT);
    assert_int_equal(ts_store_suppress_remove(f->st, f->uni, prid, WHO), 0);
    o.time_source += HOUR;
    put(f, &o);
    assert_non_null(find(list(f, f->dept, 0), "192.0.2.200", "anything"));

    /* The CSIRT's feedback per feed counts them. */
    struct fb fb = {0};
    assert_int_equal(ts_store_incident_set_state(f->st, f->dept, i->id, TS_INC_FALSE_POSITIVE,
                                                 NULL, WHO, NULL),
                     0);
    assert_int_equal(ts_store_feedback(f->st, fb_cb, &fb), 0);
    assert_int_equal(fb.suppressed_incidents, 2);
    assert_int_equal(fb.suppressed_events, 3);
    assert_int_equal(fb.incidents, 4);
    assert_int_equal(fb.fp, 1);
}


/* ---- Priority: a critical mark and the factors ------------------------------------------- */

static void test_critical_and_factors(void **state)
{
    fx_t *f = *state;
    /* The dept's host is the source of a compromise: own network first. */
    ts_event_t e = ev("system-compromise", "c2-beacon", "192.0.2.140", "198.18.5.5", T0);
    e.tlp = TS_TLP_RED;
    put(f, &e);
    got_t *g = list(f, f->dept, 0);
    assert_int_equal(g->n, 1);
    const ts_incident_t *i = &g->v[0];
    ts_incconf_t c;
    ts_incconf_defaults(&c);
    assert_int_equal(i->role, TS_ROLE_SOURCE);
    assert_int_equal(i->points[TS_F_SOURCE], (int32_t)(c.weight[TS_F_SOURCE] * 10));
    assert_int_equal(i->points[TS_F_TYPE], (int32_t)(c.weight[TS_F_TYPE] * 10)); /* severity 1 */
    assert_int_equal(i->points[TS_F_TLP], (int32_t)(c.weight[TS_F_TLP] * 10));   /* red: 1 */
    assert_int_equal(i->points[TS_F_CRITICAL], 0);
    assert_int_equal(i->points[TS_F_HOSTS], 0); /* one host, one peer */
    int32_t before = i->score;
    int64_t id = i->id;

    /* The uni marks the dept's /28 critical: the incident is scored again. */
    ts_critical_t m = {.site_id = f->uni, .net = pfx("192.0.2.128/28"), .who = WHO};
    int64_t mid;
    assert_int_equal(ts_store_critical_add(f->st, f->c, &m, &mid), 0);
    got_t one = {0};
    assert_int_equal(ts_store_incident_get(f->st, f->dept, id, collect, &one), 0);
    assert_int_equal(one.v[0].points[TS_F_CRITICAL], (int32_t)(c.weight[TS_F_CRITICAL] * 10));
    assert_string_equal(one.crit[0], "192.0.2.128/28");
    assert_int_equal(one.v[0].score, before + one.v[0].points[TS_F_CRITICAL]);
    assert_true(one.v[0].changed > i->changed); /* a new score moves it in the sequence */
    /* Gone again: scored again without it. */
    assert_int_equal(ts_store_critical_remove(f->st, f->agency, mid, WHO), TS_ENOENT);
    assert_int_equal(ts_store_critical_remove(f->st, f->uni, mid, WHO), 0);
    memset(&one, 0, sizeof one);
    assert_int_equal(ts_store_incident_get(f->st, f->dept, id, collect, &one), 0);
    assert_int_equal(one.v[0].score, before);

    /* A heavier configuration scores again every incident. */
    c.weight[TS_F_SOURCE] = 50;
    assert_int_equal(ts_store_incident_config_set(f->st, &c, WHO), 0);
    memset(&one, 0, sizeof one);
    assert_int_equal(ts_store_incident_get(f->st, f->dept, id, collect, &one), 0);
    assert_int_equal(one.v[0].points[TS_F_SOURCE], 500);
    ts_incconf_t back;
    assert_int_equal(ts_store_incident_config(f->st, &back), 0);
    assert_true(back.weight[TS_F_SOURCE] == 50);
}

/* ---- The incident source --------------------------------------------------------------------- */

static int max_changed(const ts_incident_t *inc, void *ctx)
{
    int64_t *w = ctx;
    assert_true(inc->changed > *w); /* in order */
    *w = inc->changed;
    return 0;
}

static int count_cb(const ts_incident_t *inc, void *ctx)
{
    (void)inc;
    (*(size_t *)ctx)++;
    return 0;
}

static void test_changed(void **state)
{
    fx_t *f = *state;
    int64_t w = 0;
    assert_int_equal(ts_store_incidents_changed(f->st, 0, w, 0, max_changed, &w), 0);
    assert_int_equal(w, 0);
    ts_event_t e = ev("exploit", "x", "198.18.0.1", "192.0.2.7", T0);
    put(f, &e);
    e.dst.ip = ip("203.0.113.7");
    put(f, &e);
    int64_t w0 = 0;
    assert_int_equal(ts_store_incidents_changed(f->st, 0, 0, 0, max_changed, &w0), 0);
    size_t n = 0;
    assert_int_equal(ts_store_incidents_changed(f->st, f->agency, 0, 0, count_cb, &n), 0);
    assert_int_equal(n, 1); /* per site */
    /* Another event of the same count and host: the score may move
     * (repeats), an unchanged one leaves it where it was. */
    n = 0;
    assert_int_equal(ts_store_incidents_changed(f->st, 0, w0, 0, count_cb, &n), 0);
    assert_int_equal(n, 0);
    e.time_source = T0 + 3 * DAY + 1; /* quiet: a new incident */
    put(f, &e);
    assert_int_equal(ts_store_incidents_changed(f->st, 0, w0, 0, count_cb, &n), 0);
    assert_int_equal(n, 1);
    /* A state change by a site does not move it. */
    got_t *g = list(f, f->agency, 0);
    assert_int_equal(
        ts_store_incident_set_state(f->st, 0, g->v[0].id, TS_INC_ACKNOWLEDGED, NULL, WHO, NULL), 0);
    n = 0;
    int64_t w1 = w0;
    assert_int_equal(ts_store_incidents_changed(f->st, 0, w0, 0, max_changed, &w1), 0);
    assert_int_equal(ts_store_incidents_changed(f->st, 0, w1, 0, count_cb, &n), 0);
    assert_int_equal(n, 0);

    /* Each comes with its score as of the watermark, however many times it
     * changed since (-1: new since). Two raises of one incident in two
     * transactions, then a new incident after a quiet period. */
    got_t *at = calloc(1, sizeof *at);
    assert_int_equal(ts_store_incidents_changed(f->st, 0, 0, 0, collect, at), 0);
    for (size_t i = 0; i < at->n; i++)
        assert_true(at->v[i].prev_score == -1); /* nothing existed at 0 */
    e.time_source = T0 + 3 * DAY + 2;
    e.count = 100;
    put(f, &e);
    e.count = 10000;
    put(f, &e);
    e.time_source = T0 + 10 * DAY;
    e.count = 1;
    put(f, &e);
    got_t *now = calloc(1, sizeof *now);
    assert_int_equal(ts_store_incidents_changed(f->st, 0, w1, 0, collect, now), 0);
    size_t raised = 0, fresh = 0;
    for (size_t i = 0; i < now->n; i++) {
        const ts_incident_t *v = &now->v[i];
        size_t k = 0;
        while (k < at->n && at->v[k].id != v->id)
            k++;
        if (k == at->n) {
            assert_int_equal(v->prev_score, -1);
            fresh++;
            continue;
        }
        assert_int_equal(v->prev_score, at->v[k].score);
        assert_true(v->score > v->prev_score);
        raised++;
    }
    assert_true(raised >= 1 && fresh >= 1);
    /* Outside that query, prev_score says nothing. */
    got_t *g2 = list(f, 0, 0);
    for (size_t i = 0; i < g2->n; i++)
        assert_int_equal(g2->v[i].prev_score, 0);
    free(at);
    free(now);
}

/* Aggregation switched off (for measurements): events are stored without
 * incidents; on again, the next event gets its incident. */
static void test_switch(void **state)
{
    fx_t *f = *state;
    ts_event_t e = ev("exploit", "x", "198.18.0.1", "192.0.2.7", T0);
    ts_store_incidents_enable(f->st, false);
    put(f, &e);
    assert_int_equal(list(f, 0, -1)->n, 0);
    ts_store_incidents_enable(f->st, true);
    put(f, &e);
    got_t *g = list(f, 0, -1);
    assert_true(g->n > 0);
    for (size_t i = 0; i < g->n; i++)
        assert_int_equal(g->v[i].events, 1);
}

/* ---- Retention ---------------------------------------------------------------------------------- */

static void test_prune(void **state)
{
    fx_t *f = *state;
    ts_incconf_t c;
    ts_incconf_defaults(&c);
    ts_type_t scanner;
    assert_int_equal(ts_type_lookup("scanner", 7, &scanner), 0);
    c.retention_events_type[scanner] = 30 * DAY;
    assert_int_equal(ts_store_incident_config_set(f->st, &c, WHO), 0);
    int64_t now = T0 + 400 * DAY;
    /* Exploits: 200 and 100 days old; scans: 40 and 10 days old. */
    const struct {
        const char *type;
        int64_t age;
        const char *dst;
    } rows[] = {{"exploit", 200, "192.0.2.1"},
                {"exploit", 100, "192.0.2.2"},
                {"scanner", 40, "192.0.2.3"},
                {"scanner", 10, "192.0.2.4"}};
    for (size_t i = 0; i < 4; i++) {
        ts_event_t e = ev(rows[i].type, "r", "198.18.0.1", rows[i].dst, now - rows[i].age * DAY);
        put(f, &e);
        put(f, &e);
    }
    ts_prune_stats_t dry, real;
    assert_int_equal(ts_store_prune(f->st, now, 1, true, NULL, &dry), 0);
    assert_int_equal(dry.events, 4); /* the 200-day exploits, the 40-day scans */
    assert_int_equal(dry.incidents, 0);
    ts_event_filter_t ef;
    ts_event_filter_init(&ef);
    uint64_t n;
    assert_int_equal(ts_store_events_count(f->st, &ef, &n), 0);
    assert_int_equal(n, 8); /* a dry run removes nothing */
    /* Batches of one row: several small transactions, the same result. */
    assert_int_equal(ts_store_prune(f->st, now, 1, false, NULL, &real), 0);
    assert_int_equal(real.events, 4);
    assert_int_equal(ts_store_events_count(f->st, &ef, &n), 0);
    assert_int_equal(n, 4);
    /* Incidents stay (2 years), still counting their pruned events. */
    got_t *g = list(f, 0, 0);
    assert_int_equal(g->n, 4);
    assert_int_equal(find(g, "192.0.2.1", NULL)->events, 2);
    /* Two years on, they go too, with the audit and the roll-ups. */
    int64_t later = now + 2 * 365 * DAY;
    assert_int_equal(ts_store_prune(f->st, later, 0, true, NULL, &dry), 0);
    assert_int_equal(dry.incidents, 4);
    assert_int_equal(dry.events, 4);
    assert_int_equal(dry.audit, 1); /* the configuration's load */
    assert_true(dry.rollups > 0);
    assert_int_equal(ts_store_prune(f->st, later, 0, false, NULL, &real), 0);
    assert_int_equal(real.incidents, dry.incidents);
    assert_int_equal(real.audit, dry.audit);
    assert_int_equal(real.rollups, dry.rollups);
    assert_int_equal(list(f, 0, -1)->n, 0);
    /* Stopped from outside: nothing more. */
    volatile int stop = 1;
    assert_int_equal(ts_store_prune(f->st, later, 0, false, (const volatile int *)&stop, &real),
                     TS_EINTR);
}

/* ---- Roll-ups against the events ------------------------------------------------------------- */

typedef struct tally {
    uint64_t total, host_sum, hosts;
    char days[256];
} tally_t;

static int t_day(const char *day, const char *type, uint64_t n, void *ctx)
{
    tally_t *t = ctx;
    size_t l = strlen(t->days);
    snprintf(t->days + l, sizeof t->days - l, "%s/%s=%" PRIu64 ";", day + 8, type, n);
    return 0;
}

static int t_type(const char *type, uint64_t n, void *ctx)
{
    ((tally_t *)ctx)->total += n;
    return 0;
}

static int t_host(const ts_ip_t *h, uint64_t n, void *ctx)
{
    tally_t *t = ctx;
    t->hosts++;
    t->host_sum += n;
    return 0;
}

/* Whole days from the roll-ups, partial ones from the events: the same
 * answer as from the events alone (the store as a migration would leave
 * it: roll-ups emptied and filled again from the events). */
static void test_rollups(void **state)
{
    fx_t *f = *state;
    /* uni and dept share events (dept's host attacks uni's): counted once
     * for uni, once for each, over three days. */
    for (int h = 0; h < 60; h++) {
        ts_event_t e = ev(h % 3 ? "exploit" : "scanner", "r", "192.0.2.140",
                          h % 2 ? "192.0.2.5" : "198.18.0.1", T0 + h * HOUR);
        put(f, &e);
    }
    static const ts_portal_stats_cbs_t cbs = {t_day, t_type, t_host};
    const int64_t midnight = T0 - 9 * HOUR;
    const int64_t windows[][2] = {
        {midnight, INT64_MAX},                  /* whole days only */
        {midnight + DAY, midnight + 2 * DAY},   /* one whole day */
        {T0 + 1, T0 + 2 * DAY + 5 * HOUR},      /* partial at both ends */
        {T0 + HOUR, T0 + 5 * HOUR},             /* inside one day */
    };
    const int64_t sites[] = {0, f->uni, f->dept};
    for (size_t w = 0; w < 4; w++)
        for (size_t s = 0; s < 3; s++) {
            tally_t a = {0}, b = {0};
            assert_int_equal(
                ts_store_portal_stats(f->st, sites[s], windows[w][0], windows[w][1], &cbs, &a), 0);
            /* The model: count from the generated events. */
            for (int h = 0; h < 60; h++) {
                int64_t t = T0 + h * HOUR;
                if (t < windows[w][0] || t >= windows[w][1])
                    continue;
                b.total++;
                b.host_sum += (sites[s] == f->dept ? 1 : 1 + (h % 2)); /* src, and dst if uni's */
            }
            if (a.total != b.total || a.host_sum != b.host_sum)
                fail_msg("window %zu site %zu: %" PRIu64 "/%" PRIu64 " events, %" PRIu64
                         "/%" PRIu64 " host counts",
                         w, s, a.total, b.total, a.host_sum, b.host_sum);
            assert_int_equal(a.hosts, sites[s] == f->dept ? 1 : 2);
        }
    /* They are what answers for whole days, in the CSIRT's view (a site's
     * statistics are counted from its events: the roll-ups do not know TLP). */
    assert_int_equal(tt_store_exec(f->path, "DELETE FROM rollup_types; DELETE FROM rollup_hosts"),
                     0);
    tally_t after = {0};
    assert_int_equal(ts_store_portal_stats(f->st, 0, midnight, INT64_MAX, &cbs, &after), 0);
    assert_int_equal(after.total, 0);
}

/* ---- A state change racing with ingest ------------------------------------------------------------ */

struct racer {
    const char *path;
    int64_t id;
    int changes;         /* audited changes */
    ts_inc_state_t last; /* the state last set */
};

static void *set_states(void *arg)
{
    struct racer *r = arg;
    ts_store_t *st;
    if (ts_store_open(r->path, &st) != 0)
        return NULL;
    static const ts_inc_state_t cycle[] = {TS_INC_ACKNOWLEDGED, TS_INC_IN_PROGRESS, TS_INC_NEW};
    for (int k = 0; k < 60; k++) {
        int rc = ts_store_incident_set_state(st, 0, r->id, cycle[k % 3], NULL, "fp:race", NULL);
        if (rc == 0 && cycle[k % 3] != r->last) {
            r->changes++;
            r->last = cycle[k % 3];
        } else if (rc != 0 && rc != TS_EBUSY) {
            break;
        }
    }
    ts_store_close(st);
    return NULL;
}

static void test_race(void **state)
{
    fx_t *f = *state;
    ts_event_t e = ev("brute-force", "ssh", "198.18.0.3", "192.0.2.33", T0);
    put(f, &e);
    struct racer r = {.path = f->path, .id = list(f, 0, 0)->v[0].id, .last = TS_INC_NEW};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, set_states, &r), 0);
    for (int b = 0; b < 60; b++) {
        assert_int_equal(ts_store_begin(f->st), 0);
        for (int k = 0; k < 5; k++) {
            e.time_source = T0 + (b * 5 + k) * 1000000LL;
            put(f, &e);
        }
        assert_int_equal(ts_store_commit(f->st), 0);
    }
    pthread_join(th, NULL);
    got_t *g = list(f, 0, 0);
    /* Neither lost: every event counted in the one incident (never closed by
     * the cycle), every change audited, the last state kept. */
    assert_int_equal(g->n, 1);
    assert_int_equal(g->v[0].events, 301);
    struct aud a = {0};
    assert_int_equal(ts_store_audit_foreach(f->st, 0, "incident", r.id, 0, aud_cb, &a), 0);
    assert_int_equal(a.n, r.changes);
    assert_true(r.changes > 0);
    assert_int_equal(g->v[0].state, r.last);
}

/* ---- The schema step fills the roll-ups from the events already there ------------------- */

/* f's store replaced by a fresh one at the step before the roll-ups' (12;
 * later steps come after it), open at that version. */
static ts_store_t *store_before_rollups(fx_t *f)
{
    ts_store_close(f->st);
    f->st = NULL;
    tt_store_drop(f->path);
    assert_int_equal(tt_store_fresh(f->dir, "old.db", f->path, sizeof f->path), 0);
    ts_store_t *old = NULL;
    assert_int_equal(ts_store_open_version(f->path, 11, &old), 0);
    return old;
}

static void test_migrate_rollups(void **state)
{
    fx_t *f = *state;
    /* A store as the previous version left it, events written by hand:
     * dept's host attacks uni's (two links), twice, a day apart. */
    ts_store_t *old = store_before_rollups(f);
    int64_t csirt = site(old, "csirt", 0, NULL);
    int64_t uni = site(old, "uni", csirt, "192.0.2.0/24");
    int64_t dept = site(old, "dept", uni, "192.0.2.128/25");
    ts_store_close(old);
    const char *blob = tt_pg() ? "decode('00000000000000000000ffffc0000205', 'hex')"
                               : "X'00000000000000000000ffffc0000205'";
    const char *blob2 = tt_pg() ? "decode('00000000000000000000ffffc000028c', 'hex')"
                                : "X'00000000000000000000ffffc000028c'";
    for (int k = 0; k < 2; k++) {
        char sql[1024];
        snprintf(sql, sizeof sql,
                 "INSERT INTO events (id, time_source, type, src_family, src_ip, dst_family,"
                 " dst_ip, count) VALUES (%d, %lld, 'exploit', 4, %s, 4, %s, 1);"
                 "INSERT INTO event_links (id, site_id, kind, rule) VALUES"
                 " (%lld, %lld, 1, '192.0.2.128/25'), (%lld, %lld, 1, '192.0.2.0/24')",
                 k + 1, (long long)(T0 + k * DAY), blob2, blob, (long long)(k + 1) * 65536,
                 (long long)dept, (long long)(k + 1) * 65536 + 32768, (long long)uni);
        assert_int_equal(tt_store_exec(f->path, sql), 0);
    }
    assert_int_equal(ts_store_open(f->path, &f->st), 0);
    static const ts_portal_stats_cbs_t cbs = {t_day, t_type, t_host};
    const int64_t midnight = T0 - 9 * HOUR;
    const int64_t sites[] = {0, uni, dept};
    const uint64_t host_sums[] = {4, 4, 2}, hosts[] = {2, 2, 1};
    for (size_t s = 0; s < 3; s++) {
        tally_t t = {0};
        assert_int_equal(ts_store_portal_stats(f->st, sites[s], midnight, INT64_MAX, &cbs, &t), 0);
        assert_int_equal(t.total, 2); /* once per site, not once per link */
        assert_string_equal(t.days, "26/exploit=1;27/exploit=1;");
        assert_int_equal(t.host_sum, host_sums[s]);
        assert_int_equal(t.hosts, hosts[s]);
    }
}

/* The step that keys the roll-ups by TLP fills the hidden rows of the events
 * already stored: each site's statistics then count what it may see, RED
 * never, AMBER+STRICT only through a network link into its subtree. */
static void test_migrate_hidden(void **state)
{
    fx_t *f = *state;
    /* The roll-ups' step and this one fill them. */
    ts_store_t *old = store_before_rollups(f);
    int64_t csirt = site(old, "csirt", 0, NULL);
    int64_t uni = site(old, "uni", csirt, "192.0.2.0/24");
    int64_t dept = site(old, "dept", uni, "192.0.2.128/25");
    int64_t agency = site(old, "agency", 0, "203.0.113.0/24");
    ts_store_close(old);
    const char *src = tt_pg() ? "decode('00000000000000000000ffffc000028c', 'hex')"
                              : "X'00000000000000000000ffffc000028c'";
    const char *dst = tt_pg() ? "decode('00000000000000000000ffffcb007109', 'hex')"
                              : "X'00000000000000000000ffffcb007109'";
    /* 1: RED, dept's host; 2: AMBER+STRICT, dept's by network, agency's by
     * ASN; 3: CLEAR, both by network. */
    static const char *const tlp[] = {"'RED'", "'AMBER+STRICT'", "'CLEAR'"};
    for (int k = 0; k < 3; k++) {
        char sql[1024];
        snprintf(sql, sizeof sql,
                 "INSERT INTO events (id, time_source, type, src_family, src_ip, dst_family,"
                 " dst_ip, count, tlp) VALUES (%d, %lld, 'exploit', 4, %s, 4, %s, 1, %s);"
                 "INSERT INTO event_links (id, site_id, kind, rule) VALUES"
                 " (%lld, %lld, 1, '192.0.2.128/25')",
                 k + 1, (long long)T0, src, dst, tlp[k], (long long)(k + 1) * 65536,
                 (long long)dept);
        assert_int_equal(tt_store_exec(f->path, sql), 0);
        if (k > 0) {
            snprintf(sql, sizeof sql,
                     "INSERT INTO event_links (id, site_id, kind, rule) VALUES"
                     " (%lld, %lld, %d, '64500')",
                     (long long)(k + 1) * 65536 + 32768, (long long)agency, k == 1 ? 2 : 1);
            assert_int_equal(tt_store_exec(f->path, sql), 0);
        }
    }
    assert_int_equal(ts_store_open(f->path, &f->st), 0);
    static const ts_portal_stats_cbs_t cbs = {t_day, t_type, t_host};
    const int64_t midnight = T0 - 9 * HOUR;
    const int64_t sites[] = {0, uni, dept, agency};
    const uint64_t totals[] = {3, 2, 2, 1}, host_sums[] = {5, 2, 2, 1};
    for (size_t s = 0; s < 4; s++) {
        tally_t t = {0};
        assert_int_equal(ts_store_portal_stats(f->st, sites[s], midnight, INT64_MAX, &cbs, &t), 0);
        if (t.total != totals[s] || t.host_sum != host_sums[s])
            fail_msg("site %zu: %" PRIu64 " events, %" PRIu64 " host links", s, t.total,
                     t.host_sum);
    }
    assert_int_equal(tt_store_sql(f->path, "SELECT count(*) FROM rollup_hidden_types", NULL, 0),
                     4); /* RED: dept, uni, csirt; AMBER+STRICT: agency */
    /* Retention takes the hidden rows with the counters. */
    ts_prune_stats_t ps;
    assert_int_equal(ts_store_prune(f->st, T0 + 10 * 365 * DAY, 0, false, NULL, &ps), 0);
    assert_int_equal(tt_store_sql(f->path, "SELECT count(*) FROM rollup_types", NULL, 0), 0);
    assert_int_equal(tt_store_sql(f->path,
                                  "SELECT (SELECT count(*) FROM rollup_hidden_types)"
                                  " + (SELECT count(*) FROM rollup_hidden_hosts)",
                                  NULL, 0),
                     0);
}

/* ---- The Suricata corpus ---------------------------------------------------------------------- */

/* One incident as derived here from the raw JSON: (sid, own address, role). */
typedef struct want {
    char ident[32], host[48];
    int role;
    int events;
    char peers[16][48];
    int n_peers;
} want_t;

static void want_add(want_t *w, int *n, const char *ident, const char *host, int role,
                     const char *peer)
{
    int i = 0;
    while (i < *n && !(strcmp(w[i].ident, ident) == 0 && strcmp(w[i].host, host) == 0 &&
                       w[i].role == role))
        i++;
    if (i == *n) {
        assert_true(*n < 64);
        memset(&w[i], 0, sizeof w[i]);
        snprintf(w[i].ident, sizeof w[i].ident, "%s", ident);
        snprintf(w[i].host, sizeof w[i].host, "%s", host);
        w[i].role = role;
        (*n)++;
    }
    w[i].events++;
    for (int p = 0; p < w[i].n_peers; p++)
        if (strcmp(w[i].peers[p], peer) == 0)
            return;
    assert_true(w[i].n_peers < 16);
    snprintf(w[i].peers[w[i].n_peers++], sizeof w[i].peers[0], "%s", peer);
}

static void test_corpus(void **state)
{
    fx_t *f = *state;
    char *path = tt_corpus_path("sensors/mssis_malware_eve.json");
    if (path == NULL)
        skip();
    int64_t lab = site(f->st, "lab", 0, "10.10.31.0/24");
    reload(f);
    ts_ingest_opts_t o;
    ts_ingest_opts_init(&o);
    o.path = path;
    o.parser = ts_parser_find("eve");
    o.batch_max = 7; /* several transactions, keys across them */
    ts_ingest_stats_t stats;
    assert_int_equal(ts_ingest_run(f->st, &f->c, &o, &stats), 0);

    /* The model, from the JSON itself: each side of an alert inside
     * 10.10.31.0/24 is one of the lab's hosts. */
    want_t w[64];
    int n = 0, alerts = 0;
    FILE *in = fopen(path, "r");
    assert_non_null(in);
    char line[65536];
    while (fgets(line, sizeof line, in)) {
        json_object *j = json_tokener_parse(line), *v, *al, *sid;
        if (j == NULL || !json_object_object_get_ex(j, "event_type", &v) ||
            strcmp(json_object_get_string(v), "alert") != 0) {
            json_object_put(j);
            continue;
        }
        alerts++;
        assert_true(json_object_object_get_ex(j, "alert", &al));
        assert_true(json_object_object_get_ex(al, "signature_id", &sid));
        char ident[32];
        snprintf(ident, sizeof ident, "sid-%d", json_object_get_int(sid));
        json_object *src, *dst;
        assert_true(json_object_object_get_ex(j, "src_ip", &src));
        assert_true(json_object_object_get_ex(j, "dest_ip", &dst));
        const char *s = json_object_get_string(src), *d = json_object_get_string(dst);
        if (strncmp(s, "10.10.31.", 9) == 0)
            want_add(w, &n, ident, s, TS_ROLE_SOURCE, d);
        if (strncmp(d, "10.10.31.", 9) == 0)
            want_add(w, &n, ident, d, TS_ROLE_DESTINATION, s);
        json_object_put(j);
    }
    fclose(in);
    assert_int_equal(alerts, (int)stats.events);

    got_t *g = list(f, lab, 0);
    assert_int_equal((int)g->n, n);
    for (int i = 0; i < n; i++) {
        const ts_incident_t *inc = NULL;
        for (size_t k = 0; k < g->n && inc == NULL; k++)
            if (strcmp(g->obj[k], w[i].host) == 0 && strcmp(g->ident[k], w[i].ident) == 0 &&
                (int)g->v[k].role == w[i].role)
                inc = &g->v[k];
        if (inc == NULL)
            fail_msg("no incident for %s %s role %d", w[i].ident, w[i].host, w[i].role);
        assert_int_equal((int)inc->events, w[i].events);
        assert_int_equal((int)inc->peers, w[i].n_peers);
        assert_int_equal(inc->own_hosts, 1);
        assert_int_equal(inc->state, TS_INC_NEW);
    }
    free(path);
}

/* ---- Killed while writing ---------------------------------------------------------------------- */

#define KILL_RUNS 12

/* Writes batches for ever: repeats of a few keys (some scans of many
 * hosts), so that incidents are read, updated and created in every batch. */
static _Noreturn void writer_child(const char *path, int64_t t0)
{
    ts_store_t *st;
    ts_constituency_t *c;
    if (ts_store_open(path, &st) != 0 || ts_constituency_load(st, &c) != 0)
        _exit(2);
    ts_arena_t *a = ts_arena_new(4096);
    ts_prefix_t hosts[20];
    for (int i = 0; i < 20; i++) {
        hosts[i].addr = ip("198.51.100.1");
        hosts[i].addr.bytes[3] = (uint8_t)(10 + i);
        hosts[i].len = 32;
    }
    ts_targets_t t = {hosts, 20, 20};
    srand((unsigned)getpid());
    for (uint64_t b = 0;; b++) {
        if (ts_store_begin(st) != 0)
            _exit(3);
        for (int k = 0; k < 40; k++) {
            char dst[32];
            snprintf(dst, sizeof dst, "192.0.2.%d", 1 + rand() % 6);
            ts_event_t e = ev(rand() % 2 ? "scanner" : "exploit", rand() % 3 ? "a" : "b",
                              "198.18.3.3", dst, t0 + (int64_t)(b * 40 + (uint64_t)k) * HOUR / 8);
            if (k % 10 == 0) {
                e.dst.ip.family = TS_AF_NONE;
                e.dst.targets = &t;
            }
            e.count = 1 + (uint64_t)(rand() % 3);
            ts_link_t *links;
            int n = ts_constituency_route(c, &e, a, &links);
            if (ts_store_event_add(st, &e, links, n, 0, 0, NULL) != 0)
                _exit(4);
            ts_arena_reset(a);
        }
        if (ts_store_commit(st) != 0)
            _exit(5);
    }
}

/* What must hold whenever the store is at rest. */
static void check_consistent(const char *loc)
{
    static const char *const zero[] = {
        /* An incident counts exactly the links that name it ... */
        "SELECT count(*) FROM incidents i WHERE i.events <>"
        " (SELECT count(*) FROM event_links l WHERE l.incident_id = i.id)",
        /* ... and their events' observations ... */
        "SELECT count(*) FROM incidents i WHERE i.count <> (SELECT coalesce(sum(e.count), 0)"
        " FROM event_links l JOIN events e ON e.id = l.id >> 16 WHERE l.incident_id = i.id)",
        /* ... no link names a missing incident ... */
        "SELECT count(*) FROM event_links l WHERE l.incident_id IS NOT NULL AND NOT EXISTS"
        " (SELECT 1 FROM incidents i WHERE i.id = l.incident_id)",
        /* ... and the CSIRT's roll-up counts every event once. */
        "SELECT (SELECT coalesce(sum(n), 0) FROM rollup_types WHERE site_id = 0)"
        " - (SELECT count(*) FROM events)",
    };
    for (size_t i = 0; i < sizeof zero / sizeof *zero; i++) {
        long long v = tt_store_sql(loc, zero[i], NULL, 0);
        if (v != 0)
            fail_msg("after a kill: %lld from %s", v, zero[i]);
    }
}

static void test_kill9(void **state)
{
    fx_t *f = *state;
    ts_store_close(f->st); /* the children write; the parent only checks */
    f->st = NULL;
    srand((unsigned)time(NULL));
    long long before = 0;
    for (int run = 0; run < KILL_RUNS; run++) {
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0)
            writer_child(f->path, T0 + run * 30 * DAY);
        usleep((useconds_t)(150000 + rand() % 250000));
        kill(pid, SIGKILL);
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        if (!WIFSIGNALED(status))
            fail_msg("the writer stopped by itself (exit %d)", WEXITSTATUS(status));
        if (!tt_pg()) {
            char ok[64] = "";
            assert_int_equal(tt_store_sql(f->path, "PRAGMA integrity_check", ok, sizeof ok), 0);
            assert_string_equal(ok, "ok");
        }
        check_consistent(f->path);
        long long n = tt_store_sql(f->path, "SELECT count(*) FROM events", NULL, 0);
        assert_true(n >= before);
        before = n;
    }
    assert_true(before > 0);
    assert_true(tt_store_sql(f->path, "SELECT count(*) FROM incidents WHERE events > 1", NULL, 0) >
                0);
    assert_int_equal(ts_store_open(f->path, &f->st), 0);
}

/* A batch announced before it is written (ts_store_incidents_expect, the
 * batch writer's path) aggregates as one not announced: events join the
 * incidents of earlier transactions, keys new to the store open new ones,
 * an announced event left unwritten changes nothing and an event written
 * unannounced is looked up alone. */
static void test_expect(void **state)
{
    fx_t *f = *state;
    assert_int_equal(ts_store_incidents_expect(f->st, NULL, NULL, 0), TS_EINVAL);
    ts_event_t a = ev("scanner", "portscan", "198.18.0.1", "192.0.2.7", T0);
    ts_event_t b = ev("scanner", "portscan", "198.18.0.1", "192.0.2.9", T0);
    ts_event_t c = ev("scanner", "portscan", "198.18.0.1", "203.0.113.5", T0);
    ts_event_t unrouted = ev("scanner", "portscan", "198.18.0.1", "198.18.9.9", T0);
    put(f, &a);
    for (int round = 1; round <= 2; round++) {
        ts_event_t *evs[] = {&a, &b, &c, &unrouted};
        assert_int_equal(ts_store_begin(f->st), 0);
        for (size_t k = 0; k < 4; k++) {
            evs[k]->time_source = T0 + round * HOUR;
            ts_link_t *links = NULL;
            int n = ts_constituency_route(f->c, evs[k], f->a, &links);
            assert_int_equal(ts_store_incidents_expect(f->st, evs[k], links, n), 0);
        }
        ts_arena_reset(f->a);
        put(f, &a);
        put(f, &b);
        if (round == 2) /* announced in round 1 and 2, written in round 2 only */
            put(f, &c);
        ts_event_t d = ev("scanner", "portscan", "198.18.0.1", "192.0.2.10", T0 + HOUR);
        put(f, &d); /* not announced */
        assert_int_equal(ts_store_commit(f->st), 0);
    }
    got_t *g = list(f, 0, 0);
    assert_int_equal(g->n, 4);
    assert_int_equal(find(g, "192.0.2.7", "portscan")->events, 3);
    assert_int_equal(find(g, "192.0.2.9", "portscan")->events, 2);
    assert_int_equal(find(g, "203.0.113.5", "portscan")->events, 1);
    assert_int_equal(find(g, "192.0.2.10", "portscan")->events, 2);
    assert_int_equal(find(g, "192.0.2.7", "portscan")->last_seen, T0 + 2 * HOUR);
}

/* The stored form of the contributions: what is written reads back, the
 * extremes included; what is malformed or missing reads 0. */
static void test_points_text(void **state)
{
    (void)state;
    int32_t p[TS_F_COUNT_], q[TS_F_COUNT_];
    char buf[TS_INC_POINTS_TEXT];
    ts_inc_points_parse("1,,3", q);
    assert_int_equal(q[0], 1);
    assert_int_equal(q[1], 0);
    assert_int_equal(q[2], 3);
    ts_inc_points_parse("x,5", q);
    assert_int_equal(q[1], 0);
    assert_int_equal(q[TS_F_COUNT_ - 1], 0);
    ts_inc_points_parse(NULL, q);
    assert_int_equal(q[0], 0);
    for (int f = 0; f < TS_F_COUNT_; f++)
        p[f] = f % 3 == 0 ? INT32_MIN : f % 3 == 1 ? INT32_MAX : -f * 1001;
    ts_inc_points_text(p, buf);
    assert_true(strlen(buf) < sizeof buf);
    assert_non_null(strstr(buf, "-2147483648,2147483647,-2002"));
    ts_inc_points_parse(buf, q);
    assert_memory_equal(p, q, sizeof p);
    memset(p, 0, sizeof p);
    p[1] = 40;
    ts_inc_points_text(p, buf);
    assert_int_equal(strncmp(buf, "0,40,0", 6), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_points_text),
        cmocka_unit_test_setup_teardown(test_refusals, setup, teardown),
        cmocka_unit_test_setup_teardown(test_aggregation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_switch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_state, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scan, setup, teardown),
        cmocka_unit_test_setup_teardown(test_suppression_scope, setup, teardown),
        cmocka_unit_test_setup_teardown(test_critical_and_factors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_changed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rollups, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_rollups, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrate_hidden, setup, teardown),
        cmocka_unit_test_setup_teardown(test_race, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corpus, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kill9, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
