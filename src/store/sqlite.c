/* SPDX-License-Identifier: Apache-2.0 */
/* The SQLite backend of the store.
 *
 * Schema notes (readable by other tools with the sqlite3 shell):
 *  - events.type holds the canonical RSIT type NAME ("scanner"), not the id,
 *    so the table means something without tocsin's tables; it is read back
 *    with ts_type_lookup().
 *  - Addresses are 16-byte BLOBs (IPv4 as v4-mapped ::ffff:a.b.c.d) with a
 *    family column (4 or 6), so a genuine IPv6 ::ffff:x address stays IPv6.
 *  - Absent values are NULL; times are microseconds since the epoch (UTC).
 *  - events.extra is a JSON object {"key": value, ...} whose values are the
 *    JSON text given in ts_extra_t.value_json, byte for byte.
 *  - claims.kind and event_links.kind: 1 network, 2 asn, 3 domain;
 *    event_links.role: 1 source, 2 destination (view event_owners spells them).
 *  - event_links.site_id has no foreign key: links outlive a removed site so
 *    that history stays; sites use AUTOINCREMENT so a removed site's id is
 *    never handed to a new site, which would inherit its history.
 *  - event_links.id is event_id * 65536 + (role - 1) * 32768 + n, n the
 *    link's number within its role (since the step after schema 7;
 *    event_id * 2 + role - 1 in schemas 3-7, one link per role): an event's links are one rowid
 * range, found without an index, and event_id and role are columns computed from the id. Deleting
 * an event deletes its links (trigger events_delete_links).
 *  - events.targets holds an event's networks (IntelMQ source.network) and
 *    target lists as one JSON text, event_links.targets the linked site's
 *    share of its side (store_int.h: ts_store_targets_encode(), counts as in
 *    core/targets.h); NULL for the vast majority of events, which name one
 *    address per side, so they pay one NULL column each and no more.
 *    events.tlp is the TLP name ("AMBER+STRICT"), NULL when there is none.
 *  - events.input_id names an inputs row; since schema 3 the store checks
 *    that (once per input and connection), not a foreign key (once per
 *    event). Other foreign keys stay.
 *
 * Every value reaches SQL through bound parameters; no SQL text is built at
 * run time: each statement is a constant, prepared once per store
 * (SQLITE_PREPARE_PERSISTENT) and reused. CHECK constraints use BETWEEN, not
 * IN (...): SQLite builds an ephemeral table for an IN list on every insert,
 * which once cost half of the insert time. */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "core/arena.h"
#include "core/buf.h"
#include "core/jsonw.h"
#include "core/log.h"
#include "core/mem.h"
#include "store/sqlite_int.h"

/* 'tcsn': marks a file as a tocsin store so that another program's database
 * is never migrated into one. */
#define SQ_APPLICATION_ID 0x7463736e
#define SQ_BUSY_TIMEOUT_MS 5000
#define SQ_EXTRA_JSON_MAX (1u << 20) /* whole extra object, bytes */
#define SQ_JSON_DEPTH_MAX 64
#define SQ_TREE_DEPTH_MAX 1000 /* guard against a parent cycle written by hand */

/* ---- Migrations ------------------------------------------------------------ */

/* Each step runs in its own transaction and ends by setting user_version; a
 * step is never edited once released, new changes get a new step. */
static const char *const migrations[] = {
    /* 1: the constituency and the inputs. */
    "PRAGMA application_id = 1952674670;" /* SQ_APPLICATION_ID */
    "CREATE TABLE sites ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  name TEXT NOT NULL UNIQUE,"
    "  parent_id INTEGER REFERENCES sites(id),"
    "  description TEXT NOT NULL DEFAULT '',"
    "  created INTEGER NOT NULL);"
    "CREATE INDEX sites_parent ON sites(parent_id);"
    "CREATE TABLE claims ("
    "  site_id INTEGER NOT NULL REFERENCES sites(id),"
    "  kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 3),"
    "  value TEXT NOT NULL,"
    "  UNIQUE (kind, value));"
    "CREATE INDEX claims_site ON claims(site_id);"
    "CREATE TABLE contacts ("
    "  site_id INTEGER NOT NULL REFERENCES sites(id),"
    "  email TEXT NOT NULL,"
    "  name TEXT NOT NULL DEFAULT '',"
    "  UNIQUE (site_id, email));"
    "CREATE TABLE inputs ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  format TEXT NOT NULL,"
    "  dev INTEGER NOT NULL DEFAULT 0,"
    "  ino INTEGER NOT NULL DEFAULT 0,"
    "  byte_offset INTEGER NOT NULL DEFAULT 0,"
    "  line INTEGER NOT NULL DEFAULT 0,"
    "  updated INTEGER NOT NULL DEFAULT 0,"
    "  UNIQUE (name, format));"
    "PRAGMA user_version = 1;",

    /* 2: events, their owner links, the quarantine. */
    "CREATE TABLE events ("
    "  id INTEGER PRIMARY KEY,"
    "  time_source INTEGER,"
    "  time_observation INTEGER,"
    "  type TEXT NOT NULL,"
    "  identifier TEXT,"
    "  description TEXT,"
    "  src_family INTEGER, src_ip BLOB, src_port INTEGER, src_asn INTEGER,"
    "  src_fqdn TEXT, src_url TEXT,"
    "  dst_family INTEGER, dst_ip BLOB, dst_port INTEGER, dst_asn INTEGER,"
    "  dst_fqdn TEXT, dst_url TEXT,"
    "  transport TEXT,"
    "  application TEXT,"
    "  feed_name TEXT,"
    "  feed_provider TEXT,"
    "  count INTEGER NOT NULL DEFAULT 1,"
    "  extra TEXT,"
    "  input_id INTEGER REFERENCES inputs(id),"
    "  line INTEGER);"
    "CREATE TABLE event_links ("
    "  event_id INTEGER NOT NULL REFERENCES events(id) ON DELETE CASCADE,"
    "  site_id INTEGER NOT NULL,"
    "  role INTEGER NOT NULL CHECK (role BETWEEN 1 AND 2),"
    "  kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 3),"
    "  rule TEXT NOT NULL,"
    "  PRIMARY KEY (event_id, site_id, role)) WITHOUT ROWID;"
    "CREATE INDEX event_links_site ON event_links(site_id, event_id);"
    "CREATE TABLE quarantine ("
    "  id INTEGER PRIMARY KEY,"
    "  time INTEGER NOT NULL,"
    "  input_id INTEGER REFERENCES inputs(id),"
    "  line INTEGER NOT NULL,"
    "  byte_offset INTEGER NOT NULL,"
    "  reason TEXT NOT NULL,"
    "  detail TEXT NOT NULL,"
    "  data BLOB NOT NULL,"
    "  record_len INTEGER NOT NULL);"
    "CREATE VIEW event_owners AS"
    "  SELECT l.event_id, l.site_id, s.name AS site_name,"
    "    CASE l.role WHEN 1 THEN 'source' ELSE 'destination' END AS role,"
    "    CASE l.kind WHEN 1 THEN 'network' WHEN 2 THEN 'asn' ELSE 'domain' END AS kind,"
    "    l.rule"
    "  FROM event_links l LEFT JOIN sites s ON s.id = l.site_id;"
    "PRAGMA user_version = 2;",

    /* 3: cheaper inserts (see the schema notes at the top).
     * event_links becomes a rowid table keyed by event_id * 2 + role - 1 with
     * one index (site_id, and the rowid every index carries): a link costs two
     * b-tree inserts, both cheap, instead of a WITHOUT ROWID primary key, its
     * uniqueness probe, a second index and a foreign key probe of events.
     * event_id and role are derived from the key, so they cannot disagree. A
     * v2 store could hold two links of the same role (the API never wrote
     * them: an event has one owner per endpoint); the one with the lowest
     * site id is kept. A trigger replaces the old ON DELETE CASCADE.
     * events loses the foreign key on input_id, a probe of inputs per event;
     * the store checks input ids itself (known_input()). SQLite cannot drop a
     * constraint, so the table is copied: a one-off cost of the upgrade. The
     * old links go first: with foreign keys on, dropping events would cascade
     * into them. */
    "CREATE TABLE event_links_v3 ("
    "  id INTEGER PRIMARY KEY,"
    "  event_id INTEGER AS (id >> 1),"
    "  site_id INTEGER NOT NULL,"
    "  role INTEGER AS ((id & 1) + 1),"
    "  kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 3),"
    "  rule TEXT NOT NULL);"
    "INSERT OR IGNORE INTO event_links_v3 (id, site_id, kind, rule)"
    "  SELECT event_id * 2 + role - 1, site_id, kind, rule FROM event_links"
    "  ORDER BY event_id, role, site_id;"
    "DROP VIEW event_owners;"
    "DROP TABLE event_links;"
    "CREATE TABLE events_v3 ("
    "  id INTEGER PRIMARY KEY,"
    "  time_source INTEGER,"
    "  time_observation INTEGER,"
    "  type TEXT NOT NULL,"
    "  identifier TEXT,"
    "  description TEXT,"
    "  src_family INTEGER, src_ip BLOB, src_port INTEGER, src_asn INTEGER,"
    "  src_fqdn TEXT, src_url TEXT,"
    "  dst_family INTEGER, dst_ip BLOB, dst_port INTEGER, dst_asn INTEGER,"
    "  dst_fqdn TEXT, dst_url TEXT,"
    "  transport TEXT,"
    "  application TEXT,"
    "  feed_name TEXT,"
    "  feed_provider TEXT,"
    "  count INTEGER NOT NULL DEFAULT 1,"
    "  extra TEXT,"
    "  input_id INTEGER," /* an inputs(id), checked by the store */
    "  line INTEGER);"
    "INSERT INTO events_v3 SELECT id, time_source, time_observation, type, identifier,"
    "  description, src_family, src_ip, src_port, src_asn, src_fqdn, src_url, dst_family,"
    "  dst_ip, dst_port, dst_asn, dst_fqdn, dst_url, transport, application, feed_name,"
    "  feed_provider, count, extra, input_id, line FROM events ORDER BY id;"
    "DROP TABLE events;"
    "ALTER TABLE events_v3 RENAME TO events;"
    "ALTER TABLE event_links_v3 RENAME TO event_links;"
    "CREATE INDEX event_links_site ON event_links(site_id);"
    "CREATE TRIGGER events_delete_links AFTER DELETE ON events BEGIN"
    "  DELETE FROM event_links WHERE id BETWEEN old.id * 2 AND old.id * 2 + 1;"
    "  END;"
    "CREATE VIEW event_owners AS"
    "  SELECT l.event_id, l.site_id, s.name AS site_name,"
    "    CASE l.role WHEN 1 THEN 'source' ELSE 'destination' END AS role,"
    "    CASE l.kind WHEN 1 THEN 'network' WHEN 2 THEN 'asn' ELSE 'domain' END AS kind,"
    "    l.rule"
    "  FROM event_links l LEFT JOIN sites s ON s.id = l.site_id;"
    "PRAGMA user_version = 3;",
    /* v4: the flow collector's per-exporter counters (one row per exporter
     * address, v9 source id / IPFIX observation domain, and export protocol
     * version, as the decoder keys them), replaced on each save. Drop counters have one column per
     * reason of ts_flow_drop_t. */
    "CREATE TABLE exporters ("
    "  family INTEGER NOT NULL,"
    "  address BLOB NOT NULL,"
    "  domain INTEGER NOT NULL,"
    "  version INTEGER NOT NULL,"
    "  packets INTEGER NOT NULL, flows INTEGER NOT NULL,"
    "  templates INTEGER NOT NULL, options INTEGER NOT NULL,"
    "  lost INTEGER NOT NULL, sequence_resets INTEGER NOT NULL,"
    "  drop_short INTEGER NOT NULL, drop_version INTEGER NOT NULL,"
    "  drop_malformed INTEGER NOT NULL, drop_no_template INTEGER NOT NULL,"
    "  drop_template_limit INTEGER NOT NULL, drop_exporter_limit INTEGER NOT NULL,"
    "  sampling INTEGER NOT NULL,"
    "  last_export INTEGER NOT NULL,"
    "  updated INTEGER NOT NULL,"
    "  PRIMARY KEY (address, domain, version));"
    "PRAGMA user_version = 4;",
    ts_sq_migration_certs,
    ts_sq_migration_portal,
    ts_sq_migration_advisory,
    /* An event reaches every site owning part of it: links get room for
     * 32768 sites per role (see the schema notes) and each its site's share
     * of the targets; events get their networks, target lists and TLP. The
     * links are copied to their new ids in id order (event, then role), the
     * view and the trigger follow the new ranges; events gains columns at the
     * end, NULL for the events already stored (no table copy). */
    "CREATE TABLE event_links_v8 ("
    "  id INTEGER PRIMARY KEY,"
    "  event_id INTEGER AS (id >> 16),"
    "  site_id INTEGER NOT NULL,"
    "  role INTEGER AS (((id >> 15) & 1) + 1),"
    "  kind INTEGER NOT NULL CHECK (kind BETWEEN 1 AND 3),"
    "  rule TEXT NOT NULL,"
    "  targets TEXT);"
    "INSERT INTO event_links_v8 (id, site_id, kind, rule)"
    "  SELECT (id >> 1) * 65536 + (id & 1) * 32768, site_id, kind, rule FROM event_links"
    "  ORDER BY id;"
    "DROP VIEW event_owners;"
    "DROP TRIGGER events_delete_links;"
    "DROP TABLE event_links;"
    "ALTER TABLE event_links_v8 RENAME TO event_links;"
    "CREATE INDEX event_links_site ON event_links(site_id);"
    "CREATE TRIGGER events_delete_links AFTER DELETE ON events BEGIN"
    "  DELETE FROM event_links WHERE id BETWEEN old.id * 65536 AND old.id * 65536 + 65535;"
    "  END;"
    "CREATE VIEW event_owners AS"
    "  SELECT l.event_id, l.site_id, s.name AS site_name,"
    "    CASE l.role WHEN 1 THEN 'source' ELSE 'destination' END AS role,"
    "    CASE l.kind WHEN 1 THEN 'network' WHEN 2 THEN 'asn' ELSE 'domain' END AS kind,"
    "    l.rule, l.targets"
    "  FROM event_links l LEFT JOIN sites s ON s.id = l.site_id;"
    "ALTER TABLE events ADD COLUMN tlp TEXT;"
    "ALTER TABLE events ADD COLUMN targets TEXT;"
    "PRAGMA user_version = 8;",
    ts_sq_migration_scan,
    ts_sq_migration_advisory_entries,
    ts_sq_migration_notify,
    ts_sq_migration_incidents,
    ts_sq_migration_feeds,
    ts_sq_migration_teams,
    ts_sq_migration_domains,
    ts_sq_migration_rollup_hidden,
};
_Static_assert(TS_FLOW_DROP_COUNT_ == 6, "one exporters column per drop reason");
#define SQ_LATEST ((int)(sizeof migrations / sizeof migrations[0]))

