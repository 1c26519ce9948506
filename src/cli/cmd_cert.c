/* SPDX-License-Identifier: Apache-2.0 */
/* tocsin ca init|crl, tocsin cert issue|list|revoke: the portal's own CA and
 * the certificates it issues to sites (portal/pki.h, store/certreg.h).
 * Private keys and passwords are never printed. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/event.h"
#include "core/jsonw.h"
#include "core/mem.h"
#include "portal/pki.h"
#include "store/certreg.h"

#define SERVER_NAMES_MAX 32
#define CA_DAYS_DEFAULT 1825u
#define CERT_DAYS_DEFAULT 365u
#define PASSWORD_MAX 1024
#define US_PER_DAY (INT64_C(86400) * 1000000)

static void ca_usage(FILE *out)
{
    fprintf(out,
            "Usage:\n"
            "  tocsin ca init [--dir DIR] [--name CN] [--days N] [--server-name NAME]...\n"
            "  tocsin ca crl [--dir DIR] [--hours N]\n"
            "\n"
            "The portal's own certificate authority. `ca init` creates it in DIR (default:\n"
            "the database path with \".ca\" appended; made 0700, never overwritten): an\n"
            "ECDSA P-256 CA certificate (ca.pem, key ca.key 0600, valid --days, default\n"
            "%u), an empty CRL (crl.pem) and the portal's TLS certificate (server.pem,\n"
            "server.key) for the --server-name host names and addresses (repeatable;\n"
            "default localhost, 127.0.0.1 and ::1).\n"
            "`ca crl` re-signs the CRL with every revoked certificate, valid --hours\n"
            "(default %u); run it from cron well before that runs out, as the portal\n"
            "refuses every client once its CRL has expired.\n"
            "Exit codes: 2 usage, 4 a CA is already there, 1 other failures.\n",
            CA_DAYS_DEFAULT, (unsigned)TS_CRL_HOURS_DEFAULT);
}

static void cert_usage(FILE *out)
{
    fprintf(out,
            "Usage:\n"
            "  tocsin cert issue (--site NAME | --csirt) --name HOLDER --out DIR [--days N]\n"
            "                    [--role reader|admin]\n"
            "                    [--p12-password PW | --p12-password-file FILE] [--ca DIR]\n"
            "  tocsin cert list [--format table|json] [--site NAME]\n"
            "  tocsin cert revoke SERIAL|FINGERPRINT [--ca DIR] [--hours N]\n"
            "\n"
            "`cert issue` makes a client certificate for a person or system (HOLDER) of a\n"
            "site, or of the CSIRT (sees the whole constituency), valid --days (default %u).\n"
            "--role admin (the default) may change what its holder sees (contacts,\n"
            "platforms); reader may only read: every change is refused (403).\n"
            "It writes SITE-HOLDER.pem, .key (0600) and .p12 (0600; the key and the\n"
            "certificate for a browser) into DIR, never overwriting a file, registers\n"
            "the certificate and prints its SHA-256 fingerprint and serial. The portal\n"
            "identifies a client by that fingerprint only. The .p12 is protected by the\n"
            "password given (prefer --p12-password-file: a command line is visible to\n"
            "other users); without one it has no password, like the .key file.\n"
            "`cert list` shows every issued certificate (json: one object per line).\n"
            "`cert revoke` marks one revoked (by serial or fingerprint, hex, colons and\n"
            "case ignored) and rewrites the CA's CRL at once.\n"
            "--ca DIR: the CA directory (default: the database path with \".ca\").\n"
            "Exit codes: 2 usage, 3 unknown site or certificate, 4 a file exists,\n"
            "1 other failures.\n",
            CERT_DAYS_DEFAULT);
}

static char *default_ca_dir(const ts_cli_t *cli)
{
    size_t n = strlen(cli->db_path) + 4;
    char *p = ts_xmalloc(n);
    snprintf(p, n, "%s.ca", cli->db_path);
    return p;
}

static int parse_uint(const char *opt, const char *s, unsigned min, unsigned max, unsigned *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno != 0 || v < min || v > max) {
        fprintf(stderr, "tocsin: --%s: expected a number %u..%u, got '%s'\n", opt, min, max, s);
        return -1;
    }
    *out = (unsigned)v;
    return 0;
}

/* Whole seconds, "2026-11-27T08:00:00Z": certificates hold no more. */
static void fmt_time(int64_t us, char *out, size_t size)
{
    time_t t = (time_t)(us / 1000000 - (us % 1000000 < 0));
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL || strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, size, "?");
}

