/* SPDX-License-Identifier: Apache-2.0 */
#include "route/constfile.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "core/file.h"
#include "core/json.h"
#include "core/jsonw.h"
#include "core/mem.h"
#include "route/constfile_int.h"

/* Grows an array held as (pointer, count) by one element; capacity is the
 * next power of two, so no separate capacity field is needed. */
static void *grow(void *p, size_t n, size_t elem)
{
    if (n == 0 || (n & (n - 1)) == 0)
        p = ts_xrealloc(p, (n ? n * 2 : 4) * elem);
    return p;
}

/* ---- Assembling ------------------------------------------------------------- */

ts_constfile_t *ts_constfile_new(void)
{
    return ts_xcalloc(1, sizeof(ts_constfile_t));
}

static void site_free(ts_cf_site_t *s)
{
    free(s->name);
    free(s->parent);
    free(s->description);
    for (size_t i = 0; i < s->n_contacts; i++) {
        free(s->contacts[i].email);
        free(s->contacts[i].name);
    }
    free(s->contacts);
    free(s->networks);
    free(s->asns);
    for (size_t i = 0; i < s->n_domains; i++)
        free(s->domains[i]);
    free(s->domains);
}

void ts_constfile_free(ts_constfile_t *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->n_sites; i++)
        site_free(&f->sites[i]);
    free(f->sites);
    free(f);
}

ts_cf_site_t *ts_constfile_add_site(ts_constfile_t *f, const char *name, const char *parent,
                                    const char *description)
{
    f->sites = grow(f->sites, f->n_sites, sizeof *f->sites);
    ts_cf_site_t *s = &f->sites[f->n_sites++];
    *s = (ts_cf_site_t){.name = ts_xstrdup(name),
                        .parent = parent ? ts_xstrdup(parent) : NULL,
                        .description = ts_xstrdup(description ? description : "")};
    return s;
}

void ts_cf_site_add_contact(ts_cf_site_t *s, const char *email, const char *name)
{
    s->contacts = grow(s->contacts, s->n_contacts, sizeof *s->contacts);
    s->contacts[s->n_contacts++] =
        (ts_cf_contact_t){ts_xstrdup(email), ts_xstrdup(name ? name : "")};
}

void ts_cf_site_add_network(ts_cf_site_t *s, const ts_prefix_t *net)
{
    s->networks = grow(s->networks, s->n_networks, sizeof *s->networks);
    s->networks[s->n_networks++] = *net;
}

void ts_cf_site_add_asn(ts_cf_site_t *s, int64_t asn)
{
    s->asns = grow(s->asns, s->n_asns, sizeof *s->asns);
    s->asns[s->n_asns++] = asn;
}

void ts_cf_site_add_domain(ts_cf_site_t *s, const char *domain)
{
    s->domains = grow(s->domains, s->n_domains, sizeof *s->domains);
    s->domains[s->n_domains++] = ts_xstrdup(domain);
}

/* ---- Networks ---------------------------------------------------------------- */

static unsigned family_bits(const ts_ip_t *ip)
{
    return ip->family == TS_AF_INET ? 32 : 128;
}

int ts_constfile_parse_network(const char *s, size_t n, ts_prefix_t *out, char *err, size_t errsize)
{
    int shown = n > 64 ? 64 : (int)n;
    const char *slash = memchr(s, '/', n);
    size_t alen = slash ? (size_t)(slash - s) : n;
    ts_prefix_t p = {0};
    if (ts_ip_parse(s, alen, &p.addr) != 0) {
        ts_seterr(err, errsize, "\"%.*s\" is not an IP network (address/length)", shown, s);
        return TS_EADDR;
    }
    unsigned bits = family_bits(&p.addr);
    unsigned len = bits;
    if (slash != NULL) {
        const char *d = slash + 1;
        size_t dn = n - alen - 1;
        bool ok = dn >= 1 && dn <= 3 && !(dn > 1 && d[0] == '0');
        len = 0;
        for (size_t i = 0; ok && i < dn; i++) {
            ok = d[i] >= '0' && d[i] <= '9';
            len = len * 10 + (unsigned)(d[i] - '0');
        }
        if (!ok || len > bits) {
            ts_seterr(err, errsize, "\"%.*s\": prefix length must be 0-%u", shown, s, bits);
            return TS_EADDR;
        }
    }
    p.len = (uint8_t)len;
    if (ts_prefix_clear_host_bits(&p)) {
        char net[TS_IP_STRLEN];
        ts_prefix_format(&p, net, sizeof net);
        ts_seterr(err, errsize, "%.*s has host bits set (the network is %s)", shown, s, net);
        return TS_EADDR;
    }
    *out = p;
    return 0;
}

