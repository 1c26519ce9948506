/* SPDX-License-Identifier: Apache-2.0 */
/* SQLite: incidents, suppression rules, critical marks, the audit, the
 * roll-ups of the portal's statistics and retention (store/incstore.h).
 *
 * Schema notes:
 *  - incidents.lo/hi are the object's address range in the 16-byte form of
 *    events.src_ip (IPv4 as ::ffff:a.b.c.d), NULL for an ASN or a domain;
 *    net_len its prefix length in its family; wide says it is more than
 *    one host, for the index that finds the networks holding an address;
 *  - queued = open state and not suppressed: the queue's index;
 *  - hosts/peers are incident/distinct.h blobs, points the contributions in
 *    tenths as "a,b,c,...", in the factors' order;
 *  - event_links.incident_id names each link's incident (no index: an
 *    incident's events are found through the site index, between its first
 *    and last event ids);
 *  - incident_meta is one row: the generations that tell writers to reload
 *    what they cache (bumped by triggers, whoever changes the tables), the
 *    change sequence (incstore.h) and the loaded configuration's text;
 *  - rollup_types counts events per (site, UTC day, type) for the site and
 *    each ancestor (and site 0 for all); rollup_hosts per (site, day, own
 *    address) for the link's site; both filled for the events already
 *    stored when this step runs. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonw.h"
#include "store/incstore_int.h"
#include "store/sqlite_int.h"

#define E_TIME "coalesce(e.time_source, e.time_observation)"
#define E_DAY "((" E_TIME " - (" E_TIME " < 0) * 86399999999) / 86400000000)"
#define SITE_TRIGGER(table, op, what)                                                              \
    "CREATE TRIGGER " table "_" op "_gen AFTER " what " ON " table " BEGIN"                        \
    " UPDATE incident_meta SET "

const char ts_sq_migration_incidents[] =
    "CREATE TABLE incidents ("
    "  id INTEGER PRIMARY KEY,"
    "  site_id INTEGER NOT NULL,"
    "  type TEXT NOT NULL,"
    "  identifier TEXT NOT NULL,"
    "  object TEXT NOT NULL,"
    "  role INTEGER NOT NULL CHECK (role BETWEEN 1 AND 2),"
    "  suppressed INTEGER NOT NULL CHECK (suppressed BETWEEN 0 AND 1),"
    "  family INTEGER, lo BLOB, hi BLOB, net_len INTEGER,"
    "  wide INTEGER NOT NULL DEFAULT 0,"
    "  state INTEGER NOT NULL DEFAULT 1 CHECK (state BETWEEN 1 AND 6),"
    "  queued INTEGER NOT NULL DEFAULT 1,"
    "  previous_id INTEGER NOT NULL DEFAULT 0,"
    "  first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL,"
    "  created INTEGER NOT NULL, updated INTEGER NOT NULL, changed INTEGER NOT NULL,"
    "  events INTEGER NOT NULL, count INTEGER NOT NULL,"
    "  n_hosts INTEGER NOT NULL, n_peers INTEGER NOT NULL,"
    "  hosts BLOB NOT NULL, peers BLOB NOT NULL,"
    "  tlp INTEGER NOT NULL DEFAULT 0,"
    "  feed TEXT NOT NULL DEFAULT '', cve TEXT NOT NULL DEFAULT '',"
    "  advisory TEXT NOT NULL DEFAULT '', critical TEXT NOT NULL DEFAULT '',"
    "  note TEXT NOT NULL DEFAULT '',"
    "  first_event INTEGER NOT NULL, last_event INTEGER NOT NULL,"
    "  score INTEGER NOT NULL, points TEXT NOT NULL);"
    "CREATE INDEX incidents_key ON incidents(site_id, type, identifier, object, role, suppressed);"
    "CREATE INDEX incidents_queue ON incidents(site_id, queued, score, id);"
    "CREATE INDEX incidents_rank ON incidents(queued, score, id);"
    "CREATE INDEX incidents_changed ON incidents(changed);"
    "CREATE INDEX incidents_addr ON incidents(lo);"
    "CREATE INDEX incidents_wide ON incidents(lo) WHERE wide = 1;"
    "CREATE TABLE suppressions ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  site_id INTEGER NOT NULL,"
    "  type TEXT NOT NULL,"
    "  identifier TEXT NOT NULL,"
    "  network TEXT NOT NULL,"
    "  peer TEXT,"
    "  expires INTEGER NOT NULL DEFAULT 0,"
    "  created INTEGER NOT NULL,"
    "  who TEXT NOT NULL,"
    "  note TEXT NOT NULL DEFAULT '');"
    "CREATE INDEX suppressions_site ON suppressions(site_id);"
    "CREATE TABLE critical_marks ("
    "  id INTEGER PRIMARY KEY AUTOINCREMENT,"
    "  site_id INTEGER NOT NULL,"
    "  network TEXT NOT NULL,"
    "  created INTEGER NOT NULL,"
    "  who TEXT NOT NULL,"
    "  note TEXT NOT NULL DEFAULT '',"
    "  UNIQUE (site_id, network));"
    "CREATE TABLE incident_audit ("
    "  id INTEGER PRIMARY KEY,"
    "  time INTEGER NOT NULL,"
    "  who TEXT NOT NULL,"
    "  site_id INTEGER NOT NULL,"
    "  object TEXT NOT NULL,"
    "  object_id INTEGER NOT NULL,"
    "  action TEXT NOT NULL,"
    "  detail TEXT NOT NULL);"
    "CREATE INDEX incident_audit_object ON incident_audit(object, object_id);"
    "CREATE TABLE incident_meta ("
    "  id INTEGER PRIMARY KEY CHECK (id = 1),"
    "  sites_gen INTEGER NOT NULL, suppress_gen INTEGER NOT NULL,"
    "  critical_gen INTEGER NOT NULL, config_gen INTEGER NOT NULL,"
    "  seq INTEGER NOT NULL, config TEXT NOT NULL);"
    "INSERT INTO incident_meta VALUES (1, 0, 0, 0, 0, 0, '');"
    SITE_TRIGGER("sites", "ins", "INSERT") "sites_gen = sites_gen + 1; END;"
    SITE_TRIGGER("sites", "upd", "UPDATE OF parent_id") "sites_gen = sites_gen + 1; END;"
    SITE_TRIGGER("sites", "del", "DELETE") "sites_gen = sites_gen + 1; END;"
    SITE_TRIGGER("suppressions", "ins", "INSERT") "suppress_gen = suppress_gen + 1; END;"
    SITE_TRIGGER("suppressions", "upd", "UPDATE") "suppress_gen = suppress_gen + 1; END;"
    SITE_TRIGGER("suppressions", "del", "DELETE") "suppress_gen = suppress_gen + 1; END;"
    SITE_TRIGGER("critical_marks", "ins", "INSERT") "critical_gen = critical_gen + 1; END;"
    SITE_TRIGGER("critical_marks", "upd", "UPDATE") "critical_gen = critical_gen + 1; END;"
    SITE_TRIGGER("critical_marks", "del", "DELETE") "critical_gen = critical_gen + 1; END;"
    "ALTER TABLE event_links ADD COLUMN incident_id INTEGER;"
    "CREATE TABLE rollup_types ("
    "  site_id INTEGER NOT NULL, day INTEGER NOT NULL, type TEXT NOT NULL,"
    "  n INTEGER NOT NULL, PRIMARY KEY (site_id, day, type));"
    "CREATE TABLE rollup_hosts ("
    "  site_id INTEGER NOT NULL, day INTEGER NOT NULL, family INTEGER NOT NULL,"
    "  ip BLOB NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (site_id, day, ip));"
    /* The events already stored: every event for site 0; once per site
     * seeing it, its link sites and their ancestors (UNION drops repeats);
     * every link's own address. */
    "INSERT INTO rollup_types SELECT 0, " E_DAY ", e.type, count(*) FROM events e"
    "  WHERE " E_TIME " IS NOT NULL GROUP BY 2, 3;"
    "INSERT INTO rollup_types"
    "  WITH RECURSIVE seen(event_id, site_id, depth) AS ("
    "    SELECT l.id >> 16, l.site_id, 0 FROM event_links l"
    "    UNION SELECT seen.event_id, s.parent_id, seen.depth + 1 FROM seen"
    "    JOIN sites s ON s.id = seen.site_id WHERE s.parent_id IS NOT NULL AND seen.depth < 64)"
    "  SELECT v.site_id, " E_DAY ", e.type, count(*) FROM"
    "    (SELECT DISTINCT event_id, site_id FROM seen) v JOIN events e ON e.id = v.event_id"
    "  WHERE " E_TIME " IS NOT NULL GROUP BY 1, 2, 3;"
    "INSERT INTO rollup_hosts"
    "  WITH RECURSIVE up(link, site_id, depth) AS ("
    "    SELECT l.id, l.site_id, 0 FROM event_links l UNION ALL SELECT 0 - up.link, 0, 65"
    "    FROM up WHERE up.depth = 0"
    "    UNION ALL SELECT up.link, s.parent_id, up.depth + 1 FROM up"
    "    JOIN sites s ON s.id = up.site_id WHERE up.depth < 64 AND s.parent_id IS NOT NULL)"
    "  SELECT up.site_id, " E_DAY ","
    "  CASE l.role WHEN 1 THEN e.src_family ELSE e.dst_family END,"
    "  CASE l.role WHEN 1 THEN e.src_ip ELSE e.dst_ip END AS ip, count(*)"
    "  FROM up JOIN event_links l ON l.id = abs(up.link) JOIN events e ON e.id = l.id >> 16"
    "  WHERE " E_TIME " IS NOT NULL AND ip IS NOT NULL GROUP BY 1, 2, 4;"
    /* ip= filters of the event pages. */
    "CREATE INDEX events_src_ip ON events(src_ip) WHERE src_ip IS NOT NULL;"
    "CREATE INDEX events_dst_ip ON events(dst_ip) WHERE dst_ip IS NOT NULL;"
    /* Each incident's score at each change sequence (incstore.h, the
     * incident source): what it was at a consumer's watermark. */
    "CREATE TABLE incident_scores ("
    "  incident_id INTEGER NOT NULL, seq INTEGER NOT NULL, score INTEGER NOT NULL,"
    "  PRIMARY KEY (incident_id, seq)) WITHOUT ROWID;"
    "CREATE TRIGGER incidents_delete_scores AFTER DELETE ON incidents BEGIN"
    "  DELETE FROM incident_scores WHERE incident_id = old.id; END;"
    "PRAGMA user_version = 12;";

