/* SPDX-License-Identifier: Apache-2.0 */
/* The team directory: refusals first (bad records, each rule of the process:
 * a sponsor not accredited, self-sponsoring, the same sponsor twice, listing
 * without two sponsors, a deadline passed, reapplying within 12 months,
 * three rejections), then the whole process with its audit trail, and a
 * refusal inside a caller's transaction that leaves it usable. The clock is
 * the test's. On both backends (ttstore.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"
#include "store/teamstore.h"
#include "testutil.h"
#include "ttstore.h"

#define DAY (86400LL * 1000000)
#define T0 (1767225600LL * 1000000) /* 2026-01-01 */

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

static const ts_team_scope_t scopes[] = {
    {TS_RULE_NETWORK, "198.51.100.0/24"},
    {TS_RULE_ASN, "64500"},
    {TS_RULE_DOMAIN, "example.net"},
};
static const ts_team_rep_t reps[] = {{"Ann Example", "ann@example.net", "+49 30 1"}};

static ts_team_rec_t team(const char *name)
{
    return (ts_team_rec_t){
        .name = name,
        .official_name = "Example CERT",
        .country = "DE",
        .email = "cert@example.net",
        .scopes = scopes,
        .n_scopes = 3,
        .reps = reps,
        .n_reps = 1,
    };
}

/* The state of a team, and its rejections. */
struct got {
    int state, rejections;
    int64_t deadline, since;
    char email[64];
};

static int on_team(const ts_team_rec_t *t, void *ctx)
{
    struct got *g = ctx;
    g->state = t->state;
    g->rejections = t->rejections;
    g->deadline = t->deadline;
    g->since = t->state_since;
    snprintf(g->email, sizeof g->email, "%s", t->email);
    return 0;
}

static int state_of(ts_store_t *st, const char *name)
{
    struct got g = {0};
    int r = ts_store_team_get(st, name, on_team, &g);
    return r ? r : g.state;
}

static void add(ts_store_t *st, const char *name, int64_t now)
{
    ts_team_rec_t t = team(name);
    const char *why = NULL;
    assert_int_equal(ts_store_team_add(st, &t, now, "cli:test", NULL, &why), 0);
}

/* Two founding members, accredited. */
static void founders(ts_store_t *st)
{
    const char *why;
    add(st, "A", T0);
    add(st, "B", T0);
    assert_int_equal(ts_store_team_found(st, "A", T0, "cli:test", &why), 0);
    assert_int_equal(ts_store_team_found(st, "B", T0, "cli:test", &why), 0);
}

static void test_invalid(void **state)
{
    struct fx *f = *state;
    const char *why = NULL;
    ts_team_rec_t t = team("bad name");
    assert_int_equal(ts_store_team_add(f->st, &t, T0, "cli:test", NULL, &why), TS_EINVAL);
    assert_non_null(strstr(why, "team name"));
    t = team("X");
    t.country = "de";
    assert_int_equal(ts_store_team_add(f->st, &t, T0, "cli:test", NULL, &why), TS_EINVAL);
    assert_non_null(strstr(why, "country"));
    t = team("X");
    t.email = "not an address";
    assert_int_equal(ts_store_team_add(f->st, &t, T0, "cli:test", NULL, &why), TS_EINVAL);
    t = team("X");
    ts_team_scope_t loose[] = {{TS_RULE_NETWORK, "198.51.100.1/24"}};
    t.scopes = loose;
    t.n_scopes = 1;
    assert_int_equal(ts_store_team_add(f->st, &t, T0, "cli:test", NULL, &why), TS_EINVAL);
    assert_non_null(strstr(why, "constituency"));
    ts_team_scope_t upper[] = {{TS_RULE_DOMAIN, "Example.NET"}};
    t.scopes = upper;
    assert_int_equal(ts_store_team_add(f->st, &t, T0, "cli:test", NULL, &why), TS_EINVAL);
    t = team("X");
    t.official_name = "line\r\nBcc: evil@example.org";
    assert_int_equal(ts_store_team_add(f->st, &t, T0, "cli:test", NULL, &why), TS_EINVAL);
    t = team("X");
    ts_team_rep_t norep[] = {{"", "a@example.net", ""}};
    t.reps = norep;
    assert_int_equal(ts_store_team_add(f->st, &t, T0, "cli:test", NULL, &why), TS_EINVAL);
    assert_int_equal(state_of(f->st, "X"), TS_ENOENT);
    /* Unknown teams, and names that could not be one. */
    assert_int_equal(ts_store_team_sponsor(f->st, "nope", "nope2", T0, "cli:test", &why),
                     TS_ENOENT);
    assert_int_equal(ts_store_team_list(f->st, "../x", T0, "cli:test", &why), TS_ENOENT);
    assert_int_equal(state_of(f->st, "nope"), TS_ENOENT);
    int s;
    assert_int_equal(ts_team_state_parse("bogus", &s), TS_EINVAL);
    assert_int_equal(ts_team_state_parse("accreditation-candidate", &s), 0);
    assert_int_equal(s, TS_TEAM_ACCR_CANDIDATE);
    assert_string_equal(ts_team_state_name(99), "?");
    /* The same name twice. */
    add(f->st, "X", T0);
    t = team("X");
    assert_int_equal(ts_store_team_add(f->st, &t, T0, "cli:test", NULL, &why), TS_EEXIST);
}

