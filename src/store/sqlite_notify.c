/* SPDX-License-Identifier: Apache-2.0 */
/* SQLite: site contacts, digests waiting, source watermarks and the outbox
 * (store/notifystore.h). */
#include <string.h>

#include "store/notifystore_int.h"
#include "store/sqlite_int.h"

/* The contacts table of schema 1 gains an id (the API and the outbox name a
 * contact by it) and the notification fields; SQLite cannot add a primary
 * key, so the table is copied. An address is unique per site whatever its
 * case. The outbox keeps each mail whole, as it goes out, so that a retry
 * sends the same bytes with the same Message-ID. A certificate may be
 * read-only (reader). */
const char ts_sq_migration_notify[] =
    "CREATE TABLE contacts_v11 ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  site_id INTEGER NOT NULL REFERENCES sites(id),"
    "  email TEXT NOT NULL,"
    "  name TEXT NOT NULL DEFAULT '',"
    "  roles INTEGER NOT NULL DEFAULT 1 CHECK (roles BETWEEN 1 AND 15),"
    "  phone TEXT NOT NULL DEFAULT '',"
    "  lang TEXT NOT NULL DEFAULT 'en',"
    "  tz TEXT NOT NULL DEFAULT 'UTC',"
    "  hours TEXT NOT NULL DEFAULT '',"
    "  immediate INTEGER NOT NULL DEFAULT 4 CHECK (immediate BETWEEN 0 AND 4),"
    "  digest INTEGER NOT NULL DEFAULT 2 CHECK (digest BETWEEN 0 AND 2),"
    "  immediate_types TEXT NOT NULL DEFAULT '',"
    "  never_types TEXT NOT NULL DEFAULT '',"
    "  iodef INTEGER NOT NULL DEFAULT 0 CHECK (iodef IN (0, 1)),"
    "  pgp_key TEXT NOT NULL DEFAULT '',"
    "  pgp_fpr TEXT NOT NULL DEFAULT '',"
    "  pgp_expires INTEGER NOT NULL DEFAULT 0,"
    "  smime_cert TEXT NOT NULL DEFAULT '',"
    "  smime_expires INTEGER NOT NULL DEFAULT 0,"
    "  crypto INTEGER NOT NULL DEFAULT 0 CHECK (crypto BETWEEN 0 AND 2),"
    "  created INTEGER NOT NULL DEFAULT 0,"
    "  updated INTEGER NOT NULL DEFAULT 0,"
    "  UNIQUE (site_id, email COLLATE NOCASE));"
    "INSERT INTO contacts_v11 (site_id, email, name)"
    "  SELECT site_id, email, name FROM contacts ORDER BY site_id, email;"
    "DROP TABLE contacts;"
    "ALTER TABLE contacts_v11 RENAME TO contacts;"
    "CREATE TABLE notify_marks ("
    "  source TEXT PRIMARY KEY,"
    "  mark INTEGER NOT NULL);"
    "CREATE TABLE notify_pending ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,"
    "  site_id INTEGER NOT NULL,"
    "  due INTEGER NOT NULL,"
    "  urgent INTEGER NOT NULL CHECK (urgent IN (0, 1)),"
    "  item TEXT NOT NULL,"
    "  created INTEGER NOT NULL);"
    "CREATE INDEX notify_pending_due ON notify_pending(due);"
    "CREATE INDEX notify_pending_contact ON notify_pending(contact_id, id);"
    "CREATE TABLE outbox ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  site_id INTEGER NOT NULL,"
    "  contact_id INTEGER NOT NULL,"
    "  message_id TEXT NOT NULL UNIQUE,"
    "  rcpt TEXT NOT NULL,"
    "  domain TEXT NOT NULL,"
    "  subject TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  urgent INTEGER NOT NULL CHECK (urgent IN (0, 1)),"
    "  data BLOB NOT NULL,"
    "  state INTEGER NOT NULL CHECK (state BETWEEN 1 AND 5),"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  created INTEGER NOT NULL,"
    "  next_attempt INTEGER NOT NULL,"
    "  sent_at INTEGER NOT NULL DEFAULT 0,"
    "  dot_at INTEGER NOT NULL DEFAULT 0,"
    "  last_reply TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX outbox_due ON outbox(state, next_attempt);"
    "CREATE INDEX outbox_site ON outbox(site_id, id);"
    "CREATE INDEX outbox_domain ON outbox(domain, sent_at);"
    "ALTER TABLE certs ADD COLUMN reader INTEGER NOT NULL DEFAULT 0 CHECK (reader IN (0, 1));"
    "PRAGMA user_version = 11;";

