/* SPDX-License-Identifier: Apache-2.0 */
/* The SQLite backend of the domain store (domainstore.h): claimed zones,
 * settings (the policy's cap, the RPZ serial), cases, their evidence and
 * decisions. Plain reads and writes; the rules are domainstore.c's. */
#include <string.h>

#include "store/domainstore_int.h"
#include "store/sqlite_int.h"

/* At most one open case per domain: the partial unique index makes a second
 * `case open` join the first rather than race it. */
const char ts_sq_migration_domains[] =
    "CREATE TABLE domain_zones ("
    "  zone TEXT PRIMARY KEY,"
    "  added INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE domain_settings ("
    "  key TEXT PRIMARY KEY,"
    "  value INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE domain_cases ("
    "  id INTEGER PRIMARY KEY,"
    "  domain TEXT NOT NULL,"
    "  reason TEXT NOT NULL,"
    "  state TEXT NOT NULL,"
    "  opened INTEGER NOT NULL,"
    "  updated INTEGER NOT NULL,"
    "  since INTEGER NOT NULL DEFAULT 0,"
    "  until INTEGER NOT NULL DEFAULT 0,"
    "  last_decision INTEGER NOT NULL,"
    "  extensions INTEGER NOT NULL DEFAULT 0,"
    "  reminded INTEGER NOT NULL DEFAULT 0,"
    "  opened_by TEXT NOT NULL,"
    "  holder TEXT NOT NULL DEFAULT '',"
    "  registrar TEXT NOT NULL DEFAULT '',"
    "  reporter TEXT NOT NULL DEFAULT '',"
    "  lang TEXT NOT NULL DEFAULT 'en');"
    "CREATE UNIQUE INDEX domain_cases_open ON domain_cases(domain)"
    "  WHERE state NOT IN ('reactivated', 'cancelled', 'closed');"
    "CREATE INDEX domain_cases_state ON domain_cases(state, until);"
    "CREATE TABLE domain_evidence ("
    "  id INTEGER PRIMARY KEY,"
    "  case_id INTEGER NOT NULL REFERENCES domain_cases(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL CHECK (kind IN ('url', 'file', 'event')),"
    "  value TEXT NOT NULL,"
    "  sha256 TEXT NOT NULL DEFAULT '',"
    "  event_id INTEGER NOT NULL DEFAULT 0,"
    "  dated INTEGER NOT NULL,"
    "  added INTEGER NOT NULL,"
    "  who TEXT NOT NULL);"
    "CREATE INDEX domain_evidence_case ON domain_evidence(case_id, id);"
    "CREATE TABLE domain_decisions ("
    "  id INTEGER PRIMARY KEY,"
    "  case_id INTEGER NOT NULL REFERENCES domain_cases(id) ON DELETE CASCADE,"
    "  at INTEGER NOT NULL,"
    "  action TEXT NOT NULL,"
    "  who TEXT NOT NULL,"
    "  why TEXT NOT NULL DEFAULT '',"
    "  from_state TEXT NOT NULL DEFAULT '',"
    "  to_state TEXT NOT NULL DEFAULT '',"
    "  valid_from INTEGER NOT NULL DEFAULT 0,"
    "  valid_until INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX domain_decisions_case ON domain_decisions(case_id, id);"
    "PRAGMA user_version = 15;";

enum {
    Q_ZONE_ADD = TS_SQX_DOMAIN,
    Q_ZONE_REMOVE,
    Q_ZONES,
    Q_SET_GET,
    Q_SET_PUT,
    Q_CASE_ADD,
    Q_CASE_OPEN,
    Q_CASE_GET,
    Q_CASE_UPDATE,
    Q_CASES,
    Q_CASES_ENDING,
    Q_CASES_REMIND,
    Q_COUNT,
    Q_EVENT_TIME,
    Q_EV_ADD,
    Q_EV_LIST,
    Q_DEC_ADD,
    Q_DEC_LIST,
    Q_CANDIDATES,
    Q_END_
};
_Static_assert(Q_END_ <= TS_SQX_DOMAIN + 32, "domain statements exceed their slots");

