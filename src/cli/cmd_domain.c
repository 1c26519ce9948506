/* SPDX-License-Identifier: Apache-2.0 */
/* `tocsin domain`: a registry CSIRT's domain deactivation cases (the rules
 * are the store's: store/domainstore.h), the zones it claims, the RPZ file,
 * the public list, and expiry. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/event.h"
#include "core/jsonw.h"
#include "core/log.h"
#include "domain/caseview.h"
#include "domain/evidence.h"
#include "domain/expire.h"
#include "domain/notice.h"
#include "domain/hook.h"
#include "domain/name.h"
#include "domain/publish.h"
#include "domain/rpz.h"
#include "notify/address.h"
#include "store/domainstore.h"

static void domain_usage(FILE *out)
{
    fprintf(out,
            "Usage: tocsin domain COMMAND [OPTIONS]\n"
            "\n"
            "Domain deactivation cases of a registry CSIRT: a domain under a zone the CSIRT\n"
            "claims, used to endanger computer security, may be deactivated for at most the\n"
            "policy's max-days (default 30) at the CSIRT's decision, and extended only on new\n"
            "evidence. The store enforces the rules; a refused step exits 4 with the rule.\n"
            "\n"
            "Commands:\n"
            "  zone add|remove ZONE     claim (or drop) a zone, e.g. cz\n"
            "  zone list\n"
            "  policy show              max-days and the RPZ serial\n"
            "  policy set [--max-days N] [--list-past yes|no]\n"
            "            the cap on one deactivation or extension (1-365); whether the\n"
            "            public list shows past deactivations (default: only counted)\n"
            "  case open DOMAIN --reason R --evidence E...\n"
            "            open a case (prints its id) or, when DOMAIN has an open case, add\n"
            "            the evidence to it; R: phishing, malware, botnet-cc, spam, fraud,\n"
            "            other. DOMAIN may be mixed case or an IDN (kept as punycode)\n"
            "  case review|notify|cancel|close|reactivate ID [--why TEXT]\n"
            "  case deactivate ID --days N [--why TEXT]\n"
            "  case extend ID --days N --evidence E... [--why TEXT]\n"
            "            the evidence must be dated after the case's last decision\n"
            "  case evidence ID --evidence E...   add evidence without a decision\n"
            "  case show ID [--format text|json]  the case, its evidence and timeline\n"
            "  case list [--state S] [--limit N] [--format text|json]\n"
            "  candidates [--limit N]   names in stored events under a claimed zone\n"
            "  rpz --out FILE [--origin ZONE] [--reported]\n"
            "            write the Response Policy Zone (atomically)\n"
            "  list [--format table|json|atom]   the public list of deactivated domains\n"
            "  expire [--remind DURATION]\n"
            "            reactivate the cases whose period has ended; report (once) those\n"
            "            ending within DURATION (default 2d)\n"
            "\n"
            "Evidence E: an http(s) URL; event:ID (or a number) naming a stored event; or a\n"
            "file, whose SHA-256 is kept and whose modification time dates it. A URL is\n"
            "dated now unless --seen TIME says when it was observed.\n"
            "\n"
            "Options of the deciding commands:\n"
            "  --rpz FILE    rewrite the RPZ file after the decision\n"
            "  --origin Z    the RPZ's zone name (default " TS_RPZ_ORIGIN_DEFAULT ")\n"
            "  --hook CMD    run CMD ACTION DOMAIN ID STATE UNTIL after the decision (no\n"
            "                shell); its failure is reported and the exit status is 1\n"
            "\n"
            "Exit codes: 0 done; 1 failure (database, file, hook); 2 usage or malformed\n"
            "input (a bad name, evidence that is not a URL, file or event); 3 no such case;\n"
            "4 refused by a rule (outside the claimed zones, over the cap, no new evidence,\n"
            "a step the case's state does not allow).\n");
}

struct opts {
    const char *reason, *why, *hook, *rpz, *origin, *format, *state, *seen, *remind;
    const char *holder, *registrar, *reporter, *lang, *policy, *list_past;
    int days, max_days;
    size_t limit;
    bool reported;
    const char *evidence[TS_DOMAIN_EVIDENCE_MAX];
    size_t n_evidence;
};

/* Parses the options every domain command may take; the positional
 * arguments are left from optind. */
