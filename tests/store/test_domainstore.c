/* SPDX-License-Identifier: Apache-2.0 */
/* The domain store: refusals first (zones, names, reasons, evidence that is
 * not a URL, a file or an existing event, a deactivation longer than the
 * cap, an extension without new evidence, steps the state machine does not
 * allow), then a case's life with a controlled clock (timeline, RPZ serial),
 * joining an open case, candidates from events, expiry and reminders, and
 * the cap set by policy. On both backends (ttstore.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/event.h"
#include "store/domainstore.h"
#include "store/store.h"
#include "testutil.h"
#include "ttstore.h"

#define DAY (86400LL * 1000000LL)
#define T0 (INT64_C(1780000000) * 1000000)
#define SHA "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

struct fx {
    char *dir;
    char loc[1024];
    ts_store_t *st;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    f->dir = tt_tmpdir();
    assert_int_equal(tt_store_fresh(f->dir, "t.db", f->loc, sizeof f->loc), 0);
    assert_int_equal(ts_store_open(f->loc, &f->st), 0);
    assert_int_equal(ts_store_domain_zone_add(f->st, "cz", T0), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    ts_store_close(f->st);
    tt_store_drop(f->loc);
    tt_rmtree(f->dir);
    free(f->dir);
    free(f);
    return 0;
}

static const ts_domain_evidence_t url_ev = {.kind = "url", .value = "https://bad.example.cz/login"};

struct got {
    char state[32];
    ts_domain_case_t c;
    size_t n;
};

static int on_case(const ts_domain_case_t *c, void *ctx)
{
    struct got *g = ctx;
    g->c = *c;
    snprintf(g->state, sizeof g->state, "%s", c->state);
    g->n++;
    return 0;
}

static struct got get(ts_store_t *st, int64_t id)
{
    struct got g;
    memset(&g, 0, sizeof g);
    assert_int_equal(ts_store_domain_case_get(st, id, on_case, &g), 0);
    return g;
}

static int64_t open_case(ts_store_t *st, const char *domain, int64_t now)
{
    int64_t id = 0;
    bool joined = true;
    const char *why = NULL;
    int r = ts_store_domain_case_open(st, domain, "phishing", "cli:test", NULL, &url_ev, 1, now,
                                      &id, &joined, &why);
    if (r != 0)
        fail_msg("open %s: %d %s", domain, r, why);
    assert_false(joined);
    return id;
}

static int decide(ts_store_t *st, int64_t id, const char *action, int days,
                  const ts_domain_evidence_t *ev, size_t n, int64_t now, const char **why)
{
    ts_domain_request_t req = {.case_id = id,
                               .action = action,
                               .who = "cert:ab12",
                               .why = "test",
                               .days = days,
                               .evidence = ev,
                               .n_evidence = n};
    return ts_store_domain_decide(st, &req, now, why);
}

static void test_invalid(void **state)
{
    struct fx *f = *state;
    ts_store_t *st = f->st;
    assert_int_equal(ts_store_domain_zone_add(st, "CZ", T0), TS_EINVAL);
    assert_int_equal(ts_store_domain_zone_add(st, "a b", T0), TS_EINVAL);
    assert_int_equal(ts_store_domain_zone_add(st, "cz", T0), TS_EEXIST);
    assert_int_equal(ts_store_domain_zone_remove(st, "sk"), TS_ENOENT);

    int64_t id = 0;
    bool joined = false;
    const char *why = NULL;
    /* Outside the claimed zones, and the zone itself. */
    assert_int_equal(ts_store_domain_case_open(st, "example.sk", "phishing", "cli:t", NULL, &url_ev,
                                               1, T0, &id, &joined, &why),
                     TS_ECONFLICT);
    assert_non_null(strstr(why, "claims"));
    assert_int_equal(ts_store_domain_case_open(st, "cz", "phishing", "cli:t", NULL, &url_ev, 1, T0,
                                               &id, &joined, &why),
                     TS_ECONFLICT);
    /* Not normalised: the store takes only the one form. */
    assert_int_equal(ts_store_domain_case_open(st, "Example.CZ", "phishing", "cli:t", NULL, &url_ev,
                                               1, T0, &id, &joined, &why),
                     TS_EINVAL);
    assert_int_equal(ts_store_domain_case_open(st, "example.cz.", "phishing", "cli:t", NULL,
                                               &url_ev, 1, T0, &id, &joined, &why),
                     TS_EINVAL);
    assert_int_equal(ts_store_domain_case_open(st, "example.cz", "annoying", "cli:t", NULL, &url_ev,
                                               1, T0, &id, &joined, &why),
                     TS_EINVAL);
    assert_non_null(strstr(why, "reason"));
    assert_int_equal(ts_store_domain_case_open(st, "example.cz", "phishing", "cli:t", NULL, NULL, 0,
                                               T0, &id, &joined, &why),
                     TS_EINVAL);
    const ts_domain_evidence_t bad[] = {
        {.kind = "url", .value = "ftp://example.cz/x"},
        {.kind = "url", .value = "not a url"},
        {.kind = "url", .value = "https:///path"},
        {.kind = "url", .value = "https://a b.cz/"},
        {.kind = "file", .value = "shot.png", .sha256 = "abc"},
        {.kind = "file", .value = "shot.png"},
        {.kind = "event", .value = "0", .event_id = 0},
        {.kind = "note", .value = "I saw it"},
        {.kind = "url", .value = ""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int r = ts_store_domain_case_open(st, "example.cz", "phishing", "cli:t", NULL, &bad[i], 1,
                                          T0, &id, &joined, &why);
        if (r != TS_EINVAL)
            fail_msg("bad evidence #%zu accepted (%d)", i, r);
        assert_true(why[0] != '\0');
    }
    const ts_domain_evidence_t ghost = {.kind = "event", .value = "999", .event_id = 999};
    assert_int_equal(ts_store_domain_case_open(st, "example.cz", "phishing", "cli:t", NULL, &ghost,
                                               1, T0, &id, &joined, &why),
                     TS_ECONFLICT);
    assert_non_null(strstr(why, "does not exist"));
    /* Nothing of the refused cases was kept. */
    uint64_t total = 9, past = 9;
    assert_int_equal(ts_store_domain_cases_count(st, &total, &past), 0);
    assert_int_equal(total, 0);
    /* Decisions on a missing case, unknown actions. */
    assert_int_equal(decide(st, 42, "review", 0, NULL, 0, T0, &why), TS_ENOENT);
    assert_int_equal(decide(st, 42, "explode", 0, NULL, 0, T0, &why), TS_EINVAL);
    assert_int_equal(ts_store_domain_set_max_days(st, 0), TS_EINVAL);
    assert_int_equal(ts_store_domain_set_max_days(st, TS_DOMAIN_MAX_DAYS_LIMIT + 1), TS_EINVAL);
}

