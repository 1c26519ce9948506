/* SPDX-License-Identifier: Apache-2.0 */
/* The SQLite backend of the feed store (feedstore.h): Shadowserver report
 * schemas as fetched, the scheduled feeds with the state of their pulls, and
 * the reports taken from Shadowserver's Reports API. */
#include <string.h>

#include "store/feedstore_int.h"
#include "store/sqlite_int.h"

const char ts_sq_migration_feeds[] = "CREATE TABLE feed_schemas ("
                                     "  id INTEGER PRIMARY KEY,"
                                     "  fetched INTEGER NOT NULL,"
                                     "  date TEXT NOT NULL DEFAULT '',"
                                     "  source TEXT NOT NULL,"
                                     "  content TEXT NOT NULL);"
                                     "CREATE TABLE feeds ("
                                     "  name TEXT PRIMARY KEY,"
                                     "  url TEXT NOT NULL,"
                                     "  format TEXT NOT NULL,"
                                     "  report TEXT NOT NULL DEFAULT '',"
                                     "  mapping TEXT NOT NULL DEFAULT '',"
                                     "  every_s INTEGER NOT NULL CHECK (every_s > 0),"
                                     "  tlp TEXT NOT NULL DEFAULT '',"
                                     "  created INTEGER NOT NULL,"
                                     "  etag TEXT NOT NULL DEFAULT '',"
                                     "  last_modified TEXT NOT NULL DEFAULT '',"
                                     "  sha256 TEXT NOT NULL DEFAULT '',"
                                     "  last_attempt INTEGER NOT NULL DEFAULT 0,"
                                     "  last_success INTEGER NOT NULL DEFAULT 0,"
                                     "  last_error TEXT NOT NULL DEFAULT '',"
                                     "  records INTEGER NOT NULL DEFAULT 0,"
                                     "  quarantined INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
                                     "CREATE TABLE feed_reports ("
                                     "  id TEXT PRIMARY KEY,"
                                     "  type TEXT NOT NULL,"
                                     "  file TEXT NOT NULL,"
                                     "  ingested INTEGER NOT NULL) WITHOUT ROWID;"
                                     "PRAGMA user_version = 13;";

enum {
    Q_SCHEMA_PUT = TS_SQX_FEED,
    Q_SCHEMA_LATEST,
    Q_ADD,
    Q_REMOVE,
    Q_LIST,
    Q_GET,
    Q_STATE,
    Q_REPORT_SEEN,
    Q_REPORT_ADD,
    Q_END_
};
_Static_assert(Q_END_ <= TS_SQX_FEED + 32, "feed statements exceed their slots");

#define FEED_COLS                                                                                  \
    "name, url, format, report, mapping, every_s, tlp, created, etag, last_modified, sha256,"      \
    " last_attempt, last_success, last_error, records, quarantined"

static const char sql_schema_put[] =
    "INSERT INTO feed_schemas (fetched, date, source, content) VALUES (?1, ?2, ?3, ?4)";
static const char sql_schema_latest[] =
    "SELECT id, fetched, date, source, content FROM feed_schemas ORDER BY fetched DESC, id DESC"
    " LIMIT 1";
static const char sql_add[] =
    "INSERT INTO feeds (name, url, format, report, mapping, every_s, tlp, created)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char sql_remove[] = "DELETE FROM feeds WHERE name = ?1";
static const char sql_list[] = "SELECT " FEED_COLS " FROM feeds ORDER BY name";
static const char sql_get[] = "SELECT " FEED_COLS " FROM feeds WHERE name = ?1";
static const char sql_state[] =
    "UPDATE feeds SET etag = ?2, last_modified = ?3, sha256 = ?4, last_attempt = ?5,"
    " last_success = ?6, last_error = ?7, records = ?8, quarantined = ?9 WHERE name = ?1";
static const char sql_report_seen[] = "SELECT 1 FROM feed_reports WHERE id = ?1";
static const char sql_report_add[] =
    "INSERT OR IGNORE INTO feed_reports (id, type, file, ingested) VALUES (?1, ?2, ?3, ?4)";

static const char *nz(const char *s)
{
    return s ? s : "";
}

static int sq_schema_put(ts_store_t *st, const ts_schema_rec_t *rec, int64_t *id)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_SCHEMA_PUT, sql_schema_put, &err);
    if (s == NULL)
        return err;
    sqlite3_bind_int64(s, 1, rec->fetched ? rec->fetched : ts_sq_now_us());
    ts_sq_bind_cstr(s, 2, nz(rec->date));
    ts_sq_bind_cstr(s, 3, rec->source);
    sqlite3_bind_text(s, 4, rec->content, (int)rec->len, SQLITE_STATIC);
    err = ts_sq_run(sq, s);
    if (err == 0)
        *id = sqlite3_last_insert_rowid(sq->db);
    return err;
}

static int sq_schema_latest(ts_store_t *st, ts_schema_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_SCHEMA_LATEST, sql_schema_latest, &err);
    if (s == NULL)
        return err;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(s);
        return TS_ENOENT;
    }
    int cbr = 0;
    if (rc == SQLITE_ROW) {
        ts_schema_rec_t r = {
            .id = sqlite3_column_int64(s, 0),
            .fetched = sqlite3_column_int64(s, 1),
            .date = ts_sq_col_cstr(s, 2),
            .source = ts_sq_col_cstr(s, 3),
            .content = ts_sq_col_cstr(s, 4),
            .len = (size_t)sqlite3_column_bytes(s, 4),
        };
        cbr = cb(&r, ctx);
        rc = SQLITE_DONE;
    }
    return ts_sq_iter_end(sq, s, rc, cbr);
}

