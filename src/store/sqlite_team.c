/* SPDX-License-Identifier: Apache-2.0 */
/* The SQLite backend of the team directory (teamstore.h): teams, what they
 * cover, their representatives, sponsors and the audit trail. */
#include <string.h>

#include "store/sqlite_int.h"
#include "store/teamstore_int.h"

const char ts_sq_migration_teams[] =
    "CREATE TABLE teams ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL UNIQUE,"
    "  official_name TEXT NOT NULL DEFAULT '',"
    "  country TEXT NOT NULL,"
    "  ctype TEXT NOT NULL DEFAULT '',"
    "  email TEXT NOT NULL,"
    "  emergency_phone TEXT NOT NULL DEFAULT '',"
    "  pgp_key TEXT NOT NULL DEFAULT '',"
    "  rfc2350 TEXT NOT NULL DEFAULT '',"
    "  website TEXT NOT NULL DEFAULT '',"
    "  hours TEXT NOT NULL DEFAULT '',"
    "  tz TEXT NOT NULL DEFAULT 'UTC',"
    "  state INTEGER NOT NULL CHECK (state BETWEEN 1 AND 7),"
    "  prev_state INTEGER NOT NULL DEFAULT 0,"
    "  rejections INTEGER NOT NULL DEFAULT 0,"
    "  state_since INTEGER NOT NULL,"
    "  deadline INTEGER NOT NULL DEFAULT 0,"
    "  last_rejected INTEGER NOT NULL DEFAULT 0,"
    "  listed_at INTEGER NOT NULL DEFAULT 0,"
    "  accredited_at INTEGER NOT NULL DEFAULT 0,"
    "  recertified_at INTEGER NOT NULL DEFAULT 0,"
    "  verified_at INTEGER NOT NULL DEFAULT 0,"
    "  created INTEGER NOT NULL,"
    "  updated INTEGER NOT NULL);"
    "CREATE TABLE team_scopes ("
    "  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
    "  kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 3),"
    "  value TEXT NOT NULL,"
    "  PRIMARY KEY (team_id, kind, value)) WITHOUT ROWID;"
    "CREATE TABLE team_reps ("
    "  id INTEGER PRIMARY KEY,"
    "  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL,"
    "  email TEXT NOT NULL,"
    "  phone TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX team_reps_team ON team_reps(team_id);"
    "CREATE TABLE team_sponsors ("
    "  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
    "  sponsor_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
    "  at INTEGER NOT NULL,"
    "  who TEXT NOT NULL,"
    "  PRIMARY KEY (team_id, sponsor_id),"
    "  CHECK (team_id <> sponsor_id)) WITHOUT ROWID;"
    "CREATE TABLE team_audit ("
    "  id INTEGER PRIMARY KEY,"
    "  team_id INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,"
    "  at INTEGER NOT NULL,"
    "  who TEXT NOT NULL,"
    "  action TEXT NOT NULL,"
    "  from_state INTEGER NOT NULL,"
    "  to_state INTEGER NOT NULL,"
    "  detail TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX team_audit_team ON team_audit(team_id, id);"
    "CREATE TABLE rdap_bootstrap ("
    "  kind TEXT PRIMARY KEY,"
    "  source TEXT NOT NULL,"
    "  content TEXT NOT NULL,"
    "  fetched INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE contact_lookups ("
    "  query TEXT PRIMARY KEY,"
    "  source TEXT NOT NULL,"
    "  server TEXT NOT NULL,"
    "  object TEXT NOT NULL,"
    "  email TEXT NOT NULL,"
    "  fetched INTEGER NOT NULL,"
    "  expires INTEGER NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE contact_verify ("
    "  kind TEXT NOT NULL CHECK (kind IN ('site', 'team')),"
    "  ref_id INTEGER NOT NULL,"
    "  email TEXT NOT NULL,"
    "  site_id INTEGER NOT NULL,"
    "  sent_at INTEGER NOT NULL DEFAULT 0,"
    "  verified_at INTEGER NOT NULL DEFAULT 0,"
    "  token_hash TEXT UNIQUE,"
    "  token_expires INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (kind, ref_id, email)) WITHOUT ROWID;"
    "PRAGMA user_version = 14;";