#define CASE_COLS                                                                                  \
    "id, domain, reason, state, opened, updated, since, until, last_decision, extensions,"         \
    " reminded, opened_by, holder, registrar, reporter, lang"
#define FINAL "('reactivated', 'cancelled', 'closed')"

static const char sql_zone_add[] = "INSERT INTO domain_zones (zone, added) VALUES (?1, ?2)";
static const char sql_zone_remove[] = "DELETE FROM domain_zones WHERE zone = ?1";
static const char sql_zones[] = "SELECT zone FROM domain_zones ORDER BY zone";
static const char sql_set_get[] = "SELECT value FROM domain_settings WHERE key = ?1";
static const char sql_set_put[] = "INSERT INTO domain_settings (key, value) VALUES (?1, ?2)"
                                  " ON CONFLICT (key) DO UPDATE SET value = excluded.value";
static const char sql_case_add[] =
    "INSERT INTO domain_cases (domain, reason, state, opened, updated, last_decision, opened_by,"
    " holder, registrar, reporter, lang) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
static const char sql_case_open[] =
    "SELECT id FROM domain_cases WHERE domain = ?1 AND state NOT IN " FINAL;
static const char sql_case_get[] = "SELECT " CASE_COLS " FROM domain_cases WHERE id = ?1";
static const char sql_case_update[] =
    "UPDATE domain_cases SET state = ?2, updated = ?3, since = ?4, until = ?5,"
    " last_decision = ?6, extensions = ?7, reminded = ?8 WHERE id = ?1";
static const char sql_cases[] = "SELECT " CASE_COLS " FROM domain_cases"
                                " WHERE ?1 IS NULL OR state = ?1 ORDER BY id DESC LIMIT ?2";
static const char sql_cases_ending[] =
    "SELECT " CASE_COLS " FROM domain_cases WHERE state = 'deactivated' AND until <= ?1"
    " ORDER BY until, id";
static const char sql_cases_remind[] =
    "SELECT " CASE_COLS " FROM domain_cases WHERE state = 'deactivated' AND until <= ?1"
    " AND reminded <> until ORDER BY until, id";
static const char sql_count[] =
    "SELECT count(*), coalesce(sum(state IN " FINAL "), 0) FROM domain_cases";
static const char sql_event_time[] =
    "SELECT coalesce(time_source, time_observation, 0) FROM events WHERE id = ?1";
static const char sql_ev_add[] =
    "INSERT INTO domain_evidence (case_id, kind, value, sha256, event_id, dated, added, who)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char sql_ev_list[] =
    "SELECT id, case_id, kind, value, sha256, event_id, dated, added, who FROM domain_evidence"
    " WHERE case_id = ?1 ORDER BY id";
static const char sql_dec_add[] =
    "INSERT INTO domain_decisions (case_id, at, action, who, why, from_state, to_state,"
    " valid_from, valid_until) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char sql_dec_list[] =
    "SELECT id, case_id, at, action, who, why, from_state, to_state, valid_from, valid_until"
    " FROM domain_decisions WHERE case_id = ?1 ORDER BY id";
/* Names of events under a claimed zone. A scan of the events: this is an
 * analyst's occasional listing, not a path that ingest takes. */
static const char sql_candidates[] =
    "SELECT f, count(*), max(id),"
    "  coalesce((SELECT c.id FROM domain_cases c WHERE c.domain = f AND c.state NOT IN " FINAL
    "), 0)"
    " FROM (SELECT id, lower(rtrim(src_fqdn, '.')) AS f FROM events WHERE src_fqdn <> ''"
    "       UNION ALL"
    "       SELECT id, lower(rtrim(dst_fqdn, '.')) FROM events WHERE dst_fqdn <> '')"
    " WHERE EXISTS (SELECT 1 FROM domain_zones z"
    "               WHERE substr(f, -length(z.zone) - 1) = '.' || z.zone)"
    " GROUP BY f ORDER BY count(*) DESC, f LIMIT ?1";

static int op_begin(ts_store_t *st, bool *own)
{
    return ts_sq_op_begin(ts_sq(st), own);
}

static int op_end(ts_store_t *st, bool own, int r)
{
    return ts_sq_op_end(ts_sq(st), own, r);
}

