/* SPDX-License-Identifier: Apache-2.0 */
/* Contact re-verification with the test's clock: bad, expired and replayed
 * tokens refused first; then the mails queued (a site contact's in its
 * site, a team's at site 0 / contact 0, only a token hash at rest), a
 * confirmation through the token, the states (verified, stale, unverified)
 * as time passes, and nothing sent twice while a token is alive. On both
 * backends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "directory/verify.h"
#include "notify/address.h"
#include "notify/contact.h"
#include "notify/template.h"
#include "core/event.h"
#include "portal/api.h"
#include "store/notifystore.h"
#include "store/store.h"
#include "store/teamstore.h"
#include "testutil.h"
#include "ttstore.h"

#define DAY (86400LL * 1000000)
#define T0 (1767225600LL * 1000000)

struct fx {
    char *dir;
    char loc[1024];
    ts_store_t *st;
    int64_t site, contact, team;
};

static ts_verify_opts_t opts = {.from = "csirt@csirt.test",
                                .portal_url = "https://portal.csirt.test"};

static int setup(void **state)
{
    if (opts.tpl == NULL) {
        char dir[1024], err[512];
        ts_tpl_set_t *t = NULL;
        snprintf(dir, sizeof dir, "%s/templates", TS_SOURCE_DIR);
        if (ts_tpl_set_load(dir, &t, err, sizeof err) != 0)
            fail_msg("templates: %s", err);
        opts.tpl = t; /* kept for the program's life */
    }
    struct fx *f = calloc(1, sizeof *f);
    f->dir = tt_tmpdir();
    char err[256];
    assert_int_equal(tt_store_fresh(f->dir, "t.db", f->loc, sizeof f->loc), 0);
    assert_int_equal(ts_store_open(f->loc, &f->st), 0);
    assert_int_equal(ts_store_site_add(f->st, "uni", 0, NULL, &f->site), 0);
    assert_int_equal(ts_contact_put(f->st, f->site, 0,
                                    &(ts_contact_in_t){.email = "soc@uni.test", .lang = "de"}, T0,
                                    &f->contact, err, sizeof err),
                     0);
    static const ts_team_rep_t reps[] = {{"Rep", "rep@team.test", ""}};
    ts_team_rec_t t = {
        .name = "team", .country = "DE", .email = "cert@team.test", .reps = reps, .n_reps = 1};
    const char *why;
    assert_int_equal(ts_store_team_add(f->st, &t, T0, "cli:test", &f->team, &why), 0);
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

/* The mails in the outbox: the token of the last one to rcpt, and counts. */
struct mails {
    const char *rcpt;
    char token[TS_VERIFY_TOKEN_LEN + 1];
    int64_t site_id, contact_id, max_id;
    size_t n;
};

static int on_mail(const ts_out_rec_t *o, void *ctx)
{
    struct mails *m = ctx;
    m->n++;
    if (strcmp(o->rcpt, m->rcpt) != 0 || o->id < m->max_id)
        return 0;
    m->max_id = o->id;
    m->site_id = o->site_id;
    m->contact_id = o->contact_id;
    /* The link, with quoted-printable soft breaks taken out. */
    char *text = calloc(1, o->len + 1);
    size_t n = 0;
    const char *d = o->data;
    for (size_t i = 0; i < o->len; i++) {
        if (d[i] == '=' && i + 2 < o->len && d[i + 1] == '\r' && d[i + 2] == '\n')
            i += 2;
        else
            text[n++] = d[i];
    }
    const char *p = strstr(text, "verify?token=3D");
    size_t skip = 15;
    if (p == NULL) {
        p = strstr(text, "verify?token=");
        skip = 13;
    }
    assert_non_null(p);
    memcpy(m->token, p + skip, TS_VERIFY_TOKEN_LEN);
    m->token[TS_VERIFY_TOKEN_LEN] = '\0';
    free(text);
    return 0;
}