/* ---- Statements ------------------------------------------------------------ */

#define EV_COLS                                                                                    \
    "e.id, e.time_source, e.time_observation, e.type, e.identifier, e.description,"                \
    " e.src_family, e.src_ip, e.src_port, e.src_asn, e.src_fqdn, e.src_url,"                       \
    " e.dst_family, e.dst_ip, e.dst_port, e.dst_asn, e.dst_fqdn, e.dst_url,"                       \
    " e.transport, e.application, e.feed_name, e.feed_provider, e.count, e.extra,"                 \
    " e.input_id, e.line, e.tlp, e.targets"
/* Column numbers of EV_COLS. */
enum {
    C_ID,
    C_TSRC,
    C_TOBS,
    C_TYPE,
    C_IDENT,
    C_DESC,
    C_SRC, /* family, ip, port, asn, fqdn, url */
    C_DST = C_SRC + 6,
    C_TRANSPORT = C_DST + 6,
    C_APP,
    C_FEED,
    C_PROVIDER,
    C_COUNT,
    C_EXTRA,
    C_INPUT,
    C_LINE,
    C_TLP,
    C_TARGETS,
};

#define SUBTREE_CTE                                                                                \
    "WITH RECURSIVE sub(id) AS (SELECT id FROM sites WHERE id = :site"                             \
    " UNION SELECT s.id FROM sites s JOIN sub ON s.parent_id = sub.id) "
#define EV_TIME                                                                                    \
    " AND (:since IS NULL OR coalesce(e.time_source, e.time_observation) >= :since)"               \
    " AND (:until IS NULL OR coalesce(e.time_source, e.time_observation) < :until)"
#define EV_CURSOR " AND e.id > :after AND e.id < :before"
/* Two plans for a site's events. IN: the event ids of every site of the
 * subtree through the (site_id, event_id) index, then the events by id; cost
 * grows with the subtree's links, whatever the limit. EXISTS: walk events by
 * id and keep those with a link into the subtree (the unary + makes SQLite
 * probe the link primary key, not one index seek per site); cheap for a page of a
 * subtree that owns much of the table (the root), slow for a small one. */
#define EV_IN_SITE                                                                                 \
    " AND e.id IN (SELECT l.id >> 16 FROM event_links l WHERE l.site_id IN sub)" TS_TLP_SITE_SQL(  \
        " IN sub")
#define EV_EXISTS_SITE                                                                             \
    " AND EXISTS (SELECT 1 FROM event_links l WHERE l.id" TS_LINKS_OF(                             \
        "e.id") " AND +l.site_id IN sub)" TS_TLP_SITE_SQL(" IN sub")

/* The links of a list of events (ids as a JSON array), in the events' order:
 * read in step with S_EV_IDS_*, one statement for a page instead of one per
 * event (whose cursor opening and closing was a third of a page's cost); each
 * event's links are a rowid range. */
#define LINK_COLS                                                                                  \
    "l.id, l.role, l.kind, l.rule, l.site_id, coalesce(s.name, ''), l.targets, l.incident_id"
#define LINKS_IDS                                                                                  \
    "SELECT " LINK_COLS " FROM json_each(:ids) j JOIN event_links l ON l.id" TS_LINKS_OF(          \
        "j.value") " LEFT JOIN sites s ON s.id = l.site_id"

enum sq_id {
    S_BEGIN,
    S_BEGIN_READ,
    S_DATA_VERSION,
    S_COMMIT,
    S_ROLLBACK,
    S_SAVEPOINT,
    S_RELEASE,
    S_ROLLBACK_TO,
    S_SITE_ADD,
    S_SITE_UPDATE,
    S_SITE_EXISTS,
    S_INPUT_EXISTS,
    S_SITE_HAS_CHILD,
    S_SITE_IN_SUBTREE,
    S_SITE_DELETE,
    S_SITE_FIND,
    S_CLAIMS_DELETE_SITE,
    S_CONTACTS_DELETE_SITE,
    S_CLAIM_ADD,
    S_CLAIM_REMOVE,
    S_CONTACT_ADD,
    S_SITES_ALL,
    S_CLAIMS_ALL,
    S_CONTACTS_ALL,
    S_INPUT_ENSURE,
    S_INPUT_GET,
    S_CHECKPOINT,
    S_EVENT_ADD,
    S_LINK_ADD,
    S_EVENT_DELETE,
    S_LINKS_OF,
    S_SUBTREE,
    S_EV_ALL_ASC,
    S_EV_ALL_DESC,
    S_EV_SITE_ASC,
    S_EV_SITE_DESC,
    S_EV_WALK_ASC,
    S_EV_WALK_DESC,
    S_EV_IDS_ASC,
    S_EV_IDS_DESC,
    S_LINKS_IDS_ASC,
    S_LINKS_IDS_DESC,
    S_EV_COUNT_ALL,
    S_EV_COUNT_SITE,
    S_SITE_COUNT,
    S_Q_ADD,
    S_Q_LIST,
    S_Q_STATS,
    S_EXPORTER_SAVE,
    S_INPUTS_ALL,
    S_EXPORTERS_ALL,
    S_COUNT_
};

_Static_assert(S_COUNT_ <= TS_SQ_CORE_STMTS, "core statements fit their slots");

static const char *const sql_text[S_COUNT_] = {
    [S_BEGIN] = "BEGIN IMMEDIATE",
    [S_BEGIN_READ] = "BEGIN DEFERRED",
    [S_DATA_VERSION] = "PRAGMA data_version",
    [S_COMMIT] = "COMMIT",
    [S_ROLLBACK] = "ROLLBACK",
    [S_SAVEPOINT] = "SAVEPOINT ts_op",
    [S_RELEASE] = "RELEASE ts_op",
    [S_ROLLBACK_TO] = "ROLLBACK TO ts_op",
    [S_SITE_ADD] =
        "INSERT INTO sites (name, parent_id, description, created) VALUES (?1, ?2, ?3, ?4)",
    [S_SITE_UPDATE] = "UPDATE sites SET parent_id = ?2, description = coalesce(?3, description)"
                      " WHERE id = ?1",
    [S_SITE_EXISTS] = "SELECT 1 FROM sites WHERE id = ?1",
    [S_INPUT_EXISTS] = "SELECT 1 FROM inputs WHERE id = ?1",
    [S_SITE_HAS_CHILD] = "SELECT 1 FROM sites WHERE parent_id = ?1 LIMIT 1",
    [S_SITE_IN_SUBTREE] = "WITH RECURSIVE sub(id) AS (SELECT ?1 UNION SELECT s.id FROM sites s"
                          " JOIN sub ON s.parent_id = sub.id) SELECT 1 FROM sub WHERE id = ?2",
    [S_SITE_DELETE] = "DELETE FROM sites WHERE id = ?1",
    [S_SITE_FIND] = "SELECT id FROM sites WHERE name = ?1",
    [S_CLAIMS_DELETE_SITE] = "DELETE FROM claims WHERE site_id = ?1",
    [S_CONTACTS_DELETE_SITE] = "DELETE FROM contacts WHERE site_id = ?1",
    [S_CLAIM_ADD] = "INSERT INTO claims (site_id, kind, value) VALUES (?1, ?2, ?3)",
    [S_CLAIM_REMOVE] = "DELETE FROM claims WHERE site_id = ?1 AND kind = ?2 AND value = ?3",
    [S_CONTACT_ADD] = "INSERT INTO contacts (site_id, email, name) VALUES (?1, ?2, ?3)",
    [S_SITES_ALL] = "WITH RECURSIVE t(id, depth) AS ("
                    " SELECT id, 0 FROM sites WHERE parent_id IS NULL"
                    " UNION ALL SELECT s.id, t.depth + 1 FROM sites s JOIN t ON s.parent_id = t.id"
                    " WHERE t.depth < 1000)"
                    " SELECT s.id, coalesce(s.parent_id, 0), s.name, s.description"
                    " FROM t JOIN sites s ON s.id = t.id ORDER BY t.depth, s.name",
    [S_CLAIMS_ALL] = "SELECT site_id, kind, value FROM claims ORDER BY site_id, kind, value",
    [S_CONTACTS_ALL] = "SELECT site_id, email, name FROM contacts ORDER BY site_id, email",
    [S_INPUT_ENSURE] = "INSERT INTO inputs (name, format, updated) VALUES (?1, ?2, ?3)"
                       " ON CONFLICT (name, format) DO NOTHING",
    [S_INPUT_GET] = "SELECT id, dev, ino, byte_offset, line FROM inputs"
                    " WHERE name = ?1 AND format = ?2",
    [S_CHECKPOINT] = "UPDATE inputs SET dev = ?2, ino = ?3, byte_offset = ?4, line = ?5,"
                     " updated = ?6 WHERE id = ?1",
    [S_EVENT_ADD] = "INSERT INTO events (time_source, time_observation, type, identifier,"
                    " description, src_family, src_ip, src_port, src_asn, src_fqdn, src_url,"
                    " dst_family, dst_ip, dst_port, dst_asn, dst_fqdn, dst_url, transport,"
                    " application, feed_name, feed_provider, count, extra, input_id, line, tlp,"
                    " targets)"
                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
                    " ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27)",
    [S_LINK_ADD] = "INSERT INTO event_links (id, site_id, kind, rule, targets, incident_id)"
                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [S_EVENT_DELETE] = "DELETE FROM events WHERE id = ?1",
    [S_LINKS_OF] = "SELECT " LINK_COLS " FROM event_links l LEFT JOIN sites s ON s.id = l.site_id"
                   " WHERE l.id" TS_LINKS_OF("?1") " ORDER BY l.id",
    [S_SUBTREE] = SUBTREE_CTE "SELECT id FROM sub ORDER BY id",
    [S_EV_ALL_ASC] =
        "SELECT " EV_COLS " FROM events e WHERE 1" EV_CURSOR EV_TIME " ORDER BY e.id LIMIT :lim",
    [S_EV_ALL_DESC] = "SELECT " EV_COLS " FROM events e WHERE 1" EV_CURSOR EV_TIME
                      " ORDER BY e.id DESC LIMIT :lim",
    [S_EV_SITE_ASC] =
        SUBTREE_CTE "SELECT " EV_COLS " FROM events e WHERE 1" EV_IN_SITE EV_CURSOR EV_TIME
                    " ORDER BY e.id LIMIT :lim",
    [S_EV_SITE_DESC] =
        SUBTREE_CTE "SELECT " EV_COLS " FROM events e WHERE 1" EV_IN_SITE EV_CURSOR EV_TIME
                    " ORDER BY e.id DESC LIMIT :lim",
    [S_EV_WALK_ASC] =
        SUBTREE_CTE "SELECT " EV_COLS " FROM events e WHERE 1" EV_EXISTS_SITE EV_CURSOR EV_TIME
                    " ORDER BY e.id LIMIT :lim",
    [S_EV_WALK_DESC] =
        SUBTREE_CTE "SELECT " EV_COLS " FROM events e WHERE 1" EV_EXISTS_SITE EV_CURSOR EV_TIME
                    " ORDER BY e.id DESC LIMIT :lim",
    [S_EV_IDS_ASC] = "SELECT " EV_COLS " FROM events e WHERE e.id IN"
                     " (SELECT value FROM json_each(:ids)) ORDER BY e.id",
    [S_EV_IDS_DESC] = "SELECT " EV_COLS " FROM events e WHERE e.id IN"
                      " (SELECT value FROM json_each(:ids)) ORDER BY e.id DESC",
    [S_LINKS_IDS_ASC] = LINKS_IDS " ORDER BY l.id",
    [S_LINKS_IDS_DESC] = LINKS_IDS " ORDER BY l.id >> 16 DESC, l.id",
    [S_SITE_COUNT] = "SELECT count(*) FROM sites",
    [S_EV_COUNT_ALL] = "SELECT count(*) FROM events e WHERE 1" EV_TIME,
    [S_EV_COUNT_SITE] = SUBTREE_CTE "SELECT count(*) FROM events e WHERE 1" EV_IN_SITE EV_TIME,
    [S_Q_ADD] = "INSERT INTO quarantine (time, input_id, line, byte_offset, reason, detail, data,"
                " record_len) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [S_Q_LIST] = "SELECT q.id, q.time, coalesce(i.name, ''), coalesce(i.format, ''), q.line,"
                 " q.byte_offset, q.reason, q.detail, q.data, q.record_len"
                 " FROM quarantine q LEFT JOIN inputs i ON i.id = q.input_id"
                 " WHERE ?1 IS NULL OR q.reason = ?1 ORDER BY q.id DESC LIMIT ?2",
    [S_Q_STATS] = "SELECT reason, count(*) AS n FROM quarantine GROUP BY reason"
                  " ORDER BY n DESC, reason",
    [S_INPUTS_ALL] = "SELECT id, dev, ino, byte_offset, line, name, format, updated FROM inputs"
                     " ORDER BY name, format",
    [S_EXPORTER_SAVE] =
        "INSERT OR REPLACE INTO exporters (family, address, domain, version, packets, flows,"
        " templates, options, lost, sequence_resets, drop_short, drop_version, drop_malformed,"
        " drop_no_template, drop_template_limit, drop_exporter_limit, sampling, last_export,"
        " updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,"
        " ?16, ?17, ?18, ?19)",
    [S_EXPORTERS_ALL] =
        "SELECT family, address, domain, version, packets, flows, templates, options, lost,"
        " sequence_resets, drop_short, drop_version, drop_malformed, drop_no_template,"
        " drop_template_limit, drop_exporter_limit, sampling, last_export, updated"
        " FROM exporters ORDER BY family, address, domain, version",
};

