/* SPDX-License-Identifier: Apache-2.0 */
/* SQLite: advisories, their product entries, platforms and matches
 * (store/advstore.h). */
#include <string.h>

#include "store/advstore_int.h"
#include "store/sqlite_int.h"

/* Platforms carry no foreign key to sites (a site may be removed while its
 * platforms stay on record, as with certificates; listings join sites).
 * Matches go with their platform or advisory. sev_rank orders listings
 * (critical first) without a CASE in every query. */
const char ts_sq_migration_advisory[] =
    "CREATE TABLE advisories ("
    "  id INTEGER PRIMARY KEY,"
    "  adv_id TEXT NOT NULL UNIQUE,"
    "  source TEXT NOT NULL,"
    "  revision TEXT NOT NULL DEFAULT '',"
    "  title TEXT NOT NULL DEFAULT '',"
    "  publisher TEXT NOT NULL DEFAULT '',"
    "  published INTEGER NOT NULL DEFAULT 0,"
    "  updated INTEGER NOT NULL DEFAULT 0,"
    "  cvss REAL,"
    "  severity TEXT NOT NULL,"
    "  sev_rank INTEGER NOT NULL,"
    "  cves TEXT NOT NULL DEFAULT '[]',"
    "  hash TEXT NOT NULL,"
    "  document TEXT NOT NULL DEFAULT '',"
    "  imported INTEGER NOT NULL);"
    "CREATE TABLE adv_products ("
    "  adv INTEGER NOT NULL REFERENCES advisories(id) ON DELETE CASCADE,"
    "  ord INTEGER NOT NULL,"
    "  ref TEXT NOT NULL,"
    "  full_name TEXT NOT NULL,"
    "  vendor TEXT NOT NULL,"
    "  product TEXT NOT NULL,"
    "  cpe TEXT NOT NULL DEFAULT '',"
    "  purl TEXT NOT NULL DEFAULT '',"
    "  purl_key TEXT NOT NULL DEFAULT '',"
    "  version_text TEXT NOT NULL DEFAULT '',"
    "  range TEXT NOT NULL DEFAULT '',"
    "  range_error TEXT NOT NULL DEFAULT '',"
    "  status INTEGER NOT NULL CHECK (status BETWEEN 1 AND 4),"
    "  remediations TEXT NOT NULL DEFAULT '[]',"
    "  PRIMARY KEY (adv, ord)) WITHOUT ROWID;"
    "CREATE INDEX adv_products_name ON adv_products(vendor, product);"
    "CREATE INDEX adv_products_purl ON adv_products(purl_key) WHERE purl_key <> '';"
    "CREATE TABLE platforms ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  site_id INTEGER NOT NULL,"
    "  spec TEXT NOT NULL,"
    "  kind TEXT NOT NULL CHECK (kind IN ('cpe', 'purl', 'name', 'family')),"
    "  vendor TEXT NOT NULL,"
    "  product TEXT NOT NULL,"
    "  version TEXT NOT NULL DEFAULT '',"
    "  purl_key TEXT NOT NULL DEFAULT '',"
    "  created INTEGER NOT NULL,"
    "  UNIQUE (site_id, spec));"
    "CREATE TABLE adv_matches ("
    "  platform_id INTEGER NOT NULL REFERENCES platforms(id) ON DELETE CASCADE,"
    "  adv INTEGER NOT NULL REFERENCES advisories(id) ON DELETE CASCADE,"
    "  site_id INTEGER NOT NULL,"
    "  status INTEGER NOT NULL CHECK (status BETWEEN 1 AND 4),"
    "  undecided INTEGER NOT NULL CHECK (undecided IN (0, 1)),"
    "  family INTEGER NOT NULL CHECK (family IN (0, 1)),"
    "  product_ref TEXT NOT NULL,"
    "  product_name TEXT NOT NULL,"
    "  rule TEXT NOT NULL,"
    "  remediations TEXT NOT NULL DEFAULT '[]',"
    "  first_seen INTEGER NOT NULL,"
    "  changed_at INTEGER NOT NULL,"
    "  alerted_at INTEGER NOT NULL DEFAULT 0,"
    "  PRIMARY KEY (platform_id, adv)) WITHOUT ROWID;"
    "CREATE INDEX adv_matches_adv ON adv_matches(adv, site_id);"
    "CREATE INDEX adv_matches_site ON adv_matches(site_id, adv);"
    "PRAGMA user_version = 7;";

