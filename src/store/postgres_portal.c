/* SPDX-License-Identifier: Apache-2.0 */
/* PostgreSQL: the portal's queries (see eventq.h), as sqlite_portal.c. Every
 * statement that touches events carries its subtree bound in the SQL itself
 * (the recursive `sub` CTE), so a caller cannot obtain another site's rows
 * by varying parameters: the parameters only narrow further.
 *
 * SQLite needs two plans per question (walk the ids, or read the subtree's
 * links first) and picks one by counting; PostgreSQL's planner makes that
 * choice from its statistics, so each question has one statement here. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "core/taxonomy.h"
#include "store/eventq_int.h"
#include "store/postgres_int.h"

/* v6: the time expression every portal window filters on, with the type. */
const char ts_pg_migration_portal[] =
    "CREATE INDEX events_time ON events((coalesce(time_source, time_observation)), type);";

#define SUB_CTE                                                                                    \
    "WITH RECURSIVE sub(id) AS (SELECT id FROM sites WHERE id = $1"                                \
    " UNION SELECT s.id FROM sites s JOIN sub ON s.parent_id = sub.id) "
#define IN_SUB " IN (SELECT id FROM sub)"
#define E_TIME "coalesce(e.time_source, e.time_observation)"
/* Page parameters: $1 site, $2 before, $3 since, $4 until, $5 types (a JSON
 * array), $6 role, $7 lo, $8 hi, $9 limit. */
#define PF_FILTERS                                                                                 \
    " AND ($3::bigint IS NULL OR " E_TIME " >= $3)"                                                \
    " AND ($4::bigint IS NULL OR " E_TIME " < $4)"                                                 \
    " AND ($5::text IS NULL OR e.type IN (SELECT json_array_elements_text($5::json)))"             \
    " AND ($7::bytea IS NULL OR (coalesce($6, 1) = 1 AND e.src_ip BETWEEN $7 AND $8)"              \
    " OR (coalesce($6, 2) = 2 AND e.dst_ip BETWEEN $7 AND $8))"
/* Statistics parameters: $1 site, $2 since, $3 until. */
#define ST_TIME " " E_TIME " >= $2 AND " E_TIME " < $3"
#define E_DAY "((" E_TIME " - CASE WHEN " E_TIME " < 0 THEN 86399999999 ELSE 0 END) / 86400000000)"
#define TLP_SUB TS_TLP_SITE_SQL(IN_SUB)
#define ST_SUB                                                                                     \
    " AND e.id IN (SELECT l.id >> 16 FROM event_links l WHERE l.site_id" IN_SUB ")" TLP_SUB
#define E_IP "CASE l.role WHEN 1 THEN e.src_ip ELSE e.dst_ip END"
#define TOP_COLS                                                                                   \
    "SELECT max(CASE l.role WHEN 1 THEN e.src_family ELSE e.dst_family END), " E_IP " AS ip,"      \
    " count(*) AS n FROM events e JOIN event_links l ON l.id" TS_LINKS_OF("e.id") " WHERE" ST_TIME \
                                                                                  " AND " E_IP     \
                                                                                  " IS NOT NULL"
#define TOP_ORDER " GROUP BY ip"
/* An address filter through the address indexes: the ids of the events
 * with that source or destination address, as the role allows. */
#define PF_IP_IDS                                                                                  \
    " AND e.id IN (SELECT id FROM events WHERE coalesce($6, 1) = 1 AND src_ip BETWEEN $7 AND $8"   \
    " UNION SELECT id FROM events WHERE coalesce($6, 2) = 2 AND dst_ip BETWEEN $7 AND $8)"

enum {
    P_PAGE_ALL,
    P_PAGE_SITE,
    P_PAGE_ALL_IP,
    P_PAGE_SITE_IP,
    P_RT,
    P_RH,
    P_DAY_ALL,
    P_DAY_SITE,
    P_TOP_ALL,
    P_TOP_SITE,
    P_SITE_ROW,
    P_SITE_CLAIMS,
    P_SITE_CONTACTS,
    P_SITE_CHILDREN,
    P_IN_SUBTREE,
    P_COUNT_
};
_Static_assert(P_COUNT_ <= TS_PGX_ADVISORY - TS_PGX_PORTAL, "portal statements fit their slots");