/* ---- The store ------------------------------------------------------------- */

static struct sq_store *SQ(ts_store_t *st)
{
    return ts_sq(st);
}

static void set_msg(struct sq_store *sq, const char *msg)
{
    snprintf(sq->errmsg, sizeof sq->errmsg, "%s", msg);
}

/* Maps a SQLite result code to a ts_err and keeps its message. */
static int sq_fail(struct sq_store *sq, int rc)
{
    set_msg(sq, sqlite3_errmsg(sq->db));
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return TS_EBUSY;
    case SQLITE_CONSTRAINT:
        if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
            return TS_EEXIST;
        if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
            return TS_ENOENT;
        if (rc == SQLITE_CONSTRAINT_CHECK || rc == SQLITE_CONSTRAINT_NOTNULL)
            return TS_EINVAL;
        break;
    default:
        break;
    }
    if (!sq->opening)
        ts_log_error("store: sqlite: %s", sq->errmsg);
    return TS_EDB;
}

static sqlite3_stmt *stmt_get(struct sq_store *sq, enum sq_id id, int *err)
{
    if (sq->stmt[id] == NULL) {
        int rc = sqlite3_prepare_v3(sq->db, sql_text[id], -1, SQLITE_PREPARE_PERSISTENT,
                                    &sq->stmt[id], NULL);
        if (rc != SQLITE_OK) {
            *err = sq_fail(sq, rc);
            sq->stmt[id] = NULL;
            return NULL;
        }
    }
    /* A callback re-entering the store with the statement its caller is
     * iterating would reset that iteration under its feet. */
    if (sqlite3_stmt_busy(sq->stmt[id])) {
        set_msg(sq, "statement in use by an enclosing iteration");
        *err = TS_EBUSY;
        return NULL;
    }
    return sq->stmt[id];
}

/* Steps a statement that returns no row (or ignores it) and resets it. */
static int run(struct sq_store *sq, sqlite3_stmt *s)
{
    int rc = sqlite3_step(s);
    int r = (rc == SQLITE_DONE || rc == SQLITE_ROW) ? 0 : sq_fail(sq, rc);
    sqlite3_reset(s);
    return r;
}

static int run_id(struct sq_store *sq, enum sq_id id)
{
    int err = 0;
    sqlite3_stmt *s = stmt_get(sq, id, &err);
    return s ? run(sq, s) : err;
}

/* For cleanup paths: keeps the message of the error being reported. */
/* Forgets which inputs exist (known_input()): a transaction that did not
 * commit may have created one. */
static void forget_inputs(struct sq_store *sq)
{
    memset(sq->known_input, 0, sizeof sq->known_input);
}

static void run_quiet(struct sq_store *sq, enum sq_id id)
{
    if (id == S_ROLLBACK || id == S_ROLLBACK_TO)
        forget_inputs(sq);
    char saved[sizeof sq->errmsg];
    memcpy(saved, sq->errmsg, sizeof saved);
    int r = run_id(sq, id);
    (void)r;
    memcpy(sq->errmsg, saved, sizeof saved);
}

static void bind_str(sqlite3_stmt *s, int i, ts_str_t v)
{
    if (v.ptr == NULL)
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_text(s, i, v.ptr, (int)v.len, SQLITE_STATIC);
}

static void bind_cstr(sqlite3_stmt *s, int i, const char *v)
{
    if (v == NULL)
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
}

static void bind_named_int(sqlite3_stmt *s, const char *name, int64_t v)
{
    int i = sqlite3_bind_parameter_index(s, name);
    if (i > 0)
        sqlite3_bind_int64(s, i, v);
}

static void bind_named_time(sqlite3_stmt *s, const char *name, int64_t t)
{
    int i = sqlite3_bind_parameter_index(s, name);
    if (i <= 0)
        return;
    if (t == TS_TIME_NONE)
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_int64(s, i, t);
}

static ts_str_t col_str(sqlite3_stmt *s, int i)
{
    const unsigned char *p = sqlite3_column_text(s, i);
    if (p == NULL)
        return TS_STR_NULL;
    return ts_str((const char *)p, (size_t)sqlite3_column_bytes(s, i));
}

static const char *col_cstr(sqlite3_stmt *s, int i)
{
    const unsigned char *p = sqlite3_column_text(s, i);
    return p ? (const char *)p : "";
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Runs a several-statement operation atomically: its own transaction when the
 * caller has none open, a savepoint inside the caller's. */
static int op_begin(struct sq_store *sq, bool *own)
{
    *own = !sq->in_txn;
    return run_id(sq, *own ? S_BEGIN : S_SAVEPOINT);
}

static int op_end(struct sq_store *sq, bool own, int r)
{
    if (own) {
        if (r == 0) {
            r = run_id(sq, S_COMMIT);
            if (r == 0)
                return 0;
        }
        forget_inputs(sq);
        if (!sqlite3_get_autocommit(sq->db))
            run_quiet(sq, S_ROLLBACK);
        return r;
    }
    if (r == 0)
        return run_id(sq, S_RELEASE);
    run_quiet(sq, S_ROLLBACK_TO);
    run_quiet(sq, S_RELEASE);
    return r;
}

/* ---- A tiny JSON scanner: validates extra values on the way in, splits the
 * extra object on the way out without re-serialising anything. -------------- */

typedef struct jcur {
    const char *p, *end;
} jcur_t;

static bool j_isws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void j_ws(jcur_t *c)
{
    while (c->p < c->end && j_isws(*c->p))
        c->p++;
}

static bool j_hex4(const char *p)
{
    for (int i = 0; i < 4; i++) {
        char h = p[i];
        if (!((h >= '0' && h <= '9') || (h >= 'a' && h <= 'f') || (h >= 'A' && h <= 'F')))
            return false;
    }
    return true;
}

static bool j_string(jcur_t *c, bool *escaped)
{
    if (c->p >= c->end || *c->p != '"')
        return false;
    c->p++;
    while (c->p < c->end) {
        unsigned char ch = (unsigned char)*c->p++;
        if (ch == '"')
            return true;
        if (ch < 0x20)
            return false;
        if (ch != '\\')
            continue;
        if (escaped)
            *escaped = true;
        if (c->p >= c->end)
            return false;
        ch = (unsigned char)*c->p++;
        if (ch == 'u') {
            if (c->end - c->p < 4 || !j_hex4(c->p))
                return false;
            c->p += 4;
        } else if (ch == 0 || strchr("\"\\/bfnrt", ch) == NULL) {
            return false;
        }
    }
    return false;
}

static bool j_digits(jcur_t *c)
{
    const char *s = c->p;
    while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
        c->p++;
    return c->p > s;
}

static bool j_number(jcur_t *c)
{
    if (c->p < c->end && *c->p == '-')
        c->p++;
    if (c->p < c->end && *c->p == '0')
        c->p++;
    else if (!j_digits(c))
        return false;
    if (c->p < c->end && *c->p == '.') {
        c->p++;
        if (!j_digits(c))
            return false;
    }
    if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
        c->p++;
        if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
            c->p++;
        if (!j_digits(c))
            return false;
    }
    return true;
}

static bool j_lit(jcur_t *c, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n) != 0)
        return false;
    c->p += n;
    return true;
}

static bool j_value(jcur_t *c, int depth)
{
    if (depth > SQ_JSON_DEPTH_MAX || c->p >= c->end)
        return false;
    switch (*c->p) {
    case '"':
        return j_string(c, NULL);
    case 't':
        return j_lit(c, "true");
    case 'f':
        return j_lit(c, "false");
    case 'n':
        return j_lit(c, "null");
    case '[':
    case '{': {
        char close = *c->p == '[' ? ']' : '}';
        bool obj = close == '}';
        c->p++;
        j_ws(c);
        if (c->p < c->end && *c->p == close) {
            c->p++;
            return true;
        }
        for (;;) {
            j_ws(c);
            if (obj) {
                if (!j_string(c, NULL))
                    return false;
                j_ws(c);
                if (c->p >= c->end || *c->p++ != ':')
                    return false;
                j_ws(c);
            }
            if (!j_value(c, depth + 1))
                return false;
            j_ws(c);
            if (c->p >= c->end)
                return false;
            char ch = *c->p++;
            if (ch == close)
                return true;
            if (ch != ',')
                return false;
        }
    }
    default:
        return j_number(c);
    }
}

