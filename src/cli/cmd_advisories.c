/* SPDX-License-Identifier: Apache-2.0 */
/* tocsin advisories import|list|show|feed and tocsin platform add|remove|list|import */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <json-c/json.h>

#include "advisory/import.h"
#include "advisory/platform.h"
#include "advisory/report.h"
#include "cli/cli.h"
#include "cli/cmd_fetch.h"
#include "core/buf.h"
#include "core/jsonw.h"
#include "core/mem.h"
#include "core/utf8.h"
#include "output/format.h"
#include "store/advstore.h"

#define PLATFORM_FILE_MAX (16u << 20) /* bytes of a platform import file */
#define PLATFORM_LINE_MAX 4096

static void adv_usage(FILE *out)
{
    fprintf(
        out,
        "Usage:\n"
        "  tocsin advisories import [--strict] PATH...\n"
        "  tocsin advisories [list] [--site NAME] [--format table|json|csv] [--status S] [--all]\n"
        "  tocsin advisories show ID [--site NAME] [--format table|json]\n"
        "  tocsin advisories feed [--site NAME]\n"
        "  tocsin advisories fetch --provider URL [--key FILE] [--cacert FILE] [--state DIR]\n"
        "                          [--limit N]   (see tocsin advisories fetch --help)\n"
        "\n"
        "import reads CSAF 2.0 documents, CVE JSON 5 records and NVD CVE API 2.0\n"
        "responses (files, or every *.json under a directory), stores them and matches\n"
        "them against every site's platforms (see `tocsin platform`). Each document is\n"
        "one transaction: a bad one is reported on stderr with its name and the reason,\n"
        "and the others still go in. Exit 0 when the walk completed (rejections are\n"
        "counted in the summary); with --strict, exit 5 when any document was rejected.\n"
        "\n"
        "list shows the matches that alert (known_affected, under_investigation, and\n"
        "needs_a_look: undecided ones, whose range could not be evaluated or is in\n"
        "doubt), one advisory per site and line, most severe then newest first; --all\n"
        "adds fixed and known_not_affected; --status keeps one status. json: one object\n"
        "per line with id, title, severity, cvss, site, platform, status, undecided,\n"
        "verdict, reason (why it matched), remediations and every matching platform.\n"
        "show prints one advisory with every match and its reason.\n"
        "feed prints an Atom feed of a site's alerting advisories.\n"
        "fetch downloads what changed at a CSAF provider (HTTPS, digests and OpenPGP\n"
        "signatures checked) and imports it.\n");
}

static void plat_usage(FILE *out)
{
    fprintf(out,
            "Usage:\n"
            "  tocsin platform add --site NAME SPEC...\n"
            "  tocsin platform remove --site NAME SPEC|ID\n"
            "  tocsin platform list [--site NAME] [--format table|json|csv]\n"
            "  tocsin platform import [--strict] --site NAME FILE\n"
            "\n"
            "A platform is something a site runs, matched against advisories:\n"
            "  cpe:2.3:a:openbsd:openssh:8.7p1:*:*:*:*:*:*:*  (or a CPE 2.2 URI cpe:/...)\n"
            "  pkg:rpm/redhat/openssh@8.7p1                   a purl\n"
            "  vendor:product:version                         names, normalised\n"
            "  vendor:product                                 family: every version\n"
            "  vendor:*                                       family: every product of a vendor\n"
            "A CPE with version * and a purl without @version are families too. Any but a\n"
            "vendor family may end with the device's identifiers, as advisories give them:\n"
            "  siemens:SIMATIC S7-1500 CPU 1518-4 PN/DP:V3.0.1;model=6ES7518-4AP00-0AB0\n"
            "  (;model=, ;sku=, ;serial=: matched with CSAF model_numbers, skus,\n"
            "  serial_numbers; one the advisory gives too decides, whatever the names)\n"
            "A new platform is matched at once against every advisory already imported.\n"
            "import reads a CSV file (one spec per line, or a header vendor,product,version\n"
            "with model, sku, serial columns if wanted) or a JSON array of specs or of\n"
            "{\"spec\"} / {\"vendor\",\"product\",\"version\",\"model\",\"sku\",\"serial\"} "
            "objects.\n");
}

static int find_site(ts_store_t *st, const char *name, int64_t *id)
{
    int r = ts_store_site_find(st, name, id);
    if (r == TS_ENOENT)
        fprintf(stderr, "tocsin: no such site: %s\n", name);
    else if (r)
        fprintf(stderr, "tocsin: %s: %s\n", name, ts_store_errmsg(st));
    return r;
}

/* ---- Output helpers --------------------------------------------------------------- */