/* What each site's roll-ups count that the site may not see (TLP; see
 * incstore_int.h), so that a site's statistics read roll-ups too: filled for
 * the events already stored (RED or AMBER+STRICT), removed with the counters
 * they are part of. */
const char ts_sq_migration_rollup_hidden[] =
    "CREATE TABLE rollup_hidden_types ("
    "  site_id INTEGER NOT NULL, day INTEGER NOT NULL, type TEXT NOT NULL,"
    "  n INTEGER NOT NULL, PRIMARY KEY (site_id, day, type)) WITHOUT ROWID;"
    "CREATE TABLE rollup_hidden_hosts ("
    "  site_id INTEGER NOT NULL, day INTEGER NOT NULL, family INTEGER NOT NULL,"
    "  ip BLOB NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (site_id, day, ip)) WITHOUT ROWID;"
    "CREATE TRIGGER rollup_types_hidden AFTER DELETE ON rollup_types BEGIN"
    "  DELETE FROM rollup_hidden_types WHERE site_id = old.site_id AND day = old.day"
    "  AND type = old.type; END;"
    "CREATE TRIGGER rollup_hosts_hidden AFTER DELETE ON rollup_hosts BEGIN"
    "  DELETE FROM rollup_hidden_hosts WHERE site_id = old.site_id AND day = old.day"
    "  AND ip = old.ip; END;"
    /* Every (event, site seeing it), with whether a network link reaches
     * the site's subtree. */
    "INSERT INTO rollup_hidden_types"
    "  WITH RECURSIVE seen(event_id, site_id, net, depth) AS ("
    "    SELECT l.id >> 16, l.site_id, l.kind = 1, 0 FROM event_links l"
    "    JOIN events e ON e.id = l.id >> 16 WHERE e.tlp IN ('RED', 'AMBER+STRICT')"
    "    UNION SELECT seen.event_id, s.parent_id, seen.net, seen.depth + 1 FROM seen"
    "    JOIN sites s ON s.id = seen.site_id WHERE s.parent_id IS NOT NULL AND seen.depth < 64)"
    "  SELECT v.site_id, " E_DAY ", e.type, count(*) FROM"
    "    (SELECT event_id, site_id, max(net) AS net FROM seen GROUP BY 1, 2) v"
    "    JOIN events e ON e.id = v.event_id"
    "  WHERE " E_TIME " IS NOT NULL AND (e.tlp = 'RED' OR v.net = 0) GROUP BY 1, 2, 3;"
    "INSERT INTO rollup_hidden_hosts"
    "  WITH RECURSIVE up(link, site_id, depth) AS ("
    "    SELECT l.id, l.site_id, 0 FROM event_links l"
    "    JOIN events e ON e.id = l.id >> 16 WHERE e.tlp IN ('RED', 'AMBER+STRICT')"
    "    UNION ALL SELECT up.link, s.parent_id, up.depth + 1 FROM up"
    "    JOIN sites s ON s.id = up.site_id WHERE up.depth < 64 AND s.parent_id IS NOT NULL),"
    "  net(event_id, site_id, depth) AS ("
    "    SELECT l.id >> 16, l.site_id, 0 FROM event_links l"
    "    JOIN events e ON e.id = l.id >> 16 WHERE e.tlp = 'AMBER+STRICT' AND l.kind = 1"
    "    UNION SELECT net.event_id, s.parent_id, net.depth + 1 FROM net"
    "    JOIN sites s ON s.id = net.site_id WHERE net.depth < 64 AND s.parent_id IS NOT NULL)"
    "  SELECT up.site_id, " E_DAY ","
    "  CASE l.role WHEN 1 THEN e.src_family ELSE e.dst_family END,"
    "  CASE l.role WHEN 1 THEN e.src_ip ELSE e.dst_ip END AS ip, count(*)"
    "  FROM up JOIN event_links l ON l.id = up.link JOIN events e ON e.id = l.id >> 16"
    "  WHERE " E_TIME " IS NOT NULL AND ip IS NOT NULL AND (e.tlp = 'RED' OR NOT EXISTS"
    "  (SELECT 1 FROM net WHERE net.event_id = e.id AND net.site_id = up.site_id))"
    "  GROUP BY 1, 2, 4;"
    "PRAGMA user_version = 16;";

#define SUB_CTE                                                                                    \
    "WITH RECURSIVE sub(id) AS (SELECT id FROM sites WHERE id = :site"                             \
    " UNION SELECT s.id FROM sites s JOIN sub ON s.parent_id = sub.id) "
#define IN_SCOPE "(:site = 0 OR i.site_id IN sub)"
#define INC_COLS                                                                                   \
    "i.id, i.site_id, coalesce(s.name, ''), i.previous_id, i.type, i.identifier, i.object,"        \
    " i.family, i.lo, i.net_len, i.role, i.suppressed, i.state, i.first_seen, i.last_seen,"        \
    " i.created, i.updated, i.changed, i.events, i.count, i.n_hosts, i.n_peers, i.tlp, i.feed,"    \
    " i.cve, i.advisory, i.critical, i.note, i.first_event, i.last_event, i.score, i.points"
#define INC_FROM " FROM incidents i LEFT JOIN sites s ON s.id = i.site_id"
enum { C_HOSTS = 32, C_PEERS };
/* The list's filters: :state (NULL any, -1 open), :supp (NULL either),
 * :since, an address range :lo..:hi (the object holds one of them). */
#define LIST_WHERE                                                                                 \
    " AND (:state IS NULL OR (:state = -1 AND i.state <= 3) OR i.state = :state)"                  \
    " AND (:supp IS NULL OR i.suppressed = :supp)"                                                 \
    " AND (:since IS NULL OR i.last_seen >= :since)"                                               \
    " AND (:lo IS NULL OR i.id IN (SELECT id FROM incidents WHERE lo BETWEEN :lo AND :hi"          \
    " UNION ALL SELECT id FROM incidents WHERE wide = 1 AND lo <= :lo AND hi >= :lo))"