/* ---- ca ---------------------------------------------------------------------- */

static int ca_init(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'D'},  {"name", required_argument, NULL, 'n'},
        {"days", required_argument, NULL, 'd'}, {"server-name", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0},
    };
    const char *dir = NULL, *name = "tocsin CA";
    unsigned days = CA_DAYS_DEFAULT;
    const char *names[SERVER_NAMES_MAX + 1];
    size_t n_names = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'D':
            dir = optarg;
            break;
        case 'n':
            name = optarg;
            break;
        case 'd':
            if (parse_uint("days", optarg, 1, 36525, &days))
                return TS_EXIT_USAGE;
            break;
        case 's':
            if (n_names == SERVER_NAMES_MAX) {
                fprintf(stderr, "tocsin: at most %d --server-name\n", SERVER_NAMES_MAX);
                return TS_EXIT_USAGE;
            }
            names[n_names++] = optarg;
            break;
        case 'h':
            ca_usage(stdout);
            return TS_EXIT_OK;
        default:
            ts_cli_usage_error("ca", NULL);
            return TS_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "tocsin: ca init takes no arguments\n");
        return TS_EXIT_USAGE;
    }
    if (n_names == 0) {
        names[n_names++] = "localhost";
        names[n_names++] = "127.0.0.1";
        names[n_names++] = "::1";
    }
    names[n_names] = NULL;
    char *owned = dir ? NULL : default_ca_dir(cli);
    if (dir == NULL)
        dir = owned;
    char err[512];
    int r = ts_ca_init(dir, name, days, names, err, sizeof err);
    if (r) {
        fprintf(stderr, "tocsin: ca init: %s\n", err);
        free(owned);
        return ts_cli_exit_code(r);
    }
    printf("CA created in %s\n", dir);
    printf("  %s/%s     the CA certificate (clients and browsers trust it)\n", dir,
           TS_CA_CERT_FILE);
    printf("  %s/%s     its key (keep it offline if you can)\n", dir, TS_CA_KEY_FILE);
    printf("  %s/%s    the CRL (renew with `tocsin ca crl`)\n", dir, TS_CA_CRL_FILE);
    printf("  %s/%s the portal's certificate, for:", dir, TS_CA_SERVER_CERT_FILE);
    for (size_t i = 0; i < n_names; i++)
        printf(" %s", names[i]);
    printf("\n");
    free(owned);
    return TS_EXIT_OK;
}

static int count_revoked(const ts_cert_rec_t *rec, void *ctx)
{
    if (rec->revoked)
        (*(size_t *)ctx)++;
    return 0;
}

/* Writes the CRL and says so; used by `ca crl` and `cert revoke`. */
static int write_crl(ts_ca_t *ca, ts_store_t *st, unsigned hours)
{
    char err[512];
    int r = ts_ca_write_crl(ca, st, hours, err, sizeof err);
    if (r) {
        fprintf(stderr, "tocsin: writing the CRL: %s\n", err);
        return r;
    }
    size_t n = 0;
    if (ts_store_certs_foreach(st, count_revoked, &n) == 0) {
        char until[40];
        fmt_time(ts_time_now() + (int64_t)hours * 3600 * 1000000, until, sizeof until);
        printf("CRL written: %s/%s (%zu revoked, next update %s)\n", ts_ca_dir(ca), TS_CA_CRL_FILE,
               n, until);
    }
    return 0;
}

static int open_ca(ts_cli_t *cli, const char *dir, ts_ca_t **ca)
{
    char *owned = dir ? NULL : default_ca_dir(cli);
    char err[512];
    int r = ts_ca_open(dir ? dir : owned, ca, err, sizeof err);
    if (r)
        fprintf(stderr, "tocsin: cannot open the CA: %s%s\n", err,
                r == TS_ENOENT ? " (create it with `tocsin ca init`, or give --ca DIR)" : "");
    free(owned);
    return r;
}