static struct mails mails_to(struct fx *f, const char *rcpt)
{
    struct mails m = {.rcpt = rcpt};
    assert_int_equal(ts_store_out_foreach(f->st, 0, 0, 0, on_mail, &m), 0);
    return m;
}

struct states {
    char text[512];
};

static int on_item(const ts_verify_item_t *it, void *ctx)
{
    struct states *s = ctx;
    size_t n = strlen(s->text);
    snprintf(s->text + n, sizeof s->text - n, "%s:%s;", it->email, ts_verify_state_name(it->state));
    return 0;
}

static size_t run(struct fx *f, int64_t now, char *states, size_t size)
{
    struct states s = {{0}};
    size_t q = 0;
    assert_int_equal(ts_verify_run(f->st, &opts, now, on_item, &s, &q), 0);
    if (states)
        snprintf(states, size, "%s", s.text);
    return q;
}

static void test_refused(void **state)
{
    struct fx *f = *state;
    char email[TS_ADDR_MAX + 1];
    assert_int_equal(ts_verify_confirm(f->st, "short", T0, email), TS_EINVAL);
    assert_int_equal(ts_verify_confirm(f->st, NULL, T0, email), TS_EINVAL);
    char upper[TS_VERIFY_TOKEN_LEN + 1];
    memset(upper, 'A', TS_VERIFY_TOKEN_LEN);
    upper[TS_VERIFY_TOKEN_LEN] = '\0';
    assert_int_equal(ts_verify_confirm(f->st, upper, T0, email), TS_EINVAL);
    char unknown[TS_VERIFY_TOKEN_LEN + 1];
    memset(unknown, 'a', TS_VERIFY_TOKEN_LEN);
    unknown[TS_VERIFY_TOKEN_LEN] = '\0';
    assert_int_equal(ts_verify_confirm(f->st, unknown, T0, email), TS_ENOENT);
    /* --send needs a sender and the portal. */
    ts_verify_opts_t bad = {0};
    assert_int_equal(ts_verify_run(f->st, &bad, T0, NULL, NULL, NULL), TS_EINVAL);
    /* Expired: a token confirmed after its 30 days. */
    assert_int_equal(run(f, T0, NULL, 0), 3);
    struct mails m = mails_to(f, "cert@team.test");
    assert_int_equal(ts_verify_confirm(f->st, m.token, T0 + 31 * DAY, email), TS_ERANGE);
    /* Replayed: used once, then refused. */
    assert_int_equal(run(f, T0 + 31 * DAY, NULL, 0), 3);
    m = mails_to(f, "cert@team.test");
    assert_int_equal(ts_verify_confirm(f->st, m.token, T0 + 32 * DAY, email), 0);
    assert_string_equal(email, "cert@team.test");
    assert_int_equal(ts_verify_confirm(f->st, m.token, T0 + 32 * DAY, email), TS_ENOENT);
}

static int on_team(const ts_team_rec_t *t, void *ctx)
{
    *(int64_t *)ctx = t->verified_at;
    return 0;
}

