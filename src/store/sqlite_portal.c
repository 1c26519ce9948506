/* SPDX-License-Identifier: Apache-2.0 */
/* SQLite: the portal's queries (see eventq.h). Every statement that touches
 * events carries its subtree bound in the SQL itself (the recursive `sub`
 * CTE), so a caller cannot obtain another site's rows by varying parameters:
 * the parameters only narrow further. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "core/taxonomy.h"
#include "store/eventq_int.h"
#include "store/sqlite_int.h"

/* v6: the time expression every portal window filters on, with the type, so
 * that statistics over a window read only that window's index entries (the
 * per-day and per-type counts never touch the table). */
const char ts_sq_migration_portal[] =
    "CREATE INDEX events_time ON events(coalesce(time_source, time_observation), type);"
    "PRAGMA user_version = 6;";

#define SUB_CTE                                                                                    \
    "WITH RECURSIVE sub(id) AS (SELECT id FROM sites WHERE id = :site"                             \
    " UNION SELECT s.id FROM sites s JOIN sub ON s.parent_id = sub.id) "
#define E_TIME "coalesce(e.time_source, e.time_observation)"
#define PF_FILTERS                                                                                 \
    " AND (:since IS NULL OR " E_TIME " >= :since)"                                                \
    " AND (:until IS NULL OR " E_TIME " < :until)"                                                 \
    " AND (:types IS NULL OR e.type IN (SELECT value FROM json_each(:types)))"                     \
    " AND (:lo IS NULL OR (coalesce(:role, 1) = 1 AND e.src_ip BETWEEN :lo AND :hi)"               \
    " OR (coalesce(:role, 2) = 2 AND e.dst_ip BETWEEN :lo AND :hi))"
#define ST_TIME " " E_TIME " >= :since AND " E_TIME " < :until"
/* The day as a number (days since the epoch, UTC, rounded down also before
 * 1970): an integer division per row where date() built a string per row, a
 * third of the cost of a month's statistics. Formatted once per group. */
#define E_DAY "((" E_TIME " - (" E_TIME " < 0) * 86399999999) / 86400000000)"
/* Two ways to bound statistics by a subtree, as for pages: IN reads the
 * subtree's links through the site index (cost: its links), EXISTS probes the
 * links of each event of the window (cost: the window). */
#define TLP_SUB TS_TLP_SITE_SQL(" IN sub")
#define ST_IN_SUB                                                                                  \
    " AND e.id IN (SELECT l.id >> 16 FROM event_links l WHERE l.site_id IN sub)" TLP_SUB
#define ST_EXISTS_SUB                                                                              \
    " AND EXISTS (SELECT 1 FROM event_links l WHERE l.id" TS_LINKS_OF(                             \
        "e.id") " AND +l.site_id IN sub)" TLP_SUB
#define TOP_COLS                                                                                   \
    "SELECT max(CASE l.role WHEN 1 THEN e.src_family ELSE e.dst_family END),"                      \
    " CASE l.role WHEN 1 THEN e.src_ip ELSE e.dst_ip END AS ip, count(*) AS n"

enum {
    P_PAGE_ALL,
    P_PAGE_WALK,
    P_PAGE_IN,
    P_SIZES,
    P_DAY_ALL,
    P_DAY_SITE,
    P_DAY_WALK,
    P_TOP_ALL,
    P_TOP_SITE,
    P_TOP_WALK,
    P_SUB_LINKS,
    P_WIN_COUNT,
    P_MAX_ID,
    P_SITE_ROW,
    P_SITE_CLAIMS,
    P_SITE_CONTACTS,
    P_SITE_CHILDREN,
    P_IN_SUBTREE,
    P_COUNT_
};
_Static_assert(P_COUNT_ <= TS_SQX_ADVISORY - TS_SQX_PORTAL, "portal statements fit their slots");

