/* SPDX-License-Identifier: Apache-2.0 */
/* tocsin site add|claim|unclaim|remove|list|show */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/ip.h"
#include "core/mem.h"
#include "route/loader.h"

struct claims {
    const char *networks[256];
    size_t n_networks;
    const char *asns[256];
    size_t n_asns;
    const char *domains[256];
    size_t n_domains;
    const char *contacts[64];
    size_t n_contacts;
};

static void site_usage(FILE *out)
{
    fprintf(out, "Usage:\n"
                 "  tocsin site add NAME [--parent NAME] [--description TEXT] [--network CIDR]...\n"
                 "                  [--asn N]... [--domain NAME]... [--contact EMAIL]...\n"
                 "  tocsin site claim NAME [--network CIDR]... [--asn N]... [--domain NAME]...\n"
                 "  tocsin site unclaim NAME [--network CIDR]... [--asn N]... [--domain NAME]...\n"
                 "  tocsin site remove NAME\n"
                 "  tocsin site list\n"
                 "  tocsin site show NAME\n"
                 "\n"
                 "A site is a part of the constituency (the CSIRT, a university, a department).\n"
                 "It owns networks (IPv4/IPv6 CIDR, host bits zero), AS numbers and DNS domains\n"
                 "(a domain also owns its subdomains). An address belongs to the site with the\n"
                 "most specific network; a site sees its own events and its sub-sites' events.\n"
                 "Two sites claiming the same network, ASN or domain is refused (exit 4).\n");
}

static int add_to(const char **arr, size_t *n, size_t max, const char *v)
{
    if (*n >= max) {
        fprintf(stderr, "tocsin: too many values on one command line (max %zu)\n", max);
        return -1;
    }
    arr[(*n)++] = v;
    return 0;
}