#define AFTER_PRIO " AND (:aid = 0 OR i.score < :ascore OR (i.score = :ascore AND i.id < :aid))"
#define AFTER_ID " AND (:aid = 0 OR i.id < :aid)"
#define ORDER_PRIO " ORDER BY i.score DESC, i.id DESC LIMIT :lim"
#define ORDER_ID " ORDER BY i.id DESC LIMIT :lim"
#define AUDIT_ADD                                                                                  \
    "INSERT INTO incident_audit (time, who, site_id, object, object_id, action, detail)"           \
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"

enum {
    I_META,
    I_CONFIG,
    I_LATEST,
    I_MAX_ID,
    I_SEQ,
    I_INSERT,
    I_UPDATE,
    I_RT,
    I_RH,
    I_RT_HID,
    I_RH_HID,
    I_ADV,
    I_ADV_ANY,
    I_ROWS,
    I_LIST_PRIO,
    I_LIST_ID,
    I_QUEUE_ALL,
    I_QUEUE_IN,
    I_QUEUE_WALK,
    I_SIZES,
    I_GET,
    I_STATE,
    I_AUDIT_ADD,
    I_EVENTS,
    I_SUP_ADD,
    I_SUP_LIST,
    I_SUP_DEL,
    I_CRIT_ADD,
    I_CRIT_LIST,
    I_CRIT_DEL,
    I_OBJ_SITE,
    I_AUDIT_LIST,
    I_FEEDBACK,
    I_CONFIG_SET,
    I_CHANGED,
    I_SCORE,
    I_PRUNE_EV,
    I_COUNT_EV,
    I_PRUNE_INC,
    I_COUNT_INC,
    I_PRUNE_AUDIT,
    I_COUNT_AUDIT,
    I_PRUNE_RT,
    I_PRUNE_RH,
    I_COUNT_RT,
    I_COUNT_RH,
    I_COUNT_
};
_Static_assert(I_COUNT_ <= TS_SQX_SCAN - TS_SQX_INCIDENT, "incident statements fit their slots");

static const char *const sql_text[I_COUNT_] = {
    [I_META] = "SELECT sites_gen, suppress_gen, critical_gen, config_gen FROM incident_meta",
    [I_CONFIG] = "SELECT config FROM incident_meta",
    [I_LATEST] = "SELECT " INC_COLS ", i.hosts, i.peers" INC_FROM
                 " WHERE i.site_id = ?1 AND i.type = ?2 AND i.identifier = ?3 AND i.object = ?4"
                 " AND i.role = ?5 AND i.suppressed = ?6 ORDER BY i.id DESC LIMIT 1",
    [I_MAX_ID] = "SELECT coalesce(max(id), 0) FROM incidents",
    [I_SEQ] = "UPDATE incident_meta SET seq = seq + 1 RETURNING seq",
    [I_INSERT] = "INSERT INTO incidents (id, site_id, type, identifier, object, role, suppressed,"
                 " family, lo, hi, net_len, wide, state, queued, previous_id, first_seen,"
                 " last_seen, created, updated, changed, events, count, n_hosts, n_peers, hosts,"
                 " peers, tlp, feed, cve, advisory, critical, first_event, last_event, score,"
                 " points) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 1,"
                 " 1 - ?7, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25,"
                 " ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33)",
    [I_UPDATE] = "UPDATE incidents SET first_seen = ?14, last_seen = ?15, updated = ?17,"
                 " changed = ?18, events = ?19, count = ?20, n_hosts = ?21, n_peers = ?22,"
                 " hosts = ?23, peers = ?24, tlp = ?25, feed = ?26, cve = ?27, advisory = ?28,"
                 " critical = ?29, first_event = ?30, last_event = ?31, score = ?32,"
                 " points = ?33 WHERE id = ?1",
    [I_RT] = "INSERT INTO rollup_types (site_id, day, type, n) VALUES (?1, ?2, ?3, ?4)"
             " ON CONFLICT (site_id, day, type) DO UPDATE SET n = n + excluded.n",
    [I_RH] = "INSERT INTO rollup_hosts (site_id, day, family, ip, n) VALUES (?1, ?2, ?3, ?4, ?5)"
             " ON CONFLICT (site_id, day, ip) DO UPDATE SET n = n + excluded.n",
    [I_RT_HID] = "INSERT INTO rollup_hidden_types (site_id, day, type, n) VALUES (?1, ?2, ?3, ?4)"
                 " ON CONFLICT (site_id, day, type) DO UPDATE SET n = n + excluded.n",
    [I_RH_HID] = "INSERT INTO rollup_hidden_hosts (site_id, day, family, ip, n)"
                 " VALUES (?1, ?2, ?3, ?4, ?5)"
                 " ON CONFLICT (site_id, day, ip) DO UPDATE SET n = n + excluded.n",
    [I_ADV] = "SELECT a.adv_id || ' (' || ?2 || ')' FROM adv_matches m"
              " JOIN advisories a ON a.id = m.adv"
              " WHERE m.site_id IN (SELECT value FROM json_each(?1)) AND m.status <= 2"
              " AND EXISTS (SELECT 1 FROM json_each(a.cves) WHERE value = ?2)"
              " ORDER BY a.sev_rank, a.adv_id LIMIT 1",
    [I_ADV_ANY] = "SELECT EXISTS (SELECT 1 FROM adv_matches m JOIN advisories a ON a.id = m.adv"
                  " WHERE m.status <= 2 AND EXISTS (SELECT 1 FROM json_each(a.cves)"
                  " WHERE value = ?1))",
    [I_ROWS] = SUB_CTE "SELECT " INC_COLS ", i.hosts, i.peers" INC_FROM
                       " WHERE " IN_SCOPE " AND i.id > :after ORDER BY i.id LIMIT :lim",
    [I_LIST_PRIO] = SUB_CTE "SELECT " INC_COLS INC_FROM " WHERE " IN_SCOPE LIST_WHERE
                            AFTER_PRIO ORDER_PRIO,
    [I_LIST_ID] =
        SUB_CTE "SELECT " INC_COLS INC_FROM " WHERE " IN_SCOPE LIST_WHERE AFTER_ID ORDER_ID,
    /* The queue (open, not suppressed, by priority) has plans of its own,
     * as the portal's event pages do: the CSIRT walks the rank index; a
     * subtree owning a quarter of the sites or more walks it too and probes
     * each incident's site; a smaller one reads its sites' queue entries and
     * sorts them. */
    [I_QUEUE_ALL] = "SELECT " INC_COLS INC_FROM " WHERE i.queued = 1" AFTER_PRIO ORDER_PRIO,
    [I_QUEUE_IN] = SUB_CTE "SELECT " INC_COLS INC_FROM " WHERE i.site_id IN sub AND i.queued = 1"
                           AFTER_PRIO ORDER_PRIO,
    [I_QUEUE_WALK] = SUB_CTE "SELECT " INC_COLS INC_FROM
                             " WHERE i.queued = 1 AND +i.site_id IN sub" AFTER_PRIO ORDER_PRIO,
    [I_SIZES] = SUB_CTE "SELECT (SELECT count(*) FROM sub), (SELECT count(*) FROM sites)",
    [I_GET] = SUB_CTE "SELECT " INC_COLS INC_FROM " WHERE i.id = :id AND " IN_SCOPE,
    [I_STATE] = "UPDATE incidents SET state = ?2, queued = (?2 <= 3 AND suppressed = 0),"
                " note = coalesce(?3, note), updated = ?4 WHERE id = ?1",
    [I_AUDIT_ADD] = AUDIT_ADD,
    [I_EVENTS] = "SELECT l.id >> 16 FROM event_links l WHERE l.site_id = ?1"
                 " AND l.id BETWEEN ?2 * 65536 AND ?3 * 65536 + 65535 AND l.incident_id = ?4"
                 " ORDER BY l.id DESC LIMIT ?5",
    [I_SUP_ADD] = "INSERT INTO suppressions (site_id, type, identifier, network, peer, expires,"
                  " created, who, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    [I_SUP_LIST] = SUB_CTE "SELECT r.id, r.site_id, r.type, r.identifier, r.network, r.peer,"
                           " r.expires, r.created, r.who, r.note, coalesce(s.name, '')"
                           " FROM suppressions r LEFT JOIN sites s ON s.id = r.site_id"
                           " WHERE :site = 0 OR r.site_id IN sub ORDER BY r.site_id, r.id",
    [I_SUP_DEL] = "DELETE FROM suppressions WHERE id = ?1",
    [I_CRIT_ADD] = "INSERT INTO critical_marks (site_id, network, created, who, note)"
                   " VALUES (?1, ?2, ?3, ?4, ?5)",
    [I_CRIT_LIST] = SUB_CTE "SELECT c.id, c.site_id, c.network, c.created, c.who, c.note,"
                            " coalesce(s.name, '') FROM critical_marks c"
                            " LEFT JOIN sites s ON s.id = c.site_id"
                            " WHERE :site = 0 OR c.site_id IN sub ORDER BY c.site_id, c.id",
    [I_CRIT_DEL] = "DELETE FROM critical_marks WHERE id = ?1",
    /* The site of a rule or mark if the subtree sees it: :kind 1 rule, 2 mark. */
    [I_OBJ_SITE] = SUB_CTE "SELECT o.site_id FROM (SELECT site_id FROM suppressions"
                           " WHERE :kind = 1 AND id = :id UNION ALL SELECT site_id"
                           " FROM critical_marks WHERE :kind = 2 AND id = :id) o"
                           " WHERE :site = 0 OR o.site_id IN sub",
    [I_AUDIT_LIST] = SUB_CTE "SELECT a.id, a.time, a.who, a.site_id, a.object, a.object_id,"
                             " a.action, a.detail FROM incident_audit a"
                             " WHERE (:site = 0 OR a.site_id IN sub)"
                             " AND (:object IS NULL OR a.object = :object)"
                             " AND (:oid = 0 OR a.object_id = :oid)"
                             " ORDER BY a.id DESC LIMIT :lim",
    [I_FEEDBACK] = "SELECT feed, sum(suppressed = 0), sum(suppressed = 0 AND state = 5),"
                   " sum(suppressed = 0 AND state = 6), sum(suppressed = 0 AND state = 4),"
                   " sum(suppressed), sum(CASE WHEN suppressed = 1 THEN events ELSE 0 END)"
                   " FROM incidents GROUP BY feed ORDER BY feed",
    [I_CONFIG_SET] = "UPDATE incident_meta SET config = ?1, config_gen = config_gen + 1",
    [I_CHANGED] = SUB_CTE "SELECT " INC_COLS ", (SELECT sc.score FROM incident_scores sc"
                          " WHERE sc.incident_id = i.id AND sc.seq <= :w ORDER BY sc.seq DESC"
                          " LIMIT 1)" INC_FROM " WHERE i.changed > :w AND i.suppressed = 0"
                          " AND " IN_SCOPE " ORDER BY i.changed LIMIT :lim",
    [I_SCORE] = "INSERT OR IGNORE INTO incident_scores (incident_id, seq, score)"
                " VALUES (?1, ?2, ?3)",
    [I_PRUNE_EV] = "DELETE FROM events WHERE id IN (SELECT e.id FROM events e"
                   " WHERE " E_TIME " < ?1 AND (?2 IS NULL OR e.type = ?2) LIMIT ?3)",
    [I_COUNT_EV] = "SELECT count(*) FROM events e WHERE " E_TIME " < ?1"
                   " AND (?2 IS NULL OR e.type = ?2)",
    [I_PRUNE_INC] = "DELETE FROM incidents WHERE id IN (SELECT id FROM incidents"
                    " WHERE last_seen < ?1 LIMIT ?3)",
    [I_COUNT_INC] = "SELECT count(*) FROM incidents WHERE last_seen < ?1",
    [I_PRUNE_AUDIT] = "DELETE FROM incident_audit WHERE id IN (SELECT id FROM incident_audit"
                      " WHERE time < ?1 LIMIT ?3)",
    [I_COUNT_AUDIT] = "SELECT count(*) FROM incident_audit WHERE time < ?1",
    [I_PRUNE_RT] = "DELETE FROM rollup_types WHERE rowid IN (SELECT rowid FROM rollup_types"
                   " WHERE day < ?1 / 86400000000 LIMIT ?3)",
    [I_PRUNE_RH] = "DELETE FROM rollup_hosts WHERE rowid IN (SELECT rowid FROM rollup_hosts"
                   " WHERE day < ?1 / 86400000000 LIMIT ?3)",
    [I_COUNT_RT] = "SELECT count(*) FROM rollup_types WHERE day < ?1 / 86400000000",
    [I_COUNT_RH] = "SELECT count(*) FROM rollup_hosts WHERE day < ?1 / 86400000000",
};