/* What an entry carries beyond its range (issue 11): the doubt over it, how
 * its versions were read, the relationship that links it, the identifiers
 * a platform may declare, whether an ADP gave it. */
const char ts_sq_migration_advisory_entries[] =
    "ALTER TABLE adv_products ADD COLUMN doubt TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE adv_products ADD COLUMN note TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE adv_products ADD COLUMN via TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE adv_products ADD COLUMN ids TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE adv_products ADD COLUMN secondary INTEGER NOT NULL DEFAULT 0"
    "  CHECK (secondary IN (0, 1));"
    "CREATE INDEX adv_products_ids ON adv_products(vendor) WHERE ids <> '';"
    "PRAGMA user_version = 10;";

enum {
    Q_ADV_GET = TS_SQX_ADVISORY,
    Q_ADV_INSERT,
    Q_ADV_UPDATE,
    Q_ADV_COUNT,
    Q_PROD_CLEAR,
    Q_PROD_INSERT,
    Q_PROD_FOR,
    Q_SITE_EXISTS,
    Q_PLAT_INSERT,
    Q_PLAT_FIND,
    Q_PLAT_DELETE,
    Q_PLAT_MATCHES_DELETE,
    Q_PLAT_FOREACH,
    Q_MATCH_OF,
    Q_MATCH_CLEAR,
    Q_MATCH_PUT,
    Q_ROWS,
    Q_ADV_BY_ROWID,
    Q_END_, /* must stay within the 64 slots of TS_SQX_ADVISORY */
};
_Static_assert(Q_END_ <= TS_SQX_ADVISORY + 64, "advisory statements exceed their slots");

#define ADV_COLS                                                                                   \
    "a.id, a.adv_id, a.source, a.revision, a.title, a.publisher, a.published, a.updated,"          \
    " a.cvss, a.severity, a.cves, a.hash, a.document"
#define N_ADV_COLS 13

static const char sql_adv_get[] = "SELECT " ADV_COLS " FROM advisories a WHERE a.adv_id = ?1";
static const char sql_adv_by_rowid[] = "SELECT " ADV_COLS " FROM advisories a WHERE a.id = ?1";
static const char sql_adv_insert[] =
    "INSERT INTO advisories (adv_id, source, revision, title, publisher, published, updated,"
    " cvss, severity, sev_rank, cves, hash, document, imported)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";
static const char sql_adv_update[] =
    "UPDATE advisories SET source = ?2, revision = ?3, title = ?4, publisher = ?5,"
    " published = ?6, updated = ?7, cvss = ?8, severity = ?9, sev_rank = ?10, cves = ?11,"
    " hash = ?12, document = ?13, imported = ?14 WHERE adv_id = ?1 RETURNING id";
static const char sql_adv_count[] = "SELECT count(*) FROM advisories";
static const char sql_prod_clear[] = "DELETE FROM adv_products WHERE adv = ?1";
static const char sql_prod_insert[] =
    "INSERT INTO adv_products (adv, ord, ref, full_name, vendor, product, cpe, purl, purl_key,"
    " version_text, range, range_error, status, remediations, doubt, note, via, ids, secondary)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
    " ?19)";
#define PROD_COLS                                                                                  \
    "adv, ord, ref, full_name, vendor, product, cpe, purl, purl_key, version_text, range,"         \
    " range_error, status, remediations, doubt, note, via, ids, secondary"
/* Each lookup uses an index (name; product of entries naming no vendor;
 * purl_key; the vendor's entries with identifiers); the UNION keeps an
 * entry found several ways once. */
static const char sql_prod_for[] =
    "SELECT " PROD_COLS " FROM adv_products"
    " WHERE vendor = ?1 AND ?1 <> '' AND (?2 IS NULL OR product = ?2)"
    " UNION SELECT " PROD_COLS " FROM adv_products"
    " WHERE vendor = '' AND product = ?2 AND ?2 <> ''"
    " UNION SELECT " PROD_COLS " FROM adv_products"
    " WHERE purl_key = ?3 AND ?3 <> ''"
    " UNION SELECT " PROD_COLS " FROM adv_products"
    " WHERE vendor = ?1 AND ?1 <> '' AND ?4 = 1 AND ids <> ''"
    " ORDER BY 1, 2";
