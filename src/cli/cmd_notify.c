/* SPDX-License-Identifier: Apache-2.0 */
/* tocsin notify run|preview and tocsin outbox list|retry: building, signing
 * and sending the sites' notifications (notify/notifier.h), and the outbox
 * they wait in. The SMTP password is read from a file and never printed. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/event.h"
#include "core/file.h"
#include "core/jsonw.h"
#include "notify/address.h"
#include "notify/notifier.h"
#include "store/notifystore.h"

#define PASSWORD_MAX 1024

static void notify_usage(FILE *out)
{
    fprintf(out,
            "Usage:\n"
            "  tocsin notify run --smtp URL --from ADDR [OPTIONS] [--once]\n"
            "  tocsin notify preview --site NAME [--from ADDR] [--from-name NAME]\n"
            "                        [--portal URL] [--templates DIR]\n"
            "\n"
            "`notify run` builds the sites' notifications from what is new (matched\n"
            "advisories; incidents and scan findings when those sources are wired in),\n"
            "as digests per contact (at once, hourly or daily, as each contact prefers),\n"
            "signs them with the CSIRT's OpenPGP key, encrypts them to the contact's key\n"
            "when it has a current one, queues them in the outbox and sends them through\n"
            "the relay. A mail is sent exactly once, also across crashes (docs/notify.md).\n"
            "`--once`: build, queue and send what is due now, then exit. Run one sender\n"
            "per database (one notify run, or one serve --notify-smtp): a sender starting\n"
            "takes mails left in sending for ones a crash left.\n"
            "`notify preview` prints what would be queued for the site now, unsigned,\n"
            "without changing anything.\n"
            "\n"
            "Options of run:\n"
            "  --smtp URL             the relay: smtp://HOST:PORT (STARTTLS when offered)\n"
            "                         or smtps://HOST:PORT; smtp://HOST:PORT/NAME says EHLO NAME\n"
            "  --from ADDR            the CSIRT's address (sender and From)\n"
            "  --from-name NAME       the CSIRT's name in From and the texts (default CSIRT)\n"
            "  --sign-key FINGERPRINT the signing key (default: the only secret key)\n"
            "  --gnupg-home DIR       the GnuPG home holding it (default $GNUPGHOME)\n"
            "  --smime-sign-key FINGERPRINT|&KEYGRIP\n"
            "                         the S/MIME signing certificate: contacts that choose\n"
            "                         S/MIME (or have only a certificate) get S/MIME mail\n"
            "  --smime-home DIR       the gpgsm home holding it (default: the GnuPG home)\n"
            "  --templates DIR        the mail templates (default: the installed ones)\n"
            "  --portal URL           the portal's address, for links in the mails\n"
            "  --verify-contacts      also ask the site and team contacts to confirm their\n"
            "                         addresses every six months (docs/directory.md; needs\n"
            "                         --portal), once an hour\n"
            "  --smtp-user USER       AUTH with this user and the password in\n"
            "  --smtp-password-file FILE\n"
            "  --starttls             refuse a relay that does not offer STARTTLS\n"
            "  --cafile FILE          the relay's CA for TLS (default: the system's)\n"
            "  --rate N               at most N mails per recipient domain and hour\n"
            "  --max-attempts N       give a mail up after N attempts (default 20)\n"
            "  --resolve-cmd CMD      asked after a crash whether the relay has a mail:\n"
            "                         run as CMD MESSAGE-ID, exit 0 yes, 1 no\n"
            "  --interval SECONDS     between rounds (default 10)\n"
            "Exit codes: 2 usage, 3 unknown site, 1 other failures (a bad template or no\n"
            "signing key is refused at start).\n");
}

static void outbox_usage(FILE *out)
{
    fprintf(out, "Usage:\n"
                 "  tocsin outbox list [--site NAME] [--state STATE] [--limit N]\n"
                 "                     [--format table|json]\n"
                 "  tocsin outbox retry (ID | --site NAME | --all)\n"
                 "\n"
                 "The outbox holds every notification mail with its stable Message-ID and its\n"
                 "state: queued, sending, sent, deferred (a 4xx or no answer: tried again\n"
                 "with a growing wait) or failed (a 5xx: never sent; the relay's answer is\n"
                 "shown). `outbox list` shows the newest first (json: one object per line).\n"
                 "`outbox retry` queues failed and deferred mails again, due now.\n"
                 "Exit codes: 2 usage, 3 unknown site or mail, 1 other failures.\n");
}

static int parse_num(const char *opt, const char *s, long lo, long hi, long *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < lo || v > hi) {
        ts_cli_usage_error("notify", "--%s takes a number from %ld to %ld", opt, lo, hi);
        return -1;
    }
    *out = v;
    return 0;
}

static int run(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"smtp", required_argument, NULL, 'S'},
        {"from", required_argument, NULL, 'f'},
        {"from-name", required_argument, NULL, 'F'},
        {"sign-key", required_argument, NULL, 'k'},
        {"gnupg-home", required_argument, NULL, 'g'},
        {"smime-sign-key", required_argument, NULL, 'K'},
        {"smime-home", required_argument, NULL, 'G'},
        {"templates", required_argument, NULL, 't'},
        {"portal", required_argument, NULL, 'p'},
        {"smtp-user", required_argument, NULL, 'u'},
        {"smtp-password-file", required_argument, NULL, 'P'},
        {"starttls", no_argument, NULL, 'T'},
        {"cafile", required_argument, NULL, 'c'},
        {"rate", required_argument, NULL, 'r'},
        {"max-attempts", required_argument, NULL, 'm'},
        {"resolve-cmd", required_argument, NULL, 'R'},
        {"interval", required_argument, NULL, 'i'},
        {"once", no_argument, NULL, 'o'},
        {"verify-contacts", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    ts_notifier_opts_t o;
    memset(&o, 0, sizeof o);
    const char *pw_file = NULL;
    bool once = false;
    long v;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'S':
            o.out.smtp.url = optarg;
            break;
        case 'f':
            o.out.from = optarg;
            break;
        case 'F':
            o.from_name = optarg;
            break;
        case 'k':
            o.sign_key = optarg;
            break;
        case 'g':
            o.gnupg_home = optarg;
            break;
        case 'K':
            o.smime_sign_key = optarg;
            break;
        case 'G':
            o.smime_home = optarg;
            break;
        case 't':
            o.templates = optarg;
            break;
        case 'p':
            o.portal = optarg;
            break;
        case 'V':
            o.verify_contacts = true;
            break;
        case 'u':
            o.out.smtp.user = optarg;
            break;
        case 'P':
            pw_file = optarg;
            break;
        case 'T':
            o.out.smtp.tls_required = true;
            break;
        case 'c':
            o.out.smtp.cafile = optarg;
            break;
        case 'R':
            o.out.resolve_cmd = optarg;
            break;
        case 'o':
            once = true;
            break;
        case 'r':
        case 'm':
        case 'i':
            if (parse_num(ch == 'r'   ? "rate"
                          : ch == 'm' ? "max-attempts"
                                      : "interval",
                          optarg, 1, 1000000, &v) < 0)
                return TS_EXIT_USAGE;
            if (ch == 'r')
                o.out.rate_per_hour = (unsigned)v;
            else if (ch == 'm')
                o.out.max_attempts = (unsigned)v;
            else
                o.interval_us = (int64_t)v * 1000000;
            break;
        case 'h':
            notify_usage(stdout);
            return TS_EXIT_OK;
        default:
            ts_cli_usage_error("notify", NULL);
            return TS_EXIT_USAGE;
        }
    }
    if (optind != argc || o.out.smtp.url == NULL || o.out.from == NULL) {
        ts_cli_usage_error("notify", "notify run needs --smtp URL and --from ADDR");
        return TS_EXIT_USAGE;
    }
    char why[256];
    if (ts_addr_check(o.out.from, strlen(o.out.from), NULL, why, sizeof why) != 0) {
        ts_cli_usage_error("notify", "--from: %s", why);
        return TS_EXIT_USAGE;
    }
    if (strncmp(o.out.smtp.url, "smtp://", 7) != 0 && strncmp(o.out.smtp.url, "smtps://", 8)) {
        ts_cli_usage_error("notify", "--smtp takes smtp://HOST:PORT or smtps://HOST:PORT");
        return TS_EXIT_USAGE;
    }
    char *password = NULL;
    if (pw_file) {
        size_t len = 0;
        if (ts_file_read(pw_file, PASSWORD_MAX, TS_FILE_REGULAR, &password, &len, why,
                         sizeof why) != 0) {
            fprintf(stderr, "tocsin: --smtp-password-file %s: %s\n", pw_file, why);
            return TS_EXIT_USAGE;
        }
        password[strcspn(password, "\r\n")] = '\0';
        o.out.smtp.password = password;
    }
    ts_store_t *st = NULL;
    ts_notifier_t *n = NULL;
    char err[512] = "";
    int rc = TS_EXIT_FAIL;
    if (ts_cli_open(cli, &st) != 0)
        goto out;
    if (ts_notifier_open(&o, &n, err, sizeof err) != 0) {
        fprintf(stderr, "tocsin: notify: %s\n", err);
        goto out;
    }
    volatile sig_atomic_t *stop, *reload;
    ts_cli_daemon_signals(&stop, &reload);
    if (once) {
        ts_notifier_stats_t s = {0};
        int r = ts_notifier_round(n, st, ts_time_now(), stop, &s);
        printf("%llu items, %llu mails queued (%llu encrypted, %llu signed only: expired key); "
               "%llu sent, %llu deferred, %llu failed, %llu waiting (hours, rate)\n",
               (unsigned long long)s.built.items, (unsigned long long)s.built.mails,
               (unsigned long long)s.built.encrypted, (unsigned long long)s.built.expired_keys,
               (unsigned long long)s.sent.sent, (unsigned long long)s.sent.deferred,
               (unsigned long long)s.sent.failed, (unsigned long long)s.sent.held);
        rc = r == 0 ? TS_EXIT_OK : TS_EXIT_FAIL;
    } else {
        ts_notifier_loop(n, st, stop);
        rc = TS_EXIT_OK;
    }
out:
    ts_notifier_close(n);
    ts_store_close(st);
    if (password) {
        explicit_bzero(password, strlen(password));
        free(password);
    }
    return rc;
}

struct show_ctx {
    ts_buf_t buf;
    size_t n;
};

static int show_mail(const ts_out_rec_t *m, void *ctx)
{
    struct show_ctx *s = ctx;
    if (m->state != TS_OUT_QUEUED)
        return 0;
    printf("---- mail %zu to %s (%s) ----\n", ++s->n, m->rcpt, m->kind);
    fwrite(m->data, 1, m->len, stdout);
    return 0;
}

static int preview(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"site", required_argument, NULL, 's'},
        {"from", required_argument, NULL, 'f'},
        {"from-name", required_argument, NULL, 'F'},
        {"portal", required_argument, NULL, 'p'},
        {"templates", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *site = NULL, *templates = NULL;
    ts_notify_cfg_t cfg = {
        .from = "csirt@localhost.localdomain", .from_name = "CSIRT", .portal = "", .in_txn = true};
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 's':
            site = optarg;
            break;
        case 'f':
            cfg.from = optarg;
            break;
        case 'F':
            cfg.from_name = optarg;
            break;
        case 'p':
            cfg.portal = optarg;
            break;
        case 't':
            templates = optarg;
            break;
        case 'h':
            notify_usage(stdout);
            return TS_EXIT_OK;
        default:
            ts_cli_usage_error("notify", NULL);
            return TS_EXIT_USAGE;
        }
    }
    if (optind != argc || site == NULL) {
        ts_cli_usage_error("notify", "notify preview needs --site NAME");
        return TS_EXIT_USAGE;
    }
    char dir[4096], err[512] = "";
    ts_tpl_set_t *tpl = NULL;
    if (ts_tpl_set_load(templates ? templates : ts_tpl_default_dir(dir, sizeof dir), &tpl, err,
                        sizeof err) != 0) {
        fprintf(stderr, "tocsin: templates: %s\n", err);
        return TS_EXIT_FAIL;
    }
    cfg.tpl = tpl;
    ts_store_t *st = NULL;
    int64_t sid = 0;
    int r = ts_cli_open_existing(cli, &st);
    if (r == 0 && (r = ts_store_site_find(st, site, &sid)) != 0)
        fprintf(stderr, "tocsin: %s: %s\n", site,
                r == TS_ENOENT ? "no such site" : ts_store_errmsg(st));
    /* The real steps, in a transaction that is rolled back: what is shown
     * is what a run would queue, and nothing changes. */
    if (r == 0)
        r = ts_store_begin(st);
    int64_t now = ts_time_now();
    ts_notify_stats_t stats = {0};
    for (size_t i = 0; r == 0 && i < ts_notify_n_sources; i++)
        r = ts_notify_collect(st, &cfg, ts_notify_sources[i], now, &stats, err, sizeof err);
    if (r == 0)
        r = ts_notify_build(st, &cfg, now, sid, &stats, err, sizeof err);
    struct show_ctx s = {TS_BUF_INIT, 0};
    if (r == 0)
        r = ts_store_out_foreach(st, sid, TS_OUT_QUEUED, 0, show_mail, &s);
    if (sid && r)
        fprintf(stderr, "tocsin: notify preview: %s\n", err[0] ? err : ts_store_errmsg(st));
    if (r == 0 && s.n == 0)
        printf("nothing to send to %s now\n", site);
    if (st && sid)
        ts_store_rollback(st);
    ts_store_close(st);
    ts_tpl_set_free(tpl);
    return r == 0 ? TS_EXIT_OK : ts_cli_exit_code(r);
}