static sqlite3_stmt *stmt(struct sq_store *sq, int id, int *err)
{
    return ts_sq_stmt(sq, TS_SQX_INCIDENT + id, sql_text[id], err);
}

#define STMT(s, sq, id)                                                                            \
    int err_##s = 0;                                                                               \
    sqlite3_stmt *s = stmt(sq, id, &err_##s);                                                      \
    if (s == NULL)                                                                                 \
        return err_##s;

static void bind_int(sqlite3_stmt *s, const char *name, int64_t v)
{
    int i = sqlite3_bind_parameter_index(s, name);
    if (i > 0)
        sqlite3_bind_int64(s, i, v);
}

static void bind_opt(sqlite3_stmt *s, const char *name, int64_t v, bool present)
{
    int i = sqlite3_bind_parameter_index(s, name);
    if (i <= 0)
        return;
    if (present)
        sqlite3_bind_int64(s, i, v);
    else
        sqlite3_bind_null(s, i);
}

static void bind_text(sqlite3_stmt *s, const char *name, const char *v)
{
    int i = sqlite3_bind_parameter_index(s, name);
    if (i > 0)
        ts_sq_bind_cstr(s, i, v);
}

static int count_of(struct sq_store *sq, sqlite3_stmt *s, uint64_t *n)
{
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *n = (uint64_t)sqlite3_column_int64(s, 0);
    return ts_sq_iter_end(sq, s, rc == SQLITE_ROW ? SQLITE_DONE : rc, 0);
}

static int not_found(struct sq_store *sq, const char *what)
{
    char msg[64];
    snprintf(msg, sizeof msg, "no such %s", what);
    ts_sq_set_msg(sq, msg);
    return TS_ENOENT;
}

/* ---- Rows ------------------------------------------------------------------------------- */

static void read_net(sqlite3_stmt *s, int col, ts_prefix_t *net)
{
    memset(net, 0, sizeof *net);
    int fam = sqlite3_column_int(s, col);
    const uint8_t *lo = sqlite3_column_blob(s, col + 1);
    if (lo == NULL || sqlite3_column_bytes(s, col + 1) != 16)
        return;
    if (fam == TS_AF_INET) {
        net->addr.family = TS_AF_INET;
        memcpy(net->addr.bytes, lo + 12, 4);
    } else if (fam == TS_AF_INET6) {
        net->addr.family = TS_AF_INET6;
        memcpy(net->addr.bytes, lo, 16);
    }
    net->len = (uint8_t)sqlite3_column_int(s, col + 2);
}

static void read_row(sqlite3_stmt *s, ts_inc_row_t *row, bool blobs)
{
    ts_incident_t *v = &row->inc;
    memset(row, 0, sizeof *row);
    v->id = sqlite3_column_int64(s, 0);
    v->site_id = sqlite3_column_int64(s, 1);
    v->site_name = ts_sq_col_cstr(s, 2);
    v->previous_id = sqlite3_column_int64(s, 3);
    const char *type = ts_sq_col_cstr(s, 4);
    if (ts_type_lookup(type, strlen(type), &v->type) != 0)
        v->type = TS_TYPE_UNDETERMINED;
    v->identifier = ts_sq_col_cstr(s, 5);
    v->object = ts_sq_col_cstr(s, 6);
    read_net(s, 7, &v->net);
    v->role = (ts_role_t)sqlite3_column_int(s, 10);
    v->suppressed = sqlite3_column_int(s, 11) != 0;
    v->state = (ts_inc_state_t)sqlite3_column_int(s, 12);
    v->first_seen = sqlite3_column_int64(s, 13);
    v->last_seen = sqlite3_column_int64(s, 14);
    v->created = sqlite3_column_int64(s, 15);
    v->updated = sqlite3_column_int64(s, 16);
    v->changed = sqlite3_column_int64(s, 17);
    v->events = (uint64_t)sqlite3_column_int64(s, 18);
    v->count = (uint64_t)sqlite3_column_int64(s, 19);
    v->own_hosts = (uint64_t)sqlite3_column_int64(s, 20);
    v->peers = (uint64_t)sqlite3_column_int64(s, 21);
    v->tlp = (ts_tlp_t)sqlite3_column_int(s, 22);
    v->feed = ts_sq_col_cstr(s, 23);
    v->cve = ts_sq_col_cstr(s, 24);
    v->advisory = ts_sq_col_cstr(s, 25);
    v->critical = ts_sq_col_cstr(s, 26);
    v->note = ts_sq_col_cstr(s, 27);
    v->first_event = sqlite3_column_int64(s, 28);
    v->last_event = sqlite3_column_int64(s, 29);
    v->score = (int32_t)sqlite3_column_int(s, 30);
    ts_inc_points_parse(ts_sq_col_cstr(s, 31), v->points);
    if (blobs) {
        row->hosts = sqlite3_column_blob(s, C_HOSTS);
        row->hosts_len = (size_t)sqlite3_column_bytes(s, C_HOSTS);
        row->peers = sqlite3_column_blob(s, C_PEERS);
        row->peers_len = (size_t)sqlite3_column_bytes(s, C_PEERS);
    }
}

/* Steps s handing each row to cb (rows, or incidents when icb). */
static int each_row(struct sq_store *sq, sqlite3_stmt *s, bool blobs, ts_inc_row_cb rcb,
                    ts_incident_cb icb, void *ctx, size_t *n)
{
    int rc, r = 0;
    ts_inc_row_t row;
    while (r == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        read_row(s, &row, blobs);
        /* The change query's last column: the score at the watermark. */
        if (!blobs && sqlite3_column_count(s) > C_HOSTS)
            row.inc.prev_score = sqlite3_column_type(s, C_HOSTS) == SQLITE_NULL
                                     ? -1
                                     : (int32_t)sqlite3_column_int(s, C_HOSTS);
        r = rcb ? rcb(&row, ctx) : icb(&row.inc, ctx);
        if (n)
            (*n)++;
    }
    return ts_sq_iter_end(sq, s, r ? SQLITE_DONE : rc, r);
}

/* ---- Aggregation ------------------------------------------------------------------------------ */

static int sq_meta(ts_store_t *st, ts_inc_meta_t *m)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, sq, I_META);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        m->sites_gen = sqlite3_column_int64(s, 0);
        m->suppress_gen = sqlite3_column_int64(s, 1);
        m->critical_gen = sqlite3_column_int64(s, 2);
        m->config_gen = sqlite3_column_int64(s, 3);
    }
    return ts_sq_iter_end(sq, s, rc == SQLITE_ROW ? SQLITE_DONE : rc, 0);
}

