/* SPDX-License-Identifier: Apache-2.0 */
/* tocsin scan request|run|list|show|cancel|worker */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/jsonw.h"
#include "core/log.h"
#include "scan/job.h"
#include "scan/report.h"
#include "store/scanstore.h"

#define MAX_TARGETS TS_SCOPE_TARGETS_MAX

static void scan_usage(FILE *out)
{
    fprintf(out,
            "Usage: tocsin scan COMMAND [OPTIONS]\n"
            "\n"
            "Scans of a site's own address ranges: open TCP ports (and with --udp the UDP\n"
            "services CSIRTs warn about), what listens on them (product and version where\n"
            "the service says them), the advisories that may affect those products, TLS\n"
            "certificate problems, and what changed since the previous scan. Each finding\n"
            "becomes an event of the site that owns the host.\n"
            "\n"
            "Commands:\n"
            "  request --site NAME [--target CIDR]... [--ports SPEC] [--udp] [--every DURATION]\n"
            "            queue a scan for `tocsin scan worker` (without --target: the\n"
            "            site's own networks); --every 7d repeats it (1h at least)\n"
            "  run --site NAME --target CIDR... [--ports SPEC] [--udp] [--format text|json]\n"
            "            scan now, in the foreground, and print the findings\n"
            "  list [--site NAME] [--limit N] [--format text|json]\n"
            "  show ID [--format text|json]   a scan with its open ports and findings\n"
            "  cancel ID                      stop a queued or running scan\n"
            "  worker [--once] [--poll SECONDS]  run queued and scheduled scans\n"
            "\n"
            "Scope: a site may scan the addresses it or one of its sub-sites owns; a\n"
            "target outside is refused (exit 4), recorded with its reason, and nothing\n"
            "is sent. The scope is checked again when a scan starts.\n"
            "\n"
            "Ports (SPEC): top100 (default), top1000, all (1-65535), or a list like\n"
            "22,80,443,8000-8100. UDP (--udp) probes DNS 53, NTP 123, SNMP 161, CLDAP 389,\n"
            "SSDP 1900, mDNS 5353, memcached 11211, chargen 19 and QOTD 17.\n"
            "\n"
            "Options of run and worker:\n"
            "  --scan-config FILE  the scan settings (default: $TOCSIN_SCAN_CONFIG): url for\n"
            "                      the HTTP User-Agent, rates, per-site limits, opt-out list\n"
            "  --mode connect|syn  TCP connect (no privilege) or SYN (needs CAP_NET_RAW,\n"
            "                      IPv4); default: SYN when allowed, else connect\n"
            "  --rate N            probes per second in all (default: the settings' rate)\n"
            "  --host-rate N       probes per second to one host (default: the settings')\n"
            "  --max-inflight N    probes waiting for an answer at once (default 1024)\n"
            "  --retries N         extra tries of an unanswered probe (default 1)\n"
            "  --min-timeout MS    floor of the adaptive timeout (default 200)\n"
            "  --wait MS           longest wait for a service's answer (default 3000)\n"
            "  --threads N         services identified at once (default 32)\n"
            "  --progress          progress lines on stderr (a terminal gets them anyway)\n"
            "\n"
            "Exit codes: 0 done, 1 failure, 2 usage, 3 unknown site or scan, 4 refused\n"
            "(outside the site's space, too many addresses, a limit reached, or a scan\n"
            "that has ended already).\n");
}

struct opts {
    const char *site, *ports, *format, *config;
    const char *targets[MAX_TARGETS];
    size_t n_targets;
    bool udp, once, progress;
    int64_t every_s;
    size_t limit;
    unsigned poll_s;
    ts_scan_exec_opts_t ex;
};

static bool parse_u32(const char *s, uint32_t max, uint32_t *out)
{
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*s < '0' || *s > '9' || *end != '\0' || v > max)
        return false;
    *out = (uint32_t)v;
    return true;
}

