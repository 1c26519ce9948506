/* SPDX-License-Identifier: Apache-2.0 */
/* From items to queued mails (see builder.h). */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/arena.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/metrics.h"
#include "notify/address.h"
#include "notify/builder.h"
#include "notify/contact.h"
#include "notify/mime.h"
#include "store/notifystore.h"

#define US_PER_HOUR (INT64_C(3600) * 1000000)
#define US_PER_DAY (24 * US_PER_HOUR)

int64_t ts_notify_due(int digest, int64_t now)
{
    if (digest == TS_DIGEST_HOURLY)
        return now - now % US_PER_HOUR + US_PER_HOUR;
    if (digest == TS_DIGEST_DAILY)
        return now - now % US_PER_DAY + US_PER_DAY;
    return now;
}

/* Whether a comma-separated list holds name. */
static bool in_list(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; p && *p;) {
        size_t k = strcspn(p, ",");
        if (k == n && strncmp(p, name, n) == 0)
            return true;
        p += k + (p[k] == ',');
    }
    return false;
}

struct add_ctx {
    ts_store_t *st;
    const ts_nitem_t *it;
    const char *json;
    int64_t now;
    ts_notify_stats_t *stats;
};

static int add_for_contact(const ts_contact_rec_t *c, void *vctx)
{
    struct add_ctx *x = vctx;
    const ts_nitem_t *it = x->it;
    if (in_list(c->never_types, it->type))
        return 0;
    bool over = c->immediate > 0 && it->priority >= c->immediate;
    bool urgent = in_list(c->immediate_types, it->type) || over;
    if (it->kind == TS_NITEM_RAISED) {
        /* A rise matters to a contact when it crosses the contact's own
         * threshold; below or already above it, the contact knows. */
        if (!over || it->prev_priority >= c->immediate)
            return 0;
        urgent = true;
    }
    if (!urgent && c->digest == TS_DIGEST_NONE)
        return 0;
    ts_npending_rec_t p = {
        .contact_id = c->id,
        .site_id = it->site_id,
        .due = urgent ? x->now : ts_notify_due(c->digest, x->now),
        .urgent = urgent,
        .item = x->json,
    };
    int r = ts_store_npending_add(x->st, &p);
    if (r == 0)
        x->stats->waiting++;
    return r;
}

int ts_notify_add_item(ts_store_t *st, const ts_nitem_t *it, int64_t now, ts_notify_stats_t *stats,
                       char *err, size_t errsize)
{
    int r = ts_nitem_check(it, err, errsize);
    if (r)
        return r;
    ts_buf_t json = TS_BUF_INIT;
    ts_nitem_write(it, &json);
    struct add_ctx x = {st, it, json.data, now, stats};
    r = ts_store_ncontacts_foreach(st, it->site_id, add_for_contact, &x);
    if (r)
        ts_seterr(err, errsize, "store: %s", ts_store_errmsg(st));
    else
        stats->items++;
    ts_buf_free(&json);
    return r;
}

struct collect_ctx {
    ts_store_t *st;
    int64_t now;
    ts_notify_stats_t *stats;
    char *err;
    size_t errsize;
};

static int collect_one(const ts_nitem_t *it, void *vctx)
{
    struct collect_ctx *c = vctx;
    return ts_notify_add_item(c->st, it, c->now, c->stats, c->err, c->errsize);
}

