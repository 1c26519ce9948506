/* SPDX-License-Identifier: Apache-2.0 */
/* tocsin contact add|set|remove|list|import: a site's contacts, who get its
 * notifications (notify/contact.h says what each field holds). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/event.h"
#include "core/file.h"
#include "core/jsonw.h"
#include "directory/finder.h"
#include "directory/forward.h"
#include "directory/verify.h"
#include "ingest/download.h"
#include "notify/contact.h"
#include "notify/item.h"
#include "notify/pgp.h"
#include "notify/template.h"
#include "output/format.h"
#include "store/notifystore.h"

static void contact_usage(FILE *out)
{
    fprintf(out,
            "Usage:\n"
            "  tocsin contact add --site NAME --email ADDR [OPTIONS]\n"
            "  tocsin contact set --site NAME --email ADDR [--new-email ADDR] [OPTIONS]\n"
            "  tocsin contact remove --site NAME --email ADDR\n"
            "  tocsin contact list [--site NAME] [--format table|json]\n"
            "  tocsin contact import FILE\n"
            "  tocsin contact find ADDRESS|PREFIX|ASN|DOMAIN [--format text|json]\n"
            "         [--cacert FILE] [--rdap URL] [--whois HOST[:PORT]] [--timeout SECONDS]\n"
            "         [--ttl SECONDS] [--no-network] [--no-cache]\n"
            "  tocsin contact verify-due [--kind site|team] [--all] [--format table|json]\n"
            "         [--send --from ADDR --portal URL [--from-name TEXT] [--templates DIR]]\n"
            "  tocsin contact confirm TOKEN\n"
            "  tocsin contact forward EVENT-ID --from ADDR [--side source|destination]\n"
            "         [--from-name TEXT] [--templates DIR] [--dry-run] (and the options of find)\n"
            "\n"
            "A site's contacts get its notifications: mails built from what concerns the\n"
            "site (new matched advisories; incidents and scan findings), signed with the\n"
            "CSIRT's OpenPGP key and encrypted to the contact's key when it has one.\n"
            "\n"
            "Options of add and set (set changes only what is given):\n"
            "  --name TEXT            the contact's name\n"
            "  --role R               abuse, security, technical or management (repeat, or\n"
            "                         comma-separated; default abuse)\n"
            "  --key FILE             the contact's OpenPGP public key (ASCII armour); it is\n"
            "                         checked: one public key that can encrypt and has not\n"
            "                         expired. --no-key removes it\n"
            "  --smime-cert FILE      the contact's S/MIME certificate (PEM, optionally\n"
            "                         followed by its chain); checked: it parses, has not\n"
            "                         expired and may encrypt. --no-smime-cert removes it\n"
            "  --crypto auto|pgp|smime\n"
            "                         OpenPGP or S/MIME mail (default auto: OpenPGP with a\n"
            "                         key, S/MIME with only a certificate when the CSIRT\n"
            "                         has an S/MIME identity)\n"
            "  --phone NUMBER         digits, spaces and + ( ) - / .\n"
            "  --lang en|de           the language of the mails (default en)\n"
            "  --tz ZONE              the contact's time zone (\"Europe/Berlin\"; default UTC)\n"
            "  --hours \"DAYS HH:MM-HH:MM\"\n"
            "                         working hours, e.g. \"Mon-Fri 08:00-17:00\": outside\n"
            "                         them only urgent mail is sent (default: any time)\n"
            "  --immediate PRIORITY   the lowest priority sent at once: low, medium, high,\n"
            "                         critical (default) or none\n"
            "  --immediate-type TYPE  an RSIT type always sent at once (repeatable)\n"
            "  --never TYPE           an RSIT type never sent (repeatable)\n"
            "  --digest hourly|daily|none\n"
            "                         how the rest is sent (default daily)\n"
            "  --iodef, --no-iodef    attach IODEF besides CSV when there is one\n"
            "\n"
            "`contact import` reads contacts of any sites from a CSV file (a header line\n"
            "naming the columns site, email and any of name, roles, phone, lang, tz,\n"
            "hours, immediate, digest, immediate_types, never_types, iodef, pgp_key,\n"
            "smime_cert, crypto) or a JSON file {\"contacts\": [{\"site\": ..., \"email\": ...}]}\n"
            "with the same names; a contact that exists (same site and address) is\n"
            "changed. Every row is checked first: one bad row changes nothing.\n"
            "`contact list --format json` writes one JSON object per line.\n"
            "`contact find` says who to tell about something, and where the answer came\n"
            "from: the site owning it; else the listed or accredited team whose\n"
            "constituency covers it most specifically (`tocsin team`); else RDAP (the\n"
            "abuse entity; the server from the bootstrap files `tocsin rdap bootstrap\n"
            "update` keeps, or --rdap URL); else whois (from --whois, default\n"
            "whois.iana.org, following referrals); else it says plainly that nothing was\n"
            "found (exit 3). Each step that fails is named in the trail and the next is\n"
            "tried. Network answers are cached for --ttl (default one day); each network\n"
            "step is limited to --timeout seconds (default 10) and a bounded size.\n"
            "`contact forward` sends an event about an address outside the constituency\n"
            "to the contact `contact find` names for it (the source's address unless a\n"
            "site owns it, or --side), through the outbox. TLP is honoured: AMBER+STRICT\n"
            "and RED never leave the CSIRT (exit 4); an unlabelled event goes as AMBER.\n"
            "`contact verify-due` lists the site and team contacts that are not verified\n"
            "(--all: every contact) with their state: verified (confirmed within six\n"
            "months), stale (asked to confirm, within 30 days) or unverified. With --send\n"
            "it queues a mail with a single-use link (URL/public/verify?token=...) in the\n"
            "outbox for each that is due; `tocsin notify run` and `serve --notify-smtp`\n"
            "do the same every hour. `contact confirm TOKEN` confirms by hand (a reply).\n"
            "Exit codes: 2 usage or a refused field, 3 unknown site or contact (or no\n"
            "contact found), 4 the address exists, 1 other failures.\n");
}

/* The options of add and set, as given. */
struct opts {
    const char *site, *email, *new_email, *key_file, *cert_file;
    ts_contact_in_t in;
    ts_buf_t roles, imm_types, never;
    char *key, *cert;
    bool no_key, no_cert;
};