enum {
    O_SITE = 256,
    O_TARGET,
    O_PORTS,
    O_UDP,
    O_EVERY,
    O_FORMAT,
    O_LIMIT,
    O_CONFIG,
    O_MODE,
    O_RATE,
    O_HOST_RATE,
    O_INFLIGHT,
    O_RETRIES,
    O_MIN_TIMEOUT,
    O_WAIT,
    O_THREADS,
    O_ONCE,
    O_POLL,
    O_PROGRESS,
};

/* Parses the options; returns the index of the first operand, or -1. */
static int parse(int argc, char **argv, struct opts *o)
{
    static const struct option opts[] = {
        {"site", required_argument, NULL, O_SITE},
        {"target", required_argument, NULL, O_TARGET},
        {"ports", required_argument, NULL, O_PORTS},
        {"udp", no_argument, NULL, O_UDP},
        {"every", required_argument, NULL, O_EVERY},
        {"format", required_argument, NULL, O_FORMAT},
        {"limit", required_argument, NULL, O_LIMIT},
        {"scan-config", required_argument, NULL, O_CONFIG},
        {"mode", required_argument, NULL, O_MODE},
        {"rate", required_argument, NULL, O_RATE},
        {"host-rate", required_argument, NULL, O_HOST_RATE},
        {"max-inflight", required_argument, NULL, O_INFLIGHT},
        {"retries", required_argument, NULL, O_RETRIES},
        {"min-timeout", required_argument, NULL, O_MIN_TIMEOUT},
        {"wait", required_argument, NULL, O_WAIT},
        {"threads", required_argument, NULL, O_THREADS},
        {"once", no_argument, NULL, O_ONCE},
        {"poll", required_argument, NULL, O_POLL},
        {"progress", no_argument, NULL, O_PROGRESS},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    uint32_t v;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case O_SITE:
            o->site = optarg;
            break;
        case O_TARGET:
            if (o->n_targets == MAX_TARGETS) {
                ts_cli_usage_error("scan", "more than %d targets", MAX_TARGETS);
                return -1;
            }
            o->targets[o->n_targets++] = optarg;
            break;
        case O_PORTS:
            o->ports = optarg;
            break;
        case O_UDP:
            o->udp = true;
            break;
        case O_EVERY:
            o->every_s = ts_cli_parse_duration(optarg);
            if (o->every_s < 0) {
                ts_cli_usage_error("scan", "--every takes a duration like 12h or 7d");
                return -1;
            }
            break;
        case O_FORMAT:
            if (strcmp(optarg, "text") != 0 && strcmp(optarg, "json") != 0) {
                ts_cli_usage_error("scan", "--format takes text or json");
                return -1;
            }
            o->format = optarg;
            break;
        case O_LIMIT:
            if (ts_cli_parse_limit(optarg, &o->limit) != 0)
                return -1;
            break;
        case O_CONFIG:
            o->config = optarg;
            break;
        case O_MODE:
            if (strcmp(optarg, "connect") == 0)
                o->ex.mode = TS_ENG_CONNECT;
            else if (strcmp(optarg, "syn") == 0)
                o->ex.mode = TS_ENG_SYN;
            else {
                ts_cli_usage_error("scan", "--mode takes connect or syn");
                return -1;
            }
            break;
        case O_RATE:
        case O_HOST_RATE:
        case O_INFLIGHT:
        case O_RETRIES:
        case O_MIN_TIMEOUT:
        case O_WAIT:
        case O_THREADS:
        case O_POLL: {
            uint32_t max = ch == O_RETRIES    ? 10
                           : ch == O_THREADS  ? 256
                           : ch == O_INFLIGHT ? 65536
                                              : 10000000;
            if (!parse_u32(optarg, max, &v) || (v == 0 && ch != O_RETRIES)) {
                ts_cli_usage_error("scan", "--%s takes a number (%s-%u)", opts[ch - O_SITE].name,
                                   ch == O_RETRIES ? "0" : "1", max);
                return -1;
            }
            if (ch == O_RATE)
                o->ex.rate = v;
            else if (ch == O_HOST_RATE)
                o->ex.host_rate = v;
            else if (ch == O_INFLIGHT)
                o->ex.max_inflight = v;
            else if (ch == O_RETRIES) {
                o->ex.retries = v;
                o->ex.retries_set = true;
            } else if (ch == O_MIN_TIMEOUT)
                o->ex.min_timeout_ms = v;
            else if (ch == O_WAIT)
                o->ex.wait_ms = v;
            else if (ch == O_THREADS)
                o->ex.threads = v;
            else
                o->poll_s = v;
            break;
        }
        case O_ONCE:
            o->once = true;
            break;
        case O_PROGRESS:
            o->progress = true;
            break;
        case 'h':
            scan_usage(stdout);
            exit(TS_EXIT_OK);
        default:
            ts_cli_usage_error("scan", NULL);
            return -1;
        }
    }
    return optind;
}

