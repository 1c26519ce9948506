/* SPDX-License-Identifier: Apache-2.0 */
/* `tocsin feeds`: Shadowserver's report schema (fetch, show), the feeds
 * pulled on a schedule (add, remove, list, pull) and the Shadowserver
 * Reports API (shadowserver pull). */
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/file.h"
#include "core/jsonw.h"
#include "core/log.h"
#include "core/tlp.h"
#include "ingest/download.h"
#include "ingest/feedpull.h"
#include "ingest/parser.h"
#include "ingest/shadowserver.h"
#include "ingest/ssapi.h"
#include "route/loader.h"
#include "store/feedstore.h"

#define SCHEMA_URL_DEFAULT "https://interchange.shadowserver.org/intelmq/v1/schema"
#define SECRET_MAX 4096

static void feeds_usage(FILE *out)
{
    fprintf(out,
            "Usage: tocsin feeds COMMAND [OPTIONS]\n"
            "\n"
            "Third-party feeds: Shadowserver's report schema, feeds pulled over HTTPS on a\n"
            "schedule, and Shadowserver's Reports API. What is pulled goes through the same\n"
            "durable ingest as `tocsin ingest` (checkpointed: a pull that is killed resumes\n"
            "where it stopped and stores nothing twice).\n"
            "\n"
            "Commands:\n"
            "  schema fetch [URL|FILE] [--cacert FILE]\n"
            "            download (https only) or read Shadowserver's report schema, check it\n"
            "            and keep it in the store with its date; the newest kept is the one\n"
            "            `ingest --format shadowserver` and the pulls use when no --schema is\n"
            "            given (default URL: " SCHEMA_URL_DEFAULT ")\n"
            "  schema show [REPORT]\n"
            "            the kept schema's reports, or one report's fields and conversions\n"
            "  add NAME --url URL --format FORMAT [--mapping FILE] [--every DURATION]\n"
            "            [--tlp LEVEL] [--report TYPE]\n"
            "            a feed pulled every DURATION (default 1h, 1m at least) from URL\n"
            "            (https only); NAME is 1-64 of [A-Za-z0-9._-]; --format as for\n"
            "            `tocsin ingest`; shadowserver feeds need --report, mapped feeds\n"
            "            --mapping\n"
            "  remove NAME\n"
            "  list [--format text|json]\n"
            "            each feed with its last success, last error, records and\n"
            "            quarantined records; LATE when no pull succeeded within twice its\n"
            "            interval\n"
            "  pull [NAME] [--once] [--poll SECONDS] [--spool DIR] [--cacert FILE]\n"
            "       [--max-body BYTES] [--timeout SECONDS]\n"
            "            pull the feeds that are due, then again as they fall due (every\n"
            "            --poll seconds, default 60) until SIGINT/SIGTERM (SIGHUP reloads\n"
            "            the constituency); --once: one round; NAME: that feed only, due or\n"
            "            not. ETag and Last-Modified are sent: 304, or the same body again,\n"
            "            is nothing new\n"
            "  shadowserver pull --key KEY --secret-file FILE [--since DATE] [--until DATE]\n"
            "            [--url BASE] [--spool DIR] [--cacert FILE] [--max-body BYTES]\n"
            "            list the reports of Shadowserver's Reports API from DATE (default:\n"
            "            two days ago) to --until (default: today) and ingest each one not\n"
            "            ingested yet with its report type; requests are signed with the\n"
            "            secret (HMAC-SHA256), which is never shown or logged\n"
            "\n"
            "Options:\n"
            "  --spool DIR      where bodies wait while they are ingested (default: DB.feeds/;\n"
            "                   required with a database URI)\n"
            "  --cacert FILE    trust the CA certificates in FILE (PEM) instead of the system's\n"
            "  --max-body N     largest body taken, in bytes (default 268435456)\n"
            "  --timeout S      seconds allowed for one transfer (default 300)\n"
            "\n"
            "Exit codes: 0 done; 1 a pull or the database failed; 2 usage (a URL that is not\n"
            "https, a bad name, a schema that is not Shadowserver's format); 3 no such feed\n"
            "or report; 4 the name is taken, or another pull is running.\n");
}

