/* SPDX-License-Identifier: Apache-2.0 */
/* SQLite: the certificate registry (store/certreg.h). */
#include "store/certreg_int.h"
#include "store/sqlite_int.h"

/* No foreign key from certs to sites: a site may be removed while its
 * certificates stay on record (and in the CRL once revoked); the join decides
 * whether the site still exists, and site ids are never reused
 * (AUTOINCREMENT). */
const char ts_sq_migration_certs[] =
    "CREATE TABLE certs ("
    "  fingerprint TEXT PRIMARY KEY,"
    "  serial TEXT NOT NULL UNIQUE,"
    "  site_id INTEGER,"
    "  csirt INTEGER NOT NULL CHECK (csirt IN (0, 1)),"
    "  holder TEXT NOT NULL,"
    "  not_before INTEGER NOT NULL,"
    "  not_after INTEGER NOT NULL,"
    "  issued INTEGER NOT NULL,"
    "  revoked INTEGER NOT NULL DEFAULT 0,"
    "  CHECK ((csirt = 1 AND site_id IS NULL) OR (csirt = 0 AND site_id IS NOT NULL)));"
    "CREATE INDEX certs_site ON certs(site_id);"
    "PRAGMA user_version = 5;";

enum {
    Q_SITE_EXISTS = TS_SQX_CERT,
    Q_INSERT,
    Q_LOOKUP,
    Q_EXISTS,
    Q_REVOKE,
    Q_ALL,
    Q_END_, /* must stay within the 16 slots of TS_SQX_CERT */
};
_Static_assert(Q_END_ <= TS_SQX_CERT + 16, "certificate statements exceed their slots");

#define CERT_COLS                                                                                  \
    "SELECT c.fingerprint, c.serial, ifnull(c.site_id, 0), ifnull(s.name, ''),"                    \
    " s.id IS NOT NULL, c.csirt, c.holder, c.not_before, c.not_after, c.issued, c.revoked,"        \
    " c.reader"                                                                                    \
    " FROM certs c LEFT JOIN sites s ON s.id = c.site_id"

static const char sql_site_exists[] = "SELECT 1 FROM sites WHERE id = ?1";
static const char sql_insert[] =
    "INSERT INTO certs (fingerprint, serial, site_id, csirt, holder, not_before, not_after,"
    " issued, reader) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
static const char sql_lookup[] = CERT_COLS " WHERE c.fingerprint = ?1";
static const char sql_exists[] = "SELECT 1 FROM certs WHERE fingerprint = ?1 OR serial = ?1";
static const char sql_revoke[] =
    "UPDATE certs SET revoked = ?2 WHERE (fingerprint = ?1 OR serial = ?1) AND revoked = 0";
static const char sql_all[] = CERT_COLS " ORDER BY c.rowid";

static void row_to_rec(sqlite3_stmt *s, ts_cert_rec_t *r)
{
    r->fingerprint = ts_sq_col_cstr(s, 0);
    r->serial = ts_sq_col_cstr(s, 1);
    r->site_id = sqlite3_column_int64(s, 2);
    r->site_name = ts_sq_col_cstr(s, 3);
    r->site_exists = sqlite3_column_int(s, 4) != 0;
    r->csirt = sqlite3_column_int(s, 5) != 0;
    r->holder = ts_sq_col_cstr(s, 6);
    r->not_before = sqlite3_column_int64(s, 7);
    r->not_after = sqlite3_column_int64(s, 8);
    r->issued = sqlite3_column_int64(s, 9);
    r->revoked = sqlite3_column_int64(s, 10);
    r->reader = sqlite3_column_int(s, 11) != 0;
    if (r->csirt) {
        r->site_exists = false;
        r->site_name = "";
    }
}