static const char sql_site_exists[] = "SELECT 1 FROM sites WHERE id = ?1";
static const char sql_plat_insert[] =
    "INSERT INTO platforms (site_id, spec, kind, vendor, product, version, purl_key, created)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char sql_plat_find[] = "SELECT id FROM platforms WHERE site_id = ?1 AND spec = ?2";
static const char sql_plat_delete[] = "DELETE FROM platforms WHERE site_id = ?1 AND id = ?2";
static const char sql_plat_matches_delete[] = "DELETE FROM adv_matches WHERE platform_id = ?1";
static const char sql_plat_foreach[] =
    "SELECT p.id, p.site_id, ifnull(s.name, ''), p.spec, p.kind, p.vendor, p.product, p.version,"
    " p.purl_key, p.created FROM platforms p LEFT JOIN sites s ON s.id = p.site_id"
    " WHERE ?1 = 0 OR p.site_id = ?1 ORDER BY s.name, p.spec, p.id";
#define MATCH_COLS                                                                                 \
    "m.site_id, m.platform_id, m.adv, m.status, m.undecided, m.family, m.product_ref,"             \
    " m.product_name, m.rule, m.remediations, m.first_seen, m.changed_at, m.alerted_at"
static const char sql_match_of[] = "SELECT " MATCH_COLS " FROM adv_matches m"
                                   " WHERE m.adv = ?1 AND (?2 = 0 OR m.site_id = ?2)"
                                   " ORDER BY m.site_id, m.platform_id";
static const char sql_match_clear[] =
    "DELETE FROM adv_matches WHERE adv = ?1 AND (?2 = 0 OR site_id = ?2)";
static const char sql_match_put[] =
    "INSERT OR REPLACE INTO adv_matches (platform_id, adv, site_id, status, undecided, family,"
    " product_ref, product_name, rule, remediations, first_seen, changed_at, alerted_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)";
static const char sql_rows[] =
    "SELECT " ADV_COLS ", " MATCH_COLS ", ifnull(s.name, ''), p.spec, p.kind"
    " FROM adv_matches m JOIN advisories a ON a.id = m.adv"
    " JOIN platforms p ON p.id = m.platform_id LEFT JOIN sites s ON s.id = m.site_id"
    " WHERE (?1 = 0 OR m.site_id = ?1) AND (?2 IS NULL OR a.adv_id = ?2)"
    " AND (?3 = 0 OR m.status = ?3)"
    " AND (?4 = 1 OR m.undecided = 1 OR m.status IN (1, 2))"
    " ORDER BY a.sev_rank, ifnull(a.cvss, -1) DESC, max(a.updated, a.published) DESC,"
    " a.adv_id, s.name, m.site_id, m.undecided, m.status, p.spec";

static int sev_rank(const char *sev)
{
    static const char *const order[] = {"critical", "high", "medium", "low", "none"};
    for (int i = 0; i < 5; i++)
        if (sev && strcmp(sev, order[i]) == 0)
            return i;
    return 5;
}

static void row_to_adv(sqlite3_stmt *s, int o, ts_adv_rec_t *r)
{
    r->rowid = sqlite3_column_int64(s, o + 0);
    r->id = ts_sq_col_cstr(s, o + 1);
    r->source = ts_sq_col_cstr(s, o + 2);
    r->revision = ts_sq_col_cstr(s, o + 3);
    r->title = ts_sq_col_cstr(s, o + 4);
    r->publisher = ts_sq_col_cstr(s, o + 5);
    r->published = sqlite3_column_int64(s, o + 6);
    r->updated = sqlite3_column_int64(s, o + 7);
    r->cvss = sqlite3_column_type(s, o + 8) == SQLITE_NULL ? -1.0 : sqlite3_column_double(s, o + 8);
    r->severity = ts_sq_col_cstr(s, o + 9);
    r->cves_json = ts_sq_col_cstr(s, o + 10);
    r->hash = ts_sq_col_cstr(s, o + 11);
    r->document = ts_sq_col_cstr(s, o + 12);
}

