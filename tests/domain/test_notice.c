/* SPDX-License-Identifier: Apache-2.0 */
/* Who is informed of a domain case. Refusals first: policy files with an
 * unknown setting, step or recipient, a bad address, a step named twice, no
 * sender. Then the defaults, a deactivation queueing one mail to each of
 * holder, registrar, reporter and national CSIRT (site 0, contact 0, each in
 * its language), a policy that narrows it, a recipient without an address
 * skipped, and the real outbox sender delivering those mails (it used to
 * fail a mail without a contact) to a scripted SMTP peer. On both backends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <stdbool.h>

#include "../notify/smtppeer.h"
#include "core/event.h"
#include "domain/notice.h"
#include "domain/policy.h"
#include "notify/outbox.h"
#include "store/domainstore.h"
#include "store/notifystore.h"
#include "testutil.h"
#include "ttstore.h"

#define T0 (INT64_C(1780000000) * 1000000)

struct fx {
    char *dir;
    char loc[1024];
    ts_store_t *st;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    f->dir = tt_tmpdir();
    assert_int_equal(tt_store_fresh(f->dir, "n.db", f->loc, sizeof f->loc), 0);
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

static int parse(const char *text, ts_domain_policy_t *p, char *err, size_t errsize)
{
    ts_domain_policy_defaults(p);
    return ts_domain_policy_parse(text, strlen(text), p, err, errsize);
}

static void test_policy_invalid(void **state)
{
    (void)state;
    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"frm csirt@x.cz\n", "line 1: unknown setting"},
        {"# ok\nnotify deactivated holder\n", "line 2: unknown step"},
        {"notify deactivate owner\n", "unknown recipient \"owner\""},
        {"notify deactivate\n", "name the recipients"},
        {"notify deactivate none holder\n", "name the recipients"},
        {"notify extend holder\nnotify extend registrar\n", "line 2: step named twice"},
        {"from not-an-address\n", "not an e-mail address"},
        {"from a@b.cz c@d.cz\n", "one value expected"},
        {"national-csirt\n", "a value is missing"},
        {"national-lang fr\n", "en or de"},
        {"procedure http://x.cz/\n", "https://"},
        {"from a@b.cz\x01\n", "control character"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ts_domain_policy_t p;
        char err[256] = "";
        if (parse(bad[i].text, &p, err, sizeof err) != TS_ESYNTAX)
            fail_msg("policy #%zu accepted", i);
        if (strstr(err, bad[i].msg) == NULL)
            fail_msg("policy #%zu: '%s' does not say '%s'", i, err, bad[i].msg);
    }
    char longline[2000];
    memset(longline, 'x', sizeof longline - 1);
    longline[sizeof longline - 1] = '\0';
    ts_domain_policy_t p;
    char err[256];
    assert_int_equal(parse(longline, &p, err, sizeof err), TS_ESYNTAX);
    /* No sender: no notices. */
    ts_domain_policy_defaults(&p);
    ts_domain_notices_t *n = NULL;
    assert_int_equal(ts_domain_notices_open(&p, &n, err, sizeof err), TS_EINVAL);
    assert_null(n);
}

static void test_policy_defaults(void **state)
{
    (void)state;
    ts_domain_policy_t p;
    char err[256] = "";
    assert_int_equal(parse("from csirt@registry.cz # the team\n"
                           "from-name Registry CSIRT\n"
                           "notify deactivate holder national-csirt\n"
                           "notify remind none\n",
                           &p, err, sizeof err),
                     0);
    assert_string_equal(p.from, "csirt@registry.cz");
    assert_string_equal(p.from_name, "Registry CSIRT");
    assert_int_equal(p.notify[TS_DSTEP_DEACTIVATE], TS_DWHO_HOLDER | TS_DWHO_NATIONAL);
    assert_int_equal(p.notify[TS_DSTEP_REMIND], 0);
    /* Steps it does not name keep their defaults. */
    assert_int_equal(p.notify[TS_DSTEP_EXTEND], TS_DWHO_HOLDER | TS_DWHO_REGISTRAR);
    assert_int_equal(p.notify[TS_DSTEP_NOTIFY], TS_DWHO_HOLDER);
    assert_int_equal(ts_domain_step_of("open"), -1);
    assert_int_equal(ts_domain_step_of("remind"), TS_DSTEP_REMIND);
}

struct outs {
    size_t n;
    char rcpt[8][64], subject[8][160];
    int64_t site[8], contact[8];
    int state[8];
};

static int on_out(const ts_out_rec_t *o, void *ctx)
{
    struct outs *x = ctx;
    if (x->n < 8) {
        snprintf(x->rcpt[x->n], sizeof x->rcpt[0], "%s", o->rcpt);
        snprintf(x->subject[x->n], sizeof x->subject[0], "%s", o->subject);
        x->site[x->n] = o->site_id;
        x->contact[x->n] = o->contact_id;
        x->state[x->n] = o->state;
    }
    x->n++;
    return 0;
}

static const char *subject_to(const struct outs *x, const char *rcpt)
{
    for (size_t i = 0; i < x->n && i < 8; i++)
        if (strcmp(x->rcpt[i], rcpt) == 0)
            return x->subject[i];
    return NULL;
}