static int ca_crl(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'D'},
        {"hours", required_argument, NULL, 'H'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *dir = NULL;
    unsigned hours = TS_CRL_HOURS_DEFAULT;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'D':
            dir = optarg;
            break;
        case 'H':
            if (parse_uint("hours", optarg, 1, 24 * 366, &hours))
                return TS_EXIT_USAGE;
            break;
        case 'h':
            ca_usage(stdout);
            return TS_EXIT_OK;
        default:
            ts_cli_usage_error("ca", NULL);
            return TS_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "tocsin: ca crl takes no arguments\n");
        return TS_EXIT_USAGE;
    }
    ts_ca_t *ca = NULL;
    int r = open_ca(cli, dir, &ca);
    if (r)
        return r == TS_ENOENT ? TS_EXIT_NOTFOUND : TS_EXIT_FAIL;
    ts_store_t *st = NULL;
    r = ts_cli_open(cli, &st);
    if (r == 0)
        r = write_crl(ca, st, hours);
    ts_store_close(st);
    ts_ca_close(ca);
    return r ? TS_EXIT_FAIL : TS_EXIT_OK;
}

int ts_cmd_ca(ts_cli_t *cli, int argc, char **argv)
{
    static const ts_cli_verb_t verbs[] = {{"init", ca_init}, {"crl", ca_crl}};
    return ts_cli_dispatch(cli, argc, argv, "ca", verbs, sizeof verbs / sizeof verbs[0], ca_usage);
}

/* ---- cert issue --------------------------------------------------------------- */

/* The first line of a password file, without its line end. */
static int read_password_file(const char *path, char *out, size_t size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "tocsin: %s: %s\n", path, strerror(errno));
        return -1;
    }
    size_t got = 0;
    for (;;) {
        ssize_t n = read(fd, out + got, size - 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            fprintf(stderr, "tocsin: %s: %s\n", path, strerror(errno));
            close(fd);
            return -1;
        }
        if (n == 0 || (got += (size_t)n) == size - 1)
            break;
    }
    close(fd);
    out[got] = '\0';
    char *nl = strpbrk(out, "\r\n");
    if (nl)
        *nl = '\0';
    else if (got == size - 1) {
        fprintf(stderr, "tocsin: %s: the password is longer than %zu bytes\n", path, size - 2);
        return -1;
    }
    return 0;
}

/* SITE-HOLDER with every byte outside [A-Za-z0-9._-] made '_', so that a
 * holder name cannot reach outside DIR or hide from `ls`. */
static void file_base(const char *site, const char *holder, char *out, size_t size)
{
    snprintf(out, size, "%s-%s", site, holder);
    for (char *p = out; *p; p++) {
        char c = *p;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            *p = '_';
    }
    if (out[0] == '.' || out[0] == '-')
        out[0] = '_';
}