enum {
    Q_SITE_EXISTS = TS_SQX_NOTIFY,
    Q_C_INSERT,
    Q_C_UPDATE,
    Q_C_DELETE,
    Q_C_FIND,
    Q_C_FOREACH,
    Q_MARK_GET,
    Q_MARK_SET,
    Q_P_INSERT,
    Q_P_FOREACH,
    Q_P_CLEAR,
    Q_O_INSERT,
    Q_O_FOREACH,
    Q_O_DUE,
    Q_O_MOVE,
    Q_O_SENT_SINCE,
    Q_O_STATS,
    Q_C_FOREACH_SITE,
    Q_END_, /* must stay within the 48 slots of TS_SQX_NOTIFY */
};
_Static_assert(Q_END_ <= TS_SQX_NOTIFY + 48, "notify statements exceed their slots");

#define C_FIELDS                                                                                   \
    "email, name, roles, phone, lang, tz, hours, immediate, digest, immediate_types,"              \
    " never_types, iodef, pgp_key, pgp_fpr, pgp_expires, smime_cert, smime_expires, crypto"
#define C_SELECT                                                                                   \
    "c.email, c.name, c.roles, c.phone, c.lang, c.tz, c.hours, c.immediate, c.digest,"             \
    " c.immediate_types, c.never_types, c.iodef, c.pgp_key, c.pgp_fpr, c.pgp_expires,"             \
    " c.smime_cert, c.smime_expires, c.crypto"
static const char sql_site_exists[] = "SELECT 1 FROM sites WHERE id = ?1";
static const char sql_c_insert[] =
    "INSERT INTO contacts (site_id, " C_FIELDS ", created, updated) VALUES (?1, ?2, ?3, ?4, ?5,"
    " ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?20)";
static const char sql_c_update[] =
    "UPDATE contacts SET email = ?2, name = ?3, roles = ?4, phone = ?5, lang = ?6, tz = ?7,"
    " hours = ?8, immediate = ?9, digest = ?10, immediate_types = ?11, never_types = ?12,"
    " iodef = ?13, pgp_key = ?14, pgp_fpr = ?15, pgp_expires = ?16, smime_cert = ?17,"
    " smime_expires = ?18, crypto = ?19, updated = ?20 WHERE site_id = ?1 AND id = ?21";
static const char sql_c_delete[] = "DELETE FROM contacts WHERE site_id = ?1 AND id = ?2";
static const char sql_c_find[] =
    "SELECT id FROM contacts WHERE site_id = ?1 AND email = ?2 COLLATE NOCASE";
static const char sql_c_foreach[] =
    "SELECT c.id, c.site_id, ifnull(s.name, ''), " C_SELECT ", c.created, c.updated"
    " FROM contacts c LEFT JOIN sites s ON s.id = c.site_id"
    " WHERE (?1 = 0 OR c.site_id = ?1) AND (?2 = 0 OR c.id = ?2)"
    " ORDER BY s.name, c.email COLLATE NOCASE, c.id";
/* One site's: "?1 = 0 OR" would keep the planner from the site's index, and
 * the builder asks once per item (a scan of every contact each time). */