static void sanitized(FILE *f, const char *s)
{
    for (; *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

/* ---- schema ------------------------------------------------------------------- */

static int schema_fetch(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"cacert", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *cacert = NULL;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (ch == 'c') {
            cacert = optarg;
        } else if (ch == 'h') {
            feeds_usage(stdout);
            return TS_EXIT_OK;
        } else {
            ts_cli_usage_error("feeds", NULL);
            return TS_EXIT_USAGE;
        }
    }
    if (argc - optind > 1) {
        ts_cli_usage_error("feeds", "schema fetch takes at most one URL or FILE");
        return TS_EXIT_USAGE;
    }
    const char *src = argc - optind == 1 ? argv[optind] : SCHEMA_URL_DEFAULT;
    char err[512];
    char *data = NULL;
    size_t len = 0;
    ts_buf_t body = TS_BUF_INIT;
    int rc;
    if (strstr(src, "://") != NULL) {
        if (!ts_download_url_ok(src)) {
            ts_cli_usage_error("feeds", "schema fetch: %s is not an https URL", src);
            return TS_EXIT_USAGE;
        }
        ts_download_opts_t dl = {.url = src, .cacert = cacert, .max = TS_SS_SCHEMA_MAX};
        ts_download_t d;
        rc = ts_download(&dl, -1, &body, &d, err, sizeof err);
        if (rc < 0) {
            fprintf(stderr, "tocsin: schema fetch: ");
            sanitized(stderr, src);
            fprintf(stderr, ": %s\n", err);
            ts_buf_free(&body);
            return TS_EXIT_FAIL;
        }
        data = body.data;
        len = body.len;
    } else {
        rc = ts_file_read(src, TS_SS_SCHEMA_MAX, TS_FILE_REGULAR, &data, &len, err, sizeof err);
        if (rc < 0) {
            fprintf(stderr, "tocsin: schema fetch: %s: %s\n", src, err);
            return rc == TS_ENOENT ? TS_EXIT_NOTFOUND : TS_EXIT_FAIL;
        }
    }
    ts_ss_schema_t *schema = NULL;
    rc = ts_ss_schema_parse(data, len, &schema, err, sizeof err);
    int ex = TS_EXIT_OK;
    if (rc < 0) {
        fprintf(stderr, "tocsin: schema fetch: %s is not a Shadowserver report schema: %s\n", src,
                err);
        ex = TS_EXIT_USAGE;
        goto out;
    }
    ts_store_t *st;
    if (ts_cli_open(cli, &st) < 0) {
        ex = TS_EXIT_FAIL;
        goto out;
    }
    const char *date = ts_ss_schema_date(schema);
    char abs[PATH_MAX]; /* a file is kept by its absolute path */
    const char *source = data != body.data && realpath(src, abs) ? abs : src;
    ts_schema_rec_t rec = {.date = date ? date : "", .source = source, .content = data, .len = len};
    int64_t id = 0;
    rc = ts_store_schema_put(st, &rec, &id);
    if (rc < 0) {
        fprintf(stderr, "tocsin: cannot keep the schema: %s\n", ts_store_errmsg(st));
        ex = ts_cli_exit_code(rc);
    } else {
        printf("schema %" PRId64 " kept: %zu reports, dated %s, from %s\n", id,
               ts_ss_schema_reports(schema), date && *date ? date : "(no date)", source);
    }
    ts_store_close(st);
out:
    ts_ss_schema_free(schema);
    if (data != body.data)
        free(data);
    ts_buf_free(&body);
    return ex;
}

struct shown {
    const char *report;
    int ex;
};

static int on_schema_show(const ts_schema_rec_t *r, void *ctx)
{
    struct shown *S = ctx;
    ts_ss_schema_t *schema = NULL;
    char err[512];
    if (ts_ss_schema_parse(r->content, r->len, &schema, err, sizeof err) < 0) {
        fprintf(stderr, "tocsin: the kept schema does not load: %s\n", err);
        S->ex = TS_EXIT_FAIL;
        return 0;
    }
    int report = -1;
    if (S->report) {
        report = ts_ss_report_find(schema, S->report);
        if (report < 0) {
            fprintf(stderr, "tocsin: no report '%s' in the kept schema\n", S->report);
            S->ex = TS_EXIT_NOTFOUND;
            ts_ss_schema_free(schema);
            return 0;
        }
    }
    char when[32] = "";
    time_t t = (time_t)(r->fetched / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    printf("schema %" PRId64 ": dated %s, fetched %s from %s\n", r->id, *r->date ? r->date : "-",
           when, r->source);
    ts_buf_t out = TS_BUF_INIT;
    ts_ss_report_describe(schema, report, &out);
    if (out.data)
        fwrite(out.data, 1, out.len, stdout);
    ts_buf_free(&out);
    ts_ss_schema_free(schema);
    return 0;
}

/* A verb without options: --help, else an option is a usage error.
 * \retval -1 go on, else the exit code. */
static int no_options(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            feeds_usage(stdout);
            return TS_EXIT_OK;
        }
        if (argv[i][0] == '-') {
            ts_cli_usage_error("feeds", "unknown option %s", argv[i]);
            return TS_EXIT_USAGE;
        }
    }
    return -1;
}