static void opts_free(struct opts *o)
{
    ts_buf_free(&o->roles);
    ts_buf_free(&o->imm_types);
    ts_buf_free(&o->never);
    free(o->key);
    free(o->cert);
}

static void list_add(ts_buf_t *b, const char *v)
{
    if (b->len)
        ts_buf_putc(b, ',');
    ts_buf_puts(b, v);
}

static int parse(int argc, char **argv, bool set, struct opts *o)
{
    static const struct option opts[] = {
        {"site", required_argument, NULL, 's'},
        {"email", required_argument, NULL, 'e'},
        {"new-email", required_argument, NULL, 'E'},
        {"name", required_argument, NULL, 'n'},
        {"role", required_argument, NULL, 'r'},
        {"key", required_argument, NULL, 'k'},
        {"no-key", no_argument, NULL, 'K'},
        {"smime-cert", required_argument, NULL, 'c'},
        {"no-smime-cert", no_argument, NULL, 'C'},
        {"crypto", required_argument, NULL, 'x'},
        {"phone", required_argument, NULL, 'p'},
        {"lang", required_argument, NULL, 'l'},
        {"tz", required_argument, NULL, 'z'},
        {"hours", required_argument, NULL, 'H'},
        {"immediate", required_argument, NULL, 'i'},
        {"immediate-type", required_argument, NULL, 'I'},
        {"never", required_argument, NULL, 'N'},
        {"digest", required_argument, NULL, 'd'},
        {"iodef", no_argument, NULL, 'o'},
        {"no-iodef", no_argument, NULL, 'O'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 's':
            o->site = optarg;
            break;
        case 'e':
            o->email = optarg;
            break;
        case 'E':
            o->new_email = optarg;
            break;
        case 'n':
            o->in.name = optarg;
            break;
        case 'r':
            list_add(&o->roles, optarg);
            break;
        case 'k':
            o->key_file = optarg;
            break;
        case 'K':
            o->no_key = true;
            break;
        case 'c':
            o->cert_file = optarg;
            break;
        case 'C':
            o->no_cert = true;
            break;
        case 'x':
            o->in.crypto = optarg;
            break;
        case 'p':
            o->in.phone = optarg;
            break;
        case 'l':
            o->in.lang = optarg;
            break;
        case 'z':
            o->in.tz = optarg;
            break;
        case 'H':
            o->in.hours = optarg;
            break;
        case 'i':
            o->in.immediate = optarg;
            break;
        case 'I':
            list_add(&o->imm_types, optarg);
            break;
        case 'N':
            list_add(&o->never, optarg);
            break;
        case 'd':
            o->in.digest = optarg;
            break;
        case 'o':
            o->in.iodef = "true";
            break;
        case 'O':
            o->in.iodef = "false";
            break;
        case 'h':
            contact_usage(stdout);
            return 1;
        default:
            ts_cli_usage_error("contact", NULL);
            return -1;
        }
    }
    if (optind != argc || o->site == NULL || o->email == NULL) {
        ts_cli_usage_error("contact",
                           "contact %s needs --site NAME and --email ADDR, and no "
                           "other arguments",
                           set ? "set" : "add");
        return -1;
    }
    if (!set && (o->new_email || o->no_key)) {
        ts_cli_usage_error("contact", "--new-email and --no-key are options of contact set");
        return -1;
    }
    if (o->no_key && o->key_file) {
        ts_cli_usage_error("contact", "give --key FILE or --no-key, not both");
        return -1;
    }
    if (o->no_cert && (o->cert_file || !set)) {
        ts_cli_usage_error("contact", "--no-smime-cert is an option of contact set, without "
                                      "--smime-cert");
        return -1;
    }
    char why[256];
    if (o->key_file && ts_file_read(o->key_file, TS_PGP_KEY_MAX, TS_FILE_REGULAR, &o->key, NULL,
                                    why, sizeof why) != 0) {
        fprintf(stderr, "tocsin: --key %s: %s\n", o->key_file, why);
        return -1;
    }
    if (o->cert_file && ts_file_read(o->cert_file, 64 * 1024, TS_FILE_REGULAR, &o->cert, NULL, why,
                                     sizeof why) != 0) {
        fprintf(stderr, "tocsin: --smime-cert %s: %s\n", o->cert_file, why);
        return -1;
    }
    o->in.email = set ? o->new_email : o->email;
    o->in.roles = o->roles.len ? o->roles.data : NULL;
    o->in.immediate_types = o->imm_types.len ? o->imm_types.data : NULL;
    o->in.never_types = o->never.len ? o->never.data : NULL;
    o->in.pgp_key = o->no_key ? "" : o->key;
    o->in.smime_cert = o->no_cert ? "" : o->cert;
    return 0;
}

