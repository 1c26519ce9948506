/* SPDX-License-Identifier: Apache-2.0 */
/* Domain case notices (notice.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/event.h"
#include "core/file.h"
#include "domain/notice.h"
#include "notify/address.h"
#include "notify/mime.h"
#include "notify/pgp.h"
#include "notify/template.h"
#include "store/notifystore.h"

struct ts_domain_notices {
    ts_domain_policy_t policy;
    ts_tpl_t *tpl[TS_TPL_LANG_COUNT][TS_DSTEP_COUNT_];
    ts_pgp_t *pgp;
};

void ts_domain_notices_close(ts_domain_notices_t *n)
{
    if (n == NULL)
        return;
    for (size_t l = 0; l < TS_TPL_LANG_COUNT; l++)
        for (size_t s = 0; s < TS_DSTEP_COUNT_; s++)
            ts_tpl_free(n->tpl[l][s]);
    ts_pgp_close(n->pgp);
    free(n);
}

int ts_domain_notices_open(const ts_domain_policy_t *p, ts_domain_notices_t **out, char *err,
                           size_t errsize)
{
    if (p == NULL || out == NULL)
        return TS_EINVAL;
    if (p->from[0] == '\0') {
        snprintf(err, errsize, "the policy names no sender (from ADDRESS)");
        return TS_EINVAL;
    }
    ts_domain_notices_t *n = calloc(1, sizeof *n);
    if (n == NULL)
        return TS_ENOMEM;
    n->policy = *p;
    char dflt[4096];
    const char *dir = p->templates[0] ? p->templates : ts_tpl_default_dir(dflt, sizeof dflt);
    int r = 0;
    for (size_t l = 0; r == 0 && l < TS_TPL_LANG_COUNT; l++) {
        for (size_t s = 0; r == 0 && s < TS_DSTEP_COUNT_; s++) {
            char path[4200], name[64], why[256];
            snprintf(name, sizeof name, "%s/domain-%s.txt", ts_tpl_langs[l],
                     ts_domain_step_name((ts_domain_step_t)s));
            snprintf(path, sizeof path, "%s/%s", dir, name);
            char *text = NULL;
            size_t len = 0;
            r = ts_file_read(path, TS_TPL_FILE_MAX, TS_FILE_REGULAR, &text, &len, why, sizeof why);
            if (r != 0)
                snprintf(err, errsize, "%s: %s", path, why);
            else
                r = ts_tpl_parse(TS_TPL_NOTICE, name, text, len, &n->tpl[l][s], err, errsize);
            free(text);
        }
    }
    if (r == 0 && p->sign_key[0])
        r = ts_pgp_open(p->gnupg_home[0] ? p->gnupg_home : NULL, p->sign_key, &n->pgp, err,
                        errsize);
    if (r != 0) {
        ts_domain_notices_close(n);
        return r;
    }
    *out = n;
    return 0;
}

static size_t lang_index(const char *lang)
{
    for (size_t l = 0; lang && l < TS_TPL_LANG_COUNT; l++)
        if (strcmp(lang, ts_tpl_langs[l]) == 0)
            return l;
    return 0;
}

static void day(int64_t us, char *buf, size_t size)
{
    buf[0] = '\0';
    if (us <= 0)
        return;
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, size, "%Y-%m-%d %H:%M UTC", &tm);
}

/* One notice to one recipient. */
static int queue_one(ts_store_t *st, ts_domain_notices_t *n, const ts_domain_case_t *c,
                     ts_domain_step_t step, const char *role, const char *rcpt, const char *lang,
                     const char *why, int64_t now, char *err, size_t errsize)
{
    char since[40], until[40], date[40];
    day(c->since, since, sizeof since);
    day(c->until, until, sizeof until);
    day(now, date, sizeof date);
    const char *v[TS_V_COUNT_];
    memset(v, 0, sizeof v);
    v[TS_V_CONTACT] = role;
    v[TS_V_CSIRT] = n->policy.from_name;
    v[TS_V_DATE] = date;
    v[TS_V_WHY] = why ? why : "";
    v[TS_V_DOMAIN] = c->domain;
    v[TS_V_REASON] = c->reason;
    v[TS_V_STEP] = ts_domain_step_name(step);
    v[TS_V_SINCE] = since;
    v[TS_V_UNTIL] = until;
    v[TS_V_PROCEDURE] = n->policy.procedure;
    const ts_tpl_t *t = n->tpl[lang_index(lang)][step];
    ts_buf_t subject = TS_BUF_INIT, text = TS_BUF_INIT, msg = TS_BUF_INIT;
    ts_tpl_render_subject(t, v, &subject);
    ts_tpl_render(t, v, &text);
    char from_dom[TS_DOMAIN_MAX + 1], rcpt_dom[TS_DOMAIN_MAX + 1], msgid[TS_MIME_MSGID_MAX];
    int r = ts_addr_check(n->policy.from, strlen(n->policy.from), from_dom, err, errsize);
    if (r == 0)
        r = ts_addr_check(rcpt, strlen(rcpt), rcpt_dom, err, errsize);
    if (r == 0) {
        ts_mime_message_id(from_dom, msgid);
        ts_mail_t mail = {
            .from = n->policy.from,
            .from_name = n->policy.from_name,
            .to = rcpt,
            .to_name = "",
            .subject = subject.data ? subject.data : "",
            .message_id = msgid,
            .date = now,
            .text = text.data ? text.data : "",
        };
        r = ts_mime_build(&mail, n->pgp, &msg, err, errsize);
    }
    if (r == 0) {
        ts_out_rec_t o = {
            .site_id = 0,
            .contact_id = 0,
            .message_id = msgid,
            .rcpt = rcpt,
            .domain = rcpt_dom,
            .subject = subject.data ? subject.data : "",
            .kind = "immediate",
            .urgent = true,
            .next_attempt = now,
            .data = msg.data,
            .len = msg.len,
        };
        int64_t id = 0;
        r = ts_store_out_add(st, &o, &id);
        if (r != 0)
            snprintf(err, errsize, "outbox: %s", ts_store_errmsg(st));
    }
    ts_buf_free(&subject);
    ts_buf_free(&text);
    ts_buf_free(&msg);
    return r;
}

int ts_domain_notices_queue(ts_store_t *st, ts_domain_notices_t *n, const ts_domain_case_t *c,
                            const char *action, const char *why, int64_t now, unsigned *queued,
                            char *err, size_t errsize)
{
    if (queued)
        *queued = 0;
    if (st == NULL || n == NULL || c == NULL)
        return TS_EINVAL;
    int s = ts_domain_step_of(action);
    if (s < 0)
        return 0;
    unsigned who = n->policy.notify[s];
    struct {
        unsigned bit;
        const char *role, *addr, *lang;
    } to[] = {
        {TS_DWHO_HOLDER, "holder", c->holder, c->lang},
        {TS_DWHO_REGISTRAR, "registrar", c->registrar, c->lang},
        {TS_DWHO_REPORTER, "reporter", c->reporter, c->lang},
        {TS_DWHO_NATIONAL, "national-csirt", n->policy.national, n->policy.national_lang},
    };
    int r = 0;
    for (size_t i = 0; r == 0 && i < sizeof to / sizeof to[0]; i++) {
        if (!(who & to[i].bit) || to[i].addr == NULL || to[i].addr[0] == '\0')
            continue;
        r = queue_one(st, n, c, (ts_domain_step_t)s, to[i].role, to[i].addr, to[i].lang, why, now,
                      err, errsize);
        if (r == 0 && queued)
            (*queued)++;
    }
    return r;
}