/* s trimmed of surrounding whitespace if it is exactly one JSON value. */
static bool j_check_value(ts_str_t s, ts_str_t *trimmed)
{
    if (s.ptr == NULL)
        return false;
    jcur_t c = {s.ptr, s.ptr + s.len};
    j_ws(&c);
    const char *start = c.p;
    if (!j_value(&c, 0))
        return false;
    const char *stop = c.p;
    j_ws(&c);
    if (c.p != c.end)
        return false;
    *trimmed = ts_str(start, (size_t)(stop - start));
    return true;
}

static void utf8_put(char **o, uint32_t cp)
{
    unsigned char *u = (unsigned char *)*o;
    if (cp < 0x80) {
        *u++ = (unsigned char)cp;
    } else if (cp < 0x800) {
        *u++ = (unsigned char)(0xc0 | (cp >> 6));
        *u++ = (unsigned char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        *u++ = (unsigned char)(0xe0 | (cp >> 12));
        *u++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        *u++ = (unsigned char)(0x80 | (cp & 0x3f));
    } else {
        *u++ = (unsigned char)(0xf0 | (cp >> 18));
        *u++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
        *u++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
        *u++ = (unsigned char)(0x80 | (cp & 0x3f));
    }
    *o = (char *)u;
}

static uint32_t hex4(const char *p)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        char h = p[i];
        v = v * 16 + (uint32_t)(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
    }
    return v;
}

/* Decodes the inside of a JSON string already checked by j_string(). The
 * output is never longer than the input (a 6-byte escape gives at most 3
 * bytes, a 12-byte surrogate pair 4). */
static ts_str_t j_unescape(ts_arena_t *a, const char *p, size_t n)
{
    char *out = ts_arena_alloc(a, n + 1), *o = out;
    const char *end = p + n;
    while (p < end) {
        if (*p != '\\') {
            *o++ = *p++;
            continue;
        }
        p++;
        char e = *p++;
        switch (e) {
        case 'b':
            *o++ = '\b';
            break;
        case 'f':
            *o++ = '\f';
            break;
        case 'n':
            *o++ = '\n';
            break;
        case 'r':
            *o++ = '\r';
            break;
        case 't':
            *o++ = '\t';
            break;
        case 'u': {
            uint32_t cp = hex4(p);
            p += 4;
            if (cp >= 0xd800 && cp < 0xdc00 && end - p >= 6 && p[0] == '\\' && p[1] == 'u' &&
                j_hex4(p + 2)) {
                uint32_t lo = hex4(p + 2);
                if (lo >= 0xdc00 && lo < 0xe000) {
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                    p += 6;
                }
            }
            if (cp >= 0xd800 && cp < 0xe000)
                cp = 0xfffd; /* lone surrogate */
            utf8_put(&o, cp);
            break;
        }
        default:
            *o++ = e;
            break; /* " \ / */
        }
    }
    *o = '\0';
    return ts_str(out, (size_t)(o - out));
}

/* Splits {"k": v, ...} into e->extra; keys without escapes and every value
 * point into text, which must outlive e. */
static int split_extra(struct sq_store *sq, ts_str_t text, ts_event_t *e)
{
    jcur_t c = {text.ptr, text.ptr + text.len};
    j_ws(&c);
    if (c.p >= c.end || *c.p++ != '{')
        return TS_EINVAL;
    j_ws(&c);
    if (c.p < c.end && *c.p == '}')
        return 0;
    for (;;) {
        if (e->n_extra >= TS_EVENT_EXTRA_MAX)
            return TS_ETOOBIG;
        j_ws(&c);
        const char *ks = c.p;
        bool escaped = false;
        if (!j_string(&c, &escaped))
            return TS_EINVAL;
        size_t klen = (size_t)(c.p - ks) - 2;
        ts_extra_t *x = &e->extra[e->n_extra];
        x->key = escaped ? j_unescape(sq->arena, ks + 1, klen) : ts_str(ks + 1, klen);
        j_ws(&c);
        if (c.p >= c.end || *c.p++ != ':')
            return TS_EINVAL;
        j_ws(&c);
        const char *vs = c.p;
        if (!j_value(&c, 0))
            return TS_EINVAL;
        x->value_json = ts_str(vs, (size_t)(c.p - vs));
        e->n_extra++;
        j_ws(&c);
        if (c.p >= c.end)
            return TS_EINVAL;
        char ch = *c.p++;
        if (ch == '}')
            return 0;
        if (ch != ',')
            return TS_EINVAL;
    }
}

/* ---- Open, migrate, close --------------------------------------------------- */

static int pragma_int(struct sq_store *sq, const char *sql, int64_t *v)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(sq->db, sql, -1, &s, NULL);
    if (rc != SQLITE_OK)
        return sq_fail(sq, rc);
    rc = sqlite3_step(s);
    int r = 0;
    if (rc == SQLITE_ROW)
        *v = sqlite3_column_int64(s, 0);
    else if (rc == SQLITE_DONE)
        r = TS_ENOTSUP; /* pragma unknown to this SQLite build */
    else
        r = sq_fail(sq, rc);
    sqlite3_finalize(s);
    return r;
}

static int exec(struct sq_store *sq, const char *sql)
{
    char *msg = NULL;
    int rc = sqlite3_exec(sq->db, sql, NULL, NULL, &msg);
    if (rc == SQLITE_OK)
        return 0;
    int r = sq_fail(sq, rc);
    if (msg)
        set_msg(sq, msg);
    sqlite3_free(msg);
    return r;
}

static int set_wal(struct sq_store *sq, const char *location)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(sq->db, "PRAGMA journal_mode = WAL", -1, &s, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        int r = sq_fail(sq, rc);
        sqlite3_finalize(s);
        return r;
    }
    const char *mode = col_cstr(s, 0);
    bool wal = strcmp(mode, "wal") == 0;
    if (!wal) {
        snprintf(sq->errmsg, sizeof sq->errmsg, "journal_mode is %s, WAL required", mode);
        ts_log_error("store: %s: %s", location, sq->errmsg);
    }
    sqlite3_finalize(s);
    return wal ? 0 : TS_EDB;
}

static int migrate(struct sq_store *sq, const char *location, int target)
{
    int64_t v = 0, app = 0, n_tables = 0;
    int r = pragma_int(sq, "PRAGMA user_version", &v);
    if (r == 0)
        r = pragma_int(sq, "PRAGMA application_id", &app);
    if (r == 0)
        r = pragma_int(sq, "SELECT count(*) FROM sqlite_schema", &n_tables);
    if (r)
        return r == TS_ENOTSUP ? TS_EDB : r;
    if (v > SQ_LATEST) {
        snprintf(sq->errmsg, sizeof sq->errmsg,
                 "schema version %lld is newer than this program's (%d)", (long long)v, SQ_LATEST);
        ts_log_error("store: %s: %s; upgrade tocsin", location, sq->errmsg);
        return TS_ESCHEMA;
    }
    if ((v == 0 && n_tables > 0) || (v > 0 && app != SQ_APPLICATION_ID)) {
        set_msg(sq, "not a tocsin store (another program's database)");
        return TS_EDB;
    }
    int from = (int)v;
    for (int step = from + 1; step <= target; step++) {
        r = run_id(sq, S_BEGIN);
        if (r)
            return r;
        /* Another process may have migrated while we waited for the lock. */
        r = pragma_int(sq, "PRAGMA user_version", &v);
        if (r == 0 && v < step)
            r = exec(sq, migrations[step - 1]);
        if (r == 0)
            r = run_id(sq, S_COMMIT);
        if (r) {
            if (!sqlite3_get_autocommit(sq->db))
                run_quiet(sq, S_ROLLBACK);
            ts_log_error("store: %s: migration to schema %d failed: %s", location, step,
                         sq->errmsg);
            return r;
        }
        if (v < step)
            ts_log(from == 0 ? TS_LOG_DEBUG : TS_LOG_INFO,
                   "store: %s: schema migrated to version %d", location, step);
    }
    r = pragma_int(sq, "PRAGMA user_version", &v);
    if (r)
        return r;
    sq->version = (int)v;
    return 0;
}

/* SQLite counts every allocation under a global mutex for sqlite3_status(),
 * which tocsin never reads: about 6% of an insert. Only possible before
 * SQLite initialises; if something else in the process already used SQLite,
 * the call fails harmlessly and the counting stays. */
/* Which store this is in the process (taken at open), so that a version
 * never matches one of a store closed before at the same address. */
static _Atomic uint32_t sq_open_serial;