/* parse() for the verbs that take no operand. \retval 0 ok, -1 (said why). */
static int parse_options(int argc, char **argv, struct opts *o)
{
    int first = parse(argc, argv, o);
    if (first < 0)
        return -1;
    if (first < argc) {
        ts_cli_usage_error("scan", "unexpected argument '%s'", argv[first]);
        return -1;
    }
    return 0;
}

static bool json(const struct opts *o)
{
    return o->format && strcmp(o->format, "json") == 0;
}

static int load_settings(const struct opts *o, ts_scan_settings_t **s)
{
    const char *path = o->config ? o->config : getenv("TOCSIN_SCAN_CONFIG");
    char err[TS_SCAN_ERR_MAX];
    int r = ts_scan_settings_load(path, s, err, sizeof err);
    if (r)
        fprintf(stderr, "tocsin: scan settings: %s\n", err);
    return r;
}

/* The site's own networks, as targets (request without --target). */
struct own {
    struct opts *o;
    char text[MAX_TARGETS][TS_IP_STRLEN];
};

static int on_claim(const ts_claim_view_t *cl, void *ctx)
{
    struct own *w = ctx;
    if (cl->kind != TS_RULE_NETWORK || w->o->n_targets == MAX_TARGETS)
        return 0;
    snprintf(w->text[w->o->n_targets], TS_IP_STRLEN, "%s", cl->rule);
    w->o->targets[w->o->n_targets] = w->text[w->o->n_targets];
    w->o->n_targets++;
    return 0;
}

static int refused_exit(int r)
{
    return r == TS_EDENIED || r == TS_ETOOBIG || r == TS_EBUSY ? TS_EXIT_CONFLICT
           : r == TS_EINVAL                                    ? TS_EXIT_USAGE
                                                               : TS_EXIT_FAIL;
}

/* Opens the store, finds the site, checks and stores the request. */
static int submit(ts_cli_t *cli, struct opts *o, const char *state, ts_store_t **st,
                  ts_scan_settings_t **settings, int64_t *id)
{
    ts_constituency_t *c;
    if (o->site == NULL) {
        ts_cli_usage_error("scan", "scan %s needs --site NAME",
                           state[0] == 'q' ? "request" : "run");
        return TS_EXIT_USAGE;
    }
    if (load_settings(o, settings) != 0)
        return TS_EXIT_FAIL;
    if (ts_cli_open_routing_existing(cli, st, &c) < 0)
        return TS_EXIT_FAIL;
    int64_t site_id;
    if (ts_constituency_site_id(c, o->site, &site_id) != 0) {
        fprintf(stderr, "tocsin: no site named '%s'\n", o->site);
        ts_constituency_free(c);
        return TS_EXIT_NOTFOUND;
    }
    struct own own = {.o = o};
    if (o->n_targets == 0)
        (void)ts_constituency_foreach_claim(c, site_id, on_claim, &own);
    if (o->n_targets == 0) {
        fprintf(stderr, "tocsin: site '%s' claims no network: give --target\n", o->site);
        ts_constituency_free(c);
        return TS_EXIT_USAGE;
    }
    ts_scan_request_t rq = {.site_id = site_id,
                            .requested_by = "cli",
                            .targets = o->targets,
                            .n_targets = o->n_targets,
                            .ports = o->ports ? o->ports : "top100",
                            .udp = o->udp,
                            .every_s = o->every_s};
    char err[TS_SCAN_ERR_MAX] = "";
    int r = ts_scan_submit(*st, c, *settings, &rq, state, id, err, sizeof err);
    ts_constituency_free(c);
    if (r) {
        if (*id)
            fprintf(stderr, "tocsin: scan %" PRId64 " refused: %s\n", *id, err);
        else
            fprintf(stderr, "tocsin: %s\n", err);
        return refused_exit(r);
    }
    return TS_EXIT_OK;
}

