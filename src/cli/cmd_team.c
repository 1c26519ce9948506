/* SPDX-License-Identifier: Apache-2.0 */
/* tocsin team: the directory of other CSIRTs and the listing and
 * accreditation process (store/teamstore.h enforces its rules; a refused
 * step exits 4 with the rule). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/event.h"
#include "core/file.h"
#include "core/ip.h"
#include "core/jsonw.h"
#include "directory/teamfmt.h"
#include "directory/teamimport.h"
#include "output/format.h"
#include "store/teamstore.h"

static void team_usage(FILE *out)
{
    fprintf(out,
            "Usage: tocsin team COMMAND [OPTIONS]\n"
            "\n"
            "The directory of other CSIRTs, Trusted-Introducer style: a team applies as a\n"
            "candidate, is listed with the support of two accredited teams, may become an\n"
            "accreditation candidate (with a deadline to complete its data) and then\n"
            "accredited; it can be suspended and re-certified. A rejected candidate may\n"
            "apply again 12 months later; after three rejections it is closed. The store\n"
            "enforces every rule: a refused step exits 4 and says which rule refused it.\n"
            "\n"
            "Commands:\n"
            "  add NAME --country CC --email ADDR [--asn N]... [--network CIDR]...\n"
            "      [--domain D]... [--official-name S] [--type S] [--phone S] [--key FILE]\n"
            "      [--rfc2350 URL] [--website URL] [--hours S] [--tz ZONE]\n"
            "      [--rep 'NAME <ADDR>']...\n"
            "            a candidate (a rejected team applies again the same way); NAME is\n"
            "            1-64 of [A-Za-z0-9._-]\n"
            "  set NAME (the options of add)\n"
            "            replace a team's data (not its state)\n"
            "  sponsor NAME --by TEAM\n"
            "            TEAM (accredited now) supports NAME's application\n"
            "  list-as NAME\n"
            "            list a candidate that has two sponsors\n"
            "  accredit NAME [--deadline DAYS] [--founding]\n"
            "            a listed team becomes an accreditation candidate (deadline: DAYS,\n"
            "            default 91); an accreditation candidate with its data complete\n"
            "            (address, emergency phone, OpenPGP key, RFC 2350) becomes accredited;\n"
            "            --founding: a candidate accredited at once, only while fewer than\n"
            "            two teams are accredited\n"
            "  suspend NAME [--reason TEXT]\n"
            "  recertify NAME\n"
            "            lift a suspension, or renew an accredited team's certification\n"
            "  reject NAME [--reason TEXT]\n"
            "  show NAME [--format text|json]\n"
            "            every field, the constituency, sponsors and the audit trail\n"
            "  list [--state STATE] [--format table|json|csv]\n"
            "  import FILE\n"
            "            teams from JSON as `export` writes it (or {\"teams\": [...]}): new\n"
            "            ones become candidates, known ones get their data replaced; the\n"
            "            state, sponsors and audit in the file are ignored (an import lists\n"
            "            or accredits nobody); one bad record imports nothing\n"
            "  stale [--all] [--format table|json]\n"
            "            team contacts (addresses, representatives) not verified: stale or\n"
            "            unverified (see `tocsin contact verify-due`)\n"
            "  export [--format json|csv]\n"
            "            every team (json: an array of the records `show` prints)\n"
            "\n"
            "States: candidate, listed, accreditation-candidate, accredited, suspended,\n"
            "rejected, closed.\n");
}

#define REPS_MAX TS_TEAM_REPS_MAX

/* The options of add and set. */
struct team_opts {
    ts_team_rec_t t;
    ts_team_scope_t *scopes;
    size_t n_scopes;
    ts_team_rep_t reps[REPS_MAX];
    char *rep_text[REPS_MAX];
    char *key;
    ts_buf_t values; /* canonical scope values, NUL-separated */
    size_t *offsets;
};

static void opts_free(struct team_opts *o)
{
    free(o->scopes);
    free(o->offsets);
    for (size_t i = 0; i < o->t.n_reps; i++)
        free(o->rep_text[i]);
    free(o->key);
    ts_buf_free(&o->values);
}