static int net_cmp(const void *a, const void *b)
{
    const ts_prefix_t *x = a, *y = b;
    if (x->addr.family != y->addr.family)
        return x->addr.family < y->addr.family ? -1 : 1;
    int d = memcmp(x->addr.bytes, y->addr.bytes, 16);
    if (d != 0)
        return d;
    return (x->len > y->len) - (x->len < y->len);
}

static int asn_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int contact_cmp(const void *a, const void *b)
{
    return strcmp(((const ts_cf_contact_t *)a)->email, ((const ts_cf_contact_t *)b)->email);
}

/* ---- Validation -------------------------------------------------------------- */

static bool text_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n > max)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

static bool email_ok(const char *e)
{
    size_t n = strlen(e);
    const char *at = strrchr(e, '@');
    if (n > TS_CONSTFILE_EMAIL_MAX || at == NULL || at == e)
        return false;
    for (const char *p = e; p < at; p++)
        if ((unsigned char)*p <= 0x20 || *p == 0x7f || strchr("<>()[]\\,;:\"@", *p) != NULL)
            return false;
    char dom[TS_DOMAIN_MAX + 1];
    return ts_domain_normalize(at + 1, strlen(at + 1), dom, NULL) == 0;
}

/* Checks the fields of one site on their own. */
static int check_site(ts_cf_site_t *s, size_t i, char *err, size_t errsize)
{
    if (!ts_site_name_valid(s->name)) {
        ts_seterr(err, errsize,
                  "sites[%zu]: name: \"%.64s\" is not a site name (1-64 of A-Z a-z 0-9 . _ -)", i,
                  s->name);
        return TS_EINVAL;
    }
    if (s->parent != NULL && !ts_site_name_valid(s->parent)) {
        ts_seterr(err, errsize, "site %s: parent: \"%.64s\" is not a site name", s->name,
                  s->parent);
        return TS_EINVAL;
    }
    if (!text_ok(s->description, TS_CONSTFILE_DESC_MAX)) {
        ts_seterr(err, errsize,
                  "site %s: description: longer than %d bytes or has control characters", s->name,
                  TS_CONSTFILE_DESC_MAX);
        return TS_EINVAL;
    }
    for (size_t j = 0; j < s->n_contacts; j++) {
        const ts_cf_contact_t *ct = &s->contacts[j];
        if (!email_ok(ct->email)) {
            ts_seterr(err, errsize, "site %s: contacts[%zu]: email: \"%.64s\" is not an address",
                      s->name, j, ct->email);
            return TS_EINVAL;
        }
        if (!text_ok(ct->name, TS_CONSTFILE_CNAME_MAX)) {
            ts_seterr(
                err, errsize,
                "site %s: contacts[%zu]: name: longer than %d bytes or has control characters",
                s->name, j, TS_CONSTFILE_CNAME_MAX);
            return TS_EINVAL;
        }
        for (size_t k = 0; k < j; k++)
            if (strcasecmp(s->contacts[k].email, ct->email) == 0) {
                ts_seterr(err, errsize, "site %s: contacts[%zu]: %s is listed twice", s->name, j,
                          ct->email);
                return TS_EEXIST;
            }
    }
    for (size_t j = 0; j < s->n_domains; j++) {
        char norm[TS_DOMAIN_MAX + 1];
        if (ts_domain_normalize(s->domains[j], strlen(s->domains[j]), norm, NULL) != 0) {
            ts_seterr(err, errsize, "site %s: domains[%zu]: \"%.64s\" is not a domain name",
                      s->name, j, s->domains[j]);
            return TS_EINVAL;
        }
        strcpy(s->domains[j], norm); /* never longer than the original */
    }
    return 0;
}