struct timeline {
    char text[1024];
};

static int on_decision(const ts_domain_decision_t *d, void *ctx)
{
    struct timeline *t = ctx;
    size_t n = strlen(t->text);
    snprintf(t->text + n, sizeof t->text - n, "%s:%s>%s:%s;", d->action, d->from_state, d->to_state,
             d->who);
    return 0;
}

static void test_lifecycle(void **state)
{
    struct fx *f = *state;
    ts_store_t *st = f->st;
    const char *why = NULL;
    int max_days = 0;
    int64_t serial = -1;
    assert_int_equal(ts_store_domain_settings(st, &max_days, &serial), 0);
    assert_int_equal(max_days, 30);
    assert_int_equal(serial, 0);

    int64_t id = open_case(st, "bad.example.cz", T0);
    assert_string_equal(get(st, id).state, "reported");
    /* Steps out of order. */
    assert_int_equal(decide(st, id, "extend", 5, &url_ev, 1, T0 + 1, &why), TS_ECONFLICT);
    assert_int_equal(decide(st, id, "reactivate", 0, NULL, 0, T0 + 1, &why), TS_ECONFLICT);
    assert_int_equal(decide(st, id, "review", 0, NULL, 0, T0 + 1, &why), 0);
    assert_int_equal(decide(st, id, "review", 0, NULL, 0, T0 + 2, &why), TS_ECONFLICT);
    assert_int_equal(decide(st, id, "notify", 0, NULL, 0, T0 + 3, &why), 0);
    /* The cap: 31 days is refused with the rule, 0 is no deactivation. */
    assert_int_equal(decide(st, id, "deactivate", 31, NULL, 0, T0 + 4, &why), TS_ECONFLICT);
    assert_non_null(strstr(why, "max_days"));
    assert_int_equal(decide(st, id, "deactivate", 0, NULL, 0, T0 + 4, &why), TS_EINVAL);
    assert_string_equal(get(st, id).state, "notified");
    int64_t t_deact = T0 + DAY;
    assert_int_equal(decide(st, id, "deactivate", 30, NULL, 0, t_deact, &why), 0);
    struct got g = get(st, id);
    assert_string_equal(g.state, "deactivated");
    assert_int_equal(g.c.since, t_deact);
    assert_int_equal(g.c.until, t_deact + 30 * DAY);
    assert_int_equal(ts_store_domain_settings(st, &max_days, &serial), 0);
    assert_int_equal(serial, 1);

    /* An extension without evidence, with evidence observed before the last
     * decision, or longer than the cap: refused, and nothing kept. */
    int64_t t_ext = t_deact + 20 * DAY;
    assert_int_equal(decide(st, id, "extend", 10, NULL, 0, t_ext, &why), TS_ECONFLICT);
    assert_non_null(strstr(why, "new evidence"));
    const ts_domain_evidence_t old_file = {
        .kind = "file", .value = "old.png", .sha256 = SHA, .dated = t_deact - DAY};
    assert_int_equal(decide(st, id, "extend", 10, &old_file, 1, t_ext, &why), TS_ECONFLICT);
    const ts_domain_evidence_t new_file = {
        .kind = "file", .value = "new.png", .sha256 = SHA, .dated = t_ext - DAY};
    assert_int_equal(decide(st, id, "extend", 31, &new_file, 1, t_ext, &why), TS_ECONFLICT);
    assert_non_null(strstr(why, "max_days"));
    /* Accepted: it runs from the current end, itself at most the cap. */
    assert_int_equal(decide(st, id, "extend", 30, &new_file, 1, t_ext, &why), 0);
    g = get(st, id);
    assert_int_equal(g.c.until, t_deact + 60 * DAY);
    assert_int_equal(g.c.extensions, 1);
    assert_int_equal(ts_store_domain_settings(st, &max_days, &serial), 0);
    assert_int_equal(serial, 2);

    int64_t t_re = t_ext + DAY;
    assert_int_equal(decide(st, id, "reactivate", 0, NULL, 0, t_re, &why), 0);
    g = get(st, id);
    assert_string_equal(g.state, "reactivated");
    assert_int_equal(g.c.until, t_re);
    /* Final: nothing more. */
    assert_int_equal(decide(st, id, "deactivate", 5, NULL, 0, t_re + 1, &why), TS_ECONFLICT);
    assert_int_equal(decide(st, id, "cancel", 0, NULL, 0, t_re + 1, &why), TS_ECONFLICT);
    assert_int_equal(decide(st, id, "close", 0, NULL, 0, t_re + 1, &why), TS_ECONFLICT);

    struct timeline tl;
    memset(&tl, 0, sizeof tl);
    assert_int_equal(ts_store_domain_decisions_foreach(st, id, on_decision, &tl), 0);
    assert_string_equal(tl.text, "open:>reported:cli:test;review:reported>review:cert:ab12;"
                                 "notify:review>notified:cert:ab12;"
                                 "deactivate:notified>deactivated:cert:ab12;"
                                 "extend:deactivated>deactivated:cert:ab12;"
                                 "reactivate:deactivated>reactivated:cert:ab12;");
    uint64_t total = 0, past = 0;
    assert_int_equal(ts_store_domain_cases_count(st, &total, &past), 0);
    assert_int_equal(total, 1);
    assert_int_equal(past, 1);

    /* A new case for the same domain now that the first has ended. */
    int64_t id2 = open_case(st, "bad.example.cz", t_re + 2);
    assert_true(id2 != id);
    assert_int_equal(decide(st, id2, "close", 0, NULL, 0, t_re + 3, &why), 0);
    assert_string_equal(get(st, id2).state, "closed");
}