/* A scope in its canonical form; false with a message when malformed. */
static bool add_scope(struct team_opts *o, ts_rule_kind_t kind, const char *v)
{
    char buf[TS_IP_STRLEN > 254 ? TS_IP_STRLEN : 254];
    size_t n = strlen(v);
    if (kind == TS_RULE_NETWORK) {
        ts_prefix_t p;
        if (ts_prefix_parse(v, n, &p) != 0) {
            ts_cli_usage_error("team", "--network %s: not a network (CIDR, no host bits)", v);
            return false;
        }
        ts_prefix_format(&p, buf, sizeof buf);
    } else if (kind == TS_RULE_ASN) {
        int64_t asn;
        if (ts_asn_parse(v, n, &asn) != 0) {
            ts_cli_usage_error("team", "--asn %s: not an AS number", v);
            return false;
        }
        snprintf(buf, sizeof buf, "%lld", (long long)asn);
    } else if (ts_domain_normalize(v, n, buf, NULL) != 0) {
        ts_cli_usage_error("team", "--domain %s: not a DNS name", v);
        return false;
    }
    if (o->n_scopes >= TS_TEAM_SCOPES_MAX) {
        ts_cli_usage_error("team", "at most %d constituency entries", TS_TEAM_SCOPES_MAX);
        return false;
    }
    o->scopes = realloc(o->scopes, (o->n_scopes + 1) * sizeof *o->scopes);
    o->offsets = realloc(o->offsets, (o->n_scopes + 1) * sizeof *o->offsets);
    if (o->scopes == NULL || o->offsets == NULL)
        abort();
    o->offsets[o->n_scopes] = o->values.len;
    ts_buf_append(&o->values, buf, strlen(buf) + 1);
    o->scopes[o->n_scopes++].kind = kind;
    return true;
}

/* "Name <addr>" */
static bool add_rep(struct team_opts *o, const char *v)
{
    const char *lt = strrchr(v, '<');
    size_t n = strlen(v);
    if (lt == NULL || n < 3 || v[n - 1] != '>' || lt == v || o->t.n_reps >= REPS_MAX) {
        ts_cli_usage_error("team", "--rep: 'NAME <ADDRESS>' (at most %d)", REPS_MAX);
        return false;
    }
    char *text = strdup(v);
    if (text == NULL)
        abort();
    size_t i = o->t.n_reps++;
    o->rep_text[i] = text;
    text[n - 1] = '\0';
    char *addr = text + (lt - v);
    *addr++ = '\0';
    for (char *e = addr - 2; e >= text && *e == ' '; e--)
        *e = '\0';
    o->reps[i] = (ts_team_rep_t){.name = text, .email = addr, .phone = ""};
    return true;
}

