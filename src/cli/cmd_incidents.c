/* SPDX-License-Identifier: Apache-2.0 */
/* tocsin incidents, tocsin incident show|set|config|feedback|audit,
 * tocsin suppress add|list|remove, tocsin critical add|list|remove and
 * tocsin prune: the incidents of issue 12 on the command line. Changes are
 * audited as "cli:USER". */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/file.h"
#include "core/jsonw.h"
#include "incident/report.h"
#include "output/format.h"
#include "store/incstore.h"

#define SHOW_EVENTS_DEFAULT 20

static const char states_hint[] =
    "new, acknowledged, in-progress, resolved, false-positive, expected";

static void incidents_usage(FILE *out)
{
    fprintf(out,
            "Usage: tocsin incidents [--site NAME] [--state S|open] [--since TIME]\n"
            "                        [--suppressed] [--limit N] [--format table|json|csv]\n"
            "\n"
            "Lists incidents, highest priority first. An incident gathers a site's events\n"
            "of one type and identifier about one of its hosts or networks in one role\n"
            "(source or destination), until a quiet period (the type's window) passes.\n"
            "\n"
            "  --site NAME     incidents of this site and its sub-sites (default: all)\n"
            "  --state S       %s, or open (the first three)\n"
            "  --since TIME    last seen at or after TIME (RFC 3339, or 30m, 24h, 7d ago)\n"
            "  --suppressed    the incidents suppression rules matched (otherwise hidden)\n"
            "  --limit N       at most N incidents\n"
            "  --format F      table (default on a terminal), json (one object per line,\n"
            "                  with each factor's points), csv\n",
            states_hint);
}

static void incident_usage(FILE *out)
{
    fprintf(out,
            "Usage:\n"
            "  tocsin incident show ID [--site NAME] [--events N] [--format table|json]\n"
            "  tocsin incident set ID --state S [--note TEXT] [--site NAME]\n"
            "  tocsin incident config [--load FILE]\n"
            "  tocsin incident feedback [--format table|json]\n"
            "  tocsin incident audit [--site NAME] [--limit N]\n"
            "\n"
            "show prints an incident, its score with each factor's contribution and why,\n"
            "and its newest events (--events N, default %d).\n"
            "set changes its state (%s)\n"
            "and keeps the note; the change is audited. A closed state (resolved,\n"
            "false-positive, expected) ends the incident: the next event opens a new one.\n"
            "config prints the aggregation, retention and priority settings, or loads them\n"
            "from FILE (docs/incidents.md); open incidents are scored again.\n"
            "feedback shows per feed or detector how the sites judged its incidents.\n"
            "audit lists the changes made (who, when, what), newest first.\n"
            "With --site, an incident outside that site's subtree is not found.\n",
            SHOW_EVENTS_DEFAULT, states_hint);
}

static void suppress_usage(FILE *out)
{
    fprintf(out,
            "Usage:\n"
            "  tocsin suppress add --site NAME --type TYPE --net ADDR[/LEN] [--identifier ID]\n"
            "                      [--peer ADDR[/LEN]] [--expires TIME|DURATION] [--note TEXT]\n"
            "  tocsin suppress list [--site NAME] [--format table|json]\n"
            "  tocsin suppress remove --site NAME ID\n"
            "\n"
            "A suppression rule says that a site's events of one RSIT type (and identifier:\n"
            "--identifier, default * for any; \"\" for events without one) about its hosts\n"
            "in --net (from --peer only, when given) are expected: they are still stored\n"
            "and counted, in incidents marked suppressed, without priority. The network\n"
            "must lie in the site's own space and name no other site's addresses.\n"
            "--expires takes a time (RFC 3339) or a duration from now (30d).\n");
}

static void critical_usage(FILE *out)
{
    fprintf(out, "Usage:\n"
                 "  tocsin critical add --site NAME ADDR[/LEN] [--note TEXT]\n"
                 "  tocsin critical list [--site NAME]\n"
                 "  tocsin critical remove --site NAME ID\n"
                 "\n"
                 "Marks a site's host or network as critical: its incidents get the critical\n"
                 "factor of their priority. The network must lie in the site's own space.\n");
}

static void prune_usage(FILE *out)
{
    fprintf(out, "Usage: tocsin prune [--dry-run] [--batch N]\n"
                 "\n"
                 "Removes raw events older than their type's retention (default 180 days), and\n"
                 "incidents, audit records and roll-ups older than the incident retention\n"
                 "(default 2 years), in transactions of at most N rows (default 1000) so that\n"
                 "ingest is never held up for long. --dry-run only counts what would go.\n");
}

/* ---- Helpers ------------------------------------------------------------------------ */

static int find_site(ts_store_t *st, const char *name, int64_t *id)
{
    int r = ts_store_site_find(st, name, id);
    if (r == TS_ENOENT)
        fprintf(stderr, "tocsin: no such site: %s\n", name);
    else if (r)
        fprintf(stderr, "tocsin: %s: %s\n", name, ts_store_errmsg(st));
    return r;
}

static bool parse_id(const char *s, int64_t *id)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*s < '1' || *s > '9' || *end != '\0' || v < 1)
        return false;
    *id = (int64_t)v;
    return true;
}

static bool parse_format(const char *s, bool csv, ts_format_t *fmt)
{
    if (s == NULL) {
        *fmt = ts_cli_tty(1) ? TS_FMT_TABLE : TS_FMT_JSON;
        return true;
    }
    if (ts_format_parse(s, fmt) == 0 && (csv || *fmt != TS_FMT_CSV))
        return true;
    fprintf(stderr, "tocsin: unknown format '%s' (table, json%s)\n", s, csv ? ", csv" : "");
    return false;
}