/* Terminal-safe text: controls, bidi overrides and bad UTF-8 become '?'. */
static void put_safe(ts_buf_t *b, const char *s, size_t width)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p), cols = 0;
    for (size_t i = 0; i < n && (width == 0 || cols < width);) {
        uint32_t cp;
        size_t k = ts_utf8_next(p + i, n - i, &cp);
        if (k == 0)
            break;
        if (cp == TS_UTF8_BAD || cp < 0x20 || (cp >= 0x7f && cp < 0xa0) ||
            (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x2028 ||
            cp == 0x2029)
            ts_buf_putc(b, '?');
        else
            ts_buf_append(b, p + i, k);
        i += k;
        cols++;
    }
    if (width)
        for (; cols < width; cols++)
            ts_buf_putc(b, ' ');
}

static void flush(ts_buf_t *b)
{
    fwrite(b->data ? b->data : "", 1, b->len, stdout);
    ts_buf_reset(b);
}

/* ---- advisories import ---------------------------------------------------------- */

static void on_report(const char *name, int code, const char *why, void *ctx)
{
    (void)ctx;
    if (code)
        fprintf(stderr, "tocsin: %s: rejected (%s): %s\n", name, ts_errname(code), why);
    else
        fprintf(stderr, "tocsin: %s: warning: %s\n", name, why);
}

static int adv_import(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"strict", no_argument, NULL, 's'}, {"help", no_argument, NULL, 'h'}, {NULL, 0, NULL, 0}};
    bool strict = false;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (ch == 's') {
            strict = true;
        } else if (ch == 'h') {
            adv_usage(stdout);
            return TS_EXIT_OK;
        } else {
            ts_cli_usage_error("advisories", NULL);
            return TS_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        fprintf(stderr, "tocsin: advisories import: give at least one file or directory\n");
        return TS_EXIT_USAGE;
    }
    ts_store_t *st;
    if (ts_cli_open(cli, &st) < 0)
        return TS_EXIT_FAIL;
    ts_adv_importer_t *imp;
    int r = ts_adv_importer_new(st, &imp);
    if (r) {
        fprintf(stderr, "tocsin: cannot load the platforms: %s\n", ts_store_errmsg(st));
        ts_store_close(st);
        return TS_EXIT_FAIL;
    }
    ts_adv_import_stats_t s = {0};
    int rc = TS_EXIT_OK;
    for (int i = optind; i < argc; i++) {
        r = ts_adv_importer_path(imp, argv[i], &s, on_report, NULL);
        if (r) {
            fprintf(stderr, "tocsin: %s: %s\n", argv[i], ts_strerror(r));
            rc = r == TS_ENOENT ? TS_EXIT_NOTFOUND : TS_EXIT_FAIL;
        }
    }
    printf("%" PRIu64 " documents: %" PRIu64 " imported, %" PRIu64 " replaced, %" PRIu64
           " unchanged, %" PRIu64 " rejected, %" PRIu64 " warnings; %" PRIu64
           " new alerts, %" PRIu64 " changed alerts\n",
           s.documents, s.imported, s.replaced, s.unchanged, s.rejected, s.problems, s.new_matches,
           s.changed_matches);
    ts_adv_importer_free(imp);
    ts_store_close(st);
    if (rc == TS_EXIT_OK && strict && s.rejected > 0)
        rc = TS_EXIT_DATA;
    return rc;
}

/* ---- advisories list / show / feed ---------------------------------------------- */

struct list_opts {
    const char *site;
    const char *format;
    const char *status;
    bool all;
};

static int parse_list_opts(int argc, char **argv, struct list_opts *o, bool feed)
{
    static const struct option opts[] = {
        {"site", required_argument, NULL, 's'},   {"format", required_argument, NULL, 'f'},
        {"status", required_argument, NULL, 't'}, {"all", no_argument, NULL, 'a'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 's':
            o->site = optarg;
            break;
        case 'f':
        case 't':
        case 'a':
            if (feed) {
                fprintf(stderr, "tocsin: advisories feed takes only --site\n");
                return -1;
            }
            if (ch == 'f')
                o->format = optarg;
            else if (ch == 't')
                o->status = optarg;
            else
                o->all = true;
            break;
        case 'h':
            adv_usage(stdout);
            return 1;
        default:
            ts_cli_usage_error("advisories", NULL);
            return -1;
        }
    }
    return 0;
}

static void table_row(ts_buf_t *b, const ts_adv_row_t *r, bool with_site)
{
    char cvss[16] = "-";
    if (r->adv.cvss >= 0)
        snprintf(cvss, sizeof cvss, "%.1f", r->adv.cvss);
    put_safe(b, r->adv.severity, 9);
    ts_buf_putc(b, ' ');
    put_safe(b, cvss, 5);
    ts_buf_putc(b, ' ');
    put_safe(b, r->adv.id, 22);
    ts_buf_putc(b, ' ');
    put_safe(b, ts_adv_verdict_name(r->m.status, r->m.undecided), 20);
    ts_buf_putc(b, ' ');
    if (with_site) {
        put_safe(b, r->site_name, 14);
        ts_buf_putc(b, ' ');
    }
    put_safe(b, r->platform, 40);
    ts_buf_putc(b, ' ');
    put_safe(b, r->adv.title, 0);
    ts_buf_puts(b, "\n    why: ");
    put_safe(b, r->m.rule, 0);
    ts_buf_putc(b, '\n');
}