/* A prepared statement or return its error. */
#define STMT(s, q, sql)                                                                            \
    int err = 0;                                                                                   \
    sqlite3_stmt *s = ts_sq_stmt(sq, q, sql, &err);                                                \
    if (s == NULL)                                                                                 \
    return err

static int zone_add(ts_store_t *st, const char *zone, int64_t now)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, Q_ZONE_ADD, sql_zone_add);
    ts_sq_bind_cstr(s, 1, zone);
    sqlite3_bind_int64(s, 2, now);
    return ts_sq_run(sq, s);
}

static int zone_remove(ts_store_t *st, const char *zone)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, Q_ZONE_REMOVE, sql_zone_remove);
    ts_sq_bind_cstr(s, 1, zone);
    int r = ts_sq_run(sq, s);
    if (r == 0 && sqlite3_changes(sq->db) == 0)
        r = TS_ENOENT;
    return r;
}

static int zones_foreach(ts_store_t *st, ts_domain_zone_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, Q_ZONES, sql_zones);
    int rc, cbr = 0;
    while (cbr == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW)
        cbr = cb(ts_sq_col_cstr(s, 0), ctx);
    return ts_sq_iter_end(sq, s, cbr ? SQLITE_DONE : rc, cbr);
}

static int setting_get(ts_store_t *st, const char *key, int64_t *v)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, Q_SET_GET, sql_set_get);
    ts_sq_bind_cstr(s, 1, key);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *v = sqlite3_column_int64(s, 0);
    return ts_sq_iter_end(sq, s, rc == SQLITE_ROW ? SQLITE_DONE : rc,
                          rc == SQLITE_DONE ? TS_ENOENT : 0);
}

static int setting_set(ts_store_t *st, const char *key, int64_t v)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, Q_SET_PUT, sql_set_put);
    ts_sq_bind_cstr(s, 1, key);
    sqlite3_bind_int64(s, 2, v);
    return ts_sq_run(sq, s);
}

static int case_add(ts_store_t *st, const ts_domain_case_t *c, int64_t *id)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, Q_CASE_ADD, sql_case_add);
    ts_sq_bind_cstr(s, 1, c->domain);
    ts_sq_bind_cstr(s, 2, c->reason);
    ts_sq_bind_cstr(s, 3, c->state);
    sqlite3_bind_int64(s, 4, c->opened);
    sqlite3_bind_int64(s, 5, c->updated);
    sqlite3_bind_int64(s, 6, c->last_decision);
    ts_sq_bind_cstr(s, 7, c->opened_by);
    ts_sq_bind_cstr(s, 8, c->holder);
    ts_sq_bind_cstr(s, 9, c->registrar);
    ts_sq_bind_cstr(s, 10, c->reporter);
    ts_sq_bind_cstr(s, 11, c->lang);
    int r = ts_sq_run(sq, s);
    if (r == 0)
        *id = sqlite3_last_insert_rowid(sq->db);
    return r;
}

static int case_find_open(ts_store_t *st, const char *domain, int64_t *id)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, Q_CASE_OPEN, sql_case_open);
    ts_sq_bind_cstr(s, 1, domain);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(s, 0);
    return ts_sq_iter_end(sq, s, rc == SQLITE_ROW ? SQLITE_DONE : rc,
                          rc == SQLITE_DONE ? TS_ENOENT : 0);
}

static ts_domain_case_t case_row(sqlite3_stmt *s)
{
    return (ts_domain_case_t){
        .id = sqlite3_column_int64(s, 0),
        .domain = ts_sq_col_cstr(s, 1),
        .reason = ts_sq_col_cstr(s, 2),
        .state = ts_sq_col_cstr(s, 3),
        .opened = sqlite3_column_int64(s, 4),
        .updated = sqlite3_column_int64(s, 5),
        .since = sqlite3_column_int64(s, 6),
        .until = sqlite3_column_int64(s, 7),
        .last_decision = sqlite3_column_int64(s, 8),
        .extensions = sqlite3_column_int(s, 9),
        .reminded = sqlite3_column_int64(s, 10),
        .opened_by = ts_sq_col_cstr(s, 11),
        .holder = ts_sq_col_cstr(s, 12),
        .registrar = ts_sq_col_cstr(s, 13),
        .reporter = ts_sq_col_cstr(s, 14),
        .lang = ts_sq_col_cstr(s, 15),
    };
}