static void flush(ts_buf_t *b)
{
    if (b->len)
        fwrite(b->data, 1, b->len, stdout);
    ts_buf_reset(b);
}

static void cell(ts_buf_t *b, const char *s, size_t width)
{
    ts_format_table_cell(b, s, width, true);
    ts_buf_putc(b, ' ');
}

static const char *role_name(ts_role_t r)
{
    return r == TS_ROLE_SOURCE ? "source" : "destination";
}

/* ---- tocsin incidents -------------------------------------------------------------------- */

struct list_ctx {
    ts_format_t fmt;
    ts_incconf_t conf;
    ts_buf_t b;
    size_t count, limit;
    int32_t last_score;
    int64_t last_id;
};

static int list_row(const ts_incident_t *inc, void *ctx)
{
    struct list_ctx *l = ctx;
    if (l->limit && l->count >= l->limit)
        return 1;
    l->count++;
    l->last_score = inc->score;
    l->last_id = inc->id;
    if (l->fmt == TS_FMT_JSON) {
        ts_jsonw_t w;
        ts_jsonw_init(&w, &l->b);
        ts_jsonw_object_begin(&w);
        ts_incident_json_fields(&w, inc, &l->conf, true);
        ts_jsonw_object_end(&w);
        ts_buf_putc(&l->b, '\n');
    } else if (l->fmt == TS_FMT_CSV) {
        ts_incident_csv_row(&l->b, inc);
    } else {
        char id[24], score[24], ev[24], peers[24], last[64];
        snprintf(id, sizeof id, "%" PRId64, inc->id);
        ts_points_text(inc->score, score, sizeof score);
        snprintf(ev, sizeof ev, "%" PRIu64, inc->events);
        snprintf(peers, sizeof peers, "%" PRIu64, inc->peers);
        ts_time_format_utc(inc->last_seen, last, sizeof last);
        cell(&l->b, id, 8);
        cell(&l->b, inc->suppressed ? "-" : score, 6);
        cell(&l->b, ts_inc_state_name(inc->state), 14);
        cell(&l->b, inc->site_name, 14);
        cell(&l->b, ts_type_name(inc->type), 22);
        cell(&l->b, role_name(inc->role), 11);
        cell(&l->b, inc->object, 20);
        cell(&l->b, ev, 7);
        cell(&l->b, peers, 6);
        cell(&l->b, last, 20);
        ts_format_table_cell(&l->b, inc->identifier, 0, false);
        ts_buf_putc(&l->b, '\n');
    }
    if (l->b.len >= 1 << 16)
        flush(&l->b);
    return 0;
}

static bool parse_state(const char *s, int *state)
{
    if (strcmp(s, "open") == 0) {
        *state = TS_INC_FILTER_OPEN;
        return true;
    }
    ts_inc_state_t v;
    if (ts_inc_state_lookup(s, strlen(s), &v) == 0) {
        *state = (int)v;
        return true;
    }
    return false;
}

int ts_cmd_incidents(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"site", required_argument, NULL, 's'},   {"state", required_argument, NULL, 't'},
        {"since", required_argument, NULL, 'S'},  {"limit", required_argument, NULL, 'l'},
        {"format", required_argument, NULL, 'f'}, {"suppressed", no_argument, NULL, 'x'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    ts_incident_filter_t f;
    ts_incident_filter_init(&f);
    const char *site = NULL, *format = NULL;
    size_t limit = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 's':
            site = optarg;
            break;
        case 't':
            if (!parse_state(optarg, &f.state)) {
                ts_cli_usage_error("incidents", "unknown state '%s' (%s, or open)", optarg,
                                   states_hint);
                return TS_EXIT_USAGE;
            }
            break;
        case 'S':
            if (ts_cli_parse_time(optarg, &f.since) < 0) {
                ts_cli_usage_error("incidents",
                                   "invalid time '%s' (e.g. 2026-11-27T06:00:00Z or 24h)", optarg);
                return TS_EXIT_USAGE;
            }
            break;
        case 'l':
            if (ts_cli_parse_limit(optarg, &limit) < 0)
                return TS_EXIT_USAGE;
            break;
        case 'f':
            format = optarg;
            break;
        case 'x':
            f.suppressed = 1;
            break;
        case 'h':
            incidents_usage(stdout);
            return TS_EXIT_OK;
        default:
            ts_cli_usage_error("incidents", NULL);
            return TS_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        ts_cli_usage_error("incidents", "unexpected argument '%s'", argv[optind]);
        return TS_EXIT_USAGE;
    }
    struct list_ctx l = {.b = TS_BUF_INIT, .limit = limit};
    if (!parse_format(format, true, &l.fmt))
        return TS_EXIT_USAGE;
    ts_store_t *st;
    if (ts_cli_open_existing(cli, &st) < 0)
        return TS_EXIT_FAIL;
    if (site && find_site(st, site, &f.site_id) != 0) {
        ts_store_close(st);
        return TS_EXIT_NOTFOUND;
    }
    int r = ts_store_incident_config(st, &l.conf);
    if (l.fmt == TS_FMT_CSV)
        ts_incident_csv_header(&l.b);
    else if (l.fmt == TS_FMT_TABLE)
        ts_buf_puts(&l.b,
                    "ID       SCORE  STATE          SITE           TYPE                   ROLE"
                    "        OBJECT               EVENTS  PEERS  LAST SEEN            "
                    "IDENTIFIER\n");
    /* Page by page through the store's cursor: memory stays bounded. */
    f.limit = TS_INC_LIMIT_MAX;
    bool more = r == 0;
    while (r == 0 && more && (limit == 0 || l.count < limit)) {
        size_t before = l.count;
        r = ts_store_incidents(st, &f, list_row, &l, &more);
        if (r > 0 || l.count == before)
            break;
        f.after_score = l.last_score;
        f.after_id = l.last_id;
    }
    if (r < 0)
        fprintf(stderr, "tocsin: cannot read incidents: %s\n", ts_store_errmsg(st));
    if (l.fmt == TS_FMT_TABLE)
        ts_buf_printf(&l.b, "%zu incident%s\n", l.count, l.count == 1 ? "" : "s");
    flush(&l.b);
    ts_buf_free(&l.b);
    ts_store_close(st);
    if (fflush(stdout) != 0)
        return TS_EXIT_FAIL;
    return r < 0 ? ts_cli_exit_code(r) : TS_EXIT_OK;
}