static pthread_once_t sq_config_once = PTHREAD_ONCE_INIT;
static void sq_config(void)
{
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static void sq_close(ts_store_t *st)
{
    struct sq_store *sq = SQ(st);
    for (int i = 0; i < S_COUNT_; i++)
        sqlite3_finalize(sq->stmt[i]);
    for (int i = 0; i < TS_SQX_COUNT; i++)
        sqlite3_finalize(sq->ext[i]);
    if (sqlite3_close(sq->db) != SQLITE_OK)
        ts_log_error("store: close: %s", sqlite3_errmsg(sq->db));
    free(sq->extra);
    ts_buf_free(&sq->esc);
    ts_buf_free(&sq->tbuf[0]);
    ts_buf_free(&sq->tbuf[1]);
    free(sq->links);
    ts_arena_free(sq->arena);
    ts_arena_free(sq->warena);
    free(sq->sub);
    free(sq);
}

static int sq_open(const char *location, int max_version, bool create, ts_store_t **out)
{
    struct sq_store *sq = ts_xcalloc(1, sizeof *sq);
    sq->base.ops = &ts_store_sqlite_ops;
    sq->arena = ts_arena_new(4096);
    sq->warena = ts_arena_new(4096);
    sq->opening = true;
    sq->serial = ++sq_open_serial;
    int target = max_version < 0 ? SQ_LATEST : max_version;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE |
                (create ? SQLITE_OPEN_CREATE : 0);
    int r = 0;
    (void)pthread_once(&sq_config_once, sq_config);
    int rc = sqlite3_open_v2(location, &sq->db, flags, NULL);

    if (rc != SQLITE_OK && !create && access(location, F_OK) != 0 && errno == ENOENT) {
        r = TS_ENOENT;
        goto fail;
    }
    if (rc != SQLITE_OK) {
        set_msg(sq, sq->db ? sqlite3_errmsg(sq->db) : sqlite3_errstr(rc));
        ts_log_error("store: cannot open %s: %s", location, sq->errmsg);
        r = TS_EDB;
        goto fail;
    }
    sqlite3_extended_result_codes(sq->db, 1);
    sqlite3_busy_timeout(sq->db, SQ_BUSY_TIMEOUT_MS);
    int64_t fk = 0;
    r = set_wal(sq, location);
    if (r == 0)
        r = exec(sq, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
                     "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -16384");
    if (r == 0)
        r = pragma_int(sq, "PRAGMA foreign_keys", &fk);
    if (r == 0 && fk != 1) {
        set_msg(sq, "this SQLite does not enforce foreign keys");
        r = TS_EDB;
    }
    if (r == 0)
        r = migrate(sq, location, target);
    if (r) {
        if (r != TS_ESCHEMA)
            ts_log_error("store: cannot open %s: %s", location, sq->errmsg);
        /* TS_EBUSY, TS_EDB, TS_ESCHEMA are what the interface promises. */
        if (r != TS_ESCHEMA && r != TS_EBUSY)
            r = TS_EDB;
        goto fail;
    }
    sq->opening = false;
    *out = &sq->base;
    return 0;
fail:
    sq_close(&sq->base);
    return r;
}

static int sq_schema_version(ts_store_t *st)
{
    return SQ(st)->version;
}

static const char *sq_errmsg(ts_store_t *st)
{
    return SQ(st)->errmsg;
}

/* ---- Transactions ------------------------------------------------------------ */

static int sq_begin(ts_store_t *st)
{
    struct sq_store *sq = SQ(st);
    if (sq->in_txn) {
        set_msg(sq, "a transaction is already open");
        return TS_EBUSY;
    }
    int r = run_id(sq, S_BEGIN);
    if (r == 0)
        sq->in_txn = true;
    return r;
}

static int sq_commit(ts_store_t *st)
{
    struct sq_store *sq = SQ(st);
    if (!sq->in_txn) {
        set_msg(sq, "commit without a transaction");
        return TS_EINVAL;
    }
    int r = run_id(sq, S_COMMIT);
    if (r)
        forget_inputs(sq);
    if (r && !sqlite3_get_autocommit(sq->db))
        run_quiet(sq, S_ROLLBACK);
    sq->in_txn = false;
    return r;
}

static void sq_rollback(ts_store_t *st)
{
    struct sq_store *sq = SQ(st);
    if (!sqlite3_get_autocommit(sq->db))
        run_quiet(sq, S_ROLLBACK);
    sq->in_txn = false;
}

static void sq_set_busy_timeout(ts_store_t *st, int ms)
{
    sqlite3_busy_timeout(SQ(st)->db, ms > 0 ? ms : 0);
}

static int sq_data_version(ts_store_t *st, uint64_t *version)
{
    struct sq_store *sq = SQ(st);
    int64_t v = 0;
    int err = 0;
    sqlite3_stmt *s = stmt_get(sq, S_DATA_VERSION, &err);
    if (s == NULL)
        return err;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    int r = rc == SQLITE_ROW ? 0 : sq_fail(sq, rc);
    sqlite3_reset(s);
    if (r == 0)
        *version = ((uint64_t)sq->serial << 40) | ((uint64_t)v & ((UINT64_C(1) << 40) - 1));
    return r;
}

/* A deferred transaction takes the WAL read lock at its first statement and
 * keeps it to the end: one snapshot and one lock round trip for what would
 * otherwise be a lock and an unlock (several fcntl calls) per statement. */
static int sq_read_begin(ts_store_t *st)
{
    struct sq_store *sq = SQ(st);
    if (sq->in_txn) {
        set_msg(sq, "a transaction is already open");
        return TS_EBUSY;
    }
    int r = run_id(sq, S_BEGIN_READ);
    if (r == 0)
        sq->in_txn = true;
    return r;
}

/* ---- Constituency -------------------------------------------------------------- */

#define STMT(var, sq, id)                                                                          \
    int err_ = 0;                                                                                  \
    sqlite3_stmt *var = stmt_get(sq, id, &err_);                                                   \
    if (var == NULL)                                                                               \
    return err_

/* 1 if the statement (bound with ?1 = id) returns a row, 0 if not, or an error. */
static int exists_q(struct sq_store *sq, enum sq_id id, int64_t a, int64_t b)
{
    STMT(s, sq, id);
    sqlite3_bind_int64(s, 1, a);
    if (sqlite3_bind_parameter_count(s) >= 2)
        sqlite3_bind_int64(s, 2, b);
    int rc = sqlite3_step(s);
    int r = rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : sq_fail(sq, rc);
    sqlite3_reset(s);
    return r;
}

static int not_found(struct sq_store *sq, const char *what)
{
    snprintf(sq->errmsg, sizeof sq->errmsg, "no such %s", what);
    return TS_ENOENT;
}

static int sq_site_add(ts_store_t *st, const char *name, int64_t parent_id, const char *description,
                       int64_t *id)
{
    struct sq_store *sq = SQ(st);
    if (name == NULL || name[0] == '\0' || parent_id < 0) {
        set_msg(sq, "invalid site name or parent");
        return TS_EINVAL;
    }
    STMT(s, sq, S_SITE_ADD);
    bind_cstr(s, 1, name);
    if (parent_id == 0)
        sqlite3_bind_null(s, 2);
    else
        sqlite3_bind_int64(s, 2, parent_id);
    bind_cstr(s, 3, description ? description : "");
    sqlite3_bind_int64(s, 4, now_us());
    int r = run(sq, s);
    if (r == 0 && id)
        *id = sqlite3_last_insert_rowid(sq->db);
    return r;
}

static int sq_site_update(ts_store_t *st, int64_t id, int64_t parent_id, const char *description)
{
    struct sq_store *sq = SQ(st);
    if (id <= 0 || parent_id < 0) {
        set_msg(sq, "invalid site or parent id");
        return TS_EINVAL;
    }
    if (parent_id == id) {
        set_msg(sq, "a site cannot be its own parent");
        return TS_ECYCLE;
    }
    bool own;
    int r = op_begin(sq, &own);
    if (r)
        return r;
    r = exists_q(sq, S_SITE_EXISTS, id, 0);
    if (r == 0)
        r = not_found(sq, "site");
    if (r == 1 && parent_id != 0) {
        r = exists_q(sq, S_SITE_IN_SUBTREE, id, parent_id);
        if (r == 1) {
            set_msg(sq, "the new parent is a descendant of the site");
            r = TS_ECYCLE;
        } else if (r == 0) {
            r = 1;
        }
    }
    if (r == 1) {
        int err_ = 0;
        sqlite3_stmt *s = stmt_get(sq, S_SITE_UPDATE, &err_);
        if (s == NULL) {
            r = err_;
        } else {
            sqlite3_bind_int64(s, 1, id);
            if (parent_id == 0)
                sqlite3_bind_null(s, 2);
            else
                sqlite3_bind_int64(s, 2, parent_id);
            bind_cstr(s, 3, description);
            r = run(sq, s);
        }
    }
    return op_end(sq, own, r);
}

static int sq_site_remove(ts_store_t *st, int64_t id)
{
    struct sq_store *sq = SQ(st);
    bool own;
    int r = op_begin(sq, &own);
    if (r)
        return r;
    r = exists_q(sq, S_SITE_EXISTS, id, 0);
    if (r == 0)
        r = not_found(sq, "site");
    if (r == 1) {
        r = exists_q(sq, S_SITE_HAS_CHILD, id, 0);
        if (r == 1) {
            set_msg(sq, "the site has sub-sites");
            r = TS_EBUSY;
        }
    }
    static const enum sq_id dels[] = {S_CLAIMS_DELETE_SITE, S_CONTACTS_DELETE_SITE, S_SITE_DELETE};
    for (size_t i = 0; r == 0 && i < sizeof dels / sizeof dels[0]; i++) {
        int err_ = 0;
        sqlite3_stmt *s = stmt_get(sq, dels[i], &err_);
        if (s == NULL) {
            r = err_;
            break;
        }
        sqlite3_bind_int64(s, 1, id);
        r = run(sq, s);
    }
    return op_end(sq, own, r);
}

static int sq_site_find(ts_store_t *st, const char *name, int64_t *id)
{
    struct sq_store *sq = SQ(st);
    if (name == NULL || id == NULL)
        return TS_EINVAL;
    STMT(s, sq, S_SITE_FIND);
    bind_cstr(s, 1, name);
    int rc = sqlite3_step(s);
    int r = 0;
    if (rc == SQLITE_ROW)
        *id = sqlite3_column_int64(s, 0);
    else if (rc == SQLITE_DONE)
        r = not_found(sq, "site");
    else
        r = sq_fail(sq, rc);
    sqlite3_reset(s);
    return r;
}

static bool kind_ok(int kind)
{
    return kind == TS_RULE_NETWORK || kind == TS_RULE_ASN || kind == TS_RULE_DOMAIN;
}

static int sq_claim_add(ts_store_t *st, int64_t site_id, ts_rule_kind_t kind, const char *value)
{
    struct sq_store *sq = SQ(st);
    if (!kind_ok((int)kind) || value == NULL || value[0] == '\0') {
        set_msg(sq, "invalid claim");
        return TS_EINVAL;
    }
    STMT(s, sq, S_CLAIM_ADD);
    sqlite3_bind_int64(s, 1, site_id);
    sqlite3_bind_int(s, 2, (int)kind);
    bind_cstr(s, 3, value);
    return run(sq, s);
}

static int sq_claim_remove(ts_store_t *st, int64_t site_id, ts_rule_kind_t kind, const char *value)
{
    struct sq_store *sq = SQ(st);
    if (value == NULL)
        return TS_EINVAL;
    STMT(s, sq, S_CLAIM_REMOVE);
    sqlite3_bind_int64(s, 1, site_id);
    sqlite3_bind_int(s, 2, (int)kind);
    bind_cstr(s, 3, value);
    int r = run(sq, s);
    if (r == 0 && sqlite3_changes(sq->db) == 0)
        r = not_found(sq, "claim");
    return r;
}

static int sq_site_clear(ts_store_t *st, int64_t site_id)
{
    struct sq_store *sq = SQ(st);
    bool own;
    int r = op_begin(sq, &own);
    if (r)
        return r;
    r = exists_q(sq, S_SITE_EXISTS, site_id, 0);
    r = r == 1 ? 0 : r == 0 ? not_found(sq, "site") : r;
    static const enum sq_id dels[] = {S_CLAIMS_DELETE_SITE};
    for (size_t i = 0; r == 0 && i < sizeof dels / sizeof dels[0]; i++) {
        int err_ = 0;
        sqlite3_stmt *s = stmt_get(sq, dels[i], &err_);
        if (s == NULL) {
            r = err_;
            break;
        }
        sqlite3_bind_int64(s, 1, site_id);
        r = run(sq, s);
    }
    return op_end(sq, own, r);
}

static int sq_contact_add(ts_store_t *st, int64_t site_id, const char *email, const char *name)
{
    struct sq_store *sq = SQ(st);
    if (email == NULL || email[0] == '\0') {
        set_msg(sq, "empty contact address");
        return TS_EINVAL;
    }
    STMT(s, sq, S_CONTACT_ADD);
    sqlite3_bind_int64(s, 1, site_id);
    bind_cstr(s, 2, email);
    bind_cstr(s, 3, name ? name : "");
    return run(sq, s);
}

/* Ends an iteration: the callback's non-zero value wins, else the step error. */
static int iter_end(struct sq_store *sq, sqlite3_stmt *s, int rc, int cbr)
{
    int r = cbr ? cbr : (rc == SQLITE_DONE ? 0 : sq_fail(sq, rc));
    sqlite3_reset(s);
    return r;
}

static int sq_sites_foreach(ts_store_t *st, ts_site_cb cb, void *ctx)
{
    struct sq_store *sq = SQ(st);
    if (cb == NULL)
        return TS_EINVAL;
    STMT(s, sq, S_SITES_ALL);
    int rc, cbr = 0;
    while (cbr == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_site_info_t si = {
            .id = sqlite3_column_int64(s, 0),
            .parent_id = sqlite3_column_int64(s, 1),
            .name = col_cstr(s, 2),
            .description = col_cstr(s, 3),
        };
        cbr = cb(&si, ctx);
    }
    return iter_end(sq, s, cbr ? SQLITE_DONE : rc, cbr);
}

static int sq_claims_foreach(ts_store_t *st, ts_claim_cb cb, void *ctx)
{
    struct sq_store *sq = SQ(st);
    if (cb == NULL)
        return TS_EINVAL;
    STMT(s, sq, S_CLAIMS_ALL);
    int rc, cbr = 0;
    while (cbr == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_claim_info_t ci = {
            .site_id = sqlite3_column_int64(s, 0),
            .kind = (ts_rule_kind_t)sqlite3_column_int(s, 1),
            .value = col_cstr(s, 2),
        };
        cbr = cb(&ci, ctx);
    }
    return iter_end(sq, s, cbr ? SQLITE_DONE : rc, cbr);
}

static int sq_contacts_foreach(ts_store_t *st, ts_contact_cb cb, void *ctx)
{
    struct sq_store *sq = SQ(st);
    if (cb == NULL)
        return TS_EINVAL;
    STMT(s, sq, S_CONTACTS_ALL);
    int rc, cbr = 0;
    while (cbr == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_contact_info_t ci = {
            .site_id = sqlite3_column_int64(s, 0),
            .email = col_cstr(s, 1),
            .name = col_cstr(s, 2),
        };
        cbr = cb(&ci, ctx);
    }
    return iter_end(sq, s, cbr ? SQLITE_DONE : rc, cbr);
}

/* ---- Inputs ------------------------------------------------------------------- */

static int sq_input_get(ts_store_t *st, const char *name, const char *format,
                        ts_input_state_t *state)
{
    struct sq_store *sq = SQ(st);
    if (name == NULL || name[0] == '\0' || format == NULL || format[0] == '\0' || state == NULL) {
        set_msg(sq, "input name and format required");
        return TS_EINVAL;
    }
    {
        STMT(s, sq, S_INPUT_ENSURE);
        bind_cstr(s, 1, name);
        bind_cstr(s, 2, format);
        sqlite3_bind_int64(s, 3, now_us());
        int r = run(sq, s);
        if (r)
            return r;
    }
    STMT(s, sq, S_INPUT_GET);
    bind_cstr(s, 1, name);
    bind_cstr(s, 2, format);
    int rc = sqlite3_step(s);
    int r = 0;
    if (rc == SQLITE_ROW) {
        state->id = sqlite3_column_int64(s, 0);
        state->dev = (uint64_t)sqlite3_column_int64(s, 1);
        state->ino = (uint64_t)sqlite3_column_int64(s, 2);
        state->offset = (uint64_t)sqlite3_column_int64(s, 3);
        state->line = (uint64_t)sqlite3_column_int64(s, 4);
    } else {
        r = rc == SQLITE_DONE ? not_found(sq, "input") : sq_fail(sq, rc);
    }
    sqlite3_reset(s);
    return r;
}

static int sq_input_checkpoint(ts_store_t *st, const ts_input_state_t *state)
{
    struct sq_store *sq = SQ(st);
    if (state == NULL)
        return TS_EINVAL;
    STMT(s, sq, S_CHECKPOINT);
    /* Unsigned values travel as their 64-bit pattern; read back the same way. */
    sqlite3_bind_int64(s, 1, state->id);
    sqlite3_bind_int64(s, 2, (int64_t)state->dev);
    sqlite3_bind_int64(s, 3, (int64_t)state->ino);
    sqlite3_bind_int64(s, 4, (int64_t)state->offset);
    sqlite3_bind_int64(s, 5, (int64_t)state->line);
    sqlite3_bind_int64(s, 6, now_us());
    int r = run(sq, s);
    if (r == 0 && sqlite3_changes(sq->db) == 0)
        r = not_found(sq, "input");
    return r;
}

/* ---- Events --------------------------------------------------------------------- */

/* 1 if inputs has the row id, 0 if not, or an error. Asked once per input
 * (a direct-mapped cache), where the foreign key of schema 2 probed inputs for
 * every event. */
static int known_input(struct sq_store *sq, int64_t id)
{
    int64_t *slot = &sq->known_input[(uint64_t)id % SQ_KNOWN_INPUTS];
    if (*slot == id)
        return 1;
    int r = exists_q(sq, S_INPUT_EXISTS, id, 0);
    if (r == 1)
        *slot = id;
    return r;
}

static bool str_ok(ts_str_t s)
{
    return s.ptr == NULL || s.len <= TS_EVENT_STR_MAX;
}

/* Binds one endpoint at parameters first..first+5; ip holds the address
 * blob until the statement has run (bound without a copy). */
static int bind_endpoint(sqlite3_stmt *s, int first, const ts_endpoint_t *ep, uint8_t ip[16])
{
    if (ep->ip.family == TS_AF_INET) {
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        memcpy(ip, mapped, 12);
        memcpy(ip + 12, ep->ip.bytes, 4);
    } else if (ep->ip.family == TS_AF_INET6) {
        memcpy(ip, ep->ip.bytes, 16);
    } else if (ep->ip.family != TS_AF_NONE) {
        return TS_EINVAL;
    }
    if (ep->ip.family == TS_AF_NONE) {
        sqlite3_bind_null(s, first);
        sqlite3_bind_null(s, first + 1);
    } else {
        sqlite3_bind_int(s, first, ep->ip.family);
        sqlite3_bind_blob(s, first + 1, ip, 16, SQLITE_STATIC);
    }
    if (ep->port < -1 || ep->port > 65535 || ep->asn < -1 || ep->asn > 4294967295LL)
        return TS_ERANGE;
    if (ep->port < 0)
        sqlite3_bind_null(s, first + 2);
    else
        sqlite3_bind_int(s, first + 2, ep->port);
    if (ep->asn < 0)
        sqlite3_bind_null(s, first + 3);
    else
        sqlite3_bind_int64(s, first + 3, ep->asn);
    if (!str_ok(ep->fqdn) || !str_ok(ep->url))
        return TS_ETOOBIG;
    bind_str(s, first + 4, ep->fqdn);
    bind_str(s, first + 5, ep->url);
    return 0;
}

static void bind_time(sqlite3_stmt *s, int i, int64_t t)
{
    if (t == TS_TIME_NONE)
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_int64(s, i, t);
}

static bool json_plain(ts_str_t k)
{
    for (size_t i = 0; i < k.len; i++) {
        unsigned char c = (unsigned char)k.ptr[i];
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
            return false;
    }
    return true;
}

/* Builds the extra object in sq->extra (extra_len 0 when none): one copy per
 * piece into a buffer kept across events, instead of growing a ts_buf byte by
 * byte. Keys that need escaping go through ts_json_escape(), so the text is
 * the same as ts_jsonw would write. */
static int build_extra(struct sq_store *sq, const ts_event_t *e)
{
    sq->extra_len = 0;
    if (e->n_extra == 0)
        return 0;
    if (e->n_extra > TS_EVENT_EXTRA_MAX)
        return TS_ETOOBIG;
    size_t len = 1; /* '{' */
    for (uint32_t i = 0; i < e->n_extra; i++) {
        const ts_extra_t *x = &e->extra[i];
        ts_str_t v;
        if (x->key.ptr == NULL || !j_check_value(x->value_json, &v)) {
            set_msg(sq, "extra value is not one JSON value");
            return TS_EINVAL;
        }
        ts_str_t k = x->key;
        if (!json_plain(k)) {
            ts_buf_reset(&sq->esc);
            ts_json_escape(&sq->esc, k);
            k = ts_str(sq->esc.data ? sq->esc.data : "", sq->esc.len);
        }
        /* [,]"key":value, and room for the closing brace. */
        size_t end = len + (i > 0) + k.len + 3 + v.len;
        if (k.len > SQ_EXTRA_JSON_MAX || v.len > SQ_EXTRA_JSON_MAX || end > SQ_EXTRA_JSON_MAX)
            return TS_ETOOBIG;
        if (end + 1 > sq->extra_cap) {
            size_t cap = sq->extra_cap ? sq->extra_cap : 256;
            while (cap < end + 1)
                cap *= 2;
            sq->extra = ts_xrealloc(sq->extra, cap);
            sq->extra_cap = cap;
        }
        char *o = sq->extra + len;
        if (i > 0)
            *o++ = ',';
        *o++ = '"';
        memcpy(o, k.ptr, k.len);
        o += k.len;
        *o++ = '"';
        *o++ = ':';
        memcpy(o, v.ptr, v.len);
        len = end;
    }
    sq->extra[0] = '{';
    sq->extra[len++] = '}';
    sq->extra_len = len;
    return 0;
}

/* Binds text or NULL at parameter i of a statement whose parameter keeps
 * its binding from one run to the next: NULL is bound only when the last
 * run bound something else (*bound), since binding costs about as much as a
 * column and nearly every event leaves these columns NULL. */
static void bind_sticky(sqlite3_stmt *s, int i, const char *text, size_t len, bool *bound)
{
    if (text) {
        sqlite3_bind_text(s, i, text, (int)len, SQLITE_STATIC);
        *bound = true;
    } else if (*bound) {
        sqlite3_bind_null(s, i);
        *bound = false;
    }
}

static int bind_event(struct sq_store *sq, sqlite3_stmt *s, const ts_event_t *e, int64_t input_id,
                      uint64_t line)
{
    const char *type = ts_type_name(e->type);
    if (type == NULL) {
        set_msg(sq, "unknown event type");
        return TS_EINVAL;
    }
    if (!str_ok(e->identifier) || !str_ok(e->description) || !str_ok(e->transport) ||
        !str_ok(e->application) || !str_ok(e->feed_name) || !str_ok(e->feed_provider)) {
        set_msg(sq, "event string longer than TS_EVENT_STR_MAX");
        return TS_ETOOBIG;
    }
    if (e->count > (uint64_t)INT64_MAX || line > (uint64_t)INT64_MAX || input_id < 0) {
        set_msg(sq, "event count, line or input out of range");
        return TS_ERANGE;
    }
    int r = build_extra(sq, e);
    if (r)
        return r;
    bind_time(s, 1, e->time_source);
    bind_time(s, 2, e->time_observation);
    sqlite3_bind_text(s, 3, type, -1, SQLITE_STATIC);
    bind_str(s, 4, e->identifier);
    bind_str(s, 5, e->description);
    r = bind_endpoint(s, 6, &e->src, sq->ipbuf[0]);
    if (r == 0)
        r = bind_endpoint(s, 12, &e->dst, sq->ipbuf[1]);
    if (r) {
        set_msg(sq, "invalid event endpoint");
        return r;
    }
    bind_str(s, 18, e->transport);
    bind_str(s, 19, e->application);
    bind_str(s, 20, e->feed_name);
    bind_str(s, 21, e->feed_provider);
    sqlite3_bind_int64(s, 22, (int64_t)e->count);
    if (sq->extra_len)
        sqlite3_bind_text(s, 23, sq->extra, (int)sq->extra_len, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, 23);
    if (input_id == 0)
        sqlite3_bind_null(s, 24);
    else
        sqlite3_bind_int64(s, 24, input_id);
    sqlite3_bind_int64(s, 25, (int64_t)line);
    const char *tlp = ts_tlp_name(e->tlp);
    bind_sticky(s, 26, tlp, tlp ? strlen(tlp) : 0, &sq->sticky[0]);
    bool many = false;
    if (e->src.targets || e->dst.targets || e->src.network.addr.family ||
        e->dst.network.addr.family) {
        ts_buf_reset(&sq->tbuf[0]);
        many = ts_store_targets_encode(e, &sq->tbuf[0]);
    }
    bind_sticky(s, 27, many ? sq->tbuf[0].data : NULL, sq->tbuf[0].len, &sq->sticky[1]);
    return 0;
}

/* A link's key is eid * 65536 + (role - 1) * 32768 + its number within the
 * role (see the schema notes), so the links of an event sit next to each other, right
 * after those of the event before. */
static int add_links(struct sq_store *sq, int64_t eid, const ts_link_t *links, int n_links)
{
    if (n_links > 0 && eid > TS_LINK_EVENT_MAX) {
        set_msg(sq, "event id too large for its links");
        return TS_ERANGE;
    }
    int64_t next[2] = {0, 0}; /* per role */
    for (int i = 0; i < n_links; i++) {
        const ts_link_t *l = &links[i];
        int role = l->role == TS_ROLE_SOURCE ? 0 : 1;
        STMT(s, sq, S_LINK_ADD);
        sqlite3_bind_int64(s, 1, ts_link_id(eid, l->role, next[role]++));
        sqlite3_bind_int64(s, 2, l->match.site_id);
        sqlite3_bind_int(s, 3, (int)l->match.kind);
        bind_cstr(s, 4, l->match.rule);
        bool share = false;
        if (l->own.n) {
            ts_buf_reset(&sq->tbuf[1]);
            share = ts_store_share_encode(&l->own, &sq->tbuf[1]);
        }
        bind_sticky(s, 5, share ? sq->tbuf[1].data : NULL, sq->tbuf[1].len, &sq->sticky[2]);
        if (l->incident_id > 0)
            sqlite3_bind_int64(s, 6, l->incident_id);
        else
            sqlite3_bind_null(s, 6);
        int r = run(sq, s);
        if (r)
            return r;
    }
    return 0;
}

static int sq_event_add(ts_store_t *st, const ts_event_t *e_in, const ts_link_t *links_in,
                        int n_links, int64_t input_id, uint64_t line, int64_t *id)
{
    struct sq_store *sq = SQ(st);
    const ts_event_t *e;
    const ts_link_t *links;
    const char *why = NULL;
    int r = ts_store_event_check(e_in, links_in, n_links, sq->warena, &sq->warena_used, &e, &links,
                                 &why);
    if (r) {
        set_msg(sq, why);
        return r;
    }
    if (input_id > 0) {
        int k = known_input(sq, input_id);
        if (k <= 0)
            return k == 0 ? not_found(sq, "input") : k;
    }
    STMT(s, sq, S_EVENT_ADD);
    r = bind_event(sq, s, e, input_id, line);
    if (r)
        return r;
    /* Inside the caller's transaction a failed link is undone by deleting the
     * event (trigger events_delete_links takes its links): cheaper on the hot path than a savepoint
     * per event. Outside one, the event and its links get their own. */
    bool own = false;
    if (!sq->in_txn && n_links > 0) {
        r = run_id(sq, S_BEGIN);
        if (r)
            return r;
        own = true;
    }
    r = run(sq, s);
    if (r) {
        if (own)
            run_quiet(sq, S_ROLLBACK);
        return r;
    }
    int64_t eid = sqlite3_last_insert_rowid(sq->db);
    r = add_links(sq, eid, links, n_links);
    if (own) {
        r = op_end(sq, true, r);
        if (r == 0 && id)
            *id = eid;
        return r;
    }
    if (r) {
        int derr = 0;
        sqlite3_stmt *d = stmt_get(sq, S_EVENT_DELETE, &derr);
        if (d) {
            char saved[sizeof sq->errmsg];
            memcpy(saved, sq->errmsg, sizeof saved);
            sqlite3_bind_int64(d, 1, eid);
            (void)run(sq, d);
            memcpy(sq->errmsg, saved, sizeof saved);
        }
        return r;
    }
    if (id)
        *id = eid;
    return 0;
}

static void read_endpoint(sqlite3_stmt *s, int first, ts_endpoint_t *ep)
{
    memset(&ep->ip, 0, sizeof ep->ip);
    int fam = sqlite3_column_int(s, first);
    const uint8_t *ip = sqlite3_column_blob(s, first + 1);
    int n = sqlite3_column_bytes(s, first + 1);
    if (ip && n == 16 && fam == TS_AF_INET) {
        ep->ip.family = TS_AF_INET;
        memcpy(ep->ip.bytes, ip + 12, 4);
    } else if (ip && n == 16 && fam == TS_AF_INET6) {
        ep->ip.family = TS_AF_INET6;
        memcpy(ep->ip.bytes, ip, 16);
    }
    ep->port = sqlite3_column_type(s, first + 2) == SQLITE_NULL
                   ? -1
                   : (int32_t)sqlite3_column_int(s, first + 2);
    ep->asn =
        sqlite3_column_type(s, first + 3) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, first + 3);
    ep->fqdn = col_str(s, first + 4);
    ep->url = col_str(s, first + 5);
}