/* ---- Sites by name (route/constfile_int.h) ------------------------------------ */

struct name_key {
    size_t stride, name_off;
    const char *recs;
};

static const char *name_at(const struct name_key *k, size_t i)
{
    return *(const char *const *)(k->recs + i * k->stride + k->name_off);
}

static int name_idx_cmp(const void *a, const void *b, void *ctx)
{
    return strcmp(name_at(ctx, *(const size_t *)a), name_at(ctx, *(const size_t *)b));
}

size_t *ts_name_index(const void *recs, size_t n, size_t stride, size_t name_off)
{
    struct name_key k = {stride, name_off, recs};
    size_t *index = ts_xmalloc((n ? n : 1) * sizeof *index);
    for (size_t i = 0; i < n; i++)
        index[i] = i;
    qsort_r(index, n, sizeof *index, name_idx_cmp, &k);
    return index;
}

size_t ts_name_index_find(const void *recs, size_t stride, size_t name_off, const size_t *index,
                          size_t n, const char *name)
{
    struct name_key k = {stride, name_off, recs};
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name_at(&k, index[mid]), name);
        if (c == 0)
            return index[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return SIZE_MAX;
}

static int claim_err(int rc, const ts_cf_site_t *s, const char *field, size_t j, const char *what,
                     const char *holder, char *err, size_t errsize)
{
    if (rc == TS_ECONFLICT)
        ts_seterr(err, errsize, "site %s: %s[%zu]: %s is also claimed by site %s", s->name, field,
                  j, what, holder);
    else if (rc == TS_EEXIST)
        ts_seterr(err, errsize, "site %s: %s[%zu]: %s is listed twice", s->name, field, j, what);
    else
        ts_seterr(err, errsize, "site %s: %s[%zu]: %s: %s", s->name, field, j, what,
                  ts_strerror(rc));
    return rc;
}

struct walk {
    size_t *order, n;
};

static int collect(const ts_site_view_t *v, void *ctx)
{
    struct walk *w = ctx;
    w->order[w->n++] = (size_t)(v->id - 1);
    return 0;
}

/* Builds the constituency of f (ids = index + 1) after resolving parents;
 * *order (if non-NULL) gets the indexes in canonical site order. */