static int schema_show(ts_cli_t *cli, int argc, char **argv)
{
    int ex = no_options(argc, argv);
    if (ex >= 0)
        return ex;
    if (argc > 2) {
        ts_cli_usage_error("feeds", "schema show takes at most one REPORT");
        return TS_EXIT_USAGE;
    }
    ts_store_t *st;
    if (ts_cli_open_existing(cli, &st) < 0)
        return TS_EXIT_FAIL;
    struct shown S = {.report = argc == 2 ? argv[1] : NULL};
    int rc = ts_store_schema_latest(st, on_schema_show, &S);
    if (rc == TS_ENOENT) {
        fprintf(stderr, "tocsin: no schema kept: run `tocsin feeds schema fetch`\n");
        S.ex = TS_EXIT_NOTFOUND;
    } else if (rc < 0) {
        fprintf(stderr, "tocsin: %s\n", ts_store_errmsg(st));
        S.ex = TS_EXIT_FAIL;
    }
    ts_store_close(st);
    return S.ex;
}

static int cmd_schema(ts_cli_t *cli, int argc, char **argv)
{
    static const ts_cli_verb_t verbs[] = {{"fetch", schema_fetch}, {"show", schema_show}};
    return ts_cli_dispatch(cli, argc, argv, "feeds", verbs, sizeof verbs / sizeof verbs[0],
                           feeds_usage);
}

/* ---- add, remove, list ---------------------------------------------------------- */

/* A shadowserver feed's report type, against the newest kept schema. */
static int on_schema_report(const ts_schema_rec_t *r, void *ctx)
{
    ts_ss_schema_t *schema = NULL;
    char err[256];
    if (ts_ss_schema_parse(r->content, r->len, &schema, err, sizeof err) < 0)
        return 0; /* said by `feeds schema show`; the pull says it again */
    int found = ts_ss_report_find(schema, ctx);
    ts_ss_schema_free(schema);
    return found < 0 ? TS_ERANGE : 0;
}

/* Refuses a configuration the format cannot use before the feed is kept:
 * a mapping file that does not load, a report type the kept schema does
 * not have (without a kept schema, the first pull says it). */
static bool feed_cfg_ok(ts_store_t *st, const ts_parser_t *p, const ts_feed_rec_t *r)
{
    if (strcmp(p->name, "shadowserver") == 0) {
        if (ts_store_schema_latest(st, on_schema_report, (void *)r->report) == TS_ERANGE) {
            fprintf(stderr,
                    "tocsin: no report '%s' in the kept schema (tocsin feeds schema show)\n",
                    r->report);
            return false;
        }
        return true;
    }
    if (p->ops == NULL || r->mapping == NULL)
        return true;
    ts_parser_cfg_t cfg = {.mapping = r->mapping, .report = r->report};
    void *state = NULL;
    ts_parser_framing_t framing;
    char err[512];
    if (p->ops->open(&cfg, &state, &framing, err, sizeof err) < 0) {
        fprintf(stderr, "tocsin: --mapping: %s\n", err);
        return false;
    }
    p->ops->close(state);
    return true;
}