static void row_to_match(sqlite3_stmt *s, int o, ts_adv_match_rec_t *m)
{
    m->site_id = sqlite3_column_int64(s, o + 0);
    m->platform_id = sqlite3_column_int64(s, o + 1);
    m->adv_rowid = sqlite3_column_int64(s, o + 2);
    m->status = sqlite3_column_int(s, o + 3);
    m->undecided = sqlite3_column_int(s, o + 4) != 0;
    m->family = sqlite3_column_int(s, o + 5) != 0;
    m->product_ref = ts_sq_col_cstr(s, o + 6);
    m->product_name = ts_sq_col_cstr(s, o + 7);
    m->rule = ts_sq_col_cstr(s, o + 8);
    m->remediations_json = ts_sq_col_cstr(s, o + 9);
    m->first_seen = sqlite3_column_int64(s, o + 10);
    m->changed_at = sqlite3_column_int64(s, o + 11);
    m->alerted_at = sqlite3_column_int64(s, o + 12);
}

/* The one advisory a bound statement selects, to cb. */
static int adv_one(struct sq_store *sq, sqlite3_stmt *s, ts_adv_rec_cb cb, void *ctx)
{
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(s);
        return TS_ENOENT;
    }
    int cbr = 0;
    if (rc == SQLITE_ROW) {
        ts_adv_rec_t rec;
        row_to_adv(s, 0, &rec);
        cbr = cb(&rec, ctx);
        rc = SQLITE_DONE;
    }
    return ts_sq_iter_end(sq, s, rc, cbr);
}

static int sq_adv_get(ts_store_t *st, const char *id, ts_adv_rec_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_ADV_GET, sql_adv_get, &err);
    if (s == NULL)
        return err;
    ts_sq_bind_cstr(s, 1, id);
    return adv_one(sq, s, cb, ctx);
}

static int sq_adv_by_rowid(ts_store_t *st, int64_t rowid, ts_adv_rec_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_ADV_BY_ROWID, sql_adv_by_rowid, &err);
    if (s == NULL)
        return err;
    sqlite3_bind_int64(s, 1, rowid);
    return adv_one(sq, s, cb, ctx);
}

static const char *nz(const char *s)
{
    return s ? s : "";
}

static void bind_adv(sqlite3_stmt *s, const ts_adv_rec_t *r)
{
    ts_sq_bind_cstr(s, 1, r->id);
    ts_sq_bind_cstr(s, 2, nz(r->source));
    ts_sq_bind_cstr(s, 3, nz(r->revision));
    ts_sq_bind_cstr(s, 4, nz(r->title));
    ts_sq_bind_cstr(s, 5, nz(r->publisher));
    sqlite3_bind_int64(s, 6, r->published);
    sqlite3_bind_int64(s, 7, r->updated);
    if (r->cvss < 0)
        sqlite3_bind_null(s, 8);
    else
        sqlite3_bind_double(s, 8, r->cvss);
    ts_sq_bind_cstr(s, 9, r->severity ? r->severity : "unknown");
    sqlite3_bind_int(s, 10, sev_rank(r->severity));
    ts_sq_bind_cstr(s, 11, r->cves_json ? r->cves_json : "[]");
    ts_sq_bind_cstr(s, 12, nz(r->hash));
    ts_sq_bind_cstr(s, 13, nz(r->document));
    sqlite3_bind_int64(s, 14, ts_sq_now_us());
}

static int sq_adv_put(ts_store_t *st, const ts_adv_rec_t *rec, int64_t *rowid)
{
    struct sq_store *sq = ts_sq(st);
    int r = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_ADV_UPDATE, sql_adv_update, &r);
    if (s == NULL)
        return r;
    bind_adv(s, rec);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *rowid = sqlite3_column_int64(s, 0);
        while ((rc = sqlite3_step(s)) == SQLITE_ROW)
            ;
    }
    if (rc != SQLITE_DONE) {
        r = ts_sq_fail(sq, rc);
        sqlite3_reset(s);
        return r;
    }
    bool updated = sqlite3_changes(sqlite3_db_handle(s)) > 0;
    sqlite3_reset(s);
    if (updated)
        return 0;
    s = ts_sq_stmt(sq, Q_ADV_INSERT, sql_adv_insert, &r);
    if (s == NULL)
        return r;
    bind_adv(s, rec);
    r = ts_sq_run(sq, s);
    if (r == 0)
        *rowid = sqlite3_last_insert_rowid(sq->db);
    return r;
}