static int sq_config_text(ts_store_t *st, ts_buf_t *out)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, sq, I_CONFIG);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        ts_buf_append(out, sqlite3_column_text(s, 0), (size_t)sqlite3_column_bytes(s, 0));
    return ts_sq_iter_end(sq, s, rc == SQLITE_ROW ? SQLITE_DONE : rc, 0);
}

static int sq_latest(ts_store_t *st, const ts_inc_key_t *k, ts_inc_row_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, sq, I_LATEST);
    sqlite3_bind_int64(s, 1, k->site_id);
    sqlite3_bind_text(s, 2, ts_type_name(k->type), -1, SQLITE_STATIC);
    ts_sq_bind_cstr(s, 3, k->identifier);
    ts_sq_bind_cstr(s, 4, k->object);
    sqlite3_bind_int(s, 5, (int)k->role);
    sqlite3_bind_int(s, 6, k->suppressed);
    return each_row(sq, s, true, cb, NULL, ctx, NULL);
}

/* The writer holds the write lock from the transaction's first statement:
 * every id above the highest stays free until its commit. */
static int sq_id_block(ts_store_t *st, int64_t *first, int64_t *n)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, sq, I_MAX_ID);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *first = sqlite3_column_int64(s, 0) + 1;
        *n = INT64_MAX - *first;
    }
    return ts_sq_iter_end(sq, s, rc == SQLITE_ROW ? SQLITE_DONE : rc, 0);
}

static int sq_seq_next(ts_store_t *st, int64_t *seq)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, sq, I_SEQ);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        *seq = sqlite3_column_int64(s, 0);
    int r = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? TS_EDB : ts_sq_fail(sq, rc);
    /* RETURNING: the change is made once the statement runs to its end. */
    while (rc == SQLITE_ROW)
        rc = sqlite3_step(s);
    if (r == 0 && rc != SQLITE_DONE)
        r = ts_sq_fail(sq, rc);
    sqlite3_reset(s);
    return r;
}

static int sq_put_one(ts_store_t *st, const ts_inc_row_t *row, bool insert)
{
    struct sq_store *sq = ts_sq(st);
    const ts_incident_t *v = &row->inc;
    STMT(s, sq, insert ? I_INSERT : I_UPDATE);
    char pts[TS_INC_POINTS_TEXT];
    ts_inc_points_text(v->points, pts);
    uint8_t lo[16], hi[16];
    sqlite3_bind_int64(s, 1, v->id);
    if (insert) {
        sqlite3_bind_int64(s, 2, v->site_id);
        sqlite3_bind_text(s, 3, ts_type_name(v->type), -1, SQLITE_STATIC);
        ts_sq_bind_cstr(s, 4, v->identifier);
        ts_sq_bind_cstr(s, 5, v->object);
        sqlite3_bind_int(s, 6, (int)v->role);
        sqlite3_bind_int(s, 7, v->suppressed);
        if (v->net.addr.family != TS_AF_NONE) {
            ts_prefix_range16(&v->net, lo, hi);
            sqlite3_bind_int(s, 8, v->net.addr.family);
            sqlite3_bind_blob(s, 9, lo, 16, SQLITE_STATIC);
            sqlite3_bind_blob(s, 10, hi, 16, SQLITE_STATIC);
            sqlite3_bind_int(s, 11, v->net.len);
            sqlite3_bind_int(s, 12, v->net.len < (v->net.addr.family == TS_AF_INET ? 32 : 128));
        } else {
            for (int i = 8; i <= 11; i++)
                sqlite3_bind_null(s, i);
            sqlite3_bind_int(s, 12, 0);
        }
        sqlite3_bind_int64(s, 13, v->previous_id);
        sqlite3_bind_int64(s, 16, v->created);
    }
    sqlite3_bind_int64(s, 14, v->first_seen);
    sqlite3_bind_int64(s, 15, v->last_seen);
    sqlite3_bind_int64(s, 17, v->updated);
    sqlite3_bind_int64(s, 18, v->changed);
    sqlite3_bind_int64(s, 19, (int64_t)v->events);
    sqlite3_bind_int64(s, 20, (int64_t)v->count);
    sqlite3_bind_int64(s, 21, (int64_t)v->own_hosts);
    sqlite3_bind_int64(s, 22, (int64_t)v->peers);
    sqlite3_bind_blob(s, 23, row->hosts, (int)row->hosts_len, SQLITE_STATIC);
    sqlite3_bind_blob(s, 24, row->peers, (int)row->peers_len, SQLITE_STATIC);
    sqlite3_bind_int(s, 25, (int)v->tlp);
    ts_sq_bind_cstr(s, 26, v->feed);
    ts_sq_bind_cstr(s, 27, v->cve);
    ts_sq_bind_cstr(s, 28, v->advisory);
    ts_sq_bind_cstr(s, 29, v->critical);
    sqlite3_bind_int64(s, 30, v->first_event);
    sqlite3_bind_int64(s, 31, v->last_event);
    sqlite3_bind_int(s, 32, v->score);
    sqlite3_bind_text(s, 33, pts, -1, SQLITE_TRANSIENT);
    int r = ts_sq_run(sq, s);
    if (r)
        return r;
    STMT(h, sq, I_SCORE);
    sqlite3_bind_int64(h, 1, v->id);
    sqlite3_bind_int64(h, 2, v->changed);
    sqlite3_bind_int(h, 3, v->score);
    return ts_sq_run(sq, h);
}