/* Parses add/set's options and NAME. \retval -1 on success, else an exit code. */
static int parse_team(int argc, char **argv, struct team_opts *o)
{
    static const struct option opts[] = {
        {"country", required_argument, NULL, 'c'}, {"email", required_argument, NULL, 'e'},
        {"asn", required_argument, NULL, 'a'},     {"network", required_argument, NULL, 'n'},
        {"domain", required_argument, NULL, 'd'},  {"official-name", required_argument, NULL, 'o'},
        {"type", required_argument, NULL, 't'},    {"phone", required_argument, NULL, 'p'},
        {"key", required_argument, NULL, 'k'},     {"rfc2350", required_argument, NULL, 'r'},
        {"website", required_argument, NULL, 'w'}, {"hours", required_argument, NULL, 'H'},
        {"tz", required_argument, NULL, 'z'},      {"rep", required_argument, NULL, 'R'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 'c':
            o->t.country = optarg;
            break;
        case 'e':
            o->t.email = optarg;
            break;
        case 'a':
            if (!add_scope(o, TS_RULE_ASN, optarg))
                return TS_EXIT_USAGE;
            break;
        case 'n':
            if (!add_scope(o, TS_RULE_NETWORK, optarg))
                return TS_EXIT_USAGE;
            break;
        case 'd':
            if (!add_scope(o, TS_RULE_DOMAIN, optarg))
                return TS_EXIT_USAGE;
            break;
        case 'o':
            o->t.official_name = optarg;
            break;
        case 't':
            o->t.ctype = optarg;
            break;
        case 'p':
            o->t.emergency_phone = optarg;
            break;
        case 'k': {
            char err[256];
            free(o->key);
            o->key = NULL;
            if (ts_file_read(optarg, TS_TEAM_KEY_MAX, TS_FILE_REGULAR, &o->key, NULL, err,
                             sizeof err) != 0) {
                fprintf(stderr, "tocsin: %s: %s\n", optarg, err);
                return TS_EXIT_FAIL;
            }
            o->t.pgp_key = o->key;
            break;
        }
        case 'r':
            o->t.rfc2350 = optarg;
            break;
        case 'w':
            o->t.website = optarg;
            break;
        case 'H':
            o->t.hours = optarg;
            break;
        case 'z':
            o->t.tz = optarg;
            break;
        case 'R':
            if (!add_rep(o, optarg))
                return TS_EXIT_USAGE;
            break;
        case 'h':
            team_usage(stdout);
            return TS_EXIT_OK;
        default:
            ts_cli_usage_error("team", NULL);
            return TS_EXIT_USAGE;
        }
    }
    if (optind + 1 != argc || o->t.country == NULL || o->t.email == NULL) {
        ts_cli_usage_error("team", "%s needs NAME, --country CC and --email ADDR", argv[0]);
        return TS_EXIT_USAGE;
    }
    o->t.name = argv[optind];
    for (size_t i = 0; i < o->n_scopes; i++)
        o->scopes[i].value = o->values.data + o->offsets[i];
    o->t.scopes = o->scopes;
    o->t.n_scopes = o->n_scopes;
    o->t.reps = o->reps;
    return -1;
}

/* The exit code of a step, said on stderr. */
static int said(ts_store_t *st, const char *verb, const char *name, int r, const char *why)
{
    if (r == 0)
        return TS_EXIT_OK;
    if (r == TS_ECONFLICT && why)
        fprintf(stderr, "tocsin: team %s %s: refused: %s\n", verb, name, why);
    else if (why)
        fprintf(stderr, "tocsin: team %s %s: %s\n", verb, name, why);
    else if (r == TS_ENOENT)
        fprintf(stderr, "tocsin: team %s: no team %s\n", verb, name);
    else
        fprintf(stderr, "tocsin: team %s %s: %s (%s)\n", verb, name, ts_strerror(r),
                st ? ts_store_errmsg(st) : "");
    return ts_cli_exit_code(r);
}

static int team_put(ts_cli_t *cli, int argc, char **argv)
{
    bool set = strcmp(argv[0], "set") == 0;
    struct team_opts o = {.values = TS_BUF_INIT};
    int x = parse_team(argc, argv, &o);
    if (x >= 0) {
        opts_free(&o);
        return x;
    }
    char who[128];
    ts_cli_who(who, sizeof who);
    ts_store_t *st = NULL;
    const char *why = NULL;
    int r = set ? ts_cli_open_existing(cli, &st) : ts_cli_open(cli, &st);
    if (r == 0)
        r = set ? ts_store_team_update(st, &o.t, ts_time_now(), who, &why)
                : ts_store_team_add(st, &o.t, ts_time_now(), who, NULL, &why);
    if (r == 0)
        printf("team %s %s\n", o.t.name, set ? "changed" : "added as a candidate");
    x = r == 0 || r == TS_ENOENT || why ? said(st, argv[0], o.t.name, r, why) : ts_cli_exit_code(r);
    opts_free(&o);
    ts_store_close(st);
    return x;
}

/* The verbs that take NAME and a few options: sponsor, list-as, accredit,
 * suspend, recertify, reject. */