static int build(const ts_constfile_t *f, ts_constituency_t **out, size_t **order, char *err,
                 size_t errsize)
{
    size_t n = f->n_sites;
    size_t *sorted = ts_cf_site_index(f);
    size_t *parent = ts_xmalloc((n ? n : 1) * sizeof *parent);
    size_t *depth = ts_xmalloc((n ? n : 1) * sizeof *depth);
    ts_constituency_t *c = NULL;
    int rc = 0;
    for (size_t i = 1; i < n && rc == 0; i++)
        if (strcmp(f->sites[sorted[i]].name, f->sites[sorted[i - 1]].name) == 0) {
            size_t a = sorted[i - 1] < sorted[i] ? sorted[i - 1] : sorted[i];
            size_t b = sorted[i - 1] < sorted[i] ? sorted[i] : sorted[i - 1];
            ts_seterr(err, errsize, "site %s is listed twice (sites[%zu] and sites[%zu])",
                      f->sites[a].name, a, b);
            rc = TS_EEXIST;
        }
    for (size_t i = 0; i < n && rc == 0; i++) {
        const ts_cf_site_t *s = &f->sites[i];
        parent[i] = SIZE_MAX;
        depth[i] = SIZE_MAX;
        if (s->parent == NULL)
            continue;
        parent[i] = ts_cf_site_find(f, sorted, s->parent);
        if (parent[i] == SIZE_MAX) {
            ts_seterr(err, errsize, "site %s: parent: there is no site %s", s->name, s->parent);
            rc = TS_ENOENT;
        }
    }
    /* Depth of each site, found by climbing to a root or to a site whose depth
     * is known; meeting a site of the current climb again is a cycle. */
    for (size_t i = 0; i < n && rc == 0; i++) {
        if (depth[i] != SIZE_MAX)
            continue;
        size_t mark = SIZE_MAX - 1 - i, a = i, steps = 0;
        while (a != SIZE_MAX && depth[a] == SIZE_MAX) {
            depth[a] = mark;
            a = parent[a];
        }
        if (a != SIZE_MAX && depth[a] == mark) {
            ts_seterr(err, errsize, "site %s: parent: the chain of parents forms a cycle",
                      f->sites[a].name);
            rc = TS_ECYCLE;
            break;
        }
        size_t base = a == SIZE_MAX ? 0 : depth[a] + 1;
        /* Count the climb, then assign depths top-down along it. */
        for (size_t b = i; b != a; b = parent[b])
            steps++;
        for (size_t b = i; b != a; b = parent[b])
            depth[b] = base + --steps;
    }
    if (rc == 0) {
        /* Add parents before children: sort by depth (counting sort). */
        size_t maxd = 0;
        for (size_t i = 0; i < n; i++)
            maxd = depth[i] > maxd ? depth[i] : maxd;
        size_t *cnt = ts_xcalloc(maxd + 2, sizeof *cnt);
        for (size_t i = 0; i < n; i++)
            cnt[depth[i] + 1]++;
        for (size_t d = 1; d <= maxd + 1; d++)
            cnt[d] += cnt[d - 1];
        for (size_t i = 0; i < n; i++)
            sorted[cnt[depth[i]]++] = i;
        free(cnt);
        c = ts_constituency_new();
        for (size_t k = 0; k < n && rc == 0; k++) {
            size_t i = sorted[k];
            const ts_cf_site_t *s = &f->sites[i];
            rc = ts_constituency_add_site(c, (int64_t)i + 1, s->name,
                                          parent[i] == SIZE_MAX ? 0 : (int64_t)parent[i] + 1);
            if (rc != 0)
                ts_seterr(err, errsize, "site %s: %s", s->name, ts_strerror(rc));
        }
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
        const ts_cf_site_t *s = &f->sites[i];
        int64_t id = (int64_t)i + 1;
        const char *holder = NULL;
        for (size_t j = 0; j < s->n_networks && rc == 0; j++) {
            char text[TS_IP_STRLEN];
            ts_prefix_format(&s->networks[j], text, sizeof text);
            rc = ts_constituency_add_network(c, id, &s->networks[j], &holder);
            if (rc != 0)
                claim_err(rc, s, "networks", j, text, holder, err, errsize);
        }
        for (size_t j = 0; j < s->n_asns && rc == 0; j++) {
            char text[24];
            snprintf(text, sizeof text, "AS%" PRId64, s->asns[j]);
            rc = ts_constituency_add_asn(c, id, s->asns[j], &holder);
            if (rc != 0)
                claim_err(rc, s, "asns", j, text, holder, err, errsize);
        }
        for (size_t j = 0; j < s->n_domains && rc == 0; j++) {
            rc = ts_constituency_add_domain(c, id, s->domains[j], strlen(s->domains[j]), &holder);
            if (rc != 0)
                claim_err(rc, s, "domains", j, s->domains[j], holder, err, errsize);
        }
    }
    free(sorted);
    free(parent);
    free(depth);
    if (rc != 0) {
        ts_constituency_free(c);
        return rc;
    }
    if (order != NULL) {
        struct walk w = {ts_xmalloc((n ? n : 1) * sizeof(size_t)), 0};
        (void)ts_constituency_foreach_site(c, collect, &w);
        *order = w.order;
    }
    *out = c;
    return 0;
}

int ts_constfile_build(const ts_constfile_t *f, ts_constituency_t **out, char *err, size_t errsize)
{
    *out = NULL;
    return build(f, out, NULL, err, errsize);
}