static int find_site(ts_store_t *st, const char *site, int64_t *id)
{
    int r = ts_store_site_find(st, site, id);
    if (r)
        fprintf(stderr, "tocsin: %s: %s\n", site,
                r == TS_ENOENT ? "no such site" : ts_store_errmsg(st));
    return r;
}

/* A refused field is a usage error (2); the rest as their codes say. */
static int put_exit(int r)
{
    return r == TS_EINVAL ? TS_EXIT_USAGE : ts_cli_exit_code(r);
}

static int add_or_set(ts_cli_t *cli, int argc, char **argv, bool set)
{
    struct opts o;
    memset(&o, 0, sizeof o);
    int p = parse(argc, argv, set, &o);
    if (p != 0) {
        opts_free(&o);
        return p > 0 ? TS_EXIT_OK : TS_EXIT_USAGE;
    }
    ts_store_t *st = NULL;
    int64_t site = 0, id = 0;
    int r = set ? ts_cli_open_existing(cli, &st) : ts_cli_open(cli, &st);
    if (r == 0)
        r = find_site(st, o.site, &site);
    if (r == 0 && set) {
        r = ts_store_ncontact_find(st, site, o.email, &id);
        if (r)
            fprintf(stderr, "tocsin: %s has no contact %s\n", o.site, o.email);
    }
    char err[512] = "";
    if (r == 0) {
        r = ts_contact_put(st, site, id, &o.in, ts_time_now(), &id, err, sizeof err);
        if (r)
            fprintf(stderr, "tocsin: contact %s: %s\n", set ? "set" : "add", err);
    }
    if (r == 0)
        printf("contact %s of %s %s (id %lld)\n", o.new_email ? o.new_email : o.email, o.site,
               set ? "changed" : "added", (long long)id);
    ts_store_close(st);
    opts_free(&o);
    return r == 0 ? TS_EXIT_OK : put_exit(r);
}

static int contact_add(ts_cli_t *cli, int argc, char **argv)
{
    return add_or_set(cli, argc, argv, false);
}

static int contact_set(ts_cli_t *cli, int argc, char **argv)
{
    return add_or_set(cli, argc, argv, true);
}