static int cmd_request(ts_cli_t *cli, int argc, char **argv)
{
    struct opts o = {0};
    if (parse_options(argc, argv, &o) != 0)
        return TS_EXIT_USAGE;
    ts_store_t *st = NULL;
    ts_scan_settings_t *settings = NULL;
    int64_t id = 0;
    int rc = submit(cli, &o, "queued", &st, &settings, &id);
    if (rc == TS_EXIT_OK) {
        if (json(&o))
            printf("{\"id\":%" PRId64 ",\"state\":\"queued\"}\n", id);
        else
            printf("scan %" PRId64 " queued%s\n", id, o.every_s ? " (repeats)" : "");
    }
    ts_scan_settings_free(settings);
    ts_store_close(st);
    return rc;
}

struct show_progress {
    bool on, tty;
    int64_t last_us;
};

static void on_progress(void *ctx, const ts_scan_progress_t *p)
{
    struct show_progress *sp = ctx;
    if (!sp->on)
        return;
    int64_t now = ts_time_now();
    bool end = p->fraction >= 1;
    if (!end && now - sp->last_us < (sp->tty ? 250000 : 5000000))
        return;
    sp->last_us = now;
    char eta[32] = "";
    if (p->eta_s >= 0)
        snprintf(eta, sizeof eta, ", ETA %" PRId64 " s", p->eta_s);
    fprintf(stderr, "%sscan: %s %3.0f%%, %" PRIu64 " open%s%s", sp->tty ? "\r" : "", p->phase,
            p->fraction * 100, p->open, eta, sp->tty ? "   " : "\n");
    if (sp->tty && end)
        fputc('\n', stderr);
}

static atomic_bool cancel_flag;

static void on_signal(int sig)
{
    (void)sig;
    atomic_store(&cancel_flag, true);
}

static void cancel_on_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
}

static int print_scan(ts_store_t *st, int64_t id, bool as_json)
{
    ts_buf_t out = TS_BUF_INIT;
    int r = as_json ? ts_scan_report_json(st, id, true, &out) : ts_scan_report_text(st, id, &out);
    if (r == 0) {
        if (as_json)
            ts_buf_putc(&out, '\n');
        fwrite(out.data, 1, out.len, stdout);
    }
    ts_buf_free(&out);
    return r;
}

static int cmd_run(ts_cli_t *cli, int argc, char **argv)
{
    struct opts o = {0};
    if (parse_options(argc, argv, &o) != 0)
        return TS_EXIT_USAGE;
    if (o.n_targets == 0) {
        ts_cli_usage_error("scan", "scan run needs --target CIDR");
        return TS_EXIT_USAGE;
    }
    if (o.every_s) {
        ts_cli_usage_error("scan", "--every belongs to scan request");
        return TS_EXIT_USAGE;
    }
    ts_store_t *st = NULL;
    ts_scan_settings_t *settings = NULL;
    int64_t id = 0;
    int rc = submit(cli, &o, "running", &st, &settings, &id);
    if (rc == TS_EXIT_OK) {
        atomic_init(&cancel_flag, false);
        cancel_on_signals();
        struct show_progress sp = {.tty = ts_cli_tty(2)};
        sp.on = sp.tty || o.progress;
        o.ex.cancel = &cancel_flag;
        o.ex.progress = on_progress;
        o.ex.ctx = &sp;
        char err[TS_SCAN_ERR_MAX] = "";
        int r = ts_scan_execute(st, settings, id, &o.ex, err, sizeof err);
        if (r && r != TS_EINTR)
            fprintf(stderr, "tocsin: scan %" PRId64 ": %s\n", id, err);
        if (r == 0 || r == TS_EINTR)
            (void)print_scan(st, id, json(&o));
        rc = r == 0 ? TS_EXIT_OK : refused_exit(r);
    }
    ts_scan_settings_free(settings);
    ts_store_close(st);
    return rc;
}