/* SQLite has no round trips: row by row, each statement prepared once. */
static int sq_put(ts_store_t *st, const ts_inc_row_t *rows, size_t n, bool insert)
{
    int r = 0;
    for (size_t k = 0; r == 0 && k < n; k++)
        r = sq_put_one(st, &rows[k], insert);
    return r;
}

static int sq_rollup_type(ts_store_t *st, const ts_inc_rt_t *c)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, sq, c->hidden ? I_RT_HID : I_RT);
    int64_t site = c->site_id, day = c->day, n = c->n;
    ts_type_t type = c->type;
    sqlite3_bind_int64(s, 1, site);
    sqlite3_bind_int64(s, 2, day);
    sqlite3_bind_text(s, 3, ts_type_name(type), -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, n);
    return ts_sq_run(sq, s);
}

static int sq_rollup_host(ts_store_t *st, const ts_inc_rh_t *c)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, sq, c->hidden ? I_RH_HID : I_RH);
    int64_t site = c->site_id, day = c->day, n = c->n;
    const ts_ip_t *ip = &c->ip;
    ts_prefix_t p = {.addr = *ip, .len = ip->family == TS_AF_INET ? 32 : 128};
    uint8_t lo[16], hi[16];
    ts_prefix_range16(&p, lo, hi);
    sqlite3_bind_int64(s, 1, site);
    sqlite3_bind_int64(s, 2, day);
    sqlite3_bind_int(s, 3, ip->family);
    sqlite3_bind_blob(s, 4, lo, 16, SQLITE_STATIC);
    sqlite3_bind_int64(s, 5, n);
    return ts_sq_run(sq, s);
}

static int sq_rollup_types(ts_store_t *st, const ts_inc_rt_t *c, size_t n)
{
    int r = 0;
    for (size_t k = 0; r == 0 && k < n; k++)
        r = sq_rollup_type(st, &c[k]);
    return r;
}

static int sq_rollup_hosts(ts_store_t *st, const ts_inc_rh_t *c, size_t n)
{
    int r = 0;
    for (size_t k = 0; r == 0 && k < n; k++)
        r = sq_rollup_host(st, &c[k]);
    return r;
}

static void ids_json(ts_buf_t *b, const int64_t *ids, size_t n)
{
    ts_buf_putc(b, '[');
    for (size_t i = 0; i < n; i++)
        ts_buf_printf(b, i ? ",%" PRId64 : "%" PRId64, ids[i]);
    ts_buf_putc(b, ']');
}

static int sq_advisory_for(ts_store_t *st, const int64_t *sites, size_t n, const char *cve,
                           ts_buf_t *out)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, sq, I_ADV);
    ts_buf_t ids = TS_BUF_INIT;
    ids_json(&ids, sites, n);
    sqlite3_bind_text(s, 1, ids.data, (int)ids.len, SQLITE_TRANSIENT);
    ts_sq_bind_cstr(s, 2, cve);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW)
        ts_buf_puts(out, ts_sq_col_cstr(s, 0));
    ts_buf_free(&ids);
    return ts_sq_iter_end(sq, s, rc == SQLITE_ROW ? SQLITE_DONE : rc, 0);
}

static int sq_advisory_any(ts_store_t *st, const char *cve, bool *any)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, sq, I_ADV_ANY);
    ts_sq_bind_cstr(s, 1, cve);
    int rc = sqlite3_step(s);
    *any = rc != SQLITE_ROW || sqlite3_column_int(s, 0) != 0;
    return ts_sq_iter_end(sq, s, rc == SQLITE_ROW ? SQLITE_DONE : rc, 0);
}

static int sq_rows(ts_store_t *st, int64_t site, int64_t after, size_t limit, ts_inc_row_cb cb,
                   void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, sq, I_ROWS);
    bind_int(s, ":site", site);
    bind_int(s, ":after", after);
    bind_int(s, ":lim", (int64_t)limit);
    return each_row(sq, s, true, cb, NULL, ctx, NULL);
}

/* ---- Reads ------------------------------------------------------------------------------------ */

/* The statement of a page of f. */
static int list_plan(struct sq_store *sq, const ts_incident_filter_t *f, int *q)
{
    bool queue = f->state == TS_INC_FILTER_OPEN && f->suppressed == 0 && !f->has_ip &&
                 f->since == TS_TIME_NONE && f->order == TS_INC_BY_PRIORITY;
    *q = f->order == TS_INC_BY_ID ? I_LIST_ID : I_LIST_PRIO;
    if (queue && f->site_id == 0)
        *q = I_QUEUE_ALL;
    if (f->site_id == 0)
        return 0;
    STMT(s, sq, I_SIZES);
    bind_int(s, ":site", f->site_id);
    int64_t n_sub = 0, n_all = 0;
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        n_sub = sqlite3_column_int64(s, 0);
        n_all = sqlite3_column_int64(s, 1);
    }
    int r = ts_sq_iter_end(sq, s, rc == SQLITE_ROW ? SQLITE_DONE : rc, 0);
    if (r)
        return r;
    if (n_sub == 0)
        return not_found(sq, "site");
    if (queue)
        *q = n_sub * 4 >= n_all ? I_QUEUE_WALK : I_QUEUE_IN;
    return 0;
}

static int sq_list(ts_store_t *st, const ts_incident_filter_t *f, ts_incident_cb cb, void *ctx,
                   bool *more)
{
    struct sq_store *sq = ts_sq(st);
    int q;
    int r = list_plan(sq, f, &q);
    if (r)
        return r;
    STMT(s, sq, q);
    bind_int(s, ":site", f->site_id);
    bind_opt(s, ":state", f->state, f->state != 0);
    bind_opt(s, ":supp", f->suppressed, f->suppressed >= 0);
    bind_opt(s, ":since", f->since, f->since != TS_TIME_NONE);
    int lo = sqlite3_bind_parameter_index(s, ":lo"), hi = sqlite3_bind_parameter_index(s, ":hi");
    if (lo > 0 && f->has_ip) {
        sqlite3_bind_blob(s, lo, f->ip_lo, 16, SQLITE_STATIC);
        sqlite3_bind_blob(s, hi, f->ip_hi, 16, SQLITE_STATIC);
    } else if (lo > 0) {
        sqlite3_bind_null(s, lo);
        sqlite3_bind_null(s, hi);
    }
    bind_int(s, ":aid", f->after_id);
    bind_int(s, ":ascore", f->after_score);
    /* One more than asked: whether another page follows. */
    bind_int(s, ":lim", (int64_t)f->limit + 1);
    int rc;
    size_t n = 0;
    *more = false;
    ts_inc_row_t row;
    while (r == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        if (n++ == f->limit) {
            *more = true;
            rc = SQLITE_DONE;
            break;
        }
        read_row(s, &row, false);
        r = cb(&row.inc, ctx);
    }
    return ts_sq_iter_end(sq, s, r ? SQLITE_DONE : rc, r);
}

static int sq_get(ts_store_t *st, int64_t site, int64_t id, ts_incident_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, sq, I_GET);
    bind_int(s, ":site", site);
    bind_int(s, ":id", id);
    size_t n = 0;
    int r = each_row(sq, s, false, NULL, cb, ctx, &n);
    return r ? r : n ? 0 : not_found(sq, "incident");
}

static int audit(struct sq_store *sq, const char *who, int64_t site, const char *object,
                 int64_t object_id, const char *action, const char *detail)
{
    STMT(s, sq, I_AUDIT_ADD);
    sqlite3_bind_int64(s, 1, ts_sq_now_us());
    ts_sq_bind_cstr(s, 2, who);
    sqlite3_bind_int64(s, 3, site);
    ts_sq_bind_cstr(s, 4, object);
    sqlite3_bind_int64(s, 5, object_id);
    ts_sq_bind_cstr(s, 6, action);
    ts_sq_bind_cstr(s, 7, detail);
    return ts_sq_run(sq, s);
}