int ts_cmd_notify(ts_cli_t *cli, int argc, char **argv)
{
    static const ts_cli_verb_t verbs[] = {{"run", run}, {"preview", preview}};
    return ts_cli_dispatch(cli, argc, argv, "notify", verbs, sizeof verbs / sizeof verbs[0],
                           notify_usage);
}

/* ---- outbox -------------------------------------------------------------------------------- */

struct list_ctx {
    bool json;
    ts_buf_t buf;
};

static int list_one(const ts_out_rec_t *m, void *ctx)
{
    struct list_ctx *l = ctx;
    ts_buf_reset(&l->buf);
    if (l->json) {
        ts_jsonw_t w;
        ts_jsonw_init(&w, &l->buf);
        ts_out_json(&w, m);
        ts_buf_putc(&l->buf, '\n');
    } else {
        char when[48] = "-";
        int64_t t = m->state == TS_OUT_SENT                                    ? m->sent_at
                    : m->state == TS_OUT_QUEUED || m->state == TS_OUT_DEFERRED ? m->next_attempt
                                                                               : 0;
        if (t)
            ts_time_format_utc(t, when, sizeof when);
        /* The relay's reply had its control characters replaced on receipt. */
        ts_buf_printf(&l->buf, "%-6" PRId64 "  %-16s  %-32s  %-8s  %-3d  %-20s  %s\n", m->id,
                      m->site_name, m->rcpt, ts_out_state_name(m->state), m->attempts, when,
                      m->last_reply);
    }
    fwrite(l->buf.data, 1, l->buf.len, stdout);
    return 0;
}