static int sq_adv_count(ts_store_t *st, uint64_t *n)
{
    struct sq_store *sq = ts_sq(st);
    int r = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_ADV_COUNT, sql_adv_count, &r);
    if (s == NULL)
        return r;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *n = (uint64_t)sqlite3_column_int64(s, 0);
        rc = SQLITE_DONE;
    }
    return ts_sq_iter_end(sq, s, rc, 0);
}

static int run_id2(struct sq_store *sq, int slot, const char *sql, int64_t a, int64_t b)
{
    int r = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, slot, sql, &r);
    if (s == NULL)
        return r;
    sqlite3_bind_int64(s, 1, a);
    sqlite3_bind_int64(s, 2, b);
    return ts_sq_run(sq, s);
}

static int sq_products_clear(ts_store_t *st, int64_t adv_rowid)
{
    struct sq_store *sq = ts_sq(st);
    int r = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_PROD_CLEAR, sql_prod_clear, &r);
    if (s == NULL)
        return r;
    sqlite3_bind_int64(s, 1, adv_rowid);
    return ts_sq_run(sq, s);
}

static int sq_product_add(ts_store_t *st, const ts_adv_prod_rec_t *p)
{
    struct sq_store *sq = ts_sq(st);
    int r = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_PROD_INSERT, sql_prod_insert, &r);
    if (s == NULL)
        return r;
    sqlite3_bind_int64(s, 1, p->adv_rowid);
    sqlite3_bind_int(s, 2, p->ord);
    ts_sq_bind_cstr(s, 3, nz(p->ref));
    ts_sq_bind_cstr(s, 4, nz(p->full_name));
    ts_sq_bind_cstr(s, 5, nz(p->vendor));
    ts_sq_bind_cstr(s, 6, nz(p->product));
    ts_sq_bind_cstr(s, 7, nz(p->cpe));
    ts_sq_bind_cstr(s, 8, nz(p->purl));
    ts_sq_bind_cstr(s, 9, nz(p->purl_key));
    ts_sq_bind_cstr(s, 10, nz(p->version_text));
    ts_sq_bind_cstr(s, 11, nz(p->range));
    ts_sq_bind_cstr(s, 12, nz(p->range_error));
    sqlite3_bind_int(s, 13, p->status);
    ts_sq_bind_cstr(s, 14, p->remediations_json ? p->remediations_json : "[]");
    ts_sq_bind_cstr(s, 15, nz(p->doubt));
    ts_sq_bind_cstr(s, 16, nz(p->note));
    ts_sq_bind_cstr(s, 17, nz(p->via));
    ts_sq_bind_cstr(s, 18, nz(p->ids_json));
    sqlite3_bind_int(s, 19, p->secondary ? 1 : 0);
    return ts_sq_run(sq, s);
}

static int sq_products_for(ts_store_t *st, const char *vendor, const char *product,
                           const char *purl_key, bool with_ids, ts_adv_prod_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_PROD_FOR, sql_prod_for, &err);
    if (s == NULL)
        return err;
    ts_sq_bind_cstr(s, 1, nz(vendor));
    ts_sq_bind_cstr(s, 2, product);
    ts_sq_bind_cstr(s, 3, nz(purl_key));
    sqlite3_bind_int(s, 4, with_ids ? 1 : 0);
    int rc, cbr = 0;
    while (cbr == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_adv_prod_rec_t p = {
            .adv_rowid = sqlite3_column_int64(s, 0),
            .ord = sqlite3_column_int(s, 1),
            .ref = ts_sq_col_cstr(s, 2),
            .full_name = ts_sq_col_cstr(s, 3),
            .vendor = ts_sq_col_cstr(s, 4),
            .product = ts_sq_col_cstr(s, 5),
            .cpe = ts_sq_col_cstr(s, 6),
            .purl = ts_sq_col_cstr(s, 7),
            .purl_key = ts_sq_col_cstr(s, 8),
            .version_text = ts_sq_col_cstr(s, 9),
            .range = ts_sq_col_cstr(s, 10),
            .range_error = ts_sq_col_cstr(s, 11),
            .status = sqlite3_column_int(s, 12),
            .remediations_json = ts_sq_col_cstr(s, 13),
            .doubt = ts_sq_col_cstr(s, 14),
            .note = ts_sq_col_cstr(s, 15),
            .via = ts_sq_col_cstr(s, 16),
            .ids_json = ts_sq_col_cstr(s, 17),
            .secondary = sqlite3_column_int(s, 18) != 0,
        };
        cbr = cb(&p, ctx);
    }
    return ts_sq_iter_end(sq, s, cbr ? SQLITE_DONE : rc, cbr);
}

