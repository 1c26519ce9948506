/* SPDX-License-Identifier: Apache-2.0 */
/* Incidents in the store (issue 12): aggregation of events into incidents at
 * write time, their priority, the sites' feedback (states, suppression rules,
 * critical marks), the audit of every change, retention, and the roll-ups the
 * portal's statistics read.
 *
 * Aggregation is part of ts_store_event_add(): every producer (ingest, the
 * collector, the bus writer) gets it, in the transaction of its events. Each
 * owner link of an event goes to the incident of its key (incident/incident.h)
 * and carries that incident's id (ts_link_t.incident_id on stored events). An
 * event joins the key's latest incident while that incident is open (new,
 * acknowledged or in progress) and the event is at most its type's window
 * (the quiet period, incident/config.h) after the incident's last event;
 * otherwise it opens a new incident that points to the latest one
 * (previous_id). An event older than the latest incident joins it (its first
 * seen moves back). The counts, the distinct hosts and peers and the priority
 * are written at ts_store_commit(), before the events' commit itself, so
 * incidents are always consistent with the committed events.
 *
 * Site-facing reads take the caller's subtree root (0: the CSIRT, everything)
 * and answer TS_ENOENT for an object outside it, exactly as for a missing
 * one. Every change is audited with who made it (a certificate fingerprint,
 * or "cli:USER" for the command line).
 *
 * Strings handed to callbacks are valid only during the callback. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "incident/config.h"
#include "incident/incident.h"
#include "store/store.h"

#define TS_INC_NOTE_MAX 1024 /* bytes of a note */
#define TS_INC_WHO_MAX 128   /* bytes of who */
#define TS_INC_LIMIT_MAX 1000

/* One incident. Points and score are in tenths (incident/priority.h). */
typedef struct ts_incident {
    int64_t id;
    int64_t site_id;
    const char *site_name; /* "" when the site was removed */
    int64_t previous_id;   /* the key's incident before this one; 0 none */
    ts_type_t type;
    const char *identifier; /* "" when the events have none */
    const char *object;     /* the site's host, network, or rule (incident.h) */
    ts_prefix_t net;        /* object as a prefix; family TS_AF_NONE when not one */
    ts_role_t role;
    bool suppressed;
    ts_inc_state_t state;
    int64_t first_seen, last_seen; /* us since the epoch, event times */
    int64_t created, updated;      /* us since the epoch, wall clock */
    int64_t changed;               /* change sequence (ts_store_incidents_changed) */
    uint64_t events;               /* events */
    uint64_t count;                /* observations: the sum of the events' counts */
    uint64_t own_hosts, peers;     /* distinct (exact up to 256) */
    ts_tlp_t tlp;                  /* the most restricted label seen */
    const char *feed;              /* feed (or detector) of its first event; "" none */
    const char *cve;               /* the CVE its events name; "" none */
    const char *advisory;          /* the matched advisory behind the advisory factor; "" */
    const char *critical;          /* the critical mark behind the critical factor; "" */
    const char *note;              /* the last note given with a state change; "" */
    int64_t first_event, last_event; /* ids of its first and last event */
    int32_t score;
    int32_t points[TS_F_COUNT_];
    /* ts_store_incidents_changed() only: the score the incident had at the
     * watermark, -1 when it did not exist then (0 elsewhere). */
    int32_t prev_score;
} ts_incident_t;

typedef int (*ts_incident_cb)(const ts_incident_t *inc, void *ctx);

typedef enum ts_inc_order {
    TS_INC_BY_PRIORITY = 0, /* score, then id, both descending: the queue */
    TS_INC_BY_ID = 1,       /* newest first */
} ts_inc_order_t;

typedef struct ts_incident_filter {
    int64_t site_id;   /* subtree root; 0 = every site (CSIRT) */
    int state;         /* 0 any; a ts_inc_state_t; TS_INC_FILTER_OPEN: new, ack'd, in progress */
    int suppressed;    /* 0 not suppressed (default), 1 suppressed only, -1 either */
    int64_t since;     /* last seen at or after; TS_TIME_NONE = any */
    bool has_ip;       /* the object holds an address of [ip_lo, ip_hi] */
    uint8_t ip_lo[16]; /* 16-byte form, IPv4 as ::ffff:a.b.c.d (portal/query.h) */
    uint8_t ip_hi[16];
    ts_inc_order_t order;
    /* Cursor: only incidents after this one in the order; 0 = from the start. */
    int32_t after_score;
    int64_t after_id;
    size_t limit; /* 1 .. TS_INC_LIMIT_MAX */
} ts_incident_filter_t;

#define TS_INC_FILTER_OPEN (-1)

void ts_incident_filter_init(ts_incident_filter_t *f);