static int cmd_add(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"url", required_argument, NULL, 'u'},     {"format", required_argument, NULL, 'f'},
        {"mapping", required_argument, NULL, 'm'}, {"every", required_argument, NULL, 'e'},
        {"tlp", required_argument, NULL, 't'},     {"report", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    ts_feed_rec_t r = {.every = 3600};
    const char *mapping = NULL;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'u':
            r.url = optarg;
            break;
        case 'f':
            r.format = optarg;
            break;
        case 'm':
            mapping = optarg;
            break;
        case 'e':
            r.every = ts_cli_parse_duration(optarg);
            if (r.every < 60) {
                ts_cli_usage_error("feeds", "--every takes a duration of 1m or more (30m, 1h, 1d)");
                return TS_EXIT_USAGE;
            }
            break;
        case 't': {
            ts_tlp_t t;
            if (ts_tlp_parse(optarg, strlen(optarg), &t) != 0) {
                ts_cli_usage_error("feeds", "--tlp takes CLEAR, GREEN, AMBER, AMBER+STRICT or RED");
                return TS_EXIT_USAGE;
            }
            r.tlp = ts_tlp_name(t);
            break;
        }
        case 'r':
            r.report = optarg;
            break;
        case 'h':
            feeds_usage(stdout);
            return TS_EXIT_OK;
        default:
            ts_cli_usage_error("feeds", NULL);
            return TS_EXIT_USAGE;
        }
    }
    if (argc - optind != 1 || r.url == NULL || r.format == NULL) {
        ts_cli_usage_error("feeds", "add needs NAME, --url and --format");
        return TS_EXIT_USAGE;
    }
    r.name = argv[optind];
    if (!ts_feed_name_ok(r.name)) {
        ts_cli_usage_error("feeds", "a feed's name is 1 to 64 of [A-Za-z0-9._-]");
        return TS_EXIT_USAGE;
    }
    if (!ts_download_url_ok(r.url)) {
        ts_cli_usage_error("feeds", "--url must be an https URL (https://host/...)");
        return TS_EXIT_USAGE;
    }
    const ts_parser_t *p = ts_parser_find(r.format);
    if (p == NULL) {
        ts_cli_usage_error("feeds", "unknown format '%s' (see tocsin ingest --help)", r.format);
        return TS_EXIT_USAGE;
    }
    if (strcmp(p->name, "shadowserver") == 0 && r.report == NULL) {
        ts_cli_usage_error("feeds", "a shadowserver feed needs --report TYPE");
        return TS_EXIT_USAGE;
    }
    if (strcmp(p->name, "mapped") == 0 && mapping == NULL) {
        ts_cli_usage_error("feeds", "a mapped feed needs --mapping FILE");
        return TS_EXIT_USAGE;
    }
    char abs[PATH_MAX];
    if (mapping) { /* kept absolute: serve reads it from elsewhere */
        if (realpath(mapping, abs) == NULL) {
            fprintf(stderr, "tocsin: --mapping %s: cannot be read\n", mapping);
            return TS_EXIT_USAGE;
        }
        r.mapping = abs;
    }
    ts_store_t *st;
    if (ts_cli_open(cli, &st) < 0)
        return TS_EXIT_FAIL;
    int rc = TS_EINVAL; /* a configuration feed_cfg_ok() refused (said) */
    if (feed_cfg_ok(st, p, &r)) {
        rc = ts_store_feed_add(st, &r);
        if (rc == TS_EEXIST)
            fprintf(stderr, "tocsin: there is a feed named %s already\n", r.name);
        else if (rc < 0)
            fprintf(stderr, "tocsin: cannot add the feed: %s\n", ts_store_errmsg(st));
    }
    ts_store_close(st);
    return ts_cli_exit_code(rc);
}