static const char *const sql_text[P_COUNT_] = {
    [P_PAGE_ALL] =
        "SELECT e.id FROM events e WHERE e.id < $2"
        " AND ($6::bigint IS NULL OR EXISTS (SELECT 1 FROM event_links l"
        " WHERE l.id BETWEEN e.id * 65536 + ($6 - 1) * 32768"
        " AND e.id * 65536 + ($6 - 1) * 32768 + 32767))" PF_FILTERS " ORDER BY e.id DESC LIMIT $9",
    [P_PAGE_SITE] = SUB_CTE "SELECT e.id FROM events e WHERE e.id < $2"
                            " AND e.id IN (SELECT l.id >> 16 FROM event_links l"
                            " WHERE l.site_id" IN_SUB " AND l.id < $2 * 65536"
                            " AND ($6::bigint IS NULL OR l.role = $6))" PF_FILTERS TLP_SUB
                            " ORDER BY e.id DESC LIMIT $9",
    [P_PAGE_ALL_IP] =
        "SELECT e.id FROM events e WHERE e.id < $2" PF_IP_IDS
        " AND ($6::bigint IS NULL OR EXISTS (SELECT 1 FROM event_links l"
        " WHERE l.id BETWEEN e.id * 65536 + ($6 - 1) * 32768"
        " AND e.id * 65536 + ($6 - 1) * 32768 + 32767))" PF_FILTERS " ORDER BY e.id DESC LIMIT $9",
    [P_PAGE_SITE_IP] = SUB_CTE "SELECT e.id FROM events e WHERE e.id < $2" PF_IP_IDS
                               " AND EXISTS (SELECT 1 FROM event_links l"
                               " WHERE l.id" TS_LINKS_OF("e.id") " AND l.site_id" IN_SUB
                               " AND ($6::bigint IS NULL OR l.role = $6))" PF_FILTERS
                               TLP_SUB " ORDER BY e.id DESC LIMIT $9",
    /* Whole days from the roll-ups ($1 site, $2 first day, $3 past the
     * last, $4 how many addresses, NULL all). */
    /* A site's roll-ups less what they count that it may not see (TLP). */
    [P_RT] = "SELECT day, type, sum(n) FROM (SELECT day, type, n FROM rollup_types"
             " WHERE site_id = $1 AND day >= $2 AND day < $3"
             " UNION ALL SELECT day, type, 0 - n FROM rollup_hidden_types"
             " WHERE site_id = $1 AND day >= $2 AND day < $3) x GROUP BY day, type",
    [P_RH] = "SELECT max(family), ip, sum(n) AS c FROM (SELECT family, ip, n FROM rollup_hosts"
             " WHERE site_id = $1 AND day >= $2 AND day < $3"
             " UNION ALL SELECT family, ip, 0 - n FROM rollup_hidden_hosts"
             " WHERE site_id = $1 AND day >= $2 AND day < $3) x"
             " GROUP BY ip HAVING sum(n) > 0 ORDER BY c DESC, ip LIMIT $4",
    /* Counts per (day, type). */
    [P_DAY_ALL] = "SELECT " E_DAY " AS day, e.type, count(*) FROM events e WHERE" ST_TIME
                  " GROUP BY 1, 2",
    [P_DAY_SITE] =
        SUB_CTE "SELECT " E_DAY " AS day, e.type, count(*) FROM events e WHERE" ST_TIME ST_SUB
                " GROUP BY 1, 2",
    [P_TOP_ALL] = TOP_COLS TOP_ORDER,
    [P_TOP_SITE] = SUB_CTE TOP_COLS " AND l.site_id" IN_SUB TLP_SUB TOP_ORDER,
    [P_SITE_ROW] = "SELECT s.id, coalesce(s.parent_id, 0), s.name, s.description, p.name"
                   " FROM sites s LEFT JOIN sites p ON p.id = s.parent_id WHERE s.id = $1",
    [P_SITE_CLAIMS] = "SELECT kind, value FROM claims WHERE site_id = $1 ORDER BY kind, value",
    [P_SITE_CONTACTS] = "SELECT email, name FROM contacts WHERE site_id = $1 ORDER BY email",
    [P_SITE_CHILDREN] = "SELECT id, name, description FROM sites WHERE parent_id = $1"
                        " ORDER BY name",
    [P_IN_SUBTREE] = SUB_CTE "SELECT 1 FROM sub WHERE id = $2",
};

static PGresult *exec(struct pg_store *pg, int id, const ts_pg_params_t *p, int *err)
{
    return ts_pg_exec(pg, TS_PGX_PORTAL + id, sql_text[id], p, err);
}

static int not_found(struct pg_store *pg)
{
    ts_pg_set_msg(pg, "no such site");
    return TS_ENOENT;
}

