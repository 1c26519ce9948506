/* SPDX-License-Identifier: Apache-2.0 */
/* The SQLite backend of the scan store (scanstore.h): scans, the services
 * they found and their findings. Plain SQL with bound values, so that the
 * PostgreSQL backend can mirror each statement. */
#include <string.h>

#include "store/scanstore_int.h"
#include "store/sqlite_int.h"

const char ts_sq_migration_scan[] =
    "CREATE TABLE scans ("
    "  id INTEGER PRIMARY KEY,"
    "  site_id INTEGER NOT NULL,"
    "  requested_by TEXT NOT NULL,"
    "  targets TEXT NOT NULL,"
    "  ports TEXT NOT NULL,"
    "  udp INTEGER NOT NULL CHECK (udp IN (0, 1)),"
    "  every_s INTEGER NOT NULL DEFAULT 0,"
    "  state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed',"
    "    'cancelled', 'refused')),"
    "  reason TEXT NOT NULL DEFAULT '',"
    "  n_addresses INTEGER NOT NULL DEFAULT 0,"
    "  created INTEGER NOT NULL,"
    "  not_before INTEGER NOT NULL DEFAULT 0,"
    "  started INTEGER NOT NULL DEFAULT 0,"
    "  finished INTEGER NOT NULL DEFAULT 0,"
    "  progress REAL NOT NULL DEFAULT 0,"
    "  eta_s INTEGER NOT NULL DEFAULT -1,"
    "  open_ports INTEGER NOT NULL DEFAULT 0,"
    "  cancel INTEGER NOT NULL DEFAULT 0 CHECK (cancel IN (0, 1)),"
    "  schedule_id INTEGER NOT NULL DEFAULT 0,"
    "  mode TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX scans_site ON scans(site_id, id);"
    "CREATE INDEX scans_queue ON scans(state, not_before, id);"
    "CREATE TABLE scan_services ("
    "  scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,"
    "  ip TEXT NOT NULL,"
    "  port INTEGER NOT NULL CHECK (port BETWEEN 0 AND 65535),"
    "  transport TEXT NOT NULL,"
    "  service TEXT NOT NULL DEFAULT '',"
    "  product TEXT NOT NULL DEFAULT '',"
    "  version TEXT NOT NULL DEFAULT '',"
    "  info TEXT NOT NULL DEFAULT '',"
    "  identifier TEXT NOT NULL DEFAULT '',"
    "  title TEXT NOT NULL DEFAULT '',"
    "  banner TEXT NOT NULL DEFAULT '',"
    "  tls TEXT NOT NULL DEFAULT '',"
    "  rtt_us INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (scan_id, ip, transport, port)) WITHOUT ROWID;"
    "CREATE TABLE scan_findings ("
    "  id INTEGER PRIMARY KEY,"
    "  scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,"
    "  ip TEXT NOT NULL,"
    "  port INTEGER NOT NULL,"
    "  transport TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  identifier TEXT NOT NULL,"
    "  type TEXT NOT NULL,"
    "  detail TEXT NOT NULL,"
    "  event_id INTEGER NOT NULL DEFAULT 0);"
    "CREATE INDEX scan_findings_scan ON scan_findings(scan_id, id);"
    "PRAGMA user_version = 9;";

enum {
    Q_ADD = TS_SQX_SCAN,
    Q_GET,
    Q_LIST_ALL,
    Q_LIST_SITE,
    Q_CLAIM,
    Q_PROGRESS,
    Q_STATE,
    Q_CANCEL,
    Q_USAGE,
    Q_PREVIOUS,
    Q_SVC_ADD,
    Q_SVC_LIST,
    Q_FIND_ADD,
    Q_FIND_LIST,
    Q_END_
};
_Static_assert(Q_END_ <= TS_SQX_SCAN + 32, "scan statements exceed their slots");

#define SCAN_COLS                                                                                  \
    "s.id, s.site_id, COALESCE(t.name, ''), s.requested_by, s.targets, s.ports, s.udp,"            \
    " s.every_s, s.state, s.reason, s.n_addresses, s.created, s.not_before, s.started,"            \
    " s.finished, s.progress, s.eta_s, s.open_ports, s.cancel, s.schedule_id, s.mode"