struct evs {
    size_t n;
    char kinds[64];
    int64_t dated[8];
};

static int on_evidence(const ts_domain_evidence_t *e, void *ctx)
{
    struct evs *v = ctx;
    size_t n = strlen(v->kinds);
    snprintf(v->kinds + n, sizeof v->kinds - n, "%s%s", n ? "," : "", e->kind);
    if (v->n < 8)
        v->dated[v->n] = e->dated;
    v->n++;
    return 0;
}

struct cands {
    char text[512];
};

static int on_candidate(const char *fqdn, uint64_t events, int64_t last, int64_t case_id, void *ctx)
{
    (void)last;
    struct cands *c = ctx;
    size_t n = strlen(c->text);
    snprintf(c->text + n, sizeof c->text - n, "%s=%llu/%lld;", fqdn, (unsigned long long)events,
             (long long)case_id);
    return 0;
}

static int64_t add_event(ts_store_t *st, const char *fqdn, int64_t when, int64_t line)
{
    ts_input_state_t in;
    assert_int_equal(ts_store_input_get(st, "/feeds/phish", "idea", &in), 0);
    ts_event_t e;
    ts_event_init(&e);
    e.time_source = when;
    e.dst.fqdn = ts_str_c(fqdn);
    int64_t id = 0;
    assert_int_equal(ts_store_event_add(st, &e, NULL, 0, in.id, (uint64_t)line, &id), 0);
    return id;
}