/* TS_ENOENT unless site is a site. */
static int site_exists(struct pg_store *pg, int64_t site)
{
    ts_pg_params_t p;
    ts_pg_params_init(&p);
    ts_pg_int(&p, site);
    ts_pg_int(&p, site);
    int r = 0;
    PGresult *res = exec(pg, P_IN_SUBTREE, &p, &r);
    if (res == NULL)
        return r;
    r = PQntuples(res) > 0 ? 0 : not_found(pg);
    PQclear(res);
    return r;
}

static int pq_page(ts_store_t *st, const ts_portal_filter_t *f, int64_t *ids, size_t max, size_t *n)
{
    struct pg_store *pg = ts_pg(st);
    *n = 0;
    /* Ids stay far below this; it keeps $2 * 65536 within 64 bits. */
    int64_t before =
        f->before_id > 0 && f->before_id < TS_LINK_ID_NONE ? f->before_id : TS_LINK_ID_NONE;
    int r = f->site_id ? site_exists(pg, f->site_id) : 0;
    if (r)
        return r;
    ts_pg_params_t p;
    ts_pg_params_init(&p);
    ts_pg_int(&p, f->site_id);
    ts_pg_int(&p, before);
    ts_pg_int_opt(&p, f->since, f->since != TS_TIME_NONE);
    ts_pg_int_opt(&p, f->until, f->until != TS_TIME_NONE);
    ts_pg_text(&p, f->types_json);
    ts_pg_int_opt(&p, f->role, f->role != 0);
    ts_pg_bytes(&p, f->has_ip ? f->ip_lo : NULL, 16);
    ts_pg_bytes(&p, f->has_ip ? f->ip_hi : NULL, 16);
    ts_pg_int(&p, (int64_t)max);
    int q = f->site_id ? (f->has_ip ? P_PAGE_SITE_IP : P_PAGE_SITE)
                       : (f->has_ip ? P_PAGE_ALL_IP : P_PAGE_ALL);
    PGresult *res = exec(pg, q, &p, &r);
    if (res == NULL)
        return r;
    for (int i = 0; i < PQntuples(res) && *n < max; i++)
        ids[(*n)++] = ts_pg_col_int(res, i, 0);
    PQclear(res);
    return 0;
}

/* Rows (day, type, count) and (family, address, count) of two statements
 * to the sink. */
static int sink_rows(struct pg_store *pg, int qd, int qh, const ts_pg_params_t *pd,
                     const ts_pg_params_t *ph, const ts_stats_sink_t *k, void *ctx)
{
    int r = 0;
    PGresult *res = exec(pg, qd, pd, &r);
    if (res == NULL)
        return r;
    for (int i = 0; i < PQntuples(res); i++) {
        const char *t = ts_pg_col_cstr(res, i, 1);
        ts_type_t type;
        /* Only canonical type names are RSIT types with a row in the answer. */
        if (ts_type_lookup(t, strlen(t), &type) == 0)
            k->day(ctx, ts_pg_col_int(res, i, 0), type, (uint64_t)ts_pg_col_int(res, i, 2));
    }
    PQclear(res);
    res = exec(pg, qh, ph, &r);
    if (res == NULL)
        return r;
    for (int i = 0; i < PQntuples(res); i++) {
        uint8_t b[16];
        if (ts_pg_col_bytes(res, i, 1, b, sizeof b) == 16)
            k->host(ctx, (int)ts_pg_col_int(res, i, 0), b, (uint64_t)ts_pg_col_int(res, i, 2));
    }
    PQclear(res);
    return 0;
}

/* $1 site, $2 and $3 the window's bounds (times or days). */
static void window_params(ts_pg_params_t *p, int64_t site, int64_t from, int64_t to)
{
    ts_pg_params_init(p);
    ts_pg_int(p, site);
    ts_pg_int(p, from);
    ts_pg_int(p, to);
}

static int pq_stats_events(ts_store_t *st, int64_t site, int64_t since, int64_t until,
                           const ts_stats_sink_t *k, void *ctx)
{
    ts_pg_params_t p;
    window_params(&p, site, since, until);
    return sink_rows(ts_pg(st), site ? P_DAY_SITE : P_DAY_ALL, site ? P_TOP_SITE : P_TOP_ALL, &p,
                     &p, k, ctx);
}