static int64_t col_time(sqlite3_stmt *s, int i)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? TS_TIME_NONE : sqlite3_column_int64(s, i);
}

static int corrupt(struct sq_store *sq, int64_t id, const char *what)
{
    snprintf(sq->errmsg, sizeof sq->errmsg, "event %lld: malformed %s", (long long)id, what);
    ts_log_error("store: %s", sq->errmsg);
    return TS_EDB;
}

static int read_event(struct sq_store *sq, sqlite3_stmt *s, ts_stored_event_t *out)
{
    ts_event_t *e = &out->ev;
    out->id = sqlite3_column_int64(s, C_ID);
    out->input_id = sqlite3_column_int64(s, C_INPUT);
    out->line = (uint64_t)sqlite3_column_int64(s, C_LINE);
    out->n_links = 0;
    e->time_source = col_time(s, C_TSRC);
    e->time_observation = col_time(s, C_TOBS);
    ts_str_t type = col_str(s, C_TYPE);
    if (type.ptr == NULL || ts_type_lookup(type.ptr, type.len, &e->type) != 0)
        e->type = TS_TYPE_UNDETERMINED;
    e->identifier = col_str(s, C_IDENT);
    e->description = col_str(s, C_DESC);
    read_endpoint(s, C_SRC, &e->src);
    read_endpoint(s, C_DST, &e->dst);
    e->transport = col_str(s, C_TRANSPORT);
    e->application = col_str(s, C_APP);
    e->feed_name = col_str(s, C_FEED);
    e->feed_provider = col_str(s, C_PROVIDER);
    e->count = (uint64_t)sqlite3_column_int64(s, C_COUNT);
    e->n_extra = 0;
    ts_str_t extra = col_str(s, C_EXTRA);
    if (extra.ptr && split_extra(sq, extra, e) != 0)
        return corrupt(sq, out->id, "extra JSON");
    const char *what = NULL;
    if (ts_store_event_model_decode(col_str(s, C_TLP), col_str(s, C_TARGETS), sq->arena, e,
                                    &what) != 0)
        return corrupt(sq, out->id, what);
    return 0;
}