static int adv_list(ts_cli_t *cli, int argc, char **argv)
{
    struct list_opts o = {0};
    int pr = parse_list_opts(argc, argv, &o, false);
    if (pr)
        return pr > 0 ? TS_EXIT_OK : TS_EXIT_USAGE;
    if (optind != argc) {
        fprintf(stderr, "tocsin: advisories: unexpected argument '%s'\n", argv[optind]);
        return TS_EXIT_USAGE;
    }
    ts_format_t fmt = TS_FMT_TABLE;
    if (o.format && ts_format_parse(o.format, &fmt) != 0) {
        fprintf(stderr, "tocsin: unknown format '%s' (table, json, csv)\n", o.format);
        return TS_EXIT_USAGE;
    }
    ts_adv_query_t q = {.all = o.all};
    if (o.status) {
        q.status = ts_adv_status_parse(o.status);
        if (q.status == 0) {
            fprintf(stderr,
                    "tocsin: unknown status '%s' (known_affected, under_investigation, fixed, "
                    "known_not_affected)\n",
                    o.status);
            return TS_EXIT_USAGE;
        }
        /* Asking for a status that does not alert implies showing it. */
        q.all = true;
    }
    ts_store_t *st;
    if (ts_cli_open_existing(cli, &st) < 0)
        return TS_EXIT_FAIL;
    if (o.site && find_site(st, o.site, &q.site_id) != 0) {
        ts_store_close(st);
        return TS_EXIT_NOTFOUND;
    }
    ts_adv_list_t *l;
    int r = ts_adv_list_load(st, &q, &l);
    if (r) {
        fprintf(stderr, "tocsin: advisories: %s\n", ts_store_errmsg(st));
        ts_store_close(st);
        return ts_cli_exit_code(r);
    }
    bool with_site = o.site == NULL;
    ts_buf_t b = TS_BUF_INIT;
    if (fmt == TS_FMT_CSV)
        ts_adv_csv_header(&b);
    for (size_t g = 0; g < ts_adv_list_groups(l); g++) {
        size_t n;
        const ts_adv_row_t *rows = ts_adv_list_group(l, g, &n);
        if (fmt == TS_FMT_JSON) {
            ts_jsonw_t w;
            ts_jsonw_init(&w, &b);
            ts_adv_json_group(&w, l, g, true, true);
            ts_buf_putc(&b, '\n');
        } else if (fmt == TS_FMT_CSV) {
            ts_adv_csv_row(&b, &rows[0]);
        } else {
            table_row(&b, &rows[0], with_site);
        }
        if (b.len > 65536)
            flush(&b);
    }
    if (fmt == TS_FMT_TABLE)
        ts_buf_printf(&b, "%zu advisor%s\n", ts_adv_list_groups(l),
                      ts_adv_list_groups(l) == 1 ? "y" : "ies");
    flush(&b);
    ts_buf_free(&b);
    ts_adv_list_free(l);
    ts_store_close(st);
    return TS_EXIT_OK;
}

struct got_adv {
    ts_buf_t json;
    ts_buf_t text;
};

static int show_adv(const ts_adv_rec_t *a, void *ctx)
{
    struct got_adv *g = ctx;
    ts_jsonw_t w;
    ts_jsonw_init(&w, &g->json);
    ts_adv_json_advisory(&w, a);
    char pub[40], up[40];
    ts_adv_time(a->published, pub, sizeof pub);
    ts_adv_time(a->updated, up, sizeof up);
    ts_buf_puts(&g->text, "id:         ");
    put_safe(&g->text, a->id, 0);
    ts_buf_puts(&g->text, "\ntitle:      ");
    put_safe(&g->text, a->title, 0);
    ts_buf_puts(&g->text, "\npublisher:  ");
    put_safe(&g->text, a->publisher, 0);
    ts_buf_printf(&g->text, "\nsource:     %s, revision ", a->source);
    put_safe(&g->text, a->revision, 0);
    ts_buf_printf(&g->text, "\npublished:  %s\nupdated:    %s\nseverity:   %s", pub, up,
                  a->severity);
    if (a->cvss >= 0)
        ts_buf_printf(&g->text, " (CVSS %.1f)", a->cvss);
    ts_buf_puts(&g->text, "\ncves:       ");
    put_safe(&g->text, a->cves_json, 0);
    ts_buf_puts(&g->text, "\ndocument:   ");
    put_safe(&g->text, a->document, 0);
    ts_buf_putc(&g->text, '\n');
    return 0;
}