static const char *const sql_text[P_COUNT_] = {
    /* The CSIRT: every event. */
    [P_PAGE_ALL] = "SELECT e.id FROM events e WHERE e.id < :before"
                   " AND (:role IS NULL OR EXISTS (SELECT 1 FROM event_links l"
                   " WHERE l.id BETWEEN e.id * 65536 + (:role - 1) * 32768"
                   " AND e.id * 65536 + (:role - 1) * 32768 + 32767))" PF_FILTERS
                   " ORDER BY e.id DESC LIMIT :lim",
    /* A subtree owning much of the store: walk ids downwards, probe the (at
     * most two) links of each; a page costs about limit / share probes. */
    [P_PAGE_WALK] = SUB_CTE
    "SELECT e.id FROM events e WHERE e.id < :before AND e.id > :floor"
    " AND EXISTS (SELECT 1 FROM event_links l"
    " WHERE l.id" TS_LINKS_OF("e.id") " AND +l.site_id IN sub"
                                      " AND (:role IS NULL OR l.role = :role))" PF_FILTERS TLP_SUB
                                      " ORDER BY e.id DESC LIMIT :lim",
    /* A small subtree: its links through the site index, then the events. */
    [P_PAGE_IN] = SUB_CTE "SELECT e.id FROM events e WHERE e.id IN (SELECT l.id >> 16"
                          " FROM event_links l WHERE l.site_id IN sub AND l.id < :before * 65536"
                          " AND (:role IS NULL OR l.role = :role))"
                          " AND e.id < :before" PF_FILTERS TLP_SUB " ORDER BY e.id DESC LIMIT :lim",
    [P_SIZES] = SUB_CTE "SELECT (SELECT count(*) FROM sub), (SELECT count(*) FROM sites)",
    /* One row per event of the window (its day and type), counted in C:
     * the rows come off the (time, type) index, where a GROUP BY on two
     * keys had SQLite sort them first (ten times the cost on a month). */
    [P_DAY_ALL] = "SELECT " E_DAY ", e.type FROM events e WHERE" ST_TIME,
    [P_DAY_SITE] = SUB_CTE "SELECT " E_DAY ", e.type FROM events e WHERE" ST_TIME ST_IN_SUB,
    [P_DAY_WALK] = SUB_CTE "SELECT " E_DAY ", e.type FROM events e WHERE" ST_TIME ST_EXISTS_SUB,
    [P_TOP_ALL] = TOP_COLS
    " FROM events e JOIN event_links l"
    " ON l.id" TS_LINKS_OF("e.id") " WHERE" ST_TIME
                                   " AND ip IS NOT NULL GROUP BY ip ORDER BY n DESC, ip LIMIT :lim",
    [P_TOP_SITE] = SUB_CTE TOP_COLS " FROM event_links l JOIN events e ON e.id = l.id >> 16"
                                    " WHERE l.site_id IN sub AND" ST_TIME TLP_SUB
                                    " AND ip IS NOT NULL GROUP BY ip ORDER BY n DESC, ip"
                                    " LIMIT :lim",
    [P_TOP_WALK] = SUB_CTE TOP_COLS
    " FROM events e JOIN event_links l"
    " ON l.id" TS_LINKS_OF("e.id") " WHERE" ST_TIME
                                   " AND +l.site_id IN sub AND ip IS NOT NULL" TLP_SUB
                                   " GROUP BY ip ORDER BY n DESC, ip LIMIT :lim",
    [P_SUB_LINKS] = SUB_CTE "SELECT count(*) FROM event_links l WHERE l.site_id IN sub",
    [P_WIN_COUNT] = "SELECT count(*) FROM events e WHERE" ST_TIME,
    [P_MAX_ID] = "SELECT coalesce(max(id), 0) FROM events",
    [P_SITE_ROW] = "SELECT s.id, coalesce(s.parent_id, 0), s.name, s.description, p.name"
                   " FROM sites s LEFT JOIN sites p ON p.id = s.parent_id WHERE s.id = ?1",
    [P_SITE_CLAIMS] = "SELECT kind, value FROM claims WHERE site_id = ?1 ORDER BY kind, value",
    [P_SITE_CONTACTS] = "SELECT email, name FROM contacts WHERE site_id = ?1 ORDER BY email",
    [P_SITE_CHILDREN] = "SELECT id, name, description FROM sites WHERE parent_id = ?1"
                        " ORDER BY name",
    [P_IN_SUBTREE] = "WITH RECURSIVE sub(id) AS (SELECT id FROM sites WHERE id = ?1"
                     " UNION SELECT s.id FROM sites s JOIN sub ON s.parent_id = sub.id)"
                     " SELECT 1 FROM sub WHERE id = ?2",
};