static int count_q(struct sq_store *sq, enum sq_id id, int64_t *n)
{
    STMT(s, sq, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *n = sqlite3_column_int64(s, 0);
    return iter_end(sq, s, rc == SQLITE_ROW ? SQLITE_DONE : rc, 0);
}

static bool in_sub(const struct sq_store *sq, int64_t id)
{
    size_t lo = 0, hi = sq->n_sub;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sq->sub[mid] == id)
            return true;
        if (sq->sub[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* Collects the site ids of the subtree rooted at site (sorted). */
static int load_subtree(struct sq_store *sq, int64_t site)
{
    sq->n_sub = 0;
    STMT(s, sq, S_SUBTREE);
    bind_named_int(s, ":site", site);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (sq->n_sub == sq->cap_sub) {
            sq->cap_sub = sq->cap_sub ? sq->cap_sub * 2 : 16;
            sq->sub = ts_xrealloc(sq->sub, sq->cap_sub * sizeof *sq->sub);
        }
        sq->sub[sq->n_sub++] = sqlite3_column_int64(s, 0);
    }
    int r = iter_end(sq, s, rc, 0);
    if (r == 0 && sq->n_sub == 0)
        r = not_found(sq, "site");
    return r;
}

/* One link row (LINK_COLS) of the event being read, unless filter says its
 * site is outside the subtree; its strings and share live in sq->arena. */
static int link_row(struct sq_store *sq, sqlite3_stmt *lk, bool filter, ts_stored_event_t *out)
{
    int64_t site = sqlite3_column_int64(lk, 4);
    if (filter && !in_sub(sq, site))
        return 0;
    if ((size_t)out->n_links == sq->cap_links) {
        sq->cap_links = sq->cap_links ? sq->cap_links * 2 : 8;
        sq->links = ts_xrealloc(sq->links, sq->cap_links * sizeof *sq->links);
    }
    out->links = sq->links;
    ts_link_t *l = &sq->links[out->n_links++];
    memset(l, 0, sizeof *l);
    l->role = (ts_role_t)sqlite3_column_int(lk, 1);
    l->match.kind = (ts_rule_kind_t)sqlite3_column_int(lk, 2);
    /* Copied: the next step would free this row's text. */
    l->match.rule = ts_arena_strdup(sq->arena, col_str(lk, 3)).ptr;
    l->match.site_id = site;
    l->match.site_name = ts_arena_strdup(sq->arena, col_str(lk, 5)).ptr;
    ts_str_t share = col_str(lk, 6);
    if (share.ptr && ts_store_share_decode(share, sq->arena, &l->own) != 0)
        return corrupt(sq, out->id, "link targets");
    l->incident_id = sqlite3_column_int64(lk, 7);
    return 0;
}

static int read_links(struct sq_store *sq, sqlite3_stmt *lk, bool filter, ts_stored_event_t *out)
{
    sqlite3_bind_int64(lk, 1, out->id);
    int rc, r = 0;
    while (r == 0 && (rc = sqlite3_step(lk)) == SQLITE_ROW)
        r = link_row(sq, lk, filter, out);
    return r ? r : rc == SQLITE_DONE ? 0 : sq_fail(sq, rc);
}

/* The links of event out->id from the S_LINKS_IDS_* statement stepped in the
 * same order as the events: *pending says a row is already fetched. */
static int read_links_step(struct sq_store *sq, sqlite3_stmt *lk, bool desc, bool filter,
                           bool *pending, bool *done, ts_stored_event_t *out)
{
    for (;;) {
        if (!*pending) {
            if (*done)
                return 0;
            int rc = sqlite3_step(lk);
            if (rc == SQLITE_DONE) {
                *done = true;
                return 0;
            }
            if (rc != SQLITE_ROW)
                return sq_fail(sq, rc);
            *pending = true;
        }
        int64_t eid = sqlite3_column_int64(lk, 0) >> TS_LINK_SHIFT;
        if (eid == out->id) {
            int r = link_row(sq, lk, filter, out);
            if (r)
                return r;
            *pending = false;
        } else if (desc ? eid > out->id : eid < out->id) {
            *pending = false; /* a link of an id that has no event row */
        } else {
            return 0; /* the next event's */
        }
    }
}

static void bind_filter(sqlite3_stmt *s, const ts_event_filter_t *f)
{
    bind_named_int(s, ":site", f->site_id);
    bind_named_int(s, ":after", f->after_id > 0 ? f->after_id : 0);
    bind_named_int(s, ":before", f->before_id > 0 ? f->before_id : INT64_MAX);
    bind_named_time(s, ":since", f->since);
    bind_named_time(s, ":until", f->until);
    bind_named_int(s, ":lim", f->limit > 0 && f->limit <= INT64_MAX ? (int64_t)f->limit : -1);
}

static int sq_events_foreach(ts_store_t *st, const ts_event_filter_t *f, ts_event_cb cb, void *ctx)
{
    struct sq_store *sq = SQ(st);
    if (f == NULL || cb == NULL || f->site_id < 0)
        return TS_EINVAL;
    if (f->ids != NULL && f->n_ids > TS_EVENT_IDS_MAX)
        return TS_EINVAL;
    bool by_site = f->site_id != 0;
    if (by_site) {
        int r = load_subtree(sq, f->site_id);
        if (r)
            return r;
    }
    enum sq_id q = by_site ? (f->newest_first ? S_EV_SITE_DESC : S_EV_SITE_ASC)
                           : (f->newest_first ? S_EV_ALL_DESC : S_EV_ALL_ASC);
    if (f->ids != NULL)
        q = f->newest_first ? S_EV_IDS_DESC : S_EV_IDS_ASC;
    if (by_site && f->limit > 0 && f->ids == NULL) {
        /* A page of a subtree holding a quarter of the sites or more: walk. */
        int64_t n_sites = 0;
        int r = count_q(sq, S_SITE_COUNT, &n_sites);
        if (r)
            return r;
        if ((int64_t)sq->n_sub * 4 >= n_sites)
            q = f->newest_first ? S_EV_WALK_DESC : S_EV_WALK_ASC;
    }
    int err = 0;
    sqlite3_stmt *s = stmt_get(sq, q, &err);
    if (s == NULL)
        return err;
    /* The links: one statement per event, or for a list of ids one statement
     * for all, read in step with the events. */
    sqlite3_stmt *lk;
    if (f->ids != NULL) {
        lk = stmt_get(sq, f->newest_first ? S_LINKS_IDS_DESC : S_LINKS_IDS_ASC, &err);
        if (lk == NULL)
            return err;
        /* The ids as a JSON array, the one list SQLite binds as a single value. */
        ts_buf_reset(&sq->esc);
        ts_buf_putc(&sq->esc, '[');
        for (size_t i = 0; i < f->n_ids; i++)
            ts_buf_printf(&sq->esc, i ? ",%" PRId64 : "%" PRId64, f->ids[i]);
        ts_buf_putc(&sq->esc, ']');
        sqlite3_bind_text(s, sqlite3_bind_parameter_index(s, ":ids"), sq->esc.data,
                          (int)sq->esc.len, SQLITE_TRANSIENT);
        sqlite3_bind_text(lk, sqlite3_bind_parameter_index(lk, ":ids"), sq->esc.data,
                          (int)sq->esc.len, SQLITE_TRANSIENT);
    } else {
        lk = stmt_get(sq, S_LINKS_OF, &err);
        if (lk == NULL)
            return err;
        bind_filter(s, f);
    }
    bool pending = false, done = false;
    ts_stored_event_t *se = ts_xmalloc(sizeof *se);
    int rc, r = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_arena_reset(sq->arena);
        se->links = NULL;
        r = read_event(sq, s, se);
        if (r == 0 && f->ids != NULL)
            r = read_links_step(sq, lk, f->newest_first, by_site, &pending, &done, se);
        else if (r == 0)
            r = read_links(sq, lk, by_site, se);
        if (r == 0 && by_site)
            ts_store_scope_targets(se, sq->arena);
        /* Among a list of ids, one the subtree has no link to is not its,
         * nor one its TLP keeps from it. */
        if (r == 0 && (!by_site || (se->n_links > 0 && ts_store_tlp_visible(se))))
            r = cb(se, ctx);
        if (f->ids == NULL)
            sqlite3_reset(lk);
        if (r)
            break;
    }
    free(se);
    sqlite3_reset(lk);
    return iter_end(sq, s, r ? SQLITE_DONE : rc, r);
}

static int sq_events_count(ts_store_t *st, const ts_event_filter_t *f, uint64_t *n)
{
    struct sq_store *sq = SQ(st);
    if (f == NULL || n == NULL || f->site_id < 0)
        return TS_EINVAL;
    if (f->site_id != 0) {
        /* Unknown site: TS_ENOENT, as for the iteration. */
        int r = exists_q(sq, S_SITE_EXISTS, f->site_id, 0);
        if (r <= 0)
            return r == 0 ? not_found(sq, "site") : r;
    }
    STMT(s, sq, f->site_id ? S_EV_COUNT_SITE : S_EV_COUNT_ALL);
    bind_filter(s, f);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *n = (uint64_t)sqlite3_column_int64(s, 0);
    return iter_end(sq, s, rc == SQLITE_ROW ? SQLITE_DONE : rc, 0);
}

/* ---- Quarantine ------------------------------------------------------------------ */

static int sq_quarantine_add(ts_store_t *st, int64_t input_id, uint64_t line, uint64_t offset,
                             int reason, const char *detail, const void *data, size_t len,
                             uint64_t record_len)
{
    struct sq_store *sq = SQ(st);
    if ((data == NULL && len > 0) || input_id < 0 || line > (uint64_t)INT64_MAX ||
        offset > (uint64_t)INT64_MAX || len > (size_t)INT64_MAX) {
        set_msg(sq, "invalid quarantine record");
        return TS_EINVAL;
    }
    STMT(s, sq, S_Q_ADD);
    sqlite3_bind_int64(s, 1, now_us());
    if (input_id == 0)
        sqlite3_bind_null(s, 2);
    else
        sqlite3_bind_int64(s, 2, input_id);
    sqlite3_bind_int64(s, 3, (int64_t)line);
    sqlite3_bind_int64(s, 4, (int64_t)offset);
    sqlite3_bind_text(s, 5, ts_errname(reason), -1, SQLITE_STATIC);
    bind_cstr(s, 6, detail ? detail : "");
    size_t keep = len < TS_QUARANTINE_DATA_MAX ? len : TS_QUARANTINE_DATA_MAX;
    sqlite3_bind_blob(s, 7, keep ? data : "", (int)keep, SQLITE_STATIC);
    if (record_len < len)
        record_len = len;
    if (record_len > (uint64_t)INT64_MAX)
        record_len = (uint64_t)INT64_MAX;
    sqlite3_bind_int64(s, 8, (int64_t)record_len);
    return run(sq, s);
}

static int sq_quarantine_foreach(ts_store_t *st, const char *reason, size_t limit,
                                 ts_quarantine_cb cb, void *ctx)
{
    struct sq_store *sq = SQ(st);
    if (cb == NULL)
        return TS_EINVAL;
    STMT(s, sq, S_Q_LIST);
    bind_cstr(s, 1, reason);
    sqlite3_bind_int64(s, 2, limit > 0 && limit <= INT64_MAX ? (int64_t)limit : -1);
    int rc, cbr = 0;
    while (cbr == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_quarantine_rec_t q = {
            .id = sqlite3_column_int64(s, 0),
            .time = sqlite3_column_int64(s, 1),
            .input = col_cstr(s, 2),
            .format = col_cstr(s, 3),
            .line = (uint64_t)sqlite3_column_int64(s, 4),
            .offset = (uint64_t)sqlite3_column_int64(s, 5),
            .reason = col_cstr(s, 6),
            .detail = col_cstr(s, 7),
            .data = sqlite3_column_blob(s, 8),
            .data_len = (size_t)sqlite3_column_bytes(s, 8),
            .record_len = (uint64_t)sqlite3_column_int64(s, 9),
        };
        if (q.data == NULL)
            q.data = "";
        cbr = cb(&q, ctx);
    }
    return iter_end(sq, s, cbr ? SQLITE_DONE : rc, cbr);
}

static int sq_quarantine_stats(ts_store_t *st, ts_count_cb cb, void *ctx)
{
    struct sq_store *sq = SQ(st);
    if (cb == NULL)
        return TS_EINVAL;
    STMT(s, sq, S_Q_STATS);
    int rc, cbr = 0;
    while (cbr == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW)
        cbr = cb(col_cstr(s, 0), (uint64_t)sqlite3_column_int64(s, 1), ctx);
    return iter_end(sq, s, cbr ? SQLITE_DONE : rc, cbr);
}

static int sq_inputs_foreach(ts_store_t *st, ts_input_cb cb, void *ctx)
{
    struct sq_store *sq = SQ(st);
    if (cb == NULL)
        return TS_EINVAL;
    STMT(s, sq, S_INPUTS_ALL);
    int rc, cbr = 0;
    while (cbr == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_input_info_t in = {
            .state =
                {
                    .id = sqlite3_column_int64(s, 0),
                    .dev = (uint64_t)sqlite3_column_int64(s, 1),
                    .ino = (uint64_t)sqlite3_column_int64(s, 2),
                    .offset = (uint64_t)sqlite3_column_int64(s, 3),
                    .line = (uint64_t)sqlite3_column_int64(s, 4),
                },
            .name = col_cstr(s, 5),
            .format = col_cstr(s, 6),
            .updated = sqlite3_column_int64(s, 7),
        };
        cbr = cb(&in, ctx);
    }
    return iter_end(sq, s, cbr ? SQLITE_DONE : rc, cbr);
}

/* Counters are unsigned 64-bit; SQLite integers are signed: clamp. */
static int64_t clamp_u64(uint64_t v)
{
    return v > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)v;
}