static int team_step(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"by", required_argument, NULL, 'b'}, {"deadline", required_argument, NULL, 'D'},
        {"founding", no_argument, NULL, 'F'}, {"reason", required_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},     {NULL, 0, NULL, 0},
    };
    const char *verb = argv[0], *by = NULL, *reason = "";
    long days = 0;
    bool founding = false;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (ch == 'b' && strcmp(verb, "sponsor") == 0) {
            by = optarg;
        } else if (ch == 'D' && strcmp(verb, "accredit") == 0) {
            char *end;
            days = strtol(optarg, &end, 10);
            if (*end || days <= 0 || days > 3650) {
                ts_cli_usage_error("team", "--deadline: 1 to 3650 days");
                return TS_EXIT_USAGE;
            }
        } else if (ch == 'F' && strcmp(verb, "accredit") == 0) {
            founding = true;
        } else if (ch == 'r' && (strcmp(verb, "suspend") == 0 || strcmp(verb, "reject") == 0)) {
            reason = optarg;
        } else if (ch == 'h') {
            team_usage(stdout);
            return TS_EXIT_OK;
        } else {
            ts_cli_usage_error("team", "team %s: unknown option", verb);
            return TS_EXIT_USAGE;
        }
    }
    if (optind + 1 != argc || (strcmp(verb, "sponsor") == 0 && by == NULL)) {
        ts_cli_usage_error("team", "team %s takes one NAME%s", verb,
                           strcmp(verb, "sponsor") == 0 ? " and --by TEAM" : "");
        return TS_EXIT_USAGE;
    }
    const char *name = argv[optind];
    char who[128];
    ts_cli_who(who, sizeof who);
    ts_store_t *st = NULL;
    const char *why = NULL;
    int to = 0;
    int64_t now = ts_time_now();
    int r = ts_cli_open_existing(cli, &st);
    if (r == 0) {
        if (strcmp(verb, "sponsor") == 0)
            r = ts_store_team_sponsor(st, name, by, now, who, &why);
        else if (strcmp(verb, "list-as") == 0)
            r = ts_store_team_list(st, name, now, who, &why);
        else if (founding)
            r = ts_store_team_found(st, name, now, who, &why);
        else if (strcmp(verb, "accredit") == 0)
            r = ts_store_team_accredit(st, name, days * 86400LL * 1000000, now, who, &to, &why);
        else if (strcmp(verb, "suspend") == 0)
            r = ts_store_team_suspend(st, name, reason, now, who, &why);
        else if (strcmp(verb, "recertify") == 0)
            r = ts_store_team_recertify(st, name, now, who, &why);
        else
            r = ts_store_team_reject(st, name, reason, now, who, &why);
        if (r == 0 && strcmp(verb, "sponsor") == 0)
            printf("team %s sponsored by %s\n", name, by);
        else if (r == 0)
            printf("team %s: %s done\n", name, verb);
    }
    int x = st ? said(st, verb, name, r, why) : ts_cli_exit_code(r);
    ts_store_close(st);
    return x;
}

static int parse_format(const char *v, const char *const *allowed, int *fmt)
{
    for (int i = 0; allowed[i]; i++)
        if (strcmp(v, allowed[i]) == 0) {
            *fmt = i;
            return 0;
        }
    ts_cli_usage_error("team", "--format %s: not one of the formats of this command", v);
    return -1;
}

enum { F_TEXT = 0, F_JSON = 1, F_CSV = 2 };

struct out_ctx {
    ts_store_t *st;
    int fmt;
    ts_buf_t buf;
    ts_jsonw_t w;
    int r;
};

static int on_text_scope(int64_t team_id, const ts_team_scope_t *s, void *ctx)
{
    static const char *const kinds[] = {"", "network", "asn", "domain"};
    (void)team_id;
    ts_buf_printf(ctx, "%-16s", kinds[s->kind >= 1 && s->kind <= 3 ? s->kind : 0]);
    ts_format_table_cell(ctx, s->value, 0, false);
    ts_buf_putc(ctx, '\n');
    return 0;
}