static int adv_show(ts_cli_t *cli, int argc, char **argv)
{
    struct list_opts o = {0};
    int pr = parse_list_opts(argc, argv, &o, false);
    if (pr)
        return pr > 0 ? TS_EXIT_OK : TS_EXIT_USAGE;
    if (optind + 1 != argc) {
        fprintf(stderr, "tocsin: advisories show: give one advisory id\n");
        return TS_EXIT_USAGE;
    }
    ts_format_t fmt = TS_FMT_TABLE;
    if (o.format && (ts_format_parse(o.format, &fmt) != 0 || fmt == TS_FMT_CSV)) {
        fprintf(stderr, "tocsin: unknown format '%s' (table, json)\n", o.format);
        return TS_EXIT_USAGE;
    }
    const char *id = argv[optind];
    ts_store_t *st;
    if (ts_cli_open_existing(cli, &st) < 0)
        return TS_EXIT_FAIL;
    ts_adv_query_t q = {.adv_id = id, .all = true};
    if (o.site && find_site(st, o.site, &q.site_id) != 0) {
        ts_store_close(st);
        return TS_EXIT_NOTFOUND;
    }
    struct got_adv g = {TS_BUF_INIT, TS_BUF_INIT};
    int r = ts_store_adv_get(st, id, show_adv, &g);
    ts_adv_list_t *l = NULL;
    if (r == 0)
        r = ts_adv_list_load(st, &q, &l);
    if (r) {
        if (r == TS_ENOENT)
            fprintf(stderr, "tocsin: no such advisory: %s\n", id);
        else
            fprintf(stderr, "tocsin: advisories show: %s\n", ts_store_errmsg(st));
        ts_buf_free(&g.json);
        ts_buf_free(&g.text);
        ts_store_close(st);
        return ts_cli_exit_code(r);
    }
    ts_buf_t b = TS_BUF_INIT;
    if (fmt == TS_FMT_JSON) {
        /* The advisory object, with the matches added before its closing brace. */
        ts_buf_append(&b, g.json.data, g.json.len - 1);
        ts_buf_puts(&b, ",\"matches\":[");
        size_t k = 0;
        for (size_t gi = 0; gi < ts_adv_list_groups(l); gi++) {
            size_t n;
            const ts_adv_row_t *rows = ts_adv_list_group(l, gi, &n);
            for (size_t i = 0; i < n; i++, k++) {
                ts_jsonw_t w;
                if (k)
                    ts_buf_putc(&b, ',');
                ts_jsonw_init(&w, &b);
                ts_jsonw_object_begin(&w);
                ts_jsonw_key(&w, "site");
                ts_jsonw_cstr(&w, rows[i].site_name);
                ts_jsonw_key(&w, "platform");
                ts_jsonw_cstr(&w, rows[i].platform);
                ts_jsonw_key(&w, "product");
                ts_jsonw_cstr(&w, rows[i].m.product_name);
                ts_jsonw_key(&w, "product_ref");
                ts_jsonw_cstr(&w, rows[i].m.product_ref);
                ts_jsonw_key(&w, "status");
                ts_jsonw_cstr(&w, ts_adv_status_name(rows[i].m.status));
                ts_jsonw_key(&w, "undecided");
                ts_jsonw_bool(&w, rows[i].m.undecided);
                ts_jsonw_key(&w, "verdict");
                ts_jsonw_cstr(&w, ts_adv_verdict_name(rows[i].m.status, rows[i].m.undecided));
                ts_jsonw_key(&w, "rule");
                ts_jsonw_cstr(&w, rows[i].m.rule);
                ts_jsonw_key(&w, "remediations");
                ts_jsonw_raw(&w, ts_str_c(rows[i].m.remediations_json));
                ts_jsonw_object_end(&w);
            }
        }
        ts_buf_puts(&b, "]}\n");
    } else {
        ts_buf_append(&b, g.text.data, g.text.len);
        size_t k = 0;
        for (size_t gi = 0; gi < ts_adv_list_groups(l); gi++) {
            size_t n;
            const ts_adv_row_t *rows = ts_adv_list_group(l, gi, &n);
            for (size_t i = 0; i < n; i++, k++) {
                const ts_adv_row_t *r2 = &rows[i];
                ts_buf_puts(&b, "\nmatch:      site ");
                put_safe(&b, r2->site_name, 0);
                ts_buf_puts(&b, ", ");
                put_safe(&b, r2->platform, 0);
                ts_buf_printf(
                    &b, ": %s\n  product:  ", ts_adv_verdict_name(r2->m.status, r2->m.undecided));
                put_safe(&b, r2->m.product_name, 0);
                ts_buf_puts(&b, " [");
                put_safe(&b, r2->m.product_ref, 0);
                ts_buf_puts(&b, "]\n  why:      ");
                put_safe(&b, r2->m.rule, 0);
                ts_buf_puts(&b, "\n  remedies: ");
                put_safe(&b, r2->m.remediations_json, 0);
                ts_buf_putc(&b, '\n');
            }
        }
        if (k == 0)
            ts_buf_puts(&b, "\nno platform matches\n");
    }
    flush(&b);
    ts_buf_free(&b);
    ts_buf_free(&g.json);
    ts_buf_free(&g.text);
    ts_adv_list_free(l);
    ts_store_close(st);
    return TS_EXIT_OK;
}