static sqlite3_stmt *stmt(struct sq_store *sq, int id, int *err)
{
    return ts_sq_stmt(sq, TS_SQX_PORTAL + id, sql_text[id], err);
}

#define STMT(s, sq, id)                                                                            \
    int err_##s = 0;                                                                               \
    sqlite3_stmt *s = stmt(sq, id, &err_##s);                                                      \
    if (s == NULL)                                                                                 \
        return err_##s;

/* Binds by name; a statement without that parameter ignores it. */
static void bind_int(sqlite3_stmt *s, const char *name, int64_t v)
{
    int i = sqlite3_bind_parameter_index(s, name);
    if (i > 0)
        sqlite3_bind_int64(s, i, v);
}

static void bind_opt(sqlite3_stmt *s, const char *name, int64_t v, bool present)
{
    int i = sqlite3_bind_parameter_index(s, name);
    if (i <= 0)
        return;
    if (present)
        sqlite3_bind_int64(s, i, v);
    else
        sqlite3_bind_null(s, i);
}

static void bind_text(sqlite3_stmt *s, const char *name, const char *v)
{
    int i = sqlite3_bind_parameter_index(s, name);
    if (i > 0)
        ts_sq_bind_cstr(s, i, v);
}

static void bind_blob(sqlite3_stmt *s, const char *name, const uint8_t *v, bool present)
{
    int i = sqlite3_bind_parameter_index(s, name);
    if (i <= 0)
        return;
    if (present)
        sqlite3_bind_blob(s, i, v, 16, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

static int not_found(struct sq_store *sq)
{
    ts_sq_set_msg(sq, "no such site");
    return TS_ENOENT;
}

/* Sites in the subtree of site (0 when it is not a site) and in the store. */
static int sizes(struct sq_store *sq, int64_t site, int64_t *n_sub, int64_t *n_all)
{
    STMT(s, sq, P_SIZES);
    bind_int(s, ":site", site);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *n_sub = sqlite3_column_int64(s, 0);
        *n_all = sqlite3_column_int64(s, 1);
    }
    return ts_sq_iter_end(sq, s, rc == SQLITE_ROW ? SQLITE_DONE : rc, 0);
}

static int count_site(struct sq_store *sq, int q, int64_t site, int64_t since, int64_t until,
                      int64_t *n)
{
    STMT(s, sq, q);
    bind_int(s, ":site", site);
    bind_int(s, ":since", since);
    bind_int(s, ":until", until);
    int rc = sqlite3_step(s);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    return ts_sq_iter_end(sq, s, rc == SQLITE_ROW ? SQLITE_DONE : rc, 0);
}

/* Runs one page statement, appending up to max - *n ids. */
static int page_run(struct sq_store *sq, int q, const ts_portal_filter_t *f, int64_t before,
                    int64_t floor, int64_t *ids, size_t max, size_t *n)
{
    STMT(s, sq, q);
    bind_int(s, ":site", f->site_id);
    bind_int(s, ":before", before);
    bind_int(s, ":floor", floor);
    bind_opt(s, ":since", f->since, f->since != TS_TIME_NONE);
    bind_opt(s, ":until", f->until, f->until != TS_TIME_NONE);
    bind_text(s, ":types", f->types_json);
    bind_opt(s, ":role", f->role, f->role != 0);
    bind_blob(s, ":lo", f->ip_lo, f->has_ip);
    bind_blob(s, ":hi", f->ip_hi, f->has_ip);
    bind_int(s, ":lim", (int64_t)(max - *n));
    int rc;
    while (*n < max && (rc = sqlite3_step(s)) == SQLITE_ROW)
        ids[(*n)++] = sqlite3_column_int64(s, 0);
    if (*n == max)
        rc = SQLITE_DONE;
    return ts_sq_iter_end(sq, s, rc, 0);
}

/* Ids below which a small subtree's page stops walking and reads its links. */
#define WALK_WINDOW(max) ((int64_t)(max)*64)

static int pq_page(ts_store_t *st, const ts_portal_filter_t *f, int64_t *ids, size_t max, size_t *n)
{
    struct sq_store *sq = ts_sq(st);
    *n = 0;
    /* Ids stay far below this; it keeps :before * 65536 within 64 bits. */
    int64_t before =
        f->before_id > 0 && f->before_id < TS_LINK_ID_NONE ? f->before_id : TS_LINK_ID_NONE;
    if (f->site_id == 0)
        return page_run(sq, P_PAGE_ALL, f, before, 0, ids, max, n);
    int64_t n_sub = 0, n_all = 0;
    int r = sizes(sq, f->site_id, &n_sub, &n_all);
    if (r)
        return r;
    if (n_sub == 0)
        return not_found(sq);
    /* A subtree with a quarter of the sites or more: walk ids downwards. */
    if (n_sub * 4 >= n_all)
        return page_run(sq, P_PAGE_WALK, f, before, 0, ids, max, n);
    /* A smaller one: walk a window of recent ids (cheap when the subtree owns
     * a fair share of them), then read its links below the window through
     * the site index (cheap when it owns few), so neither a busy department
     * nor a quiet one costs a scan of the table. */
    int64_t top = before == TS_LINK_ID_NONE ? 0 : before;
    if (top == 0) {
        /* The newest id: the walk window hangs below it. */
        r = count_site(sq, P_MAX_ID, 0, 0, 0, &top);
        if (r)
            return r;
        top++;
    }
    int64_t floor = top > WALK_WINDOW(max) ? top - WALK_WINDOW(max) : 0;
    r = page_run(sq, P_PAGE_WALK, f, before, floor, ids, max, n);
    if (r == 0 && *n < max && floor > 0)
        r = page_run(sq, P_PAGE_IN, f, floor + 1, 0, ids, max, n);
    return r;
}

static void bind_window(sqlite3_stmt *s, int64_t site, int64_t since, int64_t until)
{
    bind_int(s, ":site", site);
    bind_int(s, ":since", since);
    bind_int(s, ":until", until);
    bind_int(s, ":lim", TS_PORTAL_TOP_HOSTS);
}

/* Which statement of a (ALL, SITE, WALK) triple a statistics call uses. */
typedef enum plan { PLAN_ALL, PLAN_IN, PLAN_WALK } plan_t;

/* Counts per (day, type) and per type, from one pass over the window. */
typedef struct daycount {
    int64_t day;
    ts_type_t type;
    uint64_t n;
} daycount_t;

typedef struct dayagg {
    daycount_t *slot; /* open addressing on (day, type); n == 0 is empty */
    size_t cap, used;
    uint64_t by_type[TS_RSIT_TYPES];
} dayagg_t;

static size_t day_hash(int64_t day, ts_type_t type, size_t cap)
{
    uint64_t h = ((uint64_t)day * 64 + type) * 0x9e3779b97f4a7c15ull;
    return (size_t)(h >> 20) & (cap - 1);
}

static void day_add(dayagg_t *a, int64_t day, ts_type_t type)
{
    if ((a->used + 1) * 2 > a->cap) {
        size_t nc = a->cap ? a->cap * 2 : 256;
        daycount_t *ns = ts_xcalloc(nc, sizeof *ns);
        for (size_t i = 0; i < a->cap; i++) {
            if (a->slot[i].n == 0)
                continue;
            size_t k = day_hash(a->slot[i].day, a->slot[i].type, nc);
            while (ns[k].n)
                k = (k + 1) & (nc - 1);
            ns[k] = a->slot[i];
        }
        free(a->slot);
        a->slot = ns;
        a->cap = nc;
    }
    size_t k = day_hash(day, type, a->cap);
    while (a->slot[k].n && (a->slot[k].day != day || a->slot[k].type != type))
        k = (k + 1) & (a->cap - 1);
    if (a->slot[k].n == 0) {
        a->slot[k].day = day;
        a->slot[k].type = type;
        a->used++;
    }
    a->slot[k].n++;
    a->by_type[type]++;
}

/* Day, then type name: the order the answer lists them in. */
static int cmp_daycount(const void *x, const void *y)
{
    const daycount_t *a = x, *b = y;
    if (a->day != b->day)
        return a->day < b->day ? -1 : 1;
    return strcmp(ts_type_name(a->type), ts_type_name(b->type));
}

/* Most frequent first, then by name. */
static int cmp_bytype(const void *x, const void *y, void *ctx)
{
    const uint64_t *n = ctx;
    ts_type_t a = *(const ts_type_t *)x, b = *(const ts_type_t *)y;
    if (n[a] != n[b])
        return n[a] > n[b] ? -1 : 1;
    return strcmp(ts_type_name(a), ts_type_name(b));
}

static int stats_days_types(struct sq_store *sq, int64_t site, int64_t since, int64_t until,
                            plan_t pl, const ts_portal_stats_cbs_t *cbs, void *ctx)
{
    STMT(s, sq, pl == PLAN_ALL ? P_DAY_ALL : pl == PLAN_IN ? P_DAY_SITE : P_DAY_WALK);
    bind_window(s, site, since, until);
    dayagg_t a;
    memset(&a, 0, sizeof a);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(s, 1);
        ts_type_t type;
        /* The store writes canonical type names only; anything else is not
         * an RSIT type and has no row in the answer. */
        if (t && ts_type_lookup((const char *)t, (size_t)sqlite3_column_bytes(s, 1), &type) == 0)
            day_add(&a, sqlite3_column_int64(s, 0), type);
    }
    int r = ts_sq_iter_end(sq, s, rc, 0);
    daycount_t *rows = NULL;
    size_t n = 0;
    if (r == 0 && a.used) {
        rows = ts_xmalloc(a.used * sizeof *rows);
        for (size_t i = 0; i < a.cap; i++)
            if (a.slot[i].n)
                rows[n++] = a.slot[i];
        qsort(rows, n, sizeof *rows, cmp_daycount);
    }
    for (size_t i = 0; r == 0 && cbs->per_day && i < n; i++) {
        char day[32];
        time_t t = (time_t)(rows[i].day * 86400);
        struct tm tm;
        if (gmtime_r(&t, &tm) == NULL || strftime(day, sizeof day, "%Y-%m-%d", &tm) == 0)
            snprintf(day, sizeof day, "?");
        r = cbs->per_day(day, ts_type_name(rows[i].type), rows[i].n, ctx);
    }
    if (r == 0 && cbs->by_type) {
        ts_type_t order[TS_RSIT_TYPES];
        size_t m = 0;
        for (int k = 0; k < TS_RSIT_TYPES; k++)
            if (a.by_type[k])
                order[m++] = (ts_type_t)k;
        qsort_r(order, m, sizeof *order, cmp_bytype, a.by_type);
        for (size_t i = 0; r == 0 && i < m; i++)
            r = cbs->by_type(ts_type_name(order[i]), a.by_type[order[i]], ctx);
    }
    free(rows);
    free(a.slot);
    return r;
}

static int stats_top(struct sq_store *sq, int64_t site, int64_t since, int64_t until, plan_t pl,
                     const ts_portal_stats_cbs_t *cbs, void *ctx)
{
    STMT(s, sq, pl == PLAN_ALL ? P_TOP_ALL : pl == PLAN_IN ? P_TOP_SITE : P_TOP_WALK);
    bind_window(s, site, since, until);
    int rc, r = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_ip_t ip;
        memset(&ip, 0, sizeof ip);
        int fam = sqlite3_column_int(s, 0);
        const uint8_t *b = sqlite3_column_blob(s, 1);
        if (b == NULL || sqlite3_column_bytes(s, 1) != 16)
            continue;
        if (fam == TS_AF_INET) {
            ip.family = TS_AF_INET;
            memcpy(ip.bytes, b + 12, 4);
        } else {
            ip.family = TS_AF_INET6;
            memcpy(ip.bytes, b, 16);
        }
        if (cbs->top_host &&
            (r = cbs->top_host(&ip, (uint64_t)sqlite3_column_int64(s, 2), ctx)) != 0)
            break;
    }
    return ts_sq_iter_end(sq, s, rc, r);
}