enum {
    Q_ADD = TS_SQX_TEAM,
    Q_UPDATE,
    Q_SCOPES_CLEAR,
    Q_SCOPE_ADD,
    Q_REPS_CLEAR,
    Q_REP_ADD,
    Q_GET,
    Q_LIST,
    Q_SCOPES,
    Q_SCOPES_ALL,
    Q_REPS,
    Q_REPS_ALL,
    Q_MOVE,
    Q_SPONSORS_CLEAR,
    Q_SPONSOR_ADD,
    Q_SPONSORS,
    Q_AUDIT_ADD,
    Q_AUDIT,
    Q_BOOT_PUT,
    Q_BOOT_GET,
    Q_LOOKUP_PUT,
    Q_LOOKUP_GET,
    Q_V_PUT,
    Q_V_LIST,
    Q_V_TOKEN,
    Q_V_USE,
    Q_V_TEAM,
    Q_END_
};
_Static_assert(Q_END_ <= TS_SQX_TEAM + 48, "team statements exceed their slots");

#define TEAM_COLS                                                                                  \
    "id, name, official_name, country, ctype, email, emergency_phone, pgp_key, rfc2350, website,"  \
    " hours, tz, state, prev_state, rejections, state_since, deadline, last_rejected, listed_at,"  \
    " accredited_at, recertified_at, verified_at, created, updated"

static const char sql_add[] =
    "INSERT INTO teams (name, official_name, country, ctype, email, emergency_phone, pgp_key,"
    " rfc2350, website, hours, tz, state, state_since, created, updated)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 1, ?12, ?12, ?12)";
static const char sql_update[] =
    "UPDATE teams SET official_name = ?2, country = ?3, ctype = ?4, email = ?5,"
    " emergency_phone = ?6, pgp_key = ?7, rfc2350 = ?8, website = ?9, hours = ?10, tz = ?11,"
    " updated = ?12 WHERE id = ?1";
static const char sql_scopes_clear[] = "DELETE FROM team_scopes WHERE team_id = ?1";
static const char sql_scope_add[] =
    "INSERT OR IGNORE INTO team_scopes (team_id, kind, value) VALUES (?1, ?2, ?3)";
static const char sql_reps_clear[] = "DELETE FROM team_reps WHERE team_id = ?1";
static const char sql_rep_add[] =
    "INSERT INTO team_reps (team_id, name, email, phone) VALUES (?1, ?2, ?3, ?4)";
static const char sql_get[] = "SELECT " TEAM_COLS " FROM teams WHERE name = ?1";
static const char sql_list[] =
    "SELECT " TEAM_COLS " FROM teams WHERE ?1 = 0 OR state = ?1 ORDER BY name";
static const char sql_scopes[] =
    "SELECT team_id, kind, value FROM team_scopes WHERE team_id = ?1 ORDER BY kind, value";
static const char sql_scopes_all[] =
    "SELECT team_id, kind, value FROM team_scopes ORDER BY team_id, kind, value";
static const char sql_reps[] =
    "SELECT team_id, name, email, phone FROM team_reps WHERE team_id = ?1 ORDER BY id";
static const char sql_reps_all[] =
    "SELECT team_id, name, email, phone FROM team_reps ORDER BY team_id, id";
static const char sql_move[] =
    "UPDATE teams SET state = ?3, prev_state = ?4, rejections = ?5, deadline = ?6,"
    " last_rejected = ?7, listed_at = ?8, accredited_at = ?9, recertified_at = ?10,"
    " state_since = CASE WHEN state = ?3 THEN state_since ELSE ?11 END, updated = ?11"
    " WHERE id = ?1 AND state = ?2";
static const char sql_sponsors_clear[] = "DELETE FROM team_sponsors WHERE team_id = ?1";
static const char sql_sponsor_add[] =
    "INSERT INTO team_sponsors (team_id, sponsor_id, at, who) VALUES (?1, ?2, ?3, ?4)";
static const char sql_sponsors[] =
    "SELECT t.name, s.at, s.who FROM team_sponsors s JOIN teams t ON t.id = s.sponsor_id"
    " WHERE s.team_id = ?1 ORDER BY s.at, t.name";
static const char sql_audit_add[] =
    "INSERT INTO team_audit (team_id, at, who, action, from_state, to_state, detail)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char sql_audit[] =
    "SELECT at, who, action, from_state, to_state, detail FROM team_audit WHERE team_id = ?1"
    " ORDER BY id";