static int adv_feed(ts_cli_t *cli, int argc, char **argv)
{
    struct list_opts o = {0};
    int pr = parse_list_opts(argc, argv, &o, true);
    if (pr)
        return pr > 0 ? TS_EXIT_OK : TS_EXIT_USAGE;
    if (optind != argc) {
        fprintf(stderr, "tocsin: advisories feed: unexpected argument '%s'\n", argv[optind]);
        return TS_EXIT_USAGE;
    }
    ts_store_t *st;
    if (ts_cli_open_existing(cli, &st) < 0)
        return TS_EXIT_FAIL;
    ts_adv_query_t q = {0};
    if (o.site && find_site(st, o.site, &q.site_id) != 0) {
        ts_store_close(st);
        return TS_EXIT_NOTFOUND;
    }
    ts_adv_list_t *l;
    int r = ts_adv_list_load(st, &q, &l);
    if (r) {
        fprintf(stderr, "tocsin: advisories feed: %s\n", ts_store_errmsg(st));
        ts_store_close(st);
        return ts_cli_exit_code(r);
    }
    ts_buf_t b = TS_BUF_INIT;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts_adv_atom(&b, l, o.site ? o.site : "", (int64_t)ts.tv_sec * 1000000);
    flush(&b);
    ts_buf_free(&b);
    ts_adv_list_free(l);
    ts_store_close(st);
    return TS_EXIT_OK;
}

int ts_cmd_advisories(ts_cli_t *cli, int argc, char **argv)
{
    static const ts_cli_verb_t verbs[] = {
        {"import", adv_import},
        {"list", adv_list},
        {"show", adv_show},
        {"feed", adv_feed},
        {"fetch", ts_cmd_advisories_fetch},
    };
    /* No verb, or options first: `advisories [--site S]` lists. */
    if (argc < 2 || argv[1][0] == '-')
        return adv_list(cli, argc, argv);
    return ts_cli_dispatch(cli, argc, argv, "advisories", verbs, sizeof verbs / sizeof verbs[0],
                           adv_usage);
}

/* ---- platform ---------------------------------------------------------------------- */

struct plat_opts {
    const char *site;
    const char *format;
    bool strict;
};

static int parse_plat_opts(int argc, char **argv, struct plat_opts *o)
{
    static const struct option opts[] = {
        {"site", required_argument, NULL, 's'},
        {"format", required_argument, NULL, 'f'},
        {"strict", no_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 's':
            o->site = optarg;
            break;
        case 'f':
            o->format = optarg;
            break;
        case 'S':
            o->strict = true;
            break;
        case 'h':
            plat_usage(stdout);
            return 1;
        default:
            ts_cli_usage_error("platform", NULL);
            return -1;
        }
    }
    return 0;
}

/* Adds one spec; prints the outcome. Returns a ts_err. */
static int add_one(ts_store_t *st, int64_t site_id, const char *site, const char *spec,
                   const char *where)
{
    int64_t id = 0;
    char err[512] = "";
    ts_adv_import_stats_t s = {0};
    int r = ts_adv_platform_add(st, site_id, spec, &id, &s, err, sizeof err);
    if (r == 0) {
        printf("site %s: platform %" PRId64 " added (%" PRIu64 " new alerts)\n", site, id,
               s.new_matches + s.changed_matches);
    } else if (r == TS_EEXIST) {
        fprintf(stderr, "tocsin: %s%s%s: %s (platform %" PRId64 ")\n", where, where[0] ? ": " : "",
                spec, err, id);
    } else {
        fprintf(stderr, "tocsin: %s%s\"%s\": %s\n", where, where[0] ? ": " : "", spec, err);
    }
    return r;
}

static int plat_add(ts_cli_t *cli, int argc, char **argv)
{
    struct plat_opts o = {0};
    int pr = parse_plat_opts(argc, argv, &o);
    if (pr)
        return pr > 0 ? TS_EXIT_OK : TS_EXIT_USAGE;
    if (o.site == NULL || optind >= argc) {
        fprintf(stderr, "tocsin: platform add: give --site NAME and at least one SPEC\n");
        return TS_EXIT_USAGE;
    }
    ts_store_t *st;
    if (ts_cli_open(cli, &st) < 0)
        return TS_EXIT_FAIL;
    int64_t site_id;
    if (find_site(st, o.site, &site_id) != 0) {
        ts_store_close(st);
        return TS_EXIT_NOTFOUND;
    }
    int worst = TS_EXIT_OK;
    for (int i = optind; i < argc; i++) {
        int r = add_one(st, site_id, o.site, argv[i], "");
        int code = r == TS_ESYNTAX || r == TS_ETOOBIG ? TS_EXIT_USAGE : ts_cli_exit_code(r);
        if (code > worst)
            worst = code;
    }
    ts_store_close(st);
    return worst;
}