struct got_one {
    ts_incident_t inc;
    char note[TS_INC_NOTE_MAX + 1];
};

static int copy_state(const ts_incident_t *inc, void *ctx)
{
    struct got_one *g = ctx;
    g->inc = *inc;
    return 0;
}

static int sq_set_state(ts_store_t *st, int64_t site, int64_t id, ts_inc_state_t state,
                        const char *note, const char *who, ts_inc_state_t *old)
{
    struct sq_store *sq = ts_sq(st);
    bool own;
    int r = ts_sq_op_begin(sq, &own);
    if (r)
        return r;
    struct got_one g;
    r = sq_get(st, site, id, copy_state, &g);
    ts_buf_t d = TS_BUF_INIT;
    if (r == 0 && old)
        *old = g.inc.state;
    if (r == 0 && (g.inc.state != state || note != NULL)) {
        int err = 0;
        sqlite3_stmt *s = stmt(sq, I_STATE, &err);
        if (s == NULL) {
            r = err;
        } else {
            sqlite3_bind_int64(s, 1, id);
            sqlite3_bind_int(s, 2, (int)state);
            ts_sq_bind_cstr(s, 3, note);
            sqlite3_bind_int64(s, 4, ts_sq_now_us());
            r = ts_sq_run(sq, s);
        }
        ts_inc_state_detail(&d, g.inc.state, state, note);
        if (r == 0)
            r = audit(sq, who, g.inc.site_id, "incident", id, "state", d.data);
    }
    ts_buf_free(&d);
    return ts_sq_op_end(sq, own, r);
}

static int sq_events(ts_store_t *st, int64_t site, int64_t id, int64_t before, int64_t *ids,
                     size_t max, size_t *n, bool *more)
{
    struct sq_store *sq = ts_sq(st);
    struct got_one g;
    int r = sq_get(st, site, id, copy_state, &g);
    if (r)
        return r;
    *n = 0;
    *more = false;
    int64_t last = g.inc.last_event;
    if (before > 0 && before - 1 < last)
        last = before - 1;
    if (g.inc.first_event <= 0 || last < g.inc.first_event)
        return 0;
    STMT(s, sq, I_EVENTS);
    sqlite3_bind_int64(s, 1, g.inc.site_id);
    sqlite3_bind_int64(s, 2, g.inc.first_event);
    sqlite3_bind_int64(s, 3, last);
    sqlite3_bind_int64(s, 4, id);
    sqlite3_bind_int64(s, 5, (int64_t)max + 1);
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t eid = sqlite3_column_int64(s, 0);
        if (*n == max) {
            *more = true;
            rc = SQLITE_DONE;
            break;
        }
        ids[(*n)++] = eid;
    }
    return ts_sq_iter_end(sq, s, rc, 0);
}

/* ---- Rules and marks ---------------------------------------------------------------------------- */

static int parse_net(const char *s, ts_prefix_t *p)
{
    return ts_prefix_parse(s, strlen(s), p);
}

static int sq_suppress_add(ts_store_t *st, const ts_suppress_t *r, int64_t *id)
{
    struct sq_store *sq = ts_sq(st);
    bool own;
    int x = ts_sq_op_begin(sq, &own);
    if (x)
        return x;
    int err = 0;
    sqlite3_stmt *s = stmt(sq, I_SUP_ADD, &err);
    char net[TS_IP_STRLEN], peer[TS_IP_STRLEN];
    ts_buf_t d = TS_BUF_INIT;
    x = s ? 0 : err;
    if (x == 0) {
        ts_prefix_format(&r->net, net, sizeof net);
        if (r->peer.addr.family != TS_AF_NONE)
            ts_prefix_format(&r->peer, peer, sizeof peer);
        sqlite3_bind_int64(s, 1, r->site_id);
        sqlite3_bind_text(s, 2, ts_type_name(r->type), -1, SQLITE_STATIC);
        ts_sq_bind_cstr(s, 3, r->identifier);
        ts_sq_bind_cstr(s, 4, net);
        ts_sq_bind_cstr(s, 5, r->peer.addr.family != TS_AF_NONE ? peer : NULL);
        sqlite3_bind_int64(s, 6, r->expires);
        sqlite3_bind_int64(s, 7, ts_sq_now_us());
        ts_sq_bind_cstr(s, 8, r->who);
        ts_sq_bind_cstr(s, 9, r->note ? r->note : "");
        x = ts_sq_run(sq, s);
    }
    if (x == 0) {
        *id = sqlite3_last_insert_rowid(sq->db);
        ts_inc_rule_detail(&d, r, NULL);
        x = audit(sq, r->who, r->site_id, "suppression", *id, "add", d.data);
    }
    ts_buf_free(&d);
    return ts_sq_op_end(sq, own, x);
}

static int sq_suppress_foreach(ts_store_t *st, int64_t site, ts_suppress_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, sq, I_SUP_LIST);
    bind_int(s, ":site", site);
    int rc, r = 0;
    while (r == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_suppress_t v = {.id = sqlite3_column_int64(s, 0),
                           .site_id = sqlite3_column_int64(s, 1),
                           .identifier = ts_sq_col_cstr(s, 3),
                           .expires = sqlite3_column_int64(s, 6),
                           .created = sqlite3_column_int64(s, 7),
                           .who = ts_sq_col_cstr(s, 8),
                           .note = ts_sq_col_cstr(s, 9)};
        const char *type = ts_sq_col_cstr(s, 2);
        if (ts_type_lookup(type, strlen(type), &v.type) != 0 ||
            parse_net(ts_sq_col_cstr(s, 4), &v.net) != 0 ||
            (sqlite3_column_type(s, 5) != SQLITE_NULL &&
             parse_net(ts_sq_col_cstr(s, 5), &v.peer) != 0))
            continue; /* written by hand and wrong: it suppresses nothing */
        r = cb(&v, ts_sq_col_cstr(s, 10), ctx);
    }
    return ts_sq_iter_end(sq, s, r ? SQLITE_DONE : rc, r);
}

/* Removes rule (kind 1) or mark (kind 2) id if the subtree sees it. */
static int remove_obj(struct sq_store *sq, int kind, int64_t site, int64_t id, const char *who)
{
    bool own;
    int r = ts_sq_op_begin(sq, &own);
    if (r)
        return r;
    int err = 0;
    sqlite3_stmt *s = stmt(sq, I_OBJ_SITE, &err);
    int64_t obj_site = -1;
    r = s ? 0 : err;
    if (r == 0) {
        bind_int(s, ":site", site);
        bind_int(s, ":kind", kind);
        bind_int(s, ":id", id);
        int rc = sqlite3_step(s);
        if (rc == SQLITE_ROW)
            obj_site = sqlite3_column_int64(s, 0);
        r = ts_sq_iter_end(sq, s, rc == SQLITE_ROW ? SQLITE_DONE : rc, 0);
    }
    if (r == 0 && obj_site < 0)
        r = not_found(sq, kind == 1 ? "suppression rule" : "critical mark");
    if (r == 0) {
        s = stmt(sq, kind == 1 ? I_SUP_DEL : I_CRIT_DEL, &err);
        r = s ? 0 : err;
        if (r == 0) {
            sqlite3_bind_int64(s, 1, id);
            r = ts_sq_run(sq, s);
        }
    }
    if (r == 0)
        r = audit(sq, who, obj_site, kind == 1 ? "suppression" : "critical", id, "remove", "{}");
    return ts_sq_op_end(sq, own, r);
}

static int sq_suppress_remove(ts_store_t *st, int64_t site, int64_t id, const char *who)
{
    return remove_obj(ts_sq(st), 1, site, id, who);
}