static void test_sponsor_rules(void **state)
{
    struct fx *f = *state;
    const char *why = NULL;
    founders(f->st);
    add(f->st, "C", T0);
    add(f->st, "D", T0);
    /* No third founder once two are accredited. */
    assert_int_equal(ts_store_team_found(f->st, "C", T0, "cli:test", &why), TS_ECONFLICT);
    assert_non_null(strstr(why, "founding"));
    /* A sponsor that is not accredited. */
    assert_int_equal(ts_store_team_sponsor(f->st, "C", "D", T0, "cli:test", &why), TS_ECONFLICT);
    assert_non_null(strstr(why, "accredited"));
    /* Self-sponsoring, even by an accredited team (A is not a candidate, so
     * try a candidate sponsoring itself, and A itself). */
    assert_int_equal(ts_store_team_sponsor(f->st, "C", "C", T0, "cli:test", &why), TS_ECONFLICT);
    assert_non_null(strstr(why, "itself"));
    assert_int_equal(ts_store_team_sponsor(f->st, "A", "A", T0, "cli:test", &why), TS_ECONFLICT);
    /* Listing without sponsors. */
    assert_int_equal(ts_store_team_list(f->st, "C", T0, "cli:test", &why), TS_ECONFLICT);
    assert_non_null(strstr(why, "two sponsors"));
    /* One sponsor, then the same again. */
    assert_int_equal(ts_store_team_sponsor(f->st, "C", "A", T0 + 1, "cli:test", &why), 0);
    assert_int_equal(ts_store_team_sponsor(f->st, "C", "A", T0 + 2, "cli:test", &why),
                     TS_ECONFLICT);
    assert_non_null(strstr(why, "already"));
    assert_int_equal(ts_store_team_list(f->st, "C", T0, "cli:test", &why), TS_ECONFLICT);
    /* An accredited team that is suspended no longer counts. */
    assert_int_equal(ts_store_team_suspend(f->st, "B", "late fees", T0 + 3, "cli:test", &why), 0);
    assert_int_equal(ts_store_team_sponsor(f->st, "C", "B", T0 + 4, "cli:test", &why),
                     TS_ECONFLICT);
    assert_int_equal(ts_store_team_recertify(f->st, "B", T0 + 5, "cli:test", &why), 0);
    assert_int_equal(state_of(f->st, "B"), TS_TEAM_ACCREDITED);
    assert_int_equal(ts_store_team_sponsor(f->st, "C", "B", T0 + 6, "cli:test", &why), 0);
    assert_int_equal(ts_store_team_list(f->st, "C", T0 + 7, "cli:test", &why), 0);
    assert_int_equal(state_of(f->st, "C"), TS_TEAM_LISTED);
    /* A listed team is no longer sponsored. */
    assert_int_equal(ts_store_team_sponsor(f->st, "C", "A", T0 + 8, "cli:test", &why),
                     TS_ECONFLICT);
}

struct trail {
    char text[1024];
};

static int on_audit(const ts_team_audit_rec_t *a, void *ctx)
{
    struct trail *t = ctx;
    size_t n = strlen(t->text);
    snprintf(t->text + n, sizeof t->text - n, "%s:%s>%s(%s);", a->action,
             ts_team_state_name(a->from), ts_team_state_name(a->to), a->who);
    return 0;
}

static int on_sponsor(const ts_team_sponsor_rec_t *s, void *ctx)
{
    struct trail *t = ctx;
    size_t n = strlen(t->text);
    snprintf(t->text + n, sizeof t->text - n, "%s@%lld;", s->sponsor, (long long)(s->at - T0));
    return 0;
}

static int on_id(const ts_team_rec_t *t, void *ctx)
{
    *(int64_t *)ctx = t->id;
    return 0;
}