/* ---- tocsin incident show ---------------------------------------------------------------- */

struct show_opts {
    const char *site, *format, *state, *note, *load;
    size_t events, limit;
};

/* The options of every incident verb; each verb refuses those it has no use for. */
static int parse_incident_opts(int argc, char **argv, const char *allowed, struct show_opts *o)
{
    static const struct option opts[] = {
        {"site", required_argument, NULL, 's'},
        {"format", required_argument, NULL, 'f'},
        {"state", required_argument, NULL, 't'},
        {"note", required_argument, NULL, 'n'},
        {"events", required_argument, NULL, 'e'},
        {"load", required_argument, NULL, 'L'},
        {"limit", required_argument, NULL, 'l'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch, idx = 0;
    while ((ch = getopt_long(argc, argv, "h", opts, &idx)) != -1) {
        if (ch == 'h') {
            incident_usage(stdout);
            return 1;
        }
        if (ch == '?' || strchr(allowed, ch) == NULL) {
            if (ch != '?')
                ts_cli_usage_error("incident", "%s does not take --%s", argv[0], opts[idx].name);
            else
                ts_cli_usage_error("incident", NULL);
            return -1;
        }
        switch (ch) {
        case 's':
            o->site = optarg;
            break;
        case 'f':
            o->format = optarg;
            break;
        case 't':
            o->state = optarg;
            break;
        case 'n':
            o->note = optarg;
            break;
        case 'L':
            o->load = optarg;
            break;
        case 'e':
        case 'l':
            if (ts_cli_parse_limit(optarg, ch == 'e' ? &o->events : &o->limit) < 0)
                return -1;
            break;
        }
    }
    return 0;
}

/* The ID argument of show and set, and the site scope. */
static int open_one(ts_cli_t *cli, int argc, char **argv, const struct show_opts *o, int64_t *id,
                    ts_store_t **st, int64_t *root)
{
    if (optind + 1 != argc || !parse_id(argv[optind], id)) {
        ts_cli_usage_error("incident", "%s: give one incident id", argv[0]);
        return TS_EXIT_USAGE;
    }
    if (ts_cli_open_existing(cli, st) < 0)
        return TS_EXIT_FAIL;
    *root = 0;
    if (o->site && find_site(*st, o->site, root) != 0) {
        ts_store_close(*st);
        return TS_EXIT_NOTFOUND;
    }
    return TS_EXIT_OK;
}

struct show_ctx {
    ts_incconf_t conf;
    ts_format_t fmt;
    ts_buf_t b;
    ts_incident_t copy; /* id, site_id: what the events are read with */
};

static void text_field(ts_buf_t *b, const char *label, const char *v)
{
    ts_buf_printf(b, "%-12s ", label);
    ts_format_table_cell(b, v && *v ? v : "-", 0, false);
    ts_buf_putc(b, '\n');
}

static int show_incident(const ts_incident_t *inc, void *ctx)
{
    struct show_ctx *s = ctx;
    s->copy.id = inc->id;
    s->copy.site_id = inc->site_id;
    if (s->fmt == TS_FMT_JSON) {
        ts_jsonw_t w;
        ts_jsonw_init(&w, &s->b);
        ts_jsonw_object_begin(&w);
        ts_incident_json_fields(&w, inc, &s->conf, true);
        /* The events follow as a key the caller closes. */
        return 0;
    }
    ts_buf_t *b = &s->b;
    char v[512], t1[64], t2[64];
    ts_buf_printf(b, "incident %" PRId64 "\n", inc->id);
    text_field(b, "site:", inc->site_name);
    text_field(b, "state:", ts_inc_state_name(inc->state));
    if (inc->suppressed)
        text_field(b, "suppressed:", "yes (a suppression rule matched; no priority)");
    snprintf(v, sizeof v, "%s (%s)", ts_type_name(inc->type),
             ts_taxonomy_name(ts_type_taxonomy(inc->type)));
    text_field(b, "type:", v);
    text_field(b, "identifier:", inc->identifier);
    snprintf(v, sizeof v, "%s (%s)", inc->object, role_name(inc->role));
    text_field(b, "object:", v);
    ts_time_format_utc(inc->first_seen, t1, sizeof t1);
    ts_time_format_utc(inc->last_seen, t2, sizeof t2);
    snprintf(v, sizeof v, "%s .. %s", t1, t2);
    text_field(b, "seen:", v);
    snprintf(v, sizeof v,
             "%" PRIu64 " (%" PRIu64 " observations), %" PRIu64 " of your hosts, %" PRIu64 " peers",
             inc->events, inc->count, inc->own_hosts, inc->peers);
    text_field(b, "events:", v);
    text_field(b, "tlp:", ts_tlp_name(inc->tlp));
    text_field(b, "feed:", inc->feed);
    text_field(b, "cve:", inc->cve);
    if (inc->previous_id > 0) {
        snprintf(v, sizeof v, "%" PRId64, inc->previous_id);
        text_field(b, "previous:", v);
    }
    text_field(b, "note:", inc->note);
    ts_points_text(inc->score, t1, sizeof t1);
    ts_buf_printf(b, "score:       %s\n", inc->suppressed ? "- (suppressed)" : t1);
    ts_prio_in_t in;
    ts_incident_prio_in(inc, &in);
    for (int f = 0; f < TS_F_COUNT_; f++) {
        char why[256];
        const char *detail = f == TS_F_CRITICAL   ? inc->critical
                             : f == TS_F_ADVISORY ? inc->advisory
                                                  : NULL;
        ts_priority_why((ts_factor_t)f, &in, detail, why, sizeof why);
        ts_points_text(inc->points[f], t1, sizeof t1);
        ts_points_text((int32_t)(s->conf.weight[f] * 10.0 + 0.5), t2, sizeof t2);
        ts_buf_printf(b, "  %-9s %6s of %-6s ", ts_factor_name((ts_factor_t)f), t1, t2);
        ts_format_table_cell(b, why, 0, false);
        ts_buf_putc(b, '\n');
    }
    return 0;
}

struct show_events {
    ts_format_t fmt;
    ts_buf_t *b;
    bool first;
};

static int show_event(const ts_stored_event_t *ev, void *ctx)
{
    struct show_events *e = ctx;
    if (e->fmt != TS_FMT_JSON) {
        ts_format_event(TS_FMT_TABLE, ev, e->b);
        return 0;
    }
    if (!e->first)
        ts_buf_putc(e->b, ',');
    e->first = false;
    size_t at = e->b->len;
    ts_format_event(TS_FMT_JSON, ev, e->b);
    if (e->b->len > at && e->b->data[e->b->len - 1] == '\n')
        e->b->data[--e->b->len] = '\0';
    return 0;
}

static int inc_show(ts_cli_t *cli, int argc, char **argv)
{
    struct show_opts o = {.events = SHOW_EVENTS_DEFAULT};
    int pr = parse_incident_opts(argc, argv, "sfe", &o);
    if (pr)
        return pr > 0 ? TS_EXIT_OK : TS_EXIT_USAGE;
    struct show_ctx s = {.b = TS_BUF_INIT};
    if (!parse_format(o.format, false, &s.fmt))
        return TS_EXIT_USAGE;
    if (o.events > TS_EVENT_IDS_MAX - 1)
        o.events = TS_EVENT_IDS_MAX - 1;
    int64_t id, root;
    ts_store_t *st;
    int rc = open_one(cli, argc, argv, &o, &id, &st, &root);
    if (rc)
        return rc;
    int r = ts_store_incident_config(st, &s.conf);
    if (r == 0)
        r = ts_store_incident_get(st, root, id, show_incident, &s);
    int64_t *ids = calloc(o.events, sizeof *ids);
    size_t n = 0;
    bool more = false;
    if (r == 0)
        r = ids ? ts_store_incident_events(st, root, id, 0, ids, o.events, &n, &more) : TS_ENOMEM;
    if (r == 0) {
        struct show_events e = {.fmt = s.fmt, .b = &s.b, .first = true};
        if (s.fmt == TS_FMT_JSON) {
            ts_buf_puts(&s.b, ",\"events\":[");
        } else {
            ts_buf_printf(&s.b, "\nevents, newest first%s:\n",
                          more ? " (more with --events N)" : "");
            ts_format_header(TS_FMT_TABLE, &s.b);
        }
        ts_event_filter_t ef;
        ts_event_filter_init(&ef);
        ef.site_id = root;
        ef.ids = ids;
        ef.n_ids = n;
        if (n > 0)
            r = ts_store_events_foreach(st, &ef, show_event, &e);
        if (s.fmt == TS_FMT_JSON)
            ts_buf_printf(&s.b, "],\"more_events\":%s}\n", more ? "true" : "false");
        else
            ts_format_footer(TS_FMT_TABLE, n, &s.b);
    }
    free(ids);
    if (r == TS_ENOENT)
        fprintf(stderr, "tocsin: no such incident: %" PRId64 "\n", id);
    else if (r)
        fprintf(stderr, "tocsin: incident show: %s\n", ts_store_errmsg(st));
    else
        flush(&s.b);
    ts_buf_free(&s.b);
    ts_store_close(st);
    return ts_cli_exit_code(r);
}

/* ---- tocsin incident set ----------------------------------------------------------------- */

static int inc_set(ts_cli_t *cli, int argc, char **argv)
{
    struct show_opts o = {0};
    int pr = parse_incident_opts(argc, argv, "stn", &o);
    if (pr)
        return pr > 0 ? TS_EXIT_OK : TS_EXIT_USAGE;
    ts_inc_state_t state;
    if (o.state == NULL) {
        ts_cli_usage_error("incident", "set: --state is required (%s)", states_hint);
        return TS_EXIT_USAGE;
    }
    if (ts_inc_state_lookup(o.state, strlen(o.state), &state) != 0) {
        ts_cli_usage_error("incident", "unknown state '%s' (%s)", o.state, states_hint);
        return TS_EXIT_USAGE;
    }
    if (o.note && strlen(o.note) > TS_INC_NOTE_MAX) {
        ts_cli_usage_error("incident", "--note is longer than %d bytes", TS_INC_NOTE_MAX);
        return TS_EXIT_USAGE;
    }
    int64_t id, root;
    ts_store_t *st;
    int rc = open_one(cli, argc, argv, &o, &id, &st, &root);
    if (rc)
        return rc;
    char who[TS_INC_WHO_MAX];
    ts_cli_who(who, sizeof who);
    ts_inc_state_t old = state;
    int r = ts_store_incident_set_state(st, root, id, state, o.note, who, &old);
    if (r == TS_ENOENT)
        fprintf(stderr, "tocsin: no such incident: %" PRId64 "\n", id);
    else if (r)
        fprintf(stderr, "tocsin: incident set: %s\n", ts_store_errmsg(st));
    else if (old == state)
        printf("incident %" PRId64 ": already %s\n", id, ts_inc_state_name(state));
    else
        printf("incident %" PRId64 ": %s -> %s\n", id, ts_inc_state_name(old),
               ts_inc_state_name(state));
    ts_store_close(st);
    return ts_cli_exit_code(r);
}

/* ---- tocsin incident config / feedback / audit ---------------------------------------------- */

static int inc_config(ts_cli_t *cli, int argc, char **argv)
{
    struct show_opts o = {0};
    int pr = parse_incident_opts(argc, argv, "L", &o);
    if (pr)
        return pr > 0 ? TS_EXIT_OK : TS_EXIT_USAGE;
    if (optind != argc) {
        ts_cli_usage_error("incident", "config: unexpected argument '%s'", argv[optind]);
        return TS_EXIT_USAGE;
    }
    ts_incconf_t c;
    if (o.load) {
        char *text = NULL, err[256] = "";
        size_t len = 0;
        int r = ts_file_read(o.load, TS_INCCONF_MAX, TS_FILE_REGULAR, &text, &len, err, sizeof err);
        if (r) {
            fprintf(stderr, "tocsin: %s: %s\n", o.load, err);
            return r == TS_ENOENT ? TS_EXIT_NOTFOUND : TS_EXIT_FAIL;
        }
        r = ts_incconf_parse(text, len, &c, err, sizeof err);
        free(text);
        if (r) {
            fprintf(stderr, "tocsin: %s: %s\n", o.load, err);
            return TS_EXIT_USAGE;
        }
    }
    ts_store_t *st;
    if ((o.load ? ts_cli_open(cli, &st) : ts_cli_open_existing(cli, &st)) < 0)
        return TS_EXIT_FAIL;
    char who[TS_INC_WHO_MAX];
    ts_cli_who(who, sizeof who);
    int r = o.load ? ts_store_incident_config_set(st, &c, who) : ts_store_incident_config(st, &c);
    if (r) {
        fprintf(stderr, "tocsin: incident config: %s\n", ts_store_errmsg(st));
    } else if (o.load) {
        printf("loaded %s; open incidents scored again\n", o.load);
    } else {
        ts_buf_t b = TS_BUF_INIT;
        ts_incconf_write(&c, &b);
        flush(&b);
        ts_buf_free(&b);
    }
    ts_store_close(st);
    return ts_cli_exit_code(r);
}

struct fb_ctx {
    ts_format_t fmt;
    ts_buf_t b;
};

static int fb_row(const ts_feedback_t *f, void *ctx)
{
    struct fb_ctx *c = ctx;
    if (c->fmt == TS_FMT_JSON) {
        ts_jsonw_t w;
        ts_jsonw_init(&w, &c->b);
        ts_feedback_json(&w, f);
        ts_buf_putc(&c->b, '\n');
        return 0;
    }
    cell(&c->b, *f->feed ? f->feed : "-", 24);
    ts_buf_printf(
        &c->b, "%9" PRIu64 " %14" PRIu64 " %8" PRIu64 " %8" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n",
        f->incidents, f->false_positive, f->expected, f->resolved, f->suppressed_incidents,
        f->suppressed_events);
    return 0;
}

static int inc_feedback(ts_cli_t *cli, int argc, char **argv)
{
    struct show_opts o = {0};
    int pr = parse_incident_opts(argc, argv, "f", &o);
    if (pr)
        return pr > 0 ? TS_EXIT_OK : TS_EXIT_USAGE;
    struct fb_ctx c = {.b = TS_BUF_INIT};
    if (!parse_format(o.format, false, &c.fmt))
        return TS_EXIT_USAGE;
    ts_store_t *st;
    if (ts_cli_open_existing(cli, &st) < 0)
        return TS_EXIT_FAIL;
    if (c.fmt == TS_FMT_TABLE)
        ts_buf_puts(&c.b, "FEED                     INCIDENTS FALSE-POSITIVE EXPECTED RESOLVED "
                          "SUPPRESSED SUPP.EVENTS\n");
    int r = ts_store_feedback(st, fb_row, &c);
    if (r)
        fprintf(stderr, "tocsin: incident feedback: %s\n", ts_store_errmsg(st));
    else
        flush(&c.b);
    ts_buf_free(&c.b);
    ts_store_close(st);
    return ts_cli_exit_code(r);
}

static int audit_row(const ts_audit_rec_t *a, void *ctx)
{
    ts_buf_t *b = ctx;
    char t[64], id[24];
    ts_time_format_utc(a->time, t, sizeof t);
    snprintf(id, sizeof id, "%" PRId64, a->object_id);
    cell(b, t, 27);
    cell(b, a->who, 30);
    cell(b, a->object, 11);
    cell(b, id, 8);
    cell(b, a->action, 6);
    ts_format_table_cell(b, a->detail, 0, false);
    ts_buf_putc(b, '\n');
    return 0;
}

static int inc_audit(ts_cli_t *cli, int argc, char **argv)
{
    struct show_opts o = {.limit = 100};
    int pr = parse_incident_opts(argc, argv, "sl", &o);
    if (pr)
        return pr > 0 ? TS_EXIT_OK : TS_EXIT_USAGE;
    ts_store_t *st;
    if (ts_cli_open_existing(cli, &st) < 0)
        return TS_EXIT_FAIL;
    int64_t root = 0;
    if (o.site && find_site(st, o.site, &root) != 0) {
        ts_store_close(st);
        return TS_EXIT_NOTFOUND;
    }
    ts_buf_t b = TS_BUF_INIT;
    ts_buf_puts(&b, "TIME                        WHO                            OBJECT      ID   "
                    "    ACTION DETAIL\n");
    int r = ts_store_audit_foreach(st, root, NULL, 0, o.limit, audit_row, &b);
    if (r)
        fprintf(stderr, "tocsin: incident audit: %s\n", ts_store_errmsg(st));
    else
        flush(&b);
    ts_buf_free(&b);
    ts_store_close(st);
    return ts_cli_exit_code(r);
}

int ts_cmd_incident(ts_cli_t *cli, int argc, char **argv)
{
    static const ts_cli_verb_t verbs[] = {
        {"show", inc_show},         {"set", inc_set},     {"config", inc_config},
        {"feedback", inc_feedback}, {"audit", inc_audit},
    };
    return ts_cli_dispatch(cli, argc, argv, "incident", verbs, sizeof verbs / sizeof verbs[0],
                           incident_usage);
}

/* ---- tocsin suppress / critical ------------------------------------------------------------ */

struct rule_opts {
    const char *site, *type, *net, *identifier, *peer, *expires, *note, *format;
};

static int parse_rule_opts(int argc, char **argv, const char *group, const char *allowed,
                           void (*usage)(FILE *), struct rule_opts *o)
{
    static const struct option opts[] = {
        {"site", required_argument, NULL, 's'}, {"type", required_argument, NULL, 't'},
        {"net", required_argument, NULL, 'n'},  {"identifier", required_argument, NULL, 'i'},
        {"peer", required_argument, NULL, 'p'}, {"expires", required_argument, NULL, 'e'},
        {"note", required_argument, NULL, 'N'}, {"format", required_argument, NULL, 'f'},
        {"help", no_argument, NULL, 'h'},       {NULL, 0, NULL, 0},
    };
    int ch, idx = 0;
    while ((ch = getopt_long(argc, argv, "h", opts, &idx)) != -1) {
        if (ch == 'h') {
            usage(stdout);
            return 1;
        }
        if (ch == '?' || strchr(allowed, ch) == NULL) {
            if (ch != '?')
                ts_cli_usage_error(group, "%s does not take --%s", argv[0], opts[idx].name);
            else
                ts_cli_usage_error(group, NULL);
            return -1;
        }
        const char **slot = ch == 's'   ? &o->site
                            : ch == 't' ? &o->type
                            : ch == 'n' ? &o->net
                            : ch == 'i' ? &o->identifier
                            : ch == 'p' ? &o->peer
                            : ch == 'e' ? &o->expires
                            : ch == 'N' ? &o->note
                                        : &o->format;
        *slot = optarg;
    }
    return 0;
}

/* Why a rule's or mark's network was refused, for people. */
static void net_refused(int r, const char *net, const char *site, ts_store_t *st)
{
    if (r == TS_ERANGE)
        fprintf(stderr, "tocsin: %s is not inside the space of site %s\n", net, site);
    else if (r == TS_EDENIED)
        fprintf(stderr, "tocsin: %s names addresses of another site\n", net);
    else if (r == TS_ENOENT)
        fprintf(stderr, "tocsin: no such site: %s\n", site);
    else
        fprintf(stderr, "tocsin: %s\n", ts_store_errmsg(st));
}

/* Adds the suppression rule r or the critical mark m to the site named
 * site (its network net checked against the constituency), as cli:USER,
 * and says what happened. */
static int add_to_site(ts_cli_t *cli, const char *site, const char *net, ts_suppress_t *r,
                       ts_critical_t *m)
{
    ts_store_t *st;
    ts_constituency_t *c;
    if (ts_cli_open_routing_existing(cli, &st, &c) < 0)
        return TS_EXIT_FAIL;
    const char *what = r ? "suppression rule" : "critical mark";
    char who[TS_INC_WHO_MAX];
    ts_cli_who(who, sizeof who);
    int64_t site_id = 0, id = 0;
    int rc = find_site(st, site, &site_id);
    if (rc == 0 && r) {
        r->who = who;
        r->site_id = site_id;
        rc = ts_store_suppress_add(st, c, r, &id);
    } else if (rc == 0) {
        m->who = who;
        m->site_id = site_id;
        rc = ts_store_critical_add(st, c, m, &id);
    }
    if (rc == TS_EINVAL)
        fprintf(stderr, "tocsin: %s: %s\n", what, ts_store_errmsg(st));
    else if (rc && rc != TS_ENOENT)
        net_refused(rc, net, site, st);
    else if (rc == 0)
        printf("%s %" PRId64 " added for site %s\n", what, id, site);
    ts_constituency_free(c);
    ts_store_close(st);
    return rc == TS_ERANGE || rc == TS_EDENIED ? TS_EXIT_CONFLICT : ts_cli_exit_code(rc);
}

static bool prefix_arg(const char *group, const char *opt, const char *s, ts_prefix_t *p)
{
    if (ts_prefix_parse(s, strlen(s), p) == 0)
        return true;
    ts_cli_usage_error(group, "%s: not an address or network: '%s'", opt, s);
    return false;
}

static int sup_add(ts_cli_t *cli, int argc, char **argv)
{
    struct rule_opts o = {0};
    int pr = parse_rule_opts(argc, argv, "suppress", "stniepN", suppress_usage, &o);
    if (pr)
        return pr > 0 ? TS_EXIT_OK : TS_EXIT_USAGE;
    if (optind != argc) {
        ts_cli_usage_error("suppress", "add: unexpected argument '%s'", argv[optind]);
        return TS_EXIT_USAGE;
    }
    if (o.site == NULL || o.type == NULL || o.net == NULL) {
        ts_cli_usage_error("suppress", "add needs --site, --type and --net");
        return TS_EXIT_USAGE;
    }
    ts_suppress_t r = {.identifier = o.identifier ? o.identifier : "*",
                       .note = o.note ? o.note : ""};
    if (ts_type_lookup(o.type, strlen(o.type), &r.type) != 0) {
        ts_cli_usage_error("suppress", "unknown type '%s' (an RSIT type: tocsin events types)",
                           o.type);
        return TS_EXIT_USAGE;
    }
    if (!prefix_arg("suppress", "--net", o.net, &r.net) ||
        (o.peer && !prefix_arg("suppress", "--peer", o.peer, &r.peer)))
        return TS_EXIT_USAGE;
    int64_t now = ts_time_now();
    if (o.expires) {
        int64_t d;
        if (ts_duration_parse(o.expires, strlen(o.expires), &d) == 0) {
            r.expires = (now + d) / 1000000 * 1000000;
        } else if (ts_time_parse(o.expires, strlen(o.expires), &r.expires) != 0 ||
                   r.expires <= now) {
            ts_cli_usage_error("suppress", "--expires: not a future time or a duration: '%s'",
                               o.expires);
            return TS_EXIT_USAGE;
        }
    }
    return add_to_site(cli, o.site, o.net, &r, NULL);
}

struct rule_list {
    ts_format_t fmt;
    ts_buf_t b;
};

static void net_text(const ts_prefix_t *p, char *buf, size_t size)
{
    if (p->addr.family == TS_AF_NONE)
        snprintf(buf, size, "*");
    else
        ts_targets_entry_text(p, buf, size);
}

static int sup_row(const ts_suppress_t *r, const char *site_name, void *ctx)
{
    struct rule_list *l = ctx;
    char net[TS_IP_STRLEN + 8], peer[TS_IP_STRLEN + 8], exp[64] = "never", id[24];
    net_text(&r->net, net, sizeof net);
    net_text(&r->peer, peer, sizeof peer);
    if (r->expires)
        ts_time_format_utc(r->expires, exp, sizeof exp);
    if (l->fmt == TS_FMT_JSON) {
        ts_jsonw_t w;
        ts_jsonw_init(&w, &l->b);
        ts_suppress_json(&w, r, site_name, ts_time_now());
        ts_buf_putc(&l->b, '\n');
        return 0;
    }
    snprintf(id, sizeof id, "%" PRId64, r->id);
    cell(&l->b, id, 6);
    cell(&l->b, site_name, 14);
    cell(&l->b, ts_type_name(r->type), 20);
    cell(&l->b, r->identifier, 24);
    cell(&l->b, net, 20);
    cell(&l->b, peer, 20);
    cell(&l->b, exp, 21);
    ts_format_table_cell(&l->b, r->note, 0, false);
    ts_buf_putc(&l->b, '\n');
    return 0;
}

static int sup_list(ts_cli_t *cli, int argc, char **argv)
{
    struct rule_opts o = {0};
    int pr = parse_rule_opts(argc, argv, "suppress", "sf", suppress_usage, &o);
    if (pr)
        return pr > 0 ? TS_EXIT_OK : TS_EXIT_USAGE;
    struct rule_list l = {.b = TS_BUF_INIT};
    if (!parse_format(o.format, false, &l.fmt))
        return TS_EXIT_USAGE;
    ts_store_t *st;
    if (ts_cli_open_existing(cli, &st) < 0)
        return TS_EXIT_FAIL;
    int64_t root = 0;
    if (o.site && find_site(st, o.site, &root) != 0) {
        ts_store_close(st);
        return TS_EXIT_NOTFOUND;
    }
    if (l.fmt == TS_FMT_TABLE)
        ts_buf_puts(&l.b, "ID     SITE           TYPE                 IDENTIFIER               NET"
                          "                  PEER                 EXPIRES               NOTE\n");
    int r = ts_store_suppress_foreach(st, root, sup_row, &l);
    if (r)
        fprintf(stderr, "tocsin: suppress list: %s\n", ts_store_errmsg(st));
    else
        flush(&l.b);
    ts_buf_free(&l.b);
    ts_store_close(st);
    return ts_cli_exit_code(r);
}

/* remove --site NAME ID, for suppression rules and critical marks. */
static int rule_remove(ts_cli_t *cli, int argc, char **argv, const char *group,
                       void (*usage)(FILE *),
                       int (*remove)(ts_store_t *, int64_t, int64_t, const char *))
{
    struct rule_opts o = {0};
    int pr = parse_rule_opts(argc, argv, group, "s", usage, &o);
    if (pr)
        return pr > 0 ? TS_EXIT_OK : TS_EXIT_USAGE;
    int64_t id;
    if (o.site == NULL || optind + 1 != argc || !parse_id(argv[optind], &id)) {
        ts_cli_usage_error(group, "remove needs --site NAME and one id");
        return TS_EXIT_USAGE;
    }
    ts_store_t *st;
    if (ts_cli_open_existing(cli, &st) < 0)
        return TS_EXIT_FAIL;
    int64_t root;
    int r = find_site(st, o.site, &root);
    if (r == 0) {
        char who[TS_INC_WHO_MAX];
        ts_cli_who(who, sizeof who);
        r = remove(st, root, id, who);
        if (r == TS_ENOENT)
            fprintf(stderr, "tocsin: site %s has no %s %" PRId64 "\n", o.site, group, id);
        else if (r)
            fprintf(stderr, "tocsin: %s remove: %s\n", group, ts_store_errmsg(st));
        else
            printf("%s %" PRId64 " removed\n", group, id);
    }
    ts_store_close(st);
    return ts_cli_exit_code(r);
}

static int sup_remove(ts_cli_t *cli, int argc, char **argv)
{
    return rule_remove(cli, argc, argv, "suppress", suppress_usage, ts_store_suppress_remove);
}

int ts_cmd_suppress(ts_cli_t *cli, int argc, char **argv)
{
    static const ts_cli_verb_t verbs[] = {
        {"add", sup_add}, {"list", sup_list}, {"remove", sup_remove}};
    return ts_cli_dispatch(cli, argc, argv, "suppress", verbs, sizeof verbs / sizeof verbs[0],
                           suppress_usage);
}

static int crit_add(ts_cli_t *cli, int argc, char **argv)
{
    struct rule_opts o = {0};
    int pr = parse_rule_opts(argc, argv, "critical", "sN", critical_usage, &o);
    if (pr)
        return pr > 0 ? TS_EXIT_OK : TS_EXIT_USAGE;
    if (o.site == NULL || optind + 1 != argc) {
        ts_cli_usage_error("critical", "add needs --site NAME and one address or network");
        return TS_EXIT_USAGE;
    }
    const char *net = argv[optind];
    ts_critical_t m = {.note = o.note ? o.note : ""};
    if (!prefix_arg("critical", "add", net, &m.net))
        return TS_EXIT_USAGE;
    return add_to_site(cli, o.site, net, NULL, &m);
}

static int crit_row(const ts_critical_t *m, const char *site_name, void *ctx)
{
    ts_buf_t *b = ctx;
    char net[TS_IP_STRLEN + 8], id[24];
    net_text(&m->net, net, sizeof net);
    snprintf(id, sizeof id, "%" PRId64, m->id);
    cell(b, id, 6);
    cell(b, site_name, 14);
    cell(b, net, 24);
    cell(b, m->who, 30);
    ts_format_table_cell(b, m->note, 0, false);
    ts_buf_putc(b, '\n');
    return 0;
}

static int crit_list(ts_cli_t *cli, int argc, char **argv)
{
    struct rule_opts o = {0};
    int pr = parse_rule_opts(argc, argv, "critical", "s", critical_usage, &o);
    if (pr)
        return pr > 0 ? TS_EXIT_OK : TS_EXIT_USAGE;
    ts_store_t *st;
    if (ts_cli_open_existing(cli, &st) < 0)
        return TS_EXIT_FAIL;
    int64_t root = 0;
    if (o.site && find_site(st, o.site, &root) != 0) {
        ts_store_close(st);
        return TS_EXIT_NOTFOUND;
    }
    ts_buf_t b = TS_BUF_INIT;
    ts_buf_puts(&b, "ID     SITE           NET                      WHO                            "
                    "NOTE\n");
    int r = ts_store_critical_foreach(st, root, crit_row, &b);
    if (r)
        fprintf(stderr, "tocsin: critical list: %s\n", ts_store_errmsg(st));
    else
        flush(&b);
    ts_buf_free(&b);
    ts_store_close(st);
    return ts_cli_exit_code(r);
}

static int crit_remove(ts_cli_t *cli, int argc, char **argv)
{
    return rule_remove(cli, argc, argv, "critical", critical_usage, ts_store_critical_remove);
}

int ts_cmd_critical(ts_cli_t *cli, int argc, char **argv)
{
    static const ts_cli_verb_t verbs[] = {
        {"add", crit_add}, {"list", crit_list}, {"remove", crit_remove}};
    return ts_cli_dispatch(cli, argc, argv, "critical", verbs, sizeof verbs / sizeof verbs[0],
                           critical_usage);
}

/* ---- tocsin prune ------------------------------------------------------------------------- */

int ts_cmd_prune(ts_cli_t *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"dry-run", no_argument, NULL, 'n'},
                                         {"batch", required_argument, NULL, 'b'},
                                         {"help", no_argument, NULL, 'h'},
                                         {NULL, 0, NULL, 0}};
    bool dry = false;
    size_t batch = 0;
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (ch == 'n') {
            dry = true;
        } else if (ch == 'b') {
            if (ts_cli_parse_limit(optarg, &batch) < 0)
                return TS_EXIT_USAGE;
        } else if (ch == 'h') {
            prune_usage(stdout);
            return TS_EXIT_OK;
        } else {
            ts_cli_usage_error("prune", NULL);
            return TS_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        ts_cli_usage_error("prune", "unexpected argument '%s'", argv[optind]);
        return TS_EXIT_USAGE;
    }
    ts_store_t *st;
    if (ts_cli_open_existing(cli, &st) < 0)
        return TS_EXIT_FAIL;
    volatile sig_atomic_t *stop, *reload;
    ts_cli_daemon_signals(&stop, &reload);
    (void)reload;
    ts_prune_stats_t s = {0};
    int r = ts_store_prune(st, ts_time_now(), batch, dry, (const volatile int *)stop, &s);
    if (r && r != TS_EINTR)
        fprintf(stderr, "tocsin: prune: %s\n", ts_store_errmsg(st));
    else
        printf("%s%s: %" PRIu64 " events, %" PRIu64 " incidents, %" PRIu64
               " audit records, %" PRIu64 " roll-up rows\n",
               dry ? "would prune" : "pruned", r == TS_EINTR ? " (stopped)" : "", s.events,
               s.incidents, s.audit, s.rollups);
    ts_store_close(st);
    return r == TS_EINTR ? TS_EXIT_FAIL : ts_cli_exit_code(r);
}
