/* SPDX-License-Identifier: Apache-2.0 */
/* The domain store's backend operations (see domainstore.h): plain reads
 * and writes. The rules live in domainstore.c, which runs them between
 * op_begin and op_end, so a backend keeps no rule of its own. */
#pragma once
#include "store/domainstore.h"
#include "store/store_int.h"

struct ts_store_domain_ops {
    int (*op_begin)(ts_store_t *st, bool *own);
    int (*op_end)(ts_store_t *st, bool own, int r);
    int (*zone_add)(ts_store_t *st, const char *zone, int64_t now);
    int (*zone_remove)(ts_store_t *st, const char *zone);
    int (*zones_foreach)(ts_store_t *st, ts_domain_zone_cb cb, void *ctx);
    /* TS_ENOENT when unset. */
    int (*setting_get)(ts_store_t *st, const char *key, int64_t *v);
    int (*setting_set)(ts_store_t *st, const char *key, int64_t v);
    int (*case_add)(ts_store_t *st, const ts_domain_case_t *c, int64_t *id);
    /* The open (not final) case of domain. TS_ENOENT none. */
    int (*case_find_open)(ts_store_t *st, const char *domain, int64_t *id);
    /* lock: held against other writers until op_end (PostgreSQL FOR UPDATE). */
    int (*case_get)(ts_store_t *st, int64_t id, bool lock, ts_domain_case_cb cb, void *ctx);
    /* Writes state, updated, since, until, last_decision, extensions, reminded. */
    int (*case_update)(ts_store_t *st, const ts_domain_case_t *c);
    int (*cases_foreach)(ts_store_t *st, const char *state, size_t limit, ts_domain_case_cb cb,
                         void *ctx);
    /* Deactivated cases with until <= before and reminded != until (remind)
     * or all of them (!remind), by until. */
    int (*cases_ending)(ts_store_t *st, int64_t before, bool remind, ts_domain_case_cb cb,
                        void *ctx);
    int (*cases_count)(ts_store_t *st, uint64_t *total, uint64_t *past);
    /* An event's time (source, else observation, else 0). TS_ENOENT none. */
    int (*event_time)(ts_store_t *st, int64_t id, int64_t *t);
    int (*evidence_add)(ts_store_t *st, const ts_domain_evidence_t *e);
    int (*evidence_foreach)(ts_store_t *st, int64_t case_id, ts_domain_evidence_cb cb, void *ctx);
    int (*decision_add)(ts_store_t *st, const ts_domain_decision_t *d);
    int (*decisions_foreach)(ts_store_t *st, int64_t case_id, ts_domain_decision_cb cb, void *ctx);
    int (*candidates)(ts_store_t *st, size_t limit, ts_domain_candidate_cb cb, void *ctx);
};

/* Setting keys. */
#define TS_DOMAIN_KEY_MAX_DAYS "max_days"
#define TS_DOMAIN_KEY_SERIAL "rpz_serial"
#define TS_DOMAIN_KEY_LIST_PAST "list_past"