int ts_constfile_validate(ts_constfile_t *f, char *err, size_t errsize)
{
    for (size_t i = 0; i < f->n_sites; i++) {
        int rc = check_site(&f->sites[i], i, err, errsize);
        if (rc != 0)
            return rc;
    }
    ts_constituency_t *c = NULL;
    size_t *order = NULL;
    int rc = build(f, &c, &order, err, errsize);
    if (rc != 0)
        return rc;
    ts_constituency_free(c);
    ts_cf_site_t *sites = ts_xmalloc((f->n_sites ? f->n_sites : 1) * sizeof *sites);
    for (size_t k = 0; k < f->n_sites; k++)
        sites[k] = f->sites[order[k]];
    free(order);
    /* Keep the array's power-of-two capacity: copy back rather than swap. */
    if (f->n_sites > 0)
        memcpy(f->sites, sites, f->n_sites * sizeof *sites);
    free(sites);
    for (size_t i = 0; i < f->n_sites; i++) {
        ts_cf_site_t *s = &f->sites[i];
        /* qsort wants a valid pointer even for 0 elements. */
        if (s->n_contacts > 1)
            qsort(s->contacts, s->n_contacts, sizeof *s->contacts, contact_cmp);
        if (s->n_networks > 1)
            qsort(s->networks, s->n_networks, sizeof *s->networks, net_cmp);
        if (s->n_asns > 1)
            qsort(s->asns, s->n_asns, sizeof *s->asns, asn_cmp);
        if (s->n_domains > 1)
            qsort(s->domains, s->n_domains, sizeof *s->domains, str_cmp);
    }
    return 0;
}

/* ---- Reading JSON ------------------------------------------------------------ */

static const char *const top_keys[] = {"tocsin_constituency", "sites"};
static const char *const site_keys[] = {"name",     "parent", "description", "contacts",
                                        "networks", "asns",   "domains"};
static const char *const contact_keys[] = {"email", "name"};

#define NKEYS(a) (sizeof(a) / sizeof((a)[0]))

/* Prefixes the message already in err with the context. */
static void TS_PRINTF(3, 4) prefix_err(char *err, size_t errsize, const char *fmt, ...)
{
    if (err == NULL || errsize == 0)
        return;
    char ctx[160], msg[TS_JSON_ERRMAX];
    snprintf(msg, sizeof msg, "%s", err);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ctx, sizeof ctx, fmt, ap);
    va_end(ap);
    snprintf(err, errsize, "%s: %s", ctx, msg);
}

static char *dup_str(ts_str_t s)
{
    return ts_xstrndup(s.ptr, s.len);
}

static int read_contacts(ts_cf_site_t *s, const ts_json_t *arr, size_t n, char *err, size_t errsize)
{
    for (size_t j = 0; j < n; j++) {
        const ts_json_t *o = ts_json_index(arr, j);
        char what[32];
        snprintf(what, sizeof what, "contacts[%zu]", j);
        int rc = ts_json_as_object(o, what, err, errsize);
        if (rc != 0)
            return rc;
        ts_str_t email = TS_STR_NULL, name = TS_STR_LIT("");
        if ((rc = ts_json_check_keys(o, contact_keys, NKEYS(contact_keys), err, errsize)) != 0 ||
            (rc = ts_json_get_str(o, "email", true, &email, err, errsize)) != 0 ||
            (rc = ts_json_get_str(o, "name", false, &name, err, errsize)) != 0) {
            prefix_err(err, errsize, "%s", what);
            return rc;
        }
        s->contacts = grow(s->contacts, s->n_contacts, sizeof *s->contacts);
        s->contacts[s->n_contacts++] = (ts_cf_contact_t){dup_str(email), dup_str(name)};
    }
    return 0;
}

