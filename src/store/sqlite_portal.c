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
/* An address filter through the address indexes (schema of incidents, ip=
 * filters): the ids of the events with that source or destination address,
 * as the role allows, which the page then bounds like any other. */
#define PF_IP_IDS                                                                                  \
    " AND e.id IN (SELECT id FROM events WHERE coalesce(:role, 1) = 1"                             \
    " AND src_ip BETWEEN :lo AND :hi UNION SELECT id FROM events"                                   \
    " WHERE coalesce(:role, 2) = 2 AND dst_ip BETWEEN :lo AND :hi)"
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
    P_PAGE_ALL_IP,
    P_PAGE_SITE_IP,
    P_RT,
    P_RH,
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
    [P_PAGE_ALL_IP] = "SELECT e.id FROM events e WHERE e.id < :before" PF_IP_IDS
                      " AND (:role IS NULL OR EXISTS (SELECT 1 FROM event_links l"
                      " WHERE l.id BETWEEN e.id * 65536 + (:role - 1) * 32768"
                      " AND e.id * 65536 + (:role - 1) * 32768 + 32767))" PF_FILTERS
                      " ORDER BY e.id DESC LIMIT :lim",
    [P_PAGE_SITE_IP] = SUB_CTE "SELECT e.id FROM events e WHERE e.id < :before" PF_IP_IDS
                       " AND EXISTS (SELECT 1 FROM event_links l"
                       " WHERE l.id" TS_LINKS_OF("e.id") " AND +l.site_id IN sub"
                       " AND (:role IS NULL OR l.role = :role))" PF_FILTERS TLP_SUB
                       " ORDER BY e.id DESC LIMIT :lim",
    /* The roll-ups of whole days (sqlite_incident.c): a subtree's counts are
     * its root's rows (site 0: the CSIRT's) less what they count that the
     * site may not see (TLP, the hidden rows; none for site 0). */
    [P_RT] = "SELECT day, type, sum(n) FROM (SELECT day, type, n FROM rollup_types"
             " WHERE site_id = :site AND day >= :d1 AND day < :d2"
             " UNION ALL SELECT day, type, 0 - n FROM rollup_hidden_types"
             " WHERE site_id = :site AND day >= :d1 AND day < :d2) GROUP BY day, type",
    [P_RH] = "SELECT max(family), ip, sum(n) AS c FROM (SELECT family, ip, n FROM rollup_hosts"
             " WHERE site_id = :site AND day >= :d1 AND day < :d2"
             " UNION ALL SELECT family, ip, 0 - n FROM rollup_hidden_hosts"
             " WHERE site_id = :site AND day >= :d1 AND day < :d2)"
             " GROUP BY ip HAVING c > 0 ORDER BY c DESC, ip LIMIT :lim",
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
                                   " AND ip IS NOT NULL GROUP BY ip",
    [P_TOP_SITE] = SUB_CTE TOP_COLS " FROM event_links l JOIN events e ON e.id = l.id >> 16"
                                    " WHERE l.site_id IN sub AND" ST_TIME TLP_SUB
                                    " AND ip IS NOT NULL GROUP BY ip",
    [P_TOP_WALK] = SUB_CTE TOP_COLS
    " FROM events e JOIN event_links l"
    " ON l.id" TS_LINKS_OF("e.id") " WHERE" ST_TIME " AND +l.site_id IN sub AND ip IS NOT NULL"
                                   TLP_SUB " GROUP BY ip",
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
        return page_run(sq, f->has_ip ? P_PAGE_ALL_IP : P_PAGE_ALL, f, before, 0, ids, max, n);
    int64_t n_sub = 0, n_all = 0;
    int r = sizes(sq, f->site_id, &n_sub, &n_all);
    if (r)
        return r;
    if (n_sub == 0)
        return not_found(sq);
    /* An address names few events: its index finds them, the subtree checks each. */
    if (f->has_ip)
        return page_run(sq, P_PAGE_SITE_IP, f, before, 0, ids, max, n);
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
}

