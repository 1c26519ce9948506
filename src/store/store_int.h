/* SPDX-License-Identifier: Apache-2.0 */
/* Inside the store: the table of operations a backend provides. store.c picks
 * a backend from the location string and forwards every public call through
 * st->ops, so callers never see which database they talk to. A backend's own
 * struct starts with a ts_store_t and is reached by a cast. */
#pragma once
#include "store/store.h"

/* Operations of later features, each in a table of its own (defined in the
 * feature's <noun>_int.h), so that adding a feature does not touch the core. */
struct ts_store_cert_ops;
struct ts_store_portal_ops;
struct ts_store_advisory_ops;
struct ts_store_notify_ops;

struct ts_store_ops {
    const char *name;   /* "sqlite", for messages */
    int latest_version; /* newest schema version the backend knows */
    /* max_version < 0: migrate to latest_version; else stop after that step
     * (tests build old stores with it). create: make a missing store, else
     * TS_ENOENT (not logged: the caller says what to do). */
    int (*open)(const char *location, int max_version, bool create, ts_store_t **out);
    void (*close)(ts_store_t *st);
    int (*schema_version)(ts_store_t *st);
    const char *(*errmsg)(ts_store_t *st);

    int (*begin)(ts_store_t *st);
    int (*commit)(ts_store_t *st);
    void (*rollback)(ts_store_t *st);
    int (*read_begin)(ts_store_t *st);
    int (*data_version)(ts_store_t *st, uint64_t *version);
    void (*set_busy_timeout)(ts_store_t *st, int ms);

    int (*site_add)(ts_store_t *st, const char *name, int64_t parent_id, const char *description,
                    int64_t *id);
    int (*site_update)(ts_store_t *st, int64_t id, int64_t parent_id, const char *description);
    int (*site_remove)(ts_store_t *st, int64_t id);
    int (*site_find)(ts_store_t *st, const char *name, int64_t *id);
    int (*claim_add)(ts_store_t *st, int64_t site_id, ts_rule_kind_t kind, const char *value);
    int (*claim_remove)(ts_store_t *st, int64_t site_id, ts_rule_kind_t kind, const char *value);
    int (*site_clear)(ts_store_t *st, int64_t site_id);
    int (*contact_add)(ts_store_t *st, int64_t site_id, const char *email, const char *name);
    int (*sites_foreach)(ts_store_t *st, ts_site_cb cb, void *ctx);
    int (*claims_foreach)(ts_store_t *st, ts_claim_cb cb, void *ctx);
    int (*contacts_foreach)(ts_store_t *st, ts_contact_cb cb, void *ctx);

    int (*input_get)(ts_store_t *st, const char *name, const char *format, ts_input_state_t *state);
    int (*input_checkpoint)(ts_store_t *st, const ts_input_state_t *state);
    int (*inputs_foreach)(ts_store_t *st, ts_input_cb cb, void *ctx);

    int (*event_add)(ts_store_t *st, const ts_event_t *e, const ts_link_t *links, int n_links,
                     int64_t input_id, uint64_t line, int64_t *id);
    int (*events_foreach)(ts_store_t *st, const ts_event_filter_t *f, ts_event_cb cb, void *ctx);
    int (*events_count)(ts_store_t *st, const ts_event_filter_t *f, uint64_t *n);

    int (*quarantine_add)(ts_store_t *st, int64_t input_id, uint64_t line, uint64_t offset,
                          int reason, const char *detail, const void *data, size_t len,
                          uint64_t record_len);
    int (*quarantine_foreach)(ts_store_t *st, const char *reason, size_t limit, ts_quarantine_cb cb,
                              void *ctx);
    int (*quarantine_stats)(ts_store_t *st, ts_count_cb cb, void *ctx);
    int (*exporter_save)(ts_store_t *st, const ts_exporter_stats_t *s);
    int (*exporters_foreach)(ts_store_t *st, ts_exporter_row_cb cb, void *ctx);

    const struct ts_store_cert_ops *cert;         /* store/certreg_int.h */
    const struct ts_store_portal_ops *portal;     /* store/eventq_int.h */
    const struct ts_store_advisory_ops *advisory; /* store/advstore_int.h */
    const struct ts_store_notify_ops *notify;     /* store/notifystore_int.h */
};

struct ts_store {
    const struct ts_store_ops *ops;
};

extern const struct ts_store_ops ts_store_sqlite_ops;
extern const struct ts_store_ops ts_store_postgres_ops; /* store/postgres_int.h */
extern const struct ts_store_cert_ops ts_sq_cert_ops;
extern const struct ts_store_portal_ops ts_sq_portal_ops;
extern const struct ts_store_advisory_ops ts_sq_advisory_ops;
extern const struct ts_store_notify_ops ts_sq_notify_ops;

/* Like ts_store_open() but migrates no further than max_version (< 0: to the
 * latest). For tests that need a store as an older tocsin left it.
 * \retval as ts_store_open(); TS_EINVAL max_version above what the backend knows. */
TS_MUSTCHECK int ts_store_open_version(const char *location, int max_version,
                                       ts_store_t **out /* OUT */);
/* Newest schema version the backend for location knows, or TS_ENOTSUP. */
int ts_store_latest_version(const char *location);