static const char sql_add[] =
    "INSERT INTO scans (site_id, requested_by, targets, ports, udp, every_s, state, reason,"
    " n_addresses, created, not_before, schedule_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
    " ?10, ?11, ?12)";
static const char sql_get[] =
    "SELECT " SCAN_COLS " FROM scans s LEFT JOIN sites t ON t.id = s.site_id WHERE s.id = ?1";
static const char sql_list_all[] =
    "SELECT " SCAN_COLS " FROM scans s LEFT JOIN sites t ON t.id = s.site_id"
    " ORDER BY s.id DESC LIMIT ?1";
/* The site and its descendants, through the parent links. */
static const char sql_list_site[] =
    "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION SELECT c.id FROM sites c JOIN sub ON"
    " c.parent_id = sub.id)"
    " SELECT " SCAN_COLS " FROM scans s LEFT JOIN sites t ON t.id = s.site_id"
    " WHERE s.site_id IN (SELECT id FROM sub) ORDER BY s.id DESC LIMIT ?2";
static const char sql_claim[] =
    "UPDATE scans SET state = 'running', started = ?1 WHERE id = (SELECT id FROM scans"
    " WHERE state = 'queued' AND not_before <= ?1 AND cancel = 0 ORDER BY not_before, id"
    " LIMIT 1) RETURNING id";
static const char sql_progress[] =
    "UPDATE scans SET progress = ?2, eta_s = ?3, open_ports = ?4 WHERE id = ?1 RETURNING cancel";
static const char sql_state[] =
    "UPDATE scans SET state = ?2, reason = ?3,"
    " started = CASE WHEN ?2 = 'running' AND started = 0 THEN ?4 ELSE started END,"
    " finished = CASE WHEN ?2 IN ('done', 'failed', 'cancelled', 'refused') THEN ?4 ELSE"
    " finished END,"
    " progress = CASE WHEN ?2 = 'done' THEN 1 ELSE progress END,"
    " eta_s = CASE WHEN ?2 IN ('done', 'failed', 'cancelled', 'refused') THEN 0 ELSE eta_s END,"
    " mode = COALESCE(?5, mode), n_addresses = CASE WHEN ?6 > 0 THEN ?6 ELSE n_addresses END"
    " WHERE id = ?1";
static const char sql_cancel[] =
    "UPDATE scans SET cancel = 1,"
    " state = CASE WHEN state = 'queued' THEN 'cancelled' ELSE state END,"
    " finished = CASE WHEN state = 'queued' THEN ?2 ELSE finished END"
    " WHERE id = ?1 AND state IN ('queued', 'running') RETURNING id";
static const char sql_usage[] =
    "SELECT COALESCE(SUM(state IN ('queued', 'running')), 0),"
    " COALESCE(SUM(CASE WHEN created >= ?2 AND state <> 'refused' THEN n_addresses ELSE 0 END),"
    " 0) FROM scans WHERE site_id = ?1";
static const char sql_previous[] =
    "SELECT p.id FROM scans p JOIN scans s ON s.id = ?1 WHERE p.id < s.id AND p.state = 'done'"
    " AND p.site_id = s.site_id AND p.targets = s.targets AND p.ports = s.ports"
    " AND p.udp = s.udp ORDER BY p.id DESC LIMIT 1";
static const char sql_svc_add[] =
    "INSERT OR REPLACE INTO scan_services (scan_id, ip, port, transport, service, product,"
    " version, info, identifier, title, banner, tls, rtt_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
    " ?8, ?9, ?10, ?11, ?12, ?13)";
static const char sql_svc_list[] =
    "SELECT scan_id, ip, port, transport, service, product, version, info, identifier, title,"
    " banner, tls, rtt_us FROM scan_services WHERE scan_id = ?1 ORDER BY ip, transport, port";
static const char sql_find_add[] =
    "INSERT INTO scan_findings (scan_id, ip, port, transport, kind, identifier, type, detail,"
    " event_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char sql_find_list[] =
    "SELECT id, scan_id, ip, port, transport, kind, identifier, type, detail, event_id"
    " FROM scan_findings WHERE scan_id = ?1 ORDER BY id";