static int64_t team_id(ts_store_t *st, const char *name)
{
    int64_t id = 0;
    assert_int_equal(ts_store_team_get(st, name, on_id, &id), 0);
    return id;
}

static void test_accreditation(void **state)
{
    struct fx *f = *state;
    const char *why = NULL;
    int to = 0;
    founders(f->st);
    add(f->st, "C", T0);
    assert_int_equal(ts_store_team_sponsor(f->st, "C", "A", T0 + 1, "cli:alice", &why), 0);
    assert_int_equal(ts_store_team_sponsor(f->st, "C", "B", T0 + 2, "cli:bob", &why), 0);
    struct trail sp = {{0}};
    assert_int_equal(ts_store_team_sponsors_foreach(f->st, team_id(f->st, "C"), on_sponsor, &sp),
                     0);
    assert_string_equal(sp.text, "A@1;B@2;");
    /* Not listed yet: no accreditation. */
    assert_int_equal(ts_store_team_accredit(f->st, "C", 0, T0, "cli:test", &to, &why),
                     TS_ECONFLICT);
    assert_int_equal(ts_store_team_list(f->st, "C", T0 + 3, "cli:test", &why), 0);
    assert_int_equal(ts_store_team_accredit(f->st, "C", 10 * DAY, T0 + DAY, "cli:test", &to, &why),
                     0);
    assert_int_equal(to, TS_TEAM_ACCR_CANDIDATE);
    struct got g = {0};
    assert_int_equal(ts_store_team_get(f->st, "C", on_team, &g), 0);
    assert_int_equal(g.deadline, T0 + 11 * DAY);
    /* Its data is incomplete: no emergency phone, key or RFC 2350. */
    assert_int_equal(ts_store_team_accredit(f->st, "C", 0, T0 + 2 * DAY, "cli:test", &to, &why),
                     TS_ECONFLICT);
    assert_non_null(strstr(why, "OpenPGP"));
    ts_team_rec_t t = team("C");
    t.emergency_phone = "+49 30 2";
    t.pgp_key = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n...\n";
    t.rfc2350 = "https://cert.example.net/rfc2350.txt";
    t.email = "team@example.net";
    assert_int_equal(ts_store_team_update(f->st, &t, T0 + 2 * DAY, "cli:test", &why), 0);
    /* Past the deadline: refused. */
    assert_int_equal(ts_store_team_accredit(f->st, "C", 0, T0 + 12 * DAY, "cli:test", &to, &why),
                     TS_ECONFLICT);
    assert_non_null(strstr(why, "deadline"));
    assert_int_equal(ts_store_team_accredit(f->st, "C", 0, T0 + 5 * DAY, "cli:test", &to, &why), 0);
    assert_int_equal(to, TS_TEAM_ACCREDITED);
    assert_int_equal(ts_store_team_get(f->st, "C", on_team, &g), 0);
    assert_string_equal(g.email, "team@example.net");
    assert_int_equal(g.since, T0 + 5 * DAY);
    /* Re-certified: the state stays, the date is kept. */
    assert_int_equal(ts_store_team_recertify(f->st, "C", T0 + 400 * DAY, "cli:test", &why), 0);
    assert_int_equal(state_of(f->st, "C"), TS_TEAM_ACCREDITED);
    /* Suspended and back. */
    assert_int_equal(
        ts_store_team_suspend(f->st, "C", "no answer", T0 + 401 * DAY, "cli:test", &why), 0);
    assert_int_equal(ts_store_team_suspend(f->st, "C", "again", T0 + 401 * DAY, "cli:test", &why),
                     TS_ECONFLICT);
    assert_int_equal(ts_store_team_recertify(f->st, "C", T0 + 402 * DAY, "cli:test", &why), 0);
    assert_int_equal(state_of(f->st, "C"), TS_TEAM_ACCREDITED);
    struct trail tr = {{0}};
    assert_int_equal(ts_store_team_audit_foreach(f->st, team_id(f->st, "C"), on_audit, &tr), 0);
    assert_string_equal(tr.text, "add:candidate>candidate(cli:test);"
                                 "sponsor:candidate>candidate(cli:alice);"
                                 "sponsor:candidate>candidate(cli:bob);"
                                 "list:candidate>listed(cli:test);"
                                 "accredit:listed>accreditation-candidate(cli:test);"
                                 "update:accreditation-candidate>accreditation-candidate(cli:test);"
                                 "accredit:accreditation-candidate>accredited(cli:test);"
                                 "recertify:accredited>accredited(cli:test);"
                                 "suspend:accredited>suspended(cli:test);"
                                 "recertify:suspended>accredited(cli:test);");
}