/* Which statement of a (ALL, SITE, WALK) triple a statistics call uses. */
typedef enum plan { PLAN_ALL, PLAN_IN, PLAN_WALK } plan_t;

/* The store writes canonical type names only; anything else is not an RSIT
 * type and has no row in the answer. */
static bool col_type(sqlite3_stmt *s, int col, ts_type_t *type)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    return t && ts_type_lookup((const char *)t, (size_t)sqlite3_column_bytes(s, col), type) == 0;
}

/* Rows (family, address, count) to the sink. */
static int host_rows(struct sq_store *sq, sqlite3_stmt *s, const ts_stats_sink_t *k, void *ctx)
{
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        const uint8_t *b = sqlite3_column_blob(s, 1);
        int64_t n = sqlite3_column_int64(s, 2);
        if (b && sqlite3_column_bytes(s, 1) == 16 && n > 0)
            k->host(ctx, sqlite3_column_int(s, 0), b, (uint64_t)n);
    }
    return ts_sq_iter_end(sq, s, rc, 0);
}

static int pq_stats_events(ts_store_t *st, int64_t site, int64_t since, int64_t until,
                           const ts_stats_sink_t *k, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    plan_t pl = PLAN_ALL;
    if (site != 0) {
        /* Both counts read one index each; the cheaper side drives. */
        int64_t n_links = 0, n_window = 0;
        int r = count_site(sq, P_SUB_LINKS, site, 0, 0, &n_links);
        if (r == 0)
            r = count_site(sq, P_WIN_COUNT, 0, since, until, &n_window);
        if (r)
            return r;
        pl = n_links <= n_window ? PLAN_IN : PLAN_WALK;
    }
    /* One row per event of the window (its day and type), counted in C:
     * the rows come off the (time, type) index, where a GROUP BY on two
     * keys had SQLite sort them first. */
    STMT(d, sq, pl == PLAN_ALL ? P_DAY_ALL : pl == PLAN_IN ? P_DAY_SITE : P_DAY_WALK);
    bind_window(d, site, since, until);
    int rc;
    ts_type_t type;
    while ((rc = sqlite3_step(d)) == SQLITE_ROW)
        if (col_type(d, 1, &type))
            k->day(ctx, sqlite3_column_int64(d, 0), type, 1);
    int r = ts_sq_iter_end(sq, d, rc, 0);
    if (r)
        return r;
    STMT(h, sq, pl == PLAN_ALL ? P_TOP_ALL : pl == PLAN_IN ? P_TOP_SITE : P_TOP_WALK);
    bind_window(h, site, since, until);
    return host_rows(sq, h, k, ctx);
}

static int pq_stats_rollup(ts_store_t *st, int64_t site, int64_t d1, int64_t d2, size_t top,
                           const ts_stats_sink_t *k, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    STMT(d, sq, P_RT);
    bind_int(d, ":site", site);
    bind_int(d, ":d1", d1);
    bind_int(d, ":d2", d2);
    int rc;
    ts_type_t type;
    while ((rc = sqlite3_step(d)) == SQLITE_ROW)
        if (col_type(d, 1, &type) && sqlite3_column_int64(d, 2) > 0)
            k->day(ctx, sqlite3_column_int64(d, 0), type, (uint64_t)sqlite3_column_int64(d, 2));
    int r = ts_sq_iter_end(sq, d, rc, 0);
    if (r)
        return r;
    STMT(h, sq, P_RH);
    bind_int(h, ":site", site);
    bind_int(h, ":d1", d1);
    bind_int(h, ":d2", d2);
    bind_int(h, ":lim", top > 0 ? (int64_t)top : -1);
    return host_rows(sq, h, k, ctx);
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
    .stats_events = pq_stats_events,
    .stats_rollup = pq_stats_rollup,
    .site = pq_site,
    .in_subtree = pq_in_subtree,
};
