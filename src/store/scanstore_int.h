/* SPDX-License-Identifier: Apache-2.0 */
/* The scan store's backend operations (see scanstore.h). */
#pragma once
#include "store/scanstore.h"
#include "store/store_int.h"

struct ts_store_scan_ops {
    int (*scan_add)(ts_store_t *st, const ts_scan_rec_t *rec, int64_t *id);
    int (*scan_get)(ts_store_t *st, int64_t id, ts_scan_cb cb, void *ctx);
    int (*scans_foreach)(ts_store_t *st, int64_t site_id, size_t limit, ts_scan_cb cb, void *ctx);
    int (*scan_claim)(ts_store_t *st, int64_t now, ts_scan_cb cb, void *ctx);
    int (*scan_progress)(ts_store_t *st, int64_t id, double progress, int64_t eta_s,
                         uint64_t open_ports, bool *cancel);
    int (*scan_state)(ts_store_t *st, int64_t id, const char *state, const char *reason,
                      const char *mode, uint64_t n_addresses);
    int (*scan_cancel)(ts_store_t *st, int64_t id);
    int (*scan_usage)(ts_store_t *st, int64_t site_id, int64_t since, uint64_t *active,
                      uint64_t *addresses);
    int (*scan_previous)(ts_store_t *st, int64_t id, int64_t *prev);
    int (*service_add)(ts_store_t *st, const ts_scan_svc_rec_t *rec);
    int (*services_foreach)(ts_store_t *st, int64_t scan_id, ts_scan_svc_cb cb, void *ctx);
    int (*finding_add)(ts_store_t *st, const ts_scan_finding_rec_t *rec, int64_t *id);
    int (*findings_foreach)(ts_store_t *st, int64_t scan_id, ts_scan_finding_cb cb, void *ctx);
};