static int contact_remove(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"site", required_argument, NULL, 's'},
        {"email", required_argument, NULL, 'e'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *site = NULL, *email = NULL;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (ch == 's')
            site = optarg;
        else if (ch == 'e')
            email = optarg;
        else if (ch == 'h') {
            contact_usage(stdout);
            return TS_EXIT_OK;
        } else {
            ts_cli_usage_error("contact", NULL);
            return TS_EXIT_USAGE;
        }
    }
    if (optind != argc || site == NULL || email == NULL) {
        ts_cli_usage_error("contact", "contact remove needs --site NAME and --email ADDR");
        return TS_EXIT_USAGE;
    }
    ts_store_t *st = NULL;
    int64_t sid = 0, id = 0;
    int r = ts_cli_open_existing(cli, &st);
    if (r == 0)
        r = find_site(st, site, &sid);
    if (r == 0 && (r = ts_store_ncontact_find(st, sid, email, &id)) == 0)
        r = ts_store_ncontact_remove(st, sid, id);
    if (r == TS_ENOENT && sid)
        fprintf(stderr, "tocsin: %s has no contact %s\n", site, email);
    else if (r && sid)
        fprintf(stderr, "tocsin: contact remove: %s\n", ts_store_errmsg(st));
    if (r == 0)
        printf("contact %s of %s removed\n", email, site);
    ts_store_close(st);
    return r == 0 ? TS_EXIT_OK : ts_cli_exit_code(r);
}

struct list_ctx {
    bool json;
    int64_t now;
    ts_buf_t buf;
};

static int list_one(const ts_contact_rec_t *c, void *ctx)
{
    struct list_ctx *l = ctx;
    ts_buf_reset(&l->buf);
    if (l->json) {
        ts_jsonw_t w;
        ts_jsonw_init(&w, &l->buf);
        ts_contact_json(&w, c, l->now);
        ts_buf_putc(&l->buf, '\n');
    } else {
        char roles[64];
        /* Every field was checked on the way in: no control characters. */
        const char *cert = c->smime_cert[0] == '\0'                              ? "none"
                           : c->smime_expires != 0 && c->smime_expires <= l->now ? "expired"
                                                                                 : "ok";
        ts_buf_printf(&l->buf, "%-16s  %-32s  %-24s  %-4s  %-9s  %-6s  %-7s  %-7s  %-5s  %s\n",
                      c->site_name, c->email, ts_roles_text(c->roles, roles, sizeof roles), c->lang,
                      c->immediate ? ts_prio_name(c->immediate) : "none", ts_digest_name(c->digest),
                      ts_contact_key_state(c, l->now), cert, ts_crypto_name(c->crypto), c->name);
    }
    fwrite(l->buf.data, 1, l->buf.len, stdout);
    return 0;
}

static int contact_list(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"site", required_argument, NULL, 's'},
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *site = NULL;
    struct list_ctx l = {.buf = TS_BUF_INIT, .now = ts_time_now()};
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (ch == 's') {
            site = optarg;
        } else if (ch == 'f') {
            if (strcmp(optarg, "json") != 0 && strcmp(optarg, "table") != 0) {
                ts_cli_usage_error("contact", "--format: table or json");
                return TS_EXIT_USAGE;
            }
            l.json = optarg[0] == 'j';
        } else if (ch == 'h') {
            contact_usage(stdout);
            return TS_EXIT_OK;
        } else {
            ts_cli_usage_error("contact", NULL);
            return TS_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        ts_cli_usage_error("contact", "contact list takes no arguments besides its options");
        return TS_EXIT_USAGE;
    }
    ts_store_t *st = NULL;
    int64_t sid = 0;
    int r = ts_cli_open_existing(cli, &st);
    if (r == 0 && site)
        r = find_site(st, site, &sid);
    if (r == 0 && !l.json)
        printf("%-16s  %-32s  %-24s  %-4s  %-9s  %-6s  %-7s  %-7s  %-5s  %s\n", "SITE", "EMAIL",
               "ROLES", "LANG", "IMMEDIATE", "DIGEST", "KEY", "SMIME", "MAIL", "NAME");
    if (r == 0 && (r = ts_store_ncontacts_foreach(st, sid, list_one, &l)) != 0)
        fprintf(stderr, "tocsin: contact list: %s\n", ts_store_errmsg(st));
    ts_buf_free(&l.buf);
    ts_store_close(st);
    return r == 0 ? TS_EXIT_OK : ts_cli_exit_code(r);
}

