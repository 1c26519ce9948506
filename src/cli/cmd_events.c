/* SPDX-License-Identifier: Apache-2.0 */
/* tocsin events [--site NAME] [--since TIME] [--until TIME] [--format table|json|csv] */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "output/export.h"
#include "output/format.h"

static void events_usage(FILE *out)
{
    fprintf(
        out,
        "Usage: tocsin events [--site NAME] [--since TIME] [--until TIME] [--limit N]\n"
        "                     [--newest-first]\n"
        "                     [--format table|json|csv|idea|iodef|stix|misp]\n"
        "\n"
        "Lists stored events. With --site, only the events that concern that site or one\n"
        "of its sub-sites, each with the site and role (source/destination) it reached\n"
        "them through and the rule that matched; links to other sites are not shown.\n"
        "\n"
        "  --site NAME      events of this site and its sub-sites\n"
        "  --since TIME     time.source (or time.observation) at or after TIME:\n"
        "                   RFC 3339 (2026-11-27T06:00:00Z), a date, or relative: 30m, 24h, 7d\n"
        "  --until TIME     before TIME\n"
        "  --limit N        at most N events\n"
        "  --newest-first   newest stored first (default: in the order they were stored)\n"
        "  --format F       table (default on a terminal), json (one IntelMQ-style object\n"
        "                   per line), csv (RFC 4180, header line); for other parties:\n"
        "                   idea (IDEA JSON lines), iodef (IODEF 2, RFC 7970), stix\n"
        "                   (a STIX 2.1 bundle), misp (MISP events); these leave out\n"
        "                   events at TLP:AMBER+STRICT and TLP:RED\n");
}

struct emit_ctx {
    bool exporting; /* an exchange format (output/export.h) */
    ts_export_t x;
    ts_format_t fmt;
    ts_buf_t buf;
    size_t count;
};

static int emit_event(const ts_stored_event_t *ev, void *ctx)
{
    struct emit_ctx *e = ctx;
    if (e->exporting)
        ts_export_event(&e->x, ev, &e->buf);
    else
        ts_format_event(e->fmt, ev, &e->buf);
    e->count++;
    if (e->buf.len >= 1 << 16) {
        fwrite(e->buf.data, 1, e->buf.len, stdout);
        ts_buf_reset(&e->buf);
    }
    return 0;
}

int ts_cmd_events(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"site", required_argument, NULL, 's'},   {"since", required_argument, NULL, 'S'},
        {"until", required_argument, NULL, 'U'},  {"limit", required_argument, NULL, 'l'},
        {"format", required_argument, NULL, 'f'}, {"newest-first", no_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    ts_event_filter_t f;
    ts_event_filter_init(&f);
    const char *site = NULL;
    const char *format = NULL;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 's':
            site = optarg;
            break;
        case 'S':
        case 'U': {
            int64_t t;
            if (ts_cli_parse_time(optarg, &t) < 0) {
                fprintf(stderr, "tocsin: invalid time '%s' (e.g. 2026-11-27T06:00:00Z or 24h)\n",
                        optarg);
                return TS_EXIT_USAGE;
            }
            if (ch == 'S')
                f.since = t;
            else
                f.until = t;
            break;
        }
        case 'l':
            if (ts_cli_parse_limit(optarg, &f.limit) < 0)
                return TS_EXIT_USAGE;
            break;
        case 'f':
            format = optarg;
            break;
        case 'n':
            f.newest_first = true;
            break;
        case 'h':
            events_usage(stdout);
            return TS_EXIT_OK;
        default:
            ts_cli_usage_error("events", NULL);
            return TS_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        ts_cli_usage_error("events", "unexpected argument '%s'", argv[optind]);
        return TS_EXIT_USAGE;
    }
    struct emit_ctx e = {.fmt = TS_FMT_TABLE, .buf = TS_BUF_INIT, .count = 0};
    ts_export_fmt_t xfmt = TS_EXPORT_IDEA;
    if (format == NULL)
        e.fmt = ts_cli_tty(1) ? TS_FMT_TABLE : TS_FMT_JSON;
    else if (ts_export_parse(format, &xfmt) == 0)
        e.exporting = true;
    else if (ts_format_parse(format, &e.fmt) < 0) {
        fprintf(stderr, "tocsin: unknown format '%s' (table, json, csv, idea, iodef, stix, misp)\n",
                format);
        return TS_EXIT_USAGE;
    }

    ts_store_t *st;
    if (ts_cli_open_existing(cli, &st) < 0)
        return TS_EXIT_FAIL;
    int rc = 0;
    if (site) {
        rc = ts_store_site_find(st, site, &f.site_id);
        if (rc < 0) {
            fprintf(stderr, "tocsin: no site named '%s'\n", site);
            ts_store_close(st);
            return TS_EXIT_NOTFOUND;
        }
    }
    if (e.exporting)
        ts_export_begin(&e.x, xfmt, ts_time_now(), &e.buf);
    else
        ts_format_header(e.fmt, &e.buf);
    rc = ts_store_events_foreach(st, &f, emit_event, &e);
    if (rc < 0)
        fprintf(stderr, "tocsin: cannot read events: %s\n", ts_store_errmsg(st));
    if (e.exporting) {
        ts_export_end(&e.x, &e.buf);
        if (e.x.withheld)
            fprintf(stderr, "tocsin: %zu events at TLP:AMBER+STRICT or TLP:RED left out\n",
                    e.x.withheld);
    } else {
        ts_format_footer(e.fmt, e.count, &e.buf);
    }
    if (e.buf.len)
        fwrite(e.buf.data, 1, e.buf.len, stdout);
    ts_buf_free(&e.buf);
    ts_store_close(st);
    if (fflush(stdout) != 0)
        return TS_EXIT_FAIL;
    return rc < 0 ? TS_EXIT_FAIL : TS_EXIT_OK;
}