static const char sql_boot_put[] = "INSERT OR REPLACE INTO rdap_bootstrap (kind, source, content, "
                                   "fetched) VALUES (?1, ?2, ?3, ?4)";
static const char sql_boot_get[] =
    "SELECT kind, source, content, fetched FROM rdap_bootstrap WHERE kind = ?1";
static const char sql_lookup_put[] =
    "INSERT OR REPLACE INTO contact_lookups (query, source, server, object, email, fetched,"
    " expires) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char sql_lookup_get[] =
    "SELECT query, source, server, object, email, fetched, expires FROM contact_lookups"
    " WHERE query = ?1 AND expires > ?2";

#define V_COLS "kind, ref_id, email, site_id, sent_at, verified_at, token_hash, token_expires"
static const char sql_v_put[] =
    "INSERT OR REPLACE INTO contact_verify (" V_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char sql_v_list[] =
    "SELECT " V_COLS " FROM contact_verify ORDER BY kind, ref_id, email";
static const char sql_v_token[] = "SELECT " V_COLS " FROM contact_verify WHERE token_hash = ?1";
static const char sql_v_use[] = "UPDATE contact_verify SET verified_at = ?2, token_hash = NULL,"
                                " token_expires = 0 WHERE token_hash = ?1";
static const char sql_v_team[] =
    "UPDATE teams SET verified_at = ?2 WHERE id = (SELECT ref_id FROM contact_verify"
    " WHERE token_hash = ?1 AND kind = 'team') AND email = (SELECT email FROM contact_verify"
    " WHERE token_hash = ?1 AND kind = 'team')";

static const char *nz(const char *s)
{
    return s ? s : "";
}

static int audit(struct sq_store *sq, int64_t team_id, int64_t at, const char *who,
                 const char *action, int from, int to, const char *detail)
{
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_AUDIT_ADD, sql_audit_add, &err);
    if (s == NULL)
        return err;
    sqlite3_bind_int64(s, 1, team_id);
    sqlite3_bind_int64(s, 2, at);
    ts_sq_bind_cstr(s, 3, nz(who));
    ts_sq_bind_cstr(s, 4, action);
    sqlite3_bind_int(s, 5, from);
    sqlite3_bind_int(s, 6, to);
    ts_sq_bind_cstr(s, 7, nz(detail));
    return ts_sq_run(sq, s);
}

/* Binds the data fields ?2..?11 (as sql_add and sql_update number them). */
static void bind_data(sqlite3_stmt *s, const ts_team_rec_t *t)
{
    ts_sq_bind_cstr(s, 2, nz(t->official_name));
    ts_sq_bind_cstr(s, 3, t->country);
    ts_sq_bind_cstr(s, 4, nz(t->ctype));
    ts_sq_bind_cstr(s, 5, t->email);
    ts_sq_bind_cstr(s, 6, nz(t->emergency_phone));
    ts_sq_bind_cstr(s, 7, nz(t->pgp_key));
    ts_sq_bind_cstr(s, 8, nz(t->rfc2350));
    ts_sq_bind_cstr(s, 9, nz(t->website));
    ts_sq_bind_cstr(s, 10, nz(t->hours));
    ts_sq_bind_cstr(s, 11, t->tz && *t->tz ? t->tz : "UTC");
}

static int put_lists(struct sq_store *sq, int64_t id, const ts_team_rec_t *t)
{
    int err = 0;
    sqlite3_stmt *s;
    for (size_t i = 0; err == 0 && i < t->n_scopes; i++) {
        if ((s = ts_sq_stmt(sq, Q_SCOPE_ADD, sql_scope_add, &err)) == NULL)
            break;
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_int(s, 2, (int)t->scopes[i].kind);
        ts_sq_bind_cstr(s, 3, t->scopes[i].value);
        err = ts_sq_run(sq, s);
    }
    for (size_t i = 0; err == 0 && i < t->n_reps; i++) {
        if ((s = ts_sq_stmt(sq, Q_REP_ADD, sql_rep_add, &err)) == NULL)
            break;
        sqlite3_bind_int64(s, 1, id);
        ts_sq_bind_cstr(s, 2, t->reps[i].name);
        ts_sq_bind_cstr(s, 3, t->reps[i].email);
        ts_sq_bind_cstr(s, 4, nz(t->reps[i].phone));
        err = ts_sq_run(sq, s);
    }
    return err;
}