static void row_to_scan(sqlite3_stmt *s, ts_scan_rec_t *r)
{
    memset(r, 0, sizeof *r);
    r->id = sqlite3_column_int64(s, 0);
    r->site_id = sqlite3_column_int64(s, 1);
    r->site_name = ts_sq_col_cstr(s, 2);
    r->requested_by = ts_sq_col_cstr(s, 3);
    r->targets = ts_sq_col_cstr(s, 4);
    r->ports = ts_sq_col_cstr(s, 5);
    r->udp = sqlite3_column_int(s, 6) != 0;
    r->every_s = sqlite3_column_int64(s, 7);
    r->state = ts_sq_col_cstr(s, 8);
    r->reason = ts_sq_col_cstr(s, 9);
    r->n_addresses = (uint64_t)sqlite3_column_int64(s, 10);
    r->created = sqlite3_column_int64(s, 11);
    r->not_before = sqlite3_column_int64(s, 12);
    r->started = sqlite3_column_int64(s, 13);
    r->finished = sqlite3_column_int64(s, 14);
    r->progress = sqlite3_column_double(s, 15);
    r->eta_s = sqlite3_column_int64(s, 16);
    r->open_ports = (uint64_t)sqlite3_column_int64(s, 17);
    r->cancel = sqlite3_column_int(s, 18) != 0;
    r->schedule_id = sqlite3_column_int64(s, 19);
    r->mode = ts_sq_col_cstr(s, 20);
}

static int each_scan(struct sq_store *sq, sqlite3_stmt *s, ts_scan_cb cb, void *ctx)
{
    int rc, cbr = 0;
    while (cbr == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_scan_rec_t r;
        row_to_scan(s, &r);
        cbr = cb(&r, ctx);
    }
    if (cbr)
        rc = SQLITE_DONE;
    return ts_sq_iter_end(sq, s, rc, cbr);
}

static int sq_scan_add(ts_store_t *st, const ts_scan_rec_t *r, int64_t *id)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_ADD, sql_add, &err);
    if (s == NULL)
        return err;
    sqlite3_bind_int64(s, 1, r->site_id);
    ts_sq_bind_cstr(s, 2, r->requested_by);
    ts_sq_bind_cstr(s, 3, r->targets);
    ts_sq_bind_cstr(s, 4, r->ports);
    sqlite3_bind_int(s, 5, r->udp);
    sqlite3_bind_int64(s, 6, r->every_s);
    ts_sq_bind_cstr(s, 7, r->state);
    ts_sq_bind_cstr(s, 8, r->reason ? r->reason : "");
    sqlite3_bind_int64(s, 9, (int64_t)r->n_addresses);
    sqlite3_bind_int64(s, 10, r->created ? r->created : ts_sq_now_us());
    sqlite3_bind_int64(s, 11, r->not_before);
    sqlite3_bind_int64(s, 12, r->schedule_id);
    err = ts_sq_run(sq, s);
    if (err == 0)
        *id = sqlite3_last_insert_rowid(sq->db);
    return err;
}

static int sq_scan_get(ts_store_t *st, int64_t id, ts_scan_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_GET, sql_get, &err);
    if (s == NULL)
        return err;
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(s);
        return TS_ENOENT;
    }
    int cbr = 0;
    if (rc == SQLITE_ROW) {
        ts_scan_rec_t r;
        row_to_scan(s, &r);
        cbr = cb(&r, ctx);
        rc = SQLITE_DONE;
    }
    return ts_sq_iter_end(sq, s, rc, cbr);
}

static int sq_scans_foreach(ts_store_t *st, int64_t site_id, size_t limit, ts_scan_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = site_id ? ts_sq_stmt(sq, Q_LIST_SITE, sql_list_site, &err)
                              : ts_sq_stmt(sq, Q_LIST_ALL, sql_list_all, &err);
    if (s == NULL)
        return err;
    int64_t lim = limit ? (int64_t)limit : -1;
    if (site_id) {
        sqlite3_bind_int64(s, 1, site_id);
        sqlite3_bind_int64(s, 2, lim);
    } else {
        sqlite3_bind_int64(s, 1, lim);
    }
    return each_scan(sq, s, cb, ctx);
}