static void test_rejections(void **state)
{
    struct fx *f = *state;
    const char *why = NULL;
    founders(f->st);
    add(f->st, "C", T0);
    assert_int_equal(ts_store_team_sponsor(f->st, "C", "A", T0, "cli:test", &why), 0);
    assert_int_equal(ts_store_team_reject(f->st, "C", "objection", T0 + DAY, "cli:test", &why), 0);
    assert_int_equal(state_of(f->st, "C"), TS_TEAM_REJECTED);
    /* Rejected: its sponsors went with the application. */
    struct trail sp = {{0}};
    assert_int_equal(ts_store_team_sponsors_foreach(f->st, team_id(f->st, "C"), on_sponsor, &sp),
                     0);
    assert_string_equal(sp.text, "");
    /* A rejected team is not sponsored, and reapplies only after 12 months. */
    assert_int_equal(ts_store_team_sponsor(f->st, "C", "B", T0 + 2 * DAY, "cli:test", &why),
                     TS_ECONFLICT);
    ts_team_rec_t t = team("C");
    assert_int_equal(ts_store_team_add(f->st, &t, T0 + 300 * DAY, "cli:test", NULL, &why),
                     TS_ECONFLICT);
    assert_non_null(strstr(why, "12 months"));
    assert_int_equal(ts_store_team_add(f->st, &t, T0 + 367 * DAY, "cli:test", NULL, &why), 0);
    assert_int_equal(state_of(f->st, "C"), TS_TEAM_CANDIDATE);
    assert_int_equal(ts_store_team_reject(f->st, "C", "2nd", T0 + 368 * DAY, "cli:test", &why), 0);
    assert_int_equal(ts_store_team_add(f->st, &t, T0 + 734 * DAY, "cli:test", NULL, &why), 0);
    assert_int_equal(ts_store_team_reject(f->st, "C", "3rd", T0 + 735 * DAY, "cli:test", &why), 0);
    struct got g = {0};
    assert_int_equal(ts_store_team_get(f->st, "C", on_team, &g), 0);
    assert_int_equal(g.state, TS_TEAM_CLOSED);
    assert_int_equal(g.rejections, 3);
    /* Closed for good, however long it waits. */
    assert_int_equal(ts_store_team_add(f->st, &t, T0 + 5000 * DAY, "cli:test", NULL, &why),
                     TS_ECONFLICT);
    assert_non_null(strstr(why, "three"));
    assert_int_equal(ts_store_team_reject(f->st, "C", "4th", T0 + 5000 * DAY, "cli:test", &why),
                     TS_ECONFLICT);
}

/* A listing by scope: what `contact find` and the index read. */
struct scopes_got {
    size_t n;
    char text[256];
};

static int on_scope(int64_t team_id, const ts_team_scope_t *s, void *ctx)
{
    struct scopes_got *g = ctx;
    (void)team_id;
    size_t n = strlen(g->text);
    snprintf(g->text + n, sizeof g->text - n, "%d:%s;", (int)s->kind, s->value);
    g->n++;
    return 0;
}

static int on_rep(int64_t team_id, const ts_team_rep_t *r, void *ctx)
{
    struct scopes_got *g = ctx;
    (void)team_id;
    size_t n = strlen(g->text);
    snprintf(g->text + n, sizeof g->text - n, "%s<%s>;", r->name, r->email);
    g->n++;
    return 0;
}

static int on_count(const ts_team_rec_t *t, void *ctx)
{
    (void)t;
    (*(size_t *)ctx)++;
    return 0;
}