static int contact_import(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (ch == 'h') {
            contact_usage(stdout);
            return TS_EXIT_OK;
        }
        ts_cli_usage_error("contact", NULL);
        return TS_EXIT_USAGE;
    }
    if (optind + 1 != argc) {
        ts_cli_usage_error("contact", "contact import takes one FILE");
        return TS_EXIT_USAGE;
    }
    const char *path = argv[optind];
    char *data = NULL, err[512] = "";
    size_t len = 0;
    int r =
        ts_file_read(path, TS_CONTACT_IMPORT_MAX, TS_FILE_REGULAR, &data, &len, err, sizeof err);
    if (r) {
        fprintf(stderr, "tocsin: %s: %s\n", path, err);
        return r == TS_ENOENT ? TS_EXIT_NOTFOUND : TS_EXIT_FAIL;
    }
    ts_contact_import_t *imp = NULL;
    r = ts_contact_import_parse(data, len, &imp, err, sizeof err);
    free(data);
    if (r) {
        fprintf(stderr, "tocsin: %s: %s\n", path, err);
        return TS_EXIT_USAGE;
    }
    ts_store_t *st = NULL;
    ts_contact_import_stats_t stats = {0};
    r = ts_cli_open(cli, &st);
    if (r == 0 &&
        (r = ts_contact_import_apply(st, imp, ts_time_now(), &stats, err, sizeof err)) != 0)
        fprintf(stderr, "tocsin: %s: %s (nothing imported)\n", path, err);
    if (r == 0)
        printf("%zu contacts added, %zu changed\n", stats.added, stats.changed);
    ts_contact_import_free(imp);
    ts_store_close(st);
    return r == 0 ? TS_EXIT_OK : put_exit(r);
}

/* The options of the contact chain, shared by find and forward. */
#define FINDER_OPTIONS                                                                             \
    {"cacert", required_argument, NULL, 'c'}, {"rdap", required_argument, NULL, 'r'},              \
        {"whois", required_argument, NULL, 'w'}, {"timeout", required_argument, NULL, 't'},        \
        {"ttl", required_argument, NULL, 'T'}, {"no-network", no_argument, NULL, 'N'},             \
    {                                                                                              \
        "no-cache", no_argument, NULL, 'C'                                                         \
    }

struct finder_args {
    ts_finder_opts_t fo;
    char whois_host[TS_WHOIS_HOST_MAX];
};

/* One of FINDER_OPTIONS into a. \retval 1 taken, 0 not one of them, -1 bad
 * value (said). */
static int finder_opt(int ch, struct finder_args *a)
{
    char *end = NULL;
    long v = 0;
    if (ch == 't' || ch == 'T') {
        v = strtol(optarg, &end, 10);
        if (*end || v <= 0 || v > (ch == 't' ? 300 : 365L * 86400)) {
            ts_cli_usage_error("contact", "--%s: a number of seconds",
                               ch == 't' ? "timeout" : "ttl");
            return -1;
        }
    }
    switch (ch) {
    case 'c':
        a->fo.cacert = optarg;
        return 1;
    case 'r':
        if (!ts_download_url_ok(optarg)) {
            ts_cli_usage_error("contact", "--rdap: an https URL");
            return -1;
        }
        a->fo.rdap_base = optarg;
        return 1;
    case 'w': {
        snprintf(a->whois_host, sizeof a->whois_host, "%s", optarg);
        char *colon = strrchr(a->whois_host, ':');
        if (colon && strchr(a->whois_host, ':') == colon) {
            v = strtol(colon + 1, &end, 10);
            if (*end || v <= 0 || v > 65535) {
                ts_cli_usage_error("contact", "--whois HOST[:PORT]");
                return -1;
            }
            *colon = '\0';
            a->fo.whois_port = (int)v;
        }
        a->fo.whois_host = a->whois_host;
        return 1;
    }
    case 't':
        a->fo.timeout_ms = (int)v * 1000;
        return 1;
    case 'T':
        a->fo.ttl_us = v * 1000000LL;
        return 1;
    case 'N':
        a->fo.no_network = true;
        return 1;
    case 'C':
        a->fo.no_cache = true;
        return 1;
    default:
        return 0;
    }
}