static int sq_add(ts_store_t *st, const ts_team_rec_t *t, int64_t now, const char *who, int64_t *id)
{
    struct sq_store *sq = ts_sq(st);
    bool own;
    int err = ts_sq_op_begin(sq, &own);
    if (err)
        return err;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_ADD, sql_add, &err);
    if (s != NULL) {
        ts_sq_bind_cstr(s, 1, t->name);
        bind_data(s, t);
        sqlite3_bind_int64(s, 12, now);
        err = ts_sq_run(sq, s);
    }
    if (err == 0) {
        *id = sqlite3_last_insert_rowid(sq->db);
        err = put_lists(sq, *id, t);
    }
    if (err == 0)
        err = audit(sq, *id, now, who, "add", TS_TEAM_CANDIDATE, TS_TEAM_CANDIDATE, "");
    return ts_sq_op_end(sq, own, err);
}

static int run_id(struct sq_store *sq, int slot, const char *sql, int64_t id)
{
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, slot, sql, &err);
    if (s == NULL)
        return err;
    sqlite3_bind_int64(s, 1, id);
    return ts_sq_run(sq, s);
}

static int sq_replace(ts_store_t *st, const ts_team_rec_t *t, int64_t now, const char *who,
                      const char *action)
{
    struct sq_store *sq = ts_sq(st);
    bool own;
    int err = ts_sq_op_begin(sq, &own);
    if (err)
        return err;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_UPDATE, sql_update, &err);
    if (s != NULL) {
        sqlite3_bind_int64(s, 1, t->id);
        bind_data(s, t);
        sqlite3_bind_int64(s, 12, now);
        err = ts_sq_run(sq, s);
        if (err == 0 && sqlite3_changes(sq->db) == 0)
            err = TS_ENOENT;
    }
    if (err == 0)
        err = run_id(sq, Q_SCOPES_CLEAR, sql_scopes_clear, t->id);
    if (err == 0)
        err = run_id(sq, Q_REPS_CLEAR, sql_reps_clear, t->id);
    if (err == 0)
        err = put_lists(sq, t->id, t);
    if (err == 0)
        err = audit(sq, t->id, now, who, action, t->state, t->state, "");
    return ts_sq_op_end(sq, own, err);
}

static int each_team(struct sq_store *sq, sqlite3_stmt *s, bool one, ts_team_cb cb, void *ctx)
{
    int rc, cbr = 0;
    bool any = false;
    while (cbr == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_team_rec_t r = {
            .id = sqlite3_column_int64(s, 0),
            .name = ts_sq_col_cstr(s, 1),
            .official_name = ts_sq_col_cstr(s, 2),
            .country = ts_sq_col_cstr(s, 3),
            .ctype = ts_sq_col_cstr(s, 4),
            .email = ts_sq_col_cstr(s, 5),
            .emergency_phone = ts_sq_col_cstr(s, 6),
            .pgp_key = ts_sq_col_cstr(s, 7),
            .rfc2350 = ts_sq_col_cstr(s, 8),
            .website = ts_sq_col_cstr(s, 9),
            .hours = ts_sq_col_cstr(s, 10),
            .tz = ts_sq_col_cstr(s, 11),
            .state = sqlite3_column_int(s, 12),
            .prev_state = sqlite3_column_int(s, 13),
            .rejections = sqlite3_column_int(s, 14),
            .state_since = sqlite3_column_int64(s, 15),
            .deadline = sqlite3_column_int64(s, 16),
            .last_rejected = sqlite3_column_int64(s, 17),
            .listed_at = sqlite3_column_int64(s, 18),
            .accredited_at = sqlite3_column_int64(s, 19),
            .recertified_at = sqlite3_column_int64(s, 20),
            .verified_at = sqlite3_column_int64(s, 21),
            .created = sqlite3_column_int64(s, 22),
            .updated = sqlite3_column_int64(s, 23),
        };
        any = true;
        cbr = cb(&r, ctx);
    }
    if (cbr)
        rc = SQLITE_DONE;
    int r = ts_sq_iter_end(sq, s, rc, cbr);
    return r == 0 && one && !any ? TS_ENOENT : r;
}

static int sq_get(ts_store_t *st, const char *name, ts_team_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_GET, sql_get, &err);
    if (s == NULL)
        return err;
    ts_sq_bind_cstr(s, 1, name);
    return each_team(sq, s, true, cb, ctx);
}