static int site_of(ts_store_t *st, const char *site, int64_t *sid)
{
    int r = ts_store_site_find(st, site, sid);
    if (r)
        fprintf(stderr, "tocsin: %s: %s\n", site,
                r == TS_ENOENT ? "no such site" : ts_store_errmsg(st));
    return r;
}

static int outbox_list(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"site", required_argument, NULL, 's'},  {"state", required_argument, NULL, 'S'},
        {"limit", required_argument, NULL, 'l'}, {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
    };
    const char *site = NULL;
    int state = 0;
    size_t limit = 0;
    struct list_ctx l = {.buf = TS_BUF_INIT};
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 's':
            site = optarg;
            break;
        case 'S':
            if ((state = ts_out_state_parse(optarg)) == 0) {
                ts_cli_usage_error("outbox", "--state: queued, sending, sent, deferred or "
                                             "failed");
                return TS_EXIT_USAGE;
            }
            break;
        case 'l':
            if (ts_cli_parse_limit(optarg, &limit) != 0)
                return TS_EXIT_USAGE;
            break;
        case 'f':
            if (strcmp(optarg, "json") != 0 && strcmp(optarg, "table") != 0) {
                ts_cli_usage_error("outbox", "--format: table or json");
                return TS_EXIT_USAGE;
            }
            l.json = optarg[0] == 'j';
            break;
        case 'h':
            outbox_usage(stdout);
            return TS_EXIT_OK;
        default:
            ts_cli_usage_error("outbox", NULL);
            return TS_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        ts_cli_usage_error("outbox", "outbox list takes no arguments besides its options");
        return TS_EXIT_USAGE;
    }
    ts_store_t *st = NULL;
    int64_t sid = 0;
    int r = ts_cli_open_existing(cli, &st);
    if (r == 0 && site)
        r = site_of(st, site, &sid);
    if (r == 0 && !l.json)
        printf("%-6s  %-16s  %-32s  %-8s  %-3s  %-20s  %s\n", "ID", "SITE", "RCPT", "STATE", "TRY",
               "NEXT/SENT", "REPLY");
    if (r == 0 && (r = ts_store_out_foreach(st, sid, state, limit, list_one, &l)) != 0)
        fprintf(stderr, "tocsin: outbox list: %s\n", ts_store_errmsg(st));
    ts_buf_free(&l.buf);
    ts_store_close(st);
    return r == 0 ? TS_EXIT_OK : ts_cli_exit_code(r);
}