static int contact_find(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        FINDER_OPTIONS,
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct finder_args fa = {0};
    bool json = false;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int t = finder_opt(ch, &fa);
        if (t < 0)
            return TS_EXIT_USAGE;
        if (t > 0)
            continue;
        if (ch == 'f') {
            if (strcmp(optarg, "json") != 0 && strcmp(optarg, "text") != 0) {
                ts_cli_usage_error("contact", "--format: text or json");
                return TS_EXIT_USAGE;
            }
            json = optarg[0] == 'j';
        } else if (ch == 'h') {
            contact_usage(stdout);
            return TS_EXIT_OK;
        } else {
            ts_cli_usage_error("contact", NULL);
            return TS_EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        ts_cli_usage_error("contact", "contact find takes one ADDRESS, PREFIX, ASN or DOMAIN");
        return TS_EXIT_USAGE;
    }
    const char *query = argv[optind];
    ts_store_t *st = NULL;
    ts_finder_t *f = NULL;
    ts_contact_answer_t a;
    int64_t now = ts_time_now();
    int r = ts_cli_open_existing(cli, &st);
    if (r == 0 && (r = ts_finder_new(st, &fa.fo, &f)) != 0)
        fprintf(stderr, "tocsin: contact find: %s (%s)\n", ts_strerror(r), ts_store_errmsg(st));
    if (r == 0 && (r = ts_finder_find(f, query, now, &a)) != 0) {
        ts_cli_usage_error("contact", "%s: not an address, prefix, ASN or domain", query);
        r = TS_EINVAL;
    }
    if (r == 0 && json) {
        ts_buf_t b = TS_BUF_INIT;
        ts_jsonw_t w;
        ts_jsonw_init(&w, &b);
        ts_contact_answer_json(&a, now, &w);
        ts_buf_putc(&b, '\n');
        fwrite(b.data, 1, b.len, stdout);
        ts_buf_free(&b);
    } else if (r == 0 && a.email[0]) {
        printf("%s: %s (source: %s%s%s, object: %s%s%s, %s)\n", a.query, a.email, a.source,
               a.name[0] ? " " : "", a.name, a.object, a.server[0] ? ", server: " : "", a.server,
               a.verified ? "verified" : "not verified");
    } else if (r == 0) {
        printf("%s: no contact found\n", a.query);
        if (a.trail[0])
            printf("  tried: %s\n", a.trail);
    }
    ts_finder_free(f);
    ts_store_close(st);
    if (r == 0 && a.email[0] == '\0')
        return TS_EXIT_NOTFOUND;
    return r == 0 ? TS_EXIT_OK : ts_cli_exit_code(r);
}

/* The mail templates: --templates DIR, else the installed ones. NULL (said)
 * when they do not load. */
static ts_tpl_set_t *load_templates(const char *dir)
{
    char buf[4096], err[512];
    ts_tpl_set_t *t = NULL;
    const char *d = dir ? dir : ts_tpl_default_dir(buf, sizeof buf);
    if (ts_tpl_set_load(d, &t, err, sizeof err) != 0) {
        fprintf(stderr, "tocsin: templates: %s\n", err);
        return NULL;
    }
    return t;
}

struct due_ctx {
    const char *kind;
    bool all, json;
    ts_buf_t buf;
};

static int on_due(const ts_verify_item_t *it, void *ctx)
{
    struct due_ctx *d = ctx;
    if ((d->kind && strcmp(d->kind, it->kind) != 0) || (!d->all && it->state == TS_VERIFIED))
        return 0;
    char v[64] = "never", s[64] = "never";
    if (it->verified_at)
        ts_time_format_utc(it->verified_at, v, sizeof v);
    if (it->sent_at)
        ts_time_format_utc(it->sent_at, s, sizeof s);
    if (d->json) {
        ts_jsonw_t w;
        ts_jsonw_init(&w, &d->buf);
        ts_jsonw_object_begin(&w);
        ts_jsonw_key(&w, "kind");
        ts_jsonw_cstr(&w, it->kind);
        ts_jsonw_key(&w, "owner");
        ts_jsonw_cstr(&w, it->owner);
        ts_jsonw_key(&w, "email");
        ts_jsonw_cstr(&w, it->email);
        ts_jsonw_key(&w, "state");
        ts_jsonw_cstr(&w, ts_verify_state_name(it->state));
        ts_jsonw_key(&w, "verified");
        ts_jsonw_cstr(&w, v);
        ts_jsonw_key(&w, "asked");
        ts_jsonw_cstr(&w, s);
        ts_jsonw_key(&w, "due");
        ts_jsonw_bool(&w, it->due);
        ts_jsonw_object_end(&w);
        ts_buf_putc(&d->buf, '\n');
    } else {
        ts_buf_printf(&d->buf, "%-4s  %-20.20s  %-10s  %-27s  %-27s  ", it->kind, it->owner,
                      ts_verify_state_name(it->state), v, s);
        ts_format_table_cell(&d->buf, it->email, 0, false);
        ts_buf_putc(&d->buf, '\n');
    }
    return 0;
}