static int cert_issue(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"site", required_argument, NULL, 's'},
        {"csirt", no_argument, NULL, 'C'},
        {"name", required_argument, NULL, 'n'},
        {"out", required_argument, NULL, 'o'},
        {"days", required_argument, NULL, 'd'},
        {"p12-password", required_argument, NULL, 'p'},
        {"p12-password-file", required_argument, NULL, 'P'},
        {"ca", required_argument, NULL, 'a'},
        {"role", required_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *site = NULL, *holder = NULL, *outdir = NULL, *ca_dir = NULL;
    bool reader = false;
    const char *pw_arg = NULL, *pw_file = NULL;
    bool csirt = false;
    unsigned days = CERT_DAYS_DEFAULT;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 's':
            site = optarg;
            break;
        case 'C':
            csirt = true;
            break;
        case 'n':
            holder = optarg;
            break;
        case 'o':
            outdir = optarg;
            break;
        case 'd':
            if (parse_uint("days", optarg, 1, 36525, &days))
                return TS_EXIT_USAGE;
            break;
        case 'p':
            pw_arg = optarg;
            break;
        case 'P':
            pw_file = optarg;
            break;
        case 'a':
            ca_dir = optarg;
            break;
        case 'R':
            if (strcmp(optarg, "reader") != 0 && strcmp(optarg, "admin") != 0) {
                fprintf(stderr, "tocsin: --role takes reader or admin\n");
                return TS_EXIT_USAGE;
            }
            reader = optarg[0] == 'r';
            break;
        case 'h':
            cert_usage(stdout);
            return TS_EXIT_OK;
        default:
            ts_cli_usage_error("cert", NULL);
            return TS_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "tocsin: cert issue takes no arguments besides its options\n");
        return TS_EXIT_USAGE;
    }
    if ((site == NULL) == !csirt) {
        fprintf(stderr, "tocsin: cert issue needs exactly one of --site NAME and --csirt\n");
        return TS_EXIT_USAGE;
    }
    if (holder == NULL || outdir == NULL) {
        fprintf(stderr, "tocsin: cert issue needs --name HOLDER and --out DIR\n");
        return TS_EXIT_USAGE;
    }
    if (!ts_cert_holder_valid(holder)) {
        fprintf(stderr, "tocsin: --name: 1..%d bytes of printable UTF-8\n", TS_HOLDER_MAX);
        return TS_EXIT_USAGE;
    }
    if (pw_arg && pw_file) {
        fprintf(stderr, "tocsin: give --p12-password or --p12-password-file, not both\n");
        return TS_EXIT_USAGE;
    }
    char password[PASSWORD_MAX + 2] = "";
    if (pw_file && read_password_file(pw_file, password, sizeof password) != 0)
        return TS_EXIT_USAGE;
    if (pw_arg) {
        if (strlen(pw_arg) > PASSWORD_MAX) {
            fprintf(stderr, "tocsin: --p12-password: at most %d bytes\n", PASSWORD_MAX);
            return TS_EXIT_USAGE;
        }
        snprintf(password, sizeof password, "%s", pw_arg);
    }

    ts_store_t *st = NULL;
    ts_ca_t *ca = NULL;
    int rc = TS_EXIT_FAIL;
    int r = ts_cli_open(cli, &st);
    if (r)
        goto out;
    ts_cert_request_t req = {
        .csirt = csirt,
        .holder = holder,
        .reader = reader,
        .not_before = TS_TIME_NONE,
    };
    if (site) {
        r = ts_store_site_find(st, site, &req.site_id);
        if (r) {
            fprintf(stderr, "tocsin: %s: %s\n", site,
                    r == TS_ENOENT ? "no such site" : ts_store_errmsg(st));
            rc = ts_cli_exit_code(r);
            goto out;
        }
    }
    req.not_before = ts_time_now() - 60 * INT64_C(1000000);
    req.not_after = req.not_before + (int64_t)days * US_PER_DAY;
    r = open_ca(cli, ca_dir, &ca);
    if (r) {
        rc = r == TS_ENOENT ? TS_EXIT_NOTFOUND : TS_EXIT_FAIL;
        goto out;
    }
    if (mkdir(outdir, 0700) != 0 && errno != EEXIST) {
        fprintf(stderr, "tocsin: %s: %s\n", outdir, strerror(errno));
        goto out;
    }
    char base[512];
    file_base(csirt ? "csirt" : site, holder, base, sizeof base);
    ts_issued_t is;
    char err[512];
    r = ts_ca_issue(ca, st, &req, outdir, base, password, &is, err, sizeof err);
    if (r) {
        fprintf(stderr, "tocsin: cert issue: %s\n", err);
        rc = ts_cli_exit_code(r);
        goto out;
    }
    if (csirt)
        printf("certificate of %s for the CSIRT (sees the whole constituency)\n", holder);
    else
        printf("certificate of %s for site %s\n", holder, site);
    printf("role        %s\n", reader ? "reader (read only)" : "admin");
    printf("fingerprint %s\n", is.fingerprint);
    printf("serial      %s\n", is.serial);
    printf("certificate %s\n", is.cert_path);
    printf("key         %s\n", is.key_path);
    printf("pkcs12      %s%s\n", is.p12_path, password[0] ? "" : " (no password)");
    rc = TS_EXIT_OK;