static int sq_exporter_save(ts_store_t *st, const ts_exporter_stats_t *e)
{
    struct sq_store *sq = SQ(st);
    if (e == NULL || (e->exporter.family != TS_AF_INET && e->exporter.family != TS_AF_INET6)) {
        set_msg(sq, "invalid exporter");
        return TS_EINVAL;
    }
    STMT(s, sq, S_EXPORTER_SAVE);
    sqlite3_bind_int(s, 1, e->exporter.family);
    sqlite3_bind_blob(s, 2, e->exporter.bytes, 16, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, e->domain);
    sqlite3_bind_int(s, 4, e->version);
    sqlite3_bind_int64(s, 5, clamp_u64(e->packets));
    sqlite3_bind_int64(s, 6, clamp_u64(e->flows));
    sqlite3_bind_int64(s, 7, clamp_u64(e->templates));
    sqlite3_bind_int64(s, 8, clamp_u64(e->options));
    sqlite3_bind_int64(s, 9, clamp_u64(e->lost));
    sqlite3_bind_int64(s, 10, clamp_u64(e->sequence_resets));
    for (int i = 0; i < TS_FLOW_DROP_COUNT_; i++)
        sqlite3_bind_int64(s, 11 + i, clamp_u64(e->drops[i]));
    sqlite3_bind_int64(s, 17, e->sampling);
    sqlite3_bind_int64(s, 18, e->last_export_ms);
    sqlite3_bind_int64(s, 19, now_us());
    return run(sq, s);
}

static int sq_exporters_foreach(ts_store_t *st, ts_exporter_row_cb cb, void *ctx)
{
    struct sq_store *sq = SQ(st);
    if (cb == NULL)
        return TS_EINVAL;
    STMT(s, sq, S_EXPORTERS_ALL);
    int rc, cbr = 0;
    while (cbr == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_exporter_stats_t e;
        memset(&e, 0, sizeof e);
        e.exporter.family = (uint8_t)sqlite3_column_int(s, 0);
        const void *addr = sqlite3_column_blob(s, 1);
        if (addr && sqlite3_column_bytes(s, 1) == 16)
            memcpy(e.exporter.bytes, addr, 16);
        e.domain = (uint32_t)sqlite3_column_int64(s, 2);
        e.version = (uint8_t)sqlite3_column_int(s, 3);
        e.packets = (uint64_t)sqlite3_column_int64(s, 4);
        e.flows = (uint64_t)sqlite3_column_int64(s, 5);
        e.templates = (uint64_t)sqlite3_column_int64(s, 6);
        e.options = (uint64_t)sqlite3_column_int64(s, 7);
        e.lost = (uint64_t)sqlite3_column_int64(s, 8);
        e.sequence_resets = (uint64_t)sqlite3_column_int64(s, 9);
        for (int i = 0; i < TS_FLOW_DROP_COUNT_; i++)
            e.drops[i] = (uint64_t)sqlite3_column_int64(s, 10 + i);
        e.sampling = (uint32_t)sqlite3_column_int64(s, 16);
        e.last_export_ms = sqlite3_column_int64(s, 17);
        cbr = cb(&e, sqlite3_column_int64(s, 18), ctx);
    }
    return iter_end(sq, s, cbr ? SQLITE_DONE : rc, cbr);
}

/* ---- Helpers shared with the feature files (sqlite_int.h) ------------------ */

int ts_sq_fail(struct sq_store *sq, int rc)
{
    return sq_fail(sq, rc);
}

void ts_sq_set_msg(struct sq_store *sq, const char *msg)
{
    set_msg(sq, msg);
}

sqlite3_stmt *ts_sq_stmt(struct sq_store *sq, int slot, const char *sql, int *err)
{
    if (slot < 0 || slot >= TS_SQX_COUNT) {
        set_msg(sq, "statement slot out of range");
        *err = TS_EINVAL;
        return NULL;
    }
    if (sq->ext[slot] == NULL) {
        int rc =
            sqlite3_prepare_v3(sq->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &sq->ext[slot], NULL);
        if (rc != SQLITE_OK) {
            *err = sq_fail(sq, rc);
            sq->ext[slot] = NULL;
            return NULL;
        }
    }
    if (sqlite3_stmt_busy(sq->ext[slot])) {
        set_msg(sq, "statement in use by an enclosing iteration");
        *err = TS_EBUSY;
        return NULL;
    }
    return sq->ext[slot];
}

int ts_sq_run(struct sq_store *sq, sqlite3_stmt *s)
{
    return run(sq, s);
}

int ts_sq_op_begin(struct sq_store *sq, bool *own)
{
    return op_begin(sq, own);
}

int ts_sq_op_end(struct sq_store *sq, bool own, int r)
{
    return op_end(sq, own, r);
}

int ts_sq_iter_end(struct sq_store *sq, sqlite3_stmt *s, int rc, int cbr)
{
    return iter_end(sq, s, rc, cbr);
}

const char *ts_sq_col_cstr(sqlite3_stmt *s, int i)
{
    return col_cstr(s, i);
}

void ts_sq_bind_cstr(sqlite3_stmt *s, int i, const char *v)
{
    bind_cstr(s, i, v);
}

int64_t ts_sq_now_us(void)
{
    return now_us();
}

const struct ts_store_ops ts_store_sqlite_ops = {
    .name = "sqlite",
    .latest_version = SQ_LATEST,
    .open = sq_open,
    .close = sq_close,
    .schema_version = sq_schema_version,
    .errmsg = sq_errmsg,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .read_begin = sq_read_begin,
    .data_version = sq_data_version,
    .set_busy_timeout = sq_set_busy_timeout,
    .site_add = sq_site_add,
    .site_update = sq_site_update,
    .site_remove = sq_site_remove,
    .site_find = sq_site_find,
    .claim_add = sq_claim_add,
    .claim_remove = sq_claim_remove,
    .site_clear = sq_site_clear,
    .contact_add = sq_contact_add,
    .sites_foreach = sq_sites_foreach,
    .claims_foreach = sq_claims_foreach,
    .contacts_foreach = sq_contacts_foreach,
    .input_get = sq_input_get,
    .input_checkpoint = sq_input_checkpoint,
    .event_add = sq_event_add,
    .events_foreach = sq_events_foreach,
    .events_count = sq_events_count,
    .quarantine_add = sq_quarantine_add,
    .quarantine_foreach = sq_quarantine_foreach,
    .quarantine_stats = sq_quarantine_stats,
    .inputs_foreach = sq_inputs_foreach,
    .exporter_save = sq_exporter_save,
    .exporters_foreach = sq_exporters_foreach,
    .cert = &ts_sq_cert_ops,
    .portal = &ts_sq_portal_ops,
    .advisory = &ts_sq_advisory_ops,
    .scan = &ts_sq_scan_ops,
    .feed = &ts_sq_feed_ops,
    .domain = &ts_sq_domain_ops,
    .notify = &ts_sq_notify_ops,
    .incident = &ts_sq_incident_ops,
    .team = &ts_sq_team_ops,
};