static int pq_stats(ts_store_t *st, int64_t site, int64_t since, int64_t until,
                    const ts_portal_stats_cbs_t *cbs, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    plan_t pl = PLAN_ALL;
    if (site != 0) {
        int64_t n_sub = 0, n_all = 0;
        int r = sizes(sq, site, &n_sub, &n_all);
        if (r)
            return r;
        if (n_sub == 0)
            return not_found(sq);
        /* Both counts read one index each; the cheaper side drives. */
        int64_t n_links = 0, n_window = 0;
        if ((r = count_site(sq, P_SUB_LINKS, site, 0, 0, &n_links)) != 0 ||
            (r = count_site(sq, P_WIN_COUNT, 0, since, until, &n_window)) != 0)
            return r;
        pl = n_links <= n_window ? PLAN_IN : PLAN_WALK;
    }
    int r = stats_days_types(sq, site, since, until, pl, cbs, ctx);
    if (r == 0)
        r = stats_top(sq, site, since, until, pl, cbs, ctx);
    return r;
}

static int site_row(struct sq_store *sq, int64_t site, const ts_portal_site_cbs_t *cbs, void *ctx)
{
    STMT(s, sq, P_SITE_ROW);
    sqlite3_bind_int64(s, 1, site);
    int rc = sqlite3_step(s);
    int r = 0;
    if (rc == SQLITE_ROW) {
        ts_site_info_t info = {.id = sqlite3_column_int64(s, 0),
                               .parent_id = sqlite3_column_int64(s, 1),
                               .name = ts_sq_col_cstr(s, 2),
                               .description = ts_sq_col_cstr(s, 3)};
        const char *parent = sqlite3_column_type(s, 4) == SQLITE_NULL ? NULL : ts_sq_col_cstr(s, 4);
        r = cbs->site ? cbs->site(&info, parent, ctx) : 0;
        rc = SQLITE_DONE;
    } else if (rc == SQLITE_DONE) {
        r = not_found(sq);
    }
    return ts_sq_iter_end(sq, s, rc, r);
}