/* Runs s, which returns at most one id; *got tells whether it did. */
static int one_id(struct sq_store *sq, sqlite3_stmt *s, int64_t *id, bool *got)
{
    *got = false;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(s, 0);
        *got = true;
        rc = sqlite3_step(s);
    }
    return ts_sq_iter_end(sq, s, rc, 0);
}

static int sq_scan_claim(ts_store_t *st, int64_t now, ts_scan_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_CLAIM, sql_claim, &err);
    if (s == NULL)
        return err;
    sqlite3_bind_int64(s, 1, now);
    int64_t id = 0;
    bool got;
    err = one_id(sq, s, &id, &got);
    if (err)
        return err;
    if (!got)
        return TS_ENOENT;
    return sq_scan_get(st, id, cb, ctx);
}

static int sq_scan_progress(ts_store_t *st, int64_t id, double progress, int64_t eta_s,
                            uint64_t open_ports, bool *cancel)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_PROGRESS, sql_progress, &err);
    if (s == NULL)
        return err;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_double(s, 2, progress);
    sqlite3_bind_int64(s, 3, eta_s);
    sqlite3_bind_int64(s, 4, (int64_t)open_ports);
    int64_t c = 0;
    bool got;
    err = one_id(sq, s, &c, &got);
    if (err)
        return err;
    if (!got)
        return TS_ENOENT;
    *cancel = c != 0;
    return 0;
}

static int sq_scan_state(ts_store_t *st, int64_t id, const char *state, const char *reason,
                         const char *mode, uint64_t n_addresses)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_STATE, sql_state, &err);
    if (s == NULL)
        return err;
    sqlite3_bind_int64(s, 1, id);
    ts_sq_bind_cstr(s, 2, state);
    ts_sq_bind_cstr(s, 3, reason);
    sqlite3_bind_int64(s, 4, ts_sq_now_us());
    ts_sq_bind_cstr(s, 5, mode);
    sqlite3_bind_int64(s, 6, (int64_t)n_addresses);
    err = ts_sq_run(sq, s);
    if (err == 0 && sqlite3_changes(sq->db) == 0)
        return TS_ENOENT;
    return err;
}

static int sq_scan_cancel(ts_store_t *st, int64_t id)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_CANCEL, sql_cancel, &err);
    if (s == NULL)
        return err;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int64(s, 2, ts_sq_now_us());
    int64_t got_id;
    bool got;
    err = one_id(sq, s, &got_id, &got);
    if (err || got)
        return err;
    /* Nothing changed: unknown, or over already. */
    int64_t dummy;
    s = ts_sq_stmt(sq, Q_GET, sql_get, &err);
    if (s == NULL)
        return err;
    sqlite3_bind_int64(s, 1, id);
    err = one_id(sq, s, &dummy, &got);
    return err ? err : got ? TS_EEXIST : TS_ENOENT;
}

static int sq_scan_usage(ts_store_t *st, int64_t site_id, int64_t since, uint64_t *active,
                         uint64_t *addresses)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_USAGE, sql_usage, &err);
    if (s == NULL)
        return err;
    sqlite3_bind_int64(s, 1, site_id);
    sqlite3_bind_int64(s, 2, since);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *active = (uint64_t)sqlite3_column_int64(s, 0);
        *addresses = (uint64_t)sqlite3_column_int64(s, 1);
        rc = SQLITE_DONE;
    }
    return ts_sq_iter_end(sq, s, rc, 0);
}

static int sq_scan_previous(ts_store_t *st, int64_t id, int64_t *prev)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_PREVIOUS, sql_previous, &err);
    if (s == NULL)
        return err;
    sqlite3_bind_int64(s, 1, id);
    bool got;
    err = one_id(sq, s, prev, &got);
    return err ? err : got ? 0 : TS_ENOENT;
}

static int sq_service_add(ts_store_t *st, const ts_scan_svc_rec_t *r)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_SVC_ADD, sql_svc_add, &err);
    if (s == NULL)
        return err;
    const char *text[] = {r->service,    r->product, r->version, r->info,
                          r->identifier, r->title,   r->banner,  r->tls_json};
    sqlite3_bind_int64(s, 1, r->scan_id);
    ts_sq_bind_cstr(s, 2, r->ip);
    sqlite3_bind_int(s, 3, r->port);
    ts_sq_bind_cstr(s, 4, r->transport);
    for (int i = 0; i < 8; i++)
        ts_sq_bind_cstr(s, 5 + i, text[i] ? text[i] : "");
    sqlite3_bind_int64(s, 13, r->rtt_us);
    return ts_sq_run(sq, s);
}