static int sq_critical_add(ts_store_t *st, const ts_critical_t *m, int64_t *id)
{
    struct sq_store *sq = ts_sq(st);
    bool own;
    int x = ts_sq_op_begin(sq, &own);
    if (x)
        return x;
    int err = 0;
    sqlite3_stmt *s = stmt(sq, I_CRIT_ADD, &err);
    char net[TS_IP_STRLEN];
    ts_buf_t d = TS_BUF_INIT;
    x = s ? 0 : err;
    if (x == 0) {
        ts_prefix_format(&m->net, net, sizeof net);
        sqlite3_bind_int64(s, 1, m->site_id);
        ts_sq_bind_cstr(s, 2, net);
        sqlite3_bind_int64(s, 3, ts_sq_now_us());
        ts_sq_bind_cstr(s, 4, m->who);
        ts_sq_bind_cstr(s, 5, m->note ? m->note : "");
        x = ts_sq_run(sq, s);
    }
    if (x == 0) {
        *id = sqlite3_last_insert_rowid(sq->db);
        ts_inc_rule_detail(&d, NULL, m);
        x = audit(sq, m->who, m->site_id, "critical", *id, "add", d.data);
    }
    ts_buf_free(&d);
    return ts_sq_op_end(sq, own, x);
}

static int sq_critical_foreach(ts_store_t *st, int64_t site, ts_critical_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, sq, I_CRIT_LIST);
    bind_int(s, ":site", site);
    int rc, r = 0;
    while (r == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_critical_t v = {.id = sqlite3_column_int64(s, 0),
                           .site_id = sqlite3_column_int64(s, 1),
                           .created = sqlite3_column_int64(s, 3),
                           .who = ts_sq_col_cstr(s, 4),
                           .note = ts_sq_col_cstr(s, 5)};
        if (parse_net(ts_sq_col_cstr(s, 2), &v.net) != 0)
            continue;
        r = cb(&v, ts_sq_col_cstr(s, 6), ctx);
    }
    return ts_sq_iter_end(sq, s, r ? SQLITE_DONE : rc, r);
}

static int sq_critical_remove(ts_store_t *st, int64_t site, int64_t id, const char *who)
{
    return remove_obj(ts_sq(st), 2, site, id, who);
}

/* ---- Audit, feedback, configuration, the incident source ------------------------------------ */

static int sq_audit_foreach(ts_store_t *st, int64_t site, const char *object, int64_t oid,
                            size_t limit, ts_audit_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, sq, I_AUDIT_LIST);
    bind_int(s, ":site", site);
    bind_text(s, ":object", object);
    bind_int(s, ":oid", oid);
    bind_int(s, ":lim", limit ? (int64_t)limit : -1);
    int rc, r = 0;
    while (r == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_audit_rec_t a = {.id = sqlite3_column_int64(s, 0),
                            .time = sqlite3_column_int64(s, 1),
                            .who = ts_sq_col_cstr(s, 2),
                            .site_id = sqlite3_column_int64(s, 3),
                            .object = ts_sq_col_cstr(s, 4),
                            .object_id = sqlite3_column_int64(s, 5),
                            .action = ts_sq_col_cstr(s, 6),
                            .detail = ts_sq_col_cstr(s, 7)};
        r = cb(&a, ctx);
    }
    return ts_sq_iter_end(sq, s, r ? SQLITE_DONE : rc, r);
}

static int sq_feedback(ts_store_t *st, ts_feedback_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, sq, I_FEEDBACK);
    int rc, r = 0;
    while (r == 0 && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        ts_feedback_t f = {.feed = ts_sq_col_cstr(s, 0),
                           .incidents = (uint64_t)sqlite3_column_int64(s, 1),
                           .false_positive = (uint64_t)sqlite3_column_int64(s, 2),
                           .expected = (uint64_t)sqlite3_column_int64(s, 3),
                           .resolved = (uint64_t)sqlite3_column_int64(s, 4),
                           .suppressed_incidents = (uint64_t)sqlite3_column_int64(s, 5),
                           .suppressed_events = (uint64_t)sqlite3_column_int64(s, 6)};
        r = cb(&f, ctx);
    }
    return ts_sq_iter_end(sq, s, r ? SQLITE_DONE : rc, r);
}

static int sq_config_set(ts_store_t *st, const char *text, const char *who)
{
    struct sq_store *sq = ts_sq(st);
    bool own;
    int r = ts_sq_op_begin(sq, &own);
    if (r)
        return r;
    int err = 0;
    sqlite3_stmt *s = stmt(sq, I_CONFIG_SET, &err);
    r = s ? 0 : err;
    if (r == 0) {
        ts_sq_bind_cstr(s, 1, text);
        r = ts_sq_run(sq, s);
    }
    if (r == 0) {
        ts_buf_t d = TS_BUF_INIT;
        ts_jsonw_t w;
        ts_jsonw_init(&w, &d);
        ts_jsonw_object_begin(&w);
        ts_jsonw_key(&w, "config");
        ts_jsonw_cstr(&w, text);
        ts_jsonw_object_end(&w);
        r = audit(sq, who, 0, "config", 0, "load", d.data);
        ts_buf_free(&d);
    }
    return ts_sq_op_end(sq, own, r);
}

static int sq_changed(ts_store_t *st, int64_t site, int64_t watermark, size_t limit,
                      ts_incident_cb cb, void *ctx)
{
    struct sq_store *sq = ts_sq(st);
    STMT(s, sq, I_CHANGED);
    bind_int(s, ":site", site);
    bind_int(s, ":w", watermark);
    bind_int(s, ":lim", limit ? (int64_t)limit : -1);
    return each_row(sq, s, false, NULL, cb, ctx, NULL);
}

/* ---- Retention ------------------------------------------------------------------------------------ */

static int sq_prune(ts_store_t *st, ts_prune_what_t what, ts_type_t type, int64_t cutoff,
                    size_t limit, bool dry_run, uint64_t *n)
{
    struct sq_store *sq = ts_sq(st);
    static const int del[] = {I_PRUNE_EV, I_PRUNE_INC, I_PRUNE_AUDIT, I_PRUNE_RT};
    static const int cnt[] = {I_COUNT_EV, I_COUNT_INC, I_COUNT_AUDIT, I_COUNT_RT};
    *n = 0;
    for (int pass = 0; pass < (what == TS_PRUNE_ROLLUPS ? 2 : 1); pass++) {
        int q = dry_run ? cnt[what] : del[what];
        if (pass == 1)
            q = dry_run ? I_COUNT_RH : I_PRUNE_RH;
        STMT(s, sq, q);
        sqlite3_bind_int64(s, 1, cutoff);
        if (what == TS_PRUNE_EVENTS && type < TS_RSIT_TYPES)
            sqlite3_bind_text(s, 2, ts_type_name(type), -1, SQLITE_STATIC);
        else if (what == TS_PRUNE_EVENTS)
            sqlite3_bind_null(s, 2);
        if (!dry_run)
            sqlite3_bind_int64(s, 3, (int64_t)limit);
        uint64_t k = 0;
        int r;
        if (dry_run) {
            r = count_of(sq, s, &k);
        } else {
            r = ts_sq_run(sq, s);
            k = (uint64_t)sqlite3_changes(sq->db);
        }
        if (r)
            return r;
        *n += k;
        if (!dry_run && *n >= limit)
            break;
    }
    return 0;
}

const struct ts_store_incident_ops ts_sq_incident_ops = {
    .meta = sq_meta,
    .config_text = sq_config_text,
    .latest = sq_latest,
    .id_block = sq_id_block,
    .seq_next = sq_seq_next,
    .put = sq_put,
    .rollup_types = sq_rollup_types,
    .rollup_hosts = sq_rollup_hosts,
    .advisory_for = sq_advisory_for,
    .advisory_any = sq_advisory_any,
    .rows = sq_rows,
    .list = sq_list,
    .get = sq_get,
    .set_state = sq_set_state,
    .events = sq_events,
    .suppress_add = sq_suppress_add,
    .suppress_foreach = sq_suppress_foreach,
    .suppress_remove = sq_suppress_remove,
    .critical_add = sq_critical_add,
    .critical_foreach = sq_critical_foreach,
    .critical_remove = sq_critical_remove,
    .audit_foreach = sq_audit_foreach,
    .feedback = sq_feedback,
    .config_set = sq_config_set,
    .changed = sq_changed,
    .prune = sq_prune,
};
