/* SPDX-License-Identifier: Apache-2.0 */
/* tocsin collect --netflow ADDRESS:PORT...  and  tocsin flows stats */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus/bus.h"
#include "cli/cli.h"
#include "collect/collector.h"
#include "core/buf.h"
#include "core/jsonw.h"
#include "core/log.h"
#include "output/exporter.h"
#include "portal/scrape.h"

static void collect_usage(FILE *out)
{
    fprintf(out,
            "Usage: tocsin collect --netflow ADDRESS:PORT [--netflow ADDRESS:PORT]... [OPTIONS]\n"
            "\n"
            "Receives NetFlow v5, v9 and IPFIX over UDP (IPv4 or IPv6, e.g. 0.0.0.0:2055,\n"
            "[::]:4739), decodes the flows and runs the detectors on them: scanners,\n"
            "brute force against login services, floods. Each detection is stored as an\n"
            "event and routed to the sites owning its addresses; the per-exporter counters\n"
            "(packets, flows, templates, drops by reason, lost flows) are saved every few\n"
            "seconds and shown by `tocsin flows stats`. Runs until SIGINT/SIGTERM;\n"
            "SIGHUP reloads the constituency. Flows themselves are not stored.\n"
            "\n"
            "Options (detector windows and thresholds):\n"
            "  --window SECONDS       scan/brute-force window (default 300)\n"
            "  --scan-hosts N         distinct hosts for an address scan (default 25)\n"
            "  --scan-ports N         distinct ports for a port scan (default 15)\n"
            "  --bruteforce-flows N   short flows to one login service per window (default 20)\n"
            "  --flood-pps N          packets/s to one destination (default 20000)\n"
            "  --flood-bps N          bits/s to one destination (default 1000000000)\n"
            "  --flood-fps N          flows/s to one destination (default 3500)\n"
            "  --ddos-sources N       distinct sources that make a flood a DDoS (default 50)\n"
            "  --stats-interval MS    how often counters are saved (default 5000)\n"
            "  --coalesce-us N        longest pause between reads while traffic flows, so that\n"
            "                         a read takes a batch (default 50000, shorter when the\n"
            "                         receive buffer is small; 0 = read at once)\n"
            "  --metrics-listen ADDR:PORT  serve GET /metrics (Prometheus text format) over\n"
            "                         plain HTTP on this loopback address\n"
            "\n"
            "Past one machine:\n"
            "  --bus nats://HOST:PORT[,nats://...]  publish the detections to the NATS\n"
            "                         JetStream bus for `tocsin serve --role writer` to commit\n"
            "                         (exactly once: the input collector:NODE:ADDRESS counts\n"
            "                         the detections committed); counters are still saved to\n"
            "                         the database directly\n"
            "  --node NAME            this collector's name on the bus (default: the host name)\n"
            "  --replicas N           copies of the bus's stream when this process creates it\n"
            "                         (default 3)\n");
}

static void print_ready(const char *const *bound, size_t n, void *ctx)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++)
        ts_log_info("collecting NetFlow/IPFIX on %s", bound[i]);
}

/* A threshold or duration option: a number from 1 to 1e12. */
static int number(const struct option *opts, int ch, const char *v, double *out)
{
    char *end;
    double d = strtod(v, &end);
    if (*end != '\0' || !(d >= 1 && d <= 1e12)) {
        const char *name = "?";
        for (const struct option *op = opts; op->name; op++)
            if (op->val == ch)
                name = op->name;
        fprintf(stderr, "tocsin: --%s takes a number from 1 to 1e12\n", name);
        return -1;
    }
    *out = d;
    return 0;
}