/* One page of incidents in the filter's order. *more (OUT) says whether
 * another page follows (its cursor is the last incident handed out).
 * \retval 0, a callback's non-zero value.  \retval TS_EINVAL bad filter.
 * \retval TS_ENOENT no such site.  \retval TS_EDB. */
TS_MUSTCHECK int ts_store_incidents(ts_store_t *st, const ts_incident_filter_t *f,
                                    ts_incident_cb cb, void *ctx, bool *more /* OUT */);
/* One incident if the subtree of site_id (0: anyone) may see it.
 * \retval the callback's value or 0.  \retval TS_ENOENT missing or not visible. */
TS_MUSTCHECK int ts_store_incident_get(ts_store_t *st, int64_t site_id, int64_t id,
                                       ts_incident_cb cb, void *ctx);
/* Sets an incident's state (and note, NULL: keep), audited as who did it.
 * *old (may be NULL) gets the state before. Setting the state it has is no
 * change and not audited. Races with ingest lose neither: the state is
 * written alone, the counts by the ingest transaction.
 * \retval TS_ENOENT missing or not visible.  \retval TS_EINVAL bad state,
 * note or who. */
TS_MUSTCHECK int ts_store_incident_set_state(ts_store_t *st, int64_t site_id, int64_t id,
                                             ts_inc_state_t state, const char *note,
                                             const char *who, ts_inc_state_t *old /* OUT */);
/* Ids of an incident's events, newest first: those below before_id (0: from
 * the newest), at most max into ids[]. Read the events themselves with
 * ts_store_events_foreach() (filter ids, the same site_id). *more says
 * whether older ones follow. \retval TS_ENOENT missing or not visible. */
TS_MUSTCHECK int ts_store_incident_events(ts_store_t *st, int64_t site_id, int64_t id,
                                          int64_t before_id, int64_t *ids, size_t max,
                                          size_t *n /* OUT */, bool *more /* OUT */);

/* ---- Suppression rules ---------------------------------------------------------------- */

/* Adds r (id, created ignored; who required) after checking its network with
 * ts_inc_net_check against c. *id gets the new rule's id. Events written
 * from the next transaction on follow it; incidents already there do not
 * change. \retval TS_ERANGE, TS_EDENIED (see ts_inc_net_check).
 * \retval TS_EINVAL a bad field.  \retval TS_ENOENT no such site. */
TS_MUSTCHECK int ts_store_suppress_add(ts_store_t *st, ts_constituency_t *c,
                                       const ts_suppress_t *r, int64_t *id /* OUT */);
typedef int (*ts_suppress_cb)(const ts_suppress_t *r, const char *site_name, void *ctx);
/* The rules of a subtree (0: all), by site then id; expired ones included. */
TS_MUSTCHECK int ts_store_suppress_foreach(ts_store_t *st, int64_t site_id, ts_suppress_cb cb,
                                           void *ctx);
/* Removes a rule visible to the subtree. \retval TS_ENOENT. */
TS_MUSTCHECK int ts_store_suppress_remove(ts_store_t *st, int64_t site_id, int64_t id,
                                          const char *who);

/* ---- Critical marks ------------------------------------------------------------------------ */

/* A host or network a site marked critical: the critical factor of every
 * incident whose object lies inside it or contains it. */
typedef struct ts_critical {
    int64_t id;
    int64_t site_id;
    ts_prefix_t net;
    int64_t created;
    const char *who;
    const char *note;
} ts_critical_t;
typedef int (*ts_critical_cb)(const ts_critical_t *m, const char *site_name, void *ctx);

/* As for suppression rules; the incidents of the site touching the network
 * are scored again. */
TS_MUSTCHECK int ts_store_critical_add(ts_store_t *st, ts_constituency_t *c,
                                       const ts_critical_t *m, int64_t *id /* OUT */);
TS_MUSTCHECK int ts_store_critical_foreach(ts_store_t *st, int64_t site_id, ts_critical_cb cb,
                                           void *ctx);
TS_MUSTCHECK int ts_store_critical_remove(ts_store_t *st, int64_t site_id, int64_t id,
                                          const char *who);

/* ---- Audit --------------------------------------------------------------------------------- */

typedef struct ts_audit_rec {
    int64_t id;
    int64_t time;       /* us since the epoch */
    const char *who;    /* certificate fingerprint or "cli:USER" */
    int64_t site_id;    /* the site the object belongs to; 0 for the CSIRT's own */
    const char *object; /* "incident", "suppression", "critical", "config" */
    int64_t object_id;
    const char *action; /* "state", "add", "remove", "load" */
    const char *detail; /* JSON object: what changed ("{\"from\":\"new\",\"to\":...}") */
} ts_audit_rec_t;
typedef int (*ts_audit_cb)(const ts_audit_rec_t *a, void *ctx);