static int pq_site(ts_store_t *st, int64_t site, const ts_portal_site_cbs_t *cbs, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int r = site_row(sq, site, cbs, ctx);
    if (r)
        return r;
    int rc;
    {
        STMT(s, sq, P_SITE_CLAIMS);
        sqlite3_bind_int64(s, 1, site);
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            ts_claim_info_t c = {.site_id = site,
                                 .kind = (ts_rule_kind_t)sqlite3_column_int(s, 0),
                                 .value = ts_sq_col_cstr(s, 1)};
            if (cbs->claim && (r = cbs->claim(&c, ctx)) != 0)
                break;
        }
        if ((r = ts_sq_iter_end(sq, s, rc, r)) != 0)
            return r;
    }
    {
        STMT(s, sq, P_SITE_CONTACTS);
        sqlite3_bind_int64(s, 1, site);
        while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
            ts_contact_info_t c = {
                .site_id = site, .email = ts_sq_col_cstr(s, 0), .name = ts_sq_col_cstr(s, 1)};
            if (cbs->contact && (r = cbs->contact(&c, ctx)) != 0)
                break;
        }
        if ((r = ts_sq_iter_end(sq, s, rc, r)) != 0)
            return r;
    }
    STMT(s, sq, P_SITE_CHILDREN);
    sqlite3_bind_int64(s, 1, site);
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_site_info_t c = {.id = sqlite3_column_int64(s, 0),
                            .parent_id = site,
                            .name = ts_sq_col_cstr(s, 1),
                            .description = ts_sq_col_cstr(s, 2)};
        if (cbs->child && (r = cbs->child(&c, ctx)) != 0)
            break;
    }
    return ts_sq_iter_end(sq, s, rc, r);
}

static int pq_in_subtree(ts_store_t *st, int64_t root, int64_t id, bool *in)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, sq, P_IN_SUBTREE);
    sqlite3_bind_int64(s, 1, root);
    sqlite3_bind_int64(s, 2, id);
    int rc = sqlite3_step(s);
    *in = rc == SQLITE_ROW;
    return ts_sq_iter_end(sq, s, rc == SQLITE_ROW ? SQLITE_DONE : rc, 0);
}

const struct ts_store_portal_ops ts_sq_portal_ops = {
    .page = pq_page,
    .stats = pq_stats,
    .site = pq_site,
    .in_subtree = pq_in_subtree,
};