/* The text view: one field a line, cells made safe for a terminal. */
static int print_text(ts_store_t *st, const ts_team_rec_t *t, ts_buf_t *b)
{
    char since[64] = "", deadline[64] = "-";
    ts_time_format_utc(t->state_since, since, sizeof since);
    if (t->deadline)
        ts_time_format_utc(t->deadline, deadline, sizeof deadline);
    const struct {
        const char *k, *v;
    } rows[] = {
        {"name", t->name},
        {"official name", t->official_name},
        {"state", ts_team_state_name(t->state)},
        {"since", since},
        {"deadline", deadline},
        {"country", t->country},
        {"email", t->email},
        {"emergency phone", t->emergency_phone},
        {"website", t->website},
        {"rfc2350", t->rfc2350},
        {"hours", t->hours},
        {"tz", t->tz},
        {"type", t->ctype},
        {"openpgp key", *t->pgp_key ? "yes" : "no"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        ts_buf_printf(b, "%-16s", rows[i].k);
        ts_format_table_cell(b, rows[i].v, 0, false);
        ts_buf_putc(b, '\n');
    }
    ts_buf_printf(b, "%-16s%d\n", "rejections", t->rejections);
    return ts_store_team_scopes_foreach(st, t->id, on_text_scope, b);
}

static int on_show(const ts_team_rec_t *t, void *ctx)
{
    struct out_ctx *o = ctx;
    if (o->fmt == F_JSON)
        o->r = ts_team_write_json(o->st, t, TS_TEAM_FULL, &o->w);
    else
        o->r = print_text(o->st, t, &o->buf);
    return o->r;
}

static int team_show(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    static const char *const formats[] = {"text", "json", NULL};
    struct out_ctx o = {.buf = TS_BUF_INIT};
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (ch == 'f') {
            if (parse_format(optarg, formats, &o.fmt))
                return TS_EXIT_USAGE;
        } else if (ch == 'h') {
            team_usage(stdout);
            return TS_EXIT_OK;
        } else {
            ts_cli_usage_error("team", NULL);
            return TS_EXIT_USAGE;
        }
    }
    if (optind + 1 != argc) {
        ts_cli_usage_error("team", "team show takes one NAME");
        return TS_EXIT_USAGE;
    }
    int r = ts_cli_open_existing(cli, &o.st);
    ts_jsonw_init(&o.w, &o.buf);
    if (r == 0)
        r = ts_store_team_get(o.st, argv[optind], on_show, &o);
    if (r == 0) {
        if (o.fmt == F_JSON)
            ts_buf_putc(&o.buf, '\n');
        fwrite(o.buf.data, 1, o.buf.len, stdout);
    }
    int x = o.st ? said(o.st, "show", argv[optind], r, NULL) : ts_cli_exit_code(r);
    ts_buf_free(&o.buf);
    ts_store_close(o.st);
    return x;
}

static int on_list(const ts_team_rec_t *t, void *ctx)
{
    struct out_ctx *o = ctx;
    if (o->fmt == F_JSON)
        return ts_team_write_json(o->st, t, TS_TEAM_FULL, &o->w);
    if (o->fmt == F_CSV)
        return ts_team_write_csv(o->st, t, &o->buf);
    char since[64] = "";
    ts_time_format_utc(t->state_since, since, sizeof since);
    ts_buf_printf(&o->buf, "%-24s  %-2s  %-23s  %-27s  ", t->name, t->country,
                  ts_team_state_name(t->state), since);
    ts_format_table_cell(&o->buf, t->email, 0, false);
    ts_buf_putc(&o->buf, '\n');
    return 0;
}