static int64_t deactivated_case(ts_store_t *st, const char *domain, const char *reporter)
{
    const ts_domain_evidence_t ev = {.kind = "url", .value = "https://x.cz/"};
    const ts_domain_case_t contacts = {.holder = "holder@shop.cz",
                                       .registrar = "tech@registrar.cz",
                                       .reporter = reporter,
                                       .lang = "de"};
    int64_t id = 0;
    bool joined = false;
    assert_int_equal(ts_store_domain_case_open(st, domain, "phishing", "cli:t", &contacts, &ev, 1,
                                               T0, &id, &joined, NULL),
                     0);
    ts_domain_request_t req = {.case_id = id, .action = "deactivate", .who = "cli:t", .days = 7};
    assert_int_equal(ts_store_domain_decide(st, &req, T0 + 1, NULL), 0);
    return id;
}

static unsigned queue(ts_store_t *st, const char *policy, int64_t id, const char *action)
{
    ts_domain_policy_t p;
    char err[512] = "";
    ts_domain_policy_defaults(&p);
    assert_int_equal(ts_domain_policy_parse(policy, strlen(policy), &p, err, sizeof err), 0);
    ts_domain_notices_t *n = NULL;
    if (ts_domain_notices_open(&p, &n, err, sizeof err) != 0)
        fail_msg("notices: %s", err);
    ts_domain_case_buf_t k;
    assert_int_equal(ts_store_domain_case_get(st, id, ts_domain_case_copy, &k), 0);
    unsigned queued = 0;
    if (ts_domain_notices_queue(st, n, &k.c, action, "live phishing kit", T0 + 2, &queued, err,
                                sizeof err) != 0)
        fail_msg("queue: %s", err);
    ts_domain_notices_close(n);
    return queued;
}

static void test_deactivation_mails(void **state)
{
    struct fx *f = *state;
    int64_t id = deactivated_case(f->st, "shop.example.cz", "abuse@reporter.org");
    assert_int_equal(queue(f->st,
                           "from csirt@registry.cz\nfrom-name Registry CSIRT\n"
                           "national-csirt cert@national.cz\n",
                           id, "deactivate"),
                     4);
    struct outs x;
    memset(&x, 0, sizeof x);
    assert_int_equal(ts_store_out_foreach(f->st, 0, 0, 0, on_out, &x), 0);
    assert_int_equal(x.n, 4);
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(x.site[i], 0);
        assert_int_equal(x.contact[i], 0);
    }
    /* The case's language for its contacts, the national CSIRT's for it. */
    assert_string_equal(subject_to(&x, "holder@shop.cz"),
                        "[Registry CSIRT] shop.example.cz deaktiviert bis 2026-06-04 20:26 UTC");
    assert_non_null(strstr(subject_to(&x, "tech@registrar.cz"), "deaktiviert"));
    assert_non_null(strstr(subject_to(&x, "abuse@reporter.org"), "deaktiviert"));
    assert_string_equal(subject_to(&x, "cert@national.cz"),
                        "[Registry CSIRT] shop.example.cz deactivated until 2026-06-04 20:26 UTC");
    /* Steps without a notice, and a narrower policy. */
    assert_int_equal(queue(f->st, "from csirt@registry.cz\n", id, "open"), 0);
    assert_int_equal(
        queue(f->st, "from csirt@registry.cz\nnotify extend registrar\n", id, "extend"), 1);
    /* No reporter address: skipped. */
    int64_t id2 = deactivated_case(f->st, "other.example.cz", NULL);
    assert_int_equal(queue(f->st, "from csirt@registry.cz\n", id2, "reactivate"), 2);
}

static void test_sent(void **state)
{
    struct fx *f = *state;
    int64_t id = deactivated_case(f->st, "sent.example.cz", "abuse@reporter.org");
    assert_int_equal(queue(f->st, "from csirt@registry.cz\n", id, "deactivate"), 3);
    sp_t peer;
    assert_int_equal(sp_start(&peer), 0);
    char url[64];
    snprintf(url, sizeof url, "smtp://127.0.0.1:%u", peer.port);
    ts_outbox_opts_t o = {.smtp = {.url = url, .timeout_ms = 10000}, .from = "csirt@registry.cz"};
    ts_outbox_stats_t s = {0};
    assert_int_equal(ts_outbox_send_due(f->st, &o, ts_time_now(), NULL, &s), 0);
    struct outs x;
    memset(&x, 0, sizeof x);
    assert_int_equal(ts_store_out_foreach(f->st, 0, 0, 0, on_out, &x), 0);
    assert_int_equal(x.n, 3);
    for (size_t i = 0; i < 3; i++)
        if (x.state[i] != TS_OUT_SENT)
            fail_msg("mail to %s: %s", x.rcpt[i], ts_out_state_name(x.state[i]));
    pthread_mutex_lock(&peer.mu);
    size_t got = peer.n_got;
    bool domain_named = got > 0 && strstr(peer.got[0], "sent.example.cz") != NULL;
    pthread_mutex_unlock(&peer.mu);
    sp_stop(&peer);
    assert_int_equal(got, 3);
    assert_true(domain_named);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_invalid),
        cmocka_unit_test(test_policy_defaults),
        cmocka_unit_test_setup_teardown(test_deactivation_mails, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sent, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