static int sq_foreach(ts_store_t *st, int state, ts_team_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_LIST, sql_list, &err);
    if (s == NULL)
        return err;
    sqlite3_bind_int(s, 1, state);
    return each_team(sq, s, false, cb, ctx);
}

static int sq_scopes_foreach(ts_store_t *st, int64_t team_id, ts_team_scope_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = team_id ? ts_sq_stmt(sq, Q_SCOPES, sql_scopes, &err)
                              : ts_sq_stmt(sq, Q_SCOPES_ALL, sql_scopes_all, &err);
    if (s == NULL)
        return err;
    if (team_id)
        sqlite3_bind_int64(s, 1, team_id);
    int rc, cbr = 0;
    while (cbr == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_team_scope_t sc = {.kind = (ts_rule_kind_t)sqlite3_column_int(s, 1),
                              .value = ts_sq_col_cstr(s, 2)};
        cbr = cb(sqlite3_column_int64(s, 0), &sc, ctx);
    }
    if (cbr)
        rc = SQLITE_DONE;
    return ts_sq_iter_end(sq, s, rc, cbr);
}

static int sq_reps_foreach(ts_store_t *st, int64_t team_id, ts_team_rep_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = team_id ? ts_sq_stmt(sq, Q_REPS, sql_reps, &err)
                              : ts_sq_stmt(sq, Q_REPS_ALL, sql_reps_all, &err);
    if (s == NULL)
        return err;
    if (team_id)
        sqlite3_bind_int64(s, 1, team_id);
    int rc, cbr = 0;
    while (cbr == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_team_rep_t r = {.name = ts_sq_col_cstr(s, 1),
                           .email = ts_sq_col_cstr(s, 2),
                           .phone = ts_sq_col_cstr(s, 3)};
        cbr = cb(sqlite3_column_int64(s, 0), &r, ctx);
    }
    if (cbr)
        rc = SQLITE_DONE;
    return ts_sq_iter_end(sq, s, rc, cbr);
}

static int sq_move(ts_store_t *st, const struct ts_team_move *m)
{
    struct sq_store *sq = ts_sq(st);
    bool own;
    int err = ts_sq_op_begin(sq, &own);
    if (err)
        return err;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_MOVE, sql_move, &err);
    if (s != NULL) {
        sqlite3_bind_int64(s, 1, m->id);
        sqlite3_bind_int(s, 2, m->from);
        sqlite3_bind_int(s, 3, m->to);
        sqlite3_bind_int(s, 4, m->prev_state);
        sqlite3_bind_int(s, 5, m->rejections);
        sqlite3_bind_int64(s, 6, m->deadline);
        sqlite3_bind_int64(s, 7, m->last_rejected);
        sqlite3_bind_int64(s, 8, m->listed_at);
        sqlite3_bind_int64(s, 9, m->accredited_at);
        sqlite3_bind_int64(s, 10, m->recertified_at);
        sqlite3_bind_int64(s, 11, m->now);
        err = ts_sq_run(sq, s);
        if (err == 0 && sqlite3_changes(sq->db) == 0)
            err = TS_ECONFLICT;
    }
    if (err == 0 && m->clear_sponsors)
        err = run_id(sq, Q_SPONSORS_CLEAR, sql_sponsors_clear, m->id);
    if (err == 0)
        err = audit(sq, m->id, m->now, m->who, m->action, m->from, m->to, m->detail);
    return ts_sq_op_end(sq, own, err);
}

static int sq_sponsor_add(ts_store_t *st, int64_t team_id, int64_t sponsor_id, const char *sponsor,
                          int64_t now, const char *who)
{
    struct sq_store *sq = ts_sq(st);
    bool own;
    int err = ts_sq_op_begin(sq, &own);
    if (err)
        return err;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_SPONSOR_ADD, sql_sponsor_add, &err);
    if (s != NULL) {
        sqlite3_bind_int64(s, 1, team_id);
        sqlite3_bind_int64(s, 2, sponsor_id);
        sqlite3_bind_int64(s, 3, now);
        ts_sq_bind_cstr(s, 4, nz(who));
        err = ts_sq_run(sq, s);
    }
    if (err == 0)
        err =
            audit(sq, team_id, now, who, "sponsor", TS_TEAM_CANDIDATE, TS_TEAM_CANDIDATE, sponsor);
    return ts_sq_op_end(sq, own, err);
}