static int sq_feed_add(ts_store_t *st, const ts_feed_rec_t *r)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_ADD, sql_add, &err);
    if (s == NULL)
        return err;
    ts_sq_bind_cstr(s, 1, r->name);
    ts_sq_bind_cstr(s, 2, r->url);
    ts_sq_bind_cstr(s, 3, r->format);
    ts_sq_bind_cstr(s, 4, nz(r->report));
    ts_sq_bind_cstr(s, 5, nz(r->mapping));
    sqlite3_bind_int64(s, 6, r->every);
    ts_sq_bind_cstr(s, 7, nz(r->tlp));
    sqlite3_bind_int64(s, 8, r->created ? r->created : ts_sq_now_us());
    return ts_sq_run(sq, s);
}

static int sq_feed_remove(ts_store_t *st, const char *name)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_REMOVE, sql_remove, &err);
    if (s == NULL)
        return err;
    ts_sq_bind_cstr(s, 1, name);
    err = ts_sq_run(sq, s);
    if (err == 0 && sqlite3_changes(sq->db) == 0)
        return TS_ENOENT;
    return err;
}

static int each_feed(struct sq_store *sq, sqlite3_stmt *s, bool one, ts_feed_cb cb, void *ctx)
{
    int rc, cbr = 0;
    bool any = false;
    while (cbr == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_feed_rec_t r = {
            .name = ts_sq_col_cstr(s, 0),
            .url = ts_sq_col_cstr(s, 1),
            .format = ts_sq_col_cstr(s, 2),
            .report = ts_sq_col_cstr(s, 3),
            .mapping = ts_sq_col_cstr(s, 4),
            .every = sqlite3_column_int64(s, 5),
            .tlp = ts_sq_col_cstr(s, 6),
            .created = sqlite3_column_int64(s, 7),
            .etag = ts_sq_col_cstr(s, 8),
            .last_modified = ts_sq_col_cstr(s, 9),
            .sha256 = ts_sq_col_cstr(s, 10),
            .last_attempt = sqlite3_column_int64(s, 11),
            .last_success = sqlite3_column_int64(s, 12),
            .last_error = ts_sq_col_cstr(s, 13),
            .records = sqlite3_column_int64(s, 14),
            .quarantined = sqlite3_column_int64(s, 15),
        };
        any = true;
        cbr = cb(&r, ctx);
    }
    if (cbr)
        rc = SQLITE_DONE;
    int r = ts_sq_iter_end(sq, s, rc, cbr);
    return r == 0 && one && !any ? TS_ENOENT : r;
}

static int sq_feeds_foreach(ts_store_t *st, ts_feed_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_LIST, sql_list, &err);
    return s ? each_feed(sq, s, false, cb, ctx) : err;
}

static int sq_feed_get(ts_store_t *st, const char *name, ts_feed_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_GET, sql_get, &err);
    if (s == NULL)
        return err;
    ts_sq_bind_cstr(s, 1, name);
    return each_feed(sq, s, true, cb, ctx);
}

static int sq_feed_state(ts_store_t *st, const ts_feed_rec_t *r)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_STATE, sql_state, &err);
    if (s == NULL)
        return err;
    ts_sq_bind_cstr(s, 1, r->name);
    ts_sq_bind_cstr(s, 2, nz(r->etag));
    ts_sq_bind_cstr(s, 3, nz(r->last_modified));
    ts_sq_bind_cstr(s, 4, nz(r->sha256));
    sqlite3_bind_int64(s, 5, r->last_attempt);
    sqlite3_bind_int64(s, 6, r->last_success);
    ts_sq_bind_cstr(s, 7, nz(r->last_error));
    sqlite3_bind_int64(s, 8, r->records);
    sqlite3_bind_int64(s, 9, r->quarantined);
    err = ts_sq_run(sq, s);
    if (err == 0 && sqlite3_changes(sq->db) == 0)
        return TS_ENOENT;
    return err;
}

static int sq_report_seen(ts_store_t *st, const char *id, bool *seen)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_REPORT_SEEN, sql_report_seen, &err);
    if (s == NULL)
        return err;
    ts_sq_bind_cstr(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *seen = true;
        rc = SQLITE_DONE;
    }
    return ts_sq_iter_end(sq, s, rc, 0);
}

static int sq_report_add(ts_store_t *st, const char *id, const char *type, const char *file)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_REPORT_ADD, sql_report_add, &err);
    if (s == NULL)
        return err;
    ts_sq_bind_cstr(s, 1, id);
    ts_sq_bind_cstr(s, 2, type);
    ts_sq_bind_cstr(s, 3, file);
    sqlite3_bind_int64(s, 4, ts_sq_now_us());
    return ts_sq_run(sq, s);
}

const struct ts_store_feed_ops ts_sq_feed_ops = {
    .schema_put = sq_schema_put,
    .schema_latest = sq_schema_latest,
    .feed_add = sq_feed_add,
    .feed_remove = sq_feed_remove,
    .feeds_foreach = sq_feeds_foreach,
    .feed_state = sq_feed_state,
    .feed_get = sq_feed_get,
    .report_seen = sq_report_seen,
    .report_add = sq_report_add,
};
