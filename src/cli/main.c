/* SPDX-License-Identifier: Apache-2.0 */
/* The `tocsin` command: global options, then a subcommand. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/log.h"
#include "ts_version.h"

struct command {
    const char *name;
    ts_cmd_fn fn;
    const char *summary;
};

static const struct command commands[] = {
    {"site", ts_cmd_site, "add, change, list and remove sites and what they claim"},
    {"constituency", ts_cmd_constituency, "import or export the whole constituency as a file"},
    {"ingest", ts_cmd_ingest, "read events from a file or stdin (optionally following it)"},
    {"events", ts_cmd_events, "list stored events, per site"},
    {"route", ts_cmd_route, "show which site owns an address, ASN or domain, and why"},
    {"quarantine", ts_cmd_quarantine, "list rejected records and counts per reason"},
    {"inputs", ts_cmd_inputs, "list inputs and their committed checkpoints"},
    {"collect", ts_cmd_collect, "receive NetFlow/IPFIX, detect scans, brute force, floods"},
    {"flows", ts_cmd_flows, "per-exporter flow counters (flows stats)"},
    {"ca", ts_cmd_ca, "create the certificate authority, renew its CRL"},
    {"cert", ts_cmd_cert, "issue, list and revoke site certificates"},
    {"serve", ts_cmd_serve, "run the portal (HTTPS, mutual TLS) and the configured inputs"},
    {"advisories", ts_cmd_advisories, "import advisories (CSAF, CVE, NVD); list them per site"},
    {"platform", ts_cmd_platform, "a site's platform inventory (CPE, purl, vendor:product)"},
    {"scan", ts_cmd_scan, "scan a site's own ranges: open ports, services, vulnerabilities"},
    {"feeds", ts_cmd_feeds, "Shadowserver schema and Reports API, feeds pulled on a schedule"},
    {"contact", ts_cmd_contact, "a site's contacts: roles, keys, language, hours, preferences"},
    {"notify", ts_cmd_notify, "build, sign and send the sites' notification mails"},
    {"outbox", ts_cmd_outbox, "list the notification mails and their states; retry failed ones"},
    {"incidents", ts_cmd_incidents, "list incidents, highest priority first"},
    {"incident", ts_cmd_incident, "show an incident and why it scored; set its state"},
    {"suppress", ts_cmd_suppress, "a site's suppression rules (expected events)"},
    {"critical", ts_cmd_critical, "a site's critical hosts and networks"},
    {"prune", ts_cmd_prune, "remove what the retention settings say has gone"},
    {"team", ts_cmd_team, "the directory of other CSIRTs: listing and accreditation"},
    {"rdap", ts_cmd_rdap, "keep IANA's RDAP bootstrap files for `contact find`"},
    {"domain", ts_cmd_domain, "domain deactivation cases, the RPZ zone, the public list"},
};

static void usage(FILE *out)
{
    fprintf(out, "Usage: tocsin [--db FILE] COMMAND [OPTIONS] [ARGS]\n"
                 "\n"
                 "tocsin is a CSIRT early-warning system: it takes security events from sensors\n"
                 "and feeds, classifies them (RSIT), finds the site that owns each address,\n"
                 "and keeps them for that site.\n"
                 "\n"
                 "Global options:\n"
                 "  --db FILE      the database (default: $TOCSIN_DB, else ./tocsin.db)\n"
                 "  --log-format text|json\n"
                 "                 log lines as text (time, level, message) or one JSON\n"
                 "                 object per line (default: $TOCSIN_LOG_FORMAT, else text)\n"
                 "  --version      print the version and exit\n"
                 "  -h, --help     this help; `tocsin COMMAND --help` for a command\n"
                 "\n"
                 "Commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-13s  %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n"
                 "Exit codes:\n"
                 "  0  success\n"
                 "  1  failure (I/O, database, unreadable input)\n"
                 "  2  usage error\n"
                 "  3  not found (unknown site; no owner for a route)\n"
                 "  4  refused: conflicting or duplicate claim, constraint\n"
                 "  5  ingest: no event stored, most records quarantined (--strict: any)\n"
                 "\n"
                 "Environment: TOCSIN_DB (database), TOCSIN_LOG (error|warn|info|debug),\n"
                 "TOCSIN_LOG_FORMAT (text|json).\n");
}

int main(int argc, char **argv)
{
    ts_cli_t cli = {.db_path = NULL};
    static const struct option opts[] = {
        {"db", required_argument, NULL, 'd'},
        {"log-format", required_argument, NULL, 'L'},
        {"version", no_argument, NULL, 'V'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    /* '+': stop at the subcommand, whose options are its own. */
    while ((ch = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (ch) {
        case 'd':
            cli.db_path = optarg;
            break;
        case 'L':
            if (ts_log_set_format(optarg) < 0) {
                fprintf(stderr, "tocsin: --log-format takes text or json\n");
                return TS_EXIT_USAGE;
            }
            break;
        case 'V':
            printf("tocsin %s\n", TS_VERSION_STRING);
            return TS_EXIT_OK;
        case 'h':
            usage(stdout);
            return TS_EXIT_OK;
        default:
            ts_cli_usage_error("", NULL);
            return TS_EXIT_USAGE;
        }
    }
    if (cli.db_path == NULL)
        cli.db_path = getenv("TOCSIN_DB");
    if (cli.db_path == NULL || *cli.db_path == '\0')
        cli.db_path = "tocsin.db";
    if (optind >= argc) {
        ts_cli_usage_error("", "no command given");
        return TS_EXIT_USAGE;
    }
    const char *name = argv[optind];
    if (strcmp(name, "help") == 0) {
        usage(stdout);
        return TS_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (strcmp(name, commands[i].name) == 0) {
            int sub_argc = argc - optind;
            char **sub_argv = argv + optind;
            optind = 0; /* glibc: full reset for the subcommand's getopt */
            return commands[i].fn(&cli, sub_argc, sub_argv);
        }
    }
    ts_cli_usage_error("", "unknown command '%s'", name);
    return TS_EXIT_USAGE;
}
