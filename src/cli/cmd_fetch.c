/* SPDX-License-Identifier: Apache-2.0 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advisory/fetch.h"
#include "cli/cli.h"
#include "cli/cmd_fetch.h"
#include "core/buf.h"

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: tocsin advisories fetch --provider URL [--key FILE] [--cacert FILE]\n"
            "                               [--state DIR] [--limit N] [--timeout SECONDS]\n"
            "\n"
            "Downloads the advisories a CSAF provider published or changed since the last\n"
            "run and imports them. URL is the provider's provider-metadata.json, or its base\n"
            "(https://host), under which /.well-known/csaf/provider-metadata.json is read.\n"
            "ROLIE feeds are used when listed, else changes.csv (else index.txt) of each\n"
            "directory. Each document's .sha512 (or .sha256) is checked; a document that\n"
            "does not match is refused, the others still go in. Only https is accepted, with\n"
            "the server certificate always verified.\n"
            "\n"
            "Options:\n"
            "  --provider URL   the provider (https only)\n"
            "  --key FILE       the provider's armored OpenPGP public key: each document\n"
            "                   then needs a good detached signature (.asc) by it\n"
            "  --cacert FILE    trust the CA certificates in FILE (PEM) instead of the system's\n"
            "  --state DIR      where what was fetched is remembered (default: DB.csaf/)\n"
            "  --limit N        download at most N documents in this run (default: no limit)\n"
            "  --timeout S      seconds allowed for one transfer (default: 300)\n"
            "\n"
            "Exit codes: 0 done; 1 the provider or the database could not be used;\n"
            "2 usage (or a URL that is not https); 5 some documents were refused.\n");
}

static void sanitized(FILE *f, const char *s)
{
    for (; *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
}

static void on_report(const char *name, int code, const char *why, void *ctx)
{
    (void)ctx;
    fputs("tocsin: ", stderr);
    sanitized(stderr, name ? name : "?");
    if (code < 0) {
        fprintf(stderr, ": refused (%s): ", ts_errname(code));
    } else {
        fputs(": warning: ", stderr);
    }
    sanitized(stderr, why ? why : "");
    fputc('\n', stderr);
}

int ts_cmd_advisories_fetch(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"provider", required_argument, NULL, 'p'}, {"key", required_argument, NULL, 'k'},
        {"cacert", required_argument, NULL, 'c'},   {"state", required_argument, NULL, 's'},
        {"limit", required_argument, NULL, 'l'},    {"timeout", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
    };
    ts_fetch_opts_t o = {0};
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'p':
            o.provider = optarg;
            break;
        case 'k':
            o.key_file = optarg;
            break;
        case 'c':
            o.cacert = optarg;
            break;
        case 's':
            o.state_dir = optarg;
            break;
        case 'l':
            if (ts_cli_parse_limit(optarg, &o.limit) < 0)
                return TS_EXIT_USAGE;
            break;
        case 't': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0' || v < 1 || v > 86400) {
                fprintf(stderr, "tocsin: --timeout takes seconds (1..86400)\n");
                return TS_EXIT_USAGE;
            }
            o.timeout_s = v;
            break;
        }
        case 'h':
            usage(stdout);
            return TS_EXIT_OK;
        default:
            ts_cli_usage_error("advisories fetch", NULL);
            return TS_EXIT_USAGE;
        }
    }
    if (optind < argc || o.provider == NULL) {
        fprintf(stderr,
                optind < argc ? "tocsin: advisories fetch: unexpected argument '%s'\n"
                              : "tocsin: advisories fetch: --provider is required%s\n",
                optind < argc ? argv[optind] : "");
        return TS_EXIT_USAGE;
    }
    /* Refused before anything is opened or created. */
    if (!ts_csaf_url_ok(o.provider)) {
        fprintf(stderr, "tocsin: advisories fetch: %s: only https:// URLs are accepted\n",
                o.provider);
        return TS_EXIT_USAGE;
    }
    ts_buf_t state = TS_BUF_INIT;
    if (o.state_dir == NULL) {
        ts_buf_printf(&state, "%s.csaf", cli->db_path);
        o.state_dir = state.data;
    }
    ts_store_t *st = NULL;
    if (ts_cli_open(cli, &st) < 0) {
        ts_buf_free(&state);
        return TS_EXIT_FAIL;
    }
    ts_fetch_stats_t s;
    char err[512] = "";
    int rc = ts_fetch_run(st, &o, &s, on_report, NULL, err, sizeof err);
    ts_store_close(st);
    ts_buf_free(&state);
    if (rc < 0) {
        fprintf(stderr, "tocsin: advisories fetch: ");
        sanitized(stderr, err[0] ? err : ts_strerror(rc));
        fputc('\n', stderr);
    }
    printf("fetch: listed=%llu unchanged=%llu downloaded=%llu refused=%llu deferred=%llu "
           "requests=%llu bytes=%llu\n",
           (unsigned long long)s.listed, (unsigned long long)s.unchanged,
           (unsigned long long)s.downloaded, (unsigned long long)s.refused,
           (unsigned long long)s.deferred, (unsigned long long)s.requests,
           (unsigned long long)s.bytes);
    printf("import: imported=%llu replaced=%llu unchanged=%llu rejected=%llu problems=%llu "
           "new_matches=%llu changed_matches=%llu\n",
           (unsigned long long)s.import.imported, (unsigned long long)s.import.replaced,
           (unsigned long long)s.import.unchanged, (unsigned long long)s.import.rejected,
           (unsigned long long)s.import.problems, (unsigned long long)s.import.new_matches,
           (unsigned long long)s.import.changed_matches);
    if (rc < 0)
        return TS_EXIT_FAIL;
    return s.refused > 0 || s.import.rejected > 0 ? TS_EXIT_DATA : TS_EXIT_OK;
}