static void test_events_join(void **state)
{
    struct fx *f = *state;
    ts_store_t *st = f->st;
    int64_t e1 = add_event(st, "Shop.Example.CZ.", T0 - DAY, 1);
    add_event(st, "shop.example.cz", T0 - 2 * DAY, 2);
    add_event(st, "other.example.sk", T0, 3);
    add_event(st, "cz", T0, 4);
    struct cands c;
    memset(&c, 0, sizeof c);
    assert_int_equal(ts_store_domain_candidates(st, 0, on_candidate, &c), 0);
    assert_string_equal(c.text, "shop.example.cz=2/0;");

    const ts_domain_evidence_t ev = {.kind = "event", .value = "e1", .event_id = e1};
    int64_t id = 0;
    bool joined = true;
    const char *why = NULL;
    assert_int_equal(ts_store_domain_case_open(st, "shop.example.cz", "fraud", "cli:t", NULL, &ev,
                                               1, T0, &id, &joined, &why),
                     0);
    assert_false(joined);
    /* A second report of the same domain joins the open case. */
    int64_t id2 = 0;
    assert_int_equal(ts_store_domain_case_open(st, "shop.example.cz", "phishing", "cli:u", NULL,
                                               &url_ev, 1, T0 + 5, &id2, &joined, &why),
                     0);
    assert_true(joined);
    assert_int_equal(id2, id);
    struct evs v;
    memset(&v, 0, sizeof v);
    assert_int_equal(ts_store_domain_evidence_foreach(st, id, on_evidence, &v), 0);
    assert_string_equal(v.kinds, "event,url");
    assert_int_equal(v.dated[0], T0 - DAY); /* the event's own time */
    assert_int_equal(v.dated[1], T0 + 5);
    memset(&c, 0, sizeof c);
    assert_int_equal(ts_store_domain_candidates(st, 0, on_candidate, &c), 0);
    char want[128];
    snprintf(want, sizeof want, "shop.example.cz=2/%lld;", (long long)id);
    assert_string_equal(c.text, want);

    /* An event seen after the deactivation is new evidence for an extension;
     * one seen before it is not. */
    assert_int_equal(decide(st, id, "deactivate", 7, NULL, 0, T0 + DAY, &why), 0);
    const ts_domain_evidence_t old_ev = {.kind = "event", .value = "e1", .event_id = e1};
    assert_int_equal(decide(st, id, "extend", 7, &old_ev, 1, T0 + 3 * DAY, &why), TS_ECONFLICT);
    int64_t e5 = add_event(st, "shop.example.cz", T0 + 2 * DAY, 5);
    const ts_domain_evidence_t new_ev = {.kind = "event", .value = "e5", .event_id = e5};
    assert_int_equal(decide(st, id, "extend", 7, &new_ev, 1, T0 + 3 * DAY, &why), 0);
    assert_int_equal(get(st, id).c.until, T0 + 15 * DAY);
}

struct seen {
    int64_t expired[4], reminded[4];
    size_t n_exp, n_rem;
};