static int contact_verify_due(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"kind", required_argument, NULL, 'k'},   {"all", no_argument, NULL, 'a'},
        {"format", required_argument, NULL, 'f'}, {"send", no_argument, NULL, 's'},
        {"from", required_argument, NULL, 'F'},   {"from-name", required_argument, NULL, 'n'},
        {"portal", required_argument, NULL, 'p'}, {"templates", required_argument, NULL, 'M'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    struct due_ctx d = {.buf = TS_BUF_INIT};
    const char *templates = NULL;
    ts_verify_opts_t vo = {.dry_run = true};
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'k':
            if (strcmp(optarg, "site") != 0 && strcmp(optarg, "team") != 0) {
                ts_cli_usage_error("contact", "--kind: site or team");
                return TS_EXIT_USAGE;
            }
            d.kind = optarg;
            break;
        case 'a':
            d.all = true;
            break;
        case 'f':
            if (strcmp(optarg, "json") != 0 && strcmp(optarg, "table") != 0) {
                ts_cli_usage_error("contact", "--format: table or json");
                return TS_EXIT_USAGE;
            }
            d.json = optarg[0] == 'j';
            break;
        case 's':
            vo.dry_run = false;
            break;
        case 'F':
            vo.from = optarg;
            break;
        case 'n':
            vo.from_name = optarg;
            break;
        case 'p':
            vo.portal_url = optarg;
            break;
        case 'M':
            templates = optarg;
            break;
        case 'h':
            contact_usage(stdout);
            return TS_EXIT_OK;
        default:
            ts_cli_usage_error("contact", NULL);
            return TS_EXIT_USAGE;
        }
    }
    if (optind != argc || (!vo.dry_run && (vo.from == NULL || vo.portal_url == NULL))) {
        ts_cli_usage_error("contact", "contact verify-due takes options only; --send needs "
                                      "--from ADDR and --portal URL");
        return TS_EXIT_USAGE;
    }
    if (vo.portal_url && strncmp(vo.portal_url, "https://", 8) != 0) {
        ts_cli_usage_error("contact", "--portal: an https URL");
        return TS_EXIT_USAGE;
    }
    if (!d.json)
        ts_buf_printf(&d.buf, "%-4s  %-20s  %-10s  %-27s  %-27s  %s\n", "KIND", "OWNER", "STATE",
                      "VERIFIED", "ASKED", "EMAIL");
    ts_tpl_set_t *tpl = NULL;
    if (!vo.dry_run && (tpl = load_templates(templates)) == NULL) {
        ts_buf_free(&d.buf);
        return TS_EXIT_FAIL;
    }
    vo.tpl = tpl;
    ts_store_t *st = NULL;
    size_t queued = 0;
    int r = ts_cli_open_existing(cli, &st);
    if (r == 0 && (r = ts_verify_run(st, &vo, ts_time_now(), on_due, &d, &queued)) != 0)
        fprintf(stderr, "tocsin: contact verify-due: %s (%s)\n", ts_strerror(r),
                ts_store_errmsg(st));
    if (r == 0) {
        fwrite(d.buf.data, 1, d.buf.len, stdout);
        if (!vo.dry_run)
            fprintf(stderr, "%zu verification mails queued\n", queued);
    }
    ts_tpl_set_free(tpl);
    ts_buf_free(&d.buf);
    ts_store_close(st);
    return ts_cli_exit_code(r);
}

static int contact_confirm(ts_cli_t *cli, int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        if (argc == 2 && strcmp(argv[1], "--help") == 0) {
            contact_usage(stdout);
            return TS_EXIT_OK;
        }
        ts_cli_usage_error("contact", "contact confirm takes one TOKEN");
        return TS_EXIT_USAGE;
    }
    ts_store_t *st = NULL;
    char email[TS_ADDR_MAX + 1] = "";
    int r = ts_cli_open_existing(cli, &st);
    if (r == 0)
        r = ts_verify_confirm(st, argv[1], ts_time_now(), email);
    if (r == 0)
        printf("%s confirmed\n", email);
    else if (r == TS_ERANGE)
        fprintf(stderr, "tocsin: contact confirm: the token has expired\n");
    else if (r == TS_ENOENT || r == TS_EINVAL)
        fprintf(stderr, "tocsin: contact confirm: unknown token, or used already\n");
    ts_store_close(st);
    return r == TS_ERANGE ? TS_EXIT_CONFLICT : ts_cli_exit_code(r == TS_EINVAL ? TS_ENOENT : r);
}

