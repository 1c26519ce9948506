/* SPDX-License-Identifier: Apache-2.0 */
#include "incident/incident.h"

#include <stdio.h>
#include <string.h>

#include "core/arena.h"
#include "core/targets.h"

static const char *const state_names[TS_INC_STATES + 1] = {
    NULL, "new", "acknowledged", "in-progress", "resolved", "false-positive", "expected",
};

const char *ts_inc_state_name(ts_inc_state_t s)
{
    return s >= TS_INC_NEW && s <= TS_INC_EXPECTED ? state_names[s] : NULL;
}

int ts_inc_state_lookup(const char *s, size_t n, ts_inc_state_t *out)
{
    for (int i = TS_INC_NEW; i <= TS_INC_EXPECTED; i++)
        if (strlen(state_names[i]) == n && memcmp(state_names[i], s, n) == 0) {
            *out = (ts_inc_state_t)i;
            return 0;
        }
    return TS_ENOENT;
}

void ts_inc_object(const ts_event_t *e, const ts_link_t *l, ts_prefix_t *one, ts_targets_t *own,
                   char *obj, size_t size, ts_prefix_t *net)
{
    memset(net, 0, sizeof *net);
    ts_link_own(e, l, one, own);
    if (own->n == 1) {
        ts_targets_entry_text(&own->list[0], obj, size);
        *net = own->list[0];
        return;
    }
    const char *rule = l->match.rule ? l->match.rule : "";
    snprintf(obj, size, "%s", rule);
    /* Many of the site's hosts: the claim they fell in names the incident. */
    if (own->n > 1 && ts_prefix_parse(rule, strlen(rule), net) != 0)
        memset(net, 0, sizeof *net);
}

ts_ip_t ts_inc_peer(const ts_event_t *e, const ts_link_t *l)
{
    const ts_endpoint_t *far = l->role == TS_ROLE_SOURCE ? &e->dst : &e->src;
    return far->ip;
}

bool ts_suppress_match(const ts_suppress_t *r, ts_type_t type, ts_str_t identifier,
                       const ts_prefix_t *object, const ts_ip_t *peer, int64_t now)
{
    if (r->type != type || (r->expires != 0 && now >= r->expires))
        return false;
    if (object->addr.family == TS_AF_NONE || !ts_prefix_covers(&r->net, object))
        return false;
    if (r->peer.addr.family != TS_AF_NONE &&
        (peer->family == TS_AF_NONE || !ts_prefix_contains(&r->peer, peer)))
        return false;
    const char *id = r->identifier ? r->identifier : "";
    if (strcmp(id, "*") == 0)
        return true;
    size_t n = strlen(id);
    if (identifier.ptr == NULL)
        return n == 0;
    return identifier.len == n && memcmp(identifier.ptr, id, n) == 0;
}

/* ---- A network against a site's space -------------------------------------------- */

struct covered {
    ts_constituency_t *c;
    const ts_prefix_t *net;
    bool yes;
};

static int claim_covers(const ts_claim_view_t *cl, void *ctx)
{
    struct covered *cv = ctx;
    if (cl->kind == TS_RULE_NETWORK && ts_prefix_covers(&cl->net, cv->net))
        cv->yes = true;
    return cv->yes;
}

static int site_covers(const ts_site_view_t *s, void *ctx)
{
    struct covered *cv = ctx;
    int r = ts_constituency_foreach_claim(cv->c, s->id, claim_covers, cv);
    if (r == 0 && !cv->yes)
        r = ts_constituency_foreach_child(cv->c, s->id, site_covers, cv);
    return cv->yes ? 1 : r;
}

int ts_inc_net_check(ts_constituency_t *c, int64_t site, const ts_prefix_t *net)
{
    const char *name = ts_constituency_site_name(c, site);
    if (name == NULL)
        return TS_ENOENT;
    struct covered cv = {.c = c, .net = net, .yes = false};
    ts_site_view_t self = {.id = site, .name = name};
    if (site_covers(&self, &cv) < 0 || !cv.yes)
        return TS_ERANGE;
    /* Every owner of an address inside, as routing would find them. */
    ts_event_t e;
    ts_event_init(&e);
    e.dst.network = *net;
    ts_arena_t *a = ts_arena_new(4096);
    ts_link_t *links = NULL;
    int n = ts_constituency_route(c, &e, a, &links);
    int r = 0;
    for (int i = 0; i < n && r == 0; i++)
        if (!ts_constituency_is_ancestor(c, site, links[i].match.site_id))
            r = TS_EDENIED;
    ts_arena_free(a);
    return r;
}

/* ---- CVE ids ------------------------------------------------------------------------- */

static bool digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool find_cve(ts_str_t s, char *buf, size_t size)
{
    for (size_t i = 0; s.ptr && i + 13 <= s.len; i++) {
        const char *p = s.ptr + i;
        if ((p[0] | 0x20) != 'c' || (p[1] | 0x20) != 'v' || (p[2] | 0x20) != 'e' || p[3] != '-')
            continue;
        size_t k = 4;
        while (k < 8 && i + k < s.len && digit(p[k]))
            k++;
        if (k != 8 || i + k >= s.len || p[k] != '-')
            continue;
        size_t d = k + 1;
        while (d < k + 1 + 7 && i + d < s.len && digit(p[d]))
            d++;
        if (d - (k + 1) < 4 || (i + d < s.len && digit(p[d])))
            continue;
        snprintf(buf, size, "CVE-%.*s", (int)(d - 4), p + 4);
        return true;
    }
    return false;
}

bool ts_inc_cve(const ts_event_t *e, char *buf, size_t size)
{
    return find_cve(e->identifier, buf, size) || find_cve(e->description, buf, size);
}