static int on_list_json(const ts_scan_rec_t *r, void *ctx)
{
    ts_jsonw_t *w = ctx;
    ts_jsonw_object_begin(w);
    ts_scan_rec_json(w, r);
    ts_jsonw_object_end(w);
    return 0;
}

static int on_list_text(const ts_scan_rec_t *r, void *ctx)
{
    (void)ctx;
    char t[48] = "-";
    ts_time_format_utc(r->created, t, sizeof t);
    printf("%-6" PRId64 " %-10s %-16s %3.0f%% %4" PRIu64 " open  %s  %s  ports %s%s\n", r->id,
           r->state, r->site_id ? r->site_name : "CSIRT", r->progress * 100, r->open_ports, t,
           r->targets, r->ports, r->udp ? " +udp" : "");
    if (r->reason[0])
        printf("       %s\n", r->reason);
    return 0;
}

static int cmd_list(ts_cli_t *cli, int argc, char **argv)
{
    struct opts o = {0};
    if (parse_options(argc, argv, &o) != 0)
        return TS_EXIT_USAGE;
    ts_store_t *st;
    ts_constituency_t *c;
    if (ts_cli_open_routing_existing(cli, &st, &c) < 0)
        return TS_EXIT_FAIL;
    int64_t site_id = 0;
    int rc = TS_EXIT_OK;
    if (o.site && ts_constituency_site_id(c, o.site, &site_id) != 0) {
        fprintf(stderr, "tocsin: no site named '%s'\n", o.site);
        rc = TS_EXIT_NOTFOUND;
        goto out;
    }
    ts_buf_t b = TS_BUF_INIT;
    ts_jsonw_t w;
    ts_jsonw_init(&w, &b);
    ts_jsonw_array_begin(&w);
    int r = ts_store_scans_foreach(st, site_id, o.limit, json(&o) ? on_list_json : on_list_text,
                                   json(&o) ? (void *)&w : NULL);
    ts_jsonw_array_end(&w);
    if (r) {
        fprintf(stderr, "tocsin: %s\n", ts_store_errmsg(st));
        rc = TS_EXIT_FAIL;
    } else if (json(&o)) {
        printf("%s\n", b.data);
    }
    ts_buf_free(&b);
out:
    ts_constituency_free(c);
    ts_store_close(st);
    return rc;
}

static bool parse_id(const char *s, int64_t *id)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*s < '1' || *s > '9' || *end != '\0' || v <= 0)
        return false;
    *id = v;
    return true;
}

/* show and cancel: one scan id. */
static int one_scan(ts_cli_t *cli, int argc, char **argv, bool cancel)
{
    struct opts o = {0};
    int first = parse(argc, argv, &o);
    if (first < 0)
        return TS_EXIT_USAGE;
    int64_t id;
    if (argc - first != 1 || !parse_id(argv[first], &id)) {
        ts_cli_usage_error("scan", "scan %s takes one scan ID", argv[0]);
        return TS_EXIT_USAGE;
    }
    ts_store_t *st;
    if (ts_cli_open_existing(cli, &st) < 0)
        return TS_EXIT_FAIL;
    int r;
    if (cancel) {
        r = ts_store_scan_cancel(st, id);
        if (r == 0)
            printf("scan %" PRId64 ": cancel asked\n", id);
        else if (r == TS_EEXIST)
            fprintf(stderr, "tocsin: scan %" PRId64 " has ended already\n", id);
    } else {
        r = print_scan(st, id, json(&o));
    }
    if (r == TS_ENOENT)
        fprintf(stderr, "tocsin: no scan %" PRId64 "\n", id);
    else if (r && r != TS_EEXIST)
        fprintf(stderr, "tocsin: %s\n", ts_store_errmsg(st));
    ts_store_close(st);
    return r == 0           ? TS_EXIT_OK
           : r == TS_ENOENT ? TS_EXIT_NOTFOUND
           : r == TS_EEXIST ? TS_EXIT_CONFLICT
                            : TS_EXIT_FAIL;
}