int ts_cmd_collect(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"netflow", required_argument, NULL, 'n'},
        {"window", required_argument, NULL, 'w'},
        {"scan-hosts", required_argument, NULL, 'H'},
        {"scan-ports", required_argument, NULL, 'P'},
        {"bruteforce-flows", required_argument, NULL, 'b'},
        {"flood-pps", required_argument, NULL, 'p'},
        {"flood-bps", required_argument, NULL, 'B'},
        {"flood-fps", required_argument, NULL, 'f'},
        {"ddos-sources", required_argument, NULL, 'd'},
        {"stats-interval", required_argument, NULL, 's'},
        {"coalesce-us", required_argument, NULL, 'c'},
        {"metrics-listen", required_argument, NULL, 'M'},
        {"bus", required_argument, NULL, 'U'},
        {"node", required_argument, NULL, 'N'},
        {"replicas", required_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    ts_collect_opts_t o;
    ts_collect_opts_init(&o);
    const char *metrics_listen = NULL;
    const char *bus_url = NULL;
    ts_bus_opts_t bus_opts;
    ts_bus_opts_init(&bus_opts);
    char node[64] = "";
    int ch;
    double v;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'n':
            if (o.n_listen == TS_COLLECT_MAX_SOCKETS) {
                fprintf(stderr, "tocsin: at most %d --netflow addresses\n", TS_COLLECT_MAX_SOCKETS);
                return TS_EXIT_USAGE;
            }
            o.listen[o.n_listen++] = optarg;
            continue;
        case 'c': {
            char *end;
            errno = 0;
            long us = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || errno != 0 || us < 0 || us > 1000000) {
                fprintf(stderr, "tocsin: --coalesce-us takes a number from 0 to 1000000\n");
                return TS_EXIT_USAGE;
            }
            o.coalesce_us = (int)us;
            continue;
        }
        case 'M':
            metrics_listen = optarg;
            continue;
        case 'U':
            bus_url = optarg;
            continue;
        case 'N':
            if (optarg[0] == '\0' || strlen(optarg) >= sizeof node || strpbrk(optarg, " \t\r\n")) {
                fprintf(stderr, "tocsin: --node takes a name of 1 to %zu characters, no spaces\n",
                        sizeof node - 1);
                return TS_EXIT_USAGE;
            }
            snprintf(node, sizeof node, "%s", optarg);
            continue;
        case 'R': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || n < 1 || n > 5) {
                fprintf(stderr, "tocsin: --replicas takes a number from 1 to 5\n");
                return TS_EXIT_USAGE;
            }
            bus_opts.replicas = (int)n;
            continue;
        }
        case 'h':
            collect_usage(stdout);
            return TS_EXIT_OK;
        case '?':
            ts_cli_usage_error("collect", NULL);
            return TS_EXIT_USAGE;
        default:
            break;
        }
        if (number(opts, ch, optarg, &v) < 0)
            return TS_EXIT_USAGE;
        switch (ch) {
        case 'w':
            o.detect.window_ms = (int64_t)(v * 1000);
            break;
        case 'H':
            o.detect.scan_min_hosts = (uint32_t)v;
            break;
        case 'P':
            o.detect.scan_min_ports = (uint32_t)v;
            break;
        case 'b':
            o.detect.bf_min_flows = (uint32_t)v;
            break;
        case 'p':
            o.detect.flood_pps = v;
            break;
        case 'B':
            o.detect.flood_bps = v;
            break;
        case 'f':
            o.detect.flood_fps = v;
            break;
        case 'd':
            o.detect.ddos_min_sources = (uint32_t)v;
            break;
        case 's':
            o.stats_interval_ms = (int)v;
            break;
        default:
            break;
        }
    }
    if (optind != argc || o.n_listen == 0) {
        ts_cli_usage_error("collect", "collect needs at least one --netflow ADDRESS:PORT");
        return TS_EXIT_USAGE;
    }
    for (size_t i = 0; i < o.n_listen; i++) {
        ts_ip_t ip;
        uint16_t port;
        if (ts_collect_parse_listen(o.listen[i], &ip, &port) < 0) {
            fprintf(stderr, "tocsin: invalid address '%s' (e.g. 127.0.0.1:2055, [::1]:4739)\n",
                    o.listen[i]);
            return TS_EXIT_USAGE;
        }
    }
    ts_cli_daemon_signals(&o.stop, &o.reload);
    o.ready = print_ready;

    ts_store_t *st;
    ts_constituency_t *c;
    if (ts_cli_open_routing(cli, &st, &c) < 0)
        return TS_EXIT_FAIL;
    ts_scrape_listener_t *scrape = NULL;
    char err[256];
    if (metrics_listen &&
        ts_scrape_listener_start(metrics_listen, cli->db_path, &scrape, err, sizeof err) < 0) {
        ts_log_error("collect: %s", err);
        ts_constituency_free(c);
        ts_store_close(st);
        return TS_EXIT_FAIL;
    }
    char input[sizeof node + 80];
    if (bus_url) {
        if (node[0] == '\0' && gethostname(node, sizeof node - 1) != 0)
            snprintf(node, sizeof node, "collector");
        bus_opts.node = node;
        /* Two collectors never share an input: a node's sockets are its own. */
        snprintf(input, sizeof input, "collector:%s:%s", node, o.listen[0]);
        o.bus_input = input;
        if (ts_bus_open(bus_url, &bus_opts, &o.bus) < 0) {
            ts_log_error("collect: cannot open the bus %s", bus_url);
            ts_scrape_listener_stop(scrape);
            ts_constituency_free(c);
            ts_store_close(st);
            return TS_EXIT_FAIL;
        }
        ts_log_info("collect: publishing detections to %s as the input %s", ts_bus_name(o.bus),
                    input);
    }
    ts_collect_stats_t stats;
    int rc = ts_collect_run(st, &c, &o, &stats);
    ts_scrape_listener_stop(scrape);
    ts_bus_close(o.bus);
    ts_log_info("collector stopped: %" PRIu64 " datagrams, %" PRIu64 " flows, %" PRIu64
                " detections, %" PRIu64 " datagrams dropped by the kernel",
                stats.datagrams, stats.flows, stats.detections, stats.socket_drops);
    ts_constituency_free(c);
    ts_store_close(st);
    if (rc == TS_EINVAL)
        return TS_EXIT_USAGE;
    return rc < 0 ? TS_EXIT_FAIL : TS_EXIT_OK;
}