static const char sql_c_foreach_site[] =
    "SELECT c.id, c.site_id, ifnull(s.name, ''), " C_SELECT ", c.created, c.updated"
    " FROM contacts c LEFT JOIN sites s ON s.id = c.site_id"
    " WHERE c.site_id = ?1 AND (?2 = 0 OR c.id = ?2)"
    " ORDER BY c.email COLLATE NOCASE, c.id";
static const char sql_mark_get[] = "SELECT mark FROM notify_marks WHERE source = ?1";
static const char sql_mark_set[] =
    "INSERT OR REPLACE INTO notify_marks (source, mark) VALUES (?1, ?2)";
/* The contact must be the site's: no item reaches another site's contact. */
static const char sql_p_insert[] =
    "INSERT INTO notify_pending (contact_id, site_id, due, urgent, item, created)"
    " SELECT id, site_id, ?3, ?4, ?5, ?6 FROM contacts WHERE id = ?1 AND site_id = ?2";
static const char sql_p_foreach[] =
    "SELECT id, contact_id, site_id, due, urgent, item, created FROM notify_pending"
    " WHERE (?2 < 0 OR due <= ?2) AND (?1 = 0 OR site_id = ?1) ORDER BY contact_id, id";
static const char sql_p_clear[] = "DELETE FROM notify_pending WHERE contact_id = ?1 AND due <= ?2";
#define O_COLS                                                                                     \
    "o.id, o.site_id, ifnull(s.name, ''), o.contact_id, o.message_id, o.rcpt, o.domain,"           \
    " o.subject, o.kind, o.urgent, o.data, o.state, o.attempts, o.created, o.next_attempt,"        \
    " o.sent_at, o.dot_at, o.last_reply FROM outbox o LEFT JOIN sites s ON s.id = o.site_id"
static const char sql_o_insert[] =
    "INSERT INTO outbox (site_id, contact_id, message_id, rcpt, domain, subject, kind, urgent,"
    " data, state, created, next_attempt) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1, ?10,"
    " ?11)";
static const char sql_o_foreach[] = "SELECT " O_COLS " WHERE (?1 = 0 OR o.site_id = ?1)"
                                    " AND (?2 = 0 OR o.state = ?2) ORDER BY o.id DESC LIMIT ?3";
static const char sql_o_due[] =
    "SELECT " O_COLS " WHERE o.state = 2 OR (o.state IN (1, 4) AND o.next_attempt <= ?1)"
    " ORDER BY o.state <> 2, o.next_attempt, o.id LIMIT ?2";
static const char sql_o_move[] =
    "UPDATE outbox SET state = ?3, attempts = attempts + ?4, dot_at = ?5, next_attempt = ?6,"
    " sent_at = ?7, last_reply = ifnull(?8, last_reply) WHERE id = ?1 AND state = ?2";
static const char sql_o_sent_since[] =
    "SELECT count(*) FROM outbox WHERE domain = ?1 AND sent_at >= ?2 AND state = 3";
static const char sql_o_stats[] =
    "SELECT state, count(*) FROM outbox WHERE ?1 = 0 OR site_id = ?1 GROUP BY state ORDER BY 1";

static const char *nz(const char *s)
{
    return s ? s : "";
}

static int site_exists(struct sq_store *sq, int64_t site_id)
{
    int r = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_SITE_EXISTS, sql_site_exists, &r);
    if (s == NULL)
        return r;
    sqlite3_bind_int64(s, 1, site_id);
    int rc = sqlite3_step(s);
    r = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? TS_ENOENT : ts_sq_fail(sq, rc);
    sqlite3_reset(s);
    if (r == TS_ENOENT)
        ts_sq_set_msg(sq, "no such site");
    return r;
}