static int contact_forward(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"side", required_argument, NULL, 's'},
        {"from", required_argument, NULL, 'F'},
        {"from-name", required_argument, NULL, 'n'},
        {"dry-run", no_argument, NULL, 'd'},
        {"templates", required_argument, NULL, 'M'},
        FINDER_OPTIONS,
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct finder_args fa = {0};
    ts_forward_opts_t o = {0};
    const char *templates = NULL;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int t = finder_opt(ch, &fa);
        if (t < 0)
            return TS_EXIT_USAGE;
        if (t > 0)
            continue;
        if (ch == 's' && (strcmp(optarg, "source") == 0 || strcmp(optarg, "destination") == 0)) {
            o.side = optarg[0] == 's' ? TS_FORWARD_SOURCE : TS_FORWARD_DESTINATION;
        } else if (ch == 'F') {
            o.from = optarg;
        } else if (ch == 'n') {
            o.from_name = optarg;
        } else if (ch == 'd') {
            o.dry_run = true;
        } else if (ch == 'M') {
            templates = optarg;
        } else if (ch == 'h') {
            contact_usage(stdout);
            return TS_EXIT_OK;
        } else {
            ts_cli_usage_error("contact", ch == 's' ? "--side: source or destination" : NULL);
            return TS_EXIT_USAGE;
        }
    }
    char *end = NULL;
    long long id = optind + 1 == argc ? strtoll(argv[optind], &end, 10) : 0;
    if (id <= 0 || *end || (!o.dry_run && o.from == NULL)) {
        ts_cli_usage_error("contact", "contact forward takes one EVENT-ID and --from ADDR");
        return TS_EXIT_USAGE;
    }
    ts_tpl_set_t *tpl = NULL;
    if (!o.dry_run && (tpl = load_templates(templates)) == NULL)
        return TS_EXIT_FAIL;
    o.tpl = tpl;
    ts_store_t *st = NULL;
    ts_finder_t *f = NULL;
    ts_forward_result_t res;
    const char *why = "";
    int r = ts_cli_open_existing(cli, &st);
    if (r == 0 && (r = ts_finder_new(st, &fa.fo, &f)) == 0)
        r = ts_forward_event(st, f, id, &o, ts_time_now(), &res, &why);
    int x = TS_EXIT_OK;
    if (r == 0) {
        printf("event %lld: %s -> %s (%s%s%s, TLP:%s)%s\n", id, res.address, res.contact.email,
               res.contact.source, res.contact.name[0] ? " " : "", res.contact.name, res.tlp,
               o.dry_run ? ", not sent (--dry-run)" : ", queued in the outbox");
    } else if (r == TS_EDENIED || r == TS_ECONFLICT) {
        fprintf(stderr, "tocsin: contact forward %lld: refused: %s\n", id, why);
        x = TS_EXIT_CONFLICT;
    } else if (r == TS_EAGAIN) {
        fprintf(stderr, "tocsin: contact forward %lld: no contact found for %s (%s)\n", id,
                res.address, res.contact.trail);
        x = TS_EXIT_NOTFOUND;
    } else if (r == TS_ENOENT) {
        fprintf(stderr, "tocsin: contact forward: no event %lld\n", id);
        x = TS_EXIT_NOTFOUND;
    } else {
        fprintf(stderr, "tocsin: contact forward %lld: %s\n", id, ts_strerror(r));
        x = ts_cli_exit_code(r);
    }
    ts_finder_free(f);
    ts_store_close(st);
    ts_tpl_set_free(tpl);
    return x;
}

int ts_cmd_contact(ts_cli_t *cli, int argc, char **argv)
{
    static const ts_cli_verb_t verbs[] = {
        {"add", contact_add},         {"set", contact_set},
        {"remove", contact_remove},   {"list", contact_list},
        {"import", contact_import},   {"find", contact_find},
        {"forward", contact_forward}, {"verify-due", contact_verify_due},
        {"confirm", contact_confirm},
    };
    return ts_cli_dispatch(cli, argc, argv, "contact", verbs, sizeof verbs / sizeof verbs[0],
                           contact_usage);
}