out:
    explicit_bzero(password, sizeof password);
    ts_ca_close(ca);
    ts_store_close(st);
    return rc;
}

/* ---- cert list ------------------------------------------------------------------ */

struct list_ctx {
    bool json;
    int64_t site_id; /* 0: all */
    ts_buf_t buf;
};

static int list_one(const ts_cert_rec_t *r, void *vctx)
{
    struct list_ctx *c = vctx;
    if (c->site_id && (r->csirt || r->site_id != c->site_id))
        return 0;
    char nb[40], na[40], rv[40];
    fmt_time(r->not_before, nb, sizeof nb);
    fmt_time(r->not_after, na, sizeof na);
    if (r->revoked)
        fmt_time(r->revoked, rv, sizeof rv);
    ts_buf_reset(&c->buf);
    if (c->json) {
        ts_jsonw_t w;
        ts_jsonw_init(&w, &c->buf);
        ts_jsonw_object_begin(&w);
        ts_jsonw_key(&w, "serial");
        ts_jsonw_cstr(&w, r->serial);
        ts_jsonw_key(&w, "fingerprint");
        ts_jsonw_cstr(&w, r->fingerprint);
        ts_jsonw_key(&w, "site");
        if (r->csirt || !r->site_exists)
            ts_jsonw_null(&w);
        else
            ts_jsonw_cstr(&w, r->site_name);
        ts_jsonw_key(&w, "site_removed");
        ts_jsonw_bool(&w, !r->csirt && !r->site_exists);
        ts_jsonw_key(&w, "holder");
        ts_jsonw_cstr(&w, r->holder);
        ts_jsonw_key(&w, "csirt");
        ts_jsonw_bool(&w, r->csirt);
        ts_jsonw_key(&w, "role");
        ts_jsonw_cstr(&w, r->reader ? "reader" : "admin");
        ts_jsonw_key(&w, "not_before");
        ts_jsonw_cstr(&w, nb);
        ts_jsonw_key(&w, "not_after");
        ts_jsonw_cstr(&w, na);
        ts_jsonw_key(&w, "revoked");
        if (r->revoked)
            ts_jsonw_cstr(&w, rv);
        else
            ts_jsonw_null(&w);
        ts_jsonw_object_end(&w);
        ts_buf_putc(&c->buf, '\n');
    } else {
        char sitebuf[80];
        if (r->csirt)
            snprintf(sitebuf, sizeof sitebuf, "-");
        else if (!r->site_exists)
            snprintf(sitebuf, sizeof sitebuf, "(removed #%" PRId64 ")", r->site_id);
        else
            snprintf(sitebuf, sizeof sitebuf, "%s", r->site_name);
        /* The holder was validated on the way in: no control characters. */
        ts_buf_printf(&c->buf, "%-32s  %-64s  %-16s  %-5s  %-20s  %-20s  %-20s  %s\n", r->serial,
                      r->fingerprint, sitebuf, r->csirt ? "yes" : "no", nb, na,
                      r->revoked ? rv : "-", r->holder);
    }
    fwrite(c->buf.data, 1, c->buf.len, stdout);
    return 0;
}

static int cert_list(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"site", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct list_ctx c = {.json = false, .buf = TS_BUF_INIT};
    const char *site = NULL;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'f':
            if (strcmp(optarg, "json") == 0 || strcmp(optarg, "ndjson") == 0)
                c.json = true;
            else if (strcmp(optarg, "table") == 0)
                c.json = false;
            else {
                fprintf(stderr, "tocsin: --format: table or json\n");
                return TS_EXIT_USAGE;
            }
            break;
        case 's':
            site = optarg;
            break;
        case 'h':
            cert_usage(stdout);
            return TS_EXIT_OK;
        default:
            ts_cli_usage_error("cert", NULL);
            return TS_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "tocsin: cert list takes no arguments besides its options\n");
        return TS_EXIT_USAGE;
    }
    ts_store_t *st = NULL;
    int r = ts_cli_open_existing(cli, &st);
    if (r)
        return TS_EXIT_FAIL;
    if (site) {
        r = ts_store_site_find(st, site, &c.site_id);
        if (r) {
            fprintf(stderr, "tocsin: %s: %s\n", site,
                    r == TS_ENOENT ? "no such site" : ts_store_errmsg(st));
            ts_store_close(st);
            return ts_cli_exit_code(r);
        }
    }
    if (!c.json)
        printf("%-32s  %-64s  %-16s  %-5s  %-20s  %-20s  %-20s  %s\n", "SERIAL", "FINGERPRINT",
               "SITE", "CSIRT", "NOT_BEFORE", "NOT_AFTER", "REVOKED", "HOLDER");
    r = ts_store_certs_foreach(st, list_one, &c);
    if (r)
        fprintf(stderr, "tocsin: cert list: %s\n", ts_store_errmsg(st));
    ts_buf_free(&c.buf);
    ts_store_close(st);
    return r ? TS_EXIT_FAIL : TS_EXIT_OK;
}