static int on_expired(const ts_domain_case_t *c, void *ctx)
{
    struct seen *s = ctx;
    assert_string_equal(c->state, "reactivated");
    if (s->n_exp < 4)
        s->expired[s->n_exp] = c->id;
    s->n_exp++;
    return 0;
}

static int on_remind(const ts_domain_case_t *c, void *ctx)
{
    struct seen *s = ctx;
    assert_string_equal(c->state, "deactivated");
    if (s->n_rem < 4)
        s->reminded[s->n_rem] = c->id;
    s->n_rem++;
    return 0;
}

static void test_expiry(void **state)
{
    struct fx *f = *state;
    ts_store_t *st = f->st;
    const char *why = NULL;
    int64_t a = open_case(st, "a.example.cz", T0);
    int64_t b = open_case(st, "b.example.cz", T0);
    int64_t c = open_case(st, "c.example.cz", T0);
    assert_int_equal(decide(st, a, "deactivate", 2, NULL, 0, T0, &why), 0);
    assert_int_equal(decide(st, b, "deactivate", 10, NULL, 0, T0, &why), 0);
    (void)c; /* never deactivated: expiry leaves it alone */

    struct seen s;
    memset(&s, 0, sizeof s);
    /* A day in: a ends within the 2-day window, b does not. */
    assert_int_equal(ts_store_domain_expire(st, T0 + DAY, 2 * DAY, on_expired, on_remind, &s), 0);
    assert_int_equal(s.n_exp, 0);
    assert_int_equal(s.n_rem, 1);
    assert_int_equal(s.reminded[0], a);
    /* Once per end. */
    assert_int_equal(ts_store_domain_expire(st, T0 + DAY + 1, 2 * DAY, on_expired, on_remind, &s),
                     0);
    assert_int_equal(s.n_rem, 1);
    int64_t serial0 = 0, serial1 = 0;
    int max_days = 0;
    assert_int_equal(ts_store_domain_settings(st, &max_days, &serial0), 0);
    /* Past a's end. */
    assert_int_equal(ts_store_domain_expire(st, T0 + 2 * DAY, 0, on_expired, NULL, &s), 0);
    assert_int_equal(s.n_exp, 1);
    assert_int_equal(s.expired[0], a);
    assert_string_equal(get(st, a).state, "reactivated");
    assert_string_equal(get(st, b).state, "deactivated");
    assert_string_equal(get(st, c).state, "reported");
    assert_int_equal(ts_store_domain_settings(st, &max_days, &serial1), 0);
    assert_true(serial1 > serial0);
    struct timeline tl;
    memset(&tl, 0, sizeof tl);
    assert_int_equal(ts_store_domain_decisions_foreach(st, a, on_decision, &tl), 0);
    assert_non_null(strstr(tl.text, "reactivate:deactivated>reactivated:expiry;"));
}

static void test_policy_cap(void **state)
{
    struct fx *f = *state;
    ts_store_t *st = f->st;
    const char *why = NULL;
    assert_int_equal(ts_store_domain_set_max_days(st, 10), 0);
    int max_days = 0;
    int64_t serial = 0;
    assert_int_equal(ts_store_domain_settings(st, &max_days, &serial), 0);
    assert_int_equal(max_days, 10);
    int64_t id = open_case(st, "x.example.cz", T0);
    assert_int_equal(decide(st, id, "deactivate", 11, NULL, 0, T0, &why), TS_ECONFLICT);
    assert_int_equal(decide(st, id, "deactivate", 10, NULL, 0, T0, &why), 0);
    /* A deeper claimed zone: the longest one is the case's zone. */
    assert_int_equal(ts_store_domain_zone_add(st, "co.cz", T0), 0);
    char zone[64];
    assert_int_equal(ts_store_domain_zone_of(st, "x.co.cz", zone, sizeof zone), 0);
    assert_string_equal(zone, "co.cz");
    assert_int_equal(ts_store_domain_zone_of(st, "x.sk", zone, sizeof zone), TS_ENOENT);
    assert_int_equal(ts_store_domain_zone_remove(st, "co.cz"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lifecycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_events_join, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expiry, setup, teardown),
        cmocka_unit_test_setup_teardown(test_policy_cap, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