static int cmd_remove(ts_cli_t *cli, int argc, char **argv)
{
    int ex = no_options(argc, argv);
    if (ex >= 0)
        return ex;
    if (argc != 2) {
        ts_cli_usage_error("feeds", "remove takes one NAME");
        return TS_EXIT_USAGE;
    }
    ts_store_t *st;
    if (ts_cli_open_existing(cli, &st) < 0)
        return TS_EXIT_FAIL;
    int rc = ts_feed_name_ok(argv[1]) ? ts_store_feed_remove(st, argv[1]) : TS_ENOENT;
    if (rc == TS_ENOENT)
        fprintf(stderr, "tocsin: no feed named %s\n", argv[1]);
    else if (rc < 0)
        fprintf(stderr, "tocsin: %s\n", ts_store_errmsg(st));
    ts_store_close(st);
    return ts_cli_exit_code(rc);
}

static void iso(int64_t us, char out[32])
{
    if (us == 0) {
        snprintf(out, 32, "-");
        return;
    }
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

struct listing {
    bool json;
    int64_t now;
    ts_jsonw_t w;
    size_t n;
};

static int on_list(const ts_feed_rec_t *f, void *ctx)
{
    struct listing *L = ctx;
    char ok[32], tried[32];
    iso(f->last_success, ok);
    iso(f->last_attempt, tried);
    bool late = ts_feed_late(f, L->now);
    L->n++;
    if (L->json) {
        ts_jsonw_t *w = &L->w;
        ts_jsonw_object_begin(w);
        ts_jsonw_key(w, "name");
        ts_jsonw_cstr(w, f->name);
        ts_jsonw_key(w, "url");
        ts_jsonw_cstr(w, f->url);
        ts_jsonw_key(w, "format");
        ts_jsonw_cstr(w, f->format);
        ts_jsonw_key(w, "report");
        ts_jsonw_cstr(w, f->report);
        ts_jsonw_key(w, "mapping");
        ts_jsonw_cstr(w, f->mapping);
        ts_jsonw_key(w, "every_s");
        ts_jsonw_int(w, f->every);
        ts_jsonw_key(w, "tlp");
        ts_jsonw_cstr(w, f->tlp);
        ts_jsonw_key(w, "last_attempt");
        f->last_attempt ? ts_jsonw_cstr(w, tried) : ts_jsonw_null(w);
        ts_jsonw_key(w, "last_success");
        f->last_success ? ts_jsonw_cstr(w, ok) : ts_jsonw_null(w);
        ts_jsonw_key(w, "last_error");
        ts_jsonw_cstr(w, f->last_error);
        ts_jsonw_key(w, "records");
        ts_jsonw_int(w, f->records);
        ts_jsonw_key(w, "quarantined");
        ts_jsonw_int(w, f->quarantined);
        ts_jsonw_key(w, "late");
        ts_jsonw_bool(w, late);
        ts_jsonw_object_end(w);
        return 0;
    }
    printf("%-20s %-14s %6" PRId64 "s %-20s %10" PRId64 " %10" PRId64 "  %s%s", f->name, f->format,
           f->every, ok, f->records, f->quarantined, late ? "LATE" : "ok",
           *f->last_error ? "  " : "");
    sanitized(stdout, f->last_error);
    putchar('\n');
    return 0;
}

static int cmd_list(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct listing L = {0};
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (ch == 'f' && (strcmp(optarg, "json") == 0 || strcmp(optarg, "text") == 0)) {
            L.json = strcmp(optarg, "json") == 0;
        } else if (ch == 'h') {
            feeds_usage(stdout);
            return TS_EXIT_OK;
        } else {
            ts_cli_usage_error("feeds", ch == 'f' ? "--format takes text or json" : NULL);
            return TS_EXIT_USAGE;
        }
    }
    if (argc != optind) {
        ts_cli_usage_error("feeds", "list takes no argument");
        return TS_EXIT_USAGE;
    }
    ts_store_t *st;
    if (ts_cli_open_existing(cli, &st) < 0)
        return TS_EXIT_FAIL;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    L.now = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    ts_buf_t b = TS_BUF_INIT;
    if (L.json) {
        ts_jsonw_init(&L.w, &b);
        ts_jsonw_array_begin(&L.w);
    } else {
        printf("%-20s %-14s %7s %-20s %10s %10s  %s\n", "NAME", "FORMAT", "EVERY", "LAST-SUCCESS",
               "RECORDS", "QUARANT.", "STATE / LAST ERROR");
    }
    int rc = ts_store_feeds_foreach(st, on_list, &L);
    if (L.json) {
        ts_jsonw_array_end(&L.w);
        if (rc == 0)
            printf("%s\n", b.data);
    }
    ts_buf_free(&b);
    if (rc < 0)
        fprintf(stderr, "tocsin: %s\n", ts_store_errmsg(st));
    ts_store_close(st);
    return ts_cli_exit_code(rc);
}