/* Parses the claim options; returns the index of the first positional arg or -1. */
static int parse_claims(int argc, char **argv, struct claims *cl, const char **parent,
                        const char **description, bool allow_site_opts)
{
    static const struct option opts[] = {
        {"parent", required_argument, NULL, 'p'},  {"description", required_argument, NULL, 'D'},
        {"network", required_argument, NULL, 'n'}, {"asn", required_argument, NULL, 'a'},
        {"domain", required_argument, NULL, 'o'},  {"contact", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        int rc = 0;
        switch (ch) {
        case 'p':
        case 'D':
        case 'c':
            if (!allow_site_opts) {
                fprintf(stderr, "tocsin: this option belongs to `site add`\n");
                return -1;
            }
            if (ch == 'p')
                *parent = optarg;
            else if (ch == 'D')
                *description = optarg;
            else
                rc = add_to(cl->contacts, &cl->n_contacts, 64, optarg);
            break;
        case 'n':
            rc = add_to(cl->networks, &cl->n_networks, 256, optarg);
            break;
        case 'a':
            rc = add_to(cl->asns, &cl->n_asns, 256, optarg);
            break;
        case 'o':
            rc = add_to(cl->domains, &cl->n_domains, 256, optarg);
            break;
        case 'h':
            site_usage(stdout);
            exit(TS_EXIT_OK);
        default:
            ts_cli_usage_error("site", NULL);
            return -1;
        }
        if (rc < 0)
            return -1;
    }
    return optind;
}

static int conflict_msg(int rc, const char *what, const char *holder, const char *site)
{
    if (rc == TS_ECONFLICT)
        fprintf(stderr, "tocsin: %s is already claimed by site %s\n", what, holder ? holder : "?");
    else if (rc == TS_EEXIST)
        fprintf(stderr, "tocsin: site %s already claims %s\n", site, what);
    else
        fprintf(stderr, "tocsin: %s: %s\n", what, ts_strerror(rc));
    return rc;
}

/* Validates every claim against the in-memory constituency (which explains
 * conflicts), then writes it to the store. */
static int apply_claims(ts_store_t *st, ts_constituency_t *c, int64_t site_id, const char *site,
                        const struct claims *cl)
{
    const char *holder = NULL;
    for (size_t i = 0; i < cl->n_networks; i++) {
        ts_prefix_t p;
        const char *v = cl->networks[i];
        if (ts_prefix_parse(v, strlen(v), &p) < 0) {
            fprintf(stderr,
                    "tocsin: invalid network '%s' (CIDR with host bits zero, e.g. "
                    "192.0.2.0/24 or 2001:db8::/32)\n",
                    v);
            return TS_EADDR;
        }
        char canon[TS_IP_STRLEN];
        ts_prefix_format(&p, canon, sizeof canon);
        int rc = ts_constituency_add_network(c, site_id, &p, &holder);
        if (rc < 0)
            return conflict_msg(rc, canon, holder, site);
        if ((rc = ts_store_claim_add(st, site_id, TS_RULE_NETWORK, canon)) < 0)
            return conflict_msg(rc, canon, NULL, site);
    }
    for (size_t i = 0; i < cl->n_asns; i++) {
        int64_t asn;
        const char *v = cl->asns[i];
        if (ts_asn_parse(v, strlen(v), &asn) < 0) {
            fprintf(stderr, "tocsin: invalid AS number '%s'\n", v);
            return TS_EINVAL;
        }
        char canon[32];
        snprintf(canon, sizeof canon, "%" PRId64, asn);
        char what[40];
        snprintf(what, sizeof what, "AS%" PRId64, asn);
        int rc = ts_constituency_add_asn(c, site_id, asn, &holder);
        if (rc < 0)
            return conflict_msg(rc, what, holder, site);
        if ((rc = ts_store_claim_add(st, site_id, TS_RULE_ASN, canon)) < 0)
            return conflict_msg(rc, what, NULL, site);
    }
    for (size_t i = 0; i < cl->n_domains; i++) {
        const char *v = cl->domains[i];
        int rc = ts_constituency_add_domain(c, site_id, v, strlen(v), &holder);
        if (rc == TS_EINVAL) {
            fprintf(stderr, "tocsin: invalid domain name '%s'\n", v);
            return rc;
        }
        if (rc < 0)
            return conflict_msg(rc, v, holder, site);
        /* Stored in the canonical form the constituency matches on. */
        char canon[TS_DOMAIN_MAX + 1];
        if (ts_domain_normalize(v, strlen(v), canon, NULL) < 0)
            return conflict_msg(TS_EINVAL, v, NULL, site);
        if ((rc = ts_store_claim_add(st, site_id, TS_RULE_DOMAIN, canon)) < 0)
            return conflict_msg(rc, canon, NULL, site);
    }
    return 0;
}

static int site_add(ts_cli_t *cli, int argc, char **argv, bool claim_only)
{
    struct claims cl;
    memset(&cl, 0, sizeof cl);
    const char *parent = NULL, *description = "";
    int first = parse_claims(argc, argv, &cl, &parent, &description, !claim_only);
    if (first < 0)
        return TS_EXIT_USAGE;
    if (argc - first != 1) {
        fprintf(stderr, "tocsin: site %s takes exactly one site NAME\n", argv[0]);
        return TS_EXIT_USAGE;
    }
    const char *name = argv[first];

    ts_store_t *st;
    ts_constituency_t *c;
    if (ts_cli_open_routing(cli, &st, &c) < 0)
        return TS_EXIT_FAIL;
    int rc = ts_store_begin(st);
    if (rc < 0) {
        fprintf(stderr, "tocsin: %s\n", ts_store_errmsg(st));
        goto out;
    }
    int64_t site_id = 0;
    if (claim_only) {
        if ((rc = ts_constituency_site_id(c, name, &site_id)) < 0) {
            fprintf(stderr, "tocsin: no site named '%s'\n", name);
            goto rollback;
        }
    } else {
        int64_t parent_id = 0;
        if (parent && (rc = ts_constituency_site_id(c, parent, &parent_id)) < 0) {
            fprintf(stderr, "tocsin: no parent site named '%s'\n", parent);
            goto rollback;
        }
        rc = ts_store_site_add(st, name, parent_id, description, &site_id);
        if (rc == TS_EEXIST) {
            fprintf(stderr, "tocsin: a site named '%s' exists already\n", name);
            goto rollback;
        }
        if (rc < 0) {
            fprintf(stderr, "tocsin: cannot add site '%s': %s\n", name, ts_strerror(rc));
            goto rollback;
        }
        rc = ts_constituency_add_site(c, site_id, name, parent_id);
        if (rc < 0) {
            fprintf(stderr, "tocsin: invalid site name '%s' (1-64 of A-Z a-z 0-9 . _ -)\n", name);
            goto rollback;
        }
        for (size_t i = 0; i < cl.n_contacts; i++) {
            if (strchr(cl.contacts[i], '@') == NULL) {
                fprintf(stderr, "tocsin: invalid contact e-mail '%s'\n", cl.contacts[i]);
                rc = TS_EINVAL;
                goto rollback;
            }
            if ((rc = ts_store_contact_add(st, site_id, cl.contacts[i], "")) < 0)
                goto rollback;
        }
    }
    if ((rc = apply_claims(st, c, site_id, name, &cl)) < 0)
        goto rollback;
    if ((rc = ts_store_commit(st)) < 0) {
        fprintf(stderr, "tocsin: commit failed: %s\n", ts_store_errmsg(st));
        goto out;
    }
    if (!claim_only)
        printf("site %s added (id %" PRId64 ")\n", name, site_id);
    else
        printf("site %s updated\n", name);
    goto out;
rollback:
    ts_store_rollback(st);
out:
    ts_constituency_free(c);
    ts_store_close(st);
    return ts_cli_exit_code(rc);
}

static int site_unclaim(ts_cli_t *cli, int argc, char **argv)
{
    struct claims cl;
    memset(&cl, 0, sizeof cl);
    const char *parent = NULL, *description = "";
    int first = parse_claims(argc, argv, &cl, &parent, &description, false);
    if (first < 0 || argc - first != 1) {
        if (first >= 0)
            ts_cli_usage_error("site", "site %s needs one NAME", argv[0]);
        return TS_EXIT_USAGE;
    }
    ts_store_t *st;
    if (ts_cli_open(cli, &st) < 0)
        return TS_EXIT_FAIL;
    int64_t id;
    int rc = ts_store_site_find(st, argv[first], &id);
    if (rc < 0) {
        fprintf(stderr, "tocsin: no site named '%s'\n", argv[first]);
        goto out;
    }
    if ((rc = ts_store_begin(st)) < 0)
        goto out;
    for (size_t i = 0; i < cl.n_networks && rc == 0; i++) {
        ts_prefix_t p;
        char canon[TS_IP_STRLEN];
        if (ts_prefix_parse(cl.networks[i], strlen(cl.networks[i]), &p) < 0) {
            fprintf(stderr, "tocsin: invalid network '%s'\n", cl.networks[i]);
            rc = TS_EADDR;
            break;
        }
        ts_prefix_format(&p, canon, sizeof canon);
        if ((rc = ts_store_claim_remove(st, id, TS_RULE_NETWORK, canon)) < 0)
            fprintf(stderr, "tocsin: site %s does not claim %s\n", argv[first], canon);
    }
    for (size_t i = 0; i < cl.n_asns && rc == 0; i++) {
        int64_t asn;
        char canon[32];
        if (ts_asn_parse(cl.asns[i], strlen(cl.asns[i]), &asn) < 0) {
            fprintf(stderr, "tocsin: invalid AS number '%s'\n", cl.asns[i]);
            rc = TS_EINVAL;
            break;
        }
        snprintf(canon, sizeof canon, "%" PRId64, asn);
        if ((rc = ts_store_claim_remove(st, id, TS_RULE_ASN, canon)) < 0)
            fprintf(stderr, "tocsin: site %s does not claim AS%s\n", argv[first], canon);
    }
    for (size_t i = 0; i < cl.n_domains && rc == 0; i++) {
        char canon[TS_DOMAIN_MAX + 1];
        if (ts_domain_normalize(cl.domains[i], strlen(cl.domains[i]), canon, NULL) < 0) {
            fprintf(stderr, "tocsin: invalid domain name '%s'\n", cl.domains[i]);
            rc = TS_EINVAL;
            break;
        }
        if ((rc = ts_store_claim_remove(st, id, TS_RULE_DOMAIN, canon)) < 0)
            fprintf(stderr, "tocsin: site %s does not claim %s\n", argv[first], canon);
    }
    if (rc == 0)
        rc = ts_store_commit(st);
    else
        ts_store_rollback(st);
    if (rc == 0)
        printf("site %s updated\n", argv[first]);
out:
    ts_store_close(st);
    return ts_cli_exit_code(rc);
}

static int site_remove(ts_cli_t *cli, int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        site_usage(argc == 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr);
        return argc == 2 && strcmp(argv[1], "--help") == 0 ? TS_EXIT_OK : TS_EXIT_USAGE;
    }
    ts_store_t *st;
    if (ts_cli_open(cli, &st) < 0)
        return TS_EXIT_FAIL;
    int64_t id;
    int rc = ts_store_site_find(st, argv[1], &id);
    if (rc < 0)
        fprintf(stderr, "tocsin: no site named '%s'\n", argv[1]);
    else if ((rc = ts_store_site_remove(st, id)) == TS_EBUSY)
        fprintf(stderr, "tocsin: site '%s' has sub-sites; remove them first\n", argv[1]);
    else if (rc < 0)
        fprintf(stderr, "tocsin: cannot remove '%s': %s\n", argv[1], ts_store_errmsg(st));
    else
        printf("site %s removed (its past events are kept)\n", argv[1]);
    ts_store_close(st);
    return ts_cli_exit_code(rc);
}