/* ---- cert revoke ------------------------------------------------------------------ */

/* Accepts what tools print: "4C:1B:..", "4c1b..", "serial=4C1B..". */
static int normalise_key(const char *in, char *out, size_t size)
{
    if (strncmp(in, "serial=", 7) == 0)
        in += 7;
    size_t n = 0;
    for (const char *p = in; *p; p++) {
        char c = *p;
        if (c == ':')
            continue;
        if (c >= 'A' && c <= 'F')
            c = (char)(c - 'A' + 'a');
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) || n + 1 >= size)
            return -1;
        out[n++] = c;
    }
    out[n] = '\0';
    return ts_cert_fingerprint_valid(out) || ts_cert_serial_valid(out) ? 0 : -1;
}

static int cert_revoke(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"ca", required_argument, NULL, 'a'},
        {"hours", required_argument, NULL, 'H'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *ca_dir = NULL;
    unsigned hours = TS_CRL_HOURS_DEFAULT;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'a':
            ca_dir = optarg;
            break;
        case 'H':
            if (parse_uint("hours", optarg, 1, 24 * 366, &hours))
                return TS_EXIT_USAGE;
            break;
        case 'h':
            cert_usage(stdout);
            return TS_EXIT_OK;
        default:
            ts_cli_usage_error("cert", NULL);
            return TS_EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "tocsin: cert revoke takes one SERIAL or FINGERPRINT\n");
        return TS_EXIT_USAGE;
    }
    char key[TS_FINGERPRINT_HEX + 1];
    if (normalise_key(argv[optind], key, sizeof key) != 0) {
        fprintf(stderr, "tocsin: '%s' is neither a serial nor a SHA-256 fingerprint (hex)\n",
                argv[optind]);
        return TS_EXIT_USAGE;
    }
    /* The CA first: a revocation that cannot reach the CRL should not look done. */
    ts_ca_t *ca = NULL;
    int r = open_ca(cli, ca_dir, &ca);
    if (r)
        return r == TS_ENOENT ? TS_EXIT_NOTFOUND : TS_EXIT_FAIL;
    ts_store_t *st = NULL;
    int rc = TS_EXIT_FAIL;
    r = ts_cli_open(cli, &st);
    if (r)
        goto out;
    r = ts_store_cert_revoke(st, key, ts_time_now());
    if (r) {
        fprintf(stderr, "tocsin: %s: %s\n", key,
                r == TS_ENOENT ? "no such certificate" : ts_store_errmsg(st));
        rc = ts_cli_exit_code(r);
        goto out;
    }
    printf("revoked %s\n", key);
    r = write_crl(ca, st, hours);
    if (r) {
        fprintf(stderr, "tocsin: the registry marks it revoked, but the CRL still lists the "
                        "old set: fix the cause and run `tocsin ca crl`\n");
        goto out;
    }
    rc = TS_EXIT_OK;
out:
    ts_store_close(st);
    ts_ca_close(ca);
    return rc;
}

int ts_cmd_cert(ts_cli_t *cli, int argc, char **argv)
{
    static const ts_cli_verb_t verbs[] = {
        {"issue", cert_issue},
        {"list", cert_list},
        {"revoke", cert_revoke},
    };
    return ts_cli_dispatch(cli, argc, argv, "cert", verbs, sizeof verbs / sizeof verbs[0],
                           cert_usage);
}