static bool all_digits(const char *s)
{
    if (*s == '\0')
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static int plat_remove(ts_cli_t *cli, int argc, char **argv)
{
    struct plat_opts o = {0};
    int pr = parse_plat_opts(argc, argv, &o);
    if (pr)
        return pr > 0 ? TS_EXIT_OK : TS_EXIT_USAGE;
    if (o.site == NULL || optind + 1 != argc) {
        fprintf(stderr, "tocsin: platform remove: give --site NAME and one SPEC or ID\n");
        return TS_EXIT_USAGE;
    }
    const char *what = argv[optind];
    ts_store_t *st;
    if (ts_cli_open(cli, &st) < 0)
        return TS_EXIT_FAIL;
    int64_t site_id, id = 0;
    if (find_site(st, o.site, &site_id) != 0) {
        ts_store_close(st);
        return TS_EXIT_NOTFOUND;
    }
    int r;
    if (all_digits(what) && strlen(what) < 19) {
        id = strtoll(what, NULL, 10);
        r = 0;
    } else {
        ts_platform_t *p = ts_xmalloc(sizeof *p);
        char err[512];
        r = ts_platform_parse(what, p, err, sizeof err);
        if (r) {
            fprintf(stderr, "tocsin: \"%s\": %s\n", what, err);
            free(p);
            ts_store_close(st);
            return TS_EXIT_USAGE;
        }
        r = ts_store_platform_find(st, site_id, p->spec, &id);
        free(p);
    }
    if (r == 0)
        r = ts_store_platform_remove(st, site_id, id);
    if (r == TS_ENOENT)
        fprintf(stderr, "tocsin: site %s has no platform %s\n", o.site, what);
    else if (r)
        fprintf(stderr, "tocsin: platform remove: %s\n", ts_store_errmsg(st));
    else
        printf("site %s: platform %" PRId64 " removed\n", o.site, id);
    ts_store_close(st);
    return ts_cli_exit_code(r);
}

struct plat_list {
    ts_format_t fmt;
    ts_buf_t b;
    size_t n;
};

static int list_plat(const ts_plat_rec_t *p, void *ctx)
{
    struct plat_list *l = ctx;
    l->n++;
    if (l->fmt == TS_FMT_JSON) {
        ts_jsonw_t w;
        ts_jsonw_init(&w, &l->b);
        ts_jsonw_object_begin(&w);
        ts_jsonw_key(&w, "id");
        ts_jsonw_int(&w, p->id);
        ts_jsonw_key(&w, "site");
        ts_jsonw_cstr(&w, p->site_name);
        ts_jsonw_key(&w, "spec");
        ts_jsonw_cstr(&w, p->spec);
        ts_jsonw_key(&w, "kind");
        ts_jsonw_cstr(&w, p->kind);
        ts_jsonw_object_end(&w);
        ts_buf_putc(&l->b, '\n');
    } else if (l->fmt == TS_FMT_CSV) {
        ts_buf_printf(&l->b, "%" PRId64, p->id);
        ts_format_csv_text(&l->b, p->site_name, false);
        ts_format_csv_text(&l->b, p->spec, false);
        ts_buf_printf(&l->b, ",%s\r\n", p->kind);
    } else {
        ts_buf_printf(&l->b, "%6" PRId64 " ", p->id);
        put_safe(&l->b, p->site_name, 16);
        ts_buf_putc(&l->b, ' ');
        put_safe(&l->b, p->kind, 7);
        ts_buf_putc(&l->b, ' ');
        put_safe(&l->b, p->spec, 0);
        ts_buf_putc(&l->b, '\n');
    }
    if (l->b.len > 65536)
        flush(&l->b);
    return 0;
}

static int plat_list(ts_cli_t *cli, int argc, char **argv)
{
    struct plat_opts o = {0};
    int pr = parse_plat_opts(argc, argv, &o);
    if (pr)
        return pr > 0 ? TS_EXIT_OK : TS_EXIT_USAGE;
    if (optind != argc) {
        fprintf(stderr, "tocsin: platform list: unexpected argument '%s'\n", argv[optind]);
        return TS_EXIT_USAGE;
    }
    struct plat_list l = {.fmt = TS_FMT_TABLE, .b = TS_BUF_INIT};
    if (o.format && ts_format_parse(o.format, &l.fmt) != 0) {
        fprintf(stderr, "tocsin: unknown format '%s' (table, json, csv)\n", o.format);
        return TS_EXIT_USAGE;
    }
    ts_store_t *st;
    if (ts_cli_open_existing(cli, &st) < 0)
        return TS_EXIT_FAIL;
    int64_t site_id = 0;
    if (o.site && find_site(st, o.site, &site_id) != 0) {
        ts_store_close(st);
        return TS_EXIT_NOTFOUND;
    }
    if (l.fmt == TS_FMT_CSV)
        ts_buf_puts(&l.b, "id,site,spec,kind\r\n");
    int r = ts_store_platforms_foreach(st, site_id, list_plat, &l);
    if (l.fmt == TS_FMT_TABLE)
        ts_buf_printf(&l.b, "%zu platform%s\n", l.n, l.n == 1 ? "" : "s");
    flush(&l.b);
    ts_buf_free(&l.b);
    if (r)
        fprintf(stderr, "tocsin: platform list: %s\n", ts_store_errmsg(st));
    ts_store_close(st);
    return ts_cli_exit_code(r);
}

/* ---- platform import ----------------------------------------------------------------- */

/* Splits one CSV line (RFC 4180 quoting) into at most max fields, in place. */
static int csv_split(char *line, char **f, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max)
            return -1;
        char *out = p, *start = p;
        if (*p == '"') {
            p++;
            for (;;) {
                if (*p == '\0')
                    return -1; /* unterminated quote */
                if (*p == '"') {
                    if (p[1] == '"') {
                        *out++ = '"';
                        p += 2;
                        continue;
                    }
                    p++;
                    break;
                }
                *out++ = *p++;
            }
            if (*p != ',' && *p != '\0')
                return -1;
        } else {
            while (*p && *p != ',')
                out++, p++;
        }
        char end = *p;
        *out = '\0';
        f[n++] = start;
        if (end == '\0')
            return n;
        p++;
    }
}