/* ---- list / show ------------------------------------------------------------ */

struct site_row {
    int64_t id, parent;
    char *name, *description;
    int depth;
};

struct listing {
    struct site_row *rows;
    size_t n, cap;
    int64_t only; /* show: one site id, or 0 */
};

static int collect_site(const ts_site_info_t *s, void *ctx)
{
    struct listing *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->rows = ts_xrealloc(l->rows, l->cap * sizeof *l->rows);
    }
    struct site_row *r = &l->rows[l->n++];
    r->id = s->id;
    r->parent = s->parent_id;
    r->name = ts_xstrdup(s->name);
    r->description = ts_xstrdup(s->description ? s->description : "");
    r->depth = 0;
    for (size_t i = 0; i + 1 < l->n; i++)
        if (l->rows[i].id == s->parent_id)
            r->depth = l->rows[i].depth + 1;
    return 0;
}

static const char *row_name(const struct listing *l, int64_t id)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->rows[i].id == id)
            return l->rows[i].name;
    return "-";
}

static int print_claim(const ts_claim_info_t *cl, void *ctx)
{
    const struct listing *l = ctx;
    if (l->only && cl->site_id != l->only)
        return 0;
    const char *kind = cl->kind == TS_RULE_NETWORK ? "network"
                       : cl->kind == TS_RULE_ASN   ? "asn"
                                                   : "domain";
    if (l->only)
        printf("  %-8s %s%s\n", kind, cl->kind == TS_RULE_ASN ? "AS" : "", cl->value);
    else
        printf("%-24s %-8s %s%s\n", row_name(l, cl->site_id), kind,
               cl->kind == TS_RULE_ASN ? "AS" : "", cl->value);
    return 0;
}