/* ---- pull ----------------------------------------------------------------------- */

struct net_opts {
    const char *spool, *cacert;
    uint64_t max_body;
    long timeout_s;
};

/* --spool, --cacert, --max-body, --timeout: 1 taken, 0 not one of them, -1
 * a bad value (said). */
static int net_opt(int ch, struct net_opts *n)
{
    char *end;
    switch (ch) {
    case 'S':
        n->spool = optarg;
        return 1;
    case 'c':
        n->cacert = optarg;
        return 1;
    case 'M': {
        unsigned long long v = strtoull(optarg, &end, 10);
        if (*end != '\0' || v < 1 || optarg[0] == '-') {
            ts_cli_usage_error("feeds", "--max-body takes a number of bytes");
            return -1;
        }
        n->max_body = v;
        return 1;
    }
    case 'T': {
        long v = strtol(optarg, &end, 10);
        if (*end != '\0' || v < 1 || v > 86400) {
            ts_cli_usage_error("feeds", "--timeout takes 1 to 86400 seconds");
            return -1;
        }
        n->timeout_s = v;
        return 1;
    }
    default:
        return 0;
    }
}

#define NET_OPTIONS                                                                                \
    {"spool", required_argument, NULL, 'S'}, {"cacert", required_argument, NULL, 'c'},             \
        {"max-body", required_argument, NULL, 'M'},                                                \
    {                                                                                              \
        "timeout", required_argument, NULL, 'T'                                                    \
    }

/* --spool, else DB.feeds; NULL (said) for a database URI, which names no
 * directory. */
static const char *spool_of(ts_cli_t *cli, const struct net_opts *n, ts_buf_t *b)
{
    if (n->spool)
        return n->spool;
    if (strstr(cli->db_path, "://") != NULL) {
        ts_cli_usage_error("feeds", "with a database URI, give the spool directory (--spool DIR)");
        return NULL;
    }
    ts_buf_printf(b, "%s.feeds", cli->db_path);
    return b->data;
}

static void on_pulled(const ts_feedpull_result_t *r, void *ctx)
{
    size_t *seen = ctx;
    ++*seen;
    if (!r->pulled)
        return;
    fprintf(stderr, "tocsin: feed %s: ", r->name);
    if (r->rc < 0) {
        fputs("failed: ", stderr);
        sanitized(stderr, r->err);
        fputc('\n', stderr);
    } else if (!r->new_body) {
        fputs("nothing new\n", stderr);
    } else {
        fprintf(stderr, "%" PRIu64 " records, %" PRIu64 " events stored, %" PRIu64 " quarantined\n",
                r->records, r->events, r->quarantined);
    }
}