int ts_notify_collect(ts_store_t *st, const ts_notify_cfg_t *cfg, const ts_nsource_t *src,
                      int64_t now, ts_notify_stats_t *stats, char *err, size_t errsize)
{
    int r = cfg->in_txn ? 0 : ts_store_begin(st);
    if (r) {
        ts_seterr(err, errsize, "store: %s", ts_store_errmsg(st));
        return r;
    }
    int64_t mark = 0, next = 0;
    r = ts_store_nmark_get(st, src->name, &mark);
    struct collect_ctx c = {st, now, stats, err, errsize};
    if (r == 0)
        r = src->collect(st, mark, now, cfg->portal, collect_one, &c, &next);
    if (r == 0 && next != mark)
        r = ts_store_nmark_set(st, src->name, next);
    if (r == 0 && !cfg->in_txn)
        r = ts_store_commit(st);
    if (r) {
        if (err && err[0] == '\0')
            ts_seterr(err, errsize, "source %s: %s (%s)", src->name, ts_strerror(r),
                      ts_store_errmsg(st));
        if (!cfg->in_txn)
            ts_store_rollback(st);
    }
    return r;
}

/* ---- Building the mails ------------------------------------------------------------------ */

struct due_row {
    int64_t contact_id, site_id;
    bool urgent;
    char *item;
};

struct due_list {
    struct due_row *rows;
    size_t n, cap;
};

static int take_row(const ts_npending_rec_t *p, void *ctx)
{
    struct due_list *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->rows = ts_xrealloc(l->rows, l->cap * sizeof *l->rows);
    }
    l->rows[l->n++] = (struct due_row){p->contact_id, p->site_id, p->urgent, ts_xstrdup(p->item)};
    return 0;
}

struct parsed {
    ts_nitem_t it;
    ts_nitem_owned_t *own;
};

static int by_type(const void *a, const void *b)
{
    const ts_nitem_t *x = a, *y = b;
    int d = strcmp(x->type, y->type);
    if (d == 0)
        d = y->priority - x->priority;
    if (d == 0)
        d = strcmp(x->summary, y->summary);
    return d;
}

static const char *period_name(const char *lang, bool urgent, int digest)
{
    static const char *const en[] = {"immediate", "hourly digest", "daily digest"};
    static const char *const de[] = {"sofort", "stündliche Übersicht", "tägliche Übersicht"};
    const char *const *t = lang && strcmp(lang, "de") == 0 ? de : en;
    return urgent || digest == TS_DIGEST_NONE ? t[0] : t[digest];
}

bool ts_notify_uses_smime(const ts_notify_cfg_t *cfg, const ts_contact_rec_t *c)
{
    if (c->crypto == TS_CRYPTO_SMIME)
        return true;
    if (c->crypto == TS_CRYPTO_PGP)
        return false;
    return c->pgp_fpr[0] == '\0' && c->smime_cert[0] != '\0' && cfg->smime != NULL;
}