static int case_rows(struct sq_store *sq, sqlite3_stmt *s, ts_domain_case_cb cb, void *ctx,
                     bool one)
{
    int rc, cbr = 0, n = 0;
    while (cbr == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_domain_case_t c = case_row(s);
        cbr = cb(&c, ctx);
        n++;
    }
    if (cbr == 0 && rc == SQLITE_DONE && one && n == 0)
        cbr = TS_ENOENT;
    return ts_sq_iter_end(sq, s, rc == SQLITE_ROW ? SQLITE_DONE : rc, cbr);
}

/* lock: SQLite's write transaction (op_begin) already keeps other writers out. */
static int case_get(ts_store_t *st, int64_t id, bool lock, ts_domain_case_cb cb, void *ctx)
{
    (void)lock;
    struct sq_store *sq = ts_sq(st);
    STMT(s, Q_CASE_GET, sql_case_get);
    sqlite3_bind_int64(s, 1, id);
    return case_rows(sq, s, cb, ctx, true);
}

static int case_update(ts_store_t *st, const ts_domain_case_t *c)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, Q_CASE_UPDATE, sql_case_update);
    sqlite3_bind_int64(s, 1, c->id);
    ts_sq_bind_cstr(s, 2, c->state);
    sqlite3_bind_int64(s, 3, c->updated);
    sqlite3_bind_int64(s, 4, c->since);
    sqlite3_bind_int64(s, 5, c->until);
    sqlite3_bind_int64(s, 6, c->last_decision);
    sqlite3_bind_int(s, 7, c->extensions);
    sqlite3_bind_int64(s, 8, c->reminded);
    return ts_sq_run(sq, s);
}

static int cases_foreach(ts_store_t *st, const char *state, size_t limit, ts_domain_case_cb cb,
                         void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, Q_CASES, sql_cases);
    ts_sq_bind_cstr(s, 1, state);
    sqlite3_bind_int64(s, 2, limit ? (int64_t)limit : -1);
    return case_rows(sq, s, cb, ctx, false);
}

static int cases_ending(ts_store_t *st, int64_t before, bool remind, ts_domain_case_cb cb,
                        void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, remind ? Q_CASES_REMIND : Q_CASES_ENDING, remind ? sql_cases_remind : sql_cases_ending);
    sqlite3_bind_int64(s, 1, before);
    return case_rows(sq, s, cb, ctx, false);
}

static int cases_count(ts_store_t *st, uint64_t *total, uint64_t *past)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, Q_COUNT, sql_count);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *total = (uint64_t)sqlite3_column_int64(s, 0);
        *past = (uint64_t)sqlite3_column_int64(s, 1);
    }
    return ts_sq_iter_end(sq, s, rc == SQLITE_ROW ? SQLITE_DONE : rc, 0);
}

static int event_time(ts_store_t *st, int64_t id, int64_t *t)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, Q_EVENT_TIME, sql_event_time);
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *t = sqlite3_column_int64(s, 0);
    return ts_sq_iter_end(sq, s, rc == SQLITE_ROW ? SQLITE_DONE : rc,
                          rc == SQLITE_DONE ? TS_ENOENT : 0);
}

static int evidence_add(ts_store_t *st, const ts_domain_evidence_t *e)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, Q_EV_ADD, sql_ev_add);
    sqlite3_bind_int64(s, 1, e->case_id);
    ts_sq_bind_cstr(s, 2, e->kind);
    ts_sq_bind_cstr(s, 3, e->value);
    ts_sq_bind_cstr(s, 4, e->sha256);
    sqlite3_bind_int64(s, 5, e->event_id);
    sqlite3_bind_int64(s, 6, e->dated);
    sqlite3_bind_int64(s, 7, e->added);
    ts_sq_bind_cstr(s, 8, e->who);
    return ts_sq_run(sq, s);
}