static int sq_services_foreach(ts_store_t *st, int64_t scan_id, ts_scan_svc_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_SVC_LIST, sql_svc_list, &err);
    if (s == NULL)
        return err;
    sqlite3_bind_int64(s, 1, scan_id);
    int rc, cbr = 0;
    while (cbr == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_scan_svc_rec_t r = {
            .scan_id = sqlite3_column_int64(s, 0),
            .ip = ts_sq_col_cstr(s, 1),
            .port = sqlite3_column_int(s, 2),
            .transport = ts_sq_col_cstr(s, 3),
            .service = ts_sq_col_cstr(s, 4),
            .product = ts_sq_col_cstr(s, 5),
            .version = ts_sq_col_cstr(s, 6),
            .info = ts_sq_col_cstr(s, 7),
            .identifier = ts_sq_col_cstr(s, 8),
            .title = ts_sq_col_cstr(s, 9),
            .banner = ts_sq_col_cstr(s, 10),
            .tls_json = ts_sq_col_cstr(s, 11),
            .rtt_us = sqlite3_column_int64(s, 12),
        };
        cbr = cb(&r, ctx);
    }
    if (cbr)
        rc = SQLITE_DONE;
    return ts_sq_iter_end(sq, s, rc, cbr);
}

static int sq_finding_add(ts_store_t *st, const ts_scan_finding_rec_t *r, int64_t *id)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_FIND_ADD, sql_find_add, &err);
    if (s == NULL)
        return err;
    sqlite3_bind_int64(s, 1, r->scan_id);
    ts_sq_bind_cstr(s, 2, r->ip);
    sqlite3_bind_int(s, 3, r->port);
    ts_sq_bind_cstr(s, 4, r->transport);
    ts_sq_bind_cstr(s, 5, r->kind);
    ts_sq_bind_cstr(s, 6, r->identifier);
    ts_sq_bind_cstr(s, 7, r->type);
    ts_sq_bind_cstr(s, 8, r->detail);
    sqlite3_bind_int64(s, 9, r->event_id);
    err = ts_sq_run(sq, s);
    if (err == 0 && id)
        *id = sqlite3_last_insert_rowid(sq->db);
    return err;
}

static int sq_findings_foreach(ts_store_t *st, int64_t scan_id, ts_scan_finding_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_FIND_LIST, sql_find_list, &err);
    if (s == NULL)
        return err;
    sqlite3_bind_int64(s, 1, scan_id);
    int rc, cbr = 0;
    while (cbr == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_scan_finding_rec_t r = {
            .id = sqlite3_column_int64(s, 0),
            .scan_id = sqlite3_column_int64(s, 1),
            .ip = ts_sq_col_cstr(s, 2),
            .port = sqlite3_column_int(s, 3),
            .transport = ts_sq_col_cstr(s, 4),
            .kind = ts_sq_col_cstr(s, 5),
            .identifier = ts_sq_col_cstr(s, 6),
            .type = ts_sq_col_cstr(s, 7),
            .detail = ts_sq_col_cstr(s, 8),
            .event_id = sqlite3_column_int64(s, 9),
        };
        cbr = cb(&r, ctx);
    }
    if (cbr)
        rc = SQLITE_DONE;
    return ts_sq_iter_end(sq, s, rc, cbr);
}

const struct ts_store_scan_ops ts_sq_scan_ops = {
    .scan_add = sq_scan_add,
    .scan_get = sq_scan_get,
    .scans_foreach = sq_scans_foreach,
    .scan_claim = sq_scan_claim,
    .scan_progress = sq_scan_progress,
    .scan_state = sq_scan_state,
    .scan_cancel = sq_scan_cancel,
    .scan_usage = sq_scan_usage,
    .scan_previous = sq_scan_previous,
    .service_add = sq_service_add,
    .services_foreach = sq_services_foreach,
    .finding_add = sq_finding_add,
    .findings_foreach = sq_findings_foreach,
};