static int sq_sponsors_foreach(ts_store_t *st, int64_t team_id, ts_team_sponsor_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_SPONSORS, sql_sponsors, &err);
    if (s == NULL)
        return err;
    sqlite3_bind_int64(s, 1, team_id);
    int rc, cbr = 0;
    while (cbr == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_team_sponsor_rec_t r = {.sponsor = ts_sq_col_cstr(s, 0),
                                   .at = sqlite3_column_int64(s, 1),
                                   .who = ts_sq_col_cstr(s, 2)};
        cbr = cb(&r, ctx);
    }
    if (cbr)
        rc = SQLITE_DONE;
    return ts_sq_iter_end(sq, s, rc, cbr);
}

static int sq_audit_foreach(ts_store_t *st, int64_t team_id, ts_team_audit_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_AUDIT, sql_audit, &err);
    if (s == NULL)
        return err;
    sqlite3_bind_int64(s, 1, team_id);
    int rc, cbr = 0;
    while (cbr == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_team_audit_rec_t r = {.at = sqlite3_column_int64(s, 0),
                                 .who = ts_sq_col_cstr(s, 1),
                                 .action = ts_sq_col_cstr(s, 2),
                                 .from = sqlite3_column_int(s, 3),
                                 .to = sqlite3_column_int(s, 4),
                                 .detail = ts_sq_col_cstr(s, 5)};
        cbr = cb(&r, ctx);
    }
    if (cbr)
        rc = SQLITE_DONE;
    return ts_sq_iter_end(sq, s, rc, cbr);
}

static int sq_boot_put(ts_store_t *st, const ts_rdap_boot_rec_t *b)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_BOOT_PUT, sql_boot_put, &err);
    if (s == NULL)
        return err;
    ts_sq_bind_cstr(s, 1, b->kind);
    ts_sq_bind_cstr(s, 2, b->source);
    sqlite3_bind_text(s, 3, b->content, (int)b->len, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, b->fetched);
    return ts_sq_run(sq, s);
}

static int sq_boot_get(ts_store_t *st, const char *kind, ts_rdap_boot_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_BOOT_GET, sql_boot_get, &err);
    if (s == NULL)
        return err;
    ts_sq_bind_cstr(s, 1, kind);
    int rc = sqlite3_step(s), cbr = 0;
    if (rc == SQLITE_DONE) {
        sqlite3_reset(s);
        return TS_ENOENT;
    }
    if (rc == SQLITE_ROW) {
        ts_rdap_boot_rec_t b = {.kind = ts_sq_col_cstr(s, 0),
                                .source = ts_sq_col_cstr(s, 1),
                                .content = ts_sq_col_cstr(s, 2),
                                .len = (size_t)sqlite3_column_bytes(s, 2),
                                .fetched = sqlite3_column_int64(s, 3)};
        cbr = cb(&b, ctx);
        rc = SQLITE_DONE;
    }
    return ts_sq_iter_end(sq, s, rc, cbr);
}

static int sq_lookup_put(ts_store_t *st, const ts_lookup_rec_t *l)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_LOOKUP_PUT, sql_lookup_put, &err);
    if (s == NULL)
        return err;
    ts_sq_bind_cstr(s, 1, l->query);
    ts_sq_bind_cstr(s, 2, l->source);
    ts_sq_bind_cstr(s, 3, nz(l->server));
    ts_sq_bind_cstr(s, 4, nz(l->object));
    ts_sq_bind_cstr(s, 5, nz(l->email));
    sqlite3_bind_int64(s, 6, l->fetched);
    sqlite3_bind_int64(s, 7, l->expires);
    return ts_sq_run(sq, s);
}

static int sq_lookup_get(ts_store_t *st, const char *query, int64_t now, ts_lookup_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_LOOKUP_GET, sql_lookup_get, &err);
    if (s == NULL)
        return err;
    ts_sq_bind_cstr(s, 1, query);
    sqlite3_bind_int64(s, 2, now);
    int rc = sqlite3_step(s), cbr = 0;
    if (rc == SQLITE_DONE) {
        sqlite3_reset(s);
        return TS_ENOENT;
    }
    if (rc == SQLITE_ROW) {
        ts_lookup_rec_t l = {.query = ts_sq_col_cstr(s, 0),
                             .source = ts_sq_col_cstr(s, 1),
                             .server = ts_sq_col_cstr(s, 2),
                             .object = ts_sq_col_cstr(s, 3),
                             .email = ts_sq_col_cstr(s, 4),
                             .fetched = sqlite3_column_int64(s, 5),
                             .expires = sqlite3_column_int64(s, 6)};
        cbr = cb(&l, ctx);
        rc = SQLITE_DONE;
    }
    return ts_sq_iter_end(sq, s, rc, cbr);
}