static int cmd_show(ts_cli_t *cli, int argc, char **argv)
{
    return one_scan(cli, argc, argv, false);
}

static int cmd_cancel(ts_cli_t *cli, int argc, char **argv)
{
    return one_scan(cli, argc, argv, true);
}

static int on_claimed(const ts_scan_rec_t *r, void *ctx)
{
    *(int64_t *)ctx = r->id;
    return 0;
}

static int cmd_worker(ts_cli_t *cli, int argc, char **argv)
{
    struct opts o = {.poll_s = 5};
    if (parse_options(argc, argv, &o) != 0)
        return TS_EXIT_USAGE;
    ts_store_t *st;
    if (ts_cli_open_existing(cli, &st) < 0)
        return TS_EXIT_FAIL;
    atomic_init(&cancel_flag, false);
    cancel_on_signals();
    struct show_progress sp = {.on = o.progress};
    o.ex.cancel = &cancel_flag;
    o.ex.progress = on_progress;
    o.ex.ctx = &sp;
    int rc = TS_EXIT_OK;
    while (!atomic_load(&cancel_flag)) {
        int64_t id = 0;
        int r = ts_store_scan_claim(st, ts_time_now(), on_claimed, &id);
        if (r == TS_ENOENT) {
            if (o.once)
                break;
            for (unsigned i = 0; i < o.poll_s * 10 && !atomic_load(&cancel_flag); i++) {
                struct timespec ts = {0, 100 * 1000 * 1000};
                nanosleep(&ts, NULL);
            }
            continue;
        }
        if (r) {
            ts_log(TS_LOG_ERROR, "scan worker: %s", ts_store_errmsg(st));
            rc = TS_EXIT_FAIL;
            break;
        }
        /* Settings are read per scan: a change applies without a restart. */
        ts_scan_settings_t *settings;
        if (load_settings(&o, &settings) != 0) {
            if (ts_store_scan_state(st, id, "failed", "the scan settings cannot be read", NULL,
                                    0) != 0)
                ts_log(TS_LOG_ERROR, "scan worker: %s", ts_store_errmsg(st));
            continue;
        }
        char err[TS_SCAN_ERR_MAX] = "";
        char ids[24];
        snprintf(ids, sizeof ids, "%" PRId64, id);
        ts_log_field_t f[] = {{"scan", ids}};
        ts_log_fields(TS_LOG_INFO, "scan started", f, 1);
        r = ts_scan_execute(st, settings, id, &o.ex, err, sizeof err);
        ts_log_field_t g[] = {{"scan", ids}, {"result", r ? err : "done"}};
        ts_log_fields(r && r != TS_EINTR ? TS_LOG_WARN : TS_LOG_INFO, "scan ended", g, 2);
        ts_scan_settings_free(settings);
        if (o.once)
            break;
    }
    ts_store_close(st);
    return rc;
}

int ts_cmd_scan(ts_cli_t *cli, int argc, char **argv)
{
    static const ts_cli_verb_t verbs[] = {
        {"request", cmd_request}, {"run", cmd_run},       {"list", cmd_list},
        {"show", cmd_show},       {"cancel", cmd_cancel}, {"worker", cmd_worker},
    };
    return ts_cli_dispatch(cli, argc, argv, "scan", verbs, sizeof verbs / sizeof verbs[0],
                           scan_usage);
}
