/* SPDX-License-Identifier: Apache-2.0 */
/* tocsin ingest --format FORMAT [--follow] FILE|- */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "ingest/feedpull.h"
#include "core/buf.h"
#include "ingest/ingest.h"

static void ingest_usage(FILE *out)
{
    fprintf(out,
            "Usage: tocsin ingest --format FORMAT [OPTIONS] FILE|-\n"
            "\n"
            "Reads records (one per line) from FILE, or from stdin with '-', classifies them,\n"
            "routes each to the sites owning its source and destination, and stores them.\n"
            "Rejected records go to the quarantine with their reason (tocsin quarantine list).\n"
            "\n"
            "The read position is committed with each batch of events: running the same\n"
            "command again, or after a crash, resumes where the last commit ended, so no\n"
            "record is lost or stored twice (not for stdin, which cannot be re-read).\n"
            "\n"
            "Options:\n"
            "  -f, --format FORMAT   record format:\n");
    for (const ts_parser_t *const *p = ts_parser_list(); *p; p++)
        fprintf(out, "                          %-13s %s\n", (*p)->name, (*p)->description);
    fprintf(out, "  -F, --follow          keep reading as the file grows; handles rotation and\n"
                 "                        truncation; stops on SIGINT/SIGTERM after committing;\n"
                 "                        SIGHUP reloads the constituency\n"
                 "      --report NAME     shadowserver: the report type (default: from the file\n"
                 "                        name, YYYY-MM-DD-TYPE-...csv)\n"
                 "      --schema FILE     shadowserver: Shadowserver's report schema (default:\n"
                 "                        $TOCSIN_SHADOWSERVER_SCHEMA, else the newest kept by\n"
                 "                        `tocsin feeds schema fetch`)\n"
                 "      --mapping FILE    mapped: the mapping file (docs/feeds.md)\n"
                 "      --tlp LEVEL       TLP of records that carry none: CLEAR, GREEN, AMBER,\n"
                 "                        AMBER+STRICT or RED (default: the format's own)\n"
                 "      --from-start      ignore the checkpoint and read from the beginning\n"
                 "      --batch N         records per transaction (default 20000)\n"
                 "      --feed-name NAME  set feed.name on every event\n"
                 "      --feed-provider NAME  set feed.provider on every event\n"
                 "      --strict          exit 5 when any record was quarantined (without it,\n"
                 "                        exit 5 only when no event was stored and most\n"
                 "                        records were quarantined: the wrong --format?)\n"
                 "      --no-progress     no progress bar (shown only when stderr is a terminal)\n"
                 "  -q, --quiet           no summary line\n");
}

struct progress {
    bool enabled;
    struct timespec start;
    double last; /* seconds since start of the last redraw */
};