static int read_site(ts_constfile_t *f, const ts_json_t *o, size_t i, char *err, size_t errsize)
{
    char what[96];
    snprintf(what, sizeof what, "sites[%zu]", i);
    int rc = ts_json_as_object(o, what, err, errsize);
    if (rc != 0)
        return rc;
    ts_str_t name = TS_STR_NULL;
    if ((rc = ts_json_get_str(o, "name", true, &name, err, errsize)) != 0) {
        prefix_err(err, errsize, "%s", what);
        return rc;
    }
    char *cname = dup_str(name);
    bool valid = ts_site_name_valid(cname);
    free(cname);
    if (!valid) {
        ts_seterr(err, errsize,
                  "%s: name: \"%.64s\" is not a site name (1-64 of A-Z a-z 0-9 . _ -)", what,
                  name.ptr);
        return TS_EINVAL;
    }
    snprintf(what, sizeof what, "site %s", name.ptr);
    ts_str_t parent = TS_STR_NULL, desc = TS_STR_LIT("");
    ts_json_t *contacts, *networks, *asns, *domains;
    size_t nc, nn, na, nd;
    if ((rc = ts_json_check_keys(o, site_keys, NKEYS(site_keys), err, errsize)) != 0 ||
        (rc = ts_json_get_str(o, "parent", false, &parent, err, errsize)) != 0 ||
        (rc = ts_json_get_str(o, "description", false, &desc, err, errsize)) != 0 ||
        (rc = ts_json_get_array(o, "contacts", false, &contacts, &nc, err, errsize)) != 0 ||
        (rc = ts_json_get_array(o, "networks", false, &networks, &nn, err, errsize)) != 0 ||
        (rc = ts_json_get_array(o, "asns", false, &asns, &na, err, errsize)) != 0 ||
        (rc = ts_json_get_array(o, "domains", false, &domains, &nd, err, errsize)) != 0) {
        prefix_err(err, errsize, "%s", what);
        return rc;
    }
    char *pname = parent.ptr ? dup_str(parent) : NULL;
    char *dtext = dup_str(desc);
    ts_cf_site_t *s = ts_constfile_add_site(f, name.ptr, pname, dtext);
    free(pname);
    free(dtext);
    if ((rc = read_contacts(s, contacts, nc, err, errsize)) != 0) {
        prefix_err(err, errsize, "%s", what);
        return rc;
    }
    for (size_t j = 0; j < nn; j++) {
        char item[32];
        snprintf(item, sizeof item, "networks[%zu]", j);
        ts_str_t v;
        ts_prefix_t p;
        if ((rc = ts_json_as_str(ts_json_index(networks, j), item, &v, err, errsize)) != 0) {
            prefix_err(err, errsize, "%s", what);
            return rc;
        }
        if ((rc = ts_constfile_parse_network(v.ptr, v.len, &p, err, errsize)) != 0) {
            prefix_err(err, errsize, "%s: %s", what, item);
            return rc;
        }
        ts_cf_site_add_network(s, &p);
    }
    for (size_t j = 0; j < na; j++) {
        char item[32];
        snprintf(item, sizeof item, "asns[%zu]", j);
        int64_t asn;
        rc = ts_json_as_int(ts_json_index(asns, j), item, 1, 4294967295LL, &asn, err, errsize);
        if (rc != 0) {
            prefix_err(err, errsize, "%s", what);
            return rc;
        }
        ts_cf_site_add_asn(s, asn);
    }
    for (size_t j = 0; j < nd; j++) {
        char item[32];
        snprintf(item, sizeof item, "domains[%zu]", j);
        ts_str_t v;
        if ((rc = ts_json_as_str(ts_json_index(domains, j), item, &v, err, errsize)) != 0) {
            prefix_err(err, errsize, "%s", what);
            return rc;
        }
        char *d = dup_str(v);
        ts_cf_site_add_domain(s, d);
        free(d);
    }
    return 0;
}

int ts_constfile_parse(const char *buf, size_t len, ts_constfile_t **out, char *err, size_t errsize)
{
    *out = NULL;
    ts_json_t *doc = NULL;
    int rc = ts_json_parse(buf, len, TS_CONSTFILE_MAX, TS_CONSTFILE_DEPTH, TS_JSON_NO_DUPKEYS, &doc,
                           err, errsize);
    if (rc != 0)
        return rc;
    ts_constfile_t *f = ts_constfile_new();
    int64_t version = 0;
    ts_json_t *sites = NULL;
    size_t n = 0;
    if ((rc = ts_json_as_object(doc, "document", err, errsize)) != 0)
        goto out;
    ts_json_t *ver;
    if (!ts_json_member(doc, "tocsin_constituency", &ver)) {
        ts_seterr(err, errsize,
                  "not a constituency file: field \"tocsin_constituency\" is missing");
        rc = TS_EMISSING;
        goto out;
    }
    if ((rc = ts_json_get_int(doc, "tocsin_constituency", true, 0, INT64_MAX - 1, &version, err,
                              errsize)) != 0)
        goto out;
    if (version != TS_CONSTFILE_VERSION) {
        ts_seterr(err, errsize, "tocsin_constituency: version %" PRId64 " is not supported (%d is)",
                  version, TS_CONSTFILE_VERSION);
        rc = TS_ENOTSUP;
        goto out;
    }
    if ((rc = ts_json_check_keys(doc, top_keys, NKEYS(top_keys), err, errsize)) != 0 ||
        (rc = ts_json_get_array(doc, "sites", true, &sites, &n, err, errsize)) != 0)
        goto out;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = read_site(f, ts_json_index(sites, i), i, err, errsize);
    if (rc == 0)
        rc = ts_constfile_validate(f, err, errsize);
out:
    ts_json_free(doc);
    if (rc != 0) {
        ts_constfile_free(f);
        return rc;
    }
    *out = f;
    return 0;
}