static int parse(int argc, char **argv, struct opts *o)
{
    static const struct option lopts[] = {
        {"reason", required_argument, NULL, 'r'},
        {"evidence", required_argument, NULL, 'e'},
        {"days", required_argument, NULL, 'd'},
        {"why", required_argument, NULL, 'w'},
        {"hook", required_argument, NULL, 'k'},
        {"rpz", required_argument, NULL, 'z'},
        {"out", required_argument, NULL, 'o'},
        {"origin", required_argument, NULL, 'g'},
        {"format", required_argument, NULL, 'f'},
        {"state", required_argument, NULL, 's'},
        {"limit", required_argument, NULL, 'l'},
        {"reported", no_argument, NULL, 'R'},
        {"seen", required_argument, NULL, 'S'},
        {"remind", required_argument, NULL, 'm'},
        {"max-days", required_argument, NULL, 'M'},
        {"help", no_argument, NULL, 'h'},
        {"holder", required_argument, NULL, 'H'},
        {"registrar", required_argument, NULL, 'G'},
        {"reporter", required_argument, NULL, 'P'},
        {"lang", required_argument, NULL, 'L'},
        {"policy", required_argument, NULL, 'y'},
        {"list-past", required_argument, NULL, 'T'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof *o);
    o->days = -1;
    o->max_days = -1;
    int ch;
    char *end;
    while ((ch = getopt_long(argc, argv, "h", lopts, NULL)) != -1) {
        switch (ch) {
        case 'r':
            o->reason = optarg;
            break;
        case 'e':
            if (o->n_evidence == TS_DOMAIN_EVIDENCE_MAX) {
                ts_cli_usage_error("domain", "at most %d --evidence", TS_DOMAIN_EVIDENCE_MAX);
                return TS_EXIT_USAGE;
            }
            o->evidence[o->n_evidence++] = optarg;
            break;
        case 'd':
        case 'M': {
            long v = strtol(optarg, &end, 10);
            if (end == optarg || *end || v < 0 || v > 100000) {
                ts_cli_usage_error("domain", "--days/--max-days takes a number of days");
                return TS_EXIT_USAGE;
            }
            *(ch == 'd' ? &o->days : &o->max_days) = (int)v;
            break;
        }
        case 'w':
            o->why = optarg;
            break;
        case 'k':
            o->hook = optarg;
            break;
        case 'z':
        case 'o':
            o->rpz = optarg;
            break;
        case 'g':
            o->origin = optarg;
            break;
        case 'f':
            o->format = optarg;
            break;
        case 's':
            o->state = optarg;
            break;
        case 'l':
            if (ts_cli_parse_limit(optarg, &o->limit) != 0)
                return TS_EXIT_USAGE;
            break;
        case 'R':
            o->reported = true;
            break;
        case 'S':
            o->seen = optarg;
            break;
        case 'm':
            o->remind = optarg;
            break;
        case 'H':
            o->holder = optarg;
            break;
        case 'G':
            o->registrar = optarg;
            break;
        case 'P':
            o->reporter = optarg;
            break;
        case 'L':
            o->lang = optarg;
            break;
        case 'y':
            o->policy = optarg;
            break;
        case 'T':
            if (strcmp(optarg, "yes") != 0 && strcmp(optarg, "no") != 0) {
                ts_cli_usage_error("domain", "--list-past takes yes or no");
                return TS_EXIT_USAGE;
            }
            o->list_past = optarg;
            break;
        case 'h':
            domain_usage(stdout);
            return -1;
        default:
            ts_cli_usage_error("domain", NULL);
            return TS_EXIT_USAGE;
        }
    }
    return 0;
}

/* Reports a refusal: the rule, and the exit code of its error. */
static int refused(const char *what, int r, const char *why, ts_store_t *st)
{
    if (why && *why)
        fprintf(stderr, "tocsin: %s: refused: %s\n", what, why);
    else if (r == TS_EDB || r == TS_EBUSY)
        fprintf(stderr, "tocsin: %s: %s: %s\n", what, ts_strerror(r), ts_store_errmsg(st));
    else
        fprintf(stderr, "tocsin: %s: %s\n", what, ts_strerror(r));
    return ts_cli_exit_code(r);
}

/* ---- Evidence -------------------------------------------------------------- */

struct ev_buf {
    ts_domain_evidence_t ev[TS_DOMAIN_EVIDENCE_MAX];
    char sha[TS_DOMAIN_EVIDENCE_MAX][65];
};

static int evidence_of(const struct opts *o, struct ev_buf *b, const char **why)
{
    int64_t seen = 0;
    if (o->seen && ts_cli_parse_time(o->seen, &seen) != 0) {
        *why = "--seen takes an RFC 3339 time or a duration before now (2h, 3d)";
        return TS_EINVAL;
    }
    for (size_t i = 0; i < o->n_evidence; i++) {
        int r = ts_domain_evidence_parse(o->evidence[i], true, seen, &b->ev[i], b->sha[i], why);
        if (r != 0)
            return r;
    }
    return 0;
}

/* ---- After a decision: RPZ, hook --------------------------------------------- */

static int write_rpz(ts_store_t *st, const struct opts *o)
{
    if (o->rpz == NULL)
        return TS_EXIT_OK;
    ts_rpz_opts_t ro = {.origin = o->origin, .reported = o->reported};
    int r = ts_rpz_write(st, &ro, o->rpz);
    if (r != 0) {
        fprintf(stderr, "tocsin: rpz %s: %s%s%s\n", o->rpz, ts_strerror(r), r == TS_EIO ? ": " : "",
                r == TS_EIO ? strerror(errno) : "");
        return r == TS_EINVAL ? TS_EXIT_USAGE : TS_EXIT_FAIL;
    }
    return TS_EXIT_OK;
}

/* The notices of --policy (domain/notice.h), opened before anything is
 * decided so that a bad policy or template changes nothing. */
static int open_notices(const struct opts *o, ts_domain_notices_t **nt)
{
    *nt = NULL;
    if (o->policy == NULL)
        return TS_EXIT_OK;
    ts_domain_policy_t p;
    char err[512] = "";
    int r = ts_domain_policy_load(o->policy, &p, err, sizeof err);
    if (r == 0)
        r = ts_domain_notices_open(&p, nt, err, sizeof err);
    if (r != 0) {
        fprintf(stderr, "tocsin: policy: %s\n", err);
        return r == TS_ESYNTAX || r == TS_EINVAL ? TS_EXIT_USAGE : TS_EXIT_FAIL;
    }
    return TS_EXIT_OK;
}

/* The decision and its notices in one transaction: a notice is queued
 * exactly when its decision is recorded. */
static int decide_notify(ts_store_t *st, ts_domain_notices_t *nt, const ts_domain_request_t *req,
                         const char **why, unsigned *queued)
{
    *queued = 0;
    int r = ts_store_begin(st);
    if (r != 0)
        return r;
    r = ts_store_domain_decide(st, req, ts_time_now(), why);
    if (r == 0 && nt) {
        ts_domain_case_buf_t k;
        char err[512] = "";
        r = ts_store_domain_case_get(st, req->case_id, ts_domain_case_copy, &k);
        if (r == 0)
            r = ts_domain_notices_queue(st, nt, &k.c, req->action, req->why, ts_time_now(), queued,
                                        err, sizeof err);
        if (r != 0)
            fprintf(stderr, "tocsin: notices: %s\n", err[0] ? err : ts_strerror(r));
    }
    if (r == 0)
        return ts_store_commit(st);
    ts_store_rollback(st);
    return r;
}

static int after(ts_store_t *st, const struct opts *o, const char *action, int64_t id)
{
    int rc = write_rpz(st, o);
    if (o->hook == NULL)
        return rc;
    ts_domain_case_buf_t k;
    memset(&k, 0, sizeof k);
    if (ts_store_domain_case_get(st, id, ts_domain_case_copy, &k) != 0)
        return TS_EXIT_FAIL;
    char why[512] = "";
    if (ts_domain_hook_run(o->hook, action, &k.c, why, sizeof why) != 0) {
        ts_log_error("domain: case %lld %s: hook failed: %s", (long long)id, action, why);
        fprintf(stderr, "tocsin: the decision is recorded, but the hook failed: %s\n", why);
        return TS_EXIT_FAIL;
    }
    return rc;
}

/* ---- zone, policy ------------------------------------------------------------- */

static int on_zone_print(const char *zone, void *ctx)
{
    (void)ctx;
    printf("%s\n", zone);
    return 0;
}

static int cmd_zone(ts_cli_t *cli, int argc, char **argv)
{
    struct opts o;
    int rc = parse(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? TS_EXIT_OK : rc;
    int pos = argc - optind;
    const char *verb = pos >= 1 ? argv[optind] : "";
    bool list = strcmp(verb, "list") == 0;
    if (!(list && pos == 1) &&
        !((strcmp(verb, "add") == 0 || strcmp(verb, "remove") == 0) && pos == 2)) {
        ts_cli_usage_error("domain", "zone add|remove ZONE, or zone list");
        return TS_EXIT_USAGE;
    }
    ts_store_t *st = NULL;
    int r = list ? ts_cli_open_existing(cli, &st) : ts_cli_open(cli, &st);
    if (r != 0)
        return ts_cli_exit_code(r);
    if (list) {
        r = ts_store_domain_zones_foreach(st, on_zone_print, NULL);
    } else {
        char zone[TS_DOMAIN_NAME_MAX + 1];
        const char *why = "";
        r = ts_domain_name_norm(argv[optind + 1], zone, sizeof zone, &why);
        if (r != 0) {
            fprintf(stderr, "tocsin: zone %s: %s\n", argv[optind + 1], why);
        } else if (verb[0] == 'a') {
            r = ts_store_domain_zone_add(st, zone, ts_time_now());
            if (r == TS_EEXIST)
                fprintf(stderr, "tocsin: zone %s is claimed already\n", zone);
        } else {
            r = ts_store_domain_zone_remove(st, zone);
            if (r == TS_ENOENT)
                fprintf(stderr, "tocsin: zone %s is not claimed\n", zone);
        }
    }
    ts_store_close(st);
    return ts_cli_exit_code(r);
}

static int cmd_policy(ts_cli_t *cli, int argc, char **argv)
{
    struct opts o;
    int rc = parse(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? TS_EXIT_OK : rc;
    int pos = argc - optind;
    const char *verb = pos == 1 ? argv[optind] : "";
    bool set = strcmp(verb, "set") == 0;
    if (!(set && (o.max_days >= 0 || o.list_past)) && strcmp(verb, "show") != 0) {
        ts_cli_usage_error("domain",
                           "policy show, or policy set [--max-days N] [--list-past yes|no]");
        return TS_EXIT_USAGE;
    }
    ts_store_t *st = NULL;
    int r = set ? ts_cli_open(cli, &st) : ts_cli_open_existing(cli, &st);
    if (r != 0)
        return ts_cli_exit_code(r);
    if (set && o.max_days >= 0) {
        r = ts_store_domain_set_max_days(st, o.max_days);
        if (r == TS_EINVAL)
            fprintf(stderr, "tocsin: --max-days must be 1 to %d\n", TS_DOMAIN_MAX_DAYS_LIMIT);
    }
    if (r == 0 && set && o.list_past)
        r = ts_store_domain_set_list_past(st, strcmp(o.list_past, "yes") == 0);
    int max_days = 0;
    int64_t serial = 0;
    bool past = false;
    if (r == 0)
        r = ts_store_domain_settings(st, &max_days, &serial);
    if (r == 0)
        r = ts_store_domain_list_past(st, &past);
    if (r == 0)
        printf("max-days %d\nlist-past %s\nrpz-serial %lld\n", max_days, past ? "yes" : "no",
               (long long)serial);
    ts_store_close(st);
    return ts_cli_exit_code(r);
}

/* ---- case ---------------------------------------------------------------------- */

static int case_open(ts_store_t *st, const struct opts *o, const char *name)
{
    char domain[TS_DOMAIN_NAME_MAX + 1];
    const char *why = "";
    int r = ts_domain_name_norm(name, domain, sizeof domain, &why);
    if (r != 0)
        return refused("case open", r == TS_ERANGE ? TS_EINVAL : r, why, st);
    if (o->reason == NULL || o->n_evidence == 0) {
        ts_cli_usage_error("domain", "case open needs --reason and --evidence");
        return TS_EXIT_USAGE;
    }
    struct ev_buf eb;
    r = evidence_of(o, &eb, &why);
    if (r != 0)
        return refused("case open", r, why, st);
    char who[128];
    ts_cli_who(who, sizeof who);
    int64_t id = 0;
    bool joined = false;
    if (o->lang && strcmp(o->lang, "en") != 0 && strcmp(o->lang, "de") != 0) {
        ts_cli_usage_error("domain", "--lang is en or de");
        return TS_EXIT_USAGE;
    }
    const char *addrs[] = {o->holder, o->registrar, o->reporter};
    for (size_t i = 0; i < 3; i++) {
        char dom[TS_DOMAIN_MAX + 1], err[256];
        if (addrs[i] && ts_addr_check(addrs[i], strlen(addrs[i]), dom, err, sizeof err) != 0) {
            fprintf(stderr, "tocsin: case open: %s: %s\n", addrs[i], err);
            return TS_EXIT_USAGE;
        }
    }
    ts_domain_case_t contacts = {
        .holder = o->holder, .registrar = o->registrar, .reporter = o->reporter, .lang = o->lang};
    r = ts_store_domain_case_open(st, domain, o->reason, who, &contacts, eb.ev, o->n_evidence,
                                  ts_time_now(), &id, &joined, &why);
    if (r != 0)
        return refused("case open", r, why, st);
    printf("%lld\n", (long long)id);
    if (joined)
        fprintf(stderr, "tocsin: %s has an open case: the evidence joined case %lld\n", domain,
                (long long)id);
    return after(st, o, joined ? "evidence" : "open", id);
}

static int case_show(ts_store_t *st, const struct opts *o, int64_t id)
{
    ts_buf_t b = TS_BUF_INIT;
    ts_jsonw_t w;
    ts_jsonw_init(&w, &b);
    int r = ts_domain_case_json(st, id, &w);
    if (r == 0) {
        if (o->format && strcmp(o->format, "json") == 0) {
            fwrite(b.data, 1, b.len, stdout);
            putchar('\n');
        } else {
            ts_domain_case_buf_t k;
            memset(&k, 0, sizeof k);
            r = ts_store_domain_case_get(st, id, ts_domain_case_copy, &k);
            char since[48] = "-", until[48] = "-";
            if (k.c.since)
                ts_time_format_utc(k.c.since, since, sizeof since);
            if (k.c.until)
                ts_time_format_utc(k.c.until, until, sizeof until);
            printf("case %lld %s (%s): %s, since %s until %s, %d extension(s)\n", (long long)id,
                   k.domain, k.reason, k.state, since, until, k.c.extensions);
            printf("(evidence and timeline: --format json)\n");
        }
    }
    ts_buf_free(&b);
    if (r == TS_ENOENT)
        fprintf(stderr, "tocsin: no case %lld\n", (long long)id);
    return ts_cli_exit_code(r);
}

static int on_case_line(const ts_domain_case_t *c, void *ctx)
{
    (void)ctx;
    char until[48] = "-";
    if (c->until)
        ts_time_format_utc(c->until, until, sizeof until);
    printf("%-6lld %-12s %-10s %-22s %s\n", (long long)c->id, c->state, c->reason, until,
           c->domain);
    return 0;
}

static int case_list(ts_store_t *st, const struct opts *o)
{
    if (o->format && strcmp(o->format, "json") == 0) {
        ts_buf_t b = TS_BUF_INIT;
        ts_jsonw_t w;
        ts_jsonw_init(&w, &b);
        int r = ts_domain_cases_json(st, o->state, o->limit, &w);
        if (r == 0) {
            fwrite(b.data, 1, b.len, stdout);
            putchar('\n');
        }
        ts_buf_free(&b);
        return ts_cli_exit_code(r);
    }
    printf("%-6s %-12s %-10s %-22s %s\n", "ID", "STATE", "REASON", "UNTIL", "DOMAIN");
    return ts_cli_exit_code(
        ts_store_domain_cases_foreach(st, o->state, o->limit, on_case_line, NULL));
}

/* A decision (review, notify, deactivate, ...) on case id, with its
 * notices, then the RPZ file and the hook. */
static int case_decide(ts_store_t *st, const struct opts *o, const char *verb, int64_t id)
{
    bool period = strcmp(verb, "deactivate") == 0 || strcmp(verb, "extend") == 0;
    if (period && o->days < 0) {
        ts_cli_usage_error("domain", "case %s needs --days N", verb);
        return TS_EXIT_USAGE;
    }
    struct ev_buf eb;
    const char *why = "";
    int r = evidence_of(o, &eb, &why);
    if (r != 0)
        return refused(verb, r, why, st);
    ts_domain_notices_t *nt = NULL;
    int rc = open_notices(o, &nt);
    if (rc != 0)
        return rc;
    char who[128];
    ts_cli_who(who, sizeof who);
    ts_domain_request_t req = {.case_id = id,
                               .action = verb,
                               .who = who,
                               .why = o->why ? o->why : "",
                               .days = o->days,
                               .evidence = eb.ev,
                               .n_evidence = o->n_evidence};
    unsigned queued = 0;
    r = decide_notify(st, nt, &req, &why, &queued);
    ts_domain_notices_close(nt);
    if (r == TS_ENOENT) {
        fprintf(stderr, "tocsin: no case %lld\n", (long long)id);
        return TS_EXIT_NOTFOUND;
    }
    if (r != 0)
        return refused(verb, r, why, st);
    if (queued)
        fprintf(stderr, "tocsin: %u notice(s) queued in the outbox\n", queued);
    return after(st, o, verb, id);
}

static int cmd_case(ts_cli_t *cli, int argc, char **argv)
{
    static const char *const actions[] = {"review",     "notify", "deactivate", "extend",
                                          "reactivate", "cancel", "close",      "evidence",
                                          "show",       "open",   "list"};
    if (argc < 2) {
        ts_cli_usage_error("domain", "case needs a command");
        return TS_EXIT_USAGE;
    }
    const char *verb = argv[1];
    bool known = false;
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
        known |= strcmp(verb, actions[i]) == 0;
    if (!known) {
        ts_cli_usage_error("domain", "case: unknown command '%s'", verb);
        return TS_EXIT_USAGE;
    }
    struct opts o;
    optind = 0;
    int rc = parse(argc - 1, argv + 1, &o);
    if (rc != 0)
        return rc < 0 ? TS_EXIT_OK : rc;
    int pos = argc - 1 - optind;
    char **args = argv + 1 + optind;
    bool list = strcmp(verb, "list") == 0;
    if (list ? pos != 0 : pos != 1) {
        ts_cli_usage_error("domain", "case %s takes %s", verb,
                           list                        ? "no argument"
                           : strcmp(verb, "open") == 0 ? "one DOMAIN"
                                                       : "one case ID");
        return TS_EXIT_USAGE;
    }
    bool reads = list || strcmp(verb, "show") == 0;
    ts_store_t *st = NULL;
    int r = reads ? ts_cli_open_existing(cli, &st) : ts_cli_open(cli, &st);
    if (r != 0)
        return ts_cli_exit_code(r);
    if (list) {
        rc = case_list(st, &o);
    } else if (strcmp(verb, "open") == 0) {
        rc = case_open(st, &o, args[0]);
    } else {
        char *end;
        long long id = strtoll(args[0], &end, 10);
        if (*args[0] == '\0' || *end || id <= 0) {
            ts_cli_usage_error("domain", "case %s: %s is not a case id", verb, args[0]);
            rc = TS_EXIT_USAGE;
        } else if (strcmp(verb, "show") == 0) {
            rc = case_show(st, &o, id);
        } else {
            rc = case_decide(st, &o, verb, id);
        }
    }
    ts_store_close(st);
    return rc;
}

/* ---- candidates, rpz, list, expire ------------------------------------------- */

static int on_candidate(const char *fqdn, uint64_t events, int64_t last, int64_t case_id, void *ctx)
{
    (void)ctx;
    char c[24] = "-";
    if (case_id)
        snprintf(c, sizeof c, "%lld", (long long)case_id);
    printf("%-40s %8llu %10lld %s\n", fqdn, (unsigned long long)events, (long long)last, c);
    return 0;
}

static int cmd_candidates(ts_cli_t *cli, int argc, char **argv)
{
    struct opts o;
    int rc = parse(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? TS_EXIT_OK : rc;
    if (optind != argc) {
        ts_cli_usage_error("domain", "candidates takes no argument");
        return TS_EXIT_USAGE;
    }
    ts_store_t *st = NULL;
    int r = ts_cli_open_existing(cli, &st);
    if (r != 0)
        return ts_cli_exit_code(r);
    printf("%-40s %8s %10s %s\n", "DOMAIN", "EVENTS", "LAST-EVENT", "CASE");
    r = ts_store_domain_candidates(st, o.limit, on_candidate, NULL);
    ts_store_close(st);
    return ts_cli_exit_code(r);
}

static int cmd_rpz(ts_cli_t *cli, int argc, char **argv)
{
    struct opts o;
    int rc = parse(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? TS_EXIT_OK : rc;
    if (optind != argc || o.rpz == NULL) {
        ts_cli_usage_error("domain", "rpz --out FILE [--origin ZONE] [--reported]");
        return TS_EXIT_USAGE;
    }
    ts_store_t *st = NULL;
    int r = ts_cli_open_existing(cli, &st);
    if (r != 0)
        return ts_cli_exit_code(r);
    rc = write_rpz(st, &o);
    ts_store_close(st);
    return rc;
}

static int cmd_list(ts_cli_t *cli, int argc, char **argv)
{
    struct opts o;
    int rc = parse(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? TS_EXIT_OK : rc;
    const char *f = o.format ? o.format : "table";
    if (optind != argc ||
        (strcmp(f, "table") != 0 && strcmp(f, "json") != 0 && strcmp(f, "atom") != 0)) {
        ts_cli_usage_error("domain", "list [--format table|json|atom]");
        return TS_EXIT_USAGE;
    }
    ts_store_t *st = NULL;
    int r = ts_cli_open_existing(cli, &st);
    if (r != 0)
        return ts_cli_exit_code(r);
    ts_buf_t b = TS_BUF_INIT;
    int64_t now = ts_time_now();
    r = f[0] == 'j'   ? ts_domain_public_json(st, now, &b)
        : f[0] == 'a' ? ts_domain_public_atom(st, now, "", &b)
                      : ts_domain_public_table(st, now, &b);
    if (r == 0 && b.len)
        fwrite(b.data, 1, b.len, stdout);
    ts_buf_free(&b);
    ts_store_close(st);
    return ts_cli_exit_code(r);
}

static int cmd_expire(ts_cli_t *cli, int argc, char **argv)
{
    struct opts o;
    int rc = parse(argc, argv, &o);
    if (rc != 0)
        return rc < 0 ? TS_EXIT_OK : rc;
    int64_t remind = o.remind ? ts_cli_parse_duration(o.remind) : 2 * 86400;
    if (optind != argc || remind < 0) {
        ts_cli_usage_error("domain", "expire [--remind DURATION]");
        return TS_EXIT_USAGE;
    }
    ts_domain_notices_t *nt = NULL;
    rc = open_notices(&o, &nt);
    if (rc != 0)
        return rc;
    ts_store_t *st = NULL;
    int r = ts_cli_open(cli, &st);
    if (r != 0) {
        ts_domain_notices_close(nt);
        return ts_cli_exit_code(r);
    }
    ts_domain_run_opts_t ro = {.notices = nt,
                               .rpz = o.rpz,
                               .origin = o.origin,
                               .rpz_reported = o.reported,
                               .hook = o.hook,
                               .remind_us = remind * 1000000};
    ts_domain_run_stats_t s = {0};
    r = ts_domain_expire_run(st, &ro, ts_time_now(), stdout, &s);
    if (r == TS_EIO)
        fprintf(stderr, "tocsin: rpz %s: %s\n", o.rpz, strerror(errno));
    else if (r != 0)
        fprintf(stderr, "tocsin: expire: %s: %s\n", ts_strerror(r), ts_store_errmsg(st));
    if (s.hook_failures)
        fprintf(stderr, "tocsin: the hook failed for %u case(s) (see the log)\n", s.hook_failures);
    if (s.notice_failures)
        fprintf(stderr, "tocsin: notices failed for %u case(s) (see the log)\n", s.notice_failures);
    if (s.notices)
        fprintf(stderr, "tocsin: %u notice(s) queued in the outbox\n", s.notices);
    ts_domain_notices_close(nt);
    ts_store_close(st);
    return r != 0 || s.hook_failures || s.notice_failures ? TS_EXIT_FAIL : TS_EXIT_OK;
}

int ts_cmd_domain(ts_cli_t *cli, int argc, char **argv)
{
    static const ts_cli_verb_t verbs[] = {
        {"zone", cmd_zone},     {"policy", cmd_policy},
        {"case", cmd_case},     {"candidates", cmd_candidates},
        {"rpz", cmd_rpz},       {"list", cmd_list},
        {"expire", cmd_expire},
    };
    return ts_cli_dispatch(cli, argc, argv, "domain", verbs, sizeof verbs / sizeof verbs[0],
                           domain_usage);
}