static double elapsed(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static void show_progress(const ts_ingest_stats_t *s, void *ctx)
{
    struct progress *p = ctx;
    if (!p->enabled)
        return;
    double t = elapsed(&p->start);
    /* Redraw at most ten times a second, and always at the end of the file. */
    if (t - p->last < 0.1 && !(s->size > 0 && s->offset >= s->size))
        return;
    p->last = t;
    double rate = t > 0 ? (double)s->lines / t : 0;
    if (s->size > 0) {
        double frac = (double)s->offset / (double)s->size;
        if (frac > 1)
            frac = 1;
        int filled = (int)(frac * 30);
        char bar[31];
        for (int i = 0; i < 30; i++)
            bar[i] = i < filled ? '#' : '.';
        bar[30] = '\0';
        fprintf(stderr, "\r[%s] %3d%%  %llu records  %.0f/s  %llu quarantined ", bar,
                (int)(frac * 100), (unsigned long long)s->lines, rate,
                (unsigned long long)s->quarantined);
    } else {
        fprintf(stderr, "\r%llu records  %.0f/s  %llu quarantined ", (unsigned long long)s->lines,
                rate, (unsigned long long)s->quarantined);
    }
}

int ts_cmd_ingest(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"follow", no_argument, NULL, 'F'},
        {"from-start", no_argument, NULL, 'S'},
        {"batch", required_argument, NULL, 'b'},
        {"feed-name", required_argument, NULL, 'N'},
        {"report", required_argument, NULL, 'R'},
        {"schema", required_argument, NULL, 'C'},
        {"mapping", required_argument, NULL, 'M'},
        {"tlp", required_argument, NULL, 'T'},
        {"feed-provider", required_argument, NULL, 'P'},
        {"strict", no_argument, NULL, 's'},
        {"no-progress", no_argument, NULL, 'n'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    ts_ingest_opts_t o;
    ts_ingest_opts_init(&o);
    const char *format = NULL;
    bool strict = false, quiet = false, no_progress = false;
    int ch;
    while ((ch = getopt_long(argc, argv, "f:Fqh", opts, NULL)) != -1) {
        switch (ch) {
        case 'f':
            format = optarg;
            break;
        case 'F':
            o.follow = true;
            break;
        case 'S':
            o.from_start = true;
            break;
        case 'b': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end != '\0' || v < 1 || v > 1000000) {
                fprintf(stderr, "tocsin: --batch takes a number from 1 to 1000000\n");
                return TS_EXIT_USAGE;
            }
            o.batch_max = (size_t)v;
            break;
        }
        case 'N':
            o.feed_name = optarg;
            break;
        case 'R':
            o.parser_cfg.report = optarg;
            break;
        case 'C':
            o.parser_cfg.schema = optarg;
            break;
        case 'M':
            o.parser_cfg.mapping = optarg;
            break;
        case 'T':
            if (ts_tlp_parse(optarg, strlen(optarg), &o.tlp) != 0) {
                fprintf(stderr, "tocsin: --tlp takes CLEAR, GREEN, AMBER, AMBER+STRICT or RED\n");
                return TS_EXIT_USAGE;
            }
            break;
        case 'P':
            o.feed_provider = optarg;
            break;
        case 's':
            strict = true;
            break;
        case 'n':
            no_progress = true;
            break;
        case 'q':
            quiet = true;
            break;
        case 'h':
            ingest_usage(stdout);
            return TS_EXIT_OK;
        default:
            ts_cli_usage_error("ingest", NULL);
            return TS_EXIT_USAGE;
        }
    }
    if (argc - optind != 1 || format == NULL) {
        ts_cli_usage_error("ingest", "ingest needs --format and exactly one FILE (or '-')");
        return TS_EXIT_USAGE;
    }
    o.path = argv[optind];
    o.parser = ts_parser_find(format);
    if (o.parser == NULL) {
        fprintf(stderr, "tocsin: unknown format '%s' (see tocsin ingest --help)\n", format);
        return TS_EXIT_USAGE;
    }

    ts_cli_daemon_signals(&o.stop, &o.reload);

    struct progress prog = {.enabled = !no_progress && !quiet && ts_cli_tty(STDERR_FILENO)};
    clock_gettime(CLOCK_MONOTONIC, &prog.start);
    o.progress = show_progress;
    o.progress_ctx = &prog;

    ts_store_t *st;
    ts_constituency_t *c;
    if (ts_cli_open_routing(cli, &st, &c) < 0)
        return TS_EXIT_FAIL;
    /* shadowserver without --schema (or $TOCSIN_SHADOWSERVER_SCHEMA): the
     * newest schema kept by `tocsin feeds schema fetch`. */
    ts_buf_t schema = TS_BUF_INIT;
    bool stored = false;
    if (strcmp(o.parser->name, "shadowserver") == 0 && o.parser_cfg.schema == NULL &&
        getenv("TOCSIN_SHADOWSERVER_SCHEMA") == NULL) {
        const char *tmp = getenv("TMPDIR");
        ts_buf_printf(&schema, "%s/tocsin-schema-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        int fd = mkstemp(schema.data);
        if (fd >= 0) {
            close(fd);
            stored = ts_feed_schema_write(st, schema.data) == 0;
            if (stored)
                o.parser_cfg.schema = schema.data;
            else
                unlink(schema.data);
        }
    }
    ts_ingest_stats_t stats;
    int rc = ts_ingest_run(st, &c, &o, &stats);
    if (stored)
        unlink(schema.data);
    ts_buf_free(&schema);
    if (prog.enabled)
        fputc('\n', stderr);
    double t = elapsed(&prog.start);
    /* After a failure to open the input there is nothing to sum up. */
    if (!quiet && (rc == 0 || stats.lines > 0))
        fprintf(stderr,
                "tocsin: %s: %llu records, %llu events stored (%llu routed to a site), %llu "
                "skipped, %llu quarantined, in %.2f s\n",
                o.path, (unsigned long long)stats.lines, (unsigned long long)stats.events,
                (unsigned long long)stats.linked, (unsigned long long)stats.skipped,
                (unsigned long long)stats.quarantined, t);
    ts_constituency_free(c);
    ts_store_close(st);
    if (rc < 0)
        return TS_EXIT_FAIL;
    /* No event and mostly rejects (the rest skipped as context, as a parser
     * may skip a line of another format): most often the wrong --format. */
    if (stats.events == 0 && stats.quarantined > stats.skipped) {
        ts_buf_t names = TS_BUF_INIT;
        for (const ts_parser_t *const *p = ts_parser_list(); *p; p++)
            ts_buf_printf(&names, "%s%s", p == ts_parser_list() ? "" : ", ", (*p)->name);
        fprintf(stderr,
                "tocsin: no record of %s became an event, %llu were quarantined: is it really "
                "%s? (--format %s; "
                "`tocsin quarantine stats` shows why)\n",
                o.path, (unsigned long long)stats.quarantined, o.parser->name, names.data);
        ts_buf_free(&names);
        return TS_EXIT_DATA;
    }
    if (strict && stats.quarantined > 0)
        return TS_EXIT_DATA;
    return TS_EXIT_OK;
}