/* Audit records of a subtree (0: all), newest first; object NULL: any kind,
 * object_id 0: any object; limit 0: all. */
TS_MUSTCHECK int ts_store_audit_foreach(ts_store_t *st, int64_t site_id, const char *object,
                                        int64_t object_id, size_t limit, ts_audit_cb cb,
                                        void *ctx);

/* ---- Feedback per feed -------------------------------------------------------------------------- */

typedef struct ts_feedback {
    const char *feed;        /* an incident's feed; "" when none */
    uint64_t incidents;      /* incidents (not suppressed) */
    uint64_t false_positive; /* of them marked false positive */
    uint64_t expected;       /* of them marked expected */
    uint64_t resolved;
    uint64_t suppressed_incidents;
    uint64_t suppressed_events; /* events that went to suppressed incidents */
} ts_feedback_t;
typedef int (*ts_feedback_cb)(const ts_feedback_t *f, void *ctx);
/* What sites made of each feed's (and detector's) incidents, by feed name:
 * the CSIRT's view over every site. */
TS_MUSTCHECK int ts_store_feedback(ts_store_t *st, ts_feedback_cb cb, void *ctx);

/* Aggregation is on for every store. Off (on false) only to measure what it
 * costs (bench/bench_ingest): the events this handle writes then get no
 * incident and no roll-up. Between transactions only. */
void ts_store_incidents_enable(ts_store_t *st, bool on);

/* Announces an event the caller is about to write in its open transaction
 * (ts_store_begin), before writing the batch it belongs to: a backend with
 * round trips (PostgreSQL) then reads the latest incidents of the whole
 * batch's keys at once, at the batch's first write, rather than one query
 * per new key. Optional and without effect on what is stored; an event not
 * announced, or malformed, is looked up when written. \retval 0 or the
 * store's error reading what aggregation caches (the transaction is then to
 * be rolled back). */
TS_MUSTCHECK int ts_store_incidents_expect(ts_store_t *st, const ts_event_t *e,
                                           const ts_link_t *links, int n_links);

/* ---- Configuration -------------------------------------------------------------------------- */

/* The configuration every writer of this store aggregates and scores with
 * (the defaults until one is loaded). */
TS_MUSTCHECK int ts_store_incident_config(ts_store_t *st, ts_incconf_t *c /* OUT */);
/* Replaces it (audited); scores every open incident again with it.
 * \retval TS_EINVAL bad who. */
TS_MUSTCHECK int ts_store_incident_config_set(ts_store_t *st, const ts_incconf_t *c,
                                              const char *who);

/* ---- Incident source (for notifications) ------------------------------------------------------ */

/* Every incident created, or whose score changed, gets the next value of a
 * store-wide change sequence in ts_incident_t.changed, committed in order
 * (writers take the sequence at commit, one after the other). A consumer
 * keeps the last value it handled as its watermark and asks for what came
 * after it:
 *   ts_store_incidents_changed(st, site, watermark, limit, cb, ctx)
 * hands the incidents of site's subtree (0: all) with changed > watermark,
 * in changed order (limit 0: all), suppressed ones excluded; the caller's
 * new watermark is the last one's changed. An incident changed twice since
 * the watermark comes once, with its latest state. A state change by a site
 * does not move it (it is the site's own doing). Each incident comes with
 * prev_score, its score as of the watermark (the store keeps each
 * incident's score per change; -1: it is new since the watermark), so that
 * a consumer tells a new incident from a risen one exactly, however many
 * times it changed in between. */
TS_MUSTCHECK int ts_store_incidents_changed(ts_store_t *st, int64_t site_id, int64_t watermark,
                                            size_t limit, ts_incident_cb cb, void *ctx);

/* ---- Retention --------------------------------------------------------------------------------- */

typedef struct ts_prune_stats {
    uint64_t events;    /* raw events older than their type's retention */
    uint64_t incidents; /* incidents last seen before the incident retention */
    uint64_t audit;     /* audit records older than the incident retention */
    uint64_t rollups;   /* roll-up rows of days before the incident retention */
} ts_prune_stats_t;

/* Removes what the configuration's retention says has gone, as of now (us
 * since the epoch), in transactions of at most batch rows each (0: 1000), so
 * that writers wait for one small transaction at a time; *stop (may be NULL)
 * set by another thread ends it between transactions. With dry_run nothing
 * is removed and *out counts what would go. \retval TS_EINTR stopped. */
TS_MUSTCHECK int ts_store_prune(ts_store_t *st, int64_t now, size_t batch, bool dry_run,
                                const volatile int *stop, ts_prune_stats_t *out /* OUT */);