static void test_cycle(void **state)
{
    struct fx *f = *state;
    char st[512];
    /* Nobody was ever asked: every contact unverified and due. */
    assert_int_equal(run(f, T0, st, sizeof st), 3);
    assert_string_equal(st, "soc@uni.test:stale;cert@team.test:stale;rep@team.test:stale;");
    struct mails site = mails_to(f, "soc@uni.test");
    assert_int_equal(site.site_id, f->site);
    assert_int_equal(site.contact_id, f->contact);
    struct mails team = mails_to(f, "cert@team.test");
    assert_int_equal(team.site_id, 0);
    assert_int_equal(team.contact_id, 0);
    assert_int_equal(team.n, 3);
    /* Only the hash is kept. */
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM contact_verify WHERE token_hash = '%s'",
             team.token);
    assert_int_equal(tt_store_sql(f->loc, sql, NULL, 0), 0);
    /* A token alive: nothing sent again. */
    assert_int_equal(run(f, T0 + DAY, NULL, 0), 0);
    /* Confirmed: verified, and the team says so. */
    assert_int_equal(ts_verify_confirm(f->st, team.token, T0 + 2 * DAY, NULL), 0);
    assert_int_equal(ts_verify_confirm(f->st, site.token, T0 + 2 * DAY, NULL), 0);
    int64_t at = 0;
    assert_int_equal(ts_store_team_get(f->st, "team", on_team, &at), 0);
    assert_int_equal(at, T0 + 2 * DAY);
    /* Past the grace period, the representative who never answered is
     * unverified and asked again. */
    assert_int_equal(run(f, T0 + 40 * DAY, st, sizeof st), 1);
    assert_string_equal(st, "soc@uni.test:verified;cert@team.test:verified;rep@team.test:stale;");
    assert_int_equal(run(f, T0 + 40 * DAY + 1, st, sizeof st), 0);
    /* Six months on, the confirmed ones are asked again (and the
     * representative, whose second token ran out meanwhile). */
    assert_int_equal(run(f, T0 + 2 * DAY + TS_VERIFY_CYCLE_US + 1, st, sizeof st), 3);
    assert_string_equal(st, "soc@uni.test:stale;cert@team.test:stale;rep@team.test:stale;");
    /* and, unconfirmed past the grace period, are unverified (until a new
     * token is sent in that same walk). */
    ts_verify_opts_t dry = opts;
    dry.dry_run = true;
    struct states s = {{0}};
    assert_int_equal(
        ts_verify_run(f->st, &dry, T0 + 2 * DAY + TS_VERIFY_CYCLE_US + 31 * DAY, on_item, &s, NULL),
        0);
    assert_string_equal(s.text, "soc@uni.test:unverified;cert@team.test:unverified;rep@team.test:"
                                "unverified;");
}

/* The portal's page, without a certificate: GET shows a button and
 * confirms nothing (mail scanners follow links); POST confirms once. */
static int call(struct fx *f, const char *method, const char *query, const char *body,
                ts_http_resp_t *r)
{
    ts_http_req_t req = {.method = method,
                         .path = "/public/verify",
                         .query = query,
                         .body = body,
                         .body_len = body ? strlen(body) : 0};
    ts_http_resp_init(r);
    ts_api_handle(f->st, &req, r);
    return r->status;
}

static void test_portal(void **state)
{
    struct fx *f = *state;
    ts_http_resp_t r;
    char q[128], form[128];
    assert_int_equal(call(f, "GET", "token=nope", NULL, &r), 400);
    ts_http_resp_free(&r);
    assert_int_equal(call(f, "POST", NULL, "token=<script>", &r), 400);
    assert_null(strstr(r.body.data, "<script>"));
    ts_http_resp_free(&r);
    int64_t now = ts_time_now();
    assert_int_equal(run(f, now, NULL, 0), 3);
    struct mails m = mails_to(f, "cert@team.test");
    snprintf(q, sizeof q, "token=%s", m.token);
    snprintf(form, sizeof form, "token=%s", m.token);
    assert_int_equal(call(f, "GET", q, NULL, &r), 200);
    assert_non_null(strstr(r.body.data, "<form method=\"post\""));
    ts_http_resp_free(&r);
    int64_t at = 0;
    assert_int_equal(ts_store_team_get(f->st, "team", on_team, &at), 0);
    assert_int_equal(at, 0);
    assert_int_equal(call(f, "POST", NULL, form, &r), 200);
    ts_http_resp_free(&r);
    assert_int_equal(ts_store_team_get(f->st, "team", on_team, &at), 0);
    assert_true(at > 0);
    /* A replay is the page of an unknown link. */
    assert_int_equal(call(f, "POST", NULL, form, &r), 404);
    ts_http_resp_free(&r);
    assert_int_equal(call(f, "PUT", NULL, form, &r), 405);
    ts_http_resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cycle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_portal, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