static int cmd_pull(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"once", no_argument, NULL, 'o'},
        {"poll", required_argument, NULL, 'p'},
        NET_OPTIONS,
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct net_opts n = {0};
    bool once = false;
    long poll_s = 60;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int t = net_opt(ch, &n);
        if (t < 0)
            return TS_EXIT_USAGE;
        if (t > 0)
            continue;
        if (ch == 'o') {
            once = true;
        } else if (ch == 'p') {
            char *end;
            poll_s = strtol(optarg, &end, 10);
            if (*end != '\0' || poll_s < 1 || poll_s > 86400) {
                ts_cli_usage_error("feeds", "--poll takes 1 to 86400 seconds");
                return TS_EXIT_USAGE;
            }
        } else if (ch == 'h') {
            feeds_usage(stdout);
            return TS_EXIT_OK;
        } else {
            ts_cli_usage_error("feeds", NULL);
            return TS_EXIT_USAGE;
        }
    }
    if (argc - optind > 1) {
        ts_cli_usage_error("feeds", "pull takes at most one NAME");
        return TS_EXIT_USAGE;
    }
    ts_buf_t spool = TS_BUF_INIT;
    const char *spool_dir = spool_of(cli, &n, &spool);
    if (spool_dir == NULL)
        return TS_EXIT_USAGE;
    ts_feedpull_opts_t o = {.spool = spool_dir,
                            .cacert = n.cacert,
                            .only = argc - optind == 1 ? argv[optind] : NULL,
                            .max_body = n.max_body,
                            .timeout_s = n.timeout_s,
                            .report = on_pulled};
    size_t seen = 0; /* feeds reported: TS_ENOENT before any is "no such feed" */
    o.ctx = &seen;
    volatile sig_atomic_t *reload;
    ts_cli_daemon_signals(&o.stop, &reload);
    ts_store_t *st;
    ts_constituency_t *c;
    if (ts_cli_open_routing_existing(cli, &st, &c) < 0) {
        ts_buf_free(&spool);
        return TS_EXIT_FAIL;
    }
    int rc;
    for (;;) {
        if (__atomic_exchange_n(reload, 0, __ATOMIC_ACQ_REL)) { /* SIGHUP */
            ts_constituency_t *fresh = NULL;
            if (ts_constituency_load(st, &fresh) == 0) {
                ts_constituency_free(c);
                c = fresh;
                ts_log_info("feeds: constituency reloaded");
            } else {
                ts_log_error("feeds: cannot reload the constituency: %s", ts_store_errmsg(st));
            }
        }
        rc = ts_feedpull_run(st, &c, &o);
        if (rc == TS_ENOENT && seen == 0) {
            fprintf(stderr, "tocsin: no feed named %s\n", o.only ? o.only : "?");
            break;
        }
        if (rc == TS_ENOENT)
            rc = TS_ENET; /* a 404 of the feed's server */
        if (once || o.only || rc == TS_EBUSY)
            break;
        for (long i = 0; i < poll_s * 10 && !ts_feed_stopped(o.stop); i++)
            nanosleep(&(struct timespec){0, 100000000}, NULL);
        if (ts_feed_stopped(o.stop))
            break;
    }
    /* Stopped as asked: each feed's outcome is in `feeds list`. */
    if (!once && !o.only && rc != TS_EBUSY && ts_feed_stopped(o.stop))
        rc = 0;
    ts_constituency_free(c);
    ts_store_close(st);
    ts_buf_free(&spool);
    return rc == TS_ENOENT  ? TS_EXIT_NOTFOUND
           : rc == TS_EBUSY ? TS_EXIT_CONFLICT
           : rc < 0         ? TS_EXIT_FAIL
                            : TS_EXIT_OK;
}

/* ---- shadowserver pull -------------------------------------------------------- */