/* 1 if the one-parameter query finds a row, 0 if not, < 0 on error. */
static int exists(struct sq_store *sq, int slot, const char *sql, int64_t id, const char *text)
{
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, slot, sql, &err);
    if (s == NULL)
        return err;
    if (text)
        ts_sq_bind_cstr(s, 1, text);
    else
        sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    int r = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : ts_sq_fail(sq, rc);
    sqlite3_reset(s);
    return r;
}

static int sq_cert_add(ts_store_t *st, const ts_cert_rec_t *rec)
{
    struct sq_store *sq = ts_sq(st);
    bool own;
    int r = ts_sq_op_begin(sq, &own);
    if (r)
        return r;
    if (!rec->csirt) {
        r = exists(sq, Q_SITE_EXISTS, sql_site_exists, rec->site_id, NULL);
        if (r == 0) {
            ts_sq_set_msg(sq, "no such site");
            r = TS_ENOENT;
        } else if (r == 1) {
            r = 0;
        }
    }
    if (r == 0) {
        sqlite3_stmt *s = ts_sq_stmt(sq, Q_INSERT, sql_insert, &r);
        if (s) {
            ts_sq_bind_cstr(s, 1, rec->fingerprint);
            ts_sq_bind_cstr(s, 2, rec->serial);
            if (rec->csirt)
                sqlite3_bind_null(s, 3);
            else
                sqlite3_bind_int64(s, 3, rec->site_id);
            sqlite3_bind_int(s, 4, rec->csirt ? 1 : 0);
            ts_sq_bind_cstr(s, 5, rec->holder);
            sqlite3_bind_int64(s, 6, rec->not_before);
            sqlite3_bind_int64(s, 7, rec->not_after);
            sqlite3_bind_int64(s, 8, ts_sq_now_us());
            sqlite3_bind_int(s, 9, rec->reader ? 1 : 0);
            r = ts_sq_run(sq, s);
        }
    }
    return ts_sq_op_end(sq, own, r);
}

static int sq_cert_lookup(ts_store_t *st, const char *fingerprint, ts_cert_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_LOOKUP, sql_lookup, &err);
    if (s == NULL)
        return err;
    ts_sq_bind_cstr(s, 1, fingerprint);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(s);
        return TS_ENOENT;
    }
    int cbr = 0;
    if (rc == SQLITE_ROW) {
        ts_cert_rec_t rec;
        row_to_rec(s, &rec);
        cbr = cb(&rec, ctx);
        rc = SQLITE_DONE;
    }
    return ts_sq_iter_end(sq, s, rc, cbr);
}

static int sq_cert_revoke(ts_store_t *st, const char *key, int64_t when)
{
    struct sq_store *sq = ts_sq(st);
    bool own;
    int r = ts_sq_op_begin(sq, &own);
    if (r)
        return r;
    r = exists(sq, Q_EXISTS, sql_exists, 0, key);
    if (r == 0) {
        ts_sq_set_msg(sq, "no such certificate");
        r = TS_ENOENT;
    } else if (r == 1) {
        sqlite3_stmt *s = ts_sq_stmt(sq, Q_REVOKE, sql_revoke, &r);
        if (s) {
            ts_sq_bind_cstr(s, 1, key);
            sqlite3_bind_int64(s, 2, when);
            r = ts_sq_run(sq, s);
        }
    }
    return ts_sq_op_end(sq, own, r);
}

static int sq_certs_foreach(ts_store_t *st, ts_cert_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_ALL, sql_all, &err);
    if (s == NULL)
        return err;
    int rc, cbr = 0;
    while (cbr == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_cert_rec_t rec;
        row_to_rec(s, &rec);
        cbr = cb(&rec, ctx);
    }
    return ts_sq_iter_end(sq, s, cbr ? SQLITE_DONE : rc, cbr);
}

const struct ts_store_cert_ops ts_sq_cert_ops = {
    .add = sq_cert_add,
    .lookup = sq_cert_lookup,
    .revoke = sq_cert_revoke,
    .foreach = sq_certs_foreach,
};