static void test_lists(void **state)
{
    struct fx *f = *state;
    founders(f->st);
    add(f->st, "C", T0);
    struct scopes_got g = {0};
    assert_int_equal(ts_store_team_scopes_foreach(f->st, team_id(f->st, "C"), on_scope, &g), 0);
    assert_string_equal(g.text, "1:198.51.100.0/24;2:64500;3:example.net;");
    memset(&g, 0, sizeof g);
    assert_int_equal(ts_store_team_scopes_foreach(f->st, 0, on_scope, &g), 0);
    assert_int_equal(g.n, 9);
    memset(&g, 0, sizeof g);
    assert_int_equal(ts_store_team_reps_foreach(f->st, team_id(f->st, "C"), on_rep, &g), 0);
    assert_string_equal(g.text, "Ann Example<ann@example.net>;");
    size_t n = 0;
    assert_int_equal(ts_store_teams_foreach(f->st, TS_TEAM_ACCREDITED, on_count, &n), 0);
    assert_int_equal(n, 2);
    n = 0;
    assert_int_equal(ts_store_teams_foreach(f->st, 0, on_count, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(ts_store_teams_foreach(f->st, 42, on_count, &n), TS_EINVAL);
}

static void test_refused_in_transaction(void **state)
{
    struct fx *f = *state;
    const char *why = NULL;
    founders(f->st);
    assert_int_equal(ts_store_begin(f->st), 0);
    add(f->st, "C", T0);
    assert_int_equal(ts_store_team_sponsor(f->st, "C", "C", T0, "cli:test", &why), TS_ECONFLICT);
    ts_team_rec_t t = team("A");
    assert_int_equal(ts_store_team_add(f->st, &t, T0, "cli:test", NULL, &why), TS_EEXIST);
    assert_int_equal(ts_store_team_sponsor(f->st, "C", "A", T0, "cli:test", &why), 0);
    assert_int_equal(ts_store_commit(f->st), 0);
    struct trail sp = {{0}};
    assert_int_equal(ts_store_team_sponsors_foreach(f->st, team_id(f->st, "C"), on_sponsor, &sp),
                     0);
    assert_string_equal(sp.text, "A@0;");
}

/* The contact chain's state: bootstrap files and cached answers. */
struct boot_got {
    char source[64], content[64];
    size_t len;
};

static int on_boot(const ts_rdap_boot_rec_t *b, void *ctx)
{
    struct boot_got *g = ctx;
    snprintf(g->source, sizeof g->source, "%s", b->source);
    snprintf(g->content, sizeof g->content, "%s", b->content);
    g->len = b->len;
    return 0;
}

static int on_lookup(const ts_lookup_rec_t *l, void *ctx)
{
    snprintf(ctx, 64, "%s|%s|%s", l->source, l->object, l->email);
    return 0;
}

static void test_chain_state(void **state)
{
    struct fx *f = *state;
    struct boot_got g = {0};
    ts_rdap_boot_rec_t b = {.kind = "ipv9", .source = "x", .content = "{}", .len = 2};
    assert_int_equal(ts_store_rdap_boot_put(f->st, &b), TS_EINVAL);
    assert_int_equal(ts_store_rdap_boot_get(f->st, "ipv4", on_boot, &g), TS_ENOENT);
    b.kind = "ipv4";
    b.source = "https://data.iana.org/rdap/ipv4.json";
    b.content = "{\"services\":[]}";
    b.len = strlen(b.content);
    assert_int_equal(ts_store_rdap_boot_put(f->st, &b), 0);
    b.content = "{\"services\":[[]]}";
    b.len = strlen(b.content);
    assert_int_equal(ts_store_rdap_boot_put(f->st, &b), 0); /* replaced */
    assert_int_equal(ts_store_rdap_boot_get(f->st, "ipv4", on_boot, &g), 0);
    assert_string_equal(g.content, "{\"services\":[[]]}");
    assert_int_equal(g.len, strlen(g.content));
    assert_int_equal(ts_store_rdap_boot_get(f->st, "asn", on_boot, &g), TS_ENOENT);

    char got[64] = "";
    ts_lookup_rec_t l = {.query = "192.0.2.1",
                         .source = "rdap",
                         .server = "https://rdap.example/ip/192.0.2.1",
                         .object = "NET-1 > AB-1",
                         .email = "abuse@example.net",
                         .fetched = T0,
                         .expires = T0 + DAY};
    assert_int_equal(ts_store_lookup_put(f->st, &l), 0);
    l.email = "abuse\r\nBcc: x@example.net";
    assert_int_equal(ts_store_lookup_put(f->st, &l), TS_EINVAL);
    assert_int_equal(ts_store_lookup_get(f->st, "192.0.2.1", T0 + 1, on_lookup, got), 0);
    assert_string_equal(got, "rdap|NET-1 > AB-1|abuse@example.net");
    /* Expired: gone. */
    assert_int_equal(ts_store_lookup_get(f->st, "192.0.2.1", T0 + DAY, on_lookup, got), TS_ENOENT);
    l.source = "none";
    l.email = "";
    l.expires = T0 + 2 * DAY;
    assert_int_equal(ts_store_lookup_put(f->st, &l), 0);
    assert_int_equal(ts_store_lookup_get(f->st, "192.0.2.1", T0 + DAY, on_lookup, got), 0);
    assert_string_equal(got, "none|NET-1 > AB-1|");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sponsor_rules, setup, teardown),
        cmocka_unit_test_setup_teardown(test_accreditation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rejections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refused_in_transaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_chain_state, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
