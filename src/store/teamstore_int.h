/* SPDX-License-Identifier: Apache-2.0 */
/* The team directory's backend operations (see teamstore.h). The rules of
 * the process live in teamstore.c; a backend stores what it is told, and
 * moves a team's state only from the state the rules were checked against
 * (move: TS_ECONFLICT when another writer moved it meanwhile). */
#pragma once
#include "store/store_int.h"
#include "store/teamstore.h"

/* A change of a team's process fields, from state `from`, audited. */
struct ts_team_move {
    int64_t id;
    int from, to, prev_state, rejections;
    int64_t deadline, last_rejected, listed_at, accredited_at, recertified_at;
    int64_t now;
    const char *who, *action, *detail;
    bool clear_sponsors; /* the application ends: its sponsors go (audited before) */
};

struct ts_store_team_ops {
    /* Inserts t (state candidate) with its scopes and representatives. */
    int (*add)(ts_store_t *st, const ts_team_rec_t *t, int64_t now, const char *who, int64_t *id);
    /* Replaces team t->id's data, scopes and representatives; audited as action. */
    int (*replace)(ts_store_t *st, const ts_team_rec_t *t, int64_t now, const char *who,
                   const char *action);
    int (*get)(ts_store_t *st, const char *name, ts_team_cb cb, void *ctx);
    int (*foreach)(ts_store_t *st, int state, ts_team_cb cb, void *ctx);
    int (*scopes_foreach)(ts_store_t *st, int64_t team_id, ts_team_scope_cb cb, void *ctx);
    int (*reps_foreach)(ts_store_t *st, int64_t team_id, ts_team_rep_cb cb, void *ctx);
    int (*move)(ts_store_t *st, const struct ts_team_move *m);
    /* TS_EEXIST: that sponsor is recorded already. */
    int (*sponsor_add)(ts_store_t *st, int64_t team_id, int64_t sponsor_id, const char *sponsor,
                       int64_t now, const char *who);
    int (*sponsors_foreach)(ts_store_t *st, int64_t team_id, ts_team_sponsor_cb cb, void *ctx);
    int (*audit_foreach)(ts_store_t *st, int64_t team_id, ts_team_audit_cb cb, void *ctx);
    int (*boot_put)(ts_store_t *st, const ts_rdap_boot_rec_t *b);
    int (*boot_get)(ts_store_t *st, const char *kind, ts_rdap_boot_cb cb, void *ctx);
    int (*lookup_put)(ts_store_t *st, const ts_lookup_rec_t *l);
    int (*verify_put)(ts_store_t *st, const ts_verify_rec_t *v);
    int (*verify_foreach)(ts_store_t *st, ts_verify_cb cb, void *ctx);
    int (*verify_by_token)(ts_store_t *st, const char *hash, ts_verify_cb cb, void *ctx);
    int (*verify_use)(ts_store_t *st, const char *hash, int64_t now);
    int (*lookup_get)(ts_store_t *st, const char *query, int64_t now, ts_lookup_cb cb, void *ctx);
};