/* ---- flows stats ---------------------------------------------------------------- */

struct fctx {
    bool json;
    ts_buf_t buf;
    size_t n;
};

static int exporter_row(const ts_exporter_stats_t *s, int64_t updated, void *arg)
{
    struct fctx *f = arg;
    char ip[TS_IP_STRLEN], when[48], last[48];
    ts_ip_format(&s->exporter, ip, sizeof ip);
    ts_time_format(updated, when, sizeof when);
    ts_time_format(s->last_export_ms * 1000, last, sizeof last);
    uint64_t drops = 0;
    for (int i = 0; i < TS_FLOW_DROP_COUNT_; i++)
        drops += s->drops[i];
    if (f->json) {
        ts_jsonw_t w;
        ts_jsonw_init(&w, &f->buf);
        ts_format_exporter_json(&w, s, updated);
        ts_buf_putc(&f->buf, '\n');
    } else {
        if (f->n == 0)
            ts_buf_printf(&f->buf, "%-39s %10s %3s %10s %12s %9s %10s %10s %8s\n", "EXPORTER",
                          "DOMAIN", "VER", "PACKETS", "FLOWS", "TEMPLATES", "LOST", "DROPPED",
                          "SAMPLING");
        ts_buf_printf(&f->buf,
                      "%-39s %10" PRIu32 " %3u %10" PRIu64 " %12" PRIu64 " %9" PRIu64 " %10" PRIu64
                      " %10" PRIu64 " %8" PRIu32 "\n",
                      ip, s->domain, (unsigned)s->version, s->packets, s->flows,
                      s->templates + s->options, s->lost, drops, s->sampling);
    }
    f->n++;
    return 0;
}

static void flows_usage(FILE *out)
{
    fprintf(out, "Usage: tocsin flows stats [--format table|json]\n"
                 "\n"
                 "Per-exporter counters saved by `tocsin collect`: datagrams, flows,\n"
                 "templates, flows lost per sequence numbers, datagrams and sets dropped\n"
                 "by reason (short, version, malformed, no-template, template-limit,\n"
                 "exporter-limit), and the sampling rate applied.\n");
}

static int flows_stats(ts_cli_t *cli, int argc, char **argv)
{
    bool json = false;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            flows_usage(stdout);
            return TS_EXIT_OK;
        } else if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            const char *f = argv[++i];
            if (strcmp(f, "json") == 0)
                json = true;
            else if (strcmp(f, "table") != 0) {
                fprintf(stderr, "tocsin: unknown format '%s' (table, json)\n", f);
                return TS_EXIT_USAGE;
            }
        } else if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else {
            ts_cli_usage_error("flows", "unexpected argument '%s'", argv[i]);
            return TS_EXIT_USAGE;
        }
    }
    ts_store_t *st;
    if (ts_cli_open_existing(cli, &st) < 0)
        return TS_EXIT_FAIL;
    struct fctx f = {.json = json, .buf = TS_BUF_INIT, .n = 0};
    int rc = ts_store_exporters_foreach(st, exporter_row, &f);
    if (rc < 0)
        fprintf(stderr, "tocsin: cannot read exporter counters: %s\n", ts_store_errmsg(st));
    else if (f.n == 0 && !json)
        printf("no exporter seen yet\n");
    if (f.buf.len)
        fwrite(f.buf.data, 1, f.buf.len, stdout);
    ts_buf_free(&f.buf);
    ts_store_close(st);
    return rc < 0 ? TS_EXIT_FAIL : TS_EXIT_OK;
}

int ts_cmd_flows(ts_cli_t *cli, int argc, char **argv)
{
    static const ts_cli_verb_t verbs[] = {{"stats", flows_stats}};
    return ts_cli_dispatch(cli, argc, argv, "flows", verbs, 1, flows_usage);
}