static int sq_platform_find(ts_store_t *st, int64_t site_id, const char *spec, int64_t *id)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_PLAT_FIND, sql_plat_find, &err);
    if (s == NULL)
        return err;
    sqlite3_bind_int64(s, 1, site_id);
    ts_sq_bind_cstr(s, 2, spec);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(s);
        return TS_ENOENT;
    }
    if (rc == SQLITE_ROW) {
        *id = sqlite3_column_int64(s, 0);
        rc = SQLITE_DONE;
    }
    return ts_sq_iter_end(sq, s, rc, 0);
}

static int sq_platform_add(ts_store_t *st, const ts_plat_rec_t *p, int64_t *id)
{
    struct sq_store *sq = ts_sq(st);
    bool own;
    int r = ts_sq_op_begin(sq, &own);
    if (r)
        return r;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_SITE_EXISTS, sql_site_exists, &r);
    if (s) {
        sqlite3_bind_int64(s, 1, p->site_id);
        int rc = sqlite3_step(s);
        r = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? TS_ENOENT : ts_sq_fail(sq, rc);
        sqlite3_reset(s);
        if (r == TS_ENOENT)
            ts_sq_set_msg(sq, "no such site");
    }
    if (r == 0) {
        r = sq_platform_find(st, p->site_id, p->spec, id);
        if (r == 0) {
            ts_sq_set_msg(sq, "the site has this platform already");
            r = TS_EEXIST;
        } else if (r == TS_ENOENT) {
            r = 0;
        }
    }
    if (r == 0) {
        s = ts_sq_stmt(sq, Q_PLAT_INSERT, sql_plat_insert, &r);
        if (s) {
            sqlite3_bind_int64(s, 1, p->site_id);
            ts_sq_bind_cstr(s, 2, p->spec);
            ts_sq_bind_cstr(s, 3, p->kind);
            ts_sq_bind_cstr(s, 4, nz(p->vendor));
            ts_sq_bind_cstr(s, 5, nz(p->product));
            ts_sq_bind_cstr(s, 6, nz(p->version));
            ts_sq_bind_cstr(s, 7, nz(p->purl_key));
            sqlite3_bind_int64(s, 8, ts_sq_now_us());
            r = ts_sq_run(sq, s);
            if (r == 0)
                *id = sqlite3_last_insert_rowid(sq->db);
        }
    }
    if (r == TS_EEXIST) {
        /* Keep *id (the existing platform) while the savepoint unwinds. */
        int64_t keep = *id;
        r = ts_sq_op_end(sq, own, r);
        *id = keep;
        return r;
    }
    return ts_sq_op_end(sq, own, r);
}

static int sq_platform_remove(ts_store_t *st, int64_t site_id, int64_t id)
{
    struct sq_store *sq = ts_sq(st);
    bool own;
    int r = ts_sq_op_begin(sq, &own);
    if (r)
        return r;
    r = run_id2(sq, Q_PLAT_MATCHES_DELETE, sql_plat_matches_delete, id, 0);
    if (r == 0)
        r = run_id2(sq, Q_PLAT_DELETE, sql_plat_delete, site_id, id);
    if (r == 0 && sqlite3_changes(sq->db) == 0) {
        ts_sq_set_msg(sq, "no such platform");
        r = TS_ENOENT;
    }
    return ts_sq_op_end(sq, own, r);
}

static int sq_platforms_foreach(ts_store_t *st, int64_t site_id, ts_plat_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_PLAT_FOREACH, sql_plat_foreach, &err);
    if (s == NULL)
        return err;
    sqlite3_bind_int64(s, 1, site_id);
    int rc, cbr = 0;
    while (cbr == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_plat_rec_t p = {
            .id = sqlite3_column_int64(s, 0),
            .site_id = sqlite3_column_int64(s, 1),
            .site_name = ts_sq_col_cstr(s, 2),
            .spec = ts_sq_col_cstr(s, 3),
            .kind = ts_sq_col_cstr(s, 4),
            .vendor = ts_sq_col_cstr(s, 5),
            .product = ts_sq_col_cstr(s, 6),
            .version = ts_sq_col_cstr(s, 7),
            .purl_key = ts_sq_col_cstr(s, 8),
            .created = sqlite3_column_int64(s, 9),
        };
        cbr = cb(&p, ctx);
    }
    return ts_sq_iter_end(sq, s, cbr ? SQLITE_DONE : rc, cbr);
}

