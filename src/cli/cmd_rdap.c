/* SPDX-License-Identifier: Apache-2.0 */
/* tocsin rdap bootstrap update|show: IANA's RDAP bootstrap files (RFC 9224),
 * kept in the store, which `contact find` reads to pick the RDAP server. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/event.h"
#include "core/file.h"
#include "directory/rdap.h"
#include "ingest/download.h"
#include "store/teamstore.h"

#define IANA_BASE "https://data.iana.org/rdap/"

static const char *const kinds[] = {"ipv4", "ipv6", "asn", "dns"};

static void rdap_usage(FILE *out)
{
    fprintf(out, "Usage:\n"
                 "  tocsin rdap bootstrap update [DIR|URL] [--cacert FILE] [--timeout SECONDS]\n"
                 "  tocsin rdap bootstrap show\n"
                 "\n"
                 "`update` reads IANA's RDAP bootstrap files ipv4.json, ipv6.json, asn.json and\n"
                 "dns.json from DIR or from URL (https; default " IANA_BASE "), checks each\n"
                 "and keeps it in the store, where `tocsin contact find` reads it to choose the\n"
                 "RDAP server of an address, ASN or domain. A file that cannot be read or is\n"
                 "malformed is reported and the one kept before stays; the others are still\n"
                 "taken (exit 1 when any failed). `show` lists the kept files and their age.\n");
}

static int on_show(const ts_rdap_boot_rec_t *b, void *ctx)
{
    char t[64];
    (void)ctx;
    ts_time_format_utc(b->fetched, t, sizeof t);
    printf("%-5s  %8zu bytes  %s  %s\n", b->kind, b->len, t, b->source);
    return 0;
}

static int boot_show(ts_cli_t *cli, int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--help") != 0) {
        ts_cli_usage_error("rdap", "rdap bootstrap show takes no arguments");
        return TS_EXIT_USAGE;
    }
    if (argc > 1) {
        rdap_usage(stdout);
        return TS_EXIT_OK;
    }
    ts_store_t *st = NULL;
    int r = ts_cli_open_existing(cli, &st);
    for (size_t i = 0; r == 0 && i < 4; i++) {
        r = ts_store_rdap_boot_get(st, kinds[i], on_show, NULL);
        if (r == TS_ENOENT) {
            printf("%-5s  none kept\n", kinds[i]);
            r = 0;
        }
    }
    ts_store_close(st);
    return ts_cli_exit_code(r);
}

static int boot_update(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"cacert", required_argument, NULL, 'c'},
        {"timeout", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *cacert = NULL;
    long timeout = 60;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (ch == 'c') {
            cacert = optarg;
        } else if (ch == 't') {
            char *end;
            timeout = strtol(optarg, &end, 10);
            if (*end || timeout <= 0 || timeout > 3600) {
                ts_cli_usage_error("rdap", "--timeout: 1 to 3600 seconds");
                return TS_EXIT_USAGE;
            }
        } else if (ch == 'h') {
            rdap_usage(stdout);
            return TS_EXIT_OK;
        } else {
            ts_cli_usage_error("rdap", NULL);
            return TS_EXIT_USAGE;
        }
    }
    if (optind + 1 < argc) {
        ts_cli_usage_error("rdap", "rdap bootstrap update takes one DIR or URL");
        return TS_EXIT_USAGE;
    }
    const char *from = optind < argc ? argv[optind] : IANA_BASE;
    bool url = strncmp(from, "https://", 8) == 0;
    if (!url && strstr(from, "://") != NULL) {
        ts_cli_usage_error("rdap", "%s: https URLs only", from);
        return TS_EXIT_USAGE;
    }
    ts_store_t *st = NULL;
    int r = ts_cli_open(cli, &st);
    if (r)
        return ts_cli_exit_code(r);
    int failed = 0;
    ts_buf_t body = TS_BUF_INIT;
    for (size_t i = 0; i < 4; i++) {
        char src[TS_DOWNLOAD_URL_MAX], err[512] = "";
        size_t fl = strlen(from);
        snprintf(src, sizeof src, "%s%s%s.json", from, fl && from[fl - 1] == '/' ? "" : "/",
                 kinds[i]);
        char *data = NULL;
        size_t len = 0;
        if (url) {
            ts_download_opts_t o = {
                .url = src, .cacert = cacert, .max = TS_RDAP_BOOT_MAX, .timeout_s = timeout};
            ts_download_t d;
            r = ts_download(&o, -1, &body, &d, err, sizeof err);
            data = body.data;
            len = body.len;
        } else {
            r = ts_file_read(src, TS_RDAP_BOOT_MAX, TS_FILE_REGULAR, &data, &len, err, sizeof err);
        }
        char why[256] = "";
        if (r == 0 &&
            (r = ts_rdap_boot_check(data ? data : "", len, kinds[i], why, sizeof why)) != 0)
            snprintf(err, sizeof err, "%s", why);
        if (r == 0) {
            ts_rdap_boot_rec_t b = {.kind = kinds[i],
                                    .source = src,
                                    .content = data ? data : "",
                                    .len = len,
                                    .fetched = ts_time_now()};
            if ((r = ts_store_rdap_boot_put(st, &b)) != 0)
                snprintf(err, sizeof err, "%s", ts_store_errmsg(st));
        }
        if (r == 0) {
            printf("%s: kept (%zu bytes from %s)\n", kinds[i], len, src);
        } else {
            fprintf(stderr, "tocsin: rdap bootstrap %s: %s: %s (the file kept before stays)\n",
                    kinds[i], src, err);
            failed++;
        }
        if (!url)
            free(data);
    }
    ts_buf_free(&body);
    ts_store_close(st);
    return failed ? TS_EXIT_FAIL : TS_EXIT_OK;
}

static int cmd_bootstrap(ts_cli_t *cli, int argc, char **argv)
{
    static const ts_cli_verb_t verbs[] = {{"update", boot_update}, {"show", boot_show}};
    return ts_cli_dispatch(cli, argc, argv, "rdap", verbs, sizeof verbs / sizeof verbs[0],
                           rdap_usage);
}

int ts_cmd_rdap(ts_cli_t *cli, int argc, char **argv)
{
    static const ts_cli_verb_t verbs[] = {{"bootstrap", cmd_bootstrap}};
    return ts_cli_dispatch(cli, argc, argv, "rdap", verbs, sizeof verbs / sizeof verbs[0],
                           rdap_usage);
}