/* Parameters 1..20 of the insert and the update. */
static void bind_contact(sqlite3_stmt *s, const ts_contact_rec_t *c)
{
    sqlite3_bind_int64(s, 1, c->site_id);
    ts_sq_bind_cstr(s, 2, c->email);
    ts_sq_bind_cstr(s, 3, nz(c->name));
    sqlite3_bind_int(s, 4, (int)c->roles);
    ts_sq_bind_cstr(s, 5, nz(c->phone));
    ts_sq_bind_cstr(s, 6, c->lang && c->lang[0] ? c->lang : "en");
    ts_sq_bind_cstr(s, 7, c->tz && c->tz[0] ? c->tz : "UTC");
    ts_sq_bind_cstr(s, 8, nz(c->hours));
    sqlite3_bind_int(s, 9, c->immediate);
    sqlite3_bind_int(s, 10, c->digest);
    ts_sq_bind_cstr(s, 11, nz(c->immediate_types));
    ts_sq_bind_cstr(s, 12, nz(c->never_types));
    sqlite3_bind_int(s, 13, c->iodef ? 1 : 0);
    ts_sq_bind_cstr(s, 14, nz(c->pgp_key));
    ts_sq_bind_cstr(s, 15, nz(c->pgp_fpr));
    sqlite3_bind_int64(s, 16, c->pgp_expires);
    ts_sq_bind_cstr(s, 17, nz(c->smime_cert));
    sqlite3_bind_int64(s, 18, c->smime_expires);
    sqlite3_bind_int(s, 19, c->crypto);
    sqlite3_bind_int64(s, 20, ts_sq_now_us());
}

static int sq_contact_add(ts_store_t *st, const ts_contact_rec_t *c, int64_t *id)
{
    struct sq_store *sq = ts_sq(st);
    bool own;
    int r = ts_sq_op_begin(sq, &own);
    if (r)
        return r;
    r = site_exists(sq, c->site_id);
    if (r == 0) {
        sqlite3_stmt *s = ts_sq_stmt(sq, Q_C_INSERT, sql_c_insert, &r);
        if (s) {
            bind_contact(s, c);
            r = ts_sq_run(sq, s);
            if (r == 0)
                *id = sqlite3_last_insert_rowid(sq->db);
        }
    }
    return ts_sq_op_end(sq, own, r);
}

static int changed_or_enoent(struct sq_store *sq, int r, const char *what)
{
    if (r == 0 && sqlite3_changes(sq->db) == 0) {
        ts_sq_set_msg(sq, what);
        return TS_ENOENT;
    }
    return r;
}

static int sq_contact_update(ts_store_t *st, const ts_contact_rec_t *c)
{
    struct sq_store *sq = ts_sq(st);
    int r = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_C_UPDATE, sql_c_update, &r);
    if (s == NULL)
        return r;
    bind_contact(s, c);
    sqlite3_bind_int64(s, 21, c->id);
    return changed_or_enoent(sq, ts_sq_run(sq, s), "no such contact");
}

static int sq_contact_remove(ts_store_t *st, int64_t site_id, int64_t id)
{
    struct sq_store *sq = ts_sq(st);
    int r = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_C_DELETE, sql_c_delete, &r);
    if (s == NULL)
        return r;
    sqlite3_bind_int64(s, 1, site_id);
    sqlite3_bind_int64(s, 2, id);
    return changed_or_enoent(sq, ts_sq_run(sq, s), "no such contact");
}

/* A statement returning one integer: TS_ENOENT without a row. */
static int one_int(struct sq_store *sq, sqlite3_stmt *s, int64_t *out)
{
    int rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        sqlite3_reset(s);
        return TS_ENOENT;
    }
    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(s, 0);
        rc = SQLITE_DONE;
    }
    return ts_sq_iter_end(sq, s, rc, 0);
}

static int sq_contact_find(ts_store_t *st, int64_t site_id, const char *email, int64_t *id)
{
    struct sq_store *sq = ts_sq(st);
    int r = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_C_FIND, sql_c_find, &r);
    if (s == NULL)
        return r;
    sqlite3_bind_int64(s, 1, site_id);
    ts_sq_bind_cstr(s, 2, email);
    return one_int(sq, s, id);
}