static int print_contact(const ts_contact_info_t *ci, void *ctx)
{
    const struct listing *l = ctx;
    if (ci->site_id == l->only)
        printf("  %-8s %s%s%s\n", "contact", ci->email, ci->name && *ci->name ? " " : "",
               ci->name ? ci->name : "");
    return 0;
}

static int site_list(ts_cli_t *cli, int argc, char **argv, bool show)
{
    if ((argc == 2 && strcmp(argv[1], "--help") == 0)) {
        site_usage(stdout);
        return TS_EXIT_OK;
    }
    if (show ? argc != 2 : argc != 1) {
        ts_cli_usage_error("site",
                           show ? "site show needs one NAME" : "site list takes no argument");
        return TS_EXIT_USAGE;
    }
    ts_store_t *st;
    if (ts_cli_open_existing(cli, &st) < 0)
        return TS_EXIT_FAIL;
    struct listing l;
    memset(&l, 0, sizeof l);
    int rc = ts_store_sites_foreach(st, collect_site, &l);
    if (rc == 0 && show) {
        rc = ts_store_site_find(st, argv[1], &l.only);
        if (rc < 0) {
            fprintf(stderr, "tocsin: no site named '%s'\n", argv[1]);
        } else {
            for (size_t i = 0; i < l.n; i++)
                if (l.rows[i].id == l.only)
                    printf("site %s\n  parent   %s\n  about    %s\n", l.rows[i].name,
                           l.rows[i].parent ? row_name(&l, l.rows[i].parent) : "-",
                           l.rows[i].description);
            rc = ts_store_claims_foreach(st, print_claim, &l);
            if (rc == 0)
                rc = ts_store_contacts_foreach(st, print_contact, &l);
        }
    } else if (rc == 0) {
        printf("%-24s %-24s %s\n", "SITE", "PARENT", "DESCRIPTION");
        for (size_t i = 0; i < l.n; i++) {
            char indented[128];
            snprintf(indented, sizeof indented, "%*s%s", 2 * l.rows[i].depth, "", l.rows[i].name);
            printf("%-24s %-24s %s\n", indented,
                   l.rows[i].parent ? row_name(&l, l.rows[i].parent) : "-", l.rows[i].description);
        }
        printf("\n%-24s %-8s %s\n", "SITE", "KIND", "CLAIM");
        rc = ts_store_claims_foreach(st, print_claim, &l);
    }
    for (size_t i = 0; i < l.n; i++) {
        free(l.rows[i].name);
        free(l.rows[i].description);
    }
    free(l.rows);
    ts_store_close(st);
    return ts_cli_exit_code(rc);
}

static int site_new(ts_cli_t *cli, int argc, char **argv)
{
    return site_add(cli, argc, argv, false);
}

static int site_claim(ts_cli_t *cli, int argc, char **argv)
{
    return site_add(cli, argc, argv, true);
}

static int site_tree(ts_cli_t *cli, int argc, char **argv)
{
    return site_list(cli, argc, argv, false);
}

static int site_show(ts_cli_t *cli, int argc, char **argv)
{
    return site_list(cli, argc, argv, true);
}

int ts_cmd_site(ts_cli_t *cli, int argc, char **argv)
{
    static const ts_cli_verb_t verbs[] = {
        {"add", site_new},       {"claim", site_claim}, {"unclaim", site_unclaim},
        {"remove", site_remove}, {"list", site_tree},   {"show", site_show},
    };
    return ts_cli_dispatch(cli, argc, argv, "site", verbs, sizeof verbs / sizeof verbs[0],
                           site_usage);
}