static int team_list(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"format", required_argument, NULL, 'f'},
        {"state", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool export = strcmp(argv[0], "export") == 0;
    static const char *const list_formats[] = {"table", "json", "csv", NULL};
    static const char *const export_formats[] = {"", "json", "csv", NULL};
    struct out_ctx o = {.buf = TS_BUF_INIT, .fmt = export ? F_JSON : F_TEXT};
    int state = 0, ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (ch == 'f') {
            if (parse_format(optarg, export ? export_formats : list_formats, &o.fmt) ||
                (export && o.fmt == F_TEXT))
                return TS_EXIT_USAGE;
        } else if (ch == 's' && !export) {
            if (ts_team_state_parse(optarg, &state) != 0) {
                ts_cli_usage_error("team", "--state %s: not a state", optarg);
                return TS_EXIT_USAGE;
            }
        } else if (ch == 'h') {
            team_usage(stdout);
            return TS_EXIT_OK;
        } else {
            ts_cli_usage_error("team", NULL);
            return TS_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        ts_cli_usage_error("team", "team %s takes only options", argv[0]);
        return TS_EXIT_USAGE;
    }
    int r = ts_cli_open_existing(cli, &o.st);
    ts_jsonw_init(&o.w, &o.buf);
    if (o.fmt == F_JSON)
        ts_jsonw_array_begin(&o.w);
    else if (o.fmt == F_CSV)
        ts_team_csv_header(&o.buf);
    else
        ts_buf_printf(&o.buf, "%-24s  %-2s  %-23s  %-27s  %s\n", "NAME", "CC", "STATE", "SINCE",
                      "EMAIL");
    if (r == 0)
        r = ts_store_teams_foreach(o.st, state, on_list, &o);
    if (o.fmt == F_JSON) {
        ts_jsonw_array_end(&o.w);
        ts_buf_putc(&o.buf, '\n');
    }
    if (r == 0)
        fwrite(o.buf.data, 1, o.buf.len, stdout);
    else if (o.st)
        fprintf(stderr, "tocsin: team %s: %s (%s)\n", argv[0], ts_strerror(r),
                ts_store_errmsg(o.st));
    ts_buf_free(&o.buf);
    ts_store_close(o.st);
    return ts_cli_exit_code(r);
}

static int team_import(ts_cli_t *cli, int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--help") == 0) {
        team_usage(stdout);
        return TS_EXIT_OK;
    }
    if (argc != 2 || argv[1][0] == '-') {
        ts_cli_usage_error("team", "team import takes one FILE");
        return TS_EXIT_USAGE;
    }
    char *data = NULL, err[512] = "";
    size_t len = 0;
    int r =
        ts_file_read(argv[1], TS_TEAM_IMPORT_MAX, TS_FILE_REGULAR, &data, &len, err, sizeof err);
    if (r) {
        fprintf(stderr, "tocsin: %s: %s\n", argv[1], err);
        return r == TS_ENOENT ? TS_EXIT_NOTFOUND : TS_EXIT_FAIL;
    }
    ts_team_import_t *imp = NULL;
    r = ts_team_import_parse(data, len, &imp, err, sizeof err);
    free(data);
    if (r) {
        fprintf(stderr, "tocsin: %s: %s (nothing imported)\n", argv[1], err);
        return TS_EXIT_USAGE;
    }
    char who[128];
    ts_cli_who(who, sizeof who);
    ts_store_t *st = NULL;
    size_t added = 0, changed = 0;
    r = ts_cli_open(cli, &st);
    if (r == 0 && (r = ts_team_import_apply(st, imp, ts_time_now(), who, &added, &changed, err,
                                            sizeof err)) != 0)
        fprintf(stderr, "tocsin: %s: %s (nothing imported)\n", argv[1], err);
    if (r == 0)
        printf("%zu teams added as candidates, %zu changed\n", added, changed);
    ts_team_import_free(imp);
    ts_store_close(st);
    return ts_cli_exit_code(r);
}

/* The team contacts that are not verified: `contact verify-due --kind team`. */
static int team_stale(ts_cli_t *cli, int argc, char **argv)
{
    char *args[8] = {"contact", "verify-due", "--kind", "team"};
    int n = 4;
    for (int i = 1; i < argc && n < 7; i++)
        args[n++] = argv[i];
    if (argc > 4) {
        ts_cli_usage_error("team", "team stale takes --format and --all only");
        return TS_EXIT_USAGE;
    }
    return ts_cmd_contact(cli, n - 1, args + 1);
}

int ts_cmd_team(ts_cli_t *cli, int argc, char **argv)
{
    static const ts_cli_verb_t verbs[] = {
        {"add", team_put},        {"set", team_put},       {"sponsor", team_step},
        {"list-as", team_step},   {"accredit", team_step}, {"suspend", team_step},
        {"recertify", team_step}, {"reject", team_step},   {"show", team_show},
        {"list", team_list},      {"export", team_list},   {"stale", team_stale},
        {"import", team_import},
    };
    return ts_cli_dispatch(cli, argc, argv, "team", verbs, sizeof verbs / sizeof verbs[0],
                           team_usage);
}