static int sq_contacts_foreach(ts_store_t *st, int64_t site_id, int64_t id, ts_contact_rec_cb cb,
                               void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = site_id > 0 ? ts_sq_stmt(sq, Q_C_FOREACH_SITE, sql_c_foreach_site, &err)
                                  : ts_sq_stmt(sq, Q_C_FOREACH, sql_c_foreach, &err);
    if (s == NULL)
        return err;
    sqlite3_bind_int64(s, 1, site_id);
    sqlite3_bind_int64(s, 2, id);
    int rc, cbr = 0;
    while (cbr == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_contact_rec_t c = {
            .id = sqlite3_column_int64(s, 0),
            .site_id = sqlite3_column_int64(s, 1),
            .site_name = ts_sq_col_cstr(s, 2),
            .email = ts_sq_col_cstr(s, 3),
            .name = ts_sq_col_cstr(s, 4),
            .roles = (unsigned)sqlite3_column_int(s, 5),
            .phone = ts_sq_col_cstr(s, 6),
            .lang = ts_sq_col_cstr(s, 7),
            .tz = ts_sq_col_cstr(s, 8),
            .hours = ts_sq_col_cstr(s, 9),
            .immediate = sqlite3_column_int(s, 10),
            .digest = sqlite3_column_int(s, 11),
            .immediate_types = ts_sq_col_cstr(s, 12),
            .never_types = ts_sq_col_cstr(s, 13),
            .iodef = sqlite3_column_int(s, 14) != 0,
            .pgp_key = ts_sq_col_cstr(s, 15),
            .pgp_fpr = ts_sq_col_cstr(s, 16),
            .pgp_expires = sqlite3_column_int64(s, 17),
            .smime_cert = ts_sq_col_cstr(s, 18),
            .smime_expires = sqlite3_column_int64(s, 19),
            .crypto = sqlite3_column_int(s, 20),
            .created = sqlite3_column_int64(s, 21),
            .updated = sqlite3_column_int64(s, 22),
        };
        cbr = cb(&c, ctx);
    }
    return ts_sq_iter_end(sq, s, cbr ? SQLITE_DONE : rc, cbr);
}

static int sq_mark_get(ts_store_t *st, const char *source, int64_t *mark)
{
    struct sq_store *sq = ts_sq(st);
    int r = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_MARK_GET, sql_mark_get, &r);
    if (s == NULL)
        return r;
    ts_sq_bind_cstr(s, 1, source);
    *mark = 0;
    r = one_int(sq, s, mark);
    return r == TS_ENOENT ? 0 : r;
}

static int sq_mark_set(ts_store_t *st, const char *source, int64_t mark)
{
    struct sq_store *sq = ts_sq(st);
    int r = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_MARK_SET, sql_mark_set, &r);
    if (s == NULL)
        return r;
    ts_sq_bind_cstr(s, 1, source);
    sqlite3_bind_int64(s, 2, mark);
    return ts_sq_run(sq, s);
}

static int sq_pending_add(ts_store_t *st, const ts_npending_rec_t *p)
{
    struct sq_store *sq = ts_sq(st);
    int r = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_P_INSERT, sql_p_insert, &r);
    if (s == NULL)
        return r;
    sqlite3_bind_int64(s, 1, p->contact_id);
    sqlite3_bind_int64(s, 2, p->site_id);
    sqlite3_bind_int64(s, 3, p->due);
    sqlite3_bind_int(s, 4, p->urgent ? 1 : 0);
    ts_sq_bind_cstr(s, 5, p->item);
    sqlite3_bind_int64(s, 6, ts_sq_now_us());
    return changed_or_enoent(sq, ts_sq_run(sq, s), "no such contact in that site");
}