static int sq_verify_put(ts_store_t *st, const ts_verify_rec_t *v)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_V_PUT, sql_v_put, &err);
    if (s == NULL)
        return err;
    ts_sq_bind_cstr(s, 1, v->kind);
    sqlite3_bind_int64(s, 2, v->ref_id);
    ts_sq_bind_cstr(s, 3, v->email);
    sqlite3_bind_int64(s, 4, v->site_id);
    sqlite3_bind_int64(s, 5, v->sent_at);
    sqlite3_bind_int64(s, 6, v->verified_at);
    ts_sq_bind_cstr(s, 7, v->token_hash && *v->token_hash ? v->token_hash : NULL);
    sqlite3_bind_int64(s, 8, v->token_expires);
    return ts_sq_run(sq, s);
}

static int each_verify(struct sq_store *sq, sqlite3_stmt *s, bool one, ts_verify_cb cb, void *ctx)
{
    int rc, cbr = 0;
    bool any = false;
    while (cbr == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_verify_rec_t v = {.kind = ts_sq_col_cstr(s, 0),
                             .ref_id = sqlite3_column_int64(s, 1),
                             .email = ts_sq_col_cstr(s, 2),
                             .site_id = sqlite3_column_int64(s, 3),
                             .sent_at = sqlite3_column_int64(s, 4),
                             .verified_at = sqlite3_column_int64(s, 5),
                             .token_hash = ts_sq_col_cstr(s, 6),
                             .token_expires = sqlite3_column_int64(s, 7)};
        any = true;
        cbr = cb(&v, ctx);
    }
    if (cbr)
        rc = SQLITE_DONE;
    int r = ts_sq_iter_end(sq, s, rc, cbr);
    return r == 0 && one && !any ? TS_ENOENT : r;
}

static int sq_verify_foreach(ts_store_t *st, ts_verify_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_V_LIST, sql_v_list, &err);
    return s ? each_verify(sq, s, false, cb, ctx) : err;
}

static int sq_verify_by_token(ts_store_t *st, const char *hash, ts_verify_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_V_TOKEN, sql_v_token, &err);
    if (s == NULL)
        return err;
    ts_sq_bind_cstr(s, 1, hash);
    return each_verify(sq, s, true, cb, ctx);
}

static int sq_verify_use(ts_store_t *st, const char *hash, int64_t now)
{
    struct sq_store *sq = ts_sq(st);
    bool own;
    int err = ts_sq_op_begin(sq, &own);
    if (err)
        return err;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_V_TEAM, sql_v_team, &err);
    if (s != NULL) {
        ts_sq_bind_cstr(s, 1, hash);
        sqlite3_bind_int64(s, 2, now);
        err = ts_sq_run(sq, s);
    }
    if (err == 0 && (s = ts_sq_stmt(sq, Q_V_USE, sql_v_use, &err)) != NULL) {
        ts_sq_bind_cstr(s, 1, hash);
        sqlite3_bind_int64(s, 2, now);
        err = ts_sq_run(sq, s);
        if (err == 0 && sqlite3_changes(sq->db) == 0)
            err = TS_ENOENT;
    }
    return ts_sq_op_end(sq, own, err);
}

const struct ts_store_team_ops ts_sq_team_ops = {
    .add = sq_add,
    .replace = sq_replace,
    .get = sq_get,
    .foreach = sq_foreach,
    .scopes_foreach = sq_scopes_foreach,
    .reps_foreach = sq_reps_foreach,
    .move = sq_move,
    .sponsor_add = sq_sponsor_add,
    .sponsors_foreach = sq_sponsors_foreach,
    .audit_foreach = sq_audit_foreach,
    .boot_put = sq_boot_put,
    .boot_get = sq_boot_get,
    .lookup_put = sq_lookup_put,
    .lookup_get = sq_lookup_get,
    .verify_put = sq_verify_put,
    .verify_foreach = sq_verify_foreach,
    .verify_by_token = sq_verify_by_token,
    .verify_use = sq_verify_use,
};