struct pimport {
    ts_store_t *st;
    int64_t site_id;
    const char *site, *file;
    uint64_t added, exists, refused;
};

static void pimport_one(struct pimport *pi, const char *spec, const char *where)
{
    int r = add_one(pi->st, pi->site_id, pi->site, spec, where);
    if (r == 0)
        pi->added++;
    else if (r == TS_EEXIST)
        pi->exists++;
    else
        pi->refused++;
}

/* The columns (CSV header names) and JSON keys of a platform given by parts. */
enum { PART_VENDOR, PART_PRODUCT, PART_VERSION, PART_MODEL, PART_SKU, PART_SERIAL, N_PARTS };
static const char *const part_names[N_PARTS] = {"vendor", "product", "version",
                                                "model",  "sku",     "serial"};

/* vendor:product[:version][;model=..][;sku=..][;serial=..] from its parts
 * (NULL or "" when absent). */
static void join_parts(char *out, size_t size, const char *const part[N_PARTS])
{
    size_t n = 0;
    for (int k = 0; k < N_PARTS && n < size; k++) {
        const char *v = part[k] ? part[k] : "";
        if (k >= PART_VERSION && v[0] == '\0')
            continue;
        int w = k == PART_VENDOR    ? snprintf(out, size, "%s", v)
                : k <= PART_VERSION ? snprintf(out + n, size - n, ":%s", v)
                                    : snprintf(out + n, size - n, ";%s=%s", part_names[k], v);
        n += w > 0 ? (size_t)w : 0;
    }
}

static int import_csv(struct pimport *pi, char *data)
{
    bool columns = false;
    int col[N_PARTS]; /* field of each part, -1 when the header has none */
    size_t lineno = 0;
    char *save = NULL;
    for (char *line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        lineno++;
        size_t n = strlen(line);
        if (n && line[n - 1] == '\r')
            line[--n] = '\0';
        char where[512];
        snprintf(where, sizeof where, "%s:%zu", pi->file, lineno);
        if (n == 0 || line[0] == '#')
            continue;
        if (n > PLATFORM_LINE_MAX) {
            fprintf(stderr, "tocsin: %s: line longer than %d bytes\n", where, PLATFORM_LINE_MAX);
            pi->refused++;
            continue;
        }
        char *f[N_PARTS];
        int k = csv_split(line, f, N_PARTS);
        if (k < 0) {
            fprintf(stderr, "tocsin: %s: malformed CSV line\n", where);
            pi->refused++;
            continue;
        }
        if (lineno == 1 && k >= 1 && (strcmp(f[0], "spec") == 0 || strcmp(f[0], "vendor") == 0)) {
            columns = strcmp(f[0], "vendor") == 0;
            for (int p = 0; p < N_PARTS; p++) {
                col[p] = -1;
                for (int j = 0; j < k; j++)
                    if (strcmp(f[j], part_names[p]) == 0)
                        col[p] = j;
            }
            if (columns && col[PART_PRODUCT] < 0) {
                fprintf(stderr, "tocsin: %s: the header names no product column\n", where);
                return TS_EINVAL;
            }
            continue;
        }
        if (columns) {
            const char *part[N_PARTS];
            for (int p = 0; p < N_PARTS; p++)
                part[p] = col[p] >= 0 && col[p] < k ? f[col[p]] : NULL;
            if (part[PART_PRODUCT] == NULL) {
                fprintf(stderr, "tocsin: %s: expected vendor,product[,version,...]\n", where);
                pi->refused++;
                continue;
            }
            char spec[PLATFORM_LINE_MAX + 64];
            join_parts(spec, sizeof spec, part);
            pimport_one(pi, spec, where);
        } else {
            if (k != 1) {
                fprintf(stderr,
                        "tocsin: %s: one spec per line (or a vendor,product,version header)\n",
                        where);
                pi->refused++;
                continue;
            }
            pimport_one(pi, f[0], where);
        }
    }
    return 0;
}

