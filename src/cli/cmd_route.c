/* SPDX-License-Identifier: Apache-2.0 */
/* tocsin route ADDRESS|ASN|DOMAIN */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/ip.h"
#include "core/jsonw.h"

static void route_usage(FILE *out)
{
    fprintf(out, "Usage: tocsin route [--json] ADDRESS|ASN|DOMAIN\n"
                 "\n"
                 "Shows the site that owns an IPv4/IPv6 address (longest prefix), an AS number\n"
                 "(64500 or AS64500) or a DNS name (longest claimed suffix), the rule that\n"
                 "matched, and the sites that see its events (the owner and its ancestors).\n"
                 "Exit code 3 when no site owns it.\n");
}

/* A DNS name worth looking up: valid, and not a mistyped address (a name
 * whose last label is all digits, like 300.1.2.3, is not a host name). */
static bool domain_like(const char *s, size_t n)
{
    char norm[TS_DOMAIN_MAX + 1];
    size_t len;
    if (ts_domain_normalize(s, n, norm, &len) != 0)
        return false;
    const char *last = strrchr(norm, '.');
    last = last ? last + 1 : norm;
    return strspn(last, "0123456789") != strlen(last);
}

static const char *kind_name(ts_rule_kind_t k)
{
    return k == TS_RULE_NETWORK ? "network" : k == TS_RULE_ASN ? "asn" : "domain";
}

int ts_cmd_route(ts_cli_t *cli, int argc, char **argv)
{
    bool json = false;
    const char *what = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            route_usage(stdout);
            return TS_EXIT_OK;
        } else if (strcmp(argv[i], "--json") == 0) {
            json = true;
        } else if (what == NULL && (argv[i][0] != '-' || strcmp(argv[i], "--") == 0)) {
            what = strcmp(argv[i], "--") == 0 && i + 1 < argc ? argv[++i] : argv[i];
        } else {
            ts_cli_usage_error("route", "unexpected argument '%s'", argv[i]);
            return TS_EXIT_USAGE;
        }
    }
    if (what == NULL) {
        ts_cli_usage_error("route", "route needs an ADDRESS, ASN or DOMAIN");
        return TS_EXIT_USAGE;
    }
    ts_ip_t ip;
    int64_t asn;
    size_t n = strlen(what);
    bool is_ip = ts_ip_parse(what, n, &ip) == 0;
    bool is_asn = !is_ip && ts_asn_parse(what, n, &asn) == 0;
    if (!is_ip && !is_asn && !domain_like(what, n)) {
        fprintf(stderr,
                "tocsin: route: '%s' is not an IP address, an AS number or a domain name (for a "
                "network, give one of its addresses)\n",
                what);
        return TS_EXIT_USAGE;
    }
    ts_store_t *st;
    ts_constituency_t *c;
    if (ts_cli_open_routing_existing(cli, &st, &c) < 0)
        return TS_EXIT_FAIL;

    ts_match_t m;
    int rc;
    if (is_ip)
        rc = ts_constituency_lookup_ip(c, &ip, &m);
    else if (is_asn)
        rc = ts_constituency_lookup_asn(c, asn, &m);
    else
        rc = ts_constituency_lookup_domain(c, what, n, &m);

    ts_buf_t out = TS_BUF_INIT;
    ts_jsonw_t w;
    ts_jsonw_init(&w, &out);
    if (rc == 0) {
        if (json) {
            ts_jsonw_object_begin(&w);
            ts_jsonw_key(&w, "query");
            ts_jsonw_cstr(&w, what);
            ts_jsonw_key(&w, "site");
            ts_jsonw_cstr(&w, m.site_name);
            ts_jsonw_key(&w, "match");
            ts_jsonw_cstr(&w, kind_name(m.kind));
            ts_jsonw_key(&w, "rule");
            ts_jsonw_cstr(&w, m.rule);
            ts_jsonw_key(&w, "visible_to");
            ts_jsonw_array_begin(&w);
        } else {
            ts_buf_printf(&out, "%s: site %s (%s %s)\nvisible to: ", what, m.site_name,
                          kind_name(m.kind), m.rule);
        }
        int64_t id = m.site_id;
        for (int depth = 0; id != 0 && depth < 64; depth++) {
            const char *name = ts_constituency_site_name(c, id);
            if (json)
                ts_jsonw_cstr(&w, name ? name : "?");
            else
                ts_buf_printf(&out, "%s%s", depth ? ", " : "", name ? name : "?");
            int64_t parent = 0;
            if (ts_constituency_parent(c, id, &parent) < 0)
                break;
            id = parent;
        }
        if (json) {
            ts_jsonw_array_end(&w);
            ts_jsonw_object_end(&w);
        }
        ts_buf_putc(&out, '\n');
        fwrite(out.data, 1, out.len, stdout);
    } else {
        if (json) {
            ts_jsonw_object_begin(&w);
            ts_jsonw_key(&w, "query");
            ts_jsonw_cstr(&w, what);
            ts_jsonw_key(&w, "site");
            ts_jsonw_null(&w);
            ts_jsonw_object_end(&w);
            ts_buf_putc(&out, '\n');
            fwrite(out.data, 1, out.len, stdout);
        } else
            printf("%s: no owner in the constituency\n", what);
    }
    ts_buf_free(&out);
    ts_constituency_free(c);
    ts_store_close(st);
    return rc == 0 ? TS_EXIT_OK : TS_EXIT_NOTFOUND;
}