static void key_note(const ts_contact_rec_t *c, bool smime, ts_buf_t *out)
{
    char day[32];
    time_t t = (time_t)((smime ? c->smime_expires : c->pgp_expires) / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(day, sizeof day, "%Y-%m-%d", &tm);
    if (smime) {
        char fpr[TS_SMIME_FPR_MAX + 1];
        int64_t exp;
        if (ts_smime_cert_fpr(c->smime_cert, fpr, &exp) != 0)
            snprintf(fpr, sizeof fpr, "?");
        if (strcmp(c->lang, "de") == 0)
            ts_buf_printf(out,
                          "\nHinweis: Ihr S/MIME-Zertifikat %s ist am %s abgelaufen. Diese "
                          "Nachricht ist daher signiert, aber nicht verschlüsselt. Bitte senden "
                          "Sie dem CSIRT ein gültiges Zertifikat.\n",
                          fpr, day);
        else
            ts_buf_printf(out,
                          "\nNote: your S/MIME certificate %s expired on %s, so this mail is "
                          "signed but not encrypted. Please send the CSIRT a current "
                          "certificate.\n",
                          fpr, day);
        return;
    }
    if (strcmp(c->lang, "de") == 0)
        ts_buf_printf(out,
                      "\nHinweis: Ihr OpenPGP-Schlüssel %s ist am %s abgelaufen. Diese Nachricht "
                      "ist daher signiert, aber nicht verschlüsselt. Bitte senden Sie dem CSIRT "
                      "einen gültigen Schlüssel.\n",
                      c->pgp_fpr, day);
    else
        ts_buf_printf(out,
                      "\nNote: your OpenPGP key %s expired on %s, so this mail is signed but not "
                      "encrypted. Please send the CSIRT a current key.\n",
                      c->pgp_fpr, day);
}

/* Appends the rows of csv after its header to out, which gets the header
 * when it is empty (one file per type: the items of a type share it). */
static void csv_join(ts_buf_t *out, const char *csv)
{
    if (csv == NULL || csv[0] == '\0')
        return;
    const char *nl = strchr(csv, '\n');
    if (out->len == 0 || nl == NULL)
        ts_buf_puts(out, csv);
    else
        ts_buf_puts(out, nl + 1);
}

#define ATT_MAX 128

struct ts_nmail {
    ts_buf_t text, subject, groups, items, files[ATT_MAX];
    ts_mime_att_t att[ATT_MAX];
    char names[ATT_MAX][80];
    size_t n_att;
    bool key_expired;
};

void ts_nmail_free(ts_nmail_t *d)
{
    if (d == NULL)
        return;
    ts_buf_free(&d->text);
    ts_buf_free(&d->subject);
    ts_buf_free(&d->groups);
    ts_buf_free(&d->items);
    for (size_t i = 0; i < ATT_MAX; i++)
        ts_buf_free(&d->files[i]);
    free(d);
}

const char *ts_nmail_subject(const ts_nmail_t *d)
{
    return d->subject.data ? d->subject.data : "";
}

const char *ts_nmail_text(const ts_nmail_t *d)
{
    return d->text.data ? d->text.data : "";
}

size_t ts_nmail_attachments(const ts_nmail_t *d, const ts_mime_att_t **att)
{
    *att = d->att;
    return d->n_att;
}

bool ts_nmail_key_expired(const ts_nmail_t *d)
{
    return d->key_expired;
}

/* A new attachment of d named name; its bytes go into the returned buffer
 * (NULL when d has ATT_MAX already). */
static ts_buf_t *attach(ts_nmail_t *d, const char *type, const char *name)
{
    if (d->n_att == ATT_MAX)
        return NULL;
    size_t k = d->n_att++;
    snprintf(d->names[k], sizeof d->names[0], "%s", name);
    d->att[k] = (ts_mime_att_t){type, d->names[k], NULL, 0};
    return &d->files[k];
}

static void item_values(const ts_nitem_t *it, ts_buf_t *hosts, const char *v[TS_V_COUNT_])
{
    for (size_t h = 0; h < it->n_hosts && h < TS_NITEM_HOSTS_MAX; h++)
        ts_buf_printf(hosts, "%s%s", h ? ", " : "", it->hosts[h]);
    if (it->n_hosts > TS_NITEM_HOSTS_MAX)
        ts_buf_printf(hosts, " (+%zu)", it->n_hosts - TS_NITEM_HOSTS_MAX);
    memset(v, 0, TS_V_COUNT_ * sizeof *v);
    v[TS_V_KIND] = ts_nitem_kind_name(it->kind);
    v[TS_V_TYPE] = it->type;
    v[TS_V_PRIORITY] = ts_prio_name(it->priority);
    v[TS_V_SUMMARY] = it->summary;
    v[TS_V_WHY] = it->why;
    v[TS_V_LINK] = it->link;
    v[TS_V_HOSTS] = hosts->len ? hosts->data : "-";
    v[TS_V_REF] = it->ref;
}

ts_nmail_t *ts_notify_render(const ts_notify_cfg_t *cfg, const ts_contact_rec_t *c,
                             ts_nitem_t *items, size_t n, bool urgent, int64_t now)
{
    qsort(items, n, sizeof *items, by_type);
    ts_nmail_t *d = ts_xcalloc(1, sizeof *d);
    const char *v[TS_V_COUNT_];
    char count[24], date[40];
    ts_buf_t hosts = TS_BUF_INIT;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        ts_buf_reset(&d->items);
        ts_buf_t *csv = NULL;
        for (; j < n && strcmp(items[j].type, items[i].type) == 0; j++) {
            const ts_nitem_t *it = &items[j];
            ts_buf_reset(&hosts);
            item_values(it, &hosts, v);
            ts_tpl_render(
                ts_tpl_get(cfg->tpl, c->lang, TS_TPL_ITEM, ts_nitem_kind_name(it->kind), it->type),
                v, &d->items);
            char name[80];
            if (it->events_csv && it->events_csv[0] && csv == NULL) {
                snprintf(name, sizeof name, "events-%s.csv", it->type);
                csv = attach(d, "text/csv; charset=utf-8", name);
            }
            if (csv)
                csv_join(csv, it->events_csv);
            ts_buf_t *x;
            snprintf(name, sizeof name, "iodef-%zu.xml", j + 1);
            if (c->iodef && it->events_iodef && it->events_iodef[0] &&
                (x = attach(d, "application/xml; charset=utf-8", name)))
                ts_buf_puts(x, it->events_iodef);
        }
        memset(v, 0, sizeof v);
        snprintf(count, sizeof count, "%zu", j - i);
        v[TS_V_TYPE] = items[i].type;
        v[TS_V_COUNT] = count;
        v[TS_V_ITEMS] = d->items.data ? d->items.data : "";
        ts_tpl_render(ts_tpl_get(cfg->tpl, c->lang, TS_TPL_GROUP, NULL, NULL), v, &d->groups);
        i = j;
    }
    ts_buf_free(&hosts);
    for (size_t k = 0; k < d->n_att; k++) {
        d->att[k].data = d->files[k].data ? d->files[k].data : "";
        d->att[k].len = d->files[k].len;
    }
    bool smime = ts_notify_uses_smime(cfg, c);
    if (smime)
        d->key_expired = c->smime_cert[0] && c->smime_expires != 0 && c->smime_expires <= now;
    else
        d->key_expired = c->pgp_fpr[0] && c->pgp_expires != 0 && c->pgp_expires <= now;
    ts_buf_t note = TS_BUF_INIT;
    if (d->key_expired)
        key_note(c, smime, &note);
    time_t t = (time_t)(now / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", &tm);
    snprintf(count, sizeof count, "%zu", n);
    memset(v, 0, sizeof v);
    v[TS_V_SITE] = c->site_name;
    v[TS_V_CONTACT] = c->name[0] ? c->name : c->email;
    v[TS_V_COUNT] = count;
    v[TS_V_PERIOD] = period_name(c->lang, urgent, c->digest);
    v[TS_V_GROUPS] = d->groups.data ? d->groups.data : "";
    v[TS_V_KEY_NOTE] = note.data ? note.data : "";
    v[TS_V_CSIRT] = cfg->from_name;
    v[TS_V_DATE] = date;
    const ts_tpl_t *dt = ts_tpl_get(cfg->tpl, c->lang, TS_TPL_DIGEST, NULL, NULL);
    ts_tpl_render(dt, v, &d->text);
    ts_tpl_render_subject(dt, v, &d->subject);
    ts_buf_free(&note);
    return d;
}

static ts_metric_t *m_queued, *m_expired;

static void metrics(void)
{
    m_queued = ts_metrics_counter("tocsin_notify_mails_queued_total",
                                  "Mails built and queued in the outbox", NULL);
    m_expired =
        ts_metrics_counter("tocsin_notify_expired_keys_total",
                           "Mails sent signed only because the contact's key expired", NULL);
}

/* Renders, signs (and encrypts) and queues the mail of one contact. */
static int build_one(ts_store_t *st, const ts_notify_cfg_t *cfg, const ts_contact_rec_t *c,
                     ts_nitem_t *items, size_t n, bool urgent, int64_t now,
                     ts_notify_stats_t *stats, char *err, size_t errsize)
{
    ts_nmail_t *d = ts_notify_render(cfg, c, items, n, urgent, now);
    bool expired = d->key_expired;
    bool smime = ts_notify_uses_smime(cfg, c);
    char from_dom[TS_DOMAIN_MAX + 1] = "", rcpt_dom[TS_DOMAIN_MAX + 1] = "";
    char msgid[TS_MIME_MSGID_MAX];
    int r = ts_addr_check(cfg->from, strlen(cfg->from), from_dom, err, errsize);
    if (r == 0)
        r = ts_addr_check(c->email, strlen(c->email), rcpt_dom, err, errsize);
    ts_mime_message_id(from_dom, msgid);
    const ts_mime_att_t *att;
    size_t n_att = ts_nmail_attachments(d, &att);
    ts_mail_t mail = {
        .from = cfg->from,
        .from_name = cfg->from_name,
        .to = c->email,
        .to_name = c->name,
        .subject = ts_nmail_subject(d),
        .message_id = msgid,
        .date = now,
        .text = ts_nmail_text(d),
        .att = att,
        .n_att = n_att,
        .enc_fpr = !smime && c->pgp_fpr[0] && !expired ? c->pgp_fpr : NULL,
        .enc_key = c->pgp_key,
        .enc_cert = smime && c->smime_cert[0] && !expired ? c->smime_cert : NULL,
    };
    /* A preview (no signing key) is unsigned whatever the protocol; a
     * contact that asks for S/MIME from a CSIRT without an S/MIME identity
     * gets nothing rather than another protocol it did not ask for. */
    bool signing = cfg->pgp != NULL;
    if (r == 0 && smime && signing && cfg->smime == NULL) {
        ts_seterr(err, errsize,
                  "the contact asks for S/MIME but the notifier has no S/MIME signing "
                  "certificate (notify run --smime-sign-key)");
        ts_nmail_free(d);
        return TS_EINVAL;
    }
    ts_buf_t msg = TS_BUF_INIT;
    if (r == 0)
        r = smime && signing ? ts_mime_build_smime(&mail, cfg->smime, &msg, err, errsize)
                             : ts_mime_build(&mail, cfg->pgp, &msg, err, errsize);
    if (r == TS_EINVAL && (mail.enc_fpr || mail.enc_cert) && signing) {
        /* The key cannot encrypt any more (revoked, expired early): send it
         * signed and say so, as for an expired key. */
        ts_log_warn("contact %s of site %s: %s; sending signed only", c->email, c->site_name, err);
        expired = true;
        mail.enc_fpr = mail.enc_cert = NULL;
        r = smime ? ts_mime_build_smime(&mail, cfg->smime, &msg, err, errsize)
                  : ts_mime_build(&mail, cfg->pgp, &msg, err, errsize);
    }
    if (r == 0) {
        ts_out_rec_t o = {
            .site_id = c->site_id,
            .contact_id = c->id,
            .message_id = msgid,
            .rcpt = c->email,
            .domain = rcpt_dom,
            .subject = mail.subject,
            .kind = urgent ? "immediate" : ts_digest_name(c->digest),
            .urgent = urgent,
            .next_attempt = now,
            .data = msg.data,
            .len = msg.len,
        };
        int64_t id;
        r = ts_store_out_add(st, &o, &id);
        if (r)
            ts_seterr(err, errsize, "store: %s", ts_store_errmsg(st));
    }
    if (r == 0) {
        stats->mails++;
        if (mail.enc_fpr || mail.enc_cert)
            stats->encrypted++;
        if (expired) {
            stats->expired_keys++;
            ts_metric_add(m_expired, 1);
            if (smime)
                ts_log_warn("contact %s of site %s: the S/MIME certificate has expired; the mail "
                            "was sent signed, not encrypted, and asks for a current certificate",
                            c->email, c->site_name);
            else
                ts_log_warn("contact %s of site %s: OpenPGP key %s has expired; the mail was "
                            "sent signed, not encrypted, and asks for a current key",
                            c->email, c->site_name, c->pgp_fpr);
        }
    }
    ts_buf_free(&msg);
    ts_nmail_free(d);
    return r;
}

int ts_notify_build(ts_store_t *st, const ts_notify_cfg_t *cfg, int64_t now, int64_t site_id,
                    ts_notify_stats_t *stats, char *err, size_t errsize)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, metrics);
    struct due_list l = {0};
    int r = site_id > 0 ? ts_store_npending_foreach(st, site_id, take_row, &l)
                        : ts_store_npending_due(st, now, take_row, &l);
    if (r)
        ts_seterr(err, errsize, "store: %s", ts_store_errmsg(st));
    int first = r;
    int64_t cutoff = site_id > 0 ? INT64_MAX : now;
    ts_arena_t *a = ts_arena_new(16384);
    bool stop = first != 0;
    uint64_t start = stats->mails;
    for (size_t i = 0; !stop && i < l.n;) {
        if (cfg->max_mails && stats->mails - start >= cfg->max_mails)
            break;
        size_t j = i;
        bool urgent = false;
        while (j < l.n && l.rows[j].contact_id == l.rows[i].contact_id)
            urgent |= l.rows[j++].urgent;
        ts_arena_reset(a);
        ts_contact_rec_t c;
        ts_contact_copy_t cc = {&c, a};
        struct parsed *items = ts_xcalloc(j - i, sizeof *items);
        ts_nitem_t *its = ts_xcalloc(j - i, sizeof *its);
        size_t n = 0;
        char why[512] = "";
        r = ts_store_ncontact_get(st, l.rows[i].site_id, l.rows[i].contact_id, ts_contact_copy_cb,
                                  &cc);
        /* Each item names its site; one that is not the contact's (which
         * the store never lets in) would be dropped here too. */
        for (size_t k = i; r == 0 && k < j; k++) {
            if (ts_nitem_read(l.rows[k].item, strlen(l.rows[k].item), &items[n].it,
                              &items[n].own) != 0)
                continue;
            if (items[n].it.site_id != c.site_id) {
                ts_nitem_free(items[n].own);
                continue;
            }
            its[n] = items[n].it;
            n++;
        }
        bool own_txn = false;
        if (r == 0 && n > 0 && (cfg->in_txn || (r = ts_store_begin(st)) == 0)) {
            own_txn = !cfg->in_txn;
            r = build_one(st, cfg, &c, its, n, urgent, now, stats, why, sizeof why);
        }
        if (r == 0)
            r = ts_store_npending_clear(st, c.id, cutoff);
        if (own_txn) {
            if (r == 0)
                r = ts_store_commit(st);
            else
                ts_store_rollback(st);
            if (r == 0)
                ts_metric_add(m_queued, 1);
        }
        if (r == TS_ENOENT)
            r = 0; /* the contact was removed meanwhile, its rows with it */
        if (r) {
            const char *msg = why[0] ? why : ts_store_errmsg(st);
            ts_log_error("notify: contact %" PRId64 " of site %" PRId64 ": %s",
                         l.rows[i].contact_id, l.rows[i].site_id, msg);
            if (first == 0) {
                first = r;
                ts_seterr(err, errsize, "%s", msg);
            }
            /* A mail that cannot be built stays waiting and the others go
             * on; a store failure stops the run. */
            stop = r != TS_ECRYPTO && r != TS_EINVAL;
        }
        for (size_t k = 0; k < n; k++)
            ts_nitem_free(items[k].own);
        free(items);
        free(its);
        i = j;
    }
    ts_arena_free(a);
    for (size_t i = 0; i < l.n; i++)
        free(l.rows[i].item);
    free(l.rows);
    return first;
}