static int sq_pending_foreach(ts_store_t *st, int64_t site_id, int64_t due, ts_npending_cb cb,
                              void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_P_FOREACH, sql_p_foreach, &err);
    if (s == NULL)
        return err;
    sqlite3_bind_int64(s, 1, site_id);
    sqlite3_bind_int64(s, 2, due);
    int rc, cbr = 0;
    while (cbr == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_npending_rec_t p = {
            .id = sqlite3_column_int64(s, 0),
            .contact_id = sqlite3_column_int64(s, 1),
            .site_id = sqlite3_column_int64(s, 2),
            .due = sqlite3_column_int64(s, 3),
            .urgent = sqlite3_column_int(s, 4) != 0,
            .item = ts_sq_col_cstr(s, 5),
            .created = sqlite3_column_int64(s, 6),
        };
        cbr = cb(&p, ctx);
    }
    return ts_sq_iter_end(sq, s, cbr ? SQLITE_DONE : rc, cbr);
}

static int sq_pending_clear(ts_store_t *st, int64_t contact_id, int64_t now)
{
    struct sq_store *sq = ts_sq(st);
    int r = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_P_CLEAR, sql_p_clear, &r);
    if (s == NULL)
        return r;
    sqlite3_bind_int64(s, 1, contact_id);
    sqlite3_bind_int64(s, 2, now);
    return ts_sq_run(sq, s);
}

static int sq_out_add(ts_store_t *st, const ts_out_rec_t *o, int64_t *id)
{
    struct sq_store *sq = ts_sq(st);
    int r = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_O_INSERT, sql_o_insert, &r);
    if (s == NULL)
        return r;
    int64_t now = ts_sq_now_us();
    sqlite3_bind_int64(s, 1, o->site_id);
    sqlite3_bind_int64(s, 2, o->contact_id);
    ts_sq_bind_cstr(s, 3, o->message_id);
    ts_sq_bind_cstr(s, 4, o->rcpt);
    ts_sq_bind_cstr(s, 5, o->domain);
    ts_sq_bind_cstr(s, 6, nz(o->subject));
    ts_sq_bind_cstr(s, 7, nz(o->kind));
    sqlite3_bind_int(s, 8, o->urgent ? 1 : 0);
    sqlite3_bind_blob64(s, 9, o->data, o->len, SQLITE_STATIC);
    sqlite3_bind_int64(s, 10, now);
    sqlite3_bind_int64(s, 11, o->next_attempt ? o->next_attempt : now);
    r = ts_sq_run(sq, s);
    if (r == 0)
        *id = sqlite3_last_insert_rowid(sq->db);
    return r;
}

static int out_rows(struct sq_store *sq, sqlite3_stmt *s, ts_out_cb cb, void *ctx)
{
    int rc, cbr = 0;
    while (cbr == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_out_rec_t o = {
            .id = sqlite3_column_int64(s, 0),
            .site_id = sqlite3_column_int64(s, 1),
            .site_name = ts_sq_col_cstr(s, 2),
            .contact_id = sqlite3_column_int64(s, 3),
            .message_id = ts_sq_col_cstr(s, 4),
            .rcpt = ts_sq_col_cstr(s, 5),
            .domain = ts_sq_col_cstr(s, 6),
            .subject = ts_sq_col_cstr(s, 7),
            .kind = ts_sq_col_cstr(s, 8),
            .urgent = sqlite3_column_int(s, 9) != 0,
            .data = sqlite3_column_blob(s, 10),
            .len = (size_t)sqlite3_column_bytes(s, 10),
            .state = sqlite3_column_int(s, 11),
            .attempts = sqlite3_column_int(s, 12),
            .created = sqlite3_column_int64(s, 13),
            .next_attempt = sqlite3_column_int64(s, 14),
            .sent_at = sqlite3_column_int64(s, 15),
            .dot_at = sqlite3_column_int64(s, 16),
            .last_reply = ts_sq_col_cstr(s, 17),
        };
        cbr = cb(&o, ctx);
    }
    return ts_sq_iter_end(sq, s, cbr ? SQLITE_DONE : rc, cbr);
}