static int pq_stats_rollup(ts_store_t *st, int64_t site, int64_t d1, int64_t d2, size_t top,
                           const ts_stats_sink_t *k, void *ctx)
{
    ts_pg_params_t pd, ph;
    window_params(&pd, site, d1, d2);
    window_params(&ph, site, d1, d2);
    ts_pg_int_opt(&ph, (int64_t)top, top > 0);
    return sink_rows(ts_pg(st), P_RT, P_RH, &pd, &ph, k, ctx);
}

/* Runs a one-parameter site query; rows go to row(). */
static int site_rows(struct pg_store *pg, int q, int64_t site,
                     int (*row)(const PGresult *res, int i, int64_t site,
                                const ts_portal_site_cbs_t *cbs, void *ctx),
                     const ts_portal_site_cbs_t *cbs, void *ctx)
{
    ts_pg_params_t p;
    ts_pg_params_init(&p);
    ts_pg_int(&p, site);
    int r = 0;
    PGresult *res = exec(pg, q, &p, &r);
    if (res == NULL)
        return r;
    for (int i = 0; r == 0 && i < PQntuples(res); i++)
        r = row(res, i, site, cbs, ctx);
    PQclear(res);
    return r;
}

static int claim_row(const PGresult *res, int i, int64_t site, const ts_portal_site_cbs_t *cbs,
                     void *ctx)
{
    ts_claim_info_t c = {.site_id = site,
                         .kind = (ts_rule_kind_t)ts_pg_col_int(res, i, 0),
                         .value = ts_pg_col_cstr(res, i, 1)};
    return cbs->claim ? cbs->claim(&c, ctx) : 0;
}

static int contact_row(const PGresult *res, int i, int64_t site, const ts_portal_site_cbs_t *cbs,
                       void *ctx)
{
    ts_contact_info_t c = {
        .site_id = site, .email = ts_pg_col_cstr(res, i, 0), .name = ts_pg_col_cstr(res, i, 1)};
    return cbs->contact ? cbs->contact(&c, ctx) : 0;
}

static int child_row(const PGresult *res, int i, int64_t site, const ts_portal_site_cbs_t *cbs,
                     void *ctx)
{
    ts_site_info_t c = {.id = ts_pg_col_int(res, i, 0),
                        .parent_id = site,
                        .name = ts_pg_col_cstr(res, i, 1),
                        .description = ts_pg_col_cstr(res, i, 2)};
    return cbs->child ? cbs->child(&c, ctx) : 0;
}

static int pq_site(ts_store_t *st, int64_t site, const ts_portal_site_cbs_t *cbs, void *ctx)
{
    struct pg_store *pg = ts_pg(st);
    ts_pg_params_t p;
    ts_pg_params_init(&p);
    ts_pg_int(&p, site);
    int r = 0;
    PGresult *res = exec(pg, P_SITE_ROW, &p, &r);
    if (res == NULL)
        return r;
    if (PQntuples(res) == 0) {
        r = not_found(pg);
    } else if (cbs->site) {
        ts_site_info_t info = {.id = ts_pg_col_int(res, 0, 0),
                               .parent_id = ts_pg_col_int(res, 0, 1),
                               .name = ts_pg_col_cstr(res, 0, 2),
                               .description = ts_pg_col_cstr(res, 0, 3)};
        r = cbs->site(&info, ts_pg_col_null(res, 0, 4) ? NULL : ts_pg_col_cstr(res, 0, 4), ctx);
    }
    PQclear(res);
    if (r == 0)
        r = site_rows(pg, P_SITE_CLAIMS, site, claim_row, cbs, ctx);
    if (r == 0)
        r = site_rows(pg, P_SITE_CONTACTS, site, contact_row, cbs, ctx);
    if (r == 0)
        r = site_rows(pg, P_SITE_CHILDREN, site, child_row, cbs, ctx);
    return r;
}

static int pq_in_subtree(ts_store_t *st, int64_t root, int64_t id, bool *in)
{
    struct pg_store *pg = ts_pg(st);
    ts_pg_params_t p;
    ts_pg_params_init(&p);
    ts_pg_int(&p, root);
    ts_pg_int(&p, id);
    int r = 0;
    PGresult *res = exec(pg, P_IN_SUBTREE, &p, &r);
    if (res == NULL)
        return r;
    *in = PQntuples(res) > 0;
    PQclear(res);
    return 0;
}

const struct ts_store_portal_ops ts_pg_portal_ops = {
    .page = pq_page,
    .stats_events = pq_stats_events,
    .stats_rollup = pq_stats_rollup,
    .site = pq_site,
    .in_subtree = pq_in_subtree,
};
