/* SPDX-License-Identifier: Apache-2.0 */
/* tocsin constituency import FILE [--prune] | export [FILE] */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "route/constfile.h"
#include "route/loader.h"

static void c_usage(FILE *out)
{
    fprintf(out,
            "Usage:\n"
            "  tocsin constituency import [--prune] FILE\n"
            "  tocsin constituency export [FILE]\n"
            "\n"
            "The constituency file is JSON: every site with its parent, description, contacts,\n"
            "networks, AS numbers and domains (see docs/constituency.md). Keep it under version\n"
            "control: export writes a canonical form (sorted, one claim per line), so a\n"
            "change shows as exactly the lines that changed.\n"
            "\n"
            "import makes the database match the file in one transaction: it creates sites,\n"
            "updates parents and descriptions, and replaces the claims and contacts of every\n"
            "site in the file. Sites missing from the file are kept, unless --prune is given.\n"
            "The file is checked first (syntax, unknown fields, bad networks, unknown or cyclic\n"
            "parents, the same network, ASN or domain in two sites). On any error nothing\n"
            "changes, and the error names the site and the field.\n");
}

static int do_import(ts_cli_t *cli, int argc, char **argv)
{
    bool prune = false;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--prune") == 0)
            prune = true;
        else if (strcmp(argv[i], "--help") == 0) {
            c_usage(stdout);
            return TS_EXIT_OK;
        } else if (path == NULL && argv[i][0] != '-')
            path = argv[i];
        else {
            ts_cli_usage_error("constituency", "unexpected argument '%s'", argv[i]);
            return TS_EXIT_USAGE;
        }
    }
    if (path == NULL) {
        ts_cli_usage_error("constituency", "constituency import needs a FILE");
        return TS_EXIT_USAGE;
    }
    char err[512] = "";
    ts_constfile_t *f = NULL;
    int rc = ts_constfile_read(path, &f, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "tocsin: %s: %s\n", path, err[0] ? err : ts_strerror(rc));
        return rc == TS_EIO ? TS_EXIT_FAIL : TS_EXIT_CONFLICT;
    }
    ts_store_t *st;
    if (ts_cli_open(cli, &st) < 0) {
        ts_constfile_free(f);
        return TS_EXIT_FAIL;
    }
    ts_constfile_stats_t stats;
    memset(&stats, 0, sizeof stats);
    rc = ts_constfile_apply(st, f, prune, &stats, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "tocsin: %s: %s (nothing changed)\n", path, err[0] ? err : ts_strerror(rc));
    } else {
        printf("constituency %s: sites %zu created, %zu updated, %zu unchanged, %zu removed, "
               "%zu kept; claims %zu added, %zu removed\n",
               path, stats.sites_created, stats.sites_updated, stats.sites_unchanged,
               stats.sites_removed, stats.sites_kept, stats.claims_added, stats.claims_removed);
    }
    ts_constfile_free(f);
    ts_store_close(st);
    return rc < 0 ? (rc == TS_EDB || rc == TS_EIO ? TS_EXIT_FAIL : TS_EXIT_CONFLICT) : TS_EXIT_OK;
}

static int do_export(ts_cli_t *cli, int argc, char **argv)
{
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0) {
            c_usage(stdout);
            return TS_EXIT_OK;
        } else if (path == NULL && argv[i][0] != '-') {
            path = argv[i];
        } else {
            ts_cli_usage_error("constituency", "unexpected argument '%s'", argv[i]);
            return TS_EXIT_USAGE;
        }
    }
    ts_store_t *st;
    if (ts_cli_open_existing(cli, &st) < 0)
        return TS_EXIT_FAIL;
    ts_buf_t out = TS_BUF_INIT;
    int rc = ts_constfile_export(st, &out);
    ts_store_close(st);
    if (rc < 0) {
        fprintf(stderr, "tocsin: cannot export the constituency: %s\n", ts_strerror(rc));
        ts_buf_free(&out);
        return TS_EXIT_FAIL;
    }
    FILE *fp = path ? fopen(path, "w") : stdout;
    if (fp == NULL) {
        perror(path);
        ts_buf_free(&out);
        return TS_EXIT_FAIL;
    }
    bool ok = fwrite(out.data, 1, out.len, fp) == out.len;
    if (path)
        ok = fclose(fp) == 0 && ok;
    else
        ok = fflush(fp) == 0 && ok;
    ts_buf_free(&out);
    if (!ok) {
        fprintf(stderr, "tocsin: cannot write %s\n", path ? path : "stdout");
        return TS_EXIT_FAIL;
    }
    return TS_EXIT_OK;
}

int ts_cmd_constituency(ts_cli_t *cli, int argc, char **argv)
{
    static const ts_cli_verb_t verbs[] = {{"import", do_import}, {"export", do_export}};
    return ts_cli_dispatch(cli, argc, argv, "constituency", verbs, sizeof verbs / sizeof verbs[0],
                           c_usage);
}