static int sq_out_foreach(ts_store_t *st, int64_t site_id, int state, size_t limit, ts_out_cb cb,
                          void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_O_FOREACH, sql_o_foreach, &err);
    if (s == NULL)
        return err;
    sqlite3_bind_int64(s, 1, site_id);
    sqlite3_bind_int(s, 2, state);
    sqlite3_bind_int64(s, 3, limit ? (int64_t)limit : -1);
    return out_rows(sq, s, cb, ctx);
}

static int sq_out_due(ts_store_t *st, int64_t now, size_t limit, ts_out_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_O_DUE, sql_o_due, &err);
    if (s == NULL)
        return err;
    sqlite3_bind_int64(s, 1, now);
    sqlite3_bind_int64(s, 2, limit ? (int64_t)limit : -1);
    return out_rows(sq, s, cb, ctx);
}

static int sq_out_move(ts_store_t *st, int64_t id, int from, int to, int attempts_inc,
                       int64_t dot_at, int64_t next_attempt, int64_t sent_at, const char *reply)
{
    struct sq_store *sq = ts_sq(st);
    int r = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_O_MOVE, sql_o_move, &r);
    if (s == NULL)
        return r;
    sqlite3_bind_int64(s, 1, id);
    sqlite3_bind_int(s, 2, from);
    sqlite3_bind_int(s, 3, to);
    sqlite3_bind_int(s, 4, attempts_inc);
    sqlite3_bind_int64(s, 5, dot_at);
    sqlite3_bind_int64(s, 6, next_attempt);
    sqlite3_bind_int64(s, 7, sent_at);
    ts_sq_bind_cstr(s, 8, reply);
    r = ts_sq_run(sq, s);
    if (r == 0 && sqlite3_changes(sq->db) == 0) {
        ts_sq_set_msg(sq, "the mail is not in that state");
        return TS_EBUSY;
    }
    return r;
}

static int sq_out_sent_since(ts_store_t *st, const char *domain, int64_t since, uint64_t *n)
{
    struct sq_store *sq = ts_sq(st);
    int r = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_O_SENT_SINCE, sql_o_sent_since, &r);
    if (s == NULL)
        return r;
    ts_sq_bind_cstr(s, 1, domain);
    sqlite3_bind_int64(s, 2, since);
    int64_t v = 0;
    r = one_int(sq, s, &v);
    *n = (uint64_t)v;
    return r;
}

static int sq_out_stats(ts_store_t *st, int64_t site_id, ts_count_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    int err = 0;
    sqlite3_stmt *s = ts_sq_stmt(sq, Q_O_STATS, sql_o_stats, &err);
    if (s == NULL)
        return err;
    sqlite3_bind_int64(s, 1, site_id);
    int rc, cbr = 0;
    while (cbr == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW)
        cbr = cb(ts_out_state_name(sqlite3_column_int(s, 0)), (uint64_t)sqlite3_column_int64(s, 1),
                 ctx);
    return ts_sq_iter_end(sq, s, cbr ? SQLITE_DONE : rc, cbr);
}

const struct ts_store_notify_ops ts_sq_notify_ops = {
    .contact_add = sq_contact_add,
    .contact_update = sq_contact_update,
    .contact_remove = sq_contact_remove,
    .contact_find = sq_contact_find,
    .contacts_foreach = sq_contacts_foreach,
    .mark_get = sq_mark_get,
    .mark_set = sq_mark_set,
    .pending_add = sq_pending_add,
    .pending_foreach = sq_pending_foreach,
    .pending_clear = sq_pending_clear,
    .out_add = sq_out_add,
    .out_foreach = sq_out_foreach,
    .out_due = sq_out_due,
    .out_move = sq_out_move,
    .out_sent_since = sq_out_sent_since,
    .out_stats = sq_out_stats,
};