static int outbox_retry(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"site", required_argument, NULL, 's'},
        {"all", no_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *site = NULL;
    bool all = false;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (ch == 's') {
            site = optarg;
        } else if (ch == 'a') {
            all = true;
        } else if (ch == 'h') {
            outbox_usage(stdout);
            return TS_EXIT_OK;
        } else {
            ts_cli_usage_error("outbox", NULL);
            return TS_EXIT_USAGE;
        }
    }
    long id = 0;
    bool one = optind + 1 == argc;
    if ((one ? 1 : 0) + (site ? 1 : 0) + (all ? 1 : 0) != 1 || optind + (one ? 1 : 0) != argc ||
        (one && parse_num("ID", argv[optind], 1, INT32_MAX, &id) < 0)) {
        ts_cli_usage_error("outbox", "outbox retry takes one of ID, --site NAME and --all");
        return TS_EXIT_USAGE;
    }
    ts_store_t *st = NULL;
    int64_t sid = 0;
    size_t n = 0;
    int r = ts_cli_open_existing(cli, &st);
    if (r == 0 && site)
        r = site_of(st, site, &sid);
    if (r == 0 && (r = ts_outbox_retry(st, sid, id, &n)) != 0)
        fprintf(stderr, "tocsin: outbox retry: %s\n",
                r == TS_ENOENT ? "no failed or deferred mail of that id" : ts_store_errmsg(st));
    if (r == 0)
        printf("%zu mail(s) queued again\n", n);
    ts_store_close(st);
    return r == 0 ? TS_EXIT_OK : ts_cli_exit_code(r);
}

int ts_cmd_outbox(ts_cli_t *cli, int argc, char **argv)
{
    static const ts_cli_verb_t verbs[] = {{"list", outbox_list}, {"retry", outbox_retry}};
    return ts_cli_dispatch(cli, argc, argv, "outbox", verbs, sizeof verbs / sizeof verbs[0],
                           outbox_usage);
}