static int sq_matches_of(ts_store_t *st, int64_t adv_rowid, int64_t site_id, ts_adv_match_cb cb,
                         void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_MATCH_OF, sql_match_of, &err);
    if (s == NULL)
        return err;
    sqlite3_bind_int64(s, 1, adv_rowid);
    sqlite3_bind_int64(s, 2, site_id);
    int rc, cbr = 0;
    while (cbr == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_adv_match_rec_t m;
        row_to_match(s, 0, &m);
        cbr = cb(&m, ctx);
    }
    return ts_sq_iter_end(sq, s, cbr ? SQLITE_DONE : rc, cbr);
}

static int sq_matches_clear(ts_store_t *st, int64_t adv_rowid, int64_t site_id)
{
    return run_id2(ts_sq(st), Q_MATCH_CLEAR, sql_match_clear, adv_rowid, site_id);
}

static int sq_match_put(ts_store_t *st, const ts_adv_match_rec_t *m)
{
    struct sq_store *sq = ts_sq(st);
    int r = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_MATCH_PUT, sql_match_put, &r);
    if (s == NULL)
        return r;
    sqlite3_bind_int64(s, 1, m->platform_id);
    sqlite3_bind_int64(s, 2, m->adv_rowid);
    sqlite3_bind_int64(s, 3, m->site_id);
    sqlite3_bind_int(s, 4, m->status);
    sqlite3_bind_int(s, 5, m->undecided ? 1 : 0);
    sqlite3_bind_int(s, 6, m->family ? 1 : 0);
    ts_sq_bind_cstr(s, 7, nz(m->product_ref));
    ts_sq_bind_cstr(s, 8, nz(m->product_name));
    ts_sq_bind_cstr(s, 9, nz(m->rule));
    ts_sq_bind_cstr(s, 10, m->remediations_json ? m->remediations_json : "[]");
    sqlite3_bind_int64(s, 11, m->first_seen);
    sqlite3_bind_int64(s, 12, m->changed_at);
    sqlite3_bind_int64(s, 13, m->alerted_at);
    return ts_sq_run(sq, s);
}

static int sq_rows_foreach(ts_store_t *st, const ts_adv_query_t *q, ts_adv_row_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_ROWS, sql_rows, &err);
    if (s == NULL)
        return err;
    sqlite3_bind_int64(s, 1, q->site_id);
    ts_sq_bind_cstr(s, 2, q->adv_id);
    sqlite3_bind_int(s, 3, q->status);
    sqlite3_bind_int(s, 4, q->all ? 1 : 0);
    int rc, cbr = 0;
    while (cbr == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_adv_row_t row;
        row_to_adv(s, 0, &row.adv);
        row_to_match(s, N_ADV_COLS, &row.m);
        row.site_name = ts_sq_col_cstr(s, N_ADV_COLS + 13);
        row.platform = ts_sq_col_cstr(s, N_ADV_COLS + 14);
        row.platform_kind = ts_sq_col_cstr(s, N_ADV_COLS + 15);
        cbr = cb(&row, ctx);
    }
    return ts_sq_iter_end(sq, s, cbr ? SQLITE_DONE : rc, cbr);
}

const struct ts_store_advisory_ops ts_sq_advisory_ops = {
    .adv_get = sq_adv_get,
    .adv_put = sq_adv_put,
    .products_clear = sq_products_clear,
    .product_add = sq_product_add,
    .products_for = sq_products_for,
    .adv_count = sq_adv_count,
    .platform_add = sq_platform_add,
    .platform_remove = sq_platform_remove,
    .platform_find = sq_platform_find,
    .platforms_foreach = sq_platforms_foreach,
    .matches_of = sq_matches_of,
    .matches_clear = sq_matches_clear,
    .match_put = sq_match_put,
    .rows_foreach = sq_rows_foreach,
    .adv_by_rowid = sq_adv_by_rowid,
};
