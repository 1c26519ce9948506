/* SPDX-License-Identifier: Apache-2.0 */
/* PostgreSQL: the certificate registry (store/certreg.h), the same table and
 * queries as sqlite_cert.c in PostgreSQL's dialect. */
#include "store/certreg_int.h"
#include "store/postgres_int.h"

/* v5, as SQLite's. No foreign key from certs to sites: see sqlite_cert.c. */
const char ts_pg_migration_certs[] =
    "CREATE TABLE certs ("
    "  fingerprint " TS_PG_TEXT " PRIMARY KEY,"
    "  serial " TS_PG_TEXT " NOT NULL UNIQUE,"
    "  site_id bigint,"
    "  csirt int NOT NULL CHECK (csirt IN (0, 1)),"
    "  holder " TS_PG_TEXT " NOT NULL,"
    "  not_before bigint NOT NULL,"
    "  not_after bigint NOT NULL,"
    "  issued bigint NOT NULL,"
    "  revoked bigint NOT NULL DEFAULT 0,"
    "  seq bigint GENERATED ALWAYS AS IDENTITY," /* SQLite's rowid: the listing order */
    "  CHECK ((csirt = 1 AND site_id IS NULL) OR (csirt = 0 AND site_id IS NOT NULL)));"
    "CREATE INDEX certs_site ON certs(site_id);"
    "SELECT ts_watch('certs');";

enum {
    Q_SITE_EXISTS = TS_PGX_CERT,
    Q_INSERT,
    Q_LOOKUP,
    Q_EXISTS,
    Q_REVOKE,
    Q_ALL,
    Q_END_,
};
_Static_assert(Q_END_ <= TS_PGX_CERT + 16, "certificate statements exceed their slots");

#define CERT_COLS                                                                                  \
    "SELECT c.fingerprint, c.serial, coalesce(c.site_id, 0), coalesce(s.name, ''),"                \
    " s.id IS NOT NULL, c.csirt, c.holder, c.not_before, c.not_after, c.issued, c.revoked,"        \
    " c.reader"                                                                                    \
    " FROM certs c LEFT JOIN sites s ON s.id = c.site_id"

static const char sql_site_exists[] = "SELECT 1 FROM sites WHERE id = $1";
static const char sql_insert[] =
    "INSERT INTO certs (fingerprint, serial, site_id, csirt, holder, not_before, not_after,"
    " issued, reader) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
static const char sql_lookup[] = CERT_COLS " WHERE c.fingerprint = $1";
static const char sql_exists[] = "SELECT 1 FROM certs WHERE fingerprint = $1 OR serial = $1";
static const char sql_revoke[] =
    "UPDATE certs SET revoked = $2 WHERE (fingerprint = $1 OR serial = $1) AND revoked = 0";
static const char sql_all[] = CERT_COLS " ORDER BY c.seq";

static void row_to_rec(const PGresult *res, int i, ts_cert_rec_t *r)
{
    r->fingerprint = ts_pg_col_cstr(res, i, 0);
    r->serial = ts_pg_col_cstr(res, i, 1);
    r->site_id = ts_pg_col_int(res, i, 2);
    r->site_name = ts_pg_col_cstr(res, i, 3);
    r->site_exists = ts_pg_col_cstr(res, i, 4)[0] == 't';
    r->csirt = ts_pg_col_int(res, i, 5) != 0;
    r->holder = ts_pg_col_cstr(res, i, 6);
    r->not_before = ts_pg_col_int(res, i, 7);
    r->not_after = ts_pg_col_int(res, i, 8);
    r->issued = ts_pg_col_int(res, i, 9);
    r->revoked = ts_pg_col_int(res, i, 10);
    r->reader = ts_pg_col_int(res, i, 11) != 0;
    if (r->csirt) {
        r->site_exists = false;
        r->site_name = "";
    }
}