static int ss_pull(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"key", required_argument, NULL, 'k'},   {"secret-file", required_argument, NULL, 's'},
        {"since", required_argument, NULL, 'f'}, {"until", required_argument, NULL, 'u'},
        {"url", required_argument, NULL, 'U'},   NET_OPTIONS,
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
    };
    struct net_opts n = {0};
    ts_ssapi_opts_t o = {0};
    const char *secret_file = NULL;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int t = net_opt(ch, &n);
        if (t < 0)
            return TS_EXIT_USAGE;
        if (t > 0)
            continue;
        switch (ch) {
        case 'k':
            o.key = optarg;
            break;
        case 's':
            secret_file = optarg;
            break;
        case 'f':
            o.since = optarg;
            break;
        case 'u':
            o.until = optarg;
            break;
        case 'U':
            o.base = optarg;
            break;
        case 'h':
            feeds_usage(stdout);
            return TS_EXIT_OK;
        default:
            ts_cli_usage_error("feeds", NULL);
            return TS_EXIT_USAGE;
        }
    }
    if (argc != optind || o.key == NULL || secret_file == NULL) {
        ts_cli_usage_error("feeds", "shadowserver pull needs --key and --secret-file");
        return TS_EXIT_USAGE;
    }
    if (o.base && !ts_download_url_ok(o.base)) {
        ts_cli_usage_error("feeds", "--url must be an https URL (https://host/...)");
        return TS_EXIT_USAGE;
    }
    char err[1024];
    char *secret = NULL;
    size_t slen = 0;
    if (ts_file_read(secret_file, SECRET_MAX, TS_FILE_REGULAR, &secret, &slen, err, sizeof err) <
        0) {
        fprintf(stderr, "tocsin: --secret-file %s: %s\n", secret_file, err);
        return TS_EXIT_USAGE;
    }
    while (slen > 0 && (secret[slen - 1] == '\n' || secret[slen - 1] == '\r'))
        secret[--slen] = '\0';
    o.secret = secret;
    o.secret_len = slen;
    ts_buf_t spool = TS_BUF_INIT;
    o.spool = spool_of(cli, &n, &spool);
    if (o.spool == NULL) {
        explicit_bzero(secret, slen);
        free(secret);
        return TS_EXIT_USAGE;
    }
    o.cacert = n.cacert;
    o.max_body = n.max_body;
    o.timeout_s = n.timeout_s;
    volatile sig_atomic_t *reload;
    ts_cli_daemon_signals(&o.stop, &reload);
    int ex = TS_EXIT_FAIL;
    ts_store_t *st;
    ts_constituency_t *c;
    if (ts_cli_open_routing_existing(cli, &st, &c) == 0) {
        ts_ssapi_stats_t s;
        int rc = ts_ssapi_pull(st, &c, &o, &s, err, sizeof err);
        if (rc < 0) {
            fputs("tocsin: shadowserver: ", stderr);
            sanitized(stderr, err);
            fputc('\n', stderr);
        }
        fprintf(stderr,
                "tocsin: shadowserver: %" PRIu64 " reports listed, %" PRIu64
                " ingested before, %" PRIu64 " ingested now, %" PRIu64 " failed; %" PRIu64
                " records, %" PRIu64 " events stored, %" PRIu64 " quarantined\n",
                s.listed, s.seen, s.ingested, s.failed, s.records, s.events, s.quarantined);
        ex = rc == TS_EINVAL ? TS_EXIT_USAGE : rc < 0 ? TS_EXIT_FAIL : TS_EXIT_OK;
        ts_constituency_free(c);
        ts_store_close(st);
    }
    explicit_bzero(secret, slen);
    free(secret);
    ts_buf_free(&spool);
    return ex;
}

static int cmd_shadowserver(ts_cli_t *cli, int argc, char **argv)
{
    static const ts_cli_verb_t verbs[] = {{"pull", ss_pull}};
    return ts_cli_dispatch(cli, argc, argv, "feeds", verbs, sizeof verbs / sizeof verbs[0],
                           feeds_usage);
}

int ts_cmd_feeds(ts_cli_t *cli, int argc, char **argv)
{
    static const ts_cli_verb_t verbs[] = {
        {"schema", cmd_schema}, {"add", cmd_add},   {"remove", cmd_remove},
        {"list", cmd_list},     {"pull", cmd_pull}, {"shadowserver", cmd_shadowserver},
    };
    return ts_cli_dispatch(cli, argc, argv, "feeds", verbs, sizeof verbs / sizeof verbs[0],
                           feeds_usage);
}