static int import_json(struct pimport *pi, const char *data, size_t len)
{
    struct json_tokener *tok = json_tokener_new_ex(16);
    json_object *root = json_tokener_parse_ex(tok, data, (int)len);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    json_tokener_free(tok);
    if (root == NULL || jerr != json_tokener_success ||
        !json_object_is_type(root, json_type_array)) {
        fprintf(stderr, "tocsin: %s: not a JSON array of platforms%s%s\n", pi->file,
                jerr != json_tokener_success ? ": " : "",
                jerr != json_tokener_success ? json_tokener_error_desc(jerr) : "");
        json_object_put(root);
        return TS_ESYNTAX;
    }
    size_t n = json_object_array_length(root);
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(root, i);
        char where[512], spec[PLATFORM_LINE_MAX + 64];
        snprintf(where, sizeof where, "%s[%zu]", pi->file, i);
        json_object *js, *jv, *jp;
        if (json_object_is_type(e, json_type_string)) {
            snprintf(spec, sizeof spec, "%s", json_object_get_string(e));
        } else if (json_object_is_type(e, json_type_object) &&
                   json_object_object_get_ex(e, "spec", &js) &&
                   json_object_is_type(js, json_type_string)) {
            snprintf(spec, sizeof spec, "%s", json_object_get_string(js));
        } else if (json_object_is_type(e, json_type_object) &&
                   json_object_object_get_ex(e, "vendor", &jv) &&
                   json_object_object_get_ex(e, "product", &jp) &&
                   json_object_is_type(jv, json_type_string) &&
                   json_object_is_type(jp, json_type_string)) {
            const char *part[N_PARTS];
            for (int p = 0; p < N_PARTS; p++) {
                json_object *jx;
                part[p] = json_object_object_get_ex(e, part_names[p], &jx) &&
                                  json_object_is_type(jx, json_type_string)
                              ? json_object_get_string(jx)
                              : NULL;
            }
            join_parts(spec, sizeof spec, part);
        } else {
            fprintf(stderr,
                    "tocsin: %s: expected a spec string, {\"spec\"} or {\"vendor\",\"product\"}\n",
                    where);
            pi->refused++;
            continue;
        }
        pimport_one(pi, spec, where);
    }
    json_object_put(root);
    return 0;
}

static int plat_import(ts_cli_t *cli, int argc, char **argv)
{
    struct plat_opts o = {0};
    int pr = parse_plat_opts(argc, argv, &o);
    if (pr)
        return pr > 0 ? TS_EXIT_OK : TS_EXIT_USAGE;
    if (o.site == NULL || optind + 1 != argc) {
        fprintf(stderr, "tocsin: platform import: give --site NAME and one FILE\n");
        return TS_EXIT_USAGE;
    }
    const char *file = argv[optind];
    FILE *fp = fopen(file, "rb");
    if (fp == NULL) {
        fprintf(stderr, "tocsin: %s: %s\n", file, strerror(errno));
        return errno == ENOENT ? TS_EXIT_NOTFOUND : TS_EXIT_FAIL;
    }
    char *data = ts_xmalloc(PLATFORM_FILE_MAX + 1);
    size_t len = fread(data, 1, PLATFORM_FILE_MAX + 1, fp);
    bool err = ferror(fp);
    fclose(fp);
    if (err || len > PLATFORM_FILE_MAX) {
        fprintf(stderr, "tocsin: %s: %s\n", file, err ? "read error" : "larger than 16 MiB");
        free(data);
        return TS_EXIT_FAIL;
    }
    data[len] = '\0';
    if (memchr(data, '\0', len) != NULL) {
        fprintf(stderr, "tocsin: %s: NUL byte: not a text file\n", file);
        free(data);
        return TS_EXIT_USAGE;
    }
    ts_store_t *st;
    if (ts_cli_open(cli, &st) < 0) {
        free(data);
        return TS_EXIT_FAIL;
    }
    struct pimport pi = {.st = st, .site = o.site, .file = file};
    if (find_site(st, o.site, &pi.site_id) != 0) {
        free(data);
        ts_store_close(st);
        return TS_EXIT_NOTFOUND;
    }
    const char *p = data;
    while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
        p++;
    int r = *p == '[' ? import_json(&pi, data, len) : import_csv(&pi, data);
    printf("%s: %" PRIu64 " added, %" PRIu64 " already present, %" PRIu64 " refused\n", file,
           pi.added, pi.exists, pi.refused);
    free(data);
    ts_store_close(st);
    if (r)
        return TS_EXIT_USAGE;
    return o.strict && pi.refused ? TS_EXIT_DATA : TS_EXIT_OK;
}

int ts_cmd_platform(ts_cli_t *cli, int argc, char **argv)
{
    static const ts_cli_verb_t verbs[] = {
        {"add", plat_add},
        {"remove", plat_remove},
        {"list", plat_list},
        {"import", plat_import},
    };
    return ts_cli_dispatch(cli, argc, argv, "platform", verbs, sizeof verbs / sizeof verbs[0],
                           plat_usage);
}