/* 1 if the one-parameter query finds a row, 0 if not, < 0 on error. */
static int exists(struct pg_store *pg, int slot, const char *sql, int64_t id, const char *text)
{
    ts_pg_params_t p;
    ts_pg_params_init(&p);
    if (text)
        ts_pg_text(&p, text);
    else
        ts_pg_int(&p, id);
    int err = 0;
    PGresult *res = ts_pg_exec(pg, slot, sql, &p, &err);
    if (res == NULL)
        return err;
    int r = PQntuples(res) > 0;
    PQclear(res);
    return r;
}

static int pg_cert_add(ts_store_t *st, const ts_cert_rec_t *rec)
{
    struct pg_store *pg = ts_pg(st);
    bool own;
    int r = ts_pg_op_begin(pg, &own);
    if (r)
        return r;
    if (!rec->csirt) {
        r = exists(pg, Q_SITE_EXISTS, sql_site_exists, rec->site_id, NULL);
        if (r == 0) {
            ts_pg_set_msg(pg, "no such site");
            r = TS_ENOENT;
        } else if (r == 1) {
            r = 0;
        }
    }
    if (r == 0) {
        ts_pg_params_t p;
        ts_pg_params_init(&p);
        ts_pg_text(&p, rec->fingerprint);
        ts_pg_text(&p, rec->serial);
        ts_pg_int_opt(&p, rec->site_id, !rec->csirt);
        ts_pg_int(&p, rec->csirt ? 1 : 0);
        ts_pg_text(&p, rec->holder);
        ts_pg_int(&p, rec->not_before);
        ts_pg_int(&p, rec->not_after);
        ts_pg_int(&p, ts_pg_now_us());
        ts_pg_int(&p, rec->reader ? 1 : 0);
        r = ts_pg_run(pg, Q_INSERT, sql_insert, &p, NULL);
    }
    return ts_pg_op_end(pg, own, r);
}

static int pg_cert_lookup(ts_store_t *st, const char *fingerprint, ts_cert_cb cb, void *ctx)
{
    struct pg_store *pg = ts_pg(st);
    ts_pg_params_t p;
    ts_pg_params_init(&p);
    ts_pg_text(&p, fingerprint);
    int r = 0;
    PGresult *res = ts_pg_exec(pg, Q_LOOKUP, sql_lookup, &p, &r);
    if (res == NULL)
        return r;
    if (PQntuples(res) == 0) {
        r = TS_ENOENT;
    } else {
        ts_cert_rec_t rec;
        row_to_rec(res, 0, &rec);
        r = cb(&rec, ctx);
    }
    PQclear(res);
    return r;
}

static int pg_cert_revoke(ts_store_t *st, const char *key, int64_t when)
{
    struct pg_store *pg = ts_pg(st);
    bool own;
    int r = ts_pg_op_begin(pg, &own);
    if (r)
        return r;
    r = exists(pg, Q_EXISTS, sql_exists, 0, key);
    if (r == 0) {
        ts_pg_set_msg(pg, "no such certificate");
        r = TS_ENOENT;
    } else if (r == 1) {
        ts_pg_params_t p;
        ts_pg_params_init(&p);
        ts_pg_text(&p, key);
        ts_pg_int(&p, when);
        r = ts_pg_run(pg, Q_REVOKE, sql_revoke, &p, NULL);
    }
    return ts_pg_op_end(pg, own, r);
}

static int pg_certs_foreach(ts_store_t *st, ts_cert_cb cb, void *ctx)
{
    struct pg_store *pg = ts_pg(st);
    int r = 0;
    PGresult *res = ts_pg_exec(pg, Q_ALL, sql_all, NULL, &r);
    if (res == NULL)
        return r;
    for (int i = 0; r == 0 && i < PQntuples(res); i++) {
        ts_cert_rec_t rec;
        row_to_rec(res, i, &rec);
        r = cb(&rec, ctx);
    }
    PQclear(res);
    return r;
}

const struct ts_store_cert_ops ts_pg_cert_ops = {
    .add = pg_cert_add,
    .lookup = pg_cert_lookup,
    .revoke = pg_cert_revoke,
    .foreach = pg_certs_foreach,
};