static int evidence_foreach(ts_store_t *st, int64_t case_id, ts_domain_evidence_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, Q_EV_LIST, sql_ev_list);
    sqlite3_bind_int64(s, 1, case_id);
    int rc, cbr = 0;
    while (cbr == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_domain_evidence_t e = {
            .id = sqlite3_column_int64(s, 0),
            .case_id = sqlite3_column_int64(s, 1),
            .kind = ts_sq_col_cstr(s, 2),
            .value = ts_sq_col_cstr(s, 3),
            .sha256 = ts_sq_col_cstr(s, 4),
            .event_id = sqlite3_column_int64(s, 5),
            .dated = sqlite3_column_int64(s, 6),
            .added = sqlite3_column_int64(s, 7),
            .who = ts_sq_col_cstr(s, 8),
        };
        cbr = cb(&e, ctx);
    }
    return ts_sq_iter_end(sq, s, rc == SQLITE_ROW ? SQLITE_DONE : rc, cbr);
}

static int decision_add(ts_store_t *st, const ts_domain_decision_t *d)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, Q_DEC_ADD, sql_dec_add);
    sqlite3_bind_int64(s, 1, d->case_id);
    sqlite3_bind_int64(s, 2, d->at);
    ts_sq_bind_cstr(s, 3, d->action);
    ts_sq_bind_cstr(s, 4, d->who);
    ts_sq_bind_cstr(s, 5, d->why);
    ts_sq_bind_cstr(s, 6, d->from_state);
    ts_sq_bind_cstr(s, 7, d->to_state);
    sqlite3_bind_int64(s, 8, d->valid_from);
    sqlite3_bind_int64(s, 9, d->valid_until);
    return ts_sq_run(sq, s);
}

static int decisions_foreach(ts_store_t *st, int64_t case_id, ts_domain_decision_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, Q_DEC_LIST, sql_dec_list);
    sqlite3_bind_int64(s, 1, case_id);
    int rc, cbr = 0;
    while (cbr == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_domain_decision_t d = {
            .id = sqlite3_column_int64(s, 0),
            .case_id = sqlite3_column_int64(s, 1),
            .at = sqlite3_column_int64(s, 2),
            .action = ts_sq_col_cstr(s, 3),
            .who = ts_sq_col_cstr(s, 4),
            .why = ts_sq_col_cstr(s, 5),
            .from_state = ts_sq_col_cstr(s, 6),
            .to_state = ts_sq_col_cstr(s, 7),
            .valid_from = sqlite3_column_int64(s, 8),
            .valid_until = sqlite3_column_int64(s, 9),
        };
        cbr = cb(&d, ctx);
    }
    return ts_sq_iter_end(sq, s, rc == SQLITE_ROW ? SQLITE_DONE : rc, cbr);
}

static int candidates(ts_store_t *st, size_t limit, ts_domain_candidate_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, Q_CANDIDATES, sql_candidates);
    sqlite3_bind_int64(s, 1, limit ? (int64_t)limit : -1);
    int rc, cbr = 0;
    while (cbr == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW)
        cbr = cb(ts_sq_col_cstr(s, 0), (uint64_t)sqlite3_column_int64(s, 1),
                 sqlite3_column_int64(s, 2), sqlite3_column_int64(s, 3), ctx);
    return ts_sq_iter_end(sq, s, rc == SQLITE_ROW ? SQLITE_DONE : rc, cbr);
}

const struct ts_store_domain_ops ts_sq_domain_ops = {
    .op_begin = op_begin,
    .op_end = op_end,
    .zone_add = zone_add,
    .zone_remove = zone_remove,
    .zones_foreach = zones_foreach,
    .setting_get = setting_get,
    .setting_set = setting_set,
    .case_add = case_add,
    .case_find_open = case_find_open,
    .case_get = case_get,
    .case_update = case_update,
    .cases_foreach = cases_foreach,
    .cases_ending = cases_ending,
    .cases_count = cases_count,
    .event_time = event_time,
    .evidence_add = evidence_add,
    .evidence_foreach = evidence_foreach,
    .decision_add = decision_add,
    .decisions_foreach = decisions_foreach,
    .candidates = candidates,
};