int ts_constfile_read(const char *path, ts_constfile_t **out, char *err, size_t errsize)
{
    *out = NULL;
    char *buf, why[128];
    size_t len;
    int rc = ts_file_read(path, TS_CONSTFILE_MAX, 0, &buf, &len, why, sizeof why);
    if (rc) {
        ts_seterr(err, errsize, "%s: %s", path, why);
        return rc == TS_ENOENT ? TS_EIO : rc;
    }
    rc = ts_constfile_parse(buf, len, out, err, errsize);
    free(buf);
    return rc;
}

/* ---- Writing ----------------------------------------------------------------- */

static void put_str(ts_buf_t *b, const char *s)
{
    ts_buf_putc(b, '"');
    ts_json_escape(b, ts_str_c(s));
    ts_buf_putc(b, '"');
}

static void put_key(ts_buf_t *b, bool *first, const char *key)
{
    ts_buf_puts(b, *first ? "\n      \"" : ",\n      \"");
    *first = false;
    ts_buf_puts(b, key);
    ts_buf_puts(b, "\": ");
}

void ts_constfile_write(const ts_constfile_t *f, ts_buf_t *b)
{
    ts_buf_printf(b, "{\n  \"tocsin_constituency\": %d,\n  \"sites\": [", TS_CONSTFILE_VERSION);
    for (size_t i = 0; i < f->n_sites; i++) {
        const ts_cf_site_t *s = &f->sites[i];
        bool first = true;
        ts_buf_puts(b, i ? ",\n    {" : "\n    {");
        put_key(b, &first, "name");
        put_str(b, s->name);
        if (s->parent != NULL) {
            put_key(b, &first, "parent");
            put_str(b, s->parent);
        }
        if (s->description[0] != '\0') {
            put_key(b, &first, "description");
            put_str(b, s->description);
        }
        if (s->n_contacts > 0) {
            put_key(b, &first, "contacts");
            ts_buf_putc(b, '[');
            for (size_t j = 0; j < s->n_contacts; j++) {
                ts_buf_puts(b, j ? ",\n        {\"email\": " : "\n        {\"email\": ");
                put_str(b, s->contacts[j].email);
                if (s->contacts[j].name[0] != '\0') {
                    ts_buf_puts(b, ", \"name\": ");
                    put_str(b, s->contacts[j].name);
                }
                ts_buf_putc(b, '}');
            }
            ts_buf_puts(b, "\n      ]");
        }
        if (s->n_networks > 0) {
            put_key(b, &first, "networks");
            ts_buf_putc(b, '[');
            for (size_t j = 0; j < s->n_networks; j++) {
                char text[TS_IP_STRLEN];
                ts_prefix_format(&s->networks[j], text, sizeof text);
                ts_buf_printf(b, "%s\n        \"%s\"", j ? "," : "", text);
            }
            ts_buf_puts(b, "\n      ]");
        }
        if (s->n_asns > 0) {
            put_key(b, &first, "asns");
            ts_buf_putc(b, '[');
            for (size_t j = 0; j < s->n_asns; j++)
                ts_buf_printf(b, "%s\n        %" PRId64, j ? "," : "", s->asns[j]);
            ts_buf_puts(b, "\n      ]");
        }
        if (s->n_domains > 0) {
            put_key(b, &first, "domains");
            ts_buf_putc(b, '[');
            for (size_t j = 0; j < s->n_domains; j++) {
                ts_buf_puts(b, j ? ",\n        " : "\n        ");
                put_str(b, s->domains[j]);
            }
            ts_buf_puts(b, "\n      ]");
        }
        ts_buf_puts(b, "\n    }");
    }
    ts_buf_puts(b, f->n_sites ? "\n  ]\n}\n" : "]\n}\n");
}
